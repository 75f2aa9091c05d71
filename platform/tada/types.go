package tada

import (
	"encoding/json"
	"strings"
	"time"
)

// JID prefixes: the kind of an entity is in the first letters of its id.
const (
	PrefixDirect  = "d-"  // a contact; as a chat, the direct chat with them
	PrefixGroup   = "g-"  // a group chat
	PrefixTask    = "t-"  // a task, which is a chat too
	PrefixMeeting = "m-"  // a meeting chat
	PrefixThread  = "th-" // a thread of comments under a message
)

// Chat types as in Message.ChatType and ChatCounters.ChatType.
const (
	ChatDirect  = "direct"
	ChatGroup   = "group"
	ChatTask    = "task"
	ChatMeeting = "meeting"
	ChatThread  = "thread"
)

// Content types of MessageContent.Type.
const (
	ContentPlain   = "plain"
	ContentChange  = "change"
	ContentDeleted = "deleted"
	ContentFile    = "file"
	ContentImage   = "image"
	ContentVideo   = "video"
	ContentAudio   = "audiomsg"
	ContentContact = "contact"
	ContentPDF     = "pdf"
	ContentSticker = "sticker" // a subtype
	ContentNewTask = "newtask" // a subtype
	ContentNamed   = "named"   // a subtype
)

// ChatTypeOf returns the chat type a JID's prefix names ("direct",
// "group", "task", "meeting", "thread"), or "" for other ids.
func ChatTypeOf(jid string) string {
	switch {
	case strings.HasPrefix(jid, PrefixThread):
		return ChatThread
	case strings.HasPrefix(jid, PrefixDirect):
		return ChatDirect
	case strings.HasPrefix(jid, PrefixGroup):
		return ChatGroup
	case strings.HasPrefix(jid, PrefixTask):
		return ChatTask
	case strings.HasPrefix(jid, PrefixMeeting):
		return ChatMeeting
	}
	return ""
}

// MessageContent is the body of a message. Plain text is
// {"type":"plain","text":"…"}; the other fields belong to the other types.
type MessageContent struct {
	Text    string `json:"text"`
	Type    string `json:"type"`
	Subtype string `json:"subtype,omitempty"`
	// Upload fields (deprecated on the wire in favour of Message.Uploads).
	Upload        string `json:"upload,omitempty"`
	MediaURL      string `json:"mediaURL,omitempty"`
	Size          int64  `json:"size,omitempty"`
	Duration      int64  `json:"duration,omitempty"`
	Processing    bool   `json:"processing,omitempty"`
	Blurhash      string `json:"blurhash,omitempty"`
	PreviewHeight int    `json:"previewHeight,omitempty"`
	PreviewWidth  int    `json:"previewWidth,omitempty"`
	PreviewURL    string `json:"previewURL,omitempty"`
	Preview2xURL  string `json:"preview2xURL,omitempty"`
	Name          string `json:"name,omitempty"`
	Animated      bool   `json:"animated,omitempty"`
	// Change fields, for type "change".
	Title string `json:"title,omitempty"`
	Old   string `json:"old,omitempty"`
	New   string `json:"new,omitempty"`
	Actor string `json:"actor,omitempty"`
	// Comment is the text under a file.
	Comment string `json:"comment,omitempty"`
	// Contact fields, for type "contact".
	GivenName   string   `json:"given_name,omitempty"`
	FamilyName  string   `json:"family_name,omitempty"`
	Patronymic  string   `json:"patronymic,omitempty"`
	Phones      []string `json:"phones,omitempty"`
	Emails      []string `json:"emails,omitempty"`
	Stickerpack string   `json:"stickerpack,omitempty"`
	PDFVersion  any      `json:"pdf_version,omitempty"`
}

// Upload is a file attached to a message.
type Upload struct {
	UID          string  `json:"uid"`
	Size         int64   `json:"size,omitempty"`
	Duration     int64   `json:"duration,omitempty"`
	Name         string  `json:"name,omitempty"`
	URL          string  `json:"url,omitempty"`
	Preview      any     `json:"preview,omitempty"`
	ContentType  string  `json:"content_type,omitempty"`
	Animated     bool    `json:"animated,omitempty"`
	MediaType    string  `json:"type,omitempty"`
	Processing   bool    `json:"processing,omitempty"`
	PDFVersion   any     `json:"pdf_version,omitempty"`
	Created      string  `json:"created,omitempty"`
	Blurhash     string  `json:"blurhash,omitempty"`
	PreviewRatio float64 `json:"preview_ratio,omitempty"`
}

// ReactionDetail is one person's reaction.
type ReactionDetail struct {
	Created string `json:"created"`
	Sender  string `json:"sender"`
	Name    string `json:"name"`
}

// Reaction is one emoji on a message with who set it.
type Reaction struct {
	Name    string           `json:"name"`
	Counter int              `json:"counter"`
	Details []ReactionDetail `json:"details,omitempty"`
}

// Message is a chat message, as in server.message.updated and the REST
// message calls. Gentime is the version of the message: it grows with
// every change (edit, reaction, receipt, deletion).
type Message struct {
	Content             MessageContent    `json:"content"`
	PushText            string            `json:"push_text,omitempty"`
	From                string            `json:"from"`
	To                  string            `json:"to"`
	MessageID           string            `json:"message_id"`
	Created             string            `json:"created,omitempty"`
	Drafted             string            `json:"drafted,omitempty"`
	Gentime             int64             `json:"gentime"`
	ChatType            string            `json:"chat_type,omitempty"`
	Chat                string            `json:"chat"`
	Links               []json.RawMessage `json:"links,omitempty"`
	Markup              []json.RawMessage `json:"markup,omitempty"`
	Important           bool              `json:"important,omitempty"`
	Edited              string            `json:"edited,omitempty"`
	Received            bool              `json:"received,omitempty"`
	NumReceived         int               `json:"num_received,omitempty"`
	Nopreview           bool              `json:"nopreview,omitempty"`
	HasPreviews         bool              `json:"has_previews,omitempty"`
	Prev                string            `json:"prev,omitempty"`
	IsFirst             bool              `json:"is_first,omitempty"`
	IsLast              bool              `json:"is_last,omitempty"`
	Uploads             []Upload          `json:"uploads,omitempty"`
	Reactions           []Reaction        `json:"reactions,omitempty"`
	ReplyTo             *Message          `json:"reply_to,omitempty"`
	LinkedMessages      []json.RawMessage `json:"linked_messages,omitempty"`
	Notice              bool              `json:"notice,omitempty"`
	Silently            bool              `json:"silently,omitempty"`
	EditableUntil       string            `json:"editable_until,omitempty"`
	Num                 int64             `json:"num,omitempty"`
	IsArchive           bool              `json:"is_archive,omitempty"`
	Debug               string            `json:"_debug,omitempty"`
	ThreadJID           string            `json:"thread_jid,omitempty"`
	ThreadMessagesCount int               `json:"thread_messages_count,omitempty"`
}

// Deleted reports whether the message is a deletion (content type
// "deleted").
func (m *Message) Deleted() bool { return m.Content.Type == ContentDeleted }

// CreatedTime parses Created; the zero time if it is empty or malformed.
func (m *Message) CreatedTime() time.Time { return parseTime(m.Created) }

func parseTime(s string) time.Time {
	if s == "" {
		return time.Time{}
	}
	t, err := time.Parse(time.RFC3339Nano, s)
	if err != nil {
		return time.Time{}
	}
	return t
}

// FormatTime formats t as the server does: RFC 3339 with microseconds, UTC.
func FormatTime(t time.Time) string { return t.UTC().Format("2006-01-02T15:04:05.000000Z") }

// Unread counts one kind of chat's unread messages.
type Unread struct {
	Messages       int `json:"messages"`
	NoticeMessages int `json:"notice_messages,omitempty"`
	Chats          int `json:"chats"`
}

// TeamUnread holds the unread counters by chat type.
type TeamUnread struct {
	Direct  *Unread `json:"direct,omitempty"`
	Group   *Unread `json:"group,omitempty"`
	Task    *Unread `json:"task,omitempty"`
	Meeting *Unread `json:"meeting,omitempty"`
	Thread  *Unread `json:"thread,omitempty"`
}

// ChatCounters are one chat's version and unread counters.
type ChatCounters struct {
	JID               string `json:"jid"`
	ChatType          string `json:"chat_type"`
	Gentime           int64  `json:"gentime"`
	NumUnread         int    `json:"num_unread"`
	NumUnreadNotices  int    `json:"num_unread_notices"`
	LastReadMessageID string `json:"last_read_message_id,omitempty"`
	LastActivity      string `json:"last_activity,omitempty"`
}

// Icons are an entity's pictures; the shapes vary, so they are kept raw.
type Icons = json.RawMessage

// GroupMember is a member of a group chat and their status there
// ("owner", "admin", "member").
type GroupMember struct {
	JID       string `json:"jid"`
	Status    string `json:"status"`
	CanRemove bool   `json:"can_remove,omitempty"`
}

// Chat is a chat (direct, group, task, …) with its settings and counters.
type Chat struct {
	JID                  string        `json:"jid"`
	ChatType             string        `json:"chat_type"`
	Gentime              int64         `json:"gentime"`
	Created              string        `json:"created,omitempty"`
	DisplayName          string        `json:"display_name,omitempty"`
	Description          string        `json:"description,omitempty"`
	Icons                Icons         `json:"icons,omitempty"`
	Status               string        `json:"status,omitempty"`
	Public               bool          `json:"public,omitempty"`
	DefaultForAll        bool          `json:"default_for_all,omitempty"`
	NumMembers           int           `json:"num_members,omitempty"`
	Members              []GroupMember `json:"members,omitempty"`
	CanCall              bool          `json:"can_call,omitempty"`
	CanSendMessage       bool          `json:"can_send_message,omitempty"`
	CountersEnabled      bool          `json:"counters_enabled,omitempty"`
	NotificationsEnabled bool          `json:"notifications_enabled,omitempty"`
	IsArchive            bool          `json:"is_archive,omitempty"`
	LastMessage          *Message      `json:"last_message,omitempty"`
	LastReadMessageID    string        `json:"last_read_message_id,omitempty"`
	NumUnread            int           `json:"num_unread,omitempty"`
	NumUnreadNotices     int           `json:"num_unread_notices,omitempty"`
	Draft                string        `json:"draft,omitempty"`
	Section              string        `json:"section,omitempty"`
}

// Contact is a team member.
type Contact struct {
	JID              string   `json:"jid"`
	DisplayName      string   `json:"display_name"`
	ShortName        string   `json:"short_name,omitempty"`
	GivenName        string   `json:"given_name,omitempty"`
	FamilyName       string   `json:"family_name,omitempty"`
	Patronymic       string   `json:"patronymic,omitempty"`
	ContactEmail     string   `json:"contact_email,omitempty"`
	ContactPhone     string   `json:"contact_phone,omitempty"`
	Icons            Icons    `json:"icons,omitempty"`
	Role             string   `json:"role,omitempty"`
	Status           string   `json:"status,omitempty"`
	LastActivity     string   `json:"last_activity,omitempty"`
	Sections         []string `json:"sections,omitempty"`
	CanSendMessage   bool     `json:"can_send_message,omitempty"`
	CanCall          bool     `json:"can_call,omitempty"`
	CanCreateTask    bool     `json:"can_create_task,omitempty"`
	CanAddToGroup    bool     `json:"can_add_to_group,omitempty"`
	CanDelete        bool     `json:"can_delete,omitempty"`
	ChangeableFields []string `json:"changeable_fields,omitempty"`
	IsArchive        bool     `json:"is_archive,omitempty"`
	// Botname is set for bots.
	Botname string `json:"botname,omitempty"`
}

// Team is a team and the requesting user's place in it (Me).
type Team struct {
	UID                 string      `json:"uid"`
	Name                string      `json:"name,omitempty"`
	Gentime             int64       `json:"gentime,omitempty"`
	Icons               Icons       `json:"icons,omitempty"`
	IsArchive           bool        `json:"is_archive,omitempty"`
	LastActive          bool        `json:"last_active,omitempty"`
	MaxMessageUpdateAge int64       `json:"max_message_update_age,omitempty"`
	NeedConfirmation    bool        `json:"need_confirmation,omitempty"`
	CanManageSections   bool        `json:"can_manage_sections,omitempty"`
	DefaultTaskDeadline string      `json:"default_task_deadline,omitempty"`
	Me                  *Contact    `json:"me,omitempty"`
	Unread              *TeamUnread `json:"unread,omitempty"`
}

// TeamCounters are another team's unread counters.
type TeamCounters struct {
	UID    string      `json:"uid"`
	Unread *TeamUnread `json:"unread,omitempty"`
}

// Section is a contact section or a task project.
type Section struct {
	UID          string `json:"uid"`
	Name         string `json:"name,omitempty"`
	Gentime      int64  `json:"gentime,omitempty"`
	SortOrdering int    `json:"sort_ordering,omitempty"`
	IsArchive    bool   `json:"is_archive,omitempty"`
	Description  string `json:"description,omitempty"`
}

// Tag is a task tag.
type Tag struct {
	UID  string `json:"uid"`
	Name string `json:"name,omitempty"`
}

// Remind is a reminder on a task or group.
type Remind struct {
	UID     string `json:"uid"`
	Chat    string `json:"chat,omitempty"`
	FireAt  string `json:"fire_at,omitempty"`
	Comment string `json:"comment,omitempty"`
}

// ReceivedMessage is a read receipt of server.message.received.
type ReceivedMessage struct {
	Chat        string `json:"chat"`
	MessageID   string `json:"message_id"`
	Received    bool   `json:"received"`
	NumReceived int    `json:"num_received"`
}

// OnlineContact is a team member who is online.
type OnlineContact struct {
	JID    string `json:"jid"`
	Mobile bool   `json:"mobile"`
	AFK    bool   `json:"afk,omitempty"`
}

// OnlineCall is a call going on in a chat.
type OnlineCall struct {
	JID string `json:"jid"`
	UID string `json:"uid,omitempty"`
}

// CallDevice is one device of a call participant.
type CallDevice struct {
	Muted     bool   `json:"muted"`
	UserAgent string `json:"useragent,omitempty"`
	Browser   string `json:"browser,omitempty"`
}

// CallOnliner is a participant of a call.
type CallOnliner struct {
	JID         string       `json:"jid"`
	DisplayName string       `json:"display_name,omitempty"`
	Icon        string       `json:"icon,omitempty"`
	Muted       bool         `json:"muted"`
	Devices     []CallDevice `json:"devices,omitempty"`
}

// JSEP is session description data of a call.
type JSEP struct {
	SDP  string `json:"sdp"`
	Type string `json:"type"`
}

// ICECandidate is a connection candidate of a call.
type ICECandidate struct {
	Candidate     string `json:"candidate"`
	SDPMLineIndex int    `json:"sdpMLineIndex"`
}

// Features are the server's settings and limits from /features.json; only
// the ones clients act on have fields, the rest stay in Raw.
type Features struct {
	// MaxMessageLength is the most characters one message may have.
	MaxMessageLength int `json:"max_message_length"`
	// MaxUploadMB is the largest upload, in megabytes.
	MaxUploadMB int `json:"max_upload_mb"`
	// ResendTimeout is how many seconds a client waits for server.confirm
	// before sending its event again.
	ResendTimeout float64 `json:"resend_timeout"`
	// AFKAge is how many seconds of idleness make a user away.
	AFKAge float64 `json:"afk_age"`
	// Raw is the whole document.
	Raw json.RawMessage `json:"-"`
}

// MessageFilter narrows ListMessages; zero fields are left out of the
// query. Catch-up uses GentimeFrom (messages changed after a version).
type MessageFilter struct {
	GentimeFrom    int64
	OldFrom        string
	NewFrom        string
	Limit          int
	IncludeDeleted bool
	Unread         bool
	Important      bool
	Text           string
	Sender         string
}

// MessageList is the result of ListMessages.
type MessageList struct {
	Messages []Message `json:"messages"`
	Limit    int       `json:"limit,omitempty"`
	Offset   int       `json:"offset,omitempty"`
}
