package middleware_test

import (
	"context"
	"errors"
	"fmt"
	"slices"

	"github.com/parleybot/parley/bot"
	"github.com/parleybot/parley/middleware"
	"github.com/parleybot/parley/parleytest"
	"github.com/parleybot/parley/store"
	"go.uber.org/zap"
	"go.uber.org/zap/zapcore"
	"go.uber.org/zap/zaptest/observer"
)

func ExampleRecover() {
	h := bot.Chain(bot.HandlerFunc(func(c *bot.Context) error {
		var m map[string]int
		m["boom"]++ // a bug: assignment to a nil map
		return nil
	}), middleware.Recover())

	e := parleytest.NewMessage("1", "@5", "hi")
	err := h.Handle(bot.NewContext(context.Background(), e, parleytest.NewPlatform(), nil))

	var pe *bot.PanicError
	fmt.Println(errors.As(err, &pe), len(pe.Stack) > 0)
	fmt.Println(err)
	// Output:
	// true true
	// panic: assignment to entry in nil map
}

func ExampleLogger() {
	// Any zap logger will do; an observer lets the example print entries.
	core, logs := observer.New(zapcore.InfoLevel)
	h := bot.Chain(bot.HandlerFunc(func(c *bot.Context) error {
		return c.Reply("pong")
	}), middleware.Recover(), middleware.Logger(zap.New(core)))

	e := parleytest.NewMessage("1", "@5", "ping")
	_ = h.Handle(bot.NewContext(context.Background(), e, parleytest.NewPlatformNamed("simplex"), nil))

	for _, entry := range logs.AllUntimed() {
		fields := entry.ContextMap()
		keys := make([]string, 0, len(fields))
		for k := range fields {
			keys = append(keys, k)
		}
		slices.Sort(keys)
		fmt.Println(entry.Level, entry.Message, keys)
		fmt.Println(fields["platform"], fields["type"], fields["chat"])
	}
	// Output:
	// info event handled [bot chat duration platform type]
	// simplex message test:@5
}

func ExampleAutoAccept() {
	p := parleytest.NewPlatform()
	accept := middleware.AutoAccept(middleware.AcceptPolicy{
		Contacts: middleware.AcceptAll,
		Welcome:  "Hi! Send /help to see what I can do.",
		// Join groups only when invited by the operator, as an admin or owner.
		Groups:           middleware.AcceptAllowlist,
		InviterAllowlist: []string{"operator"},
		MinRole:          "admin",
		MaxPerHour:       100,
	})
	h := bot.Chain(bot.HandlerFunc(func(c *bot.Context) error {
		fmt.Println("handler saw", c.Event().Type(), c.Event().(bot.Request).RequestInfo().ID)
		return nil
	}), accept)

	requests := []bot.Event{
		parleytest.NewContactRequest("req-1", "someone"),
		&parleytest.RequestEvent{Info: bot.RequestInfo{Kind: bot.GroupInvitation, ID: "grp-1", From: bot.Sender{ID: "stranger"}, Role: "admin"}},
		&parleytest.RequestEvent{Info: bot.RequestInfo{Kind: bot.GroupInvitation, ID: "grp-2", From: bot.Sender{ID: "operator"}, Role: "admin"}},
	}
	for _, e := range requests {
		_ = h.Handle(bot.NewContext(context.Background(), e, p, nil))
	}
	for _, a := range p.Actions() {
		fmt.Printf("%s %s %q\n", a.Verb, a.Req.ID, a.Text)
	}
	// Output:
	// handler saw request req-1
	// handler saw request grp-1
	// handler saw request grp-2
	// accept req-1 "Hi! Send /help to see what I can do."
	// accept grp-2 ""
}

func ExampleDedupe() {
	d := middleware.NewDeduper(store.NewMemory())
	h := d.Middleware(bot.HandlerFunc(func(c *bot.Context) error {
		m, _ := c.Message()
		fmt.Println("handling", m.ID)
		return nil
	}))

	p := parleytest.NewPlatform()
	for _, id := range []string{"41", "42", "42"} { // 42 is delivered twice
		_ = h.Handle(bot.NewContext(context.Background(), parleytest.NewMessage(id, "@5", "hi"), p, nil))
	}
	fmt.Printf("%+v\n", d.Stats())
	// Output:
	// handling 41
	// handling 42
	// {Passed:2 Hits:1 Unkeyed:0 Released:0 StoreErrors:0}
}

func ExampleRateLimit() {
	// At most one message a minute per sender, in bursts of up to 3.
	rl := middleware.NewRateLimiter(1.0/60, 3, middleware.RateLimitOnDrop(func(c *bot.Context, why middleware.DropReason) {
		fmt.Println("dropped a message:", why)
	}))
	h := rl.Middleware(bot.HandlerFunc(func(c *bot.Context) error { return nil }))
	p := parleytest.NewPlatform()
	for i := range 5 {
		_ = h.Handle(bot.NewContext(context.Background(), parleytest.NewMessage(fmt.Sprint(i), "@5", "spam"), p, nil))
	}
	st := rl.Stats()
	fmt.Println(st.Passed, st.Dropped)
	// Output:
	// dropped a message: over_limit
	// dropped a message: over_limit
	// 3 2
}
