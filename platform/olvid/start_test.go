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
		// Read for the daemon once written to the stream.
		waitFor(t, "the message to be notified", func() bool {
			_, read, err := sim.Message(olvid.MessageID{Dir: olvid.Inbound, ID: id}.PB())
			return err == nil && read
		})
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

// Invitations that were pending before the bot connected are passed on
// from the invitation list (the daemon notifies each once, when it
// arrives), once per process: a reconnect does not pass them on again,
// nor does a live notification of one listed already.
func TestPendingInvitationsListedAtStart(t *testing.T) {
	sim := newSim(t)
	host := sim.AddContact("host")
	inv1, _ := sim.Invite("ann")
	inv2, _, err := sim.InviteToGroup(host.ID, "book club")
	if err != nil {
		t.Fatal(err)
	}
	p := newPlatform(t, sim, store.NewMemory())
	log := newLog()
	run := runBot(t, p, log, nil)
	defer run.stop(t)
	invitations := func() map[uint64]int {
		seen := map[uint64]int{}
		for _, e := range log.events() {
			if r, ok := e.(*olvid.InvitationReceived); ok {
				seen[r.GetInvitation().GetId()]++
			}
		}
		return seen
	}
	waitFor(t, "the pending invitations", func() bool { return len(invitations()) == 2 })
	sim.CutStreams()
	waitFor(t, "the reconnect", func() bool { return p.Stats().CatchUps >= 2 && p.Ready() })
	inv3, _ := sim.Invite("bob")
	waitFor(t, "the new invitation", func() bool { return invitations()[inv3] == 1 })
	got := invitations()
	if len(got) != 3 || got[inv1] != 1 || got[inv2] != 1 {
		t.Fatalf("invitations passed on: %v; want %d, %d and %d once each", got, inv1, inv2, inv3)
	}
	if n := p.Stats().Pending; n != 2 {
		t.Fatalf("Stats.Pending = %d, want 2", n)
	}
}
