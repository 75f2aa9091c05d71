package tada_test

import (
	"context"
	"sync"
	"testing"
	"time"

	"github.com/parleybot/parley/bot"
	"github.com/parleybot/parley/platform/tada"
	"github.com/parleybot/parley/router"
	"github.com/parleybot/parley/store"
)

// A reply's send times out while the connection stays up (the server
// holds the call and carries it out late): the handler fails with an
// unknown outcome, and the message is passed on again at once, without a
// reconnect. The reply is sent again with the same message_id, so the
// chat gets it once.
func TestTimedOutReplyIsRetriedWithoutAReconnect(t *testing.T) {
	sim := newSim(t)
	alice := sim.AddContact("alice")
	p := newPlatform(t, sim, testOptions(store.NewMemory(),
		tada.WithCallTimeout(time.Second), tada.WithSendRetries(0))...)

	var mu sync.Mutex
	var errs []error
	handled := func() ([]error, int) {
		mu.Lock()
		defer mu.Unlock()
		return append([]error(nil), errs...), len(errs)
	}
	r := router.New()
	r.OnMessage(func(c *bot.Context, m bot.Message) error {
		err := c.Reply("echo " + m.Text)
		mu.Lock()
		errs = append(errs, err)
		mu.Unlock()
		return err
	})
	b := bot.New(p, r)
	ctx, cancel := context.WithCancel(context.Background())
	done := make(chan error, 1)
	go func() { done <- b.Run(ctx) }()
	defer func() {
		cancel()
		if err := <-done; err != nil {
			t.Errorf("bot: %v", err)
		}
	}()
	waitCond(t, "the bot to connect", p.Ready)
	sockets := sim.Stats().TotalSockets

	// The first reply's call is held past the call timeout, then carried
	// out once the handler has failed.
	release := make(chan struct{})
	var once sync.Once
	free := func() { once.Do(func() { close(release) }) }
	defer free()
	sim.BeforeNext("POST", "/messages", func() { <-release })
	if _, err := sim.Send(alice.JID, sim.Bot().JID, "ping"); err != nil {
		t.Fatal(err)
	}
	waitCond(t, "the first reply to fail", func() bool { _, n := handled(); return n >= 1 })
	if got, _ := handled(); !bot.Undelivered(got[0]) {
		t.Fatalf("first reply: %v, want an undelivered command", got[0])
	}
	free()

	waitCond(t, "the message to be handled again", func() bool {
		got, n := handled()
		return n >= 2 && got[n-1] == nil
	})
	if got, n := handled(); n != 2 {
		t.Fatalf("handled %d times (%v), want twice", n, got)
	}
	waitCond(t, "the late reply to land", func() bool { return len(sim.MessagesFrom(sim.Bot().JID)) >= 1 })
	if n := sim.Stats().TotalSockets; n != sockets {
		t.Fatalf("%d connections, want %d: the retry must not wait for a reconnect", n, sockets)
	}
	var replies []string
	for _, m := range sim.MessagesFrom(sim.Bot().JID) {
		replies = append(replies, m.Content.Text)
	}
	if len(replies) != 1 || replies[0] != "echo ping" {
		t.Fatalf("replies %q, want one echo ping", replies)
	}
}
