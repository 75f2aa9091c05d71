package privittysim

import (
	"encoding/json"
	"errors"
	"fmt"
	"net"
	"net/http"
	"sync"
	"sync/atomic"
	"time"

	sse "github.com/tmaxmax/go-sse"

	"github.com/parleybot/parley/internal/simfault"
)

// Defaults.
const (
	DefaultPingInterval = 15 * time.Second
	DefaultClientBuffer = 256
)

type config struct {
	listen       string
	pingInterval time.Duration
	clientBuffer int
	numericTypes bool
	snakeCase    bool
	botName      string
	botAddr      string
	botFlag      bool
	noKey        bool
	now          func() time.Time
}

// Option configures a Sim.
type Option func(*config)

// WithListenAddr sets the listen address (default "127.0.0.1:0").
func WithListenAddr(addr string) Option { return func(c *config) { c.listen = addr } }

// WithPingInterval sets how often streams get a `: ping` comment.
func WithPingInterval(d time.Duration) Option { return func(c *config) { c.pingInterval = d } }

// WithClientBuffer sets how many events a stream may hold for a slow
// client before it drops them and sends a lag.
func WithClientBuffer(n int) Option { return func(c *config) { c.clientBuffer = max(n, 1) } }

// WithNumericChatTypes makes chat objects carry numeric chatType values
// (100 single, 120 group), as Privitty's 2.20 core does.
func WithNumericChatTypes(on bool) Option { return func(c *config) { c.numericTypes = on } }

// WithSnakeCase makes Message, Chat and Contact objects use snake_case
// keys instead of camelCase.
func WithSnakeCase(on bool) Option { return func(c *config) { c.snakeCase = on } }

// WithBotName sets the bot's display name (config "displayname").
func WithBotName(name string) Option { return func(c *config) { c.botName = name } }

// WithBotFlag sets the account's "bot" config flag at start (default on).
// Without it the core treats the account as a person's: texts longer than
// TruncateAt arrive cut, with hasHtml set and the whole text behind
// get_message_html.
func WithBotFlag(on bool) Option { return func(c *config) { c.botFlag = on } }

// WithoutFingerprint leaves the account key's fingerprint out of
// get_info, as a gateway that filters it would.
func WithoutFingerprint() Option { return func(c *config) { c.noKey = true } }

// WithClock sets the time source for message timestamps.
func WithClock(now func() time.Time) Option { return func(c *config) { c.now = now } }

// Stats are the simulator's counters.
type Stats struct {
	Streams       int // open event streams
	TotalStreams  int // event streams accepted since Start
	EventsSent    int // data events written to streams
	LagsSent      int // lag events written
	PingsSent     int // keepalive comments written
	EventsDropped int // events dropped because a client's buffer was full
	RPCCalls      int // JSON-RPC requests answered
	Stalled       int // requests held without an answer while frozen
	Abandoned     int // requests whose client gave up before they were carried out
	Drops         int // connections dropped by DropAfter and DropEvery
}

// Sent is a message the bot sent with send_msg or misc_send_text_message.
type Sent struct {
	MsgID           int64
	ChatID          int64
	Text            string
	QuotedMessageID int64
	File            string
	ViewType        string
}

// Action is a state change the bot asked for.
type Action struct {
	Method string // "accept_chat", "block_chat", "markseen_msgs", "delete_messages", …
	ChatID int64
	MsgIDs []int64
}

type rpcFault struct {
	code    int
	message string
}

type subscriber struct {
	ch      chan *sse.Message
	kill    chan struct{}
	once    sync.Once
	dropped atomic.Int64
}

func (s *subscriber) close() { s.once.Do(func() { close(s.kill) }) }

// Sim is a simulated privitty-edged.
type Sim struct {
	cfg config

	srv     *http.Server
	ln      net.Listener
	url     string
	closing chan struct{}
	wg      sync.WaitGroup

	mu      sync.Mutex
	changed chan struct{} // closed and replaced on every change
	w       world
	subs    map[*subscriber]struct{}
	stats   Stats
	sent    []Sent
	actions []Action
	calls   map[string]int
	faults  map[string][]rpcFault
	delay   time.Duration
	drops   simfault.Drops // DropAfter and DropEvery
	silent  bool
	frozen  bool
	wake    chan struct{} // closed and replaced when silence or freezing changes
	license string
	started bool
	// incarnation counts account databases: Recreate starts a new one.
	incarnation int
	pending     []map[string]any // events of the running call
}

// New returns a simulator; call Start.
func New(opts ...Option) *Sim {
	cfg := config{listen: "127.0.0.1:0", pingInterval: DefaultPingInterval, clientBuffer: DefaultClientBuffer,
		botName: "parley", botAddr: "bot@edge.example", botFlag: true, now: time.Now}
	for _, o := range opts {
		o(&cfg)
	}
	s := &Sim{
		cfg:     cfg,
		closing: make(chan struct{}),
		changed: make(chan struct{}),
		subs:    map[*subscriber]struct{}{},
		calls:   map[string]int{},
		faults:  map[string][]rpcFault{},
		wake:    make(chan struct{}),
		license: "active",
	}
	s.w = newWorld(&s.cfg, 0)
	return s
}

// Start listens and serves.
func (s *Sim) Start() error {
	s.mu.Lock()
	defer s.mu.Unlock()
	if s.started {
		return errors.New("privittysim: already started")
	}
	ln, err := net.Listen("tcp", s.cfg.listen)
	if err != nil {
		return err
	}
	mux := http.NewServeMux()
	mux.HandleFunc("POST /rpc", s.serveRPC)
	mux.HandleFunc("GET /events", s.serveEvents)
	mux.HandleFunc("GET /health", s.serveHealth)
	s.ln = ln
	s.url = "http://" + ln.Addr().String()
	s.srv = &http.Server{Handler: mux, ReadHeaderTimeout: 10 * time.Second}
	s.started = true
	s.wg.Add(1)
	go func() {
		defer s.wg.Done()
		_ = s.srv.Serve(ln)
	}()
	return nil
}

// URL returns the base URL, such as "http://127.0.0.1:41234".
func (s *Sim) URL() string {
	s.mu.Lock()
	defer s.mu.Unlock()
	return s.url
}

// Close stops the server and ends every stream and handler.
func (s *Sim) Close() error {
	s.mu.Lock()
	if !s.started {
		s.mu.Unlock()
		return nil
	}
	select {
	case <-s.closing:
		s.mu.Unlock()
		return nil
	default:
	}
	close(s.closing)
	s.mu.Unlock()
	// Streams and delayed answers end on closing; Close then drops every
	// connection, idle or not, so no client keeps a handler alive.
	err := s.srv.Close()
	s.wg.Wait()
	return err
}

// enter registers a running handler; it reports false once closing, so
// that no handler starts after Close began waiting.
func (s *Sim) enter() bool {
	s.mu.Lock()
	defer s.mu.Unlock()
	select {
	case <-s.closing:
		return false
	default:
	}
	s.wg.Add(1)
	return true
}

// notifyLocked wakes Wait callers; s.mu must be held.
func (s *Sim) notifyLocked() {
	close(s.changed)
	s.changed = make(chan struct{})
}

// Wait waits until cond returns true or timeout passes. cond runs without
// the simulator's lock and may call its methods; it is re-checked after
// every change of the world, the records or the streams.
func (s *Sim) Wait(timeout time.Duration, cond func() bool) error {
	deadline := time.NewTimer(timeout)
	defer deadline.Stop()
	for {
		s.mu.Lock()
		ch := s.changed
		s.mu.Unlock()
		if cond() {
			return nil
		}
		select {
		case <-ch:
		case <-deadline.C:
			if cond() {
				return nil
			}
			return fmt.Errorf("privittysim: condition not met within %v", timeout)
		case <-s.closing:
			return errors.New("privittysim: closed")
		}
	}
}

// WaitBotSent waits until the bot sent at least n messages and returns
// all it sent.
func (s *Sim) WaitBotSent(n int, timeout time.Duration) ([]Sent, error) {
	err := s.Wait(timeout, func() bool { return len(s.BotSent()) >= n })
	return s.BotSent(), err
}

// BotSent returns what the bot sent, in order.
func (s *Sim) BotSent() []Sent {
	s.mu.Lock()
	defer s.mu.Unlock()
	return append([]Sent(nil), s.sent...)
}

// Actions returns the state changes the bot asked for, in order.
func (s *Sim) Actions() []Action {
	s.mu.Lock()
	defer s.mu.Unlock()
	return append([]Action(nil), s.actions...)
}

// Calls returns how many times the bot called method.
func (s *Sim) Calls(method string) int {
	s.mu.Lock()
	defer s.mu.Unlock()
	return s.calls[method]
}

// Stats returns the counters.
func (s *Sim) Stats() Stats {
	s.mu.Lock()
	defer s.mu.Unlock()
	st := s.stats
	st.Drops = s.drops.Made()
	st.Streams = len(s.subs)
	return st
}

// ---- fault injection ----

// DropStream closes every open event stream now.
func (s *Sim) DropStream() {
	s.mu.Lock()
	defer s.mu.Unlock()
	for sub := range s.subs {
		sub.close()
	}
}

// DropAfter drops the connection at the n-th frame from now: an event
// written on a stream or an answer to /rpc. At an event, the stream that
// wrote it is closed right after it, and events still buffered for it are
// lost. At an answer, the call is carried out but its connection is cut
// before the answer is written (its outcome is unknown to the caller), and
// every open stream is closed, as when the daemon's connection goes down.
// n <= 0 turns it off.
func (s *Sim) DropAfter(n int) {
	s.mu.Lock()
	s.drops.After(n)
	s.mu.Unlock()
}

// DropEvery drops the connection at every n-th frame, as DropAfter does
// once, until DropEvery(0); calling it again starts the count anew.
func (s *Sim) DropEvery(n int) {
	s.mu.Lock()
	s.drops.Every(n)
	s.mu.Unlock()
}

// SetDelay delays every /rpc answer by d.
func (s *Sim) SetDelay(d time.Duration) {
	s.mu.Lock()
	s.delay = d
	s.mu.Unlock()
}

// FailNext answers the next call of method with a JSON-RPC error.
func (s *Sim) FailNext(method string, code int, message string) {
	s.mu.Lock()
	s.faults[method] = append(s.faults[method], rpcFault{code: code, message: message})
	s.mu.Unlock()
}

// SetLicense sets the license status: "active", "grace_period",
// "expired" or "no_license". privitty_* methods fail with -32001 unless it
// is active or in grace period.
func (s *Sim) SetLicense(status string) {
	s.mu.Lock()
	s.license = status
	s.mu.Unlock()
}

// Silence stops (on) or resumes (off) every write to the streams, pings
// included, without closing them: a dead connection as a client sees it.
// Events published meanwhile fill the buffers and are dropped.
func (s *Sim) Silence(on bool) {
	s.mu.Lock()
	s.silent = on
	close(s.wake)
	s.wake = make(chan struct{})
	s.mu.Unlock()
}

// Freeze stops (on) or resumes (off) the whole daemon, as SIGSTOP and
// SIGCONT would: connections are still accepted, but no request gets an
// answer, not even response headers, and open streams write nothing. A
// held request goes on once the daemon resumes, unless its client gave up.
func (s *Sim) Freeze(on bool) {
	s.mu.Lock()
	s.frozen = on
	close(s.wake)
	s.wake = make(chan struct{})
	s.notifyLocked()
	s.mu.Unlock()
}

// hold keeps a request waiting while the daemon is frozen; it reports
// false when the client gave up or the simulator closes meanwhile.
func (s *Sim) hold(r *http.Request) bool {
	counted := false
	for {
		s.mu.Lock()
		frozen, wake := s.frozen, s.wake
		if frozen && !counted {
			counted = true
			s.stats.Stalled++
			s.notifyLocked()
		}
		s.mu.Unlock()
		if !frozen {
			// A client that gave up as the daemon resumed is gone too.
			if r.Context().Err() != nil {
				s.abandoned()
				return false
			}
			return true
		}
		select {
		case <-wake:
		case <-r.Context().Done():
			s.abandoned()
			return false
		case <-s.closing:
			return false
		}
	}
}

func (s *Sim) abandoned() {
	s.mu.Lock()
	s.stats.Abandoned++
	s.notifyLocked()
	s.mu.Unlock()
}

// SendMalformed sends a data line that is not JSON to every stream.
func (s *Sim) SendMalformed() {
	m := &sse.Message{}
	m.AppendData(`{"type":"IncomingMsg","account_id":1,`)
	s.publish(m)
}

// EmitRaw sends data as one unnamed event to every stream, such as an
// event type the client does not know.
func (s *Sim) EmitRaw(data string) {
	m := &sse.Message{}
	m.AppendData(data)
	s.publish(m)
}

// EmitLag sends `event: lag` with {"dropped":n} to every stream.
func (s *Sim) EmitLag(n int) {
	s.publish(lagMessage(int64(n)))
}

func lagMessage(n int64) *sse.Message {
	m := &sse.Message{Type: sse.Type("lag")}
	m.AppendData(fmt.Sprintf(`{"dropped":%d}`, n))
	return m
}

// emit sends one event object to every stream.
func (s *Sim) emit(ev map[string]any) {
	data, err := json.Marshal(ev)
	if err != nil {
		panic(err) // maps of plain values always encode
	}
	m := &sse.Message{}
	m.AppendData(string(data))
	s.publish(m)
}

// publish queues m for every stream; a full buffer drops it and counts.
func (s *Sim) publish(m *sse.Message) {
	s.mu.Lock()
	defer s.mu.Unlock()
	for sub := range s.subs {
		select {
		case sub.ch <- m:
		default:
			sub.dropped.Add(1)
			s.stats.EventsDropped++
			s.notifyLocked()
		}
	}
}

// ---- HTTP ----

func (s *Sim) serveHealth(w http.ResponseWriter, r *http.Request) {
	if !s.enter() {
		return
	}
	defer s.wg.Done()
	if !s.hold(r) {
		return
	}
	w.Header().Set("Content-Type", "application/json")
	_, _ = w.Write([]byte(`{"status":"ok","service":"privitty-edged","version":"0.1.0-sim"}`))
}

func (s *Sim) serveEvents(w http.ResponseWriter, r *http.Request) {
	if !s.enter() {
		return
	}
	defer s.wg.Done()
	if !s.hold(r) {
		return
	}
	sess, err := sse.Upgrade(w, r)
	if err != nil {
		http.Error(w, err.Error(), http.StatusInternalServerError)
		return
	}
	sub := &subscriber{ch: make(chan *sse.Message, s.cfg.clientBuffer), kill: make(chan struct{})}
	s.mu.Lock()
	s.subs[sub] = struct{}{}
	s.stats.TotalStreams++
	s.notifyLocked()
	s.mu.Unlock()
	defer func() {
		s.mu.Lock()
		delete(s.subs, sub)
		s.notifyLocked()
		s.mu.Unlock()
	}()
	// Headers go out now: from here on the client gets every event.
	if err := sess.Flush(); err != nil {
		return
	}
	ping := time.NewTicker(s.cfg.pingInterval)
	defer ping.Stop()
	for {
		s.mu.Lock()
		silent, wake := s.silent || s.frozen, s.wake
		s.mu.Unlock()
		events, pings := (<-chan *sse.Message)(sub.ch), ping.C
		if silent {
			events, pings = nil, nil
		}
		select {
		case <-r.Context().Done():
			return
		case <-sub.kill:
			return
		case <-s.closing:
			return
		case <-wake:
		case <-pings:
			m := &sse.Message{}
			m.AppendComment("ping")
			if sess.Send(m) != nil || sess.Flush() != nil {
				return
			}
			s.mu.Lock()
			s.stats.PingsSent++
			s.notifyLocked()
			s.mu.Unlock()
		case m := <-events:
			if n := sub.dropped.Swap(0); n > 0 {
				if sess.Send(lagMessage(n)) != nil {
					return
				}
				s.mu.Lock()
				s.stats.LagsSent++
				s.notifyLocked()
				s.mu.Unlock()
			}
			// Whether this event is the one to cut after is decided as it
			// is taken, so a DropAfter made once an event was read never
			// counts that event.
			s.mu.Lock()
			cut := s.drops.Cut()
			s.mu.Unlock()
			if sess.Send(m) != nil || sess.Flush() != nil {
				return
			}
			s.mu.Lock()
			s.stats.EventsSent++
			s.notifyLocked()
			s.mu.Unlock()
			if cut {
				return
			}
		}
	}
}
