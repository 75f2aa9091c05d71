package moderation

import (
	"context"
	"fmt"
	"strings"
	"sync"
	"sync/atomic"
	"testing"
	"time"

	"go.uber.org/goleak"
	"go.uber.org/zap"
	"go.uber.org/zap/zapcore"
	"go.uber.org/zap/zaptest/observer"

	"github.com/parleybot/parley/bot"
	"github.com/parleybot/parley/platform/simplex"
	"github.com/parleybot/parley/platform/simplex/simplexsim"
	"github.com/parleybot/parley/registry"
	"github.com/parleybot/parley/router"
	"github.com/parleybot/parley/store"
)

func TestMain(m *testing.M) { goleak.VerifyTestMain(m) }

// waitFor bounds every wait on the simulator; tests never sleep.
const waitFor = 5 * time.Second

// fakeClock is a clock the test steps by hand.
type fakeClock struct {
	mu sync.Mutex
	t  time.Time
}

func newFakeClock() *fakeClock {
	return &fakeClock{t: time.Date(2026, 3, 1, 12, 0, 0, 0, time.UTC)}
}

func (c *fakeClock) Now() time.Time {
	c.mu.Lock()
	defer c.mu.Unlock()
	return c.t
}

func (c *fakeClock) Advance(d time.Duration) {
	c.mu.Lock()
	c.t = c.t.Add(d)
	c.mu.Unlock()
}

// harness is a simulated SimpleX world with a moderation bot in it: the
// owner olga (a contact of the bot) and the group "club" with olga as
// owner and the members mia and bob.
type harness struct {
	t     *testing.T
	sim   *simplexsim.Sim
	st    store.Store
	clock *fakeClock
	logs  *observer.ObservedLogs

	owner int64 // olga's contact id
	gid   int64
	olga  int64 // olga's member id
	mia   int64
	bob   int64

	joinNotice simplexsim.SentItem
	mod        *Moderator // the running bot's

	handled atomic.Int64  // events whose handlers finished
	changed chan struct{} // signalled when handled grows

	mu   sync.Mutex
	seen map[string]int // chat ref → sent items already matched
	bot  *bot.Bot
	stop func()
}

func newHarness(t *testing.T, s Settings) *harness {
	t.Helper()
	sim := simplexsim.New(simplexsim.WithBotName("modbot"), simplexsim.WithAddress(true, ""))
	if err := sim.Start(); err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() { _ = sim.Close() })
	core, logs := observer.New(zapcore.InfoLevel)
	h := &harness{t: t, sim: sim, st: store.NewMemory(), clock: newFakeClock(), logs: logs, seen: map[string]int{}, changed: make(chan struct{}, 1)}
	h.start(s, zap.New(core))
	return h
}

// start runs a bot with a fresh Moderator over h's store until the test
// ends or h.restart.
func (h *harness) start(s Settings, log *zap.Logger) {
	h.t.Helper()
	p := simplex.New(h.sim.URL(), simplex.WithStore(h.st),
		simplex.WithClientOptions(simplex.WithBackoff(5*time.Millisecond, 50*time.Millisecond), simplex.WithCallTimeout(waitFor)),
		simplex.WithCursorFlush(10*time.Millisecond))
	r := router.New()
	m := New(s, WithClock(h.clock.Now))
	h.mod = m
	if err := m.Setup(registry.ModuleEnv{BotName: "mod", Logger: log, Store: h.st, Platform: p}, r); err != nil {
		h.t.Fatal(err)
	}
	b := bot.New(p, r, bot.WithName("mod"), bot.WithLogger(log))
	b.Use(h.count)
	ctx, cancel := context.WithCancel(context.Background())
	done := make(chan error, 1)
	go func() { done <- b.Run(ctx) }()
	var once sync.Once
	stop := func() {
		once.Do(func() {
			h.quiesce(b)
			cancel()
			if err := <-done; err != nil {
				h.t.Errorf("bot.Run: %v", err)
			}
		})
	}
	h.t.Cleanup(stop)
	h.mu.Lock()
	h.bot, h.stop = b, stop
	h.mu.Unlock()
}

// count is outer middleware that counts finished events.
func (h *harness) count(next bot.Handler) bot.Handler {
	return bot.HandlerFunc(func(c *bot.Context) error {
		err := next.Handle(c)
		h.handled.Add(1)
		select {
		case h.changed <- struct{}{}:
		default:
		}
		return err
	})
}

// quiesce waits until b has handled every event it received, so that no
// handler is cut short when the test stops the bot.
func (h *harness) quiesce(b *bot.Bot) {
	h.t.Helper()
	deadline := time.NewTimer(waitFor)
	defer deadline.Stop()
	for h.handled.Load() < b.Stats().Received {
		select {
		case <-h.changed:
		case <-deadline.C:
			h.t.Errorf("bot still busy at the end: %+v", b.Stats())
			return
		}
	}
}

// restart stops the bot and starts a new one, with a new Moderator, on
// the same store and simulator.
func (h *harness) restart(s Settings) {
	h.t.Helper()
	h.stop()
	h.handled.Store(0)
	h.start(s, zap.New(zapcore.NewNopCore()))
	// Events pushed to a connection that is closing would be lost.
	if err := h.sim.Wait(waitFor, func(w *simplexsim.World) bool {
		st := w.Stats()
		return st.Connections == 1 && st.TotalConnections == 2
	}); err != nil {
		h.t.Fatal("the restarted bot did not connect: ", err)
	}
}

// setup starts a bot with s, creates the world and invites the bot as
// role, waiting for the join notice.
func setup(t *testing.T, s Settings, role string) *harness {
	t.Helper()
	h := newHarness(t, s)
	h.world()
	h.invite(role)
	h.joinNotice = h.waitSent(h.ownerRef(), "I joined club as "+role)
	return h
}

// world connects olga and creates the club.
func (h *harness) world() {
	h.t.Helper()
	c, err := h.sim.ConnectContact("olga")
	if err != nil {
		h.t.Fatal(err)
	}
	h.owner = c.ContactID
	gid, ids, err := h.sim.NewGroup("club",
		simplexsim.MemberSpec{Name: "olga", Role: "owner", ContactID: h.owner},
		simplexsim.MemberSpec{Name: "mia"},
		simplexsim.MemberSpec{Name: "bob"})
	if err != nil {
		h.t.Fatal(err)
	}
	h.gid, h.olga, h.mia, h.bob = gid, ids[0], ids[1], ids[2]
}

func (h *harness) invite(role string) {
	h.t.Helper()
	if _, err := h.sim.InviteBot(h.gid, h.owner, role); err != nil {
		h.t.Fatal(err)
	}
}

func (h *harness) ownerRef() string { return fmt.Sprintf("@%d", h.owner) }

// send makes a member post text and returns the item id.
func (h *harness) send(member int64, text string) int64 {
	h.t.Helper()
	id, err := h.sim.MemberSend(h.gid, member, text, false)
	if err != nil {
		h.t.Fatal(err)
	}
	return id
}

// command makes olga send text to the bot and returns the bot's answer.
func (h *harness) command(text, want string) string {
	h.t.Helper()
	if _, err := h.sim.ContactSend(h.owner, text); err != nil {
		h.t.Fatal(err)
	}
	return h.waitSent(h.ownerRef(), want).Text
}

// waitSent waits for a message of the bot to chat, newer than those
// matched before, that contains want; older unmatched ones are skipped.
func (h *harness) waitSent(chat, want string) simplexsim.SentItem {
	h.t.Helper()
	h.mu.Lock()
	from := h.seen[chat]
	h.mu.Unlock()
	var got simplexsim.SentItem
	idx := 0
	err := h.sim.Wait(waitFor, func(w *simplexsim.World) bool {
		n := 0
		for _, s := range w.Sent() {
			if s.ChatRef != chat {
				continue
			}
			n++
			if n > from && strings.Contains(s.Text, want) {
				got, idx = s, n
				return true
			}
		}
		return false
	})
	if err != nil {
		h.t.Fatalf("no message to %s containing %q: %v\nsent: %s", chat, want, err, h.sentTo(chat))
	}
	h.mu.Lock()
	h.seen[chat] = idx
	h.mu.Unlock()
	return got
}

func (h *harness) sentTo(chat string) string {
	var b strings.Builder
	for _, s := range h.sim.BotSent() {
		if s.ChatRef == chat {
			fmt.Fprintf(&b, "\n  %q", s.Text)
		}
	}
	return b.String()
}

// noticesContaining counts the bot's messages to the owner containing s.
func (h *harness) noticesContaining(s string) int {
	n := 0
	for _, it := range h.sim.BotSent() {
		if it.ChatRef == h.ownerRef() && strings.Contains(it.Text, s) {
			n++
		}
	}
	return n
}

// waitModeration waits for a moderation action of kind on the club
// affecting item (or member, for member actions) and returns it.
func (h *harness) waitModeration(kind simplexsim.ActionKind, item, member int64) simplexsim.Action {
	h.t.Helper()
	var got simplexsim.Action
	err := h.sim.Wait(waitFor, func(w *simplexsim.World) bool {
		for _, a := range w.Moderations() {
			if a.Kind != kind || a.ChatRef != fmt.Sprintf("#%d", h.gid) {
				continue
			}
			if (item != 0 && contains(a.ItemIDs, item)) || (item == 0 && contains(a.MemberIDs, member)) {
				got = a
				return true
			}
		}
		return false
	})
	if err != nil {
		h.t.Fatalf("no %s of item %d / member %d: %v\nmoderations: %+v\nsent to owner: %s",
			kind, item, member, err, h.sim.Moderations(), h.sentTo(h.ownerRef()))
	}
	return got
}

// moderated reports whether item was moderated.
func (h *harness) moderated(item int64) bool {
	for _, a := range h.sim.Moderations() {
		if a.Kind == simplexsim.ActionModerate && contains(a.ItemIDs, item) {
			return true
		}
	}
	return false
}

// barrier sends a message that is certainly deleted and waits for that:
// the club's events are handled in order, so everything sent to the club
// before it has been handled by then.
func (h *harness) barrier(word string) {
	h.t.Helper()
	id := h.send(h.bob, "barrier "+word)
	h.waitModeration(simplexsim.ActionModerate, id, 0)
}

func contains(ids []int64, id int64) bool {
	for _, x := range ids {
		if x == id {
			return true
		}
	}
	return false
}

func settingsWith(fn func(*Settings)) Settings {
	s := DefaultSettings()
	fn(&s)
	return s
}
