package privitty

import (
	"bytes"
	"encoding/json"
	"fmt"
	"strconv"
	"strings"
)

// Special contact ids of Delta Chat core; ids up to LastSpecialID are
// never real people.
const (
	ContactSelf   int64 = 1
	ContactInfo   int64 = 2
	ContactDevice int64 = 5
	LastSpecialID int64 = 9
)

// Message states (Message.State).
const (
	StateUndefined    = 0
	StateInFresh      = 10
	StateInNoticed    = 13
	StateInSeen       = 16
	StateOutDraft     = 19
	StateOutPending   = 20
	StateOutFailed    = 24
	StateOutDelivered = 26
	StateOutMdnRcvd   = 28
)

// View types (Message.ViewType, MessageData.ViewType).
const (
	ViewText    = "Text"
	ViewImage   = "Image"
	ViewFile    = "File"
	ViewVoice   = "Voice"
	ViewVideo   = "Video"
	ViewSticker = "Sticker"
)

// ChatType is a chat's kind. Upstream cores send strings; Privitty's 2.20
// core sends numbers, which decode to the same names.
type ChatType string

// Chat types.
const (
	ChatSingle       ChatType = "Single"
	ChatGroup        ChatType = "Group"
	ChatMailinglist  ChatType = "Mailinglist"
	ChatOutBroadcast ChatType = "OutBroadcast"
	ChatInBroadcast  ChatType = "InBroadcast"
)

var numericChatTypes = map[int64]ChatType{
	100: ChatSingle, 120: ChatGroup, 140: ChatMailinglist, 160: ChatOutBroadcast, 165: ChatInBroadcast,
}

// UnmarshalJSON accepts a name or a number; unknown numbers are kept as
// their decimal text.
func (t *ChatType) UnmarshalJSON(b []byte) error {
	b = bytes.TrimSpace(b)
	if len(b) == 0 || string(b) == "null" {
		*t = ""
		return nil
	}
	if b[0] == '"' {
		var s string
		if err := json.Unmarshal(b, &s); err != nil {
			return err
		}
		*t = ChatType(s)
		return nil
	}
	n, err := strconv.ParseInt(string(b), 10, 64)
	if err != nil {
		return fmt.Errorf("privitty: chat type %s: want a name or an integer", truncate(b))
	}
	if name, ok := numericChatTypes[n]; ok {
		*t = name
		return nil
	}
	*t = ChatType(strconv.FormatInt(n, 10))
	return nil
}

// IsGroup reports whether the chat has several members (groups, mailing
// lists and broadcasts).
func (t ChatType) IsGroup() bool { return t != ChatSingle && t != "" }

// Contact is a Delta Chat contact.
type Contact struct {
	ID              int64  `json:"id"`
	Address         string `json:"address"`
	Color           string `json:"color"`
	AuthName        string `json:"authName"`
	Status          string `json:"status"`
	DisplayName     string `json:"displayName"`
	Name            string `json:"name"`
	ProfileImage    string `json:"profileImage"`
	NameAndAddr     string `json:"nameAndAddr"`
	IsBlocked       bool   `json:"isBlocked"`
	IsKeyContact    bool   `json:"isKeyContact"`
	E2EEAvail       bool   `json:"e2eeAvail"`
	IsVerified      bool   `json:"isVerified"`
	VerifierID      int64  `json:"verifierId"`
	LastSeen        int64  `json:"lastSeen"`
	WasSeenRecently bool   `json:"wasSeenRecently"`
	IsBot           bool   `json:"isBot"`
	// Freshness is kept as the core sends it (newer cores only); its
	// shape is not fixed here.
	Freshness json.RawMessage `json:"freshness,omitempty"`
	// Raw is the object as received, unknown fields included.
	Raw json.RawMessage `json:"-"`
}

// UnmarshalJSON decodes camelCase or snake_case keys.
func (c *Contact) UnmarshalJSON(b []byte) error {
	type plain Contact
	var v plain
	if err := decodeLenient(b, &v, camelKeys); err != nil {
		return fmt.Errorf("privitty: contact: %w", err)
	}
	*c = Contact(v)
	c.Raw = append(json.RawMessage(nil), b...)
	return nil
}

// Quote is what a message quotes: Kind "JustText" or "WithMessage".
type Quote struct {
	Kind              string `json:"kind"`
	Text              string `json:"text"`
	MessageID         int64  `json:"messageId"`
	ChatID            int64  `json:"chatId"`
	AuthorDisplayName string `json:"authorDisplayName"`
	// AuthorDisplayColor is the author's color, "#rrggbb".
	AuthorDisplayColor string `json:"authorDisplayColor"`
	OverrideSender     string `json:"overrideSenderName"`
	Image              string `json:"image"`
	IsForwarded        bool   `json:"isForwarded"`
	ViewType           string `json:"viewType"`
}

// UnmarshalJSON decodes camelCase or snake_case keys.
func (q *Quote) UnmarshalJSON(b []byte) error {
	type plain Quote
	var v plain
	if err := decodeLenient(b, &v, camelKeys); err != nil {
		return fmt.Errorf("privitty: quote: %w", err)
	}
	*q = Quote(v)
	return nil
}

// Reaction is one emoji with its count.
type Reaction struct {
	Emoji      string `json:"emoji"`
	Count      int    `json:"count"`
	IsFromSelf bool   `json:"isFromSelf"`
}

// Reactions are the reactions on a message.
type Reactions struct {
	ReactionsByContact map[string][]string `json:"reactionsByContact"`
	Reactions          []Reaction          `json:"reactions"`
}

// Message is a Delta Chat message (result of get_message).
type Message struct {
	ID                    int64      `json:"id"`
	ChatID                int64      `json:"chatId"`
	FromID                int64      `json:"fromId"`
	Quote                 *Quote     `json:"quote"`
	ParentID              int64      `json:"parentId"`
	Text                  string     `json:"text"`
	IsEdited              bool       `json:"isEdited"`
	HasLocation           bool       `json:"hasLocation"`
	HasHTML               bool       `json:"hasHtml"`
	ViewType              string     `json:"viewType"`
	State                 int        `json:"state"`
	Error                 string     `json:"error"`
	Timestamp             int64      `json:"timestamp"`
	SortTimestamp         int64      `json:"sortTimestamp"`
	ReceivedTimestamp     int64      `json:"receivedTimestamp"`
	HasDeviatingTimestamp bool       `json:"hasDeviatingTimestamp"`
	Subject               string     `json:"subject"`
	ShowPadlock           bool       `json:"showPadlock"`
	IsInfo                bool       `json:"isInfo"`
	IsForwarded           bool       `json:"isForwarded"`
	IsBot                 bool       `json:"isBot"`
	SystemMessageType     string     `json:"systemMessageType"`
	InfoContactID         int64      `json:"infoContactId"`
	Duration              int64      `json:"duration"`
	DimensionsHeight      int        `json:"dimensionsHeight"`
	DimensionsWidth       int        `json:"dimensionsWidth"`
	OverrideSenderName    string     `json:"overrideSenderName"`
	Sender                *Contact   `json:"sender"`
	File                  string     `json:"file"`
	FileMime              string     `json:"fileMime"`
	FileBytes             int64      `json:"fileBytes"`
	FileName              string     `json:"fileName"`
	WebxdcHref            string     `json:"webxdcHref"`
	DownloadState         string     `json:"downloadState"`
	OriginalMsgID         int64      `json:"originalMsgId"`
	SavedMessageID        int64      `json:"savedMessageId"`
	IsPinned              bool       `json:"isPinned"`
	Reactions             *Reactions `json:"reactions"`
	IsSetupMessage        bool       `json:"isSetupmessage"`
	SetupCodeBegin        string     `json:"setupCodeBegin"`
	// VcardContact is the first contact a vCard message shares.
	VcardContact *VcardContact `json:"vcardContact"`
	// Raw is the object as received, unknown fields included.
	Raw json.RawMessage `json:"-"`
}

// UnmarshalJSON decodes camelCase or snake_case keys.
func (m *Message) UnmarshalJSON(b []byte) error {
	type plain Message
	var v plain
	if err := decodeLenient(b, &v, camelKeys); err != nil {
		return fmt.Errorf("privitty: message: %w", err)
	}
	*m = Message(v)
	m.Raw = append(json.RawMessage(nil), b...)
	return nil
}

// VcardContact is a contact shared as a vCard.
type VcardContact struct {
	Addr         string `json:"addr"`
	DisplayName  string `json:"displayName"`
	Key          string `json:"key"`          // public key, base64
	ProfileImage string `json:"profileImage"` // base64
	Color        string `json:"color"`
	Timestamp    int64  `json:"timestamp"`
}

// UnmarshalJSON decodes camelCase or snake_case keys.
func (v *VcardContact) UnmarshalJSON(b []byte) error {
	type plain VcardContact
	var p plain
	if err := decodeLenient(b, &p, camelKeys); err != nil {
		return fmt.Errorf("privitty: vcard contact: %w", err)
	}
	*v = VcardContact(p)
	return nil
}

// Incoming reports whether the message was written by someone else than
// the bot: not the bot's own, not an info or device message.
func (m *Message) Incoming() bool {
	return m.FromID > LastSpecialID && !m.IsInfo
}

// QuotedID returns the id of the quoted message, or 0.
func (m *Message) QuotedID() int64 {
	if m.Quote == nil {
		return 0
	}
	return m.Quote.MessageID
}

// MessageResult is one value of get_messages: a Message, or the error that
// kept it from loading.
type MessageResult struct {
	Message *Message
	Error   string
}

// UnmarshalJSON decodes {"kind":"message",…} and
// {"kind":"loadingError","error":…}.
func (r *MessageResult) UnmarshalJSON(b []byte) error {
	var head struct {
		Kind  string          `json:"kind"`
		Error json.RawMessage `json:"error"`
	}
	if err := json.Unmarshal(b, &head); err != nil {
		return fmt.Errorf("privitty: message result: %w", err)
	}
	switch head.Kind {
	case "loadingError", "LoadingError":
		var s string
		if json.Unmarshal(head.Error, &s) != nil {
			s = string(head.Error)
		}
		if s == "" {
			s = "loading error"
		}
		*r = MessageResult{Error: s}
		return nil
	}
	var m Message
	if err := json.Unmarshal(b, &m); err != nil {
		return err
	}
	*r = MessageResult{Message: &m}
	return nil
}

// Chat is the result of get_basic_chat_info and get_full_chat_by_id;
// fields only the full chat has stay zero in a basic one.
type Chat struct {
	ID                  int64    `json:"id"`
	Name                string   `json:"name"`
	IsEncrypted         bool     `json:"isEncrypted"`
	IsProtected         bool     `json:"isProtected"`
	ProfileImage        string   `json:"profileImage"`
	Archived            bool     `json:"archived"`
	Pinned              bool     `json:"pinned"`
	ChatType            ChatType `json:"chatType"`
	IsUnpromoted        bool     `json:"isUnpromoted"`
	IsSelfTalk          bool     `json:"isSelfTalk"`
	ContactIDs          []int64  `json:"contactIds"`
	PastContactIDs      []int64  `json:"pastContactIds"`
	Color               string   `json:"color"`
	FreshMessageCounter int      `json:"freshMessageCounter"`
	IsContactRequest    bool     `json:"isContactRequest"`
	IsDeviceChat        bool     `json:"isDeviceChat"`
	SelfInGroup         bool     `json:"selfInGroup"`
	IsMuted             bool     `json:"isMuted"`
	EphemeralTimer      int64    `json:"ephemeralTimer"`
	CanSend             bool     `json:"canSend"`
	WasSeenRecently     bool     `json:"wasSeenRecently"`
	MailingListAddress  string   `json:"mailingListAddress"`
	// Raw is the object as received, unknown fields included.
	Raw json.RawMessage `json:"-"`
}

// UnmarshalJSON decodes camelCase or snake_case keys.
func (c *Chat) UnmarshalJSON(b []byte) error {
	type plain Chat
	var v plain
	if err := decodeLenient(b, &v, camelKeys); err != nil {
		return fmt.Errorf("privitty: chat: %w", err)
	}
	*c = Chat(v)
	c.Raw = append(json.RawMessage(nil), b...)
	return nil
}

// ChatListItem is one value of get_chatlist_items_by_entries. Kind is
// "ChatListItem", "ArchiveLink" or "Error".
type ChatListItem struct {
	Kind       string   `json:"kind"`
	ID         int64    `json:"id"`
	Name       string   `json:"name"`
	AvatarPath string   `json:"avatarPath"`
	Color      string   `json:"color"`
	ChatType   ChatType `json:"chatType"`
	// LastUpdated is the last message's time in unix milliseconds.
	LastUpdated int64 `json:"lastUpdated"`
	// SummaryText1 is the summary's prefix (a sender, "Draft"…),
	// SummaryText2 its text; SummaryStatus the last message's state.
	SummaryText1        string `json:"summaryText1"`
	SummaryText2        string `json:"summaryText2"`
	SummaryStatus       int    `json:"summaryStatus"`
	SummaryPreviewImage string `json:"summaryPreviewImage"`
	IsEncrypted         bool   `json:"isEncrypted"`
	// IsGroup is deprecated upstream in favour of ChatType.
	IsGroup             bool   `json:"isGroup"`
	FreshMessageCounter int    `json:"freshMessageCounter"`
	IsSelfTalk          bool   `json:"isSelfTalk"`
	IsDeviceTalk        bool   `json:"isDeviceTalk"`
	IsSendingLocation   bool   `json:"isSendingLocation"`
	IsSelfInGroup       bool   `json:"isSelfInGroup"`
	IsArchived          bool   `json:"isArchived"`
	IsPinned            bool   `json:"isPinned"`
	IsMuted             bool   `json:"isMuted"`
	IsContactRequest    bool   `json:"isContactRequest"`
	DMChatContact       int64  `json:"dmChatContact"`
	WasSeenRecently     bool   `json:"wasSeenRecently"`
	LastMessageType     string `json:"lastMessageType"`
	LastMessageID       int64  `json:"lastMessageId"`
	Error               string `json:"error"`
	// Freshness is kept as the core sends it (newer cores only); its
	// shape is not fixed here.
	Freshness json.RawMessage `json:"freshness,omitempty"`
	// Raw is the object as received, unknown fields included.
	Raw json.RawMessage `json:"-"`
}

// UnmarshalJSON decodes camelCase or snake_case keys.
func (c *ChatListItem) UnmarshalJSON(b []byte) error {
	type plain ChatListItem
	var v plain
	if err := decodeLenient(b, &v, camelKeys); err != nil {
		return fmt.Errorf("privitty: chat list item: %w", err)
	}
	*c = ChatListItem(v)
	c.Raw = append(json.RawMessage(nil), b...)
	return nil
}

// MessageData is what send_msg sends. QuotedMessageID wins over
// QuotedText.
type MessageData struct {
	Text               string      `json:"text,omitempty"`
	HTML               string      `json:"html,omitempty"`
	ViewType           string      `json:"viewtype,omitempty"`
	File               string      `json:"file,omitempty"`
	Filename           string      `json:"filename,omitempty"`
	Location           *[2]float64 `json:"location,omitempty"`
	OverrideSenderName string      `json:"overrideSenderName,omitempty"`
	QuotedMessageID    int64       `json:"quotedMessageId,omitempty"`
	QuotedText         string      `json:"quotedText,omitempty"`
}

// Health is the body of GET /health.
type Health struct {
	Status  string `json:"status"`
	Service string `json:"service"`
	Version string `json:"version"`
}

// PrivittyFile is the result of privitty_send_file.
type PrivittyFile struct {
	EncryptedPath string `json:"encrypted_path"`
	// Raw is the whole result, for fields not modelled here.
	Raw json.RawMessage `json:"-"`
}

// UnmarshalJSON decodes snake_case or camelCase keys.
func (f *PrivittyFile) UnmarshalJSON(b []byte) error {
	type plain PrivittyFile
	var v plain
	if err := decodeLenient(b, &v, snakeKeys); err != nil {
		return fmt.Errorf("privitty: privitty_send_file result: %w", err)
	}
	*f = PrivittyFile(v)
	f.Raw = append(json.RawMessage(nil), b...)
	return nil
}

// keyStyle is the case style of a struct's JSON tags.
type keyStyle int

const (
	camelKeys keyStyle = iota // chatId
	snakeKeys                 // chat_id
)

// decodeLenient decodes b into v (a pointer to a struct without its own
// UnmarshalJSON), then fills fields whose keys came in the other case
// style than v's tags (style). Keys already in v's style win.
func decodeLenient(b []byte, v any, style keyStyle) error {
	if err := json.Unmarshal(b, v); err != nil {
		return err
	}
	if !needsAlt(b, style) {
		return nil
	}
	alt := snakeToCamel
	if style == snakeKeys {
		alt = camelToSnake
	}
	var m map[string]json.RawMessage
	if err := json.Unmarshal(b, &m); err != nil {
		return err
	}
	extra := map[string]json.RawMessage{}
	for k, val := range m {
		ak := alt(k)
		if ak == k {
			continue
		}
		if _, ok := m[ak]; ok {
			continue
		}
		extra[ak] = val
	}
	if len(extra) == 0 {
		return nil
	}
	nb, err := json.Marshal(extra)
	if err != nil {
		return err
	}
	return json.Unmarshal(nb, v)
}

// needsAlt reports whether any object key in b (at any depth) is in the
// other style than s: snake keys have an underscore, camel keys an
// upper-case ASCII letter. It only scans, so the common case of keys
// already in s's style costs no second decode.
func needsAlt(b []byte, s keyStyle) bool {
	for i := 0; i < len(b); i++ {
		if b[i] != '"' {
			continue
		}
		start := i + 1
		for i++; i < len(b) && b[i] != '"'; i++ {
			if b[i] == '\\' {
				i++
			}
		}
		if i >= len(b) {
			return false
		}
		str := b[start:i]
		j := i + 1
		for j < len(b) && (b[j] == ' ' || b[j] == '\t' || b[j] == '\n' || b[j] == '\r') {
			j++
		}
		if j >= len(b) || b[j] != ':' {
			continue // a value, not a key
		}
		if s == camelKeys && bytes.IndexByte(str, '_') >= 0 {
			return true
		}
		if s == snakeKeys && bytes.ContainsFunc(str, func(r rune) bool { return r >= 'A' && r <= 'Z' }) {
			return true
		}
	}
	return false
}

// snakeToCamel turns "from_id" into "fromId".
func snakeToCamel(s string) string {
	if strings.IndexByte(s, '_') < 0 {
		return s
	}
	var sb strings.Builder
	up := false
	for i := 0; i < len(s); i++ {
		c := s[i]
		if c == '_' {
			up = sb.Len() > 0
			continue
		}
		if up && c >= 'a' && c <= 'z' {
			c -= 'a' - 'A'
		}
		up = false
		sb.WriteByte(c)
	}
	return sb.String()
}

// camelToSnake turns "chatId" into "chat_id".
func camelToSnake(s string) string {
	var sb strings.Builder
	changed := false
	for i := 0; i < len(s); i++ {
		c := s[i]
		if c >= 'A' && c <= 'Z' {
			if i > 0 {
				sb.WriteByte('_')
			}
			c += 'a' - 'A'
			changed = true
		}
		sb.WriteByte(c)
	}
	if !changed {
		return s
	}
	return sb.String()
}

func truncate(b []byte) string {
	const max = 64
	if len(b) > max {
		return string(b[:max]) + "…"
	}
	return string(b)
}
