package middleware_test

import (
	"context"
	"errors"
	"strings"
	"sync"
	"testing"

	"github.com/parleybot/parley/bot"
	"github.com/parleybot/parley/middleware"
	"github.com/parleybot/parley/parleytest"
	"go.uber.org/zap"
	"go.uber.org/zap/zapcore"
	"go.uber.org/zap/zaptest/observer"
)

func panicOnBoom(c *bot.Context) error {
	m, _ := c.Message()
	if m.Text == "boom" {
		panic("handler exploded")
	}
	return c.Answer("ok " + m.ID)
}

// TestRecoverKeepsBotAndChatRunning drives a real bot: a panic in one chat
// becomes a *bot.PanicError, and later events of that chat and of others
// are still handled.
func TestRecoverKeepsBotAndChatRunning(t *testing.T) {
	core, logs := observer.New(zapcore.InfoLevel)
	p := parleytest.NewPlatform()
	var mu sync.Mutex
	var errs []error
	onErr := bot.WithErrorHandler(func(c *bot.Context, err error) {
		mu.Lock()
		errs = append(errs, err)
		mu.Unlock()
	})
	b := startBot(t, p, bot.HandlerFunc(panicOnBoom), []bot.Option{onErr, bot.WithLogger(zap.New(core))}, middleware.Recover())

	inject(t, p,
		parleytest.NewMessage("a1", "@a", "boom"),
		parleytest.NewMessage("a2", "@a", "hi"),
		parleytest.NewMessage("b1", "@b", "hi"),
		parleytest.NewMessage("a3", "@a", "hi"),
	)
	sent, err := p.WaitSent(3, waitFor)
	if err != nil {
		t.Fatal(err)
	}
	if err := p.WaitHandled(4, waitFor); err != nil {
		t.Fatal(err)
	}
	got := map[string]string{}
	for _, s := range sent {
		got[s.Text] = s.ChatID
	}
	for text, chat := range map[string]string{"ok a2": "@a", "ok a3": "@a", "ok b1": "@b"} {
		if got[text] != chat {
			t.Errorf("reply %q to %q missing; sent %v", text, chat, sent)
		}
	}

	mu.Lock()
	defer mu.Unlock()
	if len(errs) != 1 {
		t.Fatalf("errors %v, want exactly the panic", errs)
	}
	var pe *bot.PanicError
	if !errors.As(errs[0], &pe) {
		t.Fatalf("error %T %v, want *bot.PanicError", errs[0], errs[0])
	}
	if pe.Value != "handler exploded" || !strings.Contains(string(pe.Stack), "panicOnBoom") {
		t.Errorf("PanicError value %v; stack mentions panicOnBoom: %v", pe.Value, strings.Contains(string(pe.Stack), "panicOnBoom"))
	}
	st := b.Stats()
	if st.Panics != 0 || st.Failed != 1 || st.Handled != 3 {
		t.Errorf("stats %+v: want the panic caught by Recover (Panics 0), Failed 1, Handled 3", st)
	}
	if n := logs.FilterMessage("handler panic").Len(); n != 1 {
		t.Errorf("%d panic log entries, want 1", n)
	}
}

func TestRecoverWith(t *testing.T) {
	var gotValue any
	var gotStack []byte
	var gotType string
	h := middleware.RecoverWith(func(c *bot.Context, p any, stack []byte) {
		gotValue, gotStack, gotType = p, stack, c.Event().Type()
	})(bot.HandlerFunc(func(c *bot.Context) error { panic(errors.ErrUnsupported) }))

	err := h.Handle(bot.NewContext(context.Background(), &parleytest.PlainEvent{Name: "ping"}, nil, nil))
	var pe *bot.PanicError
	if !errors.As(err, &pe) {
		t.Fatalf("Handle = %v, want a *bot.PanicError", err)
	}
	if !errors.Is(err, errors.ErrUnsupported) {
		t.Error("a panic with an error value should unwrap to it")
	}
	if gotValue != errors.ErrUnsupported || gotType != "ping" || len(gotStack) == 0 || string(gotStack) != string(pe.Stack) {
		t.Errorf("callback got value %v type %q stack %d bytes; want the panic, the event and the error's stack", gotValue, gotType, len(gotStack))
	}
}

func TestRecoverPassesResults(t *testing.T) {
	want := errors.New("plain failure")
	tests := []struct {
		name string
		ret  error
	}{{"nil", nil}, {"error", want}}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			h := middleware.Recover()(bot.HandlerFunc(func(c *bot.Context) error { return tt.ret }))
			if err := h.Handle(bot.NewContext(context.Background(), &parleytest.PlainEvent{Name: "x"}, nil, nil)); err != tt.ret {
				t.Fatalf("Handle = %v, want %v", err, tt.ret)
			}
		})
	}
}

func TestRecoverSetupPanics(t *testing.T) {
	mustPanic(t, "non-nil function", func() { middleware.RecoverWith(nil) })
}
