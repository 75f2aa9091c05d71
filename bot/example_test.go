package bot_test

import (
	"context"
	"errors"
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

// Text and Sender read the current message without unpacking it.
func ExampleContext_Text() {
	e := parleytest.NewGroupMessage("42", "#1", "7", "admin", "/kick 9")
	c := bot.NewContext(context.Background(), e, parleytest.NewPlatform(), nil)
	fmt.Printf("%q from %s (%s)\n", c.Text(), c.Sender().ID, c.Sender().Role)
	// Output: "/kick 9" from 7 (admin)
}

// A handler can post a status and edit it when the work is done: Send
// returns the IDs that Edit takes.
func ExampleContext_Edit() {
	p := parleytest.NewPlatform()
	c := bot.NewContext(context.Background(), parleytest.NewMessage("1", "@5", "/build"), p, nil)
	ids, err := c.Send("@5", bot.Outgoing{Text: "building…"})
	if err != nil {
		fmt.Println(err)
		return
	}
	if err := c.Edit(ids[0], "built"); err != nil {
		fmt.Println(err)
	}
	a := p.Actions()[0]
	fmt.Printf("%s %s in %s: %q\n", a.Verb, a.MsgID, a.ChatID, a.Text)
	// Output: edit 1 in @5: "built"
}

// Reject turns down the current contact request or group invitation.
func ExampleContext_Reject() {
	p := parleytest.NewPlatform()
	c := bot.NewContext(context.Background(), parleytest.NewContactRequest("r1", "u3"), p, nil)
	if c.Sender().ID != "friend" {
		if err := c.Reject(); err != nil {
			fmt.Println(err)
		}
	}
	a := p.Actions()[0]
	fmt.Println(a.Verb, a.Req.Kind, "request", a.Req.ID)
	// Output: reject contact request r1
}

// DeleteMessage removes the message being handled, here a link in a group.
// On a platform that cannot delete, the error says so.
func ExampleContext_DeleteMessage() {
	e := parleytest.NewGroupMessage("42", "#1", "7", "member", "buy at http://spam.example")
	p := parleytest.NewPlatform()
	if err := bot.NewContext(context.Background(), e, p, nil).DeleteMessage(); err != nil {
		fmt.Println(err)
	}
	fmt.Println(p.Actions()[0].Verb, p.Actions()[0].MsgID)

	err := bot.NewContext(context.Background(), e, p.Bare(), nil).DeleteMessage()
	fmt.Println(errors.Is(err, bot.ErrUnsupported))
	fmt.Println(err)
	// Output:
	// delete 42
	// true
	// bot: delete message 42 in #1: platform test cannot (no delete capability)
}

// SendPrivate answers a group command privately, without noise in the
// group.
func ExampleContext_SendPrivate() {
	p := parleytest.NewPlatform()
	e := parleytest.NewGroupMessage("42", "#1", "7", "member", "/help")
	if err := bot.NewContext(context.Background(), e, p, nil).SendPrivate("commands: /help, /rules"); err != nil {
		fmt.Println(err)
	}
	s := p.Sent()[0]
	fmt.Printf("to member %s of %s: %q\n", s.Member, s.ChatID, s.Text)
	// Output: to member 7 of #1: "commands: /help, /rules"
}

// BlockSender and RemoveSender moderate the author of the current group
// message.
func ExampleContext_BlockSender() {
	p := parleytest.NewPlatform()
	e := parleytest.NewGroupMessage("42", "#1", "7", "member", "spam spam spam")
	c := bot.NewContext(context.Background(), e, p, nil)
	if err := c.DeleteMessage(); err != nil {
		fmt.Println(err)
	}
	if err := c.BlockSender(); err != nil {
		fmt.Println(err)
	}
	for _, a := range p.Actions() {
		fmt.Println(a.Verb, a.ChatID, a.MsgID+a.Member)
	}
	// Output:
	// delete #1 42
	// block #1 7
}

// RemoveSender takes the sender out of the group. A handler can fall back
// to something milder where the platform cannot remove members.
func ExampleContext_RemoveSender() {
	handle := func(c *bot.Context) error {
		err := c.RemoveSender()
		if errors.Is(err, bot.ErrUnsupported) {
			return c.Reply("please stop")
		}
		return err
	}
	e := parleytest.NewGroupMessage("42", "#1", "7", "member", "spam")
	full := parleytest.NewPlatform()
	_ = handle(bot.NewContext(context.Background(), e, full, nil))
	fmt.Println(full.Actions()[0].Verb, full.Actions()[0].Member)

	limited := parleytest.NewPlatform()
	_ = handle(bot.NewContext(context.Background(), e, limited.Bare(), nil))
	fmt.Println(limited.Sent()[0].Text)
	// Output:
	// remove 7
	// please stop
}

// ReplyAsync writes the reply and returns at once; the handler that needs
// the outcome waits for it, else it becomes the event's. On a platform
// that cannot pipeline (parleytest's), the send is done when ReplyAsync
// returns.
func ExampleContext_ReplyAsync() {
	p := parleytest.NewPlatform()
	c := bot.NewContext(context.Background(), parleytest.NewMessage("7", "@5", "ping"), p, nil)

	pending := c.ReplyAsync("pong")
	ids, err := pending.Wait(c.Context())
	fmt.Println(len(ids), err)

	// Without waiting, a failure fails the event: middleware sees it.
	p.FailSends(errors.New("refused"))
	c2 := bot.NewContext(context.Background(), parleytest.NewMessage("8", "@5", "ping"), p, nil)
	c2.ReplyAsync("pong")
	c2.AfterSends(func(err error) { fmt.Println("event outcome:", err) })
	// Output:
	// 1 <nil>
	// event outcome: refused
}
