package olvid_test

import (
	"context"
	"strings"
	"sync"
	"sync/atomic"
	"testing"

	"google.golang.org/grpc"
	"google.golang.org/grpc/codes"
	"google.golang.org/grpc/status"

	"github.com/parleybot/parley/bot"
	"github.com/parleybot/parley/platform/olvid"
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
	ctx, stop := context.WithCancel(context.Background())
	done := make(chan error, 1)
	go func() {
		done <- p.Listen(ctx, func(e bot.Event) error {
			m, ok := e.(*olvid.MessageReceived)
			if !ok {
				return nil
			}
			msg := m.Messages()[0]
			// Handled in its own goroutine, as the bot does, so that the
			// platform can reconnect while the send waits.
			go func() {
				_, err := p.Send(context.Background(), msg.Chat.ID, bot.Outgoing{Text: "echo: " + msg.Text, ReplyTo: msg.ID})
				mu.Lock()
				handled[msg.Text]++
				outcomes[msg.Text] = append(outcomes[msg.Text], err)
				mu.Unlock()
				p.EventHandled(e, err)
			}()
			return nil
		})
	}()
	defer func() {
		stop()
		<-done
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
