package main

import (
	"context"
	"fmt"
	"path/filepath"
	"strings"
	"testing"
	"time"

	"go.uber.org/goleak"
	"go.uber.org/zap"

	"github.com/parleybot/parley/platform/simplex/simplexsim"
)

func TestMain(m *testing.M) { goleak.VerifyTestMain(m) }

const waitFor = 5 * time.Second

// TestModeratesAGroup runs the program against a simulated CLI: an owner
// connects, invites the bot, bans a word by command, and a member's
// message with it is deleted; the rule survives a restart on the same
// store file.
func TestModeratesAGroup(t *testing.T) {
	sim := simplexsim.New(simplexsim.WithBotName("moderator"), simplexsim.WithAddress(false, ""))
	if err := sim.Start(); err != nil {
		t.Fatal(err)
	}
	defer func() { _ = sim.Close() }()
	o := options{url: sim.URL(), store: filepath.Join(t.TempDir(), "mod.db"), name: "moderator"}
	stop := start(t, sim, o, 1)

	if _, err := sim.ConnectContact("olga"); err != nil {
		t.Fatal(err)
	}
	var owner int64
	if err := sim.Wait(waitFor, func(w *simplexsim.World) bool {
		for _, a := range w.Actions() {
			if a.Kind == simplexsim.ActionAcceptContact {
				owner = a.ContactID
				c, _ := w.Contact(owner)
				return c.Ready
			}
		}
		return false
	}); err != nil {
		t.Fatal("the contact request was not accepted: ", err)
	}
	ownerRef := fmt.Sprintf("@%d", owner)
	waitSent(t, sim, ownerRef, "Invite me to your group")
	gid, ids, err := sim.NewGroup("club", simplexsim.MemberSpec{Name: "olga", Role: "owner", ContactID: owner}, simplexsim.MemberSpec{Name: "mia"})
	if err != nil {
		t.Fatal(err)
	}
	if _, err := sim.InviteBot(gid, owner, "moderator"); err != nil {
		t.Fatal(err)
	}
	waitSent(t, sim, ownerRef, "I joined club as moderator")
	if _, err := sim.ContactSend(owner, "/addword spam"); err != nil {
		t.Fatal(err)
	}
	waitSent(t, sim, ownerRef, `Banned "spam" in club`)
	stop()

	start(t, sim, o, 2)
	item, err := sim.MemberSend(gid, ids[1], "buy spam", false)
	if err != nil {
		t.Fatal(err)
	}
	if err := sim.Wait(waitFor, func(w *simplexsim.World) bool {
		for _, a := range w.Moderations() {
			if a.Kind == simplexsim.ActionModerate && len(a.ItemIDs) == 1 && a.ItemIDs[0] == item {
				return true
			}
		}
		return false
	}); err != nil {
		t.Fatal("the message was not deleted after the restart: ", err)
	}
	waitSent(t, sim, ownerRef, `Deleted a message from mia in club: banned word "spam"`)
}

// start runs the program until the returned function (or the test's end)
// stops it, and waits until its connection, the nth, is the only one open:
// an event handed to a closing connection would be lost.
func start(t *testing.T, sim *simplexsim.Sim, o options, nth int) func() {
	t.Helper()
	ctx, cancel := context.WithCancel(context.Background())
	done := make(chan error, 1)
	go func() { done <- run(ctx, o, zap.NewNop()) }()
	stopped := false
	stop := func() {
		if stopped {
			return
		}
		stopped = true
		cancel()
		if err := <-done; err != nil {
			t.Errorf("run: %v", err)
		}
	}
	t.Cleanup(stop)
	if err := sim.Wait(waitFor, func(w *simplexsim.World) bool {
		st := w.Stats()
		return st.Connections == 1 && st.TotalConnections == nth
	}); err != nil {
		t.Fatal("the program did not connect: ", err)
	}
	return stop
}

func waitSent(t *testing.T, sim *simplexsim.Sim, chat, want string) {
	t.Helper()
	if err := sim.Wait(waitFor, func(w *simplexsim.World) bool {
		for _, s := range w.Sent() {
			if s.ChatRef == chat && strings.Contains(s.Text, want) {
				return true
			}
		}
		return false
	}); err != nil {
		var got []string
		for _, s := range sim.BotSent() {
			got = append(got, s.Text)
		}
		t.Fatalf("no message to %s containing %q: %v; sent: %q", chat, want, err, got)
	}
}
