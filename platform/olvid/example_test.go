package olvid_test

import (
	"context"
	"errors"
	"fmt"
	"strconv"
	"time"

	"github.com/parleybot/parley/bot"
	"github.com/parleybot/parley/platform/olvid"
	"github.com/parleybot/parley/platform/olvid/olvidsim"
	"github.com/parleybot/parley/router"
)

// An echo bot on the Olvid bot daemon (here the simulator): the same
// router and handlers as on any other platform.
func Example() {
	sim := olvidsim.New()
	if err := sim.Start(); err != nil {
		fmt.Println(err)
		return
	}
	defer sim.Close()

	p, err := olvid.New(sim.Addr(), olvid.WithClientKey(sim.ClientKey()))
	if err != nil {
		fmt.Println(err)
		return
	}
	r := router.New()
	r.OnMessage(func(c *bot.Context, m bot.Message) error { return c.Reply("echo: " + m.Text) })
	b := bot.New(p, r)
	ctx, cancel := context.WithCancel(context.Background())
	done := make(chan error, 1)
	go func() { done <- b.Run(ctx) }()

	_ = sim.Wait(10*time.Second, p.Ready)
	alice := sim.AddContact("alice")
	_, _ = sim.ContactSend(alice.DiscussionID, "hello")
	_ = sim.Wait(10*time.Second, func() bool { return sim.BotSentCount() == 1 })
	cancel()
	fmt.Println(<-done)
	sent := sim.BotSent()[0]
	fmt.Println(sent.Body, sent.ReplyTo.GetType())
	// Output:
	// <nil>
	// echo: hello TYPE_INBOUND
}

// Commands are typed calls; refusals are *olvid.Error values a handler
// tests with errors.Is.
func ExampleClient_SendMessage() {
	sim := olvidsim.New()
	if err := sim.Start(); err != nil {
		fmt.Println(err)
		return
	}
	defer sim.Close()
	c, err := olvid.NewClient(sim.Addr(), olvid.WithClientKey(sim.ClientKey()))
	if err != nil {
		fmt.Println(err)
		return
	}
	defer c.Close()
	ctx := context.Background()
	bob := sim.AddContact("bob")
	m, err := c.SendMessage(ctx, olvid.SendMessage{DiscussionID: bob.DiscussionID, Body: "hi bob"})
	fmt.Println(olvid.IDOf(m), err)
	_, err = c.SendMessage(ctx, olvid.SendMessage{DiscussionID: 99, Body: "nobody"})
	fmt.Println(errors.Is(err, olvid.ErrNotFound))
	// Output:
	// o1 <nil>
	// true
}

// The daemon accepts invitations itself once its identity settings say
// so; SetAutoAccept reads, changes and writes the whole settings.
func ExampleClient_SetAutoAccept() {
	sim := olvidsim.New()
	if err := sim.Start(); err != nil {
		fmt.Println(err)
		return
	}
	defer sim.Close()
	c, err := olvid.NewClient(sim.Addr(), olvid.WithClientKey(sim.ClientKey()))
	if err != nil {
		fmt.Println(err)
		return
	}
	defer c.Close()
	if err := c.SetAutoAccept(context.Background(), true); err != nil {
		fmt.Println(err)
		return
	}
	inv, disc := sim.Invite("carol")
	_, pending := sim.Invitation(inv)
	fmt.Println(pending, strconv.FormatUint(disc, 10))
	// Output:
	// false 1
}
