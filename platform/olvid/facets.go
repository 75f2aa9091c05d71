package olvid

import (
	"strconv"
	"time"

	"google.golang.org/protobuf/proto"

	"github.com/parleybot/parley/bot"
	pb "github.com/parleybot/parley/platform/olvid/olvidpb"
)

// Unknown is a notification the platform cannot use as its type: a
// message without an id or discussion, an id of an unknown direction, an
// invitation without id. It keeps the notification's bytes (unknown
// fields included), reaches the router's fallback and is counted.
type Unknown struct {
	// Notification is the stream it came from.
	Notification Notification
	// Raw is the notification as encoded on the wire.
	Raw []byte
	// Reason says what was wrong.
	Reason string
}

// Type returns the name of the notification.
func (e *Unknown) Type() string { return string(e.Notification) }

// Unknown implements bot.Unknowner.
func (*Unknown) Unknown() bool { return true }

func newUnknown(n Notification, m proto.Message, why string) *Unknown {
	raw, _ := proto.Marshal(m)
	return &Unknown{Notification: n, Raw: raw, Reason: why}
}

// checkMessage returns why m cannot be passed on as a message of
// direction dir (0 for either), or "".
func checkMessage(m *Message, dir Direction) string {
	switch {
	case m == nil:
		return "no message"
	case m.GetId().GetId() == 0:
		return "message without id"
	case m.GetDiscussionId() == 0:
		return "message without discussion"
	}
	d := Direction(m.GetId().GetType())
	if d != Inbound && d != Outbound {
		return "message id of unknown direction " + strconv.Itoa(int(d))
	}
	if dir != 0 && d != dir {
		return "message of the wrong direction " + IDOf(m).String()
	}
	return ""
}

func chatID(discussion uint64) string { return strconv.FormatUint(discussion, 10) }

func chatKey(discussion uint64) string { return "olvid:" + chatID(discussion) }

func groupKey(chat bot.Chat, group uint64) string {
	if chat.ID != "" {
		return "olvid:" + chat.ID
	}
	return "olvid:group:" + strconv.FormatUint(group, 10)
}

// bareChat is what a message says of its discussion without asking the
// daemon: the id.
func bareChat(m *Message) bot.Chat { return bot.Chat{ID: chatID(m.GetDiscussionId())} }

func decodeMessageReceived(n *pb.MessageReceivedNotification) bot.Event {
	if why := checkMessage(n.GetMessage(), Inbound); why != "" {
		return newUnknown(NotifyMessageReceived, n, why)
	}
	e := &MessageReceived{MessageReceivedNotification: n}
	e.setChat(bareChat(n.GetMessage()), senderOf(n.GetMessage()))
	return e
}

func decodeMessageSent(n *pb.MessageSentNotification) bot.Event {
	if why := checkMessage(n.GetMessage(), Outbound); why != "" {
		return newUnknown(NotifyMessageSent, n, why)
	}
	return &MessageSent{MessageSentNotification: n, Chat: bareChat(n.GetMessage())}
}

func decodeMessageBodyUpdated(n *pb.MessageBodyUpdatedNotification) bot.Event {
	if why := checkMessage(n.GetMessage(), 0); why != "" {
		return newUnknown(NotifyMessageBodyUpdated, n, why)
	}
	e := &MessageBodyUpdated{MessageBodyUpdatedNotification: n}
	e.setChat(bareChat(n.GetMessage()), senderOf(n.GetMessage()))
	return e
}

func decodeInvitationReceived(n *pb.InvitationReceivedNotification) bot.Event {
	inv := n.GetInvitation()
	if inv.GetId() == 0 {
		return newUnknown(NotifyInvitationReceived, n, "no invitation id")
	}
	if _, ok := pb.Invitation_Status_name[int32(inv.GetStatus())]; !ok {
		return newUnknown(NotifyInvitationReceived, n, "unknown invitation status "+strconv.Itoa(int(inv.GetStatus())))
	}
	return &InvitationReceived{InvitationReceivedNotification: n}
}

func senderOf(m *Message) bot.Sender {
	if m.GetSenderId() == 0 {
		return bot.Sender{}
	}
	return bot.Sender{ID: strconv.FormatUint(m.GetSenderId(), 10)}
}

// normalize returns the cross-platform view of an inbound message.
func normalize(m *Message, chat bot.Chat, sender bot.Sender, edited bool) bot.Message {
	out := bot.Message{
		ID:     IDOf(m).String(),
		Chat:   chat,
		Sender: sender,
		Text:   m.GetBody(),
		Time:   time.UnixMilli(int64(m.GetTimestamp())),
		Edited: edited || m.GetEditedBody(),
	}
	if r := m.GetRepliedMessageId(); r != nil {
		out.ReplyTo = fromPB(r).String()
	}
	return out
}

func (e *MessageReceived) setChat(chat bot.Chat, sender bot.Sender) {
	e.Chat, e.Sender = chat, sender
	e.msgs = []bot.Message{normalize(e.GetMessage(), chat, sender, false)}
}

// Messages returns the message, normalized.
func (e *MessageReceived) Messages() []bot.Message { return e.msgs }

// DedupeKey names the message: "olvid:i42".
func (e *MessageReceived) DedupeKey() string { return "olvid:" + IDOf(e.GetMessage()).String() }

// DedupeKey names the message: "olvid:o7".
func (e *MessageSent) DedupeKey() string { return "olvid:" + IDOf(e.GetMessage()).String() }

// DedupeKey names the deletion of the message: "olvid:i42:deleted".
func (e *MessageDeleted) DedupeKey() string {
	return "olvid:" + IDOf(e.GetMessage()).String() + ":deleted"
}

func (e *MessageBodyUpdated) setChat(chat bot.Chat, sender bot.Sender) {
	e.Chat, e.Sender = chat, sender
	e.msgs = nil
	if IDOf(e.GetMessage()).Dir == Inbound {
		e.msgs = []bot.Message{normalize(e.GetMessage(), chat, sender, true)}
	}
}

// Messages returns the new version of an inbound message, marked Edited;
// edits of the identity's own messages carry none.
func (e *MessageBodyUpdated) Messages() []bot.Message { return e.msgs }

// Waiting reports whether the invitation waits for the bot, and whether
// it is to a group.
func (e *InvitationReceived) Waiting() (waits, group bool) {
	return WaitsForBot(e.GetInvitation().GetStatus())
}

// RequestInfo implements bot.Request. Invitations that do not wait for
// the bot (see Waiting) have Kind 0, which accepting policies refuse.
func (e *InvitationReceived) RequestInfo() bot.RequestInfo {
	inv := e.GetInvitation()
	info := bot.RequestInfo{
		ID:   strconv.FormatUint(inv.GetId(), 10),
		From: bot.Sender{ID: "invitation:" + strconv.FormatUint(inv.GetId(), 10), Name: inv.GetDisplayName()},
	}
	waits, group := e.Waiting()
	switch {
	case waits && group:
		info.Kind = bot.GroupInvitation
		info.Chat = bot.Chat{Kind: bot.Group, Title: inv.GetDisplayName()}
	case waits:
		info.Kind = bot.ContactRequest
	}
	return info
}

// DedupeKey names the invitation: "olvid:invitation:5".
func (e *InvitationReceived) DedupeKey() string {
	return "olvid:invitation:" + strconv.FormatUint(e.GetInvitation().GetId(), 10)
}

func groupChange(kind bot.GroupChangeKind, chat bot.Chat, member uint64, role string) []bot.GroupChange {
	c := bot.GroupChange{Kind: kind, Chat: chat, Role: role}
	if member != 0 {
		c.Member = bot.Sender{ID: strconv.FormatUint(member, 10), Role: role}
	}
	return []bot.GroupChange{c}
}

// GroupChanges reports that the bot joined, with its role, and the
// group's owner as By when it is clear (see groupOwner).
func (e *GroupNew) GroupChanges() []bot.GroupChange {
	ch := groupChange(bot.BotJoined, e.Chat, 0, RoleOf(e.GetGroup().GetOwnPermissions()))
	ch[0].By = groupOwner(e.GetGroup())
	return ch
}

// GroupChanges reports that the bot is out of the group.
func (e *GroupDeleted) GroupChanges() []bot.GroupChange {
	return groupChange(bot.BotRemoved, e.Chat, 0, "")
}

// GroupChanges reports the member who joined, with their role.
func (e *GroupMemberJoined) GroupChanges() []bot.GroupChange {
	m := e.GetMember()
	return groupChange(bot.MemberJoined, e.Chat, m.GetContactId(), RoleOf(m.GetPermissions()))
}

// GroupChanges reports the member who left.
func (e *GroupMemberLeft) GroupChanges() []bot.GroupChange {
	return groupChange(bot.MemberLeft, e.Chat, e.GetMember().GetContactId(), "")
}

// GroupChanges reports the bot's new role, when its role changed.
func (e *GroupOwnPermissionsUpdated) GroupChanges() []bot.GroupChange {
	now, before := RoleOf(e.GetPermissions()), RoleOf(e.GetPreviousPermissions())
	if now == before {
		return nil
	}
	return groupChange(bot.BotRoleChanged, e.Chat, 0, now)
}

// GroupChanges reports the member's new role, when their role changed.
func (e *GroupMemberPermissionsUpdated) GroupChanges() []bot.GroupChange {
	m := e.GetMember()
	now, before := RoleOf(m.GetPermissions()), RoleOf(e.GetPreviousPermissions())
	if now == before {
		return nil
	}
	return groupChange(bot.MemberRoleChanged, e.Chat, m.GetContactId(), now)
}

// Decode turns a notification as received on n's stream into its event,
// or an *Unknown when it lacks what the event needs. It is what the
// streams use; it is exported for tools that read notifications
// themselves.
func Decode(n Notification, msg proto.Message) bot.Event {
	s, ok := notificationSpecs[n]
	if !ok {
		return newUnknown(n, msg, "unknown notification")
	}
	return s.decode(msg)
}

// DecodeBytes decodes a notification of n from its wire bytes; bytes that
// do not parse give an *Unknown.
func DecodeBytes(n Notification, raw []byte) bot.Event {
	s, ok := notificationSpecs[n]
	if !ok {
		return &Unknown{Notification: n, Raw: raw, Reason: "unknown notification"}
	}
	m := s.newMsg()
	if err := proto.Unmarshal(raw, m); err != nil {
		return &Unknown{Notification: n, Raw: raw, Reason: "malformed: " + err.Error()}
	}
	return s.decode(m)
}
