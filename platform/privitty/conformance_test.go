package privitty_test

import (
	"errors"
	"strconv"
	"sync"
	"testing"
	"time"

	"github.com/parleybot/parley/bot"
	"github.com/parleybot/parley/platform/platformtest"
	"github.com/parleybot/parley/platform/privitty"
	"github.com/parleybot/parley/platform/privitty/privittysim"
	"github.com/parleybot/parley/store"
)

// simWorld runs the conformance suite against privittysim.
type simWorld struct {
	sim *privittysim.Sim

	mu       sync.Mutex
	platform *privitty.Platform
}

func newSimWorld(t *testing.T, opts ...privittysim.Option) *simWorld {
	t.Helper()
	sim := privittysim.New(opts...)
	if err := sim.Start(); err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() { _ = sim.Close() })
	return &simWorld{sim: sim}
}

// testOptions keep reconnects and progress saving quick in tests.
func testOptions(st store.Store) []privitty.Option {
	return []privitty.Option{
		privitty.WithStore(st),
		privitty.WithBackoff(5*time.Millisecond, 50*time.Millisecond),
		privitty.WithCallTimeout(10 * time.Second),
		privitty.WithCursorFlush(10 * time.Millisecond),
	}
}

func (w *simWorld) NewPlatform(t *testing.T, st store.Store) bot.Platform {
	p := privitty.New(w.sim.URL(), testOptions(st)...)
	w.mu.Lock()
	w.platform = p
	w.mu.Unlock()
	return p
}

func (w *simWorld) ConnectContact(t *testing.T, name string, request bool) string {
	t.Helper()
	c, err := w.sim.ConnectContact(name, request)
	if err != nil {
		t.Fatal(err)
	}
	if request {
		// The contact only asks; wait for the bot to accept.
		if err := w.sim.Wait(platformtest.Timeout, func() bool {
			ci, _ := w.sim.Chat(c.ChatID)
			return !ci.Request
		}); err != nil {
			t.Fatal("the bot never accepted the contact request: ", err)
		}
	}
	return strconv.FormatInt(c.ChatID, 10)
}

func parseID(t *testing.T, s string) int64 {
	t.Helper()
	id, err := strconv.ParseInt(s, 10, 64)
	if err != nil {
		t.Fatal(err)
	}
	return id
}

func (w *simWorld) ContactSend(t *testing.T, chatID, text string) string {
	t.Helper()
	id, err := w.sim.ContactSend(parseID(t, chatID), text)
	if err != nil {
		t.Fatal(err)
	}
	return strconv.FormatInt(id, 10)
}

// NewGroup returns an empty role: Delta Chat groups have no member roles.
func (w *simWorld) NewGroup(t *testing.T, _ bot.Platform) (string, string, string) {
	t.Helper()
	gid, members, err := w.sim.NewGroup("club", "mia")
	if err != nil {
		t.Fatal(err)
	}
	return strconv.FormatInt(gid, 10), strconv.FormatInt(members[0], 10), ""
}

func (w *simWorld) GroupSend(t *testing.T, chatID, senderID, text string) string {
	t.Helper()
	id, err := w.sim.MemberSend(parseID(t, chatID), parseID(t, senderID), text)
	if err != nil {
		t.Fatal(err)
	}
	return strconv.FormatInt(id, 10)
}

func (w *simWorld) BotSent() []platformtest.Sent {
	var out []platformtest.Sent
	for _, s := range w.sim.BotSent() {
		ps := platformtest.Sent{ChatID: strconv.FormatInt(s.ChatID, 10), Text: s.Text}
		if s.QuotedMessageID != 0 {
			ps.ReplyTo = strconv.FormatInt(s.QuotedMessageID, 10)
		}
		out = append(out, ps)
	}
	return out
}

// EmitUnknown waits for an open stream first: SSE has no resume, so an
// event sent while no client listens is lost, on the daemon too.
func (w *simWorld) EmitUnknown(t *testing.T) {
	if err := w.sim.Wait(platformtest.Timeout, func() bool { return w.sim.Stats().Streams > 0 }); err != nil {
		t.Fatal(err)
	}
	w.sim.EmitRaw(`{"type":"SomeFutureEvent","account_id":1,"detail":{"x":1}}`)
}

func (w *simWorld) FailNextSend(t *testing.T) {
	w.sim.FailNext("send_msg", privitty.CodeInternalError, "chat is not writable")
}

func (w *simWorld) IsCommandError(err error) bool {
	var re *privitty.RPCError
	return errors.As(err, &re) && re.Code == privitty.CodeInternalError && re.Method == "send_msg"
}

func (w *simWorld) DropAfterFrames(t *testing.T, n int) { w.sim.DropAfter(n) }

func (w *simWorld) Connections() (int, int) {
	s := w.sim.Stats()
	return s.Streams, s.TotalStreams
}

func TestConformance(t *testing.T) {
	platformtest.Run(t, func(t *testing.T) platformtest.World { return newSimWorld(t) })
}

// The suite again with the older core's shapes: numeric chat types and
// snake_case object keys.
func TestConformanceOlderCoreShapes(t *testing.T) {
	platformtest.Run(t, func(t *testing.T) platformtest.World {
		return newSimWorld(t, privittysim.WithNumericChatTypes(true), privittysim.WithSnakeCase(true))
	})
}
