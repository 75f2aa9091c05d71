package simplex

import (
	"encoding/json"
	"strconv"
	"time"
)

// Every struct in this file and in types_*.go mirrors one object of the
// chat core's JSON and holds an Extra, which makes decoding lossless (see
// Extra). Field names follow the wire names; optional members are marked
// omitempty, which only matters for values built in Go.

// GroupMemberRole is a member's role in a group. Unknown roles from newer
// chat cores are kept as received.
type GroupMemberRole string

// Group member roles, lowest first.
const (
	RoleRelay     GroupMemberRole = "relay"
	RoleObserver  GroupMemberRole = "observer"
	RoleAuthor    GroupMemberRole = "author"
	RoleMember    GroupMemberRole = "member"
	RoleModerator GroupMemberRole = "moderator"
	RoleAdmin     GroupMemberRole = "admin"
	RoleOwner     GroupMemberRole = "owner"
)

// Rank orders the roles: observer 1 … owner 6; relay, a transport role of
// channels, ranks 0; unknown roles rank -1.
func (r GroupMemberRole) Rank() int {
	switch r {
	case RoleRelay:
		return 0
	case RoleObserver:
		return 1
	case RoleAuthor:
		return 2
	case RoleMember:
		return 3
	case RoleModerator:
		return 4
	case RoleAdmin:
		return 5
	case RoleOwner:
		return 6
	}
	return -1
}

// Valid reports whether r is a role this package knows.
func (r GroupMemberRole) Valid() bool { return r.Rank() >= 0 }

// RoleAtLeast reports whether role have is at least role want. Unknown roles
// never qualify, so permission checks fail closed.
func RoleAtLeast(have, want GroupMemberRole) bool {
	h, w := have.Rank(), want.Rank()
	return h >= 0 && w >= 0 && h >= w
}

// GroupMemberCategory tells how a member relates to the bot's membership.
type GroupMemberCategory string

// Group member categories.
const (
	CategoryUser    GroupMemberCategory = "user"
	CategoryInvitee GroupMemberCategory = "invitee"
	CategoryHost    GroupMemberCategory = "host"
	CategoryPre     GroupMemberCategory = "pre"
	CategoryPost    GroupMemberCategory = "post"
)

// GroupMemberStatus is a member's state; note the wire spellings.
type GroupMemberStatus string

// Group member statuses.
const (
	MemberStatusRejected        GroupMemberStatus = "rejected"
	MemberStatusRemoved         GroupMemberStatus = "removed"
	MemberStatusLeft            GroupMemberStatus = "left"
	MemberStatusDeleted         GroupMemberStatus = "deleted"
	MemberStatusUnknown         GroupMemberStatus = "unknown"
	MemberStatusInvited         GroupMemberStatus = "invited"
	MemberStatusPendingApproval GroupMemberStatus = "pending_approval"
	MemberStatusPendingReview   GroupMemberStatus = "pending_review"
	MemberStatusIntroduced      GroupMemberStatus = "introduced"
	MemberStatusIntroInvited    GroupMemberStatus = "intro-inv"
	MemberStatusAccepted        GroupMemberStatus = "accepted"
	MemberStatusAnnounced       GroupMemberStatus = "announced"
	MemberStatusConnected       GroupMemberStatus = "connected"
	MemberStatusComplete        GroupMemberStatus = "complete"
	MemberStatusCreator         GroupMemberStatus = "creator"
)

// Active reports whether the member currently takes part in the group.
func (s GroupMemberStatus) Active() bool {
	switch s {
	case MemberStatusIntroduced, MemberStatusIntroInvited, MemberStatusAccepted, MemberStatusAnnounced, MemberStatusConnected, MemberStatusComplete, MemberStatusCreator:
		return true
	}
	return false
}

// ContactStatus is the state of a contact.
type ContactStatus string

// Contact statuses.
const (
	ContactStatusActive        ContactStatus = "active"
	ContactStatusDeleted       ContactStatus = "deleted"
	ContactStatusDeletedByUser ContactStatus = "deletedByUser"
	ContactStatusRejected      ContactStatus = "rejected"
)

// ChatPeerType tells humans from bots.
type ChatPeerType string

// Peer types.
const (
	PeerHuman    ChatPeerType = "human"
	PeerBot      ChatPeerType = "bot"
	PeerBusiness ChatPeerType = "business"
)

// FeatureAllowed is a contact preference value.
type FeatureAllowed string

// Preference values.
const (
	AllowAlways FeatureAllowed = "always"
	AllowYes    FeatureAllowed = "yes"
	AllowNo     FeatureAllowed = "no"
)

// AgentUserID is User.agentUserId, which real chat cores send as a string
// ("1") although the docs say number. Both are accepted and it is encoded
// back the way it came.
type AgentUserID struct {
	Value int64
	// Quoted is set when the id came as a JSON string.
	Quoted bool
}

func (AgentUserID) customWire() {}

// MarshalJSON encodes the id as a string or a number, as received.
func (a AgentUserID) MarshalJSON() ([]byte, error) {
	b := strconv.AppendInt(nil, a.Value, 10)
	if a.Quoted {
		return append(append([]byte{'"'}, b...), '"'), nil
	}
	return b, nil
}

// UnmarshalJSON accepts 1 and "1".
func (a *AgentUserID) UnmarshalJSON(data []byte) error {
	d := &wireDecoder{data: data}
	if d.peek() == '"' {
		s, err := d.readString()
		if err != nil {
			return err
		}
		n, err := strconv.ParseInt(s, 10, 64)
		if err != nil {
			return &wireMismatch{"agentUserId"}
		}
		*a = AgentUserID{Value: n, Quoted: true}
		return nil
	}
	n, ok := jsonParseInt(jsonTrimSpace(data))
	if !ok {
		return &wireMismatch{"agentUserId"}
	}
	*a = AgentUserID{Value: n}
	return nil
}

func jsonTrimSpace(b []byte) []byte {
	for len(b) > 0 && (b[0] == ' ' || b[0] == '\n' || b[0] == '\t' || b[0] == '\r') {
		b = b[1:]
	}
	for len(b) > 0 && (b[len(b)-1] == ' ' || b[len(b)-1] == '\n' || b[len(b)-1] == '\t' || b[len(b)-1] == '\r') {
		b = b[:len(b)-1]
	}
	return b
}

// ConnStatus is a connection's status. Older chat cores send a string
// ("ready", "snd-ready"), newer ones a tagged object ({"type":"ready"},
// {"type":"failed","connError":"…"}); both decode, and the value encodes
// back in the form it came in.
type ConnStatus struct {
	// Type is the status tag as received, e.g. "ready" or "snd-ready".
	Type string
	// Object is set when the status came as an object; its other members
	// are in Extra.
	Object bool
	Extra  Extra
}

// Connection status tags (object spelling; String form spellings differ
// only for "snd-ready").
const (
	ConnNew       = "new"
	ConnPrepared  = "prepared"
	ConnJoined    = "joined"
	ConnRequested = "requested"
	ConnAccepted  = "accepted"
	ConnSndReady  = "sndReady"
	ConnReady     = "ready"
	ConnDeleted   = "deleted"
	ConnFailed    = "failed"
)

func (ConnStatus) customWire() {}

// Canonical returns the status tag in object spelling ("snd-ready" becomes
// "sndReady").
func (s ConnStatus) Canonical() string {
	if s.Type == "snd-ready" {
		return ConnSndReady
	}
	return s.Type
}

// Ready reports whether the connection can carry messages.
func (s ConnStatus) Ready() bool { return s.Type == ConnReady }

type connStatusObject struct {
	Type  string `json:"type"`
	Extra Extra
}

// MarshalJSON encodes the status as a string or an object, as received.
func (s ConnStatus) MarshalJSON() ([]byte, error) {
	if !s.Object {
		return jsonAppendString(nil, s.Type), nil
	}
	return marshalWire(&connStatusObject{Type: s.Type, Extra: s.Extra})
}

// UnmarshalJSON accepts "ready" and {"type":"ready"}.
func (s *ConnStatus) UnmarshalJSON(data []byte) error {
	d := &wireDecoder{data: data, copyRaw: true}
	switch d.peek() {
	case '"':
		t, err := d.readString()
		if err != nil {
			return err
		}
		*s = ConnStatus{Type: t}
		return nil
	case '{':
		var o connStatusObject
		if err := decodeInto(d, reflectValue(&o)); err != nil {
			return err
		}
		*s = ConnStatus{Type: o.Type, Object: true, Extra: o.Extra}
		return nil
	}
	return &wireMismatch{"connStatus"}
}

// User is the bot's own chat user.
type User struct {
	UserID                     int64           `json:"userId"`
	AgentUserID                AgentUserID     `json:"agentUserId"`
	UserContactID              int64           `json:"userContactId"`
	LocalDisplayName           string          `json:"localDisplayName"`
	Profile                    LocalProfile    `json:"profile"`
	FullPreferences            Preferences     `json:"fullPreferences"`
	ActiveUser                 bool            `json:"activeUser"`
	ActiveOrder                int64           `json:"activeOrder"`
	ViewPwdHash                json.RawMessage `json:"viewPwdHash,omitempty"`
	ShowNtfs                   bool            `json:"showNtfs"`
	SendRcptsContacts          bool            `json:"sendRcptsContacts"`
	SendRcptsSmallGroups       bool            `json:"sendRcptsSmallGroups"`
	AutoAcceptMemberContacts   bool            `json:"autoAcceptMemberContacts"`
	UserMemberProfileUpdatedAt time.Time       `json:"userMemberProfileUpdatedAt,omitempty"`
	ClientService              bool            `json:"clientService,omitempty"`
	UIThemes                   json.RawMessage `json:"uiThemes,omitempty"`
	Extra                      Extra
}

// Profile is a user's public profile, as sent to others.
type Profile struct {
	DisplayName string       `json:"displayName"`
	FullName    string       `json:"fullName"`
	ShortDescr  string       `json:"shortDescr,omitempty"`
	Image       string       `json:"image,omitempty"`
	ContactLink string       `json:"contactLink,omitempty"`
	Preferences *Preferences `json:"preferences,omitempty"`
	PeerType    ChatPeerType `json:"peerType,omitempty"`
	Extra       Extra
}

// LocalProfile is a profile as stored locally, with its id and alias.
type LocalProfile struct {
	ProfileID   int64        `json:"profileId"`
	DisplayName string       `json:"displayName"`
	FullName    string       `json:"fullName"`
	ShortDescr  string       `json:"shortDescr,omitempty"`
	Image       string       `json:"image,omitempty"`
	ContactLink string       `json:"contactLink,omitempty"`
	Preferences *Preferences `json:"preferences,omitempty"`
	PeerType    ChatPeerType `json:"peerType,omitempty"`
	LocalAlias  string       `json:"localAlias"`
	Extra       Extra
}

// Preferences are a user's or contact's chat preferences; the bot command
// menu is Commands. It also serves as FullPreferences, where every member
// is present.
type Preferences struct {
	TimedMessages *TimedMessagesPreference `json:"timedMessages,omitempty"`
	FullDelete    *SimplePreference        `json:"fullDelete,omitempty"`
	Reactions     *SimplePreference        `json:"reactions,omitempty"`
	Voice         *SimplePreference        `json:"voice,omitempty"`
	Files         *SimplePreference        `json:"files,omitempty"`
	Calls         *SimplePreference        `json:"calls,omitempty"`
	Sessions      *SimplePreference        `json:"sessions,omitempty"`
	Commands      []ChatBotCommand         `json:"commands,omitempty"`
	Extra         Extra
}

// SimplePreference allows or forbids a feature.
type SimplePreference struct {
	Allow FeatureAllowed `json:"allow"`
	Extra Extra
}

// TimedMessagesPreference allows disappearing messages, with a TTL in seconds.
type TimedMessagesPreference struct {
	Allow FeatureAllowed `json:"allow"`
	TTL   int64          `json:"ttl,omitempty"`
	Extra Extra
}

// Bot command menu entry types.
const (
	BotCommandCommand = "command"
	BotCommandMenu    = "menu"
)

// ChatBotCommand is an entry of a bot's command menu: a command
// (Type "command", Keyword, Label, optional Params hint) or a submenu
// (Type "menu", Label, Commands).
type ChatBotCommand struct {
	Type     string           `json:"type"`
	Keyword  string           `json:"keyword,omitempty"`
	Label    string           `json:"label"`
	Params   string           `json:"params,omitempty"`
	Commands []ChatBotCommand `json:"commands,omitempty"`
	Extra    Extra
}

// VersionRange is a range of protocol versions.
type VersionRange struct {
	MinVersion int64 `json:"minVersion"`
	MaxVersion int64 `json:"maxVersion"`
	Extra      Extra
}

// Connection is an agent connection of a contact or member.
type Connection struct {
	ConnID               int64           `json:"connId"`
	AgentConnID          string          `json:"agentConnId"`
	ConnChatVersion      int64           `json:"connChatVersion"`
	PeerChatVRange       VersionRange    `json:"peerChatVRange"`
	ConnLevel            int64           `json:"connLevel"`
	ViaContact           int64           `json:"viaContact,omitempty"`
	ViaUserContactLink   int64           `json:"viaUserContactLink,omitempty"`
	ViaGroupLink         bool            `json:"viaGroupLink"`
	GroupLinkID          string          `json:"groupLinkId,omitempty"`
	XContactID           string          `json:"xContactId,omitempty"`
	CustomUserProfileID  int64           `json:"customUserProfileId,omitempty"`
	ConnType             string          `json:"connType"`
	ConnStatus           ConnStatus      `json:"connStatus"`
	ContactConnInitiated bool            `json:"contactConnInitiated"`
	LocalAlias           string          `json:"localAlias"`
	EntityID             int64           `json:"entityId,omitempty"`
	ConnectionCode       json.RawMessage `json:"connectionCode,omitempty"`
	PQSupport            bool            `json:"pqSupport"`
	PQEncryption         bool            `json:"pqEncryption"`
	PQSndEnabled         *bool           `json:"pqSndEnabled,omitempty"`
	PQRcvEnabled         *bool           `json:"pqRcvEnabled,omitempty"`
	AuthErrCounter       int64           `json:"authErrCounter"`
	QuotaErrCounter      int64           `json:"quotaErrCounter"`
	CreatedAt            time.Time       `json:"createdAt"`
	Extra                Extra
}

// ChatSettings are per-chat notification settings.
type ChatSettings struct {
	EnableNtfs string `json:"enableNtfs"`
	SendRcpts  *bool  `json:"sendRcpts,omitempty"`
	Favorite   bool   `json:"favorite"`
	Extra      Extra
}

// Contact is a direct-chat peer.
type Contact struct {
	ContactID            int64           `json:"contactId"`
	LocalDisplayName     string          `json:"localDisplayName"`
	Profile              LocalProfile    `json:"profile"`
	ActiveConn           *Connection     `json:"activeConn,omitempty"`
	ViaGroup             int64           `json:"viaGroup,omitempty"`
	ContactUsed          bool            `json:"contactUsed"`
	ContactStatus        ContactStatus   `json:"contactStatus"`
	ChatSettings         ChatSettings    `json:"chatSettings"`
	UserPreferences      Preferences     `json:"userPreferences"`
	MergedPreferences    json.RawMessage `json:"mergedPreferences,omitempty"`
	CreatedAt            time.Time       `json:"createdAt"`
	UpdatedAt            time.Time       `json:"updatedAt"`
	ChatTs               time.Time       `json:"chatTs,omitempty"`
	PreparedContact      json.RawMessage `json:"preparedContact,omitempty"`
	ContactRequestID     int64           `json:"contactRequestId,omitempty"`
	ContactGroupMemberID int64           `json:"contactGroupMemberId,omitempty"`
	ContactGrpInvSent    bool            `json:"contactGrpInvSent"`
	GroupDirectInv       json.RawMessage `json:"groupDirectInv,omitempty"`
	ChatTags             []int64         `json:"chatTags"`
	ChatItemTTL          int64           `json:"chatItemTTL,omitempty"`
	UIThemes             json.RawMessage `json:"uiThemes,omitempty"`
	ChatDeleted          bool            `json:"chatDeleted"`
	CustomData           json.RawMessage `json:"customData,omitempty"`
	Extra                Extra
}

// DisplayName returns the contact's profile name, or its local name.
func (c *Contact) DisplayName() string {
	if c.Profile.DisplayName != "" {
		return c.Profile.DisplayName
	}
	return c.LocalDisplayName
}

// Ref returns the contact's chat reference, "@<contactId>".
func (c *Contact) Ref() ChatRef { return ChatRef{Type: ChatDirect, ID: c.ContactID} }

// GroupPreference is one group feature setting. Enable is "on" or "off";
// Role limits role-restricted features; TTL applies to timed messages.
type GroupPreference struct {
	Enable string          `json:"enable"`
	Role   GroupMemberRole `json:"role,omitempty"`
	TTL    int64           `json:"ttl,omitempty"`
	Extra  Extra
}

// GroupPreferences are a group's feature settings (also FullGroupPreferences).
// Features newer than this package are kept in Extra.
type GroupPreferences struct {
	TimedMessages  *GroupPreference `json:"timedMessages,omitempty"`
	DirectMessages *GroupPreference `json:"directMessages,omitempty"`
	FullDelete     *GroupPreference `json:"fullDelete,omitempty"`
	Reactions      *GroupPreference `json:"reactions,omitempty"`
	Voice          *GroupPreference `json:"voice,omitempty"`
	Files          *GroupPreference `json:"files,omitempty"`
	SimplexLinks   *GroupPreference `json:"simplexLinks,omitempty"`
	Reports        *GroupPreference `json:"reports,omitempty"`
	History        *GroupPreference `json:"history,omitempty"`
	Sessions       *GroupPreference `json:"sessions,omitempty"`
	Commands       []ChatBotCommand `json:"commands,omitempty"`
	Extra          Extra
}

// GroupProfile is a group's public profile. Description is the welcome
// message shown to joiners.
type GroupProfile struct {
	DisplayName      string            `json:"displayName"`
	FullName         string            `json:"fullName"`
	ShortDescr       string            `json:"shortDescr,omitempty"`
	Description      string            `json:"description,omitempty"`
	Image            string            `json:"image,omitempty"`
	GroupPreferences *GroupPreferences `json:"groupPreferences,omitempty"`
	MemberAdmission  json.RawMessage   `json:"memberAdmission,omitempty"`
	Extra            Extra
}

// GroupSummary counts a group's members.
type GroupSummary struct {
	CurrentMembers int64 `json:"currentMembers"`
	Extra          Extra
}

// BusinessChatInfo marks a group that is a business chat.
type BusinessChatInfo struct {
	ChatType   string `json:"chatType"`
	BusinessID string `json:"businessId"`
	CustomerID string `json:"customerId"`
	Extra      Extra
}

// GroupInfo is a group as seen by the bot; Membership is the bot's own
// member record (its role is Membership.MemberRole).
type GroupInfo struct {
	GroupID                 int64             `json:"groupId"`
	UseRelays               bool              `json:"useRelays"`
	LocalDisplayName        string            `json:"localDisplayName"`
	GroupProfile            GroupProfile      `json:"groupProfile"`
	LocalAlias              string            `json:"localAlias"`
	BusinessChat            *BusinessChatInfo `json:"businessChat,omitempty"`
	FullGroupPreferences    GroupPreferences  `json:"fullGroupPreferences"`
	Membership              GroupMember       `json:"membership"`
	ChatSettings            ChatSettings      `json:"chatSettings"`
	CreatedAt               time.Time         `json:"createdAt"`
	UpdatedAt               time.Time         `json:"updatedAt"`
	ChatTs                  time.Time         `json:"chatTs,omitempty"`
	UserMemberProfileSentAt time.Time         `json:"userMemberProfileSentAt,omitempty"`
	PreparedGroup           json.RawMessage   `json:"preparedGroup,omitempty"`
	ChatTags                []int64           `json:"chatTags"`
	ChatItemTTL             int64             `json:"chatItemTTL,omitempty"`
	UIThemes                json.RawMessage   `json:"uiThemes,omitempty"`
	CustomData              json.RawMessage   `json:"customData,omitempty"`
	GroupSummary            *GroupSummary     `json:"groupSummary,omitempty"`
	MembersRequireAttention int64             `json:"membersRequireAttention"`
	ViaGroupLinkURI         string            `json:"viaGroupLinkUri,omitempty"`
	Extra                   Extra
}

// DisplayName returns the group's profile name, or its local name.
func (g *GroupInfo) DisplayName() string {
	if g.GroupProfile.DisplayName != "" {
		return g.GroupProfile.DisplayName
	}
	return g.LocalDisplayName
}

// Ref returns the group's chat reference, "#<groupId>".
func (g *GroupInfo) Ref() ChatRef { return ChatRef{Type: ChatGroup, ID: g.GroupID} }

// GroupMemberSettings are the bot's local settings for a member.
type GroupMemberSettings struct {
	ShowMessages bool `json:"showMessages"`
	Extra        Extra
}

// InvitedBy tells who invited a member: Type "contact" (ByContactID),
// "user" (the bot) or "unknown".
type InvitedBy struct {
	Type        string `json:"type"`
	ByContactID int64  `json:"byContactId,omitempty"`
	Extra       Extra
}

// GroupMember is a member of a group (the bot's own membership included).
type GroupMember struct {
	GroupMemberID          int64               `json:"groupMemberId"`
	GroupID                int64               `json:"groupId"`
	IndexInGroup           int64               `json:"indexInGroup,omitempty"`
	MemberID               string              `json:"memberId"`
	MemberRole             GroupMemberRole     `json:"memberRole"`
	MemberCategory         GroupMemberCategory `json:"memberCategory"`
	MemberStatus           GroupMemberStatus   `json:"memberStatus"`
	MemberSettings         GroupMemberSettings `json:"memberSettings"`
	BlockedByAdmin         bool                `json:"blockedByAdmin"`
	InvitedBy              InvitedBy           `json:"invitedBy"`
	InvitedByGroupMemberID int64               `json:"invitedByGroupMemberId,omitempty"`
	LocalDisplayName       string              `json:"localDisplayName"`
	MemberProfile          LocalProfile        `json:"memberProfile"`
	MemberContactID        int64               `json:"memberContactId,omitempty"`
	MemberContactProfileID int64               `json:"memberContactProfileId"`
	ActiveConn             *Connection         `json:"activeConn,omitempty"`
	MemberChatVRange       VersionRange        `json:"memberChatVRange"`
	CreatedAt              time.Time           `json:"createdAt"`
	UpdatedAt              time.Time           `json:"updatedAt"`
	SupportChat            json.RawMessage     `json:"supportChat,omitempty"`
	Extra                  Extra
}

// DisplayName returns the member's profile name, or its local name.
func (m *GroupMember) DisplayName() string {
	if m.MemberProfile.DisplayName != "" {
		return m.MemberProfile.DisplayName
	}
	return m.LocalDisplayName
}

// UserContactRequest is a pending request to connect via the bot's address.
type UserContactRequest struct {
	ContactRequestID   int64        `json:"contactRequestId"`
	AgentInvitationID  string       `json:"agentInvitationId"`
	ContactID          int64        `json:"contactId_,omitempty"`
	BusinessGroupID    int64        `json:"businessGroupId_,omitempty"`
	UserContactLinkID  int64        `json:"userContactLinkId_,omitempty"`
	CReqChatVRange     VersionRange `json:"cReqChatVRange"`
	LocalDisplayName   string       `json:"localDisplayName"`
	ProfileID          int64        `json:"profileId"`
	Profile            LocalProfile `json:"profile"`
	CreatedAt          time.Time    `json:"createdAt"`
	UpdatedAt          time.Time    `json:"updatedAt"`
	XContactID         string       `json:"xContactId,omitempty"`
	PQSupport          bool         `json:"pqSupport"`
	WelcomeSharedMsgID string       `json:"welcomeSharedMsgId,omitempty"`
	RequestSharedMsgID string       `json:"requestSharedMsgId,omitempty"`
	RejectionSupported bool         `json:"rejectionSupported,omitempty"`
	Extra              Extra
}

// UserInfo is a user with its unread count (usersList).
type UserInfo struct {
	User        User  `json:"user"`
	UnreadCount int64 `json:"unreadCount"`
	Extra       Extra
}

// UserProfileUpdateSummary reports how a profile update reached contacts.
type UserProfileUpdateSummary struct {
	UpdateSuccesses int64     `json:"updateSuccesses"`
	UpdateFailures  int64     `json:"updateFailures"`
	ChangedContacts []Contact `json:"changedContacts"`
	Extra           Extra
}

// NewUser is the argument of CreateActiveUser.
type NewUser struct {
	Profile       *Profile `json:"profile,omitempty"`
	PastTimestamp bool     `json:"pastTimestamp"`
	Extra         Extra
}

// CreatedConnLink is a connection link: the full one and, when the server
// supports it, the short one.
type CreatedConnLink struct {
	ConnFullLink  string `json:"connFullLink"`
	ConnShortLink string `json:"connShortLink,omitempty"`
	Extra         Extra
}

// AutoAccept makes the address accept requests by itself.
type AutoAccept struct {
	AcceptIncognito bool `json:"acceptIncognito"`
	Extra           Extra
}

// AddressSettings configure the bot's address: auto-accept (nil = off) and
// an automatic reply to new contacts.
type AddressSettings struct {
	BusinessAddress bool        `json:"businessAddress"`
	AutoAccept      *AutoAccept `json:"autoAccept,omitempty"`
	AutoReply       *MsgContent `json:"autoReply,omitempty"`
	Extra           Extra
}

// UserContactLink is the bot's address with its settings.
type UserContactLink struct {
	UserContactLinkID     int64           `json:"userContactLinkId"`
	ConnLinkContact       CreatedConnLink `json:"connLinkContact"`
	ShortLinkDataSet      bool            `json:"shortLinkDataSet"`
	ShortLinkLargeDataSet bool            `json:"shortLinkLargeDataSet"`
	AddressSettings       AddressSettings `json:"addressSettings"`
	Extra                 Extra
}

// GroupLink is a group's join link and the role joiners get.
type GroupLink struct {
	UserContactLinkID     int64           `json:"userContactLinkId"`
	ConnLinkContact       CreatedConnLink `json:"connLinkContact"`
	ShortLinkDataSet      bool            `json:"shortLinkDataSet"`
	ShortLinkLargeDataSet bool            `json:"shortLinkLargeDataSet"`
	GroupLinkID           string          `json:"groupLinkId"`
	AcceptMemberRole      GroupMemberRole `json:"acceptMemberRole"`
	Extra                 Extra
}

// Group is a group with its members (groupMembers response).
type Group struct {
	GroupInfo GroupInfo     `json:"groupInfo"`
	Members   []GroupMember `json:"members"`
	Extra     Extra
}

// Tagged is a tagged union this package does not model member by member
// (agent error details, group events inside chat items, …): its tag, and
// everything else in Extra.
type Tagged struct {
	Type  string `json:"type"`
	Extra Extra
}
