package parleytest

import (
	"github.com/parleybot/parley/bot"
)

// MessageEvent is a test event carrying one message. It implements
// bot.ChatKeyer, bot.DedupeKeyer and bot.MessageEvent.
type MessageEvent struct {
	Msg []bot.Message
	// Key overrides the dedupe key (default "test:" + chat + ":" + id).
	Key string
}

// NewMessage returns a direct-chat message event. chatID is also the sender.
func NewMessage(id, chatID, text string) *MessageEvent {
	return &MessageEvent{Msg: []bot.Message{{
		ID:     id,
		Chat:   bot.Chat{ID: chatID, Kind: bot.Direct},
		Sender: bot.Sender{ID: chatID},
		Text:   text,
	}}}
}

// NewGroupMessage returns a group message event from sender with role.
func NewGroupMessage(id, groupID, senderID, role, text string) *MessageEvent {
	return &MessageEvent{Msg: []bot.Message{{
		ID:     id,
		Chat:   bot.Chat{ID: groupID, Kind: bot.Group},
		Sender: bot.Sender{ID: senderID, Role: role},
		Text:   text,
	}}}
}

// Type implements bot.Event.
func (e *MessageEvent) Type() string { return "message" }

// ChatKey implements bot.ChatKeyer.
func (e *MessageEvent) ChatKey() string { return "test:" + e.Msg[0].Chat.ID }

// DedupeKey implements bot.DedupeKeyer.
func (e *MessageEvent) DedupeKey() string {
	if e.Key != "" {
		return e.Key
	}
	return "test:" + e.Msg[0].Chat.ID + ":" + e.Msg[0].ID
}

// Messages implements bot.MessageEvent.
func (e *MessageEvent) Messages() []bot.Message { return e.Msg }

// RequestEvent is a test contact request or group invitation.
type RequestEvent struct {
	Info bot.RequestInfo
}

// Type implements bot.Event.
func (e *RequestEvent) Type() string { return "request" }

// RequestInfo implements bot.Request.
func (e *RequestEvent) RequestInfo() bot.RequestInfo { return e.Info }

// DedupeKey implements bot.DedupeKeyer.
func (e *RequestEvent) DedupeKey() string { return "test:req:" + e.Info.ID }

// NewContactRequest returns a contact request from senderID.
func NewContactRequest(id, senderID string) *RequestEvent {
	return &RequestEvent{Info: bot.RequestInfo{Kind: bot.ContactRequest, ID: id, From: bot.Sender{ID: senderID}}}
}

// UnknownEvent stands for an event type a platform does not know.
type UnknownEvent struct {
	Name string
	Raw  []byte
}

// Type implements bot.Event.
func (e *UnknownEvent) Type() string { return e.Name }

// Unknown implements bot.Unknowner.
func (e *UnknownEvent) Unknown() bool { return true }

// PlainEvent is an event with only a type and an optional chat key.
type PlainEvent struct {
	Name string
	Key  string
}

// Type implements bot.Event.
func (e *PlainEvent) Type() string { return e.Name }

// ChatKey implements bot.ChatKeyer.
func (e *PlainEvent) ChatKey() string { return e.Key }
