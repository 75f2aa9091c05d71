package middleware_test

import (
	"context"
	"errors"
	"strings"
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

// Personal data that must stay out of info-level entries.
const (
	secretText   = "my card pin is 4242"
	secretSender = "Alice Secretname"
	secretTitle  = "Secret Group Title"
)

func privateMessage() *parleytest.MessageEvent {
	e := parleytest.NewGroupMessage("m1", "#7", "5", "member", secretText)
	e.Msg[0].Sender.Name = secretSender
	e.Msg[0].Chat.Title = secretTitle
	return e
}

func TestLogger(t *testing.T) {
	boom := errors.New("boom")
	tests := []struct {
		name     string
		level    zapcore.Level // logger's level
		opts     []middleware.LoggerOption
		err      error
		wantLvl  zapcore.Level
		wantMsg  string
		wantText bool
		wantErr  bool
	}{
		{name: "success at info", level: zapcore.DebugLevel, wantLvl: zapcore.InfoLevel, wantMsg: "event handled"},
		{name: "failure at error", level: zapcore.DebugLevel, err: boom, wantLvl: zapcore.ErrorLevel, wantMsg: "event failed", wantErr: true},
		{name: "debug success carries text", level: zapcore.DebugLevel, opts: []middleware.LoggerOption{middleware.LogLevel(zapcore.DebugLevel)},
			wantLvl: zapcore.DebugLevel, wantMsg: "event handled", wantText: true},
		{name: "debug failure stays at error without text", level: zapcore.DebugLevel, opts: []middleware.LoggerOption{middleware.LogLevel(zapcore.DebugLevel)},
			err: boom, wantLvl: zapcore.ErrorLevel, wantMsg: "event failed", wantErr: true},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			core, logs := observer.New(tt.level)
			p := parleytest.NewPlatformNamed("simplex")
			h := middleware.Logger(zap.New(core), tt.opts...)(bot.HandlerFunc(func(c *bot.Context) error { return tt.err }))
			err := h.Handle(bot.NewContext(context.Background(), privateMessage(), p, nil))
			if err != tt.err {
				t.Fatalf("Handle = %v, want %v", err, tt.err)
			}
			entries := logs.AllUntimed()
			if len(entries) != 1 {
				t.Fatalf("got %d entries, want 1: %v", len(entries), entries)
			}
			e := entries[0]
			if e.Level != tt.wantLvl || e.Message != tt.wantMsg {
				t.Errorf("entry %v %q, want %v %q", e.Level, e.Message, tt.wantLvl, tt.wantMsg)
			}
			m := e.ContextMap()
			for k, want := range map[string]string{"platform": "simplex", "type": "message", "chat": "test:#7", "bot": ""} {
				if m[k] != want {
					t.Errorf("field %s = %v, want %q", k, m[k], want)
				}
			}
			if d, ok := m["duration"].(time.Duration); !ok || d < 0 {
				t.Errorf("duration = %v (%T), want a non-negative time.Duration", m["duration"], m["duration"])
			}
			if _, ok := m["error"]; ok != tt.wantErr {
				t.Errorf("error field present = %v, want %v", ok, tt.wantErr)
			}
			if _, ok := m["text"]; ok != tt.wantText {
				t.Errorf("text field present = %v, want %v", ok, tt.wantText)
			}
			if tt.wantText && m["text"] != secretText {
				t.Errorf("text = %v, want the message text", m["text"])
			}
		})
	}
}

// TestLoggerKeepsPersonalDataOutOfInfo guards the rule that message text
// and names never reach entries above debug level, whatever the outcome.
func TestLoggerKeepsPersonalDataOutOfInfo(t *testing.T) {
	core, logs := observer.New(zapcore.InfoLevel)
	p := parleytest.NewPlatform()
	results := []error{nil, errors.New("handler failed")}
	for _, res := range results {
		h := middleware.Logger(zap.New(core))(bot.HandlerFunc(func(c *bot.Context) error { return res }))
		_ = h.Handle(bot.NewContext(context.Background(), privateMessage(), p, nil))
	}
	entries := logs.AllUntimed()
	if len(entries) != len(results) {
		t.Fatalf("got %d entries, want %d", len(entries), len(results))
	}
	for _, e := range entries {
		if e.Level < zapcore.InfoLevel {
			continue
		}
		var all strings.Builder
		all.WriteString(e.Message)
		for k, v := range e.ContextMap() {
			all.WriteString(" " + k + "=")
			all.WriteString(strings.TrimSpace(strings.ReplaceAll(toString(v), "\n", " ")))
		}
		for _, secret := range []string{secretText, secretSender, secretTitle} {
			if strings.Contains(all.String(), secret) {
				t.Errorf("%v entry contains %q: %s", e.Level, secret, all.String())
			}
		}
	}
}

func toString(v any) string {
	switch v := v.(type) {
	case string:
		return v
	case error:
		return v.Error()
	case time.Duration:
		return v.String()
	}
	return ""
}

func TestLoggerLogsPanicAndLetsItThrough(t *testing.T) {
	core, logs := observer.New(zapcore.InfoLevel)
	h := middleware.Logger(zap.New(core))(bot.HandlerFunc(func(c *bot.Context) error { panic("kaput") }))
	func() {
		defer func() {
			if r := recover(); r != "kaput" {
				t.Fatalf("recovered %v, want the handler's panic", r)
			}
		}()
		_ = h.Handle(bot.NewContext(context.Background(), parleytest.NewMessage("1", "@1", "hi"), parleytest.NewPlatform(), nil))
	}()
	got := logs.FilterMessage("event panicked").AllUntimed()
	if len(got) != 1 || got[0].Level != zapcore.ErrorLevel {
		t.Fatalf("entries %v, want one error entry for the panic", logs.AllUntimed())
	}
}

func TestLoggerSkipsDisabledLevels(t *testing.T) {
	core, logs := observer.New(zapcore.WarnLevel)
	calls := 0
	h := middleware.Logger(zap.New(core))(bot.HandlerFunc(func(c *bot.Context) error { calls++; return nil }))
	if err := h.Handle(bot.NewContext(context.Background(), &parleytest.PlainEvent{Name: "x"}, nil, nil)); err != nil {
		t.Fatal(err)
	}
	if calls != 1 || logs.Len() != 0 {
		t.Fatalf("calls %d, entries %d; want the handler run and nothing logged below warn", calls, logs.Len())
	}
}

func TestLoggerWithBot(t *testing.T) {
	core, logs := observer.New(zapcore.InfoLevel)
	p := parleytest.NewPlatform()
	startBot(t, p, bot.HandlerFunc(func(c *bot.Context) error { return nil }),
		[]bot.Option{bot.WithName("greeter")}, middleware.Logger(zap.New(core)))
	inject(t, p, parleytest.NewMessage("1", "@1", "hello"), &parleytest.PlainEvent{Name: "contactConnected"})
	if err := p.WaitHandled(2, waitFor); err != nil {
		t.Fatal(err)
	}
	entries := logs.FilterMessage("event handled").AllUntimed()
	if len(entries) != 2 {
		t.Fatalf("got %d entries, want 2", len(entries))
	}
	types := map[any]bool{}
	for _, e := range entries {
		m := e.ContextMap()
		if m["bot"] != "greeter" || m["platform"] != "test" {
			t.Errorf("bot=%v platform=%v, want greeter/test", m["bot"], m["platform"])
		}
		types[m["type"]] = true
	}
	if !types["message"] || !types["contactConnected"] {
		t.Errorf("types logged %v, want message and contactConnected", types)
	}
}

func TestLoggerSetupPanics(t *testing.T) {
	mustPanic(t, "non-nil *zap.Logger", func() { middleware.Logger(nil) })
	mustPanic(t, "LogLevel", func() { middleware.LogLevel(zapcore.FatalLevel) })
}

func TestLoggerLogsDroppedEventsAtDebug(t *testing.T) {
	core, logs := observer.New(zapcore.DebugLevel)
	s := store.NewMemory()
	defer s.Close()
	calls := 0
	h := middleware.Logger(zap.New(core))(middleware.Dedupe(s)(bot.HandlerFunc(func(c *bot.Context) error { calls++; return nil })))
	for range 2 {
		c := bot.NewContext(context.Background(), parleytest.NewMessage("1", "@1", "hi"), parleytest.NewPlatform(), nil)
		if err := h.Handle(c); err != nil {
			t.Fatal(err)
		}
	}
	if calls != 1 {
		t.Fatalf("handler ran %d times, want once", calls)
	}
	handled := logs.FilterMessage("event handled").AllUntimed()
	dropped := logs.FilterMessage("event dropped").AllUntimed()
	if len(handled) != 1 || handled[0].Level != zapcore.InfoLevel {
		t.Fatalf("handled entries %v, want one at info", handled)
	}
	if len(dropped) != 1 || dropped[0].Level != zapcore.DebugLevel || dropped[0].ContextMap()["reason"] != middleware.DroppedDuplicate {
		t.Fatalf("dropped entries %v, want one at debug with reason duplicate", dropped)
	}
}
