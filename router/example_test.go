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
