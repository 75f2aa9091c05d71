package olvid_test

import (
	"context"
	"fmt"
	"strings"
	"sync/atomic"
	"testing"
	"time"

	"google.golang.org/grpc"
	"google.golang.org/grpc/codes"
	"google.golang.org/grpc/status"

	"github.com/parleybot/parley/platform/olvid"
	pb "github.com/parleybot/parley/platform/olvid/olvidpb"
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

// When the daemon wrote the first unread listing's answer but the
// connection dropped before the bot read it, those messages are read for
// the daemon; the platform takes the messages stamped since it started
// as unread, so they are handled all the same, once each.
func TestCutFirstUnreadListingLosesNothing(t *testing.T) {
	sim := newSim(t)
	alice := sim.AddContact("alice")
	var want []string
	for i := range 3 {
		text := fmt.Sprintf("while away %d", i)
		if _, err := sim.ContactSend(alice.DiscussionID, text); err != nil {
			t.Fatal(err)
		}
		want = append(want, text)
	}
	var once atomic.Bool
	hook := grpc.WithChainStreamInterceptor(func(ctx context.Context, desc *grpc.StreamDesc, cc *grpc.ClientConn, method string, streamer grpc.Streamer, opts ...grpc.CallOption) (grpc.ClientStream, error) {
		cs, err := streamer(ctx, desc, cc, method, opts...)
		if err != nil || !strings.HasSuffix(method, "/MessageList") {
			return cs, err
		}
		return &cutAnswer{ClientStream: cs, once: &once}, nil
	})
	p := newPlatform(t, sim, store.NewMemory(), olvid.WithDialOptions(hook))
	log := newLog()
	run := runBot(t, p, log, nil)
	defer run.stop(t)
	waitFor(t, "the messages sent while away", func() bool {
		for _, text := range want {
			if log.count(text) != 1 {
				return false
			}
		}
		return true
	})
	if !once.Load() {
		t.Fatal("no unread listing was cut")
	}
	if n := len(log.all()); n != len(want) {
		t.Fatalf("handled %d messages, want %d", n, len(want))
	}
}

// cutAnswer reads the first unread listing's whole answer, then tells
// the caller the connection was lost: the daemon counted those messages
// read, and the bot never saw them.
type cutAnswer struct {
	grpc.ClientStream
	once *atomic.Bool
	cut  bool
}

func (s *cutAnswer) SendMsg(m any) error {
	if r, ok := m.(*pb.MessageListRequest); ok && r.GetUnread() && s.once.CompareAndSwap(false, true) {
		s.cut = true
	}
	return s.ClientStream.SendMsg(m)
}

func (s *cutAnswer) RecvMsg(m any) error {
	if !s.cut {
		return s.ClientStream.RecvMsg(m)
	}
	for s.ClientStream.RecvMsg(m) == nil {
	}
	return status.Error(codes.Unavailable, "connection lost before the answer was read")
}
