package host_test

import (
	"context"
	"errors"
	"fmt"
	"net"
	"net/http"
	"net/http/httptest"
	"strings"
	"sync/atomic"
	"testing"
	"time"

	"github.com/parleybot/parley/bot"
	"github.com/parleybot/parley/host"
	"github.com/parleybot/parley/metrics"
	"github.com/parleybot/parley/parleytest"
	"github.com/prometheus/client_golang/prometheus"
	"go.uber.org/goleak"
	"go.uber.org/zap"
	"go.uber.org/zap/zapcore"
	"go.uber.org/zap/zaptest/observer"
)

func TestMain(m *testing.M) { goleak.VerifyTestMain(m) }

func TestCrashingBotRestartsWhileOthersKeepWorking(t *testing.T) {
	var starts atomic.Int32
	crasher := host.RunnerFunc(func(ctx context.Context) error {
		starts.Add(1)
		return errors.New("boom")
	})
	p := parleytest.NewPlatform()
	h := host.New(host.WithAddr("127.0.0.1:0"), tiny)
	if err := h.Add("crasher", crasher); err != nil {
		t.Fatal(err)
	}
	if err := h.Add("echo", echoBot("echo", p)); err != nil {
		t.Fatal(err)
	}
	stop := start(t, h)

	eventually(t, "3 restarts", func() bool { return status(t, h, "crasher").Restarts >= 3 })
	before := status(t, h, "crasher").Restarts
	const n = 20
	for i := range n {
		if err := p.Inject(context.Background(), parleytest.NewMessage(fmt.Sprint(i), fmt.Sprintf("@%d", i%4), "hi")); err != nil {
			t.Fatal(err)
		}
	}
	if _, err := p.WaitSent(n, wait); err != nil {
		t.Fatalf("echo bot stopped answering while the other crashed: %v", err)
	}
	// The crasher kept crashing meanwhile: the two ran side by side.
	eventually(t, "more restarts", func() bool { return status(t, h, "crasher").Restarts > before })

	cs := status(t, h, "crasher")
	if cs.LastError == nil || cs.LastError.Error() != "boom" {
		t.Errorf("crasher last error = %v, want boom", cs.LastError)
	}
	if got := int(starts.Load()); got < cs.Restarts {
		t.Errorf("crasher started %d times but restarted %d", got, cs.Restarts)
	}
	es := status(t, h, "echo")
	if !es.Running || !es.Ready || es.Restarts != 0 || es.LastError != nil {
		t.Errorf("echo status = %+v, want running, ready, no restarts", es)
	}

	code, body := get(t, h, "/metrics")
	if code != http.StatusOK {
		t.Fatalf("/metrics: %d", code)
	}
	var restarts int
	for _, line := range strings.Split(body, "\n") {
		if _, err := fmt.Sscanf(line, `parley_bot_restarts_total{bot="crasher"} %d`, &restarts); err == nil {
			break
		}
	}
	if restarts < 3 {
		t.Errorf("parley_bot_restarts_total{bot=crasher} = %d, want >= 3\n%s", restarts, body)
	}
	if !strings.Contains(body, `parley_bot_restarts_total{bot="echo"} 0`) {
		t.Errorf("/metrics lacks echo's zero restarts:\n%s", body)
	}
	// Still failing when stopped, the crasher is named by Run; echo is not.
	if err := stop(); err == nil || err.Error() != `bot "crasher": boom` {
		t.Errorf("Run = %v, want the crasher's last failure", err)
	}
}

func TestPanickingBotIsRecoveredAndRestarted(t *testing.T) {
	core, logs := observer.New(zapcore.InfoLevel)
	var runs atomic.Int32
	h := host.New(tiny, host.WithLogger(zap.New(core)))
	if err := h.Add("fragile", host.RunnerFunc(func(ctx context.Context) error {
		if runs.Add(1) == 1 {
			panic("kaboom")
		}
		<-ctx.Done()
		return nil
	})); err != nil {
		t.Fatal(err)
	}
	start(t, h)

	eventually(t, "second run", func() bool { st := status(t, h, "fragile"); return st.Running && st.Restarts == 1 })
	st := status(t, h, "fragile")
	var pe *bot.PanicError
	if !errors.As(st.LastError, &pe) || pe.Value != "kaboom" || len(pe.Stack) == 0 {
		t.Fatalf("last error = %#v, want a *bot.PanicError with value kaboom and a stack", st.LastError)
	}
	entries := logs.FilterMessage("bot failed; restarting").FilterFieldKey("stack").All()
	if len(entries) != 1 {
		t.Fatalf("logged %d panic restarts with a stack, want 1", len(entries))
	}
	if got := entries[0].ContextMap()["bot"]; got != "fragile" {
		t.Errorf("log names bot %v, want fragile", got)
	}
}

func TestReadyzNamesUnreadyBotsUntilAllAreReady(t *testing.T) {
	fast, slow := &blocker{}, &blocker{}
	fast.ready.Store(true)
	rp := &readyPlatform{Platform: parleytest.NewPlatform()}
	h := host.New(host.WithAddr("127.0.0.1:0"), tiny)
	for name, r := range map[string]host.Runner{
		"fast":      fast,
		"slow":      slow,
		"connector": echoBot("connector", rp), // ready when its platform is
		"plain":     host.RunnerFunc(func(ctx context.Context) error { <-ctx.Done(); return nil }),
	} {
		if err := h.Add(name, r); err != nil {
			t.Fatal(err)
		}
	}
	start(t, h)
	// Once every bot runs, readiness follows the flags at once.
	eventually(t, "all bots running", func() bool {
		for _, st := range h.Status() {
			if !st.Running {
				return false
			}
		}
		return true
	})

	tests := []struct {
		name       string
		change     func()
		code       int
		contain    []string
		notContain []string
	}{
		{"slow and unconnected bot are named", func() {}, 503,
			[]string{"not ready: 2 of 4 bots", "slow: running, not ready yet", "connector: running, not ready yet"},
			[]string{"fast:", "plain:"}},
		{"platform connects", func() { rp.ready.Store(true) }, 503,
			[]string{"not ready: 1 of 4 bots", "slow:"}, []string{"connector:"}},
		{"all ready", func() { slow.ready.Store(true) }, 200,
			[]string{"ok: 4 bots ready"}, []string{"slow:"}},
		{"a bot drops its readiness", func() { slow.ready.Store(false) }, 503,
			[]string{"slow:"}, nil},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			tt.change()
			code, body := get(t, h, "/readyz")
			if code != tt.code {
				t.Errorf("/readyz = %d, want %d:\n%s", code, tt.code, body)
			}
			for _, s := range tt.contain {
				if !strings.Contains(body, s) {
					t.Errorf("/readyz body lacks %q:\n%s", s, body)
				}
			}
			for _, s := range tt.notContain {
				if strings.Contains(body, s) {
					t.Errorf("/readyz body has %q:\n%s", s, body)
				}
			}
		})
	}
	if code, body := get(t, h, "/healthz"); code != 200 || body != "ok\n" {
		t.Errorf("/healthz = %d %q", code, body)
	}
}

func TestReadyzGivesTheLastErrorOfARestartingBot(t *testing.T) {
	h := host.New(host.WithAddr("127.0.0.1:0"), tiny)
	if err := h.Add("broken", host.RunnerFunc(func(ctx context.Context) error {
		return errors.New("dial tcp: connection refused\nretry later")
	})); err != nil {
		t.Fatal(err)
	}
	stop := start(t, h)
	defer func() {
		if err := stop(); err == nil || !strings.Contains(err.Error(), "connection refused") {
			t.Errorf("Run = %v, want the broken bot's last failure", err)
		}
	}()
	eventually(t, "a restart", func() bool { return status(t, h, "broken").Restarts > 0 })
	code, body := get(t, h, "/readyz")
	if code != 503 || !strings.Contains(body, "broken: ") ||
		!strings.Contains(body, "last error: dial tcp: connection refused retry later\n") {
		t.Errorf("/readyz = %d:\n%s", code, body)
	}
}

func TestMetricsEndpointServesBotMetrics(t *testing.T) {
	reg := prometheus.NewRegistry()
	m, err := metrics.New(reg)
	if err != nil {
		t.Fatal(err)
	}
	p := parleytest.NewPlatform()
	b := echoBot("echo", p, m.Middleware("echo"))
	defer m.WatchBot("echo", b)()
	h := host.New(host.WithAddr("127.0.0.1:0"), host.WithRegistry(reg, reg), tiny)
	if err := h.Add("echo", b); err != nil {
		t.Fatal(err)
	}
	start(t, h)
	if err := p.Inject(context.Background(), parleytest.NewMessage("1", "@1", "hi")); err != nil {
		t.Fatal(err)
	}
	if _, err := p.WaitSent(1, wait); err != nil {
		t.Fatal(err)
	}
	wants := []string{
		`parley_events_received_total{bot="echo",platform="test",type="message"} 1`,
		`parley_events_handled_total{bot="echo",platform="test",type="message"} 1`,
		`parley_handler_duration_seconds_count{bot="echo",platform="test"} 1`,
		`parley_queue_depth{bot="echo"} 0`,
		`parley_bot_up{bot="echo"} 1`,
		`parley_bot_ready{bot="echo"} 1`,
		`parley_bot_restarts_total{bot="echo"} 0`,
	}
	// The reply goes out before the handler returns and its slot is
	// freed, so wait for the counts to settle.
	var body string
	eventually(t, "metrics of one handled event", func() bool {
		var code int
		code, body = get(t, h, "/metrics")
		if code != 200 {
			t.Fatalf("/metrics: %d", code)
		}
		for _, want := range wants {
			if !strings.Contains(body, want) {
				return false
			}
		}
		return true
	})
}

func TestDefaultRegistryHasRuntimeMetrics(t *testing.T) {
	h := host.New(host.WithAddr("127.0.0.1:0"))
	if err := h.Add("idle", &blocker{}); err != nil {
		t.Fatal(err)
	}
	start(t, h)
	_, body := get(t, h, "/metrics")
	for _, want := range []string{"go_goroutines ", `parley_bot_up{bot="idle"} 1`, `parley_bot_ready{bot="idle"} 0`} {
		if !strings.Contains(body, want) {
			t.Errorf("/metrics lacks %q", want)
		}
	}
	if h.Registerer() == nil {
		t.Error("no default Registerer")
	}
}

// drainer takes until release is closed to finish after its context ends.
type drainer struct {
	stopping chan struct{}
	release  chan struct{}
	finished atomic.Bool
}

func (d *drainer) Run(ctx context.Context) error {
	<-ctx.Done()
	close(d.stopping)
	<-d.release
	d.finished.Store(true)
	return nil
}

func TestGracefulStopWaitsForBotsToDrain(t *testing.T) {
	d := &drainer{stopping: make(chan struct{}), release: make(chan struct{})}
	// A real bot with a handler in flight at shutdown: its reply must
	// still go out before Run returns.
	p := parleytest.NewPlatform()
	handlerIn, handlerGo := make(chan struct{}), make(chan struct{})
	b := bot.New(p, bot.HandlerFunc(func(c *bot.Context) error {
		close(handlerIn)
		<-handlerGo
		return c.Answer("late but sent")
	}), bot.WithName("busy"))

	h := host.New(host.WithAddr("127.0.0.1:0"), tiny)
	for name, r := range map[string]host.Runner{"drainer": d, "busy": b} {
		if err := h.Add(name, r); err != nil {
			t.Fatal(err)
		}
	}
	ctx, cancel := context.WithCancel(context.Background())
	defer cancel()
	runDone := make(chan error, 1)
	go func() { runDone <- h.Run(ctx) }()
	eventually(t, "listening", func() bool { return h.Addr() != "" })
	addr := h.Addr()
	if err := p.Inject(ctx, parleytest.NewMessage("1", "@1", "hi")); err != nil {
		t.Fatal(err)
	}
	<-handlerIn

	cancel()
	<-d.stopping
	// While bots drain, the process is alive but not ready.
	if code, _ := get(t, h, "/healthz"); code != 200 {
		t.Errorf("/healthz during drain = %d, want 200", code)
	}
	if code, body := get(t, h, "/readyz"); code != 503 || body != "shutting down\n" {
		t.Errorf("/readyz during drain = %d %q", code, body)
	}
	select {
	case err := <-runDone:
		t.Fatalf("Run returned (%v) while a bot was still draining", err)
	default:
	}

	close(d.release)
	close(handlerGo)
	if err := <-runDone; err != nil {
		t.Fatalf("Run: %v", err)
	}
	if !d.finished.Load() {
		t.Error("Run returned before the drainer finished")
	}
	if sent := p.Sent(); len(sent) != 1 || sent[0].Text != "late but sent" {
		t.Errorf("sent = %+v, want the in-flight reply", sent)
	}
	for _, st := range h.Status() {
		if st.State != host.StateStopped || st.Running {
			t.Errorf("%s after Run: %+v", st.Name, st)
		}
	}
	if conn, err := net.Dial("tcp", addr); err == nil {
		conn.Close()
		t.Error("HTTP server still accepts connections after Run returned")
	}
}

func TestRunReportsErrorsOfBotsStopping(t *testing.T) {
	h := host.New(tiny)
	for name, err := range map[string]error{
		"flush":     errors.New("flush failed"),
		"cancelled": context.Canceled, // a ctx error at stop is no failure
		"clean":     nil,
	} {
		if err := h.Add(name, host.RunnerFunc(func(ctx context.Context) error {
			<-ctx.Done()
			if errors.Is(err, context.Canceled) {
				return ctx.Err()
			}
			return err
		})); err != nil {
			t.Fatal(err)
		}
	}
	stop := start(t, h)
	eventually(t, "all running", func() bool {
		for _, st := range h.Status() {
			if !st.Running {
				return false
			}
		}
		return true
	})
	err := stop()
	if err == nil || !strings.Contains(err.Error(), `bot "flush": flush failed`) {
		t.Fatalf("Run = %v, want the flush bot's error", err)
	}
	if strings.Contains(err.Error(), "cancelled") || strings.Contains(err.Error(), "clean") {
		t.Errorf("Run = %v, names a bot that stopped cleanly", err)
	}
}

func TestFactoryRebuildsTheRunnerForEveryStart(t *testing.T) {
	var builds, cleanups atomic.Int32
	h := host.New(tiny)
	err := h.AddFactory("rebuilt", func() (host.Runner, func() error, error) {
		n := builds.Add(1)
		if n == 2 {
			return nil, nil, errors.New("dial failed")
		}
		cleanup := func() error { cleanups.Add(1); return nil }
		return host.RunnerFunc(func(ctx context.Context) error {
			if n < 4 {
				return fmt.Errorf("run %d failed", n)
			}
			<-ctx.Done()
			return nil
		}), cleanup, nil
	})
	if err != nil {
		t.Fatal(err)
	}
	stop := start(t, h)
	eventually(t, "fourth build running", func() bool { return builds.Load() == 4 && status(t, h, "rebuilt").Running })
	st := status(t, h, "rebuilt")
	// Run 1 failed, build 2 failed, run 3 failed.
	if st.Restarts != 3 || builds.Load() != 4 {
		t.Errorf("restarts %d, builds %d; want 3 and 4", st.Restarts, builds.Load())
	}
	if st.LastError == nil || st.LastError.Error() != "run 3 failed" {
		t.Errorf("last error %v, want run 3 failed", st.LastError)
	}
	if err := stop(); err != nil {
		t.Fatal(err)
	}
	if got := cleanups.Load(); got != 3 {
		t.Errorf("cleanups = %d, want 3 (one per built runner)", got)
	}
}

func TestEarlyReturnWithoutErrorIsAFailure(t *testing.T) {
	var runs atomic.Int32
	h := host.New(tiny)
	if err := h.Add("quitter", host.RunnerFunc(func(ctx context.Context) error {
		if runs.Add(1) == 1 {
			return nil
		}
		<-ctx.Done()
		return nil
	})); err != nil {
		t.Fatal(err)
	}
	start(t, h)
	eventually(t, "second run", func() bool { return runs.Load() == 2 })
	st := status(t, h, "quitter")
	if st.Restarts != 1 || st.LastError == nil || !strings.Contains(st.LastError.Error(), "returned before the host stopped") {
		t.Errorf("status = %+v", st)
	}
}

func TestAddAndRemoveWhileRunning(t *testing.T) {
	reg := prometheus.NewRegistry()
	h := host.New(host.WithAddr("127.0.0.1:0"), host.WithRegistry(reg, reg), tiny)
	first := &blocker{}
	if err := h.Add("first", first); err != nil {
		t.Fatal(err)
	}
	start(t, h)

	late := &blocker{}
	late.ready.Store(true)
	if err := h.Add("late", late); err != nil {
		t.Fatal(err)
	}
	eventually(t, "late bot running", func() bool { return status(t, h, "late").Running })

	if err := h.Remove("late"); err != nil {
		t.Fatal(err)
	}
	for _, st := range h.Status() {
		if st.Name == "late" {
			t.Fatal("removed bot still listed")
		}
	}
	if _, body := get(t, h, "/metrics"); strings.Contains(body, `bot="late"`) {
		t.Error("removed bot still in /metrics")
	}
	if err := h.Remove("late"); !errors.Is(err, host.ErrNotFound) {
		t.Errorf("second Remove = %v, want ErrNotFound", err)
	}
	// The name is free again.
	if err := h.Add("late", &blocker{}); err != nil {
		t.Errorf("re-Add after Remove: %v", err)
	}
	if st := status(t, h, "first"); !st.Running {
		t.Errorf("first bot disturbed: %+v", st)
	}
}

func TestAddRejectsBadBots(t *testing.T) {
	h := host.New()
	if err := h.Add("taken", &blocker{}); err != nil {
		t.Fatal(err)
	}
	tests := []struct {
		name    string
		botName string
		runner  host.Runner
		is      error
	}{
		{"empty name", "", &blocker{}, nil},
		{"space", "a b", &blocker{}, nil},
		{"newline", "a\nb", &blocker{}, nil},
		{"invalid utf8", "a\xff", &blocker{}, nil},
		{"too long", strings.Repeat("x", 129), &blocker{}, nil},
		{"nil runner", "nil", nil, nil},
		{"duplicate", "taken", &blocker{}, host.ErrDuplicate},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			err := h.Add(tt.botName, tt.runner)
			if err == nil {
				t.Fatal("Add succeeded")
			}
			if tt.is != nil && !errors.Is(err, tt.is) {
				t.Errorf("Add = %v, want %v", err, tt.is)
			}
		})
	}
	if err := h.AddFactory("f", nil); err == nil {
		t.Error("AddFactory(nil) succeeded")
	}
	if got := len(h.Status()); got != 1 {
		t.Errorf("%d bots after rejected adds, want 1", got)
	}
}

func TestLifecycleErrors(t *testing.T) {
	h := host.New()
	if err := h.Wait(); !errors.Is(err, host.ErrNotStarted) {
		t.Errorf("Wait before Start = %v", err)
	}
	// Before Start, readiness says so.
	rec := httptest.NewRecorder()
	h.Handler().ServeHTTP(rec, httptest.NewRequest(http.MethodGet, "/readyz", nil))
	if rec.Code != 503 || rec.Body.String() != "not started\n" {
		t.Errorf("/readyz before Start = %d %q", rec.Code, rec.Body.String())
	}
	stop := start(t, h)
	if err := h.Start(context.Background()); !errors.Is(err, host.ErrStarted) {
		t.Errorf("second Start = %v", err)
	}
	if err := stop(); err != nil {
		t.Fatal(err)
	}
	if err := h.Add("late", &blocker{}); !errors.Is(err, host.ErrStopped) {
		t.Errorf("Add after stop = %v, want ErrStopped", err)
	}
	if err := h.Run(context.Background()); !errors.Is(err, host.ErrStarted) {
		t.Errorf("Run after stop = %v, want ErrStarted", err)
	}
}

func TestListenFailureStartsNothing(t *testing.T) {
	taken, err := net.Listen("tcp", "127.0.0.1:0")
	if err != nil {
		t.Fatal(err)
	}
	defer taken.Close()
	reg := prometheus.NewRegistry()
	b := &blocker{}
	h := host.New(host.WithAddr(taken.Addr().String()), host.WithRegistry(reg, reg))
	if err := h.Add("b", b); err != nil {
		t.Fatal(err)
	}
	if err := h.Run(context.Background()); err == nil || !strings.Contains(err.Error(), "listen") {
		t.Fatalf("Run = %v, want a listen error", err)
	}
	if b.runs.Load() != 0 {
		t.Error("a bot started although the host failed to start")
	}
	// The host's collector was unregistered: a new host may use reg.
	h2 := host.New(host.WithRegistry(reg, reg))
	start(t, h2)
}

func TestBackoffGrowsAndResetsAfterAStableRun(t *testing.T) {
	const min = time.Millisecond
	tests := []struct {
		name        string
		stableAfter time.Duration
		// check sees the retry delays of the first five failures.
		check func(t *testing.T, delays []time.Duration)
	}{
		{"failing fast: doubling with jitter", time.Hour, func(t *testing.T, delays []time.Duration) {
			for i, d := range delays {
				full := min << i
				if d < full/2 || d > full {
					t.Errorf("failure %d waited %v, want within [%v, %v]", i+1, d, full/2, full)
				}
			}
		}},
		{"every run stable: always the minimum", time.Nanosecond, func(t *testing.T, delays []time.Duration) {
			for i, d := range delays {
				if d < min/2 || d > min {
					t.Errorf("failure %d waited %v, want within [%v, %v]", i+1, d, min/2, min)
				}
			}
		}},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			core, logs := observer.New(zapcore.ErrorLevel)
			h := host.New(host.WithBackoff(min, time.Hour), host.WithStableAfter(tt.stableAfter), host.WithLogger(zap.New(core)))
			var runs atomic.Int32
			if err := h.Add("b", host.RunnerFunc(func(ctx context.Context) error {
				if runs.Add(1) <= 5 {
					return errors.New("fail")
				}
				<-ctx.Done()
				return nil
			})); err != nil {
				t.Fatal(err)
			}
			start(t, h)
			eventually(t, "sixth run", func() bool { return runs.Load() == 6 })
			var delays []time.Duration
			for _, e := range logs.FilterMessage("bot failed; restarting").All() {
				delays = append(delays, e.ContextMap()["retry_in"].(time.Duration))
			}
			if len(delays) != 5 {
				t.Fatalf("logged %d restarts, want 5", len(delays))
			}
			tt.check(t, delays)
		})
	}
}
