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

// NewGroupMessage returns a group message event from the member senderID
// with role. From gives the sender a name, as platforms do:
//
//	parleytest.NewGroupMessage("42", "#club", "7", "member", "buy pills").From("bob")
func NewGroupMessage(id, groupID, senderID, role, text string) *MessageEvent {
	return &MessageEvent{Msg: []bot.Message{{
		ID:     id,
		Chat:   bot.Chat{ID: groupID, Kind: bot.Group},
		Sender: bot.Sender{ID: senderID, Role: role},
		Text:   text,
	}}}
}

// From sets the display name of the sender of every message of e, and
// returns e.
func (e *MessageEvent) From(name string) *MessageEvent {
	for i := range e.Msg {
		e.Msg[i].Sender.Name = name
	}
	return e
}

// Type implements bot.Event.
func (e *MessageEvent) Type() string { return "message" }

// ChatKey implements bot.ChatKeyer: "test:" and the chat of the first
// message, "" without messages.
func (e *MessageEvent) ChatKey() string {
	if len(e.Msg) == 0 {
		return ""
	}
	return "test:" + e.Msg[0].Chat.ID
}

// DedupeKey implements bot.DedupeKeyer.
func (e *MessageEvent) DedupeKey() string {
	if e.Key != "" || len(e.Msg) == 0 {
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

// NewGroupInvitation returns an invitation from inviterID into groupID,
// offering the bot role.
func NewGroupInvitation(id, groupID, inviterID, role string) *RequestEvent {
	return &RequestEvent{Info: bot.RequestInfo{
		Kind: bot.GroupInvitation, ID: id, From: bot.Sender{ID: inviterID},
		Chat: bot.Chat{ID: groupID, Kind: bot.Group}, Role: role,
	}}
}

// GroupChangeEvent is a test membership change. It implements
// bot.ChatKeyer and bot.GroupChanger.
type GroupChangeEvent struct {
	Changes []bot.GroupChange
}

// NewGroupChange returns an event with one change of kind in groupID
// about member (empty for the Bot… kinds), with role for the kinds that
// have one.
func NewGroupChange(kind bot.GroupChangeKind, groupID, member, role string) *GroupChangeEvent {
	return &GroupChangeEvent{Changes: []bot.GroupChange{{
		Kind: kind, Chat: bot.Chat{ID: groupID, Kind: bot.Group}, Member: bot.Sender{ID: member}, Role: role,
	}}}
}

// Type implements bot.Event.
func (e *GroupChangeEvent) Type() string { return "group_change" }

// ChatKey implements bot.ChatKeyer: the chat of the first change.
func (e *GroupChangeEvent) ChatKey() string {
	if len(e.Changes) == 0 {
		return ""
	}
	return "test:" + e.Changes[0].Chat.ID
}

// GroupChanges implements bot.GroupChanger.
func (e *GroupChangeEvent) GroupChanges() []bot.GroupChange { return e.Changes }

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
