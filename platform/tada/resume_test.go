package tada_test

import (
	"context"
	"fmt"
	"slices"
	"sync"
	"testing"
	"time"

	"go.uber.org/zap"
	"go.uber.org/zap/zaptest/observer"

	"github.com/parleybot/parley/bot"
	"github.com/parleybot/parley/platform/platformtest"
	"github.com/parleybot/parley/platform/tada"
	"github.com/parleybot/parley/platform/tada/tadasim"
	"github.com/parleybot/parley/store"
)

// run is a Listen whose events go to handle, which reports their
// outcomes itself (or not, as a crash would).
type run struct {
	mu     sync.Mutex
	texts  []string
	cancel context.CancelFunc
	done   chan error
	once   sync.Once
}

func runWith(t *testing.T, p *tada.Platform, handle func(e *tada.NewMessage)) *run {
	t.Helper()
	r := &run{done: make(chan error, 1)}
	ctx, cancel := context.WithCancel(context.Background())
	r.cancel = cancel
	go func() {
		r.done <- p.Listen(ctx, func(e bot.Event) error {
			if nm, ok := e.(*tada.NewMessage); ok {
				r.mu.Lock()
				r.texts = append(r.texts, nm.Msg.Content.Text)
				r.mu.Unlock()
				handle(nm)
			}
			return nil
		})
	}()
	t.Cleanup(r.stop)
	waitCond(t, "the platform to be ready", p.Ready)
	return r
}

// stop ends Listen without Close, as a killed process would: nothing is
// flushed.
func (r *run) stop() {
	r.once.Do(func() {
		r.cancel()
		<-r.done
	})
}

func (r *run) got() []string {
	r.mu.Lock()
	defer r.mu.Unlock()
	return slices.Clone(r.texts)
}

func lastRead(sim *tadasim.Server, chat string) string {
	id, _ := sim.LastRead("", chat)
	return id
}

// A bot without a store, restarted, gets what arrived while it was down
// from the server's read marker, which follows the handled messages.
func TestRestartWithoutStoreResumesFromReadMarker(t *testing.T) {
	sim := newSim(t)
	alice := sim.AddContact("alice")
	p1 := newPlatform(t, sim, testOptions(nil)...)
	r1 := runWith(t, p1, func(e *tada.NewMessage) { p1.EventHandled(e, nil) })
	one, _ := sim.Send(alice.JID, sim.Bot().JID, "one")
	waitCond(t, "the read marker at the handled message", func() bool { return lastRead(sim, alice.JID) == one.MessageID })
	r1.stop()

	_, _ = sim.Send(alice.JID, sim.Bot().JID, "two")
	_, _ = sim.Send(alice.JID, sim.Bot().JID, "three")
	// Whether the server sends unconfirmed events again is not
	// documented; the read marker does not depend on it.
	sim.ForgetUnconfirmed("")
	if _, n := sim.LastRead("", alice.JID); n != 2 {
		t.Fatalf("%d unread while the bot was down, want 2", n)
	}
	p2 := newPlatform(t, sim, testOptions(nil)...)
	r2 := runWith(t, p2, func(e *tada.NewMessage) { p2.EventHandled(e, nil) })
	waitCond(t, "the messages sent while down", func() bool { return len(r2.got()) >= 2 })
	if got := r2.got(); !slices.Equal(got, []string{"two", "three"}) {
		t.Fatalf("after the restart: %q, want [two three]", got)
	}
	waitCond(t, "nothing unread", func() bool { _, n := sim.LastRead("", alice.JID); return n == 0 })
}

// With marking read off and no store there is nothing to resume from:
// the bot starts at the newest message, as before.
func TestRestartWithoutStoreOrMarkerStartsAtTheNewest(t *testing.T) {
	sim := newSim(t)
	alice := sim.AddContact("alice")
	_, _ = sim.Send(alice.JID, sim.Bot().JID, "old")
	sim.ForgetUnconfirmed("")
	p := newPlatform(t, sim, testOptions(nil, tada.WithMarkRead(false))...)
	r := runWith(t, p, func(e *tada.NewMessage) { p.EventHandled(e, nil) })
	_, _ = sim.Send(alice.JID, sim.Bot().JID, "new")
	waitCond(t, "the live message", func() bool { return len(r.got()) == 1 })
	if got := r.got(); got[0] != "new" {
		t.Fatalf("got %q", got)
	}
	if lastRead(sim, alice.JID) != "" {
		t.Fatal("marked read with WithMarkRead(false)")
	}
}

// A message whose command was not delivered holds the read marker below
// it while its handler keeps failing (it is passed on again meanwhile),
// and moves the marker once it is handled for good.
func TestUndeliveredMessageIsNotMarkedRead(t *testing.T) {
	sim := newSim(t)
	alice := sim.AddContact("alice")
	p := newPlatform(t, sim, testOptions(nil)...)
	var mu sync.Mutex
	fail, delivered := true, false
	r := runWith(t, p, func(e *tada.NewMessage) {
		mu.Lock()
		f := fail && e.Msg.Content.Text == "one"
		delivered = delivered || (!f && e.Msg.Content.Text == "one")
		mu.Unlock()
		if f {
			p.EventHandled(e, fmt.Errorf("reply: %w", bot.ErrNotSent))
			return
		}
		p.EventHandled(e, nil)
	})
	one, _ := sim.Send(alice.JID, sim.Bot().JID, "one")
	two, _ := sim.Send(alice.JID, sim.Bot().JID, "two")
	waitCond(t, "both messages", func() bool {
		got := r.got()
		return slices.Contains(got, "one") && slices.Contains(got, "two")
	})
	// Markers are moved chat by chat, one pass after each flush: once
	// bob's second message is marked, a whole pass ran after alice's
	// messages were handled.
	bob := sim.AddContact("bob")
	for _, text := range []string{"b1", "b2"} {
		b, _ := sim.Send(bob.JID, sim.Bot().JID, text)
		waitCond(t, "bob's marker", func() bool { return lastRead(sim, bob.JID) == b.MessageID })
	}
	if id := lastRead(sim, alice.JID); id != "" {
		t.Fatalf("read marker moved to %s past the undelivered message (one %s, two %s)", id, one.MessageID, two.MessageID)
	}
	mu.Lock()
	fail = false
	mu.Unlock()
	waitCond(t, "the undelivered message handled for good", func() bool {
		mu.Lock()
		defer mu.Unlock()
		return delivered
	})
	waitCond(t, "the marker past it", func() bool {
		id := lastRead(sim, alice.JID)
		return id != "" && id != one.MessageID
	})
}

// A reply sent again for a message handled again after a crash has the
// same message_id, so the server keeps one reply.
func TestReplyAfterCrashIsNotDoubled(t *testing.T) {
	for _, ws := range []bool{false, true} {
		t.Run(fmt.Sprintf("websocket=%v", ws), func(t *testing.T) {
			sim := newSim(t)
			alice := sim.AddContact("alice")
			opts := testOptions(nil, tada.WithSendOverWebSocket(ws))
			reply := func(p *tada.Platform, e *tada.NewMessage) error {
				_, err := p.Send(context.Background(), e.Msg.Chat, bot.Outgoing{Text: "echo: " + e.Msg.Content.Text, ReplyTo: e.Msg.MessageID})
				return err
			}
			p1 := newPlatform(t, sim, opts...)
			sent := make(chan error, 1)
			r1 := runWith(t, p1, func(e *tada.NewMessage) { sent <- reply(p1, e) }) // never reports: killed before
			_, _ = sim.Send(alice.JID, sim.Bot().JID, "one")
			if err := <-sent; err != nil {
				t.Fatal(err)
			}
			r1.stop()
			sim.ForgetUnconfirmed("")

			p2 := newPlatform(t, sim, opts...)
			r2 := runWith(t, p2, func(e *tada.NewMessage) { p2.EventHandled(e, reply(p2, e)) })
			waitCond(t, "the message handled again", func() bool { return len(r2.got()) == 1 })
			waitCond(t, "nothing unread", func() bool { _, n := sim.LastRead("", alice.JID); return n == 0 })
			if got := sim.MessagesFrom(sim.Bot().JID); len(got) != 1 || got[0].Content.Text != "echo: one" {
				t.Fatalf("the bot's messages: %+v, want one reply", got)
			}
		})
	}
}

// Two replies to one message stay two; an answer without a quote is a
// new message each time.
func TestDistinctRepliesKeepTheirOwnIDs(t *testing.T) {
	sim := newSim(t)
	alice := sim.AddContact("alice")
	p := newPlatform(t, sim, testOptions(nil)...)
	runWith(t, p, func(e *tada.NewMessage) {
		for _, text := range []string{"a", "b"} {
			if _, err := p.Send(context.Background(), e.Msg.Chat, bot.Outgoing{Text: text, ReplyTo: e.Msg.MessageID}); err != nil {
				t.Error(err)
			}
		}
		p.EventHandled(e, nil)
	})
	_, _ = sim.Send(alice.JID, sim.Bot().JID, "one")
	waitCond(t, "two replies", func() bool { return len(sim.MessagesFrom(sim.Bot().JID)) == 2 })
}

// The simulator keeps read markers: they never move back, and listing
// unread gives what follows, from others.
func TestSimReadMarkers(t *testing.T) {
	sim := newSim(t)
	alice := sim.AddContact("alice")
	c, err := tada.NewClient(sim.URL(), sim.Team(), sim.Bot().Token)
	if err != nil {
		t.Fatal(err)
	}
	ctx := context.Background()
	cn, err := c.Dial(ctx)
	if err != nil {
		t.Fatal(err)
	}
	defer cn.Close()
	m1, _ := sim.Send(alice.JID, sim.Bot().JID, "1")
	m2, _ := sim.Send(alice.JID, sim.Bot().JID, "2")
	if err := cn.MarkRead(ctx, alice.JID, m2.MessageID); err != nil {
		t.Fatal(err)
	}
	if err := cn.MarkRead(ctx, alice.JID, m1.MessageID); err != nil {
		t.Fatal(err)
	}
	if id, n := sim.LastRead("", alice.JID); id != m2.MessageID || n != 0 {
		t.Fatalf("marker %s, %d unread", id, n)
	}
	m3, _ := sim.Send(alice.JID, sim.Bot().JID, "3")
	list, err := c.ListMessages(ctx, alice.JID, tada.MessageFilter{Unread: true})
	if err != nil || len(list.Messages) != 1 || list.Messages[0].MessageID != m3.MessageID {
		t.Fatalf("unread: %+v %v", list, err)
	}
	chats, err := c.Chats(ctx)
	if err != nil {
		t.Fatal(err)
	}
	for _, ch := range chats.Objects {
		if ch.JID == alice.JID && (ch.NumUnread != 1 || ch.LastReadMessageID != m2.MessageID) {
			t.Fatalf("chat counters %+v", ch)
		}
	}
	if err := cn.MarkRead(ctx, alice.JID, "no-such-message"); err == nil {
		t.Fatal("marking an unknown message read was taken")
	}
}

// An unknown event type is counted each time and logged at info once.
func TestUnknownEventLoggedOnce(t *testing.T) {
	sim := newSim(t)
	core, logs := observer.New(zap.InfoLevel)
	p := newPlatform(t, sim, testOptions(nil, tada.WithLogger(zap.New(core)))...)
	runWith(t, p, func(e *tada.NewMessage) { p.EventHandled(e, nil) })
	sim.SendRaw(`{"event":"server.future.thing","params":{"x":1}}`)
	sim.SendRaw(`{"event":"server.future.thing","params":{"x":2}}`)
	waitCond(t, "both unknown events", func() bool { return p.Client().Stats().Unknown == 2 })
	if n := len(logs.FilterField(zap.String("event", "server.future.thing")).All()); n != 1 {
		t.Fatalf("%d info lines about the unknown event, want 1", n)
	}
}

// A bot killed after it passed on a new chat's first message but before
// the message was handled finds it again after the restart: the chat's
// stored position is one below the message's version, and its created
// stamp (to the microsecond, taken before the version) is below that
// position, yet it is a new message, not a change.
func TestKilledBeforeHandlingNewChatsFirstMessage(t *testing.T) {
	sim := newSim(t)
	alice := sim.AddContact("alice")
	st := store.NewMemory()
	p1 := newPlatform(t, sim, testOptions(st)...)
	r1 := runWith(t, p1, func(*tada.NewMessage) {}) // never handled: killed first
	one, err := sim.Send(alice.JID, sim.Bot().JID, "one")
	if err != nil {
		t.Fatal(err)
	}
	waitCond(t, "the message passed on", func() bool { return len(r1.got()) == 1 })
	r1.stop()
	if c := one.CreatedTime().UnixNano(); c > one.Gentime-1 {
		t.Skipf("created %d not below the position %d; nothing to test", c, one.Gentime-1)
	}
	sim.ForgetUnconfirmed("") // only the catch-up can bring it back

	p2 := newPlatform(t, sim, testOptions(st)...)
	r2 := runWith(t, p2, func(e *tada.NewMessage) { p2.EventHandled(e, nil) })
	waitCond(t, "the message again after the restart", func() bool { return slices.Contains(r2.got(), "one") })
	if got := r2.got(); len(got) != 1 {
		t.Fatalf("after the restart: %q, want [one]", got)
	}
}

// A bot killed during its first catch-up, before it reached a chat it
// found unread, catches that chat up from the read marker after the
// restart, although the store now holds its state: the chat has no
// position, and the newest version at the first start is past its
// messages.
func TestKilledDuringFirstCatchUpResumesUnreadChat(t *testing.T) {
	sim := newSim(t)
	alice := sim.AddContact("alice")
	bob := sim.AddContact("bob")
	for _, s := range []struct{ from, text string }{{alice.JID, "a1"}, {bob.JID, "b1"}, {alice.JID, "a2"}, {bob.JID, "b2"}} {
		if _, err := sim.Send(s.from, sim.Bot().JID, s.text); err != nil {
			t.Fatal(err)
		}
	}
	sim.ForgetUnconfirmed("")
	st := store.NewMemory()
	p1 := newPlatform(t, sim, testOptions(st)...)
	ctx, kill := context.WithCancel(context.Background())
	first := make(chan string, 1)
	done := make(chan error, 1)
	go func() {
		done <- p1.Listen(ctx, func(e bot.Event) error {
			if nm, ok := e.(*tada.NewMessage); ok {
				select {
				case first <- nm.Msg.Content.Text:
				default:
				}
				<-ctx.Done() // the catch-up goes no further: killed here
				return bot.ErrStopped
			}
			return nil
		})
	}()
	var got1 string
	select {
	case got1 = <-first:
	case <-time.After(platformtest.Timeout):
		t.Fatal("the first catch-up passed nothing on")
	}
	kill()
	<-done
	sim.ForgetUnconfirmed("")

	p2 := newPlatform(t, sim, testOptions(st)...)
	r2 := runWith(t, p2, func(e *tada.NewMessage) { p2.EventHandled(e, nil) })
	want := []string{"a1", "a2", "b1", "b2"}
	waitCond(t, "every message after the restart (the first process passed on "+got1+")", func() bool {
		got := r2.got()
		for _, w := range want {
			if !slices.Contains(got, w) {
				return false
			}
		}
		return true
	})
	got := r2.got()
	slices.Sort(got)
	if !slices.Equal(got, want) {
		t.Fatalf("after the restart: %q, want %q", got, want)
	}
}
