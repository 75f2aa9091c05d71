package olvidsim

import (
	"errors"
	"fmt"
	"slices"
	"sort"
	"sync"
	"time"
	"unicode/utf8"

	"google.golang.org/protobuf/proto"

	pb "github.com/parleybot/parley/platform/olvid/olvidpb"
)

// world is the simulated daemon's state, for one identity. Sim.mu guards
// everything but the hub, which has its own lock.
type world struct {
	identityID uint64
	identity   *pb.Identity
	settings   *pb.IdentitySettings
	now        func() time.Time

	contacts    map[uint64]*pb.Contact
	discussions map[uint64]*pb.Discussion
	locked      map[uint64]bool
	dsettings   map[uint64]*pb.DiscussionSettings
	groups      map[uint64]*pb.Group
	inbound     map[uint64]*msgRec
	outbound    map[uint64]*msgRec
	// byDisc indexes the messages by discussion, in the order stored, so
	// that listing one discussion does not scan them all; records deleted
	// since are skipped by candidates.
	byDisc      map[uint64][]*msgRec
	attachments map[attKey]*attRec
	invitations map[uint64]*invRec
	sent        []Sent

	nextContact, nextDiscussion, nextGroup, nextIn, nextOut, nextAttIn, nextAttOut, nextInvitation, sortIndex uint64

	hub hub
}

type msgRec struct {
	m    *pb.Message
	read bool // listed, or notified in MessageReceived
}

type attKey struct {
	t  pb.AttachmentId_Type
	id uint64
}

type attRec struct {
	a    *pb.Attachment
	data []byte
}

type invRec struct {
	inv *pb.Invitation
	// What accepting it creates: a contact, or the bot's membership of a
	// group with these members.
	contactName string
	group       *pb.Group
	discussion  uint64
}

// Sent is a message the bot sent, as the simulator stored it.
type Sent struct {
	ID           uint64 // outbound message id
	DiscussionID uint64
	Body         string
	ReplyTo      *pb.MessageId
	Files        []string
	Ephemeral    bool
}

func (w *world) init(name string) {
	w.identityID = 1
	w.identity = &pb.Identity{Id: 1, DisplayName: name, Details: &pb.IdentityDetails{FirstName: proto.String(name)}}
	w.settings = &pb.IdentitySettings{Invitation: &pb.IdentitySettings_AutoAcceptInvitation{}, MessageRetention: &pb.IdentitySettings_MessageRetention{}, Keycloak: &pb.IdentitySettings_Keycloak{}}
	w.now = time.Now
	w.contacts = map[uint64]*pb.Contact{}
	w.discussions = map[uint64]*pb.Discussion{}
	w.locked = map[uint64]bool{}
	w.dsettings = map[uint64]*pb.DiscussionSettings{}
	w.groups = map[uint64]*pb.Group{}
	w.inbound = map[uint64]*msgRec{}
	w.outbound = map[uint64]*msgRec{}
	w.byDisc = map[uint64][]*msgRec{}
	w.attachments = map[attKey]*attRec{}
	w.invitations = map[uint64]*invRec{}
	w.hub.subs = map[string]map[*subscriber]struct{}{}
}

func (w *world) closeAll() { w.hub.closeAll() }

// candidates returns the messages a listing with filter f may name: those
// of its discussion when it names one, else all of them. Records deleted
// from the world are left out (and dropped from the index).
func (w *world) candidates(f *pb.MessageFilter) []*msgRec {
	if f == nil || f.DiscussionId == nil {
		out := make([]*msgRec, 0, len(w.inbound)+len(w.outbound))
		for _, src := range []map[uint64]*msgRec{w.inbound, w.outbound} {
			for _, rec := range src {
				out = append(out, rec)
			}
		}
		return out
	}
	d := *f.DiscussionId
	recs := slices.DeleteFunc(w.byDisc[d], func(rec *msgRec) bool { return w.message(rec.m.Id) != rec })
	w.byDisc[d] = recs
	return recs
}

func (w *world) stamp() uint64 { return uint64(w.now().UnixMilli()) }

// --- notification hub ---

// subscriber is one open notification stream: its filter and an
// unbounded queue, so the world never waits for a slow client.
type subscriber struct {
	match func(proto.Message) bool
	mu    sync.Mutex
	q     []proto.Message
	wake  chan struct{}
	done  chan struct{}
}

type hub struct {
	mu   sync.Mutex
	subs map[string]map[*subscriber]struct{}
}

func (h *hub) add(name string, s *subscriber) {
	h.mu.Lock()
	if h.subs[name] == nil {
		h.subs[name] = map[*subscriber]struct{}{}
	}
	h.subs[name][s] = struct{}{}
	h.mu.Unlock()
}

func (h *hub) remove(name string, s *subscriber) {
	h.mu.Lock()
	delete(h.subs[name], s)
	h.mu.Unlock()
}

func (h *hub) closeAll() {
	h.mu.Lock()
	defer h.mu.Unlock()
	for _, m := range h.subs {
		for s := range m {
			select {
			case <-s.done:
			default:
				close(s.done)
			}
		}
	}
}

// publish queues msg for every subscriber of name whose filter takes it
// and reports how many took it.
func (h *hub) publish(name string, msg proto.Message) int {
	h.mu.Lock()
	defer h.mu.Unlock()
	n := 0
	for s := range h.subs[name] {
		if s.match != nil && !s.match(msg) {
			continue
		}
		s.mu.Lock()
		s.q = append(s.q, proto.Clone(msg))
		s.mu.Unlock()
		select {
		case s.wake <- struct{}{}:
		default:
		}
		n++
	}
	return n
}

// next returns the next queued notification, or nil when the queue is
// empty.
func (s *subscriber) next() proto.Message {
	s.mu.Lock()
	defer s.mu.Unlock()
	if len(s.q) == 0 {
		return nil
	}
	m := s.q[0]
	s.q[0] = nil
	s.q = s.q[1:]
	return m
}

// Subscribers returns how many streams of the notification are open.
func (s *Sim) Subscribers(notification string) int {
	s.w.hub.mu.Lock()
	defer s.w.hub.mu.Unlock()
	return len(s.w.hub.subs[notification])
}

// --- scripting API ---

// Contact is a contact of the bot as the world knows it.
type Contact struct {
	ID           uint64
	DiscussionID uint64
	Name         string
}

// ErrUnknown is returned by scripting calls that name something the
// world does not have.
var ErrUnknown = errors.New("olvidsim: no such thing in the world")

// AddContact makes name a contact of the bot, with a one-to-one
// discussion: ContactNew and DiscussionNew are notified.
func (s *Sim) AddContact(name string) Contact {
	s.mu.Lock()
	defer s.mu.Unlock()
	return s.addContactLocked(name, 0)
}

func (s *Sim) addContactLocked(name string, discussion uint64) Contact {
	w := &s.w
	w.nextContact++
	c := &pb.Contact{Id: w.nextContact, DisplayName: name, Details: &pb.IdentityDetails{FirstName: proto.String(name)},
		EstablishedChannelCount: 1, DeviceCount: 1, HasOneToOneDiscussion: true}
	w.contacts[c.Id] = c
	if discussion == 0 {
		w.nextDiscussion++
		discussion = w.nextDiscussion
	}
	d := &pb.Discussion{Id: discussion, Title: name, Identifier: &pb.Discussion_ContactId{ContactId: c.Id}}
	w.discussions[d.Id] = d
	w.dsettings[d.Id] = &pb.DiscussionSettings{DiscussionId: d.Id}
	s.notify("ContactNew", &pb.ContactNewNotification{Contact: c})
	s.notify("DiscussionNew", &pb.DiscussionNewNotification{Discussion: d})
	return Contact{ID: c.Id, DiscussionID: d.Id, Name: name}
}

// Invite makes name invite the bot to become contacts: InvitationReceived
// is notified with a status that waits for the bot. It returns the
// invitation id and the discussion the contact will have once accepted.
func (s *Sim) Invite(name string) (invitation, discussion uint64) {
	s.mu.Lock()
	defer s.mu.Unlock()
	w := &s.w
	w.nextInvitation++
	w.nextDiscussion++ // reserved for the contact
	inv := &pb.Invitation{Id: w.nextInvitation, Status: pb.Invitation_STATUS_INVITATION_WAIT_YOU_TO_ACCEPT, DisplayName: name, Timestamp: w.stamp()}
	w.invitations[inv.Id] = &invRec{inv: inv, contactName: name, discussion: w.nextDiscussion}
	d := w.nextDiscussion
	s.notify("InvitationReceived", &pb.InvitationReceivedNotification{Invitation: inv})
	s.autoAcceptLocked()
	return inv.Id, d
}

// InviteToGroup makes the contact inviter invite the bot to a new group
// named name whose other members are members (contact ids): a group
// invitation waiting for the bot. It returns the invitation id and the
// group's future discussion.
func (s *Sim) InviteToGroup(inviter uint64, name string, members ...uint64) (invitation, discussion uint64, err error) {
	return s.InviteToGroupAs(inviter, name, nil, members...)
}

func adminPermissions() *pb.GroupMemberPermissions {
	return &pb.GroupMemberPermissions{Admin: true, RemoteDeleteAnything: true, EditOrRemoteDeleteOwnMessages: true, ChangeSettings: true, SendMessage: true}
}

func memberPermissions() *pb.GroupMemberPermissions {
	return &pb.GroupMemberPermissions{EditOrRemoteDeleteOwnMessages: true, SendMessage: true}
}

func (s *Sim) newGroupLocked(name string, members []uint64) *pb.Group {
	w := &s.w
	w.nextGroup++
	g := &pb.Group{Id: w.nextGroup, Type: pb.Group_TYPE_STANDARD, Name: name, OwnPermissions: memberPermissions()}
	for _, m := range members {
		g.Members = append(g.Members, &pb.GroupMember{ContactId: m, Permissions: memberPermissions()})
	}
	return g
}

// NewGroup makes a group the bot is a member of (with member
// permissions, or admin ones with botAdmin) together with these contacts:
// GroupNew and DiscussionNew are notified. It returns the group and
// discussion ids.
func (s *Sim) NewGroup(name string, botAdmin bool, members ...uint64) (group, discussion uint64, err error) {
	s.mu.Lock()
	defer s.mu.Unlock()
	for _, m := range members {
		if _, ok := s.w.contacts[m]; !ok {
			return 0, 0, fmt.Errorf("%w: contact %d", ErrUnknown, m)
		}
	}
	g := s.newGroupLocked(name, members)
	if botAdmin {
		g.OwnPermissions = adminPermissions()
	}
	d := s.joinGroupLocked(g, 0)
	return g.Id, d, nil
}

func (s *Sim) joinGroupLocked(g *pb.Group, discussion uint64) uint64 {
	w := &s.w
	w.groups[g.Id] = g
	if discussion == 0 {
		w.nextDiscussion++
		discussion = w.nextDiscussion
	}
	d := &pb.Discussion{Id: discussion, Title: g.Name, Identifier: &pb.Discussion_GroupId{GroupId: g.Id}}
	w.discussions[d.Id] = d
	w.dsettings[d.Id] = &pb.DiscussionSettings{DiscussionId: d.Id}
	s.notify("GroupNew", &pb.GroupNewNotification{Group: g})
	s.notify("DiscussionNew", &pb.DiscussionNewNotification{Discussion: d})
	return d.Id
}

// AddMember adds a contact to a group: GroupMemberJoined is notified.
func (s *Sim) AddMember(group, contact uint64) error {
	s.mu.Lock()
	defer s.mu.Unlock()
	g, ok := s.w.groups[group]
	if !ok {
		return fmt.Errorf("%w: group %d", ErrUnknown, group)
	}
	if _, ok := s.w.contacts[contact]; !ok {
		return fmt.Errorf("%w: contact %d", ErrUnknown, contact)
	}
	m := &pb.GroupMember{ContactId: contact, Permissions: memberPermissions()}
	g.Members = append(g.Members, m)
	s.notify("GroupMemberJoined", &pb.GroupMemberJoinedNotification{Group: g, Member: m})
	return nil
}

// RemoveMember takes a member out of a group: GroupMemberLeft is notified.
func (s *Sim) RemoveMember(group, contact uint64) error {
	s.mu.Lock()
	defer s.mu.Unlock()
	g, ok := s.w.groups[group]
	if !ok {
		return fmt.Errorf("%w: group %d", ErrUnknown, group)
	}
	for i, m := range g.Members {
		if m.ContactId == contact {
			g.Members = slices.Delete(g.Members, i, i+1)
			s.notify("GroupMemberLeft", &pb.GroupMemberLeftNotification{Group: g, Member: m})
			return nil
		}
	}
	return fmt.Errorf("%w: member %d of group %d", ErrUnknown, contact, group)
}

// Receive is a message to deliver to the bot.
type Receive struct {
	DiscussionID uint64
	// From is the sending contact; 0 takes the discussion's contact.
	From    uint64
	Body    string
	ReplyTo *pb.MessageId
	// Files are attached, by name.
	Files map[string][]byte
}

// Deliver makes a contact's message arrive: it is stored as inbound, and
// MessageReceived (and AttachmentReceived per file) is notified. It
// returns the inbound message id.
func (s *Sim) Deliver(r Receive) (uint64, error) {
	if !utf8.ValidString(r.Body) {
		return 0, errors.New("olvidsim: a message body must be UTF-8, as protobuf strings are")
	}
	s.mu.Lock()
	defer s.mu.Unlock()
	w := &s.w
	d, ok := w.discussions[r.DiscussionID]
	if !ok || w.locked[r.DiscussionID] {
		return 0, fmt.Errorf("%w: discussion %d", ErrUnknown, r.DiscussionID)
	}
	from := r.From
	if from == 0 {
		from = d.GetContactId()
	}
	if g := w.groups[d.GetGroupId()]; g != nil && !slices.ContainsFunc(g.Members, func(m *pb.GroupMember) bool { return m.ContactId == from }) {
		return 0, fmt.Errorf("%w: contact %d in group %d", ErrUnknown, from, g.Id)
	}
	if _, ok := w.contacts[from]; !ok {
		return 0, fmt.Errorf("%w: contact %d", ErrUnknown, from)
	}
	w.nextIn++
	w.sortIndex++
	m := &pb.Message{Id: &pb.MessageId{Type: pb.MessageId_TYPE_INBOUND, Id: w.nextIn}, DiscussionId: d.Id, SenderId: from,
		Body: r.Body, SortIndex: float64(w.sortIndex), Timestamp: w.stamp(), AttachmentsCount: uint64(len(r.Files)), RepliedMessageId: r.ReplyTo}
	rec := &msgRec{m: m}
	w.inbound[m.Id.Id] = rec
	w.byDisc[d.Id] = append(w.byDisc[d.Id], rec)
	names := make([]string, 0, len(r.Files))
	for n := range r.Files {
		names = append(names, n)
	}
	sort.Strings(names)
	var atts []*pb.Attachment
	for _, n := range names {
		w.nextAttIn++
		a := &pb.Attachment{Id: &pb.AttachmentId{Type: pb.AttachmentId_TYPE_INBOUND, Id: w.nextAttIn}, DiscussionId: d.Id, MessageId: m.Id,
			FileName: n, MimeType: "application/octet-stream", Size: uint64(len(r.Files[n]))}
		w.attachments[attKey{a.Id.Type, a.Id.Id}] = &attRec{a: a, data: r.Files[n]}
		atts = append(atts, a)
	}
	s.notify("MessageReceived", &pb.MessageReceivedNotification{Message: m}) // read once written to a stream (serve)
	for _, a := range atts {
		s.notify("AttachmentReceived", &pb.AttachmentReceivedNotification{Attachment: a})
	}
	return m.Id.Id, nil
}

// ContactSend makes the contact of a one-to-one discussion send body.
func (s *Sim) ContactSend(discussion uint64, body string) (uint64, error) {
	return s.Deliver(Receive{DiscussionID: discussion, Body: body})
}

// MemberSend makes a group member send body to the group's discussion.
func (s *Sim) MemberSend(discussion, contact uint64, body string) (uint64, error) {
	return s.Deliver(Receive{DiscussionID: discussion, From: contact, Body: body})
}

// EditMessage makes the sender of inbound message id edit it:
// MessageBodyUpdated is notified.
func (s *Sim) EditMessage(id uint64, body string) error {
	if !utf8.ValidString(body) {
		return errors.New("olvidsim: a message body must be UTF-8, as protobuf strings are")
	}
	s.mu.Lock()
	defer s.mu.Unlock()
	rec, ok := s.w.inbound[id]
	if !ok {
		return fmt.Errorf("%w: inbound message %d", ErrUnknown, id)
	}
	prev := rec.m.Body
	rec.m.Body, rec.m.EditedBody = body, true
	s.notify("MessageBodyUpdated", &pb.MessageBodyUpdatedNotification{Message: rec.m, PreviousBody: prev})
	return nil
}

// ContactReact makes a contact react to a message ("" removes the
// reaction): MessageReactionAdded, Updated or Removed is notified.
func (s *Sim) ContactReact(contact uint64, id *pb.MessageId, reaction string) error {
	s.mu.Lock()
	defer s.mu.Unlock()
	rec := s.w.message(id)
	if rec == nil {
		return fmt.Errorf("%w: message %v", ErrUnknown, id)
	}
	s.reactLocked(rec, contact, reaction)
	return nil
}

// IncomingCall makes a contact call the bot; the daemon answers busy:
// CallIncomingCall and CallEnded are notified.
func (s *Sim) IncomingCall(contact uint64) (string, error) {
	s.mu.Lock()
	defer s.mu.Unlock()
	c, ok := s.w.contacts[contact]
	if !ok {
		return "", fmt.Errorf("%w: contact %d", ErrUnknown, contact)
	}
	var disc uint64
	for _, d := range s.w.discussions {
		if d.GetContactId() == contact {
			disc = d.Id
		}
	}
	id := fmt.Sprintf("call-%d-%d", contact, s.w.stamp())
	s.notify("CallIncomingCall", &pb.CallIncomingCallNotification{CallIdentifier: id, DiscussionId: disc,
		ParticipantId: &pb.CallParticipantId{Id: &pb.CallParticipantId_ContactId{ContactId: contact}}, CallerDisplayName: c.DisplayName, ParticipantCount: 1})
	s.notify("CallEnded", &pb.CallEndedNotification{CallIdentifier: id})
	return id, nil
}

// DeleteContact removes a contact: ContactDeleted and DiscussionLocked
// are notified.
func (s *Sim) DeleteContact(contact uint64) error {
	s.mu.Lock()
	defer s.mu.Unlock()
	return s.deleteContactLocked(contact)
}

func (s *Sim) deleteContactLocked(contact uint64) error {
	c, ok := s.w.contacts[contact]
	if !ok {
		return fmt.Errorf("%w: contact %d", ErrUnknown, contact)
	}
	delete(s.w.contacts, contact)
	s.notify("ContactDeleted", &pb.ContactDeletedNotification{Contact: c})
	for _, d := range s.w.discussions {
		if d.GetContactId() == contact {
			s.lockLocked(d)
		}
	}
	return nil
}

func (s *Sim) lockLocked(d *pb.Discussion) {
	s.w.locked[d.Id] = true
	d.Identifier = nil
	s.notify("DiscussionLocked", &pb.DiscussionLockedNotification{Discussion: d})
}

// EmitUnknown sends, on every MessageReceived stream, a notification the
// platform cannot use: a message id of an unknown direction, with a field
// no version of the protocol has.
func (s *Sim) EmitUnknown() {
	m := &pb.Message{Id: &pb.MessageId{Type: 7, Id: 1}, DiscussionId: 1, Body: "from the future"}
	n := &pb.MessageReceivedNotification{Message: m}
	// Field 99, varint 1: kept as an unknown field by decoders.
	n.ProtoReflect().SetUnknown([]byte{0x98, 0x06, 0x01})
	s.mu.Lock()
	defer s.mu.Unlock()
	s.notify("MessageReceived", n)
}

// BotSent returns what the bot sent, in order.
func (s *Sim) BotSent() []Sent {
	s.mu.Lock()
	defer s.mu.Unlock()
	return slices.Clone(s.w.sent)
}

// BotSentCount returns how many messages the bot sent.
func (s *Sim) BotSentCount() int {
	s.mu.Lock()
	defer s.mu.Unlock()
	return len(s.w.sent)
}

// Message returns a stored message, inbound or outbound, and whether it
// was read (listed or notified).
func (s *Sim) Message(id *pb.MessageId) (*pb.Message, bool, error) {
	s.mu.Lock()
	defer s.mu.Unlock()
	rec := s.w.message(id)
	if rec == nil {
		return nil, false, fmt.Errorf("%w: message %v", ErrUnknown, id)
	}
	return proto.Clone(rec.m).(*pb.Message), rec.read, nil
}

// Invitation returns an invitation, or false once it is gone (accepted,
// declined or deleted).
func (s *Sim) Invitation(id uint64) (*pb.Invitation, bool) {
	s.mu.Lock()
	defer s.mu.Unlock()
	r, ok := s.w.invitations[id]
	if !ok {
		return nil, false
	}
	return proto.Clone(r.inv).(*pb.Invitation), true
}

// Group returns a group as stored.
func (s *Sim) Group(id uint64) (*pb.Group, bool) {
	s.mu.Lock()
	defer s.mu.Unlock()
	g, ok := s.w.groups[id]
	if !ok {
		return nil, false
	}
	return proto.Clone(g).(*pb.Group), true
}

// IdentitySettings returns the identity's settings as stored.
func (s *Sim) IdentitySettings() *pb.IdentitySettings {
	s.mu.Lock()
	defer s.mu.Unlock()
	return proto.Clone(s.w.settings).(*pb.IdentitySettings)
}

func (w *world) message(id *pb.MessageId) *msgRec {
	switch id.GetType() {
	case pb.MessageId_TYPE_INBOUND:
		return w.inbound[id.GetId()]
	case pb.MessageId_TYPE_OUTBOUND:
		return w.outbound[id.GetId()]
	}
	return nil
}

// notify publishes a notification; callers hold s.mu.
func (s *Sim) notify(name string, msg proto.Message) int { return s.w.hub.publish(name, msg) }

// markRead records that an inbound message was written to a live
// MessageReceived stream.
func (s *Sim) markRead(id *pb.MessageId) {
	s.mu.Lock()
	defer s.mu.Unlock()
	if rec := s.w.inbound[id.GetId()]; rec != nil && id.GetType() == pb.MessageId_TYPE_INBOUND {
		rec.read = true
	}
}

func (s *Sim) reactLocked(rec *msgRec, contact uint64, reaction string) {
	m := rec.m
	i := slices.IndexFunc(m.Reactions, func(r *pb.MessageReaction) bool { return r.ContactId == contact })
	switch {
	case reaction == "" && i >= 0:
		old := m.Reactions[i]
		m.Reactions = slices.Delete(m.Reactions, i, i+1)
		s.notify("MessageReactionRemoved", &pb.MessageReactionRemovedNotification{Message: m, Reaction: old})
	case reaction == "":
	case i >= 0:
		old := m.Reactions[i]
		r := &pb.MessageReaction{ContactId: contact, Reaction: reaction, Timestamp: s.w.stamp()}
		m.Reactions[i] = r
		s.notify("MessageReactionUpdated", &pb.MessageReactionUpdatedNotification{Message: m, Reaction: r, PreviousReaction: old})
	default:
		r := &pb.MessageReaction{ContactId: contact, Reaction: reaction, Timestamp: s.w.stamp()}
		m.Reactions = append(m.Reactions, r)
		s.notify("MessageReactionAdded", &pb.MessageReactionAddedNotification{Message: m, Reaction: r})
	}
}
