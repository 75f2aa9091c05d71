package parleytest_test

import (
	"context"
	"errors"
	"fmt"
	"strings"
	"time"

	"github.com/parleybot/parley/bot"
	"github.com/parleybot/parley/parleytest"
	"github.com/parleybot/parley/router"
)

// A command bot, tested as it runs: inject messages, wait for what the
// bot sent, and check it. In a test, t.Fatal takes the place of the
// prints.
func Example_commandBot() {
	r := router.New()
	r.OnCommand("help", func(c *bot.Context, _ router.Command) error {
		return c.Reply("commands: /help, /upper TEXT")
	})
	r.OnCommand("upper", func(c *bot.Context, cmd router.Command) error {
		return c.Reply(strings.ToUpper(strings.Join(cmd.Args, " ")))
	})

	p := parleytest.NewPlatform()
	b := bot.New(p, r)
	ctx, cancel := context.WithCancel(context.Background())
	done := make(chan error, 1)
	go func() { done <- b.Run(ctx) }()

	_ = p.Inject(ctx, parleytest.NewMessage("1", "@alice", "/help"))
	_ = p.Inject(ctx, parleytest.NewMessage("2", "@alice", "/upper make it loud"))
	sent, err := p.WaitSent(2, 5*time.Second)
	cancel()
	fmt.Println(err, <-done)
	for _, s := range sent {
		fmt.Printf("to %s, replying to %s: %s\n", s.ChatID, s.ReplyTo, s.Text)
	}
	// Output:
	// <nil> <nil>
	// to @alice, replying to 1: commands: /help, /upper TEXT
	// to @alice, replying to 2: MAKE IT LOUD
}

// moderate deletes group messages with a banned word, removes their
// sender and tells the group why, by the sender's name. Admins may say
// anything.
func moderate(r *router.Router) {
	r.OnMessage(func(c *bot.Context, m bot.Message) error {
		if !strings.Contains(strings.ToLower(m.Text), "spam") {
			return nil
		}
		if err := c.DeleteMessage(); err != nil && !errors.Is(err, bot.ErrUnsupported) {
			return err
		}
		if err := c.RemoveSender(); err != nil && !errors.Is(err, bot.ErrUnsupported) {
			return err
		}
		_, err := c.Send(m.Chat.ID, bot.Outgoing{Text: m.Sender.Name + " was removed for spam"})
		return err
	}, router.InGroup(), router.Not(router.SenderRole("owner", "admin")))
}

// A group moderation handler, driven by hand without running a bot: each
// message is handled at once, and the platform records what the handler
// asked of it. Group messages carry the sender's name, given with From.
func Example_groupModeration() {
	r := router.New()
	moderate(r)
	p := parleytest.NewPlatform()
	ctx := context.Background()
	for _, e := range []*parleytest.MessageEvent{
		parleytest.NewGroupMessage("10", "#club", "7", "member", "hello all").From("alice"),
		parleytest.NewGroupMessage("11", "#club", "8", "member", "cheap SPAM here").From("bob"),
		parleytest.NewGroupMessage("12", "#club", "9", "admin", "spam is off-topic").From("carol"),
	} {
		if err := r.Handle(bot.NewContext(ctx, e, p, nil)); err != nil {
			fmt.Println(err)
		}
	}
	for _, a := range p.Actions() {
		fmt.Printf("%s in %s: message %q member %q\n", a.Verb, a.ChatID, a.MsgID, a.Member)
	}
	for _, s := range p.Sent() {
		fmt.Printf("to %s: %s\n", s.ChatID, s.Text)
	}

	// On a platform that can neither delete nor remove, the handler
	// still explains itself.
	bare := parleytest.NewPlatform()
	spam := parleytest.NewGroupMessage("13", "#club", "8", "member", "more spam").From("bob")
	fmt.Println(r.Handle(bot.NewContext(ctx, spam, bare.Bare(), nil)), len(bare.Actions()), bare.Sent()[0].Text)
	// Output:
	// delete in #club: message "11" member ""
	// remove in #club: message "" member "8"
	// to #club: bob was removed for spam
	// <nil> 0 bob was removed for spam
}
