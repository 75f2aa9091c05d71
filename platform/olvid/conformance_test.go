package olvid_test

import (
	"errors"
	"strconv"
	"testing"
	"time"

	"google.golang.org/grpc/codes"

	"github.com/parleybot/parley/bot"
	"github.com/parleybot/parley/platform/olvid"
	"github.com/parleybot/parley/platform/olvid/olvidsim"
	"github.com/parleybot/parley/platform/platformtest"
	"github.com/parleybot/parley/store"
)

// simWorld runs the conformance suite against olvidsim.
type simWorld struct {
	sim *olvidsim.Sim
}

func newSim(t testing.TB, opts ...olvidsim.Option) *olvidsim.Sim {
	t.Helper()
	sim := olvidsim.New(opts...)
	if err := sim.Start(); err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() { _ = sim.Close() })
	return sim
}

// testOptions keep reconnects and saving quick in tests.
func testOptions(sim *olvidsim.Sim, st store.Store) []olvid.Option {
	return []olvid.Option{
		olvid.WithClientKey(sim.ClientKey()),
		olvid.WithStore(st),
		olvid.WithBackoff(5*time.Millisecond, 50*time.Millisecond),
		olvid.WithCallTimeout(10 * time.Second),
		olvid.WithCursorFlush(10 * time.Millisecond),
		olvid.WithAcceptWait(platformtest.Timeout),
	}
}

func newPlatform(t testing.TB, sim *olvidsim.Sim, st store.Store, opts ...olvid.Option) *olvid.Platform {
	t.Helper()
	p, err := olvid.New(sim.Addr(), append(testOptions(sim, st), opts...)...)
	if err != nil {
		t.Fatal(err)
	}
	return p
}

func (w *simWorld) NewPlatform(t *testing.T, st store.Store) bot.Platform {
	return newPlatform(t, w.sim, st)
}

func (w *simWorld) ConnectContact(t *testing.T, name string, request bool) string {
	t.Helper()
	if !request {
		return strconv.FormatUint(w.sim.AddContact(name).DiscussionID, 10)
	}
	// The bot must be listening to see the invitation: there is no replay.
	if err := w.sim.Wait(platformtest.Timeout, func() bool { return w.sim.Subscribers("InvitationReceived") > 0 }); err != nil {
		t.Fatal(err)
	}
	inv, disc := w.sim.Invite(name)
	if err := w.sim.Wait(platformtest.Timeout, func() bool { _, pending := w.sim.Invitation(inv); return !pending }); err != nil {
		t.Fatal("the bot never accepted the invitation: ", err)
	}
	return strconv.FormatUint(disc, 10)
}

func parseU(t *testing.T, s string) uint64 {
	t.Helper()
	n, err := strconv.ParseUint(s, 10, 64)
	if err != nil {
		t.Fatal(err)
	}
	return n
}

func (w *simWorld) ContactSend(t *testing.T, chatID, text string) string {
	t.Helper()
	id, err := w.sim.ContactSend(parseU(t, chatID), text)
	if err != nil {
		t.Fatal(err)
	}
	return olvid.MessageID{Dir: olvid.Inbound, ID: id}.String()
}

func (w *simWorld) NewGroup(t *testing.T, _ bot.Platform) (string, string, string) {
	t.Helper()
	c := w.sim.AddContact("mia")
	_, disc, err := w.sim.NewGroup("club", false, c.ID)
	if err != nil {
		t.Fatal(err)
	}
	return strconv.FormatUint(disc, 10), strconv.FormatUint(c.ID, 10), olvid.RoleMember
}

func (w *simWorld) GroupSend(t *testing.T, chatID, senderID, text string) string {
	t.Helper()
	id, err := w.sim.MemberSend(parseU(t, chatID), parseU(t, senderID), text)
	if err != nil {
		t.Fatal(err)
	}
	return olvid.MessageID{Dir: olvid.Inbound, ID: id}.String()
}

func (w *simWorld) BotSent() []platformtest.Sent {
	var out []platformtest.Sent
	for _, s := range w.sim.BotSent() {
		ps := platformtest.Sent{ChatID: strconv.FormatUint(s.DiscussionID, 10), Text: s.Body}
		if s.ReplyTo != nil {
			ps.ReplyTo = olvid.MessageID{Dir: olvid.Direction(s.ReplyTo.GetType()), ID: s.ReplyTo.GetId()}.String()
		}
		out = append(out, ps)
	}
	return out
}

// EmitUnknown waits for an open MessageReceived stream first: a
// notification sent while no client listens is lost, on the daemon too.
func (w *simWorld) EmitUnknown(t *testing.T) {
	if err := w.sim.Wait(platformtest.Timeout, func() bool { return w.sim.Subscribers("MessageReceived") > 0 }); err != nil {
		t.Fatal(err)
	}
	w.sim.EmitUnknown()
}

func (w *simWorld) FailNextSend(t *testing.T) {
	w.sim.FailNext("MessageSend", codes.PermissionDenied, "you cannot send messages here")
}

func (w *simWorld) IsCommandError(err error) bool {
	var e *olvid.Error
	return errors.Is(err, olvid.ErrPermissionDenied) && errors.As(err, &e) && e.Method == "MessageSend"
}

func (w *simWorld) DropAfterFrames(t *testing.T, n int) { w.sim.DropAfter(n) }

func (w *simWorld) Connections() (int, int) {
	s := w.sim.Stats()
	return s.Conns, s.TotalConns
}

func TestConformance(t *testing.T) {
	platformtest.Run(t, func(t *testing.T) platformtest.World { return &simWorld{sim: newSim(t)} })
}
