package virola_test

import (
	"errors"
	"strconv"
	"sync"
	"testing"
	"time"

	"github.com/parleybot/parley/bot"
	"github.com/parleybot/parley/platform/platformtest"
	"github.com/parleybot/parley/platform/virola"
	"github.com/parleybot/parley/platform/virola/virolasim"
	"github.com/parleybot/parley/store"
)

// simWorld runs the conformance suite against virolasim.
type simWorld struct {
	sim  *virolasim.Server
	bot  virola.User
	auth []virola.Option

	mu       sync.Mutex
	contacts map[int64]int64 // private room → the contact
}

func newSimWorld(t testing.TB, login bool, opts ...virolasim.Option) *simWorld {
	t.Helper()
	sim := virolasim.New(opts...)
	if err := sim.Start(); err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() { _ = sim.Close() })
	w := &simWorld{sim: sim, contacts: map[int64]int64{}}
	w.bot = sim.AddUser("bot", "Bot", "bot-password")
	if login {
		w.auth = []virola.Option{virola.WithLogin("bot", "bot-password")}
	} else {
		w.auth = []virola.Option{virola.WithToken(sim.Token(w.bot.UserID))}
	}
	return w
}

// testOptions keep reconnects and progress saving quick in tests.
func testOptions(st store.Store) []virola.Option {
	return []virola.Option{
		virola.WithStore(st),
		virola.WithBackoff(5*time.Millisecond, 50*time.Millisecond),
		virola.WithCallTimeout(10 * time.Second),
		virola.WithCursorFlush(10 * time.Millisecond),
	}
}

func (w *simWorld) NewPlatform(_ *testing.T, st store.Store) bot.Platform {
	return virola.New(w.sim.URL(), append(testOptions(st), w.auth...)...)
}

// waitConnected waits for the bot's events socket: Virola keeps nothing
// for closed sockets, and a bot starting for the first time does not
// answer what was written before it came.
func (w *simWorld) waitConnected(t testing.TB) {
	t.Helper()
	if err := w.sim.Wait(platformtest.Timeout, func() bool { return w.sim.Stats().Conns > 0 }); err != nil {
		t.Fatal(err)
	}
}

// ConnectContact opens a private room between a new user and the bot.
// Virola has no requests: with request set the bot's AutoAccept sees the
// new room as one and sends its welcome.
func (w *simWorld) ConnectContact(t *testing.T, name string, request bool) string {
	t.Helper()
	w.waitConnected(t)
	u := w.sim.AddUser(name, name, "pw-"+name)
	r, err := w.sim.NewPrivateRoom(u.UserID, w.bot.UserID)
	if err != nil {
		t.Fatal(err)
	}
	w.mu.Lock()
	w.contacts[r.RoomID] = u.UserID
	w.mu.Unlock()
	return strconv.FormatInt(r.RoomID, 10)
}

func parseID(t testing.TB, s string) int64 {
	t.Helper()
	id, err := strconv.ParseInt(s, 10, 64)
	if err != nil {
		t.Fatal(err)
	}
	return id
}

func (w *simWorld) ContactSend(t *testing.T, chatID, text string) string {
	t.Helper()
	room := parseID(t, chatID)
	w.mu.Lock()
	uid := w.contacts[room]
	w.mu.Unlock()
	m, err := w.sim.Post(uid, room, text)
	if err != nil {
		t.Fatal(err)
	}
	return strconv.FormatInt(m.MessageID, 10)
}

// NewGroup returns an empty role: Virola shows no member roles.
func (w *simWorld) NewGroup(t *testing.T, _ bot.Platform) (string, string, string) {
	t.Helper()
	u := w.sim.AddUser("mia", "Mia", "pw-mia")
	r, err := w.sim.NewPublicRoom("club", w.bot.UserID, u.UserID)
	if err != nil {
		t.Fatal(err)
	}
	return strconv.FormatInt(r.RoomID, 10), strconv.FormatInt(u.UserID, 10), ""
}

func (w *simWorld) GroupSend(t *testing.T, chatID, senderID, text string) string {
	t.Helper()
	m, err := w.sim.Post(parseID(t, senderID), parseID(t, chatID), text)
	if err != nil {
		t.Fatal(err)
	}
	return strconv.FormatInt(m.MessageID, 10)
}

// BotSent reports comments as replies to their parent message.
func (w *simWorld) BotSent() []platformtest.Sent {
	var out []platformtest.Sent
	for _, m := range w.sim.PostedBy(w.bot.UserID) {
		s := platformtest.Sent{ChatID: strconv.FormatInt(m.RoomID, 10), Text: m.Text}
		if m.ParentMessageID != 0 {
			s.ReplyTo = strconv.FormatInt(m.ParentMessageID, 10)
		}
		out = append(out, s)
	}
	return out
}

func (w *simWorld) EmitUnknown(t *testing.T) {
	w.waitConnected(t)
	w.sim.InjectRaw(`{"type":"MessageReactionsChanged","data":{"messageId":2000100,"reactions":[]}}`)
}

func (w *simWorld) FailNextSend(t *testing.T) {
	w.sim.FailNextPost(500, "Internal server error")
}

func (w *simWorld) IsCommandError(err error) bool {
	var ae *virola.APIError
	return errors.As(err, &ae) && ae.Status == 500
}

func (w *simWorld) DropAfterFrames(t *testing.T, n int) { w.sim.DropAfter(n) }

func (w *simWorld) Connections() (int, int) {
	s := w.sim.Stats()
	return s.Conns, s.TotalConns
}

func TestConformance(t *testing.T) {
	platformtest.Run(t, func(t *testing.T) platformtest.World { return newSimWorld(t, false) })
}

// The suite again with login and the session cookie, a socket that takes
// only the cookie, and lists that leave the cursor message out.
func TestConformanceLoginExclusiveCursor(t *testing.T) {
	platformtest.Run(t, func(t *testing.T) platformtest.World {
		return newSimWorld(t, true, virolasim.WithEventsCookieOnly(true), virolasim.WithExclusiveCursor(true))
	})
}
