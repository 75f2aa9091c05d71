package kit

import (
	"context"
	"errors"
	"slices"
	"sync"
	"sync/atomic"
	"time"

	"go.uber.org/zap"

	"github.com/parleybot/parley/bot"
	"github.com/parleybot/parley/store"
)

// Item is one entry of a chat as a platform fetches it: its chat, its
// position in the chat, and the event to pass on.
type Item struct {
	// Chat is the chat's key within the platform account, such as "@5".
	Chat string
	// ID is the item's position: it grows with every new item of the chat
	// (a message id, a server timestamp).
	ID int64
	// Event is what is passed on. Nil means the item only moves the fetch
	// on, such as a message the bot sent itself.
	Event bot.Event
	// Answered says the bot already replied to the item (the platform
	// found its reply in the chat's history): a catch-up counts it as
	// handled instead of passing it on again, so a crash between the
	// reply and the cursor's write does not make the bot reply twice. An
	// item whose handler failed in this process with an undelivered
	// command is passed on again all the same: the handler was told of
	// the failure, and the event is its to handle.
	Answered bool
}

// Fetcher is the one thing a platform must tell the kit: how to read a
// page of a chat's history.
type Fetcher interface {
	// FetchAfter returns up to limit items of chat whose ID is greater
	// than after, oldest first. Fewer than limit items means there are no
	// more. An error wrapping ErrChatGone makes the kit forget the chat.
	FetchAfter(ctx context.Context, chat string, after int64, limit int) ([]Item, error)
}

// FetchFunc adapts a function to a Fetcher.
type FetchFunc func(ctx context.Context, chat string, after int64, limit int) ([]Item, error)

// FetchAfter calls f.
func (f FetchFunc) FetchAfter(ctx context.Context, chat string, after int64, limit int) ([]Item, error) {
	return f(ctx, chat, after, limit)
}

// ErrChatGone is wrapped by a Fetcher's error for a chat that no longer
// exists (a deleted contact, a group the bot left).
var ErrChatGone = errors.New("kit: chat is gone")

// DefaultFlushEvery is the least time between two writes of the cursors.
const DefaultFlushEvery = 100 * time.Millisecond

// Config configures a Delivery.
type Config struct {
	// Store keeps the cursors; nil keeps them in memory, which covers
	// reconnects but not restarts.
	Store store.Store
	// Key is the store key of the cursors, such as "simplex:cursors:1".
	// It may be set later with SetKey, once the account is known.
	Key string
	// Logger receives warnings about the store and fetches.
	Logger *zap.Logger
	// Page is how many items one fetch asks for (default 100).
	Page int
	// FlushEvery is the least time between two writes of the cursors by
	// Run (default 100ms).
	FlushEvery time.Duration
	// AfterFlush, if set, runs after each flush that wrote the cursors,
	// for work that belongs with them, such as marking handled messages
	// read on the server. Its error is reported like a failed write.
	AfterFlush func(ctx context.Context) error
	// MarkRead, if set, gets at each flush the items of each chat handled
	// since the last one (after the cursors were written), for a platform
	// that resumes from the server's read markers when no store keeps the
	// cursors. Items it fails on are offered again by the next flush
	// (the failure is logged at debug: it costs at most a fetch after a
	// restart); an error wrapping ErrChatGone drops them.
	MarkRead func(ctx context.Context, chat string, ids []int64) error
	// PaceRetries is for a platform that passes items on again when Retry
	// signals (see Retry): a chat whose items fail again is then left out
	// of CatchUpBehind until a wait, doubling from 250ms to 30s, has
	// passed, and Run signals Retry. Without it every failure marks its
	// chat behind at once.
	PaceRetries bool
	// ConcurrentCatchUps lets catch-ups of different chats run at once
	// (those of one chat still take turns), for a platform that fetches
	// several chats in parallel and whose Fetcher is safe for concurrent
	// use. Without it CatchUpChat runs one at a time.
	ConcurrentCatchUps bool
}

// maxUnread bounds the handled items of one chat waiting for MarkRead
// while it fails: beyond it the oldest are not marked, and are only
// fetched again (and skipped if answered) after a restart.
const maxUnread = 4096

// Stats are a Delivery's counters.
type Stats struct {
	Replayed int64 // items passed on by a catch-up
	Skipped  int64 // live items passed on already, by a catch-up or before a drop
	Spilled  int64 // live items left on the server under load, fetched later
	Answered int64 // items a catch-up found answered already, not passed on again
}

// Delivery passes a platform's items on to the bot exactly once and in
// order per chat, across reconnects, restarts and overload. See the
// package documentation for the life cycle.
type Delivery struct {
	f    Fetcher
	cfg  Config
	log  *zap.Logger
	curs *cursors

	mu        sync.Mutex
	emit      func(bot.Event) error
	behind    map[string]int64 // chat → first item left on the server
	firstSeen map[string]int64 // chat → first live item seen before any was passed on

	catchMu  sync.Mutex // held by each CatchUpChat, unless ConcurrentCatchUps
	catching sync.Map   // chat → *sync.Mutex, held by each CatchUpChat of the chat with ConcurrentCatchUps

	// retry receives when an item waits to be passed on again (see Retry).
	retry chan struct{}
	// failures counts Handled's undelivered outcomes, so that a catch-up
	// can tell whether one came while it ran.
	failures atomic.Int64
	// later holds, per chat whose items failed again, when Run is to
	// signal Retry for them (under mu).
	later map[string]time.Time

	// toRead holds, per chat, handled items not yet given to MarkRead.
	readMu sync.Mutex
	toRead map[string][]int64

	stopping                             atomic.Bool
	replayed, skipped, spilled, answered atomic.Int64
}

// NewDelivery returns a Delivery that reads chat history through f.
func NewDelivery(f Fetcher, cfg Config) *Delivery {
	if f == nil {
		panic("kit: nil Fetcher")
	}
	if cfg.Logger == nil {
		cfg.Logger = zap.NewNop()
	}
	if cfg.Page <= 0 {
		cfg.Page = 100
	}
	if cfg.FlushEvery <= 0 {
		cfg.FlushEvery = DefaultFlushEvery
	}
	d := &Delivery{f: f, cfg: cfg, log: cfg.Logger, curs: newCursors(cfg.Store, cfg.Logger),
		behind: map[string]int64{}, firstSeen: map[string]int64{}, toRead: map[string][]int64{}, retry: make(chan struct{}, 1), later: map[string]time.Time{}}
	d.curs.key = cfg.Key
	return d
}

// SetKey sets the store key of the cursors, once the account is known. It
// must come before the first Load.
func (d *Delivery) SetKey(key string) {
	d.curs.mu.Lock()
	d.curs.key = key
	d.curs.mu.Unlock()
}

// Begin starts a listening session: items passed on but not handled
// before are passed on again, and events go to emit. Call it at the start
// of Listen.
func (d *Delivery) Begin(emit func(bot.Event) error) {
	d.mu.Lock()
	d.emit = emit
	clear(d.behind)
	clear(d.firstSeen)
	clear(d.later)
	d.mu.Unlock()
	d.stopping.Store(false)
	d.curs.restart()
}

// Load reads the stored cursors, once per process; later calls do nothing.
func (d *Delivery) Load(ctx context.Context) error { return d.curs.load(ctx) }

// Stop records that the bot takes no more events (emit returned
// bot.ErrStopped): catch-ups end and live items are no longer admitted.
func (d *Delivery) Stop() { d.stopping.Store(true) }

// Stopping reports whether Stop was called in this session.
func (d *Delivery) Stopping() bool { return d.stopping.Load() }

// Position returns the position after which chat's items are new, and
// whether the chat has a cursor.
func (d *Delivery) Position(chat string) (int64, bool) { return d.curs.after(chat) }

// Known reports whether the chat has a cursor.
func (d *Delivery) Known(chat string) bool {
	_, ok := d.curs.after(chat)
	return ok
}

// Chats returns the chats that have cursors.
func (d *Delivery) Chats() []string { return d.curs.chats() }

// Admit records that a live item is being passed on and reports whether
// it should be: false means it was passed on already (and is counted as
// skipped). The platform emits the item itself when Admit says true.
func (d *Delivery) Admit(ctx context.Context, chat string, id int64) bool {
	if !d.curs.admit(ctx, chat, id) {
		d.skipped.Add(1)
		return false
	}
	d.mu.Lock()
	if len(d.firstSeen) > 0 {
		delete(d.firstSeen, chat)
	}
	d.mu.Unlock()
	return true
}

// Live passes a live item on unless it was passed on already.
func (d *Delivery) Live(ctx context.Context, it Item) error {
	if it.Event == nil || !d.Admit(ctx, it.Chat, it.ID) {
		return nil
	}
	return d.send(it.Event)
}

// Delivered reports whether item id of chat was passed on already.
func (d *Delivery) Delivered(chat string, id int64) bool { return d.curs.isDelivered(chat, id) }

// Duplicate reports whether a live item was passed on already, counting
// it as skipped if so; a platform asks before fetching the item's body.
func (d *Delivery) Duplicate(chat string, id int64) bool {
	if d.curs.isDelivered(chat, id) {
		d.skipped.Add(1)
		return true
	}
	return false
}

// Handled records the outcome of item id of chat; call it from the
// platform's EventHandled with the handler's error. The handled cursor
// moves up to the item, except when err says a command was not delivered
// (bot.Undelivered): the item is then passed on again by the next
// catch-up (the chat counts as behind and Retry signals, so CatchUpBehind
// takes it if the connection is up, else the next connection's CatchUp),
// and the cursor stays below it, so that a restart fetches it again too.
// Items handled after a failed one are not passed on again by a catch-up;
// after a restart they are, and Dedupe's marks drop them.
func (d *Delivery) Handled(chat string, id int64, err error) {
	undelivered := bot.Undelivered(err)
	fails := d.curs.handle(chat, id, undelivered)
	if !undelivered {
		d.noteRead(chat, id)
		return
	}
	d.failures.Add(1)
	if d.stopping.Load() {
		return
	}
	d.mu.Lock()
	if fails > 1 && d.cfg.PaceRetries {
		// Failed again: the retry waits, longer each time, so that a
		// handler failing at once does not make the platform fetch and
		// pass its item on in a tight loop. Run signals it when due.
		if _, ok := d.later[chat]; !ok {
			d.later[chat] = time.Now().Add(retryDelay(fails))
		}
		d.mu.Unlock()
		return
	}
	// The chat is behind until the item is passed on again: by
	// CatchUpBehind if the connection is still up (the failure may have
	// come after its catch-up), else by the next connection's CatchUp.
	if d.behind[chat] == 0 {
		d.behind[chat] = id
	}
	d.mu.Unlock()
	d.signalRetry()
}

// Bounds of the wait before a chat's items are passed on again after a
// second failure and later ones; the first is passed on at once.
const (
	retryMin = 250 * time.Millisecond
	retryMax = 30 * time.Second
)

// retryDelay is the wait before the retry after a chat's fails-th
// failure in a row (fails >= 2): doubling from retryMin, jittered.
func retryDelay(fails int) time.Duration {
	d := retryMin
	for i := 2; i < fails && d < retryMax; i++ {
		d *= 2
	}
	return Jitter(min(d, retryMax))
}

// releaseDue marks behind the chats whose retry is due, and signals
// Retry for them.
func (d *Delivery) releaseDue(now time.Time) {
	if d.stopping.Load() {
		return
	}
	due := false
	d.mu.Lock()
	for chat, at := range d.later {
		if now.Before(at) {
			continue
		}
		delete(d.later, chat)
		if redo := d.curs.redoFrom(chat); redo > 0 {
			if d.behind[chat] == 0 {
				d.behind[chat] = redo
			}
			due = true
		}
	}
	d.mu.Unlock()
	if due {
		d.signalRetry()
	}
}

// Retry returns a channel that receives when a handler failed with an
// undelivered command (see Handled), so that its item waits to be passed
// on again. A platform whose connection stays up selects on it in the
// goroutine that passes live items on and runs CatchUpBehind there, which
// keeps each chat's order; without it the item waits for the next
// connection's CatchUp. Signals coalesce: one receive may stand for
// several failures, and CatchUpBehind takes them all. With
// Config.PaceRetries, only a chat's first failure is signalled at once;
// when its items fail again before they were all handled, Run signals the
// next retry after a wait that doubles from 250ms up to 30s, so that a
// handler that keeps failing does not make the platform spin.
func (d *Delivery) Retry() <-chan struct{} { return d.retry }

func (d *Delivery) signalRetry() {
	if d.stopping.Load() {
		return
	}
	select {
	case d.retry <- struct{}{}:
	default:
	}
}

// noteRead keeps a handled item for MarkRead.
func (d *Delivery) noteRead(chat string, id int64) {
	if d.cfg.MarkRead == nil {
		return
	}
	d.readMu.Lock()
	ids := append(d.toRead[chat], id)
	if len(ids) > maxUnread {
		ids = ids[len(ids)-maxUnread:]
	}
	d.toRead[chat] = ids
	d.readMu.Unlock()
}

// Discovered records that chat has items from first on that the bot has
// not handled, as the server's unread markers tell: the next CatchUp
// naming the chat starts there if the chat has no cursor. A chat with a
// cursor keeps it.
func (d *Delivery) Discovered(chat string, first int64) {
	if first <= 0 || d.Known(chat) {
		return
	}
	d.mu.Lock()
	if old, ok := d.firstSeen[chat]; !ok || first < old {
		d.firstSeen[chat] = first
	}
	d.mu.Unlock()
}

// Due reports whether a catch-up would pass item id of chat on: it was
// not passed on yet, or its handler failed with an undelivered command
// and it waits to be passed on again.
func (d *Delivery) Due(chat string, id int64) bool { return d.curs.due(chat, id) }

// Forget stops tracking a chat.
func (d *Delivery) Forget(chat string) {
	d.curs.forget(chat)
	d.mu.Lock()
	delete(d.firstSeen, chat)
	delete(d.behind, chat) // else CatchUpBehind would ask again and again
	delete(d.later, chat)
	d.mu.Unlock()
}

// Pos is an item's chat and position, as a platform reads them cheaply
// from a frame it may not decode in full.
type Pos struct {
	Chat string
	ID   int64
}

// Spill decides whether live items may be left on the server instead of
// queued: when the queue is full, or when one of their chats is already
// behind (so its order holds). It returns true when they were left; the
// platform drops them, and CatchUpBehind fetches them later in order.
func (d *Delivery) Spill(items []Pos, full bool) bool {
	if d.stopping.Load() || len(items) == 0 {
		return false
	}
	d.mu.Lock()
	defer d.mu.Unlock()
	d.seenLocked(items)
	if !full {
		behind := false
		for _, p := range items {
			behind = behind || d.behind[p.Chat] > 0
		}
		if !behind {
			return false
		}
	}
	for _, p := range items {
		if d.behind[p.Chat] == 0 {
			d.behind[p.Chat] = p.ID
		}
	}
	d.spilled.Add(int64(len(items)))
	return true
}

// Seen records live items that are queued rather than offered to Spill
// (a platform that decides cheaply not to spill skips Spill), so that a
// chat new to the Delivery is caught up from its first queued item should
// a later one be spilled. Call it on the goroutine that spills, in the
// order items arrive.
func (d *Delivery) Seen(items []Pos) {
	if d.stopping.Load() || len(items) == 0 {
		return
	}
	d.mu.Lock()
	d.seenLocked(items)
	d.mu.Unlock()
}

func (d *Delivery) seenLocked(items []Pos) {
	for _, p := range items {
		if !d.Known(p.Chat) {
			if _, ok := d.firstSeen[p.Chat]; !ok {
				d.firstSeen[p.Chat] = p.ID
			}
		}
	}
}

// Behind reports whether items were left on the server and wait for
// CatchUpBehind.
func (d *Delivery) Behind() bool {
	d.mu.Lock()
	defer d.mu.Unlock()
	return len(d.behind) > 0
}

// CatchUp passes on, for every known chat and every chat in extra, the
// items after the last one passed on. Call it after each (re)connect,
// before live items flow. It returns bot.ErrStopped when the bot stopped
// taking events.
func (d *Delivery) CatchUp(ctx context.Context, extra ...string) error {
	return d.CatchUpLatest(ctx, nil, extra...)
}

// CatchUpLatest is CatchUp for a platform that can list its chats with
// the position of each one's latest item: a known chat whose latest item
// was passed on already, and which has no item to pass on again and none
// left behind, is not fetched. Chats missing from latest are fetched as
// CatchUp fetches them. It saves a fetch per quiet chat at each reconnect.
func (d *Delivery) CatchUpLatest(ctx context.Context, latest map[string]int64, extra ...string) error {
	chats := d.curs.chats()
	if latest != nil {
		chats = slices.DeleteFunc(chats, func(c string) bool { return d.quiet(c, latest) })
	}
	seen := make(map[string]struct{}, len(chats))
	for _, c := range chats {
		seen[c] = struct{}{}
	}
	d.mu.Lock()
	for c := range d.behind {
		if _, ok := seen[c]; !ok {
			seen[c] = struct{}{}
			chats = append(chats, c)
		}
	}
	d.mu.Unlock()
	for _, c := range extra {
		if _, ok := seen[c]; !ok {
			seen[c] = struct{}{}
			chats = append(chats, c)
		}
	}
	for _, c := range chats {
		if d.stopping.Load() {
			return bot.ErrStopped
		}
		if err := d.CatchUpChat(ctx, c); err != nil {
			return err
		}
	}
	return nil
}

// quiet reports whether chat has nothing to fetch, going by latest.
func (d *Delivery) quiet(chat string, latest map[string]int64) bool {
	last, listed := latest[chat]
	if !listed {
		return false
	}
	pos, known := d.curs.after(chat)
	if !known || last > pos || d.curs.redoFrom(chat) > 0 {
		return false
	}
	d.mu.Lock()
	defer d.mu.Unlock()
	return d.behind[chat] == 0
}

// CatchUpBehind fetches the items left on the server under load, chat by
// chat, until none is behind. Run it on the goroutine that passes live
// items on, once its queue is short again.
func (d *Delivery) CatchUpBehind(ctx context.Context) error {
	for !d.stopping.Load() {
		d.mu.Lock()
		chat := ""
		for c := range d.behind {
			chat = c
			break
		}
		d.mu.Unlock()
		if chat == "" {
			return nil
		}
		if err := d.CatchUpChat(ctx, chat); err != nil {
			return err
		}
	}
	return nil
}

// CatchUpChat passes on the items of one chat after the last one passed
// on. It starts there, not at the first item left behind: earlier items
// may still wait in a queue, and are skipped when they come out of it.
// The chat stops being behind just before the last fetch, so an item
// arriving meanwhile is either in that fetch or queued live (and then
// skipped as passed on already), never missed. A chat new to this process
// starts at the first item seen of it, so its older history is not
// replayed. With Config.ConcurrentCatchUps, catch-ups of different chats
// run at once; else one at a time.
func (d *Delivery) CatchUpChat(ctx context.Context, chat string) error {
	// One catch-up of a chat at a time: two (a connection's and a late
	// CatchUpBehind's) could admit a later item before an earlier one,
	// which would then be taken for passed on.
	mu := &d.catchMu
	if d.cfg.ConcurrentCatchUps {
		m, _ := d.catching.LoadOrStore(chat, new(sync.Mutex))
		mu = m.(*sync.Mutex)
	}
	mu.Lock()
	defer mu.Unlock()
	failures := d.failures.Load()
	after, known := d.curs.after(chat)
	if !known {
		d.mu.Lock()
		from := d.firstSeen[chat]
		if from == 0 {
			from = d.behind[chat]
		}
		d.mu.Unlock()
		after = max(0, from-1)
	}
	if redo := d.curs.redoFrom(chat); redo > 0 {
		after = min(after, redo-1)
	}
	last := false
	for {
		items, err := d.f.FetchAfter(ctx, chat, after, d.cfg.Page)
		if err != nil {
			if errors.Is(err, ErrChatGone) {
				d.log.Info("catch-up skipped a chat that is gone", zap.String("chat", chat), zap.Error(err))
				d.Forget(chat)
				return nil
			}
			return err
		}
		for _, it := range items {
			if it.ID <= after {
				continue
			}
			after = it.ID
			if it.Event == nil {
				continue
			}
			redo := d.curs.takeRedo(chat, it.ID)
			if it.Answered && !redo {
				// Counted as handled, but only once the items passed on
				// before it are: a crash meanwhile must not leave the
				// cursor past one of them.
				if d.curs.answer(ctx, chat, it.ID) {
					d.mu.Lock()
					delete(d.firstSeen, chat)
					d.mu.Unlock()
					d.answered.Add(1)
					if ce := d.log.Check(zap.DebugLevel, "catch-up skipped an item answered already"); ce != nil {
						ce.Write(zap.String("chat", chat), zap.Int64("id", it.ID))
					}
					d.noteRead(chat, it.ID)
				}
				continue
			}
			if !redo && !d.Admit(ctx, chat, it.ID) {
				continue
			}
			d.replayed.Add(1)
			if ce := d.log.Check(zap.DebugLevel, "catch-up passed an item on"); ce != nil {
				ce.Write(zap.String("chat", chat), zap.Int64("id", it.ID), zap.Bool("again", redo))
			}
			if err := d.send(it.Event); err != nil {
				return err
			}
		}
		if last {
			if d.failures.Load() != failures {
				d.keepRetry(chat)
			}
			return nil
		}
		if len(items) < d.cfg.Page {
			d.mu.Lock()
			delete(d.behind, chat)
			d.mu.Unlock()
			last = true
		}
	}
}

// keepRetry marks chat behind again, and signals Retry, when one of its
// items failed while its catch-up ran, after the catch-up had fetched
// past it: the catch-up ended the chat's being behind, so the item would
// otherwise wait for the next connection. (Only a failure during the
// catch-up counts: an item that failed before it and is no longer on the
// server must not make CatchUpBehind fetch the chat again and again.) A
// chat whose retry waits (see Retry) is left to Run.
func (d *Delivery) keepRetry(chat string) {
	redo := d.curs.redoFrom(chat)
	if redo == 0 || d.stopping.Load() {
		return
	}
	d.mu.Lock()
	_, paced := d.later[chat] // Run signals it when due
	if !paced && d.behind[chat] == 0 {
		d.behind[chat] = redo
	}
	d.mu.Unlock()
	if !paced {
		d.signalRetry()
	}
}

func (d *Delivery) send(e bot.Event) error {
	d.mu.Lock()
	emit := d.emit
	d.mu.Unlock()
	if emit == nil {
		return errors.New("kit: Begin was not called")
	}
	err := emit(e)
	if errors.Is(err, bot.ErrStopped) {
		d.stopping.Store(true)
	}
	return err
}

// Run writes the handled cursors until ctx ends: as soon as one moved,
// and then at most once every FlushEvery, so a crash replays little and a
// busy bot does not write per event. A failed write is tried again after
// FlushEvery. Close writes the last ones with Flush. It also signals the
// retries that wait (see Retry).
func (d *Delivery) Run(ctx context.Context) {
	retry := time.NewTicker(d.cfg.FlushEvery)
	defer retry.Stop()
	for {
		select {
		case <-ctx.Done():
			return
		case <-d.curs.kick:
		case <-retry.C:
		}
		if ctx.Err() != nil {
			return
		}
		d.releaseDue(time.Now())
		if err := d.Flush(ctx); err != nil && ctx.Err() == nil {
			d.log.Warn("saving cursors", zap.Error(err))
		}
		if !Sleep(ctx, d.cfg.FlushEvery) {
			return
		}
	}
}

// Flush writes the handled cursors now if they changed, then gives the
// items handled since to MarkRead and runs AfterFlush. A failed write is
// tried again by the next flush.
func (d *Delivery) Flush(ctx context.Context) error {
	err := d.curs.flush(ctx)
	if err == nil {
		d.markRead(ctx)
	}
	if err == nil && d.cfg.AfterFlush != nil {
		err = d.cfg.AfterFlush(ctx)
	}
	return err
}

// markRead hands the handled items to MarkRead, chat by chat; those of a
// chat it failed on wait for the next flush.
func (d *Delivery) markRead(ctx context.Context) {
	if d.cfg.MarkRead == nil {
		return
	}
	d.readMu.Lock()
	if len(d.toRead) == 0 {
		d.readMu.Unlock()
		return
	}
	batch := d.toRead
	d.toRead = map[string][]int64{}
	d.readMu.Unlock()
	for chat, ids := range batch {
		err := d.cfg.MarkRead(ctx, chat, ids)
		if err == nil || errors.Is(err, ErrChatGone) {
			continue
		}
		if ce := d.log.Check(zap.DebugLevel, "marking handled items read; tried again later"); ce != nil {
			ce.Write(zap.String("chat", chat), zap.Int("items", len(ids)), zap.Error(err))
		}
		d.readMu.Lock()
		ids = append(ids, d.toRead[chat]...)
		if len(ids) > maxUnread {
			ids = ids[len(ids)-maxUnread:]
		}
		d.toRead[chat] = ids
		d.readMu.Unlock()
	}
}

// Stats returns the counters.
func (d *Delivery) Stats() Stats {
	return Stats{Replayed: d.replayed.Load(), Skipped: d.skipped.Load(), Spilled: d.spilled.Load(),
		Answered: d.answered.Load()}
}
