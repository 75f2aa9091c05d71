package bot

import "context"

// AcceptOptions tune how a request is accepted.
type AcceptOptions struct {
	// Welcome is sent to the new contact or group once the chat is usable.
	Welcome string
}

// RequestAccepter is the capability to accept and reject requests.
type RequestAccepter interface {
	AcceptRequest(ctx context.Context, r Request, opts AcceptOptions) error
	RejectRequest(ctx context.Context, r Request) error
}

// Deleter is the capability to delete a message for everyone: the bot's
// own, and in groups another member's where the bot's role allows.
type Deleter interface {
	Delete(ctx context.Context, chatID, msgID string) error
}

// Editor is the capability to edit a message the bot sent.
type Editor interface {
	Edit(ctx context.Context, chatID, msgID, text string) error
}

// Reactor is the capability to react to a message with an emoji.
type Reactor interface {
	React(ctx context.Context, chatID, msgID, emoji string) error
}

// MemberBlocker is the capability to hide a group member's messages from
// everyone (blocked true) or show them again.
type MemberBlocker interface {
	BlockMember(ctx context.Context, chatID, memberID string, blocked bool) error
}

// MemberRemover is the capability to remove a member from a group.
type MemberRemover interface {
	RemoveMember(ctx context.Context, chatID, memberID string) error
}

// RoleSetter is the capability to change a group member's role. Roles are
// the names Sender.Role uses on the platform.
type RoleSetter interface {
	SetMemberRole(ctx context.Context, chatID, memberID, role string) error
}

// PrivateSender is the capability to write privately to a member of a
// group, for example to answer a group command without noise.
type PrivateSender interface {
	SendPrivate(ctx context.Context, chatID, memberID string, m Outgoing) ([]string, error)
}

// MentionSender is implemented by platforms whose Send turns
// Outgoing.Mentions into real mentions.
type MentionSender interface {
	SendsMentions() bool
}

// Capability names one optional ability of a platform.
type Capability string

// The capabilities generic code can ask for with Has.
const (
	CanAccept  Capability = "accept"
	CanDelete  Capability = "delete"
	CanEdit    Capability = "edit"
	CanReact   Capability = "react"
	CanBlock   Capability = "block"
	CanRemove  Capability = "remove"
	CanSetRole Capability = "set_role"
	CanPrivate Capability = "private"
	CanMention Capability = "mention"
)

// Capabilities lists what p can do beyond sending, in a fixed order.
func Capabilities(p Platform) []Capability {
	out := make([]Capability, 0, 9)
	for _, c := range []Capability{CanAccept, CanDelete, CanEdit, CanReact, CanBlock, CanRemove, CanSetRole, CanPrivate, CanMention} {
		if Has(p, c) {
			out = append(out, c)
		}
	}
	return out
}

// Has reports whether p has capability c.
func Has(p Platform, c Capability) bool {
	var ok bool
	switch c {
	case CanAccept:
		_, ok = p.(RequestAccepter)
	case CanDelete:
		_, ok = p.(Deleter)
	case CanEdit:
		_, ok = p.(Editor)
	case CanReact:
		_, ok = p.(Reactor)
	case CanBlock:
		_, ok = p.(MemberBlocker)
	case CanRemove:
		_, ok = p.(MemberRemover)
	case CanSetRole:
		_, ok = p.(RoleSetter)
	case CanPrivate:
		_, ok = p.(PrivateSender)
	case CanMention:
		m, is := p.(MentionSender)
		ok = is && m.SendsMentions()
	}
	return ok
}
