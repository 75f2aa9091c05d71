package olvid_test

import (
	"testing"
	"time"

	"github.com/parleybot/parley/platform/olvid"
	"github.com/parleybot/parley/store"
)

// A daemon that answers a subscription only after the subscribe wait
// leaves a gap: the catch-up has listed the discussions, and a message
// arriving before the subscription exists goes to no stream. Once the
// stream answers, the platform catches up again before it passes on what
// the stream brings, so neither that message nor the one after it is
// lost.
func TestLateSubscriptionIsFollowedByAnotherCatchUp(t *testing.T) {
	sim := newSim(t)
	alice := sim.AddContact("alice")
	sim.SetDelay("MessageReceived", 300*time.Millisecond)
	log := newLog()
	p := newPlatform(t, sim, store.NewMemory(), olvid.WithSubscribeWait(time.Millisecond))
	run := runBot(t, p, log, nil)
	waitFor(t, "the first catch-up", p.Ready)
	if n := sim.Subscribers("MessageReceived"); n != 0 {
		t.Fatalf("%d MessageReceived streams open before the delay ran out", n)
	}
	if _, err := sim.ContactSend(alice.DiscussionID, "in the gap"); err != nil {
		t.Fatal(err)
	}
	waitFor(t, "the subscription", func() bool { return sim.Subscribers("MessageReceived") == 1 })
	if _, err := sim.ContactSend(alice.DiscussionID, "after it"); err != nil {
		t.Fatal(err)
	}
	waitFor(t, "both messages", func() bool { return log.count("in the gap") == 1 && log.count("after it") == 1 })
	run.stop(t)
	if n := len(log.all()); n != 2 {
		t.Fatalf("handled %d messages, want 2", n)
	}
}
