package middleware_test

import (
	"context"
	"errors"
	"math"
	"sync"
	"sync/atomic"
	"testing"
	"time"

	"github.com/parleybot/parley/bot"
	"github.com/parleybot/parley/middleware"
	"github.com/parleybot/parley/parleytest"
)

type rlStep struct {
	advance      time.Duration
	chat, sender string
	pass         bool
}

func TestRateLimitDrop(t *testing.T) {
	tests := []struct {
		name  string
		opts  []middleware.RateLimitOption
		steps []rlStep
	}{
		{name: "burst, drop, refill", steps: []rlStep{
			{chat: "@a", sender: "a", pass: true},
			{chat: "@a", sender: "a", pass: true},
			{chat: "@a", sender: "a", pass: false},
			{advance: time.Second, chat: "@a", sender: "a", pass: true},
			{chat: "@a", sender: "a", pass: false},
			{advance: 500 * time.Millisecond, chat: "@a", sender: "a", pass: false},
			{advance: 500 * time.Millisecond, chat: "@a", sender: "a", pass: true},
		}},
		{name: "refill stops at burst", steps: []rlStep{
			{chat: "@a", sender: "a", pass: true},
			{advance: time.Hour, chat: "@a", sender: "a", pass: true},
			{chat: "@a", sender: "a", pass: true},
			{chat: "@a", sender: "a", pass: false},
		}},
		{name: "senders have their own buckets", steps: []rlStep{
			{chat: "#g", sender: "1", pass: true},
			{chat: "#g", sender: "1", pass: true},
			{chat: "#g", sender: "1", pass: false},
			{chat: "#g", sender: "2", pass: true},
			{chat: "#g", sender: "2", pass: true},
			{chat: "#h", sender: "1", pass: true}, // member ids are per group
		}},
		{name: "per chat shares a bucket", opts: []middleware.RateLimitOption{middleware.RateLimitPerChat()}, steps: []rlStep{
			{chat: "#g", sender: "1", pass: true},
			{chat: "#g", sender: "2", pass: true},
			{chat: "#g", sender: "3", pass: false},
			{chat: "#h", sender: "3", pass: true},
		}},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			clk := newFakeClock()
			var dropCalls int
			opts := append([]middleware.RateLimitOption{
				middleware.RateLimitClock(clk),
				middleware.RateLimitOnDrop(func(c *bot.Context, why middleware.DropReason) {
					if why != middleware.DropOverLimit {
						t.Errorf("drop reason %v, want over_limit", why)
					}
					dropCalls++
				}),
			}, tt.opts...)
			rl := middleware.NewRateLimiter(1, 2, opts...)
			var handled int
			h := rl.Middleware(bot.HandlerFunc(func(*bot.Context) error { handled++; return nil }))
			p := parleytest.NewPlatform()
			var wantPass, wantDrop int64
			for i, s := range tt.steps {
				clk.Advance(s.advance)
				before := handled
				e := parleytest.NewGroupMessage("m", s.chat, s.sender, "member", "hi")
				if err := h.Handle(bot.NewContext(context.Background(), e, p, nil)); err != nil {
					t.Fatalf("step %d: %v", i, err)
				}
				if got := handled > before; got != s.pass {
					t.Fatalf("step %d (%s/%s): passed %v, want %v", i, s.chat, s.sender, got, s.pass)
				}
				if s.pass {
					wantPass++
				} else {
					wantDrop++
				}
			}
			st := rl.Stats()
			if st.Passed != wantPass || st.Dropped != wantDrop || int64(dropCalls) != wantDrop {
				t.Errorf("stats %+v, OnDrop calls %d; want %d passed, %d dropped", st, dropCalls, wantPass, wantDrop)
			}
		})
	}
}

func TestRateLimitIgnoresEventsWithoutMessage(t *testing.T) {
	rl := middleware.NewRateLimiter(1, 1, middleware.RateLimitClock(newFakeClock()))
	calls := 0
	h := rl.Middleware(bot.HandlerFunc(func(*bot.Context) error { calls++; return nil }))
	events := []bot.Event{
		parleytest.NewContactRequest("r1", "a"),
		parleytest.NewContactRequest("r2", "a"),
		&parleytest.PlainEvent{Name: "contactConnected", Key: "test:@a"},
		&parleytest.PlainEvent{Name: "contactConnected", Key: "test:@a"},
	}
	for _, e := range events {
		_ = h.Handle(bot.NewContext(context.Background(), e, parleytest.NewPlatform(), nil))
	}
	if st := rl.Stats(); calls != len(events) || st.Dropped != 0 || st.Buckets != 0 {
		t.Errorf("calls %d stats %+v, want every event passed and no bucket made", calls, st)
	}
}

// TestRateLimitBucketBound guards bounded memory: past the bound the least
// recently used bucket goes, and a recently used one stays.
func TestRateLimitBucketBound(t *testing.T) {
	rl := middleware.NewRateLimiter(0.001, 1, middleware.RateLimitClock(newFakeClock()), middleware.RateLimitMaxBuckets(2))
	h := rl.Middleware(bot.HandlerFunc(func(*bot.Context) error { return nil }))
	steps := []struct {
		sender string
		pass   bool
	}{
		{"a", true},
		{"b", true},
		{"a", false}, // a is now the most recently used
		{"c", true},  // evicts b
		{"a", false}, // a kept its empty bucket
		{"b", true},  // fresh bucket again; evicts c
		{"c", true},
	}
	for i, s := range steps {
		before := rl.Stats().Passed
		_ = h.Handle(bot.NewContext(context.Background(), parleytest.NewMessage("m", s.sender, "x"), parleytest.NewPlatform(), nil))
		if got := rl.Stats().Passed > before; got != s.pass {
			t.Fatalf("step %d (%s): passed %v, want %v", i, s.sender, got, s.pass)
		}
		if n := rl.Stats().Buckets; n > 2 {
			t.Fatalf("step %d: %d buckets, bound is 2", i, n)
		}
	}
	if st := rl.Stats(); st.Evicted != 3 {
		t.Errorf("stats %+v, want 3 evictions", st)
	}
	// Many senders: memory stays at the bound.
	for i := range 1000 {
		_ = h.Handle(bot.NewContext(context.Background(), parleytest.NewMessage("m", string(rune('A'+i%50))+string(rune('a'+i/50)), "x"), parleytest.NewPlatform(), nil))
	}
	if n := rl.Stats().Buckets; n != 2 {
		t.Errorf("%d buckets after 1000 senders, want 2", n)
	}
}

// handleAsync runs h on e in a goroutine and returns a channel with its
// result.
func handleAsync(ctx context.Context, h bot.Handler, e bot.Event) <-chan error {
	done := make(chan error, 1)
	go func() { done <- h.Handle(bot.NewContext(ctx, e, parleytest.NewPlatform(), nil)) }()
	return done
}

func recvErr(t *testing.T, ch <-chan error) error {
	t.Helper()
	select {
	case err := <-ch:
		return err
	case <-time.After(waitFor):
		t.Fatal("handler did not return")
		return nil
	}
}

func TestRateLimitDelay(t *testing.T) {
	clk := newFakeClock()
	rl := middleware.NewRateLimiter(2, 1, middleware.RateLimitClock(clk), middleware.RateLimitDelay(0))
	var calls atomic.Int32
	h := rl.Middleware(bot.HandlerFunc(func(*bot.Context) error { calls.Add(1); return nil }))
	msg := parleytest.NewMessage("m", "@a", "x")

	if err := h.Handle(bot.NewContext(context.Background(), msg, parleytest.NewPlatform(), nil)); err != nil || calls.Load() != 1 {
		t.Fatalf("first event: err %v calls %d, want it passed at once", err, calls.Load())
	}
	done := handleAsync(context.Background(), h, msg)
	if wait := clk.waitWaiters(t, 1); wait != 500*time.Millisecond {
		t.Errorf("second event waits %v, want 500ms at 2 events/s", wait)
	}
	if calls.Load() != 1 {
		t.Fatal("the delayed event ran before its token was due")
	}
	clk.Advance(500 * time.Millisecond)
	if err := recvErr(t, done); err != nil || calls.Load() != 2 {
		t.Fatalf("delayed event: err %v calls %d, want it handled", err, calls.Load())
	}
	if st := rl.Stats(); st.Passed != 1 || st.Delayed != 1 || st.Dropped != 0 {
		t.Errorf("stats %+v, want 1 passed and 1 delayed", st)
	}
}

// TestRateLimitDelayCancelled guards that a wait given up returns the
// context's error and gives its token back.
func TestRateLimitDelayCancelled(t *testing.T) {
	clk := newFakeClock()
	var why atomic.Int32
	rl := middleware.NewRateLimiter(1, 1, middleware.RateLimitClock(clk), middleware.RateLimitDelay(0),
		middleware.RateLimitOnDrop(func(c *bot.Context, r middleware.DropReason) { why.Store(int32(r)) }))
	var calls atomic.Int32
	h := rl.Middleware(bot.HandlerFunc(func(*bot.Context) error { calls.Add(1); return nil }))
	msg := parleytest.NewMessage("m", "@a", "x")
	_ = h.Handle(bot.NewContext(context.Background(), msg, parleytest.NewPlatform(), nil))

	ctx, cancel := context.WithCancel(context.Background())
	done := handleAsync(ctx, h, msg)
	clk.waitWaiters(t, 1)
	cancel()
	if err := recvErr(t, done); !errors.Is(err, context.Canceled) {
		t.Fatalf("cancelled wait returned %v, want context.Canceled", err)
	}
	if calls.Load() != 1 || rl.Stats().Dropped != 1 || middleware.DropReason(why.Load()) != middleware.DropWaitCancelled {
		t.Fatalf("calls %d stats %+v reason %v, want the cancelled event dropped as wait_cancelled",
			calls.Load(), rl.Stats(), middleware.DropReason(why.Load()))
	}
	// The token came back: one second later a new event needs no wait.
	clk.Advance(time.Second)
	if err := recvErr(t, handleAsync(context.Background(), h, msg)); err != nil || calls.Load() != 2 {
		t.Fatalf("err %v calls %d, want the next event handled without waiting", err, calls.Load())
	}
}

func TestRateLimitDelayMaxWait(t *testing.T) {
	clk := newFakeClock()
	var reasons []middleware.DropReason
	rl := middleware.NewRateLimiter(1, 1, middleware.RateLimitClock(clk), middleware.RateLimitDelay(500*time.Millisecond),
		middleware.RateLimitOnDrop(func(c *bot.Context, why middleware.DropReason) { reasons = append(reasons, why) }))
	calls := 0
	h := rl.Middleware(bot.HandlerFunc(func(*bot.Context) error { calls++; return nil }))
	msg := parleytest.NewMessage("m", "@a", "x")
	for range 2 {
		if err := h.Handle(bot.NewContext(context.Background(), msg, parleytest.NewPlatform(), nil)); err != nil {
			t.Fatal(err)
		}
	}
	if st := rl.Stats(); calls != 1 || st.Dropped != 1 || st.Delayed != 0 {
		t.Errorf("calls %d stats %+v, want the event that would wait 1s dropped", calls, st)
	}
	if len(reasons) != 1 || reasons[0] != middleware.DropWaitTooLong {
		t.Errorf("drop reasons %v, want [wait_too_long]", reasons)
	}
}

func TestRateLimitWithBot(t *testing.T) {
	clk := newFakeClock()
	rl := middleware.NewRateLimiter(1, 3, middleware.RateLimitClock(clk))
	p := parleytest.NewPlatform()
	var calls atomic.Int32
	startBot(t, p, bot.HandlerFunc(func(*bot.Context) error { calls.Add(1); return nil }), nil, rl.Middleware)
	for i := range 10 {
		inject(t, p, parleytest.NewMessage(string(rune('0'+i)), "@flood", "spam"))
	}
	inject(t, p, parleytest.NewMessage("1", "@calm", "hello"))
	if err := p.WaitHandled(11, waitFor); err != nil {
		t.Fatal(err)
	}
	if st := rl.Stats(); calls.Load() != 4 || st.Dropped != 7 || st.Passed != 4 {
		t.Errorf("calls %d stats %+v, want 3 of the flood and the calm message handled, 7 dropped", calls.Load(), st)
	}
}

func TestRateLimitSetupPanics(t *testing.T) {
	tests := []struct {
		name, want string
		f          func()
	}{
		{"zero rate", "positive finite rate", func() { middleware.RateLimit(0, 1) }},
		{"NaN rate", "positive finite rate", func() { middleware.RateLimit(math.NaN(), 1) }},
		{"infinite rate", "positive finite rate", func() { middleware.RateLimit(math.Inf(1), 1) }},
		{"zero burst", "burst of at least 1", func() { middleware.RateLimit(1, 0) }},
		{"negative max wait", "negative maxWait", func() { middleware.RateLimitDelay(-time.Second) }},
		{"zero buckets", "at least 1", func() { middleware.RateLimitMaxBuckets(0) }},
		{"nil clock", "non-nil Clock", func() { middleware.RateLimitClock(nil) }},
		{"nil on drop", "non-nil function", func() { middleware.RateLimitOnDrop(nil) }},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) { mustPanic(t, tt.want, tt.f) })
	}
}

// TestRateLimitConcurrent hammers one limiter from many goroutines: with
// time standing still, each key passes exactly burst events.
func TestRateLimitConcurrent(t *testing.T) {
	const burst, keys, perKey = 3, 8, 50
	rl := middleware.NewRateLimiter(1, burst, middleware.RateLimitClock(newFakeClock()))
	var passed [keys]atomic.Int32
	h := rl.Middleware(bot.HandlerFunc(func(c *bot.Context) error {
		m, _ := c.Message()
		passed[m.Sender.ID[0]-'a'].Add(1)
		return nil
	}))
	var wg sync.WaitGroup
	for k := range keys {
		for range perKey {
			wg.Add(1)
			go func() {
				defer wg.Done()
				e := parleytest.NewMessage("m", string(rune('a'+k)), "x")
				_ = h.Handle(bot.NewContext(context.Background(), e, parleytest.NewPlatform(), nil))
			}()
		}
	}
	wg.Wait()
	for k := range keys {
		if n := passed[k].Load(); n != burst {
			t.Errorf("key %d passed %d events, want %d", k, n, burst)
		}
	}
	if st := rl.Stats(); st.Passed != keys*burst || st.Dropped != keys*(perKey-burst) {
		t.Errorf("stats %+v, want %d passed and %d dropped", st, keys*burst, keys*(perKey-burst))
	}
}

func TestDropReasonString(t *testing.T) {
	for r, want := range map[middleware.DropReason]string{
		middleware.DropOverLimit: "over_limit", middleware.DropWaitTooLong: "wait_too_long",
		middleware.DropWaitCancelled: "wait_cancelled", 0: "DropReason(0)",
	} {
		if got := r.String(); got != want {
			t.Errorf("%d.String() = %q, want %q", int(r), got, want)
		}
	}
}
