package virola

import (
	"bytes"
	"encoding/json"
	"errors"
	"fmt"
	"strconv"

	"github.com/parleybot/parley/bot"
)

// Event type names, as in the "type" key of an events frame.
const (
	TypeTextMessagesCreated = "TextMessagesCreated"
	TypeTextMessagesUpdated = "TextMessagesUpdated"
	TypeTextMessageDeleted  = "TextMessageDeleted"
	TypeRoomCreated         = "RoomCreated"
	TypeRoomUpdated         = "RoomUpdated"
	TypeRoomDeleted         = "RoomDeleted"
)

// ErrMalformedEvent is wrapped by DecodeEvent errors.
var ErrMalformedEvent = errors.New("virola: malformed event")

// ChatKey returns the ordering key of a room: "virola:<roomId>". Comments
// share their room's key, so a room and its discussions are handled in
// order.
func ChatKey(roomID int64) string { return "virola:" + strconv.FormatInt(roomID, 10) }

func itoa(n int64) string { return strconv.FormatInt(n, 10) }

// TextMessagesCreated is a batch of new messages. On the wire one frame
// may carry several messages, of several rooms; the Platform passes each
// message on as its own TextMessagesCreated, with Room and Sender filled,
// so every event has one room key and one dedupe key. The bot's own
// messages are never passed on.
type TextMessagesCreated struct {
	TextMessages []Message `json:"messages"`
	// Room is the message's room as the platform knows it (nil on an
	// event straight from DecodeEvent).
	Room *Room `json:"-"`
	// Sender is the author as the platform knows it (nil when unknown).
	Sender *User `json:"-"`
	// Replayed is set when catch-up found the message rather than the
	// live socket.
	Replayed bool `json:"-"`
	msgs     []bot.Message
}

// NewTextMessagesCreated builds the event handlers see for message m of
// room, written by sender (either may be nil when not known).
func NewTextMessagesCreated(m Message, room *Room, sender *User) *TextMessagesCreated {
	e := &TextMessagesCreated{TextMessages: []Message{m}, Room: room, Sender: sender}
	e.msgs = []bot.Message{Normalize(&m, room, sender)}
	return e
}

// Type returns "TextMessagesCreated".
func (e *TextMessagesCreated) Type() string { return TypeTextMessagesCreated }

// ChatKey is the room key of the first message.
func (e *TextMessagesCreated) ChatKey() string {
	if len(e.TextMessages) == 0 {
		return ""
	}
	return ChatKey(e.TextMessages[0].RoomID)
}

// DedupeKey is "virola:<messageId>" of the first message: message ids
// are unique on a server.
func (e *TextMessagesCreated) DedupeKey() string {
	if len(e.TextMessages) == 0 {
		return ""
	}
	return "virola:" + itoa(e.TextMessages[0].MessageID)
}

// Messages returns the normalized messages (none on an event straight
// from DecodeEvent, whose rooms are not known yet). Callers must not
// modify the slice.
func (e *TextMessagesCreated) Messages() []bot.Message { return e.msgs }

// IsComment reports whether the (first) message is a comment.
func (e *TextMessagesCreated) IsComment() bool {
	return len(e.TextMessages) > 0 && e.TextMessages[0].IsComment()
}

// Normalize converts a message to the cross-platform view. A private room
// is a direct chat, a public room a group; a comment replies to its
// parent message. room and sender may be nil.
func Normalize(m *Message, room *Room, sender *User) bot.Message {
	out := bot.Message{
		ID:   itoa(m.MessageID),
		Chat: bot.Chat{ID: itoa(m.RoomID), Kind: bot.Group},
		Text: m.Text,
		Time: m.Created(),
	}
	if room != nil {
		out.Chat.Title = room.DisplayName
		if room.RoomType == RoomPrivate {
			out.Chat.Kind = bot.Direct
		}
	}
	if m.UserID != 0 {
		out.Sender.ID = itoa(m.UserID)
	}
	if sender != nil {
		out.Sender.Name = sender.DisplayName
		if out.Sender.Name == "" {
			out.Sender.Name = sender.UserName
		}
		if sender.IsAdmin {
			// A server administrator may delete anything in any room:
			// staff wherever they write.
			out.Sender.Role = RoleAdmin
		}
	}
	if m.ParentMessageID != 0 {
		out.ReplyTo = itoa(m.ParentMessageID)
	}
	for _, a := range m.Attachments {
		out.Files = append(out.Files, bot.File{ID: itoa(a.AttachmentID), Name: a.FileName, Size: a.FileSize})
	}
	return out
}

// TextMessagesUpdated says messages changed: an edit, a new read
// timestamp, a new comment count, a changed attachment. It is its own
// event and never a message event, so an update is not handled as a new
// message; handlers that care about edits route it by type and check
// Message.Edited. The Platform passes each message on as its own event.
type TextMessagesUpdated struct {
	TextMessages []Message `json:"messages"`
}

// Type returns "TextMessagesUpdated".
func (e *TextMessagesUpdated) Type() string { return TypeTextMessagesUpdated }

// ChatKey is the room key of the first message.
func (e *TextMessagesUpdated) ChatKey() string {
	if len(e.TextMessages) == 0 {
		return ""
	}
	return ChatKey(e.TextMessages[0].RoomID)
}

// DedupeKey is "virola:<messageId>:updated:<lastModifiedUtc>" of the
// first message: the same update repeated is dropped, a later one is not.
func (e *TextMessagesUpdated) DedupeKey() string {
	if len(e.TextMessages) == 0 {
		return ""
	}
	m := e.TextMessages[0]
	return "virola:" + itoa(m.MessageID) + ":updated:" + itoa(m.LastModifiedUtc)
}

// TextMessageDeleted says a message or comment was deleted.
type TextMessageDeleted struct {
	ParentMessageID int64 `json:"parentMessageId"`
	RoomID          int64 `json:"roomId"`
	MessageID       int64 `json:"messageId"`
}

// Type returns "TextMessageDeleted".
func (e *TextMessageDeleted) Type() string { return TypeTextMessageDeleted }

// ChatKey is the room's key.
func (e *TextMessageDeleted) ChatKey() string { return ChatKey(e.RoomID) }

// DedupeKey is "virola:<messageId>:deleted".
func (e *TextMessageDeleted) DedupeKey() string { return "virola:" + itoa(e.MessageID) + ":deleted" }

// RoomCreated says the user got access to a new room.
type RoomCreated struct {
	Room Room `json:"room"`
	// Peer is the other user of a private room, when the platform could
	// tell who it is (by the room's name among the users).
	Peer *User `json:"-"`
	// Owner is who owns a public room for the bot, when the platform
	// could tell (see groupchange.go); BotRole is the bot's role there.
	Owner   *User  `json:"-"`
	BotRole string `json:"-"`
}

// Type returns "RoomCreated".
func (e *RoomCreated) Type() string { return TypeRoomCreated }

// ChatKey is the room's key.
func (e *RoomCreated) ChatKey() string { return ChatKey(e.Room.RoomID) }

// GroupChanges reports a public room as a group the bot joined, with its
// role and the room's owner as By when known.
func (e *RoomCreated) GroupChanges() []bot.GroupChange {
	if e.Room.RoomType == RoomPrivate {
		return nil
	}
	return []bot.GroupChange{{Kind: bot.BotJoined, Chat: roomChat(&e.Room), Role: e.BotRole, By: ownerSender(e.Owner)}}
}

func roomChat(r *Room) bot.Chat {
	c := bot.Chat{ID: itoa(r.RoomID), Kind: bot.Group, Title: r.DisplayName}
	if r.RoomType == RoomPrivate {
		c.Kind = bot.Direct
	}
	return c
}

// RoomUpdated says a room's properties changed (its name, its last
// message, its unread count…).
type RoomUpdated struct {
	Room Room `json:"room"`
}

// Type returns "RoomUpdated".
func (e *RoomUpdated) Type() string { return TypeRoomUpdated }

// ChatKey is the room's key.
func (e *RoomUpdated) ChatKey() string { return ChatKey(e.Room.RoomID) }

// RoomDeleted says a room was deleted or the user lost access to it.
type RoomDeleted struct {
	RoomID int64 `json:"roomId"`
}

// Type returns "RoomDeleted".
func (e *RoomDeleted) Type() string { return TypeRoomDeleted }

// ChatKey is the room's key.
func (e *RoomDeleted) ChatKey() string { return ChatKey(e.RoomID) }

// GroupChanges reports the room as gone.
func (e *RoomDeleted) GroupChanges() []bot.GroupChange {
	return []bot.GroupChange{{Kind: bot.GroupDeleted, Chat: bot.Chat{ID: itoa(e.RoomID), Kind: bot.Group}}}
}

// Unknown is an event of a type this package does not know. It keeps the
// whole frame.
type Unknown struct {
	// Name is the frame's type.
	Name string
	// Raw is the frame as received.
	Raw json.RawMessage
}

// Type returns the frame's type.
func (e *Unknown) Type() string { return e.Name }

// Unknown returns true.
func (e *Unknown) Unknown() bool { return true }

// frame is the envelope of every event. One document page calls the type
// key "eventType"; it is accepted when "type" is absent.
type frame struct {
	Type      string          `json:"type"`
	EventType string          `json:"eventType"`
	Data      json.RawMessage `json:"data"`
}

// DecodeEvent decodes one events frame into a typed event: one of the six
// documented types, or an *Unknown for any other type. Unknown fields are
// ignored. A frame that is not a JSON object with a type, or whose data
// does not fit its type, is an error wrapping ErrMalformedEvent.
func DecodeEvent(data []byte) (bot.Event, error) {
	var f frame
	if err := json.Unmarshal(data, &f); err != nil {
		return nil, fmt.Errorf("%w: %v", ErrMalformedEvent, err)
	}
	if f.Type == "" {
		f.Type = f.EventType
	}
	if f.Type == "" {
		return nil, fmt.Errorf("%w: no type", ErrMalformedEvent)
	}
	var ev bot.Event
	switch f.Type {
	case TypeTextMessagesCreated:
		ev = &TextMessagesCreated{}
	case TypeTextMessagesUpdated:
		ev = &TextMessagesUpdated{}
	case TypeTextMessageDeleted:
		ev = &TextMessageDeleted{}
	case TypeRoomCreated:
		ev = &RoomCreated{}
	case TypeRoomUpdated:
		ev = &RoomUpdated{}
	case TypeRoomDeleted:
		ev = &RoomDeleted{}
	default:
		return &Unknown{Name: f.Type, Raw: append(json.RawMessage(nil), data...)}, nil
	}
	if len(f.Data) == 0 || bytes.Equal(f.Data, []byte("null")) || f.Data[0] != '{' {
		return nil, fmt.Errorf("%w: %s: data is not an object", ErrMalformedEvent, f.Type)
	}
	if err := json.Unmarshal(f.Data, ev); err != nil {
		return nil, fmt.Errorf("%w: %s: %v", ErrMalformedEvent, f.Type, err)
	}
	if err := check(ev); err != nil {
		return nil, fmt.Errorf("%w: %s: %v", ErrMalformedEvent, f.Type, err)
	}
	return ev, nil
}

// check rejects events missing the ids delivery relies on.
func check(ev bot.Event) error {
	var msgs []Message
	switch e := ev.(type) {
	case *TextMessagesCreated:
		msgs = e.TextMessages
	case *TextMessagesUpdated:
		msgs = e.TextMessages
	case *TextMessageDeleted:
		if e.MessageID <= 0 || e.RoomID <= 0 {
			return errors.New("messageId and roomId must be positive")
		}
	case *RoomCreated:
		if e.Room.RoomID <= 0 {
			return errors.New("room.roomId must be positive")
		}
	case *RoomUpdated:
		if e.Room.RoomID <= 0 {
			return errors.New("room.roomId must be positive")
		}
	case *RoomDeleted:
		if e.RoomID <= 0 {
			return errors.New("roomId must be positive")
		}
	}
	for i, m := range msgs {
		if m.MessageID <= 0 || m.RoomID <= 0 {
			return fmt.Errorf("messages[%d]: messageId and roomId must be positive", i)
		}
	}
	return nil
}

// RequestInfo presents a new room as a request, so that AutoAccept's
// policy and welcome apply to it: a private room is a contact request
// from the other user, a public one a group invitation. The server has
// granted the access already; see Platform.AcceptRequest.
func (e *RoomCreated) RequestInfo() bot.RequestInfo {
	if e.Room.RoomType == RoomPrivate {
		ri := bot.RequestInfo{Kind: bot.ContactRequest, ID: itoa(e.Room.RoomID), From: bot.Sender{Name: e.Room.DisplayName}}
		if e.Peer != nil {
			ri.From.ID = itoa(e.Peer.UserID)
		}
		return ri
	}
	return bot.RequestInfo{Kind: bot.GroupInvitation, ID: itoa(e.Room.RoomID), Chat: roomChat(&e.Room),
		From: ownerSender(e.Owner), Role: e.BotRole}
}
