package tada_test

import (
	"context"
	"errors"
	"fmt"
	"net/http"
	"strings"
	"sync"
	"testing"
	"time"

	"github.com/parleybot/parley/bot"
	"github.com/parleybot/parley/platform/kit"
	"github.com/parleybot/parley/platform/tada"
	"github.com/parleybot/parley/platform/tada/tadasim"
	"github.com/parleybot/parley/router"
	"github.com/parleybot/parley/store"
)

// listener runs Listen with an emit that records events and reports
// them handled at once.
type listener struct {
	p      *tada.Platform
	mu     sync.Mutex
	events []bot.Event
	cancel context.CancelFunc
	done   chan error
	once   sync.Once
}

// listen starts a listener and waits until the platform is ready.
func listen(t *testing.T, p *tada.Platform) *listener {
	t.Helper()
	l := startListener(t, p)
	waitCond(t, "the platform to be ready", p.Ready)
	return l
}

// startListener starts a listener, stopped when the test ends, without
// waiting for the platform's catch-up.
func startListener(t *testing.T, p *tada.Platform) *listener {
	t.Helper()
	l := &listener{p: p, done: make(chan error, 1)}
	ctx, cancel := context.WithCancel(context.Background())
	l.cancel = cancel
	go func() {
		l.done <- p.Listen(ctx, func(e bot.Event) error {
			l.mu.Lock()
			l.events = append(l.events, e)
			l.mu.Unlock()
			p.EventHandled(e, nil)
			return nil
		})
	}()
	t.Cleanup(func() { l.stop(t) })
	return l
}

// stop ends Listen and waits for it; a second call does nothing.
func (l *listener) stop(t *testing.T) {
	l.once.Do(func() {
		l.cancel()
		select {
		case <-l.done:
		case <-time.After(10 * time.Second):
			t.Fatal("Listen did not return")
		}
	})
}

func (l *listener) typed(typ string) []bot.Event {
	l.mu.Lock()
	defer l.mu.Unlock()
	var out []bot.Event
	for _, e := range l.events {
		if e.Type() == typ {
			out = append(out, e)
		}
	}
	return out
}

func TestMessageLifecycleEvents(t *testing.T) {
	sim := newSim(t)
	p := newPlatform(t, sim, testOptions(store.NewMemory())...)
	l := listen(t, p)
	alice := sim.AddContact("alice")
	m, err := sim.Send(alice.JID, sim.Bot().JID, "hello")
	if err != nil {
		t.Fatal(err)
	}
	waitCond(t, "the new message", func() bool { return len(l.typed(tada.TypeNewMessage)) == 1 })
	if _, err := sim.Edit(alice.JID, m.MessageID, "hello, edited"); err != nil {
		t.Fatal(err)
	}
	waitCond(t, "the edit", func() bool { return len(l.typed(tada.TypeMessageEdited)) == 1 })
	if err := sim.React(alice.JID, m.MessageID, "👍"); err != nil {
		t.Fatal(err)
	}
	waitCond(t, "the reaction", func() bool { return len(l.typed(tada.TypeMessageChanged)) == 1 })
	if err := sim.Delete(alice.JID, m.MessageID); err != nil {
		t.Fatal(err)
	}
	waitCond(t, "the deletion", func() bool { return len(l.typed(tada.TypeMessageDeleted)) == 1 })
	// The bot's own message comes back on the socket, and is not an event.
	ids, err := p.Send(context.Background(), alice.JID, bot.Outgoing{Text: "mine", ReplyTo: m.MessageID})
	if err != nil || len(ids) != 1 {
		t.Fatalf("send: %v %v", ids, err)
	}
	last, _ := sim.Send(alice.JID, sim.Bot().JID, "after")
	waitCond(t, "the second message", func() bool { return len(l.typed(tada.TypeNewMessage)) == 2 })

	news := l.typed(tada.TypeNewMessage)
	first := news[0].(*tada.NewMessage).Messages()[0]
	if first.Text != "hello" || first.Chat.ID != alice.JID || first.Chat.Kind != bot.Direct || first.Sender.Name != "alice" || first.Edited {
		t.Fatalf("new message %+v", first)
	}
	if got := news[1].(*tada.NewMessage).Messages()[0]; got.ID != last.MessageID {
		t.Fatalf("second new message %+v", got)
	}
	ed := l.typed(tada.TypeMessageEdited)[0].(*tada.MessageEdited).Messages()[0]
	if ed.Text != "hello, edited" || !ed.Edited || ed.ID != m.MessageID {
		t.Fatalf("edit %+v", ed)
	}
	if r := l.typed(tada.TypeMessageChanged)[0].(*tada.MessageChanged).Reactions(); len(r) != 1 || r[0].Name != "👍" {
		t.Fatalf("reactions %+v", r)
	}
	if _, ok := l.typed(tada.TypeMessageChanged)[0].(bot.MessageEvent); ok {
		t.Fatal("a reaction must not be a message for OnMessage")
	}
	if sent, ok := sim.Message(ids[0]); !ok || sent.ReplyTo == nil || sent.ReplyTo.MessageID != m.MessageID {
		t.Fatalf("the reply does not quote: %+v", sent)
	}
}

// runBot runs a bot whose handler counts messages by text, with no
// Dedupe middleware: exactly-once is the platform's own doing here.
type countingBot struct {
	mu     sync.Mutex
	counts map[string]int
}

func (c *countingBot) seen(text string) int {
	c.mu.Lock()
	defer c.mu.Unlock()
	return c.counts[text]
}

func runBot(t *testing.T, p bot.Platform, c *countingBot) (stop func()) {
	t.Helper()
	r := router.New()
	r.OnMessage(func(_ *bot.Context, m bot.Message) error {
		c.mu.Lock()
		c.counts[m.Text]++
		c.mu.Unlock()
		return nil
	})
	b := bot.New(p, r)
	ctx, cancel := context.WithCancel(context.Background())
	done := make(chan error, 1)
	go func() { done <- b.Run(ctx) }()
	var once sync.Once
	stop = func() {
		once.Do(func() {
			cancel()
			select {
			case err := <-done:
				if err != nil {
					t.Errorf("bot: %v", err)
				}
			case <-time.After(10 * time.Second):
				t.Fatal("bot did not stop")
			}
		})
	}
	t.Cleanup(stop)
	return stop
}

// The connection dies after events were handed to the bot and before
// their client.confirm arrived; then the bot restarts while an event is
// still unconfirmed. The server sends the unconfirmed events again each
// time, and catch-up finds the rest: every message is handled once.
func TestKilledBeforeConfirmHandledOnceAcrossRestart(t *testing.T) {
	sim := newSim(t)
	st := store.NewMemory()
	alice := sim.AddContact("alice")
	counts := &countingBot{counts: map[string]int{}}
	// A long reconnect delay leaves time to stop the bot while the
	// server still holds an unconfirmed event.
	p1 := newPlatform(t, sim, testOptions(st, tada.WithBackoff(2*time.Second, 4*time.Second))...)
	stop1 := runBot(t, p1, counts)
	waitCond(t, "the first bot to be ready", p1.Ready)

	send := func(text string) {
		if _, err := sim.Send(alice.JID, sim.Bot().JID, text); err != nil {
			t.Fatal(err)
		}
	}
	sim.KillOnConfirm(1)
	send("m1")
	waitCond(t, "m1 handled and the connection killed", func() bool { return counts.seen("m1") == 1 && sim.BotSockets() == 0 })
	if n := sim.Unconfirmed(""); n != 1 {
		t.Fatalf("%d unconfirmed events, want m1's", n)
	}
	stop1()
	send("m2") // while no bot runs

	p2 := newPlatform(t, sim, testOptions(st)...)
	runBot(t, p2, counts)
	waitCond(t, "m2 after the restart", func() bool { return counts.seen("m2") == 1 })
	waitCond(t, "every event confirmed", func() bool { return sim.Unconfirmed("") == 0 })
	sim.KillOnConfirm(2)
	for i := 3; i <= 6; i++ {
		send(fmt.Sprint("m", i))
	}
	waitCond(t, "m3…m6", func() bool { return counts.seen("m6") == 1 && counts.seen("m3") == 1 })
	waitCond(t, "every event confirmed", func() bool { return sim.Unconfirmed("") == 0 })
	if st := sim.Stats(); st.Redelivered < 2 {
		t.Fatalf("the server redelivered %d events; the test did not exercise redelivery", st.Redelivered)
	}
	for i := 1; i <= 6; i++ {
		if n := counts.seen(fmt.Sprint("m", i)); n != 1 {
			t.Errorf("m%d handled %d times, want once", i, n)
		}
	}
}

// A client.message.updated whose server.confirm is lost is sent again
// after resend_timeout with the same message_id: one message, not two.
func TestUnconfirmedSendIsResentOnce(t *testing.T) {
	sim := newSim(t)
	alice := sim.AddContact("alice")
	p := newPlatform(t, sim, testOptions(store.NewMemory(), tada.WithSendOverWebSocket(true), tada.WithResendTimeout(30*time.Millisecond))...)
	listen(t, p)
	sim.SwallowConfirms(1)
	ids, err := p.Send(context.Background(), alice.JID, bot.Outgoing{Text: "only once"})
	if err != nil {
		t.Fatal(err)
	}
	var got []tada.Message
	for _, m := range sim.MessagesFrom(sim.Bot().JID) {
		if m.Content.Text == "only once" {
			got = append(got, m)
		}
	}
	if len(got) != 1 || got[0].MessageID != ids[0] {
		t.Fatalf("messages %+v, want exactly one with id %v", got, ids)
	}
	if s := sim.Stats(); s.DuplicateSends < 1 {
		t.Fatalf("the server saw no resend: %+v", s)
	}
	if s := p.Client().Stats(); s.Resends < 1 {
		t.Fatalf("client stats %+v", s)
	}
}

func TestPanicIsPermanent(t *testing.T) {
	sim := newSim(t)
	for name, mk := range map[string]func() (*tada.Platform, error){
		"token": func() (*tada.Platform, error) {
			return tada.New(sim.URL(), sim.Team(), "wrong", testOptions(store.NewMemory())...)
		},
		"team": func() (*tada.Platform, error) {
			return tada.New(sim.URL(), "no-such-team", sim.Bot().Token, testOptions(store.NewMemory())...)
		},
	} {
		t.Run(name, func(t *testing.T) {
			p, err := mk()
			if err != nil {
				t.Fatal(err)
			}
			ctx, cancel := context.WithTimeout(context.Background(), 10*time.Second)
			defer cancel()
			// The socket's server.panic and the start-up's REST refusal
			// race; either ends Listen for good.
			err = p.Listen(ctx, func(bot.Event) error { return nil })
			var pe *tada.PanicError
			var ae *tada.APIError
			if !(errors.As(err, &pe) || errors.As(err, &ae)) || !kit.IsPermanent(err) || ctx.Err() != nil {
				t.Fatalf("Listen = %v, want a permanent refusal before the deadline", err)
			}
			// On the socket alone, the refusal is a *PanicError.
			cn, err := p.Client().Dial(ctx)
			if err != nil {
				t.Fatal(err)
			}
			defer cn.Close()
			_, err = cn.Next(ctx)
			if !errors.As(err, &pe) || !strings.Contains(err.Error(), "check the token and the team") {
				t.Fatalf("Next = %v, want a *PanicError", err)
			}
		})
	}
	// Each case dials once itself; Listen dials at most once more, or not
	// at all when the start-up's REST refusal ends it first. More would be
	// a retry.
	if s := sim.Stats(); s.Panics < 2 || s.Panics > 4 {
		t.Fatalf("%d panics, want one per bad connection (no retries)", s.Panics)
	}
}

func TestRateLimitIsRetried(t *testing.T) {
	sim := newSim(t)
	alice := sim.AddContact("alice")
	c, err := tada.NewClient(sim.URL(), sim.Team(), sim.Bot().Token, tada.WithBackoff(time.Millisecond, 5*time.Millisecond))
	if err != nil {
		t.Fatal(err)
	}
	for range 2 {
		sim.FailNext(tadasim.RESTFault{Path: "/messages", Status: http.StatusTooManyRequests, Code: tada.CodeRateLimit})
	}
	m, err := c.SendMessage(context.Background(), tada.SendMessage{Chat: alice.JID, Text: "patient"})
	if err != nil || m.Content.Text != "patient" || m.Chat != alice.JID {
		t.Fatalf("send: %+v %v", m, err)
	}
	if s := c.Stats(); s.RateLimited != 2 {
		t.Fatalf("stats %+v", s)
	}
	// Other refusals are typed and not retried.
	sim.FailNext(tadasim.RESTFault{Path: "/messages", Status: http.StatusUnprocessableEntity, Code: tada.CodeInvalidData})
	_, err = c.SendMessage(context.Background(), tada.SendMessage{Chat: alice.JID, Text: "x"})
	var ae *tada.APIError
	if !errors.As(err, &ae) || ae.Code != tada.CodeInvalidData || ae.Status != 422 {
		t.Fatalf("error %v", err)
	}
}

func TestLongTextSplitAtServerLimit(t *testing.T) {
	sim := newSim(t, tadasim.WithMaxMessageLength(20))
	alice := sim.AddContact("alice")
	p := newPlatform(t, sim, testOptions(store.NewMemory())...)
	listen(t, p) // fetches /features.json
	text := strings.Repeat("word ", 12)
	ids, err := p.Send(context.Background(), alice.JID, bot.Outgoing{Text: text})
	if err != nil {
		t.Fatal(err)
	}
	var joined strings.Builder
	for _, id := range ids {
		m, _ := sim.Message(id)
		if n := len([]rune(m.Content.Text)); n > 20 {
			t.Fatalf("part of %d characters", n)
		}
		joined.WriteString(m.Content.Text)
	}
	if len(ids) < 3 || joined.String() != text {
		t.Fatalf("%d parts making %q", len(ids), joined.String())
	}
}

func TestMalformedAndUnknownFramesKeepTheConnection(t *testing.T) {
	sim := newSim(t)
	alice := sim.AddContact("alice")
	p := newPlatform(t, sim, testOptions(store.NewMemory())...)
	l := listen(t, p)
	sim.SendRaw(`{not json`)
	sim.SendRaw(`{"event":"server.something.new","params":{}}`)
	sim.Send(alice.JID, sim.Bot().JID, "still here")
	waitCond(t, "the message after the bad frames", func() bool { return len(l.typed(tada.TypeNewMessage)) == 1 })
	s := p.Client().Stats()
	if s.Malformed != 1 || s.Unknown != 1 || len(l.typed("server.something.new")) != 1 {
		t.Fatalf("stats %+v", s)
	}
	if _, tot := sim.Stats().TotalSockets, 0; tot != 0 || sim.Stats().TotalSockets != 1 {
		t.Fatalf("the connection was reopened")
	}
}

func TestWarningFailsTheEvent(t *testing.T) {
	sim := newSim(t)
	p := newPlatform(t, sim, testOptions(store.NewMemory())...)
	listen(t, p)
	c := p.Client()
	cn, err := c.Dial(context.Background())
	if err != nil {
		t.Fatal(err)
	}
	defer cn.Close()
	err = cn.Emit(context.Background(), "client.made.up", nil)
	var we *tada.WarningError
	if !errors.As(err, &we) || !strings.Contains(we.Message, "unknown event") {
		t.Fatalf("Emit = %v", err)
	}
	if c.Stats().Warnings != 1 {
		t.Fatalf("stats %+v", c.Stats())
	}
	if err := cn.MarkRead(context.Background(), sim.Bot().JID, ""); err != nil {
		t.Fatal(err)
	}
}

// A contact who joins between the start-up's contact list and its chat
// list and writes at once is met first by the catch-up, before its
// contact.updated frame is read: the catch-up reloads the contacts, so
// the message carries the sender's name.
func TestCatchUpNamesASenderMissingFromTheStartupContacts(t *testing.T) {
	sim := newSim(t)
	st := store.NewMemory()
	// An earlier run, so that the new chat is after the bot's first look
	// and caught up rather than taken for old history.
	l := listen(t, newPlatform(t, sim, testOptions(st)...))
	l.stop(t)
	sim.BeforeNext(http.MethodGet, "/chats", func() {
		// The socket, dialed before the start-up, gets contact.updated.
		if err := sim.Wait(10*time.Second, func() bool { return sim.BotSockets() > 0 }); err != nil {
			t.Error(err)
		}
		alice := sim.AddContact("alice")
		if _, err := sim.Send(alice.JID, sim.Bot().JID, "hello"); err != nil {
			t.Error(err)
		}
	})
	l = listen(t, newPlatform(t, sim, testOptions(st)...))
	waitCond(t, "the message", func() bool { return len(l.typed(tada.TypeNewMessage)) > 0 })
	nm := l.typed(tada.TypeNewMessage)[0].(*tada.NewMessage)
	if !nm.Replayed {
		t.Fatal("the message came live; the test did not exercise the catch-up")
	}
	if m := nm.Messages()[0]; m.Text != "hello" || m.Sender.Name != "alice" {
		t.Fatalf("message %q from %+v, want hello from alice", m.Text, m.Sender)
	}
	// Kept apart from the contacts, the sender still joins when its
	// frame is read.
	waitCond(t, "alice's ContactJoined", func() bool { return len(l.typed(tada.TypeContactJoined)) > 0 })
	if cj := l.typed(tada.TypeContactJoined); len(cj) != 1 || cj[0].(*tada.ContactJoined).Contact.DisplayName != "alice" {
		t.Fatalf("ContactJoined %+v, want alice's once", cj)
	}
}
