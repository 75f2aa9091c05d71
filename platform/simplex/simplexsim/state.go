package simplexsim

import (
	"encoding/json"
	"fmt"
	"sort"
	"strconv"
	"time"
)

// roles in ascending order of power, as the CLI orders GroupMemberRole.
var roles = []string{"observer", "author", "member", "moderator", "admin", "owner"}

// roleRank returns the power of a role, or -1 for an unknown role.
func roleRank(r string) int {
	for i, x := range roles {
		if x == r {
			return i
		}
	}
	return -1
}

type contact struct {
	id         int64
	name       string
	profileID  int64
	connID     int64
	connStatus string // connStatus type: "accepted", "sndReady", "ready"
	status     string
	reqID      int64
	userPrefs  json.RawMessage
	created    time.Time
	updated    time.Time
	chatTs     time.Time
	viaAddress bool
	// chatDeleted marks a chat cleared with /_delete @N messages.
	chatDeleted bool
	customData  json.RawMessage
}

func (c *contact) ready() bool { return c.connStatus == "ready" }

type contactRequest struct {
	id        int64
	name      string
	profileID int64
	xContact  string
	created   time.Time
	state     string // "pending", "accepted", "rejected"
	contactID int64
}

type member struct {
	id          int64
	groupID     int64
	index       int64
	role        string
	category    string
	status      string
	blocked     bool
	invitedBy   wInvitedBy
	invitedByGM int64
	name        string
	profileID   int64
	contactID   int64
	created     time.Time
	updated     time.Time
}

// active reports whether the member is a current participant.
func (m *member) active() bool {
	switch m.status {
	case "connected", "complete", "creator", "announced", "introduced", "intro-inv", "accepted":
		return true
	}
	return false
}

type group struct {
	id         int64
	name       string
	profile    wGroupProfile
	created    time.Time
	updated    time.Time
	bot        *member // the bot's membership; nil until the bot is invited or creates it
	members    []*member
	link       *wGroupLink
	customData json.RawMessage
}

// joined reports whether the bot takes part in the group (and so sees its events).
func (g *group) joined() bool {
	return g.bot != nil && (g.bot.status == "connected" || g.bot.status == "creator")
}

// nextIndex is the indexInGroup for a new member: the members so far,
// the bot included, plus one (indexes start at 1).
func (g *group) nextIndex() int64 {
	n := int64(len(g.members)) + 1
	if g.bot != nil {
		n++
	}
	return n
}

func (g *group) member(id int64) *member {
	for _, m := range g.members {
		if m.id == id {
			return m
		}
	}
	return nil
}

// chatRef names a conversation: '@' direct, '#' group (with an optional
// member-support scope).
type chatRef struct {
	kind    byte
	id      int64
	support bool  // #g(_support...) scope
	scopeGM int64 // member of the support scope, 0 for the bot's own
}

func (r chatRef) String() string {
	s := string(r.kind) + strconv.FormatInt(r.id, 10)
	if r.support {
		if r.scopeGM != 0 {
			s += "(_support:" + strconv.FormatInt(r.scopeGM, 10) + ")"
		} else {
			s += "(_support)"
		}
	}
	return s
}

type reaction struct {
	emoji string
	user  bool // the bot reacted
	total int
}

type item struct {
	id          int64
	chat        chatRef
	snd         bool
	senderGM    int64           // group sender (rcv items)
	ciTag       string          // CIContent tag: sndMsgContent, rcvMsgContent, rcvGroupInvitation...
	msgContent  json.RawMessage // for *MsgContent items
	rawContent  json.RawMessage // full CIContent for other items
	text        string
	itemTs      time.Time
	created     time.Time
	updated     time.Time
	sharedMsgID string
	status      wItemStatus
	edited      bool
	live        bool
	ttl         int
	deleted     *wItemDeleted
	mentions    map[string]wMention
	formatted   []wFormatted
	userMention bool
	quote       *wQuote
	reactions   []reaction
	fileID      int64
	read        bool
}

type file struct {
	id      int64
	itemID  int64
	name    string
	size    int64
	path    string
	status  string
	snd     bool
	content []byte // what an offered file holds; nil for filler
}

type address struct {
	id       int64
	settings wAddressSettings
}

// world is the simulated CLI database. All access holds Sim.mu.
type world struct {
	now func() time.Time

	hasUser     bool
	userName    string
	userProfile wProfile // the active user's
	fullName    string
	// activeID is the active user's id; others holds the other users'
	// profiles by id. The chats, contacts and groups are one set, whichever
	// user is active (a simplification: the CLI keeps them per user).
	activeID int64
	others   map[int64]wProfile
	nextUser int64

	addr *address

	contacts map[int64]*contact
	reqs     map[int64]*contactRequest
	groups   map[int64]*group
	items    map[int64]*item
	order    []int64             // item ids in creation order
	byChat   map[chatRef][]int64 // item ids of each chat in creation order
	// unreadFrom is, per chat, an item id at or below its first unread
	// received message: items are only ever marked read, never unread,
	// so chatStats counts from there rather than from the chat's start.
	unreadFrom map[chatRef]int64
	files      map[int64]*file

	nextContact, nextProfile, nextConn, nextReq, nextGroup, nextMember, nextItem, nextFile, nextLink int64

	sent     []SentItem
	actions  []Action
	commands []CommandRecord
}

func newWorld(name string, hasUser bool, now func() time.Time) *world {
	w := &world{
		now:         now,
		hasUser:     hasUser,
		userName:    name,
		userProfile: wProfile{DisplayName: name, PeerType: "bot"},
		contacts:    map[int64]*contact{},
		reqs:        map[int64]*contactRequest{},
		groups:      map[int64]*group{},
		items:       map[int64]*item{},
		byChat:      map[chatRef][]int64{},
		unreadFrom:  map[chatRef]int64{},
		files:       map[int64]*file{},
		activeID:    1,
		others:      map[int64]wProfile{},
		nextUser:    2,
		// Contact id 1 and profile id 1 belong to the user, as in the CLI DB.
		nextContact: 2, nextProfile: 2, nextConn: 1, nextReq: 1, nextGroup: 1,
		nextMember: 1, nextItem: 1, nextFile: 1, nextLink: 1,
	}
	return w
}

func (w *world) id(counter *int64) int64 {
	v := *counter
	*counter++
	return v
}

// JSON views of the state.

func (w *world) userJSON() wUser { return w.userJSONOf(w.activeID, w.userProfile, true) }

// userJSONOf renders a user. The user's own contact and profile records
// take the user's id (the first user's are 1, as in a fresh CLI database).
func (w *world) userJSONOf(id int64, p wProfile, active bool) wUser {
	sid := strconv.FormatInt(id, 10)
	return wUser{
		UserID: id, AgentUserID: sid, UserContactID: id, LocalDisplayName: p.DisplayName,
		Profile: wLocalProfile{ProfileID: id, DisplayName: p.DisplayName, FullName: p.FullName, ShortDescr: p.ShortDescr,
			Image: p.Image, ContactLink: p.ContactLink, Preferences: p.Preferences, PeerType: p.PeerType},
		FullPreferences: fullPreferencesOf(p.Preferences), ActiveUser: active, ActiveOrder: id, ShowNtfs: true,
		SendRcptsContacts: true, SendRcptsSmallGroups: true,
	}
}

// userNamed reports whether a user has display name n.
func (w *world) userNamed(n string) bool {
	if w.hasUser && w.userProfile.DisplayName == n {
		return true
	}
	for _, p := range w.others {
		if p.DisplayName == n {
			return true
		}
	}
	return false
}

// fullPreferencesOf merges a profile's preferences over the defaults, as
// the CLI's fullPreferences does: the user's command menu shows there.
func fullPreferencesOf(prefs json.RawMessage) json.RawMessage {
	if len(prefs) == 0 {
		return userFullPreferences
	}
	var over map[string]json.RawMessage
	if json.Unmarshal(prefs, &over) != nil || len(over) == 0 {
		return userFullPreferences
	}
	var full map[string]json.RawMessage
	_ = json.Unmarshal(userFullPreferences, &full)
	for k, v := range over {
		if _, known := full[k]; known && string(v) != "null" {
			full[k] = v
		}
	}
	keys := []string{"timedMessages", "fullDelete", "reactions", "voice", "files", "calls", "sessions", "commands"}
	o := fields()
	for _, k := range keys {
		o.set(k, full[k])
	}
	b, _ := o.MarshalJSON()
	return b
}

func (w *world) contactJSON(c *contact) wContact {
	st := c.connStatus
	if st == "" {
		st = "accepted"
	}
	conn := &wConn{
		ConnID: c.connID, AgentConnID: b64id('c', c.connID), ConnChatVersion: 17, PeerChatVRange: chatVRange,
		ConnType: "contact", ConnStatus: tagged{st}, EntityID: c.id,
		PQSupport: true, PQEncryption: true, PQSndEnabled: true, PQRcvEnabled: true, CreatedAt: ts(c.created),
	}
	if c.viaAddress && w.addr != nil {
		conn.ViaUserContactLink = w.addr.id
	}
	prefs := c.userPrefs
	if prefs == nil {
		prefs = json.RawMessage(`{}`)
	}
	wc := wContact{
		ContactID: c.id, LocalDisplayName: c.name,
		Profile:    wLocalProfile{ProfileID: c.profileID, DisplayName: c.name},
		ActiveConn: conn, ContactUsed: true, ContactStatus: c.status, ChatSettings: defaultChatSettings,
		UserPreferences: prefs, MergedPreferences: contactMergedPreferences,
		CreatedAt: ts(c.created), UpdatedAt: ts(c.updated), ContactRequestID: c.reqID, ChatTags: []int64{},
		ChatDeleted: c.chatDeleted, CustomData: c.customData,
	}
	if !c.chatTs.IsZero() {
		wc.ChatTs = ts(c.chatTs)
	}
	return wc
}

func (w *world) requestJSON(r *contactRequest) wContactRequest {
	var linkID int64
	if w.addr != nil {
		linkID = w.addr.id
	}
	return wContactRequest{
		ContactRequestID: r.id, AgentInvitationID: b64id('i', r.id), UserContactLinkID: linkID,
		CReqChatVRange: chatVRange, LocalDisplayName: r.name, ProfileID: r.profileID,
		Profile:   wLocalProfile{ProfileID: r.profileID, DisplayName: r.name},
		CreatedAt: ts(r.created), UpdatedAt: ts(r.created), XContactID: r.xContact, PQSupport: true, RejectionSupported: true,
	}
}

func (w *world) memberJSON(m *member) wMember {
	if m.category == "user" {
		// The bot's own membership carries the user's contact and profile
		// (peerType "bot" included).
		p := w.userProfile
		wm := w.memberJSONOf(m)
		wm.MemberContactID = w.activeID
		wm.MemberProfile = wLocalProfile{ProfileID: m.profileID, DisplayName: p.DisplayName, FullName: p.FullName,
			ShortDescr: p.ShortDescr, Image: p.Image, ContactLink: p.ContactLink, Preferences: p.Preferences, PeerType: p.PeerType}
		return wm
	}
	return w.memberJSONOf(m)
}

func (w *world) memberJSONOf(m *member) wMember {
	return wMember{
		GroupMemberID: m.id, GroupID: m.groupID, IndexInGroup: m.index, MemberID: b64id('m', m.id),
		MemberRole: m.role, MemberCategory: m.category, MemberStatus: m.status,
		MemberSettings: wMemberSettings{ShowMessages: true}, BlockedByAdmin: m.blocked, InvitedBy: m.invitedBy,
		InvitedByGroupMemberID: m.invitedByGM, LocalDisplayName: m.name,
		MemberProfile:   wLocalProfile{ProfileID: m.profileID, DisplayName: m.name},
		MemberContactID: m.contactID, MemberContactProfileID: m.profileID, MemberChatVRange: chatVRange,
		CreatedAt: ts(m.created), UpdatedAt: ts(m.updated),
	}
}

func (w *world) groupJSON(g *group) wGroupInfo {
	n := 0
	for _, m := range g.members {
		if m.active() {
			n++
		}
	}
	if g.bot != nil && g.bot.active() {
		n++
	}
	gi := wGroupInfo{
		GroupID: g.id, LocalDisplayName: g.name, GroupProfile: g.profile,
		FullGroupPreferences: fullGroupPreferences, ChatSettings: defaultChatSettings,
		CreatedAt: ts(g.created), UpdatedAt: ts(g.updated), ChatTags: []int64{},
		GroupSummary: wGroupSummary{CurrentMembers: n}, CustomData: g.customData,
	}
	if g.bot != nil {
		gi.Membership = w.memberJSON(g.bot)
		gi.UserMemberProfileSentAt = ts(g.bot.created)
	}
	// chatTs is the time of the chat's last item (the group's creation
	// before any).
	gi.ChatTs = ts(g.created)
	if ids := w.byChat[chatRef{kind: '#', id: g.id}]; len(ids) > 0 {
		if it := w.items[ids[len(ids)-1]]; it != nil {
			gi.ChatTs = ts(it.created)
		}
	}
	for _, m := range g.members {
		if m.status == "pending_approval" || m.status == "pending_review" {
			gi.MembersRequireAttention++
		}
	}
	return gi
}

func (w *world) chatInfo(r chatRef) wChatInfo {
	switch r.kind {
	case '@':
		c := w.contactJSON(w.contacts[r.id])
		return wChatInfo{Type: "direct", Contact: &c}
	default:
		g := w.groups[r.id]
		gi := w.groupJSON(g)
		ci := wChatInfo{Type: "group", GroupInfo: &gi}
		if r.support {
			sc := &wGroupChatScope{Type: "memberSupport"}
			if m := g.member(r.scopeGM); m != nil {
				mj := w.memberJSON(m)
				sc.GroupMember = &mj
			}
			ci.GroupChatScope = sc
		}
		return ci
	}
}

func (w *world) chatDir(it *item) wChatDir {
	switch {
	case it.chat.kind == '@' && it.snd:
		return wChatDir{Type: "directSnd"}
	case it.chat.kind == '@':
		return wChatDir{Type: "directRcv"}
	case it.snd:
		return wChatDir{Type: "groupSnd"}
	}
	d := wChatDir{Type: "groupRcv"}
	if g := w.groups[it.chat.id]; g != nil {
		if m := g.member(it.senderGM); m != nil {
			mj := w.memberJSON(m)
			d.GroupMember = &mj
		}
	}
	return d
}

func (w *world) itemJSON(it *item) wChatItem {
	content := it.rawContent
	if it.msgContent != nil {
		b, _ := json.Marshal(struct {
			Type       string          `json:"type"`
			MsgContent json.RawMessage `json:"msgContent"`
		}{it.ciTag, it.msgContent})
		content = b
	}
	meta := wMeta{
		ItemID: it.id, ItemText: it.text, ItemStatus: it.status, ItemSharedMsgID: it.sharedMsgID,
		ItemDeleted: it.deleted, ItemEdited: it.edited, UserMention: it.userMention, HasLink: hasLink(it.formatted),
		Deletable: it.snd, Editable: it.snd && it.msgContent != nil,
		CreatedAt: ts(it.created), UpdatedAt: ts(it.updated),
	}
	if it.snd {
		meta.ItemTs = ts(it.itemTs)
	} else {
		meta.ItemTs = tsSec(it.itemTs)
	}
	if it.ttl > 0 {
		meta.ItemTimed = &wItemTimed{TTL: it.ttl, DeleteAt: ts(it.created.Add(time.Duration(it.ttl) * time.Second))}
	}
	if it.live {
		t := true
		meta.ItemLive = &t
	}
	mentions := it.mentions
	if mentions == nil {
		mentions = map[string]wMention{}
	}
	ci := wChatItem{
		ChatDir: w.chatDir(it), Meta: meta, Content: content, Mentions: mentions,
		FormattedText: it.formatted, QuotedItem: it.quote, Reactions: []wReactionCount{},
	}
	for _, r := range it.reactions {
		ci.Reactions = append(ci.Reactions, wReactionCount{
			Reaction: emojiJSON(r.emoji), UserReacted: r.user, TotalReacted: r.total,
		})
	}
	if f := w.files[it.fileID]; f != nil {
		wf := &wFile{FileID: f.id, FileName: f.name, FileSize: f.size, FileStatus: tagged{f.status}, FileProtocol: "xftp"}
		if f.path != "" {
			wf.FileSource = &wFileSource{FilePath: f.path}
		}
		ci.File = wf
	}
	return ci
}

func (w *world) aItem(it *item) wAChatItem {
	return wAChatItem{ChatInfo: w.chatInfo(it.chat), ChatItem: w.itemJSON(it)}
}

func emojiJSON(e string) json.RawMessage {
	b, _ := json.Marshal(struct {
		Type  string `json:"type"`
		Emoji string `json:"emoji"`
	}{"emoji", e})
	return b
}

func textContent(text string) json.RawMessage {
	b, _ := json.Marshal(struct {
		Type string `json:"type"`
		Text string `json:"text"`
	}{"text", text})
	return b
}

// addItem stores a new chat item with the next database-wide id.
func (w *world) addItem(it *item) *item {
	now := w.now()
	it.id = w.id(&w.nextItem)
	if it.created.IsZero() {
		it.created, it.updated, it.itemTs = now, now, now
	}
	it.sharedMsgID = b64id('s', it.id)
	if it.msgContent != nil {
		// Every message text is parsed as markdown (Markdown.hs
		// parseMaybeMarkdownList), not only texts with mentions.
		it.formatted = formatText(it.text)
	}
	w.items[it.id] = it
	w.order = append(w.order, it.id)
	w.byChat[it.chat] = append(w.byChat[it.chat], it.id)
	switch it.chat.kind {
	case '@':
		if c := w.contacts[it.chat.id]; c != nil {
			c.chatTs = now
		}
	}
	return it
}

func (w *world) removeItem(id int64) {
	it := w.items[id]
	delete(w.items, id)
	w.order = without(w.order, id)
	if it != nil {
		w.byChat[it.chat] = without(w.byChat[it.chat], id)
	}
}

// without returns ids less id, copying so that slices handed out stay
// as they were.
func without(ids []int64, id int64) []int64 {
	for i, x := range ids {
		if x == id {
			return append(ids[:i:i], ids[i+1:]...)
		}
	}
	return ids
}

// lastItem returns the latest item of chat r, or nil; unlike chatItems
// it copies nothing, so listing many long chats stays cheap.
func (w *world) lastItem(r chatRef) *item {
	ids := w.byChat[r]
	if len(ids) == 0 {
		return nil
	}
	return w.items[ids[len(ids)-1]]
}

// itemsAfter returns up to n items of chat r after item id anchor, in
// order, reading only those: ids grow with creation, so byChat is sorted.
func (w *world) itemsAfter(r chatRef, anchor int64, n int) []*item {
	ids := w.byChat[r]
	i := sort.Search(len(ids), func(i int) bool { return ids[i] > anchor })
	ids = ids[i:min(len(ids), i+max(n, 0))]
	out := make([]*item, len(ids))
	for j, id := range ids {
		out[j] = w.items[id]
	}
	return out
}

// chatItems returns the items of one chat in ascending id order.
func (w *world) chatItems(r chatRef) []*item {
	ids := w.byChat[r]
	if len(ids) == 0 {
		return nil
	}
	out := make([]*item, len(ids))
	for i, id := range ids {
		out[i] = w.items[id]
	}
	return out
}

func (w *world) contactByName(name string) *contact {
	for _, c := range w.contacts {
		if c.name == name {
			return c
		}
	}
	return nil
}

// uniqueName mimics the CLI's local display name de-duplication ("alice_1").
func (w *world) uniqueName(name string) string {
	taken := func(n string) bool {
		if n == w.userProfile.DisplayName {
			return true
		}
		if w.contactByName(n) != nil {
			return true
		}
		for _, r := range w.reqs {
			if r.name == n && r.state == "pending" {
				return true
			}
		}
		return false
	}
	if !taken(name) {
		return name
	}
	for i := 1; ; i++ {
		n := fmt.Sprintf("%s_%d", name, i)
		if !taken(n) {
			return n
		}
	}
}

func (w *world) newContact(name string, viaAddress bool, reqID int64) *contact {
	now := w.now()
	c := &contact{
		id: w.id(&w.nextContact), name: w.uniqueName(name), profileID: w.id(&w.nextProfile),
		connID: w.id(&w.nextConn), status: "active", reqID: reqID, created: now, updated: now, viaAddress: viaAddress,
	}
	w.contacts[c.id] = c
	return c
}

func (w *world) newMember(g *group, name, role, category, status string, contactID int64) *member {
	now := w.now()
	m := &member{
		id: w.id(&w.nextMember), groupID: g.id, index: g.nextIndex(), role: role, category: category,
		status: status, invitedBy: wInvitedBy{Type: "unknown"}, name: name, contactID: contactID,
		created: now, updated: now,
	}
	if c := w.contacts[contactID]; c != nil {
		m.profileID = c.profileID
	} else {
		m.profileID = w.id(&w.nextProfile)
	}
	g.members = append(g.members, m)
	return m
}
