package privittysim

import (
	"fmt"
	"slices"
	"strings"
)

// Delta Chat's special ids.
const (
	selfID     int64 = 1
	infoID     int64 = 2
	firstReal  int64 = 10
	stateFresh       = 10
	stateSeen        = 16
	stateOut         = 26 // OutDelivered: the sim delivers at once
)

type contact struct {
	id      int64
	name    string
	addr    string
	blocked bool
}

type chat struct {
	id       int64
	name     string
	group    bool
	members  []int64 // contact ids, the bot not included
	request  bool
	blocked  bool
	archived bool
	muted    bool
	msgs     []int64
	// selfGone is set once the bot was removed from a group.
	selfGone bool
}

type msg struct {
	id       int64
	chatID   int64
	fromID   int64
	text     string
	quoteID  int64
	file     string
	fileName string
	fileSize int64
	viewType string
	state    int
	ts       int64
	info     bool
	// sysType is the systemMessageType of an info message ("" is
	// "Unknown"); infoContact the contact it is about.
	sysType     string
	infoContact int64
	edited      bool
	react       map[int64][]string
	// full is the whole text of a message the core cut (hasHtml), served
	// by get_message_html.
	full string
}

type world struct {
	cfg       *config
	contacts  map[int64]*contact
	chats     map[int64]*chat
	msgs      map[int64]*msg
	nextID    int64 // shared by contacts, chats and messages: ids only grow
	conf      map[string]string
	lastMsgID int64
	// fingerprint is the account key's, as get_info reports it: a new
	// account database gets a new key.
	fingerprint string
}

func newWorld(cfg *config, incarnation int) world {
	w := world{
		cfg:         cfg,
		contacts:    map[int64]*contact{},
		chats:       map[int64]*chat{},
		msgs:        map[int64]*msg{},
		nextID:      firstReal,
		conf:        map[string]string{"addr": cfg.botAddr, "displayname": cfg.botName, "configured": "1"},
		fingerprint: fmt.Sprintf("%040X", 0xC0FFEE+incarnation),
	}
	if cfg.botFlag {
		w.conf["bot"] = "1"
	}
	return w
}

func (w *world) id() int64 {
	id := w.nextID
	w.nextID++
	return id
}

func (w *world) addContact(name string) *contact {
	c := &contact{id: w.id(), name: name}
	c.addr = fmt.Sprintf("%s.%d@peer.example", strings.ToLower(strings.ReplaceAll(name, " ", "")), c.id)
	w.contacts[c.id] = c
	return c
}

func (w *world) addChat(name string, group bool, members ...int64) *chat {
	c := &chat{id: w.id(), name: name, group: group, members: members}
	w.chats[c.id] = c
	return c
}

func (w *world) addMsg(c *chat, m *msg) *msg {
	m.id = w.id()
	m.chatID = c.id
	if m.ts == 0 {
		m.ts = w.cfg.now().Unix()
	}
	if m.viewType == "" {
		m.viewType = "Text"
		if m.file != "" {
			m.viewType = "File"
		}
	}
	w.msgs[m.id] = m
	c.msgs = append(c.msgs, m.id)
	return m
}

// directChat returns the 1:1 chat with contact id, or nil.
func (w *world) directChat(contactID int64) *chat {
	for _, c := range w.chats {
		if !c.group && len(c.members) == 1 && c.members[0] == contactID {
			return c
		}
	}
	return nil
}

// key renders a camelCase key in the configured style.
func (w *world) key(k string) string {
	if !w.cfg.snakeCase {
		return k
	}
	var sb strings.Builder
	for i := 0; i < len(k); i++ {
		c := k[i]
		if c >= 'A' && c <= 'Z' {
			sb.WriteByte('_')
			c += 'a' - 'A'
		}
		sb.WriteByte(c)
	}
	return sb.String()
}

func (w *world) obj(kv ...any) map[string]any {
	o := make(map[string]any, len(kv)/2)
	for i := 0; i+1 < len(kv); i += 2 {
		o[w.key(kv[i].(string))] = kv[i+1]
	}
	return o
}

func nullStr(s string) any {
	if s == "" {
		return nil
	}
	return s
}

func (w *world) contactJSON(id int64) map[string]any {
	if id == selfID {
		return w.obj("id", selfID, "address", w.conf["addr"], "color", "#808080", "authName", w.conf["displayname"],
			"status", "", "displayName", "Me", "name", "Me", "profileImage", nil, "nameAndAddr", "Me",
			"isBlocked", false, "isKeyContact", true, "e2eeAvail", true, "isVerified", true, "verifierId", nil,
			"lastSeen", 0, "wasSeenRecently", false, "isBot", true)
	}
	c := w.contacts[id]
	if c == nil {
		return nil
	}
	return w.obj("id", c.id, "address", c.addr, "color", "#3a7bd5", "authName", c.name, "status", "",
		"displayName", c.name, "name", c.name, "profileImage", nil, "nameAndAddr", c.name+" ("+c.addr+")",
		"isBlocked", c.blocked, "isKeyContact", true, "e2eeAvail", true, "isVerified", true, "verifierId", nil,
		"lastSeen", 0, "wasSeenRecently", true, "isBot", false)
}

func (w *world) chatType(c *chat) any {
	switch {
	case w.cfg.numericTypes && c.group:
		return 120
	case w.cfg.numericTypes:
		return 100
	case c.group:
		return "Group"
	}
	return "Single"
}

func (w *world) name(id int64) string {
	if id == selfID {
		return "Me"
	}
	if c := w.contacts[id]; c != nil {
		return c.name
	}
	return ""
}

func (w *world) msgJSON(m *msg) map[string]any {
	var quote any
	if q := w.msgs[m.quoteID]; q != nil {
		quote = w.obj("kind", "WithMessage", "text", q.text, "messageId", q.id, "chatId", q.chatID,
			"authorDisplayName", w.name(q.fromID), "authorDisplayColor", "#3a7bd5", "overrideSenderName", nil,
			"image", nil, "isForwarded", false, "viewType", q.viewType)
	}
	var reactions any
	if len(m.react) > 0 {
		by := map[string][]string{}
		counts := map[string]int{}
		for who, es := range m.react {
			by[fmt.Sprint(who)] = es
			for _, e := range es {
				counts[e]++
			}
		}
		var list []any
		for e, n := range counts {
			list = append(list, w.obj("emoji", e, "count", n, "isFromSelf", slices.Contains(m.react[selfID], e)))
		}
		reactions = w.obj("reactionsByContact", by, "reactions", list)
	}
	var fileBytes int64
	if m.file != "" {
		fileBytes = m.fileSize
	}
	return w.obj("id", m.id, "chatId", m.chatID, "fromId", m.fromID, "quote", quote, "parentId", nil,
		"text", m.text, "isEdited", m.edited, "hasLocation", false, "hasHtml", m.full != "", "viewType", m.viewType,
		"state", m.state, "error", nil, "timestamp", m.ts, "sortTimestamp", m.ts, "receivedTimestamp", m.ts,
		"hasDeviatingTimestamp", false, "subject", "", "showPadlock", true, "isInfo", m.info,
		"isForwarded", false, "isBot", m.fromID == selfID, "systemMessageType", sysType(m), "infoContactId", nullID(m.infoContact),
		"duration", 0, "dimensionsHeight", 0, "dimensionsWidth", 0, "overrideSenderName", nil,
		"sender", w.contactJSON(m.fromID), "file", nullStr(m.file), "fileMime", nil, "fileBytes", fileBytes,
		"fileName", nullStr(m.fileName), "webxdcHref", nil, "downloadState", "Done", "originalMsgId", nil,
		"savedMessageId", nil, "reactions", reactions, "vcardContact", nil, "isSetupmessage", false,
		"setupCodeBegin", nil)
}

func sysType(m *msg) string {
	if m.sysType == "" {
		return "Unknown"
	}
	return m.sysType
}

func nullID(id int64) any {
	if id == 0 {
		return nil
	}
	return id
}

func (w *world) fresh(c *chat) int {
	n := 0
	for _, id := range c.msgs {
		if m := w.msgs[id]; m != nil && m.state == stateFresh {
			n++
		}
	}
	return n
}

func (w *world) chatJSON(c *chat, full bool) map[string]any {
	o := w.obj("id", c.id, "name", c.name, "isEncrypted", true, "isProtected", false, "profileImage", nil,
		"archived", c.archived, "pinned", false, "chatType", w.chatType(c), "isUnpromoted", false,
		"isSelfTalk", false, "color", "#3a7bd5", "isContactRequest", c.request, "isDeviceChat", false,
		"isMuted", c.muted)
	if full {
		ids := append([]int64{}, c.members...)
		if c.group && !c.selfGone {
			ids = append(ids, selfID)
		}
		for k, v := range w.obj("contactIds", ids, "pastContactIds", []int64{}, "freshMessageCounter", w.fresh(c),
			"selfInGroup", c.group && !c.selfGone, "ephemeralTimer", 0, "canSend", !c.blocked && !c.selfGone, "wasSeenRecently", true,
			"mailingListAddress", nil) {
			o[k] = v
		}
	}
	return o
}

func (w *world) chatListItemJSON(c *chat) map[string]any {
	var last any
	var lastTS int64
	summary := ""
	if n := len(c.msgs); n > 0 {
		m := w.msgs[c.msgs[n-1]]
		last, lastTS, summary = m.id, m.ts, m.text
	}
	var dm any
	if !c.group && len(c.members) == 1 {
		dm = c.members[0]
	}
	return w.obj("kind", "ChatListItem", "id", c.id, "name", c.name, "avatarPath", nil, "color", "#3a7bd5",
		"chatType", w.chatType(c), "lastUpdated", lastTS, "summaryText1", "", "summaryText2", summary,
		"summaryStatus", 0, "summaryPreviewImage", nil, "isEncrypted", true, "isGroup", c.group,
		"freshMessageCounter", w.fresh(c), "isSelfTalk", false, "isDeviceTalk", false, "isSendingLocation", false,
		"isSelfInGroup", c.group && !c.selfGone, "isArchived", c.archived, "isPinned", false, "isMuted", c.muted,
		"isContactRequest", c.request, "dmChatContact", dm, "wasSeenRecently", true, "lastMessageType", "Text",
		"lastMessageId", last)
}
