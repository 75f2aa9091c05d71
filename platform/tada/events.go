package tada

import (
	"bytes"
	"encoding/json"
	"errors"
	"fmt"
	"strconv"

	"github.com/parleybot/parley/bot"
)

// Server event names, as in the "event" key of a frame.
const (
	EventCallAnswer           = "server.call.answer"
	EventCallBuzz             = "server.call.buzz"
	EventCallBuzzCancel       = "server.call.buzzcancel"
	EventCallCheckFingerprint = "server.call.checkfingerprint"
	EventCallLeave            = "server.call.leave"
	EventCallMuteAll          = "server.call.muteall"
	EventCallReject           = "server.call.reject"
	EventCallRestart          = "server.call.restart"
	EventCallSDP              = "server.call.sdp"
	EventCallSound            = "server.call.sound"
	EventCallState            = "server.call.state"
	EventCallTalking          = "server.call.talking"
	EventChatComposing        = "server.chat.composing"
	EventChatDeleted          = "server.chat.deleted"
	EventChatDraft            = "server.chat.draft"
	EventChatLastRead         = "server.chat.lastread"
	EventChatUpdated          = "server.chat.updated"
	EventConfirm              = "server.confirm"
	EventContactUpdated       = "server.contact.updated"
	EventDebug                = "server.debug"
	EventLogin                = "server.login"
	EventLogout               = "server.logout"
	EventMessagePush          = "server.message.push"
	EventMessageReceived      = "server.message.received"
	EventMessageUpdated       = "server.message.updated"
	EventOnline               = "server.online"
	EventPanic                = "server.panic"
	EventProcessing           = "server.processing"
	EventRemindDeleted        = "server.remind.deleted"
	EventRemindFired          = "server.remind.fired"
	EventRemindUpdated        = "server.remind.updated"
	EventSectionDeleted       = "server.section.deleted"
	EventSectionUpdated       = "server.section.updated"
	EventTagDeleted           = "server.tag.deleted"
	EventTagUpdated           = "server.tag.updated"
	EventTeamCounters         = "server.team.counters"
	EventTeamDeleted          = "server.team.deleted"
	EventTeamUpdated          = "server.team.updated"
	EventTime                 = "server.time"
	EventUISettings           = "server.uisettings"
	EventUploadUpdated        = "server.upload.updated"
	EventWarning              = "server.warning"
)

// Names of the events the Platform derives from server.message.updated and
// server.contact.updated; they are not wire names.
const (
	TypeNewMessage     = "message.new"
	TypeMessageEdited  = "message.edited"
	TypeMessageDeleted = "message.deleted"
	TypeMessageChanged = "message.changed"
	TypeContactJoined  = "contact.joined"
)

// ErrMalformedFrame is wrapped by DecodeFrame errors.
var ErrMalformedFrame = errors.New("tada: malformed frame")

// ChatKeyOf is the bot's ordering key of a chat: "tada:<jid>".
func ChatKeyOf(jid string) string { return "tada:" + jid }

// jidEvent is embedded by events about one chat or contact.
type jidEvent struct {
	JID string `json:"jid"`
}

// ChatKey returns "tada:<jid>".
func (e *jidEvent) ChatKey() string { return ChatKeyOf(e.JID) }

// CallAnswer: the server's answer to a call offer (deprecated for
// server.call.sdp).
type CallAnswer struct {
	jidEvent
	UID        string         `json:"uid,omitempty"`
	JSEP       *JSEP          `json:"jsep,omitempty"`
	Candidates []ICECandidate `json:"candidates,omitempty"`
	Onliners   []CallOnliner  `json:"onliners,omitempty"`
}

// Type returns "server.call.answer".
func (*CallAnswer) Type() string { return EventCallAnswer }

// CallBuzz: a call rings.
type CallBuzz struct {
	jidEvent
	UID         string          `json:"uid,omitempty"`
	DisplayName string          `json:"display_name,omitempty"`
	Icons       Icons           `json:"icons,omitempty"`
	Team        string          `json:"team,omitempty"`
	BuzzTimeout int             `json:"buzz_timeout,omitempty"`
	Actor       json.RawMessage `json:"actor,omitempty"`
	ChatInfo    json.RawMessage `json:"chat,omitempty"`
	TeamInfo    json.RawMessage `json:"teaminfo,omitempty"`
}

// Type returns "server.call.buzz".
func (*CallBuzz) Type() string { return EventCallBuzz }

// CallBuzzCancel: a ringing call was cancelled.
type CallBuzzCancel struct {
	jidEvent
	UID  string `json:"uid,omitempty"`
	Team string `json:"team,omitempty"`
}

// Type returns "server.call.buzzcancel".
func (*CallBuzzCancel) Type() string { return EventCallBuzzCancel }

// CallCheckFingerprint is experimental.
type CallCheckFingerprint struct {
	Fingerprint string `json:"fingerprint"`
}

// Type returns "server.call.checkfingerprint".
func (*CallCheckFingerprint) Type() string { return EventCallCheckFingerprint }

// CallLeave: a participant left a call.
type CallLeave struct {
	jidEvent
	UID string `json:"uid,omitempty"`
}

// Type returns "server.call.leave".
func (*CallLeave) Type() string { return EventCallLeave }

// CallMuteAll: everyone in a call was muted.
type CallMuteAll struct {
	jidEvent
	Muted bool `json:"muted"`
}

// Type returns "server.call.muteall".
func (*CallMuteAll) Type() string { return EventCallMuteAll }

// CallReject: a call was rejected.
type CallReject struct {
	jidEvent
	UID    string `json:"uid,omitempty"`
	Reason string `json:"reason,omitempty"`
}

// Type returns "server.call.reject".
func (*CallReject) Type() string { return EventCallReject }

// CallRestart: a call restarted.
type CallRestart struct {
	jidEvent
	UID  string `json:"uid,omitempty"`
	Team string `json:"team,omitempty"`
}

// Type returns "server.call.restart".
func (*CallRestart) Type() string { return EventCallRestart }

// CallSDP: the server's session description changed.
type CallSDP struct {
	jidEvent
	UID  string `json:"uid,omitempty"`
	JSEP *JSEP  `json:"jsep,omitempty"`
}

// Type returns "server.call.sdp".
func (*CallSDP) Type() string { return EventCallSDP }

// CallSound: a participant was muted or unmuted.
type CallSound struct {
	jidEvent
	Muted bool `json:"muted"`
}

// Type returns "server.call.sound".
func (*CallSound) Type() string { return EventCallSound }

// CallState describes a call.
type CallState struct {
	jidEvent
	UID         string        `json:"uid,omitempty"`
	AudioRecord bool          `json:"audiorecord"`
	Buzz        bool          `json:"buzz"`
	Created     string        `json:"created,omitempty"`
	Start       string        `json:"start,omitempty"`
	Finish      string        `json:"finish,omitempty"`
	Gentime     int64         `json:"gentime,omitempty"`
	Onliners    []CallOnliner `json:"onliners,omitempty"`
	Timestamp   int64         `json:"timestamp,omitempty"`
}

// Type returns "server.call.state".
func (*CallState) Type() string { return EventCallState }

// CallTalking: someone talks in a call.
type CallTalking struct {
	jidEvent
	Actor   string   `json:"actor"`
	Talking bool     `json:"talking"`
	Level   *float64 `json:"_level,omitempty"`
}

// Type returns "server.call.talking".
func (*CallTalking) Type() string { return EventCallTalking }

// ChatComposing: someone types or records audio in a chat.
type ChatComposing struct {
	jidEvent
	Actor      string `json:"actor"`
	Composing  bool   `json:"composing"`
	IsAudio    bool   `json:"is_audio"`
	ValidUntil string `json:"valid_until,omitempty"`
}

// Type returns "server.chat.composing".
func (*ChatComposing) Type() string { return EventChatComposing }

// chatsEvent is embedded by the events that carry chats and counters.
type chatsEvent struct {
	Chats      []Chat      `json:"chats"`
	TeamUnread *TeamUnread `json:"team_unread,omitempty"`
	Badge      *int        `json:"badge,omitempty"`
}

// ChatDeleted: chats were deleted or archived.
type ChatDeleted struct{ chatsEvent }

// Type returns "server.chat.deleted".
func (*ChatDeleted) Type() string { return EventChatDeleted }

// GroupChanges reports every deleted group chat as bot.GroupDeleted.
func (e *ChatDeleted) GroupChanges() []bot.GroupChange {
	var out []bot.GroupChange
	for _, c := range e.Chats {
		if ChatTypeOf(c.JID) != ChatDirect {
			out = append(out, bot.GroupChange{Kind: bot.GroupDeleted, Chat: bot.Chat{ID: c.JID, Kind: bot.Group, Title: c.DisplayName}})
		}
	}
	return out
}

// ChatDraft: the draft of a chat changed.
type ChatDraft struct {
	jidEvent
	Draft        string `json:"draft"`
	DraftGentime int64  `json:"draft_gentime"`
	DraftNum     int64  `json:"draft_num,omitempty"`
}

// Type returns "server.chat.draft".
func (*ChatDraft) Type() string { return EventChatDraft }

// ChatLastRead: the last read message of chats changed.
type ChatLastRead struct{ chatsEvent }

// Type returns "server.chat.lastread".
func (*ChatLastRead) Type() string { return EventChatLastRead }

// ChatUpdated: chats were created or changed.
type ChatUpdated struct{ chatsEvent }

// Type returns "server.chat.updated".
func (*ChatUpdated) Type() string { return EventChatUpdated }

// Confirm: the server got a client event; ConfirmID is the event's.
type Confirm struct {
	ConfirmID string `json:"confirm_id"`
}

// Type returns "server.confirm".
func (*Confirm) Type() string { return EventConfirm }

// ContactUpdated: contacts were added or changed.
type ContactUpdated struct {
	Contacts []Contact `json:"contacts"`
}

// Type returns "server.contact.updated".
func (*ContactUpdated) Type() string { return EventContactUpdated }

// Debug is a debug message from the server.
type Debug struct {
	Text string `json:"text"`
}

// Type returns "server.debug".
func (*Debug) Type() string { return EventDebug }

// Login: the account logged in from another device.
type Login struct {
	DeviceName string `json:"device_name"`
}

// Type returns "server.login".
func (*Login) Type() string { return EventLogin }

// Logout: the session was ended.
type Logout struct{}

// Type returns "server.logout".
func (*Logout) Type() string { return EventLogout }

// MessagePush is a push notification for desktop applications.
type MessagePush struct {
	Chat        string `json:"chat"`
	ClickAction string `json:"click_action,omitempty"`
	Created     string `json:"created,omitempty"`
	IconURL     string `json:"icon_url,omitempty"`
	Message     string `json:"message"`
	MessageID   string `json:"message_id"`
	Sender      string `json:"sender"`
	Subtitle    string `json:"subtitle,omitempty"`
	Tag         string `json:"tag,omitempty"`
	Team        string `json:"team"`
	Title       string `json:"title"`
}

// Type returns "server.message.push".
func (*MessagePush) Type() string { return EventMessagePush }

// ChatKey returns the chat's key.
func (e *MessagePush) ChatKey() string { return ChatKeyOf(e.Chat) }

// MessageReceived: messages were received (read) by someone.
type MessageReceived struct {
	Messages []ReceivedMessage `json:"messages"`
}

// Type returns "server.message.received".
func (*MessageReceived) Type() string { return EventMessageReceived }

// MessageUpdated is the wire event for messages created, changed or
// deleted. Delayed false means new messages, true a silent update. The
// Platform does not hand it to handlers as it is: it splits it into
// NewMessage, MessageEdited, MessageDeleted and MessageChanged events.
type MessageUpdated struct {
	Messages     []Message      `json:"messages"`
	Delayed      bool           `json:"delayed"`
	ChatCounters []ChatCounters `json:"chat_counters,omitempty"`
	TeamUnread   *TeamUnread    `json:"team_unread,omitempty"`
	Badge        *int           `json:"badge,omitempty"`
}

// Type returns "server.message.updated".
func (*MessageUpdated) Type() string { return EventMessageUpdated }

// Online lists the team members online and the calls going on.
type Online struct {
	Contacts []OnlineContact `json:"contacts"`
	Calls    []OnlineCall    `json:"calls,omitempty"`
}

// Type returns "server.online".
func (*Online) Type() string { return EventOnline }

// Panic ends the connection: the token or team was refused. Code is the
// server's reason.
type Panic struct {
	Code string `json:"code"`
}

// Type returns "server.panic".
func (*Panic) Type() string { return EventPanic }

// Processing is the progress of a background operation.
type Processing struct {
	Action   string `json:"action"`
	HasError bool   `json:"has_error"`
	Message  string `json:"message"`
	Num      int    `json:"num"`
	Total    int    `json:"total"`
}

// Type returns "server.processing".
func (*Processing) Type() string { return EventProcessing }

// RemindDeleted: reminders were deleted.
type RemindDeleted struct {
	Reminds []Remind `json:"reminds"`
}

// Type returns "server.remind.deleted".
func (*RemindDeleted) Type() string { return EventRemindDeleted }

// RemindFired: reminders fired.
type RemindFired struct {
	Reminds []Remind `json:"reminds"`
}

// Type returns "server.remind.fired".
func (*RemindFired) Type() string { return EventRemindFired }

// RemindUpdated: reminders were created or changed.
type RemindUpdated struct {
	Reminds []Remind `json:"reminds"`
}

// Type returns "server.remind.updated".
func (*RemindUpdated) Type() string { return EventRemindUpdated }

// sectionsEvent is embedded by the section events.
type sectionsEvent struct {
	ChatType string    `json:"chat_type"`
	Gentime  int64     `json:"gentime,omitempty"`
	Sections []Section `json:"sections"`
}

// SectionDeleted: contact sections or task projects were deleted.
type SectionDeleted struct{ sectionsEvent }

// Type returns "server.section.deleted".
func (*SectionDeleted) Type() string { return EventSectionDeleted }

// SectionUpdated: contact sections or task projects were created or
// changed.
type SectionUpdated struct{ sectionsEvent }

// Type returns "server.section.updated".
func (*SectionUpdated) Type() string { return EventSectionUpdated }

// TagDeleted: tags were deleted.
type TagDeleted struct {
	Tags []Tag `json:"tags"`
}

// Type returns "server.tag.deleted".
func (*TagDeleted) Type() string { return EventTagDeleted }

// TagUpdated: tags were created or changed.
type TagUpdated struct {
	Tags []Tag `json:"tags"`
}

// Type returns "server.tag.updated".
func (*TagUpdated) Type() string { return EventTagUpdated }

// TeamCountersEvent carries the unread counters of the other teams.
type TeamCountersEvent struct {
	Teams []TeamCounters `json:"teams"`
	Badge *int           `json:"badge,omitempty"`
}

// Type returns "server.team.counters".
func (*TeamCountersEvent) Type() string { return EventTeamCounters }

// TeamDeleted: teams were archived.
type TeamDeleted struct {
	Teams []Team `json:"teams"`
}

// Type returns "server.team.deleted".
func (*TeamDeleted) Type() string { return EventTeamDeleted }

// TeamUpdated: teams were created or changed.
type TeamUpdated struct {
	Teams []Team `json:"teams"`
}

// Type returns "server.team.updated".
func (*TeamUpdated) Type() string { return EventTeamUpdated }

// Time is the server's current time.
type Time struct {
	Time string `json:"time"`
}

// Type returns "server.time".
func (*Time) Type() string { return EventTime }

// UISettings: part of the user interface settings changed.
type UISettings struct {
	Namespace string          `json:"namespace,omitempty"`
	Data      json.RawMessage `json:"data,omitempty"`
}

// Type returns "server.uisettings".
func (*UISettings) Type() string { return EventUISettings }

// UploadUpdated: uploads were created or changed (processing finished).
type UploadUpdated struct {
	Uploads []Upload `json:"uploads"`
}

// Type returns "server.upload.updated".
func (*UploadUpdated) Type() string { return EventUploadUpdated }

// Warning: the server could not use a client event, for example one it
// does not know. Orig identifies it.
type Warning struct {
	Message string `json:"message"`
	Orig    struct {
		ConfirmID string `json:"confirm_id,omitempty"`
		Event     string `json:"event,omitempty"`
	} `json:"orig"`
}

// Type returns "server.warning".
func (*Warning) Type() string { return EventWarning }

// Unknown is an event this package does not know, or a known one whose
// params did not decode (Err says why). Raw is the whole frame.
type Unknown struct {
	Name string
	Raw  json.RawMessage
	Err  error
}

// Type returns the event name from the frame.
func (e *Unknown) Type() string { return e.Name }

// Unknown reports true.
func (*Unknown) Unknown() bool { return true }

// newEvent makes an empty event of a known name.
var newEvent = map[string]func() bot.Event{
	EventCallAnswer:           func() bot.Event { return &CallAnswer{} },
	EventCallBuzz:             func() bot.Event { return &CallBuzz{} },
	EventCallBuzzCancel:       func() bot.Event { return &CallBuzzCancel{} },
	EventCallCheckFingerprint: func() bot.Event { return &CallCheckFingerprint{} },
	EventCallLeave:            func() bot.Event { return &CallLeave{} },
	EventCallMuteAll:          func() bot.Event { return &CallMuteAll{} },
	EventCallReject:           func() bot.Event { return &CallReject{} },
	EventCallRestart:          func() bot.Event { return &CallRestart{} },
	EventCallSDP:              func() bot.Event { return &CallSDP{} },
	EventCallSound:            func() bot.Event { return &CallSound{} },
	EventCallState:            func() bot.Event { return &CallState{} },
	EventCallTalking:          func() bot.Event { return &CallTalking{} },
	EventChatComposing:        func() bot.Event { return &ChatComposing{} },
	EventChatDeleted:          func() bot.Event { return &ChatDeleted{} },
	EventChatDraft:            func() bot.Event { return &ChatDraft{} },
	EventChatLastRead:         func() bot.Event { return &ChatLastRead{} },
	EventChatUpdated:          func() bot.Event { return &ChatUpdated{} },
	EventConfirm:              func() bot.Event { return &Confirm{} },
	EventContactUpdated:       func() bot.Event { return &ContactUpdated{} },
	EventDebug:                func() bot.Event { return &Debug{} },
	EventLogin:                func() bot.Event { return &Login{} },
	EventLogout:               func() bot.Event { return &Logout{} },
	EventMessagePush:          func() bot.Event { return &MessagePush{} },
	EventMessageReceived:      func() bot.Event { return &MessageReceived{} },
	EventMessageUpdated:       func() bot.Event { return &MessageUpdated{} },
	EventOnline:               func() bot.Event { return &Online{} },
	EventPanic:                func() bot.Event { return &Panic{} },
	EventProcessing:           func() bot.Event { return &Processing{} },
	EventRemindDeleted:        func() bot.Event { return &RemindDeleted{} },
	EventRemindFired:          func() bot.Event { return &RemindFired{} },
	EventRemindUpdated:        func() bot.Event { return &RemindUpdated{} },
	EventSectionDeleted:       func() bot.Event { return &SectionDeleted{} },
	EventSectionUpdated:       func() bot.Event { return &SectionUpdated{} },
	EventTagDeleted:           func() bot.Event { return &TagDeleted{} },
	EventTagUpdated:           func() bot.Event { return &TagUpdated{} },
	EventTeamCounters:         func() bot.Event { return &TeamCountersEvent{} },
	EventTeamDeleted:          func() bot.Event { return &TeamDeleted{} },
	EventTeamUpdated:          func() bot.Event { return &TeamUpdated{} },
	EventTime:                 func() bot.Event { return &Time{} },
	EventUISettings:           func() bot.Event { return &UISettings{} },
	EventUploadUpdated:        func() bot.Event { return &UploadUpdated{} },
	EventWarning:              func() bot.Event { return &Warning{} },
}

// KnownEvents returns the names of the server events DecodeFrame turns
// into typed events.
func KnownEvents() []string {
	out := make([]string, 0, len(newEvent))
	for k := range newEvent {
		out = append(out, k)
	}
	return out
}

// Frame is one decoded WebSocket frame: {"event","params","confirm_id"}.
type Frame struct {
	// Name is the event name.
	Name string
	// ConfirmID, when set, must be answered with client.confirm.
	ConfirmID string
	// Event is the typed event, or *Unknown.
	Event bot.Event
}

type envelope struct {
	Event     string          `json:"event"`
	Params    json.RawMessage `json:"params,omitempty"`
	ConfirmID string          `json:"confirm_id,omitempty"`
}

// DecodeFrame decodes one server frame. A frame that is not a JSON object
// with an event name is an error wrapping ErrMalformedFrame. An unknown
// event name gives an *Unknown. A known event whose params do not decode
// gives an *Unknown with Err set together with an error, so that the
// caller can both count the problem and pass the raw event on.
func DecodeFrame(data []byte) (Frame, error) {
	var env envelope
	if err := json.Unmarshal(data, &env); err != nil {
		return Frame{}, fmt.Errorf("%w: %v", ErrMalformedFrame, err)
	}
	if env.Event == "" {
		return Frame{}, fmt.Errorf("%w: no event name", ErrMalformedFrame)
	}
	f := Frame{Name: env.Event, ConfirmID: env.ConfirmID}
	mk, ok := newEvent[env.Event]
	if !ok {
		f.Event = &Unknown{Name: env.Event, Raw: bytes.Clone(data)}
		return f, nil
	}
	ev := mk()
	if p := bytes.TrimSpace(env.Params); len(p) > 0 && !bytes.Equal(p, []byte("null")) {
		if err := json.Unmarshal(p, ev); err != nil {
			err = fmt.Errorf("%w: %s params: %v", ErrMalformedFrame, env.Event, err)
			f.Event = &Unknown{Name: env.Event, Raw: bytes.Clone(data), Err: err}
			return f, err
		}
	}
	f.Event = ev
	return f, nil
}

// EncodeFrame encodes an event frame; confirmID may be empty. It is used
// for client events and, by simulators, for server events.
func EncodeFrame(event string, params any, confirmID string) ([]byte, error) {
	env := envelope{Event: event, ConfirmID: confirmID}
	if params != nil {
		p, err := json.Marshal(params)
		if err != nil {
			return nil, fmt.Errorf("tada: encode %s: %w", event, err)
		}
		env.Params = p
	}
	return json.Marshal(env)
}

// The events the Platform derives from server.message.updated. Each holds
// one message; Delayed tells a silent update from a new message, and
// Replayed a message found by catch-up rather than the live stream.

// messageEvent is embedded by the derived message events.
type messageEvent struct {
	// Msg is the message as the server sent it.
	Msg Message
	// Replayed is set when catch-up found the message after a reconnect
	// or a restart.
	Replayed bool
	norm     []bot.Message
}

// ChatKey returns "tada:<chat jid>".
func (e *messageEvent) ChatKey() string { return ChatKeyOf(e.Msg.Chat) }

// NewMessage is a new message from someone else: server.message.updated
// with delayed false, or a message catch-up found. It reaches OnMessage.
type NewMessage struct{ messageEvent }

// Type returns "message.new".
func (*NewMessage) Type() string { return TypeNewMessage }

// DedupeKey is "tada:<message_id>": a message is new once.
func (e *NewMessage) DedupeKey() string { return "tada:" + e.Msg.MessageID }

// Messages returns the normalized message.
func (e *NewMessage) Messages() []bot.Message { return e.norm }

// MessageEdited is a new text of an earlier message. Its Messages has
// Edited set, so handlers that care can tell.
type MessageEdited struct{ messageEvent }

// Type returns "message.edited".
func (*MessageEdited) Type() string { return TypeMessageEdited }

// DedupeKey is "tada:<message_id>:<gentime>": each version once.
func (e *MessageEdited) DedupeKey() string {
	return "tada:" + e.Msg.MessageID + ":" + strconv.FormatInt(e.Msg.Gentime, 10)
}

// Messages returns the normalized message with Edited set.
func (e *MessageEdited) Messages() []bot.Message { return e.norm }

// MessageDeleted is a message that was deleted (content type "deleted").
type MessageDeleted struct{ messageEvent }

// Type returns "message.deleted".
func (*MessageDeleted) Type() string { return TypeMessageDeleted }

// DedupeKey is "tada:<message_id>:deleted".
func (e *MessageDeleted) DedupeKey() string { return "tada:" + e.Msg.MessageID + ":deleted" }

// MessageChanged is any other silent update of a message: reactions,
// receipts, previews. It is not a message for OnMessage.
type MessageChanged struct{ messageEvent }

// Type returns "message.changed".
func (*MessageChanged) Type() string { return TypeMessageChanged }

// DedupeKey is "tada:<message_id>:<gentime>".
func (e *MessageChanged) DedupeKey() string {
	return "tada:" + e.Msg.MessageID + ":" + strconv.FormatInt(e.Msg.Gentime, 10)
}

// Reactions returns the message's reactions.
func (e *MessageChanged) Reactions() []Reaction { return e.Msg.Reactions }

// Normalize converts a message to the bot.Message view. contact, when not
// nil, gives the sender's display name for a JID; role their role in the
// chat.
func Normalize(m *Message, contact func(jid string) (name, role string, isBot bool)) bot.Message {
	out := bot.Message{
		ID:     m.MessageID,
		Chat:   bot.Chat{ID: m.Chat, Kind: bot.Group},
		Sender: bot.Sender{ID: m.From},
		Text:   m.Content.Text,
		Time:   m.CreatedTime(),
		Edited: m.Edited != "",
	}
	if ChatTypeOf(m.Chat) == ChatDirect {
		out.Chat.Kind = bot.Direct
	}
	if m.Content.Type != ContentPlain && m.Content.Type != "" && m.Content.Comment != "" {
		out.Text = m.Content.Comment
	}
	if m.ReplyTo != nil {
		out.ReplyTo = m.ReplyTo.MessageID
	}
	for _, u := range m.Uploads {
		out.Files = append(out.Files, bot.File{ID: u.UID, Name: u.Name, Size: u.Size})
	}
	if len(m.Uploads) == 0 && m.Content.Upload != "" {
		out.Files = []bot.File{{ID: m.Content.Upload, Name: m.Content.Name, Size: m.Content.Size}}
	}
	if contact != nil {
		out.Sender.Name, out.Sender.Role, out.Sender.IsBot = contact(m.From)
		if out.Chat.Kind == bot.Direct {
			out.Chat.Title = out.Sender.Name
		}
	}
	return out
}

// NewNewMessage builds the event handlers see for a new message.
func NewNewMessage(m Message, norm bot.Message, replayed bool) *NewMessage {
	return &NewMessage{messageEvent{Msg: m, Replayed: replayed, norm: []bot.Message{norm}}}
}

// NewMessageEdited builds the event handlers see for an edit.
func NewMessageEdited(m Message, norm bot.Message, replayed bool) *MessageEdited {
	norm.Edited = true
	return &MessageEdited{messageEvent{Msg: m, Replayed: replayed, norm: []bot.Message{norm}}}
}

// ContactJoined is a new team member the bot had not seen, from
// server.contact.updated. Tada has no contact requests: anyone in the
// team may write to the bot. The event implements bot.Request so that the
// AutoAccept middleware can greet newcomers: accepting sends the welcome
// to the direct chat; rejecting is not possible.
type ContactJoined struct {
	Contact Contact
}

// Type returns "contact.joined".
func (*ContactJoined) Type() string { return TypeContactJoined }

// ChatKey returns the direct chat's key.
func (e *ContactJoined) ChatKey() string { return ChatKeyOf(e.Contact.JID) }

// DedupeKey is "tada:joined:<jid>".
func (e *ContactJoined) DedupeKey() string { return "tada:joined:" + e.Contact.JID }

// RequestInfo describes the newcomer as a contact request whose ID is
// their JID, which is also their direct chat's id.
func (e *ContactJoined) RequestInfo() bot.RequestInfo {
	return bot.RequestInfo{
		Kind: bot.ContactRequest,
		ID:   e.Contact.JID,
		From: bot.Sender{ID: e.Contact.JID, Name: e.Contact.DisplayName, IsBot: e.Contact.Botname != ""},
	}
}
