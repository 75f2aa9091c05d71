package simplex

import (
	"errors"
	"fmt"
	"strconv"
	"strings"
)

// Commands are typed builders of the chat core's command strings. Each
// validates its input (ids must be positive, roles known, lists non-empty)
// and returns an error rather than a string the chat core would misread.
// Only numeric-id API commands are offered: commands that name contacts or
// groups by display name break when names change or repeat.

// Command is anything that renders to a command string.
type Command interface {
	Cmd() (string, error)
}

// ChatType is the kind of chat a ChatRef points to.
type ChatType string

// Chat types.
const (
	ChatDirect ChatType = "direct"
	ChatGroup  ChatType = "group"
	ChatLocal  ChatType = "local"
)

// GroupChatScope narrows a group reference to a member support chat:
// "(_support)" is the bot's own support chat in the group,
// "(_support:<groupMemberId>)" the one with that member.
type GroupChatScope struct {
	GroupMemberID int64
}

// ChatRef references a chat in commands: "@<contactId>", "#<groupId>",
// "#<groupId>(_support[:<groupMemberId>])" or "*<noteFolderId>".
type ChatRef struct {
	Type  ChatType
	ID    int64
	Scope *GroupChatScope
}

// Direct returns the reference of a contact's chat.
func Direct(contactID int64) ChatRef { return ChatRef{Type: ChatDirect, ID: contactID} }

// GroupRef returns the reference of a group.
func GroupRef(groupID int64) ChatRef { return ChatRef{Type: ChatGroup, ID: groupID} }

// String renders the reference; invalid references render as they are,
// which Validate reports.
func (r ChatRef) String() string { return string(r.appendTo(make([]byte, 0, 24))) }

func (r ChatRef) appendTo(b []byte) []byte {
	switch r.Type {
	case ChatDirect:
		b = append(b, '@')
	case ChatGroup:
		b = append(b, '#')
	case ChatLocal:
		b = append(b, '*')
	default:
		b = append(b, '?')
	}
	b = strconv.AppendInt(b, r.ID, 10)
	if r.Scope != nil {
		b = append(b, "(_support"...)
		if r.Scope.GroupMemberID != 0 {
			b = append(b, ':')
			b = strconv.AppendInt(b, r.Scope.GroupMemberID, 10)
		}
		b = append(b, ')')
	}
	return b
}

// Validate reports whether the reference can be sent: a known type, a
// positive id, and a scope only on groups.
func (r ChatRef) Validate() error {
	switch r.Type {
	case ChatDirect, ChatGroup, ChatLocal:
	default:
		return fmt.Errorf("simplex: chat type %q unknown", r.Type)
	}
	if r.ID <= 0 {
		return fmt.Errorf("simplex: chat id %d is not positive", r.ID)
	}
	if r.Scope != nil {
		if r.Type != ChatGroup {
			return errors.New("simplex: chat scope on a chat that is not a group")
		}
		if r.Scope.GroupMemberID < 0 {
			return fmt.Errorf("simplex: scope member id %d is negative", r.Scope.GroupMemberID)
		}
	}
	return nil
}

// ErrBadChatRef is returned (wrapped) by ParseChatRef.
var ErrBadChatRef = errors.New("simplex: bad chat reference")

// ParseChatRef parses "@5", "#12", "#12(_support)", "#12(_support:3)" or
// "*1". It is strict: decimal ids without sign or leading zeros, nothing
// else; so String returns exactly the parsed text.
func ParseChatRef(s string) (ChatRef, error) {
	bad := func(why string) (ChatRef, error) {
		return ChatRef{}, fmt.Errorf("%w %q: %s", ErrBadChatRef, s, why)
	}
	if s == "" {
		return bad("empty")
	}
	var r ChatRef
	switch s[0] {
	case '@':
		r.Type = ChatDirect
	case '#':
		r.Type = ChatGroup
	case '*':
		r.Type = ChatLocal
	default:
		return bad("must start with @, # or *")
	}
	rest := s[1:]
	idText, scope, hasScope := strings.Cut(rest, "(")
	id, err := parseID(idText)
	if err != nil {
		return bad(err.Error())
	}
	r.ID = id
	if hasScope {
		if r.Type != ChatGroup {
			return bad("scope on a chat that is not a group")
		}
		body, ok := strings.CutSuffix(scope, ")")
		if !ok {
			return bad("unclosed scope")
		}
		name, member, hasMember := strings.Cut(body, ":")
		if name != "_support" {
			return bad("unknown scope")
		}
		r.Scope = &GroupChatScope{}
		if hasMember {
			if r.Scope.GroupMemberID, err = parseID(member); err != nil {
				return bad("scope member: " + err.Error())
			}
		}
	}
	return r, nil
}

// parseID parses a positive decimal id without sign or leading zeros.
func parseID(s string) (int64, error) {
	if s == "" {
		return 0, errors.New("missing id")
	}
	for i := 0; i < len(s); i++ {
		if s[i] < '0' || s[i] > '9' {
			return 0, errors.New("id is not decimal")
		}
	}
	if s[0] == '0' {
		return 0, errors.New("id is zero or has leading zeros")
	}
	n, err := strconv.ParseInt(s, 10, 64)
	if err != nil {
		return 0, errors.New("id out of range")
	}
	return n, nil
}

// ---- validation helpers ----

func cmdCheckID(what string, id int64) error {
	if id <= 0 {
		return fmt.Errorf("simplex: %s %d is not positive", what, id)
	}
	return nil
}

func cmdCheckIDs(what string, ids []int64) error {
	if len(ids) == 0 {
		return fmt.Errorf("simplex: no %ss", what)
	}
	for _, id := range ids {
		if err := cmdCheckID(what, id); err != nil {
			return err
		}
	}
	return nil
}

func cmdCheckRole(r GroupMemberRole) error {
	if !r.Valid() {
		return fmt.Errorf("simplex: group member role %q unknown", r)
	}
	return nil
}

// cmdCheckLine refuses line breaks in arguments that run to the end of the
// command line (search strings, file paths).
func cmdCheckLine(what, s string) error {
	if strings.ContainsAny(s, "\r\n") {
		return fmt.Errorf("simplex: %s contains a line break", what)
	}
	return nil
}

func cmdJoinIDs(b []byte, ids []int64) []byte {
	for i, id := range ids {
		if i > 0 {
			b = append(b, ',')
		}
		b = strconv.AppendInt(b, id, 10)
	}
	return b
}

func cmdAppendID(b []byte, id int64) []byte { return strconv.AppendInt(b, id, 10) }

// cmdAppendJSON appends a value's compact JSON (no HTML escaping).
func cmdAppendJSON(b []byte, v any) ([]byte, error) {
	out, err := appendWire(b, v)
	if err != nil {
		return nil, fmt.Errorf("simplex: encoding command argument: %w", err)
	}
	return out, nil
}

func cmdString(b []byte) (string, error) { return string(b), nil }

// ---- user and profile ----

// ShowActiveUser is "/user". Response: *ActiveUser.
type ShowActiveUser struct{}

// Cmd renders the command.
func (ShowActiveUser) Cmd() (string, error) { return "/user", nil }

// ListUsers is "/users". Response: *UsersList.
type ListUsers struct{}

// Cmd renders the command.
func (ListUsers) Cmd() (string, error) { return "/users", nil }

// CreateActiveUser is "/_create user <json NewUser>". Response: *ActiveUser.
type CreateActiveUser struct {
	Profile       *Profile
	PastTimestamp bool
}

// Cmd renders the command.
func (c CreateActiveUser) Cmd() (string, error) {
	if c.Profile != nil && strings.TrimSpace(c.Profile.DisplayName) == "" {
		return "", errors.New("simplex: profile display name is empty")
	}
	b, err := cmdAppendJSON([]byte("/_create user "), &NewUser{Profile: c.Profile, PastTimestamp: c.PastTimestamp})
	if err != nil {
		return "", err
	}
	return cmdString(b)
}

// APIUpdateProfile is "/_profile <userId> <json Profile>"; the bot command
// menu is Profile.Preferences.Commands and a bot sets PeerType "bot".
// Responses: *UserProfileUpdated, *UserProfileNoChange.
type APIUpdateProfile struct {
	UserID  int64
	Profile Profile
}

// Cmd renders the command.
func (c APIUpdateProfile) Cmd() (string, error) {
	if err := cmdCheckID("user id", c.UserID); err != nil {
		return "", err
	}
	if strings.TrimSpace(c.Profile.DisplayName) == "" {
		return "", errors.New("simplex: profile display name is empty")
	}
	b := cmdAppendID([]byte("/_profile "), c.UserID)
	b, err := cmdAppendJSON(append(b, ' '), &c.Profile)
	if err != nil {
		return "", err
	}
	return cmdString(b)
}

// APISetContactPrefs is "/_set prefs @<contactId> <json Preferences>".
// Response: *ContactPrefsUpdated.
type APISetContactPrefs struct {
	ContactID   int64
	Preferences Preferences
}

// Cmd renders the command.
func (c APISetContactPrefs) Cmd() (string, error) {
	if err := cmdCheckID("contact id", c.ContactID); err != nil {
		return "", err
	}
	b := cmdAppendID([]byte("/_set prefs @"), c.ContactID)
	b, err := cmdAppendJSON(append(b, ' '), &c.Preferences)
	if err != nil {
		return "", err
	}
	return cmdString(b)
}

// ---- address ----

// APICreateMyAddress is "/_address <userId>[ pq_ratchet=on|off]".
// Response: *UserContactLinkCreated.
type APICreateMyAddress struct {
	UserID int64
	// PQRatchet, when set, chooses post-quantum ratchet for new contacts.
	PQRatchet *bool
}

// Cmd renders the command.
func (c APICreateMyAddress) Cmd() (string, error) {
	if err := cmdCheckID("user id", c.UserID); err != nil {
		return "", err
	}
	b := cmdAppendID([]byte("/_address "), c.UserID)
	if c.PQRatchet != nil {
		b = append(b, " pq_ratchet="+onOffWord(*c.PQRatchet)...)
	}
	return cmdString(b)
}

// APIShowMyAddress is "/_show_address <userId>". Response:
// *UserContactLinkResponse; errorStore/userContactLinkNotFound when the bot
// has no address yet.
type APIShowMyAddress struct{ UserID int64 }

// Cmd renders the command.
func (c APIShowMyAddress) Cmd() (string, error) {
	if err := cmdCheckID("user id", c.UserID); err != nil {
		return "", err
	}
	return cmdString(cmdAppendID([]byte("/_show_address "), c.UserID))
}

// APIDeleteMyAddress is "/_delete_address <userId>". Response:
// *UserContactLinkDeleted.
type APIDeleteMyAddress struct{ UserID int64 }

// Cmd renders the command.
func (c APIDeleteMyAddress) Cmd() (string, error) {
	if err := cmdCheckID("user id", c.UserID); err != nil {
		return "", err
	}
	return cmdString(cmdAppendID([]byte("/_delete_address "), c.UserID))
}

// APISetProfileAddress is "/_profile_address <userId> on|off": show the
// address in the bot's profile. Responses: *UserProfileUpdated,
// *UserProfileNoChange.
type APISetProfileAddress struct {
	UserID int64
	Enable bool
}

// Cmd renders the command.
func (c APISetProfileAddress) Cmd() (string, error) {
	if err := cmdCheckID("user id", c.UserID); err != nil {
		return "", err
	}
	b := cmdAppendID([]byte("/_profile_address "), c.UserID)
	return cmdString(append(b, " "+onOffWord(c.Enable)...))
}

// APISetAddressSettings is "/_address_settings <userId>[ pq_ratchet=on|off]
// <json AddressSettings>". Response: *UserContactLinkUpdated.
type APISetAddressSettings struct {
	UserID    int64
	PQRatchet *bool
	Settings  AddressSettings
}

// Cmd renders the command.
func (c APISetAddressSettings) Cmd() (string, error) {
	if err := cmdCheckID("user id", c.UserID); err != nil {
		return "", err
	}
	b := cmdAppendID([]byte("/_address_settings "), c.UserID)
	if c.PQRatchet != nil {
		b = append(b, " pq_ratchet="+onOffWord(*c.PQRatchet)...)
	}
	b, err := cmdAppendJSON(append(b, ' '), &c.Settings)
	if err != nil {
		return "", err
	}
	return cmdString(b)
}

// ---- messages ----

// APISendMessages is "/_send <ref>[ live=on][ ttl=<sec>] json [<ComposedMessage>…]".
// The messages always travel as a JSON array (a bare object is refused).
// Response: *NewChatItems (the bot's new items; keep their itemIds to edit or
// delete them); errorStore/largeMsg when a message is too long (see SplitText).
type APISendMessages struct {
	Chat     ChatRef
	Live     bool
	TTL      int
	Messages []ComposedMessage
}

// Cmd renders the command.
func (c APISendMessages) Cmd() (string, error) {
	if err := c.Chat.Validate(); err != nil {
		return "", err
	}
	if len(c.Messages) == 0 {
		return "", errors.New("simplex: /_send needs at least one message")
	}
	if c.TTL < 0 {
		return "", fmt.Errorf("simplex: ttl %d is negative", c.TTL)
	}
	for i := range c.Messages {
		m := &c.Messages[i]
		if m.MsgContent.Type == "" {
			return "", fmt.Errorf("simplex: message %d has no content type", i)
		}
		if m.QuotedItemID < 0 {
			return "", fmt.Errorf("simplex: message %d quotes item %d", i, m.QuotedItemID)
		}
		for name, id := range m.Mentions {
			if err := cmdCheckID("mentioned member id of "+name, id); err != nil {
				return "", err
			}
		}
	}
	b := c.Chat.appendTo([]byte("/_send "))
	if c.Live {
		b = append(b, " live=on"...)
	}
	if c.TTL > 0 {
		b = append(b, " ttl="...)
		b = strconv.AppendInt(b, int64(c.TTL), 10)
	}
	b, err := cmdAppendJSON(append(b, " json "...), &c.Messages)
	if err != nil {
		return "", err
	}
	return cmdString(b)
}

// SendText returns the command sending one text message, optionally as a
// reply to the item replyTo (0 for none).
func SendText(chat ChatRef, text string, replyTo int64) APISendMessages {
	return APISendMessages{Chat: chat, Messages: []ComposedMessage{{MsgContent: TextContent(text), QuotedItemID: replyTo}}}
}

// APIUpdateChatItem is "/_update item <ref> <itemId>[ live=on] json
// <UpdatedMessage>"; "mentions" is always sent. Responses:
// *ChatItemUpdated, *ChatItemNotChanged; error/invalidChatItemUpdate for
// items the bot cannot edit.
type APIUpdateChatItem struct {
	Chat    ChatRef
	ItemID  int64
	Live    bool
	Message UpdatedMessage
}

// Cmd renders the command.
func (c APIUpdateChatItem) Cmd() (string, error) {
	if err := c.Chat.Validate(); err != nil {
		return "", err
	}
	if err := cmdCheckID("item id", c.ItemID); err != nil {
		return "", err
	}
	if c.Message.MsgContent.Type == "" {
		return "", errors.New("simplex: updated message has no content type")
	}
	b := c.Chat.appendTo([]byte("/_update item "))
	b = cmdAppendID(append(b, ' '), c.ItemID)
	if c.Live {
		b = append(b, " live=on"...)
	}
	msg := c.Message
	if msg.Mentions == nil {
		msg.Mentions = map[string]int64{}
	}
	b, err := cmdAppendJSON(append(b, " json "...), &msg)
	if err != nil {
		return "", err
	}
	return cmdString(b)
}

// CIDeleteMode says how APIDeleteChatItem deletes.
type CIDeleteMode string

// Delete modes.
const (
	// DeleteBroadcast deletes for everyone.
	DeleteBroadcast CIDeleteMode = "broadcast"
	// DeleteInternal deletes for the bot only.
	DeleteInternal CIDeleteMode = "internal"
	// DeleteInternalMark marks deleted for the bot only.
	DeleteInternalMark CIDeleteMode = "internalMark"
)

// APIDeleteChatItem is "/_delete item <ref> <id>[,<id>…] broadcast|internal|internalMark".
// Response: *ChatItemsDeleted.
type APIDeleteChatItem struct {
	Chat    ChatRef
	ItemIDs []int64
	Mode    CIDeleteMode
}

// Cmd renders the command.
func (c APIDeleteChatItem) Cmd() (string, error) {
	if err := c.Chat.Validate(); err != nil {
		return "", err
	}
	if err := cmdCheckIDs("item id", c.ItemIDs); err != nil {
		return "", err
	}
	switch c.Mode {
	case DeleteBroadcast, DeleteInternal, DeleteInternalMark:
	default:
		return "", fmt.Errorf("simplex: delete mode %q unknown", c.Mode)
	}
	b := c.Chat.appendTo([]byte("/_delete item "))
	b = cmdJoinIDs(append(b, ' '), c.ItemIDs)
	return cmdString(append(b, " "+string(c.Mode)...))
}

// APIDeleteMemberChatItem is "/_delete member item #<groupId> <id>[,<id>…]":
// moderate members' messages (needs moderator role, above the author's).
// Response: *ChatItemsDeleted.
type APIDeleteMemberChatItem struct {
	GroupID int64
	ItemIDs []int64
}

// Cmd renders the command.
func (c APIDeleteMemberChatItem) Cmd() (string, error) {
	if err := cmdCheckID("group id", c.GroupID); err != nil {
		return "", err
	}
	if err := cmdCheckIDs("item id", c.ItemIDs); err != nil {
		return "", err
	}
	b := cmdAppendID([]byte("/_delete member item #"), c.GroupID)
	return cmdString(cmdJoinIDs(append(b, ' '), c.ItemIDs))
}

// APIChatItemReaction is "/_reaction <ref> <itemId> on|off <json MsgReaction>".
// Response: *ChatItemReaction.
type APIChatItemReaction struct {
	Chat     ChatRef
	ItemID   int64
	Add      bool
	Reaction MsgReaction
}

// Cmd renders the command.
func (c APIChatItemReaction) Cmd() (string, error) {
	if err := c.Chat.Validate(); err != nil {
		return "", err
	}
	if err := cmdCheckID("item id", c.ItemID); err != nil {
		return "", err
	}
	if c.Reaction.Type == "" || (c.Reaction.Type == "emoji" && c.Reaction.Emoji == "") {
		return "", errors.New("simplex: empty reaction")
	}
	b := c.Chat.appendTo([]byte("/_reaction "))
	b = cmdAppendID(append(b, ' '), c.ItemID)
	b = append(b, " "+onOffWord(c.Add)+" "...)
	b, err := cmdAppendJSON(b, &c.Reaction)
	if err != nil {
		return "", err
	}
	return cmdString(b)
}

// APIChatItemsRead is "/_read chat items <ref> <id>[,<id>…]": mark items
// read. Response (undocumented upstream): *ItemsReadForChat or *CmdOk.
type APIChatItemsRead struct {
	Chat    ChatRef
	ItemIDs []int64
}

// Cmd renders the command.
func (c APIChatItemsRead) Cmd() (string, error) {
	if err := c.Chat.Validate(); err != nil {
		return "", err
	}
	if err := cmdCheckIDs("item id", c.ItemIDs); err != nil {
		return "", err
	}
	b := c.Chat.appendTo([]byte("/_read chat items "))
	return cmdString(cmdJoinIDs(append(b, ' '), c.ItemIDs))
}

// ---- files ----

// ReceiveFile is "/freceive <fileId>[ approved_relays=on][ encrypt=on|off][ inline=on|off][ <path>]".
// Responses: *RcvFileAccepted, *RcvFileAcceptedSndCancelled;
// error/fileNotApproved when the sender's relays are unknown (set
// ApprovedRelays).
type ReceiveFile struct {
	FileID         int64
	ApprovedRelays bool
	Encrypt        *bool
	Inline         *bool
	// FilePath is where to store the file; empty for the CLI's files folder.
	FilePath string
}

// Cmd renders the command.
func (c ReceiveFile) Cmd() (string, error) {
	if err := cmdCheckID("file id", c.FileID); err != nil {
		return "", err
	}
	if err := cmdCheckLine("file path", c.FilePath); err != nil {
		return "", err
	}
	b := cmdAppendID([]byte("/freceive "), c.FileID)
	if c.ApprovedRelays {
		b = append(b, " approved_relays=on"...)
	}
	if c.Encrypt != nil {
		b = append(b, " encrypt="+onOffWord(*c.Encrypt)...)
	}
	if c.Inline != nil {
		b = append(b, " inline="+onOffWord(*c.Inline)...)
	}
	if c.FilePath != "" {
		b = append(b, " "+c.FilePath...)
	}
	return cmdString(b)
}

// CancelFile is "/fcancel <fileId>". Responses: *SndFileCancelled,
// *RcvFileCancelled; error/fileCancel.
type CancelFile struct{ FileID int64 }

// Cmd renders the command.
func (c CancelFile) Cmd() (string, error) {
	if err := cmdCheckID("file id", c.FileID); err != nil {
		return "", err
	}
	return cmdString(cmdAppendID([]byte("/fcancel "), c.FileID))
}

// ---- contacts ----

// APIAcceptContact is "/_accept <contactRequestId>". Response:
// *AcceptingContactRequest.
type APIAcceptContact struct{ ContactRequestID int64 }

// Cmd renders the command.
func (c APIAcceptContact) Cmd() (string, error) {
	if err := cmdCheckID("contact request id", c.ContactRequestID); err != nil {
		return "", err
	}
	return cmdString(cmdAppendID([]byte("/_accept "), c.ContactRequestID))
}

// APIRejectContact is "/_reject <contactRequestId>" (the requester is not
// told). Response: *ContactRequestRejected.
type APIRejectContact struct{ ContactRequestID int64 }

// Cmd renders the command.
func (c APIRejectContact) Cmd() (string, error) {
	if err := cmdCheckID("contact request id", c.ContactRequestID); err != nil {
		return "", err
	}
	return cmdString(cmdAppendID([]byte("/_reject "), c.ContactRequestID))
}

// APIListContacts is "/_contacts <userId>". Response: *ContactsList.
type APIListContacts struct{ UserID int64 }

// Cmd renders the command.
func (c APIListContacts) Cmd() (string, error) {
	if err := cmdCheckID("user id", c.UserID); err != nil {
		return "", err
	}
	return cmdString(cmdAppendID([]byte("/_contacts "), c.UserID))
}

// APIListGroups is "/_groups<userId>[ @<contactId>][ <search>]". Response:
// *GroupsList.
//
// The user id follows "/_groups" with no space: the chat core parses
// `"/_groups" *> A.decimal` (Commands.hs), so the documented "/_groups 1"
// is a parse error there. Exec sends this form and, should a later parser
// want the space, retries with "/_groups <userId>" on the parse error.
type APIListGroups struct {
	UserID int64
	// ContactID, if set, lists the groups shared with that contact.
	ContactID int64
	Search    string
}

// Cmd renders the command in the form the chat core parses today.
func (c APIListGroups) Cmd() (string, error) { return c.render(false) }

// fallback renders the documented form, with a space before the user id.
func (c APIListGroups) fallback() (string, error) { return c.render(true) }

func (c APIListGroups) render(space bool) (string, error) {
	if err := cmdCheckID("user id", c.UserID); err != nil {
		return "", err
	}
	if c.ContactID < 0 {
		return "", fmt.Errorf("simplex: contact id %d is negative", c.ContactID)
	}
	if err := cmdCheckLine("search", c.Search); err != nil {
		return "", err
	}
	b := []byte("/_groups")
	if space {
		b = append(b, ' ')
	}
	b = cmdAppendID(b, c.UserID)
	if c.ContactID > 0 {
		b = cmdAppendID(append(b, " @"...), c.ContactID)
	}
	if s := strings.TrimSpace(c.Search); s != "" {
		b = append(b, " "+s...)
	}
	return cmdString(b)
}

// ChatListQuery filters APIGetChats: {"type":"filters","favorite":…,"unread":…}.
type ChatListQuery struct {
	Type     string `json:"type"`
	Favorite bool   `json:"favorite"`
	Unread   bool   `json:"unread"`
	Extra    Extra
}

// APIGetChats is "/_get chats <userId>[ pcc=on] count=<n> <json query>".
// Response: *APIChats.
type APIGetChats struct {
	UserID int64
	// PendingConnections includes pending contact connections.
	PendingConnections bool
	Count              int
	// Query defaults to no filter.
	Query *ChatListQuery
}

// Cmd renders the command.
func (c APIGetChats) Cmd() (string, error) {
	if err := cmdCheckID("user id", c.UserID); err != nil {
		return "", err
	}
	if c.Count <= 0 {
		return "", fmt.Errorf("simplex: count %d is not positive", c.Count)
	}
	q := ChatListQuery{Type: "filters"}
	if c.Query != nil {
		q = *c.Query
	}
	b := cmdAppendID([]byte("/_get chats "), c.UserID)
	if c.PendingConnections {
		b = append(b, " pcc=on"...)
	}
	b = strconv.AppendInt(append(b, " count="...), int64(c.Count), 10)
	b, err := cmdAppendJSON(append(b, ' '), &q)
	if err != nil {
		return "", err
	}
	return cmdString(b)
}

// APIGetChat is "/_get chat <ref> count=<n>", with "after=<itemId>" or
// "before=<itemId>" before the count to page. Response: *APIChat.
type APIGetChat struct {
	Chat   ChatRef
	Count  int
	After  int64
	Before int64
}

// Cmd renders the command.
func (c APIGetChat) Cmd() (string, error) {
	if err := c.Chat.Validate(); err != nil {
		return "", err
	}
	if c.Count <= 0 {
		return "", fmt.Errorf("simplex: count %d is not positive", c.Count)
	}
	if c.After < 0 || c.Before < 0 {
		return "", errors.New("simplex: negative pagination item id")
	}
	if c.After > 0 && c.Before > 0 {
		return "", errors.New("simplex: after and before are exclusive")
	}
	b := c.Chat.appendTo([]byte("/_get chat "))
	switch {
	case c.After > 0:
		b = cmdAppendID(append(b, " after="...), c.After)
	case c.Before > 0:
		b = cmdAppendID(append(b, " before="...), c.Before)
	}
	b = strconv.AppendInt(append(b, " count="...), int64(c.Count), 10)
	return cmdString(b)
}

// ---- groups ----

// APINewGroup is "/_group <userId>[ incognito=on] <json GroupProfile>".
// Response: *GroupCreated.
type APINewGroup struct {
	UserID    int64
	Incognito bool
	Profile   GroupProfile
}

// Cmd renders the command.
func (c APINewGroup) Cmd() (string, error) {
	if err := cmdCheckID("user id", c.UserID); err != nil {
		return "", err
	}
	if strings.TrimSpace(c.Profile.DisplayName) == "" {
		return "", errors.New("simplex: group display name is empty")
	}
	b := cmdAppendID([]byte("/_group "), c.UserID)
	if c.Incognito {
		b = append(b, " incognito=on"...)
	}
	b, err := cmdAppendJSON(append(b, ' '), &c.Profile)
	if err != nil {
		return "", err
	}
	return cmdString(b)
}

// APIJoinGroup is "/_join #<groupId>": accept a group invitation.
// Response: *UserAcceptedGroupSent (then the userJoinedGroup event).
type APIJoinGroup struct{ GroupID int64 }

// Cmd renders the command.
func (c APIJoinGroup) Cmd() (string, error) {
	if err := cmdCheckID("group id", c.GroupID); err != nil {
		return "", err
	}
	return cmdString(cmdAppendID([]byte("/_join #"), c.GroupID))
}

// APIAddMember is "/_add #<groupId> <contactId> <role>": invite a contact.
// Response: *SentGroupInvitation.
type APIAddMember struct {
	GroupID   int64
	ContactID int64
	Role      GroupMemberRole
}

// Cmd renders the command.
func (c APIAddMember) Cmd() (string, error) {
	if err := cmdCheckID("group id", c.GroupID); err != nil {
		return "", err
	}
	if err := cmdCheckID("contact id", c.ContactID); err != nil {
		return "", err
	}
	if err := cmdCheckRole(c.Role); err != nil {
		return "", err
	}
	b := cmdAppendID([]byte("/_add #"), c.GroupID)
	b = cmdAppendID(append(b, ' '), c.ContactID)
	return cmdString(append(b, " "+string(c.Role)...))
}

// APIAcceptMember is "/_accept member #<groupId> <groupMemberId> <role>":
// admit a member waiting for review. Response: *MemberAccepted;
// error/groupMemberNotActive.
type APIAcceptMember struct {
	GroupID       int64
	GroupMemberID int64
	Role          GroupMemberRole
}

// Cmd renders the command.
func (c APIAcceptMember) Cmd() (string, error) {
	if err := cmdCheckID("group id", c.GroupID); err != nil {
		return "", err
	}
	if err := cmdCheckID("group member id", c.GroupMemberID); err != nil {
		return "", err
	}
	if err := cmdCheckRole(c.Role); err != nil {
		return "", err
	}
	b := cmdAppendID([]byte("/_accept member #"), c.GroupID)
	b = cmdAppendID(append(b, ' '), c.GroupMemberID)
	return cmdString(append(b, " "+string(c.Role)...))
}

// APIMembersRole is "/_member role #<groupId> <gmId>[,<gmId>…] <role>".
// Response: *MembersRoleUser.
type APIMembersRole struct {
	GroupID        int64
	GroupMemberIDs []int64
	Role           GroupMemberRole
}

// Cmd renders the command.
func (c APIMembersRole) Cmd() (string, error) {
	if err := cmdCheckID("group id", c.GroupID); err != nil {
		return "", err
	}
	if err := cmdCheckIDs("group member id", c.GroupMemberIDs); err != nil {
		return "", err
	}
	if err := cmdCheckRole(c.Role); err != nil {
		return "", err
	}
	b := cmdAppendID([]byte("/_member role #"), c.GroupID)
	b = cmdJoinIDs(append(b, ' '), c.GroupMemberIDs)
	return cmdString(append(b, " "+string(c.Role)...))
}

// APIBlockMembersForAll is "/_block #<groupId> <gmId>[,…] blocked=on|off".
// Response: *MembersBlockedForAllUser.
type APIBlockMembersForAll struct {
	GroupID        int64
	GroupMemberIDs []int64
	Blocked        bool
}

// Cmd renders the command.
func (c APIBlockMembersForAll) Cmd() (string, error) {
	if err := cmdCheckID("group id", c.GroupID); err != nil {
		return "", err
	}
	if err := cmdCheckIDs("group member id", c.GroupMemberIDs); err != nil {
		return "", err
	}
	b := cmdAppendID([]byte("/_block #"), c.GroupID)
	b = cmdJoinIDs(append(b, ' '), c.GroupMemberIDs)
	return cmdString(append(b, " blocked="+onOffWord(c.Blocked)...))
}

// APIRemoveMembers is "/_remove #<groupId> <gmId>[,…][ messages=on]";
// WithMessages also deletes their messages. Response: *UserDeletedMembers;
// error/groupMemberNotFound.
type APIRemoveMembers struct {
	GroupID        int64
	GroupMemberIDs []int64
	WithMessages   bool
}

// Cmd renders the command.
func (c APIRemoveMembers) Cmd() (string, error) {
	if err := cmdCheckID("group id", c.GroupID); err != nil {
		return "", err
	}
	if err := cmdCheckIDs("group member id", c.GroupMemberIDs); err != nil {
		return "", err
	}
	b := cmdAppendID([]byte("/_remove #"), c.GroupID)
	b = cmdJoinIDs(append(b, ' '), c.GroupMemberIDs)
	if c.WithMessages {
		b = append(b, " messages=on"...)
	}
	return cmdString(b)
}

// APILeaveGroup is "/_leave #<groupId>". Response: *LeftMemberUser.
type APILeaveGroup struct{ GroupID int64 }

// Cmd renders the command.
func (c APILeaveGroup) Cmd() (string, error) {
	if err := cmdCheckID("group id", c.GroupID); err != nil {
		return "", err
	}
	return cmdString(cmdAppendID([]byte("/_leave #"), c.GroupID))
}

// APIListMembers is "/_members #<groupId>". Response: *GroupMembers.
type APIListMembers struct{ GroupID int64 }

// Cmd renders the command.
func (c APIListMembers) Cmd() (string, error) {
	if err := cmdCheckID("group id", c.GroupID); err != nil {
		return "", err
	}
	return cmdString(cmdAppendID([]byte("/_members #"), c.GroupID))
}

// APICreateGroupLink is "/_create link #<groupId> <role>"; joiners get Role.
// Response: *GroupLinkCreated.
type APICreateGroupLink struct {
	GroupID int64
	Role    GroupMemberRole
}

// Cmd renders the command.
func (c APICreateGroupLink) Cmd() (string, error) {
	if err := cmdCheckID("group id", c.GroupID); err != nil {
		return "", err
	}
	if err := cmdCheckRole(c.Role); err != nil {
		return "", err
	}
	b := cmdAppendID([]byte("/_create link #"), c.GroupID)
	return cmdString(append(b, " "+string(c.Role)...))
}

// ---- chat ----

// StartChat is "/_start main=on|off" (not needed with CLI bots, whose chat
// starts by itself). Responses: *ChatStarted, *ChatRunning.
type StartChat struct{ MainApp bool }

// Cmd renders the command.
func (c StartChat) Cmd() (string, error) { return "/_start main=" + onOffWord(c.MainApp), nil }
