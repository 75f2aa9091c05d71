package virola_test

import (
	"context"
	"net/http"
	"runtime"
	"strconv"
	"strings"
	"sync"
	"testing"
	"time"

	"github.com/parleybot/parley/bot"
	"github.com/parleybot/parley/middleware"
	"github.com/parleybot/parley/platform/kit"
	"github.com/parleybot/parley/platform/virola"
	"github.com/parleybot/parley/router"
	"github.com/parleybot/parley/store"
)

// rec records what a test bot's handlers saw.
type rec struct {
	mu      sync.Mutex
	msgs    []bot.Message
	updates []virola.Message
	deleted []int64
	sent    []string // ids Send returned
}

func (r *rec) snapshot() rec {
	r.mu.Lock()
	defer r.mu.Unlock()
	return rec{msgs: append([]bot.Message(nil), r.msgs...), updates: append([]virola.Message(nil), r.updates...),
		deleted: append([]int64(nil), r.deleted...), sent: append([]string(nil), r.sent...)}
}

type testBot struct {
	p    *virola.Platform
	rec  *rec
	done chan error
	stop context.CancelFunc
}

// runBot runs a bot that records messages, updates and deletions and
// answers "echo …" messages with a reply.
func runBot(t *testing.T, w *simWorld, st store.Store, opts ...virola.Option) *testBot {
	t.Helper()
	return runBotOn(t, virola.New(w.sim.URL(), append(append(testOptions(st), w.auth...), opts...)...), st)
}

// runBotOn is runBot on a platform made by the caller.
func runBotOn(t *testing.T, p *virola.Platform, st store.Store) *testBot {
	t.Helper()
	r := router.New()
	tb := &testBot{p: p, rec: &rec{}, done: make(chan error, 1)}
	router.On(r, func(c *bot.Context, e *virola.TextMessagesUpdated) error {
		tb.rec.mu.Lock()
		tb.rec.updates = append(tb.rec.updates, e.TextMessages...)
		tb.rec.mu.Unlock()
		return nil
	})
	router.On(r, func(c *bot.Context, e *virola.TextMessageDeleted) error {
		tb.rec.mu.Lock()
		tb.rec.deleted = append(tb.rec.deleted, e.MessageID)
		tb.rec.mu.Unlock()
		return nil
	})
	r.OnMessage(func(c *bot.Context, m bot.Message) error {
		tb.rec.mu.Lock()
		tb.rec.msgs = append(tb.rec.msgs, m)
		tb.rec.mu.Unlock()
		if len(m.Text) > 5 && m.Text[:5] == "echo " {
			ids, err := c.Send(m.Chat.ID, bot.Outgoing{Text: m.Text[5:], ReplyTo: m.ID})
			tb.rec.mu.Lock()
			tb.rec.sent = append(tb.rec.sent, ids...)
			tb.rec.mu.Unlock()
			return err
		}
		return nil
	})
	b := bot.New(p, r, bot.WithStopTimeout(10*time.Second))
	b.Use(middleware.Dedupe(st))
	ctx, cancel := context.WithCancel(context.Background())
	tb.stop = cancel
	go func() { tb.done <- b.Run(ctx) }()
	t.Cleanup(func() { tb.halt(t) })
	return tb
}

func (tb *testBot) halt(t *testing.T) {
	tb.stop()
	select {
	case <-tb.done:
	case <-time.After(20 * time.Second):
		t.Fatal("bot did not stop")
	}
	tb.done <- nil // later halts return at once
}

func waitFor(t *testing.T, what string, cond func() bool) {
	t.Helper()
	deadline := time.Now().Add(20 * time.Second)
	for !cond() {
		if time.Now().After(deadline) {
			t.Fatalf("timed out waiting for %s", what)
		}
		time.Sleep(2 * time.Millisecond)
	}
}

func TestCapabilities(t *testing.T) {
	p := virola.New("http://127.0.0.1:1", virola.WithToken("x"))
	if bot.Has(p, bot.CanEdit) {
		t.Fatal("virola has no edit, but the platform says it can")
	}
	if !bot.Has(p, bot.CanDelete) || bot.Has(p, bot.CanReact) || bot.Has(p, bot.CanBlock) {
		t.Fatalf("capabilities %v", bot.Capabilities(p))
	}
}

// Comments are messages with ReplyTo; edits and read marks are updates,
// never new messages; the bot's own messages never reach OnMessage; Send
// returns the id the server gave.
func TestMessagesCommentsUpdatesOwn(t *testing.T) {
	w := newSimWorld(t, false)
	tb := runBot(t, w, store.NewMemory())
	room := parseID(t, w.ConnectContact(t, "alice", false))
	alice := w.contactOf(room)
	m1, _ := w.sim.Post(alice, room, "echo hello")
	waitFor(t, "the echo", func() bool { return len(tb.rec.snapshot().sent) == 1 })
	got := tb.rec.snapshot()
	sentID, _ := strconv.ParseInt(got.sent[0], 10, 64)
	sm, ok := w.sim.Message(sentID)
	if !ok || sm.UserID != w.bot.UserID || sm.Text != "hello" || sm.ParentMessageID != m1.MessageID {
		t.Fatalf("Send returned %d, which is %+v", sentID, sm)
	}
	c1, _ := w.sim.Comment(alice, m1.MessageID, "a comment")
	if err := w.sim.Edit(alice, m1.MessageID, "edited"); err != nil {
		t.Fatal(err)
	}
	if err := w.sim.MarkRead(alice, m1.MessageID); err != nil {
		t.Fatal(err)
	}
	_ = w.sim.Delete(alice, c1.MessageID)
	waitFor(t, "the deletion", func() bool { return len(tb.rec.snapshot().deleted) == 1 })
	got = tb.rec.snapshot()
	if len(got.msgs) != 2 || got.msgs[0].ReplyTo != "" || got.msgs[1].ReplyTo != strconv.FormatInt(m1.MessageID, 10) ||
		got.msgs[1].Text != "a comment" || got.msgs[0].Chat.Kind != bot.Direct || got.msgs[0].Sender.Name != "alice" {
		t.Fatalf("messages %+v", got.msgs)
	}
	edited := false
	for _, u := range got.updates {
		edited = edited || u.MessageID == m1.MessageID && u.Text == "edited" && u.Edited()
	}
	if !edited {
		t.Fatalf("no edit among the updates %+v", got.updates)
	}
	if got.deleted[0] != c1.MessageID {
		t.Fatalf("deleted %v", got.deleted)
	}
	if s := tb.p.Stats(); s.Matched != 1 || s.Unmatched != 0 {
		t.Fatalf("stats %+v", s)
	}
}

// When the event of the bot's own message is late, Send finds the id in
// the room; it never makes one up.
func TestSendFindsIDWithoutEvent(t *testing.T) {
	w := newSimWorld(t, false)
	tb := runBot(t, w, store.NewMemory(), virola.WithSendMatch(20*time.Millisecond))
	room := parseID(t, w.ConnectContact(t, "alice", false))
	w.sim.SetEventDelay(0)
	ctx := ctxT(t)
	waitFor(t, "ready", tb.p.Ready)
	w.sim.SetEventDelay(300 * time.Millisecond)
	ids, err := tb.p.Send(ctx, strconv.FormatInt(room, 10), bot.Outgoing{Text: "late"})
	if err != nil || len(ids) != 1 {
		t.Fatalf("ids %v err %v", ids, err)
	}
	id, _ := strconv.ParseInt(ids[0], 10, 64)
	if m, _ := w.sim.Message(id); m.Text != "late" || m.UserID != w.bot.UserID {
		t.Fatalf("id %d is %+v", id, m)
	}
	w.sim.SetEventDelay(0)
}

// A refused token ends Listen at once with the 401, without retrying.
func TestExpiredTokenIsPermanent(t *testing.T) {
	w := newSimWorld(t, false)
	w.sim.RenewToken(w.bot.UserID)
	p := w.NewPlatform(t, store.NewMemory())
	ctx := ctxT(t)
	err := p.Listen(ctx, func(bot.Event) error { return nil })
	if !virola.IsUnauthorized(err) || !kit.IsPermanent(err) {
		t.Fatalf("Listen: %v, want a permanent 401", err)
	}
	if n := w.sim.Stats().Unauthorize; n != 1 {
		t.Fatalf("%d refused requests, want exactly one (no retry)", n)
	}
}

// A malformed frame is counted and followed by a catch-up: the message
// its frame may have carried is not lost.
func TestMalformedFrameCatchesUp(t *testing.T) {
	w := newSimWorld(t, false)
	tb := runBot(t, w, store.NewMemory())
	room := parseID(t, w.ConnectContact(t, "alice", false))
	alice := w.contactOf(room)
	w.sim.Post(alice, room, "first")
	waitFor(t, "first", func() bool { return len(tb.rec.snapshot().msgs) == 1 })
	w.sim.InjectRaw(`{"type":"TextMessagesCreated","data":{"messages":[{"messageId":"oops"}]}}`)
	waitFor(t, "the malformed count", func() bool { return tb.p.Stats().Malformed == 1 })
	w.sim.Post(alice, room, "second")
	waitFor(t, "second", func() bool { return len(tb.rec.snapshot().msgs) == 2 })
	if open := w.sim.Stats().Conns; open != 1 {
		t.Fatalf("%d sockets open: a malformed frame must not close it", open)
	}
}

// Comments written while the socket was down are caught up through their
// parent, which the room's last message does not show.
func TestCommentsCaughtUpAfterDrop(t *testing.T) {
	w := newSimWorld(t, false)
	tb := runBot(t, w, store.NewMemory())
	room := parseID(t, w.ConnectContact(t, "alice", false))
	alice := w.contactOf(room)
	m1, _ := w.sim.Post(alice, room, "topic")
	waitFor(t, "topic", func() bool { return len(tb.rec.snapshot().msgs) == 1 })
	w.sim.DropAfter(1) // the socket goes with the next frame
	w.sim.Comment(alice, m1.MessageID, "c1")
	w.sim.Comment(alice, m1.MessageID, "c2")
	w.sim.Comment(alice, m1.MessageID, "c3")
	waitFor(t, "every comment", func() bool { return len(tb.rec.snapshot().msgs) == 4 })
	seen := map[string]int{}
	for _, m := range tb.rec.snapshot().msgs {
		seen[m.Text]++
	}
	for _, c := range []string{"topic", "c1", "c2", "c3"} {
		if seen[c] != 1 {
			t.Fatalf("%s handled %d times (%v)", c, seen[c], seen)
		}
	}
	// The server counts a socket only after the handshake the client
	// has seen, so this is waited for too.
	waitFor(t, "the second socket", func() bool { return w.sim.Stats().TotalConns >= 2 })
}

// Rooms created while the bot was stopped are caught up from the stored
// high-water mark; a first start answers no history.
func TestRestartFindsNewRooms(t *testing.T) {
	w := newSimWorld(t, false)
	st := store.NewMemory()
	old := w.sim.AddUser("old", "Old", "x")
	oldRoom, _ := w.sim.NewPrivateRoom(old.UserID, w.bot.UserID)
	h, _ := w.sim.Post(old.UserID, oldRoom.RoomID, "history") // before the bot ever ran
	// Read by the bot's account: a first start answers what is unread.
	if err := w.sim.MarkRead(w.bot.UserID, h.MessageID); err != nil {
		t.Fatal(err)
	}
	tb := runBot(t, w, st)
	room := parseID(t, w.ConnectContact(t, "alice", false))
	w.sim.Post(w.contactOf(room), room, "one")
	waitFor(t, "one", func() bool { return len(tb.rec.snapshot().msgs) == 1 })
	tb.halt(t)
	if err := tb.p.Close(ctxT(t)); err != nil {
		t.Fatal(err)
	}
	bob := w.sim.AddUser("bob", "Bob", "x")
	r2, _ := w.sim.NewPrivateRoom(bob.UserID, w.bot.UserID)
	w.sim.Post(bob.UserID, r2.RoomID, "while away")
	w.sim.Post(w.contactOf(room), room, "two")
	tb2 := runBot(t, w, st)
	waitFor(t, "both", func() bool { return len(tb2.rec.snapshot().msgs) == 2 })
	w.sim.Post(bob.UserID, r2.RoomID, "marker")
	waitFor(t, "marker", func() bool { return len(tb2.rec.snapshot().msgs) == 3 })
	for _, m := range append(tb.rec.snapshot().msgs, tb2.rec.snapshot().msgs...) {
		if m.Text == "history" {
			t.Fatal("history from before the first start was answered")
		}
	}
}

func (w *simWorld) contactOf(room int64) int64 {
	w.mu.Lock()
	defer w.mu.Unlock()
	return w.contacts[room]
}

// httpConnGoroutines counts the goroutines of client-side HTTP
// keep-alive connections in this process.
func httpConnGoroutines() int {
	buf := make([]byte, 8<<20)
	buf = buf[:runtime.Stack(buf, true)]
	return strings.Count(string(buf), "net/http.(*persistConn).")
}

// The platform's own transport keeps no connection (and so no goroutine)
// once the bot stopped: Close closes its idle connections.
func TestCloseLeavesNoIdleConnections(t *testing.T) {
	w := newSimWorld(t, false)
	if tr, ok := http.DefaultTransport.(*http.Transport); ok {
		tr.CloseIdleConnections()
	}
	base := httpConnGoroutines()
	tb := runBot(t, w, store.NewMemory())
	room := parseID(t, w.ConnectContact(t, "alice", false))
	alice := w.contactOf(room)
	for i := range 5 {
		if _, err := w.sim.Post(alice, room, "echo "+strconv.Itoa(i)); err != nil {
			t.Fatal(err)
		}
	}
	waitFor(t, "five replies", func() bool { return len(tb.rec.snapshot().sent) == 5 })
	if httpConnGoroutines() <= base {
		t.Fatal("the platform used no keep-alive connection; the test proves nothing")
	}
	tb.halt(t)
	waitFor(t, "the platform's connections to close", func() bool { return httpConnGoroutines() <= base })
}
