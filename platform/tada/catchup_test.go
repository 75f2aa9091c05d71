package tada_test

import (
	"strings"
	"sync"
	"testing"
	"time"

	"go.uber.org/zap"
	"go.uber.org/zap/zaptest/observer"

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
	// The catch-up goes through the chats in order: the first is the live
	// one, the second has the backlog.
	live, slow := twoKnownChats(t, sim, p)

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
	l2 := startListener(t, p)
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

// A chat new since the last connection, with a backlog, gets a live
// message while an earlier chat's catch-up is still paging: the backlog
// is not skipped for it.
func TestLiveMessageOfANewChatDoesNotSkipItsBacklog(t *testing.T) {
	sim := newSim(t)
	p := newPlatform(t, sim, testOptions(store.NewMemory(), tada.WithCatchUpPage(2), tada.WithCallTimeout(time.Minute))...)
	known := sim.AddContact("known")
	l := listen(t, p)
	if _, err := sim.Send(known.JID, sim.Bot().JID, "hello"); err != nil {
		t.Fatal(err)
	}
	waitCond(t, "the first message", func() bool { return len(l.texts()) == 1 })
	l.stop(t)

	fresh := sim.AddContact("fresh")
	backlog := []string{"b1", "b2", "b3"}
	for _, text := range backlog {
		if _, err := sim.Send(fresh.JID, sim.Bot().JID, text); err != nil {
			t.Fatal(err)
		}
	}
	// Only the catch-up finds the backlog, as after a server restart.
	sim.ForgetUnconfirmed(sim.Bot().JID)
	// The known chat is caught up first; its catch-up waits until
	// released.
	blocked, release := make(chan struct{}), make(chan struct{})
	var once sync.Once
	t.Cleanup(func() { once.Do(func() { close(release) }) })
	sim.BeforeNext("GET", "/messages/"+known.JID, func() {
		close(blocked)
		<-release
	})
	l2 := startListener(t, p)
	select {
	case <-blocked:
	case <-time.After(10 * time.Second):
		t.Fatal("the catch-up never fetched the known chat")
	}
	spilled := p.Stats().Spilled
	if _, err := sim.Send(fresh.JID, sim.Bot().JID, "live"); err != nil {
		t.Fatal(err)
	}
	// The live message is left for the catch-up.
	waitCond(t, "the live message left on the server", func() bool { return p.Stats().Spilled > spilled })
	once.Do(func() { close(release) })
	waitCond(t, "ready", p.Ready)
	want := append(backlog, "live")
	waitCond(t, "the live message", func() bool { return count(l2.texts(), "live") == 1 })
	if got := l2.texts(); len(got) != len(want) {
		t.Fatalf("passed on %q, want %q", got, want)
	} else {
		for i := range got {
			if got[i] != want[i] {
				t.Fatalf("passed on %q, want %q", got, want)
			}
		}
	}
}

// A connection that caught a chat up did useful work: when it drops
// before the whole catch-up is done, the reconnect is logged as a lost
// connection, redialled at once with the backoff reset, not as a failed
// connect whose backoff grows.
func TestDropDuringCatchUpAfterAChatIsUseful(t *testing.T) {
	sim := newSim(t)
	core, logs := observer.New(zap.WarnLevel)
	p := newPlatform(t, sim, testOptions(store.NewMemory(), tada.WithCatchUpPage(2), tada.WithLogger(zap.New(core)))...)
	_, second := twoKnownChats(t, sim, p)
	if _, err := sim.Send(second.JID, sim.Bot().JID, "later"); err != nil {
		t.Fatal(err)
	}
	// The first chat is caught up; the answer to the second one's fetch
	// is cut, and the connection with it.
	sim.BeforeNext("GET", "/messages/"+second.JID, func() { sim.DropAfter(1) })
	l2 := listen(t, p)
	waitCond(t, "the message after the drop", func() bool { return count(l2.texts(), "later") == 1 })
	waitCond(t, "the drop", func() bool { return sim.Stats().Drops == 1 })
	waitCond(t, "the reconnect logged", func() bool { return logs.FilterMessageSnippet("tada: c").Len() > 0 })
	var lost, cannot int
	for _, e := range logs.All() {
		switch {
		case strings.Contains(e.Message, "connection lost"):
			lost++
		case strings.Contains(e.Message, "cannot connect"):
			cannot++
		}
	}
	if lost != 1 || cannot != 0 {
		t.Fatalf("%d connections lost and %d failed connects logged, want 1 and 0: %v", lost, cannot, logs.All())
	}
}

// twoKnownChats makes two contacts whose first message p handled, and
// returns them in the order of their chat ids, the order a catch-up
// takes them in.
func twoKnownChats(t *testing.T, sim *tadasim.Server, p *tada.Platform) (first, second tadasim.User) {
	t.Helper()
	u1, u2 := sim.AddContact("one"), sim.AddContact("two")
	first, second = u1, u2
	if u2.JID < u1.JID {
		first, second = u2, u1
	}
	l := listen(t, p)
	for _, u := range []tadasim.User{first, second} {
		if _, err := sim.Send(u.JID, sim.Bot().JID, "hello "+u.JID); err != nil {
			t.Fatal(err)
		}
	}
	waitCond(t, "both chats", func() bool { return len(l.texts()) == 2 })
	l.stop(t)
	return first, second
}
