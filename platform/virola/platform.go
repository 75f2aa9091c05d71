package virola

import (
	"context"
	"errors"
	"fmt"
	"net/url"
	"strconv"
	"sync"
	"sync/atomic"
	"time"

	"github.com/coder/websocket"
	"go.uber.org/zap"

	"github.com/parleybot/parley/bot"
	"github.com/parleybot/parley/platform/kit"
)

// maxParents bounds the message → parent map used to thread replies.
const maxParents = 1 << 16

// Stats are the platform's counters.
type Stats struct {
	Connects  int64 // event sockets opened
	Malformed int64 // frames that did not decode (each starts a catch-up)
	Unknown   int64 // events of unknown types (passed on)
	Replayed  int64 // messages passed on by catch-up
	Skipped   int64 // live messages passed on already
	Matched   int64 // sends whose message id was found
	Unmatched int64 // sends whose message id could not be found
	Replied   int64 // messages a catch-up skipped: the bot's comment answers them
	Read      int64 // messages a catch-up from read marks skipped: read by the bot
	OwnReads  int64 // updates not passed on: the echo of the bot's own read mark
	Overflow  int64 // frames dropped because too many waited (each run starts a catch-up)
	// Reconciled counts replies not posted again: the message was handled
	// again after its earlier reply's outcome was lost, and the thread
	// holds that reply.
	Reconciled int64
}

// Platform is the Virola bot.Platform: the events socket, REST commands
// and catch-up through the kit. It implements bot.HandledNotifier,
// bot.Closer, bot.Deleter and bot.RequestAccepter; Virola has no edit, so
// it does not implement bot.Editor.
type Platform struct {
	o      options
	client *Client
	log    *zap.Logger
	d      *kit.Delivery
	match  *matcher

	listening atomic.Bool
	ready     atomic.Bool
	keySet    bool

	// markMu orders the writes of the mark, so an older one never lands
	// after a newer one. It is taken before mu.
	markMu sync.Mutex

	mu        sync.Mutex
	rooms     map[int64]Room  // as last seen
	users     map[int64]User  // as last listed
	parents   map[int64]int64 // message → parent (0 for room messages)
	snapshot  map[int64]Room  // the room list of the running catch-up
	floors    map[int64]int64 // where rooms new to the cursors start
	floorsOK  bool
	mark      int64 // high-water mark loaded at start
	markSaved int64 // the last one written
	// markStored says the store holds a mark: a process ran on it, so
	// this is a restart, even when the mark is 0.
	markStored bool
	// settled is the highest message id such that every message up to
	// it was passed on (its room has a stored cursor) or lies at or
	// below its room's floor. Only it may become the mark: a room
	// without a cursor starts there after a restart. The highest id
	// handled may not: a catch-up passes on messages newer than live
	// ones still queued, whose rooms may have no cursor yet.
	settled int64
	// preOpen is the room list taken before the first socket opened, on
	// a first start: the history not to replay.
	preOpen map[int64]Room

	resume           string          // where this process resumed from (resume.go)
	unreadFrom       map[int64]bool  // rooms caught up from the server's read marks
	toMark           []int64         // handled messages to mark read
	undelivered      map[string]bool // "room:id" of messages whose command was not delivered
	undeliveredDirty bool
	unknownSeen      map[string]bool // unknown event types, logged once each
	marked           map[int64]bool  // messages the bot marked read, until their update comes
	claimed          map[int64]bool  // the bot's comments a reconciled reply stands for

	connects, malformed, unknown, matched, unmatched, replied, readSkipped, ownReads, overflow, reconciled atomic.Int64
}

// maxToMark bounds the messages waiting to be marked read; past it the
// oldest marks are dropped (their messages may come again after a restart
// without a store).
const maxToMark = 1 << 16

// New returns a platform for the server at baseURL, such as
// "https://127.0.0.1:7777". Give it WithToken or WithLogin.
func New(baseURL string, opts ...Option) *Platform {
	o := defaultOptions()
	for _, opt := range opts {
		opt.apply(&o)
	}
	p := &Platform{o: o, client: newClient(baseURL, o), log: o.logger, match: newMatcher(),
		rooms: map[int64]Room{}, users: map[int64]User{}, parents: map[int64]int64{}, floors: map[int64]int64{},
		unreadFrom: map[int64]bool{}, undelivered: map[string]bool{}, unknownSeen: map[string]bool{}, marked: map[int64]bool{}, claimed: map[int64]bool{}}
	p.d = kit.NewDelivery(kit.FetchFunc(p.fetchAfter), kit.Config{Store: o.store, Logger: o.logger,
		Page: o.page, FlushEvery: o.flushEvery, AfterFlush: p.afterFlush, PaceRetries: true})
	return p
}

// Name returns "virola".
func (p *Platform) Name() string { return "virola" }

// Client returns the REST client.
func (p *Platform) Client() *Client { return p.client }

// Ready reports whether the events socket is open and caught up.
func (p *Platform) Ready() bool { return p.ready.Load() }

// Stats returns the counters.
func (p *Platform) Stats() Stats {
	ks := p.d.Stats()
	return Stats{Connects: p.connects.Load(), Malformed: p.malformed.Load(), Unknown: p.unknown.Load(),
		Replayed: ks.Replayed, Skipped: ks.Skipped, Matched: p.matched.Load(), Unmatched: p.unmatched.Load(),
		Replied: p.replied.Load(), Read: p.readSkipped.Load(), OwnReads: p.ownReads.Load(), Reconciled: p.reconciled.Load(),
		Overflow: p.overflow.Load()}
}

// ClientOf returns the Virola client of the platform that delivered c's
// event, or nil for another platform.
func ClientOf(c *bot.Context) *Client {
	if p, ok := c.Platform().(*Platform); ok {
		return p.client
	}
	return nil
}

// Listen implements bot.Platform: it keeps the events socket open,
// reconnecting with the kit's backoff, catches up after every (re)connect
// and passes events on in order. A refused token or password ends it.
func (p *Platform) Listen(ctx context.Context, emit func(bot.Event) error) error {
	if !p.listening.CompareAndSwap(false, true) {
		return errors.New("virola: platform already listening")
	}
	defer p.listening.Store(false)
	if w := p.client.TLSWarning(); w != "" {
		p.log.Warn("virola: "+w, zap.String("url", p.client.BaseURL()))
	}
	p.d.Begin(emit)
	ctx, cancel := context.WithCancel(ctx)
	var wg sync.WaitGroup
	wg.Add(1)
	go func() { defer wg.Done(); p.d.Run(ctx) }()
	b := &kit.Backoff{Min: p.o.minBackoff, Max: p.o.maxBackoff}
	err := (&kit.Reconnector{Backoff: b, Log: p.log, What: "virola events", Hint: "start the Virola server, or a simulator: parley sim virola --listen {addr}"}).Run(ctx, func(ctx context.Context, useful func()) error {
		err := p.session(ctx, emit, useful)
		if IsUnauthorized(err) || errors.Is(err, ErrNoCredentials) || errors.Is(err, bot.ErrStopped) {
			return kit.Permanent(err)
		}
		return err
	})
	cancel()
	wg.Wait()
	p.ready.Store(false)
	if errors.Is(err, bot.ErrStopped) {
		return nil
	}
	return err
}

type frameItem struct {
	ev  bot.Event
	err error // a malformed frame (the socket goes on) or the socket's end
	end bool
	lag bool // frames were dropped after this point: catch up
	// retry: a handler failed to deliver a command (kit's Retry); its
	// message goes on again
	retry bool
}

// session runs one socket: open it, catch up, then pass live events on.
func (p *Platform) session(ctx context.Context, emit func(bot.Event) error, useful func()) error {
	defer p.ready.Store(false)
	if err := p.start(ctx); err != nil {
		return err
	}
	if err := p.listBeforeOpen(ctx); err != nil {
		return err
	}
	conn, err := p.client.DialEvents(ctx)
	if err != nil {
		return err
	}
	if p.connects.Add(1) > 1 && p.o.onReconnect != nil {
		p.o.onReconnect()
	}
	ctx, cancel := context.WithCancel(ctx)
	q := newFrameQueue(p.o.queueLimit)
	var wg sync.WaitGroup
	wg.Add(2)
	go func() { defer wg.Done(); p.read(ctx, conn, q) }()
	go func() { defer wg.Done(); p.ping(ctx, conn) }()
	defer func() {
		cancel()
		_ = conn.CloseNow()
		wg.Wait()
	}()
	// The socket is open before the catch-up, so nothing falls between
	// them; live events caught up already are skipped.
	resync := true
	for {
		if resync {
			resync = false
			if err := p.catchUp(ctx); err != nil {
				return err
			}
			p.ready.Store(true)
			useful()
		}
		it, ok := q.pop(ctx, p.d.Retry())
		if !ok {
			return nil
		}
		if it.end {
			return it.err
		}
		if it.retry {
			// The socket stays up: the message goes on again now, from
			// this goroutine so that its room keeps its order.
			if err := p.d.CatchUpBehind(ctx); err != nil {
				return err
			}
			continue
		}
		if it.lag {
			p.log.Warn("virola: too many events waited; dropped some and catching up", zap.Int64("dropped", p.overflow.Load()))
			resync = true
			continue
		}
		if it.err != nil {
			p.malformed.Add(1)
			p.log.Warn("virola: malformed frame; catching up", zap.Error(it.err))
			resync = true
			continue
		}
		if err := p.onEvent(ctx, it.ev, emit); err != nil {
			if errors.Is(err, bot.ErrStopped) {
				p.d.Stop()
				return kit.Permanent(err)
			}
			return err
		}
	}
}

// listBeforeOpen lists the rooms before the socket opens on a first
// start: a room's messages up to then are history, not replayed, and any
// message after it is on the socket or found by the catch-up.
func (p *Platform) listBeforeOpen(ctx context.Context) error {
	p.mu.Lock()
	first := p.o.catchUp && !p.floorsOK && !p.markStored
	p.mu.Unlock()
	if !first {
		return nil
	}
	rooms, err := p.listRooms(ctx)
	if err != nil {
		return err
	}
	p.mu.Lock()
	p.preOpen = rooms
	p.mu.Unlock()
	return nil
}

// start learns who the bot is and loads the cursors, once.
func (p *Platform) start(ctx context.Context) error {
	if p.client.Self() == 0 {
		if p.client.useCookie() {
			if _, _, err := p.client.authenticate(ctx); err != nil {
				return err
			}
		}
		if _, err := p.client.Status(ctx); err != nil {
			return err
		}
	}
	if p.keySet {
		return nil
	}
	host := ""
	if u, err := url.Parse(p.client.BaseURL()); err == nil {
		host = u.Host
	}
	p.d.SetKey("virola:cursors:" + host + ":" + itoa(p.client.Self()))
	if err := p.d.Load(ctx); err != nil {
		return err
	}
	if p.o.store != nil {
		data, ok, err := p.o.store.Get(ctx, p.markKey())
		if err != nil {
			return fmt.Errorf("virola: loading the high-water mark: %w", err)
		}
		if ok {
			mark, _ := strconv.ParseInt(string(data), 10, 64)
			p.mu.Lock()
			p.mark, p.markSaved, p.markStored = mark, mark, true
			p.mu.Unlock()
		}
	}
	if err := p.loadUndelivered(ctx); err != nil {
		return err
	}
	p.mu.Lock()
	p.keySet = true // read under mu by the writes after a flush
	p.mu.Unlock()
	p.chooseResume()
	return nil
}

func (p *Platform) markKey() string {
	host := ""
	if u, err := url.Parse(p.client.BaseURL()); err == nil {
		host = u.Host
	}
	return "virola:mark:" + host + ":" + itoa(p.client.Self())
}

// read decodes frames and hands them on without waiting; the bot's own
// new messages go to the send matcher at once, so Send does not wait
// behind the queue. When the socket ends, Sends stop waiting for events
// that can no longer come.
func (p *Platform) read(ctx context.Context, conn *websocket.Conn, q *frameQueue) {
	self := p.client.Self()
	p.match.up()
	defer p.match.down()
	for {
		typ, data, err := conn.Read(ctx)
		if err != nil {
			q.push(frameItem{err: fmt.Errorf("virola: events socket: %w", err), end: true})
			return
		}
		var it frameItem
		if typ != websocket.MessageText {
			it.err = fmt.Errorf("%w: binary frame", ErrMalformedEvent)
		} else {
			it.ev, it.err = DecodeEvent(data)
		}
		if c, ok := it.ev.(*TextMessagesCreated); ok {
			for _, m := range c.TextMessages {
				if m.UserID == self {
					p.match.offer(m)
				}
			}
		}
		if !q.push(it) {
			p.overflow.Add(1)
		}
	}
}

// ping checks the socket's liveness: the protocol has no keepalive, so a
// dead peer is otherwise noticed only by TCP, much later.
func (p *Platform) ping(ctx context.Context, conn *websocket.Conn) {
	t := time.NewTicker(p.o.pingInterval)
	defer t.Stop()
	for {
		select {
		case <-ctx.Done():
			return
		case <-t.C:
			pctx, cancel := context.WithTimeout(ctx, p.o.pingTimeout)
			err := conn.Ping(pctx)
			cancel()
			if err != nil && ctx.Err() == nil {
				p.log.Warn("virola: events socket did not answer a ping; reopening", zap.Error(err))
				_ = conn.CloseNow()
				return
			}
		}
	}
}

func (p *Platform) see(m *Message) {
	p.mu.Lock()
	if len(p.parents) >= maxParents {
		clear(p.parents)
	}
	p.parents[m.MessageID] = m.ParentMessageID
	p.mu.Unlock()
}

// onEvent passes one live event on: new messages through the kit, one
// event per message; the rest as they are, split per message.
func (p *Platform) onEvent(ctx context.Context, ev bot.Event, emit func(bot.Event) error) error {
	switch e := ev.(type) {
	case *TextMessagesCreated:
		for _, m := range e.TextMessages {
			p.see(&m)
			it, err := p.item(ctx, m, false)
			if err != nil {
				return err
			}
			if err := p.d.Live(ctx, it); err != nil {
				return err
			}
			// Live messages come in id order: every one before it was
			// passed on (its room's cursor is stored) or skipped.
			p.settle(m.MessageID)
		}
		return nil
	case *TextMessagesUpdated:
		for _, m := range e.TextMessages {
			p.see(&m)
			if p.ownMark(&m) {
				continue
			}
			if err := emit(&TextMessagesUpdated{TextMessages: []Message{m}}); err != nil {
				return err
			}
		}
		return nil
	case *RoomCreated:
		if e.Room.RoomType == RoomPrivate {
			e.Peer = p.peer(ctx, e.Room.DisplayName)
		} else {
			p.describeRoom(ctx, e)
		}
		p.mu.Lock()
		p.rooms[e.Room.RoomID] = e.Room
		if _, ok := p.floors[e.Room.RoomID]; !ok {
			// Its messages come after this event, above what is settled.
			p.floors[e.Room.RoomID] = p.settled
		}
		p.mu.Unlock()
	case *RoomUpdated:
		if err := p.roomUpdated(e.Room, emit); err != nil {
			return err
		}
	case *RoomDeleted:
		p.mu.Lock()
		delete(p.rooms, e.RoomID)
		p.mu.Unlock()
		p.d.Forget(itoa(e.RoomID))
	case *Unknown:
		p.unknown.Add(1)
		p.mu.Lock()
		first := !p.unknownSeen[e.Name] && len(p.unknownSeen) < maxParents
		if first {
			p.unknownSeen[e.Name] = true
		}
		p.mu.Unlock()
		if first {
			p.log.Info("virola: unknown event type, passed on as *Unknown and counted (logged once per type)", zap.String("type", e.Name))
		} else {
			p.log.Debug("virola: unknown event", zap.String("type", e.Name))
		}
	}
	return emit(ev)
}

// item makes the kit item of a message: no event for the bot's own.
func (p *Platform) item(ctx context.Context, m Message, replayed bool) (kit.Item, error) {
	it := kit.Item{Chat: itoa(m.RoomID), ID: m.MessageID}
	if m.UserID == p.client.Self() {
		return it, nil
	}
	room, err := p.room(ctx, m.RoomID)
	if err != nil {
		return it, err
	}
	e := NewTextMessagesCreated(m, room, p.user(ctx, m.UserID))
	e.Replayed = replayed
	it.Event = e
	return it, nil
}

// room returns a room from the cache, listing the rooms on a miss. A
// room the bot cannot see is an error: the message waits for a catch-up
// rather than going on with a guessed chat kind.
func (p *Platform) room(ctx context.Context, id int64) (*Room, error) {
	p.mu.Lock()
	r, ok := p.rooms[id]
	p.mu.Unlock()
	if ok {
		return &r, nil
	}
	if _, err := p.listRooms(ctx); err != nil {
		return nil, err
	}
	p.mu.Lock()
	r, ok = p.rooms[id]
	p.mu.Unlock()
	if !ok {
		return nil, fmt.Errorf("virola: room %d is not in the room list", id)
	}
	return &r, nil
}

func (p *Platform) listRooms(ctx context.Context) (map[int64]Room, error) {
	rs, err := p.client.ListRooms(ctx)
	if err != nil {
		return nil, err
	}
	out := make(map[int64]Room, len(rs))
	p.mu.Lock()
	for _, r := range rs {
		out[r.RoomID] = r
		p.rooms[r.RoomID] = r
	}
	p.mu.Unlock()
	return out, nil
}

// user returns a user for the sender's name; a failed listing leaves the
// name empty rather than holding the message.
func (p *Platform) user(ctx context.Context, id int64) *User {
	p.mu.Lock()
	u, ok := p.users[id]
	p.mu.Unlock()
	if ok {
		return &u
	}
	us, err := p.client.ListUsers(ctx)
	if err != nil {
		p.log.Info("virola: listing users failed; sender name left empty", zap.Error(err))
		return nil
	}
	p.mu.Lock()
	defer p.mu.Unlock()
	for _, x := range us {
		p.users[x.UserID] = x
	}
	if u, ok := p.users[id]; ok {
		return &u
	}
	return nil
}

// EventHandled implements bot.HandledNotifier: it advances the cursor of
// the message's room, unless a command of its handler was not delivered:
// then the message is passed on again, at once while the socket stays
// up, else after the next reconnect, and a reply already posted is found
// instead of posted again (see Send).
func (p *Platform) EventHandled(e bot.Event, err error) {
	c, ok := e.(*TextMessagesCreated)
	if !ok || len(c.TextMessages) == 0 {
		return
	}
	m := c.TextMessages[0]
	undelivered := bot.Undelivered(err)
	p.noteUndelivered(itoa(m.RoomID), m.MessageID, undelivered)
	p.d.Handled(itoa(m.RoomID), m.MessageID, err)
	if undelivered || !p.o.markRead {
		return
	}
	p.mu.Lock()
	if len(p.toMark) >= maxToMark {
		p.toMark = p.toMark[1:]
	}
	p.toMark = append(p.toMark, m.MessageID)
	p.mu.Unlock()
}

// Close writes the cursors and the high-water mark, and closes the idle
// connections of the client's own transport (their goroutines would
// otherwise outlive the platform until the idle timeout).
func (p *Platform) Close(ctx context.Context) error {
	defer p.client.CloseIdleConnections()
	return errors.Join(p.d.Flush(ctx), p.saveMark(ctx))
}

// settle raises the settled id.
func (p *Platform) settle(id int64) {
	p.mu.Lock()
	p.settled = max(p.settled, id)
	p.mu.Unlock()
}

// saveMark stores the settled message id, where rooms new to the cursors
// start after a restart. The first one is written even when it is 0: it
// tells the next process that it restarts. On a first start nothing is
// written before the first catch-up has set where rooms start: a mark
// stored earlier (by a flush or Close) would make that catch-up take the
// start for a restart and replay the history from it.
func (p *Platform) saveMark(ctx context.Context) error {
	p.markMu.Lock()
	defer p.markMu.Unlock()
	p.mu.Lock()
	mark := max(p.mark, p.settled)
	undecided := p.o.catchUp && !p.floorsOK && !p.markStored
	if p.o.store == nil || !p.keySet || undecided || (p.markStored && mark <= p.markSaved) {
		p.mu.Unlock()
		return nil
	}
	p.mu.Unlock()
	if err := p.o.store.Set(ctx, p.markKey(), []byte(strconv.FormatInt(mark, 10)), 0); err != nil {
		return fmt.Errorf("virola: saving the high-water mark: %w", err)
	}
	p.mu.Lock()
	p.markSaved = max(p.markSaved, mark)
	p.markStored = true
	p.mu.Unlock()
	return nil
}
