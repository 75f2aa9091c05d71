package olvid

import (
	"fmt"
	"strconv"

	pb "github.com/parleybot/parley/platform/olvid/olvidpb"
)

// The daemon's data types, as generated from its protocol. They are
// aliases, so values pass to and from package olvidpb unchanged.
type (
	Message              = pb.Message
	MessageFilter        = pb.MessageFilter
	MessageReaction      = pb.MessageReaction
	MessageLocation      = pb.MessageLocation
	MessageEphemerality  = pb.MessageEphemerality
	ReactionFilter       = pb.ReactionFilter
	Discussion           = pb.Discussion
	DiscussionFilter     = pb.DiscussionFilter
	DiscussionSettings   = pb.DiscussionSettings
	Contact              = pb.Contact
	ContactFilter        = pb.ContactFilter
	Identity             = pb.Identity
	IdentityDetails      = pb.IdentityDetails
	IdentitySettings     = pb.IdentitySettings
	Group                = pb.Group
	GroupFilter          = pb.GroupFilter
	GroupMember          = pb.GroupMember
	GroupMemberFilter    = pb.GroupMemberFilter
	PendingGroupMember   = pb.PendingGroupMember
	GroupPermissions     = pb.GroupMemberPermissions
	Invitation           = pb.Invitation
	InvitationFilter     = pb.InvitationFilter
	InvitationStatus     = pb.Invitation_Status
	Attachment           = pb.Attachment
	AttachmentFilter     = pb.AttachmentFilter
	AttachmentIdentifier = pb.AttachmentId
	CallParticipantID    = pb.CallParticipantId
)

// Direction tells inbound messages from outbound ones; each has its own
// id space.
type Direction int32

// The message directions, numbered as on the wire.
const (
	Inbound  Direction = Direction(pb.MessageId_TYPE_INBOUND)
	Outbound Direction = Direction(pb.MessageId_TYPE_OUTBOUND)
)

// MessageID names one message: its direction and its number, which are
// unique only together.
type MessageID struct {
	Dir Direction
	ID  uint64
}

// IDOf returns the MessageID of m, or the zero MessageID when m has none.
func IDOf(m *Message) MessageID {
	return fromPB(m.GetId())
}

func fromPB(id *pb.MessageId) MessageID {
	if id == nil {
		return MessageID{}
	}
	return MessageID{Dir: Direction(id.GetType()), ID: id.GetId()}
}

// PB returns the wire form of id.
func (id MessageID) PB() *pb.MessageId {
	return &pb.MessageId{Type: pb.MessageId_Type(id.Dir), Id: id.ID}
}

// IsZero reports whether id names no message.
func (id MessageID) IsZero() bool { return id.ID == 0 && id.Dir == 0 }

// String returns "i42" for inbound message 42 and "o7" for outbound
// message 7: the message ids Parley puts in bot.Message and accepts in
// Outgoing.ReplyTo, Delete, Edit and React.
func (id MessageID) String() string {
	switch id.Dir {
	case Inbound:
		return "i" + strconv.FormatUint(id.ID, 10)
	case Outbound:
		return "o" + strconv.FormatUint(id.ID, 10)
	}
	return fmt.Sprintf("?%d:%d", int32(id.Dir), id.ID)
}

// ParseMessageID reads the form String writes.
func ParseMessageID(s string) (MessageID, error) {
	if len(s) < 2 {
		return MessageID{}, fmt.Errorf("olvid: message id %q: want i<number> or o<number>", s)
	}
	var dir Direction
	switch s[0] {
	case 'i':
		dir = Inbound
	case 'o':
		dir = Outbound
	default:
		return MessageID{}, fmt.Errorf("olvid: message id %q: want i<number> or o<number>", s)
	}
	n, err := strconv.ParseUint(s[1:], 10, 64)
	if err != nil || n == 0 || s[1] == '+' {
		return MessageID{}, fmt.Errorf("olvid: message id %q: want i<number> or o<number>", s)
	}
	return MessageID{Dir: dir, ID: n}, nil
}

// ParseDiscussionID reads a chat id, the decimal id of a discussion.
func ParseDiscussionID(s string) (uint64, error) {
	n, err := strconv.ParseUint(s, 10, 64)
	if err != nil || n == 0 || s[0] == '+' {
		return 0, fmt.Errorf("olvid: chat id %q: want a discussion id (a positive decimal number)", s)
	}
	return n, nil
}

// WaitsForBot reports whether an invitation in status st waits for the
// bot to accept it, and whether it is an invitation to a group.
func WaitsForBot(st InvitationStatus) (waits, group bool) {
	switch st {
	case pb.Invitation_STATUS_INVITATION_WAIT_YOU_TO_ACCEPT,
		pb.Invitation_STATUS_INTRODUCTION_WAIT_YOU_TO_ACCEPT,
		pb.Invitation_STATUS_ONE_TO_ONE_INVITATION_WAIT_YOU_TO_ACCEPT:
		return true, false
	case pb.Invitation_STATUS_GROUP_INVITATION_WAIT_YOU_TO_ACCEPT:
		return true, true
	}
	return false, false
}

// RoleOf returns the role name Parley uses for group permissions:
// "admin" for admins, "moderator" for members who may delete anyone's
// messages, "observer" for members who may not send, "member" for
// everyone else.
func RoleOf(p *GroupPermissions) string {
	switch {
	case p.GetAdmin():
		return RoleAdmin
	case p.GetRemoteDeleteAnything():
		return RoleModerator
	case p != nil && !p.GetSendMessage():
		return RoleObserver
	}
	return RoleMember
}

// The roles of group members.
const (
	RoleAdmin     = "admin"
	RoleModerator = "moderator"
	RoleMember    = "member"
	RoleObserver  = "observer"
)

// PermissionsFor returns the permissions SetMemberRole gives a role:
// everything for admins; sending, editing one's own messages and
// deleting anyone's for moderators; sending and editing one's own for
// members; nothing for observers, who read only.
func PermissionsFor(role string) (*GroupPermissions, error) {
	switch role {
	case RoleAdmin:
		return &GroupPermissions{Admin: true, RemoteDeleteAnything: true, EditOrRemoteDeleteOwnMessages: true, ChangeSettings: true, SendMessage: true}, nil
	case RoleModerator:
		return &GroupPermissions{RemoteDeleteAnything: true, EditOrRemoteDeleteOwnMessages: true, SendMessage: true}, nil
	case RoleMember:
		return &GroupPermissions{EditOrRemoteDeleteOwnMessages: true, SendMessage: true}, nil
	case RoleObserver:
		return &GroupPermissions{}, nil
	}
	return nil, fmt.Errorf("olvid: role %q: want %q, %q, %q or %q", role, RoleAdmin, RoleModerator, RoleMember, RoleObserver)
}
