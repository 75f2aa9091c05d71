package simplex

import (
	"encoding/json"
	"time"
)

// ChatInfo tags.
const (
	ChatInfoDirect            = "direct"
	ChatInfoGroup             = "group"
	ChatInfoLocal             = "local"
	ChatInfoContactRequest    = "contactRequest"
	ChatInfoContactConnection = "contactConnection"
)

// ChatInfo says which chat an item belongs to. It is a tagged union: Type
// selects the variant and the matching field is set (Contact for "direct",
// GroupInfo and optionally GroupChatScope for "group", …). Variants this
// package does not know keep their tag in Type and their members in Extra.
type ChatInfo struct {
	Type              string              `json:"type"`
	Contact           *Contact            `json:"contact,omitempty"`
	GroupInfo         *GroupInfo          `json:"groupInfo,omitempty"`
	GroupChatScope    *GroupChatScopeInfo `json:"groupChatScope,omitempty"`
	NoteFolder        json.RawMessage     `json:"noteFolder,omitempty"`
	ContactRequest    *UserContactRequest `json:"contactRequest,omitempty"`
	ContactConnection json.RawMessage     `json:"contactConnection,omitempty"`
	Extra             Extra
}

// IsKnown reports whether Type is a variant this package models.
func (c *ChatInfo) IsKnown() bool {
	switch c.Type {
	case ChatInfoDirect, ChatInfoGroup, ChatInfoLocal, ChatInfoContactRequest, ChatInfoContactConnection:
		return true
	}
	return false
}

// Ref returns the chat's reference ("@5", "#12", "#12(_support:3)"); ok is
// false for chats that cannot be addressed by commands.
func (c *ChatInfo) Ref() (ref ChatRef, ok bool) {
	switch {
	case c.Type == ChatInfoDirect && c.Contact != nil:
		return c.Contact.Ref(), true
	case c.Type == ChatInfoGroup && c.GroupInfo != nil:
		ref = c.GroupInfo.Ref()
		if s := c.GroupChatScope; s != nil && s.Type == ScopeMemberSupport {
			ref.Scope = &GroupChatScope{}
			if s.GroupMember != nil {
				ref.Scope.GroupMemberID = s.GroupMember.GroupMemberID
			}
		}
		return ref, true
	}
	return ChatRef{}, false
}

// DisplayName returns the contact's or group's name.
func (c *ChatInfo) DisplayName() string {
	switch {
	case c.Contact != nil:
		return c.Contact.DisplayName()
	case c.GroupInfo != nil:
		return c.GroupInfo.DisplayName()
	}
	return ""
}

// ScopeMemberSupport is the group chat scope of member support chats.
const ScopeMemberSupport = "memberSupport"

// GroupChatScopeInfo narrows a group chat to a member support chat;
// GroupMember is the member it is with (nil: the bot's own support chat).
type GroupChatScopeInfo struct {
	Type        string       `json:"type"`
	GroupMember *GroupMember `json:"groupMember_,omitempty"`
	Extra       Extra
}

// AChatItem is a chat item with the chat it belongs to.
type AChatItem struct {
	ChatInfo ChatInfo `json:"chatInfo"`
	ChatItem ChatItem `json:"chatItem"`
	Extra    Extra
}

// ChatItem is one item of a chat: a message, or an event shown in the chat
// (group events, E2E notices, feature changes…); Content.Type tells which.
type ChatItem struct {
	ChatDir       CIDirection          `json:"chatDir"`
	Meta          CIMeta               `json:"meta"`
	Content       CIContent            `json:"content"`
	Mentions      map[string]CIMention `json:"mentions"`
	FormattedText []FormattedText      `json:"formattedText,omitempty"`
	QuotedItem    *CIQuote             `json:"quotedItem,omitempty"`
	Reactions     []CIReactionCount    `json:"reactions"`
	File          *CIFile              `json:"file,omitempty"`
	Extra         Extra
}

// CIDirection tags.
const (
	DirDirectSnd = "directSnd"
	DirDirectRcv = "directRcv"
	DirGroupSnd  = "groupSnd"
	DirGroupRcv  = "groupRcv"
	DirLocalSnd  = "localSnd"
	DirLocalRcv  = "localRcv"
)

// CIDirection tells who wrote an item; for "groupRcv" GroupMember is the
// sender.
type CIDirection struct {
	Type        string       `json:"type"`
	GroupMember *GroupMember `json:"groupMember,omitempty"`
	Extra       Extra
}

// Sent reports whether the bot wrote the item.
func (d *CIDirection) Sent() bool {
	return d.Type == DirDirectSnd || d.Type == DirGroupSnd || d.Type == DirLocalSnd
}

// CIMeta is an item's metadata; ItemID is the id commands take.
type CIMeta struct {
	ItemID            int64           `json:"itemId"`
	ItemTs            time.Time       `json:"itemTs"`
	ItemText          string          `json:"itemText"`
	ItemStatus        CIStatus        `json:"itemStatus"`
	SentViaProxy      *bool           `json:"sentViaProxy,omitempty"`
	ItemSharedMsgID   string          `json:"itemSharedMsgId,omitempty"`
	ItemForwarded     json.RawMessage `json:"itemForwarded,omitempty"`
	ItemDeleted       *CIDeleted      `json:"itemDeleted,omitempty"`
	ItemEdited        bool            `json:"itemEdited"`
	ItemTimed         json.RawMessage `json:"itemTimed,omitempty"`
	ItemLive          *bool           `json:"itemLive,omitempty"`
	UserMention       bool            `json:"userMention"`
	HasLink           bool            `json:"hasLink,omitempty"`
	Deletable         bool            `json:"deletable"`
	Editable          bool            `json:"editable"`
	ForwardedByMember int64           `json:"forwardedByMember,omitempty"`
	ShowGroupAsSender bool            `json:"showGroupAsSender"`
	CreatedAt         time.Time       `json:"createdAt"`
	UpdatedAt         time.Time       `json:"updatedAt"`
	Extra             Extra
}

// CIStatus is an item's delivery status: "sndNew", "sndSent", "sndRcvd",
// "sndErrorAuth", "sndError", "sndWarning", "rcvNew", "rcvRead", "invalid".
type CIStatus struct {
	Type          string          `json:"type"`
	SndProgress   string          `json:"sndProgress,omitempty"`
	MsgRcptStatus string          `json:"msgRcptStatus,omitempty"`
	AgentError    json.RawMessage `json:"agentError,omitempty"`
	Text          string          `json:"text,omitempty"`
	Extra         Extra
}

// CIDeleted marks a deleted item: "deleted", "blocked", "blockedByAdmin",
// "moderated" (ByGroupMember is the moderator).
type CIDeleted struct {
	Type          string       `json:"type"`
	DeletedTs     time.Time    `json:"deletedTs,omitempty"`
	ChatType      string       `json:"chatType,omitempty"`
	ByGroupMember *GroupMember `json:"byGroupMember,omitempty"`
	Extra         Extra
}

// CIContent tags that matter to bots; the many others (group and
// connection events, feature changes, E2E notices) are kept as received.
const (
	ContentSndMsg             = "sndMsgContent"
	ContentRcvMsg             = "rcvMsgContent"
	ContentSndDeleted         = "sndDeleted"
	ContentRcvDeleted         = "rcvDeleted"
	ContentRcvGroupInvitation = "rcvGroupInvitation"
	ContentSndGroupInvitation = "sndGroupInvitation"
	ContentRcvGroupEvent      = "rcvGroupEvent"
	ContentSndGroupEvent      = "sndGroupEvent"
	ContentRcvDirectEvent     = "rcvDirectEvent"
	ContentRcvModerated       = "rcvModerated"
	ContentSndModerated       = "sndModerated"
	ContentRcvBlocked         = "rcvBlocked"
)

// CIContent is an item's content, a tagged union. Only "rcvMsgContent" is a
// message from someone else; "sndMsgContent" is the bot's own.
type CIContent struct {
	Type            string             `json:"type"`
	MsgContent      *MsgContent        `json:"msgContent,omitempty"`
	DeleteMode      string             `json:"deleteMode,omitempty"`
	Status          string             `json:"status,omitempty"`
	Duration        int64              `json:"duration,omitempty"`
	MsgError        *Tagged            `json:"msgError,omitempty"`
	MsgDecryptError string             `json:"msgDecryptError,omitempty"`
	MsgCount        int64              `json:"msgCount,omitempty"`
	GroupInvitation *CIGroupInvitation `json:"groupInvitation,omitempty"`
	MemberRole      GroupMemberRole    `json:"memberRole,omitempty"`
	RcvDirectEvent  *Tagged            `json:"rcvDirectEvent,omitempty"`
	RcvGroupEvent   *Tagged            `json:"rcvGroupEvent,omitempty"`
	SndGroupEvent   *Tagged            `json:"sndGroupEvent,omitempty"`
	RcvConnEvent    *Tagged            `json:"rcvConnEvent,omitempty"`
	SndConnEvent    *Tagged            `json:"sndConnEvent,omitempty"`
	Feature         string             `json:"feature,omitempty"`
	GroupFeature    string             `json:"groupFeature,omitempty"`
	Extra           Extra
}

// IsMessage reports whether the content is a message someone sent to the bot.
func (c *CIContent) IsMessage() bool { return c.Type == ContentRcvMsg && c.MsgContent != nil }

// MsgContent tags.
const (
	MsgText    = "text"
	MsgLink    = "link"
	MsgImage   = "image"
	MsgVideo   = "video"
	MsgVoice   = "voice"
	MsgFile    = "file"
	MsgReport  = "report"
	MsgChat    = "chat"
	MsgUnknown = "unknown"
)

// MsgContent is the content of a message, a tagged union; every variant has
// Text. "link" has Preview, "image" and "video" an Image preview (data URI),
// "video" and "voice" a Duration, "report" a Reason, "chat" a ChatLink, and
// "unknown" (a type the chat core did not know) its Tag and JSON.
type MsgContent struct {
	Type     string          `json:"type"`
	Text     string          `json:"text"`
	Preview  *LinkPreview    `json:"preview,omitempty"`
	Image    string          `json:"image,omitempty"`
	Duration int64           `json:"duration,omitempty"`
	Reason   string          `json:"reason,omitempty"`
	ChatLink json.RawMessage `json:"chatLink,omitempty"`
	Tag      string          `json:"tag,omitempty"`
	JSON     json.RawMessage `json:"json,omitempty"`
	Extra    Extra
}

// IsKnown reports whether Type is a variant this package models.
func (m *MsgContent) IsKnown() bool {
	switch m.Type {
	case MsgText, MsgLink, MsgImage, MsgVideo, MsgVoice, MsgFile, MsgReport, MsgChat, MsgUnknown:
		return true
	}
	return false
}

// TextContent returns a text message content.
func TextContent(text string) MsgContent { return MsgContent{Type: MsgText, Text: text} }

// LinkPreview is the preview of a link message.
type LinkPreview struct {
	URI         string          `json:"uri"`
	Title       string          `json:"title"`
	Description string          `json:"description"`
	Image       string          `json:"image"`
	Content     json.RawMessage `json:"content,omitempty"`
	Extra       Extra
}

// CIGroupInvitation is a group invitation shown as a chat item.
type CIGroupInvitation struct {
	GroupID          int64        `json:"groupId"`
	GroupMemberID    int64        `json:"groupMemberId"`
	LocalDisplayName string       `json:"localDisplayName"`
	GroupProfile     GroupProfile `json:"groupProfile"`
	Status           string       `json:"status"`
	Extra            Extra
}

// CIFile is a file attached to an item.
type CIFile struct {
	FileID       int64        `json:"fileId"`
	FileName     string       `json:"fileName"`
	FileSize     int64        `json:"fileSize"`
	FileSource   *CryptoFile  `json:"fileSource,omitempty"`
	FileStatus   CIFileStatus `json:"fileStatus"`
	FileProtocol string       `json:"fileProtocol"`
	Extra        Extra
}

// CryptoFile is a local file path, optionally encrypted.
type CryptoFile struct {
	FilePath   string          `json:"filePath"`
	CryptoArgs *CryptoFileArgs `json:"cryptoArgs,omitempty"`
	Extra      Extra
}

// CryptoFileArgs are a local file's encryption key and nonce.
type CryptoFileArgs struct {
	FileKey   string `json:"fileKey"`
	FileNonce string `json:"fileNonce"`
	Extra     Extra
}

// CIFileStatus is a file transfer's state ("rcvInvitation", "rcvTransfer",
// "rcvComplete", "sndStored", …) with progress where it applies.
type CIFileStatus struct {
	Type         string          `json:"type"`
	SndProgress  int64           `json:"sndProgress,omitempty"`
	SndTotal     int64           `json:"sndTotal,omitempty"`
	RcvProgress  int64           `json:"rcvProgress,omitempty"`
	RcvTotal     int64           `json:"rcvTotal,omitempty"`
	SndFileError json.RawMessage `json:"sndFileError,omitempty"`
	RcvFileError json.RawMessage `json:"rcvFileError,omitempty"`
	Text         string          `json:"text,omitempty"`
	Extra        Extra
}

// CIQuote is the item an item replies to.
type CIQuote struct {
	ChatDir       *CIDirection    `json:"chatDir,omitempty"`
	ItemID        int64           `json:"itemId,omitempty"`
	SharedMsgID   string          `json:"sharedMsgId,omitempty"`
	SentAt        time.Time       `json:"sentAt"`
	Content       MsgContent      `json:"content"`
	FormattedText []FormattedText `json:"formattedText,omitempty"`
	Extra         Extra
}

// CIMention is a mention in an item, keyed in ChatItem.Mentions by the
// mentioned display name.
type CIMention struct {
	MemberID  string           `json:"memberId"`
	MemberRef *CIMentionMember `json:"memberRef,omitempty"`
	Extra     Extra
}

// CIMentionMember is the local record of a mentioned member.
type CIMentionMember struct {
	GroupMemberID int64           `json:"groupMemberId"`
	DisplayName   string          `json:"displayName"`
	LocalAlias    string          `json:"localAlias,omitempty"`
	MemberRole    GroupMemberRole `json:"memberRole"`
	Extra         Extra
}

// FormattedText is a span of parsed markdown.
type FormattedText struct {
	Format *Format `json:"format,omitempty"`
	Text   string  `json:"text"`
	Extra  Extra
}

// Format is a span's format: "bold", "italic", "mention" (MemberName),
// "command" (CommandStr), "uri", "hyperLink" (LinkURI), "simplexLink", ….
type Format struct {
	Type       string   `json:"type"`
	MemberName string   `json:"memberName,omitempty"`
	CommandStr string   `json:"commandStr,omitempty"`
	ShowText   string   `json:"showText,omitempty"`
	LinkURI    string   `json:"linkUri,omitempty"`
	LinkType   string   `json:"linkType,omitempty"`
	SimplexURI string   `json:"simplexUri,omitempty"`
	SMPHosts   []string `json:"smpHosts,omitempty"`
	Color      string   `json:"color,omitempty"`
	Extra      Extra
}

// CIReactionCount counts one reaction on an item.
type CIReactionCount struct {
	Reaction     MsgReaction `json:"reaction"`
	UserReacted  bool        `json:"userReacted"`
	TotalReacted int64       `json:"totalReacted"`
	Extra        Extra
}

// MsgReaction is a reaction: Type "emoji" with Emoji, or "unknown" with the
// Tag and JSON the chat core did not know.
type MsgReaction struct {
	Type  string          `json:"type"`
	Emoji string          `json:"emoji,omitempty"`
	Tag   string          `json:"tag,omitempty"`
	JSON  json.RawMessage `json:"json,omitempty"`
	Extra Extra
}

// EmojiReaction returns an emoji reaction. The chat core accepts one code
// point from a fixed set (👍 👎 😀 😂 😢 ❤ 🚀 ✅).
func EmojiReaction(emoji string) MsgReaction { return MsgReaction{Type: "emoji", Emoji: emoji} }

// ACIReaction is a reaction with its chat.
type ACIReaction struct {
	ChatInfo     ChatInfo   `json:"chatInfo"`
	ChatReaction CIReaction `json:"chatReaction"`
	Extra        Extra
}

// CIReaction is a reaction to ChatItem by ChatDir (the reacting member is
// ChatDir.GroupMember in groups).
type CIReaction struct {
	ChatDir  CIDirection `json:"chatDir"`
	ChatItem ChatItem    `json:"chatItem"`
	SentAt   time.Time   `json:"sentAt"`
	Reaction MsgReaction `json:"reaction"`
	Extra    Extra
}

// ChatItemDeletion is one deleted item and, when it was only marked
// deleted, what it became.
type ChatItemDeletion struct {
	DeletedChatItem AChatItem  `json:"deletedChatItem"`
	ToChatItem      *AChatItem `json:"toChatItem,omitempty"`
	Extra           Extra
}

// ChatStats are a chat's unread counters.
type ChatStats struct {
	UnreadCount     int64 `json:"unreadCount"`
	UnreadMentions  int64 `json:"unreadMentions"`
	ReportsCount    int64 `json:"reportsCount"`
	MinUnreadItemID int64 `json:"minUnreadItemId"`
	UnreadChat      bool  `json:"unreadChat"`
	Extra           Extra
}

// AChat is a chat with some of its items (apiChats, apiChat).
type AChat struct {
	ChatInfo  ChatInfo   `json:"chatInfo"`
	ChatItems []ChatItem `json:"chatItems"`
	ChatStats ChatStats  `json:"chatStats"`
	Extra     Extra
}

// ComposedMessage is one message to send with APISendMessages. Mentions
// maps a display name, which must also appear as "@name" in the text, to a
// groupMemberId.
type ComposedMessage struct {
	FileSource   *CryptoFile      `json:"fileSource,omitempty"`
	QuotedItemID int64            `json:"quotedItemId,omitempty"`
	MsgContent   MsgContent       `json:"msgContent"`
	Mentions     map[string]int64 `json:"mentions,omitempty"`
	Extra        Extra
}

// UpdatedMessage is the new content for APIUpdateChatItem. Mentions is
// always sent ({} when empty): the chat core refuses the command without it.
type UpdatedMessage struct {
	MsgContent MsgContent       `json:"msgContent"`
	Mentions   map[string]int64 `json:"mentions"`
	Extra      Extra
}

// FileInvitation describes a file offered by a peer.
type FileInvitation struct {
	FileName    string          `json:"fileName"`
	FileSize    int64           `json:"fileSize"`
	FileDigest  string          `json:"fileDigest,omitempty"`
	FileConnReq string          `json:"fileConnReq,omitempty"`
	FileInline  string          `json:"fileInline,omitempty"`
	FileDescr   json.RawMessage `json:"fileDescr,omitempty"`
	Extra       Extra
}

// RcvFileTransfer is the state of a file being received.
type RcvFileTransfer struct {
	FileID            int64           `json:"fileId"`
	XFTPRcvFile       json.RawMessage `json:"xftpRcvFile,omitempty"`
	FileInvitation    FileInvitation  `json:"fileInvitation"`
	FileStatus        Tagged          `json:"fileStatus"`
	RcvFileInline     string          `json:"rcvFileInline,omitempty"`
	SenderDisplayName string          `json:"senderDisplayName"`
	ChunkSize         int64           `json:"chunkSize"`
	Cancelled         bool            `json:"cancelled"`
	GrpMemberID       int64           `json:"grpMemberId,omitempty"`
	CryptoArgs        *CryptoFileArgs `json:"cryptoArgs,omitempty"`
	Extra             Extra
}

// RcvFileDescr is (part of) an XFTP file description.
type RcvFileDescr struct {
	FileDescrID       int64  `json:"fileDescrId"`
	FileDescrText     string `json:"fileDescrText"`
	FileDescrPartNo   int64  `json:"fileDescrPartNo"`
	FileDescrComplete bool   `json:"fileDescrComplete"`
	Extra             Extra
}

// FileTransferMeta is the state of a file being sent.
type FileTransferMeta struct {
	FileID          int64           `json:"fileId"`
	XFTPSndFile     json.RawMessage `json:"xftpSndFile,omitempty"`
	XFTPRedirectFor int64           `json:"xftpRedirectFor,omitempty"`
	FileName        string          `json:"fileName"`
	FilePath        string          `json:"filePath"`
	FileSize        int64           `json:"fileSize"`
	FileInline      string          `json:"fileInline,omitempty"`
	ChunkSize       int64           `json:"chunkSize"`
	Cancelled       bool            `json:"cancelled"`
	Extra           Extra
}

// SndFileTransfer is a file being sent to one recipient.
type SndFileTransfer struct {
	FileID               int64  `json:"fileId"`
	FileName             string `json:"fileName"`
	FilePath             string `json:"filePath"`
	FileSize             int64  `json:"fileSize"`
	ChunkSize            int64  `json:"chunkSize"`
	RecipientDisplayName string `json:"recipientDisplayName"`
	ConnID               int64  `json:"connId"`
	AgentConnID          string `json:"agentConnId"`
	GroupMemberID        int64  `json:"groupMemberId,omitempty"`
	FileStatus           string `json:"fileStatus"`
	FileDescrID          int64  `json:"fileDescrId,omitempty"`
	FileInline           string `json:"fileInline,omitempty"`
	Extra                Extra
}
