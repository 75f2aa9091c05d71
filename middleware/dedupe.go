package middleware

import (
	"fmt"
	"sync/atomic"
	"time"

	"github.com/parleybot/parley/bot"
	"github.com/parleybot/parley/store"
	"go.uber.org/zap"
)

// DefaultDedupeTTL is how long Dedupe remembers an event unless DedupeTTL
// says otherwise: longer than any platform redelivers after.
const DefaultDedupeTTL = 24 * time.Hour

// The reasons Dedupe and RateLimit give bot.Context.Drop; they match the
// reason label of parley_events_dropped_total.
const (
	// DroppedDuplicate is an event Dedupe dropped as already handled.
	DroppedDuplicate = "duplicate"
	// DroppedRateLimited is an event RateLimit dropped.
	DroppedRateLimited = "rate_limited"
)

// DedupeOption configures Dedupe and NewDeduper.
type DedupeOption interface {
	applyDedupe(*dedupeConfig)
}

type dedupeOptionFunc func(*dedupeConfig)

func (f dedupeOptionFunc) applyDedupe(c *dedupeConfig) { f(c) }

type dedupeConfig struct {
	ttl   time.Duration
	onHit func(key string)
}

// DedupeTTL sets how long an event's mark is kept (default
// DefaultDedupeTTL). It panics if d is not positive.
func DedupeTTL(d time.Duration) DedupeOption {
	if d <= 0 {
		panic(fmt.Sprintf("middleware: DedupeTTL needs a positive duration, got %v", d))
	}
	return dedupeOptionFunc(func(c *dedupeConfig) { c.ttl = d })
}

// DedupeOnHit sets a function called with the store key of every
// duplicate dropped, for metrics or tests.
func DedupeOnHit(f func(key string)) DedupeOption {
	if f == nil {
		panic("middleware: DedupeOnHit needs a non-nil function")
	}
	return dedupeOptionFunc(func(c *dedupeConfig) { c.onHit = f })
}

// DedupeStats are a Deduper's counters.
type DedupeStats struct {
	Passed      int64 // events seen for the first time and passed on
	Hits        int64 // duplicates dropped
	Unkeyed     int64 // events without a dedupe key, passed on
	Released    int64 // events left unmarked because their handler failed
	StoreErrors int64 // store failures (the event was passed on)
}

// Deduper drops events the platform delivers more than once. An event is
// known by its bot.DedupeKeyer key, stored as "<platform>:<key>" (the key
// is used as is when it already starts with the platform's name and a
// colon). An event whose key is marked in the store is dropped and returns
// nil; any other is passed on, and marked once its handler returned nil.
//
// A mark stands for a handled event, so it is written after the handler,
// never before: a crash in between leaves no mark, and the platform's
// redelivery after the restart is handled instead of dropped. A handler
// that fails or panics leaves no mark either, so a redelivery gets another
// try (Released counts those). Nor does one whose pipelined sends
// (bot.Context.ReplyAsync) failed: with sends in flight when the handler
// returns, the mark waits for their outcome (bot.Context.AfterSends). Events of one chat are handled one at a
// time, so two copies of an event never run at once. When the store fails,
// the event is passed on and the failure logged: an event handled twice is
// better than one lost.
//
// Events without a dedupe key pass untouched.
type Deduper struct {
	s   store.Store
	cfg dedupeConfig

	passed, hits, unkeyed, released, storeErrors atomic.Int64
}

// Dedupe returns a Deduper over s as middleware; see Deduper. Use
// NewDeduper to read its counters.
func Dedupe(s store.Store, opts ...DedupeOption) bot.Middleware {
	return NewDeduper(s, opts...).Middleware
}

// NewDeduper returns a Deduper keeping its marks in s. It panics if s is
// nil.
func NewDeduper(s store.Store, opts ...DedupeOption) *Deduper {
	if s == nil {
		panic("middleware: Dedupe needs a non-nil store.Store")
	}
	cfg := dedupeConfig{ttl: DefaultDedupeTTL}
	for _, o := range opts {
		o.applyDedupe(&cfg)
	}
	return &Deduper{s: s, cfg: cfg}
}

// Stats returns a snapshot of the counters.
func (d *Deduper) Stats() DedupeStats {
	return DedupeStats{
		Passed:      d.passed.Load(),
		Hits:        d.hits.Load(),
		Unkeyed:     d.unkeyed.Load(),
		Released:    d.released.Load(),
		StoreErrors: d.storeErrors.Load(),
	}
}

// dedupeMark is the value stored under a key; only its presence counts.
var dedupeMark = []byte{}

// dedupeStoreKey returns key prefixed with "platform:" unless it already
// is, without allocating in that case.
func dedupeStoreKey(platform, key string) string {
	if platform == "" {
		return key
	}
	if len(key) > len(platform) && key[len(platform)] == ':' && key[:len(platform)] == platform {
		return key
	}
	return platform + ":" + key
}

// Middleware is the Deduper as a bot.Middleware.
func (d *Deduper) Middleware(next bot.Handler) bot.Handler {
	return bot.HandlerFunc(func(c *bot.Context) (err error) {
		dk, ok := c.Event().(bot.DedupeKeyer)
		if !ok {
			d.unkeyed.Add(1)
			return next.Handle(c)
		}
		raw := dk.DedupeKey()
		if raw == "" {
			d.unkeyed.Add(1)
			return next.Handle(c)
		}
		key := dedupeStoreKey(platformName(c), raw)
		_, seen, serr := d.s.Get(c.Context(), key)
		if serr != nil {
			d.storeErrors.Add(1)
			c.Logger().Warn("dedupe: store failed; passing the event on",
				zap.String("type", c.Event().Type()), zap.String("key", key), zap.Error(serr))
			return next.Handle(c)
		}
		if seen {
			d.hits.Add(1)
			if d.cfg.onHit != nil {
				d.cfg.onHit(key)
			}
			if ce := c.Logger().Check(zap.DebugLevel, "dedupe: duplicate dropped"); ce != nil {
				ce.Write(zap.String("type", c.Event().Type()), zap.String("key", key))
			}
			c.Drop(DroppedDuplicate)
			return nil
		}
		d.passed.Add(1)
		done := false
		defer func() {
			if !done {
				d.released.Add(1) // the handler panicked
			}
		}()
		err = next.Handle(c)
		done = true
		if err != nil {
			d.released.Add(1)
			return err
		}
		// The mark follows the event's final outcome: with pipelined
		// sends in flight, it waits for them, and a failed one leaves
		// the event unmarked.
		if ok, serr := c.SendsDone(); ok {
			d.markIf(c, key, serr)
			return nil
		}
		k := key // captured here only: no allocation on the common path
		c.AfterSends(func(serr error) { d.markIf(c, k, serr) })
		return nil
	})
}

// markIf marks key unless the event's pipelined sends failed.
func (d *Deduper) markIf(c *bot.Context, key string, sendErr error) {
	if sendErr != nil {
		d.released.Add(1)
		return
	}
	d.mark(c, key)
}

// mark records key once its event was handled. A crash before it leaves
// no mark, so the redelivery after a restart is handled, not dropped. It
// ignores the handler's context ending: the mark must land regardless.
func (d *Deduper) mark(c *bot.Context, key string) {
	if err := d.s.Set(c.Detached(), key, dedupeMark, d.cfg.ttl); err != nil {
		d.storeErrors.Add(1)
		c.Logger().Warn("dedupe: could not mark a handled event; a redelivery will be handled again",
			zap.String("key", key), zap.Error(err))
	}
}
