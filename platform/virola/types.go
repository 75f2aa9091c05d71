package virola

import (
	"encoding/json"
	"time"
)

// Message is a Virola text message: a room message, or a comment on one
// when ParentMessageID is not 0. Times are unix milliseconds (UTC).
type Message struct {
	MessageID       int64              `json:"messageId"`
	UserID          int64              `json:"userId"`
	RoomID          int64              `json:"roomId"`
	ParentMessageID int64              `json:"parentMessageId"`
	Text            string             `json:"text"`
	MessageType     string             `json:"messageType,omitempty"` // Regular, Issue, Meeting
	Priority        string             `json:"priority,omitempty"`    // Blocker … Trivial
	MarkupType      string             `json:"markupType,omitempty"`  // TextPlain, TextHtml, TextMarkdown, TextCode, TextLatex
	CreatedUtc      int64              `json:"createdUtc,omitempty"`
	LastEditedUtc   int64              `json:"lastEditedUtc,omitempty"`
	LastModifiedUtc int64              `json:"lastModifiedUtc,omitempty"`
	Attachments     []Attachment       `json:"attachments,omitempty"`
	CommentCount    int                `json:"commentCount,omitempty"`
	ReadTimestamps  []ReadTimestamp    `json:"readTimestamps,omitempty"`
	IssueProperties *IssueProperties   `json:"issueProperties,omitempty"`
	Meeting         *MeetingProperties `json:"meetingProperties,omitempty"`
}

// IsComment reports whether the message is a comment on another message
// (a discussion) rather than a message of the room's main thread.
func (m *Message) IsComment() bool { return m.ParentMessageID != 0 }

// Edited reports whether the text was edited after the message was
// created.
func (m *Message) Edited() bool { return m.LastEditedUtc > m.CreatedUtc && m.CreatedUtc != 0 }

// Created returns the creation time.
func (m *Message) Created() time.Time { return unixMilli(m.CreatedUtc) }

func unixMilli(ms int64) time.Time {
	if ms == 0 {
		return time.Time{}
	}
	return time.UnixMilli(ms).UTC()
}

// Message types.
const (
	MessageRegular = "Regular"
	MessageIssue   = "Issue"
	MessageMeeting = "Meeting"
)

// Markup types.
const (
	MarkupPlain    = "TextPlain"
	MarkupHTML     = "TextHtml"
	MarkupMarkdown = "TextMarkdown"
	MarkupCode     = "TextCode"
	MarkupLatex    = "TextLatex"
)

// ReadTimestamp says when a user read a message.
type ReadTimestamp struct {
	UserID  int64 `json:"userId"`
	ReadUtc int64 `json:"readUtc"`
}

// IssueProperties are set on messages of type Issue.
type IssueProperties struct {
	Type      string          `json:"type,omitempty"`
	Status    string          `json:"status,omitempty"`
	Assignees json.RawMessage `json:"assignees,omitempty"`
}

// MeetingProperties are set on messages of type Meeting.
type MeetingProperties struct {
	TimeUtc  int64 `json:"timeUtc,omitempty"`
	Duration int64 `json:"duration,omitempty"`
}

// Attachment is a file attached to a message.
type Attachment struct {
	AttachmentID    int64  `json:"attachmentId"`
	AttachmentState string `json:"attachmentState,omitempty"`
	CreatedUtc      int64  `json:"createdUtc,omitempty"`
	FileChecksum    string `json:"fileChecksum,omitempty"`
	FileName        string `json:"fileName"`
	FileSize        int64  `json:"fileSize"`
	HasThumbnail    bool   `json:"hasThumbnail,omitempty"`
	LastModifiedUtc int64  `json:"lastModifiedUtc,omitempty"`
	RoomID          int64  `json:"roomId,omitempty"`
	TextMessageID   int64  `json:"textMessageId,omitempty"`
}

// AttachmentReady is the state of an attachment that can be downloaded.
const AttachmentReady = "ReadyForDownloadFromServerToClient"

// Room types.
const (
	// RoomPrivate is a one-to-one conversation; its DisplayName is the
	// other user's name.
	RoomPrivate = "Private"
	// RoomPublic is a room with several members.
	RoomPublic = "Public"
)

// Room is a Virola room as the authenticated user sees it.
type Room struct {
	RoomID              int64        `json:"roomId"`
	DisplayName         string       `json:"displayName,omitempty"`
	RoomType            string       `json:"roomType,omitempty"`
	CreatedUtc          int64        `json:"createdUtc,omitempty"`
	LastModifiedUtc     int64        `json:"lastModifiedUtc,omitempty"`
	UnreadMessageCount  int64        `json:"unreadMessageCount,omitempty"`
	IsArchived          bool         `json:"isArchived,omitempty"`
	IsModerator         bool         `json:"isModerator,omitempty"`
	IsPinned            bool         `json:"isPinned,omitempty"`
	LastMessage         *LastMessage `json:"lastMessage,omitempty"`
	DiscussionMessageID int64        `json:"discussionMessageId,omitempty"`
}

// LastMessage names the newest message of a room; catch-up uses it to
// find the rooms that moved.
type LastMessage struct {
	MessageID  int64 `json:"messageId"`
	UserID     int64 `json:"userId"`
	CreatedUtc int64 `json:"createdUtc,omitempty"`
}

// User is a Virola user account.
type User struct {
	UserID          int64  `json:"userId"`
	UserName        string `json:"userName"`
	DisplayName     string `json:"displayName,omitempty"`
	IsAdmin         bool   `json:"isAdmin,omitempty"`
	Status          string `json:"status,omitempty"` // Active, Suspended, DeletionInProgress
	CreatedUtc      int64  `json:"createdUtc,omitempty"`
	LastModifiedUtc int64  `json:"lastModifiedUtc,omitempty"`
}

// Permissions are the current user's rights in one room. Flags the
// server adds later are kept in Other.
type Permissions struct {
	CanSendMessagesInMainThread                     bool `json:"canSendMessagesInMainThread"`
	CanSendMessagesInDiscussion                     bool `json:"canSendMessagesInDiscussion"`
	CanEditOrDeleteOwnMessagesInMainThread          bool `json:"canEditOrDeleteOwnMessagesInMainThread"`
	CanEditOrDeleteOwnMessagesInDiscussion          bool `json:"canEditOrDeleteOwnMessagesInDiscussion"`
	CanReactToMessagesWithEmojiInMainThread         bool `json:"canReactToMessagesWithEmojiInMainThread"`
	CanReactToMessagesWithEmojiInDiscussion         bool `json:"canReactToMessagesWithEmojiInDiscussion"`
	CanAttachOrDeleteFilesInOwnMessagesInMainThread bool `json:"canAttachOrDeleteFilesInOwnMessagesInMainThread"`
	CanAttachOrDeleteFilesInOwnMessagesInDiscussion bool `json:"canAttachOrDeleteFilesInOwnMessagesInDiscussion"`
	CanSendFilesIntoRoomInMainThread                bool `json:"canSendFilesIntoRoomInMainThread"`
	CanSendFilesIntoRoomInDiscussion                bool `json:"canSendFilesIntoRoomInDiscussion"`
	CanCreateIssues                                 bool `json:"canCreateIssues"`
	CanCreateMeetings                               bool `json:"canCreateMeetings"`
	CanChangePropertiesOfUnrelatedIssues            bool `json:"canChangePropertiesOfUnrelatedIssues"`
	CanRecordMeetings                               bool `json:"canRecordMeetings"`
	CanUseIntercom                                  bool `json:"canUseIntercom"`
	CanIntercomListen                               bool `json:"canIntercomListen"`
	CanIntercomTalk                                 bool `json:"canIntercomTalk"`
	CanIntercomStreamVideo                          bool `json:"canIntercomStreamVideo"`
	CanIntercomWatchVideo                           bool `json:"canIntercomWatchVideo"`
	CanShareScreen                                  bool `json:"canShareScreen"`
	CanSendNudge                                    bool `json:"canSendNudge"`
	UICanSeeRoomSidebar                             bool `json:"uiCanSeeRoomSidebar"`
	UICanSeeWhoReadMessageInMainThread              bool `json:"uiCanSeeWhoReadMessageInMainThread"`
	UICanSeeWhoReadMessageInDiscussion              bool `json:"uiCanSeeWhoReadMessageInDiscussion"`
}

// RoomPermissions are the permissions of the current user in a room.
type RoomPermissions struct {
	RoomID      int64       `json:"roomId"`
	Permissions Permissions `json:"permissions"`
}

// Session is the answer to login and status: who the session acts as.
type Session struct {
	UserID        int64  `json:"userId"`
	UserSessionID string `json:"userSessionId,omitempty"`
}
