// Package platformtest is the conformance suite every Parley platform and
// its simulator pass. A platform package provides a World, which drives its
// simulator, and calls Run from a test:
//
//	func TestConformance(t *testing.T) {
//		platformtest.Run(t, func(t *testing.T) platformtest.World { return newSimWorld(t) })
//	}
//
// The suite runs real bots (bot.Bot with the standard middleware and a
// router) against the simulator over its real wire protocol.
package platformtest

import (
	"context"
	"fmt"
	"sync"
	"sync/atomic"
	"testing"
	"time"

	"github.com/parleybot/parley/bot"
	"github.com/parleybot/parley/middleware"
	"github.com/parleybot/parley/router"
	"github.com/parleybot/parley/store"
)

// Sent is a message the bot sent, as the simulator saw it.
type Sent struct {
	ChatID  string
	Text    string
	ReplyTo string
}

// World drives one platform's simulator for the suite. Methods fail the
// test on errors. Chat and message ids are the platform's own strings, the
// same the platform puts in bot.Message.
type World interface {
	// NewPlatform returns a new platform instance for the simulator that
	// keeps its cursors in st. Several may be made one after another (a
	// restart); the suite runs at most one at a time.
	NewPlatform(t *testing.T, st store.Store) bot.Platform
	// ConnectContact makes a new contact connect to the bot and returns its
	// direct chat id. With request true the contact only asks, and the bot
	// must accept the request; the chat id is then the one the accepted
	// contact will have.
	ConnectContact(t *testing.T, name string, request bool) (chatID string)
	// ContactSend makes the contact of chatID send text; returns its id.
	ContactSend(t *testing.T, chatID, text string) (msgID string)
	// NewGroup makes a group in which the bot, running on p, is a member
	// with one other member; returns the group chat id and the member's
	// sender id and role.
	NewGroup(t *testing.T, p bot.Platform) (chatID, senderID, role string)
	// GroupSend makes the member send text to the group.
	GroupSend(t *testing.T, chatID, senderID, text string) (msgID string)
	// BotSent returns everything the bot sent, in order.
	BotSent() []Sent
	// EmitUnknown makes the simulator send an event type the platform
	// does not know.
	EmitUnknown(t *testing.T)
	// FailNextSend makes the next send command fail with a platform error.
	FailNextSend(t *testing.T)
	// IsCommandError reports whether err is the platform's typed error for
	// a command the server refused.
	IsCommandError(err error) bool
	// DropAfterFrames closes the bot's connection when the simulator sends
	// its n-th frame from now; frames in flight may be lost, as on a real
	// network.
	DropAfterFrames(t *testing.T, n int)
	// Connections returns the open and the total accepted connections.
	Connections() (open, total int)
}

// Timeout bounds every wait of the suite.
var Timeout = 20 * time.Second

// Run runs the suite; newWorld makes a fresh simulator for each case.
func Run(t *testing.T, newWorld func(t *testing.T) World) {
	cases := []struct {
		name string
		run  func(t *testing.T, w World)
	}{
		{"ConnectAndReply", testConnectAndReply},
		{"OrderWithinChatConcurrencyAcross", testOrder},
		{"ContactRequestThroughAutoAccept", testAutoAccept},
		{"GroupMessageWithSender", testGroupMessage},
		{"UnknownEventTolerated", testUnknownEvent},
		{"CommandErrorIsTyped", testCommandError},
		{"DroppedConnectionLosesNothing", testDroppedConnection},
		{"RestartFromStore", testRestart},
	}
	for _, tc := range cases {
		t.Run(tc.name, func(t *testing.T) { tc.run(t, newWorld(t)) })
	}
}

// running is a bot started by the suite.
type running struct {
	bot    *bot.Bot
	cancel context.CancelFunc
	done   chan struct{} // closed when Run returned, with err set
	err    error
	seen   *seenLog
}

func (r *running) stop(t *testing.T) {
	t.Helper()
	r.cancel()
	select {
	case <-r.done:
		if r.err != nil {
			t.Errorf("bot Run: %v", r.err)
		}
	case <-time.After(Timeout):
		t.Fatal("bot did not stop")
	}
}

// seenLog records the messages handlers received.
type seenLog struct {
	mu   sync.Mutex
	msgs []bot.Message
}

func (s *seenLog) add(m bot.Message) {
	s.mu.Lock()
	s.msgs = append(s.msgs, m)
	s.mu.Unlock()
}

func (s *seenLog) all() []bot.Message {
	s.mu.Lock()
	defer s.mu.Unlock()
	return append([]bot.Message(nil), s.msgs...)
}

// startEcho runs an echo bot on p: every direct or group message is
// answered with its own text, quoting it, and counts as handled once its
// reply was delivered. setup may add routes first.
func startEcho(t *testing.T, p bot.Platform, st store.Store, policy *middleware.AcceptPolicy, setup func(r *router.Router)) *running {
	t.Helper()
	r := router.New()
	seen := &seenLog{}
	if setup != nil {
		setup(r)
	}
	r.OnMessage(func(c *bot.Context, m bot.Message) error {
		// A reply that never reached the server leaves the message
		// unhandled: the platform passes it on again after reconnecting.
		err := c.Reply(m.Text)
		if !bot.Undelivered(err) {
			seen.add(m)
		}
		return err
	})
	b := bot.New(p, r, bot.WithStopTimeout(Timeout))
	b.Use(middleware.Recover(), middleware.Dedupe(st))
	if policy != nil {
		b.Use(middleware.AutoAccept(*policy))
	}
	ctx, cancel := context.WithCancel(context.Background())
	run := &running{bot: b, cancel: cancel, done: make(chan struct{}), seen: seen}
	go func() {
		run.err = b.Run(ctx)
		close(run.done)
	}()
	t.Cleanup(func() {
		cancel()
		select {
		case <-run.done:
		case <-time.After(Timeout):
		}
	})
	return run
}

// waitFor polls cond until it holds or the suite's timeout passes.
func waitFor(t *testing.T, what string, cond func() bool) {
	t.Helper()
	deadline := time.Now().Add(Timeout)
	tick := time.NewTicker(2 * time.Millisecond)
	defer tick.Stop()
	for !cond() {
		if time.Now().After(deadline) {
			t.Fatalf("timed out waiting for %s", what)
		}
		<-tick.C
	}
}

// echoCounts counts the bot's sends by chat and text.
func echoCounts(w World) map[[2]string]int {
	n := map[[2]string]int{}
	for _, s := range w.BotSent() {
		n[[2]string{s.ChatID, s.Text}]++
	}
	return n
}

func waitEchoes(t *testing.T, w World, want map[[2]string]int) {
	t.Helper()
	waitFor(t, fmt.Sprintf("%d echoes", len(want)), func() bool {
		got := echoCounts(w)
		for k := range want {
			if got[k] == 0 {
				return false
			}
		}
		return true
	})
}

func testConnectAndReply(t *testing.T, w World) {
	st := store.NewMemory()
	p := w.NewPlatform(t, st)
	run := startEcho(t, p, st, nil, nil)
	chat := w.ConnectContact(t, "alice", false)
	id := w.ContactSend(t, chat, "hello, bot")
	waitFor(t, "the reply", func() bool { return len(w.BotSent()) >= 1 })
	s := w.BotSent()[0]
	if s.ChatID != chat || s.Text != "hello, bot" || s.ReplyTo != id {
		t.Fatalf("reply %+v, want text %q to %s quoting %s", s, "hello, bot", chat, id)
	}
	waitFor(t, "the handler to finish", func() bool { return len(run.seen.all()) >= 1 })
	seen := run.seen.all()
	if len(seen) != 1 || seen[0].Chat.Kind != bot.Direct || seen[0].ID != id || seen[0].Chat.ID != chat {
		t.Fatalf("handler saw %+v", seen)
	}
	if open, _ := w.Connections(); open != 1 {
		t.Fatalf("%d open connections, want exactly one", open)
	}
	run.stop(t)
}

func testOrder(t *testing.T, w World) {
	const contacts, each = 4, 25
	st := store.NewMemory()
	p := w.NewPlatform(t, st)
	run := startEcho(t, p, st, nil, nil)
	chats := make([]string, contacts)
	for i := range chats {
		chats[i] = w.ConnectContact(t, fmt.Sprint("user", i), false)
	}
	for j := 0; j < each; j++ {
		for i, c := range chats {
			w.ContactSend(t, c, fmt.Sprintf("u%d-m%02d", i, j))
		}
	}
	waitFor(t, "every echo", func() bool { return len(w.BotSent()) >= contacts*each })
	byChat := map[string][]string{}
	for _, s := range w.BotSent() {
		byChat[s.ChatID] = append(byChat[s.ChatID], s.Text)
	}
	for i, c := range chats {
		got := byChat[c]
		if len(got) != each {
			t.Fatalf("chat %s: %d echoes, want %d", c, len(got), each)
		}
		for j, text := range got {
			if want := fmt.Sprintf("u%d-m%02d", i, j); text != want {
				t.Fatalf("chat %s: echo %d is %q, want %q (order broken)", c, j, text, want)
			}
		}
	}
	run.stop(t)
}

func testAutoAccept(t *testing.T, w World) {
	st := store.NewMemory()
	p := w.NewPlatform(t, st)
	policy := &middleware.AcceptPolicy{Contacts: middleware.AcceptAll, Welcome: "welcome aboard"}
	run := startEcho(t, p, st, policy, nil)
	chat := w.ConnectContact(t, "bob", true)
	waitFor(t, "the welcome", func() bool {
		for _, s := range w.BotSent() {
			if s.ChatID == chat && s.Text == "welcome aboard" {
				return true
			}
		}
		return false
	})
	w.ContactSend(t, chat, "thanks")
	waitEchoes(t, w, map[[2]string]int{{chat, "thanks"}: 1})
	run.stop(t)
}

func testGroupMessage(t *testing.T, w World) {
	st := store.NewMemory()
	p := w.NewPlatform(t, st)
	run := startEcho(t, p, st, nil, nil)
	waitFor(t, "the platform to connect", func() bool { open, _ := w.Connections(); return open == 1 })
	chat, sender, role := w.NewGroup(t, p)
	id := w.GroupSend(t, chat, sender, "hi group")
	waitEchoes(t, w, map[[2]string]int{{chat, "hi group"}: 1})
	var got *bot.Message
	waitFor(t, "the handler to finish group message "+id, func() bool {
		for _, m := range run.seen.all() {
			if m.ID == id {
				got = &m
			}
		}
		return got != nil
	})
	if got.Chat.Kind != bot.Group || got.Chat.ID != chat || got.Sender.ID != sender || got.Sender.Role != role {
		t.Fatalf("group message %+v, want chat %s sender %s role %s", got, chat, sender, role)
	}
	run.stop(t)
}

func testUnknownEvent(t *testing.T, w World) {
	st := store.NewMemory()
	p := w.NewPlatform(t, st)
	var fallback atomic.Int64
	run := startEcho(t, p, st, nil, func(r *router.Router) {
		r.Fallback(bot.HandlerFunc(func(c *bot.Context) error {
			if u, ok := c.Event().(bot.Unknowner); ok && u.Unknown() {
				fallback.Add(1)
			}
			return nil
		}))
	})
	chat := w.ConnectContact(t, "carol", false)
	w.EmitUnknown(t)
	w.ContactSend(t, chat, "still here")
	waitEchoes(t, w, map[[2]string]int{{chat, "still here"}: 1})
	waitFor(t, "the unknown event at the fallback", func() bool { return fallback.Load() >= 1 })
	if s := run.bot.Stats(); s.Unknown < 1 {
		t.Fatalf("unknown events not counted: %+v", s)
	}
	run.stop(t)
}

func testCommandError(t *testing.T, w World) {
	st := store.NewMemory()
	p := w.NewPlatform(t, st)
	errs := make(chan error, 1)
	run := startEcho(t, p, st, nil, func(r *router.Router) {
		r.OnCommand("fail", func(c *bot.Context, cmd router.Command) error {
			err := c.Reply("this send is refused")
			errs <- err
			return nil
		})
	})
	chat := w.ConnectContact(t, "dave", false)
	w.FailNextSend(t)
	w.ContactSend(t, chat, "/fail")
	var err error
	select {
	case err = <-errs:
	case <-time.After(Timeout):
		t.Fatal("command never ran")
	}
	if err == nil || !w.IsCommandError(err) {
		t.Fatalf("send error = %v, want the platform's typed command error", err)
	}
	w.ContactSend(t, chat, "after the failure")
	waitEchoes(t, w, map[[2]string]int{{chat, "after the failure"}: 1})
	run.stop(t)
}

// sendAll makes each contact send n numbered messages and returns the
// echoes expected, one each.
func sendAll(t *testing.T, w World, chats []string, from, to int) map[[2]string]int {
	want := map[[2]string]int{}
	for j := from; j < to; j++ {
		for i, c := range chats {
			text := fmt.Sprintf("c%d-%03d", i, j)
			w.ContactSend(t, c, text)
			want[[2]string{c, text}] = 1
		}
	}
	return want
}

// seenCounts counts handled messages by chat and text over the given runs.
func seenCounts(runs ...*running) map[[2]string]int {
	n := map[[2]string]int{}
	for _, r := range runs {
		for _, m := range r.seen.all() {
			n[[2]string{m.Chat.ID, m.Text}]++
		}
	}
	return n
}

// waitHandledOnce waits until every wanted message was handled, then
// checks that none was handled twice. Replies are not counted: a reply
// whose connection dropped before its answer has an unknown outcome and
// is reported to the handler as such, not retried.
func waitHandledOnce(t *testing.T, want map[[2]string]int, runs ...*running) {
	t.Helper()
	var missing [][2]string
	deadline := time.Now().Add(Timeout)
	for {
		got := seenCounts(runs...)
		missing = missing[:0]
		for k := range want {
			if got[k] == 0 {
				missing = append(missing, k)
			}
		}
		if len(missing) == 0 {
			break
		}
		if time.Now().After(deadline) {
			t.Fatalf("%d of %d messages never handled: %v", len(missing), len(want), missing)
		}
		time.Sleep(2 * time.Millisecond)
	}
	got := seenCounts(runs...)
	for k := range want {
		if got[k] != 1 {
			t.Errorf("%s %q handled %d times, want once", k[0], k[1], got[k])
		}
	}
	if len(got) != len(want) {
		t.Errorf("handled %d distinct messages, want %d", len(got), len(want))
	}
}

func testDroppedConnection(t *testing.T, w World) {
	st := store.NewMemory()
	p := w.NewPlatform(t, st)
	run := startEcho(t, p, st, nil, nil)
	chats := []string{w.ConnectContact(t, "erin", false), w.ConnectContact(t, "frank", false)}
	want := sendAll(t, w, chats, 0, 10)
	waitHandledOnce(t, want, run)
	// Drop the connection in the middle of the next bursts, twice.
	w.DropAfterFrames(t, 7)
	for k, v := range sendAll(t, w, chats, 10, 30) {
		want[k] = v
	}
	waitFor(t, "a reconnect", func() bool { open, tot := w.Connections(); return tot >= 2 && open == 1 })
	w.DropAfterFrames(t, 5)
	for k, v := range sendAll(t, w, chats, 30, 45) {
		want[k] = v
	}
	waitHandledOnce(t, want, run)
	if _, tot := w.Connections(); tot < 3 {
		t.Fatalf("connection did not drop twice (%d connections)", tot)
	}
	run.stop(t)
}

func testRestart(t *testing.T, w World) {
	st := store.NewMemory()
	p1 := w.NewPlatform(t, st)
	run1 := startEcho(t, p1, st, nil, nil)
	chats := []string{w.ConnectContact(t, "gina", false), w.ConnectContact(t, "hank", false)}
	want := sendAll(t, w, chats, 0, 10)
	waitHandledOnce(t, want, run1)
	// Lose frames in flight, then stop the bot while it may be catching up.
	w.DropAfterFrames(t, 4)
	for k, v := range sendAll(t, w, chats, 10, 20) {
		want[k] = v
	}
	run1.stop(t)
	// More arrives while no bot runs.
	for k, v := range sendAll(t, w, chats, 20, 30) {
		want[k] = v
	}
	p2 := w.NewPlatform(t, st)
	run2 := startEcho(t, p2, st, nil, nil)
	waitHandledOnce(t, want, run1, run2)
	run2.stop(t)
}
