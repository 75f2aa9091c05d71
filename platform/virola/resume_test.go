package virola_test

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
	"github.com/parleybot/parley/platform/virola"
	"github.com/parleybot/parley/store"
)

func readByBot(w *simWorld, id int64) bool {
	m, ok := w.sim.Message(id)
	if !ok {
		return false
	}
	for _, rt := range m.ReadTimestamps {
		if rt.UserID == w.bot.UserID {
			return true
		}
	}
	return false
}

func texts(ms []bot.Message) []string {
	var out []string
	for _, m := range ms {
		out = append(out, m.Text)
	}
	return out
}

// A bot whose store is gone at a restart (a memory store) resumes from
// the server's read marks, which follow the handled messages: it gets
// what arrived while it was down, and nothing twice.
func TestRestartWithoutStoreResumesFromReadMarks(t *testing.T) {
	w := newSimWorld(t, false)
	core, logs := observer.New(zap.InfoLevel)
	tb := runBot(t, w, store.NewMemory(), virola.WithLogger(zap.New(core)))
	room := parseID(t, w.ConnectContact(t, "alice", false))
	alice := w.contactOf(room)
	one, _ := w.sim.Post(alice, room, "one")
	waitFor(t, "the first message marked read", func() bool { return readByBot(w, one.MessageID) })
	tb.halt(t)

	w.sim.Post(alice, room, "two")
	w.sim.Post(alice, room, "three")
	tb2 := runBot(t, w, store.NewMemory(), virola.WithLogger(zap.New(core)))
	waitFor(t, "the messages sent while down", func() bool { return len(tb2.rec.snapshot().msgs) >= 2 })
	w.sim.Post(alice, room, "four")
	waitFor(t, "a live message", func() bool { return len(tb2.rec.snapshot().msgs) >= 3 })
	if got := texts(tb2.rec.snapshot().msgs); !slices.Equal(got, []string{"two", "three", "four"}) {
		t.Fatalf("after the restart: %q", got)
	}
	var sources []string
	for _, e := range logs.FilterMessage("virola: resume source").All() {
		sources = append(sources, e.ContextMap()["source"].(string))
	}
	if !slices.Equal(sources, []string{"server read markers", "server read markers"}) {
		t.Fatalf("resume sources logged: %q", sources)
	}
}

// Read marks are per message: one read out of order does not hide an
// older unread one, and messages the bot read are skipped.
func TestResumeFromReadMarksSkipsReadMessages(t *testing.T) {
	w := newSimWorld(t, false)
	tb := runBot(t, w, store.NewMemory(), virola.WithMarkRead(false))
	room := parseID(t, w.ConnectContact(t, "alice", false))
	tb.halt(t)
	alice := w.contactOf(room)
	a, _ := w.sim.Post(alice, room, "a")
	w.sim.Post(alice, room, "b")
	c, _ := w.sim.Post(alice, room, "c")
	for _, id := range []int64{a.MessageID, c.MessageID} {
		if err := w.sim.MarkRead(w.bot.UserID, id); err != nil {
			t.Fatal(err)
		}
	}
	w.sim.Post(alice, room, "d")
	if err := w.sim.MarkRead(w.bot.UserID, a.MessageID+100); err == nil {
		t.Fatal("marking an unknown message read was taken")
	}
	tb2 := runBot(t, w, store.NewMemory())
	waitFor(t, "the unread messages", func() bool { return len(tb2.rec.snapshot().msgs) >= 2 })
	if got := texts(tb2.rec.snapshot().msgs); !slices.Equal(got, []string{"b", "d"}) {
		t.Fatalf("got %q, want [b d]", got)
	}
	if s := tb2.p.Stats(); s.Read != 1 {
		t.Fatalf("stats %+v, want one message skipped as read", s)
	}
}

// A message whose handler could not deliver its command is not marked
// read; the next ones are.
func TestUndeliveredMessageIsNotMarkedRead(t *testing.T) {
	w := newSimWorld(t, false)
	p := virola.New(w.sim.URL(), append(testOptions(nil), w.auth...)...)
	ctx, cancel := context.WithCancel(context.Background())
	done := make(chan error, 1)
	go func() {
		done <- p.Listen(ctx, func(e bot.Event) error {
			if c, ok := e.(*virola.TextMessagesCreated); ok {
				var err error
				if c.TextMessages[0].Text == "one" {
					err = fmt.Errorf("reply: %w", bot.ErrNotSent)
				}
				p.EventHandled(e, err)
			}
			return nil
		})
	}()
	defer func() { cancel(); <-done }()
	room := parseID(t, w.ConnectContact(t, "alice", false))
	alice := w.contactOf(room)
	one, _ := w.sim.Post(alice, room, "one")
	two, _ := w.sim.Post(alice, room, "two")
	waitFor(t, "the second message marked read", func() bool { return readByBot(w, two.MessageID) })
	if readByBot(w, one.MessageID) {
		t.Fatal("the undelivered message was marked read")
	}
}

// A message the bot answered (its reply is a comment on it) before it
// was killed, its outcome never reported, is not passed on again by the
// catch-up after the restart.
func TestCatchUpSkipsMessageAlreadyRepliedTo(t *testing.T) {
	w := newSimWorld(t, false)
	st := store.NewMemory()
	opts := append(testOptions(st), w.auth...)
	reply := func(p *virola.Platform, e bot.Event) error {
		m := e.(*virola.TextMessagesCreated).Messages()[0]
		_, err := p.Send(context.Background(), m.Chat.ID, bot.Outgoing{Text: "echo: " + m.Text, ReplyTo: m.ID})
		return err
	}
	p1 := virola.New(w.sim.URL(), opts...)
	ctx1, kill := context.WithCancel(context.Background())
	done1 := make(chan error, 1)
	replied := make(chan error, 1)
	go func() {
		done1 <- p1.Listen(ctx1, func(e bot.Event) error {
			if _, ok := e.(*virola.TextMessagesCreated); ok {
				replied <- reply(p1, e) // never reported: killed first
			}
			return nil
		})
	}()
	room := parseID(t, w.ConnectContact(t, "alice", false))
	alice := w.contactOf(room)
	w.sim.Post(alice, room, "one")
	if err := <-replied; err != nil {
		t.Fatal(err)
	}
	kill()
	<-done1

	p2 := virola.New(w.sim.URL(), opts...)
	ctx2, stop := context.WithCancel(context.Background())
	done2 := make(chan error, 1)
	var mu sync.Mutex
	var got []string
	go func() {
		done2 <- p2.Listen(ctx2, func(e bot.Event) error {
			if c, ok := e.(*virola.TextMessagesCreated); ok {
				mu.Lock()
				got = append(got, c.TextMessages[0].Text)
				mu.Unlock()
				p2.EventHandled(e, reply(p2, e))
			}
			return nil
		})
	}()
	defer func() { stop(); <-done2 }()
	waitFor(t, "the platform", p2.Ready)
	w.sim.Post(alice, room, "two")
	waitFor(t, "the live message", func() bool { mu.Lock(); defer mu.Unlock(); return slices.Contains(got, "two") })
	mu.Lock()
	defer mu.Unlock()
	if !slices.Equal(got, []string{"two"}) {
		t.Fatalf("after the restart: %q, want [two]", got)
	}
	if s := p2.Stats(); s.Replied != 1 {
		t.Fatalf("stats %+v, want one message skipped as replied to", s)
	}
}

// An unknown event type is counted each time and logged at info once.
func TestUnknownEventLoggedOnce(t *testing.T) {
	w := newSimWorld(t, false)
	core, logs := observer.New(zap.InfoLevel)
	tb := runBot(t, w, store.NewMemory(), virola.WithLogger(zap.New(core)))
	w.waitConnected(t)
	w.sim.InjectRaw(`{"type":"MessageReactionsChanged","data":{"messageId":1}}`)
	w.sim.InjectRaw(`{"type":"MessageReactionsChanged","data":{"messageId":2}}`)
	waitFor(t, "both unknown events", func() bool { return tb.p.Stats().Unknown == 2 })
	if n := len(logs.FilterField(zap.String("type", "MessageReactionsChanged")).All()); n != 1 {
		t.Fatalf("%d info lines about the unknown event, want 1", n)
	}
}

// A message whose handler was told its reply was not delivered is handed
// to its handler again after a restart, even though the reply landed.
func TestUndeliveredReplyIsHandledAgainAfterRestart(t *testing.T) {
	w := newSimWorld(t, false)
	st := store.NewMemory()
	opts := append(testOptions(st), w.auth...)
	listen := func(p *virola.Platform, fail bool, got chan<- string) func() {
		ctx, cancel := context.WithCancel(context.Background())
		done := make(chan error, 1)
		go func() {
			done <- p.Listen(ctx, func(e bot.Event) error {
				if c, ok := e.(*virola.TextMessagesCreated); ok {
					m := c.Messages()[0]
					_, err := p.Send(context.Background(), m.Chat.ID, bot.Outgoing{Text: "echo", ReplyTo: m.ID})
					if err == nil && fail {
						err = fmt.Errorf("the answer was lost: %w", bot.ErrOutcomeUnknown)
					}
					p.EventHandled(e, err)
					got <- m.Text
				}
				return nil
			})
		}()
		waitFor(t, "the platform", p.Ready)
		return func() {
			cancel()
			<-done
			if err := p.Close(context.Background()); err != nil {
				t.Error(err)
			}
		}
	}
	got1 := make(chan string, 10)
	stop1 := listen(virola.New(w.sim.URL(), opts...), true, got1)
	room := parseID(t, w.ConnectContact(t, "alice", false))
	w.sim.Post(w.contactOf(room), room, "one")
	<-got1
	stop1()

	got2 := make(chan string, 10)
	p2 := virola.New(w.sim.URL(), opts...)
	stop2 := listen(p2, false, got2)
	defer stop2()
	select {
	case text := <-got2:
		if text != "one" {
			t.Fatalf("after the restart: %q, want the undelivered message again", text)
		}
	case <-time.After(20 * time.Second):
		t.Fatal("the undelivered message was not passed on again")
	}
	if s := p2.Stats(); s.Replied != 0 {
		t.Fatalf("stats %+v: skipped as replied to", s)
	}
}

// The server's update for the bot's own read mark is not passed on;
// other read marks are.
func TestOwnReadMarkUpdateNotPassedOn(t *testing.T) {
	w := newSimWorld(t, false)
	tb := runBot(t, w, store.NewMemory())
	room := parseID(t, w.ConnectContact(t, "alice", false))
	alice := w.contactOf(room)
	one, _ := w.sim.Post(alice, room, "one")
	waitFor(t, "the echo of the bot's read mark", func() bool { return tb.p.Stats().OwnReads == 1 })
	mine, err := tb.p.Send(context.Background(), itoa(room), bot.Outgoing{Text: "hi"})
	if err != nil || len(mine) != 1 {
		t.Fatalf("send: %v %v", mine, err)
	}
	if err := w.sim.MarkRead(alice, parseID(t, mine[0])); err != nil {
		t.Fatal(err)
	}
	waitFor(t, "alice's read mark", func() bool { return len(tb.rec.snapshot().updates) > 0 })
	for _, u := range tb.rec.snapshot().updates {
		if u.MessageID == one.MessageID {
			t.Fatalf("the update of the bot's own read mark was passed on: %+v", u)
		}
	}
}

func itoa(n int64) string { return fmt.Sprint(n) }

// A reply whose answer a drop cut was posted all the same: the message is
// handled again after the reconnect, and its reply is found in the thread
// instead of being posted twice.
func TestReplyCutByDropIsNotPostedTwice(t *testing.T) {
	w := newSimWorld(t, false)
	tb := runBot(t, w, store.NewMemory())
	waitFor(t, "the platform", tb.p.Ready)
	room := parseID(t, w.ConnectContact(t, "alice", false))
	w.sim.CutNextPost()
	w.sim.Post(w.contactOf(room), room, "echo once")
	handledTwice := func() bool {
		n := 0
		for _, m := range tb.rec.snapshot().msgs {
			if m.Text == "echo once" {
				n++
			}
		}
		return n == 2
	}
	waitFor(t, "the message handled again after the cut", handledTwice)
	waitFor(t, "the reconciled reply", func() bool { return tb.p.Stats().Reconciled == 1 })
	var replies []virola.Message
	for _, m := range w.sim.PostedBy(w.bot.UserID) {
		if m.Text == "once" {
			replies = append(replies, m)
		}
	}
	if len(replies) != 1 {
		t.Fatalf("the bot posted %d replies %+v, want 1", len(replies), replies)
	}
	if got := tb.rec.snapshot().sent; !slices.Contains(got, itoa(replies[0].MessageID)) {
		t.Fatalf("Send returned %q, want the earlier reply's id %d", got, replies[0].MessageID)
	}
}

// A bot killed before it ever wrote its high-water mark, but after it
// stored a cursor, resumes as a restart, not as a first start: a room it
// had not passed anything of yet keeps the messages that came while it
// was down, rather than starting at the room's newest message.
func TestKillBeforeMarkKeepsMessagesOfRoomsWithoutCursor(t *testing.T) {
	w := newSimWorld(t, false)
	st := store.NewMemory()
	opts := append(testOptions(st), w.auth...)
	listen := func(p *virola.Platform, got chan<- string) (kill func()) {
		ctx, cancel := context.WithCancel(context.Background())
		done := make(chan error, 1)
		go func() {
			done <- p.Listen(ctx, func(e bot.Event) error {
				if c, ok := e.(*virola.TextMessagesCreated); ok {
					m := c.Messages()[0]
					_, err := p.Send(ctx, m.Chat.ID, bot.Outgoing{Text: "echo " + m.Text, ReplyTo: m.ID})
					p.EventHandled(e, err)
					got <- m.Text
				}
				return nil
			})
		}()
		waitFor(t, "the platform", p.Ready)
		// No Close: the process dies with what reached the store.
		return func() { cancel(); <-done }
	}
	got1 := make(chan string, 10)
	kill1 := listen(virola.New(w.sim.URL(), opts...), got1)
	roomA := parseID(t, w.ConnectContact(t, "alice", false))
	roomB := parseID(t, w.ConnectContact(t, "bob", false))
	w.sim.Post(w.contactOf(roomA), roomA, "a1")
	if text := <-got1; text != "a1" {
		t.Fatalf("first process got %q", text)
	}
	kill1()

	w.sim.Post(w.contactOf(roomB), roomB, "b1")
	w.sim.Post(w.contactOf(roomA), roomA, "a2")
	got2 := make(chan string, 10)
	kill2 := listen(virola.New(w.sim.URL(), opts...), got2)
	defer kill2()
	var seen []string
	deadline := time.After(20 * time.Second)
	for len(seen) < 2 {
		select {
		case text := <-got2:
			seen = append(seen, text)
		case <-deadline:
			t.Fatalf("after the restart got %q, want a2 and b1", seen)
		}
	}
	slices.Sort(seen)
	if !slices.Equal(seen, []string{"a2", "b1"}) {
		t.Fatalf("after the restart got %q, want a2 and b1", seen)
	}
}
