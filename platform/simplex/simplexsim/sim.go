package simplexsim

import (
	"context"
	"encoding/json"
	"errors"
	"fmt"
	"net"
	"net/http"
	"os"
	"strings"
	"sync"
	"sync/atomic"
	"time"

	"github.com/coder/websocket"
	"go.uber.org/zap"
)

// ErrClosed is returned by world methods once the simulator is closed.
var ErrClosed = errors.New("simplexsim: closed")

// DefaultEventBuffer is the capacity of the shared event queue. Beyond it,
// producers (world methods and the command executor) block until a client
// reads or the simulator closes, as the CLI core blocks on its output queue.
const DefaultEventBuffer = 10000

// Option configures a Sim.
type Option func(*config)

type config struct {
	name         string
	noUser       bool
	log          *zap.Logger
	listen       string
	buffer       int
	autoDelivery bool
	addr         *wAddressSettings
	now          func() time.Time
	filesDir     string
	discardAway  bool
}

// WithBotName sets the display name of the bot user (default "bot").
func WithBotName(name string) Option { return func(c *config) { c.name = name } }

// WithoutUser starts with an empty database: /user answers noActiveUser until
// the client creates one with /_create user.
func WithoutUser() Option { return func(c *config) { c.noUser = true } }

// WithLogger logs connections and commands to l (default: no logging).
func WithLogger(l *zap.Logger) Option { return func(c *config) { c.log = l } }

// WithListenAddr listens on addr instead of 127.0.0.1:0.
func WithListenAddr(addr string) Option { return func(c *config) { c.listen = addr } }

// WithEventBuffer sets the capacity of the shared event queue (default
// DefaultEventBuffer).
func WithEventBuffer(n int) Option { return func(c *config) { c.buffer = n } }

// WithoutAwayQueue makes events that happen while no client is connected
// reach no one: their chat items are kept in the history (/_get chat,
// /_get chats and its unread counts), but not queued for the next client.
// The real CLI queues them in its bounded output queue; this is the harder
// case a bot must survive too (a queue lost with a restarted chat core, or
// one that overflowed). Stats.Discarded counts them.
func WithoutAwayQueue() Option { return func(c *config) { c.discardAway = true } }

// WithAutoDelivery controls whether every message the bot sends is followed
// by chatItemsStatusesUpdated events (sndSent, then sndRcvd). On by default.
func WithAutoDelivery(on bool) Option { return func(c *config) { c.autoDelivery = on } }

// WithAddress starts with the bot's contact address already created, with
// auto-accept on or off and an optional auto-reply text.
func WithAddress(autoAccept bool, autoReply string) Option {
	return func(c *config) {
		s := &wAddressSettings{}
		if autoAccept {
			s.AutoAccept = json.RawMessage(`{"acceptIncognito":false}`)
		}
		if autoReply != "" {
			s.AutoReply = textContent(autoReply)
		}
		c.addr = s
	}
}

// WithFilesFolder sets the folder received files go to when /freceive
// names no path, the CLI's default files folder. Without it the simulator
// makes a temporary folder at the first such file and removes it on Close.
func WithFilesFolder(dir string) Option { return func(c *config) { c.filesDir = dir } }

// WithClock replaces the clock used for timestamps.
func WithClock(now func() time.Time) Option { return func(c *config) { c.now = now } }

// Sim is a local simplex-chat CLI: a WebSocket server on loopback speaking the
// bot API, backed by a scriptable in-memory world. All methods are safe for
// concurrent use.
type Sim struct {
	cfg config
	log *zap.Logger

	// emitMu serializes event producers so that events leave in the order the
	// world changed. Lock order: emitMu before mu.
	emitMu sync.Mutex

	mu      sync.Mutex
	w       *world
	changed chan struct{}
	conns   map[*conn]struct{}
	total   int
	closed  bool
	started bool
	delay   time.Duration
	fails   []failRule
	dropN   int // frames left before a drop; 0 = disarmed
	stats   Stats
	stopped bool // after /_stop, until /_start
	// parseOnly marks the scratch Sim parses runs handlers on.
	parseOnly bool
	// tmpFiles is the temporary files folder made for received files,
	// removed on Close.
	tmpFiles string
	// paused, while not nil, holds the executor before each command
	// until it is closed (PauseCommands).
	paused chan struct{}
	// eventsHeld, while not nil, holds the event pumps (HoldEvents).
	eventsHeld chan struct{}

	events  chan *frame
	blocked atomic.Int64
	cmds    chan request

	ctx    context.Context
	cancel context.CancelFunc
	ln     net.Listener
	srv    *http.Server
	wg     sync.WaitGroup
}

type frame struct {
	data   []byte
	handed chan struct{} // closed once a connection took the frame; nil if nobody waits
}

type request struct {
	c      *conn
	corrID string
	cmd    string
	done   chan struct{} // closed by the executor once the command is answered
}

type failRule struct {
	prefix string
	err    json.RawMessage
	resp   json.RawMessage // a whole response instead of an error
}

// Stats counts what happened on the wire.
type Stats struct {
	// Connections is the number of currently open WebSocket connections.
	Connections int
	// TotalConnections is the number of connections accepted since Start.
	TotalConnections int
	// Commands is the number of well-formed command frames received.
	Commands int
	// InvalidFrames is the number of frames answered with "invalid request".
	InvalidFrames int
	// FramesSent is the number of frames written to clients.
	FramesSent int
	// Discarded is the number of events that reached no one because no
	// client was connected (WithoutAwayQueue).
	Discarded int
}

// New builds a simulator. Call Start to listen.
func New(opts ...Option) *Sim {
	cfg := config{name: "bot", buffer: DefaultEventBuffer, autoDelivery: true, now: time.Now}
	for _, o := range opts {
		o(&cfg)
	}
	if cfg.buffer < 1 {
		cfg.buffer = 1
	}
	log := cfg.log
	if log == nil {
		log = zap.NewNop()
	}
	ctx, cancel := context.WithCancel(context.Background())
	s := &Sim{
		cfg: cfg, log: log.Named("simplexsim"),
		w:       newWorld(cfg.name, !cfg.noUser, cfg.now),
		changed: make(chan struct{}),
		conns:   map[*conn]struct{}{},
		events:  make(chan *frame, cfg.buffer),
		cmds:    make(chan request),
		ctx:     ctx, cancel: cancel,
	}
	if cfg.addr != nil {
		s.w.addr = &address{id: s.w.id(&s.w.nextLink), settings: *cfg.addr}
	}
	return s
}

// Start listens on loopback (or the WithListenAddr address) and serves.
func (s *Sim) Start() error {
	s.mu.Lock()
	defer s.mu.Unlock()
	if s.closed {
		return ErrClosed
	}
	if s.started {
		return errors.New("simplexsim: already started")
	}
	addr := s.cfg.listen
	if addr == "" {
		addr = "127.0.0.1:0"
	}
	ln, err := net.Listen("tcp", addr)
	if err != nil {
		return fmt.Errorf("simplexsim: listen: %w", err)
	}
	s.ln = ln
	s.srv = &http.Server{Handler: http.HandlerFunc(s.serveWS), ReadHeaderTimeout: 10 * time.Second}
	s.started = true
	s.wg.Add(2)
	go func() {
		defer s.wg.Done()
		_ = s.srv.Serve(ln)
	}()
	go func() {
		defer s.wg.Done()
		s.executor()
	}()
	s.log.Info("listening", zap.String("url", s.url()))
	return nil
}

// URL is the WebSocket address to dial, "ws://127.0.0.1:PORT".
func (s *Sim) URL() string {
	s.mu.Lock()
	defer s.mu.Unlock()
	return s.url()
}

func (s *Sim) url() string {
	if s.ln == nil {
		return ""
	}
	return "ws://" + s.ln.Addr().String()
}

// Close stops listening, closes every connection and waits for all of the
// simulator's goroutines. Blocked producers return ErrClosed.
func (s *Sim) Close() error {
	s.mu.Lock()
	if s.closed {
		s.mu.Unlock()
		return nil
	}
	s.closed = true
	conns := make([]*conn, 0, len(s.conns))
	for c := range s.conns {
		conns = append(conns, c)
	}
	srv := s.srv
	s.notifyLocked()
	s.mu.Unlock()

	s.cancel()
	var err error
	if srv != nil {
		err = srv.Close()
	}
	for _, c := range conns {
		c.drop()
	}
	s.wg.Wait()
	s.mu.Lock()
	tmp := s.tmpFiles
	s.tmpFiles = ""
	s.mu.Unlock()
	if tmp != "" {
		if rerr := os.RemoveAll(tmp); err == nil {
			err = rerr
		}
	}
	return err
}

// notifyLocked wakes Wait callers; s.mu must be held.
func (s *Sim) notifyLocked() {
	close(s.changed)
	s.changed = make(chan struct{})
}

// conn is one client connection, shaped like the CLI's per-connection
// threads (apps/simplex-chat/Server.hs runChatServer: raceAny_ [send ws c,
// client c, output c, receive ws c]): a reader that parses, a client that
// hands parsed commands from rcvQ to the executor one at a time, an output
// pump from the shared event queue, and a writer draining sndQ. rcvQ and
// sndQ hold one entry each (clientQSize = 1).
type conn struct {
	s      *Sim
	ws     *websocket.Conn
	rcvQ   chan request
	sndQ   chan []byte
	ctx    context.Context
	cancel context.CancelFunc
	n      int
}

func (c *conn) drop() {
	c.cancel()
	_ = c.ws.CloseNow()
}

func (s *Sim) serveWS(w http.ResponseWriter, r *http.Request) {
	s.mu.Lock()
	if s.closed {
		s.mu.Unlock()
		http.Error(w, "closed", http.StatusServiceUnavailable)
		return
	}
	s.wg.Add(1)
	s.mu.Unlock()
	defer s.wg.Done()

	ws, err := websocket.Accept(w, r, &websocket.AcceptOptions{InsecureSkipVerify: true})
	if err != nil {
		s.log.Debug("accept failed", zap.Error(err))
		return
	}
	ws.SetReadLimit(-1) // the CLI sets no message size limit
	ctx, cancel := context.WithCancel(s.ctx)
	c := &conn{s: s, ws: ws, rcvQ: make(chan request, 1), sndQ: make(chan []byte, 1), ctx: ctx, cancel: cancel}

	s.mu.Lock()
	if s.closed {
		s.mu.Unlock()
		c.drop()
		return
	}
	s.total++
	c.n = s.total
	s.conns[c] = struct{}{}
	s.stats.Connections = len(s.conns)
	s.stats.TotalConnections = s.total
	s.notifyLocked()
	s.mu.Unlock()
	s.log.Info("client connected", zap.Int("conn", c.n), zap.String("path", r.URL.Path))

	var inner sync.WaitGroup
	inner.Add(3)
	go func() { defer inner.Done(); c.output() }()
	go func() { defer inner.Done(); c.writer() }()
	go func() { defer inner.Done(); c.client() }()
	c.reader()
	c.drop()
	inner.Wait()

	s.mu.Lock()
	delete(s.conns, c)
	s.stats.Connections = len(s.conns)
	s.notifyLocked()
	s.mu.Unlock()
	s.log.Info("client disconnected", zap.Int("conn", c.n))
}

func (c *conn) reader() {
	for {
		_, data, err := c.ws.Read(c.ctx)
		if err != nil {
			return
		}
		var env struct {
			CorrID *string `json:"corrId"`
			Cmd    *string `json:"cmd"`
		}
		if json.Unmarshal(data, &env) != nil || env.CorrID == nil || env.Cmd == nil {
			c.s.mu.Lock()
			c.s.stats.InvalidFrames++
			c.s.notifyLocked()
			c.s.mu.Unlock()
			// Straight to sndQ, as the CLI's receive thread does: it may
			// overtake responses to earlier commands.
			select {
			case c.sndQ <- invalidRequestFrame:
			case <-c.ctx.Done():
				return
			}
			continue
		}
		if !c.s.parses(*env.Cmd) && !c.s.scripted(*env.Cmd) {
			// Server.hs receive: Left e -> sendError (Just corrId) e writes
			// the parse error to sndQ at once, so it overtakes the answers
			// to earlier commands still queued or running.
			c.s.record(*env.CorrID, *env.Cmd)
			select {
			case c.sndQ <- responseFrame(*env.CorrID, parseFail().resp):
			case <-c.ctx.Done():
				return
			}
			continue
		}
		// Right command -> writeTBQueue rcvQ: blocks while the one slot is
		// taken, so reading stops until the client thread takes it.
		select {
		case c.rcvQ <- request{c: c, corrID: *env.CorrID, cmd: *env.Cmd}:
		case <-c.ctx.Done():
			return
		}
	}
}

// client runs this connection's parsed commands one at a time, as the
// CLI's client thread does (readTBQueue rcvQ >>= processCommand >>=
// writeTBQueue sndQ): the next is taken only once the last is answered.
func (c *conn) client() {
	for {
		select {
		case r := <-c.rcvQ:
			r.done = make(chan struct{})
			select {
			case c.s.cmds <- r:
			case <-c.ctx.Done():
				return
			}
			select {
			case <-r.done:
			case <-c.ctx.Done():
				return
			}
		case <-c.ctx.Done():
			return
		}
	}
}

// scripted reports whether FailNext or ReplyNext will answer cmd: such a
// command goes to the executor whether it parses or not, as the rule
// stands for a chat core that answers differently.
func (s *Sim) scripted(cmd string) bool {
	s.mu.Lock()
	defer s.mu.Unlock()
	for _, f := range s.fails {
		if strings.HasPrefix(cmd, f.prefix) {
			return true
		}
	}
	return false
}

// record counts a command and keeps it for World.Commands.
func (s *Sim) record(corrID, cmd string) {
	s.mu.Lock()
	defer s.mu.Unlock()
	s.stats.Commands++
	s.w.commands = append(s.w.commands, CommandRecord{CorrID: corrID, Cmd: cmd})
	s.notifyLocked()
}

// output moves events from the shared queue into this connection's sndQ.
// Whichever connection's pump takes an event owns it: a second socket steals.
func (c *conn) output() {
	for {
		if c.ctx.Err() != nil {
			return // a dead connection takes no more events
		}
		c.s.mu.Lock()
		held := c.s.eventsHeld
		c.s.mu.Unlock()
		if held != nil {
			select {
			case <-held:
				continue
			case <-c.ctx.Done():
				return
			}
		}
		select {
		case f := <-c.s.events:
			select {
			case c.sndQ <- f.data:
			case <-c.ctx.Done():
				// Taken but never sent: lost, as in the CLI.
			}
			if f.handed != nil {
				close(f.handed)
			}
		case <-c.ctx.Done():
			return
		}
	}
}

func (c *conn) writer() {
	for {
		select {
		case b := <-c.sndQ:
			// Whether to drop after this frame is decided as it is taken,
			// so a DropAfter made once a frame was read never counts it.
			cut := c.s.frameTaken()
			if err := c.ws.Write(c.ctx, websocket.MessageText, b); err != nil {
				c.drop()
				return
			}
			c.s.frameSent()
			if cut {
				c.drop()
				return
			}
		case <-c.ctx.Done():
			return
		}
	}
}

// frameTaken reports whether DropAfter fires with the frame about to be
// written.
func (s *Sim) frameTaken() bool {
	s.mu.Lock()
	defer s.mu.Unlock()
	if s.dropN > 0 {
		s.dropN--
		return s.dropN == 0
	}
	return false
}

// frameSent counts a written frame.
func (s *Sim) frameSent() {
	s.mu.Lock()
	defer s.mu.Unlock()
	s.stats.FramesSent++
	s.notifyLocked()
}

// push appends a frame to the shared event queue, blocking while it is
// full. With WithoutAwayQueue an event made while no client is connected is
// discarded instead.
func (s *Sim) push(f *frame) error {
	if s.cfg.discardAway && f.handed == nil {
		s.mu.Lock()
		away := len(s.conns) == 0
		if away {
			s.stats.Discarded++
			s.notifyLocked()
		}
		s.mu.Unlock()
		if away {
			return nil
		}
	}
	select {
	case s.events <- f:
		return nil
	default:
	}
	s.setBlocked(1)
	defer s.setBlocked(-1)
	select {
	case s.events <- f:
		return nil
	case <-s.ctx.Done():
		return ErrClosed
	}
}

func (s *Sim) setBlocked(d int64) {
	s.mu.Lock()
	s.blocked.Add(d)
	s.notifyLocked()
	s.mu.Unlock()
}

// emit runs fn against the world and queues the events it returns, in order.
func (s *Sim) emit(fn func(w *world) ([]any, error)) error {
	s.emitMu.Lock()
	defer s.emitMu.Unlock()
	s.mu.Lock()
	if s.closed {
		s.mu.Unlock()
		return ErrClosed
	}
	evs, err := fn(s.w)
	frames := make([][]byte, len(evs))
	for i, e := range evs {
		frames[i] = eventFrame(e)
	}
	s.notifyLocked()
	s.mu.Unlock()
	if err != nil {
		return err
	}
	for _, b := range frames {
		if err := s.push(&frame{data: b}); err != nil {
			return err
		}
	}
	return nil
}

// result is what a command produces: its response and the events it causes,
// some queued before the response is sent and some after.
type result struct {
	resp     any
	before   []any
	after    []any
	parseErr bool // the parser did not take the command
}

func (s *Sim) executor() {
	for {
		select {
		case r := <-s.cmds:
			// A command of a connection that died before its turn is not
			// run: the CLI ends a dead connection's client thread with it.
			if s.waitPaused() && r.c.ctx.Err() == nil {
				s.execute(r)
			}
			close(r.done)
		case <-s.ctx.Done():
			return
		}
	}
}

// waitPaused holds a command while PauseCommands is in effect; false if
// the simulator closed meanwhile.
func (s *Sim) waitPaused() bool {
	s.mu.Lock()
	p := s.paused
	s.mu.Unlock()
	if p == nil {
		return true
	}
	select {
	case <-p:
		return true
	case <-s.ctx.Done():
		return false
	}
}

// execute runs a parsed command and writes its answer and events.
func (s *Sim) execute(r request) {
	s.emitMu.Lock()
	s.mu.Lock()
	s.stats.Commands++
	s.w.commands = append(s.w.commands, CommandRecord{CorrID: r.corrID, Cmd: r.cmd})
	var res *result
	for i, f := range s.fails {
		if strings.HasPrefix(r.cmd, f.prefix) {
			s.fails = append(s.fails[:i:i], s.fails[i+1:]...)
			res = &result{resp: body("chatCmdError").set("chatError", f.err)}
			if f.resp != nil {
				res = &result{resp: f.resp}
			}
			break
		}
	}
	if res == nil {
		res = s.exec(r.cmd) // the reader parsed it
	}
	resp := responseFrame(r.corrID, res.resp)
	before := make([]*frame, len(res.before))
	for i, e := range res.before {
		before[i] = &frame{data: eventFrame(e), handed: make(chan struct{})}
	}
	after := make([][]byte, len(res.after))
	for i, e := range res.after {
		after[i] = eventFrame(e)
	}
	delay := s.delay
	s.notifyLocked()
	s.mu.Unlock()
	s.log.Debug("command", zap.String("corrId", r.corrID), zap.Int("events", len(before)+len(after)))

	for _, f := range before {
		if s.push(f) != nil {
			s.emitMu.Unlock()
			return
		}
	}
	s.emitMu.Unlock()
	// Events caused by the command go out before its response: wait until a
	// connection has taken them (FIFO sndQ keeps the order on that socket).
	for _, f := range before {
		select {
		case <-f.handed:
		case <-r.c.ctx.Done():
		case <-s.ctx.Done():
			return
		}
	}
	if delay > 0 {
		t := time.NewTimer(delay)
		select {
		case <-t.C:
		case <-s.ctx.Done():
			t.Stop()
			return
		}
	}
	select {
	case r.c.sndQ <- resp:
	case <-r.c.ctx.Done():
	case <-s.ctx.Done():
		return
	}
	if len(after) > 0 {
		s.emitMu.Lock()
		defer s.emitMu.Unlock()
		for _, b := range after {
			if s.push(&frame{data: b}) != nil {
				return
			}
		}
	}
}

// Fault injection.

// DropAfter closes the connection that sends the n-th frame from now (counted
// across all connections). DropAfter(0) drops every open connection at once.
func (s *Sim) DropAfter(n int) {
	s.mu.Lock()
	if n > 0 {
		s.dropN = n
		s.mu.Unlock()
		return
	}
	s.dropN = 0
	conns := make([]*conn, 0, len(s.conns))
	for c := range s.conns {
		conns = append(conns, c)
	}
	s.mu.Unlock()
	for _, c := range conns {
		c.drop()
	}
}

// PauseCommands holds the command executor, as a chat core busy with a
// long command would: commands are still read and parsed, so parse errors
// are answered at once, while parsed ones wait (one per connection in its
// queue, the next blocking that connection's reading) until resume is
// called. resume may be called more than once.
func (s *Sim) PauseCommands() (resume func()) {
	ch := make(chan struct{})
	s.mu.Lock()
	s.paused = ch
	s.mu.Unlock()
	var once sync.Once
	return func() {
		once.Do(func() {
			s.mu.Lock()
			if s.paused == ch {
				s.paused = nil
			}
			s.mu.Unlock()
			close(ch)
		})
	}
}

// HoldEvents keeps events in the shared queue, as a CLI whose event
// output lags behind its command answers: a command answered meanwhile
// can already count an item whose event has not gone out yet. Events go
// out in order once release is called; release may be called more than
// once.
func (s *Sim) HoldEvents() (release func()) {
	ch := make(chan struct{})
	s.mu.Lock()
	s.eventsHeld = ch
	s.mu.Unlock()
	return sync.OnceFunc(func() {
		s.mu.Lock()
		if s.eventsHeld == ch {
			s.eventsHeld = nil
		}
		s.mu.Unlock()
		close(ch)
	})
}

// SetDelay delays every command response by d (after the command ran and its
// early events went out).
func (s *Sim) SetDelay(d time.Duration) {
	s.mu.Lock()
	s.delay = d
	s.mu.Unlock()
}

// FailNext makes the next command starting with cmdPrefix answer
// {"type":"chatCmdError","chatError":chatError} instead of running, in its
// turn, whether or not it parses.
func (s *Sim) FailNext(cmdPrefix string, chatError string) error {
	if !json.Valid([]byte(chatError)) {
		return fmt.Errorf("simplexsim: FailNext: chatError is not JSON")
	}
	s.mu.Lock()
	s.fails = append(s.fails, failRule{prefix: cmdPrefix, err: json.RawMessage(chatError)})
	s.mu.Unlock()
	return nil
}

// ReplyNext makes the next command starting with cmdPrefix answer resp, a
// whole response object such as {"type":"cmdOk"}, instead of running: a
// chat core whose answer differs from its documentation.
func (s *Sim) ReplyNext(cmdPrefix string, resp string) error {
	if !json.Valid([]byte(resp)) {
		return fmt.Errorf("simplexsim: ReplyNext: resp is not JSON")
	}
	s.mu.Lock()
	s.fails = append(s.fails, failRule{prefix: cmdPrefix, resp: json.RawMessage(resp)})
	s.mu.Unlock()
	return nil
}

// MalformedFrame is the non-JSON frame SendMalformed queues.
const MalformedFrame = "simplexsim: this frame is not JSON {"

// UnknownEventType is the event type SendMalformed uses for its second frame.
const UnknownEventType = "simUnknownEvent"

// SendMalformed queues two bad event frames: one that is not JSON and one
// with an unknown event type.
func (s *Sim) SendMalformed() error {
	if err := s.EmitFrame([]byte(MalformedFrame)); err != nil {
		return err
	}
	return s.EmitRaw(json.RawMessage(`{"type":"` + UnknownEventType + `","detail":{"n":1},"user":{"userId":1}}`))
}

// EmitFrame queues an arbitrary frame on the shared event queue.
func (s *Sim) EmitFrame(data []byte) error {
	s.emitMu.Lock()
	defer s.emitMu.Unlock()
	s.mu.Lock()
	closed := s.closed
	s.mu.Unlock()
	if closed {
		return ErrClosed
	}
	return s.push(&frame{data: append([]byte(nil), data...)})
}

// EmitRaw queues an event whose resp body is the given JSON object.
func (s *Sim) EmitRaw(resp json.RawMessage) error {
	if !json.Valid(resp) {
		return errors.New("simplexsim: EmitRaw: not JSON")
	}
	return s.EmitFrame(eventFrame(resp))
}

// Noise queues the harmless network events a real CLI produces: a chatError
// with a BROKER TIMEOUT agent error, hostConnected and subscriptionStatus.
func (s *Sim) Noise() error {
	return s.emit(func(w *world) ([]any, error) {
		agentErr := body("BROKER").set("brokerAddress", "smp://c2lt@smp.sim.invalid").set("brokerErr", tagged{"TIMEOUT"})
		return []any{
			body("chatError").set("chatError", body("errorAgent").set("agentError", agentErr).set("agentConnId", b64id('c', 0))),
			body("hostConnected").set("protocol", "smp").set("transportHost", "smp.sim.invalid"),
			body("subscriptionStatus").set("server", "smp://c2lt@smp.sim.invalid").
				set("subscriptionStatus", tagged{"active"}).set("connections", []string{b64id('c', 1)}),
		}, nil
	})
}

// Stats returns the wire counters.
func (s *Sim) Stats() Stats {
	s.mu.Lock()
	defer s.mu.Unlock()
	return s.stats
}

// QueuedEvents is the number of events waiting in the shared queue.
func (s *Sim) QueuedEvents() int { return len(s.events) }

// BlockedProducers is the number of producers waiting for room in the full
// shared event queue.
func (s *Sim) BlockedProducers() int { return int(s.blocked.Load()) }
