package olvid_test

import (
	"context"
	"fmt"
	"sync"
	"sync/atomic"
	"testing"
	"time"

	"go.uber.org/zap"
	"go.uber.org/zap/zaptest/observer"

	"github.com/parleybot/parley/bot"
	"github.com/parleybot/parley/platform/olvid"
	"github.com/parleybot/parley/platform/olvid/olvidsim"
	"github.com/parleybot/parley/router"
	"github.com/parleybot/parley/store"
)

func resumeSources(logs *observer.ObservedLogs) []string {
	var out []string
	for _, e := range logs.FilterMessage("olvid: resume source").All() {
		out = append(out, e.ContextMap()["source"].(string))
	}
	return out
}

// A bot whose store is gone at a restart (a memory store) still gets what
// arrived while it was down: the daemon keeps those messages unread, and
// the platform lists them at start-up. The message it answered before is
// not passed on again.
func TestRestartWithoutStoreGetsWhatArrivedMeanwhile(t *testing.T) {
	sim := newSim(t)
	alice := sim.AddContact("alice")
	core, logs := observer.New(zap.InfoLevel)
	log := newLog()
	p1 := newPlatform(t, sim, store.NewMemory(), olvid.WithLogger(zap.New(core)))
	run := runBot(t, p1, log, func(_ *bot.Bot, r *router.Router) {
		r.Use(func(next bot.Handler) bot.Handler {
			return bot.HandlerFunc(func(c *bot.Context) error {
				if err := next.Handle(c); err != nil {
					return err
				}
				return c.Reply("got it")
			})
		})
	})
	waitFor(t, "the streams", p1.Ready)
	if _, err := sim.ContactSend(alice.DiscussionID, "one"); err != nil {
		t.Fatal(err)
	}
	waitFor(t, "the answer to the first message", func() bool { return sim.BotSentCount() == 1 })
	run.stop(t)
	// The daemon counts a message read once it is queued to a stream,
	// even one whose client is gone; wait until it knows.
	waitFor(t, "the streams to close", func() bool { return sim.Subscribers("MessageReceived") == 0 })

	for _, text := range []string{"two", "three"} {
		if _, err := sim.ContactSend(alice.DiscussionID, text); err != nil {
			t.Fatal(err)
		}
	}
	p2 := newPlatform(t, sim, store.NewMemory(), olvid.WithLogger(zap.New(core)))
	run = runBot(t, p2, log, nil)
	waitFor(t, "the messages sent while down", func() bool { return log.count("two") == 1 && log.count("three") == 1 })
	run.stop(t)
	if n := len(log.all()); n != 3 {
		t.Fatalf("handled %d messages, want 3", n)
	}
	if got := resumeSources(logs); len(got) != 2 || got[0] != "server read markers" || got[1] != "server read markers" {
		t.Fatalf("resume sources logged: %q", got)
	}
}

// The daemon counts a message read once it notified it to any client,
// even one that dies before handling it. A bot restarted without a store
// still gets such messages when they came in the dead process's last
// moments, after the bot's last message in their discussion; a message
// it replied to, or one read long before, is not passed on again.
func TestRestartWithoutStoreGetsWhatADeadProcessWasNotified(t *testing.T) {
	var clock atomic.Int64
	clock.Store(time.Date(2026, 1, 1, 12, 0, 0, 0, time.UTC).UnixMilli())
	sim := newSim(t, olvidsim.WithClock(func() time.Time { return time.UnixMilli(clock.Load()) }))
	alice, bob := sim.AddContact("alice"), sim.AddContact("bob")

	p1 := newPlatform(t, sim, store.NewMemory())
	handled := make(chan string, 10)
	stop1 := listenRaw(t, p1, func(m *olvid.MessageReceived) {
		var err error
		if text := m.Messages()[0].Text; text == "one" {
			err = echo(p1, m)
		}
		p1.EventHandled(m, err)
		handled <- m.Messages()[0].Text
	})
	waitFor(t, "the streams", p1.Ready)
	for _, s := range []struct {
		disc uint64
		text string
	}{{bob.DiscussionID, "old"}, {alice.DiscussionID, "one"}} {
		if _, err := sim.ContactSend(s.disc, s.text); err != nil {
			t.Fatal(err)
		}
		if got := <-handled; got != s.text {
			t.Fatalf("handled %q, want %q", got, s.text)
		}
	}
	stop1()
	if err := p1.Close(context.Background()); err != nil {
		t.Fatal(err)
	}
	waitFor(t, "the streams to close", func() bool { return sim.Subscribers("MessageReceived") == 0 })

	// Ten minutes on, a process is notified of two messages and dies
	// before handling them.
	clock.Add((10 * time.Minute).Milliseconds())
	c, err := olvid.NewClient(sim.Addr(), olvid.WithClientKey(sim.ClientKey()))
	if err != nil {
		t.Fatal(err)
	}
	ctx, cancel := context.WithCancel(context.Background())
	defer cancel()
	notified := make(chan struct{}, 2)
	ended := make(chan error, 1)
	go func() {
		ended <- c.Subscribe(ctx, olvid.NotifyMessageReceived, nil, func(bot.Event) error {
			notified <- struct{}{}
			return nil
		})
	}()
	waitFor(t, "the dying process's stream", func() bool { return sim.Subscribers("MessageReceived") == 1 })
	for _, s := range []struct {
		disc uint64
		text string
	}{{alice.DiscussionID, "two"}, {bob.DiscussionID, "three"}} {
		if _, err := sim.ContactSend(s.disc, s.text); err != nil {
			t.Fatal(err)
		}
		<-notified
	}
	cancel()
	<-ended
	_ = c.Close()
	waitFor(t, "the streams to close", func() bool { return sim.Subscribers("MessageReceived") == 0 })
	if _, err := sim.ContactSend(alice.DiscussionID, "four"); err != nil {
		t.Fatal(err)
	}
	// Ten minutes on again, a message that came after the unread ones is
	// read, as one notified to the new process before its listing would
	// be: it does not make the dead process's last moments look old.
	clock.Add((10 * time.Minute).Milliseconds())
	if _, err := sim.ContactSend(bob.DiscussionID, "five"); err != nil {
		t.Fatal(err)
	}
	c, err = olvid.NewClient(sim.Addr(), olvid.WithClientKey(sim.ClientKey()))
	if err != nil {
		t.Fatal(err)
	}
	disc := bob.DiscussionID
	if listed, err := c.ListMessages(context.Background(), &olvid.MessageFilter{DiscussionId: &disc}, true); err != nil || len(listed) != 1 {
		t.Fatalf("listing bob's unread messages: %d, %v", len(listed), err)
	}
	_ = c.Close()

	log := newLog()
	p2 := newPlatform(t, sim, store.NewMemory())
	run := runBot(t, p2, log, nil)
	waitFor(t, "the messages the dead process never handled", func() bool {
		return log.count("two") == 1 && log.count("three") == 1 && log.count("four") == 1 && log.count("five") == 1
	})
	run.stop(t)
	if log.count("one") != 0 || log.count("old") != 0 || len(log.all()) != 4 {
		t.Fatalf("after the restart the bot handled %v, want two, three, four and five once each", log.texts)
	}
	if s := p2.Stats(); s.Recovered != 3 {
		t.Fatalf("stats %+v, want the three read messages recovered", s)
	}
}

// A message the bot replied to before it was killed (its outcome never
// reported) is not passed on again by the catch-up after the restart: the
// bot's reply quotes it.
func TestCatchUpSkipsMessageAlreadyRepliedTo(t *testing.T) {
	sim := newSim(t)
	alice := sim.AddContact("alice")
	st := store.NewMemory()

	p1 := newPlatform(t, sim, st)
	replied := make(chan error, 1)
	kill := listenRaw(t, p1, func(m *olvid.MessageReceived) {
		replied <- echo(p1, m) // and never reported: killed first
	})
	waitFor(t, "the streams", p1.Ready)
	if _, err := sim.ContactSend(alice.DiscussionID, "one"); err != nil {
		t.Fatal(err)
	}
	if err := <-replied; err != nil {
		t.Fatal(err)
	}
	kill() // no Platform.Close: nothing more is written
	_ = p1.Client().Close()

	p2 := newPlatform(t, sim, st)
	var mu sync.Mutex
	var got []string
	stop := listenRaw(t, p2, func(m *olvid.MessageReceived) {
		mu.Lock()
		got = append(got, m.Messages()[0].Text)
		mu.Unlock()
		p2.EventHandled(m, echo(p2, m))
	})
	defer func() {
		stop()
		_ = p2.Close(context.Background())
	}()
	waitFor(t, "the streams", p2.Ready)
	if _, err := sim.ContactSend(alice.DiscussionID, "two"); err != nil {
		t.Fatal(err)
	}
	waitFor(t, "the reply to the live message", func() bool { return sim.BotSentCount() >= 2 })
	mu.Lock()
	defer mu.Unlock()
	if len(got) != 1 {
		t.Fatalf("after the restart: %q, want [two]", got)
	}
	if n := sim.BotSentCount(); n != 2 {
		t.Fatalf("the bot sent %d messages, want one reply per message", n)
	}
	if s := p2.Stats(); s.Replied != 1 {
		t.Fatalf("stats %+v, want one message skipped as replied to", s)
	}
}

// An unknown notification is counted each time and logged at info once
// per notification.
func TestUnknownNotificationLoggedOnce(t *testing.T) {
	sim := newSim(t)
	core, logs := observer.New(zap.InfoLevel)
	log := newLog()
	p := newPlatform(t, sim, nil, olvid.WithLogger(zap.New(core)))
	run := runBot(t, p, log, nil)
	waitFor(t, "the streams", p.Ready)
	sim.EmitUnknown()
	sim.EmitUnknown()
	waitFor(t, "both unknown notifications", func() bool { return p.Stats().Unknown == 2 })
	run.stop(t)
	var n int
	for _, e := range logs.All() {
		if e.ContextMap()["notification"] == "MessageReceived" {
			n++
		}
	}
	if n != 1 {
		t.Fatalf("%d info lines about the unknown notification, want 1", n)
	}
}

// A message whose handler was told its reply was not delivered is handed
// to its handler again after a restart, even though the reply landed:
// the handler decides, as it was told. The reply it sends again is found
// in the discussion, quoting the message, and not sent a second time.
func TestUndeliveredReplyIsHandledAgainAfterRestart(t *testing.T) {
	sim := newSim(t)
	alice := sim.AddContact("alice")
	st := store.NewMemory()
	listen := func(p *olvid.Platform, fail bool, got chan<- string) func() {
		stop := listenRaw(t, p, func(m *olvid.MessageReceived) {
			err := echo(p, m)
			if err == nil && fail {
				err = fmt.Errorf("the answer was lost: %w", bot.ErrOutcomeUnknown)
			}
			p.EventHandled(m, err)
			got <- m.Messages()[0].Text
		})
		waitFor(t, "the streams", p.Ready)
		return func() {
			stop()
			if err := p.Close(context.Background()); err != nil {
				t.Error(err)
			}
		}
	}
	got1 := make(chan string, 10)
	p1 := newPlatform(t, sim, st)
	stop1 := listen(p1, true, got1)
	if _, err := sim.ContactSend(alice.DiscussionID, "one"); err != nil {
		t.Fatal(err)
	}
	<-got1
	stop1()

	got2 := make(chan string, 10)
	p2 := newPlatform(t, sim, st)
	stop2 := listen(p2, false, got2)
	defer stop2()
	select {
	case text := <-got2:
		if text != "one" {
			t.Fatalf("after the restart: %q, want the undelivered message again", text)
		}
	case <-time.After(wait):
		t.Fatal("the undelivered message was not passed on again")
	}
	if s := p2.Stats(); s.Replied != 0 || s.Reconciled != 1 {
		t.Fatalf("stats %+v: want no message skipped as replied to, one reply found sent", s)
	}
	if n := sim.BotSentCount(); n != 1 {
		t.Fatalf("the bot replied %d times to one message", n)
	}
}
