package simplex_test

import (
	"context"
	"fmt"
	"strconv"
	"strings"
	"sync"
	"testing"
	"time"

	"go.uber.org/zap"
	"go.uber.org/zap/zapcore"
	"go.uber.org/zap/zaptest/observer"

	"github.com/parleybot/parley/bot"
	"github.com/parleybot/parley/middleware"
	"github.com/parleybot/parley/platform/simplex"
	"github.com/parleybot/parley/platform/simplex/simplexsim"
	"github.com/parleybot/parley/router"
	"github.com/parleybot/parley/store"
)

// echoRun is one process of an echo bot driven through Listen, replying
// to each message with a quote of it, as bot.Context.Reply does. It can
// stop cleanly (Close) or as a crash would (no Close work at all).
type echoRun struct {
	p      *simplex.Platform
	cancel context.CancelFunc
	done   chan error

	mu      sync.Mutex
	handled map[string]int
	held    map[string]chan struct{} // texts whose reply waits until the channel closes
}

// hold makes the reply to text wait until release is called, as a bot
// busy elsewhere answers late.
func (r *echoRun) hold(text string) (release func()) {
	ch := make(chan struct{})
	r.mu.Lock()
	if r.held == nil {
		r.held = map[string]chan struct{}{}
	}
	r.held[text] = ch
	r.mu.Unlock()
	return sync.OnceFunc(func() { close(ch) })
}

func startEcho(t *testing.T, sim *simplexsim.Sim, opts ...simplex.Option) *echoRun {
	t.Helper()
	r := &echoRun{p: newTestPlatform(sim, opts...), done: make(chan error, 1), handled: map[string]int{}}
	ctx, cancel := context.WithCancel(context.Background())
	r.cancel = cancel
	emit := func(e bot.Event) error {
		ev, ok := e.(*simplex.NewChatItems)
		if !ok {
			return nil
		}
		var err error
		for _, m := range ev.Messages() {
			r.mu.Lock()
			wait := r.held[m.Text]
			r.mu.Unlock()
			if wait != nil {
				<-wait
			}
			_, err = r.p.Send(context.Background(), m.Chat.ID, bot.Outgoing{Text: "echo " + m.Text, ReplyTo: m.ID})
			r.mu.Lock()
			r.handled[m.Text]++ // once replied to
			r.mu.Unlock()
		}
		r.p.EventHandled(ev, err)
		return nil
	}
	go func() { r.done <- r.p.Listen(ctx, emit) }()
	t.Cleanup(func() { r.crash(t) })
	eventually(t, "the bot to be ready", r.p.Ready)
	return r
}

func (r *echoRun) count(text string) int {
	r.mu.Lock()
	defer r.mu.Unlock()
	return r.handled[text]
}

// stop ends the run as a bot does on SIGTERM: Close writes what it must.
func (r *echoRun) stop(t *testing.T) {
	t.Helper()
	r.cancel()
	if err := <-r.done; err != nil {
		t.Errorf("Listen: %v", err)
	}
	r.done <- nil
	if err := r.p.Close(context.Background()); err != nil {
		t.Errorf("Close: %v", err)
	}
}

// crash ends the run as SIGKILL would: Close gets a context that has
// already ended, so it neither marks items read nor writes cursors, and
// only the connection goes.
func (r *echoRun) crash(t *testing.T) {
	r.cancel()
	<-r.done
	r.done <- nil
	dead, cancel := context.WithCancel(context.Background())
	cancel()
	_ = r.p.Close(dead)
}

// replies counts the bot's replies in chat per text.
func replies(sim *simplexsim.Sim, chat string) map[string]int {
	out := map[string]int{}
	for _, s := range sentTo(sim, chat) {
		out[s.Text]++
	}
	return out
}

func send(t *testing.T, sim *simplexsim.Sim, contact int64, texts ...string) {
	t.Helper()
	for _, s := range texts {
		if _, err := sim.ContactSend(contact, s); err != nil {
			t.Fatal(err)
		}
	}
}

// A bot with no store, stopped and started again, fetches from the CLI's
// unread markers what arrived while it was down, although the CLI passed
// none of it on as events; and what it handled before is not handled
// again.
func TestRestartWithoutStoreResumesFromUnreadMarkers(t *testing.T) {
	sim := startSim(t, simplexsim.WithoutAwayQueue())
	alice, err := sim.ConnectContact("alice")
	if err != nil {
		t.Fatal(err)
	}
	bob, err := sim.ConnectContact("bob")
	if err != nil {
		t.Fatal(err)
	}
	core, logs := observer.New(zapcore.InfoLevel)
	r1 := startEcho(t, sim, simplex.WithLogger(zap.New(core)))
	if n := logs.FilterMessageSnippet("resume from the CLI's unread markers").Len(); n != 1 {
		t.Errorf("%d log lines name the resume source, want 1", n)
	}
	send(t, sim, alice.ContactID, "one", "two")
	eventually(t, "both handled", func() bool { return r1.count("two") == 1 })
	r1.stop(t)
	for _, id := range []int64{alice.ContactID} {
		chat := "@" + strconv.FormatInt(id, 10)
		if got := replies(sim, chat); got["echo one"] != 1 || got["echo two"] != 1 {
			t.Fatalf("replies in %s: %v", chat, got)
		}
	}
	if err := sim.WaitConnections(0, waitTimeout); err != nil {
		t.Fatal(err)
	}
	before := sim.Stats().Discarded
	send(t, sim, alice.ContactID, "three")
	send(t, sim, bob.ContactID, "four") // a chat the bot has never heard from
	if d := sim.Stats().Discarded - before; d < 2 {
		t.Fatalf("the CLI discarded %d events while no bot ran, want both messages", d)
	}

	r2 := startEcho(t, sim)
	eventually(t, "the missed messages", func() bool { return r2.count("three") == 1 && r2.count("four") == 1 })
	for _, s := range []string{"one", "two"} {
		if n := r2.count(s); n != 0 {
			t.Errorf("%q handled again after the restart", s)
		}
	}
	if s := r2.p.Stats(); s.Replayed != 2 {
		t.Errorf("stats %+v, want 2 replayed", s)
	}
}

// A crash right after the bot replied, before its cursor reached the
// store: the next run fetches the message again and passes it on, but
// finds the bot's reply quoting it in the chat, so the handler's reply is
// answered with that one and does not go twice.
func TestCrashAfterReplyDoesNotReplyTwice(t *testing.T) {
	sim := startSim(t)
	alice, err := sim.ConnectContact("alice")
	if err != nil {
		t.Fatal(err)
	}
	st := store.NewMemory()
	t.Cleanup(func() { _ = st.Close() })
	crashed := &crashStore{Store: st} // not a *store.Memory: cursors are the resume source
	r1 := startEcho(t, sim, simplex.WithStore(crashed))
	send(t, sim, alice.ContactID, "one")
	eventually(t, "one handled", func() bool { return r1.count("one") == 1 })
	eventually(t, "one's cursor stored", func() bool { return storedCursor(t, st, "@"+strconv.FormatInt(alice.ContactID, 10)) > 0 })
	crashed.dead.Store(true) // from here on nothing reaches the store
	send(t, sim, alice.ContactID, "two", "three")
	eventually(t, "three handled", func() bool { return r1.count("three") == 1 })
	r1.crash(t)
	if err := sim.WaitConnections(0, waitTimeout); err != nil {
		t.Fatal(err)
	}
	send(t, sim, alice.ContactID, "four")

	r2 := startEcho(t, sim, simplex.WithStore(st))
	eventually(t, "four handled", func() bool { return r2.count("four") == 1 })
	chat := "@" + strconv.FormatInt(alice.ContactID, 10)
	// "four" waited in the CLI's queue too: once its live copy is skipped,
	// nothing more is on its way.
	eventually(t, "the live copy of four skipped", func() bool { return r2.p.Stats().Skipped >= 1 })
	for text, n := range replies(sim, chat) {
		if n != 1 {
			t.Errorf("%q sent %d times", text, n)
		}
	}
	if s := r2.p.Stats(); s.Reconciled != 2 {
		t.Errorf("stats %+v, want 2 replies reconciled", s)
	}
}

// A bot far behind its chat answers each message many items after it,
// beyond the page and look-ahead a catch-up reads; a crash before its
// cursor reached the store then passes those messages on again. The
// first catch-up after the restart reads on to where the chat ended at
// the restart, finds every earlier reply, and none goes twice.
func TestCrashAfterLateRepliesDoesNotReplyTwice(t *testing.T) {
	sim := startSim(t)
	alice, chat := connectAlice(t, sim)
	st := store.NewMemory()
	t.Cleanup(func() { _ = st.Close() })
	crashed := &crashStore{Store: st} // not a *store.Memory: cursors are the resume source
	r1 := startEcho(t, sim, simplex.WithStore(crashed))
	send(t, sim, alice.ContactID, "one")
	eventually(t, "one's cursor stored", func() bool { return storedCursor(t, st, chat) > 0 })
	crashed.dead.Store(true) // from here on nothing reaches the store

	// The handler is stuck on "two" while more than two pages of messages
	// arrive, then answers them all, each reply far after its message.
	release := r1.hold("two")
	n := 5 * simplex.DefaultCatchUpPage / 2
	texts := []string{"two"}
	for i := range n {
		texts = append(texts, fmt.Sprintf("m%d", i))
	}
	send(t, sim, alice.ContactID, texts...)
	release()
	last := texts[len(texts)-1]
	eventually(t, "every message answered", func() bool { return r1.count(last) == 1 })
	r1.crash(t)
	if err := sim.WaitConnections(0, waitTimeout); err != nil {
		t.Fatal(err)
	}
	if got := sentTo(sim, chat); len(got) < 2 || got[1].Text != "echo two" || got[1].ItemID-got[1].QuotedItemID <= int64(2*simplex.DefaultCatchUpPage) {
		t.Fatalf("the reply to two is not beyond two pages of its message: %+v", got[:min(len(got), 2)])
	}

	r2 := startEcho(t, sim, simplex.WithStore(&crashStore{Store: st}))
	eventually(t, "every message passed on again", func() bool { return r2.count(last) == 1 })
	for text, c := range replies(sim, chat) {
		if c != 1 {
			t.Errorf("%q sent %d times", text, c)
		}
	}
	if s := r2.p.Stats(); s.Reconciled != int64(len(texts)) {
		t.Errorf("stats %+v, want %d replies reconciled", s, len(texts))
	}
	r2.stop(t)
}

// The same crash without a store: the items handled after the last
// flush are still unread in the CLI; the next run fetches them, sees the
// replies, and does not reply twice.
func TestCrashWithoutStoreDoesNotReplyTwice(t *testing.T) {
	sim := startSim(t)
	alice, err := sim.ConnectContact("alice")
	if err != nil {
		t.Fatal(err)
	}
	// The first flush marks "one" read at once; the next waits an hour.
	r1 := startEcho(t, sim, simplex.WithCursorFlush(time.Hour))
	id1, err := sim.ContactSend(alice.ContactID, "one")
	if err != nil {
		t.Fatal(err)
	}
	eventually(t, "one marked read", func() bool { return itemOf(t, sim, id1).Read })
	send(t, sim, alice.ContactID, "two", "three")
	eventually(t, "three handled", func() bool { return r1.count("three") == 1 })
	r1.crash(t)
	if err := sim.WaitConnections(0, waitTimeout); err != nil {
		t.Fatal(err)
	}

	r2 := startEcho(t, sim)
	eventually(t, "the replies to two and three recognized", func() bool { return r2.p.Stats().Reconciled == 2 })
	send(t, sim, alice.ContactID, "four")
	eventually(t, "four handled", func() bool { return r2.count("four") == 1 })
	chat := "@" + strconv.FormatInt(alice.ContactID, 10)
	for text, n := range replies(sim, chat) {
		if n != 1 {
			t.Errorf("%q sent %d times", text, n)
		}
	}
	if n := r2.count("one"); n != 0 {
		t.Errorf("one, marked read, handled again")
	}
}

// With a store, a chat the cursors do not know that got messages while no
// bot ran (and no event for them) is found with /_get chats.
func TestStoredCursorsStillDiscoverNewChats(t *testing.T) {
	sim := startSim(t, simplexsim.WithoutAwayQueue())
	alice, err := sim.ConnectContact("alice")
	if err != nil {
		t.Fatal(err)
	}
	bob, err := sim.ConnectContact("bob")
	if err != nil {
		t.Fatal(err)
	}
	st := store.NewMemory()
	t.Cleanup(func() { _ = st.Close() })
	persistent := &crashStore{Store: st}
	core, logs := observer.New(zapcore.InfoLevel)
	r1 := startEcho(t, sim, simplex.WithStore(persistent), simplex.WithLogger(zap.New(core)))
	if n := logs.FilterMessageSnippet("resume from stored cursors").Len(); n != 1 {
		t.Errorf("%d log lines name the resume source, want 1", n)
	}
	send(t, sim, alice.ContactID, "one")
	eventually(t, "one handled", func() bool { return r1.count("one") == 1 })
	r1.stop(t)
	if err := sim.WaitConnections(0, waitTimeout); err != nil {
		t.Fatal(err)
	}
	send(t, sim, alice.ContactID, "two")
	send(t, sim, bob.ContactID, "hello")

	r2 := startEcho(t, sim, simplex.WithStore(persistent))
	eventually(t, "both missed messages", func() bool { return r2.count("two") == 1 && r2.count("hello") == 1 })
	if n := r2.count("one"); n != 0 {
		t.Errorf("one handled again")
	}
	// No /_read: the cursors are the resume source.
	if n := countCommands(commandsOf(sim), "/_read "); n != 0 {
		t.Errorf("%d /_read commands with a store", n)
	}
}

// An item whose itemId is not a number is not taken for item 0 (which
// would be skipped as handled already): it is logged with its frame type,
// counted, and passed on without a dedupe key. Unknown event types are
// logged once per type.
func TestUnusableItemIDIsLoggedAndPassedOn(t *testing.T) {
	sim := startSim(t)
	alice, err := sim.ConnectContact("alice")
	if err != nil {
		t.Fatal(err)
	}
	core, logs := observer.New(zapcore.DebugLevel)
	p := newTestPlatform(sim, simplex.WithLogger(zap.New(core)))
	log := runPlatform(t, p)
	item := fmt.Sprintf(`{"type":"newChatItems","user":{"userId":1},"chatItems":[{"chatInfo":{"type":"direct","contact":{"contactId":%d}},`+
		`"chatItem":{"chatDir":{"type":"directRcv"},"meta":{"itemId":"77","itemText":"odd"},"content":{"type":"rcvMsgContent","msgContent":{"type":"text","text":"odd"}}}}]}`,
		alice.ContactID)
	if err := sim.EmitRaw([]byte(item)); err != nil {
		t.Fatal(err)
	}
	for range 2 {
		if err := sim.SendMalformed(); err != nil {
			t.Fatal(err)
		}
	}
	send(t, sim, alice.ContactID, "after")
	ev := waitFor(t, log, func(e *simplex.NewChatItems) bool {
		ms := e.Messages()
		return len(ms) == 1 && ms[0].Text == "odd"
	})
	if k := ev.DedupeKey(); k != "" {
		t.Errorf("dedupe key %q for an item without id", k)
	}
	waitFor(t, log, func(e *simplex.NewChatItems) bool {
		ms := e.Messages()
		return len(ms) == 1 && ms[0].Text == "after"
	})
	if s := p.Stats(); s.BadItemIDs != 1 {
		t.Errorf("stats %+v, want 1 bad item id", s)
	}
	warn := logs.FilterMessageSnippet("without a usable itemId").FilterField(zap.String("frame", simplex.TypeNewChatItems))
	if warn.Len() != 1 || warn.All()[0].Level != zapcore.WarnLevel {
		t.Errorf("warnings about the item: %v", warn.All())
	}
	if n := logs.FilterMessageSnippet("does not know").FilterField(zap.String("type", simplexsim.UnknownEventType)).Len(); n != 1 {
		t.Errorf("the unknown event type was logged %d times, want once", n)
	}
}

// A reply cut off by a drop leaves no dedupe mark while its outcome is
// open, and none for the failure: the event is passed on again after the
// reconnect, its reply goes (or is found) once, and only then is the
// event marked.
func TestDroppedReplyIsRetriedThenMarkedOnce(t *testing.T) {
	sim := startSim(t)
	alice, err := sim.ConnectContact("alice")
	if err != nil {
		t.Fatal(err)
	}
	st := store.NewMemory()
	t.Cleanup(func() { _ = st.Close() })
	p := newTestPlatform(sim, simplex.WithStore(st))
	written := make(chan string, 4)
	r := router.New()
	r.OnMessage(func(c *bot.Context, m bot.Message) error {
		c.ReplyAsync("echo " + m.Text)
		written <- c.Event().(bot.DedupeKeyer).DedupeKey()
		return nil
	})
	b := bot.New(p, r)
	b.Use(middleware.Dedupe(st))
	ctx, cancel := context.WithCancel(context.Background())
	done := make(chan error, 1)
	go func() { done <- b.Run(ctx) }()
	t.Cleanup(func() {
		cancel()
		if err := <-done; err != nil {
			t.Errorf("bot: %v", err)
		}
	})
	eventually(t, "the bot to be ready", p.Ready)

	resume := sim.PauseCommands() // the reply waits in the CLI
	t.Cleanup(resume)
	send(t, sim, alice.ContactID, "hi")
	var key string
	select {
	case key = <-written:
	case <-time.After(waitTimeout):
		t.Fatal("the message never reached the handler")
	}
	marked := func() bool { _, ok, _ := st.Get(context.Background(), key); return ok }
	if marked() {
		t.Fatal("marked while its reply had no answer")
	}
	sim.DropAfter(0) // the answer is lost with the connection
	resume()
	eventually(t, "the event to be marked", marked)
	chat := "@" + strconv.FormatInt(alice.ContactID, 10)
	if n := replies(sim, chat)["echo hi"]; n != 1 {
		t.Errorf("the reply went %d times", n)
	}
	if s := b.Stats(); s.Failed < 1 {
		t.Errorf("bot stats %+v: the cut-off reply did not fail its event", s)
	}
	if s := sim.Stats(); s.TotalConnections < 2 {
		t.Errorf("no reconnect (%d connections)", s.TotalConnections)
	}
}

// A bot killed before it wrote any cursor is not at its first start when
// it comes back: what it was sent meanwhile is fetched, while the history
// from before its first start still is not.
func TestRestartBeforeFirstCursorCatchesUp(t *testing.T) {
	sim := startSim(t, simplexsim.WithoutAwayQueue())
	alice, err := sim.ConnectContact("alice")
	if err != nil {
		t.Fatal(err)
	}
	send(t, sim, alice.ContactID, "old")
	st, err := store.OpenFile(t.TempDir() + "/bot.db")
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() { _ = st.Close() })

	first := startEcho(t, sim, simplex.WithStore(st))
	first.crash(t) // before any message reached it: no cursor written
	send(t, sim, alice.ContactID, "hi")
	bob, err := sim.ConnectContact("bob")
	if err != nil {
		t.Fatal(err)
	}
	send(t, sim, bob.ContactID, "yo")

	second := startEcho(t, sim, simplex.WithStore(st))
	aliceChat, bobChat := fmt.Sprintf("@%d", alice.ContactID), fmt.Sprintf("@%d", bob.ContactID)
	eventually(t, "the messages sent while the bot was down to be answered", func() bool {
		return second.count("hi") == 1 && second.count("yo") == 1
	})
	send(t, sim, alice.ContactID, "after")
	eventually(t, "a live message to be answered", func() bool { return second.count("after") == 1 })
	if n := second.count("old"); n != 0 {
		t.Errorf("history from before the first start handled %d times", n)
	}
	if got := replies(sim, aliceChat); got["echo hi"] != 1 || got["echo old"] != 0 {
		t.Errorf("replies to alice: %v", got)
	}
	if got := replies(sim, bobChat); got["echo yo"] != 1 {
		t.Errorf("replies to bob: %v", got)
	}
	second.stop(t)
}

// A message that comes while the bot's first start-up is still running
// is the bot's, although the chat listing that sets the first start's
// history floor already counts it: a bot killed before it handled that
// message handles it on its next start.
func TestKilledDuringFirstStartUpKeepsItsFirstMessage(t *testing.T) {
	sim := startSim(t, simplexsim.WithoutAwayQueue())
	alice, err := sim.ConnectContact("alice")
	if err != nil {
		t.Fatal(err)
	}
	send(t, sim, alice.ContactID, "old")
	st := store.NewMemory()
	t.Cleanup(func() { _ = st.Close() })
	// SIGKILL right after the start mark was written: nothing later, not
	// even the new chat's first cursor, reaches the store.
	crashed := &crashAfterStore{crashStore: crashStore{Store: st}, key: "simplex:start:"}

	// The start-up commands wait while "hi" comes as an event, so the
	// listing that sets the floor is answered after it.
	resume := sim.PauseCommands()
	p := newTestPlatform(sim, simplex.WithStore(crashed))
	handling := make(chan struct{}, 1)
	release := make(chan struct{})
	emit := func(e bot.Event) error {
		if ev, ok := e.(*simplex.NewChatItems); ok && len(ev.Messages()) > 0 {
			select {
			case handling <- struct{}{}:
			default:
			}
			<-release // killed before it replies
		}
		return nil
	}
	ctx, cancel := context.WithCancel(context.Background())
	done := make(chan error, 1)
	go func() { done <- p.Listen(ctx, emit) }()
	if err := sim.WaitConnections(1, waitTimeout); err != nil {
		t.Fatal(err)
	}
	send(t, sim, alice.ContactID, "hi")
	resume()
	select {
	case <-handling:
	case <-time.After(waitTimeout):
		t.Fatal("hi never reached the handler")
	}
	if !crashed.dead.Load() {
		t.Fatal("the first start wrote no start mark")
	}
	cancel()
	<-done
	dead, deadCancel := context.WithCancel(context.Background())
	deadCancel()
	_ = p.Close(dead)
	close(release)
	if err := sim.WaitConnections(0, waitTimeout); err != nil {
		t.Fatal(err)
	}

	r := startEcho(t, sim, simplex.WithStore(&crashStore{Store: st}))
	eventually(t, "hi to be handled after the restart", func() bool { return r.count("hi") == 1 })
	if n := r.count("old"); n != 0 {
		t.Errorf("history from before the first start handled %d times", n)
	}
	r.stop(t)
}

// The CLI's events can lag its answers: the first start's listing counts
// a message whose event comes only after the start mark was written. The
// event lowers the mark as it is read, so a bot killed before it handled
// the message handles it on its next start.
func TestFirstStartListingAheadOfEventsKeepsTheMessage(t *testing.T) {
	sim := startSim(t, simplexsim.WithoutAwayQueue())
	alice, err := sim.ConnectContact("alice")
	if err != nil {
		t.Fatal(err)
	}
	send(t, sim, alice.ContactID, "old")
	st := store.NewMemory()
	t.Cleanup(func() { _ = st.Close() })
	// The kill comes before the new chat's first cursor is written.
	crashed := &refuseStore{crashStore: crashStore{Store: st}, key: "simplex:cursors:"}

	releaseEvents := sim.HoldEvents()
	defer releaseEvents()
	resume := sim.PauseCommands()
	p := newTestPlatform(sim, simplex.WithStore(crashed))
	handling := make(chan struct{}, 1)
	release := make(chan struct{})
	emit := func(e bot.Event) error {
		if ev, ok := e.(*simplex.NewChatItems); ok && len(ev.Messages()) > 0 {
			select {
			case handling <- struct{}{}:
			default:
			}
			<-release // killed before it replies
		}
		return nil
	}
	ctx, cancel := context.WithCancel(context.Background())
	done := make(chan error, 1)
	go func() { done <- p.Listen(ctx, emit) }()
	if err := sim.WaitConnections(1, waitTimeout); err != nil {
		t.Fatal(err)
	}
	hi, err := sim.ContactSend(alice.ContactID, "hi") // its event waits in the CLI
	if err != nil {
		t.Fatal(err)
	}
	resume()
	eventually(t, "the start mark to count hi", func() bool {
		data, ok, err := st.Get(context.Background(), "simplex:start:1")
		return err == nil && ok && string(data) == strconv.FormatInt(hi, 10)
	})
	releaseEvents()
	select {
	case <-handling:
	case <-time.After(waitTimeout):
		t.Fatal("hi never reached the handler")
	}
	crashed.dead.Store(true) // SIGKILL: nothing more reaches the store
	cancel()
	<-done
	dead, deadCancel := context.WithCancel(context.Background())
	deadCancel()
	_ = p.Close(dead)
	close(release)
	if err := sim.WaitConnections(0, waitTimeout); err != nil {
		t.Fatal(err)
	}

	r := startEcho(t, sim, simplex.WithStore(&crashStore{Store: st}))
	eventually(t, "hi to be handled after the restart", func() bool { return r.count("hi") == 1 })
	if n := r.count("old"); n != 0 {
		t.Errorf("history from before the first start handled %d times", n)
	}
	r.stop(t)
}

// refuseStore is a crashStore that refuses the keys starting with key.
type refuseStore struct {
	crashStore
	key string
}

func (s *refuseStore) Set(ctx context.Context, key string, value []byte, ttl time.Duration) error {
	if strings.HasPrefix(key, s.key) {
		return errCrashed
	}
	return s.crashStore.Set(ctx, key, value, ttl)
}

// crashAfterStore is a crashStore that dies once a key starting with key
// was written.
type crashAfterStore struct {
	crashStore
	key string
}

func (s *crashAfterStore) Set(ctx context.Context, key string, value []byte, ttl time.Duration) error {
	err := s.crashStore.Set(ctx, key, value, ttl)
	if err == nil && strings.HasPrefix(key, s.key) {
		s.dead.Store(true)
	}
	return err
}

// A catch-up that starts at a chat's very first item asks for the items
// after 0, not for the chat's last page: with more than a page waiting,
// the first page must not be skipped.
func TestCatchUpFromFirstItemReadsTheFirstPage(t *testing.T) {
	sim := startSim(t, simplexsim.WithoutAwayQueue())
	alice, err := sim.ConnectContact("alice")
	if err != nil {
		t.Fatal(err)
	}
	n := simplex.DefaultCatchUpPage + simplex.DefaultCatchUpPage/2
	for i := range n {
		id, err := sim.ContactSend(alice.ContactID, fmt.Sprintf("m%d", i))
		if err != nil {
			t.Fatal(err)
		}
		if i == 0 && id != 1 {
			t.Fatalf("the first message is item %d; the test needs a chat starting at item 1", id)
		}
	}
	// No store: the bot resumes from the unread markers, from item 1.
	r := startEcho(t, sim)
	eventually(t, "every message to be answered", func() bool {
		for i := range n {
			if r.count(fmt.Sprintf("m%d", i)) == 0 {
				return false
			}
		}
		return true
	})
	got := replies(sim, fmt.Sprintf("@%d", alice.ContactID))
	for i := range n {
		if c := got[fmt.Sprintf("echo m%d", i)]; c != 1 {
			t.Errorf("m%d answered %d times", i, c)
		}
	}
	r.stop(t)
}

// After a reconnect, a chat the cursors do not know (its messages came
// while the bot was away, or were left in the CLI before one of them was
// passed on) is caught up before the known chats. Behind them, under a
// drop every few hundred frames, a busy known chat's backlog took every
// connection's whole start-up and the new chat's messages waited until
// the drops stopped.
func TestNewChatsAreCaughtUpBeforeKnownOnes(t *testing.T) {
	sim := startSim(t)
	alice, err := sim.ConnectContact("alice")
	if err != nil {
		t.Fatal(err)
	}
	bob, err := sim.ConnectContact("bob")
	if err != nil {
		t.Fatal(err)
	}
	aliceChat := "@" + strconv.FormatInt(alice.ContactID, 10)
	bobChat := "@" + strconv.FormatInt(bob.ContactID, 10)
	p := newTestPlatform(sim)
	var mu sync.Mutex
	var order []string // chat of each message passed on, in order
	emit := func(e bot.Event) error {
		if ev, ok := e.(*simplex.NewChatItems); ok {
			for _, m := range ev.Messages() {
				mu.Lock()
				order = append(order, m.Chat.ID)
				mu.Unlock()
			}
			p.EventHandled(e, nil)
		}
		return nil
	}
	listenWith(t, p, emit)
	eventually(t, "the bot to be ready", p.Ready)
	send(t, sim, alice.ContactID, "a0")
	eventually(t, "alice's chat to be known", func() bool {
		mu.Lock()
		defer mu.Unlock()
		return len(order) == 1
	})

	// The connection drops and the next one's start-up waits, while both
	// chats get messages: alice's a backlog, bob's his first.
	resume := sim.PauseCommands()
	sim.DropAfter(0)
	send(t, sim, alice.ContactID, "a1", "a2", "a3", "a4", "a5")
	send(t, sim, bob.ContactID, "b1")
	resume()
	eventually(t, "all messages to be passed on", func() bool {
		mu.Lock()
		defer mu.Unlock()
		return len(order) == 7
	})
	mu.Lock()
	defer mu.Unlock()
	if order[1] != bobChat {
		t.Errorf("after the reconnect the chats came in the order %v; want bob's (%s), new to the cursors, before alice's (%s)", order[1:], bobChat, aliceChat)
	}
}
