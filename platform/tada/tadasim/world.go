package tadasim

import (
	"errors"
	"fmt"
	"maps"
	"reflect"
	"slices"
	"sort"
	"strings"
	"time"

	"github.com/parleybot/parley/platform/tada"
)

// User is a member of the simulated team: the bot or a contact.
type User struct {
	JID   string
	Name  string
	Token string
	Bot   bool
}

// Group is a group chat and its members' status ("owner", "admin",
// "member").
type Group struct {
	JID     string
	Name    string
	Members map[string]string
}

// storedMessage is the server's copy of a message, before it is shown to
// a viewer (a direct chat's "chat" is the other party).
type storedMessage struct {
	msg tada.Message
	seq int // creation order across the team
}

// world is the team: users, groups, messages. The Server's mutex guards
// it.
type world struct {
	team    string
	botJID  string
	users   map[string]*User // by JID
	byToken map[string]*User
	order   []string // user JIDs in the order they joined
	groups  map[string]*Group
	msgs    map[string]*storedMessage
	// conv holds each conversation's message ids in creation order; a
	// direct conversation's key is both JIDs, sorted, joined by "|".
	conv map[string][]string
	// byAuthor holds each user's message ids in creation order.
	byAuthor map[string][]string
	// lastRead is each user's last read message per conversation key
	// (client.chat.lastread); what comes after it, from others, is unread.
	lastRead map[string]map[string]string
	gentime  int64
	now      func() time.Time
	seq      int
	created  int
}

// ErrNotFound is returned for users, chats and messages that do not exist.
var ErrNotFound = errors.New("tadasim: not found")

func newWorld(team, botName, botToken string, now func() time.Time) *world {
	w := &world{team: team, users: map[string]*User{}, byToken: map[string]*User{}, groups: map[string]*Group{},
		msgs: map[string]*storedMessage{}, conv: map[string][]string{}, byAuthor: map[string][]string{}, lastRead: map[string]map[string]string{}, now: now}
	b := w.addUser(botName, botToken, true)
	w.botJID = b.JID
	return w
}

func (w *world) uuid() string {
	w.seq++
	return fmt.Sprintf("%08x-0000-4000-8000-%012x", w.seq, w.seq*7919)
}

func (w *world) addUser(name, token string, isBot bool) *User {
	u := &User{JID: tada.PrefixDirect + w.uuid(), Name: name, Token: token, Bot: isBot}
	if u.Token == "" {
		u.Token = "token-" + strings.TrimPrefix(u.JID, tada.PrefixDirect)
	}
	w.users[u.JID] = u
	w.byToken[u.Token] = u
	w.order = append(w.order, u.JID)
	return u
}

func (w *world) contact(u *User) tada.Contact {
	c := tada.Contact{JID: u.JID, DisplayName: u.Name, Status: "member", CanSendMessage: true, Icons: []byte(`{}`)}
	if u.Bot {
		c.Botname = u.Name
	}
	return c
}

// nextGentime returns a new version: nanoseconds of the clock, always
// growing.
func (w *world) nextGentime() int64 {
	g := w.now().UnixNano()
	if g <= w.gentime {
		g = w.gentime + 1
	}
	w.gentime = g
	return g
}

// convKey is the conversation of a message sent by from to to.
func convKey(from, to string) string {
	if tada.ChatTypeOf(to) == tada.ChatDirect {
		a, b := from, to
		if b < a {
			a, b = b, a
		}
		return a + "|" + b
	}
	return to
}

// chatFor is the chat id of a conversation as viewer sees it: the group,
// or the other party of a direct chat.
func chatFor(m *tada.Message, viewer string) string {
	if tada.ChatTypeOf(m.To) != tada.ChatDirect {
		return m.To
	}
	if viewer == m.From {
		return m.To
	}
	return m.From
}

// view is the message as viewer sees it.
func (w *world) view(sm *storedMessage, viewer string) tada.Message {
	m := sm.msg
	m.Chat = chatFor(&m, viewer)
	m.ChatType = tada.ChatTypeOf(m.Chat)
	if m.ReplyTo != nil {
		r := *m.ReplyTo
		r.Chat = m.Chat
		m.ReplyTo = &r
	}
	return m
}

// audience lists the users who see messages sent by from to to.
func (w *world) audience(from, to string) []string {
	if g, ok := w.groups[to]; ok {
		out := make([]string, 0, len(g.Members))
		for jid := range g.Members {
			out = append(out, jid)
		}
		sort.Strings(out)
		return out
	}
	if from == to {
		return []string{from}
	}
	return []string{from, to}
}

// canWrite checks that from may write to to.
func (w *world) canWrite(from, to string) error {
	if _, ok := w.users[from]; !ok {
		return fmt.Errorf("%w: user %s", ErrNotFound, from)
	}
	switch tada.ChatTypeOf(to) {
	case tada.ChatDirect:
		if _, ok := w.users[to]; !ok {
			return fmt.Errorf("%w: contact %s", ErrNotFound, to)
		}
	default:
		g, ok := w.groups[to]
		if !ok {
			return fmt.Errorf("%w: chat %s", ErrNotFound, to)
		}
		if _, ok := g.Members[from]; !ok {
			return fmt.Errorf("%w: %s is not a member of %s", errAccess, from, to)
		}
	}
	return nil
}

var errAccess = errors.New("access denied")

// upsert creates or changes the message p.MessageID from the user from.
// It returns the stored message and whether it is new.
func (w *world) upsert(from string, p tada.MessageParams) (*storedMessage, bool, error) {
	if p.To == "" {
		return nil, false, fmt.Errorf("%w: to is required", errInvalid)
	}
	if p.Content.Type == "" {
		return nil, false, fmt.Errorf("%w: content is required", errInvalid)
	}
	if err := w.canWrite(from, p.To); err != nil {
		return nil, false, err
	}
	if p.MessageID == "" {
		p.MessageID = w.uuid()
	}
	now := w.now()
	if sm, ok := w.msgs[p.MessageID]; ok {
		if sm.msg.From != from {
			return nil, false, fmt.Errorf("%w: message %s belongs to someone else", errAccess, p.MessageID)
		}
		if reflect.DeepEqual(sm.msg.Content, p.Content) && sm.msg.Important == p.Important {
			// The same content again: a resend. Nothing changes.
			return sm, false, nil
		}
		sm.msg.Content = p.Content
		sm.msg.Important = p.Important
		sm.msg.Edited = tada.FormatTime(now)
		sm.msg.Gentime = w.nextGentime()
		return sm, false, nil
	}
	m := tada.Message{Content: p.Content, From: from, To: p.To, MessageID: p.MessageID, Created: tada.FormatTime(now),
		Gentime: w.nextGentime(), Important: p.Important, Nopreview: p.Nopreview, IsLast: true,
		EditableUntil: tada.FormatTime(now.Add(24 * time.Hour))}
	if p.ReplyTo != "" {
		r, ok := w.msgs[p.ReplyTo]
		if !ok {
			return nil, false, fmt.Errorf("%w: reply_to %s", ErrNotFound, p.ReplyTo)
		}
		rm := r.msg
		rm.ReplyTo = nil
		m.ReplyTo = &rm
	}
	for _, up := range p.Uploads {
		m.Uploads = append(m.Uploads, tada.Upload{UID: up})
	}
	key := convKey(from, p.To)
	m.Num = int64(len(w.conv[key]) + 1)
	m.IsFirst = len(w.conv[key]) == 0
	if ids := w.conv[key]; len(ids) > 0 {
		w.msgs[ids[len(ids)-1]].msg.IsLast = false
		m.Prev = ids[len(ids)-1]
	}
	w.created++
	sm := &storedMessage{msg: m, seq: w.created}
	w.msgs[m.MessageID] = sm
	w.conv[key] = append(w.conv[key], m.MessageID)
	w.byAuthor[from] = append(w.byAuthor[from], m.MessageID)
	return sm, true, nil
}

var errInvalid = errors.New("invalid data")

// remove marks a message deleted.
func (w *world) remove(by, id string) (*storedMessage, error) {
	sm, ok := w.msgs[id]
	if !ok {
		return nil, fmt.Errorf("%w: message %s", ErrNotFound, id)
	}
	if sm.msg.From != by {
		if g, ok := w.groups[sm.msg.To]; !ok || (g.Members[by] != "admin" && g.Members[by] != "owner") {
			return nil, fmt.Errorf("%w: %s may not delete %s", errAccess, by, id)
		}
	}
	sm.msg.Content = tada.MessageContent{Type: tada.ContentDeleted}
	sm.msg.Gentime = w.nextGentime()
	return sm, nil
}

// react toggles by's reaction on a message.
func (w *world) react(by, id, emoji string) (*storedMessage, error) {
	sm, ok := w.msgs[id]
	if !ok {
		return nil, fmt.Errorf("%w: message %s", ErrNotFound, id)
	}
	rs := sm.msg.Reactions
	i := slices.IndexFunc(rs, func(r tada.Reaction) bool { return r.Name == emoji })
	if i < 0 {
		rs = append(rs, tada.Reaction{Name: emoji})
		i = len(rs) - 1
	}
	r := &rs[i]
	if j := slices.IndexFunc(r.Details, func(d tada.ReactionDetail) bool { return d.Sender == by }); j >= 0 {
		r.Details = slices.Delete(r.Details, j, j+1)
	} else {
		r.Details = append(r.Details, tada.ReactionDetail{Created: tada.FormatTime(w.now()), Sender: by, Name: emoji})
	}
	r.Counter = len(r.Details)
	if r.Counter == 0 {
		rs = slices.Delete(rs, i, i+1)
	}
	sm.msg.Reactions = rs
	sm.msg.Gentime = w.nextGentime()
	return sm, nil
}

// chatsOf lists the chats viewer is in, with their latest version.
func (w *world) chatsOf(viewer string) []tada.Chat {
	var out []tada.Chat
	for _, jid := range w.order {
		if jid == viewer {
			continue
		}
		u := w.users[jid]
		c := tada.Chat{JID: jid, ChatType: tada.ChatDirect, DisplayName: u.Name, CanSendMessage: true}
		if ids := w.conv[convKey(viewer, jid)]; len(ids) > 0 {
			c.Gentime = w.lastGentime(ids)
		}
		c.LastReadMessageID, c.NumUnread = w.lastRead[viewer][convKey(viewer, jid)], len(w.unread(viewer, convKey(viewer, jid)))
		out = append(out, c)
	}
	gs := make([]string, 0, len(w.groups))
	for jid, g := range w.groups {
		if _, ok := g.Members[viewer]; ok {
			gs = append(gs, jid)
		}
	}
	sort.Strings(gs)
	for _, jid := range gs {
		c := w.groupChat(w.groups[jid])
		c.LastReadMessageID, c.NumUnread = w.lastRead[viewer][jid], len(w.unread(viewer, jid))
		out = append(out, c)
	}
	return out
}

// unread lists the ids of a conversation after viewer's last read
// message that others sent and that are not deleted, oldest first.
func (w *world) unread(viewer, key string) []string {
	ids := w.conv[key]
	if last := w.lastRead[viewer][key]; last != "" {
		if i := slices.Index(ids, last); i >= 0 {
			ids = ids[i+1:]
		}
	}
	var out []string
	for _, id := range ids {
		if m := w.msgs[id].msg; m.From != viewer && !m.Deleted() {
			out = append(out, id)
		}
	}
	return out
}

// markRead records viewer's last read message of a chat (its last one
// when id is empty); one older than the current mark changes nothing.
func (w *world) markRead(viewer, chat, id string) error {
	if id == "" {
		ids := w.conv[convKey(viewer, chat)]
		if len(ids) == 0 {
			return nil
		}
		id = ids[len(ids)-1]
	}
	sm, ok := w.msgs[id]
	if !ok {
		return fmt.Errorf("%w: message %s", ErrNotFound, id)
	}
	key := convKey(viewer, chat)
	if convKey(sm.msg.From, sm.msg.To) != key {
		return fmt.Errorf("%w: message %s is not in chat %s", errInvalid, id, chat)
	}
	ids := w.conv[key]
	if old := w.lastRead[viewer][key]; old != "" && slices.Index(ids, old) >= slices.Index(ids, id) {
		return nil
	}
	if w.lastRead[viewer] == nil {
		w.lastRead[viewer] = map[string]string{}
	}
	w.lastRead[viewer][key] = id
	return nil
}

func (w *world) lastGentime(ids []string) int64 {
	var g int64
	for _, id := range ids {
		g = max(g, w.msgs[id].msg.Gentime)
	}
	return g
}

func (w *world) groupChat(g *Group) tada.Chat {
	c := tada.Chat{JID: g.JID, ChatType: tada.ChatGroup, DisplayName: g.Name, NumMembers: len(g.Members),
		CanSendMessage: true, Status: "member", Gentime: w.lastGentime(w.conv[g.JID])}
	for _, jid := range slices.Sorted(maps.Keys(g.Members)) {
		c.Members = append(c.Members, tada.GroupMember{JID: jid, Status: g.Members[jid]})
	}
	return c
}

// history lists the messages of viewer's chat, oldest version first.
func (w *world) history(viewer, chat string, gentimeFrom int64, newFrom string, limit int, includeDeleted, unread bool) ([]tada.Message, error) {
	var key string
	switch tada.ChatTypeOf(chat) {
	case tada.ChatDirect:
		if _, ok := w.users[chat]; !ok {
			return nil, fmt.Errorf("%w: chat %s", ErrNotFound, chat)
		}
		key = convKey(viewer, chat)
	default:
		g, ok := w.groups[chat]
		if !ok {
			return nil, fmt.Errorf("%w: chat %s", ErrNotFound, chat)
		}
		if _, ok := g.Members[viewer]; !ok {
			return nil, fmt.Errorf("%w: not a member of %s", errAccess, chat)
		}
		key = chat
	}
	ids := w.conv[key]
	if unread {
		ids = w.unread(viewer, key)
	}
	if newFrom != "" {
		i := slices.Index(ids, newFrom)
		if i < 0 {
			return nil, fmt.Errorf("%w: message %s", ErrNotFound, newFrom)
		}
		ids = ids[i+1:]
	}
	var out []tada.Message
	for _, id := range ids {
		sm := w.msgs[id]
		if sm.msg.Gentime <= gentimeFrom || (!includeDeleted && sm.msg.Deleted()) {
			continue
		}
		out = append(out, w.view(sm, viewer))
	}
	if gentimeFrom > 0 {
		// Changes since a version: in version order.
		sort.SliceStable(out, func(i, j int) bool { return out[i].Gentime < out[j].Gentime })
	}
	if limit > 0 && len(out) > limit {
		if gentimeFrom > 0 || newFrom != "" || unread {
			out = out[:limit]
		} else {
			out = out[len(out)-limit:]
		}
	}
	return out, nil
}
