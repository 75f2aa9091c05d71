package bot_test

import (
	"context"
	"fmt"
	"strings"
	"time"

	"github.com/parleybot/parley/bot"
	"github.com/parleybot/parley/parleytest"
)

// A bot answers every message through the platform it came from. Here the
// platform is the in-memory one from parleytest.
func Example() {
	p := parleytest.NewPlatform()
	b := bot.New(p, bot.HandlerFunc(func(c *bot.Context) error {
		m, ok := c.Message()
		if !ok {
			return nil
		}
		return c.Reply(strings.ToUpper(m.Text))
	}))

	ctx, cancel := context.WithCancel(context.Background())
	done := make(chan error, 1)
	go func() { done <- b.Run(ctx) }()

	_ = p.Inject(ctx, parleytest.NewMessage("1", "@5", "hello"))
	sent, err := p.WaitSent(1, 5*time.Second)
	if err != nil {
		fmt.Println(err)
	}
	cancel()
	fmt.Println(<-done)
	fmt.Printf("%s %q quoting %s\n", sent[0].ChatID, sent[0].Text, sent[0].ReplyTo)
	// Output:
	// <nil>
	// @5 "HELLO" quoting 1
}

// Outer middleware sees every event before the handler.
func ExampleBot_Use() {
	p := parleytest.NewPlatform()
	b := bot.New(p, bot.HandlerFunc(func(c *bot.Context) error { return nil }))
	b.Use(func(next bot.Handler) bot.Handler {
		return bot.HandlerFunc(func(c *bot.Context) error {
			fmt.Println("event", c.Event().Type(), "in", c.ChatKey())
			return next.Handle(c)
		})
	})
	ctx, cancel := context.WithCancel(context.Background())
	done := make(chan error, 1)
	go func() { done <- b.Run(ctx) }()
	_ = p.Inject(ctx, parleytest.NewMessage("1", "@5", "hi"))
	_ = p.WaitHandled(1, 5*time.Second)
	cancel()
	<-done
	// Output: event message in test:@5
}
