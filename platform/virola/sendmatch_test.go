package virola_test

import (
	"context"
	"strconv"
	"sync"
	"sync/atomic"
	"testing"
	"time"

	"github.com/parleybot/parley/bot"
	"github.com/parleybot/parley/platform/virola"
	"github.com/parleybot/parley/store"
)

// burst is more events than the socket's reader used to hold, and fewer
// than the simulator holds for a socket (virolasim.DefaultConnBuffer).
const burst = 3000

// A reply learns its message's id from the socket even when thousands of
// unread events wait ahead of its own event: the reader hands the bot's
// own messages to Send and never waits for the session. Send waits for
// the event for an hour here, so only the event can end the wait.
func TestSendMatchedBehindBurst(t *testing.T) {
	w := newSimWorld(t, false)
	p := virola.New(w.sim.URL(), append(append(testOptions(store.NewMemory()), w.auth...),
		virola.WithSendMatch(time.Hour))...)
	type result struct {
		ids []string
		err error
	}
	release := make(chan struct{})
	res := make(chan result, 1)
	var first atomic.Bool
	ctx, cancel := context.WithCancel(context.Background())
	done := make(chan error, 1)
	go func() {
		done <- p.Listen(ctx, func(e bot.Event) error {
			if m, ok := e.(*virola.TextMessagesCreated); ok && first.CompareAndSwap(false, true) {
				// The session waits here while the burst comes in.
				select {
				case <-release:
				case <-ctx.Done():
					return nil
				}
				ids, err := p.Send(ctx, strconv.FormatInt(m.TextMessages[0].RoomID, 10), bot.Outgoing{Text: "the reply"})
				res <- result{ids, err}
			}
			p.EventHandled(e, nil)
			return nil
		})
	}()
	t.Cleanup(func() {
		cancel()
		if err := <-done; err != nil {
			t.Errorf("Listen: %v", err)
		}
	})
	waitFor(t, "ready", p.Ready)
	room := parseID(t, w.ConnectContact(t, "alice", false))
	alice := w.contactOf(room)
	for i := range burst + 1 {
		if _, err := w.sim.Post(alice, room, "burst "+strconv.Itoa(i)); err != nil {
			t.Fatal(err)
		}
	}
	close(release)
	var r result
	select {
	case r = <-res:
	case <-time.After(20 * time.Second):
		t.Fatalf("Send still waits for its message's event behind %d queued events", burst)
	}
	if r.err != nil || len(r.ids) != 1 {
		t.Fatalf("Send: %v, %v", r.ids, r.err)
	}
	id, _ := strconv.ParseInt(r.ids[0], 10, 64)
	if m, ok := w.sim.Message(id); !ok || m.UserID != w.bot.UserID || m.Text != "the reply" {
		t.Fatalf("Send returned %d, which is %+v", id, m)
	}
	if s := p.Stats(); s.Matched != 1 || s.Overflow != 0 {
		t.Fatalf("stats %+v", s)
	}
}

// Without an open events socket no event can bring a sent message's id:
// Send looks it up in the room at once instead of waiting for one.
func TestSendWithoutSocketLooksUpAtOnce(t *testing.T) {
	w := newSimWorld(t, false)
	u := w.sim.AddUser("alice", "alice", "pw-alice")
	r, err := w.sim.NewPrivateRoom(u.UserID, w.bot.UserID)
	if err != nil {
		t.Fatal(err)
	}
	p := virola.New(w.sim.URL(), append(append(testOptions(store.NewMemory()), w.auth...),
		virola.WithSendMatch(time.Hour))...)
	if _, err := p.Client().Status(ctxT(t)); err != nil {
		t.Fatal(err)
	}
	ctx, cancel := context.WithTimeout(context.Background(), 20*time.Second)
	defer cancel()
	ids, err := p.Send(ctx, strconv.FormatInt(r.RoomID, 10), bot.Outgoing{Text: "hello"})
	if ctx.Err() != nil {
		t.Fatal("Send waited for an event no socket could bring")
	}
	if err != nil || len(ids) != 1 {
		t.Fatalf("Send: %v, %v", ids, err)
	}
	id, _ := strconv.ParseInt(ids[0], 10, 64)
	if m, ok := w.sim.Message(id); !ok || m.UserID != w.bot.UserID || m.Text != "hello" {
		t.Fatalf("Send returned %d, which is %+v", id, m)
	}
}

// Frames that overflow the reader's queue are counted and caught up
// from the server: each message of the burst is passed on once.
func TestQueueOverflowCaughtUp(t *testing.T) {
	w := newSimWorld(t, false)
	p := virola.New(w.sim.URL(), append(append(testOptions(store.NewMemory()), w.auth...),
		virola.WithQueueLimit(10))...)
	release := make(chan struct{})
	var mu sync.Mutex
	seen := map[string]int{}
	var first atomic.Bool
	ctx, cancel := context.WithCancel(context.Background())
	done := make(chan error, 1)
	go func() {
		done <- p.Listen(ctx, func(e bot.Event) error {
			if m, ok := e.(*virola.TextMessagesCreated); ok {
				if first.CompareAndSwap(false, true) {
					select {
					case <-release:
					case <-ctx.Done():
						return nil
					}
				}
				mu.Lock()
				seen[m.TextMessages[0].Text]++
				mu.Unlock()
			}
			p.EventHandled(e, nil)
			return nil
		})
	}()
	t.Cleanup(func() {
		cancel()
		if err := <-done; err != nil {
			t.Errorf("Listen: %v", err)
		}
	})
	waitFor(t, "ready", p.Ready)
	room := parseID(t, w.ConnectContact(t, "alice", false))
	alice := w.contactOf(room)
	const n = 200
	for i := range n {
		if _, err := w.sim.Post(alice, room, "m"+strconv.Itoa(i)); err != nil {
			t.Fatal(err)
		}
	}
	waitFor(t, "the burst read from the socket", func() bool { return p.Stats().Overflow > 0 && w.sim.Stats().FramesSent >= n })
	close(release)
	waitFor(t, "every message", func() bool {
		mu.Lock()
		defer mu.Unlock()
		return len(seen) == n
	})
	mu.Lock()
	defer mu.Unlock()
	for text, c := range seen {
		if c != 1 {
			t.Errorf("%s passed on %d times", text, c)
		}
	}
	if s := p.Stats(); s.Replayed == 0 {
		t.Fatalf("stats %+v: nothing caught up after the overflow", s)
	}
}
