package metrics

import (
	"sync"
	"sync/atomic"
	"time"

	"github.com/parleybot/parley/bot"
	"github.com/prometheus/client_golang/prometheus"
)

// typeCounters are the children of one bot, platform and event type.
type typeCounters struct {
	received, handled, failed prometheus.Counter
}

// platformEntry caches one platform's children for one bot. Its types map
// is copied on write: reads take no lock and do not allocate, and a bot
// sees only a bounded number of types (MaxLabelValues plus "other").
type platformEntry struct {
	name    string
	latency prometheus.Observer
	unknown prometheus.Counter
	types   atomic.Pointer[map[string]*typeCounters]
}

// botCache is the state of one Middleware.
type botCache struct {
	m   *Metrics
	bot string

	mu        sync.Mutex // serializes copy-on-write updates
	last      atomic.Pointer[platformEntry]
	platforms atomic.Pointer[map[string]*platformEntry]
}

// Middleware returns outer middleware that counts the bot's events
// received, handled and failed by type, observes handler latency, and
// counts unknown events (those implementing bot.Unknowner). Use it first,
// before dedupe or recover, so it sees every event and the real outcome.
// A panic passing through is counted as a failure and re-raised.
//
// An event that a middleware inside it dropped (bot.Context.Drop: a
// duplicate, a rate-limited message) is counted in
// parley_events_dropped_total with its reason, not as handled.
//
// In steady state it does not allocate: children are looked up in a
// per-bot cache keyed by platform name and event type.
func (m *Metrics) Middleware(botName string) bot.Middleware {
	if m == nil {
		return func(next bot.Handler) bot.Handler { return next }
	}
	return m.newBotCache(botName).outer(true)
}

// Middlewares is Middleware split in two, so that events a middleware
// dropped are not counted as handled. outer goes first of all, as
// Middleware does: it counts events received and failed, unknown events
// and latency. inner goes after the middleware that drop events (Dedupe,
// RateLimit) and after any whose errors should count (AutoAccept), just
// before the handlers: it counts an event as handled when the rest of the
// chain returned nil. An event dropped between the two, which returns nil
// without reaching inner, is thus counted as received only; count it with
// Dropped. The two keep no state per event, so neither allocates.
//
// Nothing between outer and inner may turn inner's nil into an error, or
// the event counts as both handled and failed.
func (m *Metrics) Middlewares(botName string) (outer, inner bot.Middleware) {
	if m == nil {
		pass := func(next bot.Handler) bot.Handler { return next }
		return pass, pass
	}
	bc := m.newBotCache(botName)
	return bc.outer(false), bc.inner
}

func (m *Metrics) newBotCache(botName string) *botCache {
	bc := &botCache{m: m, bot: cleanLabel(botName)}
	empty := map[string]*platformEntry{}
	bc.platforms.Store(&empty)
	return bc
}

// outer returns the outer middleware; with handled it also counts
// successes, as the single Middleware does.
func (bc *botCache) outer(handled bool) bot.Middleware {
	return func(next bot.Handler) bot.Handler {
		return bot.HandlerFunc(func(c *bot.Context) error {
			e := c.Event()
			pe := bc.platform(c.Platform().Name())
			tc := pe.typeCounters(bc, e.Type())
			tc.received.Inc()
			if u, ok := e.(bot.Unknowner); ok && u.Unknown() {
				pe.unknown.Inc()
			}
			start := time.Now()
			done := false
			defer func() {
				if !done { // a panic is unwinding through here
					pe.latency.Observe(time.Since(start).Seconds())
					tc.failed.Inc()
				}
			}()
			err := next.Handle(c)
			done = true
			pe.latency.Observe(time.Since(start).Seconds())
			if err != nil {
				tc.failed.Inc()
			} else if handled {
				if reason, dropped := c.Dropped(); dropped {
					bc.m.Dropped(bc.bot, reason)
				} else {
					tc.handled.Inc()
				}
			}
			return err
		})
	}
}

// inner counts events whose remaining chain returned nil as handled.
func (bc *botCache) inner(next bot.Handler) bot.Handler {
	return bot.HandlerFunc(func(c *bot.Context) error {
		err := next.Handle(c)
		if err == nil {
			pe := bc.platform(c.Platform().Name())
			pe.typeCounters(bc, c.Event().Type()).handled.Inc()
		}
		return err
	})
}

// platform returns the cache entry of the named platform.
func (bc *botCache) platform(name string) *platformEntry {
	if pe := bc.last.Load(); pe != nil && pe.name == name {
		return pe
	}
	if pe := (*bc.platforms.Load())[name]; pe != nil {
		bc.last.Store(pe)
		return pe
	}
	bc.mu.Lock()
	defer bc.mu.Unlock()
	old := *bc.platforms.Load()
	if pe := old[name]; pe != nil {
		return pe
	}
	label := cleanLabel(name)
	pe := &platformEntry{
		name:    name,
		latency: bc.m.latency.WithLabelValues(bc.bot, label),
		unknown: bc.m.unknown.WithLabelValues(bc.bot, label),
	}
	emptyTypes := map[string]*typeCounters{}
	pe.types.Store(&emptyTypes)
	grown := make(map[string]*platformEntry, len(old)+1)
	for k, v := range old {
		grown[k] = v
	}
	grown[name] = pe
	bc.platforms.Store(&grown)
	bc.last.Store(pe)
	return pe
}

// typeCounters returns the children for event type typ.
func (pe *platformEntry) typeCounters(bc *botCache, typ string) *typeCounters {
	if tc := (*pe.types.Load())[typ]; tc != nil {
		return tc
	}
	bc.mu.Lock()
	defer bc.mu.Unlock()
	old := *pe.types.Load()
	if tc := old[typ]; tc != nil {
		return tc
	}
	platform := cleanLabel(pe.name)
	label := bc.m.eventTypes.value(platform, typ)
	tc := &typeCounters{
		received: bc.m.received.WithLabelValues(bc.bot, platform, label),
		handled:  bc.m.handled.WithLabelValues(bc.bot, platform, label),
		failed:   bc.m.failed.WithLabelValues(bc.bot, platform, label),
	}
	// Types past the cap share the "other" children but each still gets a
	// cache entry; bound the cache too, so a peer inventing types cannot
	// grow it without end. Beyond the bound, lookups go to the vectors.
	if len(old) >= 2*MaxLabelValues {
		return tc
	}
	grown := make(map[string]*typeCounters, len(old)+1)
	for k, v := range old {
		grown[k] = v
	}
	grown[typ] = tc
	pe.types.Store(&grown)
	return tc
}
