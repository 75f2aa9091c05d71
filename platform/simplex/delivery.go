package simplex

import (
	"context"
	"errors"
	"fmt"
	"slices"
	"sort"
	"strconv"
	"sync"
	"time"

	"go.uber.org/zap"

	"github.com/parleybot/parley/bot"
	"github.com/parleybot/parley/platform/kit"
)

// sink is how the client hands the platform what it reads.
type sink struct {
	p    *Platform
	emit func(bot.Event) error
}

// Connected runs the start-up steps, then delivers what arrived while the
// bot was away. Live events wait until it returns.
func (s sink) Connected(ctx context.Context, first bool) error {
	p := s.p
	p.ready.Store(false)
	u, err := p.ensureUser(ctx)
	if err != nil {
		return err
	}
	if err := p.runStartup(ctx, u); err != nil {
		return err
	}
	p.user.Store(u)
	p.d.SetKey("simplex:cursors:" + strconv.FormatInt(u.UserID, 10))
	if err := p.d.Load(ctx); err != nil {
		return fmt.Errorf("simplex: %w", err)
	}
	if p.resumeLogged.CompareAndSwap(false, true) {
		if p.readMarkers {
			p.log.Info("simplex: resume from the CLI's unread markers (no store keeps the cursors)")
		} else {
			p.log.Info("simplex: resume from stored cursors", zap.Int("chats", len(p.d.Chats())))
		}
	}
	p.ahead.reset()
	if p.cfg.catchUp && !p.stopping.Load() {
		start, replayed := time.Now(), p.d.Stats().Replayed
		var extra []string
		var latest map[string]int64
		catchUp, floor, err := p.startFloor(ctx, u, first)
		if err != nil {
			return err
		}
		if catchUp {
			if extra, latest, err = p.discover(ctx, u, floor); err != nil {
				return err
			}
			if first {
				p.setHorizons(latest)
			}
		}
		if err := p.catchUp(ctx, latest, extra); err != nil {
			if !errors.Is(err, bot.ErrStopped) {
				return err
			}
			p.stop()
		}
		if ce := p.log.Check(zap.DebugLevel, "simplex: caught up"); ce != nil {
			ce.Write(zap.Duration("took", time.Since(start)), zap.Int("listed", len(latest)),
				zap.Int("discovered", len(extra)), zap.Int64("replayed", p.d.Stats().Replayed-replayed))
		}
	}
	p.ready.Store(true)
	return nil
}

// catchUp catches up the chats the cursors do not know (extra) first,
// then the known ones. After them, the known chats' backlog could take
// every connection's whole life under frequent drops, and the new chats'
// messages, held back meanwhile, would wait until the drops stop.
func (p *Platform) catchUp(ctx context.Context, latest map[string]int64, extra []string) error {
	for _, c := range extra {
		if p.d.Stopping() {
			return bot.ErrStopped
		}
		if err := p.d.CatchUpChat(ctx, c); err != nil {
			return err
		}
	}
	return p.d.CatchUpLatest(ctx, latest)
}

// Event passes one event frame on. A newChatItems frame may carry items
// of several chats; it is split into one event per item so each keeps its
// chat's order, and items passed on already are skipped.
func (s sink) Event(f Frame) error {
	err := s.p.onEvent(f, s.emit)
	if errors.Is(err, bot.ErrStopped) {
		s.p.stop()
		return nil
	}
	return err
}

// spillSink leaves received messages in the CLI's database under load.
type spillSink struct{ sink }

// Behind reports whether chats were left behind, so that their later
// messages are spilled too.
func (s spillSink) Behind() bool { return s.p.d.Behind() }

// Spill keeps memory bounded under load without losing a message: a frame
// of received messages is left in the CLI, its chats marked behind and
// fetched by Resume once the queue is short again (later messages of a
// behind chat are left too, so its order holds); delivery statuses are
// shed. It reads only each item's chat and id from the frame, which is
// then dropped undecoded: the fetch decodes the items, once. Other events
// are queued.
func (s spillSink) Spill(typ string, data []byte, full bool) bool {
	p := s.p
	if p.stopping.Load() {
		return false
	}
	switch typ {
	case TypeChatItemsStatusesUpdated:
		if !full {
			return false
		}
		// Delivery statuses of the bot's own messages are state, and a
		// later one supersedes an earlier: under load they are shed,
		// counted in Stats.Shed and logged at debug.
		p.shed.Add(1)
		if ce := p.log.Check(zap.DebugLevel, "simplex: delivery status shed under load"); ce != nil {
			ce.Write(zap.Int64("shed", p.shed.Load()))
		}
		return true
	case TypeNewChatItems:
	default:
		return false
	}
	// Only the reader goroutine spills, so the buffers are its own.
	keys, ok := scanItemKeys(data, p.spillKeys[:0])
	p.spillKeys = keys[:0]
	if !ok || len(keys) == 0 {
		return false
	}
	p.seen(keys[len(keys)-1].id)
	pos := p.spillPos[:0]
	for _, k := range keys {
		if !k.addressable || k.sent {
			return false
		}
		pos = append(pos, kit.Pos{Chat: k.chat.String(), ID: k.id})
	}
	p.live(keys[0].id)
	spilled := p.d.Spill(pos, full)
	clear(pos)
	p.spillPos = pos[:0]
	return spilled
}

// Queued notes the chats of received messages about to be queued, so
// that a chat new to the bot is fetched from its first queued message
// should a later one be spilled.
func (s spillSink) Queued(f Frame) {
	e, ok := f.Resp.(*NewChatItems)
	if !ok {
		return
	}
	p := s.p
	pos := p.spillPos[:0]
	for i := range e.ChatItems {
		a := &e.ChatItems[i]
		p.seen(a.ChatItem.Meta.ItemID)
		if a.ChatItem.ChatDir.Sent() {
			continue
		}
		p.live(a.ChatItem.Meta.ItemID)
		if ref, ok := a.ChatInfo.Ref(); ok {
			if chat := ref.String(); !p.d.Known(chat) {
				pos = append(pos, kit.Pos{Chat: chat, ID: a.ChatItem.Meta.ItemID})
			}
		}
	}
	p.d.Seen(pos)
	clear(pos)
	p.spillPos = pos[:0]
}

// Resume fetches the messages of chats left behind under load; it runs on
// the client's event goroutine.
func (s spillSink) Resume() {
	p := s.p
	p.mu.Lock()
	ctx := p.bg
	p.mu.Unlock()
	if p.user.Load() == nil {
		return
	}
	if err := p.d.CatchUpBehind(ctx); err != nil {
		if errors.Is(err, bot.ErrStopped) {
			p.stop()
			return
		}
		// The next connection's catch-up takes it from here.
		p.log.Warn("simplex: fetching messages left behind", zap.Error(err))
	}
}

// startKey is the store key of the highest item id the CLI held when
// the bot first started with its store: older items are history from
// before the bot, newer ones are its to handle.
func startKey(u *User) string { return "simplex:start:" + strconv.FormatInt(u.UserID, 10) }

// startFloor tells whether this connection catches up at all, and below
// which item id a chat the cursors do not know is history from before the
// bot. A store with no cursor is not enough to tell a first start: a bot
// killed before it wrote one must still fetch what it was sent while it
// ran and while it was down. So a first start writes the CLI's highest
// item id to the store, and a later start without cursors finds it.
func (p *Platform) startFloor(ctx context.Context, u *User, first bool) (bool, int64, error) {
	if p.readMarkers {
		return true, 0, nil
	}
	st, key := p.cfg.store, startKey(u)
	var floor int64
	data, ok, err := st.Get(ctx, key)
	if err != nil {
		return false, 0, fmt.Errorf("simplex: reading the start mark: %w", err)
	}
	if ok {
		if floor, err = strconv.ParseInt(string(data), 10, 64); err != nil {
			p.log.Warn("simplex: start mark unreadable; catching up unknown chats from their first unread item",
				zap.String("key", key), zap.Error(err))
			floor = 0
		}
		return true, floor, nil
	}
	if !first || len(p.d.Chats()) > 0 {
		// A store from before the mark: it has cursors, so this is a restart.
		return true, 0, nil
	}
	// The first start: the chats' history so far is not the bot's business.
	p.firstStart.Store(true)
	r, err := Exec(ctx, p.client, APIGetChats{UserID: u.UserID, Count: discoverChats})
	var ce *CommandError
	if err != nil && !errors.As(err, &ce) {
		return false, 0, fmt.Errorf("simplex: listing chats: %w", err)
	}
	if err == nil {
		for i := range r.Chats {
			if items := r.Chats[i].ChatItems; len(items) > 0 {
				floor = max(floor, items[len(items)-1].Meta.ItemID)
			}
		}
	}
	// A message that comes as an event on this process's connections is
	// the bot's even when the listing above already counts it: it waits
	// in the held queue, and a bot killed before handling it must fetch
	// it on its next start. Those read so far lower the floor now; those
	// read later (the CLI's event queue lags its answers) lower the mark
	// as they are read (lowerFloor).
	p.floorMu.Lock()
	defer p.floorMu.Unlock()
	if low := p.liveLow.Load(); low > 0 && low-1 < floor {
		floor = low - 1
	}
	if err := st.Set(ctx, key, []byte(strconv.FormatInt(floor, 10)), 0); err != nil {
		return false, 0, fmt.Errorf("simplex: writing the start mark: %w", err)
	}
	p.floorKey, p.floor = key, floor
	p.floorNext.Store(floor + 1)
	return false, floor, nil
}

// lowerFloor lowers the first start's mark, written by this process,
// below a received item read as an event, before it is passed on. It
// runs on the reader, which it holds for one store write: only events
// the first start's listing already counted take it, in practice the
// first of them.
func (p *Platform) lowerFloor(id int64) {
	p.floorMu.Lock()
	defer p.floorMu.Unlock()
	if p.floorKey == "" || id > p.floor {
		return
	}
	d := p.client.cfg.callTimeout
	if d <= 0 {
		d = time.Minute
	}
	ctx, cancel := context.WithTimeout(context.Background(), d)
	defer cancel()
	if err := p.cfg.store.Set(ctx, p.floorKey, []byte(strconv.FormatInt(id-1, 10)), 0); err != nil {
		// The next such event tries again.
		p.log.Warn("simplex: lowering the start mark", zap.Int64("item", id), zap.Error(err))
		return
	}
	p.floor = id - 1
	p.floorNext.Store(id)
}

// discoverChats bounds the chats one /_get chats lists.
const discoverChats = 5000

// discover lists the chats (/_get chats) with their latest item and
// unread counts. It returns the chats the cursors do not know that have
// unread received items, each to be caught up from its first unread item
// (chats that got messages only while the bot was away, or, without a
// store, every chat with messages not handled yet), and the latest item
// of every chat listed, so that quiet chats are not fetched. Items up to
// floor predate the bot and are not caught up.
func (p *Platform) discover(ctx context.Context, u *User, floor int64) ([]string, map[string]int64, error) {
	r, err := Exec(ctx, p.client, APIGetChats{UserID: u.UserID, Count: discoverChats})
	var ce *CommandError
	if errors.As(err, &ce) {
		// A chat core without the command: known chats still catch up.
		p.log.Warn("simplex: cannot list chats; only known chats are caught up", zap.Error(err))
		return nil, nil, nil
	}
	if err != nil {
		return nil, nil, fmt.Errorf("simplex: listing chats: %w", err)
	}
	var out []string
	latest := make(map[string]int64, len(r.Chats))
	for i := range r.Chats {
		c := &r.Chats[i]
		ref, ok := c.ChatInfo.Ref()
		if !ok {
			continue
		}
		chat := ref.String()
		if n := len(c.ChatItems); n > 0 && c.ChatItems[n-1].Meta.ItemID > 0 {
			latest[chat] = c.ChatItems[n-1].Meta.ItemID
		}
		if c.ChatStats.UnreadCount <= 0 || c.ChatStats.MinUnreadItemID <= 0 || p.d.Known(chat) || latest[chat] <= floor {
			continue
		}
		p.d.Discovered(chat, max(c.ChatStats.MinUnreadItemID, floor+1))
		out = append(out, chat)
	}
	if len(out) > 0 {
		p.log.Info("simplex: catching up chats with unread messages", zap.Int("chats", len(out)))
	}
	return out, latest, nil
}

// markReadBatch bounds the item ids of one /_read chat items command.
const markReadBatch = 500

// errReadLater is markRead's answer while no connection is up.
var errReadLater = errors.New("simplex: not connected; items are marked read later")

// markRead marks handled received items read in the CLI, which is where a
// bot without a store resumes from (the kit batches them per chat and
// flush).
func (p *Platform) markRead(ctx context.Context, chat string, ids []int64) error {
	if !p.client.Connected() {
		return errReadLater
	}
	ref, err := ParseChatRef(chat)
	if err != nil {
		return fmt.Errorf("simplex: chat %q: %w", chat, kit.ErrChatGone)
	}
	for len(ids) > 0 {
		n := min(len(ids), markReadBatch)
		_, err := callCmd(ctx, p.client, APIChatItemsRead{Chat: ref, ItemIDs: ids[:n]})
		var ce *CommandError
		if errors.As(err, &ce) {
			// The chat or an item is gone: nothing to mark.
			return fmt.Errorf("%w: %w", kit.ErrChatGone, err)
		}
		if err != nil {
			return err
		}
		ids = ids[n:]
	}
	return nil
}

// lookAhead keeps, per chat, a page fetched beyond the one asked for, to
// find the bot's replies to that page's last items; the next fetch of the
// chat takes it instead of asking again.
type lookAhead struct {
	mu    sync.Mutex
	pages map[string]aheadPage
}

type aheadPage struct {
	after int64
	chat  AChat
}

func (l *lookAhead) reset() {
	l.mu.Lock()
	clear(l.pages)
	l.mu.Unlock()
}

// take returns the page of chat after after, if one was kept.
func (l *lookAhead) take(chat string, after int64) (AChat, bool) {
	l.mu.Lock()
	defer l.mu.Unlock()
	pg, ok := l.pages[chat]
	delete(l.pages, chat)
	return pg.chat, ok && pg.after == after
}

func (l *lookAhead) keep(chat string, after int64, c AChat) {
	l.mu.Lock()
	if l.pages == nil {
		l.pages = map[string]aheadPage{}
	}
	l.pages[chat] = aheadPage{after: after, chat: c}
	l.mu.Unlock()
}

// chatPage is /_get chat after=<id> count=<n> with after= always given:
// the catch-up of a chat from its first item asks after=0, which
// APIGetChat's zero After would leave out, and a /_get chat without it
// returns the chat's last items instead of its first.
type chatPage struct{ APIGetChat }

// Cmd renders the command.
func (c chatPage) Cmd() (string, error) {
	if err := c.Chat.Validate(); err != nil {
		return "", err
	}
	if c.Count <= 0 || c.After < 0 {
		return "", fmt.Errorf("simplex: page after %d count %d", c.After, c.Count)
	}
	b := c.Chat.appendTo([]byte("/_get chat "))
	b = cmdAppendID(append(b, " after="...), c.After)
	b = strconv.AppendInt(append(b, " count="...), int64(c.Count), 10)
	return cmdString(b)
}

func (p *Platform) getChat(ctx context.Context, ref ChatRef, after int64, limit int) (AChat, error) {
	r, err := Exec(ctx, p.client, chatPage{APIGetChat{Chat: ref, After: after, Count: limit}})
	if err != nil {
		var ce *CommandError
		if errors.As(err, &ce) {
			// The chat is gone (contact deleted, group left).
			return AChat{}, fmt.Errorf("%w: %w", kit.ErrChatGone, err)
		}
		return AChat{}, err
	}
	return r.Chat, nil
}

// fetchAfter reads a page of a chat's items for the kit: received items
// become events, the bot's own only move the fetch on. A received item
// that one of the bot's own items quotes was answered already (the bot
// replied, then crashed or lost the connection before its cursor or its
// dedupe mark was written): it is passed on, since its handler may not
// have heard that its reply went, but that reply is remembered, and the
// handler's new reply to it is answered with it instead of going twice
// (replyFound). The quotes are looked for in the page and in the next.
func (p *Platform) fetchAfter(ctx context.Context, chat string, after int64, limit int) ([]kit.Item, error) {
	ref, err := ParseChatRef(chat)
	if err != nil {
		return nil, fmt.Errorf("simplex: chat %q: %w", chat, kit.ErrChatGone)
	}
	c, ok := p.ahead.take(chat, after)
	if !ok {
		if c, err = p.getChat(ctx, ref, after, limit); err != nil {
			return nil, err
		}
	}
	items := c.ChatItems
	quoted := map[int64]int64{}
	noteQuotes(quoted, items)
	horizon, scan := p.takeHorizon(chat)
	if n := len(items); n == limit {
		// Replies to the page's items may be on the next page. A failure
		// here only costs the look-ahead.
		last := items[n-1].Meta.ItemID
		next, err := p.getChat(ctx, ref, last, limit)
		if err == nil {
			noteQuotes(quoted, next.ChatItems)
			// Only a full page is kept: a shorter one may miss items that
			// arrive before it is served.
			if len(next.ChatItems) == limit {
				p.ahead.keep(chat, last, next)
				last = next.ChatItems[limit-1].Meta.ItemID
				p.seekReplies(ctx, ref, chat, items, last, limit, quoted)
			}
		}
		if scan && (err != nil || len(next.ChatItems) == limit && last < horizon) {
			if err == nil {
				err = p.scanPrior(ctx, ref, chat, after, last, horizon, limit)
			}
			if err != nil {
				// Without the scan a reply could go twice: the catch-up
				// fails, and the next connection's scans again.
				p.keepHorizon(chat, horizon)
				return nil, err
			}
		}
	}
	if n := len(items); n > 0 {
		// The replies found to the page's items are kept, also those of
		// items not passed on now (still in a handler that will fail).
		p.settleUnsure(chat, after, items[n-1].Meta.ItemID, quoted, items)
	}
	if n := len(items); n > 0 {
		p.seen(items[n-1].Meta.ItemID)
	}
	u := p.user.Load()
	out := make([]kit.Item, 0, len(items))
	for i := range items {
		id := items[i].Meta.ItemID
		if id <= 0 {
			// Not positioned, so not fetchable in order: counted and logged.
			p.badItems.Add(1)
			raw, _ := items[i].Meta.Extra.Get("itemId")
			p.log.Warn("simplex: fetched item without a usable itemId; skipped",
				zap.String("frame", TypeAPIChat), zap.String("chat", chat), zap.ByteString("itemId", raw))
			out = append(out, kit.Item{Chat: chat}) // keeps the page's length; position 0 is skipped
			continue
		}
		out = append(out, kit.Item{})
		it := &out[len(out)-1]
		*it = kit.Item{Chat: chat, ID: id}
		if !items[i].ChatDir.Sent() {
			it.Event = &NewChatItems{User: u, ChatItems: []AChatItem{{ChatInfo: c.ChatInfo, ChatItem: items[i]}}}
			// Only items the catch-up passes on need their reply kept.
			reply, ok := quoted[id]
			if r, found := p.takePrior(chat, id); found && !ok {
				reply, ok = r, true
			}
			if ok && p.d.Due(chat, id) {
				p.noteReplied(chat, id, reply)
			}
		}
	}
	return out, nil
}

// setHorizons notes, at the first connection of the process, the latest
// item of every chat listed: a reply an earlier process of the bot sent
// is at or below it. A bot far behind its chats answers a message many
// items after it, well past the page and look-ahead a catch-up reads,
// so the first catch-up of each chat scans on to there (scanPrior).
func (p *Platform) setHorizons(latest map[string]int64) {
	p.mu.Lock()
	defer p.mu.Unlock()
	for chat, id := range latest {
		if _, ok := p.horizons[chat]; !ok {
			p.horizons[chat] = id
		}
	}
}

// takeHorizon returns chat's horizon once; the chat is scanned then.
func (p *Platform) takeHorizon(chat string) (int64, bool) {
	p.mu.Lock()
	defer p.mu.Unlock()
	h, ok := p.horizons[chat]
	delete(p.horizons, chat)
	return h, ok
}

// keepHorizon puts back a horizon whose scan failed.
func (p *Platform) keepHorizon(chat string, h int64) {
	p.mu.Lock()
	p.horizons[chat] = h
	p.mu.Unlock()
}

// scanPrior reads chat from after from to horizon for the bot's replies
// to items after after (the chat's catch-up position), the items an
// earlier process may have answered before it died: fetchAfter finds
// them with takePrior when it passes those items on. Only the replies are
// kept, so the scan costs one more read of the chat up to horizon, once
// per process, and little memory.
func (p *Platform) scanPrior(ctx context.Context, ref ChatRef, chat string, after, from, horizon int64, limit int) error {
	quoted := map[int64]int64{}
	for from < horizon {
		c, err := p.getChat(ctx, ref, from, limit)
		if err != nil {
			return err
		}
		noteQuotes(quoted, c.ChatItems)
		if len(c.ChatItems) < limit {
			break
		}
		from = c.ChatItems[len(c.ChatItems)-1].Meta.ItemID
	}
	p.mu.Lock()
	defer p.mu.Unlock()
	for item, reply := range quoted {
		if item <= after {
			continue
		}
		if len(p.prior) >= maxReplied {
			clear(p.prior)
		}
		p.prior[replyKey{chat, item}] = reply
	}
	return nil
}

// takePrior returns, once, the reply scanPrior found to item of chat.
func (p *Platform) takePrior(chat string, item int64) (int64, bool) {
	p.mu.Lock()
	defer p.mu.Unlock()
	if len(p.prior) == 0 {
		return 0, false
	}
	k := replyKey{chat, item}
	reply, ok := p.prior[k]
	delete(p.prior, k)
	return reply, ok
}

// maxSeekPages bounds how far seekReplies reads.
const maxSeekPages = 20

// unsureSpan is where a reply with an unknown outcome can be: the CLI's
// item ids grow across the whole database, so a reply that went has an id
// between the highest one seen when it was written and the highest seen
// when its connection died.
// checked, when not 0, is how far a read found the reply not sent: the
// chat was read to its end there, from at or below where the reply can
// be, so the next look starts at checked.
type unsureSpan struct{ from, to, checked int64 }

// start is the item after which the reply can still be.
func (sp unsureSpan) start(item int64) int64 { return max(sp.from, item, sp.checked) }

// seekReplies reads past the page and its look-ahead for the replies to
// the page's items whose reply had an unknown outcome (the connection
// dropped before the CLI answered): a pipelined reply can trail its
// message by many items. It reads where those replies can be, and stops
// once all are found, past that span, at the end of the chat, or after
// maxSeekPages.
func (p *Platform) seekReplies(ctx context.Context, ref ChatRef, chat string, items []ChatItem, after int64, limit int, quoted map[int64]int64) {
	var want []int64
	span := unsureSpan{from: -1}
	p.mu.Lock()
	for i := range items {
		id := items[i].Meta.ItemID
		if sp, ok := p.unsure[replyKey{chat, id}]; ok {
			if _, found := quoted[id]; !found {
				want = append(want, id)
				if span.from < 0 || sp.from < span.from {
					span.from = sp.from
				}
				span.to = max(span.to, sp.to)
			}
		}
	}
	p.mu.Unlock()
	if len(want) == 0 {
		return
	}
	// The look-ahead read up to after already.
	after = max(after, span.from-1)
	for range maxSeekPages {
		if len(want) == 0 || after > span.to {
			return
		}
		next, err := p.getChat(ctx, ref, after, limit)
		if err != nil {
			return
		}
		noteQuotes(quoted, next.ChatItems)
		want = slices.DeleteFunc(want, func(id int64) bool { _, ok := quoted[id]; return ok })
		if len(next.ChatItems) < limit {
			return
		}
		after = next.ChatItems[len(next.ChatItems)-1].Meta.ItemID
	}
}

// seekUnsure looks, just before a reply to item replyTo of chat goes
// again, for the earlier reply whose outcome was unknown, from where it
// can be to the end of the chat. It returns that reply's id if it is
// there. A read that fails keeps the reply unsure and returns the error:
// the new reply must not go, since the earlier one may be in the part of
// the chat not read. So does a look that read maxSeekPages pages without
// reaching the end; either way the next look goes on from where this one
// stopped.
func (p *Platform) seekUnsure(ctx context.Context, chat, replyTo string) (int64, bool, error) {
	ref, err := ParseChatRef(chat)
	if err != nil {
		return 0, false, nil
	}
	item, err := strconv.ParseInt(replyTo, 10, 64)
	if err != nil {
		return 0, false, nil
	}
	k := replyKey{ref.String(), item}
	p.mu.Lock()
	sp, ok := p.unsure[k]
	delete(p.unsure, k)
	p.mu.Unlock()
	if !ok {
		return 0, false, nil
	}
	start, limit := sp.start(item), p.cfg.catchUpPage
	after := start
	quoted := map[int64]int64{}
	// keep puts the reply back as unsure, looked for up to after, and
	// passes what was read on to the chat's other unsure replies.
	keep := func() {
		p.mu.Lock()
		if _, again := p.unsure[k]; !again {
			sp.checked = max(sp.checked, after)
			p.unsure[k] = sp
		}
		p.mu.Unlock()
		p.settleUnsure(k.chat, start, after, quoted, nil)
	}
	for range maxSeekPages {
		c, err := p.getChat(ctx, ref, after, limit)
		if err != nil {
			keep()
			return 0, false, err
		}
		noteQuotes(quoted, c.ChatItems)
		if n := len(c.ChatItems); n > 0 {
			after = c.ChatItems[n-1].Meta.ItemID
		}
		if reply, found := quoted[item]; found {
			p.settleUnsure(k.chat, start, after, quoted, nil)
			return reply, true, nil
		}
		if len(c.ChatItems) < limit {
			p.settleUnsure(k.chat, start, after, quoted, nil)
			if ce := p.log.Check(zap.DebugLevel, "simplex: reply whose outcome was unknown not found; it goes again"); ce != nil {
				ce.Write(zap.String("chat", k.chat), zap.Int64("replyTo", item), zap.Int64("from", start), zap.Int64("readTo", after))
			}
			return 0, false, nil
		}
	}
	keep()
	return 0, false, errLookUnfinished
}

// errLookUnfinished is a look for an unsure reply that read its pages
// without reaching the chat's end.
var errLookUnfinished = fmt.Errorf("simplex: the look read %d pages without reaching the chat's end; the next goes on from there", maxSeekPages)

// settleUnsure applies a read of chat from after start up to readTo, in
// consecutive pages, to its replies whose outcome is unknown: those the
// read found quoting their item are kept as the replies found (the next
// send takes them without a look); the others that can only be after
// start are not at or below readTo (a reply that lands later gets a
// higher id than any item there), so their next look starts past it.
// With many replies of a chat unsure after a drop, each look then reads
// only what came since the last one.
//
// page, when not nil, limits the replies settled to those of its items:
// the others a catch-up's read found are left to their own look.
func (p *Platform) settleUnsure(chat string, start, readTo int64, quoted map[int64]int64, page []ChatItem) {
	p.mu.Lock()
	defer p.mu.Unlock()
	for k, sp := range p.unsure {
		if k.chat != chat {
			continue
		}
		if page != nil && !onPage(page, k.item) {
			continue
		}
		if reply, ok := quoted[k.item]; ok {
			delete(p.unsure, k)
			if len(p.replied) >= maxReplied {
				clear(p.replied)
			}
			p.replied[k] = reply
			continue
		}
		if readTo > sp.checked && sp.start(k.item) >= start {
			sp.checked = readTo
			p.unsure[k] = sp
		}
	}
}

// onPage reports whether item id is one of page's, which is in id order.
func onPage(page []ChatItem, id int64) bool {
	i := sort.Search(len(page), func(i int) bool { return page[i].Meta.ItemID >= id })
	return i < len(page) && page[i].Meta.ItemID == id
}

// noteUnsure records a reply whose outcome is unknown, for seekReplies;
// from is the highest item id seen when it was written.
func (p *Platform) noteUnsure(chatID, replyTo string, err error, from int64) {
	if replyTo == "" || !errors.Is(err, ErrOutcomeUnknown) {
		return
	}
	ref, perr := ParseChatRef(chatID)
	item, ierr := strconv.ParseInt(replyTo, 10, 64)
	if perr != nil || ierr != nil {
		return
	}
	// Items the dead connection had not passed on yet may be newer still:
	// a page's worth of margin.
	to := p.horizon.Load() + int64(p.cfg.catchUpPage)
	p.mu.Lock()
	if len(p.unsure) >= maxReplied {
		clear(p.unsure)
	}
	p.unsure[replyKey{ref.String(), item}] = unsureSpan{from: from, to: to}
	p.mu.Unlock()
}

// seen raises the highest item id seen.
func (p *Platform) seen(id int64) {
	for {
		h := p.horizon.Load()
		if id <= h || p.horizon.CompareAndSwap(h, id) {
			return
		}
	}
}

// live notes the id of a received item that came as an event, keeping
// the lowest: the first start's floor stays below it.
func (p *Platform) live(id int64) {
	if id <= 0 {
		return
	}
	for {
		l := p.liveLow.Load()
		if (l > 0 && l <= id) || p.liveLow.CompareAndSwap(l, id) {
			break
		}
	}
	if p.firstStart.Load() {
		// Once the mark is written, only items at or below it need the lock.
		if next := p.floorNext.Load(); next == 0 || id < next {
			p.lowerFloor(id)
		}
	}
}

// noteQuotes adds the items the bot's own items quote to quoted, with
// the id of the first own item quoting each.
func noteQuotes(quoted map[int64]int64, items []ChatItem) {
	for i := range items {
		if q := items[i].QuotedItem; q != nil && q.ItemID != 0 && items[i].ChatDir.Sent() {
			if _, ok := quoted[q.ItemID]; !ok {
				quoted[q.ItemID] = items[i].Meta.ItemID
			}
		}
	}
}

// maxReplied bounds the replies kept for handlers that get their event
// again; beyond it they are forgotten, and such a reply may go twice.
const maxReplied = 4096

// replyKey is a received item a reply quotes.
type replyKey struct {
	chat string
	item int64
}

// noteReplied remembers the bot's reply to a received item a catch-up
// passes on again, so that the handler's second reply is answered with
// it instead of going out twice.
func (p *Platform) noteReplied(chat string, item, reply int64) {
	p.mu.Lock()
	if len(p.replied) >= maxReplied {
		clear(p.replied)
	}
	p.replied[replyKey{chat, item}] = reply
	p.mu.Unlock()
}

// takeReplied returns the reply the catch-up found to item replyTo of
// chat, once.
func (p *Platform) takeReplied(chat, replyTo string) (int64, bool) {
	if replyTo == "" {
		return 0, false
	}
	ref, err := ParseChatRef(chat)
	if err != nil {
		return 0, false
	}
	item, err := strconv.ParseInt(replyTo, 10, 64)
	if err != nil {
		return 0, false
	}
	p.mu.Lock()
	defer p.mu.Unlock()
	if len(p.replied) == 0 {
		return 0, false
	}
	k := replyKey{ref.String(), item}
	reply, ok := p.replied[k]
	if ok {
		delete(p.replied, k)
	}
	return reply, ok
}

func (p *Platform) onEvent(f Frame, emit func(bot.Event) error) error {
	switch e := f.Resp.(type) {
	case *NewChatItems:
		if len(e.ChatItems) == 1 {
			if !p.admitItem(f.Type, &e.ChatItems[0]) {
				return nil
			}
			return emit(e)
		}
		for i := range e.ChatItems {
			one := &NewChatItems{User: e.User, ChatItems: e.ChatItems[i : i+1]}
			if !p.admitItem(f.Type, &one.ChatItems[0]) {
				continue
			}
			if err := emit(one); err != nil {
				return err
			}
		}
		return nil
	case *ContactConnected:
		p.sendWelcome(e.Contact.ContactID)
	case *Unknown:
		if p.firstOf("event:" + e.Tag) {
			p.log.Info("simplex: event of a type this package does not know; passed on as Unknown (logged once per type)",
				zap.String("type", e.Tag))
		}
	}
	ev, ok := f.Resp.(bot.Event)
	if !ok {
		return nil
	}
	return emit(ev)
}

// maxLoggedKinds bounds the types firstOf remembers.
const maxLoggedKinds = 256

// firstOf reports whether kind is seen for the first time, so that an
// odd frame type is logged once, not once per frame.
func (p *Platform) firstOf(kind string) bool {
	p.mu.Lock()
	defer p.mu.Unlock()
	if _, seen := p.logged[kind]; seen || len(p.logged) >= maxLoggedKinds {
		return false
	}
	p.logged[kind] = struct{}{}
	return true
}

// admitItem tracks received items and drops those passed on already. An
// item without a usable id (the CLI sent a string, say) cannot be tracked:
// it is logged and counted, and passed on untracked (no dedupe key), so
// that it is not mistaken for an item handled before.
func (p *Platform) admitItem(typ string, a *AChatItem) bool {
	p.seen(a.ChatItem.Meta.ItemID)
	if a.ChatItem.ChatDir.Sent() {
		return true
	}
	ref, ok := a.ChatInfo.Ref()
	if !ok {
		p.unknownChats.Add(1)
		if p.firstOf("chat:" + a.ChatInfo.Type) {
			p.log.Info("simplex: item of a chat type with no reference; passed on untracked (logged once per type)",
				zap.String("frame", typ), zap.String("chatType", a.ChatInfo.Type))
		}
		return true
	}
	if id := a.ChatItem.Meta.ItemID; id <= 0 {
		p.badItems.Add(1)
		raw, _ := a.ChatItem.Meta.Extra.Get("itemId")
		p.log.Warn("simplex: received item without a usable itemId; passed on untracked",
			zap.String("frame", typ), zap.String("chat", ref.String()), zap.ByteString("itemId", raw))
		return true
	}
	// A new chat's first cursor is written with no deadline of its own.
	return p.d.Admit(context.Background(), ref.String(), a.ChatItem.Meta.ItemID)
}

// EventHandled implements bot.HandledNotifier: it advances the handled
// cursor of the event's chat.
func (p *Platform) EventHandled(e bot.Event, err error) {
	ev, ok := e.(*NewChatItems)
	if !ok {
		return
	}
	for i := range ev.ChatItems {
		a := &ev.ChatItems[i]
		if a.ChatItem.ChatDir.Sent() {
			continue
		}
		if ref, ok := a.ChatInfo.Ref(); ok && a.ChatItem.Meta.ItemID > 0 {
			p.d.Handled(ref.String(), a.ChatItem.Meta.ItemID, err)
		}
	}
	if bot.Undelivered(err) && p.cfg.catchUp {
		// The item waits to be passed on again; with the connection up,
		// the consumer fetches it once its queue is short.
		p.client.resumeSoon()
	}
}
