package olvid

import (
	"context"
	"encoding/json"
	"errors"
	"fmt"
	"maps"
	"slices"
	"strconv"
	"time"

	"go.uber.org/zap"

	"github.com/parleybot/parley/bot"
	"github.com/parleybot/parley/platform/kit"
	pb "github.com/parleybot/parley/platform/olvid/olvidpb"
)

// maxCached bounds each lookup cache; past it the cache starts over.
const maxCached = 10000

// chatInfo is what the platform knows of a discussion.
type chatInfo struct {
	chat    bot.Chat
	contact uint64
	group   uint64
	roles   map[uint64]string // group members' roles by contact id
}

func inbound() *MessageFilter {
	t := pb.MessageId_TYPE_INBOUND
	return &MessageFilter{Type: &t}
}

// catchUp passes on what arrived while no stream was open, or on streams
// that failed before their messages were passed on (the daemon counts
// those read, so its unread list no longer names them): each discussion
// with a cursor from its cursor on (the kit's catch-up), and each one
// without from its start position (see startPos), then, as a safety net,
// whatever the daemon still holds as unread. The streams are open
// already, so a message is either found here or queued live, where it is
// skipped if found here.
func (p *Platform) catchUp(ctx context.Context) error {
	if !p.o.catchUp {
		return nil
	}
	p.catchUps.Add(1)
	if err := p.snapshot(ctx); err != nil {
		return err
	}
	ds, err := p.client.ListDiscussions(ctx, nil)
	if err != nil {
		return err
	}
	listed := make(map[uint64]bool, len(ds))
	for _, d := range ds {
		listed[d.GetId()] = true
		p.remember(d)
	}
	var extra []string
	p.mu.Lock()
	changed := false
	for id := range p.from {
		if !listed[id] || p.d.Known(chatID(id)) {
			delete(p.from, id)
			changed = true
		}
	}
	for _, d := range ds {
		chat := chatID(d.GetId())
		if p.d.Known(chat) {
			continue
		}
		p.d.Discovered(chat, p.startPosLocked(d.GetId()))
		extra = append(extra, chat)
	}
	p.mu.Unlock()
	if changed {
		p.saveStart(ctx)
	}
	slices.Sort(extra)
	if err := p.d.CatchUp(ctx, extra...); err != nil {
		return err
	}
	// Unread messages are all after the start position of their
	// discussion, so the catch-up above found them; a discussion the
	// listing above missed (it appeared since) is caught up here, from the
	// first unread message or the start position, whichever is older.
	msgs, err := p.client.ListMessages(ctx, inbound(), true)
	if err != nil {
		return err
	}
	var again []string
	for _, m := range msgs {
		p.unread.Add(1)
		chat := chatID(m.GetDiscussionId())
		if !p.d.Known(chat) {
			p.mu.Lock()
			pos := p.startPosLocked(m.GetDiscussionId())
			p.mu.Unlock()
			p.d.Discovered(chat, min(pos, int64(m.GetId().GetId())))
		}
		if !slices.Contains(again, chat) {
			again = append(again, chat)
		}
	}
	slices.Sort(again)
	for _, chat := range again {
		if err := p.d.CatchUpChat(ctx, chat); err != nil {
			return err
		}
	}
	return p.pendingInvitations(ctx)
}

// pendingInvitations passes on the invitations waiting for the bot that
// this process has not passed on yet: those that came before it started
// (the daemon notifies an invitation once, when it arrives) or on a
// stream that dropped. Each is passed on once per process; one the bot
// left pending comes again after a restart, as the daemon still offers
// it.
func (p *Platform) pendingInvitations(ctx context.Context) error {
	if !p.o.streams[NotifyInvitationReceived] {
		return nil
	}
	invs, err := p.client.ListInvitations(ctx, nil)
	if err != nil {
		return err
	}
	slices.SortFunc(invs, func(a, b *Invitation) int { return cmpU(a.GetId(), b.GetId()) })
	for _, inv := range invs {
		if waits, _ := WaitsForBot(inv.GetStatus()); !waits || !p.firstInvitation(inv.GetId()) {
			continue
		}
		e := decodeInvitationReceived(&pb.InvitationReceivedNotification{Invitation: inv})
		if _, ok := e.(*InvitationReceived); !ok {
			continue
		}
		p.pending.Add(1)
		if err := p.emit(e); err != nil {
			return err
		}
	}
	return nil
}

// firstInvitation records that an invitation is passed on and reports
// whether it was not before, in this process.
func (p *Platform) firstInvitation(id uint64) bool {
	p.mu.Lock()
	defer p.mu.Unlock()
	if p.invitations[id] {
		return false
	}
	if len(p.invitations) >= maxCached {
		clear(p.invitations)
	}
	p.invitations[id] = true
	return true
}

// startPosLocked is where a discussion without a cursor starts: its first
// message that was unread when the bot started, or else the first message
// after base. Message ids grow across discussions, so a message that
// arrived since the start is past base whatever its discussion, new or
// old; one from before is the bot's only if it was unread then.
func (p *Platform) startPosLocked(disc uint64) int64 {
	pos := int64(p.startBaseLocked()) + 1
	if f, ok := p.from[disc]; ok && int64(f) < pos {
		pos = int64(f)
	}
	return pos
}

// startBaseLocked returns the newest message before the streams of this
// process first opened: the newest one the snapshot listed, or the one
// before the first message a stream received, if older. The listing
// comes after the streams opened (any listing counts a message read, so
// listing before them would hide from the unread list what arrives
// between the two), so it may name messages notified meanwhile, perhaps
// on streams that dropped before passing them on; the daemon numbers and
// notifies messages in order, so those all come after the first one
// received.
func (p *Platform) startBaseLocked() uint64 {
	b := p.base
	if p.snapFirst != nil {
		if f := p.snapFirst.Load(); f > 0 && f-1 < b {
			b = f - 1
		}
	}
	return b
}

// clockMargin is how far apart the daemon's clock and the bot's may be.
const clockMargin = time.Minute

// snapshot fixes the start positions at the first catch-up of the
// identity (they are kept in the store): the first unread message of each
// discussion without a cursor, then the newest inbound message. The
// unread list is read first, as any listing counts a message read.
func (p *Platform) snapshot(ctx context.Context) error {
	p.mu.Lock()
	have := p.haveBase
	p.mu.Unlock()
	if have {
		return nil
	}
	unread, err := p.client.ListMessages(ctx, inbound(), true)
	if err != nil {
		// The daemon may have counted them read all the same.
		p.mu.Lock()
		p.cutListing = true
		p.mu.Unlock()
		return err
	}
	var newest uint64
	isUnread := make(map[uint64]bool, len(unread))
	p.mu.Lock()
	for _, m := range unread {
		p.unread.Add(1)
		id, disc := m.GetId().GetId(), m.GetDiscussionId()
		isUnread[id] = true
		newest = max(newest, id)
		if p.d.Known(chatID(disc)) {
			continue // its cursor covers it
		}
		if f, ok := p.from[disc]; !ok || id < f {
			p.from[disc] = id
		}
	}
	p.mu.Unlock()
	all, err := p.client.ListMessages(ctx, inbound(), false)
	if err != nil {
		return err // the unread ones are kept in from, read or not
	}
	for _, m := range all {
		newest = max(newest, m.GetId().GetId())
	}
	lastOut, err := p.lastSpoke(ctx, all, isUnread)
	if err != nil {
		return err
	}
	p.mu.Lock()
	p.lastMomentsLocked(all, isUnread, lastOut)
	if p.cutListing {
		// An unread listing of this process was cut: what it named is
		// read now and unknown to the bot. Messages stamped since the
		// process started (less a margin for clocks) start their
		// discussion; older ones it may have named are lost, and a
		// message read just before the start comes again (unless the
		// bot's reply quotes it, see fetchAfter).
		since := uint64(p.started.Add(-clockMargin).UnixMilli())
		for _, m := range all {
			id, disc := m.GetId().GetId(), m.GetDiscussionId()
			if m.GetTimestamp() < since || p.d.Known(chatID(disc)) {
				continue
			}
			if f, ok := p.from[disc]; !ok || id < f {
				p.from[disc] = id
			}
		}
	}
	p.base, p.haveBase, p.snapFirst = newest, true, p.firstLive
	p.mu.Unlock()
	p.saveStart(ctx)
	return nil
}

// lastMoments is how long before the newest read message a read message
// may have come and still be taken for one notified to a process that
// died before handling it (see lastMomentsLocked).
const lastMoments = time.Minute

// lastSpoke returns, per discussion, when the bot last sent a message
// there; it lists the bot's messages only when a message is read.
func (p *Platform) lastSpoke(ctx context.Context, all []*Message, isUnread map[uint64]bool) (map[uint64]uint64, error) {
	if !slices.ContainsFunc(all, func(m *Message) bool { return !isUnread[m.GetId().GetId()] }) {
		return nil, nil
	}
	t := pb.MessageId_TYPE_OUTBOUND
	out, err := p.client.ListMessages(ctx, &MessageFilter{Type: &t}, false)
	if err != nil {
		return nil, err
	}
	last := map[uint64]uint64{}
	for _, m := range out {
		last[m.GetDiscussionId()] = max(last[m.GetDiscussionId()], m.GetTimestamp())
	}
	return last, nil
}

// lastMomentsLocked adds to the start positions the read messages an
// earlier process was most likely notified of and never handled. The
// daemon counts a message read once it notified it to a client, even one
// that died before handling it, so with no stored positions the unread
// list alone would lose them. Taken are the read messages of discussions
// without a cursor that came after the bot's last message there, and at
// most lastMoments before the last process was notified for the last
// time: the newest read message older than the first unread one and than
// the first one this process's streams received (a message read since
// was read by this process, not by the one that died). The catch-up
// skips those the bot replied to (see fetchAfter); a handler that answers
// nothing may see the others a second time.
func (p *Platform) lastMomentsLocked(all []*Message, isUnread map[uint64]bool, lastOut map[uint64]uint64) {
	bound := p.firstLive.Load()
	for id := range isUnread {
		if bound == 0 || id < bound {
			bound = id
		}
	}
	var newestRead uint64
	for _, m := range all {
		if id := m.GetId().GetId(); !isUnread[id] && (bound == 0 || id < bound) {
			newestRead = max(newestRead, m.GetTimestamp())
		}
	}
	since := newestRead - min(newestRead, uint64(lastMoments.Milliseconds()))
	for _, m := range all {
		id, disc := m.GetId().GetId(), m.GetDiscussionId()
		if isUnread[id] || m.GetTimestamp() < max(since, lastOut[disc]) || p.d.Known(chatID(disc)) {
			continue
		}
		p.recovered.Add(1)
		if f, ok := p.from[disc]; !ok || id < f {
			p.from[disc] = id
		}
	}
}

// startState is what the store keeps of the start positions, so that a
// restarted bot still catches up discussions without a cursor whose
// messages it was notified of but never handled (the daemon counts those
// read): the newest inbound message when the bot first started and the
// first unread message then of each discussion still without a cursor.
type startState struct {
	Base *uint64           `json:"base,omitempty"`
	From map[uint64]uint64 `json:"from,omitempty"`
	// Fresh is written by earlier versions: discussions to catch up from
	// their start.
	Fresh []uint64 `json:"fresh,omitempty"`
}

func (p *Platform) startStateLocked() startState {
	st := startState{From: maps.Clone(p.from)}
	if p.haveBase {
		b := p.startBaseLocked()
		st.Base = &b
	}
	return st
}

func (p *Platform) startKey() string {
	return "olvid:discussions:" + strconv.FormatUint(p.identity, 10)
}

func (p *Platform) loadStart(ctx context.Context) error {
	if p.o.store == nil {
		return nil
	}
	p.mu.Lock()
	key := p.startKey()
	p.mu.Unlock()
	data, ok, err := p.o.store.Get(ctx, key)
	if err != nil || !ok {
		return err
	}
	var st startState
	if err := json.Unmarshal(data, &st); err != nil {
		p.log.Warn("olvid: stored start positions unreadable; starting without", zap.Error(err))
		return nil
	}
	p.mu.Lock()
	defer p.mu.Unlock()
	p.storedStart = true
	if st.Base != nil {
		p.base, p.haveBase = *st.Base, true
	}
	for id, f := range st.From {
		p.from[id] = f
	}
	for _, id := range st.Fresh {
		p.from[id] = 1
	}
	return nil
}

// saveStart writes the start positions when they changed.
func (p *Platform) saveStart(ctx context.Context) {
	if err := p.writeStart(ctx); err != nil && ctx.Err() == nil {
		p.log.Warn("olvid: saving the start positions", zap.Error(err))
	}
}

func (p *Platform) writeStart(ctx context.Context) error {
	p.startMu.Lock() // an older state never lands after a newer one
	defer p.startMu.Unlock()
	p.mu.Lock()
	if p.o.store == nil || p.identity == 0 {
		p.mu.Unlock()
		return nil
	}
	key := p.startKey()
	data, err := json.Marshal(p.startStateLocked())
	if err != nil || string(data) == p.savedStart {
		p.mu.Unlock()
		return err
	}
	p.mu.Unlock()
	if err := p.o.store.Set(ctx, key, data, 0); err != nil {
		return fmt.Errorf("olvid: saving the start positions: %w", err)
	}
	p.mu.Lock()
	p.savedStart = string(data)
	p.mu.Unlock()
	return nil
}

// afterFlush runs after each write of the cursors: the undelivered
// messages and the start positions, when they changed (the first message
// a stream received may lower the start base after the snapshot).
func (p *Platform) afterFlush(ctx context.Context) error {
	return errors.Join(p.saveUndelivered(ctx), p.writeStart(ctx))
}

func cmpU(a, b uint64) int {
	switch {
	case a < b:
		return -1
	case a > b:
		return 1
	}
	return 0
}

// fetchAfter is the kit's Fetcher: the inbound messages of a discussion
// after a position, oldest first. The daemon lists a discussion whole, so
// each page costs one listing.
func (p *Platform) fetchAfter(ctx context.Context, chat string, after int64, limit int) ([]kit.Item, error) {
	disc, err := ParseDiscussionID(chat)
	if err != nil {
		return nil, fmt.Errorf("%w: %v", kit.ErrChatGone, err)
	}
	f := inbound()
	f.DiscussionId = &disc
	msgs, err := p.client.ListMessages(ctx, f, false)
	if errors.Is(err, ErrNotFound) {
		return nil, fmt.Errorf("%w: %v", kit.ErrChatGone, err)
	}
	if err != nil {
		return nil, err
	}
	msgs = slices.DeleteFunc(msgs, func(m *Message) bool { return int64(m.GetId().GetId()) <= after })
	slices.SortFunc(msgs, func(a, b *Message) int { return cmpU(a.GetId().GetId(), b.GetId().GetId()) })
	if len(msgs) > limit {
		msgs = msgs[:limit]
	}
	var replied map[uint64]bool
	if len(msgs) > 0 {
		if replied, err = p.repliedTo(ctx, disc); err != nil {
			return nil, err
		}
	}
	items := make([]kit.Item, 0, len(msgs))
	for _, m := range msgs {
		id := int64(m.GetId().GetId())
		if replied[m.GetId().GetId()] {
			if !p.isUndelivered(chat, id) {
				// Handled by an earlier process that was killed before its
				// position was saved: the bot's reply quotes it, so handling
				// it again would answer twice.
				p.replied.Add(1)
				p.log.Debug("olvid: catch-up skips a message the bot replied to already", zap.String("chat", chat), zap.Int64("message", id))
				items = append(items, kit.Item{Chat: chat, ID: id})
				continue
			}
			// Its handler was told it failed (an unknown outcome, perhaps
			// of this very reply), so it is handled again; its reply is
			// looked for before it is sent again.
			p.noteReplied(disc, IDOf(m))
		}
		e, ok := decodeMessageReceived(&pb.MessageReceivedNotification{Message: m}).(*MessageReceived)
		if !ok {
			continue
		}
		if err := p.resolveMessage(ctx, e); err != nil {
			return nil, err
		}
		items = append(items, kit.Item{Chat: chat, ID: id, Event: e})
	}
	return items, nil
}

// repliedTo returns the inbound messages of a discussion that a message
// of the bot's replies to (quotes).
func (p *Platform) repliedTo(ctx context.Context, disc uint64) (map[uint64]bool, error) {
	t := pb.MessageId_TYPE_OUTBOUND
	out, err := p.client.ListMessages(ctx, &MessageFilter{Type: &t, DiscussionId: &disc}, false)
	if errors.Is(err, ErrNotFound) {
		return nil, fmt.Errorf("%w: %v", kit.ErrChatGone, err)
	}
	if err != nil {
		return nil, err
	}
	replied := map[uint64]bool{}
	for _, m := range out {
		if r := m.GetRepliedMessageId(); r != nil && r.GetType() == pb.MessageId_TYPE_INBOUND {
			replied[r.GetId()] = true
		}
	}
	return replied, nil
}

// noteUndelivered remembers the messages whose handler failed to deliver
// a command, until they are handled again. They are kept in the store
// too, so that a restarted bot hands them to their handler again, as it
// was told, rather than skipping them as replied to.
func (p *Platform) noteUndelivered(chat string, id int64, undelivered bool) {
	k := chat + ":" + strconv.FormatInt(id, 10)
	p.mu.Lock()
	defer p.mu.Unlock()
	if !undelivered {
		if p.undelivered[k] {
			delete(p.undelivered, k)
			p.undeliveredDirty = true
		}
		return
	}
	if len(p.undelivered) >= maxCached {
		clear(p.undelivered)
	}
	p.undelivered[k] = true
	p.undeliveredDirty = true
}

func (p *Platform) undeliveredKey() string {
	return "olvid:undelivered:" + strconv.FormatUint(p.identity, 10)
}

// saveUndelivered writes the undelivered messages when they changed; it
// runs after each write of the cursors.
func (p *Platform) saveUndelivered(ctx context.Context) error {
	p.mu.Lock()
	if p.o.store == nil || p.identity == 0 || !p.undeliveredDirty {
		p.mu.Unlock()
		return nil
	}
	keys := slices.Sorted(maps.Keys(p.undelivered))
	key := p.undeliveredKey()
	p.undeliveredDirty = false
	p.mu.Unlock()
	data, err := json.Marshal(keys)
	if err == nil {
		err = p.o.store.Set(ctx, key, data, 0)
	}
	if err != nil {
		p.mu.Lock()
		p.undeliveredDirty = true
		p.mu.Unlock()
		return fmt.Errorf("olvid: saving the undelivered messages: %w", err)
	}
	return nil
}

func (p *Platform) loadUndelivered(ctx context.Context) error {
	if p.o.store == nil {
		return nil
	}
	p.mu.Lock()
	key := p.undeliveredKey()
	p.mu.Unlock()
	data, ok, err := p.o.store.Get(ctx, key)
	if err != nil || !ok {
		return err
	}
	var keys []string
	if err := json.Unmarshal(data, &keys); err != nil {
		p.log.Warn("olvid: stored undelivered messages unreadable; starting without", zap.Error(err))
		return nil
	}
	p.mu.Lock()
	defer p.mu.Unlock()
	for _, k := range keys {
		p.undelivered[k] = true
	}
	return nil
}

func (p *Platform) isUndelivered(chat string, id int64) bool {
	k := chat + ":" + strconv.FormatInt(id, 10)
	p.mu.Lock()
	defer p.mu.Unlock()
	return p.undelivered[k]
}

// remember caches what a discussion says of itself.
func (p *Platform) remember(d *Discussion) *chatInfo {
	ci := &chatInfo{chat: bot.Chat{ID: chatID(d.GetId()), Kind: bot.Direct, Title: d.GetTitle()}, contact: d.GetContactId(), group: d.GetGroupId()}
	if ci.group != 0 {
		ci.chat.Kind = bot.Group
	}
	p.mu.Lock()
	defer p.mu.Unlock()
	if old := p.chats[d.GetId()]; old != nil && old.group == ci.group {
		ci.roles = old.roles
	}
	if len(p.chats) >= maxCached {
		clear(p.chats)
	}
	p.chats[d.GetId()] = ci
	if ci.group != 0 {
		p.groups[ci.group] = d.GetId()
	}
	return ci
}

// chatOf returns what the platform knows of a discussion, asking the
// daemon (and, for groups, for the members' roles) when it knows nothing.
func (p *Platform) chatOf(ctx context.Context, disc uint64) (*chatInfo, error) {
	p.mu.Lock()
	ci := p.chats[disc]
	p.mu.Unlock()
	if ci != nil && (ci.group == 0 || ci.roles != nil) {
		return ci, nil
	}
	if ci == nil {
		d, err := p.client.GetDiscussion(ctx, disc)
		if err != nil {
			return nil, err
		}
		p.resolved.Add(1)
		ci = p.remember(d)
	}
	if ci.group != 0 {
		g, err := p.client.GetGroup(ctx, ci.group)
		if err != nil {
			return nil, err
		}
		ci = p.learnGroup(g)
	}
	return ci, nil
}

// learnGroup records a group's members' roles from the group as the
// daemon sent it.
func (p *Platform) learnGroup(g *Group) *chatInfo {
	roles := make(map[uint64]string, len(g.GetMembers()))
	for _, m := range g.GetMembers() {
		roles[m.GetContactId()] = RoleOf(m.GetPermissions())
	}
	p.mu.Lock()
	defer p.mu.Unlock()
	disc, ok := p.groups[g.GetId()]
	if !ok {
		return &chatInfo{chat: bot.Chat{Kind: bot.Group, Title: g.GetName()}, group: g.GetId(), roles: roles}
	}
	old := p.chats[disc]
	ci := &chatInfo{chat: bot.Chat{ID: chatID(disc), Kind: bot.Group, Title: g.GetName()}, group: g.GetId(), roles: roles}
	if old != nil && old.chat.Title != "" {
		ci.chat.Title = old.chat.Title
	}
	p.chats[disc] = ci
	return ci
}

// senderOf names a message's sender: the discussion's title in a
// one-to-one discussion, the contact's display name in a group.
func (p *Platform) senderOf(ctx context.Context, ci *chatInfo, contact uint64) bot.Sender {
	s := bot.Sender{ID: strconv.FormatUint(contact, 10)}
	if ci.group == 0 {
		s.Name = ci.chat.Title
		return s
	}
	s.Role = ci.roles[contact]
	p.mu.Lock()
	name, ok := p.names[contact]
	p.mu.Unlock()
	if !ok {
		c, err := p.client.GetContact(ctx, contact)
		if err != nil {
			return s // the name is a nicety; the message goes on
		}
		name = c.GetDisplayName()
		p.mu.Lock()
		if len(p.names) >= maxCached {
			clear(p.names)
		}
		p.names[contact] = name
		p.mu.Unlock()
	}
	s.Name = name
	return s
}

// resolveMessage fills in a message event's discussion and sender.
func (p *Platform) resolveMessage(ctx context.Context, e *MessageReceived) error {
	m := e.GetMessage()
	ci, err := p.chatOf(ctx, m.GetDiscussionId())
	if err != nil {
		if !errors.Is(err, ErrNotFound) {
			return err
		}
		// The discussion is gone; pass the message on with what it says.
		p.degraded.Add(1)
		e.setChat(bareChat(m), senderOf(m))
		return nil
	}
	e.setChat(ci.chat, p.senderOf(ctx, ci, m.GetSenderId()))
	return nil
}

// observe keeps the caches in step with the notifications and fills in
// the discussions of message and group events. Lookups that fail leave
// the event as decoded.
func (p *Platform) observe(ctx context.Context, e bot.Event) {
	msgChat := func(m *Message) (bot.Chat, bool) {
		ci, err := p.chatOf(ctx, m.GetDiscussionId())
		if err != nil {
			p.degraded.Add(1)
			return bareChat(m), false
		}
		return ci.chat, true
	}
	switch e := e.(type) {
	case *MessageSent:
		e.Chat, _ = msgChat(e.GetMessage())
	case *MessageDeleted:
		e.Chat, _ = msgChat(e.GetMessage())
	case *MessageBodyUpdated:
		m := e.GetMessage()
		if ci, err := p.chatOf(ctx, m.GetDiscussionId()); err == nil {
			e.setChat(ci.chat, p.senderOf(ctx, ci, m.GetSenderId()))
		} else {
			p.degraded.Add(1)
		}
	case *MessageReactionAdded:
		e.Chat, _ = msgChat(e.GetMessage())
	case *MessageReactionUpdated:
		e.Chat, _ = msgChat(e.GetMessage())
	case *MessageReactionRemoved:
		e.Chat, _ = msgChat(e.GetMessage())
	case *DiscussionNew:
		p.remember(e.GetDiscussion())
	case *DiscussionTitleUpdated:
		p.remember(e.GetDiscussion())
	case *DiscussionLocked:
		p.mu.Lock()
		delete(p.chats, e.GetDiscussion().GetId())
		p.mu.Unlock()
	case *ContactDetailsUpdated:
		p.mu.Lock()
		delete(p.names, e.GetContact().GetId())
		p.mu.Unlock()
	case *GroupNew:
		e.Chat = p.groupChat(ctx, e.GetGroup(), true)
	case *GroupDeleted:
		e.Chat = p.groupChat(ctx, e.GetGroup(), false)
		p.mu.Lock()
		delete(p.groups, e.GetGroup().GetId())
		p.mu.Unlock()
	case *GroupNameUpdated:
		e.Chat = p.groupChat(ctx, e.GetGroup(), true)
	case *GroupDescriptionUpdated:
		e.Chat = p.groupChat(ctx, e.GetGroup(), true)
	case *GroupPhotoUpdated:
		e.Chat = p.groupChat(ctx, e.GetGroup(), true)
	case *GroupPendingMemberAdded:
		e.Chat = p.groupChat(ctx, e.GetGroup(), true)
	case *GroupPendingMemberRemoved:
		e.Chat = p.groupChat(ctx, e.GetGroup(), true)
	case *GroupMemberJoined:
		e.Chat = p.groupChat(ctx, e.GetGroup(), true)
	case *GroupMemberLeft:
		e.Chat = p.groupChat(ctx, e.GetGroup(), true)
	case *GroupOwnPermissionsUpdated:
		e.Chat = p.groupChat(ctx, e.GetGroup(), true)
	case *GroupMemberPermissionsUpdated:
		e.Chat = p.groupChat(ctx, e.GetGroup(), true)
	}
}

// groupChat returns the chat of a group's discussion, learning the
// group's roles from g when learn is set.
func (p *Platform) groupChat(ctx context.Context, g *Group, learn bool) bot.Chat {
	p.mu.Lock()
	disc, ok := p.groups[g.GetId()]
	p.mu.Unlock()
	if !ok {
		d, err := p.client.DiscussionByGroup(ctx, g.GetId())
		if err != nil {
			p.log.Debug("olvid: no discussion for group", zap.Uint64("group", g.GetId()), zap.Error(err))
			return bot.Chat{Kind: bot.Group, Title: g.GetName()}
		}
		p.remember(d)
		disc = d.GetId()
	}
	if learn {
		return p.learnGroup(g).chat
	}
	return bot.Chat{ID: chatID(disc), Kind: bot.Group, Title: g.GetName()}
}
