package simplex

import (
	"context"
	"errors"
	"fmt"
	"strconv"
	"strings"
	"sync"
	"sync/atomic"
	"time"

	"github.com/coder/websocket"
	"go.uber.org/zap"

	"github.com/parleybot/parley/bot"
	"github.com/parleybot/parley/platform/kit"
)

// Errors a command can end with besides a *CommandError.
var (
	// ErrNotSent means the command never reached the CLI: there was no
	// connection, or writing the frame failed.
	ErrNotSent = bot.KindError(bot.ErrNotSent, "simplex: command not sent")
	// ErrOutcomeUnknown means the command was written but the connection
	// dropped (or the caller gave up) before its response arrived: the
	// CLI may or may not have carried it out.
	ErrOutcomeUnknown = bot.KindError(bot.ErrOutcomeUnknown, "simplex: command outcome unknown")
	// ErrProtocol is a frame the client cannot use, such as the corrId-less
	// error the CLI sends when it could not read a command frame.
	ErrProtocol = errors.New("simplex: protocol error")
)

// UnexpectedResponseError is returned when a command is answered with a
// response of another type than the one it documents.
type UnexpectedResponseError struct {
	Cmd  string
	Want string
	Got  Response
}

func (e *UnexpectedResponseError) Error() string {
	return fmt.Sprintf("simplex: %s: unexpected response %q, want %s", shortCmd(e.Cmd), e.Got.Type(), e.Want)
}

type callResult struct {
	frame Frame
	err   error
}

// pendingCall is a command written and waiting for its response: a
// waiting Call (ch) or a pipelined one (done).
type pendingCall struct {
	ch   chan callResult
	done func(Frame, error)
	cmd  string
	// ids, for pipelined sends: the response's item ids are all the
	// caller needs, so a newChatItems answer is scanned, not decoded.
	ids      func([]int64, error)
	ctx      context.Context
	deadline int64 // unix ns; 0 none
	start    time.Time
}

// Client talks to one simplex-chat CLI over exactly one WebSocket: the CLI
// shares its event queue among all connections, so a second socket would
// steal events. Commands are correlated by corrId; events go, in order, to
// the function given to Run. A Client is safe for concurrent use.
type Client struct {
	url string
	cfg clientConfig
	log *zap.Logger

	nextID atomic.Uint64

	mu      sync.Mutex
	conn    *websocket.Conn
	up      chan struct{} // closed while a connection is up
	pending map[string]*pendingCall
	running bool
	lost    bool // a connection was lost and no new one is up yet
	// starting: a connection's start-up (Sink.Connected) is running. Its
	// catch-up may wait for handlers that wait for a connection, so while
	// it runs on a dead connection, calls fail at once.
	starting bool
	// Pipelined calls end early when their context ends (one watch per
	// context, however many calls share it) or at their deadline (one
	// sweep timer while any has one).
	watches map[context.Context]func() bool
	sweep   *time.Timer
	async   int // pipelined calls pending

	// Events travel from the reader to the consumer through this queue.
	evMu    sync.Mutex
	evCond  *sync.Cond
	evQueue []Frame
	evHeld  bool // consumer paused during start-up and catch-up
	evPause bool // consumer paused for good: the bot stopped taking events
	evDone  bool
	idleDue bool // a frame was spilled: the spiller has work
	spiller Spiller

	connects  atomic.Int64
	dropped   atomic.Int64
	connected atomic.Bool
	// progressed: the current connection read events or passed something
	// on; a drop is then redialled at once, also when it cut a long
	// start-up or catch-up short.
	progressed atomic.Bool
}

// NewClient returns a client for the CLI at url (such as
// "ws://127.0.0.1:5225"). It connects when Run is called.
func NewClient(url string, opts ...ClientOption) *Client {
	cfg := defaultClientConfig()
	for _, o := range opts {
		o.apply(&cfg)
	}
	c := &Client{url: url, cfg: cfg, log: cfg.logger, up: make(chan struct{}), pending: map[string]*pendingCall{}}
	c.evCond = sync.NewCond(&c.evMu)
	return c
}

// Connected reports whether the client has a live connection.
func (c *Client) Connected() bool { return c.connected.Load() }

// Connects returns how many connections the client has made.
func (c *Client) Connects() int64 { return c.connects.Load() }

// DroppedFrames returns how many frames could not be used: undecodable
// frames, protocol errors and responses nobody waited for.
func (c *Client) DroppedFrames() int64 { return c.dropped.Load() }

// Sink receives what a running Client reads.
type Sink interface {
	// Connected runs after each connection is made; events of that
	// connection wait until it returns, so start-up steps and catch-up
	// come before live events. An error drops the connection and retries.
	Connected(ctx context.Context, first bool) error
	// Event gets every event frame, in order, from one goroutine. An error
	// ends Run.
	Event(f Frame) error
}

// Spiller is implemented by a Sink that can leave event frames on the
// server instead of queueing them, which keeps memory bounded under load.
// It sees a frame before it is decoded, so a frame it takes costs only
// what it reads of it.
type Spiller interface {
	// Behind reports whether frames may be spilled although the queue is
	// not full (earlier ones of their chat were).
	Behind() bool
	// Spill gets an event frame's resp type and bytes, not decoded, and
	// whether the queue is full, and reports whether it took the frame.
	// It is asked only when the queue is full or Behind is true.
	Spill(typ string, data []byte, full bool) bool
	// Queued gets every event frame that is queued, decoded, before a
	// later frame is offered to Spill.
	Queued(f Frame)
	// Resume runs on the event goroutine once the queue is short again
	// after a spill, to fetch what was left, in order.
	Resume()
}

// SinkFuncs adapts two functions to a Sink; a nil OnConnect does nothing.
type SinkFuncs struct {
	OnConnect func(ctx context.Context, first bool) error
	OnEvent   func(Frame) error
}

// Connected calls OnConnect.
func (s SinkFuncs) Connected(ctx context.Context, first bool) error {
	if s.OnConnect == nil {
		return nil
	}
	return s.OnConnect(ctx, first)
}

// Event calls OnEvent.
func (s SinkFuncs) Event(f Frame) error { return s.OnEvent(f) }

// Run keeps one connection to the CLI open until ctx ends, reconnecting
// with the kit's backoff, and hands what it reads to sink. Run returns
// nil when ctx ends, or the sink's Event error if it returns one.
func (c *Client) Run(ctx context.Context, sink Sink) error {
	c.mu.Lock()
	if c.running {
		c.mu.Unlock()
		return errors.New("simplex: client already running")
	}
	c.running = true
	c.mu.Unlock()
	defer func() {
		c.mu.Lock()
		c.running = false
		c.mu.Unlock()
	}()

	ctx, cancel := context.WithCancel(ctx)
	defer cancel()
	stopWake := context.AfterFunc(ctx, func() {
		c.evMu.Lock()
		c.evCond.Broadcast()
		c.evMu.Unlock()
	})
	defer stopWake()

	sp, _ := sink.(Spiller)
	c.evMu.Lock()
	c.evQueue, c.evHeld, c.evPause, c.evDone, c.spiller = nil, false, false, false, sp
	c.evMu.Unlock()
	var consumerErr error
	consumed := make(chan struct{})
	go func() {
		defer close(consumed)
		if err := c.consume(sink); err != nil {
			consumerErr = err
			cancel()
		}
	}()

	first := true
	b := &kit.Backoff{Min: c.cfg.minBackoff, Max: c.cfg.maxBackoff}
	r := &kit.Reconnector{Backoff: b, Log: c.log, What: "simplex", Hint: "start the SimpleX Chat CLI: simplex-chat -p {port} (or a simulator: parley sim simplex --listen {addr})"}
	// A connection that did useful work is redialled after the
	// Reconnector's short Redial pause, not the backoff's minimum.
	_ = r.Run(ctx, func(ctx context.Context, useful func()) error {
		connected, err := c.session(ctx, sink, first, useful)
		if connected {
			first = false
		}
		return err
	})

	c.evMu.Lock()
	c.evDone = true
	c.evCond.Broadcast()
	c.evMu.Unlock()
	<-consumed
	return consumerErr
}

// reconnectGrace is how long a call made while the connection is lost
// waits for the next one before it fails with ErrNotSent.
const reconnectGrace = time.Second

// session dials once and serves the connection until it fails.
func (c *Client) session(ctx context.Context, sink Sink, first bool, useful func()) (bool, error) {
	dctx, cancel := context.WithTimeout(ctx, c.cfg.dialTimeout)
	conn, _, err := websocket.Dial(dctx, c.url, nil)
	cancel()
	if err != nil {
		return false, fmt.Errorf("simplex: dial %s: %w", c.url, err)
	}
	conn.SetReadLimit(c.cfg.readLimit)
	if c.connects.Add(1) > 1 && c.cfg.onReconnect != nil {
		c.cfg.onReconnect()
	}

	sctx, scancel := context.WithCancel(ctx)
	defer scancel()
	c.progressed.Store(false)
	defer func() {
		if c.progressed.Load() {
			useful()
		}
	}()
	c.mu.Lock()
	c.conn = conn
	c.lost = false
	close(c.up)
	c.connected.Store(true)
	c.mu.Unlock()
	stopDetach := context.AfterFunc(sctx, func() { c.detach(conn) })
	defer stopDetach()
	c.log.Info("simplex connected", zap.String("url", c.url))

	// Events stay held until a start-up succeeds: released after a failed
	// catch-up, a later live item could move a chat's cursor past a missed
	// one. The hold starts before the first read, so that no event, not
	// even one the CLI kept for the next client, overtakes the cursors the
	// start-up loads.
	c.holdEvents(true)
	var wg sync.WaitGroup
	readErr := make(chan error, 1)
	wg.Add(1)
	go func() {
		defer wg.Done()
		readErr <- c.read(sctx, conn)
		scancel()
	}()
	if c.cfg.pingInterval > 0 {
		wg.Add(1)
		go func() {
			defer wg.Done()
			c.ping(sctx, conn)
			scancel()
		}()
	}

	var result error
	c.setStarting(true)
	err = sink.Connected(sctx, first)
	c.setStarting(false)
	if err != nil {
		if sctx.Err() == nil {
			result = fmt.Errorf("simplex: start-up: %w", err)
		} else {
			result = err
		}
		scancel()
	} else {
		useful()
		c.holdEvents(false)
	}
	<-sctx.Done()

	c.detach(conn)
	_ = conn.CloseNow()
	wg.Wait()
	if result == nil {
		result = <-readErr
	}
	return true, result
}

// resumeSoon asks the consumer to run the spiller's Resume once its queue
// is short, for items to fetch again.
func (c *Client) resumeSoon() {
	c.evMu.Lock()
	if c.spiller != nil {
		c.idleDue = true
		c.evCond.Broadcast()
	}
	c.evMu.Unlock()
}

func (c *Client) setStarting(on bool) {
	c.mu.Lock()
	c.starting = on
	c.mu.Unlock()
}

// progress records that the current connection did useful work (an
// event read, or passed on during a catch-up).
func (c *Client) progress() {
	if !c.progressed.Load() {
		c.progressed.Store(true)
	}
}

// detach takes a dead connection out of use at once: new calls wait
// briefly for the next connection, or fail at once with ErrNotSent while
// the dead one's start-up runs (a handler waiting for a connection could
// otherwise hold up the catch-up that feeds it), and pending ones fail
// with an unknown outcome, since their frames were written. It runs as soon as the connection's context ends, even while
// its start-up is still running.
func (c *Client) detach(conn *websocket.Conn) {
	c.mu.Lock()
	if c.conn != conn {
		c.mu.Unlock()
		return
	}
	c.conn = nil
	c.lost = true
	c.up = make(chan struct{})
	pend := c.pending
	c.pending = map[string]*pendingCall{}
	c.async = 0
	c.mu.Unlock()
	c.connected.Store(false)
	for _, pc := range pend {
		c.finishCall(pc, Frame{}, fmt.Errorf("%w: %s: connection lost before the response", ErrOutcomeUnknown, shortCmd(pc.cmd)))
	}
	_ = conn.CloseNow()
}

func (c *Client) read(ctx context.Context, conn *websocket.Conn) error {
	var keys []itemKey
	for {
		_, data, err := conn.Read(ctx)
		if err != nil {
			return fmt.Errorf("simplex: read: %w", err)
		}
		// The envelope first: a response to a pipelined send and a frame
		// spilled under load need no full decode.
		h, scanned := scanHead(data)
		if scanned && h.corrID != "" {
			pc := c.takePending(h.corrID)
			if pc == nil {
				c.dropped.Add(1)
				c.log.Warn("simplex: response for no pending command", zap.String("corrId", h.corrID), zap.String("type", h.typ))
				continue
			}
			if pc.ids != nil && h.typ == TypeNewChatItems {
				var ok bool
				if keys, ok = scanItemKeys(data, keys[:0]); ok {
					c.finishCall(pc, Frame{CorrID: h.corrID, Type: h.typ}, nil, keys...)
					continue
				}
			}
			f, err := decodeFrame(data)
			if err != nil {
				c.dropped.Add(1)
				c.log.Warn("simplex: undecodable response", zap.Error(err), zap.Int("bytes", len(data)))
				c.finishCall(pc, Frame{}, fmt.Errorf("%w: %s: %w: undecodable response: %w", ErrOutcomeUnknown, shortCmd(pc.cmd), ErrProtocol, err))
				continue
			}
			c.finishCall(pc, f, nil)
			continue
		}
		// An event read is progress: the connection drained the CLI's
		// queue, so a drop is redialled at once, not after a backoff
		// that would let the queue fill again.
		c.progress()
		if scanned && c.spill(ctx, h.typ, data) {
			continue
		}
		f, err := decodeFrame(data)
		if err != nil {
			c.dropped.Add(1)
			c.log.Warn("simplex: undecodable frame", zap.Error(err), zap.Int("bytes", len(data)))
			continue
		}
		if f.CorrID != "" {
			// scanHead gave up on this frame; DecodeFrame read it.
			if pc := c.takePending(f.CorrID); pc != nil {
				c.finishCall(pc, f, nil)
			} else {
				c.dropped.Add(1)
				c.log.Warn("simplex: response for no pending command", zap.String("corrId", f.CorrID), zap.String("type", f.Type))
			}
			continue
		}
		if f.IsProtocolError() {
			// The CLI could not read one of our frames; it cannot say
			// which, so the caller will time out. It is not an event.
			c.dropped.Add(1)
			c.log.Error("simplex: the CLI rejected a frame", zap.ByteString("frame", data))
			continue
		}
		if c.spiller != nil {
			c.spiller.Queued(f)
		}
		if !c.pushEvent(ctx, f) {
			return ctx.Err()
		}
	}
}

// spill offers an event frame, not yet decoded, to the spiller when the
// queue is full or the spiller is behind, and reports whether it took it.
func (c *Client) spill(ctx context.Context, typ string, data []byte) bool {
	if c.spiller == nil || typ == TypeChatCmdError {
		return false
	}
	c.evMu.Lock()
	full := len(c.evQueue) >= c.cfg.eventBuffer
	c.evMu.Unlock()
	if !full && !c.spiller.Behind() {
		return false
	}
	if !c.spiller.Spill(typ, data, full) {
		return false
	}
	c.evMu.Lock()
	c.idleDue = true
	c.evCond.Broadcast()
	c.evMu.Unlock()
	return true
}

// pushEvent queues an event for the consumer. When the queue is full it
// waits, so the CLI feels the backpressure, except while commands are
// pending: their responses must not be stuck behind unread events. What
// the spiller did not take is then queued regardless.
func (c *Client) pushEvent(ctx context.Context, f Frame) bool {
	c.evMu.Lock()
	defer c.evMu.Unlock()
	for len(c.evQueue) >= c.cfg.eventBuffer && c.pendingCount() == 0 && ctx.Err() == nil && !c.evDone {
		c.evCond.Wait()
	}
	if ctx.Err() != nil || c.evDone {
		return false
	}
	c.evQueue = append(c.evQueue, f)
	c.evCond.Broadcast()
	return true
}

func (c *Client) pendingCount() int {
	c.mu.Lock()
	defer c.mu.Unlock()
	return len(c.pending)
}

// PauseEvents stops passing events on until Run ends, while the connection
// stays up for commands: a stopping bot still sends its replies. Events
// that arrive meanwhile are not passed on.
func (c *Client) PauseEvents() {
	c.evMu.Lock()
	c.evPause = true
	c.evCond.Broadcast()
	c.evMu.Unlock()
}

func (c *Client) holdEvents(hold bool) {
	c.evMu.Lock()
	c.evHeld = hold
	c.evCond.Broadcast()
	c.evMu.Unlock()
}

// consume passes queued events to onEvent until Run ends.
func (c *Client) consume(sink Sink) error {
	c.evMu.Lock()
	defer c.evMu.Unlock()
	for {
		for !c.evDone {
			if c.evHeld || c.evPause {
				c.evCond.Wait()
				continue
			}
			if c.idleDue && c.spiller != nil && len(c.evQueue) <= c.cfg.eventBuffer/2 {
				c.idleDue = false
				c.evMu.Unlock()
				c.spiller.Resume()
				c.evMu.Lock()
				continue
			}
			if len(c.evQueue) > 0 {
				break
			}
			c.evCond.Wait()
		}
		if c.evDone {
			return nil
		}
		f := c.evQueue[0]
		c.evQueue[0] = Frame{}
		c.evQueue = c.evQueue[1:]
		if len(c.evQueue) == 0 {
			c.evQueue = c.evQueue[:0:0]
		}
		c.evCond.Broadcast()
		c.evMu.Unlock()
		err := sink.Event(f)
		c.evMu.Lock()
		if err != nil {
			return err
		}
	}
}

func (c *Client) ping(ctx context.Context, conn *websocket.Conn) {
	t := time.NewTicker(c.cfg.pingInterval)
	defer t.Stop()
	for {
		select {
		case <-ctx.Done():
			return
		case <-t.C:
		}
		pctx, cancel := context.WithTimeout(ctx, c.cfg.pingInterval)
		err := conn.Ping(pctx)
		cancel()
		if err != nil && ctx.Err() == nil {
			c.log.Warn("simplex: ping failed", zap.Error(err))
			return
		}
	}
}

// Call sends a raw command string and waits for its response. Before the
// first connection Call waits for it within ctx; once a connection was
// lost, a call waits up to a second for the next, then fails with
// ErrNotSent (the platform passes the event of a handler whose send failed
// that way on again after reconnecting). While the start-up of a lost
// connection still runs, calls fail at once: its catch-up may be waiting
// for the very handlers that make them. A chatCmdError response becomes a
// *CommandError. Use the typed commands and Exec where they fit.
func (c *Client) Call(ctx context.Context, cmd string) (Frame, error) {
	if c.cfg.onCommand == nil {
		return c.call(ctx, cmd)
	}
	start := time.Now()
	f, err := c.call(ctx, cmd)
	c.observe(cmd, start, err)
	return f, err
}

// observe tells the command observer about a finished command.
func (c *Client) observe(cmd string, start time.Time, err error) {
	verb, _, _ := strings.Cut(cmd, " ")
	c.cfg.onCommand(verb, bot.Outcome(err), time.Since(start))
}

func (c *Client) call(ctx context.Context, cmd string) (Frame, error) {
	if _, ok := ctx.Deadline(); !ok && c.cfg.callTimeout > 0 {
		var cancel context.CancelFunc
		ctx, cancel = context.WithTimeout(ctx, c.cfg.callTimeout)
		defer cancel()
	}
	pc := &pendingCall{ch: make(chan callResult, 1), cmd: cmd}
	id, err := c.write(ctx, pc)
	if err != nil {
		return Frame{}, err
	}
	var r callResult
	select {
	case r = <-pc.ch:
	case <-ctx.Done():
		c.forget(id)
		return Frame{}, fmt.Errorf("%w: %s: no response: %w", ErrOutcomeUnknown, shortCmd(cmd), ctx.Err())
	}
	return r.frame, r.err
}

// write registers pc under a new corrId and writes its command, waiting
// for the first connection within ctx.
func (c *Client) write(ctx context.Context, pc *pendingCall) (string, error) {
	id := strconv.FormatUint(c.nextID.Add(1), 10)
	if err := ctx.Err(); err != nil {
		// The caller gave up already: the command must not go.
		return "", fmt.Errorf("%w: %s: %w", ErrNotSent, shortCmd(pc.cmd), err)
	}
	var conn *websocket.Conn
	var grace <-chan time.Time
	for {
		c.mu.Lock()
		conn = c.conn
		up, lost, starting := c.up, c.lost, c.starting
		if conn != nil {
			c.pending[id] = pc
			if pc.ch == nil {
				c.watchLocked(pc)
			}
			c.mu.Unlock()
			break
		}
		c.mu.Unlock()
		if lost && starting {
			return "", fmt.Errorf("%w: %s: connection lost", ErrNotSent, shortCmd(pc.cmd))
		}
		if lost && grace == nil {
			// A redial is on its way: waiting a little for it spares the
			// event a failure and a fetch.
			t := time.NewTimer(reconnectGrace)
			defer t.Stop()
			grace = t.C
		}
		select {
		case <-up:
		case <-grace:
			return "", fmt.Errorf("%w: %s: connection lost", ErrNotSent, shortCmd(pc.cmd))
		case <-ctx.Done():
			return "", fmt.Errorf("%w: %s: not connected: %w", ErrNotSent, shortCmd(pc.cmd), ctx.Err())
		}
	}
	// A waiting reader must go on reading now that a response is due.
	c.evMu.Lock()
	c.evCond.Broadcast()
	c.evMu.Unlock()

	data, err := EncodeCommand(id, pc.cmd)
	if err != nil {
		c.forget(id)
		return "", fmt.Errorf("%w: %s: %w", ErrNotSent, shortCmd(pc.cmd), err)
	}
	if err := conn.Write(ctx, websocket.MessageText, data); err != nil {
		c.forget(id)
		return "", fmt.Errorf("%w: %s: write: %w", ErrNotSent, shortCmd(pc.cmd), err)
	}
	return id, nil
}

// CallAsync is the pipelined Call: it writes cmd before it returns, so
// commands reach the CLI in the order of the calls, and calls done with
// the response (or the error Call would return) once it arrives. done runs
// on the client's reader goroutine, or on the caller's when the command
// could not be written: it must be quick and must not wait for another
// command. The wait ends with an error wrapping ErrOutcomeUnknown when ctx
// ends or after the call timeout (WithCallTimeout) if ctx has no deadline.
func (c *Client) CallAsync(ctx context.Context, cmd string, done func(Frame, error)) {
	if done == nil {
		panic("simplex: CallAsync needs a done function")
	}
	c.callAsync(ctx, &pendingCall{done: done, cmd: cmd})
}

// sendAsync is CallAsync for commands answered by newChatItems, when only
// the new items' ids are needed: the answer is scanned, not decoded.
func (c *Client) sendAsync(ctx context.Context, cmd string, done func(ids []int64, err error)) {
	c.callAsync(ctx, &pendingCall{ids: done, cmd: cmd})
}

func (c *Client) callAsync(ctx context.Context, pc *pendingCall) {
	pc.ctx = ctx
	if c.cfg.onCommand != nil {
		pc.start = time.Now()
	}
	if dl, ok := ctx.Deadline(); ok {
		pc.deadline = dl.UnixNano()
	} else if c.cfg.callTimeout > 0 {
		pc.deadline = time.Now().Add(c.cfg.callTimeout).UnixNano()
	}
	if _, err := c.write(ctx, pc); err != nil {
		c.finishCall(pc, Frame{}, err)
	}
}

// watchLocked arms what ends a pipelined call early: its context's end,
// watched once per context, and its deadline, checked by a sweep.
func (c *Client) watchLocked(pc *pendingCall) {
	c.async++
	if done := pc.ctx.Done(); done != nil {
		if _, ok := c.watches[pc.ctx]; !ok {
			if c.watches == nil {
				c.watches = map[context.Context]func() bool{}
			}
			ctx := pc.ctx
			c.watches[ctx] = context.AfterFunc(ctx, func() { c.contextEnded(ctx) })
		}
	}
	if pc.deadline != 0 && c.sweep == nil {
		c.sweep = time.AfterFunc(c.sweepEvery(), c.expire)
	}
}

// sweepEvery is how often pipelined calls are checked for their deadline:
// often enough for a timeout to be honoured to within an eighth of it.
func (c *Client) sweepEvery() time.Duration {
	return min(max(c.cfg.callTimeout/8, 5*time.Millisecond), time.Second)
}

// expire fails the pipelined calls past their deadline.
func (c *Client) expire() {
	now := time.Now().UnixNano()
	var late []*pendingCall
	c.mu.Lock()
	for id, pc := range c.pending {
		if pc.ch == nil && pc.deadline != 0 && now >= pc.deadline {
			delete(c.pending, id)
			c.async--
			late = append(late, pc)
		}
	}
	if c.async > 0 {
		c.sweep.Reset(c.sweepEvery())
	} else {
		c.sweep = nil
	}
	c.mu.Unlock()
	for _, pc := range late {
		c.finishCall(pc, Frame{}, fmt.Errorf("%w: %s: no response: %w", ErrOutcomeUnknown, shortCmd(pc.cmd), context.DeadlineExceeded))
	}
}

// contextEnded fails the pipelined calls made under ctx.
func (c *Client) contextEnded(ctx context.Context) {
	var ended []*pendingCall
	c.mu.Lock()
	delete(c.watches, ctx)
	for id, pc := range c.pending {
		if pc.ch == nil && pc.ctx == ctx {
			delete(c.pending, id)
			c.async--
			ended = append(ended, pc)
		}
	}
	c.mu.Unlock()
	for _, pc := range ended {
		c.finishCall(pc, Frame{}, fmt.Errorf("%w: %s: no response: %w", ErrOutcomeUnknown, shortCmd(pc.cmd), ctx.Err()))
	}
}

// takePending removes and returns the call waiting for corrID.
func (c *Client) takePending(corrID string) *pendingCall {
	c.mu.Lock()
	defer c.mu.Unlock()
	pc := c.pending[corrID]
	if pc != nil {
		delete(c.pending, corrID)
		if pc.ch == nil {
			c.async--
		}
	}
	return pc
}

// finishCall hands a call its outcome: the response frame (a chatCmdError
// becomes a *CommandError), or err. keys are the scanned items of a
// newChatItems answer that was not decoded.
func (c *Client) finishCall(pc *pendingCall, f Frame, err error, keys ...itemKey) {
	if err == nil {
		if ce, ok := f.Resp.(*ChatCmdError); ok {
			err = &CommandError{Cmd: pc.cmd, ChatError: ce.ChatError}
		}
	}
	if pc.ch != nil {
		pc.ch <- callResult{frame: f, err: err}
		return
	}
	if c.cfg.onCommand != nil {
		c.observe(pc.cmd, pc.start, err)
	}
	if pc.done != nil {
		pc.done(f, err)
		return
	}
	if err != nil {
		pc.ids(nil, err)
		return
	}
	var ids []int64
	switch {
	case f.Resp == nil:
		ids = make([]int64, len(keys))
		for i := range keys {
			ids[i] = keys[i].id
		}
	default:
		r, ok := f.Resp.(*NewChatItems)
		if !ok {
			pc.ids(nil, &UnexpectedResponseError{Cmd: pc.cmd, Want: "*simplex.NewChatItems", Got: f.Resp})
			return
		}
		ids = make([]int64, len(r.ChatItems))
		for i := range r.ChatItems {
			ids[i] = r.ChatItems[i].ChatItem.Meta.ItemID
		}
	}
	pc.ids(ids, nil)
}

func (c *Client) forget(id string) {
	c.mu.Lock()
	if pc := c.pending[id]; pc != nil && pc.ch == nil {
		c.async--
	}
	delete(c.pending, id)
	c.mu.Unlock()
}

// do runs a command and returns its response as R. Another response type
// is an *UnexpectedResponseError.
func do[R Response](ctx context.Context, c *Client, cmd Command) (R, error) {
	var zero R
	s, err := cmd.Cmd()
	if err != nil {
		return zero, err
	}
	f, err := c.Call(ctx, s)
	if err != nil {
		return zero, err
	}
	r, ok := f.Resp.(R)
	if !ok {
		return zero, &UnexpectedResponseError{Cmd: s, Want: fmt.Sprintf("%T", zero), Got: f.Resp}
	}
	return r, nil
}

// callCmd renders cmd and sends it, for commands with several possible
// responses.
func callCmd(ctx context.Context, c *Client, cmd Command) (Frame, error) {
	s, err := cmd.Cmd()
	if err != nil {
		return Frame{}, err
	}
	return c.Call(ctx, s)
}

// shortCmd keeps error messages readable when a command carries JSON.
func shortCmd(cmd string) string {
	const max = 60
	if len(cmd) <= max {
		return cmd
	}
	return cmd[:max] + "…"
}
