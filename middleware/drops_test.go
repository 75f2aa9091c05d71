package middleware_test

import (
	"context"
	"testing"

	"github.com/parleybot/parley/bot"
	"github.com/parleybot/parley/middleware"
	"github.com/parleybot/parley/parleytest"
	"go.uber.org/zap"
	"go.uber.org/zap/zapcore"
	"go.uber.org/zap/zaptest/observer"
)

// Every drop leaves a debug entry with its reason on the event's logger.

func TestRateLimitLogsEachDropAtDebug(t *testing.T) {
	core, logs := observer.New(zapcore.DebugLevel)
	var reasons []middleware.DropReason
	rl := middleware.NewRateLimiter(1e-6, 1, middleware.RateLimitOnDrop(func(_ *bot.Context, why middleware.DropReason) {
		reasons = append(reasons, why)
	}))
	h := rl.Middleware(bot.HandlerFunc(func(*bot.Context) error { return nil }))
	for _, id := range []string{"1", "2", "3"} {
		c := bot.NewContext(context.Background(), parleytest.NewMessage(id, "@1", "x"), parleytest.NewPlatform(), zap.New(core))
		if err := h.Handle(c); err != nil {
			t.Fatalf("Handle: %v", err)
		}
	}
	entries := logs.FilterMessage("rate limit: event dropped").AllUntimed()
	if len(entries) != 2 || len(reasons) != 2 {
		t.Fatalf("%d drop entries and %d OnDrop calls, want 2 each: %v", len(entries), len(reasons), logs.AllUntimed())
	}
	for _, e := range entries {
		m := e.ContextMap()
		if e.Level != zapcore.DebugLevel || m["reason"] != "over_limit" || m["chat"] != "@1" || m["type"] != "message" {
			t.Errorf("entry %v %v, want debug with reason over_limit, chat @1, type message", e.Level, m)
		}
	}
}

func TestAutoAcceptReportsEachRefusal(t *testing.T) {
	core, logs := observer.New(zapcore.DebugLevel)
	clk := newFakeClock()
	type refusal struct {
		id  string
		why middleware.RefuseReason
	}
	var got []refusal
	a := middleware.NewAutoAccepter(middleware.AcceptPolicy{
		Contacts: middleware.AcceptAllowlist, ContactAllowlist: []string{"friend"}, MaxPerHour: 1, Clock: clk,
		OnRefused: func(_ *bot.Context, info bot.RequestInfo, why middleware.RefuseReason) {
			got = append(got, refusal{info.ID, why})
		},
	})
	h := a.Middleware(bot.HandlerFunc(func(*bot.Context) error { return nil }))
	p := parleytest.NewPlatform()
	for _, r := range []*parleytest.RequestEvent{
		parleytest.NewContactRequest("r1", "friend"),   // accepted
		parleytest.NewContactRequest("r2", "stranger"), // refused by the policy
		parleytest.NewContactRequest("r3", "friend"),   // over the cap of one
	} {
		if err := h.Handle(bot.NewContext(context.Background(), r, p, zap.New(core))); err != nil {
			t.Fatal(err)
		}
	}
	want := []refusal{{"r2", middleware.RefusedByPolicy}, {"r3", middleware.RefusedOverCap}}
	if len(got) != len(want) || got[0] != want[0] || got[1] != want[1] {
		t.Fatalf("refusals %+v, want %+v", got, want)
	}
	entries := logs.FilterMessage("auto-accept: request not accepted").AllUntimed()
	if len(entries) != 2 {
		t.Fatalf("%d refusal entries, want 2: %v", len(entries), logs.AllUntimed())
	}
	for i, reason := range []string{"policy", "cap"} {
		m := entries[i].ContextMap()
		if entries[i].Level != zapcore.DebugLevel || m["reason"] != reason || m["request"] != want[i].id {
			t.Errorf("entry %d: %v %v, want debug reason=%s request=%s", i, entries[i].Level, m, reason, want[i].id)
		}
	}
	if s := middleware.RefuseReason(9).String(); s != "RefuseReason(9)" {
		t.Errorf("unknown reason prints %q", s)
	}
}

// routineEvent is a delivery status: handled, but not worth an info entry.
type routineEvent struct{ parleytest.PlainEvent }

func (routineEvent) Routine() bool { return true }

func TestLoggerLogsRoutineEventsAtDebug(t *testing.T) {
	core, logs := observer.New(zapcore.DebugLevel)
	h := middleware.Logger(zap.New(core))(bot.HandlerFunc(func(*bot.Context) error { return nil }))
	for _, e := range []bot.Event{
		&routineEvent{parleytest.PlainEvent{Name: "chatItemsStatusesUpdated"}},
		&parleytest.PlainEvent{Name: "contactConnected"},
	} {
		if err := h.Handle(bot.NewContext(context.Background(), e, parleytest.NewPlatform(), nil)); err != nil {
			t.Fatal(err)
		}
	}
	levels := map[any]zapcore.Level{}
	for _, e := range logs.FilterMessage("event handled").AllUntimed() {
		levels[e.ContextMap()["type"]] = e.Level
	}
	if levels["chatItemsStatusesUpdated"] != zapcore.DebugLevel || levels["contactConnected"] != zapcore.InfoLevel || len(levels) != 2 {
		t.Errorf("levels by type %v, want the status at debug and contactConnected at info", levels)
	}
}
