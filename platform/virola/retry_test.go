package virola_test

import (
	"context"
	"errors"
	"slices"
	"sync"
	"testing"
	"time"

	"github.com/parleybot/parley/bot"
	"github.com/parleybot/parley/platform/virola"
	"github.com/parleybot/parley/router"
	"github.com/parleybot/parley/store"
)

// A reply's post times out while the events socket stays up (the server
// holds the post and carries it out late): the handler fails with an
// unknown outcome, and the message is passed on again at once, without a
// reconnect; the late reply is found in the thread, so the message is
// answered once.
func TestTimedOutReplyIsRetriedWithoutAReconnect(t *testing.T) {
	w := newSimWorld(t, false)
	p := virola.New(w.sim.URL(), append(append(testOptions(store.NewMemory()), w.auth...), virola.WithCallTimeout(2*time.Second))...)
	arrived, release := w.sim.HoldNextPost()
	defer release()
	replies := func() []string {
		var out []string
		for _, m := range w.sim.PostedBy(w.bot.UserID) {
			out = append(out, m.Text)
		}
		return out
	}

	var mu sync.Mutex
	var outcomes []error
	r := router.New()
	r.OnMessage(func(c *bot.Context, m bot.Message) error {
		_, err := c.Send(m.Chat.ID, bot.Outgoing{Text: "re: " + m.Text, ReplyTo: m.ID})
		mu.Lock()
		first := len(outcomes) == 0
		outcomes = append(outcomes, err)
		mu.Unlock()
		if first {
			// The server carries the held post out once the client gave
			// up on it, before the message comes again.
			release()
			waitFor(t, "the late reply", func() bool { return len(replies()) == 1 })
		}
		return err
	})
	handled := func() []error {
		mu.Lock()
		defer mu.Unlock()
		return slices.Clone(outcomes)
	}
	ctx, cancel := context.WithCancel(context.Background())
	done := make(chan error, 1)
	go func() { done <- bot.New(p, r, bot.WithStopTimeout(10*time.Second)).Run(ctx) }()
	defer func() {
		cancel()
		select {
		case <-done:
		case <-time.After(20 * time.Second):
			t.Error("bot did not stop")
		}
	}()
	room := parseID(t, w.ConnectContact(t, "alice", false))
	alice := w.contactOf(room)
	waitFor(t, "the socket", p.Ready)
	conns := w.sim.Stats().TotalConns

	if _, err := w.sim.Post(alice, room, "one"); err != nil {
		t.Fatal(err)
	}
	select {
	case <-arrived:
	case <-time.After(20 * time.Second):
		t.Fatal("the reply never reached the server")
	}
	waitFor(t, "the message again", func() bool { return len(handled()) == 2 })
	got := handled()
	if !errors.Is(got[0], bot.ErrOutcomeUnknown) {
		t.Fatalf("the first handling: %v, want an unknown outcome", got[0])
	}
	if got[1] != nil {
		t.Fatalf("the second handling: %v", got[1])
	}
	// A later message is answered too, and after it nothing comes again.
	if _, err := w.sim.Post(alice, room, "two"); err != nil {
		t.Fatal(err)
	}
	waitFor(t, "message two", func() bool { return len(handled()) == 3 })
	if err := handled()[2]; err != nil {
		t.Fatalf("handling message two: %v", err)
	}
	if got, want := replies(), []string{"re: one", "re: two"}; !slices.Equal(got, want) {
		t.Fatalf("the bot posted %q, want %q", got, want)
	}
	s := p.Stats()
	if s.Connects != 1 || w.sim.Stats().TotalConns != conns {
		t.Fatalf("stats %+v with %d sockets (%d before): want no reconnect", s, w.sim.Stats().TotalConns, conns)
	}
	if s.Reconciled != 1 {
		t.Fatalf("stats %+v, want one reply reconciled", s)
	}
}
