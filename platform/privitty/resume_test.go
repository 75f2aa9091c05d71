package privitty_test

import (
	"context"
	"encoding/json"
	"fmt"
	"io"
	"net"
	"strconv"
	"sync"
	"sync/atomic"
	"testing"
	"time"

	"go.uber.org/zap"
	"go.uber.org/zap/zapcore"
	"go.uber.org/zap/zaptest/observer"

	"github.com/parleybot/parley/bot"
	"github.com/parleybot/parley/middleware"
	"github.com/parleybot/parley/platform/privitty"
	"github.com/parleybot/parley/platform/privitty/privittysim"
	"github.com/parleybot/parley/router"
	"github.com/parleybot/parley/store"
)

// Tests of resuming after crashes, restarts without a store and failed
// sends: nothing lost, no reply sent twice.

// cutProxy forwards TCP connections to the daemon until cut: then every
// connection closes at once and new ones are closed as they come, which
// is what the daemon sees of a bot process that was killed, or of a
// network gone.
type cutProxy struct {
	ln     net.Listener
	target string
	wg     sync.WaitGroup

	mu    sync.Mutex
	cut   bool
	conns map[net.Conn]struct{}
}

func newCutProxy(t *testing.T, target string) *cutProxy {
	t.Helper()
	ln, err := net.Listen("tcp", "127.0.0.1:0")
	if err != nil {
		t.Fatal(err)
	}
	p := &cutProxy{ln: ln, target: target, conns: map[net.Conn]struct{}{}}
	p.wg.Add(1)
	go p.accept()
	t.Cleanup(p.close)
	return p
}

func (p *cutProxy) URL() string { return "http://" + p.ln.Addr().String() }

func (p *cutProxy) accept() {
	defer p.wg.Done()
	for {
		c, err := p.ln.Accept()
		if err != nil {
			return
		}
		p.mu.Lock()
		cut := p.cut
		p.mu.Unlock()
		if cut {
			c.Close()
			continue
		}
		up, err := net.Dial("tcp", p.target)
		if err != nil {
			c.Close()
			continue
		}
		if !p.track(c, up) {
			continue
		}
		p.wg.Add(2)
		go p.pipe(c, up)
		go p.pipe(up, c)
	}
}

// track registers a connection pair, unless the proxy was cut meanwhile.
func (p *cutProxy) track(a, b net.Conn) bool {
	p.mu.Lock()
	defer p.mu.Unlock()
	if p.cut {
		a.Close()
		b.Close()
		return false
	}
	p.conns[a], p.conns[b] = struct{}{}, struct{}{}
	return true
}

func (p *cutProxy) pipe(dst, src net.Conn) {
	defer p.wg.Done()
	_, _ = io.Copy(dst, src)
	dst.Close()
	src.Close()
	p.mu.Lock()
	delete(p.conns, dst)
	delete(p.conns, src)
	p.mu.Unlock()
}

// Cut closes every connection and refuses new ones until Mend.
func (p *cutProxy) Cut() {
	p.mu.Lock()
	defer p.mu.Unlock()
	p.cut = true
	for c := range p.conns {
		c.Close()
	}
}

// Mend lets connections through again.
func (p *cutProxy) Mend() {
	p.mu.Lock()
	p.cut = false
	p.mu.Unlock()
}

func (p *cutProxy) close() {
	p.Cut()
	p.ln.Close()
	p.wg.Wait()
}

// crashStore passes writes on until kill; the writes of a killed process
// never land.
type crashStore struct {
	store.Store
	dead atomic.Bool
}

func (s *crashStore) kill() { s.dead.Store(true) }

func (s *crashStore) Set(ctx context.Context, key string, v []byte, ttl time.Duration) error {
	if s.dead.Load() {
		return nil
	}
	return s.Store.Set(ctx, key, v, ttl)
}

func (s *crashStore) Add(ctx context.Context, key string, v []byte, ttl time.Duration) (bool, error) {
	if s.dead.Load() {
		return true, nil
	}
	return s.Store.Add(ctx, key, v, ttl)
}

func (s *crashStore) Delete(ctx context.Context, key string) error {
	if s.dead.Load() {
		return nil
	}
	return s.Store.Delete(ctx, key)
}

func (s *crashStore) Close() error { return nil }

// echoBot is an echo bot that quotes what it answers (Reply).
type echoBot struct {
	stop    func()
	handled *recorder
}

// hooks run around the echo bot's reply, for the crash points of the
// tests: before it, and after it with its error (which after may
// replace; the handler returns it).
type hooks struct {
	before func(m bot.Message)
	after  func(m bot.Message, err error) error
}

// runEcho runs an echo bot on p with h. Dedupe runs on dedupe when it is
// not nil. A Run error is reported unless tolerant (a killed bot's last
// writes fail).
func runEcho(t *testing.T, p *privitty.Platform, dedupe store.Store, tolerant bool, h hooks) *echoBot {
	t.Helper()
	rec := &recorder{}
	r := router.New()
	r.OnMessage(func(c *bot.Context, m bot.Message) error {
		rec.add(m, c.Event())
		if h.before != nil {
			h.before(m)
		}
		err := c.Reply(m.Text)
		if h.after != nil {
			return h.after(m, err)
		}
		return err
	})
	b := bot.New(p, r, bot.WithStopTimeout(waitLimit))
	b.Use(middleware.Recover())
	if dedupe != nil {
		b.Use(middleware.Dedupe(dedupe))
	}
	ctx, cancel := context.WithCancel(context.Background())
	done := make(chan error, 1)
	go func() { done <- b.Run(ctx) }()
	var once sync.Once
	stop := func() {
		once.Do(func() {
			cancel()
			select {
			case err := <-done:
				if err != nil && !tolerant {
					t.Errorf("bot Run: %v", err)
				}
			case <-time.After(waitLimit):
				t.Error("bot did not stop")
			}
		})
	}
	t.Cleanup(stop)
	return &echoBot{stop: stop, handled: rec}
}

// repliesTo counts the bot's messages quoting each message id.
func repliesTo(sim *privittysim.Sim) map[int64]int {
	n := map[int64]int{}
	for _, s := range sim.BotSent() {
		if s.QuotedMessageID > 0 {
			n[s.QuotedMessageID]++
		}
	}
	return n
}

// waitAnswered waits until every message of ids has a reply, then checks
// that none has more than one.
func waitAnswered(t *testing.T, sim *privittysim.Sim, ids map[int64]string) {
	t.Helper()
	err := sim.Wait(waitLimit, func() bool {
		r := repliesTo(sim)
		for id := range ids {
			if r[id] == 0 {
				return false
			}
		}
		return true
	})
	r := repliesTo(sim)
	for id, text := range ids {
		if r[id] != 1 {
			t.Errorf("message %d %q answered %d times, want once", id, text, r[id])
		}
	}
	if err != nil {
		t.Fatal(err)
	}
}

func waitSeen(t *testing.T, sim *privittysim.Sim, ids ...int64) {
	t.Helper()
	err := sim.Wait(waitLimit, func() bool {
		for _, id := range ids {
			if st, _ := sim.MsgState(id); st != privitty.StateInSeen {
				return false
			}
		}
		return true
	})
	if err != nil {
		for _, id := range ids {
			st, _ := sim.MsgState(id)
			t.Logf("message %d state %d", id, st)
		}
		t.Fatal("messages not marked seen: ", err)
	}
}

func send(t *testing.T, sim *privittysim.Sim, chat int64, text string, into map[int64]string) int64 {
	t.Helper()
	id, err := sim.ContactSend(chat, text)
	if err != nil {
		t.Fatal(err)
	}
	into[id] = text
	return id
}

// crashAfterReply returns a hook that, for the message with text at,
// reports the reply sent on replied and then holds the handler until
// release is closed: the bot is killed between its reply and the
// handler's end, before anything records that the message was handled.
func crashAfterReply(at string, replied chan<- struct{}, release <-chan struct{}) hooks {
	return hooks{after: func(m bot.Message, err error) error {
		if m.Text == at && err == nil {
			close(replied)
			<-release
		}
		return err
	}}
}

func waitChan(t *testing.T, ch <-chan struct{}, what string) {
	t.Helper()
	select {
	case <-ch:
	case <-time.After(waitLimit):
		t.Fatalf("timed out waiting for %s", what)
	}
}

// A bot with no store (the echo example's way) is killed right after
// replying to a message, before marking it seen; messages arrive while
// it is down, in a chat it knew and in one new to it. Restarted, still
// with no store, it answers every message once: the unseen ones are
// fetched at start-up, and the one it answered before the kill is
// recognized by the reply quoting it.
func TestRestartWithoutStoreAfterKillLosesNothingAndDoublesNothing(t *testing.T) {
	sim := newSim(t)
	alice, _ := sim.ConnectContact("alice", false)
	bob, _ := sim.ConnectContact("bob", false)
	proxy := newCutProxy(t, sim.URL()[len("http://"):])
	msgs := map[int64]string{}

	replied, release := make(chan struct{}), make(chan struct{})
	p1 := privitty.New(proxy.URL(), testOptions(nil)...)
	b1 := runEcho(t, p1, nil, true, crashAfterReply("crash", replied, release))
	waitReady(t, p1)
	a1 := send(t, sim, alice.ChatID, "a1", msgs)
	b1id := send(t, sim, bob.ChatID, "b1", msgs)
	waitSeen(t, sim, a1, b1id)
	crash := send(t, sim, alice.ChatID, "crash", msgs)
	waitChan(t, replied, "the reply before the kill")

	proxy.Cut() // the kill: nothing the first process does reaches the daemon
	send(t, sim, alice.ChatID, "while down 1", msgs)
	send(t, sim, bob.ChatID, "while down 2", msgs)
	carol, _ := sim.ConnectContact("carol", false)
	send(t, sim, carol.ChatID, "while down, new chat", msgs)
	close(release)
	b1.stop()
	if st, _ := sim.MsgState(crash); st != privitty.StateInFresh {
		t.Fatalf("the answered message is in state %d before the restart, want fresh", st)
	}

	core, logs := observer.New(zapcore.InfoLevel)
	p2 := privitty.New(sim.URL(), append(testOptions(nil), privitty.WithLogger(zap.New(core)))...)
	b2 := runEcho(t, p2, nil, false, hooks{})
	waitAnswered(t, sim, msgs)
	waitReady(t, p2)
	ids := make([]int64, 0, len(msgs))
	for id := range msgs {
		ids = append(ids, id)
	}
	waitSeen(t, sim, ids...)
	if n := b2.handled.texts()["crash"]; n != 0 {
		t.Errorf("the answered message reached the restarted bot's handler %d times", n)
	}
	if got := p2.Stats().Answered; got != 1 {
		t.Errorf("Stats.Answered = %d, want 1", got)
	}
	if logs.FilterMessageSnippet("resume source: the daemon's unseen messages (no store").Len() != 1 {
		t.Errorf("no start-up line naming the resume source; logs: %v", logs.All())
	}
}

// A bot with a store is killed after replying to messages whose cursor
// was not written yet (the flush interval is long): the restart replays
// them from the stored cursor, and finds them answered.
func TestCrashAfterReplyBeforeCursorFlushDoesNotDouble(t *testing.T) {
	sim := newSim(t)
	alice, _ := sim.ConnectContact("alice", false)
	proxy := newCutProxy(t, sim.URL()[len("http://"):])
	disk := store.NewMemory()
	st1 := &crashStore{Store: disk}
	msgs := map[int64]string{}

	replied, release := make(chan struct{}), make(chan struct{})
	p1 := privitty.New(proxy.URL(), append(testOptions(st1), privitty.WithCursorFlush(time.Hour))...)
	b1 := runEcho(t, p1, nil, true, crashAfterReply("crash", replied, release))
	waitReady(t, p1)
	first := send(t, sim, alice.ChatID, "first", msgs)
	// The first handled message is written at once, the next ones only
	// an hour later.
	waitCond(t, "the first cursor written", func() bool {
		return storedCursor(t, disk, alice.ChatID) >= first
	})
	for i := range 3 {
		send(t, sim, alice.ChatID, fmt.Sprint("unflushed ", i), msgs)
	}
	crash := send(t, sim, alice.ChatID, "crash", msgs)
	waitChan(t, replied, "the reply before the kill")
	proxy.Cut()
	st1.kill()
	send(t, sim, alice.ChatID, "while down", msgs)
	carol, _ := sim.ConnectContact("carol", false)
	send(t, sim, carol.ChatID, "while down, new chat", msgs)
	close(release)
	b1.stop()
	if c := storedCursor(t, disk, alice.ChatID); c >= crash {
		t.Fatalf("stored cursor %d already past the message answered before the kill (%d): the test does not crash before the flush", c, crash)
	}

	core, logs := observer.New(zapcore.InfoLevel)
	p2 := privitty.New(sim.URL(), append(testOptions(disk), privitty.WithLogger(zap.New(core)))...)
	b2 := runEcho(t, p2, nil, false, hooks{})
	waitAnswered(t, sim, msgs)
	waitReady(t, p2)
	if n := b2.handled.texts()["crash"]; n != 0 {
		t.Errorf("the answered message reached the restarted bot's handler %d times", n)
	}
	if got := p2.Stats().Answered; got < 1 {
		t.Errorf("Stats.Answered = %d, want at least 1", got)
	}
	if logs.FilterMessageSnippet("resume source: the stored cursors").Len() != 1 {
		t.Errorf("no start-up line naming the resume source; logs: %v", logs.All())
	}
}

// storedCursor reads the handled cursor of chat from the store, or 0.
func storedCursor(t *testing.T, st store.Store, chat int64) int64 {
	t.Helper()
	var m map[string]int64
	for _, key := range []string{"privitty:cursors:1", "privitty:cursors:1:new"} {
		data, ok, err := st.Get(context.Background(), key)
		if err != nil {
			t.Fatal(err)
		}
		if !ok {
			continue
		}
		if err := json.Unmarshal(data, &m); err != nil {
			t.Fatal(err)
		}
		if c, ok := m[strconv.FormatInt(chat, 10)]; ok {
			return c
		}
	}
	return 0
}

// A reply that never reached the daemon keeps its message unseen and its
// chat's cursor below it, across a stop; the message is answered once
// the daemon is reachable again, by the same process after a reconnect
// and by a restarted one.
func TestFailedSendIsRetriedNotMarked(t *testing.T) {
	for _, restart := range []bool{false, true} {
		t.Run(map[bool]string{false: "reconnect", true: "restart"}[restart], func(t *testing.T) {
			sim := newSim(t)
			alice, _ := sim.ConnectContact("alice", false)
			proxy := newCutProxy(t, sim.URL()[len("http://"):])
			st := store.NewMemory()
			msgs := map[int64]string{}
			failed := make(chan struct{})
			var attempts atomic.Int32
			p1 := privitty.New(proxy.URL(), testOptions(st)...)
			b1 := runEcho(t, p1, st, true, hooks{
				before: func(m bot.Message) {
					if m.Text == "flaky" && attempts.Add(1) == 1 {
						proxy.Cut() // the daemon goes out of reach just before the reply
					}
				},
				after: func(m bot.Message, err error) error {
					if m.Text == "flaky" && attempts.Load() == 1 {
						if !bot.Undelivered(err) {
							t.Errorf("the reply through the cut proxy: %v, want an undelivered error", err)
						}
						close(failed)
					}
					return err
				},
			})
			waitReady(t, p1)
			before := send(t, sim, alice.ChatID, "before", msgs)
			waitSeen(t, sim, before)
			flaky := send(t, sim, alice.ChatID, "flaky", msgs)
			waitChan(t, failed, "the failed send")
			if restart {
				b1.stop()
				if c := storedCursor(t, st, alice.ChatID); c >= flaky {
					t.Fatalf("stored cursor %d passed the message whose reply failed (%d)", c, flaky)
				}
			}
			if s, _ := sim.MsgState(flaky); s != privitty.StateInFresh {
				t.Fatalf("the message whose reply failed is in state %d, want fresh", s)
			}
			p := p1
			if restart {
				p = privitty.New(sim.URL(), testOptions(st)...)
				runEcho(t, p, st, false, hooks{})
			} else {
				proxy.Mend()
			}
			waitAnswered(t, sim, msgs)
			waitSeen(t, sim, before, flaky)
			if !restart && attempts.Load() != 2 {
				t.Errorf("the handler saw the message %d times, want 2", attempts.Load())
			}
		})
	}
}

// A reply whose outcome was unknown to the handler but that reached the
// daemon: the message is kept for another try, and the retry finds the
// reply quoting it instead of answering again.
func TestUnknownOutcomeReconciledByQuote(t *testing.T) {
	sim := newSim(t)
	alice, _ := sim.ConnectContact("alice", false)
	st := store.NewMemory()
	msgs := map[int64]string{}
	var calls atomic.Int32
	p := newPlatform(sim, st)
	eb := runEcho(t, p, st, false, hooks{after: func(m bot.Message, err error) error {
		if m.Text == "lost answer" && calls.Add(1) == 1 && err == nil {
			return fmt.Errorf("answer lost: %w", bot.ErrOutcomeUnknown)
		}
		return err
	}})
	waitReady(t, p)
	id := send(t, sim, alice.ChatID, "lost answer", msgs)
	waitCond(t, "the first try", func() bool { return calls.Load() == 1 })
	sim.DropStream() // the retry comes with the catch-up after a reconnect
	waitCond(t, "the retry", func() bool { return p.Stats().Answered == 1 })
	send(t, sim, alice.ChatID, "next", msgs)
	waitAnswered(t, sim, msgs)
	waitSeen(t, sim, id)
	if n := eb.handled.texts()["lost answer"]; n != 1 {
		t.Errorf("the message reached the handler %d times, want 1", n)
	}
	waitCond(t, "the cursor past the reconciled message", func() bool {
		return storedCursor(t, st, alice.ChatID) > id
	})
}

// Unknown event types and junk frames are counted every time and logged
// once per kind at info or warning level.
func TestOddEventsLoggedOncePerKind(t *testing.T) {
	sim := newSim(t)
	core, logs := observer.New(zapcore.InfoLevel)
	p := newPlatform(sim, nil, privitty.WithLogger(zap.New(core)))
	rec := runEcho(t, p, nil, false, hooks{}).handled
	alice, _ := sim.ConnectContact("alice", false)
	waitReady(t, p)
	for range 3 {
		sim.SendMalformed()
		sim.EmitRaw(`{"type":"FutureA","account_id":1}`)
		sim.EmitRaw(`{"type":"FutureB","account_id":1}`)
	}
	sim.ContactSend(alice.ChatID, "after")
	waitCond(t, "the message after the junk", func() bool { return rec.texts()["after"] == 1 })
	if s := p.Stats(); s.Malformed != 3 || s.Unknown != 6 {
		t.Fatalf("stats %+v, want 3 malformed and 6 unknown", s)
	}
	if n := logs.FilterMessageSnippet("undecodable event").Len(); n != 1 {
		t.Errorf("%d log lines about undecodable events, want 1", n)
	}
	unknown := logs.FilterMessageSnippet("unknown type")
	for _, typ := range []string{"FutureA", "FutureB"} {
		if n := unknown.FilterField(zap.String("type", typ)).Len(); n != 1 {
			t.Errorf("%d log lines about type %s, want 1", n, typ)
		}
	}
}

// The bot's reply may be far from the message it answers: the message
// waited in a long backlog, was answered, and the bot died before marking
// it seen. A restart without a store finds the reply at the chat's end.
func TestAnswerFoundFarFromTheMessage(t *testing.T) {
	sim := newSim(t)
	alice, _ := sim.ConnectContact("alice", false)
	answered, err := sim.ContactSendMsg(alice.ChatID, privittysim.Msg{Text: "answered long ago", Silent: true})
	if err != nil {
		t.Fatal(err)
	}
	for i := range 3 * 100 {
		if _, err := sim.ContactSendMsg(alice.ChatID, privittysim.Msg{Text: fmt.Sprint("read ", i), Seen: true, Silent: true}); err != nil {
			t.Fatal(err)
		}
	}
	// The reply of a bot process that was killed before marking it seen.
	c := privitty.NewClient(sim.URL())
	if _, err := c.SendMsg(context.Background(), alice.ChatID, privitty.MessageData{Text: "answer", QuotedMessageID: answered}); err != nil {
		t.Fatal(err)
	}
	msgs := map[int64]string{answered: "answered long ago"}
	waiting := send(t, sim, alice.ChatID, "not answered yet", msgs)
	p := privitty.New(sim.URL(), testOptions(nil)...)
	eb := runEcho(t, p, nil, false, hooks{})
	waitAnswered(t, sim, msgs)
	waitSeen(t, sim, answered, waiting)
	if n := eb.handled.texts()["answered long ago"]; n != 0 {
		t.Errorf("the answered message reached the handler %d times", n)
	}
	if got := p.Stats().Answered; got != 1 {
		t.Errorf("Stats.Answered = %d, want 1", got)
	}
}

// After a kill, a message whose reply failed may come before one whose
// reply landed (its outcome unknown to the bot): the catch-up skips the
// answered one and still passes the earlier one on.
func TestAnsweredMessageDoesNotHideAnEarlierOne(t *testing.T) {
	for _, withStore := range []bool{false, true} {
		t.Run(map[bool]string{false: "no store", true: "store"}[withStore], func(t *testing.T) {
			sim := newSim(t)
			alice, _ := sim.ConnectContact("alice", false)
			var st store.Store
			if withStore {
				// A store whose cursors are below both messages.
				st = store.NewMemory()
				p := privitty.New(sim.URL(), testOptions(st)...)
				runEcho(t, p, nil, false, hooks{}).stop()
			}
			msgs := map[int64]string{}
			failed, err := sim.ContactSendMsg(alice.ChatID, privittysim.Msg{Text: "reply failed", Silent: true})
			if err != nil {
				t.Fatal(err)
			}
			msgs[failed] = "reply failed"
			landed, err := sim.ContactSendMsg(alice.ChatID, privittysim.Msg{Text: "reply landed", Silent: true})
			if err != nil {
				t.Fatal(err)
			}
			msgs[landed] = "reply landed"
			c := privitty.NewClient(sim.URL())
			if _, err := c.SendMsg(context.Background(), alice.ChatID, privitty.MessageData{Text: "answer", QuotedMessageID: landed}); err != nil {
				t.Fatal(err)
			}
			p := privitty.New(sim.URL(), testOptions(st)...)
			eb := runEcho(t, p, nil, false, hooks{})
			waitAnswered(t, sim, msgs)
			waitSeen(t, sim, failed, landed)
			if got := eb.handled.texts(); got["reply failed"] != 1 || got["reply landed"] != 0 {
				t.Errorf("handled %v, want only the message whose reply failed", got)
			}
			if got := p.Stats().Answered; got != 1 {
				t.Errorf("Stats.Answered = %d, want 1", got)
			}
		})
	}
}

// A bot without a store starts by reading only the unseen part of a long
// chat, not its whole read history.
func TestStartWithoutStoreReadsOnlyTheUnseen(t *testing.T) {
	sim := newSim(t)
	alice, _ := sim.ConnectContact("alice", false)
	for i := range 10 * 100 {
		if _, err := sim.ContactSendMsg(alice.ChatID, privittysim.Msg{Text: fmt.Sprint("read ", i), Seen: true, Silent: true}); err != nil {
			t.Fatal(err)
		}
	}
	msgs := map[int64]string{}
	id, err := sim.ContactSendMsg(alice.ChatID, privittysim.Msg{Text: "unseen", Silent: true})
	if err != nil {
		t.Fatal(err)
	}
	msgs[id] = "unseen"
	p := privitty.New(sim.URL(), testOptions(nil)...)
	eb := runEcho(t, p, nil, false, hooks{})
	waitAnswered(t, sim, msgs)
	waitReady(t, p)
	if got := eb.handled.texts(); len(got) != 1 {
		t.Errorf("handled %v, want the unseen message only", got)
	}
	if n := sim.Calls("get_messages"); n > 2 {
		t.Errorf("%d get_messages calls to start, want at most 2: the read history was read", n)
	}
}

// A command that was not delivered while the event stream stays up (a
// call timeout, say) is retried without waiting for a reconnect.
func TestUndeliveredRetriedWhileStreamStaysUp(t *testing.T) {
	sim := newSim(t)
	alice, _ := sim.ConnectContact("alice", false)
	st := store.NewMemory()
	msgs := map[int64]string{}
	var calls atomic.Int32
	p := newPlatform(sim, st)
	runEcho(t, p, nil, false, hooks{before: func(m bot.Message) {
		calls.Add(1)
	}, after: func(m bot.Message, err error) error {
		if m.Text == "retry me" && calls.Load() == 1 {
			// As if the reply had timed out: it did land, but the
			// handler cannot know.
			return fmt.Errorf("reply timed out: %w", bot.ErrOutcomeUnknown)
		}
		return err
	}})
	waitReady(t, p)
	id := send(t, sim, alice.ChatID, "retry me", msgs)
	waitCond(t, "the retry", func() bool { return p.Stats().Answered == 1 })
	waitAnswered(t, sim, msgs)
	waitSeen(t, sim, id)
	if n := sim.Stats().TotalStreams; n != 1 {
		t.Errorf("%d event streams opened, want 1: the retry waited for a reconnect", n)
	}
}

// A stream the daemon closes while the handlers are behind is reopened at
// once: the reader keeps reading past a full queue (leaving message events
// out, for a catch-up to fetch, and holding others) instead of leaving the
// closed stream unnoticed behind a backlog as long as the handlers take.
func TestClosedStreamReopenedWhileHandlersBehind(t *testing.T) {
	sim := newSim(t)
	alice, _ := sim.ConnectContact("alice", false)
	st := store.NewMemory()
	p := newPlatform(sim, st, privitty.WithEventBuffer(1))
	rec, open := runGatedEcho(t, p)
	waitReady(t, p)
	msgs := map[int64]string{}
	var order []string
	for i := range 20 {
		if i == 10 {
			// Not a message, so not fetched again: held, not left out.
			sim.EmitRaw(`{"type":"SomeFutureEvent","account_id":1}`)
		}
		text := fmt.Sprintf("m%d", i)
		send(t, sim, alice.ChatID, text, msgs)
		order = append(order, text)
	}
	// Every event is written before the daemon closes the stream.
	if err := sim.Wait(waitLimit, func() bool { return sim.Stats().EventsSent >= len(msgs)+1 }); err != nil {
		t.Fatal(err)
	}
	sim.DropStream()
	if err := sim.Wait(waitLimit, func() bool { return sim.Stats().TotalStreams >= 2 }); err != nil {
		t.Fatal("the closed stream was not reopened while the handlers were busy: ", err)
	}
	open()
	waitAnswered(t, sim, msgs)
	got := rec.all()
	for i, m := range got {
		if i >= len(order) || m.Text != order[i] {
			t.Fatalf("handled in the order %v, want %v", got, order)
		}
	}
	if p.Stats().Overflowed == 0 {
		t.Error("Stats.Overflowed is 0: no message event was left out")
	}
	waitCond(t, "the unknown event held meanwhile", func() bool { return p.Stats().Unknown == 1 })
}

// With catch-up off nothing would fetch a message left out, so a reader
// behind busy handlers waits for room instead: every message is handled,
// none left out.
func TestBusyHandlersLoseNothingWithCatchUpOff(t *testing.T) {
	sim := newSim(t)
	alice, _ := sim.ConnectContact("alice", false)
	p := newPlatform(sim, store.NewMemory(), privitty.WithEventBuffer(1), privitty.WithCatchUp(false))
	rec, open := runGatedEcho(t, p)
	waitReady(t, p)
	msgs := map[int64]string{}
	for i := range 20 {
		send(t, sim, alice.ChatID, fmt.Sprintf("m%d", i), msgs)
	}
	open()
	waitAnswered(t, sim, msgs)
	if n := p.Stats().Overflowed; n != 0 {
		t.Errorf("Stats.Overflowed = %d with catch-up off: messages were left out", n)
	}
	if got := len(rec.all()); got != len(msgs) {
		t.Errorf("handled %d messages, want %d", got, len(msgs))
	}
}

// runGatedEcho runs an echo bot on p with one worker and a queue of one,
// whose handlers wait until open is called (at the latest when the test
// ends); rec records what they handled.
func runGatedEcho(t *testing.T, p *privitty.Platform) (rec *recorder, open func()) {
	t.Helper()
	gate := make(chan struct{})
	var opened sync.Once
	open = func() { opened.Do(func() { close(gate) }) }
	t.Cleanup(open)
	rec = &recorder{}
	r := router.New()
	r.OnMessage(func(c *bot.Context, m bot.Message) error {
		<-gate
		rec.add(m, c.Event())
		return c.Reply(m.Text)
	})
	b := bot.New(p, r, bot.WithWorkers(1), bot.WithMaxQueued(1), bot.WithStopTimeout(waitLimit))
	ctx, cancel := context.WithCancel(context.Background())
	done := make(chan error, 1)
	go func() { done <- b.Run(ctx) }()
	t.Cleanup(func() {
		open()
		cancel()
		select {
		case err := <-done:
			if err != nil {
				t.Errorf("bot Run: %v", err)
			}
		case <-time.After(waitLimit):
			t.Error("bot did not stop")
		}
	})
	return rec, open
}
