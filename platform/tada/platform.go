package tada

import (
	"context"
	"errors"
	"fmt"
	"net/http"
	"os"
	"path/filepath"
	"slices"
	"strconv"
	"strings"
	"sync"
	"sync/atomic"
	"time"

	"go.uber.org/zap"

	"github.com/parleybot/parley/bot"
	"github.com/parleybot/parley/platform/kit"
)

// Platform is the bot.Platform for one Tada team. It keeps one WebSocket,
// confirms each server event once it is in the bot's queue, catches up
// every chat over REST after a (re)connect or a restart, and sends over
// REST (or the WebSocket, see WithSendOverWebSocket).
type Platform struct {
	c    *Client
	opts options
	log  *zap.Logger
	d    *kit.Delivery

	ready atomic.Bool

	mu        sync.Mutex
	listening bool
	conn      *Conn
	connCh    chan struct{} // closed and replaced when conn changes
	me        string
	since     int64 // first version this bot ever looked at; older history is not replayed
	contacts  map[string]Contact
	learned   map[string]Contact           // senders met first in a catch-up, by name only
	members   map[string]map[string]string // group → member → status
	seen      *versions
	groups    groupTracker // the bot's groups, for GroupChanged (groupchange.go)

	resume     string                // where this process resumed from (resume.go)
	unreadFrom map[string]bool       // chats caught up from the server's read marker
	reads      map[string]*readState // read markers to move
	replies    map[string]int        // messages being handled → replies sent to them
	retryNew   map[string]bool       // new messages to pass on again, as new

	lagging map[string]bool  // chats whose catch-up in this session is not done
	spilled map[string]bool  // lagging chats with live messages spilled since their catch-up began
	partial map[string]int64 // lagging chat → newest version of its last short page

	heldBack atomic.Int64 // live messages of chats with no cursor left for their catch-up
}

// New returns a platform for team on the server at baseURL, with the
// bot's token. It does not connect; Listen does.
func New(baseURL, team, token string, opts ...Option) (*Platform, error) {
	c, err := NewClient(baseURL, team, token, opts...)
	if err != nil {
		return nil, err
	}
	p := &Platform{c: c, opts: c.opts, log: c.opts.logger, connCh: make(chan struct{}),
		contacts: map[string]Contact{}, members: map[string]map[string]string{}, seen: newVersions(c.opts.seenMessages),
		unreadFrom: map[string]bool{}, reads: map[string]*readState{}, replies: map[string]int{}, retryNew: map[string]bool{},
		lagging: map[string]bool{}, spilled: map[string]bool{}, partial: map[string]int64{}}
	p.d = kit.NewDelivery(kit.FetchFunc(p.fetchAfter), kit.Config{Store: c.opts.store, Logger: p.log,
		Page: c.opts.catchUpPage, FlushEvery: c.opts.cursorFlush, AfterFlush: p.markRead, PaceRetries: true, ConcurrentCatchUps: true})
	if c.opts.catchUp {
		// server.message.updated is confirmed as soon as it is read. What
		// it holds is a message version in the chat's history, and the
		// REST catch-up recovers it: the cursor of a chat stays below
		// every version not handled for good, a reconnect or restart
		// catches every known chat up from it, and a chat with no cursor
		// is found by its version in the chat list. Confirming after
		// the handler instead leaves the server holding every frame
		// queued behind a busy bot, and each reconnect brings that whole
		// backlog again. Other frames (contacts, receipts) have no
		// catch-up and are still confirmed once passed on.
		c.confirmOnRead = func(f Frame) bool {
			_, ok := f.Event.(*MessageUpdated)
			return ok
		}
	}
	return p, nil
}

// Ready reports whether a connection is up, started and caught up, so
// that live events flow.
func (p *Platform) Ready() bool { return p.ready.Load() }

// Name returns "tada".
func (p *Platform) Name() string { return "tada" }

// Client returns the underlying client, for commands beyond Send.
func (p *Platform) Client() *Client { return p.c }

// ClientOf returns the Tada client of the bot handling c, or nil when the
// bot runs on another platform.
func ClientOf(c *bot.Context) *Client {
	if p, ok := c.Platform().(*Platform); ok {
		return p.c
	}
	return nil
}

// Stats returns the delivery counters. Spilled counts too the live
// messages of chats with no cursor left on the server for their catch-up.
func (p *Platform) Stats() kit.Stats {
	s := p.d.Stats()
	s.Spilled += p.heldBack.Load()
	return s
}

// Listen connects and passes events to emit until ctx ends or the server
// refuses the token or team (a *PanicError or an auth *APIError).
func (p *Platform) Listen(ctx context.Context, emit func(bot.Event) error) error {
	// The catch-up and the reader both pass events on, each from its own
	// goroutine: the bot's emit is safe for concurrent use.
	p.d.Begin(emit)
	p.setListening(true)
	defer p.setListening(false)
	ctx, cancel := context.WithCancel(ctx)
	var wg sync.WaitGroup
	wg.Add(1)
	go func() {
		defer wg.Done()
		p.d.Run(ctx)
	}()
	b := &kit.Backoff{Min: p.opts.reconnectMin, Max: p.opts.reconnectMax}
	err := (&kit.Reconnector{Backoff: b, Log: p.log, What: "tada", Hint: "nothing answers at {addr}; for a local test server: parley sim tada --listen {addr}"}).Run(ctx, func(ctx context.Context, useful func()) error {
		return p.session(ctx, emit, useful)
	})
	cancel()
	wg.Wait()
	if errors.Is(err, bot.ErrStopped) {
		return nil
	}
	return err
}

// permanent marks errors a reconnect cannot fix.
func permanent(err error) error {
	var pe *PanicError
	var ae *APIError
	if errors.As(err, &pe) || errors.Is(err, bot.ErrStopped) || (errors.As(err, &ae) && (ae.Auth() || ae.Status == http.StatusNotFound)) {
		return kit.Permanent(err)
	}
	return err
}

func (p *Platform) session(ctx context.Context, emit func(bot.Event) error, useful func()) error {
	// Dial first: frames are held from here, so none is missed while the
	// start-up runs.
	cn, err := p.c.Dial(ctx)
	if err != nil {
		return permanent(err)
	}
	defer cn.Close()
	defer p.ready.Store(false) // after the catch-up, which may set it, ended
	// The start-up and catch-up end with the connection: a reconnect
	// does them again, and events must not flow with no socket behind.
	ctx, cancel := context.WithCancel(ctx)
	var wg sync.WaitGroup
	wg.Add(1)
	go func(done <-chan struct{}) {
		defer wg.Done()
		select {
		case <-cn.Done():
			cancel()
		case <-done:
		}
	}(ctx.Done())
	defer wg.Wait()
	defer cancel()
	extra, err := p.startup(ctx, emit)
	if err != nil {
		if e := cn.Err(); e != nil {
			err = e // a server.panic explains a failed start-up best
		}
		return permanent(err)
	}
	p.setConn(cn)
	defer p.setConn(nil)
	// The session did useful work once a chat's catch-up finished or a
	// frame was passed on: a drop then is redialled at once, however long
	// the whole catch-up takes under repeated drops.
	var usefulOnce sync.Once
	worked := func() { usefulOnce.Do(useful) }
	if p.opts.catchUp {
		// The catch-up runs beside the reader, so that live events of the
		// chats caught up already flow at once and keep the handlers
		// busy; live messages of a chat still waiting for its catch-up
		// are left on the server (spilled) and the catch-up fetches them
		// in order.
		lag := p.startLagging(extra)
		cctx, ccancel := context.WithCancelCause(ctx)
		defer ccancel(nil)
		wg.Add(1)
		go func() {
			defer wg.Done()
			if err := p.catchUp(cctx, lag, worked); err != nil {
				ccancel(err)
			}
		}()
		ctx = cctx
	} else {
		p.ready.Store(true)
	}
	for {
		var retry <-chan struct{}
		if p.opts.catchUp {
			retry = p.d.Retry()
		}
		f, err := cn.next(ctx, retry)
		if err != nil {
			if e := cn.Err(); e != nil {
				err = e // the connection's end, not the context it cancelled
			} else if c := context.Cause(ctx); c != nil && !errors.Is(c, context.Canceled) {
				err = c // the catch-up failed
			}
			return permanent(err)
		}
		if _, ok := f.Event.(retrySignal); ok {
			// A handler failed to deliver a command while the
			// connection stays up: its message goes on again now, from
			// this goroutine, which passes the live messages on, so its
			// chat keeps its order (the catch-up beside it takes turns
			// with it chat by chat).
			if err := p.d.CatchUpBehind(ctx); err != nil {
				if e := cn.Err(); e != nil {
					err = e
				}
				return permanent(err)
			}
			continue
		}
		if o, ok := f.Event.(*Overflow); ok {
			// Frames were dropped while the bot was behind: fetch what
			// they held, then confirm them, or the server keeps them
			// and a reconnect brings them back.
			p.log.Debug("tada: frames dropped while the bot was behind; catching up", zap.Int("dropped", o.Dropped))
			p.mu.Lock()
			for c := range p.lagging {
				p.spilled[c] = true // a dropped frame may be one of theirs
			}
			clear(p.partial)
			p.mu.Unlock()
			if err := p.resync(ctx, emit); err != nil {
				if e := cn.Err(); e != nil {
					err = e
				}
				return permanent(err)
			}
			for _, id := range o.ConfirmIDs {
				if err := cn.Confirm(ctx, id); err != nil {
					return err
				}
			}
			continue
		}
		if err := p.handle(ctx, f, emit); err != nil {
			return permanent(err)
		}
		worked()
		if f.ConfirmID != "" {
			if err := cn.Confirm(ctx, f.ConfirmID); err != nil {
				return err
			}
		}
	}
}

// startLagging returns the chats a new connection catches up, every
// known chat and then extra, and holds back their live messages until
// each one's catch-up is done. Chats the last connection did not get to
// come first: under drops that come faster than a whole catch-up, every
// chat still gets its turn.
func (p *Platform) startLagging(extra []string) []string {
	chats := p.d.Chats()
	p.mu.Lock()
	defer p.mu.Unlock()
	slices.SortFunc(chats, func(a, b string) int {
		if la, lb := p.lagging[a], p.lagging[b]; la != lb {
			if la {
				return -1
			}
			return 1
		}
		return strings.Compare(a, b)
	})
	clear(p.lagging)
	clear(p.spilled)
	clear(p.partial)
	for _, c := range chats {
		p.lagging[c] = true
	}
	for _, c := range extra {
		if !p.lagging[c] {
			p.lagging[c] = true
			chats = append(chats, c)
		}
	}
	return chats
}

// spillLagging leaves a live message on the server when its chat waits
// for its catch-up, which fetches it in order; it reports whether it did.
func (p *Platform) spillLagging(m Message) bool {
	p.mu.Lock()
	lag := p.lagging[m.Chat] && m.From != p.me
	if lag {
		p.spilled[m.Chat] = true
	}
	p.mu.Unlock()
	if !lag {
		return false
	}
	if ce := p.log.Check(zap.DebugLevel, "tada: live message left for its chat's catch-up"); ce != nil {
		ce.Write(zap.String("chat", m.Chat), zap.Int64("gentime", m.Gentime))
	}
	if !p.d.Known(m.Chat) {
		// Not through the kit's Spill, which would take this message for
		// the chat's first and have the catch-up skip the backlog before
		// it (read markers, messages since the last run).
		p.heldBack.Add(1)
		return true
	}
	return p.d.Spill([]kit.Pos{{Chat: m.Chat, ID: m.Gentime}}, true)
}

// catchUpWorkers is how many chats a connection's catch-up fetches at
// once: under frequent drops a catch-up that ends sooner lets more chats'
// live messages flow instead of being left and fetched.
const catchUpWorkers = 4

// catchUp catches the chats up, catchUpWorkers at a time and each by
// one worker at a time, beside the reader: a chat whose live messages
// were spilled while its catch-up ran is caught up again, until one ran
// with none spilled; then its live messages flow. The first error stops
// the others.
func (p *Platform) catchUp(ctx context.Context, chats []string, worked func()) error {
	start, n := time.Now(), len(chats)
	ctx, cancel := context.WithCancel(ctx)
	defer cancel()
	var (
		mu    sync.Mutex
		queue = chats
		again int
		first error
		wg    sync.WaitGroup
	)
	// next hands out the chats in order; a chat whose live messages were
	// left during its own catch-up goes to the back of the queue.
	next := func() (string, bool) {
		mu.Lock()
		defer mu.Unlock()
		if len(queue) == 0 || first != nil {
			return "", false
		}
		c := queue[0]
		queue = queue[1:]
		return c, true
	}
	fail := func(err error) {
		mu.Lock()
		if first == nil {
			first = err
		}
		mu.Unlock()
		cancel()
	}
	for range min(catchUpWorkers, max(len(chats), 1)) {
		wg.Go(func() {
			for c, ok := next(); ok; c, ok = next() {
				if p.d.Stopping() {
					fail(bot.ErrStopped)
					return
				}
				p.mu.Lock()
				delete(p.spilled, c)
				delete(p.partial, c)
				p.mu.Unlock()
				if err := p.d.CatchUpChat(ctx, c); err != nil {
					fail(err)
					return
				}
				worked()
				p.mu.Lock()
				delete(p.partial, c)
				redo := p.spilled[c]
				if redo {
					delete(p.spilled, c)
				} else {
					delete(p.lagging, c)
				}
				p.mu.Unlock()
				if redo {
					mu.Lock()
					queue = append(queue, c)
					again++
					mu.Unlock()
				}
			}
		})
	}
	wg.Wait()
	if first != nil {
		return first
	}
	p.mu.Lock()
	for jid := range p.unreadFrom {
		if p.d.Known(jid) {
			delete(p.unreadFrom, jid)
		}
	}
	p.mu.Unlock()
	if ctx.Err() != nil {
		return ctx.Err()
	}
	if ce := p.log.Check(zap.DebugLevel, "tada: caught up"); ce != nil {
		ce.Write(zap.Int("chats", n), zap.Int("again", again), zap.Duration("took", time.Since(start)))
	}
	p.ready.Store(true)
	return nil
}

// errCatchUpOff ends a connection whose reader dropped frames when
// catch-up is off: the next connection gets them again.
var errCatchUpOff = errors.New("tada: frames dropped while the bot was behind and catch-up is off: reconnecting to get them again")

// resync makes up for the frames the reader dropped while the bot was
// behind: contacts and groups are listed again (a contact who joined, a
// group change), and every chat is caught up. What else was dropped was
// not confirmed and comes again on the next connection.
func (p *Platform) resync(ctx context.Context, emit func(bot.Event) error) error {
	contacts, err := p.c.Contacts(ctx)
	if err != nil {
		return err
	}
	var joined []bot.Event
	p.mu.Lock()
	for _, c := range contacts {
		if _, known := p.contacts[c.JID]; !known && c.JID != p.me {
			joined = append(joined, &ContactJoined{Contact: c})
		}
		p.contacts[c.JID] = c
	}
	p.mu.Unlock()
	if err := emitAll(joined, emit); err != nil {
		return err
	}
	chats, err := p.c.Chats(ctx)
	if err != nil {
		return err
	}
	var extra []string
	p.mu.Lock()
	key := p.groups.key
	for _, c := range chats.Objects {
		p.noteChatLocked(c)
		if (c.Gentime > p.since || p.unreadFrom[c.JID]) && !p.d.Known(c.JID) {
			extra = append(extra, c.JID)
		}
	}
	p.mu.Unlock()
	if err := p.syncGroups(ctx, key, chats.Objects, emit); err != nil {
		return err
	}
	if !p.opts.catchUp {
		return errCatchUpOff
	}
	return p.d.CatchUp(ctx, extra...)
}

// startup learns who the bot is, its contacts and groups, emits the
// group changes since it last looked, loads the cursors and returns the
// chats to catch up that have no cursor yet.
func (p *Platform) startup(ctx context.Context, emit func(bot.Event) error) ([]string, error) {
	me, err := p.c.Me(ctx)
	if err != nil {
		return nil, err
	}
	contacts, err := p.c.Contacts(ctx)
	if err != nil {
		return nil, err
	}
	chats, err := p.c.Chats(ctx)
	if err != nil {
		return nil, err
	}
	p.mu.Lock()
	p.me = me.JID
	for _, c := range contacts {
		p.contacts[c.JID] = c
	}
	for _, c := range chats.Objects {
		p.noteChatLocked(c)
	}
	p.mu.Unlock()
	key := "tada:" + p.c.team + ":" + me.JID
	p.d.SetKey(key + ":cursors")
	if err := p.d.Load(ctx); err != nil {
		return nil, err
	}
	fromStore, err := p.loadSince(ctx, key+":since", chats.Objects)
	if err != nil {
		return nil, err
	}
	p.mu.Lock()
	p.chooseResume(fromStore, chats.Objects)
	p.mu.Unlock()
	if err := p.syncGroups(ctx, key+":groups", chats.Objects, emit); err != nil {
		return nil, err
	}
	var extra []string
	p.mu.Lock()
	defer p.mu.Unlock()
	for _, c := range chats.Objects {
		if (c.Gentime > p.since || p.unreadFrom[c.JID]) && !p.d.Known(c.JID) {
			extra = append(extra, c.JID)
		}
	}
	return extra, nil
}

// loadSince reads, or on the very first start sets, the version before
// which history is never replayed: the newest of the chats now. It
// reports whether the store had it from an earlier run.
func (p *Platform) loadSince(ctx context.Context, key string, chats []Chat) (bool, error) {
	if p.since != 0 {
		return false, nil
	}
	st := p.opts.store
	if st != nil {
		data, ok, err := st.Get(ctx, key)
		if err != nil {
			return false, fmt.Errorf("tada: loading %s: %w", key, err)
		}
		if ok {
			if n, err := strconv.ParseInt(string(data), 10, 64); err == nil && n > 0 {
				p.since = n
				return true, nil
			}
		}
	}
	var since int64 = 1
	for _, c := range chats {
		since = max(since, c.Gentime)
	}
	if st != nil {
		if err := st.Set(ctx, key, []byte(strconv.FormatInt(since, 10)), 0); err != nil {
			return false, fmt.Errorf("tada: saving %s: %w", key, err)
		}
	}
	p.since = since
	return false, nil
}

func (p *Platform) noteChatLocked(c Chat) {
	if len(c.Members) == 0 {
		return
	}
	m := make(map[string]string, len(c.Members))
	for _, gm := range c.Members {
		m[gm.JID] = gm.Status
	}
	p.members[c.JID] = m
}

func (p *Platform) setListening(on bool) {
	p.mu.Lock()
	p.listening = on
	close(p.connCh)
	p.connCh = make(chan struct{})
	p.mu.Unlock()
}

func (p *Platform) setConn(cn *Conn) {
	p.mu.Lock()
	p.conn = cn
	close(p.connCh)
	p.connCh = make(chan struct{})
	p.mu.Unlock()
}

// handle passes one frame's events on.
func (p *Platform) handle(ctx context.Context, f Frame, emit func(bot.Event) error) error {
	switch ev := f.Event.(type) {
	case *MessageUpdated:
		for i := range ev.Messages {
			if p.spillLagging(ev.Messages[i]) {
				continue
			}
			if err := p.d.Live(ctx, p.classify(ev.Messages[i], ev.Delayed, false, 0)); err != nil {
				return err
			}
		}
		return nil
	case *ContactUpdated:
		var joined []bot.Event
		p.mu.Lock()
		for _, c := range ev.Contacts {
			if _, known := p.contacts[c.JID]; !known && c.JID != p.me {
				joined = append(joined, &ContactJoined{Contact: c})
			}
			p.contacts[c.JID] = c
		}
		p.mu.Unlock()
		for _, j := range joined {
			if err := emit(j); err != nil {
				return err
			}
		}
	case *ChatUpdated:
		if err := p.onChatsUpdated(ctx, ev.Chats, emit); err != nil {
			return err
		}
	case *ChatDeleted:
		for _, c := range ev.Chats {
			p.d.Forget(c.JID)
		}
		p.forgetGroups(ctx, ev.Chats)
	}
	return emit(f.Event)
}

// classify turns one message version into a kit item: a new message, an
// edit, a deletion, another change, or nothing (the bot's own messages
// and versions seen already). after is the chat's position before a
// catch-up.
func (p *Platform) classify(m Message, delayed, replayed bool, after int64) kit.Item {
	it := kit.Item{Chat: m.Chat, ID: m.Gentime}
	p.mu.Lock()
	me := p.me
	prev, seen := p.seen.get(m.MessageID)
	if !seen || m.Gentime > prev.gentime {
		p.seen.put(m.MessageID, version{gentime: m.Gentime, edited: m.Edited, deleted: m.Deleted()})
	}
	// A new message whose command was not delivered is new again when a
	// catch-up finds it, whatever versions came meanwhile.
	retry := replayed && p.retryNew[m.MessageID]
	if retry {
		delete(p.retryNew, m.MessageID)
	}
	p.mu.Unlock()
	if m.From == me || (!retry && seen && m.Gentime <= prev.gentime) {
		return it
	}
	base := messageEvent{Msg: m, Replayed: replayed}
	isNew := retry || !seen && !delayed
	if replayed && !seen && !retry {
		// Catch-up has no "delayed": a message created before the
		// chat's position is a change of one passed on already, unless
		// this version is its creation, which came after the position
		// (created is stamped to the microsecond, before the version:
		// a new chat's first message, whose position is one below its
		// version, is created "before" it).
		isNew = after == 0 || m.CreatedTime().UnixNano() > after || creationVersion(&m)
	}
	switch {
	case m.Deleted():
		if !seen || !prev.deleted {
			it.Event = &MessageDeleted{base}
		}
	case isNew:
		base.norm = []bot.Message{Normalize(&m, p.lookup(m.Chat))}
		it.Event = &NewMessage{base}
		p.registerReply(m.MessageID)
	case m.Edited != "" && (!seen || m.Edited != prev.edited):
		n := Normalize(&m, p.lookup(m.Chat))
		n.Edited = true
		base.norm = []bot.Message{n}
		it.Event = &MessageEdited{base}
	default:
		it.Event = &MessageChanged{base}
	}
	return it
}

// creationSkew bounds the time between a message's created stamp and the
// version the server gives it when it is created.
const creationSkew = time.Second

// creationVersion reports whether m is the version made when the message
// was created: never edited, deleted or reacted to, and versioned within
// creationSkew of its creation.
func creationVersion(m *Message) bool {
	c := m.CreatedTime()
	if c.IsZero() || m.Edited != "" || m.Deleted() || len(m.Reactions) > 0 {
		return false
	}
	d := m.Gentime - c.UnixNano()
	return d >= 0 && d < int64(creationSkew)
}

// lookup returns the contact lookup for messages of chat.
func (p *Platform) lookup(chat string) func(string) (string, string, bool) {
	return func(jid string) (string, string, bool) {
		p.mu.Lock()
		defer p.mu.Unlock()
		c, ok := p.contacts[jid]
		if !ok {
			c = p.learned[jid]
		}
		return c.DisplayName, p.members[chat][jid], c.Botname != ""
	}
}

// fetchAfter is the kit's Fetcher: a chat's message versions after a
// version, oldest first, deletions included.
func (p *Platform) fetchAfter(ctx context.Context, chat string, after int64, limit int) ([]kit.Item, error) {
	from := after
	f := MessageFilter{Limit: limit, IncludeDeleted: true}
	p.mu.Lock()
	unread := after == 0 && p.unreadFrom[chat]
	if last, ok := p.partial[chat]; ok && last == after && p.lagging[chat] && !p.spilled[chat] {
		// The kit fetches again after a short page, for messages that
		// came meanwhile; those of a lagging chat are spilled, which
		// makes its catch-up run again, so nothing came.
		p.mu.Unlock()
		return nil, nil
	}
	p.mu.Unlock()
	switch {
	case unread:
		// A chat this process has no cursor for, resumed from the
		// server's read marker: what the bot has not handled yet. The
		// next pages go on from the newest version listed here.
		f = MessageFilter{Limit: limit, Unread: true}
	case from == 0:
		from = p.since
	}
	f.GentimeFrom = from
	list, err := p.c.ListMessages(ctx, chat, f)
	if err != nil {
		var ae *APIError
		if errors.As(err, &ae) && ae.Code == CodeNotFound {
			return nil, fmt.Errorf("%w: %w", kit.ErrChatGone, err)
		}
		return nil, err
	}
	msgs := list.Messages
	slices.SortStableFunc(msgs, func(a, b Message) int { return compareInt(a.Gentime, b.Gentime) })
	p.learnSenders(ctx, msgs)
	items := make([]kit.Item, 0, len(msgs))
	for _, m := range msgs {
		if m.Chat == "" {
			m.Chat = chat
		}
		items = append(items, p.classify(m, false, true, from))
	}
	if len(items) < limit {
		last := after
		if len(items) > 0 {
			last = max(after, items[len(items)-1].ID)
		}
		p.mu.Lock()
		if p.lagging[chat] {
			p.partial[chat] = last
		}
		p.mu.Unlock()
	}
	return items, nil
}

// learnSenders reloads the contacts when a fetched message comes from one
// this process does not know yet: a contact made after the start-up list
// writes before its contact.updated frame is read, and its messages would
// otherwise carry no sender name.
func (p *Platform) learnSenders(ctx context.Context, msgs []Message) {
	p.mu.Lock()
	missing := false
	for i := range msgs {
		if _, ok := p.contacts[msgs[i].From]; !ok && msgs[i].From != "" && msgs[i].From != p.me {
			missing = true
			break
		}
	}
	p.mu.Unlock()
	if !missing {
		return
	}
	contacts, err := p.c.Contacts(ctx)
	if err != nil {
		p.log.Debug("tada: reloading contacts for a catch-up", zap.Error(err))
		return
	}
	p.mu.Lock()
	if p.learned == nil {
		p.learned = map[string]Contact{}
	}
	for _, c := range contacts {
		// Kept apart: the contact.updated frame still to come must find
		// the contact new and report it joined.
		if _, ok := p.contacts[c.JID]; !ok {
			p.learned[c.JID] = c
		}
	}
	p.mu.Unlock()
}

func compareInt(a, b int64) int {
	switch {
	case a < b:
		return -1
	case a > b:
		return 1
	}
	return 0
}

// EventHandled records the handler's outcome at the chat's position: a
// handler whose command was not delivered leaves the message to be passed
// on again, at once while the connection stays up (with catch-up on),
// else after the next reconnect.
func (p *Platform) EventHandled(e bot.Event, err error) {
	if me, ok := e.(interface {
		position() (string, int64)
		messageID() string
	}); ok {
		chat, id := me.position()
		undelivered := bot.Undelivered(err)
		if nm, ok := e.(*NewMessage); ok {
			p.handledReply(nm.Msg.MessageID, undelivered)
			p.noteRead(chat, id, nm.Msg.MessageID, undelivered)
		}
		if undelivered {
			// The catch-up fetches this version again: it must not be
			// taken for one seen already, and a new message stays new.
			p.mu.Lock()
			p.seen.forget(me.messageID())
			if _, ok := e.(*NewMessage); ok {
				if len(p.retryNew) >= p.opts.seenMessages {
					clear(p.retryNew)
				}
				p.retryNew[me.messageID()] = true
			}
			p.mu.Unlock()
		}
		p.d.Handled(chat, id, err)
	}
}

func (e *messageEvent) position() (string, int64) { return e.Msg.Chat, e.Msg.Gentime }

func (e *messageEvent) messageID() string { return e.Msg.MessageID }

// Close writes the handled positions.
func (p *Platform) Close(ctx context.Context) error { return p.d.Flush(ctx) }

// Send sends text (split at max_message_length) and then each file to a
// chat JID; it returns the message ids. Each part has its own message_id,
// so a part whose outcome is unknown is tried again without doubling it.
func (p *Platform) Send(ctx context.Context, chatID string, m bot.Outgoing) ([]string, error) {
	var ids []string
	if m.Text != "" || len(m.Files) == 0 {
		parts := SplitText(m.Text, p.c.MaxMessageLength())
		msgIDs := make([]string, len(parts))
		if m.ReplyTo != "" {
			msgIDs = p.replyIDs(m.ReplyTo, len(parts))
		}
		for i, part := range parts {
			if msgIDs[i] == "" {
				msgIDs[i] = NewMessageID()
			}
			s := SendMessage{Chat: chatID, Text: part, MessageID: msgIDs[i]}
			if i == 0 {
				s.ReplyTo = m.ReplyTo
			}
			if err := p.sendOne(ctx, s); err != nil {
				return ids, err
			}
			ids = append(ids, s.MessageID)
		}
	}
	for _, path := range m.Files {
		f, err := os.Open(path)
		if err != nil {
			return ids, fmt.Errorf("tada: %w", err)
		}
		msg, err := p.c.UploadFile(ctx, UploadFile{Chat: chatID, Name: filepath.Base(path), Data: f})
		f.Close()
		if err != nil {
			return ids, err
		}
		ids = append(ids, msg.MessageID)
	}
	return ids, nil
}

// sendOne sends one message, again with the same message_id while its
// outcome is unknown.
func (p *Platform) sendOne(ctx context.Context, s SendMessage) error {
	b := kit.Backoff{Min: p.opts.reconnectMin, Max: p.opts.reconnectMax}
	for attempt := 0; ; attempt++ {
		var err error
		if p.opts.sendOverWS {
			err = p.sendWS(ctx, s)
		} else {
			_, err = p.c.SendMessage(ctx, s)
		}
		if err == nil || attempt >= p.opts.sendRetries || !(errors.Is(err, ErrOutcomeUnknown) || errors.Is(err, ErrConnClosed)) {
			return err
		}
		p.log.Debug("send outcome unknown; sending again", zap.String("message_id", s.MessageID), zap.Error(err))
		if !kit.Sleep(ctx, b.Next()) {
			return err
		}
	}
}

// sendWS sends over the current connection, waiting for one.
func (p *Platform) sendWS(ctx context.Context, s SendMessage) error {
	for {
		p.mu.Lock()
		cn, ch, listening := p.conn, p.connCh, p.listening
		p.mu.Unlock()
		if !listening {
			return ErrNotListening
		}
		if cn != nil {
			_, err := cn.SendMessage(ctx, s)
			return err
		}
		select {
		case <-ch:
		case <-ctx.Done():
			return ctx.Err()
		}
	}
}

// ErrNotListening is returned by WebSocket sends while Listen does not run.
var ErrNotListening = errors.New("tada: not listening: sends over the WebSocket need a running Listen")

// Edit changes the text of a message the bot sent.
func (p *Platform) Edit(ctx context.Context, chatID, msgID, text string) error {
	_, err := p.c.EditMessage(ctx, EditMessage{Chat: chatID, MessageID: msgID, Text: text})
	return err
}

// Delete deletes a message for everyone.
func (p *Platform) Delete(ctx context.Context, chatID, msgID string) error {
	_, err := p.c.DeleteMessage(ctx, chatID, msgID)
	return err
}

// SendPrivate writes to a group member in the direct chat with them.
func (p *Platform) SendPrivate(ctx context.Context, _ string, memberID string, m bot.Outgoing) ([]string, error) {
	if ChatTypeOf(memberID) != ChatDirect {
		return nil, fmt.Errorf("tada: %q is not a contact JID", memberID)
	}
	return p.Send(ctx, memberID, m)
}

// ErrCannotReject is returned by RejectRequest: a team member cannot be
// refused, only left unanswered.
var ErrCannotReject = fmt.Errorf("tada: team members cannot be refused: %w", bot.ErrUnsupported)

// AcceptRequest greets a ContactJoined with opts.Welcome in the direct
// chat; there is nothing else to accept on Tada.
func (p *Platform) AcceptRequest(ctx context.Context, r bot.Request, opts bot.AcceptOptions) error {
	cj, ok := r.(*ContactJoined)
	if !ok {
		return fmt.Errorf("tada: cannot accept %T: %w", r, bot.ErrUnsupported)
	}
	if opts.Welcome == "" {
		return nil
	}
	_, err := p.Send(ctx, cj.Contact.JID, bot.Outgoing{Text: opts.Welcome})
	return err
}

// RejectRequest returns ErrCannotReject.
func (p *Platform) RejectRequest(context.Context, bot.Request) error { return ErrCannotReject }

// version is what is remembered of a message to drop repeats.
type version struct {
	gentime int64
	edited  string
	deleted bool
}

// versions is a bounded map of message id → latest version seen; the
// oldest entries go first.
type versions struct {
	max   int
	m     map[string]version
	order []string
	head  int
}

func newVersions(n int) *versions { return &versions{max: max(n, 1), m: map[string]version{}} }

func (v *versions) get(id string) (version, bool) {
	x, ok := v.m[id]
	return x, ok
}

// forget drops a message's version; its id may stay in order, where its
// turn to go comes early if it is put again.
func (v *versions) forget(id string) { delete(v.m, id) }

func (v *versions) put(id string, x version) {
	if _, ok := v.m[id]; !ok {
		if len(v.order) < v.max {
			v.order = append(v.order, id)
		} else {
			delete(v.m, v.order[v.head])
			v.order[v.head] = id
			v.head = (v.head + 1) % v.max
		}
	}
	v.m[id] = x
}
