package virolasim

import (
	"cmp"
	"context"
	"fmt"
	"slices"
	"strconv"
	"strings"
	"time"

	"github.com/parleybot/parley/platform/virola"
	"github.com/parleybot/parley/playground"
)

// PlaygroundDelay is how long events wait while the playground's delay
// fault is on.
const PlaygroundDelay = 2 * time.Second

// The bot account of the playground and of "parley sim virola".
const (
	playgroundBotUser     = "bot"
	playgroundBotPassword = "bot"
)

func init() {
	playground.Register(playground.Provider{Name: "virola", Start: startPlayground})
}

// startPlayground starts a simulator for "parley playground". Virola has
// no contact requests: a new contact is a new user with a private room
// with the bot, and a group is a public room whose creator and the bot
// moderate it.
func startPlayground(o playground.Options) (playground.Sim, error) {
	s := New()
	if err := s.Start(); err != nil {
		return nil, err
	}
	b := s.AddUser(playgroundBotUser, cmp.Or(o.BotName, "Bot"), playgroundBotPassword)
	return &pgSim{s: s, bot: b.UserID}, nil
}

// pgSim is a Server as the playground sees it. People and members are
// named by their user ID, chats by their room ID.
type pgSim struct {
	s   *Server
	bot int64 // the bot's user ID
}

func (p *pgSim) URL() string  { return p.s.URL() }
func (p *pgSim) Close() error { return p.s.Close() }

// Settings points the bot at url with the bot account. The bot catches up
// on what arrived while it was away, so a message written before it
// connected still reaches it.
func (p *pgSim) Settings(url string) map[string]any {
	return map[string]any{"url": url, "user_name": playgroundBotUser, "password": playgroundBotPassword, "catch_up": true}
}

func (p *pgSim) Changed() <-chan struct{} {
	p.s.mu.Lock()
	defer p.s.mu.Unlock()
	return p.s.changed
}

func (p *pgSim) Fault(kind string) error {
	s := p.s
	switch kind {
	case playground.FaultDrop:
		s.DropAll()
	case playground.FaultDelay:
		s.mu.Lock()
		d := PlaygroundDelay
		if s.delay > 0 {
			d = 0
		}
		s.mu.Unlock()
		s.SetEventDelay(d)
		s.mu.Lock()
		s.notifyLocked()
		s.mu.Unlock()
	case playground.FaultMalformed:
		s.InjectRaw(`{"type":"TextMessagesCreated","data":`)
	default:
		return playground.Unsupported("fault " + kind)
	}
	return nil
}

func itoa(n int64) string { return strconv.FormatInt(n, 10) }

// roleOf names a member's place in a room.
func roleOf(r *room, uid int64) string {
	if r.moderators[uid] {
		return virola.RoleModerator
	}
	return virola.RoleMember
}

func (p *pgSim) World() playground.World {
	s := p.s
	s.mu.Lock()
	defer s.mu.Unlock()
	w := s.w
	out := playground.World{
		Platform: "virola", Bot: w.users[p.bot].DisplayName, Connections: s.stats.Conns, Delayed: s.delay > 0,
		Actions: []string{playground.Connect, playground.Send, playground.Edit, playground.Delete, playground.File,
			playground.NewGroup, playground.AddMember, playground.RemoveMember, playground.SetRole, playground.Leave},
		Roles: []string{virola.RoleMember, virola.RoleModerator},
		Faults: []playground.FaultInfo{
			{Kind: playground.FaultDrop, Label: "Drop the events socket"},
			{Kind: playground.FaultDelay, Label: fmt.Sprintf("Delay events %v", PlaygroundDelay)},
			{Kind: playground.FaultMalformed, Label: "Send a malformed event"},
		},
	}
	ids := make([]int64, 0, len(w.rooms))
	for id := range w.rooms {
		ids = append(ids, id)
	}
	slices.Sort(ids)
	name := func(uid int64) string {
		if u := w.users[uid]; u != nil {
			return cmp.Or(u.DisplayName, u.UserName)
		}
		return "user " + itoa(uid)
	}
	for _, id := range ids {
		r := w.rooms[id]
		ch := playground.Chat{ID: itoa(id), Name: r.DisplayName}
		if r.RoomType == virola.RoomPrivate {
			if !r.members[p.bot] {
				continue
			}
			for uid := range r.members {
				if uid != p.bot {
					ch.Name = name(uid)
					ch.Members = []playground.Member{{ID: itoa(uid), Name: name(uid), Active: true}}
					out.People = append(out.People, playground.Person{ID: itoa(uid), Name: name(uid), State: "connected", Chat: ch.ID})
				}
			}
		} else {
			ch.Group = true
			ch.BotState = "removed"
			if r.members[p.bot] {
				ch.BotState, ch.BotRole = "member", roleOf(r, p.bot)
			}
			var uids []int64
			for uid := range r.members {
				if uid != p.bot {
					uids = append(uids, uid)
				}
			}
			slices.Sort(uids)
			for _, uid := range uids {
				ch.Members = append(ch.Members, playground.Member{ID: itoa(uid), Name: name(uid), Role: roleOf(r, uid), Active: true})
			}
		}
		// The main thread and its comments, in the order they came.
		var mids []int64
		for _, mid := range r.main {
			mids = append(mids, mid)
			if m := w.msgs[mid]; m != nil {
				mids = append(mids, m.comments...)
			}
		}
		slices.Sort(mids)
		for _, mid := range mids {
			m := w.msgs[mid]
			if m == nil {
				continue
			}
			pm := playground.Message{ID: itoa(mid), Text: m.Text, Bot: m.UserID == p.bot, FromName: name(m.UserID),
				Edited: m.Edited(), Deleted: m.deleted}
			if !pm.Bot {
				pm.From = itoa(m.UserID)
			}
			if m.ParentMessageID != 0 {
				pm.ReplyTo = itoa(m.ParentMessageID)
			}
			if len(m.Attachments) > 0 {
				pm.File = m.Attachments[0].FileName
			}
			ch.Messages = append(ch.Messages, pm)
		}
		if ch.Members == nil && !ch.Group {
			continue
		}
		out.Chats = append(out.Chats, ch)
	}
	return out
}

func pgID(what, s string) (int64, error) {
	n, err := strconv.ParseInt(s, 10, 64)
	if err != nil || n <= 0 {
		return 0, fmt.Errorf("virolasim: invalid %s %q", what, s)
	}
	return n, nil
}

// newUser adds a user named name, or returns the one of that name.
func (p *pgSim) newUser(name string) virola.User {
	return p.s.AddUser(strings.ToLower(name), name, strings.ToLower(name))
}

func (p *pgSim) Do(_ context.Context, a playground.Action) (string, error) {
	s := p.s
	switch a.Kind {
	case playground.Connect:
		name := strings.TrimSpace(a.Name)
		if name == "" || strings.EqualFold(name, playgroundBotUser) {
			return "", fmt.Errorf("virolasim: a new contact needs a name other than %q", playgroundBotUser)
		}
		u := p.newUser(name)
		if p.privateRoom(u.UserID) != 0 {
			return "", fmt.Errorf("virolasim: %s is already a contact", name)
		}
		if _, err := s.NewPrivateRoom(u.UserID, p.bot); err != nil {
			return "", err
		}
		return itoa(u.UserID), nil
	case playground.NewGroup:
		by, err := pgID("person", a.As)
		if err != nil {
			return "", err
		}
		members := []int64{by, p.bot}
		for _, n := range a.Members {
			if n = strings.TrimSpace(n); n != "" {
				members = append(members, p.newUser(n).UserID)
			}
		}
		return p.newGroup(cmp.Or(strings.TrimSpace(a.Name), "group"), by, members)
	}
	room, err := pgID("chat", a.Chat)
	if err != nil {
		return "", err
	}
	as, err := pgID("person", a.As)
	if err != nil {
		return "", err
	}
	switch a.Kind {
	case playground.Send, playground.File:
		var m virola.Message
		if a.Item != "" {
			parent, err := pgID("message", a.Item)
			if err != nil {
				return "", err
			}
			m, err = s.Comment(as, parent, a.Text)
			if err != nil {
				return "", err
			}
		} else if m, err = s.Post(as, room, a.Text); err != nil {
			return "", err
		}
		if a.Kind == playground.File {
			err = s.attach(as, m.MessageID, []fileData{{name: cmp.Or(a.Name, "file.txt"), data: []byte("a file from the playground\n")}})
		}
		return itoa(m.MessageID), err
	case playground.Edit, playground.Delete:
		id, err := pgID("message", a.Item)
		if err != nil {
			return "", err
		}
		if a.Kind == playground.Edit {
			return "", s.Edit(as, id, a.Text)
		}
		return "", s.Delete(as, id)
	case playground.AddMember:
		u := p.newUser(cmp.Or(strings.TrimSpace(a.Name), "member"))
		if err := p.checkMember(room, as); err != nil {
			return "", err
		}
		return itoa(u.UserID), s.AddMember(room, u.UserID)
	case playground.RemoveMember, playground.Leave:
		target := as
		if a.Kind == playground.RemoveMember {
			if target = p.bot; a.Target != "bot" {
				if target, err = pgID("member", a.Target); err != nil {
					return "", err
				}
			}
		}
		return "", p.removeMember(room, as, target)
	case playground.SetRole:
		target := p.bot
		if a.Target != "bot" {
			if target, err = pgID("member", a.Target); err != nil {
				return "", err
			}
		}
		if err := p.checkMember(room, as); err != nil {
			return "", err
		}
		switch a.Role {
		case virola.RoleModerator, virola.RoleMember:
			return "", s.SetModerator(room, target, a.Role == virola.RoleModerator)
		}
		return "", fmt.Errorf("virolasim: no role %q (%s or %s)", a.Role, virola.RoleMember, virola.RoleModerator)
	}
	return "", playground.Unsupported(a.Kind)
}

// privateRoom returns the private room of uid with the bot, 0 if none.
func (p *pgSim) privateRoom(uid int64) int64 {
	p.s.mu.Lock()
	defer p.s.mu.Unlock()
	for id, r := range p.s.w.rooms {
		if r.RoomType == virola.RoomPrivate && r.members[uid] && r.members[p.bot] {
			return id
		}
	}
	return 0
}

// checkMember checks that uid is a member of the public room.
func (p *pgSim) checkMember(room, uid int64) error {
	p.s.mu.Lock()
	defer p.s.mu.Unlock()
	r := p.s.w.rooms[room]
	switch {
	case r == nil || r.RoomType == virola.RoomPrivate:
		return fmt.Errorf("%w: group %d", ErrNoRoom, room)
	case !r.members[uid]:
		return fmt.Errorf("%w: %d in room %d", ErrNoAccess, uid, room)
	}
	return nil
}

// removeMember takes target's access to a public room away, as by; the
// target gets RoomDeleted, as a server does for a room a user loses.
func (p *pgSim) removeMember(room, by, target int64) error {
	s := p.s
	s.mu.Lock()
	defer s.mu.Unlock()
	r := s.w.rooms[room]
	switch {
	case r == nil || r.RoomType == virola.RoomPrivate:
		return fmt.Errorf("%w: group %d", ErrNoRoom, room)
	case !r.members[by] || !r.members[target]:
		return fmt.Errorf("%w: in room %d", ErrNoAccess, room)
	case by != target && !r.moderators[by]:
		return fmt.Errorf("%w: only a moderator removes others", ErrForbidden)
	}
	delete(r.members, target)
	delete(r.moderators, target)
	s.broadcastLocked(virola.TypeRoomDeleted, func(int64) any { return map[string]any{"roomId": room} },
		func(u int64) bool { return u == target })
	return nil
}

// newGroup makes a public room that its creator and the bot moderate, so
// a moderation bot can act in it. The bot learns of the room as its
// moderator at once: a bot that took it as a plain member first might
// decline to moderate it.
func (p *pgSim) newGroup(name string, by int64, members []int64) (string, error) {
	s := p.s
	s.mu.Lock()
	defer s.mu.Unlock()
	r, err := s.w.newRoom(virola.RoomPublic, name, members...)
	if err != nil {
		return "", err
	}
	r.moderators = map[int64]bool{by: true, p.bot: true}
	s.roomEventLocked(virola.TypeRoomCreated, r)
	return itoa(r.RoomID), nil
}
