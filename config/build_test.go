package config_test

import (
	"bytes"
	"context"
	"encoding/json"
	"errors"
	"path/filepath"
	"strings"
	"sync/atomic"
	"testing"
	"time"

	"github.com/parleybot/parley/bot"
	"github.com/parleybot/parley/config"
	"github.com/parleybot/parley/parleytest"
	"github.com/parleybot/parley/store"
	"go.uber.org/zap"
	"go.uber.org/zap/zapcore"
	"go.uber.org/zap/zaptest/observer"
)

const waitFor = 5 * time.Second

func parse(t *testing.T, src string) *config.Config {
	t.Helper()
	cfg, err := config.Parse([]byte(src), filepath.Join(t.TempDir(), "bots.toml"), config.WithLookupEnv(noEnv))
	if err != nil {
		t.Fatal(err)
	}
	return cfg
}

// running builds the config's only bot and runs it until the test ends.
func running(t *testing.T, src string, logger *zap.Logger) (*config.Hosted, *parleytest.Platform) {
	t.Helper()
	h, err := config.BuildBot(parse(t, src).Bots[0], logger)
	if err != nil {
		t.Fatal(err)
	}
	p := h.Platform.(*parleytest.Platform)
	ctx, cancel := context.WithCancel(context.Background())
	done := make(chan error, 1)
	go func() { done <- h.Bot.Run(ctx) }()
	t.Cleanup(func() {
		cancel()
		if err := <-done; err != nil {
			t.Errorf("Run: %v", err)
		}
		if err := h.Close(); err != nil {
			t.Errorf("Close: %v", err)
		}
	})
	return h, p
}

func TestBuildBotReplies(t *testing.T) {
	core, logs := observer.New(zapcore.DebugLevel)
	h, p := running(t, head+"handler_timeout = \"10s\"\n[bots.modules.reply]\nprefix = \"got: \"\n", zap.New(core))
	ctx := context.Background()
	if err := p.Inject(ctx, parleytest.NewMessage("1", "@5", "hello")); err != nil {
		t.Fatal(err)
	}
	// The same event delivered twice is handled once: dedupe is on by default.
	if err := p.Inject(ctx, parleytest.NewMessage("1", "@5", "hello")); err != nil {
		t.Fatal(err)
	}
	if err := p.WaitHandled(2, waitFor); err != nil {
		t.Fatal(err)
	}
	sent := p.Sent()
	if len(sent) != 1 || sent[0].ChatID != "@5" || sent[0].Text != "got: hello" {
		t.Fatalf("sent %+v, want one reply \"got: hello\" to @5", sent)
	}
	if h.Deduper == nil || h.Deduper.Stats().Hits != 1 || h.Deduper.Stats().Passed != 1 {
		t.Errorf("dedupe stats: %+v", h.Deduper)
	}
	if h.AutoAccepter != nil || h.RateLimiter != nil {
		t.Error("auto-accept or rate limit on without configuration")
	}
	if h.Name != "b" || h.Bot.Name() != "b" {
		t.Errorf("names %q, %q", h.Name, h.Bot.Name())
	}
	// The Logger middleware, outside Dedupe, wrote an entry for the
	// handled delivery under the bot's name; the duplicate is logged at
	// debug only.
	if n := logs.FilterMessage("event handled").FilterLoggerName("b").Len(); n != 1 {
		t.Errorf("%d \"event handled\" entries from logger b, want 1: %v", n, logs.All())
	}
	if st := h.Bot.Stats(); st.Handled != 1 || st.Dropped != 1 {
		t.Errorf("bot stats %+v, want 1 handled, 1 dropped", st)
	}
}

func TestBuildBotModuleEnv(t *testing.T) {
	cfg := parse(t, head+"[bots.modules.reply]\n")
	core, logs := observer.New(zapcore.InfoLevel)
	h, err := config.BuildBot(cfg.Bots[0], zap.New(core))
	if err != nil {
		t.Fatal(err)
	}
	defer h.Close()
	env := cfg.Bots[0].Modules[0].Module.(*replyModule).env
	if env.BotName != "b" || env.Store != h.Store || env.Platform != h.Platform || env.Dir != cfg.Dir {
		t.Errorf("module env = %+v", env)
	}
	env.Logger.Info("x")
	if logs.FilterLoggerName("b.reply").Len() != 1 {
		t.Errorf("module logger is not named b.reply: %v", logs.All())
	}
}

func TestBuildBotModuleOrder(t *testing.T) {
	tests := []struct {
		modules string
		want    string
	}{
		{"[bots.modules.upper]\n[bots.modules.reply]\n", "HI"},
		{"[bots.modules.reply]\n[bots.modules.upper]\n", "echo: hi"},
	}
	for _, tt := range tests {
		t.Run(tt.want, func(t *testing.T) {
			_, p := running(t, head+tt.modules, nil)
			if err := p.Inject(context.Background(), parleytest.NewMessage("1", "@1", "hi")); err != nil {
				t.Fatal(err)
			}
			sent, err := p.WaitSent(1, waitFor)
			if err != nil {
				t.Fatal(err)
			}
			if sent[0].Text != tt.want {
				t.Errorf("reply %q, want %q: modules run in file order", sent[0].Text, tt.want)
			}
		})
	}
}

func TestBuildBotAutoAcceptAndRateLimit(t *testing.T) {
	h, p := running(t, head+`[bots.auto_accept]
contacts = "allowlist"
allow = ["alice"]
welcome = "welcome!"
[bots.rate_limit]
rate = 0.001
burst = 1
[bots.modules.reply]
`, nil)
	ctx := context.Background()
	for _, e := range []bot.Event{
		parleytest.NewContactRequest("r1", "alice"),
		parleytest.NewContactRequest("r2", "mallory"),
		parleytest.NewMessage("m1", "@1", "one"),
		parleytest.NewMessage("m2", "@1", "two"), // over the limit: dropped
	} {
		if err := p.Inject(ctx, e); err != nil {
			t.Fatal(err)
		}
	}
	if err := p.WaitHandled(4, waitFor); err != nil {
		t.Fatal(err)
	}
	acts := p.Actions()
	if len(acts) != 1 || acts[0].Verb != "accept" || acts[0].Req.From.ID != "alice" || acts[0].Text != "welcome!" {
		t.Errorf("actions %+v, want alice accepted with the welcome", acts)
	}
	if sent := p.Sent(); len(sent) != 1 || sent[0].Text != "echo: one" {
		t.Errorf("sent %+v, want only the first message answered", sent)
	}
	if s := h.AutoAccepter.Stats(); s.Accepted != 1 || s.Refused != 1 {
		t.Errorf("accept stats %+v", s)
	}
	if s := h.RateLimiter.Stats(); s.Passed != 1 || s.Dropped != 1 {
		t.Errorf("rate limit stats %+v", s)
	}
}

func TestBuildBotCloseRunsCleanupAndClosesStore(t *testing.T) {
	cfg := parse(t, head+"[bots.modules.reply]\n[bots.store]\nkind = \"file\"\npath = \"state/b.db\"\n")
	h, err := config.BuildBot(cfg.Bots[0], nil)
	if err != nil {
		t.Fatal(err)
	}
	if _, ok := h.Store.(*store.File); !ok {
		t.Fatalf("store is %T, want *store.File", h.Store)
	}
	if err := h.Store.Set(context.Background(), "k", []byte("v"), 0); err != nil {
		t.Fatal(err)
	}
	if err := h.Close(); err != nil {
		t.Fatal(err)
	}
	if err := h.Close(); err != nil {
		t.Fatalf("second Close: %v", err)
	}
	mod := cfg.Bots[0].Modules[0].Module.(*replyModule)
	if n := mod.cleaned.Load(); n != 1 {
		t.Errorf("Cleanup ran %d times, want 1", n)
	}
	if _, _, err := h.Store.Get(context.Background(), "k"); !errors.Is(err, store.ErrClosed) {
		t.Errorf("store after Close: %v, want ErrClosed", err)
	}
	// The file is where the config said, relative to its directory, and
	// kept the value.
	f, err := store.OpenFile(filepath.Join(cfg.Dir, "state", "b.db"), store.WithOpenTimeout(time.Second))
	if err != nil {
		t.Fatal(err)
	}
	defer f.Close()
	if v, ok, err := f.Get(context.Background(), "k"); err != nil || !ok || string(v) != "v" {
		t.Errorf("reopened store: %q %v %v", v, ok, err)
	}
}

func TestBuildBotFailuresReleaseEverything(t *testing.T) {
	tests := []struct {
		name, extra, want string
	}{
		{"platform build fails", "[bots.fake]\ntoken = \"fail-build\"\n", "platform fake: cannot build"},
		{"module setup fails", "[bots.modules.reply]\n[bots.modules.failing]\n", "module failing: setup: no luck"},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			cfg := parse(t, head+tt.extra+"[bots.store]\nkind = \"file\"\npath = \"b.db\"\n")
			h, err := config.BuildBot(cfg.Bots[0], nil)
			if err == nil || h != nil || !strings.Contains(err.Error(), tt.want) {
				t.Fatalf("BuildBot = %v, %v; want an error containing %q", h, err, tt.want)
			}
			// The store was closed: its file lock is free again.
			f, err := store.OpenFile(cfg.Bots[0].Store.Path, store.WithOpenTimeout(100*time.Millisecond))
			if err != nil {
				t.Fatalf("store left open: %v", err)
			}
			f.Close()
			for _, m := range cfg.Bots[0].Modules {
				if rm, ok := m.Module.(*replyModule); ok && rm.cleaned.Load() != 1 {
					t.Errorf("module set up before the failure was cleaned up %d times, want 1", rm.cleaned.Load())
				}
			}
		})
	}
}

func TestBuildBotWithoutParse(t *testing.T) {
	if _, err := config.BuildBot(config.BotConfig{Name: "x"}, nil); err == nil {
		t.Error("a BotConfig without settings was built")
	}
}

func TestConfigBuild(t *testing.T) {
	cfg := parse(t, head+"[[bots]]\nname = \"c\"\nplatform = \"fake\"\n")
	hs, err := cfg.Build(nil)
	if err != nil {
		t.Fatal(err)
	}
	if len(hs) != 2 || hs[0].Name != "b" || hs[1].Name != "c" {
		t.Fatalf("built %v", hs)
	}
	for _, h := range hs {
		if err := h.Close(); err != nil {
			t.Error(err)
		}
	}

	// A failure closes the bots already built: here the second bot's store
	// file is locked, and the first bot's store must be closed after.
	cfg = parse(t, head+"[bots.store]\nkind = \"file\"\npath = \"b.db\"\n[[bots]]\nname = \"c\"\nplatform = \"fake\"\n[bots.store]\nkind = \"file\"\npath = \"c.db\"\n")
	lock, err := store.OpenFile(cfg.Bots[1].Store.Path)
	if err != nil {
		t.Fatal(err)
	}
	defer lock.Close()
	if _, err := cfg.Build(nil); err == nil || !strings.Contains(err.Error(), `bot "c"`) {
		t.Fatalf("Build = %v, want bot c's store error", err)
	}
	f, err := store.OpenFile(cfg.Bots[0].Store.Path, store.WithOpenTimeout(100*time.Millisecond))
	if err != nil {
		t.Fatalf("first bot's store left open: %v", err)
	}
	f.Close()
}

func TestLogLevels(t *testing.T) {
	var buf bytes.Buffer
	cfg := parse(t, "[server]\nlog_format = \"json\"\nlog_level = \"warn\"\n"+head+"log_level = \"debug\"\n[[bots]]\nname = \"quiet\"\nplatform = \"fake\"\n")
	root := cfg.NewLogger(&buf)
	hs, err := cfg.Build(root)
	if err != nil {
		t.Fatal(err)
	}
	defer func() {
		for _, h := range hs {
			h.Close()
		}
	}()
	hs[0].Bot.Logger().Debug("loud bot")
	hs[1].Bot.Logger().Info("quiet bot")                   // below warn: dropped
	config.WithLevel(root, zapcore.WarnLevel).Info("host") // dropped too
	config.WithLevel(root, zapcore.WarnLevel).Warn("host warning")
	var got []string
	for _, line := range strings.Split(strings.TrimSpace(buf.String()), "\n") {
		var e struct{ Msg, Logger string }
		if err := json.Unmarshal([]byte(line), &e); err != nil {
			t.Fatalf("not JSON: %q", line)
		}
		got = append(got, e.Logger+":"+e.Msg)
	}
	want := []string{"b:loud bot", ":host warning"}
	if strings.Join(got, ",") != strings.Join(want, ",") {
		t.Errorf("entries %v, want %v", got, want)
	}
}

func TestBuildBotWithHooks(t *testing.T) {
	var outer, hits atomic.Int32
	hooks := config.Hooks{
		Outer: []bot.Middleware{func(next bot.Handler) bot.Handler {
			return bot.HandlerFunc(func(c *bot.Context) error {
				outer.Add(1)
				return next.Handle(c)
			})
		}},
		DedupeHit: func(string) { hits.Add(1) },
	}
	h, err := config.BuildBotWith(parse(t, head+"[bots.modules.reply]\n").Bots[0], nil, hooks)
	if err != nil {
		t.Fatal(err)
	}
	defer h.Close()
	p := h.Platform.(*parleytest.Platform)
	ctx, cancel := context.WithCancel(context.Background())
	done := make(chan error, 1)
	go func() { done <- h.Bot.Run(ctx) }()
	for i := 0; i < 2; i++ {
		if err := p.Inject(ctx, parleytest.NewMessage("1", "@5", "hello")); err != nil {
			t.Fatal(err)
		}
	}
	if err := p.WaitHandled(2, waitFor); err != nil {
		t.Fatal(err)
	}
	cancel()
	if err := <-done; err != nil {
		t.Fatal(err)
	}
	// The outer hook sees the duplicate too; dedupe reports it.
	if outer.Load() != 2 || hits.Load() != 1 || len(p.Sent()) != 1 {
		t.Fatalf("outer saw %d, dedupe hits %d, sent %d; want 2, 1, 1", outer.Load(), hits.Load(), len(p.Sent()))
	}
}

// A bot whose module fails to set up never runs; the platform it built
// must still be closed, or its connections and goroutines leak.
func TestFailedBuildClosesThePlatform(t *testing.T) {
	cfg, err := config.Parse([]byte("[[bots]]\nname = \"b\"\nplatform = \"fake\"\n[bots.fake]\ntoken = \"closer\"\n[bots.modules.failing]\n"), "bots.toml")
	if err != nil {
		t.Fatal(err)
	}
	before := closedPlatforms.Load()
	if _, err := config.BuildBot(cfg.Bots[0], nil); err == nil {
		t.Fatal("build with a failing module succeeded")
	}
	if got := closedPlatforms.Load() - before; got != 1 {
		t.Fatalf("platform closed %d times, want 1", got)
	}
}
