package router_test

import (
	"context"
	"fmt"

	"github.com/parleybot/parley/bot"
	"github.com/parleybot/parley/parleytest"
	"github.com/parleybot/parley/router"
)

// userJoined stands for a platform's typed event.
type userJoined struct{ Name string }

func (userJoined) Type() string { return "userJoined" }

func ExampleOn() {
	r := router.New()
	router.On(r, func(c *bot.Context, e userJoined) error {
		fmt.Println("welcome,", e.Name)
		return nil
	})
	c := bot.NewContext(context.Background(), userJoined{Name: "alice"}, parleytest.NewPlatform(), nil)
	_ = r.Handle(c)
	// Output: welcome, alice
}

func ExampleRouter_OnCommand() {
	r := router.New()
	r.OnCommand("remind", func(c *bot.Context, cmd router.Command) error {
		fmt.Printf("in %s: %q\n", cmd.Arg(0), cmd.Arg(1))
		return nil
	})
	msg := parleytest.NewMessage("1", "@5", `/remind@mybot 10m "buy milk"`)
	_ = r.Handle(bot.NewContext(context.Background(), msg, parleytest.NewPlatform(), nil))
	// Output: in 10m: "buy milk"
}

func ExampleRouter_Group() {
	r := router.New()
	r.Group(func(admin *router.Router) {
		admin.Use(func(next bot.Handler) bot.Handler {
			return bot.HandlerFunc(func(c *bot.Context) error {
				fmt.Println("audit")
				return next.Handle(c)
			})
		})
		admin.OnCommand("ban", func(c *bot.Context, cmd router.Command) error {
			fmt.Println("ban", cmd.Arg(0))
			return nil
		}, router.SenderRole("owner", "admin"))
	})
	r.OnMessage(func(c *bot.Context, m bot.Message) error {
		fmt.Println("message:", m.Text)
		return nil
	})
	p := parleytest.NewPlatform()
	for _, m := range []*parleytest.MessageEvent{
		parleytest.NewGroupMessage("1", "#1", "7", "owner", "/ban mallory"),
		parleytest.NewGroupMessage("2", "#1", "8", "member", "/ban alice"),
	} {
		_ = r.Handle(bot.NewContext(context.Background(), m, p, nil))
	}
	// Output:
	// audit
	// ban mallory
	// message: /ban alice
}

// With gives middleware to some routes only: here an audit trail for the
// moderation commands.
func ExampleRouter_With() {
	audit := func(next bot.Handler) bot.Handler {
		return bot.HandlerFunc(func(c *bot.Context) error {
			fmt.Printf("audit: %s by %s\n", c.Text(), c.Sender().ID)
			return next.Handle(c)
		})
	}
	r := router.New()
	mod := r.With(audit)
	mod.OnCommand("ban", func(c *bot.Context, cmd router.Command) error {
		return c.BlockSender() // a real bot would look up cmd.Arg(0)
	}, router.SenderRole("owner", "admin"))
	r.OnCommand("help", func(c *bot.Context, cmd router.Command) error {
		return c.SendPrivate("commands: /help, /ban")
	})

	p := parleytest.NewPlatform()
	for _, m := range []*parleytest.MessageEvent{
		parleytest.NewGroupMessage("1", "#1", "7", "admin", "/ban 9"),
		parleytest.NewGroupMessage("2", "#1", "8", "member", "/help"),
	} {
		_ = r.Handle(bot.NewContext(context.Background(), m, p, nil))
	}
	fmt.Println(len(p.Actions()), "action,", len(p.Sent()), "private message")
	// Output:
	// audit: /ban 9 by 7
	// 1 action, 1 private message
}

// OnWhere narrows a typed route with a check on the typed event; the check
// and the handler name the same type, so a mismatch does not compile.
func ExampleOnWhere() {
	r := router.New()
	router.OnWhere(r, func(e userJoined) bool { return e.Name != "spammer" }, func(c *bot.Context, e userJoined) error {
		fmt.Println("welcome,", e.Name)
		return nil
	})
	p := parleytest.NewPlatform()
	for _, name := range []string{"alice", "spammer", "bob"} {
		_ = r.Handle(bot.NewContext(context.Background(), userJoined{Name: name}, p, nil))
	}
	// Output:
	// welcome, alice
	// welcome, bob
}

// A command addressed to another bot is left to it. The bot's name comes
// from bot.WithName; WithBotName stands in for it here.
func ExampleRouter_OnCommand_addressed() {
	r := router.New()
	r.OnCommand("roll", func(c *bot.Context, cmd router.Command) error {
		fmt.Println("rolling for", cmd.Message.Sender.ID)
		return nil
	})
	r.Fallback(bot.HandlerFunc(func(c *bot.Context) error {
		fmt.Println("unknown command", c.Text())
		return nil
	}))
	p := parleytest.NewPlatform()
	for _, text := range []string{"/roll", "/roll@dice", "/roll@otherbot", "/nope@dice"} {
		m := parleytest.NewGroupMessage("1", "#1", "7", "member", text)
		_ = r.Handle(bot.NewContext(context.Background(), m, p, nil).WithBotName("dice"))
	}
	// Output:
	// rolling for 7
	// rolling for 7
	// unknown command /nope@dice
}

// HasText leaves out messages without text, such as files sent without a
// caption.
func ExampleHasText() {
	r := router.New()
	r.OnMessage(func(c *bot.Context, m bot.Message) error {
		fmt.Printf("echo %q\n", m.Text)
		return nil
	}, router.HasText())
	file := parleytest.NewMessage("2", "@5", "")
	file.Msg[0].Files = []bot.File{{ID: "f1", Name: "cat.jpg"}}
	p := parleytest.NewPlatform()
	for _, e := range []bot.Event{parleytest.NewMessage("1", "@5", "hi"), file} {
		_ = r.Handle(bot.NewContext(context.Background(), e, p, nil))
	}
	// Output: echo "hi"
}
