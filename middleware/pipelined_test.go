package middleware_test

import (
	"context"
	"fmt"
	"sync"
	"testing"

	"go.uber.org/zap"
	"go.uber.org/zap/zapcore"
	"go.uber.org/zap/zaptest/observer"

	"github.com/parleybot/parley/bot"
	"github.com/parleybot/parley/middleware"
	"github.com/parleybot/parley/parleytest"
	"github.com/parleybot/parley/store"
)

// pipelinedPlatform is a parleytest.Platform that pipelines: the outcome
// of each SendAsync is given by the test.
type pipelinedPlatform struct {
	*parleytest.Platform
	mu    sync.Mutex
	dones []func([]string, error)
	wrote chan struct{}
}

func (p *pipelinedPlatform) SendAsync(ctx context.Context, chat string, m bot.Outgoing, done func([]string, error)) {
	p.mu.Lock()
	p.dones = append(p.dones, done)
	p.mu.Unlock()
	p.wrote <- struct{}{}
}

func (p *pipelinedPlatform) finish(i int, err error) {
	p.mu.Lock()
	done := p.dones[i]
	p.mu.Unlock()
	done([]string{"1"}, err)
}

// TestDedupeAndLoggerFollowPipelinedSends: an event whose pipelined reply
// is still in flight is neither marked nor logged; once the reply failed
// with an unknown outcome the event is logged as failed and left unmarked
// (a redelivery is handled again), and once a reply succeeded it is
// logged as handled and marked.
func TestDedupeAndLoggerFollowPipelinedSends(t *testing.T) {
	p := &pipelinedPlatform{Platform: parleytest.NewPlatform(), wrote: make(chan struct{}, 10)}
	core, logs := observer.New(zapcore.InfoLevel)
	st := store.NewMemory()
	d := middleware.NewDeduper(st)
	h := bot.HandlerFunc(func(c *bot.Context) error {
		c.ReplyAsync("echo")
		return nil
	})
	b := bot.New(p, h)
	b.Use(middleware.Logger(zap.New(core)), d.Middleware)
	ctx, cancel := context.WithCancel(context.Background())
	done := make(chan error, 1)
	go func() { done <- b.Run(ctx) }()
	defer func() {
		cancel()
		if err := <-done; err != nil {
			t.Errorf("Run: %v", err)
		}
	}()

	e := parleytest.NewMessage("7", "@a", "hi")
	inject(t, p.Platform, e)
	<-p.wrote
	if n := logs.Len(); n != 0 {
		t.Fatalf("%d entries logged with the reply in flight", n)
	}
	if _, ok, _ := st.Get(context.Background(), "test:@a:7"); ok {
		t.Fatal("marked with the reply in flight")
	}
	p.finish(0, fmt.Errorf("connection lost: %w", bot.ErrOutcomeUnknown))
	if err := p.WaitHandled(1, waitFor); err != nil {
		t.Fatal(err)
	}
	entries := logs.TakeAll()
	if len(entries) != 1 || entries[0].Message != "event failed" || entries[0].Level != zapcore.ErrorLevel {
		t.Fatalf("log %+v, want one failed event", entries)
	}
	if _, ok, _ := st.Get(context.Background(), "test:@a:7"); ok {
		t.Fatal("an event whose reply has an unknown outcome was marked")
	}

	// The redelivery is handled again; its reply succeeds.
	inject(t, p.Platform, e)
	<-p.wrote
	p.finish(1, nil)
	if err := p.WaitHandled(2, waitFor); err != nil {
		t.Fatal(err)
	}
	entries = logs.TakeAll()
	if len(entries) != 1 || entries[0].Message != "event handled" {
		t.Fatalf("log %+v, want one handled event", entries)
	}
	if _, ok, _ := st.Get(context.Background(), "test:@a:7"); !ok {
		t.Fatal("a handled event was not marked")
	}
	if s := d.Stats(); s.Passed != 2 || s.Released != 1 {
		t.Fatalf("dedupe stats %+v", s)
	}
}
