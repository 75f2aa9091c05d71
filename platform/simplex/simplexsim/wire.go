package simplexsim

import (
	"encoding/base64"
	"encoding/binary"
	"encoding/json"
	"time"
)

// This file holds the JSON shapes the simulator writes. They are built
// independently of package simplex on purpose: the simulator is the other
// side of the wire and checks the client. Field order follows the frames
// captured from real CLIs (protocols/simplex.md §2.2), optional fields are
// omitted when absent, unions are objects tagged with "type".

// ts renders a timestamp the way the CLI does: UTC with fractional seconds.
func ts(t time.Time) string {
	t = t.UTC()
	if t.Nanosecond() == 0 {
		t = t.Add(time.Nanosecond)
	}
	return t.Format(time.RFC3339Nano)
}

// tsSec renders a sender timestamp (itemTs of received items), which the CLI
// carries with whole seconds only.
func tsSec(t time.Time) string { return t.UTC().Truncate(time.Second).Format(time.RFC3339) }

// b64id makes a deterministic base64 protocol id (memberId, agentConnId...).
func b64id(kind byte, n int64) string {
	var b [12]byte
	b[0] = kind
	copy(b[1:4], "sim")
	binary.BigEndian.PutUint64(b[4:], uint64(n))
	return base64.StdEncoding.EncodeToString(b[:])
}

type tagged struct {
	Type string `json:"type"`
}

type vRange struct {
	MinVersion int `json:"minVersion"`
	MaxVersion int `json:"maxVersion"`
}

var chatVRange = vRange{MinVersion: 1, MaxVersion: 17}

type wLocalProfile struct {
	ProfileID   int64           `json:"profileId"`
	DisplayName string          `json:"displayName"`
	FullName    string          `json:"fullName"`
	ShortDescr  string          `json:"shortDescr,omitempty"`
	Image       string          `json:"image,omitempty"`
	ContactLink string          `json:"contactLink,omitempty"`
	Preferences json.RawMessage `json:"preferences,omitempty"`
	PeerType    string          `json:"peerType,omitempty"`
	LocalAlias  string          `json:"localAlias"`
}

// wProfile is a Profile without the local fields, as carried in
// userProfileUpdated.fromProfile/toProfile.
type wProfile struct {
	DisplayName string          `json:"displayName"`
	FullName    string          `json:"fullName"`
	ShortDescr  string          `json:"shortDescr,omitempty"`
	Image       string          `json:"image,omitempty"`
	ContactLink string          `json:"contactLink,omitempty"`
	Preferences json.RawMessage `json:"preferences,omitempty"`
	PeerType    string          `json:"peerType,omitempty"`
}

var userFullPreferences = json.RawMessage(`{"timedMessages":{"allow":"yes"},"fullDelete":{"allow":"no"},"reactions":{"allow":"yes"},"voice":{"allow":"yes"},"files":{"allow":"no"},"calls":{"allow":"yes"},"sessions":{"allow":"no"},"commands":[]}`)

type wUser struct {
	UserID                   int64           `json:"userId"`
	AgentUserID              string          `json:"agentUserId"`
	UserContactID            int64           `json:"userContactId"`
	LocalDisplayName         string          `json:"localDisplayName"`
	Profile                  wLocalProfile   `json:"profile"`
	FullPreferences          json.RawMessage `json:"fullPreferences"`
	ActiveUser               bool            `json:"activeUser"`
	ActiveOrder              int64           `json:"activeOrder"`
	ShowNtfs                 bool            `json:"showNtfs"`
	SendRcptsContacts        bool            `json:"sendRcptsContacts"`
	SendRcptsSmallGroups     bool            `json:"sendRcptsSmallGroups"`
	AutoAcceptMemberContacts bool            `json:"autoAcceptMemberContacts"`
	UserChatRelay            bool            `json:"userChatRelay"`
}

type wConn struct {
	ConnID               int64  `json:"connId"`
	AgentConnID          string `json:"agentConnId"`
	ConnChatVersion      int    `json:"connChatVersion"`
	PeerChatVRange       vRange `json:"peerChatVRange"`
	ConnLevel            int    `json:"connLevel"`
	ViaUserContactLink   int64  `json:"viaUserContactLink,omitempty"`
	ViaGroupLink         bool   `json:"viaGroupLink"`
	ConnType             string `json:"connType"`
	ConnStatus           tagged `json:"connStatus"`
	ContactConnInitiated bool   `json:"contactConnInitiated"`
	LocalAlias           string `json:"localAlias"`
	EntityID             int64  `json:"entityId"`
	PQSupport            bool   `json:"pqSupport"`
	PQEncryption         bool   `json:"pqEncryption"`
	PQSndEnabled         bool   `json:"pqSndEnabled"`
	PQRcvEnabled         bool   `json:"pqRcvEnabled"`
	AuthErrCounter       int    `json:"authErrCounter"`
	QuotaErrCounter      int    `json:"quotaErrCounter"`
	CreatedAt            string `json:"createdAt"`
}

type chatSettings struct {
	EnableNtfs string `json:"enableNtfs"`
	Favorite   bool   `json:"favorite"`
}

var defaultChatSettings = chatSettings{EnableNtfs: "all", Favorite: false}

var contactMergedPreferences = json.RawMessage(`{"timedMessages":{"enabled":{"forUser":true,"forContact":true},"userPreference":{"type":"user","preference":{"allow":"yes"}},"contactPreference":{"allow":"yes"}},"fullDelete":{"enabled":{"forUser":false,"forContact":false},"userPreference":{"type":"user","preference":{"allow":"no"}},"contactPreference":{"allow":"no"}},"reactions":{"enabled":{"forUser":true,"forContact":true},"userPreference":{"type":"user","preference":{"allow":"yes"}},"contactPreference":{"allow":"yes"}},"voice":{"enabled":{"forUser":true,"forContact":true},"userPreference":{"type":"user","preference":{"allow":"yes"}},"contactPreference":{"allow":"yes"}},"files":{"enabled":{"forUser":false,"forContact":false},"userPreference":{"type":"user","preference":{"allow":"no"}},"contactPreference":{"allow":"yes"}},"calls":{"enabled":{"forUser":true,"forContact":true},"userPreference":{"type":"user","preference":{"allow":"yes"}},"contactPreference":{"allow":"yes"}},"sessions":{"enabled":{"forUser":false,"forContact":false},"userPreference":{"type":"user","preference":{"allow":"no"}},"contactPreference":{"allow":"no"}},"commands":[]}`)

type wContact struct {
	ContactID         int64           `json:"contactId"`
	LocalDisplayName  string          `json:"localDisplayName"`
	Profile           wLocalProfile   `json:"profile"`
	ActiveConn        *wConn          `json:"activeConn,omitempty"`
	ContactUsed       bool            `json:"contactUsed"`
	ContactStatus     string          `json:"contactStatus"`
	ChatSettings      chatSettings    `json:"chatSettings"`
	UserPreferences   json.RawMessage `json:"userPreferences"`
	MergedPreferences json.RawMessage `json:"mergedPreferences"`
	CreatedAt         string          `json:"createdAt"`
	UpdatedAt         string          `json:"updatedAt"`
	ChatTs            string          `json:"chatTs,omitempty"`
	ContactRequestID  int64           `json:"contactRequestId,omitempty"`
	ContactGrpInvSent bool            `json:"contactGrpInvSent"`
	ChatTags          []int64         `json:"chatTags"`
	ChatDeleted       bool            `json:"chatDeleted"`
	CustomData        json.RawMessage `json:"customData,omitempty"`
}

type wContactRequest struct {
	ContactRequestID   int64         `json:"contactRequestId"`
	AgentInvitationID  string        `json:"agentInvitationId"`
	ContactID          int64         `json:"contactId_,omitempty"`
	UserContactLinkID  int64         `json:"userContactLinkId_,omitempty"`
	CReqChatVRange     vRange        `json:"cReqChatVRange"`
	LocalDisplayName   string        `json:"localDisplayName"`
	ProfileID          int64         `json:"profileId"`
	Profile            wLocalProfile `json:"profile"`
	CreatedAt          string        `json:"createdAt"`
	UpdatedAt          string        `json:"updatedAt"`
	XContactID         string        `json:"xContactId,omitempty"`
	PQSupport          bool          `json:"pqSupport"`
	RejectionSupported bool          `json:"rejectionSupported"`
}

type wInvitedBy struct {
	Type        string `json:"type"`
	ByContactID int64  `json:"byContactId,omitempty"`
}

type wMemberSettings struct {
	ShowMessages bool `json:"showMessages"`
}

type wMember struct {
	GroupMemberID          int64           `json:"groupMemberId"`
	GroupID                int64           `json:"groupId"`
	IndexInGroup           int64           `json:"indexInGroup"`
	MemberID               string          `json:"memberId"`
	MemberRole             string          `json:"memberRole"`
	MemberCategory         string          `json:"memberCategory"`
	MemberStatus           string          `json:"memberStatus"`
	MemberSettings         wMemberSettings `json:"memberSettings"`
	BlockedByAdmin         bool            `json:"blockedByAdmin"`
	InvitedBy              wInvitedBy      `json:"invitedBy"`
	InvitedByGroupMemberID int64           `json:"invitedByGroupMemberId,omitempty"`
	LocalDisplayName       string          `json:"localDisplayName"`
	MemberProfile          wLocalProfile   `json:"memberProfile"`
	MemberContactID        int64           `json:"memberContactId,omitempty"`
	MemberContactProfileID int64           `json:"memberContactProfileId"`
	MemberChatVRange       vRange          `json:"memberChatVRange"`
	CreatedAt              string          `json:"createdAt"`
	UpdatedAt              string          `json:"updatedAt"`
}

type wGroupProfile struct {
	DisplayName      string          `json:"displayName"`
	FullName         string          `json:"fullName"`
	ShortDescr       string          `json:"shortDescr,omitempty"`
	Description      string          `json:"description,omitempty"`
	Image            string          `json:"image,omitempty"`
	GroupPreferences json.RawMessage `json:"groupPreferences,omitempty"`
	MemberAdmission  json.RawMessage `json:"memberAdmission,omitempty"`
}

var defaultGroupPreferences = json.RawMessage(`{"directMessages":{"enable":"on"},"history":{"enable":"on"}}`)

var fullGroupPreferences = json.RawMessage(`{"timedMessages":{"enable":"off","ttl":86400},"directMessages":{"enable":"on"},"fullDelete":{"enable":"off"},"reactions":{"enable":"on"},"voice":{"enable":"on"},"files":{"enable":"on"},"simplexLinks":{"enable":"on"},"reports":{"enable":"on"},"history":{"enable":"on"},"support":{"enable":"on"},"sessions":{"enable":"off"},"comments":{"enable":"off"},"commands":[]}`)

type wGroupSummary struct {
	CurrentMembers int `json:"currentMembers"`
}

type wGroupInfo struct {
	GroupID                 int64           `json:"groupId"`
	UseRelays               bool            `json:"useRelays"`
	LocalDisplayName        string          `json:"localDisplayName"`
	GroupProfile            wGroupProfile   `json:"groupProfile"`
	LocalAlias              string          `json:"localAlias"`
	FullGroupPreferences    json.RawMessage `json:"fullGroupPreferences"`
	Membership              wMember         `json:"membership"`
	ChatSettings            chatSettings    `json:"chatSettings"`
	CreatedAt               string          `json:"createdAt"`
	UpdatedAt               string          `json:"updatedAt"`
	UserMemberProfileSentAt string          `json:"userMemberProfileSentAt,omitempty"`
	ChatTs                  string          `json:"chatTs,omitempty"`
	ChatTags                []int64         `json:"chatTags"`
	GroupSummary            wGroupSummary   `json:"groupSummary"`
	MembersRequireAttention int             `json:"membersRequireAttention"`
	CustomData              json.RawMessage `json:"customData,omitempty"`
}

type wGroupChatScope struct {
	Type        string   `json:"type"`
	GroupMember *wMember `json:"groupMember_,omitempty"`
}

type wChatInfo struct {
	Type           string           `json:"type"`
	Contact        *wContact        `json:"contact,omitempty"`
	GroupInfo      *wGroupInfo      `json:"groupInfo,omitempty"`
	GroupChatScope *wGroupChatScope `json:"groupChatScope,omitempty"`
}

type wChatDir struct {
	Type        string   `json:"type"`
	GroupMember *wMember `json:"groupMember,omitempty"`
}

type wItemStatus struct {
	Type          string `json:"type"`
	SndProgress   string `json:"sndProgress,omitempty"`
	MsgRcptStatus string `json:"msgRcptStatus,omitempty"`
}

type wItemDeleted struct {
	Type          string   `json:"type"`
	DeletedTs     string   `json:"deletedTs,omitempty"`
	ChatType      string   `json:"chatType,omitempty"`
	ByGroupMember *wMember `json:"byGroupMember,omitempty"`
}

type wItemTimed struct {
	TTL      int    `json:"ttl"`
	DeleteAt string `json:"deleteAt,omitempty"`
}

type wMeta struct {
	ItemID            int64         `json:"itemId"`
	ItemTs            string        `json:"itemTs"`
	ItemText          string        `json:"itemText"`
	ItemStatus        wItemStatus   `json:"itemStatus"`
	ItemSharedMsgID   string        `json:"itemSharedMsgId,omitempty"`
	ItemDeleted       *wItemDeleted `json:"itemDeleted,omitempty"`
	ItemEdited        bool          `json:"itemEdited"`
	ItemTimed         *wItemTimed   `json:"itemTimed,omitempty"`
	ItemLive          *bool         `json:"itemLive,omitempty"`
	UserMention       bool          `json:"userMention"`
	HasLink           bool          `json:"hasLink"`
	Deletable         bool          `json:"deletable"`
	Editable          bool          `json:"editable"`
	ShowGroupAsSender bool          `json:"showGroupAsSender"`
	CreatedAt         string        `json:"createdAt"`
	UpdatedAt         string        `json:"updatedAt"`
}

type wMemberRef struct {
	GroupMemberID int64  `json:"groupMemberId"`
	DisplayName   string `json:"displayName"`
	LocalAlias    string `json:"localAlias"`
	MemberRole    string `json:"memberRole"`
}

type wMention struct {
	MemberID  string      `json:"memberId"`
	MemberRef *wMemberRef `json:"memberRef,omitempty"`
}

type wFormat struct {
	Type       string   `json:"type"`
	Color      string   `json:"color,omitempty"`
	ShowText   string   `json:"showText,omitempty"`
	LinkURI    string   `json:"linkUri,omitempty"`
	LinkType   string   `json:"linkType,omitempty"`
	SimplexURI string   `json:"simplexUri,omitempty"`
	SmpHosts   []string `json:"smpHosts,omitempty"`
	CommandStr string   `json:"commandStr,omitempty"`
	MemberName string   `json:"memberName,omitempty"`
}

type wFormatted struct {
	Text   string   `json:"text"`
	Format *wFormat `json:"format,omitempty"`
}

type wQuote struct {
	ChatDir     *wChatDir       `json:"chatDir,omitempty"`
	ItemID      int64           `json:"itemId,omitempty"`
	SharedMsgID string          `json:"sharedMsgId,omitempty"`
	SentAt      string          `json:"sentAt"`
	Content     json.RawMessage `json:"content"`
}

type wReactionCount struct {
	Reaction     json.RawMessage `json:"reaction"`
	UserReacted  bool            `json:"userReacted"`
	TotalReacted int             `json:"totalReacted"`
}

type wFileSource struct {
	FilePath string `json:"filePath"`
}

type wFile struct {
	FileID       int64        `json:"fileId"`
	FileName     string       `json:"fileName"`
	FileSize     int64        `json:"fileSize"`
	FileSource   *wFileSource `json:"fileSource,omitempty"`
	FileStatus   tagged       `json:"fileStatus"`
	FileProtocol string       `json:"fileProtocol"`
}

type wChatItem struct {
	ChatDir       wChatDir            `json:"chatDir"`
	Meta          wMeta               `json:"meta"`
	Content       json.RawMessage     `json:"content"`
	Mentions      map[string]wMention `json:"mentions"`
	FormattedText []wFormatted        `json:"formattedText,omitempty"`
	QuotedItem    *wQuote             `json:"quotedItem,omitempty"`
	Reactions     []wReactionCount    `json:"reactions"`
	File          *wFile              `json:"file,omitempty"`
}

type wAChatItem struct {
	ChatInfo wChatInfo `json:"chatInfo"`
	ChatItem wChatItem `json:"chatItem"`
}

type wDeletion struct {
	DeletedChatItem wAChatItem  `json:"deletedChatItem"`
	ToChatItem      *wAChatItem `json:"toChatItem,omitempty"`
}

type wConnLink struct {
	ConnFullLink  string `json:"connFullLink"`
	ConnShortLink string `json:"connShortLink,omitempty"`
}

type wAddressSettings struct {
	BusinessAddress bool            `json:"businessAddress"`
	AutoAccept      json.RawMessage `json:"autoAccept,omitempty"`
	AutoReply       json.RawMessage `json:"autoReply,omitempty"`
}

type wContactLink struct {
	UserContactLinkID     int64            `json:"userContactLinkId"`
	ConnLinkContact       wConnLink        `json:"connLinkContact"`
	ShortLinkDataSet      bool             `json:"shortLinkDataSet"`
	ShortLinkLargeDataSet bool             `json:"shortLinkLargeDataSet"`
	AddressSettings       wAddressSettings `json:"addressSettings"`
}

type wGroupLink struct {
	UserContactLinkID     int64     `json:"userContactLinkId"`
	ConnLinkContact       wConnLink `json:"connLinkContact"`
	ShortLinkDataSet      bool      `json:"shortLinkDataSet"`
	ShortLinkLargeDataSet bool      `json:"shortLinkLargeDataSet"`
	GroupLinkID           string    `json:"groupLinkId"`
	AcceptMemberRole      string    `json:"acceptMemberRole"`
}

type wChatStats struct {
	UnreadCount     int   `json:"unreadCount"`
	UnreadMentions  int   `json:"unreadMentions"`
	ReportsCount    int   `json:"reportsCount"`
	MinUnreadItemID int64 `json:"minUnreadItemId"`
	UnreadChat      bool  `json:"unreadChat"`
}

type wAChat struct {
	ChatInfo  wChatInfo   `json:"chatInfo"`
	ChatItems []wChatItem `json:"chatItems"`
	ChatStats wChatStats  `json:"chatStats"`
}

type wRcvFileTransfer struct {
	FileID         int64           `json:"fileId"`
	XFTPRcvFile    json.RawMessage `json:"xftpRcvFile,omitempty"`
	FileInvitation json.RawMessage `json:"fileInvitation"`
	FileStatus     tagged          `json:"fileStatus"`
	SenderName     string          `json:"senderDisplayName"`
	ChunkSize      int             `json:"chunkSize"`
	Cancelled      bool            `json:"cancelled"`
}

// obj is an ordered JSON object: the event/response body with "type" first
// and the remaining fields in insertion order.
type obj struct {
	keys []string
	vals []any
}

func body(typ string) *obj { return fields().set("type", typ) }

// fields starts an ordered object that is not a tagged union.
func fields() *obj { return &obj{} }

func (o *obj) set(k string, v any) *obj {
	o.keys = append(o.keys, k)
	o.vals = append(o.vals, v)
	return o
}

// MarshalJSON writes the fields in insertion order.
func (o *obj) MarshalJSON() ([]byte, error) {
	buf := []byte{'{'}
	for i, k := range o.keys {
		if i > 0 {
			buf = append(buf, ',')
		}
		kb, err := json.Marshal(k)
		if err != nil {
			return nil, err
		}
		buf = append(buf, kb...)
		buf = append(buf, ':')
		vb, err := json.Marshal(o.vals[i])
		if err != nil {
			return nil, err
		}
		buf = append(buf, vb...)
	}
	return append(buf, '}'), nil
}

// eventFrame wraps an event body: events never carry a corrId.
func eventFrame(resp any) []byte {
	return append(append([]byte(`{"resp":`), marshalBody(resp, "event")...), '}')
}

// responseFrame wraps a command response with its corrId.
func responseFrame(corrID string, resp any) []byte {
	id, _ := json.Marshal(corrID) // a string always encodes
	b := append(append([]byte(`{"corrId":`), id...), `,"resp":`...)
	return append(append(b, marshalBody(resp, "response")...), '}')
}

// marshalBody encodes a frame's body. An *obj is asked directly: through
// json.Marshal its output would be scanned and compacted once more, a
// whole extra pass over every frame.
func marshalBody(resp any, what string) []byte {
	var b []byte
	var err error
	if o, ok := resp.(*obj); ok {
		b, err = o.MarshalJSON()
	} else {
		b, err = json.Marshal(resp)
	}
	if err != nil {
		panic("simplexsim: marshal " + what + ": " + err.Error())
	}
	return b
}

// chatError bodies.

func errType(typ string, kv ...any) *obj {
	e := body(typ)
	for i := 0; i+1 < len(kv); i += 2 {
		e.set(kv[i].(string), kv[i+1])
	}
	return body("error").set("errorType", e)
}

func errStore(typ string, kv ...any) *obj {
	e := body(typ)
	for i := 0; i+1 < len(kv); i += 2 {
		e.set(kv[i].(string), kv[i+1])
	}
	return body("errorStore").set("storeError", e)
}

func cmdError(msg string) *obj { return errType("commandError", "message", msg) }

func chatCmdError(chatErr any) *obj { return body("chatCmdError").set("chatError", chatErr) }

// invalidRequestFrame is what the CLI sends for a frame it cannot decode.
var invalidRequestFrame = eventFrame(chatCmdError(cmdError("invalid request")))

const parseFailed = "Failed reading: empty"
