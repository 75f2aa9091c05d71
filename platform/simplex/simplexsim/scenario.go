package simplexsim

import (
	"encoding/json"
	"errors"
	"fmt"
	"strings"
)

// The scenario API: what the rest of the world does to the bot. Each method
// changes the world, queues the events a real CLI would emit, and returns the
// ids it created so tests can refer to them. Group events are emitted only
// once the bot has joined the group (before that it cannot see them).

// Connected is the outcome of ConnectContact.
type Connected struct {
	// RequestID is the contact request id (for /_accept and /_reject).
	RequestID int64
	// ContactID is the new contact, 0 while the request awaits /_accept.
	ContactID int64
	// AutoReplyItemID is the auto-reply message item, 0 if none was sent.
	AutoReplyItemID int64
}

// ConnectContact makes a new user connect via the bot's address. With
// auto-accept on it emits acceptingContactRequest, contactConnected and, if
// an auto-reply is set, newChatItems with it; with auto-accept off it emits
// receivedContactRequest and the request waits for /_accept or /_reject.
func (s *Sim) ConnectContact(name string) (Connected, error) {
	var out Connected
	err := s.emit(func(w *world) ([]any, error) {
		if !w.hasUser {
			return nil, errors.New("simplexsim: no bot user")
		}
		if w.addr == nil {
			return nil, errors.New("simplexsim: the bot has no address (create one with /_address or WithAddress)")
		}
		now := w.now()
		r := &contactRequest{id: w.id(&w.nextReq), name: w.uniqueName(name), profileID: w.id(&w.nextProfile),
			created: now, state: "pending"}
		r.xContact = b64id('x', r.id)
		w.reqs[r.id] = r
		out.RequestID = r.id
		if w.addr.settings.AutoAccept == nil {
			return []any{body("receivedContactRequest").set("user", w.userJSON()).set("contactRequest", w.requestJSON(r))}, nil
		}
		c, accepting, evs := w.acceptRequest(r)
		out.ContactID = c.id
		evs = append([]any{body("acceptingContactRequest").set("user", w.userJSON()).set("contact", accepting)}, evs...)
		if id := w.lastAutoReply(c); id != 0 {
			out.AutoReplyItemID = id
		}
		return evs, nil
	})
	return out, err
}

// acceptRequest turns a request into a contact. It returns the contact, its
// JSON as acceptingContactRequest shows it (connStatus "accepted") and the
// events that follow acceptance: contactConnected, then the auto-reply if one
// is set.
func (w *world) acceptRequest(r *contactRequest) (*contact, wContact, []any) {
	r.state = "accepted"
	c := w.newContact(r.name, true, r.id)
	c.profileID = r.profileID
	r.contactID = c.id
	accepting := w.contactJSON(c)
	c.connStatus = "ready"
	evs := []any{body("contactConnected").set("user", w.userJSON()).set("contact", w.contactJSON(c))}
	if ar := w.addr.settings.AutoReply; ar != nil {
		it := w.addItem(&item{chat: chatRef{kind: '@', id: c.id}, snd: true, ciTag: "sndMsgContent",
			msgContent: ar, text: msgText(ar), status: wItemStatus{Type: "sndNew"}})
		evs = append(evs, body("newChatItems").set("user", w.userJSON()).set("chatItems", []wAChatItem{w.aItem(it)}))
	}
	return c, accepting, evs
}

// lastAutoReply returns the newest item in the contact's chat if it is an
// auto-reply sent by the CLI.
func (w *world) lastAutoReply(c *contact) int64 {
	items := w.chatItems(chatRef{kind: '@', id: c.id})
	if len(items) > 0 && items[len(items)-1].snd {
		return items[len(items)-1].id
	}
	return 0
}

// msgText extracts msgContent.text.
func msgText(mc json.RawMessage) string {
	var v struct {
		Text string `json:"text"`
	}
	_ = json.Unmarshal(mc, &v)
	return v.Text
}

func msgType(mc json.RawMessage) string {
	var v struct {
		Type string `json:"type"`
	}
	_ = json.Unmarshal(mc, &v)
	return v.Type
}

// FileOffer describes a file a contact or member offers to the bot.
type FileOffer struct {
	Name string
	Size int64
}

// Msg is a message from a contact or group member.
type Msg struct {
	// Text is the message text (the caption for files).
	Text string
	// Content, if set, is the full MsgContent JSON and overrides Text.
	Content json.RawMessage
	// QuoteItemID makes the message a reply to an item of the same chat.
	QuoteItemID int64
	// File attaches a file offer: the item carries a file in rcvInvitation
	// status and rcvFileDescrReady follows.
	File *FileOffer
	// MentionBot @-mentions the bot (groups only): the text gets an "@name"
	// span if missing, and the item carries mentions and userMention.
	MentionBot bool
}

// Received identifies what an inbound message created.
type Received struct {
	ItemID int64
	FileID int64
}

// ContactSend makes a contact send a text message; it returns the item id.
func (s *Sim) ContactSend(contactID int64, text string) (int64, error) {
	r, err := s.ContactSendMsg(contactID, Msg{Text: text})
	return r.ItemID, err
}

// ContactSendMsg makes a contact send a message (newChatItems with
// rcvMsgContent, plus rcvFileDescrReady for a file offer).
func (s *Sim) ContactSendMsg(contactID int64, m Msg) (Received, error) {
	var out Received
	err := s.emit(func(w *world) ([]any, error) {
		c, err := w.readyContact(contactID)
		if err != nil {
			return nil, err
		}
		if m.MentionBot {
			return nil, errors.New("simplexsim: mentions exist only in groups")
		}
		it, evs, err := w.receive(chatRef{kind: '@', id: c.id}, 0, m)
		if err != nil {
			return nil, err
		}
		out = Received{ItemID: it.id, FileID: it.fileID}
		return evs, nil
	})
	return out, err
}

func (w *world) readyContact(id int64) (*contact, error) {
	c := w.contacts[id]
	if c == nil {
		return nil, fmt.Errorf("simplexsim: no contact %d", id)
	}
	if !c.ready() || c.status != "active" {
		return nil, fmt.Errorf("simplexsim: contact %d is not connected", id)
	}
	return c, nil
}

// receive stores an inbound message and returns its events.
func (w *world) receive(chat chatRef, senderGM int64, m Msg) (*item, []any, error) {
	mc := m.Content
	if mc == nil {
		typ := "text"
		if m.File != nil {
			typ = "file"
		}
		text := m.Text
		if m.MentionBot {
			tag := "@" + w.userProfile.DisplayName
			if !strings.Contains(text, tag) {
				text = tag + " " + text
			}
		}
		b, _ := json.Marshal(struct {
			Type string `json:"type"`
			Text string `json:"text"`
		}{typ, text})
		mc = b
	} else if !json.Valid(mc) || msgType(mc) == "" {
		return nil, nil, errors.New("simplexsim: Msg.Content is not a MsgContent object")
	}
	it := &item{chat: chat, senderGM: senderGM, ciTag: "rcvMsgContent", msgContent: mc, text: msgText(mc),
		status: wItemStatus{Type: "rcvNew"}}
	if m.QuoteItemID != 0 {
		q := w.items[m.QuoteItemID]
		if q == nil || q.chat != chat {
			return nil, nil, fmt.Errorf("simplexsim: no item %d in %s to quote", m.QuoteItemID, chat)
		}
		it.quote = w.quoteOf(q)
	}
	if m.MentionBot {
		g := w.groups[chat.id]
		name := w.userProfile.DisplayName
		it.mentions = map[string]wMention{name: {MemberID: b64id('m', g.bot.id), MemberRef: &wMemberRef{
			GroupMemberID: g.bot.id, DisplayName: name, MemberRole: g.bot.role}}}
		it.userMention = true
	}
	w.addItem(it)
	var evs []any
	if m.File != nil {
		f := &file{id: w.id(&w.nextFile), itemID: it.id, name: m.File.Name, size: m.File.Size, status: "rcvInvitation"}
		w.files[f.id] = f
		it.fileID = f.id
	}
	evs = append(evs, body("newChatItems").set("user", w.userJSON()).set("chatItems", []wAChatItem{w.aItem(it)}))
	if f := w.files[it.fileID]; f != nil {
		descr := json.RawMessage(fmt.Sprintf(`{"fileDescrId":%d,"fileDescrText":"simplexsim-descr-%d","fileDescrPartNo":0,"fileDescrComplete":true}`, f.id, f.id))
		evs = append(evs, body("rcvFileDescrReady").set("user", w.userJSON()).set("chatItem", w.aItem(it)).
			set("rcvFileTransfer", w.rcvTransfer(f, it)).set("rcvFileDescr", descr))
	}
	return it, evs, nil
}

func (w *world) rcvTransfer(f *file, it *item) wRcvFileTransfer {
	inv, _ := json.Marshal(struct {
		FileName string `json:"fileName"`
		FileSize int64  `json:"fileSize"`
	}{f.name, f.size})
	sender := ""
	switch it.chat.kind {
	case '@':
		sender = w.contacts[it.chat.id].name
	case '#':
		if m := w.groups[it.chat.id].member(it.senderGM); m != nil {
			sender = m.name
		}
	}
	st := "new"
	switch f.status {
	case "rcvAccepted", "rcvTransfer":
		st = "accepted"
	case "rcvComplete":
		st = "complete"
	case "rcvCancelled":
		st = "cancelled"
	}
	return wRcvFileTransfer{
		FileID: f.id, XFTPRcvFile: json.RawMessage(fmt.Sprintf(`{"rcvFileDescription":{"fileDescrId":%d,"fileDescrText":"simplexsim-descr-%d","fileDescrPartNo":0,"fileDescrComplete":true},"agentRcvFileDeleted":false,"userApprovedRelays":false}`, f.id, f.id)),
		FileInvitation: inv, FileStatus: tagged{st}, SenderName: sender, ChunkSize: 16384, Cancelled: f.status == "rcvCancelled",
	}
}

func (w *world) quoteOf(q *item) *wQuote {
	d := w.chatDir(q)
	content := q.msgContent
	if content == nil {
		content = textContent(q.text)
	}
	return &wQuote{ChatDir: &d, ItemID: q.id, SharedMsgID: q.sharedMsgID, SentAt: ts(q.itemTs), Content: content}
}

// ContactEdit makes a contact edit one of its messages (chatItemUpdated).
func (s *Sim) ContactEdit(contactID, itemID int64, text string) error {
	return s.emit(func(w *world) ([]any, error) {
		it, err := w.peerItem(chatRef{kind: '@', id: contactID}, 0, itemID)
		if err != nil {
			return nil, err
		}
		return w.peerEdit(it, text), nil
	})
}

// ContactDelete makes a contact delete one of its messages for everyone
// (chatItemsDeleted with byUser false).
func (s *Sim) ContactDelete(contactID, itemID int64) error {
	return s.emit(func(w *world) ([]any, error) {
		it, err := w.peerItem(chatRef{kind: '@', id: contactID}, 0, itemID)
		if err != nil {
			return nil, err
		}
		return w.peerDelete(it), nil
	})
}

// ContactReact makes a contact add or remove an emoji reaction on any item
// of its chat with the bot (chatItemReaction).
func (s *Sim) ContactReact(contactID, itemID int64, emoji string, add bool) error {
	return s.emit(func(w *world) ([]any, error) {
		if _, err := w.readyContact(contactID); err != nil {
			return nil, err
		}
		return w.peerReact(chatRef{kind: '@', id: contactID}, 0, itemID, emoji, add)
	})
}

// ContactLeave makes a contact delete its connection with the bot
// (contactDeletedByContact); later sends to it fail with contactNotActive...
func (s *Sim) ContactLeave(contactID int64) error {
	return s.emit(func(w *world) ([]any, error) {
		c, err := w.readyContact(contactID)
		if err != nil {
			return nil, err
		}
		c.status = "deleted"
		c.updated = w.now()
		return []any{body("contactDeletedByContact").set("user", w.userJSON()).set("contact", w.contactJSON(c))}, nil
	})
}

// peerItem finds an item the peer (contact, or group member senderGM) sent.
func (w *world) peerItem(chat chatRef, senderGM, itemID int64) (*item, error) {
	it := w.items[itemID]
	if it == nil || it.chat.kind != chat.kind || it.chat.id != chat.id || it.snd || it.senderGM != senderGM || it.msgContent == nil {
		return nil, fmt.Errorf("simplexsim: item %d is not a message from that sender in %s", itemID, chat)
	}
	if it.deleted != nil {
		return nil, fmt.Errorf("simplexsim: item %d is deleted", itemID)
	}
	return it, nil
}

func (w *world) peerEdit(it *item, text string) []any {
	var mc map[string]any
	_ = json.Unmarshal(it.msgContent, &mc)
	mc["text"] = text
	b, _ := json.Marshal(mc)
	it.msgContent, it.text, it.edited, it.updated = b, text, true, w.now()
	it.formatted = formatText(text)
	return []any{body("chatItemUpdated").set("user", w.userJSON()).set("chatItem", w.aItem(it))}
}

func (w *world) peerDelete(it *item) []any {
	before := w.aItem(it)
	chatType := "direct"
	if it.chat.kind == '#' {
		chatType = "group"
	}
	it.deleted = &wItemDeleted{Type: "deleted", DeletedTs: ts(w.now()), ChatType: chatType}
	it.updated = w.now()
	after := w.aItem(it)
	return []any{body("chatItemsDeleted").set("user", w.userJSON()).
		set("chatItemDeletions", []wDeletion{{DeletedChatItem: before, ToChatItem: &after}}).
		set("byUser", false).set("timed", false)}
}

// allowedEmoji is the reaction set the CLI accepts: single code points only.
var allowedEmoji = []string{"👍", "👎", "😀", "😂", "😢", "❤", "🚀", "✅"}

func validEmoji(e string) bool {
	for _, x := range allowedEmoji {
		if x == e {
			return true
		}
	}
	return false
}

// react changes the reaction counts of an item; byBot marks the bot's own.
func (it *item) react(emoji string, add, byBot bool) {
	for i := range it.reactions {
		r := &it.reactions[i]
		if r.emoji != emoji {
			continue
		}
		switch {
		case add && byBot && !r.user:
			r.user, r.total = true, r.total+1
		case add && !byBot:
			r.total++
		case !add && byBot && r.user:
			r.user, r.total = false, r.total-1
		case !add && !byBot && r.total > 0:
			r.total--
		}
		if r.total == 0 {
			it.reactions = append(it.reactions[:i:i], it.reactions[i+1:]...)
		}
		return
	}
	if add {
		it.reactions = append(it.reactions, reaction{emoji: emoji, user: byBot, total: 1})
	}
}

func (w *world) peerReact(chat chatRef, senderGM, itemID int64, emoji string, add bool) ([]any, error) {
	if !validEmoji(emoji) {
		return nil, fmt.Errorf("simplexsim: %q is not an allowed reaction", emoji)
	}
	it := w.items[itemID]
	if it == nil || it.chat.kind != chat.kind || it.chat.id != chat.id || it.deleted != nil {
		return nil, fmt.Errorf("simplexsim: no item %d in %s", itemID, chat)
	}
	it.react(emoji, add, false)
	dir := wChatDir{Type: "directRcv"}
	if chat.kind == '#' {
		mj := w.memberJSON(w.groups[chat.id].member(senderGM))
		dir = wChatDir{Type: "groupRcv", GroupMember: &mj}
	}
	return []any{w.reactionEvent(it, dir, emoji, add)}, nil
}

func (w *world) reactionEvent(it *item, dir wChatDir, emoji string, add bool) *obj {
	cr := fields().set("chatDir", dir).set("chatItem", w.itemJSON(it)).set("sentAt", ts(w.now())).set("reaction", emojiJSON(emoji))
	reaction := struct {
		ChatInfo     wChatInfo `json:"chatInfo"`
		ChatReaction *obj      `json:"chatReaction"`
	}{w.chatInfo(it.chat), cr}
	return body("chatItemReaction").set("user", w.userJSON()).set("added", add).set("reaction", reaction)
}

// MemberSpec describes a group member for NewGroup and MemberJoin.
type MemberSpec struct {
	// Name is the member's display name.
	Name string
	// Role defaults to "member".
	Role string
	// ContactID links the member to a contact of the bot (needed for the
	// member who invites the bot).
	ContactID int64
	// Pending makes a joining member wait for approval (pending_approval).
	Pending bool
}

// NewGroup creates a group the bot does not know yet, with the given members;
// it returns the group id and the member ids in order. Invite the bot with
// InviteBot.
func (s *Sim) NewGroup(name string, members ...MemberSpec) (groupID int64, memberIDs []int64, err error) {
	err = s.emit(func(w *world) ([]any, error) {
		for _, m := range members {
			if m.Role != "" && roleRank(m.Role) < 0 {
				return nil, fmt.Errorf("simplexsim: unknown role %q", m.Role)
			}
			if m.ContactID != 0 && w.contacts[m.ContactID] == nil {
				return nil, fmt.Errorf("simplexsim: no contact %d", m.ContactID)
			}
		}
		now := w.now()
		g := &group{id: w.id(&w.nextGroup), name: name, created: now, updated: now,
			profile: wGroupProfile{DisplayName: name, GroupPreferences: defaultGroupPreferences}}
		w.groups[g.id] = g
		groupID = g.id
		for _, m := range members {
			role := m.Role
			if role == "" {
				role = "member"
			}
			status := "connected"
			if m.Pending {
				status = "pending_approval"
			}
			memberIDs = append(memberIDs, w.newMember(g, m.Name, role, "pre", status, m.ContactID).id)
		}
		return nil, nil
	})
	return groupID, memberIDs, err
}

// InviteBot makes the contact byContactID (a member of the group) invite the
// bot with role: receivedGroupInvitation and an rcvGroupInvitation item in the
// direct chat. It returns that item's id. The bot accepts with /_join.
func (s *Sim) InviteBot(groupID, byContactID int64, role string) (itemID int64, err error) {
	err = s.emit(func(w *world) ([]any, error) {
		g := w.groups[groupID]
		if g == nil {
			return nil, fmt.Errorf("simplexsim: no group %d", groupID)
		}
		c, err := w.readyContact(byContactID)
		if err != nil {
			return nil, err
		}
		if roleRank(role) < 0 {
			return nil, fmt.Errorf("simplexsim: unknown role %q", role)
		}
		if g.joined() {
			return nil, fmt.Errorf("simplexsim: the bot is already in group %d", groupID)
		}
		var host *member
		for _, m := range g.members {
			if m.contactID == c.id && m.active() {
				host = m
			}
		}
		if host == nil {
			return nil, fmt.Errorf("simplexsim: contact %d is not a member of group %d", byContactID, groupID)
		}
		host.category = "host"
		now := w.now()
		g.bot = &member{id: w.id(&w.nextMember), groupID: g.id, index: g.nextIndex(), role: role, category: "user", status: "invited",
			invitedBy: wInvitedBy{Type: "contact", ByContactID: c.id}, invitedByGM: host.id,
			name: w.userProfile.DisplayName, profileID: 1, created: now, updated: now}
		inv, _ := json.Marshal(struct {
			Type            string `json:"type"`
			GroupInvitation any    `json:"groupInvitation"`
			MemberRole      string `json:"memberRole"`
		}{"rcvGroupInvitation", struct {
			GroupID          int64         `json:"groupId"`
			GroupMemberID    int64         `json:"groupMemberId"`
			LocalDisplayName string        `json:"localDisplayName"`
			GroupProfile     wGroupProfile `json:"groupProfile"`
			Status           string        `json:"status"`
		}{g.id, g.bot.id, g.name, g.profile, "pending"}, role})
		it := w.addItem(&item{chat: chatRef{kind: '@', id: c.id}, ciTag: "rcvGroupInvitation", rawContent: inv,
			text: fmt.Sprintf("received invitation to join group %s as %s", g.name, role), status: wItemStatus{Type: "rcvNew"}})
		itemID = it.id
		return []any{
			body("receivedGroupInvitation").set("user", w.userJSON()).set("groupInfo", w.groupJSON(g)).
				set("contact", w.contactJSON(c)).set("fromMemberRole", host.role).set("memberRole", role),
			body("newChatItems").set("user", w.userJSON()).set("chatItems", []wAChatItem{w.aItem(it)}),
		}, nil
	})
	return itemID, err
}

func (w *world) groupMember(groupID, memberID int64) (*group, *member, error) {
	g := w.groups[groupID]
	if g == nil {
		return nil, nil, fmt.Errorf("simplexsim: no group %d", groupID)
	}
	m := g.member(memberID)
	if m == nil {
		return nil, nil, fmt.Errorf("simplexsim: no member %d in group %d", memberID, groupID)
	}
	return g, m, nil
}

// visible returns evs if the bot is in the group, else nothing.
func visible(g *group, evs ...any) []any {
	if g.joined() {
		return evs
	}
	return nil
}

// MemberSend makes a group member send a text, optionally @-mentioning the
// bot; it returns the item id.
func (s *Sim) MemberSend(groupID, memberID int64, text string, mentionBot bool) (int64, error) {
	r, err := s.MemberSendMsg(groupID, memberID, Msg{Text: text, MentionBot: mentionBot})
	return r.ItemID, err
}

// MemberSendMsg makes a group member send a message (newChatItems with a
// groupRcv sender). The bot must have joined the group.
func (s *Sim) MemberSendMsg(groupID, memberID int64, m Msg) (Received, error) {
	var out Received
	err := s.emit(func(w *world) ([]any, error) {
		g, mem, err := w.groupMember(groupID, memberID)
		if err != nil {
			return nil, err
		}
		if !g.joined() {
			return nil, fmt.Errorf("simplexsim: the bot is not in group %d", groupID)
		}
		if !mem.active() && mem.status != "pending_approval" && mem.status != "pending_review" {
			return nil, fmt.Errorf("simplexsim: member %d is %s", memberID, mem.status)
		}
		chat := chatRef{kind: '#', id: g.id}
		if mem.status == "pending_approval" || mem.status == "pending_review" {
			chat.support, chat.scopeGM = true, mem.id // knocking members talk in their support chat
		}
		it, evs, err := w.receive(chat, mem.id, m)
		if err != nil {
			return nil, err
		}
		out = Received{ItemID: it.id, FileID: it.fileID}
		return evs, nil
	})
	return out, err
}

// MemberEdit makes a member edit one of its messages (chatItemUpdated).
func (s *Sim) MemberEdit(groupID, memberID, itemID int64, text string) error {
	return s.emit(func(w *world) ([]any, error) {
		g, _, err := w.groupMember(groupID, memberID)
		if err != nil {
			return nil, err
		}
		it, err := w.peerItem(chatRef{kind: '#', id: groupID}, memberID, itemID)
		if err != nil {
			return nil, err
		}
		return visible(g, w.peerEdit(it, text)...), nil
	})
}

// MemberDelete makes a member delete one of its messages (chatItemsDeleted,
// byUser false).
func (s *Sim) MemberDelete(groupID, memberID, itemID int64) error {
	return s.emit(func(w *world) ([]any, error) {
		g, _, err := w.groupMember(groupID, memberID)
		if err != nil {
			return nil, err
		}
		it, err := w.peerItem(chatRef{kind: '#', id: groupID}, memberID, itemID)
		if err != nil {
			return nil, err
		}
		return visible(g, w.peerDelete(it)...), nil
	})
}

// MemberReact makes a member add or remove a reaction (chatItemReaction).
func (s *Sim) MemberReact(groupID, memberID, itemID int64, emoji string, add bool) error {
	return s.emit(func(w *world) ([]any, error) {
		g, _, err := w.groupMember(groupID, memberID)
		if err != nil {
			return nil, err
		}
		evs, err := w.peerReact(chatRef{kind: '#', id: groupID}, memberID, itemID, emoji, add)
		return visible(g, evs...), err
	})
}

// MemberJoin adds a member to a group (joinedGroupMember); with
// spec.Pending the member waits for /_accept member.
func (s *Sim) MemberJoin(groupID int64, spec MemberSpec) (int64, error) {
	var id int64
	err := s.emit(func(w *world) ([]any, error) {
		g := w.groups[groupID]
		if g == nil {
			return nil, fmt.Errorf("simplexsim: no group %d", groupID)
		}
		role := spec.Role
		if role == "" {
			role = "member"
		}
		if roleRank(role) < 0 {
			return nil, fmt.Errorf("simplexsim: unknown role %q", role)
		}
		status := "connected"
		if spec.Pending {
			status = "pending_approval"
		}
		m := w.newMember(g, spec.Name, role, "post", status, spec.ContactID)
		id = m.id
		return visible(g, body("joinedGroupMember").set("user", w.userJSON()).set("groupInfo", w.groupJSON(g)).
			set("member", w.memberJSON(m))), nil
	})
	return id, err
}

// MemberLeave makes a member leave the group (leftMember).
func (s *Sim) MemberLeave(groupID, memberID int64) error {
	return s.emit(func(w *world) ([]any, error) {
		g, m, err := w.groupMember(groupID, memberID)
		if err != nil {
			return nil, err
		}
		if !m.active() {
			return nil, fmt.Errorf("simplexsim: member %d is %s", memberID, m.status)
		}
		m.status, m.updated = "left", w.now()
		return visible(g, body("leftMember").set("user", w.userJSON()).set("groupInfo", w.groupJSON(g)).
			set("member", w.memberJSON(m))), nil
	})
}

// MemberRemoved makes byMemberID remove memberID (deletedMember). If memberID
// is the bot's own member id (GroupInfo.BotMember) the event is
// deletedMemberUser and the bot is out of the group.
func (s *Sim) MemberRemoved(groupID, memberID, byMemberID int64, withMessages bool) error {
	return s.emit(func(w *world) ([]any, error) {
		g, by, err := w.groupMember(groupID, byMemberID)
		if err != nil {
			return nil, err
		}
		if g.bot != nil && g.bot.id == memberID {
			if !g.joined() {
				return nil, fmt.Errorf("simplexsim: the bot is not in group %d", groupID)
			}
			evs := visible(g, body("deletedMemberUser").set("user", w.userJSON()).set("groupInfo", w.groupJSON(g)).
				set("member", w.memberJSON(by)).set("withMessages", withMessages))
			g.bot.status, g.bot.updated = "removed", w.now()
			return evs, nil
		}
		m := g.member(memberID)
		if m == nil || !m.active() && m.status != "pending_approval" {
			return nil, fmt.Errorf("simplexsim: no active member %d in group %d", memberID, groupID)
		}
		m.status, m.updated = "removed", w.now()
		return visible(g, body("deletedMember").set("user", w.userJSON()).set("groupInfo", w.groupJSON(g)).
			set("byMember", w.memberJSON(by)).set("deletedMember", w.memberJSON(m)).set("withMessages", withMessages)), nil
	})
}

// MemberRoleChanged makes byMemberID change memberID's role (memberRole
// event); memberID may be the bot's own member id.
func (s *Sim) MemberRoleChanged(groupID, memberID, byMemberID int64, role string) error {
	return s.emit(func(w *world) ([]any, error) {
		g, by, err := w.groupMember(groupID, byMemberID)
		if err != nil {
			return nil, err
		}
		if roleRank(role) < 0 {
			return nil, fmt.Errorf("simplexsim: unknown role %q", role)
		}
		m := g.member(memberID)
		if g.bot != nil && g.bot.id == memberID {
			m = g.bot
		}
		if m == nil {
			return nil, fmt.Errorf("simplexsim: no member %d in group %d", memberID, groupID)
		}
		from := m.role
		m.role, m.updated = role, w.now()
		return visible(g, body("memberRole").set("user", w.userJSON()).set("groupInfo", w.groupJSON(g)).
			set("byMember", w.memberJSON(by)).set("member", w.memberJSON(m)).set("fromRole", from).set("toRole", role)), nil
	})
}

// DeliveryStatuses reports delivery of items the bot sent: one
// chatItemsStatusesUpdated with sndSent, then one with sndRcvd.
func (s *Sim) DeliveryStatuses(itemIDs ...int64) error {
	return s.emit(func(w *world) ([]any, error) {
		var items []*item
		for _, id := range itemIDs {
			it := w.items[id]
			if it == nil || !it.snd {
				return nil, fmt.Errorf("simplexsim: item %d is not a sent item", id)
			}
			items = append(items, it)
		}
		return w.deliver(items), nil
	})
}

func (w *world) deliver(items []*item) []any {
	var evs []any
	for _, st := range []wItemStatus{
		{Type: "sndSent", SndProgress: "complete"},
		{Type: "sndRcvd", MsgRcptStatus: "ok", SndProgress: "complete"},
	} {
		var ais []wAChatItem
		for _, it := range items {
			it.status = st
			ais = append(ais, w.aItem(it))
		}
		evs = append(evs, body("chatItemsStatusesUpdated").set("user", w.userJSON()).set("chatItems", ais))
	}
	return evs
}
