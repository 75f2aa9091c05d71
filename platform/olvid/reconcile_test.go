package olvid_test

import (
	"context"
	"errors"
	"fmt"
	"slices"
	"strings"
	"sync"
	"sync/atomic"
	"testing"
	"time"

	"google.golang.org/grpc"
	"google.golang.org/grpc/codes"
	"google.golang.org/grpc/status"

	"github.com/parleybot/parley/bot"
	"github.com/parleybot/parley/platform/olvid"
	pb "github.com/parleybot/parley/platform/olvid/olvidpb"
	"github.com/parleybot/parley/router"
	"github.com/parleybot/parley/store"
)

// The connection drops after the daemon sent a reply but before its
// answer came back (the daemon did the work; the client sees Unavailable):
// the reply is found in the discussion instead of being sent again, the
// handler succeeds, and the message is not handled a second time after
// the reconnect.
func TestSendWithLostAnswerIsNotSentTwice(t *testing.T) {
	sim := newSim(t)
	alice := sim.AddContact("alice")
	var cut atomic.Bool
	loseAnswer := grpc.WithChainUnaryInterceptor(func(ctx context.Context, method string, req, reply any, cc *grpc.ClientConn, invoker grpc.UnaryInvoker, opts ...grpc.CallOption) error {
		err := invoker(ctx, method, req, reply, cc, opts...)
		if err == nil && strings.HasSuffix(method, "/MessageSend") && cut.CompareAndSwap(false, true) {
			sim.DropConnections()
			return status.Error(codes.Unavailable, "connection lost before the answer")
		}
		return err
	})
	p := newPlatform(t, sim, store.NewMemory(), olvid.WithDialOptions(loseAnswer))

	var mu sync.Mutex
	handled := map[string]int{}
	outcomes := map[string][]error{}
	stop := listenRaw(t, p, func(m *olvid.MessageReceived) {
		text := m.Messages()[0].Text
		// Handled in its own goroutine, as the bot does, so that the
		// platform can reconnect while the send waits.
		go func() {
			err := echo(p, m)
			mu.Lock()
			handled[text]++
			outcomes[text] = append(outcomes[text], err)
			mu.Unlock()
			p.EventHandled(m, err)
		}()
	})
	defer func() {
		stop()
		_ = p.Close(context.Background())
	}()
	waitFor(t, "the streams", p.Ready)
	if _, err := sim.ContactSend(alice.DiscussionID, "one"); err != nil {
		t.Fatal(err)
	}
	waitFor(t, "the first handling", func() bool {
		mu.Lock()
		defer mu.Unlock()
		return handled["one"] > 0
	})
	// A later message is answered only after the reconnect's catch-up,
	// which would have passed "one" on again.
	waitFor(t, "the reconnect", func() bool { return p.Stats().Sessions >= 2 && p.Ready() })
	if _, err := sim.ContactSend(alice.DiscussionID, "two"); err != nil {
		t.Fatal(err)
	}
	waitFor(t, "the second message", func() bool {
		mu.Lock()
		defer mu.Unlock()
		return handled["two"] > 0
	})
	mu.Lock()
	defer mu.Unlock()
	if !cut.Load() {
		t.Fatal("the answer of the first send was never lost")
	}
	if handled["one"] != 1 || outcomes["one"][0] != nil {
		t.Fatalf("message one handled %d times with outcomes %v, want once without error", handled["one"], outcomes["one"])
	}
	replies := 0
	for _, s := range sim.BotSent() {
		if s.Body == "echo: one" {
			replies++
		}
	}
	if replies != 1 {
		t.Fatalf("the bot replied %d times to message one, want once", replies)
	}
	if s := p.Stats(); s.Reconciled != 1 {
		t.Fatalf("stats %+v, want one send reconciled", s)
	}
}

// unreadHook runs before each listing of unread messages reaches the
// daemon; an error it returns fails the listing instead.
type unreadHook struct {
	grpc.ClientStream
	before func() error
}

func (s unreadHook) SendMsg(m any) error {
	if r, ok := m.(*pb.MessageListRequest); ok && r.GetUnread() {
		if err := s.before(); err != nil {
			return err
		}
	}
	return s.ClientStream.SendMsg(m)
}

// A catch-up's unread listing finds a message of a known discussion
// while an earlier one is still in the streams' queue (the daemon counts
// it read), and the streams then fail: the earlier one is not skipped.
// Passing the unread one on by itself made the earlier one look passed
// on already, for good.
func TestUnreadListingDoesNotSkipQueuedMessages(t *testing.T) {
	sim := newSim(t)
	alice := sim.AddContact("alice")
	var armed, fired atomic.Bool
	hook := grpc.WithChainStreamInterceptor(func(ctx context.Context, desc *grpc.StreamDesc, cc *grpc.ClientConn, method string, streamer grpc.Streamer, opts ...grpc.CallOption) (grpc.ClientStream, error) {
		cs, err := streamer(ctx, desc, cc, method, opts...)
		if err != nil || !strings.HasSuffix(method, "/MessageList") {
			return cs, err
		}
		return unreadHook{ClientStream: cs, before: func() error {
			if !armed.Load() || !fired.CompareAndSwap(false, true) {
				return nil
			}
			// "two" goes to the open stream; the streams end; "three"
			// finds no stream and stays unread.
			if _, err := sim.ContactSend(alice.DiscussionID, "two"); err != nil {
				t.Error(err)
			}
			sim.CutStreams()
			if err := sim.Wait(wait, func() bool { return sim.Subscribers("MessageReceived") == 0 }); err != nil {
				t.Error(err)
			}
			if _, err := sim.ContactSend(alice.DiscussionID, "three"); err != nil {
				t.Error(err)
			}
			return nil
		}}, nil
	})
	p := newPlatform(t, sim, store.NewMemory(), olvid.WithDialOptions(hook))
	log := newLog()
	run := runBot(t, p, log, nil)
	defer run.stop(t)
	waitFor(t, "the streams", p.Ready)
	if _, err := sim.ContactSend(alice.DiscussionID, "one"); err != nil {
		t.Fatal(err)
	}
	waitFor(t, "the first message", func() bool { return log.count("one") == 1 })
	armed.Store(true)
	sim.CutStreams() // a reconnect, whose catch-up runs the hook
	waitFor(t, "the hook", fired.Load)
	waitFor(t, "the third message", func() bool { return log.count("three") == 1 })
	// A later message is passed on after every catch-up since.
	waitFor(t, "the streams again", p.Ready)
	if _, err := sim.ContactSend(alice.DiscussionID, "four"); err != nil {
		t.Fatal(err)
	}
	waitFor(t, "the fourth message", func() bool { return log.count("four") == 1 })
	for _, text := range []string{"one", "two", "three", "four"} {
		if n := log.count(text); n != 1 {
			t.Errorf("%q handled %d times, want once", text, n)
		}
	}
}

// endSignal reports the end of a notification stream, which its reader
// sees only after it queued every notification before it.
type endSignal struct {
	grpc.ClientStream
	ended chan<- struct{}
}

func (s endSignal) RecvMsg(m any) error {
	err := s.ClientStream.RecvMsg(m)
	if err != nil {
		select {
		case s.ended <- struct{}{}:
		default:
		}
	}
	return err
}

// A session that ends during its first catch-up, with a message of a
// discussion that has no position yet queued from the stream, leaves it
// to the next catch-up: the daemon counts it read, so the unread list
// does not show it again.
func TestMessageQueuedWhenSessionEndsIsCaughtUp(t *testing.T) {
	sim := newSim(t)
	alice := sim.AddContact("alice")
	ended := make(chan struct{}, 1)
	var fired atomic.Bool
	hook := grpc.WithChainStreamInterceptor(func(ctx context.Context, desc *grpc.StreamDesc, cc *grpc.ClientConn, method string, streamer grpc.Streamer, opts ...grpc.CallOption) (grpc.ClientStream, error) {
		cs, err := streamer(ctx, desc, cc, method, opts...)
		switch {
		case err != nil:
			return cs, err
		case strings.HasSuffix(method, "/MessageReceived"):
			return endSignal{ClientStream: cs, ended: ended}, nil
		case strings.HasSuffix(method, "/MessageList"):
			return unreadHook{ClientStream: cs, before: func() error {
				// The catch-up's listing, not the one at start-up
				// before the streams open.
				if sim.Subscribers("MessageReceived") == 0 || !fired.CompareAndSwap(false, true) {
					return nil
				}
				if _, err := sim.ContactSend(alice.DiscussionID, "one"); err != nil {
					t.Error(err)
				}
				sim.CutStreams()
				select {
				case <-ended:
				case <-time.After(wait):
					t.Error("the message stream did not end")
				}
				return status.Error(codes.Unavailable, "connection lost during the catch-up")
			}}, nil
		}
		return cs, nil
	})
	p := newPlatform(t, sim, store.NewMemory(), olvid.WithDialOptions(hook))
	log := newLog()
	run := runBot(t, p, log, nil)
	defer run.stop(t)
	waitFor(t, "the message queued by the first session", func() bool { return log.count("one") == 1 })
	if !fired.Load() {
		t.Fatal("the first catch-up did not fail")
	}
}

// A reply reaches the daemon, but the connection drops before the daemon
// carries it out, and the daemon carries it out only after the bot looked
// for it in the discussion (a command that reached it runs even if its
// client is gone): the handler is told the outcome is unknown and the
// message comes again after a reconnect. Its reply is then found in the
// discussion, not sent a second time.
func TestSendCarriedOutLateIsFoundBeforeSendingAgain(t *testing.T) {
	sim := newSim(t)
	alice := sim.AddContact("alice")
	p := newPlatform(t, sim, store.NewMemory())
	var mu sync.Mutex
	var outcomes []error
	r := router.New()
	r.OnMessage(func(c *bot.Context, m bot.Message) error {
		err := c.Reply("echo: " + m.Text)
		mu.Lock()
		outcomes = append(outcomes, err)
		mu.Unlock()
		return err
	})
	handled := func() []error {
		mu.Lock()
		defer mu.Unlock()
		return slices.Clone(outcomes)
	}
	run := startBot(t, bot.New(p, r, bot.WithStopTimeout(wait)))
	defer run.stop(t)
	waitFor(t, "the streams", p.Ready)

	arrived, release := sim.Hold("MessageSend")
	defer release()
	// The reconnect's catch-up waits in its listing of the discussions
	// until the held reply was carried out.
	sim.SetDelay("DiscussionList", time.Hour)
	if _, err := sim.ContactSend(alice.DiscussionID, "one"); err != nil {
		t.Fatal(err)
	}
	select {
	case <-arrived:
	case <-time.After(wait):
		t.Fatal("the reply never reached the daemon")
	}
	sim.DropConnections()
	waitFor(t, "the handler to fail", func() bool { return len(handled()) == 1 })
	if err := handled()[0]; !errors.Is(err, bot.ErrOutcomeUnknown) {
		t.Fatalf("the handler's reply: %v, want an unknown outcome", err)
	}
	release()
	waitFor(t, "the held reply", func() bool { return sim.BotSentCount() == 1 })
	sim.SetDelay("DiscussionList", 0)
	sim.DropConnections() // ends the waiting listing; the next catch-up passes "one" on again
	waitFor(t, "the message again", func() bool { return len(handled()) == 2 })
	if err := handled()[1]; err != nil {
		t.Fatalf("the second handling: %v", err)
	}
	if n := sim.BotSentCount(); n != 1 {
		t.Fatalf("the bot replied %d times to one message", n)
	}
	if s := p.Stats(); s.Reconciled != 1 {
		t.Fatalf("stats %+v, want one send reconciled", s)
	}
}

// The connections drop every few frames (notifications and unary
// answers, catch-up listings cut on the way) while one handler is
// blocked: the catch-ups of the reconnects never hand its message out
// again, and once it is released every message is answered once (a
// message whose reply had an unknown outcome may be handled again, but
// not answered again).
func TestDropsWhileAHandlerIsBlockedHandEachMessageOnce(t *testing.T) {
	sim := newSim(t)
	alice, bob := sim.AddContact("alice"), sim.AddContact("bob")
	p := newPlatform(t, sim, store.NewMemory())
	log := newLog()
	release := make(chan struct{})
	var releaseOnce sync.Once
	unblock := func() { releaseOnce.Do(func() { close(release) }) }
	defer unblock()
	r := router.New()
	r.OnMessage(func(c *bot.Context, m bot.Message) error {
		log.mu.Lock()
		log.texts[m.Text]++
		log.mu.Unlock()
		if m.Text == "blocked" {
			<-release
		}
		return c.Reply("echo: " + m.Text)
	})
	run := startBot(t, bot.New(p, r, bot.WithStopTimeout(wait)))
	defer run.stop(t)
	waitFor(t, "the streams", p.Ready)
	if _, err := sim.ContactSend(alice.DiscussionID, "blocked"); err != nil {
		t.Fatal(err)
	}
	waitFor(t, "the blocked handler", func() bool { return log.count("blocked") == 1 })
	sim.DropEvery(5)
	want := []string{"blocked"}
	for i := range 40 {
		text := fmt.Sprintf("bob %d", i)
		if _, err := sim.ContactSend(bob.DiscussionID, text); err != nil {
			t.Fatal(err)
		}
		want = append(want, text)
	}
	waitFor(t, "bob's messages", func() bool {
		for _, text := range want[1:] {
			if log.count(text) == 0 {
				return false
			}
		}
		return true
	})
	if d := sim.Stats().Drops; d < 3 {
		t.Fatalf("%d drops while the handler was blocked, want several", d)
	}
	if n := log.count("blocked"); n != 1 {
		t.Fatalf("the blocked message was handed out %d times while its handler ran", n)
	}
	unblock()
	answered := func() map[string]int {
		n := map[string]int{}
		for _, s := range sim.BotSent() {
			n[s.Body]++
		}
		return n
	}
	waitFor(t, "every reply", func() bool {
		got := answered()
		for _, text := range want {
			if got["echo: "+text] == 0 {
				return false
			}
		}
		return true
	})
	got := answered()
	for _, text := range want {
		if n := got["echo: "+text]; n != 1 {
			t.Errorf("%q answered %d times", text, n)
		}
	}
}

// A reply's call times out while the connection stays up (the daemon
// holds the send and carries it out late): the handler fails with an
// unknown outcome, and the message is passed on again at once, without a
// reconnect; the late reply is found in the discussion, so the message
// is answered once.
func TestTimedOutReplyIsRetriedWithoutAReconnect(t *testing.T) {
	sim := newSim(t)
	alice := sim.AddContact("alice")
	p := newPlatform(t, sim, store.NewMemory(), olvid.WithCallTimeout(2*time.Second))
	arrived, release := sim.Hold("MessageSend")
	defer release()
	var mu sync.Mutex
	var outcomes []error
	r := router.New()
	r.OnMessage(func(c *bot.Context, m bot.Message) error {
		err := c.Reply("echo: " + m.Text)
		mu.Lock()
		first := len(outcomes) == 0
		outcomes = append(outcomes, err)
		mu.Unlock()
		if first {
			// The daemon carries the held send out once the client gave
			// up on it, before the message comes again.
			release()
			waitFor(t, "the late reply", func() bool { return sim.BotSentCount() == 1 })
		}
		return err
	})
	handled := func() []error {
		mu.Lock()
		defer mu.Unlock()
		return slices.Clone(outcomes)
	}
	run := startBot(t, bot.New(p, r, bot.WithStopTimeout(wait)))
	defer run.stop(t)
	waitFor(t, "the streams", p.Ready)
	conns := sim.Stats().TotalConns

	if _, err := sim.ContactSend(alice.DiscussionID, "one"); err != nil {
		t.Fatal(err)
	}
	select {
	case <-arrived:
	case <-time.After(wait):
		t.Fatal("the reply never reached the daemon")
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
	if _, err := sim.ContactSend(alice.DiscussionID, "two"); err != nil {
		t.Fatal(err)
	}
	waitFor(t, "message two", func() bool { return len(handled()) == 3 })
	if err := handled()[2]; err != nil {
		t.Fatalf("handling message two: %v", err)
	}
	var replies []string
	for _, s := range sim.BotSent() {
		replies = append(replies, s.Body)
	}
	if want := []string{"echo: one", "echo: two"}; !slices.Equal(replies, want) {
		t.Fatalf("the bot sent %q, want %q", replies, want)
	}
	s := p.Stats()
	if s.Sessions != 1 || s.StreamErr != 0 || sim.Stats().TotalConns != conns {
		t.Fatalf("stats %+v with %d connections (%d before): want no reconnect", s, sim.Stats().TotalConns, conns)
	}
	if s.Reconciled != 1 {
		t.Fatalf("stats %+v, want one send reconciled", s)
	}
}
