package olvidsim

import (
	"context"
	"crypto/tls"
	"errors"
	"net"
	"strconv"
	"strings"
	"sync"
	"sync/atomic"
	"time"

	"google.golang.org/grpc"
	"google.golang.org/grpc/codes"
	"google.golang.org/grpc/credentials"
	"google.golang.org/grpc/metadata"
	"google.golang.org/grpc/status"
)

// DefaultClientKey is the client key the simulator accepts unless told
// otherwise.
const DefaultClientKey = "00000000-0000-4000-8000-00000000b07"

// DefaultMaxBody is the longest message body, in bytes, the simulator
// accepts; longer ones are refused with INVALID_ARGUMENT.
const DefaultMaxBody = 8000

// Option configures a Sim.
type Option interface{ apply(*options) }

type optionFunc func(*options)

func (f optionFunc) apply(o *options) { f(o) }

type options struct {
	addr      string
	keys      map[string]bool // client keys bound to the identity
	adminKeys map[string]bool
	tls       *tls.Config
	name      string
	maxBody   int
	now       func() time.Time
}

// WithAddr sets the listen address (default "127.0.0.1:0").
func WithAddr(addr string) Option { return optionFunc(func(o *options) { o.addr = addr }) }

// WithClientKey adds a client key bound to the identity; the first call
// replaces DefaultClientKey.
func WithClientKey(key string) Option {
	return optionFunc(func(o *options) {
		if o.keys[DefaultClientKey] && len(o.keys) == 1 {
			delete(o.keys, DefaultClientKey)
		}
		o.keys[key] = true
	})
}

// WithAdminKey adds an admin key, which must name the identity with
// daemon-identity-id.
func WithAdminKey(key string) Option { return optionFunc(func(o *options) { o.adminKeys[key] = true }) }

// WithTLS serves TLS with cfg (set ClientAuth for mutual TLS).
func WithTLS(cfg *tls.Config) Option { return optionFunc(func(o *options) { o.tls = cfg }) }

// WithIdentityName sets the bot identity's display name.
func WithIdentityName(name string) Option { return optionFunc(func(o *options) { o.name = name }) }

// WithMaxBody sets the longest body accepted (default DefaultMaxBody).
func WithMaxBody(n int) Option { return optionFunc(func(o *options) { o.maxBody = n }) }

// WithClock sets the clock that stamps messages, invitations and
// reactions (default time.Now); now must be safe for concurrent use.
func WithClock(now func() time.Time) Option { return optionFunc(func(o *options) { o.now = now }) }

// Stats are the simulator's counters.
type Stats struct {
	Conns, TotalConns     int   // TCP connections open and accepted
	Streams, TotalStreams int   // notification streams open and opened
	Frames                int64 // notifications sent
	Calls                 int64 // RPCs handled, streams included
	Unauthenticated       int64 // calls refused for their key
	Drops                 int   // connection drops made by DropAfter and DropEvery
}

// Sim is a simulated Olvid bot daemon: a gRPC server on loopback that
// speaks the daemon's protocol for one identity, with a scriptable world
// (world.go) and fault injection.
type Sim struct {
	opts options
	srv  *grpc.Server
	ln   *listener

	mu sync.Mutex
	w  world

	faultMu     sync.Mutex
	failNext    map[string][]error
	delays      map[string]time.Duration
	unavailable bool
	dropAfter   int64 // frames left before the connections drop; 0 = off
	dropEvery   int64 // re-arms dropAfter after each drop; 0 = once
	holds       map[string][]*hold

	frames, calls, unauth atomic.Int64
	drops                 atomic.Int64
	streams, streamsTotal atomic.Int64
	cut                   chan struct{} // closed to end every open stream
	cutMu                 sync.Mutex
	closeOnce             sync.Once
	closing               chan struct{} // closed by Close, releasing held calls
	serveDone             chan struct{}
}

// hold is a call held by Hold.
type hold struct {
	arrived, release chan struct{}
	once             sync.Once
}

// New returns a simulator; Start serves it.
func New(opts ...Option) *Sim {
	o := options{addr: "127.0.0.1:0", keys: map[string]bool{DefaultClientKey: true}, adminKeys: map[string]bool{},
		name: "Parley Bot", maxBody: DefaultMaxBody}
	for _, opt := range opts {
		opt.apply(&o)
	}
	s := &Sim{opts: o, failNext: map[string][]error{}, delays: map[string]time.Duration{}, cut: make(chan struct{}), closing: make(chan struct{}), serveDone: make(chan struct{}), holds: map[string][]*hold{}}
	s.w.init(o.name)
	if o.now != nil {
		s.w.now = o.now
	}
	return s
}

// Start listens and serves in the background.
func (s *Sim) Start() error {
	ln, err := net.Listen("tcp", s.opts.addr)
	if err != nil {
		return err
	}
	s.ln = &listener{Listener: ln, conns: map[*conn]struct{}{}}
	sopts := []grpc.ServerOption{grpc.ChainUnaryInterceptor(s.unaryInterceptor), grpc.ChainStreamInterceptor(s.streamInterceptor)}
	if s.opts.tls != nil {
		sopts = append(sopts, grpc.Creds(credentials.NewTLS(s.opts.tls)))
	}
	s.srv = grpc.NewServer(sopts...)
	register(s.srv, s)
	go func() {
		defer close(s.serveDone)
		_ = s.srv.Serve(s.ln)
	}()
	return nil
}

// Addr returns the "host:port" the simulator listens on.
func (s *Sim) Addr() string { return s.ln.Addr().String() }

// ClientKey returns a client key the simulator accepts.
func (s *Sim) ClientKey() string {
	for k := range s.opts.keys {
		return k
	}
	return ""
}

// Close stops the server, ending every stream and connection.
func (s *Sim) Close() error {
	s.closeOnce.Do(func() {
		close(s.closing)
		s.w.closeAll()
		if s.srv != nil {
			s.srv.Stop()
			<-s.serveDone
		}
	})
	return nil
}

// Stats returns the counters.
func (s *Sim) Stats() Stats {
	st := Stats{Frames: s.frames.Load(), Calls: s.calls.Load(), Unauthenticated: s.unauth.Load(),
		Streams: int(s.streams.Load()), TotalStreams: int(s.streamsTotal.Load()), Drops: int(s.drops.Load())}
	if s.ln != nil {
		st.Conns, st.TotalConns = s.ln.counts()
	}
	return st
}

// Wait polls cond until it holds or timeout passes.
func (s *Sim) Wait(timeout time.Duration, cond func() bool) error {
	deadline := time.Now().Add(timeout)
	for !cond() {
		if time.Now().After(deadline) {
			return errors.New("olvidsim: condition not met in time")
		}
		time.Sleep(time.Millisecond)
	}
	return nil
}

// FailNext makes the next call of method (its short name, such as
// "MessageSend") fail with code and msg.
func (s *Sim) FailNext(method string, code codes.Code, msg string) {
	s.faultMu.Lock()
	s.failNext[method] = append(s.failNext[method], status.Error(code, msg))
	s.faultMu.Unlock()
}

// SetDelay delays every call of method ("" for every method) by d; zero
// removes the delay.
func (s *Sim) SetDelay(method string, d time.Duration) {
	s.faultMu.Lock()
	if d <= 0 {
		delete(s.delays, method)
	} else {
		s.delays[method] = d
	}
	s.faultMu.Unlock()
}

// Hold makes the next call of method (a unary one, such as
// "MessageSend") wait once it reached the simulator, before it is carried
// out, until release is called or the simulator closes. The call is then
// carried out even if its connection dropped meanwhile, as a daemon runs a
// command it received: its client may have seen the call fail long
// before. arrived is closed when the call waits.
func (s *Sim) Hold(method string) (arrived <-chan struct{}, release func()) {
	h := &hold{arrived: make(chan struct{}), release: make(chan struct{})}
	s.faultMu.Lock()
	s.holds[method] = append(s.holds[method], h)
	s.faultMu.Unlock()
	return h.arrived, func() { h.once.Do(func() { close(h.release) }) }
}

// waitHold holds a call of method if Hold asked for it.
func (s *Sim) waitHold(method string) {
	s.faultMu.Lock()
	var h *hold
	if q := s.holds[method]; len(q) > 0 {
		h, s.holds[method] = q[0], q[1:]
	}
	s.faultMu.Unlock()
	if h == nil {
		return
	}
	close(h.arrived)
	select {
	case <-h.release:
	case <-s.closing:
	}
}

// SetUnavailable makes every call but Ping fail with UNAVAILABLE while on.
func (s *Sim) SetUnavailable(on bool) {
	s.faultMu.Lock()
	s.unavailable = on
	s.faultMu.Unlock()
}

// CutStreams ends every open notification stream with UNAVAILABLE; the
// connections stay up.
func (s *Sim) CutStreams() {
	s.cutMu.Lock()
	close(s.cut)
	s.cut = make(chan struct{})
	s.cutMu.Unlock()
}

func (s *Sim) cutChan() <-chan struct{} {
	s.cutMu.Lock()
	defer s.cutMu.Unlock()
	return s.cut
}

// DropConnections closes every client connection at once.
func (s *Sim) DropConnections() { s.ln.dropAll() }

// DropAfter closes every client connection right after the n-th
// notification sent from now; frames in flight may be lost.
func (s *Sim) DropAfter(n int) {
	s.faultMu.Lock()
	s.dropAfter, s.dropEvery = int64(n), 0
	s.faultMu.Unlock()
}

// DropEvery closes every client connection after every n frames until
// DropEvery(0), a frame being a notification on a stream or the answer to
// a unary call: a cut answer's call was carried out, and the client sees
// the connection fail (UNAVAILABLE), its outcome unknown.
func (s *Sim) DropEvery(n int) {
	s.faultMu.Lock()
	s.dropAfter, s.dropEvery = int64(n), int64(n)
	s.faultMu.Unlock()
}

// sent counts a notification frame and applies DropAfter.
func (s *Sim) sent() {
	s.frames.Add(1)
	if s.cutHere(false) {
		s.ln.dropAll()
	}
}

// cutHere counts a frame against DropAfter and DropEvery and tells
// whether the connections drop at it; unary answers count for DropEvery
// only.
func (s *Sim) cutHere(unary bool) bool {
	s.faultMu.Lock()
	defer s.faultMu.Unlock()
	if s.dropAfter <= 0 || unary && s.dropEvery == 0 {
		return false
	}
	s.dropAfter--
	if s.dropAfter > 0 {
		return false
	}
	s.dropAfter = s.dropEvery
	s.drops.Add(1)
	return true
}

func shortName(full string) string { return full[strings.LastIndexByte(full, '/')+1:] }

// admit runs the checks every call passes: faults, then authentication.
func (s *Sim) admit(ctx context.Context, full string) error {
	s.calls.Add(1)
	method := shortName(full)
	s.faultMu.Lock()
	d := s.delays[method] + s.delays[""]
	unavailable := s.unavailable && method != "Ping"
	var fail error
	if q := s.failNext[method]; len(q) > 0 {
		fail, s.failNext[method] = q[0], q[1:]
	}
	s.faultMu.Unlock()
	if d > 0 {
		t := time.NewTimer(d)
		select {
		case <-t.C:
		case <-ctx.Done():
			t.Stop()
			return status.FromContextError(ctx.Err()).Err()
		}
	}
	if unavailable {
		return status.Error(codes.Unavailable, "daemon unavailable")
	}
	if method != "Ping" {
		if err := s.authenticate(ctx); err != nil {
			s.unauth.Add(1)
			return err
		}
	}
	return fail
}

func (s *Sim) authenticate(ctx context.Context) error {
	md, _ := metadata.FromIncomingContext(ctx)
	keys := md.Get("daemon-client-key")
	if len(keys) != 1 {
		return status.Error(codes.Unauthenticated, "client key is invalid")
	}
	if s.opts.keys[keys[0]] {
		return nil
	}
	if !s.opts.adminKeys[keys[0]] {
		return status.Error(codes.Unauthenticated, "client key is invalid")
	}
	ids := md.Get("daemon-identity-id")
	if len(ids) != 1 {
		return status.Error(codes.Unauthenticated, "admin key used without daemon-identity-id")
	}
	if id, err := strconv.ParseUint(ids[0], 10, 64); err != nil || id != s.w.identityID {
		return status.Error(codes.Unauthenticated, "identity id is invalid")
	}
	return nil
}

func (s *Sim) unaryInterceptor(ctx context.Context, req any, info *grpc.UnaryServerInfo, h grpc.UnaryHandler) (any, error) {
	if err := s.admit(ctx, info.FullMethod); err != nil {
		return nil, err
	}
	s.waitHold(shortName(info.FullMethod))
	resp, err := h(ctx, req)
	if err == nil && s.cutHere(true) {
		// The call was carried out but its answer dies with the
		// connection: the client sees the transport fail, not an answer.
		s.ln.dropAll()
		return nil, status.Error(codes.Unavailable, "connection closed before the answer")
	}
	return resp, err
}

func (s *Sim) streamInterceptor(srv any, ss grpc.ServerStream, info *grpc.StreamServerInfo, h grpc.StreamHandler) error {
	if err := s.admit(ss.Context(), info.FullMethod); err != nil {
		return err
	}
	return h(srv, ss)
}

// listener counts connections and can close them all.
type listener struct {
	net.Listener
	mu    sync.Mutex
	conns map[*conn]struct{}
	total int
}

type conn struct {
	net.Conn
	l    *listener
	once sync.Once
}

func (c *conn) Close() error {
	c.once.Do(func() {
		c.l.mu.Lock()
		delete(c.l.conns, c)
		c.l.mu.Unlock()
	})
	return c.Conn.Close()
}

func (l *listener) Accept() (net.Conn, error) {
	nc, err := l.Listener.Accept()
	if err != nil {
		return nil, err
	}
	c := &conn{Conn: nc, l: l}
	l.mu.Lock()
	l.conns[c] = struct{}{}
	l.total++
	l.mu.Unlock()
	return c, nil
}

func (l *listener) counts() (open, total int) {
	l.mu.Lock()
	defer l.mu.Unlock()
	return len(l.conns), l.total
}

func (l *listener) dropAll() {
	l.mu.Lock()
	cs := make([]*conn, 0, len(l.conns))
	for c := range l.conns {
		cs = append(cs, c)
	}
	l.mu.Unlock()
	for _, c := range cs {
		_ = c.Close()
	}
}
