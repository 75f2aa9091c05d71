package virolasim

import (
	"context"
	"crypto/x509"
	"encoding/json"
	"errors"
	"io"
	"log"
	"net"
	"net/http"
	"net/http/httptest"
	"sync"
	"time"

	"github.com/coder/websocket"

	"github.com/parleybot/parley/internal/simfault"
	"github.com/parleybot/parley/platform/virola"
)

// Defaults.
const (
	// DefaultConnBuffer is how many frames a socket may hold for a slow
	// client before the server closes it.
	DefaultConnBuffer = 4096
)

// Option configures a Server.
type Option interface{ apply(*options) }

type optionFunc func(*options)

func (f optionFunc) apply(o *options) { f(o) }

type options struct {
	listen           string
	tls              bool
	eventsCookieOnly bool
	exclusiveCursor  bool
	connBuffer       int
	start            time.Time
}

// WithListenAddr sets the listen address (default "127.0.0.1:0").
func WithListenAddr(addr string) Option { return optionFunc(func(o *options) { o.listen = addr }) }

// WithTLS serves HTTPS with a self-signed certificate (Certificate
// returns it), as Virola servers usually do.
func WithTLS(on bool) Option { return optionFunc(func(o *options) { o.tls = on }) }

// WithEventsCookieOnly makes /api/v1/events refuse the Bearer token and
// accept only the session cookie, as the web client uses it.
func WithEventsCookieOnly(on bool) Option {
	return optionFunc(func(o *options) { o.eventsCookieOnly = on })
}

// WithExclusiveCursor makes message lists leave the cursor message out.
// By default it is included, which is the harder case for a client that
// wants what comes after it.
func WithExclusiveCursor(on bool) Option {
	return optionFunc(func(o *options) { o.exclusiveCursor = on })
}

// WithConnBuffer sets how many frames a socket may hold for a slow client.
func WithConnBuffer(n int) Option { return optionFunc(func(o *options) { o.connBuffer = max(n, 1) }) }

// WithClock sets the start of the simulated clock (message times grow by
// one millisecond per change from there).
func WithClock(start time.Time) Option { return optionFunc(func(o *options) { o.start = start }) }

// Stats are the server's counters.
type Stats struct {
	Conns       int // open event sockets
	TotalConns  int // event sockets accepted since Start
	FramesSent  int // frames written to sockets
	Requests    int // REST requests answered
	Logins      int // successful logins
	Unauthorize int // requests refused with 401
	Drops       int // connections dropped by DropAfter and DropEvery
}

type fault struct {
	status int
	text   string
	cut    bool // carry the request out, then cut its answer (CutNextPost)
	hold   *hold
}

// hold keeps a post waiting before it is carried out (HoldNextPost).
type hold struct {
	arrived, release chan struct{}
	once             sync.Once
}

// conn is one open events socket.
type conn struct {
	uid  int64
	out  chan []byte
	done chan struct{}
	once sync.Once
}

func (c *conn) close() { c.once.Do(func() { close(c.done) }) }

// Server is a Virola Web API server on loopback: REST under /api/v1 and
// the events socket, over a simulated world of users, rooms, messages and
// comments. Scripting methods act as users would; every change is
// broadcast to the sockets of the users with access, the actor included.
type Server struct {
	o    options
	http *httptest.Server

	mu       sync.Mutex
	w        *world
	sessions map[string]int64 // session id → user
	conns    map[*conn]struct{}
	faults   map[string][]fault // "METHOD pattern" → queued error answers
	drops    simfault.Drops     // DropAfter and DropEvery
	delay    time.Duration
	stats    Stats
	changed  chan struct{} // closed and replaced on every change
	subs     map[int]func(virola.Message)
	nextSub  int
	wg       sync.WaitGroup
	ctx      context.Context
	cancel   context.CancelFunc
}

// New returns a server; Start starts it.
func New(opts ...Option) *Server {
	o := options{listen: "127.0.0.1:0", connBuffer: DefaultConnBuffer, start: time.Date(2025, 7, 1, 0, 0, 0, 0, time.UTC)}
	for _, opt := range opts {
		opt.apply(&o)
	}
	s := &Server{o: o, w: newWorld(o.start.UnixMilli()), sessions: map[string]int64{}, conns: map[*conn]struct{}{},
		faults: map[string][]fault{}, changed: make(chan struct{}), subs: map[int]func(virola.Message){}}
	s.ctx, s.cancel = context.WithCancel(context.Background())
	return s
}

// Start listens and serves.
func (s *Server) Start() error {
	ln, err := net.Listen("tcp", s.o.listen)
	if err != nil {
		return err
	}
	s.http = &httptest.Server{Listener: ln, Config: &http.Server{Handler: s.routes(), ReadHeaderTimeout: 10 * time.Second,
		ErrorLog: log.New(io.Discard, "", 0)}}
	if s.o.tls {
		s.http.StartTLS()
	} else {
		s.http.Start()
	}
	return nil
}

// URL returns the base URL, such as "http://127.0.0.1:41234".
func (s *Server) URL() string { return s.http.URL }

// Certificate returns the self-signed certificate of a WithTLS server.
func (s *Server) Certificate() *x509.Certificate { return s.http.Certificate() }

// Close closes every socket and stops the server.
func (s *Server) Close() error {
	s.cancel()
	s.mu.Lock()
	for c := range s.conns {
		c.close()
	}
	s.mu.Unlock()
	s.http.CloseClientConnections()
	s.http.Close()
	s.wg.Wait()
	return nil
}

// notifyLocked wakes Wait callers.
func (s *Server) notifyLocked() {
	close(s.changed)
	s.changed = make(chan struct{})
}

// Wait polls cond, under no lock, after every change until it holds or
// the timeout passes.
func (s *Server) Wait(timeout time.Duration, cond func() bool) error {
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
			return errors.New("virolasim: condition not met in time")
		case <-s.ctx.Done():
			return errors.New("virolasim: server closed")
		}
	}
}

// Stats returns the counters.
func (s *Server) Stats() Stats {
	s.mu.Lock()
	defer s.mu.Unlock()
	st := s.stats
	st.Drops = s.drops.Made()
	return st
}

// DropAfter drops the connection at the n-th frame from now: a frame
// written on an events socket or a REST answer. At a frame, the socket
// that wrote it is closed right after it, and frames still queued for it
// are lost. At an answer, the request is carried out but its connection
// is cut before the answer is written (its outcome is unknown to the
// client), and every events socket is closed. n <= 0 turns it off.
func (s *Server) DropAfter(n int) {
	s.mu.Lock()
	s.drops.After(n)
	s.mu.Unlock()
}

// DropEvery drops the connection at every n-th frame, as DropAfter does
// once, until DropEvery(0); calling it again starts the count anew.
func (s *Server) DropEvery(n int) {
	s.mu.Lock()
	s.drops.Every(n)
	s.mu.Unlock()
}

// DropAll closes every open events socket now.
func (s *Server) DropAll() {
	s.mu.Lock()
	for c := range s.conns {
		c.close()
	}
	s.mu.Unlock()
}

// SetEventDelay delays every frame by d before it is written.
func (s *Server) SetEventDelay(d time.Duration) {
	s.mu.Lock()
	s.delay = d
	s.mu.Unlock()
}

// FailNext answers the next request matching pattern (a route such as
// "POST /api/v1/rooms/{roomId}/messages") with an error body.
func (s *Server) FailNext(pattern string, status int, text string) {
	s.mu.Lock()
	s.faults[pattern] = append(s.faults[pattern], fault{status: status, text: text})
	s.mu.Unlock()
}

// FailNextPost answers the next post of a message or a comment with an
// error body.
func (s *Server) FailNextPost(status int, text string) { s.FailNext(anyPost, status, text) }

// CutNextPost carries out the next post of a message or a comment, then
// cuts its connection before the answer and closes the events sockets,
// as a connection lost at the worst moment: the client cannot know the
// post went through.
func (s *Server) CutNextPost() {
	s.mu.Lock()
	s.faults[anyPost] = append(s.faults[anyPost], fault{cut: true})
	s.mu.Unlock()
}

// HoldNextPost makes the next post of a message or a comment wait, once
// it reached the server, until release is called or the server closes;
// it is then carried out even if its client gave up meanwhile (a call
// timeout on a slow server: the client cannot know the post went
// through). The events sockets stay up. arrived is closed when the post
// waits.
func (s *Server) HoldNextPost() (arrived <-chan struct{}, release func()) { return s.HoldNext(anyPost) }

// HoldNext is HoldNextPost for the next request of a route, named by its
// pattern (such as "GET /api/v1/rooms"), so a test can order the client's
// calls against other work.
func (s *Server) HoldNext(pattern string) (arrived <-chan struct{}, release func()) {
	h := &hold{arrived: make(chan struct{}), release: make(chan struct{})}
	s.mu.Lock()
	s.faults[pattern] = append(s.faults[pattern], fault{hold: h})
	s.mu.Unlock()
	return h.arrived, func() { h.once.Do(func() { close(h.release) }) }
}

// InjectRaw sends a raw text frame, malformed or of an unknown type, to
// every open socket.
func (s *Server) InjectRaw(frame string) {
	s.mu.Lock()
	defer s.mu.Unlock()
	for c := range s.conns {
		s.enqueueLocked(c, []byte(frame))
	}
}

type eventFrame struct {
	Type string `json:"type"`
	Data any    `json:"data"`
}

// broadcastLocked sends an event to every socket of a user for whom
// audience returns true.
func (s *Server) broadcastLocked(typ string, data func(uid int64) any, audience func(uid int64) bool) {
	cache := map[int64][]byte{}
	for c := range s.conns {
		if !audience(c.uid) {
			continue
		}
		b, ok := cache[c.uid]
		if !ok {
			b, _ = json.Marshal(eventFrame{Type: typ, Data: data(c.uid)})
			cache[c.uid] = b
		}
		s.enqueueLocked(c, b)
	}
	s.notifyLocked()
}

func (s *Server) enqueueLocked(c *conn, b []byte) {
	select {
	case c.out <- b:
	default:
		// A client that does not read loses its socket, not the server
		// its memory.
		c.close()
	}
}

func (s *Server) roomAudience(r *room) func(int64) bool {
	return func(uid int64) bool { return r.members[uid] }
}

func (s *Server) messagesCreatedLocked(r *room, msgs ...virola.Message) {
	for _, m := range msgs {
		for _, f := range s.subs {
			f(m)
		}
	}
	s.broadcastLocked(virola.TypeTextMessagesCreated, func(int64) any { return map[string]any{"messages": msgs} }, s.roomAudience(r))
}

func (s *Server) messagesUpdatedLocked(r *room, msgs ...virola.Message) {
	s.broadcastLocked(virola.TypeTextMessagesUpdated, func(int64) any { return map[string]any{"messages": msgs} }, s.roomAudience(r))
}

func (s *Server) roomEventLocked(typ string, r *room) {
	s.broadcastLocked(typ, func(uid int64) any { return map[string]any{"room": s.w.view(r, uid)} }, s.roomAudience(r))
}

// serveConn writes queued frames to one socket until it closes.
func (s *Server) serveConn(ctx context.Context, ws *websocket.Conn, c *conn) {
	defer func() {
		s.mu.Lock()
		delete(s.conns, c)
		s.stats.Conns = len(s.conns)
		s.notifyLocked()
		s.mu.Unlock()
		_ = ws.CloseNow()
	}()
	// Reading keeps pings answered; clients send nothing else.
	readCtx := ws.CloseRead(ctx)
	for {
		select {
		case <-c.done:
			return
		case <-readCtx.Done():
			return
		case b := <-c.out:
			s.mu.Lock()
			delay := s.delay
			s.mu.Unlock()
			if delay > 0 {
				select {
				case <-time.After(delay):
				case <-c.done:
					return
				}
			}
			// The drop counter is taken here, when the frame goes out.
			s.mu.Lock()
			cut := s.drops.Cut()
			s.mu.Unlock()
			wctx, cancel := context.WithTimeout(ctx, 10*time.Second)
			err := ws.Write(wctx, websocket.MessageText, b)
			cancel()
			if err != nil {
				return
			}
			s.mu.Lock()
			s.stats.FramesSent++
			s.notifyLocked()
			s.mu.Unlock()
			if cut {
				return
			}
		}
	}
}
