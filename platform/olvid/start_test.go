package olvid_test

import (
	"context"
	"fmt"
	"strings"
	"sync/atomic"
	"testing"
	"time"

	"google.golang.org/grpc"

	"github.com/parleybot/parley/platform/olvid"
	"github.com/parleybot/parley/store"
)

// A drop during the first catch-up after start loses nothing of a
// discussion that has no cursor yet: the messages the daemon sent on the
// dropped streams are read for it, so the unread list no longer names
// them, and only the start position (the newest message when the bot
// started) finds them again.
func TestFirstCatchUpCutKeepsMessagesOfDiscussionWithoutCursor(t *testing.T) {
	sim := newSim(t)
	alice, bob := sim.AddContact("alice"), sim.AddContact("bob")
	if _, err := sim.ContactSend(bob.DiscussionID, "before"); err != nil {
		t.Fatal(err)
	}
	// The first catch-up waits in the discussion listing until the
	// connection drops, so nothing queued is passed on meanwhile.
	sim.SetDelay("DiscussionList", time.Hour)
	// A queue of one: bob's message fills it, alice's wait in the stream
	// reader and the connection's buffers, where the drop loses them.
	var listing atomic.Bool
	hook := grpc.WithChainStreamInterceptor(func(ctx context.Context, desc *grpc.StreamDesc, cc *grpc.ClientConn, method string, streamer grpc.Streamer, opts ...grpc.CallOption) (grpc.ClientStream, error) {
		if strings.HasSuffix(method, "/DiscussionList") {
			listing.Store(true)
		}
		return streamer(ctx, desc, cc, method, opts...)
	})
	p := newPlatform(t, sim, store.NewMemory(), olvid.WithEventBuffer(1), olvid.WithDialOptions(hook))
	log := newLog()
	run := runBot(t, p, log, nil)
	defer run.stop(t)
	waitFor(t, "the catch-up to list the discussions", listing.Load)
	if _, err := sim.ContactSend(bob.DiscussionID, "bob"); err != nil {
		t.Fatal(err)
	}
	var want []string
	for i := range 5 {
		text := fmt.Sprintf("alice %d", i)
		id, err := sim.ContactSend(alice.DiscussionID, text)
		if err != nil {
			t.Fatal(err)
		}
		if _, read, err := sim.Message(olvid.MessageID{Dir: olvid.Inbound, ID: id}.PB()); err != nil || !read {
			t.Fatalf("message %d: read %v, %v; want it read, as notified", id, read, err)
		}
		want = append(want, text)
	}
	sim.SetDelay("DiscussionList", 0)
	sim.DropConnections()
	defer func() {
		if t.Failed() {
			t.Logf("handled %v; stats %+v", log.texts, p.Stats())
		}
	}()
	waitFor(t, "every message", func() bool {
		for _, text := range append(want, "bob", "before") {
			if log.count(text) != 1 {
				return false
			}
		}
		return true
	})
	if n := len(log.all()); n != 7 {
		t.Fatalf("handled %d messages, want 7", n)
	}
}
