package tada_test

import (
	"context"
	"fmt"
	"strings"
	"sync"
	"testing"
	"time"

	"github.com/parleybot/parley/bot"
	"github.com/parleybot/parley/platform/tada"
	"github.com/parleybot/parley/platform/tada/tadasim"
	"github.com/parleybot/parley/router"
	"github.com/parleybot/parley/store"
)

// gatedBot counts the messages it handles; its handler waits for open
// to be closed, so a burst piles up behind it.
type gatedBot struct {
	open   chan struct{}
	mu     sync.Mutex
	counts map[string]int
}

func runGatedBot(t *testing.T, p bot.Platform) *gatedBot {
	t.Helper()
	g := &gatedBot{open: make(chan struct{}), counts: map[string]int{}}
	r := router.New()
	r.OnMessage(func(c *bot.Context, m bot.Message) error {
		select {
		case <-g.open:
		case <-c.Context().Done():
			return c.Context().Err()
		}
		g.mu.Lock()
		g.counts[m.Text]++
		g.mu.Unlock()
		return nil
	})
	// A small queue: the burst is far larger than what the bot holds.
	b := bot.New(p, r, bot.WithMaxQueued(4), bot.WithWorkers(1))
	ctx, cancel := context.WithCancel(context.Background())
	done := make(chan error, 1)
	go func() { done <- b.Run(ctx) }()
	t.Cleanup(func() {
		select {
		case <-g.open:
		default:
			close(g.open)
		}
		cancel()
		select {
		case <-done:
		case <-time.After(10 * time.Second):
			t.Error("the bot did not stop")
		}
	})
	return g
}

func (g *gatedBot) handled() (distinct, twice int) {
	g.mu.Lock()
	defer g.mu.Unlock()
	for _, n := range g.counts {
		distinct++
		if n > 1 {
			twice++
		}
	}
	return distinct, twice
}

// burst sends n messages from a new contact while the bot's handler
// waits, then lets it go and waits for every message to be handled.
func burst(t *testing.T, sim *tadasim.Server, p *tada.Platform, g *gatedBot, n, size int) {
	t.Helper()
	alice := sim.AddContact("alice")
	for i := range n {
		if _, err := sim.Send(alice.JID, sim.Bot().JID, fmt.Sprint(i, strings.Repeat("x", size))); err != nil {
			t.Fatal(err)
		}
	}
	// Every frame of the burst left the server while the bot was stuck.
	waitCond(t, "the burst written to the socket", func() bool { return sim.Stats().FramesWritten >= n })
	close(g.open)
	waitCond(t, "every message of the burst handled", func() bool { d, _ := g.handled(); return d == n })
	if _, twice := g.handled(); twice > 0 {
		t.Errorf("%d messages handled twice", twice)
	}
}

// A burst larger than everything between the socket and the bot is read
// off the socket while the bot is stuck, so the server never finds the
// socket behind and closes it: one connection, every message once. The
// reader used to stop reading when the bot's queue was full, and the
// server closed the socket.
func TestBurstLargerThanTheBotsQueueKeepsTheConnection(t *testing.T) {
	// 6 MB: more than the socket buffers on both ends hold.
	const n = 1500
	sim := newSim(t)
	p := newPlatform(t, sim, testOptions(store.NewMemory())...)
	g := runGatedBot(t, p)
	waitCond(t, "the platform to be ready", p.Ready)
	burst(t, sim, p, g, n, 4000)
	if s := sim.Stats(); s.TotalSockets != 1 {
		t.Fatalf("%d connections, want the first one only", s.TotalSockets)
	}
	if s := p.Client().Stats(); s.Overflow != 0 {
		t.Fatalf("%d frames dropped with the default queue", s.Overflow)
	}
}

// Past the reader's bound frames are dropped and counted, and on the
// same connection the platform fetches what they held: the messages, a
// contact who joined, the group the bot was added to.
func TestOverflowedFramesAreCaughtUp(t *testing.T) {
	const n, buffer = 100, 16
	sim := newSim(t)
	olga := sim.AddContact("olga")
	p := newPlatform(t, sim, testOptions(store.NewMemory(), tada.WithEventBuffer(buffer))...)
	// An emit that waits for open: the session is stuck on the first
	// event while the burst comes.
	open := make(chan struct{})
	var mu sync.Mutex
	var events []bot.Event
	ctx, cancel := context.WithCancel(context.Background())
	done := make(chan error, 1)
	go func() {
		done <- p.Listen(ctx, func(e bot.Event) error {
			<-open
			mu.Lock()
			events = append(events, e)
			mu.Unlock()
			p.EventHandled(e, nil)
			return nil
		})
	}()
	t.Cleanup(func() {
		cancel()
		select {
		case <-done:
		case <-time.After(10 * time.Second):
			t.Error("Listen did not return")
		}
	})
	waitCond(t, "the platform to be ready", p.Ready)
	alice := sim.AddContact("alice")
	for i := range n {
		if _, err := sim.Send(alice.JID, sim.Bot().JID, fmt.Sprint("m", i)); err != nil {
			t.Fatal(err)
		}
	}
	sim.AddContact("bob")
	g, err := sim.NewGroup("club", map[string]string{olga.JID: "owner", sim.Bot().JID: "admin"})
	if err != nil {
		t.Fatal(err)
	}
	// n+3 frames: the session holds one, the queue buffer, the rest
	// (bob's and the group's among them) are dropped.
	waitCond(t, "the frames past the queue dropped", func() bool { return p.Client().Stats().Overflow >= n+3-1-buffer })
	close(open)
	count := func() (texts map[string]int, joined []string, groups int) {
		mu.Lock()
		defer mu.Unlock()
		texts = map[string]int{}
		for _, e := range events {
			switch e := e.(type) {
			case *tada.NewMessage:
				texts[e.Messages()[0].Text]++
			case *tada.ContactJoined:
				joined = append(joined, e.Contact.DisplayName)
			case *tada.GroupChanged:
				for _, c := range e.GroupChanges() {
					if c.Kind == bot.BotJoined && c.Chat.ID == g {
						groups++
					}
				}
			}
		}
		return texts, joined, groups
	}
	waitCond(t, "every message, both contacts and the group", func() bool {
		texts, joined, groups := count()
		return len(texts) == n && len(joined) == 2 && groups == 1
	})
	// The dropped frames are confirmed once fetched, so the server does
	// not keep them for the next connection.
	waitCond(t, "every frame confirmed", func() bool { return sim.Unconfirmed("") == 0 })
	if s := sim.Stats(); s.TotalSockets != 1 {
		t.Fatalf("%d connections, want the first one only", s.TotalSockets)
	}
	texts, joined, groups := count()
	for text, k := range texts {
		if k != 1 {
			t.Errorf("%s passed on %d times", text, k)
		}
	}
	if len(joined) != 2 || joined[0] != "alice" || joined[1] != "bob" || groups != 1 {
		t.Fatalf("joined %v, bot added to the group %d times; want alice and bob, once", joined, groups)
	}
}
