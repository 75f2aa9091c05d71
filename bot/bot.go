package bot

import (
	"context"
	"errors"
	"fmt"
	"runtime/debug"
	"sync"
	"sync/atomic"
	"time"

	"go.uber.org/zap"
)

// ErrStopped is returned by the emit function once the bot is stopping.
// Platforms return from Listen when they see it.
var ErrStopped = errors.New("bot: stopped")

// ErrAlreadyRunning is returned by Run when the bot is already running.
var ErrAlreadyRunning = errors.New("bot: already running")

// StopError reports work the bot could not finish within its stop timeout.
type StopError struct {
	// Dropped is how many queued events were never handed to a handler.
	Dropped int
	// Cancelled is how many handlers were still running at the deadline and
	// had their context cancelled.
	Cancelled int
}

func (e *StopError) Error() string {
	return fmt.Sprintf("bot: stop timeout: %d queued events not handled, %d running handlers cancelled", e.Dropped, e.Cancelled)
}

// Stats are the bot's running counters.
type Stats struct {
	Received int64 // events the platform delivered
	Handled  int64 // events complete without error: the handler chain returned nil and its pipelined sends succeeded
	Dropped  int64 // events a middleware refused on purpose (Context.Drop), such as duplicates; not in Handled
	Failed   int64 // events whose handler chain or pipelined sends failed
	Panics   int64 // panics caught by the scheduler (outside any Recover middleware)
	Unknown  int64 // events of a type the platform does not know
	Queued   int   // events queued or running now
}

// Bot runs a handler over the events of one platform.
type Bot struct {
	cfg      config
	platform Platform
	handler  Handler
	outer    []Middleware
	chain    Handler
	logger   *zap.Logger

	running atomic.Bool
	sealed  atomic.Bool

	received, handled, dropped, failed, panics, unknown atomic.Int64
	active                                              atomic.Int64 // handlers running now
	sched                                               atomic.Pointer[scheduler]

	pool sync.Pool // of *slot
}

// slot is what the bot keeps about one event from its dispatch until it is
// complete: the Context handed to the handler and the tracker of its
// pipelined sends. Slots are reused.
type slot struct {
	c   Context
	t   tracker
	err error    // what the handler chain returned
	mb  *mailbox // set when the event completes later
}

// New returns a bot that passes every event of p through h. It panics on a
// nil platform or handler: those are setup mistakes.
func New(p Platform, h Handler, opts ...Option) *Bot {
	if p == nil {
		panic("bot: nil platform")
	}
	if h == nil {
		panic("bot: nil handler")
	}
	cfg := defaultConfig()
	for _, o := range opts {
		o.apply(&cfg)
	}
	name := cfg.name
	if name == "" {
		name = p.Name()
	}
	b := &Bot{cfg: cfg, platform: p, handler: h}
	b.logger = cfg.logger.Named(name)
	b.pool.New = func() any { return new(slot) }
	return b
}

// Use adds outer middleware, which sees every event before routing, in the
// order given. It panics once the bot has started.
func (b *Bot) Use(mws ...Middleware) {
	if b.sealed.Load() {
		panic("bot: Use called after Run")
	}
	for _, m := range mws {
		if m == nil {
			panic("bot: nil middleware")
		}
	}
	b.outer = append(b.outer, mws...)
}

// Name returns the bot's name.
func (b *Bot) Name() string {
	if b.cfg.name != "" {
		return b.cfg.name
	}
	return b.platform.Name()
}

// Platform returns the bot's platform.
func (b *Bot) Platform() Platform { return b.platform }

// Logger returns the bot's named logger.
func (b *Bot) Logger() *zap.Logger { return b.logger }

// Stats returns a snapshot of the bot's counters.
func (b *Bot) Stats() Stats {
	s := Stats{
		Received: b.received.Load(),
		Handled:  b.handled.Load(),
		Dropped:  b.dropped.Load(),
		Failed:   b.failed.Load(),
		Panics:   b.panics.Load(),
		Unknown:  b.unknown.Load(),
	}
	if sc := b.sched.Load(); sc != nil {
		s.Queued = sc.depth()
	}
	return s
}

// Run connects the platform and handles events until ctx ends or the
// platform fails. Then it stops reading, lets queued and running handlers
// finish within the stop timeout, cancels what is left, and closes the
// platform. It returns nil after a clean stop, a *StopError when work was
// cut short, or the platform's fatal error. No goroutine it started
// outlives it.
func (b *Bot) Run(ctx context.Context) error {
	if !b.running.CompareAndSwap(false, true) {
		return ErrAlreadyRunning
	}
	defer b.running.Store(false)
	b.sealed.Store(true)
	if b.chain == nil {
		b.chain = Chain(b.handler, b.outer...)
	}

	// Handlers get a context that survives ctx so that they can finish
	// during the drain; it is cancelled at the stop deadline.
	hctx, cancelHandlers := context.WithCancel(context.WithoutCancel(ctx))
	defer cancelHandlers()

	detached := context.WithoutCancel(hctx)
	var sc *scheduler
	sc = newScheduler(b.cfg.maxQueued,
		func(e Event, mb *mailbox) bool { return b.dispatch(hctx, detached, sc, e, mb) },
		b.finish)
	b.sched.Store(sc)

	quit := make(chan struct{})
	var wg sync.WaitGroup
	for i := 0; i < b.cfg.workers; i++ {
		wg.Add(1)
		go func() {
			defer wg.Done()
			sc.work(quit)
		}()
	}

	stop := ctx.Done()
	emit := func(e Event) error {
		if e == nil {
			return nil
		}
		b.received.Add(1)
		if u, ok := e.(Unknowner); ok && u.Unknown() {
			b.unknown.Add(1)
		}
		return sc.enqueue(e, chatKeyOf(e), stop)
	}

	b.logger.Info("bot started", zap.String("platform", b.platform.Name()), zap.Int("workers", b.cfg.workers))
	listenErr := b.platform.Listen(ctx, emit)
	if errors.Is(listenErr, ErrStopped) || (listenErr != nil && ctx.Err() != nil && errors.Is(listenErr, ctx.Err())) {
		listenErr = nil
	}

	var stopErr error
	sc.startDrain()
	timer := time.NewTimer(b.cfg.stopTimeout)
	select {
	case <-sc.drained:
		timer.Stop()
	case <-timer.C:
		sc.abandonQueued()
		running := int(b.active.Load())
		cancelHandlers()
		<-sc.drained
		se := &StopError{Dropped: int(sc.dropped.Load()), Cancelled: running}
		b.logger.Warn("stop deadline reached", zap.Int("dropped", se.Dropped), zap.Int("cancelled", se.Cancelled))
		stopErr = se
	}
	close(quit)
	wg.Wait()

	if cl, ok := b.platform.(Closer); ok {
		cctx, cancel := context.WithTimeout(context.WithoutCancel(ctx), b.cfg.stopTimeout)
		if err := cl.Close(cctx); err != nil {
			b.logger.Warn("platform close", zap.Error(err))
		}
		cancel()
	}
	b.logger.Info("bot stopped")
	return errors.Join(listenErr, stopErr)
}

// dispatch runs the handler chain for one event and reports whether the
// event is complete; when pipelined sends are still in flight it
// completes later, through the scheduler.
func (b *Bot) dispatch(ctx, detached context.Context, sc *scheduler, e Event, mb *mailbox) bool {
	sl := b.pool.Get().(*slot)
	c := &sl.c
	c.ctx = ctx
	c.detached = detached
	c.base = ctx
	c.event = e
	c.chatKey = mb.key
	c.platform = b.platform
	c.logger = b.logger
	c.botName = b.Name()
	c.msg = firstMessage(e)
	c.t = &sl.t
	c.managed = true
	sl.t.open.Store(1) // the handler
	sl.t.sched, sl.t.slot = sc, sl
	b.active.Add(1)
	sl.err = b.safeHandle(c)
	b.active.Add(-1)
	return sc.sealed(sl, mb)
}

// finish reports a complete event: its error is the handler's joined with
// those of its pipelined sends that the handler did not wait for.
func (b *Bot) finish(sl *slot) {
	c := &sl.c
	sl.t.runAfter()
	err := sl.err
	if serr := sl.t.sendErr(); serr != nil {
		if err == nil {
			err = serr
		} else {
			err = errors.Join(err, serr)
		}
	}
	if err != nil {
		b.failed.Add(1)
		if b.cfg.onError != nil {
			b.cfg.onError(c, err)
		} else {
			b.logger.Debug("handler error", zap.String("type", c.event.Type()), zap.Error(err))
		}
	} else if sl.t.dropped.Load() {
		b.dropped.Add(1)
	} else {
		b.handled.Add(1)
	}
	if hn, ok := b.platform.(HandledNotifier); ok {
		hn.EventHandled(c.event, err)
	}
	sl.c = Context{}
	sl.t.reset()
	sl.err, sl.mb = nil, nil
	b.pool.Put(sl)
}

func (b *Bot) safeHandle(c *Context) (err error) {
	defer func() {
		if r := recover(); r != nil {
			b.panics.Add(1)
			err = &PanicError{Value: r, Stack: debug.Stack()}
			b.logger.Error("handler panic", zap.String("type", c.event.Type()), zap.Any("panic", r))
		}
	}()
	return b.chain.Handle(c)
}

// PanicError is a panic turned into an error, with the stack where it
// happened.
type PanicError struct {
	Value any
	Stack []byte
}

func (e *PanicError) Error() string { return fmt.Sprintf("panic: %v", e.Value) }

// Unwrap returns the panic value when it is an error.
func (e *PanicError) Unwrap() error {
	if err, ok := e.Value.(error); ok {
		return err
	}
	return nil
}
