package middleware

import (
	"fmt"
	"math"
	"sync"
	"sync/atomic"
	"time"

	"github.com/parleybot/parley/bot"
	"go.uber.org/zap"
)

// RateLimitOption configures RateLimit and NewRateLimiter.
type RateLimitOption interface {
	applyRateLimit(*rateLimitConfig)
}

type rateLimitOptionFunc func(*rateLimitConfig)

func (f rateLimitOptionFunc) applyRateLimit(c *rateLimitConfig) { f(c) }

type rateLimitConfig struct {
	perChat    bool
	delay      bool
	maxWait    time.Duration
	maxBuckets int
	clock      Clock
	onDrop     func(c *bot.Context, why DropReason)
}

// DropReason says why a RateLimiter dropped an event.
type DropReason int

const (
	// DropOverLimit: the sender (or chat) had no token left.
	DropOverLimit DropReason = iota + 1
	// DropWaitTooLong: with RateLimitDelay, the wait for a token would have
	// been longer than its maxWait.
	DropWaitTooLong
	// DropWaitCancelled: with RateLimitDelay, the handler context ended
	// during the wait (shutdown or timeout).
	DropWaitCancelled
)

// String returns "over_limit", "wait_too_long" or "wait_cancelled", for
// metric labels.
func (r DropReason) String() string {
	switch r {
	case DropOverLimit:
		return "over_limit"
	case DropWaitTooLong:
		return "wait_too_long"
	case DropWaitCancelled:
		return "wait_cancelled"
	}
	return fmt.Sprintf("DropReason(%d)", int(r))
}

// DefaultMaxBuckets bounds how many senders or chats a RateLimiter tracks
// unless RateLimitMaxBuckets says otherwise.
const DefaultMaxBuckets = 10000

// RateLimitPerChat gives each chat one bucket shared by all its members,
// instead of one bucket per sender.
func RateLimitPerChat() RateLimitOption {
	return rateLimitOptionFunc(func(c *rateLimitConfig) { c.perChat = true })
}

// RateLimitDelay makes the limiter hold an event until a token is free
// instead of dropping it. The wait ends early, with the context's error,
// when the handler context ends. maxWait > 0 bounds the wait: an event
// that would wait longer is dropped and counted; 0 waits as long as the
// context allows. A held event holds its chat's lane and a worker.
func RateLimitDelay(maxWait time.Duration) RateLimitOption {
	if maxWait < 0 {
		panic(fmt.Sprintf("middleware: RateLimitDelay: negative maxWait %v", maxWait))
	}
	return rateLimitOptionFunc(func(c *rateLimitConfig) { c.delay, c.maxWait = true, maxWait })
}

// RateLimitMaxBuckets bounds how many buckets are kept (default
// DefaultMaxBuckets). Past the bound the least recently used bucket is
// dropped, which gives its sender a fresh burst: memory stays bounded at
// the cost of a little leniency under a flood of new senders.
func RateLimitMaxBuckets(n int) RateLimitOption {
	if n < 1 {
		panic(fmt.Sprintf("middleware: RateLimitMaxBuckets needs at least 1, got %d", n))
	}
	return rateLimitOptionFunc(func(c *rateLimitConfig) { c.maxBuckets = n })
}

// RateLimitClock sets the time source (default SystemClock).
func RateLimitClock(clk Clock) RateLimitOption {
	if clk == nil {
		panic("middleware: RateLimitClock needs a non-nil Clock")
	}
	return rateLimitOptionFunc(func(c *rateLimitConfig) { c.clock = clk })
}

// RateLimitOnDrop sets a function called for every dropped event with the
// reason, to count drops or tell the sender to slow down. It runs in the
// handler's goroutine; replying from it spends no token. After
// DropWaitCancelled the context has ended, so replying is pointless.
func RateLimitOnDrop(f func(c *bot.Context, why DropReason)) RateLimitOption {
	if f == nil {
		panic("middleware: RateLimitOnDrop needs a non-nil function")
	}
	return rateLimitOptionFunc(func(c *rateLimitConfig) { c.onDrop = f })
}

// RateLimitStats are a RateLimiter's counters.
type RateLimitStats struct {
	Passed  int64 // events let through at once
	Delayed int64 // events let through after waiting for a token
	Dropped int64 // events not passed on
	Evicted int64 // buckets dropped to respect the bucket bound
	Buckets int   // buckets kept now
}

// RateLimiter is an inbound token-bucket limiter. Each sender (or chat,
// with RateLimitPerChat) has a bucket of burst tokens refilled at rate
// tokens per second; every message event spends one. Events without a
// message, such as requests and status events, are not limited.
type RateLimiter struct {
	rate  float64
	burst float64
	cfg   rateLimitConfig

	mu      sync.Mutex
	buckets map[bucketKey]*bucket
	lru     bucket // sentinel: lru.next is the most recently used

	passed, delayed, dropped, evicted atomic.Int64
}

type bucketKey struct {
	platform, chat, sender string
}

type bucket struct {
	key        bucketKey
	tokens     float64
	last       time.Time
	prev, next *bucket
}

// RateLimit returns a limiter of rate events per second with bursts of up
// to burst events, as middleware; see RateLimiter. Use NewRateLimiter to
// read its counters.
func RateLimit(rate float64, burst int, opts ...RateLimitOption) bot.Middleware {
	return NewRateLimiter(rate, burst, opts...).Middleware
}

// NewRateLimiter returns a limiter of rate events per second with bursts
// of up to burst events. By default it keys buckets by sender within a
// chat (platforms number group members per group) and drops events over
// the limit. It panics if rate is not a positive finite number or burst
// is below 1.
func NewRateLimiter(rate float64, burst int, opts ...RateLimitOption) *RateLimiter {
	if !(rate > 0) || math.IsInf(rate, 0) {
		panic(fmt.Sprintf("middleware: RateLimit needs a positive finite rate, got %v", rate))
	}
	if burst < 1 {
		panic(fmt.Sprintf("middleware: RateLimit needs a burst of at least 1, got %d", burst))
	}
	cfg := rateLimitConfig{maxBuckets: DefaultMaxBuckets, clock: SystemClock}
	for _, o := range opts {
		o.applyRateLimit(&cfg)
	}
	rl := &RateLimiter{rate: rate, burst: float64(burst), cfg: cfg, buckets: make(map[bucketKey]*bucket)}
	rl.lru.next, rl.lru.prev = &rl.lru, &rl.lru
	return rl
}

// Stats returns a snapshot of the limiter's counters.
func (rl *RateLimiter) Stats() RateLimitStats {
	rl.mu.Lock()
	n := len(rl.buckets)
	rl.mu.Unlock()
	return RateLimitStats{
		Passed:  rl.passed.Load(),
		Delayed: rl.delayed.Load(),
		Dropped: rl.dropped.Load(),
		Evicted: rl.evicted.Load(),
		Buckets: n,
	}
}

// Middleware is the limiter as a bot.Middleware. A dropped event returns
// nil: dropping is the policy working, not a failure. Each drop is logged
// at debug level on the event's logger, with its reason, and passed to the
// RateLimitOnDrop function; one whose wait was cut short
// (DropWaitCancelled) returns the context's error instead.
func (rl *RateLimiter) Middleware(next bot.Handler) bot.Handler {
	return bot.HandlerFunc(func(c *bot.Context) error {
		m, ok := c.Message()
		if !ok {
			return next.Handle(c)
		}
		k := bucketKey{chat: m.Chat.ID}
		if p := c.Platform(); p != nil {
			k.platform = p.Name()
		}
		if !rl.cfg.perChat {
			k.sender = m.Sender.ID
		}
		wait, b, why := rl.reserve(k)
		if why != 0 {
			rl.drop(c, why)
			return nil
		}
		if wait == 0 {
			rl.passed.Add(1)
			return next.Handle(c)
		}
		select {
		case <-rl.cfg.clock.After(wait):
		case <-c.Context().Done():
			rl.unreserve(k, b)
			rl.drop(c, DropWaitCancelled)
			return fmt.Errorf("middleware: rate limit wait: %w", c.Context().Err())
		}
		rl.delayed.Add(1)
		return next.Handle(c)
	})
}

func (rl *RateLimiter) drop(c *bot.Context, why DropReason) {
	rl.dropped.Add(1)
	c.Drop(DroppedRateLimited)
	if ce := c.Logger().Check(zap.DebugLevel, "rate limit: event dropped"); ce != nil {
		m, _ := c.Message()
		ce.Write(zap.String("reason", why.String()), zap.String("type", c.Event().Type()),
			zap.String("chat", m.Chat.ID), zap.String("sender", m.Sender.ID))
	}
	if rl.cfg.onDrop != nil {
		rl.cfg.onDrop(c, why)
	}
}

// reserve spends a token of k's bucket. It reports how long the caller
// must wait before the token is its own (always 0 when dropping) and why
// the event is to be dropped, 0 when it is not.
func (rl *RateLimiter) reserve(k bucketKey) (time.Duration, *bucket, DropReason) {
	now := rl.cfg.clock.Now()
	rl.mu.Lock()
	defer rl.mu.Unlock()
	b := rl.buckets[k]
	if b == nil {
		b = rl.newBucketLocked(k, now)
	} else {
		rl.unlinkLocked(b)
		if dt := now.Sub(b.last); dt > 0 {
			b.tokens = math.Min(rl.burst, b.tokens+dt.Seconds()*rl.rate)
			b.last = now
		}
	}
	rl.pushFrontLocked(b)
	if b.tokens >= 1 {
		b.tokens--
		return 0, b, 0
	}
	if !rl.cfg.delay {
		return 0, b, DropOverLimit
	}
	// Delay mode: go into debt; the debt is paid off at rate.
	wait := time.Duration(math.Ceil((1 - b.tokens) / rl.rate * float64(time.Second)))
	if rl.cfg.maxWait > 0 && wait > rl.cfg.maxWait {
		return 0, b, DropWaitTooLong
	}
	b.tokens--
	return wait, b, 0
}

// unreserve returns the token of a wait that was given up.
func (rl *RateLimiter) unreserve(k bucketKey, b *bucket) {
	rl.mu.Lock()
	// The bucket may have been evicted (and its memory reused) meanwhile.
	if rl.buckets[k] == b {
		b.tokens = math.Min(rl.burst, b.tokens+1)
	}
	rl.mu.Unlock()
}

func (rl *RateLimiter) newBucketLocked(k bucketKey, now time.Time) *bucket {
	var b *bucket
	if len(rl.buckets) >= rl.cfg.maxBuckets {
		// Evict the least recently used bucket and reuse its memory.
		b = rl.lru.prev
		rl.unlinkLocked(b)
		delete(rl.buckets, b.key)
		rl.evicted.Add(1)
		*b = bucket{}
	} else {
		b = new(bucket)
	}
	b.key, b.tokens, b.last = k, rl.burst, now
	rl.buckets[k] = b
	return b
}

func (rl *RateLimiter) unlinkLocked(b *bucket) {
	b.prev.next = b.next
	b.next.prev = b.prev
	b.prev, b.next = nil, nil
}

func (rl *RateLimiter) pushFrontLocked(b *bucket) {
	b.prev = &rl.lru
	b.next = rl.lru.next
	rl.lru.next.prev = b
	rl.lru.next = b
}
