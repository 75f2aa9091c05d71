package olvid_test

import (
	"context"
	"errors"
	"fmt"
	"os"
	"path/filepath"
	"strings"
	"sync"
	"testing"
	"time"

	"go.uber.org/zap"
	"go.uber.org/zap/zaptest/observer"

	"github.com/parleybot/parley/bot"
	"github.com/parleybot/parley/middleware"
	"github.com/parleybot/parley/platform/olvid"
	pb "github.com/parleybot/parley/platform/olvid/olvidpb"
	"github.com/parleybot/parley/platform/olvid/olvidsim"
	"github.com/parleybot/parley/router"
	"github.com/parleybot/parley/store"
)

const wait = 20 * time.Second

func waitFor(t testing.TB, what string, cond func() bool) {
	t.Helper()
	deadline := time.Now().Add(wait)
	for !cond() {
		if time.Now().After(deadline) {
			t.Fatalf("timed out waiting for %s", what)
		}
		time.Sleep(time.Millisecond)
	}
}

// handledLog counts the messages handlers saw, by text.
type handledLog struct {
	mu    sync.Mutex
	texts map[string]int
	msgs  []bot.Message
	other []bot.Event
}

func newLog() *handledLog { return &handledLog{texts: map[string]int{}} }

func (l *handledLog) count(text string) int {
	l.mu.Lock()
	defer l.mu.Unlock()
	return l.texts[text]
}

func (l *handledLog) all() []bot.Message {
	l.mu.Lock()
	defer l.mu.Unlock()
	return append([]bot.Message(nil), l.msgs...)
}

func (l *handledLog) events() []bot.Event {
	l.mu.Lock()
	defer l.mu.Unlock()
	return append([]bot.Event(nil), l.other...)
}

type runningBot struct {
	cancel context.CancelFunc
	done   chan struct{} // closed when Run returned, with err set
	err    error
}

func (r *runningBot) stop(t testing.TB) {
	t.Helper()
	r.cancel()
	select {
	case <-r.done:
		if r.err != nil {
			t.Errorf("Run: %v", r.err)
		}
	case <-time.After(wait):
		t.Fatal("bot did not stop")
	}
}

// listenRaw runs p.Listen with no bot in between: each message event
// goes to onMessage, on the listening goroutine. stop ends Listen and
// waits for it; it does not close p.
func listenRaw(t testing.TB, p *olvid.Platform, onMessage func(*olvid.MessageReceived)) (stop func()) {
	t.Helper()
	ctx, cancel := context.WithCancel(context.Background())
	done := make(chan struct{})
	go func() {
		defer close(done)
		_ = p.Listen(ctx, func(e bot.Event) error {
			if m, ok := e.(*olvid.MessageReceived); ok {
				onMessage(m)
			}
			return nil
		})
	}()
	stop = func() {
		cancel()
		<-done
	}
	t.Cleanup(stop)
	return stop
}

// echo replies to the message of e, quoting it.
func echo(p *olvid.Platform, e *olvid.MessageReceived) error {
	m := e.Messages()[0]
	_, err := p.Send(context.Background(), m.Chat.ID, bot.Outgoing{Text: "echo: " + m.Text, ReplyTo: m.ID})
	return err
}

// startBot runs b until the test ends or stop is called.
func startBot(t testing.TB, b *bot.Bot) *runningBot {
	t.Helper()
	ctx, cancel := context.WithCancel(context.Background())
	rb := &runningBot{cancel: cancel, done: make(chan struct{})}
	go func() {
		rb.err = b.Run(ctx)
		close(rb.done)
	}()
	t.Cleanup(func() {
		cancel()
		select {
		case <-rb.done:
		case <-time.After(wait):
		}
	})
	return rb
}

// runBot runs a bot on p that records every message and every other
// event; setup may add routes and middleware first.
func runBot(t testing.TB, p bot.Platform, log *handledLog, setup func(b *bot.Bot, r *router.Router)) *runningBot {
	t.Helper()
	r := router.New()
	b := bot.New(p, r, bot.WithStopTimeout(wait))
	if setup != nil {
		setup(b, r)
	}
	r.OnMessage(func(c *bot.Context, m bot.Message) error {
		log.mu.Lock()
		log.texts[m.Text]++
		log.msgs = append(log.msgs, m)
		log.mu.Unlock()
		return nil
	})
	r.Fallback(bot.HandlerFunc(func(c *bot.Context) error {
		log.mu.Lock()
		log.other = append(log.other, c.Event())
		log.mu.Unlock()
		return nil
	}))
	return startBot(t, b)
}

// Every stream is cut in the middle of a flood, in several ways, new
// discussions appear meanwhile, and the bot is restarted from its store:
// each message is handled exactly once.
func TestFloodWithCutsAndRestartHandlesEachMessageOnce(t *testing.T) {
	sim := newSim(t)
	st := store.NewMemory()
	log := newLog()
	p1 := newPlatform(t, sim, st, olvid.WithNotifications(olvid.AllNotifications...))
	run := runBot(t, p1, log, nil)
	waitFor(t, "the streams", p1.Ready)

	var discs []uint64
	for i := range 4 {
		discs = append(discs, sim.AddContact(fmt.Sprint("user", i)).DiscussionID)
	}
	var want []string
	send := func(round int) {
		for i, d := range discs {
			text := fmt.Sprintf("d%d-r%03d", i, round)
			if _, err := sim.ContactSend(d, text); err != nil {
				t.Fatal(err)
			}
			want = append(want, text)
		}
	}
	var p2 *olvid.Platform
	cur, sessions := p1, int64(0)
	for round := range 120 {
		switch round {
		case 10, 20, 30, 70, 80, 90:
			// Each fault hits a new live session, in the middle of the
			// flood.
			waitFor(t, "a new session", func() bool { return cur.Ready() && cur.Stats().Sessions > sessions })
			sessions = cur.Stats().Sessions
		}
		switch round {
		case 10, 70:
			sim.CutStreams()
		case 20, 80:
			sim.DropConnections()
		case 30, 90:
			sim.DropAfter(3)
		case 35, 95:
			// A new discussion while streams are being reopened.
			discs = append(discs, sim.AddContact(fmt.Sprint("late", round)).DiscussionID)
		case 50:
			run.stop(t) // handled positions are written on the way out
		case 60:
			p2 = newPlatform(t, sim, st, olvid.WithNotifications(olvid.AllNotifications...))
			run = runBot(t, p2, log, nil)
			cur, sessions = p2, 0
		}
		send(round)
	}
	deadline := time.Now().Add(wait)
	for _, text := range want {
		for log.count(text) == 0 {
			if time.Now().After(deadline) {
				t.Fatalf("%q never handled (p1 %+v, p2 %+v, sim %+v)", text, p1.Stats(), p2.Stats(), sim.Stats())
			}
			time.Sleep(time.Millisecond)
		}
	}
	run.stop(t)
	for _, text := range want {
		if n := log.count(text); n != 1 {
			t.Errorf("%q handled %d times", text, n)
		}
	}
	if got := len(log.all()); got != len(want) {
		t.Errorf("handled %d messages, want %d", got, len(want))
	}
	// Each platform saw its streams cut, then its connection dropped, each
	// time in a new session; DropAfter may land after a stop.
	if s1, s2 := p1.Stats(), p2.Stats(); s1.Sessions < 3 || s2.Sessions < 3 || sim.Stats().TotalConns < 4 {
		t.Errorf("sessions %d and %d, %d connections: the faults did not all happen", s1.Sessions, s2.Sessions, sim.Stats().TotalConns)
	}
	t.Logf("p1 %+v, p2 %+v, sim %+v", p1.Stats(), p2.Stats(), sim.Stats())
}

// The bot's own messages come as MessageSent events and never reach
// OnMessage; replies quote the message they answer.
func TestOwnMessagesNeverReachOnMessage(t *testing.T) {
	sim := newSim(t)
	log := newLog()
	p := newPlatform(t, sim, nil)
	run := runBot(t, p, log, func(_ *bot.Bot, r *router.Router) {
		r.OnCommand("ping", func(c *bot.Context, _ router.Command) error { return c.Reply("pong") })
	})
	waitFor(t, "the streams", p.Ready)
	c := sim.AddContact("ann")
	if _, err := sim.ContactSend(c.DiscussionID, "/ping"); err != nil {
		t.Fatal(err)
	}
	waitFor(t, "the MessageSent event", func() bool {
		for _, e := range log.events() {
			if ms, ok := e.(*olvid.MessageSent); ok && ms.GetMessage().GetBody() == "pong" {
				return ms.Chat.Kind == bot.Direct && ms.Chat.ID == fmt.Sprint(c.DiscussionID)
			}
		}
		return false
	})
	run.stop(t)
	for _, m := range log.all() {
		if m.Text == "pong" {
			t.Fatalf("the bot's own message reached OnMessage: %+v", m)
		}
	}
	sent := sim.BotSent()
	if len(sent) != 1 || sent[0].ReplyTo.GetType() != pb.MessageId_TYPE_INBOUND {
		t.Fatalf("sent %+v, want one reply quoting an inbound message", sent)
	}
}

// Long texts are split below the daemon's limit; files go with the last
// part through the client-streaming upload.
func TestSendSplitsAndUploads(t *testing.T) {
	sim := newSim(t, olvidsim.WithMaxBody(100))
	p := newPlatform(t, sim, nil, olvid.WithMaxText(100), olvid.WithChunkSize(7))
	t.Cleanup(func() { _ = p.Close(context.Background()) })
	c := sim.AddContact("bo")
	dir := t.TempDir()
	file := filepath.Join(dir, "notes.txt")
	content := strings.Repeat("0123456789", 5)
	if err := os.WriteFile(file, []byte(content), 0o600); err != nil {
		t.Fatal(err)
	}
	text := strings.Repeat("word ", 50) + "end" // 253 bytes
	ids, err := p.Send(context.Background(), fmt.Sprint(c.DiscussionID), bot.Outgoing{Text: text, Files: []string{file}})
	if err != nil {
		t.Fatal(err)
	}
	sent := sim.BotSent()
	if len(ids) != len(sent) || len(sent) != 3 {
		t.Fatalf("ids %v, sent %+v: want 3 messages", ids, sent)
	}
	var joined []string
	for i, s := range sent {
		if len(s.Body) > 100 {
			t.Errorf("part %d is %d bytes", i, len(s.Body))
		}
		joined = append(joined, s.Body)
		if ids[i] != fmt.Sprintf("o%d", s.ID) {
			t.Errorf("id %s for outbound message %d", ids[i], s.ID)
		}
	}
	if strings.Join(joined, " ") != text {
		t.Errorf("parts do not add up to the text")
	}
	if got := sent[2].Files; len(got) != 1 || got[0] != "notes.txt" {
		t.Errorf("files %v, want notes.txt on the last part", got)
	}
	atts, err := p.Client().ListAttachments(context.Background(), nil)
	if err != nil || len(atts) != 1 || atts[0].GetSize() != uint64(len(content)) {
		t.Fatalf("attachments %v, %v", atts, err)
	}
	var b strings.Builder
	if _, err := p.Client().DownloadAttachment(context.Background(), atts[0].GetId(), &b); err != nil || b.String() != content {
		t.Fatalf("downloaded %q, %v", b.String(), err)
	}
}

// Group invitations are requests AutoAccept accepts; the welcome goes to
// the group's discussion, and the join is a GroupChanger.
func TestGroupInvitationAutoAccepted(t *testing.T) {
	sim := newSim(t)
	log := newLog()
	p := newPlatform(t, sim, nil)
	policy := middleware.AcceptPolicy{Groups: middleware.AcceptAll, GroupWelcome: "hello group"}
	run := runBot(t, p, log, func(b *bot.Bot, _ *router.Router) { b.Use(middleware.AutoAccept(policy)) })
	waitFor(t, "the streams", p.Ready)
	c := sim.AddContact("host")
	inv, disc, err := sim.InviteToGroup(c.ID, "book club")
	if err != nil {
		t.Fatal(err)
	}
	waitFor(t, "the welcome", func() bool {
		for _, s := range sim.BotSent() {
			if s.DiscussionID == disc && s.Body == "hello group" {
				return true
			}
		}
		return false
	})
	if _, pending := sim.Invitation(inv); pending {
		t.Fatal("invitation still pending")
	}
	waitFor(t, "the GroupNew event", func() bool {
		for _, e := range log.events() {
			if g, ok := e.(*olvid.GroupNew); ok {
				ch := g.GroupChanges()
				return len(ch) == 1 && ch[0].Kind == bot.BotJoined && ch[0].Chat.ID == fmt.Sprint(disc)
			}
		}
		return false
	})
	run.stop(t)
}

// Moderation through the capabilities: delete, edit, react, remove a
// member, change a role; each shows in the simulator.
func TestCapabilities(t *testing.T) {
	sim := newSim(t)
	p := newPlatform(t, sim, nil)
	t.Cleanup(func() { _ = p.Close(context.Background()) })
	ctx := context.Background()
	want := []bot.Capability{bot.CanAccept, bot.CanDelete, bot.CanEdit, bot.CanReact, bot.CanRemove, bot.CanSetRole, bot.CanPrivate}
	if got := bot.Capabilities(p); fmt.Sprint(got) != fmt.Sprint(want) {
		t.Fatalf("capabilities %v, want %v", got, want)
	}
	a, b := sim.AddContact("a"), sim.AddContact("b")
	group, disc, err := sim.NewGroup("mods", true, a.ID, b.ID)
	if err != nil {
		t.Fatal(err)
	}
	chat := fmt.Sprint(disc)
	in, err := sim.MemberSend(disc, a.ID, "spam")
	if err != nil {
		t.Fatal(err)
	}
	inID := olvid.MessageID{Dir: olvid.Inbound, ID: in}
	if err := p.React(ctx, chat, inID.String(), "👎"); err != nil {
		t.Fatal(err)
	}
	if m, _, _ := sim.Message(inID.PB()); len(m.GetReactions()) != 1 || m.GetReactions()[0].GetReaction() != "👎" {
		t.Fatalf("reactions %v", m.GetReactions())
	}
	if err := p.Delete(ctx, chat, inID.String()); err != nil {
		t.Fatal(err)
	}
	if _, _, err := sim.Message(inID.PB()); err == nil {
		t.Fatal("message not deleted")
	}
	ids, err := p.Send(ctx, chat, bot.Outgoing{Text: "rules: be nice"})
	if err != nil {
		t.Fatal(err)
	}
	if err := p.Edit(ctx, chat, ids[0], "rules: be kind"); err != nil {
		t.Fatal(err)
	}
	out, _ := olvid.ParseMessageID(ids[0])
	if m, _, _ := sim.Message(out.PB()); m.GetBody() != "rules: be kind" || !m.GetEditedBody() {
		t.Fatalf("edited message %v", m)
	}
	if err := p.SetMemberRole(ctx, chat, fmt.Sprint(b.ID), olvid.RoleAdmin); err != nil {
		t.Fatal(err)
	}
	if err := p.RemoveMember(ctx, chat, fmt.Sprint(a.ID)); err != nil {
		t.Fatal(err)
	}
	g, _ := sim.Group(group)
	if len(g.GetMembers()) != 1 || g.GetMembers()[0].GetContactId() != b.ID || !g.GetMembers()[0].GetPermissions().GetAdmin() {
		t.Fatalf("group members %v", g.GetMembers())
	}
	if _, err := p.SendPrivate(ctx, chat, fmt.Sprint(b.ID), bot.Outgoing{Text: "you are admin now"}); err != nil {
		t.Fatal(err)
	}
	if s := sim.BotSent(); s[len(s)-1].DiscussionID != b.DiscussionID {
		t.Fatalf("private message went to %d, want %d", s[len(s)-1].DiscussionID, b.DiscussionID)
	}
}

// A bad key is a permanent error: Listen gives up instead of retrying.
func TestBadKeyStopsListen(t *testing.T) {
	sim := newSim(t)
	p, err := olvid.New(sim.Addr(), olvid.WithClientKey("wrong"), olvid.WithBackoff(time.Millisecond, 2*time.Millisecond))
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() { _ = p.Close(context.Background()) })
	ctx, cancel := context.WithTimeout(context.Background(), wait)
	defer cancel()
	err = p.Listen(ctx, func(bot.Event) error { return nil })
	if !errors.Is(err, olvid.ErrUnauthenticated) {
		t.Fatalf("Listen = %v, want ErrUnauthenticated", err)
	}
}

// Admin keys pick the identity with daemon-identity-id.
func TestAdminKeyNeedsIdentity(t *testing.T) {
	sim := newSim(t, olvidsim.WithAdminKey("admin"))
	ctx := context.Background()
	for _, tc := range []struct {
		opts []olvid.Option
		ok   bool
	}{
		{[]olvid.Option{olvid.WithClientKey("admin")}, false},
		{[]olvid.Option{olvid.WithClientKey("admin"), olvid.WithIdentityID(2)}, false},
		{[]olvid.Option{olvid.WithClientKey("admin"), olvid.WithIdentityID(1)}, true},
	} {
		c, err := olvid.NewClient(sim.Addr(), tc.opts...)
		if err != nil {
			t.Fatal(err)
		}
		_, err = c.Identity(ctx)
		if (err == nil) != tc.ok || (err != nil && !errors.Is(err, olvid.ErrUnauthenticated)) {
			t.Errorf("%d options: IdentityGet = %v, want ok=%v", len(tc.opts), err, tc.ok)
		}
		_ = c.Close()
	}
}

// A plaintext target that is not loopback is logged as a warning.
func TestPlaintextWarning(t *testing.T) {
	core, logs := observer.New(zap.WarnLevel)
	p, err := olvid.New("daemon.example:50051", olvid.WithLogger(zap.New(core)), olvid.WithBackoff(time.Hour, time.Hour))
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() { _ = p.Close(context.Background()) })
	ctx, cancel := context.WithCancel(context.Background())
	done := make(chan error, 1)
	go func() { done <- p.Listen(ctx, func(bot.Event) error { return nil }) }()
	waitFor(t, "the warning", func() bool { return logs.FilterMessageSnippet("plaintext").Len() > 0 })
	cancel()
	<-done
	if olvid.IsLoopback("daemon.example:50051") || !olvid.IsLoopback("127.0.0.1:50051") || !olvid.IsLoopback("http://localhost:50051") {
		t.Fatal("IsLoopback is wrong")
	}
}
