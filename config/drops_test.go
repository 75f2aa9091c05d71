package config_test

import (
	"context"
	"sort"
	"strings"
	"sync"
	"testing"

	"github.com/parleybot/parley/bot"
	"github.com/parleybot/parley/config"
	"github.com/parleybot/parley/metrics"
	"github.com/parleybot/parley/parleytest"
	"go.uber.org/zap"
	"go.uber.org/zap/zapcore"
	"go.uber.org/zap/zaptest/observer"
)

// TestBuildBotReportsEveryDrop checks that each refusal reaches
// Hooks.Dropped with its reason and a debug entry, and that events a
// middleware dropped never reach Hooks.Inner while every other one does.
func TestBuildBotReportsEveryDrop(t *testing.T) {
	core, logs := observer.New(zapcore.DebugLevel)
	var (
		mu      sync.Mutex
		reasons []string
		inner   []string
	)
	hooks := config.Hooks{
		Inner: []bot.Middleware{func(next bot.Handler) bot.Handler {
			return bot.HandlerFunc(func(c *bot.Context) error {
				id := c.Event().Type()
				if m, ok := c.Message(); ok {
					id = m.ID
				}
				mu.Lock()
				inner = append(inner, id)
				mu.Unlock()
				return next.Handle(c)
			})
		}},
		Dropped: func(reason string) {
			mu.Lock()
			reasons = append(reasons, reason)
			mu.Unlock()
		},
	}
	cfg := parse(t, head+`log_level = "debug"
[bots.auto_accept]
contacts = "allowlist"
allow = ["alice"]
[bots.rate_limit]
rate = 0.001
burst = 1
[bots.modules.reply]
`)
	h, err := config.BuildBotWith(cfg.Bots[0], zap.New(core), hooks)
	if err != nil {
		t.Fatal(err)
	}
	p := h.Platform.(*parleytest.Platform)
	ctx, cancel := context.WithCancel(context.Background())
	done := make(chan error, 1)
	go func() { done <- h.Bot.Run(ctx) }()
	events := []bot.Event{
		parleytest.NewContactRequest("r1", "alice"),
		parleytest.NewContactRequest("r2", "mallory"), // not accepted
		parleytest.NewMessage("m1", "@1", "one"),
		parleytest.NewMessage("m1", "@1", "one"), // duplicate
		parleytest.NewMessage("m2", "@1", "two"), // rate limited
	}
	for _, e := range events {
		if err := p.Inject(ctx, e); err != nil {
			t.Fatal(err)
		}
	}
	if err := p.WaitHandled(len(events), waitFor); err != nil {
		t.Fatal(err)
	}
	cancel()
	if err := <-done; err != nil {
		t.Fatal(err)
	}
	if err := h.Close(); err != nil {
		t.Fatal(err)
	}
	sort.Strings(reasons)
	want := []string{metrics.DropDuplicate, metrics.DropNotAccepted, metrics.DropRateLimited}
	if strings.Join(reasons, ",") != strings.Join(want, ",") {
		t.Errorf("dropped reasons %v, want %v", reasons, want)
	}
	// Requests reach the modules whatever the decision; the duplicate and
	// the limited message do not.
	sort.Strings(inner)
	if got := strings.Join(inner, ","); got != "m1,request,request" {
		t.Errorf("inner hook saw %s, want m1 and both requests", got)
	}
	for _, msg := range []string{"dedupe: duplicate dropped", "rate limit: event dropped", "auto-accept: request not accepted"} {
		if n := logs.FilterMessage(msg).FilterLevelExact(zapcore.DebugLevel).Len(); n != 1 {
			t.Errorf("%d debug entries %q, want 1", n, msg)
		}
	}
}
