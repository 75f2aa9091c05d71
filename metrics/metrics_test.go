package metrics_test

import (
	"context"
	"errors"
	"fmt"
	"strings"
	"testing"
	"time"

	"github.com/parleybot/parley/bot"
	"github.com/parleybot/parley/metrics"
	"github.com/parleybot/parley/middleware"
	"github.com/parleybot/parley/parleytest"
	"github.com/parleybot/parley/store"
	"github.com/prometheus/client_golang/prometheus"
	"go.uber.org/goleak"
)

func TestMain(m *testing.M) { goleak.VerifyTestMain(m) }

const wait = 5 * time.Second

func newMetrics(t testing.TB) (*metrics.Metrics, *prometheus.Registry) {
	t.Helper()
	reg := prometheus.NewPedanticRegistry()
	m, err := metrics.New(reg)
	if err != nil {
		t.Fatal(err)
	}
	return m, reg
}

// scriptedHandler answers messages by their text: "fail" returns an error,
// "panic" panics, anything else is answered.
func scriptedHandler(c *bot.Context) error {
	msg, ok := c.Message()
	if !ok {
		return nil
	}
	switch msg.Text {
	case "fail":
		return errors.New("scripted failure")
	case "panic":
		panic("scripted panic")
	}
	return c.Answer("echo: " + msg.Text)
}

func TestMiddlewareCountsEventsOfARealBot(t *testing.T) {
	m, reg := newMetrics(t)
	p := parleytest.NewPlatformNamed("test")
	b := bot.New(p, bot.HandlerFunc(scriptedHandler), bot.WithName("echo"))
	b.Use(m.Middleware("echo"))
	runBot(t, b)

	ctx := context.Background()
	events := []bot.Event{
		parleytest.NewMessage("1", "@1", "hello"),
		parleytest.NewMessage("2", "@2", "fail"),
		parleytest.NewMessage("3", "@1", "there"),
		parleytest.NewMessage("4", "@3", "panic"),
		parleytest.NewMessage("5", "@2", "fail"),
		parleytest.NewMessage("6", "@4", "!"),
		&parleytest.UnknownEvent{Name: "futureEvent", Raw: []byte(`{}`)},
		&parleytest.PlainEvent{Name: "contactConnected", Key: "test:@9"},
	}
	for _, e := range events {
		if err := p.Inject(ctx, e); err != nil {
			t.Fatal(err)
		}
	}
	if err := p.WaitHandled(len(events), wait); err != nil {
		t.Fatal(err)
	}

	series := func(typ string) []string { return []string{"bot=echo", "platform=test", "type=" + typ} }
	tests := []struct {
		metric, typ string
		want        float64
	}{
		{"parley_events_received_total", "message", 6},
		{"parley_events_handled_total", "message", 3},
		{"parley_events_failed_total", "message", 3}, // two errors and one panic
		{"parley_events_received_total", "futureEvent", 1},
		{"parley_events_handled_total", "futureEvent", 1},
		{"parley_events_received_total", "contactConnected", 1},
		{"parley_events_handled_total", "contactConnected", 1},
	}
	for _, tt := range tests {
		if got := mustValue(t, reg, tt.metric, series(tt.typ)...); got != tt.want {
			t.Errorf("%s{type=%q} = %v, want %v", tt.metric, tt.typ, got, tt.want)
		}
	}
	// Series are created with the type's first event, so they start at 0.
	if got, _ := value(t, reg, "parley_events_failed_total", series("futureEvent")...); got != 0 {
		t.Errorf("failed{futureEvent} = %v, want 0", got)
	}
	if got := mustValue(t, reg, "parley_unknown_events_total", "bot=echo", "platform=test"); got != 1 {
		t.Errorf("unknown events = %v, want 1", got)
	}
	if got := mustValue(t, reg, "parley_handler_duration_seconds", "bot=echo", "platform=test"); got != float64(len(events)) {
		t.Errorf("latency observations = %v, want %d", got, len(events))
	}
	// The middleware and the bot's own counters agree.
	st := b.Stats()
	if st.Received != int64(len(events)) || st.Failed != 3 || st.Handled != 5 {
		t.Errorf("bot stats = %+v, want 8 received, 5 handled, 3 failed", st)
	}
}

func TestDedupeHitsCountedThroughOnHit(t *testing.T) {
	m, reg := newMetrics(t)
	p := parleytest.NewPlatform()
	s := store.NewMemory()
	defer s.Close()
	b := bot.New(p, bot.HandlerFunc(scriptedHandler), bot.WithName("d"))
	b.Use(m.Middleware("d"),
		middleware.Dedupe(s, middleware.DedupeOnHit(func(string) { m.DedupeHit("d") })))
	runBot(t, b)

	ctx := context.Background()
	for _, id := range []string{"1", "1", "2", "1", "2", "3"} {
		if err := p.Inject(ctx, parleytest.NewMessage(id, "@1", "hi")); err != nil {
			t.Fatal(err)
		}
	}
	if err := p.WaitHandled(6, wait); err != nil {
		t.Fatal(err)
	}
	if got := mustValue(t, reg, "parley_dedupe_hits_total", "bot=d"); got != 3 {
		t.Errorf("dedupe hits = %v, want 3", got)
	}
	if n := len(p.Sent()); n != 3 {
		t.Errorf("sent %d replies, want 3 (one per distinct message)", n)
	}
	// The duplicates are counted as dropped, not handled.
	if got := mustValue(t, reg, "parley_events_dropped_total", "bot=d", "reason=duplicate"); got != 3 {
		t.Errorf("dropped{duplicate} = %v, want 3", got)
	}
	if got := mustValue(t, reg, "parley_events_handled_total", "bot=d", "platform=test", "type=message"); got != 3 {
		t.Errorf("handled = %v, want 3", got)
	}
	if st := b.Stats(); st.Handled != 3 || st.Dropped != 3 {
		t.Errorf("bot stats = %+v, want 3 handled, 3 dropped", st)
	}
}

func TestQueueDepthFollowsTheBot(t *testing.T) {
	m, reg := newMetrics(t)
	p := parleytest.NewPlatform()
	release := make(chan struct{})
	b := bot.New(p, bot.HandlerFunc(func(c *bot.Context) error {
		<-release
		return nil
	}), bot.WithName("q"))
	unwatch := m.WatchBot("q", b)
	runBot(t, b)
	defer close(release)

	depth := func() float64 { v, _ := value(t, reg, "parley_queue_depth", "bot=q"); return v }
	if got := depth(); got != 0 {
		t.Fatalf("idle depth = %v", got)
	}
	for i := range 3 {
		if err := p.Inject(context.Background(), parleytest.NewMessage(fmt.Sprint(i), "@1", "x")); err != nil {
			t.Fatal(err)
		}
	}
	eventually(t, wait, "queue depth 3", func() bool { return depth() == 3 })
	if got := seriesCount(t, reg, "parley_queue_depth"); got != 1 {
		t.Errorf("queue series = %d, want 1", got)
	}

	// A second watch under the same name replaces the first; the stale
	// unwatch must not remove it.
	unwatch2 := m.WatchQueue("q", func() int { return 42 })
	unwatch()
	if got := depth(); got != 42 {
		t.Errorf("after stale unwatch depth = %v, want 42 from the newer watch", got)
	}
	unwatch2()
	if got := seriesCount(t, reg, "parley_queue_depth"); got != 0 {
		t.Errorf("queue series after unwatch = %d, want 0", got)
	}
}

func TestCommandOutcomes(t *testing.T) {
	m, reg := newMetrics(t)
	observe := m.CommandObserver("b", "simplex")
	tests := []struct {
		cmd, outcome string
		n            int
		wantOutcome  string
	}{
		{"apiSendMessages", metrics.OutcomeOK, 3, "ok"},
		{"apiSendMessages", metrics.OutcomeError, 1, "error"},
		{"apiSendMessages", metrics.OutcomeUnknown, 2, "unknown"},
		{"apiDeleteChatItem", metrics.OutcomeNotSent, 1, "not_sent"},
		{"apiDeleteChatItem", "weird", 1, metrics.OtherLabel},
	}
	total := 0
	for _, tt := range tests {
		for range tt.n {
			observe(tt.cmd, tt.outcome, 3*time.Millisecond)
		}
		total += tt.n
	}
	m.CommandSent("b", "simplex", "apiSendMessages", metrics.OutcomeOK)
	for _, tt := range tests {
		want := float64(tt.n)
		if tt.cmd == "apiSendMessages" && tt.outcome == metrics.OutcomeOK {
			want++ // the CommandSent call
		}
		got := mustValue(t, reg, "parley_commands_total", "bot=b", "platform=simplex", "command="+tt.cmd, "outcome="+tt.wantOutcome)
		if got != want {
			t.Errorf("commands{%s,%s} = %v, want %v", tt.cmd, tt.wantOutcome, got, want)
		}
	}
	if got := mustValue(t, reg, "parley_command_duration_seconds", "bot=b", "platform=simplex"); got != float64(total) {
		t.Errorf("command latency observations = %v, want %d (CommandSent has no duration)", got, total)
	}
}

func TestPlainCounters(t *testing.T) {
	m, reg := newMetrics(t)
	m.Reconnected("b", "simplex")
	reconnect := m.ReconnectObserver("b", "simplex")
	reconnect()
	reconnect()
	m.Unknown("b", "simplex")
	m.RequestDecided("b", bot.ContactRequest.String(), true)
	m.RequestDecided("b", bot.ContactRequest.String(), true)
	m.RequestDecided("b", bot.GroupInvitation.String(), false)

	tests := []struct {
		metric string
		labels []string
		want   float64
	}{
		{"parley_reconnects_total", []string{"bot=b", "platform=simplex"}, 3},
		{"parley_unknown_events_total", []string{"bot=b", "platform=simplex"}, 1},
		{"parley_requests_total", []string{"bot=b", "kind=contact", "decision=accepted"}, 2},
		{"parley_requests_total", []string{"bot=b", "kind=group", "decision=refused"}, 1},
	}
	for _, tt := range tests {
		if got := mustValue(t, reg, tt.metric, tt.labels...); got != tt.want {
			t.Errorf("%s%v = %v, want %v", tt.metric, tt.labels, got, tt.want)
		}
	}
	if _, ok := value(t, reg, "parley_requests_total", "bot=b", "kind=contact", "decision=refused"); ok {
		t.Error("a refused series exists for contact requests that were all accepted")
	}
}

func TestEventTypeCardinalityIsCapped(t *testing.T) {
	m, reg := newMetrics(t)
	h := bot.Chain(bot.HandlerFunc(func(*bot.Context) error { return nil }), m.Middleware("b"))
	const extra = 50
	platforms := []*parleytest.Platform{parleytest.NewPlatformNamed("p1"), parleytest.NewPlatformNamed("p2")}
	for _, p := range platforms {
		for i := range metrics.MaxLabelValues + extra {
			c := bot.NewContext(context.Background(), &parleytest.PlainEvent{Name: fmt.Sprintf("type%d", i)}, p, nil)
			if err := h.Handle(c); err != nil {
				t.Fatal(err)
			}
		}
	}
	// Each platform keeps its own budget of distinct values.
	if got, want := seriesCount(t, reg, "parley_events_received_total"), 2*(metrics.MaxLabelValues+1); got != want {
		t.Errorf("received series = %d, want %d", got, want)
	}
	for _, p := range platforms {
		if got := mustValue(t, reg, "parley_events_received_total", "bot=b", "platform="+p.Name(), "type=other"); got != extra {
			t.Errorf("%s other = %v, want %d", p.Name(), got, extra)
		}
		if got := mustValue(t, reg, "parley_events_received_total", "bot=b", "platform="+p.Name(), "type=type0"); got != 1 {
			t.Errorf("%s type0 = %v, want 1", p.Name(), got)
		}
	}
	// Types already seen keep their own series after the cap is reached.
	c := bot.NewContext(context.Background(), &parleytest.PlainEvent{Name: "type7"}, platforms[0], nil)
	if err := h.Handle(c); err != nil {
		t.Fatal(err)
	}
	if got := mustValue(t, reg, "parley_events_received_total", "bot=b", "platform=p1", "type=type7"); got != 2 {
		t.Errorf("type7 = %v, want 2", got)
	}
}

func TestHostileLabelValuesDoNotPanic(t *testing.T) {
	m, reg := newMetrics(t)
	bad := "bad\xff\xfetype"
	long := strings.Repeat("é", 200)
	h := bot.Chain(bot.HandlerFunc(func(*bot.Context) error { return nil }), m.Middleware("b\xff"))
	for _, typ := range []string{bad, long, ""} {
		c := bot.NewContext(context.Background(), &parleytest.PlainEvent{Name: typ}, parleytest.NewPlatformNamed("p\xff"), nil)
		if err := h.Handle(c); err != nil {
			t.Fatal(err)
		}
		m.CommandSent("b", "p", typ, metrics.OutcomeOK)
		m.RequestDecided("b", typ, true)
	}
	// Gathering a pedantic registry validates every label value.
	if got := seriesCount(t, reg, "parley_events_received_total"); got != 3 {
		t.Errorf("received series = %d, want 3", got)
	}
	if got := mustValue(t, reg, "parley_events_received_total", "bot=b\uFFFD", "platform=p\uFFFD", "type=bad\uFFFDtype"); got != 1 {
		t.Errorf("cleaned series = %v, want 1", got)
	}
	if got := mustValue(t, reg, "parley_events_received_total", "bot=b\uFFFD", "platform=p\uFFFD", "type=none"); got != 1 {
		t.Errorf("empty type series = %v, want 1", got)
	}
}

func TestForgetDropsTheBotsSeries(t *testing.T) {
	m, reg := newMetrics(t)
	for _, name := range []string{"gone", "kept"} {
		h := bot.Chain(bot.HandlerFunc(func(*bot.Context) error { return nil }), m.Middleware(name))
		c := bot.NewContext(context.Background(), &parleytest.PlainEvent{Name: "x"}, parleytest.NewPlatform(), nil)
		if err := h.Handle(c); err != nil {
			t.Fatal(err)
		}
		m.CommandSent(name, "test", "send", metrics.OutcomeOK)
		m.DedupeHit(name)
		m.Dropped(name, metrics.DropRateLimited)
		m.WatchQueue(name, func() int { return 1 })
	}
	m.Forget("gone")
	for _, metric := range []string{
		"parley_events_received_total", "parley_events_handled_total", "parley_handler_duration_seconds",
		"parley_commands_total", "parley_dedupe_hits_total", "parley_events_dropped_total", "parley_queue_depth",
	} {
		mf := family(t, reg, metric)
		if mf == nil {
			t.Errorf("%s: no family left", metric)
			continue
		}
		for _, s := range mf.GetMetric() {
			for _, lp := range s.GetLabel() {
				if lp.GetName() == "bot" && lp.GetValue() != "kept" {
					t.Errorf("%s still has bot=%q", metric, lp.GetValue())
				}
			}
		}
		if len(mf.GetMetric()) != 1 {
			t.Errorf("%s has %d series, want 1 (bot=kept)", metric, len(mf.GetMetric()))
		}
	}
}

func TestNewRegistersOnce(t *testing.T) {
	reg := prometheus.NewRegistry()
	first, err := metrics.New(reg)
	if err != nil {
		t.Fatal(err)
	}
	if _, err := metrics.New(reg); err == nil {
		t.Fatal("second New on one registry succeeded")
	}
	// The failed New left the first registration intact.
	first.DedupeHit("b")
	first.WatchQueue("b", func() int { return 7 })
	if got := mustValue(t, reg, "parley_dedupe_hits_total", "bot=b"); got != 1 {
		t.Errorf("dedupe hits after a failed second New = %v, want 1", got)
	}
	if got := mustValue(t, reg, "parley_queue_depth", "bot=b"); got != 7 {
		t.Errorf("queue depth after a failed second New = %v, want 7", got)
	}
	if _, err := metrics.New(nil); err != nil {
		t.Fatalf("New(nil): %v", err)
	}
}

func TestNilMetricsIsANoOp(t *testing.T) {
	var m *metrics.Metrics
	m.CommandSent("b", "p", "c", metrics.OutcomeOK)
	m.CommandObserver("b", "p")("c", metrics.OutcomeOK, time.Second)
	m.Reconnected("b", "p")
	m.ReconnectObserver("b", "p")()
	m.DedupeHit("b")
	m.Dropped("b", metrics.DropDuplicate)
	m.Unknown("b", "p")
	m.RequestDecided("b", "contact", true)
	m.WatchQueue("b", func() int { return 0 })()
	m.Forget("b")
	if m.Collectors() != nil {
		t.Error("nil Metrics has collectors")
	}
	called := false
	outer, inner := m.Middlewares("b")
	h := bot.Chain(bot.HandlerFunc(func(*bot.Context) error { called = true; return nil }), m.Middleware("b"), outer, inner)
	if err := h.Handle(bot.NewContext(context.Background(), &parleytest.PlainEvent{Name: "x"}, parleytest.NewPlatform(), nil)); err != nil || !called {
		t.Errorf("nil middleware: err %v, called %v", err, called)
	}
}

func TestMiddlewareDoesNotAllocate(t *testing.T) {
	if raceEnabled {
		t.Skip("the race detector changes allocation counts")
	}
	m, _ := newMetrics(t)
	h := bot.Chain(bot.HandlerFunc(func(*bot.Context) error { return nil }), m.Middleware("b"))
	c := bot.NewContext(context.Background(), parleytest.NewMessage("1", "@1", "hi"), parleytest.NewPlatform(), nil)
	_ = h.Handle(c) // fill the cache
	if n := testing.AllocsPerRun(1000, func() { _ = h.Handle(c) }); n != 0 {
		t.Errorf("middleware allocates %v times per event in steady state, want 0", n)
	}
}

func TestMiddlewaresKeepDroppedEventsOutOfHandled(t *testing.T) {
	m, reg := newMetrics(t)
	p := parleytest.NewPlatformNamed("test")
	s := store.NewMemory()
	defer s.Close()
	b := bot.New(p, bot.HandlerFunc(scriptedHandler), bot.WithName("rl"))
	outer, inner := m.Middlewares("rl")
	b.Use(outer,
		middleware.Dedupe(s, middleware.DedupeOnHit(func(string) { m.Dropped("rl", metrics.DropDuplicate) })),
		middleware.RateLimit(1e-6, 2, middleware.RateLimitOnDrop(func(*bot.Context, middleware.DropReason) {
			m.Dropped("rl", metrics.DropRateLimited)
		})),
		inner)
	runBot(t, b)

	ctx := context.Background()
	// @1 has a burst of two: "1" and "2" pass, "3" and "4" are limited.
	// The second "1" is a duplicate, "f" from @2 fails.
	events := []bot.Event{
		parleytest.NewMessage("1", "@1", "a"),
		parleytest.NewMessage("1", "@1", "a"),
		parleytest.NewMessage("2", "@1", "b"),
		parleytest.NewMessage("3", "@1", "c"),
		parleytest.NewMessage("4", "@1", "d"),
		parleytest.NewMessage("f", "@2", "fail"),
	}
	for _, e := range events {
		if err := p.Inject(ctx, e); err != nil {
			t.Fatal(err)
		}
	}
	if err := p.WaitHandled(len(events), wait); err != nil {
		t.Fatal(err)
	}
	series := []string{"bot=rl", "platform=test", "type=message"}
	for _, tt := range []struct {
		metric string
		labels []string
		want   float64
	}{
		{"parley_events_received_total", series, 6},
		{"parley_events_handled_total", series, 2},
		{"parley_events_failed_total", series, 1},
		{"parley_events_dropped_total", []string{"bot=rl", "reason=rate_limited"}, 2},
		{"parley_events_dropped_total", []string{"bot=rl", "reason=duplicate"}, 1},
		{"parley_handler_duration_seconds", []string{"bot=rl", "platform=test"}, 6},
	} {
		if got := mustValue(t, reg, tt.metric, tt.labels...); got != tt.want {
			t.Errorf("%s%v = %v, want %v", tt.metric, tt.labels, got, tt.want)
		}
	}
}

func TestDroppedReasonIsBounded(t *testing.T) {
	m, reg := newMetrics(t)
	for _, r := range []string{metrics.DropNotAccepted, metrics.DropAcceptCapped, "made up", "\xff"} {
		m.Dropped("b", r)
	}
	for _, tt := range []struct {
		reason string
		want   float64
	}{{"not_accepted", 1}, {"accept_capped", 1}, {metrics.OtherLabel, 2}} {
		if got := mustValue(t, reg, "parley_events_dropped_total", "bot=b", "reason="+tt.reason); got != tt.want {
			t.Errorf("dropped{reason=%q} = %v, want %v", tt.reason, got, tt.want)
		}
	}
	if n := seriesCount(t, reg, "parley_events_dropped_total"); n != 3 {
		t.Errorf("%d dropped series, want 3", n)
	}
}

func TestMiddlewaresDoNotAllocate(t *testing.T) {
	if raceEnabled {
		t.Skip("the race detector changes allocation counts")
	}
	m, _ := newMetrics(t)
	outer, inner := m.Middlewares("b")
	h := bot.Chain(bot.HandlerFunc(func(*bot.Context) error { return nil }), outer, inner)
	c := bot.NewContext(context.Background(), parleytest.NewMessage("1", "@1", "hi"), parleytest.NewPlatform(), nil)
	_ = h.Handle(c) // fill the cache
	if n := testing.AllocsPerRun(1000, func() { _ = h.Handle(c) }); n != 0 {
		t.Errorf("middlewares allocate %v times per event in steady state, want 0", n)
	}
}

// The platforms name command outcomes with bot.Outcome; the label keeps
// exactly those names.
func TestOutcomeValuesAreBotOutcomes(t *testing.T) {
	for err, want := range map[error]string{
		nil: metrics.OutcomeOK,
		bot.KindError(bot.ErrNotSent, "not sent"):       metrics.OutcomeNotSent,
		bot.KindError(bot.ErrOutcomeUnknown, "unknown"): metrics.OutcomeUnknown,
		errors.New("refused"):                           metrics.OutcomeError,
	} {
		if got := bot.Outcome(err); got != want {
			t.Errorf("bot.Outcome(%v) = %q, metrics has %q", err, got, want)
		}
	}
}
