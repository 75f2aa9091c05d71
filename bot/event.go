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
}

// Platform connects a bot to a messenger.
type Platform interface {
	// Name is the platform's short name ("simplex", "privitty").
	Name() string
	// Listen connects and passes every event to emit, in the order the
	// platform delivered them. emit blocks while the bot's queue is full;
	// that is the backpressure. Listen reconnects by itself and returns
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

// Deleter is the capability to delete a message for everyone.
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
