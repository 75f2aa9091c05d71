package olvid

import (
	"context"
	"errors"
	"fmt"
	"io"
	"strconv"
	"sync"
	"sync/atomic"
	"time"

	"go.uber.org/zap"

	"github.com/parleybot/parley/bot"
	"github.com/parleybot/parley/platform/kit"
)

// Stats are the platform's counters.
type Stats struct {
	Sessions  int64 // times the notification streams were (re)opened
	Streams   int64 // notification streams opened
	Unknown   int64 // notifications passed on as *Unknown
	Unread    int64 // messages found by MessageList{unread: true}
	Replayed  int64 // messages passed on by a per-discussion catch-up
	Skipped   int64 // live or listed messages passed on already
	Resolved  int64 // discussions looked up
	Degraded  int64 // events passed on without their discussion's details
	CatchUps  int64 // catch-ups run
	StreamErr int64 // streams that failed or ended
	Replied   int64 // messages a catch-up skipped: the bot's reply quotes them
	// Reconciled counts sends whose outcome was unknown that were found
	// sent in the discussion, and so not sent again.
	Reconciled int64
	// Pending counts invitations waiting for the bot that a catch-up
	// found in the invitation list and passed on.
	Pending int64
	// Recovered counts read messages a start without stored positions
	// took for ones a process that died was notified of and never
	// handled, and so passed on (see the package documentation).
	Recovered int64
}

// Platform is the Olvid bot.Platform: it keeps one notification stream
// open per notification it listens to, reopens them all with backoff when
// one fails, and after each (re)opening catches up what was missed: every
// discussion it knows from its last handled message on, every other one
// from its start position (see the package documentation), then the
// messages the daemon still holds as unread. Messages go through the kit's
// Delivery, so each is passed on once, in order per discussion.
//
// It implements bot.HandledNotifier, bot.Closer, bot.RequestAccepter
// (invitations), bot.Deleter, bot.Editor, bot.Reactor, bot.MemberRemover,
// bot.RoleSetter and bot.PrivateSender.
type Platform struct {
	o      options
	client *Client
	log    *zap.Logger
	d      *kit.Delivery

	listening atomic.Bool
	ready     atomic.Bool

	mu       sync.Mutex
	emitFn   func(bot.Event) error
	identity uint64
	chats    map[uint64]*chatInfo
	groups   map[uint64]uint64 // group id → discussion id
	names    map[uint64]string // contact id → display name
	// base is the newest inbound message when the bot first started
	// (haveBase once known), and from the first message unread then of
	// each discussion without a cursor: where such a discussion's
	// catch-up starts (startPosLocked).
	base        uint64
	haveBase    bool
	from        map[uint64]uint64
	storedStart bool // the start positions came from the store
	// firstLive is the first message a stream of this process received;
	// snapFirst is set to it once this process listed base.
	firstLive, snapFirst *atomic.Uint64
	savedStart           string          // the start positions last written
	invitations          map[uint64]bool // invitations passed on by this process
	startMu              sync.Mutex
	started              time.Time // when the platform was made
	cutListing           bool      // an unread listing of the snapshot failed
	// undelivered holds "chat:id" of messages whose handler failed to
	// deliver a command, until they are handled again.
	undelivered      map[string]bool
	undeliveredDirty bool
	unknownTypes     map[Notification]bool // logged once each
	lastSent         map[uint64]uint64     // discussion → newest message the bot sent there
	// unsure holds the sends that may have reached the daemon unbeknown
	// to the bot, with the newest message of the bot before each: looked
	// for before they are made again (see sendText).
	unsure map[sendKey]uint64

	sessions, streams, unknown, unread, resolved, degraded, catchUps, streamErr, replied, reconciled, pending, recovered atomic.Int64
}

// New returns a platform for the daemon at target ("host:port", see
// NewClient). It does not connect; Listen does.
func New(target string, opts ...Option) (*Platform, error) {
	o := defaultOptions()
	for _, opt := range opts {
		opt.apply(&o)
	}
	if target == "" {
		target = DefaultTarget
	}
	c, err := newClient(target, o)
	if err != nil {
		return nil, err
	}
	p := &Platform{o: o, client: c, log: o.logger, chats: map[uint64]*chatInfo{}, groups: map[uint64]uint64{},
		names: map[uint64]string{}, from: map[uint64]uint64{}, undelivered: map[string]bool{}, unknownTypes: map[Notification]bool{}, lastSent: map[uint64]uint64{}, unsure: map[sendKey]uint64{}, firstLive: new(atomic.Uint64), invitations: map[uint64]bool{}, started: time.Now()}
	p.d = kit.NewDelivery(kit.FetchFunc(p.fetchAfter), kit.Config{Store: o.store, Logger: o.logger, Page: o.page, FlushEvery: o.flushEvery,
		AfterFlush: p.afterFlush, PaceRetries: true})
	return p, nil
}

// Name returns "olvid".
func (p *Platform) Name() string { return "olvid" }

// Client returns the command client.
func (p *Platform) Client() *Client { return p.client }

// Ready reports whether the streams are open and the catch-up after
// opening them is done.
func (p *Platform) Ready() bool { return p.ready.Load() }

// Stats returns the counters.
func (p *Platform) Stats() Stats {
	ks := p.d.Stats()
	return Stats{Sessions: p.sessions.Load(), Streams: p.streams.Load(), Unknown: p.unknown.Load(), Unread: p.unread.Load(),
		Replayed: ks.Replayed, Skipped: ks.Skipped, Resolved: p.resolved.Load(), Degraded: p.degraded.Load(),
		CatchUps: p.catchUps.Load(), StreamErr: p.streamErr.Load(), Replied: p.replied.Load(), Reconciled: p.reconciled.Load(),
		Pending: p.pending.Load(), Recovered: p.recovered.Load()}
}

// ClientOf returns the Olvid client of the platform that delivered c's
// event, or nil when it came from another platform.
func ClientOf(c *bot.Context) *Client {
	if p, ok := c.Platform().(*Platform); ok {
		return p.client
	}
	return nil
}

// Notifications returns the notifications the platform listens to, in a
// fixed order.
func (p *Platform) Notifications() []Notification {
	var out []Notification
	for _, n := range AllNotifications {
		if p.o.streams[n] {
			out = append(out, n)
		}
	}
	return out
}

// Listen implements bot.Platform.
func (p *Platform) Listen(ctx context.Context, emit func(bot.Event) error) error {
	if !p.listening.CompareAndSwap(false, true) {
		return errors.New("olvid: platform already listening")
	}
	defer p.listening.Store(false)
	warnPlaintext(p.log, p.client.target, p.o)
	p.mu.Lock()
	p.emitFn = emit
	p.mu.Unlock()
	p.d.Begin(emit)
	ctx, cancel := context.WithCancel(ctx)
	var wg sync.WaitGroup
	wg.Go(func() { p.d.Run(ctx) })
	b := &kit.Backoff{Min: p.o.backoffMin, Max: p.o.backoffMax}
	err := (&kit.Reconnector{Backoff: b, Log: p.log, What: "olvid", Hint: "start the Olvid bot daemon on port {port}, or a simulator: parley sim olvid --listen {addr}"}).Run(ctx, p.session)
	cancel()
	wg.Wait()
	if errors.Is(err, bot.ErrStopped) {
		return nil
	}
	return err
}

// start reads the identity and the stored positions, once.
func (p *Platform) start(ctx context.Context) error {
	p.mu.Lock()
	id := p.identity
	p.mu.Unlock()
	if id != 0 {
		return nil
	}
	ident, err := p.client.Identity(ctx)
	if err != nil {
		return err
	}
	p.d.SetKey("olvid:cursors:" + strconv.FormatUint(ident.GetId(), 10))
	if err := p.d.Load(ctx); err != nil {
		return err
	}
	p.mu.Lock()
	p.identity = ident.GetId()
	p.mu.Unlock()
	if err := errors.Join(p.loadStart(ctx), p.loadUndelivered(ctx)); err != nil {
		p.mu.Lock()
		p.identity = 0 // read it all again next time
		p.mu.Unlock()
		return err
	}
	p.mu.Lock()
	stored := len(p.d.Chats()) > 0 || p.storedStart
	p.mu.Unlock()
	source := "server read markers"
	switch {
	case !p.o.catchUp:
		source = "none"
	case stored:
		source = "stored cursors"
	}
	p.log.Info("olvid: resume source", zap.String("source", source))
	return nil
}

// permanent marks the errors reopening cannot fix.
func permanent(err error) error {
	if errors.Is(err, ErrUnauthenticated) || errors.Is(err, ErrPermissionDenied) || errors.Is(err, bot.ErrStopped) {
		return kit.Permanent(err)
	}
	return err
}

// session opens every stream, catches up, then passes live
// notifications on until a stream fails or ctx ends.
func (p *Platform) session(ctx context.Context, useful func()) error {
	if p.sessions.Add(1) > 1 && p.o.onReconnect != nil {
		p.o.onReconnect()
	}
	if err := p.start(ctx); err != nil {
		return permanent(err)
	}
	ns := p.Notifications()
	q := make(chan bot.Event, p.o.eventBuffer)
	defer p.leaveQueued(q) // after the readers stopped
	sctx, cancel := context.WithCancel(ctx)
	var wg sync.WaitGroup
	defer wg.Wait()
	defer cancel()
	ready := make(chan error, len(ns))
	failed := make(chan error, len(ns))
	late := make(chan struct{}) // unbuffered: see readStream
	for _, n := range ns {
		wg.Go(func() { p.readStream(sctx, n, q, ready, failed, late) })
	}
	for range ns {
		select {
		case err := <-ready:
			if err != nil {
				return permanent(err)
			}
		case err := <-failed:
			p.streamErr.Add(1)
			return permanent(err)
		case <-ctx.Done():
			return nil
		}
	}
	if err := p.catchUp(sctx); err != nil {
		return permanent(err)
	}
	useful()
	p.ready.Store(true)
	defer p.ready.Store(false)
	for {
		select {
		case e := <-q:
			if err := p.handle(sctx, e); err != nil {
				return permanent(err)
			}
		case <-late:
			// A stream answered after the catch-up began: what arrived
			// before its subscription existed went to no stream.
			if err := p.catchUp(sctx); err != nil {
				return permanent(err)
			}
		case <-p.d.Retry():
			// A handler failed to deliver a command while the streams
			// stay up: its message goes on again now, from this
			// goroutine so that its discussion keeps its order.
			if err := p.d.CatchUpBehind(sctx); err != nil {
				return permanent(err)
			}
		case err := <-failed:
			p.streamErr.Add(1)
			return permanent(err)
		case <-ctx.Done():
			return nil
		}
	}
}

// readStream opens n's stream, reports on ready once the daemon answered
// with headers (or after the subscribe wait), then queues its events
// until it fails, which it reports on failed. The first message received
// of the process is noted (see startBaseLocked). When the subscribe wait
// ran out on a stream the catch-up covers, the subscription may not have
// existed when the catch-up listed what was missed: once the daemon
// answers, the reader sends on late, which the session takes only
// between events to catch up again, and only then queues what the
// stream brings.
func (p *Platform) readStream(ctx context.Context, n Notification, q chan<- bot.Event, ready, failed chan<- error, late chan<- struct{}) {
	spec := notificationSpecs[n]
	recv, header, err := spec.open(p.client.Context(ctx), p.client, subscription(n))
	if err != nil {
		ready <- wrapErr(string(n), err)
		return
	}
	p.streams.Add(1)
	hdr := make(chan error, 1)
	go func() { hdr <- header() }() // returns at the latest when ctx ends the stream
	t := time.NewTimer(p.o.subscribeWait)
	answered := true
	select {
	case err := <-hdr:
		t.Stop()
		if err != nil {
			ready <- wrapErr(string(n), err)
			return
		}
	case <-t.C:
		answered = false
	case <-ctx.Done():
		t.Stop()
		ready <- nil
		return
	}
	ready <- nil
	if !answered && (n == NotifyMessageReceived || n == NotifyInvitationReceived) {
		select {
		case <-hdr: // an error shows on recv
		case <-ctx.Done():
			return
		}
		select {
		case late <- struct{}{}:
		case <-ctx.Done():
			return
		}
	}
	for {
		e, err := recv()
		if err != nil {
			if ctx.Err() == nil {
				if errors.Is(err, io.EOF) {
					err = fmt.Errorf("olvid: the daemon ended the %s stream", n)
				}
				failed <- wrapErr(string(n), err)
			}
			return
		}
		if m, ok := e.(*MessageReceived); ok {
			p.firstLive.CompareAndSwap(0, m.GetMessage().GetId().GetId())
		}
		select {
		case q <- e:
		case <-ctx.Done():
			return
		}
	}
}

// leaveQueued hands the messages a session queued but never passed on (it
// ended first) to the next catch-up, which starts at the first of them in
// each discussion. The daemon counts them read, so the unread list does
// not show them again, and a discussion without a position would lose
// them.
func (p *Platform) leaveQueued(q chan bot.Event) {
	var pos []kit.Pos
	for {
		select {
		case e := <-q:
			if m, ok := e.(*MessageReceived); ok {
				pos = append(pos, kit.Pos{Chat: chatID(m.GetMessage().GetDiscussionId()), ID: int64(m.GetMessage().GetId().GetId())})
			}
		default:
			if len(pos) > 0 {
				p.log.Debug("olvid: queued messages left to the next catch-up", zap.Int("messages", len(pos)), zap.Int64("first", pos[0].ID), zap.String("chat", pos[0].Chat))
			}
			p.d.Spill(pos, true)
			return
		}
	}
}

// handle passes one live event on, through the Delivery for messages.
func (p *Platform) handle(ctx context.Context, e bot.Event) error {
	switch e := e.(type) {
	case *MessageReceived:
		return p.liveMessage(ctx, e)
	case *InvitationReceived:
		if !p.firstInvitation(e.GetInvitation().GetId()) {
			p.log.Debug("olvid: invitation passed on already, from the invitation list", zap.Uint64("invitation", e.GetInvitation().GetId()))
			return nil
		}
	case *Unknown:
		p.unknown.Add(1)
		p.mu.Lock()
		first := !p.unknownTypes[e.Notification]
		p.unknownTypes[e.Notification] = true
		p.mu.Unlock()
		if first {
			p.log.Info("olvid: notification passed on as unknown and counted (logged once per notification)", zap.String("notification", string(e.Notification)), zap.String("reason", e.Reason))
		} else {
			p.log.Debug("olvid: notification passed on as unknown", zap.String("notification", string(e.Notification)), zap.String("reason", e.Reason))
		}
	default:
		p.observe(ctx, e)
	}
	return p.emit(e)
}

// emit passes an event that needs no position on.
func (p *Platform) emit(e bot.Event) error {
	p.mu.Lock()
	emit := p.emitFn
	p.mu.Unlock()
	err := emit(e)
	if errors.Is(err, bot.ErrStopped) {
		p.d.Stop()
	}
	return err
}

// liveMessage resolves a received message's discussion and passes it on
// unless a catch-up did already.
func (p *Platform) liveMessage(ctx context.Context, e *MessageReceived) error {
	m := e.GetMessage()
	chat, id := chatID(m.GetDiscussionId()), int64(m.GetId().GetId())
	if p.d.Delivered(chat, id) {
		p.log.Debug("olvid: live message passed on already", zap.String("chat", chat), zap.Int64("message", id))
		return p.d.Live(ctx, kit.Item{Chat: chat, ID: id, Event: e}) // counted as skipped
	}
	if err := p.resolveMessage(ctx, e); err != nil {
		if ctx.Err() != nil {
			return nil
		}
		// Leave it to the catch-up of the next session, which starts at
		// this message.
		p.d.Spill([]kit.Pos{{Chat: chat, ID: id}}, true)
		return err
	}
	if ce := p.log.Check(zap.DebugLevel, "olvid: live message"); ce != nil {
		ce.Write(zap.String("chat", chat), zap.Int64("message", id))
	}
	return p.d.Live(ctx, kit.Item{Chat: chat, ID: id, Event: e})
}

// EventHandled implements bot.HandledNotifier: a handled message moves
// its discussion's stored position, unless its handler failed to deliver
// a command (bot.Undelivered), in which case it is passed on again: at
// once if the streams are still open, else by the next catch-up. A reply
// whose outcome was unknown is looked for before it is sent again.
func (p *Platform) EventHandled(e bot.Event, err error) {
	if m, ok := e.(*MessageReceived); ok {
		chat, id := chatID(m.GetMessage().GetDiscussionId()), int64(m.GetMessage().GetId().GetId())
		if err != nil {
			p.log.Debug("olvid: a message's handler failed", zap.String("chat", chat), zap.Int64("message", id), zap.Bool("undelivered", bot.Undelivered(err)), zap.Error(err))
		}
		p.noteUndelivered(chat, id, bot.Undelivered(err))
		p.mu.Lock()
		delete(p.unsure, sendKey{disc: m.GetMessage().GetDiscussionId(), reply: IDOf(m.GetMessage())})
		p.mu.Unlock()
		p.d.Handled(chat, id, err)
	}
}

// Close writes the handled positions and closes the connection.
func (p *Platform) Close(ctx context.Context) error {
	err := p.d.Flush(ctx)
	return errors.Join(err, p.client.Close())
}
