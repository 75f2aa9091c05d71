package privitty

import (
	"encoding/json"
	"errors"
	"fmt"
	"hash/fnv"
	"strconv"
	"time"

	"github.com/parleybot/parley/bot"
)

// Event type names, as in the "type" key of an SSE data line.
const (
	TypeIncomingMsg                   = "IncomingMsg"
	TypeMsgDelivered                  = "MsgDelivered"
	TypeMsgRead                       = "MsgRead"
	TypeMsgFailed                     = "MsgFailed"
	TypeConnectivityChanged           = "ConnectivityChanged"
	TypeChatModified                  = "ChatModified"
	TypeContactsChanged               = "ContactsChanged"
	TypeWarning                       = "Warning"
	TypeError                         = "Error"
	TypeSecurejoinInviterProgress     = "SecurejoinInviterProgress"
	TypeSecurejoinJoinerProgress      = "SecurejoinJoinerProgress"
	TypePrivittyChatEncryptionChanged = "PrivittyChatEncryptionChanged"
	TypePrivittyFileEncrypted         = "PrivittyFileEncrypted"
	TypePrivittyFileDecrypted         = "PrivittyFileDecrypted"
	TypePrivittyPeerHandshakeComplete = "PrivittyPeerHandshakeComplete"
	TypePrivittyFileAccessRevoked     = "PrivittyFileAccessRevoked"
	TypePrivittyFileAccessChanged     = "PrivittyFileAccessChanged"
	TypePrivittyAccessRenewRequested  = "PrivittyAccessRenewRequested"
	TypeConfigureProgress             = "ConfigureProgress"
	TypeImexProgress                  = "ImexProgress"
	// TypeLag is the SSE event name the daemon uses when it dropped events
	// for a slow client.
	TypeLag = "lag"
	// TypeContactRequest, TypeGroupInvitation and TypeInfoMsg name events
	// the platform makes of messages; they are not wire types.
	TypeContactRequest  = "ContactRequest"
	TypeGroupInvitation = "GroupInvitation"
	TypeInfoMsg         = "InfoMsg"
	TypeMsgEdited       = "MsgEdited"
)

// ErrMalformedEvent is wrapped by DecodeEvent errors.
var ErrMalformedEvent = errors.New("privitty: malformed event")

// chatKey is "privitty:<account>:<chat>", or "" for chat 0, which the core
// uses for "several chats".
func chatKey(account, chat int64) string {
	if chat <= 0 {
		return ""
	}
	return "privitty:" + strconv.FormatInt(account, 10) + ":" + strconv.FormatInt(chat, 10)
}

// MsgEvent holds the keys of the message status events.
type MsgEvent struct {
	AccountID int64 `json:"account_id"`
	ChatID    int64 `json:"chat_id"`
	MsgID     int64 `json:"msg_id"`
}

// IncomingMsg is a new incoming message. On the wire it carries only ids;
// the Platform fills Msg (the fetched message) and Chat before handlers
// see it.
type IncomingMsg struct {
	MsgEvent
	// Msg is the message; nil on an event straight from DecodeEvent.
	Msg *Message `json:"-"`
	// Chat is the message's chat as the platform knows it.
	Chat bot.Chat `json:"-"`
	// Replayed is set when catch-up found the message after a reconnect,
	// a lag or a restart rather than the live stream.
	Replayed bool `json:"-"`
	msgs     []bot.Message
	gen      int64
}

// Type returns "IncomingMsg".
func (e *IncomingMsg) Type() string { return TypeIncomingMsg }

// ChatKey is "privitty:<account>:<chat>".
func (e *IncomingMsg) ChatKey() string { return chatKey(e.AccountID, e.ChatID) }

// DedupeKey is "privitty:<account>:<msg>": message ids are unique within
// an account's database ("privitty:<account>:g<n>:<msg>" once the account
// was re-created n times while the bot knew it).
func (e *IncomingMsg) DedupeKey() string { return msgKey(e.AccountID, e.gen, "", e.MsgID) }

// Messages returns the normalized message, or none before the message was
// fetched. Callers must not modify the slice.
func (e *IncomingMsg) Messages() []bot.Message { return e.msgs }

// Normalize converts a Delta Chat message in chat to the bot.Message view.
func Normalize(m *Message, chat bot.Chat) bot.Message {
	out := bot.Message{
		ID:     strconv.FormatInt(m.ID, 10),
		Chat:   chat,
		Text:   m.Text,
		Edited: m.IsEdited,
	}
	if m.FromID > LastSpecialID {
		out.Sender.ID = strconv.FormatInt(m.FromID, 10)
		if m.Sender != nil {
			out.Sender.Name = m.Sender.DisplayName
			out.Sender.IsBot = m.Sender.IsBot
		}
		if m.OverrideSenderName != "" {
			out.Sender.Name = m.OverrideSenderName
		}
		out.Sender.IsBot = out.Sender.IsBot || m.IsBot
	}
	if q := m.QuotedID(); q != 0 {
		out.ReplyTo = strconv.FormatInt(q, 10)
	}
	if m.File != "" {
		out.Files = []bot.File{{ID: strconv.FormatInt(m.ID, 10), Name: m.FileName, Size: m.FileBytes, Path: m.File}}
	}
	if m.Timestamp != 0 {
		out.Time = time.Unix(m.Timestamp, 0).UTC()
	}
	return out
}

// NewIncomingMsg builds the event handlers see for message m in chat.
func NewIncomingMsg(account int64, m *Message, chat bot.Chat) *IncomingMsg {
	e := &IncomingMsg{MsgEvent: MsgEvent{AccountID: account, ChatID: m.ChatID, MsgID: m.ID}, Msg: m, Chat: chat}
	e.msgs = []bot.Message{Normalize(m, chat)}
	return e
}

// msgKey is the dedupe key of an event about message msg: the account,
// the generation of its database when not the first (see Stats.Resets),
// what the event says of the message ("" for the message itself), and
// the message id. Message ids repeat after an account was re-created, so
// the generation keeps a new message from taking an old one's mark.
func msgKey(account, gen int64, what string, msg int64) string {
	k := "privitty:" + strconv.FormatInt(account, 10) + ":"
	if gen > 0 {
		k += "g" + strconv.FormatInt(gen, 10) + ":"
	}
	if what != "" {
		k += what + ":"
	}
	return k + strconv.FormatInt(msg, 10)
}

// ContactRequest is a message from someone the bot has not accepted yet,
// in a 1:1 chat that is a contact request. It implements bot.Request; the
// platform accepts it with accept_chat and rejects it with block_chat. It
// is not a message event: once it is accepted, the chat's messages from
// Msg on reach handlers as messages. One request of a chat is passed on
// at a time; the chat's later messages wait for its outcome.
type ContactRequest struct {
	AccountID int64
	ChatID    int64
	// Msg is the first message of the chat not handled yet.
	Msg *Message
	// Chat is the request's chat.
	Chat     bot.Chat
	Replayed bool
	gen      int64
}

// Type returns "ContactRequest".
func (e *ContactRequest) Type() string { return TypeContactRequest }

// ChatKey is the chat's key, so the request is handled before later
// messages of the same chat.
func (e *ContactRequest) ChatKey() string { return chatKey(e.AccountID, e.ChatID) }

// DedupeKey is "privitty:<account>:req:<msg>": apart from the message's
// own key, which its delivery after acceptance uses.
func (e *ContactRequest) DedupeKey() string { return msgKey(e.AccountID, e.gen, "req", e.Msg.ID) }

// RequestInfo describes the request: its id is the chat id, From the
// message's sender.
func (e *ContactRequest) RequestInfo() bot.RequestInfo {
	from := Normalize(e.Msg, e.Chat).Sender
	return bot.RequestInfo{Kind: bot.ContactRequest, ID: strconv.FormatInt(e.ChatID, 10), From: from}
}

// GroupInvitation is a group made by someone the bot has not accepted:
// the core keeps such a group as a contact request (isContactRequest with
// chatType Group) until the bot accepts it. It implements bot.Request
// with Kind bot.GroupInvitation, the group in Chat and the inviter (the
// sender of Msg) in From; otherwise it behaves as a ContactRequest.
type GroupInvitation struct {
	AccountID int64
	ChatID    int64
	// Msg is the first message of the group not handled yet.
	Msg *Message
	// Chat is the group.
	Chat     bot.Chat
	Replayed bool
	gen      int64
}

// Type returns "GroupInvitation".
func (e *GroupInvitation) Type() string { return TypeGroupInvitation }

// ChatKey is the group's key.
func (e *GroupInvitation) ChatKey() string { return chatKey(e.AccountID, e.ChatID) }

// DedupeKey is "privitty:<account>:req:<msg>".
func (e *GroupInvitation) DedupeKey() string { return msgKey(e.AccountID, e.gen, "req", e.Msg.ID) }

// RequestInfo describes the invitation: its id is the group's chat id.
// Delta Chat groups have no roles, so Role is empty.
func (e *GroupInvitation) RequestInfo() bot.RequestInfo {
	from := Normalize(e.Msg, e.Chat).Sender
	return bot.RequestInfo{Kind: bot.GroupInvitation, ID: strconv.FormatInt(e.ChatID, 10), From: from, Chat: e.Chat}
}

// MsgEdited is an incoming message its author edited: the core changes the
// message in place and says so with MsgsChanged; the platform passes it
// on as this event when the message it reads has isEdited. Messages()
// returns the new version with Edited set, so message handlers see edits.
// Edits are passed on live only, not caught up after a reconnect.
type MsgEdited struct {
	AccountID int64
	ChatID    int64
	MsgID     int64
	// Msg is the message as edited.
	Msg  *Message
	Chat bot.Chat
	msgs []bot.Message
	gen  int64
}

// NewMsgEdited builds the event for edited message m in chat.
func NewMsgEdited(account int64, m *Message, chat bot.Chat) *MsgEdited {
	n := Normalize(m, chat)
	n.Edited = true
	return &MsgEdited{AccountID: account, ChatID: m.ChatID, MsgID: m.ID, Msg: m, Chat: chat, msgs: []bot.Message{n}}
}

// Type returns "MsgEdited".
func (e *MsgEdited) Type() string { return TypeMsgEdited }

// ChatKey returns the chat's key.
func (e *MsgEdited) ChatKey() string { return chatKey(e.AccountID, e.ChatID) }

// DedupeKey is "privitty:<account>:edit:<msg>:<text>" with a hash of the
// new text: Delta Chat gives an edit no id of its own, and the same
// message's change to the same text is the same edit.
func (e *MsgEdited) DedupeKey() string {
	h := fnv.New64a()
	h.Write([]byte(e.Msg.Text))
	return msgKey(e.AccountID, e.gen, "edit", e.MsgID) + ":" + strconv.FormatUint(h.Sum64(), 36)
}

// Messages returns the edited message, with Edited set.
func (e *MsgEdited) Messages() []bot.Message { return e.msgs }

// InfoMsg is an info (system) message of a chat other than a membership
// change, such as "Group name changed …": its text is the core's, not a
// person's, so it is not a message event. Handlers that care read Msg
// (SystemMessageType tells the kind). Like messages it is delivered once,
// in order within its chat, and marked seen once handled.
type InfoMsg struct {
	AccountID int64
	ChatID    int64
	Msg       *Message
	Chat      bot.Chat
	Replayed  bool
	gen       int64
}

// Type returns "InfoMsg".
func (e *InfoMsg) Type() string { return TypeInfoMsg }

// ChatKey returns the chat's key.
func (e *InfoMsg) ChatKey() string { return chatKey(e.AccountID, e.ChatID) }

// DedupeKey is "privitty:<account>:<msg>".
func (e *InfoMsg) DedupeKey() string { return msgKey(e.AccountID, e.gen, "", e.Msg.ID) }

// MsgDelivered: a message reached the recipient's server.
type MsgDelivered struct{ MsgEvent }

// Type returns "MsgDelivered".
func (e *MsgDelivered) Type() string { return TypeMsgDelivered }

// ChatKey returns the chat's key.
func (e *MsgDelivered) ChatKey() string { return chatKey(e.AccountID, e.ChatID) }

// MsgRead: the recipient opened a message.
type MsgRead struct{ MsgEvent }

// Type returns "MsgRead".
func (e *MsgRead) Type() string { return TypeMsgRead }

// ChatKey returns the chat's key.
func (e *MsgRead) ChatKey() string { return chatKey(e.AccountID, e.ChatID) }

// MsgFailed: delivery of a message failed.
type MsgFailed struct{ MsgEvent }

// Type returns "MsgFailed".
func (e *MsgFailed) Type() string { return TypeMsgFailed }

// ChatKey returns the chat's key.
func (e *MsgFailed) ChatKey() string { return chatKey(e.AccountID, e.ChatID) }

// ConnectivityChanged: the network state changed; call get_connectivity.
type ConnectivityChanged struct {
	AccountID int64 `json:"account_id"`
}

// Type returns "ConnectivityChanged".
func (e *ConnectivityChanged) Type() string { return TypeConnectivityChanged }

// ChatModified: a chat's metadata changed.
type ChatModified struct {
	AccountID int64 `json:"account_id"`
	ChatID    int64 `json:"chat_id"`
}

// Type returns "ChatModified".
func (e *ChatModified) Type() string { return TypeChatModified }

// ChatKey returns the chat's key.
func (e *ChatModified) ChatKey() string { return chatKey(e.AccountID, e.ChatID) }

// ContactsChanged: the contact list changed.
type ContactsChanged struct {
	AccountID int64 `json:"account_id"`
	ContactID int64 `json:"contact_id"`
}

// Type returns "ContactsChanged".
func (e *ContactsChanged) Type() string { return TypeContactsChanged }

// Warning is a non-fatal warning of the core.
type Warning struct {
	AccountID int64  `json:"account_id"`
	Msg       string `json:"msg"`
}

// Type returns "Warning".
func (e *Warning) Type() string { return TypeWarning }

// CoreError is the "Error" event: an error of the core.
type CoreError struct {
	AccountID int64  `json:"account_id"`
	Msg       string `json:"msg"`
}

// Type returns "Error".
func (e *CoreError) Type() string { return TypeError }

// SecurejoinInviterProgress: a peer is joining through the bot's invite.
// Progress is 0 on failure, 1–999 while running, 1000 when done.
type SecurejoinInviterProgress struct {
	AccountID int64    `json:"account_id"`
	ContactID int64    `json:"contact_id"`
	ChatID    int64    `json:"chat_id"`
	ChatType  ChatType `json:"chat_type"`
	Progress  int      `json:"progress"`
}

// Type returns "SecurejoinInviterProgress".
func (e *SecurejoinInviterProgress) Type() string { return TypeSecurejoinInviterProgress }

// SecurejoinJoinerProgress: the bot's join progresses (see
// SecurejoinInviterProgress for Progress).
type SecurejoinJoinerProgress struct {
	AccountID int64 `json:"account_id"`
	ContactID int64 `json:"contact_id"`
	Progress  int   `json:"progress"`
}

// Type returns "SecurejoinJoinerProgress".
func (e *SecurejoinJoinerProgress) Type() string { return TypeSecurejoinJoinerProgress }

// PrivittyChatEncryptionChanged: a Privitty handshake completed or was
// removed. Privitty events carry no account id.
type PrivittyChatEncryptionChanged struct {
	AccountID   int64 `json:"account_id"`
	ChatID      int64 `json:"chat_id"`
	IsEncrypted bool  `json:"is_encrypted"`
}

// Type returns "PrivittyChatEncryptionChanged".
func (e *PrivittyChatEncryptionChanged) Type() string { return TypePrivittyChatEncryptionChanged }

// ChatKey returns the chat's key.
func (e *PrivittyChatEncryptionChanged) ChatKey() string { return chatKey(e.AccountID, e.ChatID) }

// PrivittyFileEncrypted: a file was encrypted after sending.
type PrivittyFileEncrypted struct {
	AccountID int64 `json:"account_id"`
	ChatID    int64 `json:"chat_id"`
	MsgID     int64 `json:"msg_id"`
}

// Type returns "PrivittyFileEncrypted".
func (e *PrivittyFileEncrypted) Type() string { return TypePrivittyFileEncrypted }

// ChatKey returns the chat's key.
func (e *PrivittyFileEncrypted) ChatKey() string { return chatKey(e.AccountID, e.ChatID) }

// PrivittyFileDecrypted: a file was decrypted for viewing.
type PrivittyFileDecrypted struct {
	AccountID int64 `json:"account_id"`
	ChatID    int64 `json:"chat_id"`
	MsgID     int64 `json:"msg_id"`
}

// Type returns "PrivittyFileDecrypted".
func (e *PrivittyFileDecrypted) Type() string { return TypePrivittyFileDecrypted }

// ChatKey returns the chat's key.
func (e *PrivittyFileDecrypted) ChatKey() string { return chatKey(e.AccountID, e.ChatID) }

// PrivittyPeerHandshakeComplete: the key exchange with a peer finished.
type PrivittyPeerHandshakeComplete struct {
	AccountID int64 `json:"account_id"`
	ChatID    int64 `json:"chat_id"`
	ContactID int64 `json:"contact_id"`
}

// Type returns "PrivittyPeerHandshakeComplete".
func (e *PrivittyPeerHandshakeComplete) Type() string { return TypePrivittyPeerHandshakeComplete }

// ChatKey returns the chat's key.
func (e *PrivittyPeerHandshakeComplete) ChatKey() string { return chatKey(e.AccountID, e.ChatID) }

// PrivittyFileAccessRevoked: a peer's access to a file was revoked.
type PrivittyFileAccessRevoked struct {
	AccountID int64  `json:"account_id"`
	ChatID    int64  `json:"chat_id"`
	ContactID int64  `json:"contact_id"`
	FileID    FileID `json:"file_id"`
}

// Type returns "PrivittyFileAccessRevoked".
func (e *PrivittyFileAccessRevoked) Type() string { return TypePrivittyFileAccessRevoked }

// ChatKey returns the chat's key.
func (e *PrivittyFileAccessRevoked) ChatKey() string { return chatKey(e.AccountID, e.ChatID) }

// PrivittyFileAccessChanged: a file's access state changed.
type PrivittyFileAccessChanged struct {
	AccountID int64  `json:"account_id"`
	ChatID    int64  `json:"chat_id"`
	FileID    FileID `json:"file_id"`
}

// Type returns "PrivittyFileAccessChanged".
func (e *PrivittyFileAccessChanged) Type() string { return TypePrivittyFileAccessChanged }

// ChatKey returns the chat's key.
func (e *PrivittyFileAccessChanged) ChatKey() string { return chatKey(e.AccountID, e.ChatID) }

// PrivittyAccessRenewRequested: a peer asked to renew access to a file.
type PrivittyAccessRenewRequested struct {
	AccountID          int64  `json:"account_id"`
	ChatID             int64  `json:"chat_id"`
	FileID             FileID `json:"file_id"`
	RequesterContactID int64  `json:"requester_contact_id"`
}

// Type returns "PrivittyAccessRenewRequested".
func (e *PrivittyAccessRenewRequested) Type() string { return TypePrivittyAccessRenewRequested }

// ChatKey returns the chat's key.
func (e *PrivittyAccessRenewRequested) ChatKey() string { return chatKey(e.AccountID, e.ChatID) }

// ConfigureProgress: account set-up progresses (0–1000).
type ConfigureProgress struct {
	AccountID int64  `json:"account_id"`
	Progress  int    `json:"progress"`
	Comment   string `json:"comment"`
}

// Type returns "ConfigureProgress".
func (e *ConfigureProgress) Type() string { return TypeConfigureProgress }

// ImexProgress: import or export progresses (0–1000).
type ImexProgress struct {
	AccountID int64 `json:"account_id"`
	Progress  int   `json:"progress"`
}

// Type returns "ImexProgress".
func (e *ImexProgress) Type() string { return TypeImexProgress }

// Lag is the daemon's `event: lag`: it dropped Dropped events because the
// client read too slowly. The platform resynchronizes after it.
type Lag struct {
	Dropped int64 `json:"dropped"`
}

// Type returns "lag".
func (e *Lag) Type() string { return TypeLag }

// Unknown is an event of a type this package does not know. It keeps the
// data as received.
type Unknown struct {
	// TypeName is the "type" key, or the SSE event name of a named event.
	TypeName string
	Raw      json.RawMessage
}

// Type returns the unknown type's name.
func (e *Unknown) Type() string { return e.TypeName }

// Unknown reports true.
func (e *Unknown) Unknown() bool { return true }

var eventTypes = map[string]func() bot.Event{
	TypeIncomingMsg:                   func() bot.Event { return &IncomingMsg{} },
	TypeMsgDelivered:                  func() bot.Event { return &MsgDelivered{} },
	TypeMsgRead:                       func() bot.Event { return &MsgRead{} },
	TypeMsgFailed:                     func() bot.Event { return &MsgFailed{} },
	TypeConnectivityChanged:           func() bot.Event { return &ConnectivityChanged{} },
	TypeChatModified:                  func() bot.Event { return &ChatModified{} },
	TypeContactsChanged:               func() bot.Event { return &ContactsChanged{} },
	TypeWarning:                       func() bot.Event { return &Warning{} },
	TypeError:                         func() bot.Event { return &CoreError{} },
	TypeSecurejoinInviterProgress:     func() bot.Event { return &SecurejoinInviterProgress{} },
	TypeSecurejoinJoinerProgress:      func() bot.Event { return &SecurejoinJoinerProgress{} },
	TypePrivittyChatEncryptionChanged: func() bot.Event { return &PrivittyChatEncryptionChanged{} },
	TypePrivittyFileEncrypted:         func() bot.Event { return &PrivittyFileEncrypted{} },
	TypePrivittyFileDecrypted:         func() bot.Event { return &PrivittyFileDecrypted{} },
	TypePrivittyPeerHandshakeComplete: func() bot.Event { return &PrivittyPeerHandshakeComplete{} },
	TypePrivittyFileAccessRevoked:     func() bot.Event { return &PrivittyFileAccessRevoked{} },
	TypePrivittyFileAccessChanged:     func() bot.Event { return &PrivittyFileAccessChanged{} },
	TypePrivittyAccessRenewRequested:  func() bot.Event { return &PrivittyAccessRenewRequested{} },
	TypeConfigureProgress:             func() bot.Event { return &ConfigureProgress{} },
	TypeImexProgress:                  func() bot.Event { return &ImexProgress{} },
}

// DecodeEvent decodes the data of one unnamed SSE event: a JSON object
// with a "type" key. Unknown types become *Unknown. Keys may be snake_case
// (as sent) or camelCase; unknown keys are ignored. The error wraps
// ErrMalformedEvent.
func DecodeEvent(data []byte) (bot.Event, error) {
	var head struct {
		Type *string `json:"type"`
	}
	if err := json.Unmarshal(data, &head); err != nil {
		return nil, fmt.Errorf("%w: %w (data %q)", ErrMalformedEvent, err, truncate(data))
	}
	if head.Type == nil || *head.Type == "" {
		return nil, fmt.Errorf("%w: no \"type\" (data %q)", ErrMalformedEvent, truncate(data))
	}
	mk, ok := eventTypes[*head.Type]
	if !ok {
		return &Unknown{TypeName: *head.Type, Raw: append(json.RawMessage(nil), data...)}, nil
	}
	e := mk()
	target := any(e)
	if im, ok := e.(*IncomingMsg); ok {
		target = &im.MsgEvent
	}
	if err := decodeLenient(data, target, snakeKeys); err != nil {
		return nil, fmt.Errorf("%w: %s: %w", ErrMalformedEvent, *head.Type, err)
	}
	return e, nil
}

// DecodeLag decodes the data of an `event: lag`.
func DecodeLag(data []byte) (*Lag, error) {
	var l Lag
	if err := json.Unmarshal(data, &l); err != nil {
		return nil, fmt.Errorf("%w: lag: %w (data %q)", ErrMalformedEvent, err, truncate(data))
	}
	return &l, nil
}

// FileID is a Privitty file id. It decodes from a JSON string or number,
// since the documentation does not say which the daemon sends.
type FileID string

// UnmarshalJSON accepts a string, a number or null.
func (f *FileID) UnmarshalJSON(b []byte) error {
	if string(b) == "null" {
		*f = ""
		return nil
	}
	if len(b) > 0 && b[0] == '"' {
		var s string
		if err := json.Unmarshal(b, &s); err != nil {
			return err
		}
		*f = FileID(s)
		return nil
	}
	var n json.Number
	if err := json.Unmarshal(b, &n); err != nil {
		return fmt.Errorf("privitty: file id %s: want a string or a number", truncate(b))
	}
	*f = FileID(n.String())
	return nil
}

// Routine reports true: delivery receipts come with every message sent,
// so the Logger middleware logs them at debug.
func (*MsgDelivered) Routine() bool { return true }

// Routine reports true: read receipts come with every message sent, so
// the Logger middleware logs them at debug.
func (*MsgRead) Routine() bool { return true }

// Routine reports true: read counts change with every reader, so the
// Logger middleware logs them at debug.
func (*MsgReadCountChanged) Routine() bool { return true }
