package simplexsim

import (
	"context"
	"fmt"
	"slices"
	"strconv"
	"strings"
	"time"

	"github.com/parleybot/parley/playground"
)

// PlaygroundDelay is how long responses wait while the playground's delay
// fault is on.
const PlaygroundDelay = 2 * time.Second

func init() {
	playground.Register(playground.Provider{Name: "simplex", Start: startPlayground})
}

// startPlayground starts a simulator for "parley playground": the bot has
// an address without auto-accept, so its own policy decides requests.
func startPlayground(o playground.Options) (playground.Sim, error) {
	name := o.BotName
	if name == "" {
		name = "bot"
	}
	s := New(WithBotName(name), WithAddress(false, ""))
	if err := s.Start(); err != nil {
		return nil, err
	}
	return &pgSim{s: s}, nil
}

// pgSim is a Sim as the playground sees it.
type pgSim struct{ s *Sim }

func (p *pgSim) URL() string  { return p.s.URL() }
func (p *pgSim) Close() error { return p.s.Close() }

func (p *pgSim) Settings(url string) map[string]any { return map[string]any{"url": url} }

func (p *pgSim) Changed() <-chan struct{} {
	p.s.mu.Lock()
	defer p.s.mu.Unlock()
	return p.s.changed
}

func (p *pgSim) Fault(kind string) error {
	switch kind {
	case playground.FaultDrop:
		p.s.DropAfter(0)
	case playground.FaultDelay:
		p.s.mu.Lock()
		d := PlaygroundDelay
		if p.s.delay > 0 {
			d = 0
		}
		p.s.mu.Unlock()
		p.s.SetDelay(d)
		p.s.mu.Lock()
		p.s.notifyLocked()
		p.s.mu.Unlock()
	case playground.FaultMalformed:
		return p.s.SendMalformed()
	default:
		return playground.Unsupported("fault " + kind)
	}
	return nil
}

var pgActions = []string{
	playground.Connect, playground.Send, playground.Edit, playground.Delete, playground.React, playground.File,
	playground.NewGroup, playground.AddMember, playground.RemoveMember, playground.SetRole, playground.Leave,
}

func (p *pgSim) World() playground.World {
	s := p.s
	s.mu.Lock()
	defer s.mu.Unlock()
	w := s.w
	out := playground.World{
		Platform: "simplex", Bot: w.userProfile.DisplayName, Connections: s.stats.Connections,
		Actions: pgActions, Roles: slices.Clone(roles), Emoji: slices.Clone(allowedEmoji), Delayed: s.delay > 0,
		Faults: []playground.FaultInfo{
			{Kind: playground.FaultDrop, Label: "Drop the connection"},
			{Kind: playground.FaultDelay, Label: fmt.Sprintf("Delay responses %v", PlaygroundDelay)},
			{Kind: playground.FaultMalformed, Label: "Send a malformed frame"},
		},
	}
	for _, id := range pgSortedKeys(w.reqs) {
		r := w.reqs[id]
		if r.state == "accepted" {
			continue // it is a contact now
		}
		state := "requested"
		if r.state == "rejected" {
			state = "rejected"
		}
		out.People = append(out.People, playground.Person{ID: "r" + strconv.FormatInt(r.id, 10), Name: r.name, State: state})
	}
	for _, id := range pgSortedKeys(w.contacts) {
		c := w.contacts[id]
		state := "requested"
		switch {
		case c.status != "active":
			state = c.status
		case c.ready():
			state = "connected"
		}
		ref := chatRef{kind: '@', id: c.id}
		out.People = append(out.People, playground.Person{ID: strconv.FormatInt(c.id, 10), Name: c.name, State: state, Chat: ref.String()})
		ch := playground.Chat{ID: ref.String(), Name: c.name,
			Members: []playground.Member{{ID: strconv.FormatInt(c.id, 10), Name: c.name, Active: c.ready()}}}
		ch.Messages = p.messages(ref)
		out.Chats = append(out.Chats, ch)
	}
	for _, id := range pgSortedKeys(w.groups) {
		g := w.groups[id]
		ref := chatRef{kind: '#', id: g.id}
		ch := playground.Chat{ID: ref.String(), Group: true, Name: g.name}
		if g.bot != nil {
			ch.BotState, ch.BotRole = g.bot.status, g.bot.role
			if g.joined() {
				ch.BotState = "member"
			}
		}
		for _, m := range g.members {
			ch.Members = append(ch.Members, playground.Member{ID: strconv.FormatInt(m.id, 10), Name: m.name,
				Role: m.role, Status: m.status, Active: m.active()})
		}
		ch.Messages = p.messages(ref)
		out.Chats = append(out.Chats, ch)
	}
	return out
}

// messages lists a chat's items; s.mu is held.
func (p *pgSim) messages(ref chatRef) []playground.Message {
	w := p.s.w
	var out []playground.Message
	for _, it := range w.chatItems(ref) {
		m := playground.Message{ID: strconv.FormatInt(it.id, 10), Text: it.text, Bot: it.snd, Edited: it.edited,
			Deleted: it.deleted != nil, Info: !it.snd && it.msgContent == nil}
		switch {
		case it.snd:
			m.FromName, m.Status = w.userProfile.DisplayName, it.status.Type
		case ref.kind == '@':
			m.From = strconv.FormatInt(ref.id, 10)
			if c := w.contacts[ref.id]; c != nil {
				m.FromName = c.name
			}
		default:
			m.From = strconv.FormatInt(it.senderGM, 10)
			if g := w.groups[ref.id]; g != nil {
				if mem := g.member(it.senderGM); mem != nil {
					m.FromName = mem.name
				}
			}
		}
		if it.quote != nil {
			m.ReplyTo = strconv.FormatInt(it.quote.ItemID, 10)
		}
		if f := w.files[it.fileID]; f != nil {
			m.File = f.name
		}
		if len(it.reactions) > 0 {
			m.Reactions = map[string]int{}
			for _, r := range it.reactions {
				m.Reactions[r.emoji] = r.total
			}
		}
		out = append(out, m)
	}
	return out
}

func pgSortedKeys[V any](m map[int64]V) []int64 {
	ks := make([]int64, 0, len(m))
	for k := range m {
		ks = append(ks, k)
	}
	slices.Sort(ks)
	return ks
}

// pgID parses an ID the playground passes back; what names it for errors.
func pgID(what, s string) (int64, error) {
	n, err := strconv.ParseInt(s, 10, 64)
	if err != nil || n <= 0 {
		return 0, fmt.Errorf("simplexsim: invalid %s %q", what, s)
	}
	return n, nil
}

// pgChat parses a chat ID, "@5" or "#3".
func pgChat(s string) (chatRef, error) {
	if len(s) < 2 || (s[0] != '@' && s[0] != '#') {
		return chatRef{}, fmt.Errorf("simplexsim: invalid chat %q", s)
	}
	id, err := pgID("chat", s[1:])
	return chatRef{kind: s[0], id: id}, err
}

func (p *pgSim) Do(_ context.Context, a playground.Action) (string, error) {
	s := p.s
	if a.Kind == playground.Connect {
		name := strings.TrimSpace(a.Name)
		if name == "" {
			return "", fmt.Errorf("simplexsim: a new contact needs a name")
		}
		c, err := s.ConnectContact(name)
		return "r" + strconv.FormatInt(c.RequestID, 10), err
	}
	if a.Kind == playground.NewGroup {
		return p.newGroup(a)
	}
	chat, err := pgChat(a.Chat)
	if err != nil {
		return "", err
	}
	as, err := pgID("person", a.As)
	if err != nil {
		return "", err
	}
	var item int64
	if a.Item != "" {
		if item, err = pgID("message", a.Item); err != nil {
			return "", err
		}
	}
	direct := chat.kind == '@'
	if direct && as != chat.id {
		return "", fmt.Errorf("simplexsim: contact %d is not in chat %s", as, chat)
	}
	id := func(n int64, err error) (string, error) {
		if err != nil {
			return "", err
		}
		return strconv.FormatInt(n, 10), nil
	}
	switch a.Kind {
	case playground.Send, playground.File:
		m := Msg{Text: a.Text, QuoteItemID: item}
		if a.Kind == playground.File {
			m.File = &FileOffer{Name: pgOr(a.Name, "file.txt"), Size: 1024}
		}
		var r Received
		if direct {
			r, err = s.ContactSendMsg(as, m)
		} else {
			m.MentionBot = strings.Contains(a.Text, "@"+p.botName())
			r, err = s.MemberSendMsg(chat.id, as, m)
		}
		return id(r.ItemID, err)
	case playground.Edit:
		if direct {
			return "", s.ContactEdit(as, item, a.Text)
		}
		return "", s.MemberEdit(chat.id, as, item, a.Text)
	case playground.Delete:
		if direct {
			return "", s.ContactDelete(as, item)
		}
		return "", s.MemberDelete(chat.id, as, item)
	case playground.React:
		emoji := pgOr(a.Emoji, "👍")
		if direct {
			return "", s.ContactReact(as, item, emoji, true)
		}
		return "", s.MemberReact(chat.id, as, item, emoji, true)
	}
	if direct {
		return "", playground.Unsupported(a.Kind + " in a direct chat")
	}
	target := func() (int64, error) {
		if a.Target == "bot" {
			var id int64
			s.View(func(w *World) {
				if g, ok := w.Group(chat.id); ok {
					id = g.BotMember
				}
			})
			if id == 0 {
				return 0, fmt.Errorf("simplexsim: the bot is not in group %d", chat.id)
			}
			return id, nil
		}
		return pgID("member", a.Target)
	}
	switch a.Kind {
	case playground.AddMember:
		return id(s.MemberJoin(chat.id, MemberSpec{Name: pgOr(strings.TrimSpace(a.Name), "member"), Role: a.Role}))
	case playground.RemoveMember:
		t, err := target()
		if err != nil {
			return "", err
		}
		return "", s.MemberRemoved(chat.id, t, as, false)
	case playground.SetRole:
		t, err := target()
		if err != nil {
			return "", err
		}
		return "", s.MemberRoleChanged(chat.id, t, as, a.Role)
	case playground.Leave:
		return "", s.MemberLeave(chat.id, as)
	}
	return "", playground.Unsupported(a.Kind)
}

// newGroup makes contact a.As create a group with itself as owner and new
// members, and invite the bot as admin.
func (p *pgSim) newGroup(a playground.Action) (string, error) {
	s := p.s
	cid, err := pgID("contact", a.As)
	if err != nil {
		return "", err
	}
	var owner string
	s.View(func(w *World) {
		if c, ok := w.Contact(cid); ok && c.Ready {
			owner = c.Name
		}
	})
	if owner == "" {
		return "", fmt.Errorf("simplexsim: contact %d is not connected to the bot", cid)
	}
	specs := []MemberSpec{{Name: owner, Role: "owner", ContactID: cid}}
	for _, n := range a.Members {
		if n = strings.TrimSpace(n); n != "" {
			specs = append(specs, MemberSpec{Name: n})
		}
	}
	gid, _, err := s.NewGroup(pgOr(strings.TrimSpace(a.Name), "group"), specs...)
	if err != nil {
		return "", err
	}
	if _, err := s.InviteBot(gid, cid, pgOr(a.Role, "admin")); err != nil {
		return "", err
	}
	return chatRef{kind: '#', id: gid}.String(), nil
}

func (p *pgSim) botName() string {
	p.s.mu.Lock()
	defer p.s.mu.Unlock()
	return p.s.w.userProfile.DisplayName
}

func pgOr(s, def string) string {
	if s == "" {
		return def
	}
	return s
}
