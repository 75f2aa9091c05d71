package tada_test

import (
	"context"
	"sync"
	"testing"
	"time"

	"github.com/parleybot/parley/bot"
	"github.com/parleybot/parley/platform/tada"
	"github.com/parleybot/parley/platform/tada/tadasim"
	"github.com/parleybot/parley/store"
)

// texts returns the texts of the new messages a listener got, in order.
func (l *listener) texts() []string {
	var out []string
	for _, e := range l.typed(tada.TypeNewMessage) {
		out = append(out, e.(*tada.NewMessage).Messages()[0].Text)
	}
	return out
}

func count(list []string, s string) int {
	n := 0
	for _, x := range list {
		if x == s {
			n++
		}
	}
	return n
}

// After a reconnect, a chat with a long backlog is caught up page by
// page; a chat caught up already gets its live messages meanwhile rather
// than after the whole catch-up. The backlog still arrives once each, in
// order.
func TestLiveMessagesFlowWhileAnotherChatCatchesUp(t *testing.T) {
	sim := newSim(t)
	p := newPlatform(t, sim, testOptions(store.NewMemory(), tada.WithCatchUpPage(2), tada.WithCallTimeout(time.Minute))...)
	u1, u2 := sim.AddContact("one"), sim.AddContact("two")
	// The catch-up goes through the chats in order: the first is the live
	// one, the second has the backlog.
	live, slow := u1, u2
	if u2.JID < u1.JID {
		live, slow = u2, u1
	}
	l := listen(t, p)
	for _, u := range []tadasim.User{live, slow} {
		if _, err := sim.Send(u.JID, sim.Bot().JID, "hello "+u.JID); err != nil {
			t.Fatal(err)
		}
	}
	waitCond(t, "both chats", func() bool { return len(l.texts()) == 2 })
	l.stop(t)

	backlog := []string{"b1", "b2", "b3", "b4", "b5"}
	for _, text := range backlog {
		if _, err := sim.Send(slow.JID, sim.Bot().JID, text); err != nil {
			t.Fatal(err)
		}
	}
	// The catch-up of the slow chat stops at its first page until
	// released.
	blocked, release := make(chan struct{}), make(chan struct{})
	var once sync.Once
	t.Cleanup(func() { once.Do(func() { close(release) }) })
	sim.BeforeNext("GET", "/messages/"+slow.JID, func() {
		close(blocked)
		<-release
	})
	l2 := &listener{p: p, done: make(chan error, 1)}
	ctx, cancel := context.WithCancel(context.Background())
	l2.cancel = cancel
	go func() {
		l2.done <- p.Listen(ctx, func(e bot.Event) error {
			l2.mu.Lock()
			l2.events = append(l2.events, e)
			l2.mu.Unlock()
			p.EventHandled(e, nil)
			return nil
		})
	}()
	t.Cleanup(func() { l2.stop(t) })
	select {
	case <-blocked:
	case <-time.After(10 * time.Second):
		t.Fatal("the catch-up never fetched the slow chat")
	}
	if _, err := sim.Send(live.JID, sim.Bot().JID, "live"); err != nil {
		t.Fatal(err)
	}
	waitCond(t, "the live message during the catch-up", func() bool { return count(l2.texts(), "live") == 1 })
	if p.Ready() {
		t.Fatal("ready before the catch-up ended")
	}
	once.Do(func() { close(release) })
	waitCond(t, "the backlog", func() bool { return count(l2.texts(), "b5") == 1 })
	waitCond(t, "ready", p.Ready)
	var got []string
	for _, text := range l2.texts() {
		if text != "live" {
			got = append(got, text)
		}
	}
	if len(got) != len(backlog) {
		t.Fatalf("backlog passed on as %q, want %q", got, backlog)
	}
	for i := range got {
		if got[i] != backlog[i] {
			t.Fatalf("backlog passed on as %q, want %q", got, backlog)
		}
	}
	if n := count(l2.texts(), "live"); n != 1 {
		t.Fatalf("live message passed on %d times", n)
	}
}
