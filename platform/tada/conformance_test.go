package tada_test

import (
	"errors"
	"net/http"
	"testing"
	"time"

	"github.com/parleybot/parley/bot"
	"github.com/parleybot/parley/platform/platformtest"
	"github.com/parleybot/parley/platform/tada"
	"github.com/parleybot/parley/platform/tada/tadasim"
	"github.com/parleybot/parley/store"
)

// simWorld runs the conformance suite against tadasim.
type simWorld struct {
	sim  *tadasim.Server
	last *tada.Platform
}

func newSim(t testing.TB, opts ...tadasim.Option) *tadasim.Server {
	t.Helper()
	sim := tadasim.New(opts...)
	if err := sim.Start(); err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() { _ = sim.Close() })
	return sim
}

// testOptions keep reconnects and progress saving quick in tests.
func testOptions(st store.Store, more ...tada.Option) []tada.Option {
	return append([]tada.Option{
		tada.WithStore(st),
		tada.WithBackoff(5*time.Millisecond, 50*time.Millisecond),
		tada.WithCursorFlush(10 * time.Millisecond),
		tada.WithCallTimeout(10 * time.Second),
	}, more...)
}

func newPlatform(t testing.TB, sim *tadasim.Server, opts ...tada.Option) *tada.Platform {
	t.Helper()
	p, err := tada.New(sim.URL(), sim.Team(), sim.Bot().Token, opts...)
	if err != nil {
		t.Fatal(err)
	}
	return p
}

func (w *simWorld) NewPlatform(t *testing.T, st store.Store) bot.Platform {
	w.last = newPlatform(t, w.sim, testOptions(st)...)
	return w.last
}

// ConnectContact adds a team member. Tada has no contact requests: a new
// member is a ContactJoined, which the bot greets when it accepts it. The
// bot only learns of a member who joins while it is connected, so a
// "request" waits for it to be.
func (w *simWorld) ConnectContact(t *testing.T, name string, request bool) string {
	t.Helper()
	if request {
		waitCond(t, "the bot to be ready", func() bool { return w.last != nil && w.last.Ready() })
	}
	return w.sim.AddContact(name).JID
}

func (w *simWorld) ContactSend(t *testing.T, chatID, text string) string {
	t.Helper()
	m, err := w.sim.Send(chatID, w.sim.Bot().JID, text)
	if err != nil {
		t.Fatal(err)
	}
	return m.MessageID
}

func (w *simWorld) NewGroup(t *testing.T, _ bot.Platform) (string, string, string) {
	t.Helper()
	mia := w.sim.AddContact("mia")
	g, err := w.sim.NewGroup("club", map[string]string{w.sim.Bot().JID: "member", mia.JID: "admin"})
	if err != nil {
		t.Fatal(err)
	}
	return g, mia.JID, "admin"
}

func (w *simWorld) GroupSend(t *testing.T, chatID, senderID, text string) string {
	t.Helper()
	m, err := w.sim.Send(senderID, chatID, text)
	if err != nil {
		t.Fatal(err)
	}
	return m.MessageID
}

func (w *simWorld) BotSent() []platformtest.Sent { return w.BotSentSince(0) }

func (w *simWorld) BotSentSince(n int) []platformtest.Sent {
	var out []platformtest.Sent
	for _, m := range w.sim.MessagesFromSince(w.sim.Bot().JID, n) {
		s := platformtest.Sent{ChatID: m.Chat, Text: m.Content.Text}
		if m.ReplyTo != nil {
			s.ReplyTo = m.ReplyTo.MessageID
		}
		out = append(out, s)
	}
	return out
}

// EmitUnknown waits for the bot's connection: events without confirm_id
// sent while no socket is open are gone, as on the real server.
func (w *simWorld) EmitUnknown(t *testing.T) {
	waitCond(t, "the bot's connection", func() bool { return w.sim.BotSockets() > 0 })
	w.sim.SendRaw(`{"event":"server.future.thing","params":{"x":1}}`)
}

func (w *simWorld) FailNextSend(t *testing.T) {
	w.sim.FailNext(tadasim.RESTFault{Method: http.MethodPost, Path: "/messages", Status: http.StatusForbidden,
		Code: tada.CodeAccessDenied, Reason: "chat is read-only"})
}

func (w *simWorld) IsCommandError(err error) bool {
	var ae *tada.APIError
	return errors.As(err, &ae) && ae.Code == tada.CodeAccessDenied && ae.Status == http.StatusForbidden
}

func (w *simWorld) DropAfterFrames(t *testing.T, n int) { w.sim.DropAfter(n) }

func (w *simWorld) Connections() (int, int) { return w.sim.BotSockets(), w.sim.Stats().TotalSockets }

func waitCond(t testing.TB, what string, cond func() bool) {
	t.Helper()
	deadline := time.Now().Add(platformtest.Timeout)
	for !cond() {
		if time.Now().After(deadline) {
			t.Fatalf("timed out waiting for %s", what)
		}
		time.Sleep(2 * time.Millisecond)
	}
}

func TestConformance(t *testing.T) {
	platformtest.Run(t, func(t *testing.T) platformtest.World { return &simWorld{sim: newSim(t)} })
}

// The suite again with sends over the WebSocket instead of REST, except
// the command error case, which needs the REST refusal.
func TestConformanceWebSocketSends(t *testing.T) {
	platformtest.Run(t, func(t *testing.T) platformtest.World { return &wsWorld{simWorld{sim: newSim(t)}} })
}

type wsWorld struct{ simWorld }

func (w *wsWorld) NewPlatform(t *testing.T, st store.Store) bot.Platform {
	w.last = newPlatform(t, w.sim, testOptions(st, tada.WithSendOverWebSocket(true))...)
	return w.last
}

// FailNextSend refuses the send with server.warning over the WebSocket.
func (w *wsWorld) FailNextSend(t *testing.T) {
	w.sim.RefuseNext(tada.ClientMessageUpdated, "chat is read-only")
}

func (w *wsWorld) IsCommandError(err error) bool {
	var we *tada.WarningError
	return errors.As(err, &we) && we.Event == tada.ClientMessageUpdated && we.Message == "chat is read-only"
}
