package bot

import (
	"context"
	"time"
)

// Event is anything a platform delivers. Type returns the platform's own
// name for the event, such as "newChatItems" or "IncomingMsg".
type Event interface {
	Type() string
}

// ChatKeyer is implemented by events that belong to one conversation. Events
// with the same key are handled strictly in order; events without one share
// a single ordered lane per bot.
type ChatKeyer interface {
	ChatKey() string
}

// DedupeKeyer is implemented by events that carry a platform identity (for
// example "simplex:1:@5:42"). The key names the event, never a hash of its
// content, so two equal texts are still two messages.
type DedupeKeyer interface {
	DedupeKey() string
}

// MessageEvent is implemented by events that carry user messages. Messages
// returns the normalized, cross-platform view; platforms compute it once at
// decode time so calling it is cheap.
type MessageEvent interface {
	Messages() []Message
}

// Unknowner is implemented by the placeholder events platforms produce for
// event types they do not know. Such events are routed to the fallback and
// counted, never treated as errors.
type Unknowner interface {
	Unknown() bool
}

// RequestKind tells a contact request from a group invitation.
type RequestKind int

const (
	// ContactRequest is someone asking to start a direct chat with the bot.
	ContactRequest RequestKind = iota + 1
	// GroupInvitation is someone inviting the bot into a group.
	GroupInvitation
)

// String returns "contact" or "group".
func (k RequestKind) String() string {
	switch k {
	case ContactRequest:
		return "contact"
	case GroupInvitation:
		return "group"
	}
	return "unknown"
}

// RequestInfo describes a request in platform-neutral terms.
type RequestInfo struct {
	Kind RequestKind
	// ID is the platform's id of the request (contact request id, group id).
	ID string
	// From is who asks: the requesting contact or the inviter.
	From Sender
	// Chat is the group the bot is invited to; empty for contact requests.
	Chat Chat
	// Role is the role offered to the bot in the group, if the platform has roles.
	Role string
}

// Request is implemented by events that can be accepted or rejected through
// the platform's RequestAccepter: contact requests and group invitations.
type Request interface {
	Event
	RequestInfo() RequestInfo
}

// ChatKind tells direct chats from groups.
type ChatKind int

const (
	// Direct is a one-to-one chat.
	Direct ChatKind = iota + 1
	// Group is a chat with several members.
	Group
)

// String returns "direct" or "group".
func (k ChatKind) String() string {
	switch k {
	case Direct:
		return "direct"
	case Group:
		return "group"
	}
	return "unknown"
}

// Chat identifies a conversation on a platform.
type Chat struct {
	// ID is the platform's reference to the chat, as accepted by
	// Platform.Send (for SimpleX "@5" or "#12").
	ID   string
	Kind ChatKind
	// Title is the contact's or group's display name. It is personal data:
	// do not log it at info level.
	Title string
}

// Sender is the author of a message or request.
type Sender struct {
	ID string
	// Name is the display name; personal data, not for info-level logs.
	Name string
	// Role is the sender's group role where the platform has one
	// ("owner", "admin", "moderator", "member", "observer").
	Role  string
	IsBot bool
}

// File is a file offered with a message.
type File struct {
	ID   string
	Name string
	Size int64
	// Path is set once the file is on local disk.
	Path string
}

// Message is the normalized, cross-platform view of one user message.
type Message struct {
	ID   string
	Chat Chat
	// Sender is empty for messages the bot itself sent.
	Sender Sender
	Text   string
	// ReplyTo is the ID of the quoted message, if any.
	ReplyTo string
	// MentionsBot is set when the message mentions the bot by name.
	MentionsBot bool
	Files       []File
	Time        time.Time
	// Edited is set when this is a new version of an earlier message.
	Edited bool
}

// Outgoing is a message the bot sends.
type Outgoing struct {
	Text string
	// ReplyTo quotes the message with this ID.
	ReplyTo string
	// Files are local paths to attach.
	Files []string
	// Mentions name members the text mentions as "@Name". Platforms that
	// implement MentionSender turn them into real mentions; others send
	// the text as it is.
	Mentions []Mention
}

// Mention is a member mentioned in an Outgoing text.
type Mention struct {
	// Name is the name as it appears after "@" in the text.
	Name string
	// ID is the member's Sender.ID in the chat.
	ID string
}

// GroupChangeKind says what a GroupChange is about.
type GroupChangeKind int

const (
	// BotJoined: the bot is now a member of the group (Role is its role).
	BotJoined GroupChangeKind = iota + 1
	// BotRoleChanged: the bot's role changed to Role.
	BotRoleChanged
	// BotRemoved: the bot was removed from the group or left it.
	BotRemoved
	// GroupDeleted: the group no longer exists.
	GroupDeleted
	// MemberJoined: Member joined (Role is their role).
	MemberJoined
	// MemberLeft: Member left or was removed.
	MemberLeft
	// MemberRoleChanged: Member's role changed to Role.
	MemberRoleChanged
	// MemberBlocked: Member's messages are now hidden for everyone.
	MemberBlocked
	// MemberUnblocked: Member's messages are shown again.
	MemberUnblocked
)

var groupChangeNames = [...]string{"", "bot_joined", "bot_role_changed", "bot_removed", "group_deleted",
	"member_joined", "member_left", "member_role_changed", "member_blocked", "member_unblocked"}

// String returns a snake_case name such as "bot_joined".
func (k GroupChangeKind) String() string {
	if k > 0 && int(k) < len(groupChangeNames) {
		return groupChangeNames[k]
	}
	return "unknown"
}

// GroupChange is the platform-neutral view of an event that changes a
// group's membership or the bot's place in it.
type GroupChange struct {
	Kind GroupChangeKind
	Chat Chat
	// Member is who the change is about; empty for the Bot… kinds.
	Member Sender
	// Role is the new role, for the kinds that have one.
	Role string
	// By is who made the change, when the platform says.
	By Sender
}

// GroupChanger is implemented by events that change a group's membership.
// Generic code such as a moderation module reads them through it instead
// of knowing each platform's event types.
type GroupChanger interface {
	GroupChanges() []GroupChange
}

// Platform connects a bot to a messenger.
type Platform interface {
	// Name is the platform's short name ("simplex", "privitty").
	Name() string
	// Listen connects and passes every event to emit, in the order the
	// platform delivered them. emit blocks while the bot's queue is full;
	// that is the backpressure. emit may be called from several goroutines
	// at once (a reader and a catch-up, say); events of one chat must still
	// come in order. Listen reconnects by itself and returns
	// only when ctx ends (with nil or ctx.Err()) or on a fatal error.
	Listen(ctx context.Context, emit func(Event) error) error
	// Send sends a message to a chat and returns the IDs of the messages it
	// created (long texts may be split into several).
	Send(ctx context.Context, chatID string, m Outgoing) ([]string, error)
}

// HandledNotifier is implemented by platforms that want to know when an
// event's handlers have finished, for example to advance a stored cursor.
// It is called once per event that was handed to the handler chain.
type HandledNotifier interface {
	EventHandled(e Event, err error)
}

// Closer is implemented by platforms that hold resources after Listen
// returned, such as pending sends to flush.
type Closer interface {
	Close(ctx context.Context) error
}
