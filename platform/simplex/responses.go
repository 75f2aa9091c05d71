package simplex

import (
	"encoding/json"
	"fmt"
)

// Responses are the frames that answer a command (they carry its corrId).
// Tags shared with events (newChatItems, chatItemUpdated, chatItemsDeleted,
// chatItemReaction, groupUpdated, acceptingContactRequest,
// sentGroupInvitation, rcvFileAccepted) use the event types of events.go.

// Response wire tags.
const (
	TypeActiveUser                  = "activeUser"
	TypeUsersList                   = "usersList"
	TypeUserProfileUpdated          = "userProfileUpdated"
	TypeUserProfileNoChange         = "userProfileNoChange"
	TypeUserContactLinkCreated      = "userContactLinkCreated"
	TypeUserContactLink             = "userContactLink"
	TypeUserContactLinkDeleted      = "userContactLinkDeleted"
	TypeUserContactLinkUpdated      = "userContactLinkUpdated"
	TypeChatItemNotChanged          = "chatItemNotChanged"
	TypeRcvFileAcceptedSndCancelled = "rcvFileAcceptedSndCancelled"
	TypeSndFileCancelled            = "sndFileCancelled"
	TypeRcvFileCancelled            = "rcvFileCancelled"
	TypeContactRequestRejected      = "contactRequestRejected"
	TypeGroupCreated                = "groupCreated"
	TypeUserAcceptedGroupSent       = "userAcceptedGroupSent"
	TypeMemberAccepted              = "memberAccepted"
	TypeMembersRoleUser             = "membersRoleUser"
	TypeMembersBlockedForAllUser    = "membersBlockedForAllUser"
	TypeUserDeletedMembers          = "userDeletedMembers"
	TypeLeftMemberUser              = "leftMemberUser"
	TypeGroupMembers                = "groupMembers"
	TypeContactsList                = "contactsList"
	TypeGroupsList                  = "groupsList"
	TypeAPIChats                    = "apiChats"
	TypeAPIChat                     = "apiChat"
	TypeGroupLinkCreated            = "groupLinkCreated"
	TypeContactPrefsUpdated         = "contactPrefsUpdated"
	TypeCmdOk                       = "cmdOk"
	TypeChatStarted                 = "chatStarted"
	TypeChatRunning                 = "chatRunning"
	TypeChatStopped                 = "chatStopped"
	TypeChatCmdError                = "chatCmdError"
	TypeItemsReadForChat            = "itemsReadForChat"
	TypeChatMsgContent              = "chatMsgContent"
)

func init() {
	// Responses of newer chat cores, registered here beside their types.
	registerResp(newOf[ChatMsgContent])
	interned[TypeChatMsgContent] = TypeChatMsgContent
}

// ChatMsgContent answers APIShareMyAddress: message content built by the
// chat core for the bot to send.
type ChatMsgContent struct {
	User       *User      `json:"user,omitempty"`
	MsgContent MsgContent `json:"msgContent"`
	Extra      Extra
}

// Type returns "chatMsgContent".
func (r *ChatMsgContent) Type() string { return TypeChatMsgContent }

// ActiveUser answers ShowActiveUser and CreateActiveUser.
type ActiveUser struct {
	User  User `json:"user"`
	Extra Extra
}

// Type returns "activeUser".
func (r *ActiveUser) Type() string { return TypeActiveUser }

// UsersList answers ListUsers.
type UsersList struct {
	Users []UserInfo `json:"users"`
	Extra Extra
}

// Type returns "usersList".
func (r *UsersList) Type() string { return TypeUsersList }

// UserProfileUpdated answers APIUpdateProfile and APISetProfileAddress.
type UserProfileUpdated struct {
	User          *User                    `json:"user,omitempty"`
	FromProfile   Profile                  `json:"fromProfile"`
	ToProfile     Profile                  `json:"toProfile"`
	UpdateSummary UserProfileUpdateSummary `json:"updateSummary"`
	Extra         Extra
}

// Type returns "userProfileUpdated".
func (r *UserProfileUpdated) Type() string { return TypeUserProfileUpdated }

// UserProfileNoChange answers a profile update that changed nothing.
type UserProfileNoChange struct {
	User  *User `json:"user,omitempty"`
	Extra Extra
}

// Type returns "userProfileNoChange".
func (r *UserProfileNoChange) Type() string { return TypeUserProfileNoChange }

// UserContactLinkCreated answers APICreateMyAddress.
type UserContactLinkCreated struct {
	User            *User           `json:"user,omitempty"`
	ConnLinkContact CreatedConnLink `json:"connLinkContact"`
	Extra           Extra
}

// Type returns "userContactLinkCreated".
func (r *UserContactLinkCreated) Type() string { return TypeUserContactLinkCreated }

// UserContactLinkResponse (userContactLink) answers APIShowMyAddress.
type UserContactLinkResponse struct {
	User        *User           `json:"user,omitempty"`
	ContactLink UserContactLink `json:"contactLink"`
	Extra       Extra
}

// Type returns "userContactLink".
func (r *UserContactLinkResponse) Type() string { return TypeUserContactLink }

// UserContactLinkDeleted answers APIDeleteMyAddress.
type UserContactLinkDeleted struct {
	User  *User `json:"user,omitempty"`
	Extra Extra
}

// Type returns "userContactLinkDeleted".
func (r *UserContactLinkDeleted) Type() string { return TypeUserContactLinkDeleted }

// UserContactLinkUpdated answers APISetAddressSettings.
type UserContactLinkUpdated struct {
	User        *User           `json:"user,omitempty"`
	ContactLink UserContactLink `json:"contactLink"`
	Extra       Extra
}

// Type returns "userContactLinkUpdated".
func (r *UserContactLinkUpdated) Type() string { return TypeUserContactLinkUpdated }

// ChatItemNotChanged answers APIUpdateChatItem when the content is the same.
type ChatItemNotChanged struct {
	User     *User     `json:"user,omitempty"`
	ChatItem AChatItem `json:"chatItem"`
	Extra    Extra
}

// Type returns "chatItemNotChanged".
func (r *ChatItemNotChanged) Type() string { return TypeChatItemNotChanged }

// RcvFileAcceptedSndCancelled answers ReceiveFile for a file the sender
// cancelled.
type RcvFileAcceptedSndCancelled struct {
	User            *User           `json:"user,omitempty"`
	RcvFileTransfer RcvFileTransfer `json:"rcvFileTransfer"`
	Extra           Extra
}

// Type returns "rcvFileAcceptedSndCancelled".
func (r *RcvFileAcceptedSndCancelled) Type() string { return TypeRcvFileAcceptedSndCancelled }

// SndFileCancelled answers CancelFile for a file being sent.
type SndFileCancelled struct {
	User             *User             `json:"user,omitempty"`
	ChatItem         *AChatItem        `json:"chatItem_,omitempty"`
	FileTransferMeta FileTransferMeta  `json:"fileTransferMeta"`
	SndFileTransfers []SndFileTransfer `json:"sndFileTransfers"`
	Extra            Extra
}

// Type returns "sndFileCancelled".
func (r *SndFileCancelled) Type() string { return TypeSndFileCancelled }

// RcvFileCancelled answers CancelFile for a file being received.
type RcvFileCancelled struct {
	User            *User           `json:"user,omitempty"`
	ChatItem        *AChatItem      `json:"chatItem_,omitempty"`
	RcvFileTransfer RcvFileTransfer `json:"rcvFileTransfer"`
	Extra           Extra
}

// Type returns "rcvFileCancelled".
func (r *RcvFileCancelled) Type() string { return TypeRcvFileCancelled }

// ContactRequestRejected answers APIRejectContact.
type ContactRequestRejected struct {
	User           *User              `json:"user,omitempty"`
	ContactRequest UserContactRequest `json:"contactRequest"`
	Contact        *Contact           `json:"contact_,omitempty"`
	Extra          Extra
}

// Type returns "contactRequestRejected".
func (r *ContactRequestRejected) Type() string { return TypeContactRequestRejected }

// GroupCreated answers APINewGroup.
type GroupCreated struct {
	User      *User     `json:"user,omitempty"`
	GroupInfo GroupInfo `json:"groupInfo"`
	Extra     Extra
}

// Type returns "groupCreated".
func (r *GroupCreated) Type() string { return TypeGroupCreated }

// UserAcceptedGroupSent answers APIJoinGroup; userJoinedGroup follows.
type UserAcceptedGroupSent struct {
	User        *User     `json:"user,omitempty"`
	GroupInfo   GroupInfo `json:"groupInfo"`
	HostContact *Contact  `json:"hostContact,omitempty"`
	Extra       Extra
}

// Type returns "userAcceptedGroupSent".
func (r *UserAcceptedGroupSent) Type() string { return TypeUserAcceptedGroupSent }

// MemberAccepted answers APIAcceptMember.
type MemberAccepted struct {
	User      *User       `json:"user,omitempty"`
	GroupInfo GroupInfo   `json:"groupInfo"`
	Member    GroupMember `json:"member"`
	Extra     Extra
}

// Type returns "memberAccepted".
func (r *MemberAccepted) Type() string { return TypeMemberAccepted }

// MembersRoleUser answers APIMembersRole.
type MembersRoleUser struct {
	User      *User           `json:"user,omitempty"`
	GroupInfo GroupInfo       `json:"groupInfo"`
	Members   []GroupMember   `json:"members"`
	ToRole    GroupMemberRole `json:"toRole"`
	MsgSigned json.RawMessage `json:"msgSigned,omitempty"`
	Extra     Extra
}

// Type returns "membersRoleUser".
func (r *MembersRoleUser) Type() string { return TypeMembersRoleUser }

// MembersBlockedForAllUser answers APIBlockMembersForAll.
type MembersBlockedForAllUser struct {
	User      *User           `json:"user,omitempty"`
	GroupInfo GroupInfo       `json:"groupInfo"`
	Members   []GroupMember   `json:"members"`
	Blocked   bool            `json:"blocked"`
	MsgSigned json.RawMessage `json:"msgSigned,omitempty"`
	Extra     Extra
}

// Type returns "membersBlockedForAllUser".
func (r *MembersBlockedForAllUser) Type() string { return TypeMembersBlockedForAllUser }

// UserDeletedMembers answers APIRemoveMembers.
type UserDeletedMembers struct {
	User         *User           `json:"user,omitempty"`
	GroupInfo    GroupInfo       `json:"groupInfo"`
	Members      []GroupMember   `json:"members"`
	WithMessages bool            `json:"withMessages"`
	MsgSigned    json.RawMessage `json:"msgSigned,omitempty"`
	Extra        Extra
}

// Type returns "userDeletedMembers".
func (r *UserDeletedMembers) Type() string { return TypeUserDeletedMembers }

// LeftMemberUser answers APILeaveGroup.
type LeftMemberUser struct {
	User      *User     `json:"user,omitempty"`
	GroupInfo GroupInfo `json:"groupInfo"`
	Extra     Extra
}

// Type returns "leftMemberUser".
func (r *LeftMemberUser) Type() string { return TypeLeftMemberUser }

// GroupMembers answers APIListMembers.
type GroupMembers struct {
	User  *User `json:"user,omitempty"`
	Group Group `json:"group"`
	Extra Extra
}

// Type returns "groupMembers".
func (r *GroupMembers) Type() string { return TypeGroupMembers }

// ContactsList answers APIListContacts.
type ContactsList struct {
	User     *User     `json:"user,omitempty"`
	Contacts []Contact `json:"contacts"`
	Extra    Extra
}

// Type returns "contactsList".
func (r *ContactsList) Type() string { return TypeContactsList }

// GroupsList answers APIListGroups. Its shape drifted across versions; every
// entry decodes to a GroupsListEntry whatever the shape.
type GroupsList struct {
	User   *User             `json:"user,omitempty"`
	Groups []GroupsListEntry `json:"groups"`
	Extra  Extra
}

// Type returns "groupsList".
func (r *GroupsList) Type() string { return TypeGroupsList }

// GroupInfos returns the groups.
func (r *GroupsList) GroupInfos() []GroupInfo {
	out := make([]GroupInfo, len(r.Groups))
	for i := range r.Groups {
		out[i] = r.Groups[i].GroupInfo
	}
	return out
}

// GroupsListShape is the wire shape of a groupsList entry.
type GroupsListShape int

// Entry shapes, oldest first.
const (
	// ShapeTuple is [GroupInfo, GroupSummary] (up to v6.3).
	ShapeTuple GroupsListShape = iota + 1
	// ShapeObject is {"groupInfo":…,"groupSummary":…}.
	ShapeObject
	// ShapeGroupInfo is a bare GroupInfo with groupSummary inside (v7).
	ShapeGroupInfo
)

// GroupsListEntry is one group of a groupsList. GroupSummary is taken from
// wherever the shape puts it. It encodes back in the shape it came in
// (ShapeGroupInfo when built in Go).
type GroupsListEntry struct {
	GroupInfo    GroupInfo
	GroupSummary *GroupSummary
	Shape        GroupsListShape
	// Extra holds unknown members of a ShapeObject entry.
	Extra Extra
}

func (GroupsListEntry) customWire() {}

type groupsListObject struct {
	GroupInfo    GroupInfo     `json:"groupInfo"`
	GroupSummary *GroupSummary `json:"groupSummary,omitempty"`
	Extra        Extra
}

// UnmarshalJSON accepts the three shapes.
func (g *GroupsListEntry) UnmarshalJSON(data []byte) error {
	d := &wireDecoder{data: data, copyRaw: true}
	switch d.peek() {
	case '[':
		var tuple struct {
			info    GroupInfo
			summary GroupSummary
		}
		d.pos++
		if err := decodeInto(d, reflectValue(&tuple.info)); err != nil {
			return err
		}
		if d.peek() != ',' {
			return &wireMismatch{"groupsList tuple"}
		}
		d.pos++
		if err := decodeInto(d, reflectValue(&tuple.summary)); err != nil {
			return err
		}
		if d.peek() != ']' {
			return &wireMismatch{"groupsList tuple"}
		}
		*g = GroupsListEntry{GroupInfo: tuple.info, GroupSummary: &tuple.summary, Shape: ShapeTuple}
		return nil
	case '{':
		if hasTopKey(data, "groupInfo") {
			var o groupsListObject
			if err := decodeInto(d, reflectValue(&o)); err != nil {
				return err
			}
			*g = GroupsListEntry{GroupInfo: o.GroupInfo, GroupSummary: o.GroupSummary, Shape: ShapeObject, Extra: o.Extra}
			return nil
		}
		var gi GroupInfo
		if err := decodeInto(d, reflectValue(&gi)); err != nil {
			return err
		}
		*g = GroupsListEntry{GroupInfo: gi, GroupSummary: gi.GroupSummary, Shape: ShapeGroupInfo}
		return nil
	}
	return &wireMismatch{"groupsList entry"}
}

// MarshalJSON encodes the entry in its shape.
func (g GroupsListEntry) MarshalJSON() ([]byte, error) {
	switch g.Shape {
	case ShapeTuple:
		buf := []byte{'['}
		buf, err := appendWire(buf, &g.GroupInfo)
		if err != nil {
			return nil, err
		}
		buf = append(buf, ',')
		s := g.GroupSummary
		if s == nil {
			s = &GroupSummary{}
		}
		if buf, err = appendWire(buf, s); err != nil {
			return nil, err
		}
		return append(buf, ']'), nil
	case ShapeObject:
		return marshalWire(&groupsListObject{GroupInfo: g.GroupInfo, GroupSummary: g.GroupSummary, Extra: g.Extra})
	}
	gi := g.GroupInfo
	if gi.GroupSummary == nil {
		gi.GroupSummary = g.GroupSummary
	}
	return marshalWire(&gi)
}

// hasTopKey reports whether the JSON object data has the member key.
func hasTopKey(data []byte, key string) bool {
	d := &wireDecoder{data: data}
	if d.peek() != '{' {
		return false
	}
	d.pos++
	for d.peek() == '"' {
		start := d.pos
		kb, escaped, err := d.stringSpan()
		if err != nil {
			return false
		}
		if escaped {
			if k, err := jsonUnquote(data[start:d.pos]); err == nil && k == key {
				return true
			}
		} else if string(kb) == key {
			return true
		}
		if d.peek() != ':' {
			return false
		}
		d.pos++
		if _, err := d.skip(); err != nil {
			return false
		}
		if d.peek() != ',' {
			return false
		}
		d.pos++
	}
	return false
}

// APIChats answers APIGetChats.
type APIChats struct {
	User  *User   `json:"user,omitempty"`
	Chats []AChat `json:"chats"`
	Extra Extra
}

// Type returns "apiChats".
func (r *APIChats) Type() string { return TypeAPIChats }

// APIChat answers APIGetChat.
type APIChat struct {
	User    *User           `json:"user,omitempty"`
	Chat    AChat           `json:"chat"`
	NavInfo json.RawMessage `json:"navInfo,omitempty"`
	Extra   Extra
}

// Type returns "apiChat".
func (r *APIChat) Type() string { return TypeAPIChat }

// GroupLinkCreated answers APICreateGroupLink.
type GroupLinkCreated struct {
	User      *User     `json:"user,omitempty"`
	GroupInfo GroupInfo `json:"groupInfo"`
	GroupLink GroupLink `json:"groupLink"`
	Extra     Extra
}

// Type returns "groupLinkCreated".
func (r *GroupLinkCreated) Type() string { return TypeGroupLinkCreated }

// ContactPrefsUpdated answers APISetContactPrefs.
type ContactPrefsUpdated struct {
	User        *User   `json:"user,omitempty"`
	FromContact Contact `json:"fromContact"`
	ToContact   Contact `json:"toContact"`
	Extra       Extra
}

// Type returns "contactPrefsUpdated".
func (r *ContactPrefsUpdated) Type() string { return TypeContactPrefsUpdated }

// CmdOk is the plain success response.
type CmdOk struct {
	User  *User `json:"user_,omitempty"`
	Extra Extra
}

// Type returns "cmdOk".
func (r *CmdOk) Type() string { return TypeCmdOk }

// ChatStarted answers StartChat when the chat was stopped.
type ChatStarted struct {
	Extra Extra
}

// Type returns "chatStarted".
func (r *ChatStarted) Type() string { return TypeChatStarted }

// ChatRunning answers StartChat when the chat already runs.
type ChatRunning struct {
	Extra Extra
}

// Type returns "chatRunning".
func (r *ChatRunning) Type() string { return TypeChatRunning }

// ChatStopped answers APIStopChat.
type ChatStopped struct {
	Extra Extra
}

// Type returns "chatStopped".
func (r *ChatStopped) Type() string { return TypeChatStopped }

// ItemsReadForChat answers APIChatItemsRead (shape not documented
// upstream; members are kept as received).
type ItemsReadForChat struct {
	User     *User     `json:"user,omitempty"`
	ChatInfo *ChatInfo `json:"chatInfo,omitempty"`
	Extra    Extra
}

// Type returns "itemsReadForChat".
func (r *ItemsReadForChat) Type() string { return TypeItemsReadForChat }

// ChatCmdError is the response of a command the chat core refused. Without
// a corrId it means the chat core could not read the frame at all (see
// Frame.IsProtocolError).
type ChatCmdError struct {
	User      *User     `json:"user_,omitempty"`
	ChatError ChatError `json:"chatError"`
	Extra     Extra
}

// Type returns "chatCmdError".
func (r *ChatCmdError) Type() string { return TypeChatCmdError }

// Err returns the refusal as a *CommandError for the command cmd.
func (r *ChatCmdError) Err(cmd string) *CommandError {
	return &CommandError{Cmd: cmd, ChatError: r.ChatError}
}

// String describes the error.
func (r *ChatCmdError) String() string { return fmt.Sprintf("chatCmdError %s", r.ChatError.String()) }
