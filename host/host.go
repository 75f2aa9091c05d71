// Package host runs several bots in one process and serves their health
// and metrics over HTTP. It is the runtime behind `parley run`, and knows
// nothing of the configuration format that builds the bots.
//
// Each bot is a Runner (a *bot.Bot is one) run by its own supervisor: when
// Run returns or panics before the host stops, the failure is logged and
// counted (parley_bot_restarts_total) and the bot is started again after
// an exponential backoff with jitter, which resets once a run has been
// stable for a while. One bot failing never stops the others.
//
// The HTTP server, when WithAddr is given, serves:
//
//	/healthz  200 "ok" while the process runs
//	/readyz   200 when every bot is ready, else 503 naming each unready bot and why
//	/metrics  the Prometheus registry
//
// A bot is ready while its Run is running and, if the runner (or, for a
// *bot.Bot, its platform) implements Readier, Ready reports true.
//
// The host's own metrics, read at scrape time, are
// parley_bot_restarts_total, parley_bot_up and parley_bot_ready, each by
// bot; package metrics provides the bots' event metrics.
//
// When the context given to Run ends, every bot's context is cancelled and
// Run waits for all of them to return (each drains within its own stop
// timeout), then shuts the HTTP server down gracefully and returns. No
// goroutine the host started outlives Run.
package host

import (
	"context"
	"errors"
	"fmt"
	"net"
	"net/http"
	"runtime/debug"
	"sync"
	"time"
	"unicode"
	"unicode/utf8"

	"github.com/parleybot/parley/bot"
	"github.com/parleybot/parley/platform/kit"
	"github.com/prometheus/client_golang/prometheus"
	"github.com/prometheus/client_golang/prometheus/collectors"
	"go.uber.org/zap"
)

// Runner is something the host keeps running: Run should block until ctx
// ends and then return, nil after a clean stop. A return before ctx ends,
// with or without an error, is a failure and the host restarts it. A
// *bot.Bot is a Runner.
type Runner interface {
	Run(ctx context.Context) error
}

// Readier is implemented by runners (or the platforms of *bot.Bot
// runners) that know when they are ready to serve, for example once
// connected. Runners without it are ready as soon as Run has started.
type Readier interface {
	Ready() bool
}

// RunnerFunc adapts a function to a Runner.
type RunnerFunc func(ctx context.Context) error

// Run calls f(ctx).
func (f RunnerFunc) Run(ctx context.Context) error { return f(ctx) }

// Factory builds a fresh Runner for every start of a bot, so a restart
// also rebuilds what the runner owns (connections, stores). cleanup, if
// not nil, is called after that runner's Run returns. An error counts as
// a failed start and is retried with backoff.
type Factory func() (r Runner, cleanup func() error, err error)

// Errors returned by Host methods.
var (
	// ErrStarted is returned by Start and Run on a host that was started.
	ErrStarted = errors.New("host: already started")
	// ErrNotStarted is returned by Wait before Start.
	ErrNotStarted = errors.New("host: not started")
	// ErrStopped is returned by Add on a host that is stopping or stopped.
	ErrStopped = errors.New("host: stopped")
	// ErrDuplicate is returned by Add for a name already in use.
	ErrDuplicate = errors.New("host: duplicate bot name")
	// ErrNotFound is returned by Remove for a name not in use.
	ErrNotFound = errors.New("host: no such bot")
	// errExited is the failure of a Run that returned nil too early.
	errExited = errors.New("returned before the host stopped")
)

// States a bot can be in, as reported in BotStatus.State.
const (
	StateWaiting    = "waiting"    // the host has not started it yet
	StateRunning    = "running"    // Run is running
	StateRestarting = "restarting" // failed; waiting for its backoff to pass
	StateStopped    = "stopped"    // returned after the host stopped it
)

// BotStatus is a snapshot of one supervised bot.
type BotStatus struct {
	Name string
	// State is one of the State constants.
	State string
	// Running is true while Run is running.
	Running bool
	// Ready is true while Run is running and the runner reports ready.
	Ready bool
	// Restarts counts failures the host restarted the bot after.
	Restarts int
	// LastError is the last failure (nil if none) and LastErrorAt its time.
	LastError   error
	LastErrorAt time.Time
	// Since is when the bot entered its current state.
	Since time.Time
}

// Host supervises bots and serves their health and metrics. Create it
// with New, add bots, then call Run.
type Host struct {
	cfg       config
	log       *zap.Logger
	collector *collector
	mux       *http.ServeMux

	mu      sync.Mutex
	slots   []*slot
	phase   phase
	ctx     context.Context // the bots' parent context, set by Start
	wg      sync.WaitGroup  // supervisors
	ln      net.Listener
	done    chan struct{}
	runErr  error
	started bool
}

type phase int

const (
	phaseIdle phase = iota
	phaseRunning
	phaseStopping
	phaseStopped
)

// slot is one supervised bot.
type slot struct {
	name   string
	build  Factory
	cancel context.CancelFunc
	done   chan struct{} // closed when the supervisor returns

	mu        sync.Mutex
	runner    Runner // while running
	state     string
	since     time.Time
	restarts  int
	lastErr   error
	lastErrAt time.Time
	final     error // what the last Run returned after the host stopped it
}

// New returns a host with no bots.
func New(opts ...Option) *Host {
	cfg := config{
		logger:          zap.NewNop(),
		minBackoff:      DefaultMinBackoff,
		maxBackoff:      DefaultMaxBackoff,
		stableAfter:     DefaultStableAfter,
		shutdownTimeout: DefaultShutdownTimeout,
	}
	for _, o := range opts {
		o(&cfg)
	}
	if !cfg.registrySet {
		reg := prometheus.NewRegistry()
		reg.MustRegister(collectors.NewGoCollector(), collectors.NewProcessCollector(collectors.ProcessCollectorOpts{}))
		cfg.registerer, cfg.gatherer = reg, reg
	}
	h := &Host{cfg: cfg, log: cfg.logger.Named("host"), done: make(chan struct{})}
	h.collector = newCollector(h)
	h.mux = h.newMux()
	return h
}

// Registerer returns where the host registers its metrics, for the bots'
// own metrics (nil if WithRegistry gave none).
func (h *Host) Registerer() prometheus.Registerer { return h.cfg.registerer }

// Add adds a bot that runs r; the same r is run again after a failure.
// Bots may be added before or while the host runs. The name must be
// unique, non-empty, at most 128 bytes of printable UTF-8 without spaces:
// it names the bot in logs, /readyz and metric labels.
func (h *Host) Add(name string, r Runner) error {
	if r == nil {
		return fmt.Errorf("host: bot %q: nil runner", name)
	}
	return h.AddFactory(name, func() (Runner, func() error, error) { return r, nil, nil })
}

// AddFactory adds a bot whose runner f builds anew for every start; see
// Factory and Add.
func (h *Host) AddFactory(name string, f Factory) error {
	if err := validName(name); err != nil {
		return err
	}
	if f == nil {
		return fmt.Errorf("host: bot %q: nil factory", name)
	}
	h.mu.Lock()
	defer h.mu.Unlock()
	if h.phase >= phaseStopping {
		return ErrStopped
	}
	for _, s := range h.slots {
		if s.name == name {
			return fmt.Errorf("%w: %q", ErrDuplicate, name)
		}
	}
	s := &slot{name: name, build: f, state: StateWaiting, since: time.Now()}
	h.slots = append(h.slots, s)
	if h.phase == phaseRunning {
		h.startLocked(s)
	}
	return nil
}

func validName(name string) error {
	if name == "" {
		return errors.New("host: empty bot name")
	}
	if len(name) > 128 || !utf8.ValidString(name) {
		return fmt.Errorf("host: bot name %q: too long or not UTF-8", name)
	}
	for _, r := range name {
		if unicode.IsSpace(r) || !unicode.IsPrint(r) {
			return fmt.Errorf("host: bot name %q: spaces and control characters are not allowed", name)
		}
	}
	return nil
}

// Remove stops the named bot, waits for its Run to return, and forgets
// it. It returns ErrNotFound for an unknown name. A bot must not remove
// itself from its own Run: that would wait for itself.
func (h *Host) Remove(name string) error {
	h.mu.Lock()
	var s *slot
	for i, x := range h.slots {
		if x.name == name {
			s = x
			h.slots = append(h.slots[:i:i], h.slots[i+1:]...)
			break
		}
	}
	h.mu.Unlock()
	if s == nil {
		return fmt.Errorf("%w: %q", ErrNotFound, name)
	}
	if s.cancel != nil {
		s.cancel()
		<-s.done
	}
	return nil
}

// Run starts the host (see Start) and waits until it has stopped (see
// Wait). It returns an error if the host could not start or the HTTP
// server failed, and names every bot whose last run ended in an error
// other than the context's (a bot that could not drain in time, or one
// still failing when the host stopped).
func (h *Host) Run(ctx context.Context) error {
	if err := h.Start(ctx); err != nil {
		return err
	}
	return h.Wait()
}

// Start registers the host's metrics, binds the HTTP listener, and starts
// every bot; it returns once they are started. The host stops when ctx
// ends; Wait waits for that. Start fails, starting nothing, if the
// listener cannot be bound or the metrics cannot be registered.
func (h *Host) Start(ctx context.Context) error {
	h.mu.Lock()
	defer h.mu.Unlock()
	if h.started {
		return ErrStarted
	}
	if reg := h.cfg.registerer; reg != nil {
		if err := reg.Register(h.collector); err != nil {
			return fmt.Errorf("host: register metrics: %w", err)
		}
	}
	var srv *http.Server
	serveDone := make(chan error, 1)
	if h.cfg.addr != "" {
		ln, err := net.Listen("tcp", h.cfg.addr)
		if err != nil {
			h.unregister()
			return fmt.Errorf("host: listen: %w", err)
		}
		h.ln = ln
		srv = &http.Server{
			Handler:           h.mux,
			ReadHeaderTimeout: 10 * time.Second,
			ErrorLog:          zap.NewStdLog(h.log.Named("http")),
		}
	}
	h.started = true
	runCtx, cancel := context.WithCancel(ctx)
	h.ctx = runCtx
	h.phase = phaseRunning
	for _, s := range h.slots {
		h.startLocked(s)
	}
	if srv != nil {
		go func() {
			err := srv.Serve(h.ln)
			if errors.Is(err, http.ErrServerClosed) {
				err = nil
			} else {
				// The probes are gone: stop rather than run unobserved.
				h.log.Error("http server failed; stopping", zap.Error(err))
				cancel()
			}
			serveDone <- err
		}()
		h.log.Info("serving health and metrics", zap.String("addr", h.ln.Addr().String()))
	} else {
		serveDone <- nil
	}
	go h.stopWhenDone(runCtx, cancel, srv, serveDone)
	return nil
}

// startLocked starts s's supervisor. h.mu must be held and the host running.
func (h *Host) startLocked(s *slot) {
	ctx, cancel := context.WithCancel(h.ctx)
	s.cancel = cancel
	s.done = make(chan struct{})
	h.wg.Add(1)
	go h.supervise(ctx, s)
}

// stopWhenDone waits for ctx to end, then stops the bots, then the server.
func (h *Host) stopWhenDone(ctx context.Context, cancel context.CancelFunc, srv *http.Server, serveDone <-chan error) {
	<-ctx.Done()
	h.mu.Lock()
	h.phase = phaseStopping
	slots := append([]*slot(nil), h.slots...)
	h.mu.Unlock()
	h.log.Info("stopping bots", zap.Int("bots", len(slots)))

	// Every supervisor's context derives from ctx, so they are all
	// stopping; no Add can start a new one after phaseStopping.
	h.wg.Wait()
	cancel()

	var errs []error
	for _, s := range slots {
		s.mu.Lock()
		if s.final != nil {
			errs = append(errs, fmt.Errorf("bot %q: %w", s.name, s.final))
		}
		s.mu.Unlock()
	}
	if srv != nil {
		sctx, scancel := context.WithTimeout(context.Background(), h.cfg.shutdownTimeout)
		if err := srv.Shutdown(sctx); err != nil {
			h.log.Warn("http shutdown", zap.Error(err))
			_ = srv.Close()
		}
		scancel()
	}
	if err := <-serveDone; err != nil {
		errs = append(errs, fmt.Errorf("host: http server: %w", err))
	}
	h.unregister()

	h.mu.Lock()
	h.phase = phaseStopped
	h.runErr = errors.Join(errs...)
	h.mu.Unlock()
	h.log.Info("stopped")
	close(h.done)
}

func (h *Host) unregister() {
	if reg := h.cfg.registerer; reg != nil {
		reg.Unregister(h.collector)
	}
}

// Wait blocks until the host started by Start has stopped, and returns
// what Run would.
func (h *Host) Wait() error {
	h.mu.Lock()
	started := h.started
	h.mu.Unlock()
	if !started {
		return ErrNotStarted
	}
	<-h.done
	h.mu.Lock()
	defer h.mu.Unlock()
	return h.runErr
}

// Addr returns the HTTP server's bound address ("127.0.0.1:41234"), or ""
// before Start or without WithAddr.
func (h *Host) Addr() string {
	h.mu.Lock()
	defer h.mu.Unlock()
	if h.ln == nil {
		return ""
	}
	return h.ln.Addr().String()
}

// supervise runs s until ctx ends, restarting it after failures.
func (h *Host) supervise(ctx context.Context, s *slot) {
	defer h.wg.Done()
	defer close(s.done)
	log := h.log.With(zap.String("bot", s.name))
	b := &kit.Backoff{Min: h.cfg.minBackoff, Max: h.cfg.maxBackoff}
	for {
		start := time.Now()
		err := h.runOnce(ctx, s, log)
		if ctx.Err() != nil {
			if errors.Is(err, context.Canceled) || errors.Is(err, context.DeadlineExceeded) {
				err = nil
			}
			if err != nil {
				log.Warn("bot stopped with an error", zap.Error(err))
			}
			s.setStopped(err)
			return
		}
		if err == nil {
			err = errExited
		}
		if time.Since(start) >= h.cfg.stableAfter {
			b.Reset()
		}
		wait := b.Next()
		restarts := s.setFailed(err)
		fields := []zap.Field{zap.Error(err), zap.Int("restarts", restarts), zap.Duration("retry_in", wait)}
		var pe *bot.PanicError
		if errors.As(err, &pe) {
			fields = append(fields, zap.ByteString("stack", pe.Stack))
		}
		log.Error("bot failed; restarting", fields...)

		t := time.NewTimer(wait)
		select {
		case <-ctx.Done():
			t.Stop()
			// Stopped while waiting to retry: the last run's failure
			// stands, as it would had the stop come a moment earlier.
			s.setStopped(err)
			return
		case <-t.C:
		}
	}
}

// runOnce builds and runs s's runner once, turning panics into errors.
func (h *Host) runOnce(ctx context.Context, s *slot, log *zap.Logger) (err error) {
	var (
		r       Runner
		cleanup func() error
	)
	if err := protect(func() error {
		var berr error
		r, cleanup, berr = s.build()
		if berr == nil && r == nil {
			berr = errors.New("factory returned a nil runner")
		}
		return berr
	}); err != nil {
		return fmt.Errorf("build: %w", err)
	}
	if cleanup != nil {
		defer func() {
			if cerr := protect(cleanup); cerr != nil {
				log.Warn("cleanup failed", zap.Error(cerr))
			}
		}()
	}
	s.setRunning(r)
	log.Info("bot running")
	defer s.clearRunner()
	return protect(func() error { return r.Run(ctx) })
}

// protect calls f, turning a panic into a *bot.PanicError.
func protect(f func() error) (err error) {
	defer func() {
		if v := recover(); v != nil {
			err = &bot.PanicError{Value: v, Stack: debug.Stack()}
		}
	}()
	return f()
}

func (s *slot) setRunning(r Runner) {
	s.mu.Lock()
	s.runner, s.state, s.since = r, StateRunning, time.Now()
	s.mu.Unlock()
}

func (s *slot) clearRunner() {
	s.mu.Lock()
	s.runner = nil
	s.mu.Unlock()
}

func (s *slot) setFailed(err error) int {
	s.mu.Lock()
	defer s.mu.Unlock()
	now := time.Now()
	s.restarts++
	s.lastErr, s.lastErrAt = err, now
	s.state, s.since = StateRestarting, now
	return s.restarts
}

func (s *slot) setStopped(final error) {
	s.mu.Lock()
	s.state, s.since, s.final = StateStopped, time.Now(), final
	if final != nil {
		s.lastErr, s.lastErrAt = final, s.since
	}
	s.mu.Unlock()
}

// status returns s's snapshot; it calls the runner's Ready outside the lock.
func (s *slot) status() BotStatus {
	s.mu.Lock()
	st := BotStatus{
		Name: s.name, State: s.state, Running: s.runner != nil, Restarts: s.restarts,
		LastError: s.lastErr, LastErrorAt: s.lastErrAt, Since: s.since,
	}
	r := s.runner
	s.mu.Unlock()
	if r != nil {
		st.Ready = ready(r)
	}
	return st
}

// ready asks r, or a *bot.Bot's platform, whether it is ready.
func ready(r Runner) bool {
	if rd, ok := r.(Readier); ok {
		return rd.Ready()
	}
	if pb, ok := r.(interface{ Platform() bot.Platform }); ok {
		if rd, ok := pb.Platform().(Readier); ok {
			return rd.Ready()
		}
	}
	return true
}

// Status returns a snapshot of every bot, in the order they were added.
func (h *Host) Status() []BotStatus {
	h.mu.Lock()
	slots := append([]*slot(nil), h.slots...)
	h.mu.Unlock()
	out := make([]BotStatus, len(slots))
	for i, s := range slots {
		out[i] = s.status()
	}
	return out
}
