package host_test

import (
	"context"
	"io"
	"net/http"
	"sync/atomic"
	"testing"
	"time"

	"github.com/parleybot/parley/bot"
	"github.com/parleybot/parley/host"
	"github.com/parleybot/parley/parleytest"
)

const wait = 5 * time.Second

// tiny keeps restarts fast in tests.
var tiny = host.WithBackoff(time.Millisecond, 4*time.Millisecond)

// start starts h on loopback and stops it when the test ends, failing the
// test if Run reports an error.
func start(t *testing.T, h *host.Host) (stop func() error) {
	t.Helper()
	ctx, cancel := context.WithCancel(context.Background())
	if err := h.Start(ctx); err != nil {
		cancel()
		t.Fatalf("Start: %v", err)
	}
	var stopped atomic.Bool
	stop = func() error {
		stopped.Store(true)
		cancel()
		return h.Wait()
	}
	t.Cleanup(func() {
		if stopped.Load() {
			return
		}
		if err := stop(); err != nil {
			t.Errorf("host stopped with %v", err)
		}
	})
	return stop
}

// get fetches path from h's server.
func get(t testing.TB, h *host.Host, path string) (int, string) {
	t.Helper()
	resp, err := http.Get("http://" + h.Addr() + path)
	if err != nil {
		t.Fatalf("GET %s: %v", path, err)
	}
	defer resp.Body.Close()
	body, err := io.ReadAll(resp.Body)
	if err != nil {
		t.Fatalf("GET %s: %v", path, err)
	}
	return resp.StatusCode, string(body)
}

// eventually polls cond until it holds or the timeout passes.
func eventually(t testing.TB, what string, cond func() bool) {
	t.Helper()
	deadline := time.Now().Add(wait)
	tick := time.NewTicker(time.Millisecond)
	defer tick.Stop()
	for !cond() {
		if time.Now().After(deadline) {
			t.Fatalf("timed out after %v waiting for %s", wait, what)
		}
		<-tick.C
	}
}

// status returns the named bot's status.
func status(t testing.TB, h *host.Host, name string) host.BotStatus {
	t.Helper()
	for _, st := range h.Status() {
		if st.Name == name {
			return st
		}
	}
	t.Fatalf("no bot %q in %+v", name, h.Status())
	return host.BotStatus{}
}

// echoBot returns a bot that answers every message with "echo: " + text.
func echoBot(name string, p bot.Platform, mws ...bot.Middleware) *bot.Bot {
	b := bot.New(p, bot.HandlerFunc(func(c *bot.Context) error {
		m, ok := c.Message()
		if !ok {
			return nil
		}
		return c.Answer("echo: " + m.Text)
	}), bot.WithName(name))
	b.Use(mws...)
	return b
}

// readyPlatform is a test platform that reports readiness, as a real
// platform does once connected.
type readyPlatform struct {
	*parleytest.Platform
	ready atomic.Bool
}

func (p *readyPlatform) Ready() bool { return p.ready.Load() }

// blocker runs until its context ends; its readiness is set by the test.
type blocker struct {
	ready atomic.Bool
	runs  atomic.Int32
}

func (b *blocker) Run(ctx context.Context) error {
	b.runs.Add(1)
	<-ctx.Done()
	return nil
}

func (b *blocker) Ready() bool { return b.ready.Load() }
