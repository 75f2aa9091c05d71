package bot

import (
	"context"
	"errors"
	"sync"
	"sync/atomic"
)

// AsyncSender is the capability to pipeline sends: to write a message now
// and learn its outcome later, so that a handler, and the next event of
// its chat, need not wait for the server's answer.
//
// SendAsync writes the commands for m to the server before it returns, so
// that commands reach the server in the order of the calls (and of any
// other command the platform writes after it returns). It then calls done
// exactly once with the outcome: the IDs of the messages created, or an
// error that wraps ErrNotSent or ErrOutcomeUnknown where those apply
// (a lost connection, a timeout), as Send's would. done may run before
// SendAsync returns and on any goroutine; it must not block. ctx bounds
// the whole send: when it ends before the answer came, done gets an
// error wrapping ErrOutcomeUnknown.
//
// Handlers use it through Context.ReplyAsync, AnswerAsync and SendAsync,
// which fall back to a waiting Send on platforms without it.
type AsyncSender interface {
	SendAsync(ctx context.Context, chatID string, m Outgoing, done func(ids []string, err error))
}

// Pending is a send whose outcome may not be known yet, returned by the
// pipelined Context verbs (ReplyAsync, AnswerAsync, SendAsync).
//
// A handler that needs the outcome waits for it with Wait; the outcome is
// then the handler's to act on. Otherwise the outcome is the event's: the
// bot counts the event as handled only once all of its pipelined sends
// succeeded, and an event with a failed send is reported like an event
// whose handler returned the error (the error handler, Logger, metrics),
// and is not counted as handled by the platform's delivery (see
// HandledNotifier and Undelivered), so that a send that did not reach the
// server is not silently lost.
type Pending struct {
	mu   sync.Mutex
	done bool
	ids  []string
	err  error
	ch   chan struct{} // made when someone waits before the outcome came
	// claimed is set once the handler received the outcome from Wait or
	// Result; its error is then no longer the event's.
	claimed atomic.Bool
	t       *tracker
}

// closedCh is returned by Done once the outcome is known.
var closedCh = func() chan struct{} { c := make(chan struct{}); close(c); return c }()

// complete records the outcome; only the first call counts.
func (p *Pending) complete(ids []string, err error) {
	p.mu.Lock()
	if p.done {
		p.mu.Unlock()
		return
	}
	p.done, p.ids, p.err = true, ids, err
	ch := p.ch
	p.mu.Unlock()
	if ch != nil {
		close(ch)
	}
	if p.t != nil {
		p.t.sendDone(p, err)
	}
}

// Done returns a channel closed once the outcome is known.
func (p *Pending) Done() <-chan struct{} {
	p.mu.Lock()
	defer p.mu.Unlock()
	if p.done {
		return closedCh
	}
	if p.ch == nil {
		p.ch = make(chan struct{})
	}
	return p.ch
}

// Wait waits for the outcome and returns it: the IDs of the messages sent
// and the error, as Send would. Once Wait returned the outcome, it is the
// handler's: a failure no longer fails the event (return the error to
// fail it). When ctx ends first, Wait returns ctx.Err() and the outcome
// stays the event's.
func (p *Pending) Wait(ctx context.Context) ([]string, error) {
	select {
	case <-p.Done():
	case <-ctx.Done():
		return nil, ctx.Err()
	}
	p.claimed.Store(true)
	return p.ids, p.err
}

// Result returns the outcome if it is known, without waiting; ok is false
// while the send is in flight. Like Wait, a known outcome becomes the
// handler's.
func (p *Pending) Result() (ids []string, err error, ok bool) {
	p.mu.Lock()
	defer p.mu.Unlock()
	if !p.done {
		return nil, nil, false
	}
	p.claimed.Store(true)
	return p.ids, p.err, true
}

// tracker follows the pipelined sends of one event: the event is complete
// once its handler returned and every send has its outcome.
type tracker struct {
	// open counts what the event waits for: the handler while it runs
	// (managed trackers only) and each send in flight.
	open atomic.Int32
	// failedAny says failed holds something, so the common case needs no
	// lock.
	failedAny atomic.Bool
	// dropped says drop holds the reason a middleware dropped the event.
	dropped atomic.Bool

	mu     sync.Mutex
	failed []*Pending    // sends that failed, in completion order
	after  []func(error) // AfterSends callbacks waiting for the sends
	drop   string        // why a middleware dropped the event (Context.Drop)
	// For a tracker the bot runs: the scheduler completes the event when
	// its last send finished. Without, AfterSends callbacks run there.
	sched *scheduler
	slot  *slot
}

// start registers a send about to be made.
func (t *tracker) start(p *Pending) {
	p.t = t
	t.open.Add(1)
}

// sendDone records one send's outcome.
func (t *tracker) sendDone(p *Pending, err error) {
	if err != nil {
		t.mu.Lock()
		t.failed = append(t.failed, p)
		t.mu.Unlock()
		t.failedAny.Store(true)
	}
	if t.sched != nil {
		t.sched.sendFinished(t)
		return
	}
	if t.open.Add(-1) == 0 {
		t.runAfter()
	}
}

// sendErr joins the errors of failed sends that the handler did not take
// as its own, or returns nil.
func (t *tracker) sendErr() error {
	if !t.failedAny.Load() {
		return nil
	}
	t.mu.Lock()
	defer t.mu.Unlock()
	var errs []error
	for _, p := range t.failed {
		if !p.claimed.Load() {
			errs = append(errs, p.err)
		}
	}
	switch len(errs) {
	case 0:
		return nil
	case 1:
		return errs[0]
	}
	return errors.Join(errs...)
}

// whenDone runs f with the sends' error once none is in flight: now if
// none is, else later.
func (t *tracker) whenDone(f func(error), handlerRef int32) {
	if t.open.Load() == handlerRef {
		f(t.sendErr())
		return
	}
	t.mu.Lock()
	t.after = append(t.after, f)
	t.mu.Unlock()
	// The last send may have finished meanwhile, before f was queued.
	if t.sched == nil && t.open.Load() == 0 {
		t.runAfter()
	}
}

// runAfter runs the queued AfterSends callbacks.
func (t *tracker) runAfter() {
	t.mu.Lock()
	after := t.after
	t.after = nil
	t.mu.Unlock()
	if len(after) == 0 {
		return
	}
	err := t.sendErr()
	for _, f := range after {
		f(err)
	}
}

// reset makes t ready for another event.
func (t *tracker) reset() {
	t.open.Store(0)
	t.failedAny.Store(false)
	t.dropped.Store(false)
	t.drop = ""
	clear(t.failed)
	t.failed = t.failed[:0]
	clear(t.after)
	t.after = t.after[:0]
}
