package privitty_test

import (
	"context"
	"fmt"
	"net/http"
	"runtime"
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
	"github.com/parleybot/parley/platform/privitty"
	"github.com/parleybot/parley/platform/privitty/privittysim"
	"github.com/parleybot/parley/router"
	"github.com/parleybot/parley/store"
)

const waitLimit = 10 * time.Second

// recorder keeps the messages a bot handled.
type recorder struct {
	mu   sync.Mutex
	msgs []bot.Message
	evs  []bot.Event
}

func (r *recorder) add(m bot.Message, e bot.Event) {
	r.mu.Lock()
	r.msgs = append(r.msgs, m)
	r.evs = append(r.evs, e)
	r.mu.Unlock()
}

func (r *recorder) texts() map[string]int {
	r.mu.Lock()
	defer r.mu.Unlock()
	n := map[string]int{}
	for _, m := range r.msgs {
		n[m.Text]++
	}
	return n
}

func (r *recorder) all() []bot.Message {
	r.mu.Lock()
	defer r.mu.Unlock()
	return append([]bot.Message(nil), r.msgs...)
}

// runBot runs an echo bot on p until the test ends or stop is called.
func runBot(t *testing.T, p *privitty.Platform, st store.Store, policy *middleware.AcceptPolicy) (*recorder, func()) {
	t.Helper()
	rec := &recorder{}
	r := router.New()
	r.OnMessage(func(c *bot.Context, m bot.Message) error {
		rec.add(m, c.Event())
		return c.Reply(m.Text)
	})
	b := bot.New(p, r, bot.WithStopTimeout(waitLimit))
	b.Use(middleware.Recover(), middleware.Dedupe(st))
	if policy != nil {
		b.Use(middleware.AutoAccept(*policy))
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
				if err != nil {
					t.Errorf("bot Run: %v", err)
				}
			case <-time.After(waitLimit):
				t.Error("bot did not stop")
			}
		})
	}
	t.Cleanup(stop)
	return rec, stop
}

func waitCond(t *testing.T, what string, cond func() bool) {
	t.Helper()
	deadline := time.Now().Add(waitLimit)
	tick := time.NewTicker(time.Millisecond)
	defer tick.Stop()
	for !cond() {
		if time.Now().After(deadline) {
			t.Fatalf("timed out waiting for %s", what)
		}
		<-tick.C
	}
}

func waitReady(t *testing.T, p *privitty.Platform) {
	t.Helper()
	waitCond(t, "the platform to be ready", p.Ready)
}

func newPlatform(sim *privittysim.Sim, st store.Store, extra ...privitty.Option) *privitty.Platform {
	return privitty.New(sim.URL(), append(testOptions(st), extra...)...)
}

func TestLagTriggersResync(t *testing.T) {
	sim := newSim(t)
	st := store.NewMemory()
	p := newPlatform(sim, st)
	rec, _ := runBot(t, p, st, nil)
	alice, _ := sim.ConnectContact("alice", false)
	waitReady(t, p)
	// The daemon dropped two messages for this client and says so.
	if _, err := sim.ContactSendMsg(alice.ChatID, privittysim.Msg{Text: "dropped 1", Silent: true}); err != nil {
		t.Fatal(err)
	}
	if _, err := sim.ContactSendMsg(alice.ChatID, privittysim.Msg{Text: "dropped 2", Silent: true}); err != nil {
		t.Fatal(err)
	}
	sim.EmitLag(2)
	sim.ContactSend(alice.ChatID, "live")
	waitCond(t, "all three messages", func() bool { return len(rec.texts()) == 3 })
	if got := rec.all(); got[0].Text != "dropped 1" || got[1].Text != "dropped 2" || got[2].Text != "live" {
		t.Fatalf("order %q %q %q", got[0].Text, got[1].Text, got[2].Text)
	}
	for text, n := range rec.texts() {
		if n != 1 {
			t.Errorf("%q handled %d times", text, n)
		}
	}
	// "live" may be found by the catch-up too; its live event, which can
	// come after, is then skipped.
	waitCond(t, "the live event of a replayed message to be skipped", func() bool {
		s := p.Stats()
		return s.Replayed-2 == s.Skipped
	})
	if s := p.Stats(); s.Lags != 1 || s.LaggedEvents != 2 || s.Replayed < 2 || s.Resyncs < 2 {
		t.Fatalf("stats %+v", s)
	}
}

func TestSimBufferOverflowBecomesLag(t *testing.T) {
	sim := newSim(t, privittysim.WithClientBuffer(3))
	st := store.NewMemory()
	p := newPlatform(sim, st)
	rec, _ := runBot(t, p, st, nil)
	alice, _ := sim.ConnectContact("alice", false)
	waitReady(t, p)
	// A stalled writer lets the stream's buffer overflow.
	sim.Silence(true)
	for i := 0; i < 10; i++ {
		sim.ContactSend(alice.ChatID, "m"+strconv.Itoa(i))
	}
	if s := sim.Stats(); s.EventsDropped == 0 {
		t.Fatalf("nothing dropped: %+v", s)
	}
	sim.Silence(false)
	waitCond(t, "every message", func() bool { return len(rec.texts()) == 10 })
	// Events the bot's own catch-up calls cause can overflow the small
	// buffer again, so a second lag is possible; none may be missed.
	if s := p.Stats(); s.Lags < 1 || s.LaggedEvents < 1 {
		t.Fatalf("platform stats %+v", s)
	}
	for text, n := range rec.texts() {
		if n != 1 {
			t.Errorf("%q handled %d times", text, n)
		}
	}
}

func TestSilentStreamIsReopened(t *testing.T) {
	sim := newSim(t, privittysim.WithPingInterval(10*time.Millisecond))
	st := store.NewMemory()
	p := newPlatform(sim, st, privitty.WithIdleTimeout(time.Second))
	rec, _ := runBot(t, p, st, nil)
	alice, _ := sim.ConnectContact("alice", false)
	waitReady(t, p)
	// Pings alone keep a quiet stream alive well past the idle timeout.
	before := sim.Stats().PingsSent
	if err := sim.Wait(waitLimit, func() bool { return sim.Stats().PingsSent >= before+40 }); err != nil {
		t.Fatal(err)
	}
	if s := p.Stats(); s.IdleTimeouts != 0 || sim.Stats().TotalStreams != 1 {
		t.Fatalf("a pinged stream was reopened: %+v", s)
	}
	// A stream that goes silent, pings included, is taken for dead.
	sim.Silence(true)
	sim.ContactSend(alice.ChatID, "while silent")
	waitCond(t, "an idle reconnect", func() bool { return p.Stats().IdleTimeouts >= 1 })
	sim.Silence(false)
	waitCond(t, "the message", func() bool { return rec.texts()["while silent"] == 1 })
	if sim.Stats().TotalStreams < 2 {
		t.Fatal("no second stream")
	}
}

func TestMalformedAndUnknownEventsAreCounted(t *testing.T) {
	sim := newSim(t)
	st := store.NewMemory()
	p := newPlatform(sim, st)
	rec, _ := runBot(t, p, st, nil)
	alice, _ := sim.ConnectContact("alice", false)
	waitReady(t, p)
	sim.SendMalformed()
	sim.EmitRaw(`{"no_type":1}`)
	sim.EmitRaw(`{"type":"IncomingMsg","account_id":1,"chat_id":5}`)
	sim.EmitRaw(`{"type":"SomeFutureEvent","account_id":1,"chat_id":5,"msg_id":3,"contact_id":9}`)
	sim.EmitRaw(`{"type":"IncomingMsg","account_id":2,"chat_id":5,"msg_id":77}`)
	sim.ContactSend(alice.ChatID, "after the junk")
	waitCond(t, "the message after the junk", func() bool { return rec.texts()["after the junk"] == 1 })
	s := p.Stats()
	if s.Malformed != 3 || s.Unknown != 1 || s.Foreign != 1 {
		t.Fatalf("stats %+v, want 3 malformed, 1 unknown, 1 foreign", s)
	}
}

func TestFirstStartSkipsReadHistory(t *testing.T) {
	sim := newSim(t)
	alice, _ := sim.ConnectContact("alice", false)
	bob, _ := sim.ConnectContact("bob", false)
	sim.ContactSendMsg(alice.ChatID, privittysim.Msg{Text: "old, read", Seen: true, Silent: true})
	sim.ContactSendMsg(alice.ChatID, privittysim.Msg{Text: "old, unread", Silent: true})
	sim.ContactSendMsg(bob.ChatID, privittysim.Msg{Text: "archived, unread", Silent: true})
	if err := sim.SetArchived(bob.ChatID, true); err != nil {
		t.Fatal(err)
	}
	st := store.NewMemory()
	p1 := newPlatform(sim, st)
	rec1, stop1 := runBot(t, p1, st, nil)
	waitCond(t, "the unread messages", func() bool { return len(rec1.texts()) == 2 })
	waitReady(t, p1)
	if got := rec1.texts(); got["old, unread"] != 1 || got["archived, unread"] != 1 {
		t.Fatalf("handled %v", got)
	}
	// Handled messages are marked seen.
	waitCond(t, "markseen", func() bool { return len(sim.Actions()) > 0 })
	stop1()

	// While the bot is down: new messages, one in the archived chat.
	sim.ContactSendMsg(alice.ChatID, privittysim.Msg{Text: "offline 1", Silent: true})
	sim.ContactSendMsg(bob.ChatID, privittysim.Msg{Text: "offline 2", Seen: true, Silent: true})
	p2 := newPlatform(sim, st)
	rec2, _ := runBot(t, p2, st, nil)
	waitCond(t, "the offline messages", func() bool { return len(rec2.texts()) == 2 })
	waitReady(t, p2)
	if got := rec2.texts(); got["offline 1"] != 1 || got["offline 2"] != 1 {
		t.Fatalf("after restart handled %v (read or not, new messages count)", got)
	}
}

func TestContactRequestRejected(t *testing.T) {
	sim := newSim(t)
	st := store.NewMemory()
	p := newPlatform(sim, st)
	policy := &middleware.AcceptPolicy{Contacts: middleware.AcceptOff, RejectRefused: true}
	rec, _ := runBot(t, p, st, policy)
	c, _ := sim.ConnectContact("spammer", true)
	if err := sim.Wait(waitLimit, func() bool { ci, _ := sim.Chat(c.ChatID); return ci.Blocked }); err != nil {
		t.Fatal("request not blocked: ", err)
	}
	if len(rec.all()) != 0 || len(sim.BotSent()) != 0 {
		t.Fatal("a contact request reached the message handler or was answered")
	}
}

func TestGroupInfoMessagesAndFilesAndQuotes(t *testing.T) {
	sim := newSim(t)
	st := store.NewMemory()
	p := newPlatform(sim, st)
	rec, _ := runBot(t, p, st, nil)
	gid, members, _ := sim.NewGroup("club", "mia", "noah")
	first, _ := sim.MemberSend(gid, members[0], "first")
	sim.MemberSendMsg(gid, members[1], privittysim.Msg{Text: "see file", QuoteID: first, File: "/blobs/x.pdf", FileName: "x.pdf", FileSize: 10})
	waitCond(t, "two group messages", func() bool { return len(rec.all()) == 2 })
	m := rec.all()[1]
	want := bot.Sender{ID: strconv.FormatInt(members[1], 10), Name: "noah"}
	if m.Chat.Kind != bot.Group || m.Chat.Title != "club" || m.Sender != want || m.ReplyTo != strconv.FormatInt(first, 10) ||
		len(m.Files) != 1 || m.Files[0].Path != "/blobs/x.pdf" || m.Files[0].Size != 10 {
		t.Fatalf("message %+v", m)
	}
	ev := rec.evs[1].(*privitty.IncomingMsg)
	if ev.Msg == nil || ev.Msg.FileName != "x.pdf" || ev.Msg.Sender.DisplayName != "noah" {
		t.Fatalf("typed message %+v", ev.Msg)
	}
	waitCond(t, "two echoes", func() bool { return len(sim.BotSent()) == 2 })
	for _, s := range sim.BotSent() {
		if s.Text != "first" && s.Text != "see file" {
			t.Fatalf("the bot answered %q (an info message?)", s.Text)
		}
	}
}

func TestSendSplitsFilesAndChecksIDs(t *testing.T) {
	sim := newSim(t)
	p := newPlatform(sim, nil)
	alice, _ := sim.ConnectContact("alice", false)
	in, _ := sim.ContactSend(alice.ChatID, "q")
	ctx := ctxT(t)
	ids, err := p.Send(ctx, strconv.FormatInt(alice.ChatID, 10), bot.Outgoing{Text: "two files", ReplyTo: strconv.FormatInt(in, 10), Files: []string{"/a", "/b"}})
	if err != nil || len(ids) != 2 {
		t.Fatalf("ids %v, %v", ids, err)
	}
	sent := sim.BotSent()
	if sent[0].Text != "two files" || sent[0].File != "/a" || sent[0].QuotedMessageID != in || sent[0].ViewType != "File" ||
		sent[1].Text != "" || sent[1].File != "/b" || strconv.FormatInt(sent[1].MsgID, 10) != ids[1] {
		t.Fatalf("sent %+v", sent)
	}
	for _, bad := range []struct{ chat, reply string }{{"@5", ""}, {"-1", ""}, {"7", "x"}} {
		if _, err := p.Send(ctx, bad.chat, bot.Outgoing{Text: "x", ReplyTo: bad.reply}); err == nil {
			t.Errorf("Send(%q, reply %q) succeeded", bad.chat, bad.reply)
		}
	}
	if err := p.React(ctx, strconv.FormatInt(alice.ChatID, 10), strconv.FormatInt(in, 10), "👍"); err != nil {
		t.Fatal(err)
	}
	if err := p.Edit(ctx, strconv.FormatInt(alice.ChatID, 10), ids[0], "edited"); err != nil {
		t.Fatal(err)
	}
	if err := p.Delete(ctx, strconv.FormatInt(alice.ChatID, 10), ids[1]); err != nil {
		t.Fatal(err)
	}
	var kinds []string
	for _, a := range sim.Actions() {
		kinds = append(kinds, a.Method)
	}
	if len(kinds) != 3 || kinds[0] != "send_reaction" || kinds[1] != "send_edit_request" || kinds[2] != "delete_messages" {
		t.Fatalf("actions %v", kinds)
	}
}

func TestInsecureURLWarning(t *testing.T) {
	cases := []struct {
		url      string
		insecure bool
	}{
		{"http://127.0.0.1:7200", false},
		{"http://localhost:7200", false},
		{"http://[::1]:7200", false},
		{"https://edge.example.com", false},
		{"http://10.0.0.5:7200", true},
		{"http://edge.example.com", true},
	}
	for _, tc := range cases {
		if got := privitty.InsecureURL(tc.url) != ""; got != tc.insecure {
			t.Errorf("InsecureURL(%q) insecure=%v, want %v", tc.url, got, tc.insecure)
		}
		core, logs := observer.New(zapcore.WarnLevel)
		p := privitty.New(tc.url, privitty.WithLogger(zap.New(core)))
		ctx, cancel := context.WithCancel(context.Background())
		cancel()
		if err := p.Listen(ctx, func(bot.Event) error { return nil }); err != nil {
			t.Fatal(err)
		}
		if n := logs.FilterMessage("privitty: insecure daemon URL").Len(); (n == 1) != tc.insecure {
			t.Errorf("%s: %d warnings", tc.url, n)
		}
	}
}

// Regression: a failed fetch of a live message must lead to a catch-up
// right away, not when the next event happens to arrive.
func TestFailedFetchCatchesUpWithoutFurtherEvents(t *testing.T) {
	sim := newSim(t)
	st := store.NewMemory()
	p := newPlatform(sim, st)
	rec, _ := runBot(t, p, st, nil)
	alice, _ := sim.ConnectContact("alice", false)
	waitReady(t, p)
	resyncs := p.Stats().Resyncs
	sim.FailNext("get_messages", -32603, "database is locked")
	sim.ContactSend(alice.ChatID, "only message")
	waitCond(t, "the message", func() bool { return rec.texts()["only message"] == 1 })
	if s := p.Stats(); s.Resyncs <= resyncs || s.Replayed != 1 {
		t.Fatalf("stats %+v: the message did not come through a catch-up", s)
	}
}

func TestCursorsOfEarlierVersionsAreMigrated(t *testing.T) {
	sim := newSim(t)
	alice, _ := sim.ConnectContact("alice", false)
	old, err := sim.ContactSend(alice.ChatID, "handled by an earlier version")
	if err != nil {
		t.Fatal(err)
	}
	st := store.NewMemory()
	acct := int64(1)
	legacy := fmt.Sprintf(`{"init":true,"floor":0,"chats":{"%d":%d}}`, alice.ChatID, old)
	if err := st.Set(context.Background(), fmt.Sprintf("privitty:cursors:%d", acct), []byte(legacy), 0); err != nil {
		t.Fatal(err)
	}
	if _, err := sim.ContactSend(alice.ChatID, "new"); err != nil {
		t.Fatal(err)
	}
	p := newPlatform(sim, st)
	rec, _ := runBot(t, p, st, nil)
	waitCond(t, "the new message", func() bool { return rec.texts()["new"] == 1 })
	waitReady(t, p)
	if n := rec.texts()["handled by an earlier version"]; n != 0 {
		t.Fatalf("the message handled before the upgrade was handled again (%d)", n)
	}
}

// httpConnGoroutines counts the goroutines of client-side HTTP
// keep-alive connections in this process.
func httpConnGoroutines() int {
	buf := make([]byte, 8<<20)
	buf = buf[:runtime.Stack(buf, true)]
	return strings.Count(string(buf), "net/http.(*persistConn).")
}

// The platform's own transport keeps no connection (and so no goroutine)
// once the bot stopped: Close closes its idle connections.
func TestCloseLeavesNoIdleConnections(t *testing.T) {
	sim := newSim(t)
	if tr, ok := http.DefaultTransport.(*http.Transport); ok {
		tr.CloseIdleConnections()
	}
	base := httpConnGoroutines()
	st := store.NewMemory()
	p := newPlatform(sim, st)
	rec, stop := runBot(t, p, st, nil)
	alice, _ := sim.ConnectContact("alice", false)
	waitReady(t, p)
	for i := range 5 {
		sim.ContactSend(alice.ChatID, "hi "+strconv.Itoa(i))
	}
	waitCond(t, "five messages", func() bool { return len(rec.texts()) == 5 })
	waitCond(t, "five replies", func() bool { return len(sentTexts(sim, alice.ChatID)) == 5 })
	if httpConnGoroutines() <= base {
		t.Fatal("the platform used no keep-alive connection; the test proves nothing")
	}
	stop()
	waitCond(t, "the platform's connections to close", func() bool { return httpConnGoroutines() <= base })
}
