package middleware_test

import (
	"context"
	"errors"
	"sync"
	"sync/atomic"
	"testing"
	"time"

	"github.com/parleybot/parley/bot"
	"github.com/parleybot/parley/middleware"
	"github.com/parleybot/parley/parleytest"
	"github.com/parleybot/parley/store"
	"go.uber.org/zap"
	"go.uber.org/zap/zapcore"
	"go.uber.org/zap/zaptest/observer"
)

// TestDedupeDropsRedeliveries drives a real bot: a second delivery of the
// same event is not handled, a different event is.
func TestDedupeDropsRedeliveries(t *testing.T) {
	p := parleytest.NewPlatform()
	var mu sync.Mutex
	var hitKeys []string
	d := middleware.NewDeduper(store.NewMemory(), middleware.DedupeOnHit(func(key string) {
		mu.Lock()
		hitKeys = append(hitKeys, key)
		mu.Unlock()
	}))
	var calls atomic.Int32
	startBot(t, p, bot.HandlerFunc(func(c *bot.Context) error { calls.Add(1); return nil }), nil, d.Middleware)

	inject(t, p,
		parleytest.NewMessage("1", "@a", "hi"),
		parleytest.NewMessage("1", "@a", "hi"), // redelivery
		parleytest.NewMessage("2", "@a", "hi"),
		parleytest.NewMessage("1", "@b", "hi"), // same message id, other chat
	)
	if err := p.WaitHandled(4, waitFor); err != nil {
		t.Fatal(err)
	}
	if n := calls.Load(); n != 3 {
		t.Errorf("handler ran %d times, want 3", n)
	}
	want := middleware.DedupeStats{Passed: 3, Hits: 1}
	if st := d.Stats(); st != want {
		t.Errorf("stats %+v, want %+v", st, want)
	}
	mu.Lock()
	defer mu.Unlock()
	if len(hitKeys) != 1 || hitKeys[0] != "test:@a:1" {
		t.Errorf("hit keys %q, want [test:@a:1]", hitKeys)
	}
}

// TestDedupeReleasesFailedEvents guards the retry rule: when the handler
// fails or panics, the mark goes, so a redelivery is handled again; once it
// succeeds, later deliveries are dropped.
func TestDedupeReleasesFailedEvents(t *testing.T) {
	tests := []struct {
		name string
		fail func() error
	}{
		{"error", func() error { return errors.New("temporary") }},
		{"panic", func() error { panic("temporary") }},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			s := store.NewMemory()
			d := middleware.NewDeduper(s)
			var calls atomic.Int32
			h := bot.Chain(bot.HandlerFunc(func(c *bot.Context) error {
				if calls.Add(1) == 1 {
					return tt.fail()
				}
				return nil
			}), middleware.Recover(), d.Middleware)
			p := parleytest.NewPlatform()
			e := parleytest.NewMessage("9", "@a", "hi")
			results := make([]error, 3)
			for i := range results {
				results[i] = h.Handle(bot.NewContext(context.Background(), e, p, nil))
			}
			if results[0] == nil || results[1] != nil || results[2] != nil {
				t.Fatalf("results %v, want a failure then two nils", results)
			}
			if n := calls.Load(); n != 2 {
				t.Errorf("handler ran %d times, want 2 (the failure and its retry)", n)
			}
			want := middleware.DedupeStats{Passed: 2, Hits: 1, Released: 1}
			if st := d.Stats(); st != want {
				t.Errorf("stats %+v, want %+v", st, want)
			}
			if _, ok, _ := s.Get(context.Background(), "test:@a:9"); !ok {
				t.Error("the mark of the handled event is missing")
			}
		})
	}
}

func TestDedupeStoreKey(t *testing.T) {
	tests := []struct {
		platform, key, want string
	}{
		{"simplex", "simplex:1:@5:42", "simplex:1:@5:42"},
		{"simplex", "1:@5:42", "simplex:1:@5:42"},
		{"simplex", "simplexx:1", "simplex:simplexx:1"},
		{"simplex", "simplex", "simplex:simplex"},
		{"simplex", "SIMPLEX:1", "simplex:SIMPLEX:1"},
		{"tada", "simplex:1", "tada:simplex:1"},
	}
	for _, tt := range tests {
		t.Run(tt.key, func(t *testing.T) {
			s := store.NewMemory()
			var hit string
			h := middleware.Dedupe(s, middleware.DedupeOnHit(func(k string) { hit = k }))(bot.HandlerFunc(func(*bot.Context) error { return nil }))
			e := parleytest.NewMessage("1", "@1", "x")
			e.Key = tt.key
			p := parleytest.NewPlatformNamed(tt.platform)
			for range 2 {
				if err := h.Handle(bot.NewContext(context.Background(), e, p, nil)); err != nil {
					t.Fatal(err)
				}
			}
			if hit != tt.want {
				t.Errorf("hit key %q, want %q", hit, tt.want)
			}
			if _, ok, _ := s.Get(context.Background(), tt.want); !ok {
				t.Errorf("store has no %q", tt.want)
			}
		})
	}
}

func TestDedupeUnkeyedEventsPass(t *testing.T) {
	d := middleware.NewDeduper(store.NewMemory())
	calls := 0
	h := d.Middleware(bot.HandlerFunc(func(*bot.Context) error { calls++; return nil }))
	events := []bot.Event{
		&parleytest.PlainEvent{Name: "contactConnected", Key: "test:@1"},
		&parleytest.PlainEvent{Name: "contactConnected", Key: "test:@1"},
		&parleytest.UnknownEvent{Name: "futureEvent"},
		&parleytest.UnknownEvent{Name: "futureEvent"},
	}
	for _, e := range events {
		if err := h.Handle(bot.NewContext(context.Background(), e, parleytest.NewPlatform(), nil)); err != nil {
			t.Fatal(err)
		}
	}
	if calls != len(events) {
		t.Errorf("handler ran %d times, want %d", calls, len(events))
	}
	if st := d.Stats(); st.Unkeyed != int64(len(events)) || st.Hits != 0 {
		t.Errorf("stats %+v, want %d unkeyed and no hits", st, len(events))
	}
}

// emptyKeyEvent has the dedupe facet but no identity to offer.
type emptyKeyEvent struct{}

func (emptyKeyEvent) Type() string      { return "emptyKey" }
func (emptyKeyEvent) DedupeKey() string { return "" }

func TestDedupeEmptyKeyPasses(t *testing.T) {
	d := middleware.NewDeduper(store.NewMemory())
	calls := 0
	h := d.Middleware(bot.HandlerFunc(func(*bot.Context) error { calls++; return nil }))
	for range 2 {
		_ = h.Handle(bot.NewContext(context.Background(), emptyKeyEvent{}, parleytest.NewPlatform(), nil))
	}
	if calls != 2 || d.Stats().Unkeyed != 2 {
		t.Errorf("calls %d stats %+v, want both events passed as unkeyed", calls, d.Stats())
	}
}

// TestDedupeStoreFailurePassesEvents guards "better twice than lost": a
// failing store lets every delivery through and says so in the log.
func TestDedupeStoreFailurePassesEvents(t *testing.T) {
	s := store.NewMemory()
	s.Close() // every call now fails with store.ErrClosed
	core, logs := observer.New(zapcore.WarnLevel)
	d := middleware.NewDeduper(s)
	calls := 0
	h := d.Middleware(bot.HandlerFunc(func(*bot.Context) error { calls++; return nil }))
	e := parleytest.NewMessage("1", "@1", "x")
	for range 2 {
		if err := h.Handle(bot.NewContext(context.Background(), e, parleytest.NewPlatform(), zap.New(core))); err != nil {
			t.Fatal(err)
		}
	}
	if calls != 2 || d.Stats().StoreErrors != 2 {
		t.Errorf("calls %d stats %+v, want both deliveries handled and 2 store errors", calls, d.Stats())
	}
	entries := logs.FilterMessage("dedupe: store failed; passing the event on").AllUntimed()
	// ContextMap renders errors as their text.
	if len(entries) != 2 || entries[0].ContextMap()["error"] != store.ErrClosed.Error() {
		t.Errorf("log entries %v, want two warnings carrying store.ErrClosed", logs.AllUntimed())
	}
}

func TestDedupeMarkFailureLogged(t *testing.T) {
	s := store.NewMemory()
	core, logs := observer.New(zapcore.WarnLevel)
	d := middleware.NewDeduper(s)
	h := d.Middleware(bot.HandlerFunc(func(*bot.Context) error {
		s.Close() // the mark cannot be written any more
		return nil
	}))
	if err := h.Handle(bot.NewContext(context.Background(), parleytest.NewMessage("1", "@1", "x"), parleytest.NewPlatform(), zap.New(core))); err != nil {
		t.Fatal(err)
	}
	if st := d.Stats(); st.Passed != 1 || st.StoreErrors != 1 {
		t.Errorf("stats %+v, want one event passed and one failed mark", st)
	}
	if logs.FilterMessageSnippet("could not mark a handled event").Len() != 1 {
		t.Errorf("log entries %v, want a warning about the mark", logs.AllUntimed())
	}
}

// A crash while the handler runs must leave no mark, or the redelivery
// after the restart would be dropped and the message lost.
func TestDedupeMarksOnlyAfterTheHandler(t *testing.T) {
	s := store.NewMemory()
	d := middleware.NewDeduper(s)
	markedDuring := true
	h := d.Middleware(bot.HandlerFunc(func(*bot.Context) error {
		_, markedDuring, _ = s.Get(context.Background(), "test:@1:1")
		return nil
	}))
	if err := h.Handle(bot.NewContext(context.Background(), parleytest.NewMessage("1", "@1", "x"), parleytest.NewPlatform(), nil)); err != nil {
		t.Fatal(err)
	}
	if markedDuring {
		t.Error("the event was marked while its handler ran")
	}
	if _, ok, _ := s.Get(context.Background(), "test:@1:1"); !ok {
		t.Error("the event was not marked after its handler")
	}
}

func TestDedupeTTL(t *testing.T) {
	clk := newFakeClock()
	s := store.NewMemory(store.WithClock(clk.Now))
	d := middleware.NewDeduper(s, middleware.DedupeTTL(time.Minute))
	calls := 0
	h := d.Middleware(bot.HandlerFunc(func(*bot.Context) error { calls++; return nil }))
	e := parleytest.NewMessage("1", "@1", "x")
	deliver := func() { _ = h.Handle(bot.NewContext(context.Background(), e, parleytest.NewPlatform(), nil)) }
	deliver()
	clk.Advance(59 * time.Second)
	deliver() // within the TTL: dropped
	clk.Advance(2 * time.Second)
	deliver() // the mark expired: handled again
	if calls != 2 || d.Stats().Hits != 1 {
		t.Errorf("calls %d stats %+v, want 2 calls and 1 hit", calls, d.Stats())
	}
}

func TestDedupeSetupPanics(t *testing.T) {
	mustPanic(t, "non-nil store.Store", func() { middleware.Dedupe(nil) })
	mustPanic(t, "positive duration", func() { middleware.DedupeTTL(0) })
	mustPanic(t, "non-nil function", func() { middleware.DedupeOnHit(nil) })
}
