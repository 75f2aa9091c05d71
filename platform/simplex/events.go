package simplex

import (
	"encoding/json"
	"strconv"
	"strings"

	"github.com/parleybot/parley/bot"
)

// Events are the frames the chat core sends without a corrId. Each has a Go
// type named after its wire tag; Frame.Resp holds a pointer to it. Several
// tags (newChatItems, chatItemUpdated, acceptingContactRequest, …) are also
// command responses and use the same type.
//
// Facets: events about one chat implement bot.ChatKeyer; events with a
// platform identity implement bot.DedupeKeyer; NewChatItems and
// ChatItemUpdated implement bot.MessageEvent; ReceivedContactRequest and
// ReceivedGroupInvitation implement bot.Request. Keys take the user id from
// the event's user; events that carry none (trimmed captures, old cores)
// key as user 0.

// Event wire tags.
const (
	TypeContactConnected            = "contactConnected"
	TypeContactUpdated              = "contactUpdated"
	TypeContactDeletedByContact     = "contactDeletedByContact"
	TypeReceivedContactRequest      = "receivedContactRequest"
	TypeNewMemberContactReceivedInv = "newMemberContactReceivedInv"
	TypeContactSndReady             = "contactSndReady"
	TypeNewChatItems                = "newChatItems"
	TypeChatItemReaction            = "chatItemReaction"
	TypeChatItemsDeleted            = "chatItemsDeleted"
	TypeChatItemUpdated             = "chatItemUpdated"
	TypeGroupChatItemsDeleted       = "groupChatItemsDeleted"
	TypeChatItemsStatusesUpdated    = "chatItemsStatusesUpdated"
	TypeReceivedGroupInvitation     = "receivedGroupInvitation"
	TypeUserJoinedGroup             = "userJoinedGroup"
	TypeGroupUpdated                = "groupUpdated"
	TypeJoinedGroupMember           = "joinedGroupMember"
	TypeMemberRole                  = "memberRole"
	TypeDeletedMember               = "deletedMember"
	TypeLeftMember                  = "leftMember"
	TypeDeletedMemberUser           = "deletedMemberUser"
	TypeGroupDeleted                = "groupDeleted"
	TypeConnectedToGroupMember      = "connectedToGroupMember"
	TypeMemberAcceptedByOther       = "memberAcceptedByOther"
	TypeMemberBlockedForAll         = "memberBlockedForAll"
	TypeGroupMemberUpdated          = "groupMemberUpdated"
	TypeGroupLinkRelaysUpdated      = "groupLinkRelaysUpdated"
	TypeRcvFileDescrReady           = "rcvFileDescrReady"
	TypeRcvFileComplete             = "rcvFileComplete"
	TypeSndFileCompleteXFTP         = "sndFileCompleteXFTP"
	TypeRcvFileStart                = "rcvFileStart"
	TypeRcvFileSndCancelled         = "rcvFileSndCancelled"
	TypeRcvFileAccepted             = "rcvFileAccepted"
	TypeRcvFileError                = "rcvFileError"
	TypeRcvFileWarning              = "rcvFileWarning"
	TypeSndFileError                = "sndFileError"
	TypeSndFileWarning              = "sndFileWarning"
	TypeAcceptingContactRequest     = "acceptingContactRequest"
	TypeAcceptingBusinessRequest    = "acceptingBusinessRequest"
	TypeContactConnecting           = "contactConnecting"
	TypeBusinessLinkConnecting      = "businessLinkConnecting"
	TypeJoinedGroupMemberConnecting = "joinedGroupMemberConnecting"
	TypeSentGroupInvitation         = "sentGroupInvitation"
	TypeGroupLinkConnecting         = "groupLinkConnecting"
	TypeHostConnected               = "hostConnected"
	TypeHostDisconnected            = "hostDisconnected"
	TypeSubscriptionStatus          = "subscriptionStatus"
	TypeMessageError                = "messageError"
	TypeChatError                   = "chatError"
	TypeChatErrors                  = "chatErrors"
	// TypeNewChatItemLegacy is the singular tag of chat cores before v6;
	// it decodes as NewChatItems.
	TypeNewChatItemLegacy = "newChatItem"
)

// ---- keys ----

func respUserID(u *User) int64 {
	if u == nil {
		return 0
	}
	return u.UserID
}

// appendRef appends "simplex:<userId>:<@id|#id>" (chat scope left out:
// a group and its support chats share one ordering lane).
func appendRef(b []byte, u *User, ref ChatRef) []byte {
	b = append(b, "simplex:"...)
	b = strconv.AppendInt(b, respUserID(u), 10)
	b = append(b, ':')
	ref.Scope = nil
	return ref.appendTo(b)
}

func refChatKey(u *User, ref ChatRef) string { return string(appendRef(make([]byte, 0, 32), u, ref)) }

func contactChatKey(u *User, c *Contact) string {
	if c == nil {
		return ""
	}
	return refChatKey(u, c.Ref())
}

func groupChatKey(u *User, g *GroupInfo) string {
	if g == nil {
		return ""
	}
	return refChatKey(u, g.Ref())
}

func chatInfoChatKey(u *User, ci *ChatInfo) string {
	ref, ok := ci.Ref()
	if !ok {
		return ""
	}
	return refChatKey(u, ref)
}

func itemChatKey(u *User, a *AChatItem) string {
	if a == nil {
		return ""
	}
	return chatInfoChatKey(u, &a.ChatInfo)
}

func itemsChatKey(u *User, items []AChatItem) string {
	if len(items) == 0 {
		return ""
	}
	return itemChatKey(u, &items[0])
}

// itemsDedupeKey is "simplex:<userId>:<chatRef>[:<tag>]:<id>[,<id>…]", the
// chat taken from the first item.
func itemsDedupeKey(u *User, ci *ChatInfo, tag string, ids func(yield func(int64) bool)) string {
	ref, ok := ci.Ref()
	if !ok {
		return ""
	}
	b := appendRef(make([]byte, 0, 48), u, ref)
	if tag != "" {
		b = append(b, ':')
		b = append(b, tag...)
	}
	b = append(b, ':')
	first := true
	for id := range ids {
		if !first {
			b = append(b, ',')
		}
		first = false
		b = strconv.AppendInt(b, id, 10)
	}
	return string(b)
}

// ---- messages ----

// messageCache holds an event's normalized messages, built on first use.
// Events are handled by one goroutine at a time, so it needs no lock.
type messageCache struct {
	msgs []bot.Message
	done bool
}

func (c *messageCache) get(build func() []bot.Message) []bot.Message {
	if !c.done {
		c.msgs, c.done = build(), true
	}
	return c.msgs
}

// Message returns the normalized view of a received message item; ok is
// false for anything else (the bot's own items, group events, notices…).
func (a *AChatItem) Message(edited bool) (m bot.Message, ok bool) {
	ci := &a.ChatItem
	if !ci.Content.IsMessage() {
		return m, false
	}
	ref, ok := a.ChatInfo.Ref()
	if !ok {
		return m, false
	}
	m = bot.Message{
		ID:     strconv.FormatInt(ci.Meta.ItemID, 10),
		Chat:   bot.Chat{ID: ref.String(), Title: a.ChatInfo.DisplayName()},
		Text:   ci.Content.MsgContent.Text,
		Time:   ci.Meta.ItemTs,
		Edited: edited,
	}
	switch ref.Type {
	case ChatDirect:
		c := a.ChatInfo.Contact
		m.Chat.Kind = bot.Direct
		m.Sender = bot.Sender{ID: strconv.FormatInt(c.ContactID, 10), Name: c.DisplayName(), IsBot: c.Profile.PeerType == PeerBot}
	case ChatGroup:
		m.Chat.Kind = bot.Group
		if gm := ci.ChatDir.GroupMember; gm != nil {
			m.Sender = bot.Sender{
				ID:    strconv.FormatInt(gm.GroupMemberID, 10),
				Name:  gm.DisplayName(),
				Role:  string(gm.MemberRole),
				IsBot: gm.MemberProfile.PeerType == PeerBot,
			}
		}
		m.MentionsBot = ci.Meta.UserMention
		if own := a.ChatInfo.GroupInfo.Membership.MemberID; own != "" && !m.MentionsBot {
			for _, men := range ci.Mentions {
				if men.MemberID == own {
					m.MentionsBot = true
					break
				}
			}
		}
	}
	if q := ci.QuotedItem; q != nil && q.ItemID != 0 {
		m.ReplyTo = strconv.FormatInt(q.ItemID, 10)
	}
	if f := ci.File; f != nil {
		bf := bot.File{ID: strconv.FormatInt(f.FileID, 10), Name: f.FileName, Size: f.FileSize}
		if f.FileSource != nil && f.FileStatus.Type == "rcvComplete" {
			bf.Path = f.FileSource.FilePath
		}
		m.Files = []bot.File{bf}
	}
	return m, true
}

func itemMessages(items []AChatItem, edited bool) []bot.Message {
	var out []bot.Message
	for i := range items {
		if m, ok := items[i].Message(edited); ok {
			out = append(out, m)
		}
	}
	return out
}

// ---- message events ----

// NewChatItems: new chat items — received messages (and chat events shown
// as items) as an event, the bot's own sent items as the response to
// APISendMessages.
type NewChatItems struct {
	User      *User       `json:"user,omitempty"`
	ChatItems []AChatItem `json:"chatItems"`
	Extra     Extra
	cache     messageCache
}

// Type returns "newChatItems".
func (e *NewChatItems) Type() string { return TypeNewChatItems }

// ChatKey returns the key of the first item's chat.
func (e *NewChatItems) ChatKey() string { return itemsChatKey(e.User, e.ChatItems) }

// DedupeKey is "simplex:<userId>:<chatRef>:<itemId>[,<itemId>…]", or ""
// when an item has no usable id.
func (e *NewChatItems) DedupeKey() string {
	if len(e.ChatItems) == 0 {
		return ""
	}
	for i := range e.ChatItems {
		if e.ChatItems[i].ChatItem.Meta.ItemID <= 0 {
			return ""
		}
	}
	return itemsDedupeKey(e.User, &e.ChatItems[0].ChatInfo, "", func(yield func(int64) bool) {
		for i := range e.ChatItems {
			if !yield(e.ChatItems[i].ChatItem.Meta.ItemID) {
				return
			}
		}
	})
}

// Messages returns the received messages among the items. The slice is
// built on the first call and cached; an event is handled by one goroutine
// at a time, so the cache takes no lock. Callers must not modify it.
func (e *NewChatItems) Messages() []bot.Message {
	return e.cache.get(func() []bot.Message { return itemMessages(e.ChatItems, false) })
}

// ChatItemUpdated: an item was edited (event), or the bot's edit was applied
// (response to APIUpdateChatItem).
type ChatItemUpdated struct {
	User     *User     `json:"user,omitempty"`
	ChatItem AChatItem `json:"chatItem"`
	Extra    Extra
	cache    messageCache
}

// Type returns "chatItemUpdated".
func (e *ChatItemUpdated) Type() string { return TypeChatItemUpdated }

// ChatKey returns the item's chat key.
func (e *ChatItemUpdated) ChatKey() string { return itemChatKey(e.User, &e.ChatItem) }

// DedupeKey is "simplex:<userId>:<chatRef>:upd:<itemId>:<updatedAt>": each
// edit is a distinct event.
func (e *ChatItemUpdated) DedupeKey() string {
	k := itemsDedupeKey(e.User, &e.ChatItem.ChatInfo, "upd", func(yield func(int64) bool) {
		yield(e.ChatItem.ChatItem.Meta.ItemID)
	})
	if k == "" {
		return ""
	}
	return k + ":" + e.ChatItem.ChatItem.Meta.UpdatedAt.UTC().Format(timeKeyLayout)
}

const timeKeyLayout = "20060102T150405.999999999Z"

// Messages returns the edited message (Edited set), if it is a received
// one; cached like NewChatItems.Messages.
func (e *ChatItemUpdated) Messages() []bot.Message {
	return e.cache.get(func() []bot.Message { return itemMessages([]AChatItem{e.ChatItem}, true) })
}

// ChatItemReaction: a reaction was added or removed.
type ChatItemReaction struct {
	User     *User       `json:"user,omitempty"`
	Added    bool        `json:"added"`
	Reaction ACIReaction `json:"reaction"`
	Extra    Extra
}

// Type returns "chatItemReaction".
func (e *ChatItemReaction) Type() string { return TypeChatItemReaction }

// ChatKey returns the reacted item's chat key.
func (e *ChatItemReaction) ChatKey() string { return chatInfoChatKey(e.User, &e.Reaction.ChatInfo) }

// DedupeKey is "simplex:<userId>:<chatRef>:react:<itemId>:<emoji>:<on|off>:<sentAt>[:<groupMemberId>]".
func (e *ChatItemReaction) DedupeKey() string {
	r := &e.Reaction.ChatReaction
	k := itemsDedupeKey(e.User, &e.Reaction.ChatInfo, "react", func(yield func(int64) bool) {
		yield(r.ChatItem.Meta.ItemID)
	})
	if k == "" {
		return ""
	}
	emoji := r.Reaction.Emoji
	if emoji == "" {
		emoji = r.Reaction.Tag
	}
	var b strings.Builder
	b.WriteString(k)
	b.WriteString(":" + emoji + ":" + onOffWord(e.Added) + ":" + r.SentAt.UTC().Format(timeKeyLayout))
	if gm := r.ChatDir.GroupMember; gm != nil {
		b.WriteString(":" + strconv.FormatInt(gm.GroupMemberID, 10))
	}
	return b.String()
}

// ChatItemsDeleted: items were deleted, by their author or a moderator
// (ByUser false), or by the bot (ByUser true; the response to
// APIDeleteChatItem and APIDeleteMemberChatItem).
type ChatItemsDeleted struct {
	User              *User              `json:"user,omitempty"`
	ChatItemDeletions []ChatItemDeletion `json:"chatItemDeletions"`
	ByUser            bool               `json:"byUser"`
	Timed             bool               `json:"timed"`
	Extra             Extra
}

// Type returns "chatItemsDeleted".
func (e *ChatItemsDeleted) Type() string { return TypeChatItemsDeleted }

// ChatKey returns the first deleted item's chat key.
func (e *ChatItemsDeleted) ChatKey() string {
	if len(e.ChatItemDeletions) == 0 {
		return ""
	}
	return itemChatKey(e.User, &e.ChatItemDeletions[0].DeletedChatItem)
}

// DedupeKey is "simplex:<userId>:<chatRef>:del:<itemId>[,<itemId>…]".
func (e *ChatItemsDeleted) DedupeKey() string {
	if len(e.ChatItemDeletions) == 0 {
		return ""
	}
	return itemsDedupeKey(e.User, &e.ChatItemDeletions[0].DeletedChatItem.ChatInfo, "del", func(yield func(int64) bool) {
		for i := range e.ChatItemDeletions {
			if !yield(e.ChatItemDeletions[i].DeletedChatItem.ChatItem.Meta.ItemID) {
				return
			}
		}
	})
}

// GroupChatItemsDeleted: group items were deleted or moderated.
type GroupChatItemsDeleted struct {
	User        *User        `json:"user,omitempty"`
	GroupInfo   GroupInfo    `json:"groupInfo"`
	ChatItemIDs []int64      `json:"chatItemIDs"`
	ByUser      bool         `json:"byUser"`
	Member      *GroupMember `json:"member_,omitempty"`
	Extra       Extra
}

// Type returns "groupChatItemsDeleted".
func (e *GroupChatItemsDeleted) Type() string { return TypeGroupChatItemsDeleted }

// ChatKey returns the group's key.
func (e *GroupChatItemsDeleted) ChatKey() string { return groupChatKey(e.User, &e.GroupInfo) }

// ChatItemsStatusesUpdated: delivery statuses of the bot's items changed.
type ChatItemsStatusesUpdated struct {
	User      *User       `json:"user,omitempty"`
	ChatItems []AChatItem `json:"chatItems"`
	Extra     Extra
}

// Type returns "chatItemsStatusesUpdated".
func (e *ChatItemsStatusesUpdated) Type() string { return TypeChatItemsStatusesUpdated }

// ChatKey returns the first item's chat key.
func (e *ChatItemsStatusesUpdated) ChatKey() string { return itemsChatKey(e.User, e.ChatItems) }

// ---- contact events ----

// ContactConnected: a user connected via the bot's address.
type ContactConnected struct {
	User              *User    `json:"user,omitempty"`
	Contact           Contact  `json:"contact"`
	UserCustomProfile *Profile `json:"userCustomProfile,omitempty"`
	Extra             Extra
}

// Type returns "contactConnected".
func (e *ContactConnected) Type() string { return TypeContactConnected }

// ChatKey returns the contact's key.
func (e *ContactConnected) ChatKey() string { return contactChatKey(e.User, &e.Contact) }

// DedupeKey is "simplex:<userId>:@<contactId>:connected"; a contact
// connects once.
func (e *ContactConnected) DedupeKey() string {
	return contactChatKey(e.User, &e.Contact) + ":connected"
}

// ContactUpdated: a contact changed its profile.
type ContactUpdated struct {
	User        *User   `json:"user,omitempty"`
	FromContact Contact `json:"fromContact"`
	ToContact   Contact `json:"toContact"`
	Extra       Extra
}

// Type returns "contactUpdated".
func (e *ContactUpdated) Type() string { return TypeContactUpdated }

// ChatKey returns the contact's key.
func (e *ContactUpdated) ChatKey() string { return contactChatKey(e.User, &e.ToContact) }

// ContactDeletedByContact: a contact deleted its connection with the bot.
type ContactDeletedByContact struct {
	User    *User   `json:"user,omitempty"`
	Contact Contact `json:"contact"`
	Extra   Extra
}

// Type returns "contactDeletedByContact".
func (e *ContactDeletedByContact) Type() string { return TypeContactDeletedByContact }

// ChatKey returns the contact's key.
func (e *ContactDeletedByContact) ChatKey() string { return contactChatKey(e.User, &e.Contact) }

// ReceivedContactRequest: someone asks to connect (only when the address
// does not auto-accept). Accept with APIAcceptContact, reject with
// APIRejectContact.
type ReceivedContactRequest struct {
	User           *User              `json:"user,omitempty"`
	ContactRequest UserContactRequest `json:"contactRequest"`
	Chat           *AChat             `json:"chat_,omitempty"`
	Extra          Extra
}

// Type returns "receivedContactRequest".
func (e *ReceivedContactRequest) Type() string { return TypeReceivedContactRequest }

// DedupeKey is "simplex:<userId>:req:<contactRequestId>".
func (e *ReceivedContactRequest) DedupeKey() string {
	return "simplex:" + strconv.FormatInt(respUserID(e.User), 10) + ":req:" + strconv.FormatInt(e.ContactRequest.ContactRequestID, 10)
}

// RequestInfo describes the request: its ID is the contactRequestId.
func (e *ReceivedContactRequest) RequestInfo() bot.RequestInfo {
	r := &e.ContactRequest
	from := bot.Sender{Name: r.Profile.DisplayName, IsBot: r.Profile.PeerType == PeerBot}
	if from.Name == "" {
		from.Name = r.LocalDisplayName
	}
	if r.ContactID != 0 {
		from.ID = strconv.FormatInt(r.ContactID, 10)
	}
	return bot.RequestInfo{Kind: bot.ContactRequest, ID: strconv.FormatInt(r.ContactRequestID, 10), From: from}
}

// NewMemberContactReceivedInv: a group member asked for a direct chat.
type NewMemberContactReceivedInv struct {
	User      *User       `json:"user,omitempty"`
	Contact   Contact     `json:"contact"`
	GroupInfo GroupInfo   `json:"groupInfo"`
	Member    GroupMember `json:"member"`
	Extra     Extra
}

// Type returns "newMemberContactReceivedInv".
func (e *NewMemberContactReceivedInv) Type() string { return TypeNewMemberContactReceivedInv }

// ChatKey returns the new contact's key.
func (e *NewMemberContactReceivedInv) ChatKey() string { return contactChatKey(e.User, &e.Contact) }

// ContactSndReady: the bot can send to the contact.
type ContactSndReady struct {
	User    *User   `json:"user,omitempty"`
	Contact Contact `json:"contact"`
	Extra   Extra
}

// Type returns "contactSndReady".
func (e *ContactSndReady) Type() string { return TypeContactSndReady }

// ChatKey returns the contact's key.
func (e *ContactSndReady) ChatKey() string { return contactChatKey(e.User, &e.Contact) }

// AcceptingContactRequest: a contact request is being accepted (event with
// auto-accept on; response to APIAcceptContact).
type AcceptingContactRequest struct {
	User    *User   `json:"user,omitempty"`
	Contact Contact `json:"contact"`
	Extra   Extra
}

// Type returns "acceptingContactRequest".
func (e *AcceptingContactRequest) Type() string { return TypeAcceptingContactRequest }

// ChatKey returns the contact's key.
func (e *AcceptingContactRequest) ChatKey() string { return contactChatKey(e.User, &e.Contact) }

// AcceptingBusinessRequest: a request to the bot's business address is
// being accepted as a business chat (a group).
type AcceptingBusinessRequest struct {
	User      *User     `json:"user,omitempty"`
	GroupInfo GroupInfo `json:"groupInfo"`
	Extra     Extra
}

// Type returns "acceptingBusinessRequest".
func (e *AcceptingBusinessRequest) Type() string { return TypeAcceptingBusinessRequest }

// ChatKey returns the business chat's key.
func (e *AcceptingBusinessRequest) ChatKey() string { return groupChatKey(e.User, &e.GroupInfo) }

// ContactConnecting: a contact confirmed the connection.
type ContactConnecting struct {
	User    *User   `json:"user,omitempty"`
	Contact Contact `json:"contact"`
	Extra   Extra
}

// Type returns "contactConnecting".
func (e *ContactConnecting) Type() string { return TypeContactConnecting }

// ChatKey returns the contact's key.
func (e *ContactConnecting) ChatKey() string { return contactChatKey(e.User, &e.Contact) }

// BusinessLinkConnecting: the bot is connecting to a business address.
type BusinessLinkConnecting struct {
	User        *User       `json:"user,omitempty"`
	GroupInfo   GroupInfo   `json:"groupInfo"`
	HostMember  GroupMember `json:"hostMember"`
	FromContact Contact     `json:"fromContact"`
	Extra       Extra
}

// Type returns "businessLinkConnecting".
func (e *BusinessLinkConnecting) Type() string { return TypeBusinessLinkConnecting }

// ChatKey returns the business chat's key.
func (e *BusinessLinkConnecting) ChatKey() string { return groupChatKey(e.User, &e.GroupInfo) }

// ---- group events ----

// ReceivedGroupInvitation: the bot was invited to a group by a contact.
// Accept with APIJoinGroup; the invitation also arrives as a
// rcvGroupInvitation chat item.
type ReceivedGroupInvitation struct {
	User           *User           `json:"user,omitempty"`
	GroupInfo      GroupInfo       `json:"groupInfo"`
	Contact        Contact         `json:"contact"`
	FromMemberRole GroupMemberRole `json:"fromMemberRole"`
	MemberRole     GroupMemberRole `json:"memberRole"`
	Extra          Extra
}

// Type returns "receivedGroupInvitation".
func (e *ReceivedGroupInvitation) Type() string { return TypeReceivedGroupInvitation }

// ChatKey returns the group's key.
func (e *ReceivedGroupInvitation) ChatKey() string { return groupChatKey(e.User, &e.GroupInfo) }

// DedupeKey is "simplex:<userId>:#<groupId>:invitation".
func (e *ReceivedGroupInvitation) DedupeKey() string {
	return groupChatKey(e.User, &e.GroupInfo) + ":invitation"
}

// RequestInfo describes the invitation: its ID is the groupId, Role the role
// offered to the bot.
func (e *ReceivedGroupInvitation) RequestInfo() bot.RequestInfo {
	g := &e.GroupInfo
	return bot.RequestInfo{
		Kind: bot.GroupInvitation,
		ID:   strconv.FormatInt(g.GroupID, 10),
		From: bot.Sender{
			ID:    strconv.FormatInt(e.Contact.ContactID, 10),
			Name:  e.Contact.DisplayName(),
			Role:  string(e.FromMemberRole),
			IsBot: e.Contact.Profile.PeerType == PeerBot,
		},
		Chat: bot.Chat{ID: g.Ref().String(), Kind: bot.Group, Title: g.DisplayName()},
		Role: string(e.MemberRole),
	}
}

// UserJoinedGroup: the bot's membership of a group is complete.
type UserJoinedGroup struct {
	User       *User       `json:"user,omitempty"`
	GroupInfo  GroupInfo   `json:"groupInfo"`
	HostMember GroupMember `json:"hostMember"`
	Extra      Extra
}

// Type returns "userJoinedGroup".
func (e *UserJoinedGroup) Type() string { return TypeUserJoinedGroup }

// ChatKey returns the group's key.
func (e *UserJoinedGroup) ChatKey() string { return groupChatKey(e.User, &e.GroupInfo) }

// DedupeKey is "simplex:<userId>:#<groupId>:joined".
func (e *UserJoinedGroup) DedupeKey() string { return groupChatKey(e.User, &e.GroupInfo) + ":joined" }

// GroupUpdated: a group's profile or preferences changed (event), or the
// bot changed them (response). MsgSigned is a string in events and a
// boolean in responses, so it stays raw.
type GroupUpdated struct {
	User      *User           `json:"user,omitempty"`
	FromGroup GroupInfo       `json:"fromGroup"`
	ToGroup   GroupInfo       `json:"toGroup"`
	Member    *GroupMember    `json:"member_,omitempty"`
	MsgSigned json.RawMessage `json:"msgSigned,omitempty"`
	Extra     Extra
}

// Type returns "groupUpdated".
func (e *GroupUpdated) Type() string { return TypeGroupUpdated }

// ChatKey returns the group's key.
func (e *GroupUpdated) ChatKey() string { return groupChatKey(e.User, &e.ToGroup) }

// JoinedGroupMember: another member joined (MemberStatus
// "pending_approval" when the group reviews joiners).
type JoinedGroupMember struct {
	User      *User       `json:"user,omitempty"`
	GroupInfo GroupInfo   `json:"groupInfo"`
	Member    GroupMember `json:"member"`
	Extra     Extra
}

// Type returns "joinedGroupMember".
func (e *JoinedGroupMember) Type() string { return TypeJoinedGroupMember }

// ChatKey returns the group's key.
func (e *JoinedGroupMember) ChatKey() string { return groupChatKey(e.User, &e.GroupInfo) }

// MemberRole: a member's role (possibly the bot's) changed.
type MemberRole struct {
	User      *User           `json:"user,omitempty"`
	GroupInfo GroupInfo       `json:"groupInfo"`
	ByMember  GroupMember     `json:"byMember"`
	Member    GroupMember     `json:"member"`
	FromRole  GroupMemberRole `json:"fromRole"`
	ToRole    GroupMemberRole `json:"toRole"`
	MsgSigned json.RawMessage `json:"msgSigned,omitempty"`
	Extra     Extra
}

// Type returns "memberRole".
func (e *MemberRole) Type() string { return TypeMemberRole }

// ChatKey returns the group's key.
func (e *MemberRole) ChatKey() string { return groupChatKey(e.User, &e.GroupInfo) }

// DeletedMember: another member was removed.
type DeletedMember struct {
	User          *User           `json:"user,omitempty"`
	GroupInfo     GroupInfo       `json:"groupInfo"`
	ByMember      GroupMember     `json:"byMember"`
	DeletedMember GroupMember     `json:"deletedMember"`
	WithMessages  bool            `json:"withMessages"`
	MsgSigned     json.RawMessage `json:"msgSigned,omitempty"`
	Extra         Extra
}

// Type returns "deletedMember".
func (e *DeletedMember) Type() string { return TypeDeletedMember }

// ChatKey returns the group's key.
func (e *DeletedMember) ChatKey() string { return groupChatKey(e.User, &e.GroupInfo) }

// LeftMember: another member left.
type LeftMember struct {
	User      *User           `json:"user,omitempty"`
	GroupInfo GroupInfo       `json:"groupInfo"`
	Member    GroupMember     `json:"member"`
	MsgSigned json.RawMessage `json:"msgSigned,omitempty"`
	Extra     Extra
}

// Type returns "leftMember".
func (e *LeftMember) Type() string { return TypeLeftMember }

// ChatKey returns the group's key.
func (e *LeftMember) ChatKey() string { return groupChatKey(e.User, &e.GroupInfo) }

// DeletedMemberUser: the bot was removed from a group.
type DeletedMemberUser struct {
	User         *User           `json:"user,omitempty"`
	GroupInfo    GroupInfo       `json:"groupInfo"`
	Member       GroupMember     `json:"member"`
	WithMessages bool            `json:"withMessages"`
	MsgSigned    json.RawMessage `json:"msgSigned,omitempty"`
	Extra        Extra
}

// Type returns "deletedMemberUser".
func (e *DeletedMemberUser) Type() string { return TypeDeletedMemberUser }

// ChatKey returns the group's key.
func (e *DeletedMemberUser) ChatKey() string { return groupChatKey(e.User, &e.GroupInfo) }

// GroupDeleted: the owner deleted a group.
type GroupDeleted struct {
	User      *User           `json:"user,omitempty"`
	GroupInfo GroupInfo       `json:"groupInfo"`
	Member    GroupMember     `json:"member"`
	MsgSigned json.RawMessage `json:"msgSigned,omitempty"`
	Extra     Extra
}

// Type returns "groupDeleted".
func (e *GroupDeleted) Type() string { return TypeGroupDeleted }

// ChatKey returns the group's key.
func (e *GroupDeleted) ChatKey() string { return groupChatKey(e.User, &e.GroupInfo) }

// ConnectedToGroupMember: the bot connected to another member.
type ConnectedToGroupMember struct {
	User          *User       `json:"user,omitempty"`
	GroupInfo     GroupInfo   `json:"groupInfo"`
	Member        GroupMember `json:"member"`
	MemberContact *Contact    `json:"memberContact,omitempty"`
	Extra         Extra
}

// Type returns "connectedToGroupMember".
func (e *ConnectedToGroupMember) Type() string { return TypeConnectedToGroupMember }

// ChatKey returns the group's key.
func (e *ConnectedToGroupMember) ChatKey() string { return groupChatKey(e.User, &e.GroupInfo) }

// MemberAcceptedByOther: another admin accepted a member after review.
type MemberAcceptedByOther struct {
	User            *User       `json:"user,omitempty"`
	GroupInfo       GroupInfo   `json:"groupInfo"`
	AcceptingMember GroupMember `json:"acceptingMember"`
	Member          GroupMember `json:"member"`
	Extra           Extra
}

// Type returns "memberAcceptedByOther".
func (e *MemberAcceptedByOther) Type() string { return TypeMemberAcceptedByOther }

// ChatKey returns the group's key.
func (e *MemberAcceptedByOther) ChatKey() string { return groupChatKey(e.User, &e.GroupInfo) }

// MemberBlockedForAll: an admin blocked or unblocked a member for everyone.
type MemberBlockedForAll struct {
	User      *User           `json:"user,omitempty"`
	GroupInfo GroupInfo       `json:"groupInfo"`
	ByMember  GroupMember     `json:"byMember"`
	Member    GroupMember     `json:"member"`
	Blocked   bool            `json:"blocked"`
	MsgSigned json.RawMessage `json:"msgSigned,omitempty"`
	Extra     Extra
}

// Type returns "memberBlockedForAll".
func (e *MemberBlockedForAll) Type() string { return TypeMemberBlockedForAll }

// ChatKey returns the group's key.
func (e *MemberBlockedForAll) ChatKey() string { return groupChatKey(e.User, &e.GroupInfo) }

// GroupMemberUpdated: another member changed its profile.
type GroupMemberUpdated struct {
	User       *User       `json:"user,omitempty"`
	GroupInfo  GroupInfo   `json:"groupInfo"`
	FromMember GroupMember `json:"fromMember"`
	ToMember   GroupMember `json:"toMember"`
	Extra      Extra
}

// Type returns "groupMemberUpdated".
func (e *GroupMemberUpdated) Type() string { return TypeGroupMemberUpdated }

// ChatKey returns the group's key.
func (e *GroupMemberUpdated) ChatKey() string { return groupChatKey(e.User, &e.GroupInfo) }

// GroupLinkRelaysUpdated: a channel's relays changed.
type GroupLinkRelaysUpdated struct {
	User        *User           `json:"user,omitempty"`
	GroupInfo   GroupInfo       `json:"groupInfo"`
	GroupLink   GroupLink       `json:"groupLink"`
	GroupRelays json.RawMessage `json:"groupRelays"`
	Extra       Extra
}

// Type returns "groupLinkRelaysUpdated".
func (e *GroupLinkRelaysUpdated) Type() string { return TypeGroupLinkRelaysUpdated }

// ChatKey returns the group's key.
func (e *GroupLinkRelaysUpdated) ChatKey() string { return groupChatKey(e.User, &e.GroupInfo) }

// JoinedGroupMemberConnecting: a member was announced and will connect.
type JoinedGroupMemberConnecting struct {
	User       *User       `json:"user,omitempty"`
	GroupInfo  GroupInfo   `json:"groupInfo"`
	HostMember GroupMember `json:"hostMember"`
	Member     GroupMember `json:"member"`
	Extra      Extra
}

// Type returns "joinedGroupMemberConnecting".
func (e *JoinedGroupMemberConnecting) Type() string { return TypeJoinedGroupMemberConnecting }

// ChatKey returns the group's key.
func (e *JoinedGroupMemberConnecting) ChatKey() string { return groupChatKey(e.User, &e.GroupInfo) }

// SentGroupInvitation: a group invitation was sent (event when someone joins
// via the bot's link; response to APIAddMember).
type SentGroupInvitation struct {
	User      *User       `json:"user,omitempty"`
	GroupInfo GroupInfo   `json:"groupInfo"`
	Contact   Contact     `json:"contact"`
	Member    GroupMember `json:"member"`
	Extra     Extra
}

// Type returns "sentGroupInvitation".
func (e *SentGroupInvitation) Type() string { return TypeSentGroupInvitation }

// ChatKey returns the group's key.
func (e *SentGroupInvitation) ChatKey() string { return groupChatKey(e.User, &e.GroupInfo) }

// GroupLinkConnecting: the bot is joining a group via someone's link.
type GroupLinkConnecting struct {
	User       *User       `json:"user,omitempty"`
	GroupInfo  GroupInfo   `json:"groupInfo"`
	HostMember GroupMember `json:"hostMember"`
	Extra      Extra
}

// Type returns "groupLinkConnecting".
func (e *GroupLinkConnecting) Type() string { return TypeGroupLinkConnecting }

// ChatKey returns the group's key.
func (e *GroupLinkConnecting) ChatKey() string { return groupChatKey(e.User, &e.GroupInfo) }

// ---- file events ----

// RcvFileDescrReady: an offered file can be received (ReceiveFile).
type RcvFileDescrReady struct {
	User            *User           `json:"user,omitempty"`
	ChatItem        AChatItem       `json:"chatItem"`
	RcvFileTransfer RcvFileTransfer `json:"rcvFileTransfer"`
	RcvFileDescr    RcvFileDescr    `json:"rcvFileDescr"`
	Extra           Extra
}

// Type returns "rcvFileDescrReady".
func (e *RcvFileDescrReady) Type() string { return TypeRcvFileDescrReady }

// ChatKey returns the item's chat key.
func (e *RcvFileDescrReady) ChatKey() string { return itemChatKey(e.User, &e.ChatItem) }

// RcvFileComplete: a file was received; ChatItem.ChatItem.File.FileSource
// has its path.
type RcvFileComplete struct {
	User     *User     `json:"user,omitempty"`
	ChatItem AChatItem `json:"chatItem"`
	Extra    Extra
}

// Type returns "rcvFileComplete".
func (e *RcvFileComplete) Type() string { return TypeRcvFileComplete }

// ChatKey returns the item's chat key.
func (e *RcvFileComplete) ChatKey() string { return itemChatKey(e.User, &e.ChatItem) }

// SndFileCompleteXFTP: a file upload completed.
type SndFileCompleteXFTP struct {
	User             *User            `json:"user,omitempty"`
	ChatItem         AChatItem        `json:"chatItem"`
	FileTransferMeta FileTransferMeta `json:"fileTransferMeta"`
	Extra            Extra
}

// Type returns "sndFileCompleteXFTP".
func (e *SndFileCompleteXFTP) Type() string { return TypeSndFileCompleteXFTP }

// ChatKey returns the item's chat key.
func (e *SndFileCompleteXFTP) ChatKey() string { return itemChatKey(e.User, &e.ChatItem) }

// RcvFileStart: a file reception started.
type RcvFileStart struct {
	User     *User     `json:"user,omitempty"`
	ChatItem AChatItem `json:"chatItem"`
	Extra    Extra
}

// Type returns "rcvFileStart".
func (e *RcvFileStart) Type() string { return TypeRcvFileStart }

// ChatKey returns the item's chat key.
func (e *RcvFileStart) ChatKey() string { return itemChatKey(e.User, &e.ChatItem) }

// RcvFileSndCancelled: the sender cancelled a file.
type RcvFileSndCancelled struct {
	User            *User           `json:"user,omitempty"`
	ChatItem        AChatItem       `json:"chatItem"`
	RcvFileTransfer RcvFileTransfer `json:"rcvFileTransfer"`
	Extra           Extra
}

// Type returns "rcvFileSndCancelled".
func (e *RcvFileSndCancelled) Type() string { return TypeRcvFileSndCancelled }

// ChatKey returns the item's chat key.
func (e *RcvFileSndCancelled) ChatKey() string { return itemChatKey(e.User, &e.ChatItem) }

// RcvFileAccepted: a file was accepted for reception (event with CLI
// auto-accept; response to ReceiveFile).
type RcvFileAccepted struct {
	User     *User     `json:"user,omitempty"`
	ChatItem AChatItem `json:"chatItem"`
	Extra    Extra
}

// Type returns "rcvFileAccepted".
func (e *RcvFileAccepted) Type() string { return TypeRcvFileAccepted }

// ChatKey returns the item's chat key.
func (e *RcvFileAccepted) ChatKey() string { return itemChatKey(e.User, &e.ChatItem) }

// RcvFileError: receiving a file failed.
type RcvFileError struct {
	User            *User           `json:"user,omitempty"`
	ChatItem        *AChatItem      `json:"chatItem_,omitempty"`
	AgentError      AgentError      `json:"agentError"`
	RcvFileTransfer RcvFileTransfer `json:"rcvFileTransfer"`
	Extra           Extra
}

// Type returns "rcvFileError".
func (e *RcvFileError) Type() string { return TypeRcvFileError }

// ChatKey returns the item's chat key, if the item is known.
func (e *RcvFileError) ChatKey() string { return itemChatKey(e.User, e.ChatItem) }

// RcvFileWarning: receiving a file hit a recoverable problem.
type RcvFileWarning struct {
	User            *User           `json:"user,omitempty"`
	ChatItem        *AChatItem      `json:"chatItem_,omitempty"`
	AgentError      AgentError      `json:"agentError"`
	RcvFileTransfer RcvFileTransfer `json:"rcvFileTransfer"`
	Extra           Extra
}

// Type returns "rcvFileWarning".
func (e *RcvFileWarning) Type() string { return TypeRcvFileWarning }

// ChatKey returns the item's chat key, if the item is known.
func (e *RcvFileWarning) ChatKey() string { return itemChatKey(e.User, e.ChatItem) }

// SndFileError: sending a file failed.
type SndFileError struct {
	User             *User            `json:"user,omitempty"`
	ChatItem         *AChatItem       `json:"chatItem_,omitempty"`
	FileTransferMeta FileTransferMeta `json:"fileTransferMeta"`
	ErrorMessage     string           `json:"errorMessage"`
	Extra            Extra
}

// Type returns "sndFileError".
func (e *SndFileError) Type() string { return TypeSndFileError }

// ChatKey returns the item's chat key, if the item is known.
func (e *SndFileError) ChatKey() string { return itemChatKey(e.User, e.ChatItem) }

// SndFileWarning: sending a file hit a recoverable problem.
type SndFileWarning struct {
	User             *User            `json:"user,omitempty"`
	ChatItem         *AChatItem       `json:"chatItem_,omitempty"`
	FileTransferMeta FileTransferMeta `json:"fileTransferMeta"`
	ErrorMessage     string           `json:"errorMessage"`
	Extra            Extra
}

// Type returns "sndFileWarning".
func (e *SndFileWarning) Type() string { return TypeSndFileWarning }

// ChatKey returns the item's chat key, if the item is known.
func (e *SndFileWarning) ChatKey() string { return itemChatKey(e.User, e.ChatItem) }

// ---- network and error events (no chat) ----

// HostConnected: the chat core connected to a server.
type HostConnected struct {
	Protocol      string `json:"protocol"`
	TransportHost string `json:"transportHost"`
	Extra         Extra
}

// Type returns "hostConnected".
func (e *HostConnected) Type() string { return TypeHostConnected }

// HostDisconnected: the chat core lost a server.
type HostDisconnected struct {
	Protocol      string `json:"protocol"`
	TransportHost string `json:"transportHost"`
	Extra         Extra
}

// Type returns "hostDisconnected".
func (e *HostDisconnected) Type() string { return TypeHostDisconnected }

// SubscriptionStatus: the subscription state of connections on a server.
type SubscriptionStatus struct {
	Server             string   `json:"server"`
	SubscriptionStatus Tagged   `json:"subscriptionStatus"`
	Connections        []string `json:"connections"`
	Extra              Extra
}

// Type returns "subscriptionStatus".
func (e *SubscriptionStatus) Type() string { return TypeSubscriptionStatus }

// MessageError: a message could not be processed.
type MessageError struct {
	User         *User  `json:"user,omitempty"`
	Severity     string `json:"severity"`
	ErrorMessage string `json:"errorMessage"`
	Extra        Extra
}

// Type returns "messageError".
func (e *MessageError) Type() string { return TypeMessageError }

// ChatErrorEvent is the chatError event: an error not tied to a command.
// Many are routine network noise (see ChatError.IsNetwork).
type ChatErrorEvent struct {
	User      *User     `json:"user_,omitempty"`
	ChatError ChatError `json:"chatError"`
	Extra     Extra
}

// Type returns "chatError".
func (e *ChatErrorEvent) Type() string { return TypeChatError }

// ChatErrors: several errors at once.
type ChatErrors struct {
	ChatErrors []ChatError `json:"chatErrors"`
	Extra      Extra
}

// Type returns "chatErrors".
func (e *ChatErrors) Type() string { return TypeChatErrors }

// ---- unknown ----

// Unknown is an event or response whose tag this package does not know. It
// keeps the tag and the raw "resp" object, and encodes back to it.
type Unknown struct {
	Tag string
	Raw json.RawMessage
}

// Type returns the wire tag.
func (u *Unknown) Type() string { return u.Tag }

// Unknown reports true: the event type is not known to the package.
func (u *Unknown) Unknown() bool { return true }

// MarshalJSON returns Raw.
func (u Unknown) MarshalJSON() ([]byte, error) {
	if len(u.Raw) == 0 {
		return []byte("null"), nil
	}
	return u.Raw, nil
}

func onOffWord(b bool) string {
	if b {
		return "on"
	}
	return "off"
}

// Routine reports true: delivery statuses come with every message sent,
// so the Logger middleware logs them at debug.
func (*ChatItemsStatusesUpdated) Routine() bool { return true }

// Routine reports true: subscription statuses come in bursts at every
// connection, so the Logger middleware logs them at debug.
func (*SubscriptionStatus) Routine() bool { return true }
