package tada_test

import (
	"context"
	"fmt"
	"time"

	"github.com/parleybot/parley/bot"
	"github.com/parleybot/parley/platform/tada"
	"github.com/parleybot/parley/platform/tada/tadasim"
	"github.com/parleybot/parley/router"
)

// An echo bot on a simulated Tada team: a member writes to the bot in a
// direct chat and gets the text back, quoted.
func Example() {
	sim := tadasim.New()
	if err := sim.Start(); err != nil {
		panic(err)
	}
	defer sim.Close()

	p, err := tada.New(sim.URL(), sim.Team(), sim.Bot().Token)
	if err != nil {
		panic(err)
	}
	r := router.New()
	r.OnMessage(func(c *bot.Context, m bot.Message) error { return c.Reply("echo: " + m.Text) })
	b := bot.New(p, r)
	ctx, cancel := context.WithCancel(context.Background())
	done := make(chan error, 1)
	go func() { done <- b.Run(ctx) }()

	alice := sim.AddContact("alice")
	for !p.Ready() {
		time.Sleep(time.Millisecond)
	}
	if _, err := sim.Send(alice.JID, sim.Bot().JID, "hello"); err != nil {
		panic(err)
	}
	_ = sim.Wait(10*time.Second, func() bool { return len(sim.MessagesFrom(sim.Bot().JID)) == 1 })
	reply := sim.MessagesFrom(sim.Bot().JID)[0]
	fmt.Println(reply.Content.Text, reply.Chat == alice.JID, reply.ReplyTo != nil)
	cancel()
	<-done
	// Output: echo: hello true true
}
