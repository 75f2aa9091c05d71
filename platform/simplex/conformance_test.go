package simplex_test

import (
	"context"
	"encoding/json"
	"errors"
	"strconv"
	"sync"
	"testing"
	"time"

	"github.com/parleybot/parley/bot"
	"github.com/parleybot/parley/platform/platformtest"
	"github.com/parleybot/parley/platform/simplex"
	"github.com/parleybot/parley/platform/simplex/simplexsim"
	"github.com/parleybot/parley/store"
)

// simWorld runs the conformance suite against simplexsim.
type simWorld struct {
	sim *simplexsim.Sim

	mu       sync.Mutex
	platform *simplex.Platform
}

func newSimWorld(t *testing.T, opts ...simplexsim.Option) *simWorld {
	t.Helper()
	sim := simplexsim.New(append([]simplexsim.Option{simplexsim.WithBotName("parley"), simplexsim.WithAddress(true, "")}, opts...)...)
	if err := sim.Start(); err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() { _ = sim.Close() })
	return &simWorld{sim: sim}
}

// testClientOptions keep reconnects quick in tests.
var testClientOptions = []simplex.ClientOption{
	simplex.WithBackoff(5*time.Millisecond, 50*time.Millisecond),
	simplex.WithCallTimeout(10 * time.Second),
}

func (w *simWorld) NewPlatform(t *testing.T, st store.Store) bot.Platform {
	p := simplex.New(w.sim.URL(), simplex.WithStore(st), simplex.WithClientOptions(testClientOptions...),
		simplex.WithCursorFlush(10*time.Millisecond))
	w.mu.Lock()
	w.platform = p
	w.mu.Unlock()
	return p
}

func (w *simWorld) current() *simplex.Platform {
	w.mu.Lock()
	defer w.mu.Unlock()
	return w.platform
}

func (w *simWorld) ConnectContact(t *testing.T, name string, request bool) string {
	t.Helper()
	if !request {
		c, err := w.sim.ConnectContact(name)
		if err != nil {
			t.Fatal(err)
		}
		return "@" + strconv.FormatInt(c.ContactID, 10)
	}
	// Turn the address's auto-accept off through the bot's own connection
	// (a second socket would steal events), ask, then wait for the bot.
	ctx, cancel := context.WithTimeout(context.Background(), platformtest.Timeout)
	defer cancel()
	p := w.current()
	waitUser(t, p)
	if _, err := simplex.Exec(ctx, p.Client(),
		simplex.APISetAddressSettings{UserID: p.User().UserID, Settings: simplex.AddressSettings{}}); err != nil {
		t.Fatal(err)
	}
	before := len(w.accepts())
	if _, err := w.sim.ConnectContact(name); err != nil {
		t.Fatal(err)
	}
	var ref string
	if err := w.sim.Wait(platformtest.Timeout, func(v *simplexsim.World) bool {
		acc := accepts(v.Actions())
		if len(acc) > before {
			ref = acc[before].ChatRef
			return true
		}
		return false
	}); err != nil {
		t.Fatal("the bot never accepted the contact request: ", err)
	}
	return ref
}

func accepts(actions []simplexsim.Action) []simplexsim.Action {
	var out []simplexsim.Action
	for _, a := range actions {
		if a.Kind == simplexsim.ActionAcceptContact {
			out = append(out, a)
		}
	}
	return out
}

func (w *simWorld) accepts() []simplexsim.Action { return accepts(w.sim.Actions()) }

func waitUser(t *testing.T, p *simplex.Platform) {
	t.Helper()
	eventually(t, "the platform to be ready", p.Ready)
}

func parseRef(t *testing.T, chatID string) int64 {
	t.Helper()
	id, err := strconv.ParseInt(chatID[1:], 10, 64)
	if err != nil {
		t.Fatal(err)
	}
	return id
}

func (w *simWorld) ContactSend(t *testing.T, chatID, text string) string {
	t.Helper()
	id, err := w.sim.ContactSend(parseRef(t, chatID), text)
	if err != nil {
		t.Fatal(err)
	}
	return strconv.FormatInt(id, 10)
}

func (w *simWorld) NewGroup(t *testing.T, pl bot.Platform) (string, string, string) {
	t.Helper()
	p := pl.(*simplex.Platform)
	waitUser(t, p)
	owner, err := w.sim.ConnectContact("owner")
	if err != nil {
		t.Fatal(err)
	}
	gid, members, err := w.sim.NewGroup("club",
		simplexsim.MemberSpec{Name: "owner", Role: "owner", ContactID: owner.ContactID},
		simplexsim.MemberSpec{Name: "mia", Role: "member"})
	if err != nil {
		t.Fatal(err)
	}
	if _, err := w.sim.InviteBot(gid, owner.ContactID, "admin"); err != nil {
		t.Fatal(err)
	}
	ctx, cancel := context.WithTimeout(context.Background(), platformtest.Timeout)
	defer cancel()
	if _, err := simplex.Exec(ctx, p.Client(), simplex.APIJoinGroup{GroupID: gid}); err != nil {
		t.Fatal(err)
	}
	if err := w.sim.Wait(platformtest.Timeout, func(v *simplexsim.World) bool {
		g, ok := v.Group(gid)
		return ok && g.BotStatus == "connected"
	}); err != nil {
		t.Fatal(err)
	}
	return "#" + strconv.FormatInt(gid, 10), strconv.FormatInt(members[1], 10), "member"
}

func (w *simWorld) GroupSend(t *testing.T, chatID, senderID, text string) string {
	t.Helper()
	mid, _ := strconv.ParseInt(senderID, 10, 64)
	id, err := w.sim.MemberSend(parseRef(t, chatID), mid, text, false)
	if err != nil {
		t.Fatal(err)
	}
	return strconv.FormatInt(id, 10)
}

func (w *simWorld) BotSent() []platformtest.Sent {
	var out []platformtest.Sent
	for _, s := range w.sim.BotSent() {
		ps := platformtest.Sent{ChatID: s.ChatRef, Text: s.Text}
		if s.QuotedItemID != 0 {
			ps.ReplyTo = strconv.FormatInt(s.QuotedItemID, 10)
		}
		out = append(out, ps)
	}
	return out
}

func (w *simWorld) EmitUnknown(t *testing.T) {
	if err := w.sim.EmitRaw(json.RawMessage(`{"type":"someFutureEvent","detail":{"x":1}}`)); err != nil {
		t.Fatal(err)
	}
}

func (w *simWorld) FailNextSend(t *testing.T) {
	if err := w.sim.FailNext("/_send", `{"type":"errorStore","storeError":{"type":"largeMsg"}}`); err != nil {
		t.Fatal(err)
	}
}

func (w *simWorld) IsCommandError(err error) bool {
	var ce *simplex.CommandError
	return errors.As(err, &ce) && simplex.IsMessageTooLarge(err)
}

func (w *simWorld) DropAfterFrames(t *testing.T, n int) { w.sim.DropAfter(n) }

func (w *simWorld) Connections() (int, int) {
	s := w.sim.Stats()
	return s.Connections, s.TotalConnections
}

func TestConformance(t *testing.T) {
	platformtest.Run(t, func(t *testing.T) platformtest.World { return newSimWorld(t) })
}
