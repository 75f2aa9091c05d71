package olvidsim

import (
	"cmp"
	"context"
	"fmt"
	"slices"
	"strconv"
	"strings"
	"sync"
	"time"

	"google.golang.org/protobuf/proto"

	pb "github.com/parleybot/parley/platform/olvid/olvidpb"
	"github.com/parleybot/parley/playground"
)

// PlaygroundDelay is how long every call waits while the playground's
// delay fault is on.
const PlaygroundDelay = 2 * time.Second

func init() {
	playground.Register(playground.Provider{Name: "olvid", Start: startPlayground})
}

// notifications are every notification the world publishes; the
// playground watches them all to learn that the world changed.
var notifications = []string{
	"AttachmentReceived", "AttachmentUploaded", "CallEnded", "CallIncomingCall",
	"ContactDeleted", "ContactNew", "DiscussionLocked", "DiscussionNew", "DiscussionSettingsUpdated",
	"DiscussionTitleUpdated", "GroupDeleted", "GroupDescriptionUpdated", "GroupMemberJoined", "GroupMemberLeft",
	"GroupMemberPermissionsUpdated", "GroupNameUpdated", "GroupNew", "InvitationDeleted", "InvitationReceived",
	"InvitationSent", "InvitationUpdated", "MessageBodyUpdated", "MessageDeleted", "MessageLocationSent",
	"MessageReactionAdded", "MessageReactionRemoved", "MessageReactionUpdated", "MessageReceived", "MessageSent",
}

// startPlayground starts a simulator for "parley playground". A new
// contact invites the bot, which accepts by its policy; so does the
// creator of a group, inviting the bot as an admin.
func startPlayground(o playground.Options) (playground.Sim, error) {
	var opts []Option
	if o.BotName != "" {
		opts = append(opts, WithIdentityName(o.BotName))
	}
	s := New(opts...)
	if err := s.Start(); err != nil {
		return nil, err
	}
	return newPGSim(s), nil
}

// pgSim is a Sim as the playground sees it. People are named by the
// discussion ID of their one-to-one discussion, reserved when they invite
// the bot, so a person keeps their ID once accepted; group members by
// their contact ID.
type pgSim struct {
	s    *Sim
	subs []*subscriber

	chMu    sync.Mutex // guards changed alone: signal runs inside the world's locks
	changed chan struct{}

	mu       sync.Mutex
	invited  map[uint64]string // reserved discussion -> name, of the invitations made here
	groups   map[uint64]bool   // group discussions seen, still groups once locked
	delayed  bool
	conns    int
	stop     chan struct{}
	polling  sync.WaitGroup
	released bool
}

func newPGSim(s *Sim) *pgSim {
	p := &pgSim{s: s, changed: make(chan struct{}), invited: map[uint64]string{}, groups: map[uint64]bool{}, stop: make(chan struct{})}
	for _, n := range notifications {
		// The filter runs for every notification and takes none: it only
		// says that something changed.
		p.subs = append(p.subs, s.watch(n, func(proto.Message) bool { p.signal(); return false }))
	}
	// Connections come and go without a notification: look every 100ms.
	p.polling.Add(1)
	go func() {
		defer p.polling.Done()
		t := time.NewTicker(100 * time.Millisecond)
		defer t.Stop()
		// Only a bot subscribing after now needs the invitations again.
		listening := s.Subscribers("InvitationReceived") - 1
		for {
			select {
			case <-p.stop:
				return
			case <-t.C:
				n := s.Stats().Conns
				p.mu.Lock()
				moved := n != p.conns
				p.conns = n
				p.mu.Unlock()
				if moved {
					p.signal()
				}
				// Our own watcher is one of the subscribers.
				l := s.Subscribers("InvitationReceived") - 1
				if l > listening {
					p.renotifyInvitations()
				}
				listening = l
			}
		}
	}()
	return p
}

// renotifyInvitations sends the invitations waiting for the bot again.
// A bot learns of an invitation only from its notification, so one made
// in the playground before the bot subscribed would otherwise wait
// unseen.
func (p *pgSim) renotifyInvitations() {
	s := p.s
	s.mu.Lock()
	defer s.mu.Unlock()
	ids := make([]uint64, 0, len(s.w.invitations))
	for id, r := range s.w.invitations {
		if waitsForYou(r.inv.Status) {
			ids = append(ids, id)
		}
	}
	slices.Sort(ids)
	for _, id := range ids {
		s.notify("InvitationReceived", &pb.InvitationReceivedNotification{Invitation: s.w.invitations[id].inv})
	}
}

func (p *pgSim) signal() {
	p.chMu.Lock()
	close(p.changed)
	p.changed = make(chan struct{})
	p.chMu.Unlock()
}

// URL is the daemon's address as a tcp:// URL: gRPC goes through the
// playground's wire tap byte for byte.
func (p *pgSim) URL() string { return "tcp://" + p.s.Addr() }

func (p *pgSim) Close() error {
	p.release()
	return p.s.Close()
}

// release stops watching the simulator, leaving it running.
func (p *pgSim) release() {
	p.mu.Lock()
	if p.released {
		p.mu.Unlock()
		return
	}
	p.released = true
	p.mu.Unlock()
	close(p.stop)
	p.polling.Wait()
	for i, sub := range p.subs {
		p.s.w.hub.remove(notifications[i], sub)
	}
}

// Settings points the bot at url, a tcp:// address in front of the
// simulator. The bot catches up on what arrived while it was away, so a
// message written before it connected still reaches it.
func (p *pgSim) Settings(url string) map[string]any {
	return map[string]any{"target": strings.TrimPrefix(url, "tcp://"), "client_key": p.s.ClientKey(), "catch_up": true}
}

func (p *pgSim) Changed() <-chan struct{} {
	p.chMu.Lock()
	defer p.chMu.Unlock()
	return p.changed
}

func (p *pgSim) Fault(kind string) error {
	switch kind {
	case playground.FaultDrop:
		p.s.DropConnections()
	case playground.FaultDelay:
		p.mu.Lock()
		p.delayed = !p.delayed
		d := time.Duration(0)
		if p.delayed {
			d = PlaygroundDelay
		}
		p.mu.Unlock()
		p.s.SetDelay("", d)
		p.signal()
	case playground.FaultMalformed:
		p.s.EmitUnknown()
	default:
		return playground.Unsupported("fault " + kind)
	}
	return nil
}

// role names a member's permissions.
func role(perm *pb.GroupMemberPermissions) string {
	if perm.GetAdmin() {
		return "admin"
	}
	return "member"
}

// msgID names a message for the playground: "i" inbound, "o" the bot's.
func msgID(id *pb.MessageId) string {
	if id.GetType() == pb.MessageId_TYPE_OUTBOUND {
		return "o" + strconv.FormatUint(id.GetId(), 10)
	}
	return "i" + strconv.FormatUint(id.GetId(), 10)
}

func parseMsgID(s string) (*pb.MessageId, error) {
	t := pb.MessageId_TYPE_INBOUND
	switch {
	case strings.HasPrefix(s, "o"):
		t = pb.MessageId_TYPE_OUTBOUND
	case !strings.HasPrefix(s, "i"):
		return nil, fmt.Errorf("olvidsim: invalid message %q", s)
	}
	n, err := strconv.ParseUint(s[1:], 10, 64)
	if err != nil || n == 0 {
		return nil, fmt.Errorf("olvidsim: invalid message %q", s)
	}
	return &pb.MessageId{Type: t, Id: n}, nil
}

func pgID(what, s string) (uint64, error) {
	n, err := strconv.ParseUint(s, 10, 64)
	if err != nil || n == 0 {
		return 0, fmt.Errorf("olvidsim: invalid %s %q", what, s)
	}
	return n, nil
}

func (p *pgSim) World() playground.World {
	p.mu.Lock()
	defer p.mu.Unlock()
	delayed, conns, invited := p.delayed, p.conns, p.invited
	s := p.s
	s.mu.Lock()
	defer s.mu.Unlock()
	w := &s.w
	out := playground.World{
		Platform: "olvid", Bot: w.identity.GetDisplayName(), Connections: conns, Delayed: delayed,
		Actions: []string{playground.Connect, playground.Send, playground.Edit, playground.Delete, playground.React,
			playground.File, playground.NewGroup, playground.AddMember, playground.RemoveMember, playground.SetRole,
			playground.Leave},
		Roles: []string{"member", "admin"},
		Faults: []playground.FaultInfo{
			{Kind: playground.FaultDrop, Label: "Drop the connections"},
			{Kind: playground.FaultDelay, Label: fmt.Sprintf("Delay every call %v", PlaygroundDelay)},
			{Kind: playground.FaultMalformed, Label: "Send a notification the bot cannot read"},
		},
	}
	// Every message once, sorted, to hand out by discussion.
	var all []*pb.Message
	for _, r := range w.inbound {
		all = append(all, r.m)
	}
	for _, r := range w.outbound {
		all = append(all, r.m)
	}
	slices.SortFunc(all, func(a, b *pb.Message) int { return cmp.Compare(a.SortIndex, b.SortIndex) })
	files := map[string]string{}
	for _, a := range w.attachments {
		files[msgID(a.a.MessageId)] = a.a.FileName
	}
	byDisc := map[uint64][]*pb.Message{}
	for _, m := range all {
		byDisc[m.DiscussionId] = append(byDisc[m.DiscussionId], m)
	}
	name := func(contact uint64) string {
		if c := w.contacts[contact]; c != nil {
			return c.DisplayName
		}
		return fmt.Sprintf("contact %d", contact)
	}

	discs := make([]uint64, 0, len(w.discussions))
	for id := range w.discussions {
		discs = append(discs, id)
	}
	for d := range invited {
		if _, ok := w.discussions[d]; !ok {
			discs = append(discs, d)
		}
	}
	pendingGroups := map[uint64]*pb.Group{} // by reserved discussion
	for _, r := range w.invitations {
		if r.group != nil {
			if _, ok := w.discussions[r.discussion]; !ok {
				pendingGroups[r.discussion] = r.group
				discs = append(discs, r.discussion)
			}
		}
	}
	slices.Sort(discs)
	for _, id := range discs {
		d := w.discussions[id]
		sid := strconv.FormatUint(id, 10)
		if g := pendingGroups[id]; g != nil { // a group invitation waiting for the bot
			p.groups[id] = true
			ch := playground.Chat{ID: sid, Group: true, Name: g.Name, BotState: "invited", BotRole: role(g.OwnPermissions)}
			for _, m := range g.Members {
				ch.Members = append(ch.Members, playground.Member{ID: strconv.FormatUint(m.ContactId, 10),
					Name: name(m.ContactId), Role: role(m.Permissions), Active: true})
			}
			out.Chats = append(out.Chats, ch)
			continue
		}
		if d == nil { // an invitation made here, not accepted
			state := "rejected"
			for _, r := range w.invitations {
				if r.discussion == id {
					state = "requested"
				}
			}
			out.People = append(out.People, playground.Person{ID: sid, Name: invited[id], State: state})
			continue
		}
		if d.GetGroupId() != 0 {
			p.groups[id] = true
		}
		if w.locked[id] && !p.groups[id] {
			if n, ok := invited[id]; ok { // the bot deleted this contact
				out.People = append(out.People, playground.Person{ID: sid, Name: n, State: "blocked"})
			}
			continue
		}
		ch := playground.Chat{ID: sid, Name: d.Title}
		contact := d.GetContactId()
		if contact != 0 {
			out.People = append(out.People, playground.Person{ID: sid, Name: name(contact), State: "connected", Chat: sid})
			ch.Members = []playground.Member{{ID: sid, Name: name(contact), Active: true}}
		} else {
			ch.Group = true
			ch.BotState = "removed"
			if g := w.groups[d.GetGroupId()]; g != nil && !w.locked[id] {
				ch.BotState, ch.BotRole = "member", role(g.OwnPermissions)
				for _, m := range g.Members {
					ch.Members = append(ch.Members, playground.Member{ID: strconv.FormatUint(m.ContactId, 10),
						Name: name(m.ContactId), Role: role(m.Permissions), Active: true})
				}
			}
		}
		for _, m := range byDisc[id] {
			pm := playground.Message{ID: msgID(m.Id), Text: m.Body, Edited: m.EditedBody, File: files[msgID(m.Id)]}
			if m.Id.GetType() == pb.MessageId_TYPE_OUTBOUND {
				pm.Bot, pm.FromName = true, w.identity.GetDisplayName()
			} else {
				pm.From, pm.FromName = strconv.FormatUint(m.SenderId, 10), name(m.SenderId)
				if !ch.Group {
					pm.From = sid
				}
			}
			if m.RepliedMessageId != nil {
				pm.ReplyTo = msgID(m.RepliedMessageId)
			}
			for _, r := range m.Reactions {
				if pm.Reactions == nil {
					pm.Reactions = map[string]int{}
				}
				pm.Reactions[r.Reaction]++
			}
			ch.Messages = append(ch.Messages, pm)
		}
		out.Chats = append(out.Chats, ch)
	}
	return out
}

// contactOf returns the contact of a person (a one-to-one discussion).
func (p *pgSim) contactOf(person string) (uint64, error) {
	d, err := pgID("person", person)
	if err != nil {
		return 0, err
	}
	p.s.mu.Lock()
	defer p.s.mu.Unlock()
	c := p.s.w.discussions[d].GetContactId()
	if c == 0 {
		return 0, fmt.Errorf("%w: person %s is not a contact (yet)", ErrUnknown, person)
	}
	return c, nil
}

func (p *pgSim) Do(_ context.Context, a playground.Action) (string, error) {
	s := p.s
	switch a.Kind {
	case playground.Connect:
		name := strings.TrimSpace(a.Name)
		if name == "" {
			return "", fmt.Errorf("olvidsim: a new contact needs a name")
		}
		// Held across Invite, so World never sees the accepted contact
		// before the person.
		p.mu.Lock()
		defer p.mu.Unlock()
		_, d := s.Invite(name)
		p.invited[d] = name
		return strconv.FormatUint(d, 10), nil
	case playground.NewGroup:
		by, err := p.contactOf(a.As)
		if err != nil {
			return "", err
		}
		members := []uint64{by}
		for _, n := range a.Members {
			if n = strings.TrimSpace(n); n != "" {
				members = append(members, s.AddContact(n).ID)
			}
		}
		// The creator, an admin, invites the bot as an admin; the bot
		// joins when it accepts, by its policy.
		name := cmp.Or(strings.TrimSpace(a.Name), "group")
		_, d, err := s.InviteToGroupAs(by, name, adminPermissions(), members[1:]...)
		if err != nil {
			return "", err
		}
		return strconv.FormatUint(d, 10), nil
	}
	disc, err := pgID("chat", a.Chat)
	if err != nil {
		return "", err
	}
	s.mu.Lock()
	d := s.w.discussions[disc]
	s.mu.Unlock()
	if d == nil {
		return "", fmt.Errorf("%w: chat %s", ErrUnknown, a.Chat)
	}
	group := d.GetGroupId()
	var as uint64
	if group == 0 {
		as = d.GetContactId()
		if a.As != a.Chat {
			return "", fmt.Errorf("olvidsim: %s is not the person of chat %s", a.As, a.Chat)
		}
	} else if as, err = pgID("member", a.As); err != nil {
		return "", err
	}
	switch a.Kind {
	case playground.Send, playground.File:
		r := Receive{DiscussionID: disc, From: as, Body: a.Text}
		if a.Item != "" {
			if r.ReplyTo, err = parseMsgID(a.Item); err != nil {
				return "", err
			}
		}
		if a.Kind == playground.File {
			r.Files = map[string][]byte{cmp.Or(a.Name, "file.txt"): []byte("a file from the playground\n")}
		}
		id, err := s.Deliver(r)
		if err != nil {
			return "", err
		}
		return msgID(&pb.MessageId{Type: pb.MessageId_TYPE_INBOUND, Id: id}), nil
	case playground.Edit, playground.Delete:
		id, err := p.ownMessage(a.Item, as)
		if err != nil {
			return "", err
		}
		if a.Kind == playground.Edit {
			return "", s.EditMessage(id, a.Text)
		}
		return "", p.deleteInbound(id)
	case playground.React:
		id, err := parseMsgID(a.Item)
		if err != nil {
			return "", err
		}
		return "", s.ContactReact(as, id, cmp.Or(a.Emoji, "👍"))
	}
	if group == 0 {
		return "", fmt.Errorf("olvidsim: %s needs a group", a.Kind)
	}
	switch a.Kind {
	case playground.AddMember:
		c := s.AddContact(cmp.Or(strings.TrimSpace(a.Name), "member"))
		return strconv.FormatUint(c.ID, 10), s.AddMember(group, c.ID)
	case playground.RemoveMember:
		if a.Target == "bot" {
			return "", p.removeBot(group)
		}
		target, err := pgID("member", a.Target)
		if err != nil {
			return "", err
		}
		return "", s.RemoveMember(group, target)
	case playground.Leave:
		return "", s.RemoveMember(group, as)
	case playground.SetRole:
		target, err := pgID("member", a.Target)
		if err != nil {
			return "", err
		}
		return "", p.setRole(group, target, a.Role)
	}
	return "", playground.Unsupported(a.Kind)
}

// ownMessage checks that inbound message item was sent by contact.
func (p *pgSim) ownMessage(item string, contact uint64) (uint64, error) {
	id, err := parseMsgID(item)
	if err != nil {
		return 0, err
	}
	m, _, err := p.s.Message(id)
	if err != nil {
		return 0, err
	}
	if id.Type != pb.MessageId_TYPE_INBOUND || m.SenderId != contact {
		return 0, fmt.Errorf("olvidsim: message %s is not one of %d's", item, contact)
	}
	return id.Id, nil
}

// deleteInbound makes a contact delete their message everywhere:
// MessageDeleted is notified.
func (p *pgSim) deleteInbound(id uint64) error {
	s := p.s
	s.mu.Lock()
	defer s.mu.Unlock()
	rec, ok := s.w.inbound[id]
	if !ok {
		return fmt.Errorf("%w: inbound message %d", ErrUnknown, id)
	}
	delete(s.w.inbound, id)
	s.notify("MessageDeleted", &pb.MessageDeletedNotification{Message: rec.m})
	return nil
}

// removeBot takes the bot out of a group, as an admin would: the group
// is deleted for it and its discussion locked.
func (p *pgSim) removeBot(group uint64) error {
	s := p.s
	s.mu.Lock()
	defer s.mu.Unlock()
	_, err := s.leaveLocked(group)
	return err
}

// setRole gives a member the permissions of role ("admin" or "member"):
// GroupMemberPermissionsUpdated is notified.
func (p *pgSim) setRole(group, contact uint64, r string) error {
	var perm *pb.GroupMemberPermissions
	switch r {
	case "admin":
		perm = adminPermissions()
	case "member":
		perm = memberPermissions()
	default:
		return fmt.Errorf("olvidsim: no role %q (admin or member)", r)
	}
	s := p.s
	s.mu.Lock()
	defer s.mu.Unlock()
	g, ok := s.w.groups[group]
	if !ok {
		return fmt.Errorf("%w: group %d", ErrUnknown, group)
	}
	for _, m := range g.Members {
		if m.ContactId == contact {
			prev := m.Permissions
			m.Permissions = perm
			s.notify("GroupMemberPermissionsUpdated", &pb.GroupMemberPermissionsUpdatedNotification{Group: g, Member: m, PreviousPermissions: prev})
			return nil
		}
	}
	return fmt.Errorf("%w: member %d of group %d", ErrUnknown, contact, group)
}

// watch subscribes inside the simulator, as a stream would, without
// counting as one.
func (s *Sim) watch(name string, match func(proto.Message) bool) *subscriber {
	sub := &subscriber{match: match, wake: make(chan struct{}, 1), done: make(chan struct{})}
	s.w.hub.add(name, sub)
	return sub
}
