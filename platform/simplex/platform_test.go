package simplex_test

import (
	"context"
	"encoding/json"
	"errors"
	"fmt"
	"reflect"
	"runtime"
	"slices"
	"strconv"
	"strings"
	"sync"
	"sync/atomic"
	"testing"
	"time"

	"github.com/parleybot/parley/bot"
	"github.com/parleybot/parley/platform/simplex"
	"github.com/parleybot/parley/platform/simplex/simplexsim"
	"github.com/parleybot/parley/router"
	"github.com/parleybot/parley/store"
)

// botEventLog records the events a platform emits.
type botEventLog struct {
	mu     sync.Mutex
	events []bot.Event
	wake   chan struct{}
}

func newBotEventLog() *botEventLog { return &botEventLog{wake: make(chan struct{})} }

func (l *botEventLog) emit(e bot.Event) error {
	l.mu.Lock()
	l.events = append(l.events, e)
	close(l.wake)
	l.wake = make(chan struct{})
	l.mu.Unlock()
	return nil
}

// waitFor returns the first recorded event of type E matching ok.
func waitFor[E bot.Event](t *testing.T, l *botEventLog, ok func(E) bool) E {
	t.Helper()
	timer := time.NewTimer(waitTimeout)
	defer timer.Stop()
	for {
		l.mu.Lock()
		for _, e := range l.events {
			if x, is := e.(E); is && ok(x) {
				l.mu.Unlock()
				return x
			}
		}
		wake := l.wake
		l.mu.Unlock()
		select {
		case <-wake:
		case <-timer.C:
			var zero E
			t.Fatalf("timed out waiting for a %T event", zero)
		}
	}
}

// runPlatform runs p.Listen until the test ends and waits until the
// platform is ready.
func runPlatform(t *testing.T, p *simplex.Platform) *botEventLog {
	t.Helper()
	log := newBotEventLog()
	listenWith(t, p, log.emit)
	return log
}

// listenWith runs p.Listen with emit until the test ends, then closes p,
// and waits until the platform is ready.
func listenWith(t *testing.T, p *simplex.Platform, emit func(bot.Event) error) {
	t.Helper()
	ctx, cancel := context.WithCancel(context.Background())
	done := make(chan error, 1)
	go func() { done <- p.Listen(ctx, emit) }()
	t.Cleanup(func() {
		cancel()
		select {
		case err := <-done:
			if err != nil && !errors.Is(err, context.Canceled) {
				t.Errorf("Listen returned %v", err)
			}
		case <-time.After(waitTimeout):
			t.Error("Listen did not return after its context ended")
		}
		if err := p.Close(context.Background()); err != nil {
			t.Errorf("Close: %v", err)
		}
	})
	waitUser(t, p)
}

// listenHeld runs p with emit behind a hold: it sends "hold" from contact
// and returns once that message holds up p's event consumer, which stays
// held (and events pile up behind it) until release is called.
func listenHeld(t *testing.T, sim *simplexsim.Sim, p *simplex.Platform, contact int64, emit func(bot.Event) error) (release func()) {
	t.Helper()
	gate := make(chan struct{})
	held := make(chan struct{})
	var heldOnce, releaseOnce sync.Once
	release = func() { releaseOnce.Do(func() { close(gate) }) }
	listenWith(t, p, func(e bot.Event) error {
		if ev, ok := e.(*simplex.NewChatItems); ok {
			for _, m := range ev.Messages() {
				if m.Text == "hold" {
					heldOnce.Do(func() { close(held) })
					<-gate
				}
			}
		}
		return emit(e)
	})
	t.Cleanup(release) // before listenWith's: a failed test must not leave the consumer stuck
	if _, err := sim.ContactSend(contact, "hold"); err != nil {
		t.Fatal(err)
	}
	select {
	case <-held:
	case <-time.After(waitTimeout):
		t.Fatal("the first message never arrived")
	}
	return release
}

// eventually waits until cond holds, failing the test with what after
// waitTimeout.
func eventually(t *testing.T, what string, cond func() bool) {
	t.Helper()
	deadline := time.Now().Add(waitTimeout)
	for !cond() {
		if time.Now().After(deadline) {
			t.Fatalf("timed out waiting for %s", what)
		}
		time.Sleep(time.Millisecond)
	}
}

func newTestPlatform(sim *simplexsim.Sim, opts ...simplex.Option) *simplex.Platform {
	return simplex.New(sim.URL(), append([]simplex.Option{simplex.WithClientOptions(testClientOptions...)}, opts...)...)
}

func sentTo(sim *simplexsim.Sim, chatRef string) []simplexsim.SentItem {
	var out []simplexsim.SentItem
	for _, s := range sim.BotSent() {
		if s.ChatRef == chatRef {
			out = append(out, s)
		}
	}
	return out
}

// longText builds n bytes of prose with spaces, line breaks and multi-byte
// runes, so splitting has real choices to make.
func longText(n int) string {
	var b strings.Builder
	for i := 0; b.Len() < n; i++ {
		fmt.Fprintf(&b, "word%d ", i)
		if i%17 == 16 {
			b.WriteString("ünïcödé\n")
		}
	}
	s := b.String()[:n]
	// Do not end inside a multi-byte rune.
	for !strings.HasSuffix(s, " ") && len(s) > 0 && s[len(s)-1] >= 0x80 {
		s = s[:len(s)-1]
	}
	return s
}

func TestPlatformSendSplitsLongText(t *testing.T) {
	sim := startSim(t)
	p := newTestPlatform(sim)
	runPlatform(t, p)
	c, err := sim.ConnectContact("alice")
	if err != nil {
		t.Fatal(err)
	}
	chat := simplex.Direct(c.ContactID).String()
	ctx := callCtx(t)
	tests := []struct {
		name      string
		size      int
		reply     bool
		wantParts int
	}{
		{"short", 10, false, 1},
		{"exactly the limit", simplex.MaxTextBytes, true, 1},
		{"one byte over", simplex.MaxTextBytes + 1, true, 2},
		{"40000 bytes", 40000, true, 3},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			var replyTo int64
			if tt.reply {
				if replyTo, err = sim.ContactSend(c.ContactID, "question for "+tt.name); err != nil {
					t.Fatal(err)
				}
			}
			text := longText(tt.size)
			before := len(sentTo(sim, chat))
			out := bot.Outgoing{Text: text}
			if replyTo != 0 {
				out.ReplyTo = strconv.FormatInt(replyTo, 10)
			}
			ids, err := p.Send(ctx, chat, out)
			if err != nil {
				t.Fatal(err)
			}
			sent := sentTo(sim, chat)[before:]
			if len(sent) != tt.wantParts {
				t.Fatalf("%d messages sent, want %d", len(sent), tt.wantParts)
			}
			var joined strings.Builder
			var wantIDs []string
			for i, s := range sent {
				if len(s.Text) > simplex.MaxTextBytes {
					t.Errorf("part %d has %d bytes", i, len(s.Text))
				}
				joined.WriteString(s.Text)
				wantIDs = append(wantIDs, strconv.FormatInt(s.ItemID, 10))
				wantQuote := int64(0)
				if i == 0 {
					wantQuote = replyTo
				}
				if s.QuotedItemID != wantQuote {
					t.Errorf("part %d quotes %d, want %d", i, s.QuotedItemID, wantQuote)
				}
			}
			if joined.String() != text {
				t.Error("the parts do not add up to the text")
			}
			if !slices.Equal(ids, wantIDs) {
				t.Errorf("Send returned ids %v, want %v", ids, wantIDs)
			}
		})
	}
}

func TestPlatformSendErrors(t *testing.T) {
	sim := startSim(t)
	p := newTestPlatform(sim)
	runPlatform(t, p)
	c, err := sim.ConnectContact("alice")
	if err != nil {
		t.Fatal(err)
	}
	chat := simplex.Direct(c.ContactID).String()
	ctx := callCtx(t)

	// A later part failing keeps the ids of what went out.
	if err := sim.FailNext("/_send", `{"type":"errorStore","storeError":{"type":"largeMsg"}}`); err != nil {
		t.Fatal(err)
	}
	if err := sim.FailNext("/_send", `{"type":"error","errorType":{"type":"contactNotActive"}}`); err != nil {
		t.Fatal(err)
	}
	_, err = p.Send(ctx, chat, bot.Outgoing{Text: "first"})
	if !simplex.IsMessageTooLarge(err) {
		t.Fatalf("err = %v, want largeMsg", err)
	}
	_, err = p.Send(ctx, chat, bot.Outgoing{Text: "second"})
	var ce *simplex.CommandError
	if !errors.As(err, &ce) || ce.InnerType() != "contactNotActive" {
		t.Fatalf("err = %v, want contactNotActive", err)
	}

	for _, tt := range []struct{ name, chat, replyTo string }{
		{"bad chat", "alice", ""},
		{"bad reply-to", chat, "x1"},
	} {
		t.Run(tt.name, func(t *testing.T) {
			cmds := len(commandsOf(sim))
			if _, err := p.Send(ctx, tt.chat, bot.Outgoing{Text: "x", ReplyTo: tt.replyTo}); err == nil {
				t.Fatal("no error")
			}
			if n := len(commandsOf(sim)); n != cmds {
				t.Errorf("an invalid send reached the CLI (%d commands)", n-cmds)
			}
		})
	}
}

func commandsOf(sim *simplexsim.Sim) []simplexsim.CommandRecord {
	var out []simplexsim.CommandRecord
	sim.View(func(w *simplexsim.World) { out = w.Commands() })
	return out
}

func itemOf(t *testing.T, sim *simplexsim.Sim, id int64) simplexsim.ItemInfo {
	t.Helper()
	var it simplexsim.ItemInfo
	var ok bool
	sim.View(func(w *simplexsim.World) { it, ok = w.Item(id) })
	if !ok {
		t.Fatalf("no item %d", id)
	}
	return it
}

// joinGroup makes a group whose owner invites the bot as admin, accepts the
// invitation through the platform and returns the group id and a member.
func joinGroup(t *testing.T, sim *simplexsim.Sim, p *simplex.Platform, log *botEventLog, welcome string) (gid, member int64) {
	t.Helper()
	owner, err := sim.ConnectContact("owner")
	if err != nil {
		t.Fatal(err)
	}
	gid, members, err := sim.NewGroup("club",
		simplexsim.MemberSpec{Name: "owner", Role: "owner", ContactID: owner.ContactID},
		simplexsim.MemberSpec{Name: "mia", Role: "member"})
	if err != nil {
		t.Fatal(err)
	}
	if _, err := sim.InviteBot(gid, owner.ContactID, "admin"); err != nil {
		t.Fatal(err)
	}
	inv := waitFor(t, log, func(e *simplex.ReceivedGroupInvitation) bool { return e.GroupInfo.GroupID == gid })
	if inv.MemberRole != "admin" {
		t.Errorf("invited as %q", inv.MemberRole)
	}
	if err := p.AcceptRequest(callCtx(t), inv, bot.AcceptOptions{Welcome: welcome}); err != nil {
		t.Fatal(err)
	}
	return gid, members[1]
}

func TestPlatformAcceptGroupInvitationJoins(t *testing.T) {
	sim := startSim(t)
	p := newTestPlatform(sim)
	log := runPlatform(t, p)
	gid, _ := joinGroup(t, sim, p, log, "hello, club")
	var g simplexsim.GroupInfo
	sim.View(func(w *simplexsim.World) { g, _ = w.Group(gid) })
	if g.BotStatus != "connected" || g.BotRole != "admin" {
		t.Errorf("bot is %s/%s in the group, want connected/admin", g.BotStatus, g.BotRole)
	}
	joins := 0
	for _, a := range sim.Actions() {
		if a.Kind == simplexsim.ActionJoin && a.ChatRef == "#"+strconv.FormatInt(gid, 10) {
			joins++
		}
	}
	if joins != 1 {
		t.Errorf("%d joins recorded, want 1", joins)
	}
	sent := sentTo(sim, "#"+strconv.FormatInt(gid, 10))
	if len(sent) != 1 || sent[0].Text != "hello, club" {
		t.Errorf("welcome = %+v", sent)
	}
	waitFor(t, log, func(e *simplex.UserJoinedGroup) bool { return e.GroupInfo.GroupID == gid })
}

func TestPlatformAcceptContactRequestWelcomes(t *testing.T) {
	sim := startSim(t, simplexsim.WithAddress(false, ""))
	p := newTestPlatform(sim)
	log := runPlatform(t, p)
	req, err := sim.ConnectContact("bob")
	if err != nil {
		t.Fatal(err)
	}
	ev := waitFor(t, log, func(e *simplex.ReceivedContactRequest) bool {
		return e.ContactRequest.ContactRequestID == req.RequestID
	})
	if err := p.AcceptRequest(callCtx(t), ev, bot.AcceptOptions{Welcome: "welcome, bob"}); err != nil {
		t.Fatal(err)
	}
	// The welcome waits for contactConnected, then goes to the new contact.
	sent, err := sim.WaitBotSent(1, waitTimeout)
	if err != nil {
		t.Fatal(err)
	}
	var state string
	sim.View(func(w *simplexsim.World) { state, _ = w.ContactRequest(req.RequestID) })
	if state != "accepted" {
		t.Errorf("request is %q", state)
	}
	if sent[0].Text != "welcome, bob" || !strings.HasPrefix(sent[0].ChatRef, "@") {
		t.Errorf("welcome = %+v", sent[0])
	}
	// A request of another platform is not this platform's to accept.
	if err := p.AcceptRequest(callCtx(t), fakeRequest{}, bot.AcceptOptions{}); !errors.Is(err, bot.ErrUnsupported) {
		t.Errorf("accepting a foreign request: %v", err)
	}
}

// fakeRequest is a request of another platform.
type fakeRequest struct{}

func (fakeRequest) Type() string                 { return "fake" }
func (fakeRequest) RequestInfo() bot.RequestInfo { return bot.RequestInfo{} }

func TestPlatformEditDeleteReact(t *testing.T) {
	sim := startSim(t)
	p := newTestPlatform(sim)
	log := runPlatform(t, p)
	c, err := sim.ConnectContact("alice")
	if err != nil {
		t.Fatal(err)
	}
	direct := simplex.Direct(c.ContactID).String()
	ctx := callCtx(t)
	rcv, err := sim.ContactSend(c.ContactID, "hello")
	if err != nil {
		t.Fatal(err)
	}
	gid, member := joinGroup(t, sim, p, log, "")
	group := "#" + strconv.FormatInt(gid, 10)
	memberMsg, err := sim.MemberSend(gid, member, "spam", false)
	if err != nil {
		t.Fatal(err)
	}
	send := func(chat, text string) int64 {
		ids, err := p.Send(ctx, chat, bot.Outgoing{Text: text})
		if err != nil || len(ids) != 1 {
			t.Fatalf("send: %v %v", ids, err)
		}
		id, _ := strconv.ParseInt(ids[0], 10, 64)
		return id
	}
	own := send(direct, "original")
	ownInGroup := send(group, "mine")

	tests := []struct {
		name  string
		do    func() error
		want  simplexsim.Action
		check func(t *testing.T)
	}{
		{"edit", func() error { return p.Edit(ctx, direct, strconv.FormatInt(own, 10), "edited") },
			simplexsim.Action{Kind: simplexsim.ActionUpdate, ChatRef: direct, ItemIDs: []int64{own}, Text: "edited"},
			func(t *testing.T) {
				if it := itemOf(t, sim, own); it.Text != "edited" || !it.Edited {
					t.Errorf("item = %+v", it)
				}
			}},
		{"react", func() error { return p.React(ctx, direct, strconv.FormatInt(rcv, 10), "👍") },
			simplexsim.Action{Kind: simplexsim.ActionReaction, ChatRef: direct, ItemIDs: []int64{rcv}, Mode: "👍", Added: true},
			func(t *testing.T) {
				if it := itemOf(t, sim, rcv); it.Reactions["👍"] != 1 {
					t.Errorf("reactions = %v", it.Reactions)
				}
			}},
		{"delete own direct", func() error { return p.Delete(ctx, direct, strconv.FormatInt(own, 10)) },
			simplexsim.Action{Kind: simplexsim.ActionDelete, ChatRef: direct, ItemIDs: []int64{own}, Mode: string(simplex.DeleteBroadcast)},
			func(t *testing.T) {
				if it := itemOf(t, sim, own); it.Deleted == "" {
					t.Errorf("item not deleted: %+v", it)
				}
			}},
		{"moderate a member", func() error { return p.Delete(ctx, group, strconv.FormatInt(memberMsg, 10)) },
			simplexsim.Action{Kind: simplexsim.ActionModerate, ChatRef: group, ItemIDs: []int64{memberMsg}, MemberIDs: []int64{member}},
			nil},
		{"delete own in group", func() error { return p.Delete(ctx, group, strconv.FormatInt(ownInGroup, 10)) },
			simplexsim.Action{Kind: simplexsim.ActionDelete, ChatRef: group, ItemIDs: []int64{ownInGroup}, Mode: string(simplex.DeleteBroadcast)},
			nil},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			before := len(sim.Actions())
			if err := tt.do(); err != nil {
				t.Fatal(err)
			}
			acts := sim.Actions()[before:]
			if len(acts) != 1 || !reflect.DeepEqual(acts[0], tt.want) {
				t.Fatalf("actions = %+v, want %+v", acts, tt.want)
			}
			if tt.check != nil {
				tt.check(t)
			}
		})
	}
	for _, tt := range []struct {
		name string
		err  error
	}{
		{"bad message id", p.Edit(ctx, direct, "x", "y")},
		{"bad chat", p.React(ctx, "alice", "1", "👍")},
		{"refused emoji", p.React(ctx, direct, strconv.FormatInt(rcv, 10), "🦄")},
	} {
		if tt.err == nil {
			t.Errorf("%s: no error", tt.name)
		}
	}
}

func TestPlatformStartupSteps(t *testing.T) {
	sim := simplexsim.New(simplexsim.WithoutUser())
	if err := sim.Start(); err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() { _ = sim.Close() })
	menu := []simplex.ChatBotCommand{
		{Type: "command", Keyword: "help", Label: "Show help"},
		{Type: "menu", Label: "More", Commands: []simplex.ChatBotCommand{{Type: "command", Keyword: "about", Label: "About"}}},
	}
	p := newTestPlatform(sim, simplex.WithStartup(simplex.Startup{
		BotName: "helper",
		Address: true,
		AddressSettings: &simplex.AddressSettings{
			AutoAccept: &simplex.AutoAccept{},
			AutoReply:  &simplex.MsgContent{Type: simplex.MsgText, Text: "hi, I am a bot"},
		},
		Commands: menu,
	}))
	runPlatform(t, p)
	// Ready may turn true before the steps are done (see
	// TestPlatformNotReadyDuringStartup): wait for the last step instead.
	// Commands run in order, so what follows sees its effect.
	waitCommand(t, sim, "/_profile ", 1)
	if u := p.User(); u.Profile.DisplayName != "helper" || u.Profile.PeerType != simplex.PeerBot {
		t.Errorf("user = %q/%q", u.Profile.DisplayName, u.Profile.PeerType)
	}
	var hasUser, addr, autoAccept bool
	var autoReply string
	sim.View(func(w *simplexsim.World) {
		hasUser = w.HasUser()
		autoAccept, autoReply, addr = w.Address()
	})
	if !hasUser || !addr || !autoAccept || autoReply != "hi, I am a bot" {
		t.Errorf("user %v, address %v, auto-accept %v, auto-reply %q", hasUser, addr, autoAccept, autoReply)
	}
	// The menu is in the profile the CLI now holds.
	r, err := simplex.Exec(callCtx(t), p.Client(), simplex.ShowActiveUser{})
	if err != nil {
		t.Fatal(err)
	}
	prefs := r.User.Profile.Preferences
	if prefs == nil || !commandsEqual(prefs.Commands, menu) {
		t.Errorf("profile commands = %+v, want %+v", prefs, menu)
	}
	// The address works: a contact is accepted and greeted by the CLI.
	c, err := sim.ConnectContact("alice")
	if err != nil || c.ContactID == 0 || c.AutoReplyItemID == 0 {
		t.Fatalf("connect: %+v %v", c, err)
	}

	// After a reconnect the steps find everything in place and create
	// nothing twice.
	sim.DropAfter(0)
	if err := sim.Wait(waitTimeout, func(w *simplexsim.World) bool {
		return w.Stats().TotalConnections == 2 && w.Stats().Connections == 1
	}); err != nil {
		t.Fatal(err)
	}
	waitCommand(t, sim, "/_profile ", 2)
	if _, err := simplex.Exec(callCtx(t), p.Client(), simplex.ShowActiveUser{}); err != nil {
		t.Fatal(err)
	}
	counts := map[string]int{}
	for _, c := range commandsOf(sim) {
		for _, prefix := range []string{"/_create user ", "/_address ", "/_address_settings ", "/_profile "} {
			if strings.HasPrefix(c.Cmd, prefix) {
				counts[prefix]++
			}
		}
	}
	want := map[string]int{"/_create user ": 1, "/_address ": 1, "/_address_settings ": 2, "/_profile ": 2}
	if !reflect.DeepEqual(counts, want) {
		t.Errorf("start-up commands over two connections = %v, want %v", counts, want)
	}
}

// waitCommand waits until the simulator has run n commands starting with
// prefix.
func waitCommand(t *testing.T, sim *simplexsim.Sim, prefix string, n int) {
	t.Helper()
	if err := sim.Wait(waitTimeout, func(w *simplexsim.World) bool {
		return countCommands(w.Commands(), prefix) >= n
	}); err != nil {
		t.Fatalf("waiting for %d %q commands: %v", n, prefix, err)
	}
}

// countCommands counts the commands starting with prefix.
func countCommands(cmds []simplexsim.CommandRecord, prefix string) int {
	k := 0
	for _, c := range cmds {
		if strings.HasPrefix(c.Cmd, prefix) {
			k++
		}
	}
	return k
}

// TestPlatformNotReadyDuringStartup guards Ready's promise: connected and
// the start-up steps done. The last step fails a number of times, so the
// platform connects, runs the steps and drops the connection repeatedly;
// Ready must stay false all along, then turn true once a start-up
// succeeds.
func TestPlatformNotReadyDuringStartup(t *testing.T) {
	const failures = 20
	sim := startSim(t)
	for range failures {
		if err := sim.FailNext("/_profile ", `{"type":"error","errorType":{"type":"chatNotStarted"}}`); err != nil {
			t.Fatal(err)
		}
	}
	p := newTestPlatform(sim, simplex.WithStartup(simplex.Startup{
		Commands: []simplex.ChatBotCommand{{Type: "command", Keyword: "help", Label: "Help"}},
	}))
	ctx, cancel := context.WithCancel(context.Background())
	done := make(chan error, 1)
	go func() { done <- p.Listen(ctx, func(bot.Event) error { return nil }) }()
	defer func() {
		cancel()
		<-done
	}()
	profiles := func() int {
		k := 0
		sim.View(func(w *simplexsim.World) {
			for _, c := range w.Commands() {
				if strings.HasPrefix(c.Cmd, "/_profile ") {
					k++
				}
			}
		})
		return k
	}
	deadline := time.Now().Add(waitTimeout)
	for {
		// Counts only grow: a count at most failures read after Ready was
		// seen true means no start-up could have succeeded yet.
		if p.Ready() {
			if n := profiles(); n <= failures {
				t.Fatalf("Ready is true after %d failed start-ups", n)
			}
			return
		}
		if time.Now().After(deadline) {
			t.Fatalf("never ready (%d profile commands)", profiles())
		}
		runtime.Gosched()
	}
}

// commandsEqual compares menus by their wire form.
func commandsEqual(a, b []simplex.ChatBotCommand) bool {
	ja, err1 := json.Marshal(a)
	jb, err2 := json.Marshal(b)
	return err1 == nil && err2 == nil && string(ja) == string(jb)
}

func TestPlatformRestartContinuesFromStoredCursor(t *testing.T) {
	sim := startSim(t)
	st := store.NewMemory()
	t.Cleanup(func() { _ = st.Close() })
	c, err := sim.ConnectContact("alice")
	if err != nil {
		t.Fatal(err)
	}

	var mu sync.Mutex
	seen := map[string]int{}
	var order []string
	wake := make(chan struct{}, 1)
	r := router.New()
	r.OnMessage(func(_ *bot.Context, m bot.Message) error {
		mu.Lock()
		seen[m.Text]++
		order = append(order, m.Text)
		mu.Unlock()
		select {
		case wake <- struct{}{}:
		default:
		}
		return nil
	})
	waitSeen := func(text string) {
		t.Helper()
		deadline := time.After(waitTimeout)
		for {
			mu.Lock()
			n := seen[text]
			mu.Unlock()
			if n > 0 {
				return
			}
			select {
			case <-wake:
			case <-deadline:
				t.Fatalf("%q was never handled", text)
			}
		}
	}
	run := func() (*simplex.Platform, func()) {
		p := newTestPlatform(sim, simplex.WithStore(st), simplex.WithCursorFlush(time.Hour))
		b := bot.New(p, r)
		ctx, cancel := context.WithCancel(context.Background())
		done := make(chan error, 1)
		go func() { done <- b.Run(ctx) }()
		return p, func() {
			cancel()
			if err := <-done; err != nil {
				t.Errorf("bot: %v", err)
			}
		}
	}

	p1, stop1 := run()
	eventually(t, "the first run to be ready", p1.Ready)
	for _, s := range []string{"one", "two"} {
		if _, err := sim.ContactSend(c.ContactID, s); err != nil {
			t.Fatal(err)
		}
	}
	waitSeen("two")
	stop1() // Close writes the cursors, though the flush timer never fired.
	if got := p1.Stats().Replayed; got != 0 {
		t.Errorf("first run replayed %d", got)
	}
	if _, ok, _ := st.Get(context.Background(), "simplex:cursors:1"); !ok {
		t.Fatal("no cursors in the store after the first run")
	}
	// Messages arrive while no bot runs. Wait until the old connection is
	// gone, else it could take one of them and lose it.
	if err := sim.WaitConnections(0, waitTimeout); err != nil {
		t.Fatal(err)
	}
	missed := []string{"three", "four", "five"}
	for _, s := range missed {
		if _, err := sim.ContactSend(c.ContactID, s); err != nil {
			t.Fatal(err)
		}
	}

	p2, stop2 := run()
	defer stop2()
	waitSeen("five")
	// The same items also wait in the CLI's event queue: they arrive live
	// after the catch-up and must be skipped, not handled again.
	eventually(t, "the live copies to be skipped", func() bool { return p2.Stats().Skipped >= int64(len(missed)) })
	if s := p2.Stats(); s.Replayed != int64(len(missed)) {
		t.Errorf("Replayed = %d, want %d", s.Replayed, len(missed))
	}
	// A last live message proves the live stream is past the skipped ones.
	if _, err := sim.ContactSend(c.ContactID, "six"); err != nil {
		t.Fatal(err)
	}
	waitSeen("six")
	mu.Lock()
	defer mu.Unlock()
	want := []string{"one", "two", "three", "four", "five", "six"}
	if !slices.Equal(order, want) {
		t.Errorf("handled %v, want %v", order, want)
	}
	for text, n := range seen {
		if n != 1 {
			t.Errorf("%q handled %d times", text, n)
		}
	}
}

// TestPlatformOverloadSpillsAndCatchesUp fills the event queue while the
// consumer is held: later messages are left in the CLI and fetched once the
// queue is short, and every message arrives once, in order, including those
// still queued when the fetch ran.
func TestPlatformOverloadSpillsAndCatchesUp(t *testing.T) {
	sim := startSim(t)
	alice, err := sim.ConnectContact("alice")
	if err != nil {
		t.Fatal(err)
	}
	bob, err := sim.ConnectContact("bob")
	if err != nil {
		t.Fatal(err)
	}
	p := newTestPlatform(sim, simplex.WithClientOptions(simplex.WithEventBuffer(4)))
	var mu sync.Mutex
	got := map[int64][]string{}
	release := listenHeld(t, sim, p, alice.ContactID, func(e bot.Event) error {
		ev, ok := e.(*simplex.NewChatItems)
		if !ok {
			return nil
		}
		for _, m := range ev.Messages() {
			id, _ := strconv.ParseInt(strings.TrimPrefix(m.Chat.ID, "@"), 10, 64)
			mu.Lock()
			got[id] = append(got[id], m.Text)
			mu.Unlock()
		}
		return nil
	})
	const n = 20
	var want = map[int64][]string{alice.ContactID: {"hold"}}
	for i := range n {
		c := alice.ContactID
		if i%4 == 3 {
			c = bob.ContactID
		}
		text := "m" + strconv.Itoa(i)
		want[c] = append(want[c], text)
		if _, err := sim.ContactSend(c, text); err != nil {
			t.Fatal(err)
		}
	}
	// Four wait in the queue; the rest must be left in the CLI.
	eventually(t, "the rest to be spilled", func() bool { return p.Stats().Spilled >= n-4 })
	release()
	eventually(t, "every message", func() bool {
		mu.Lock()
		defer mu.Unlock()
		return len(got[alice.ContactID])+len(got[bob.ContactID]) >= n+1
	})
	// A last live message shows nothing more was on its way.
	if _, err := sim.ContactSend(bob.ContactID, "last"); err != nil {
		t.Fatal(err)
	}
	want[bob.ContactID] = append(want[bob.ContactID], "last")
	eventually(t, "the last message", func() bool {
		mu.Lock()
		defer mu.Unlock()
		b := got[bob.ContactID]
		return len(b) > 0 && b[len(b)-1] == "last"
	})
	mu.Lock()
	defer mu.Unlock()
	for c, w := range want {
		if !slices.Equal(got[c], w) {
			t.Errorf("chat %d handled %v, want %v", c, got[c], w)
		}
	}
}

// TestPlatformCrashKeepsNewChat stops a platform as a crash would, without
// Close writing its cursors, right after it passed on the first message of
// a new chat: the next run still catches that chat up.
func TestPlatformCrashKeepsNewChat(t *testing.T) {
	sim := startSim(t)
	st := store.NewMemory()
	t.Cleanup(func() { _ = st.Close() })
	bob, err := sim.ConnectContact("bob")
	if err != nil {
		t.Fatal(err)
	}
	crashed := &crashStore{Store: st}
	p1 := newTestPlatform(sim, simplex.WithStore(crashed), simplex.WithCursorFlush(time.Hour))
	got := make(chan string, 10)
	emit := func(e bot.Event) error {
		if ev, ok := e.(*simplex.NewChatItems); ok {
			for _, m := range ev.Messages() {
				got <- m.Text
			}
		}
		return nil
	}
	ctx, cancel := context.WithCancel(context.Background())
	done := make(chan error, 1)
	go func() { done <- p1.Listen(ctx, emit) }()
	waitUser(t, p1)
	if _, err := sim.ContactSend(bob.ContactID, "first words"); err != nil {
		t.Fatal(err)
	}
	select {
	case text := <-got:
		if text != "first words" {
			t.Fatalf("got %q", text)
		}
	case <-time.After(waitTimeout):
		t.Fatal("the message never arrived")
	}
	// The crash: nothing more reaches the store, and the connection ends.
	crashed.dead.Store(true)
	cancel()
	<-done
	_ = p1.Close(context.Background()) // its write of the cursors fails
	if data, ok, _ := st.Get(context.Background(), "simplex:cursors:1"); ok && strings.Contains(string(data), "@") {
		t.Fatalf("cursors were written (%s): this is no crash", data)
	}
	if err := sim.WaitConnections(0, waitTimeout); err != nil {
		t.Fatal(err)
	}

	// The handler never finished: the next run must deliver it again.
	p2 := newTestPlatform(sim, simplex.WithStore(st))
	log := runPlatform(t, p2)
	waitFor(t, log, func(e *simplex.NewChatItems) bool {
		ms := e.Messages()
		return len(ms) == 1 && ms[0].Text == "first words"
	})
	if s := p2.Stats(); s.Replayed != 1 {
		t.Errorf("stats %+v, want 1 replayed", s)
	}
}

// crashStore is a store that stops taking writes once dead, as a process
// that crashed would.
type crashStore struct {
	store.Store
	dead    atomic.Bool
	refused atomic.Int64 // writes refused while dead
}

var errCrashed = errors.New("crashed")

func (s *crashStore) Set(ctx context.Context, key string, value []byte, ttl time.Duration) error {
	if s.dead.Load() {
		s.refused.Add(1)
		return errCrashed
	}
	return s.Store.Set(ctx, key, value, ttl)
}

func (s *crashStore) Add(ctx context.Context, key string, value []byte, ttl time.Duration) (bool, error) {
	if s.dead.Load() {
		return false, errCrashed
	}
	return s.Store.Add(ctx, key, value, ttl)
}

func (s *crashStore) Close() error { return nil }

// TestPlatformOverloadForgetsGoneChat makes the fetch of a chat left behind
// under load fail as for a deleted contact: the chat is dropped once, not
// asked for again and again, and other chats go on.
func TestPlatformOverloadForgetsGoneChat(t *testing.T) {
	sim := startSim(t)
	alice, err := sim.ConnectContact("alice")
	if err != nil {
		t.Fatal(err)
	}
	bob, err := sim.ConnectContact("bob")
	if err != nil {
		t.Fatal(err)
	}
	p := newTestPlatform(sim, simplex.WithClientOptions(simplex.WithEventBuffer(2)))
	log := newBotEventLog()
	release := listenHeld(t, sim, p, bob.ContactID, log.emit)
	prefix := fmt.Sprintf("/_get chat @%d ", alice.ContactID)
	const fails = 20
	for range fails {
		if err := sim.FailNext(prefix, `{"type":"errorStore","storeError":{"type":"contactNotFound","contactId":1}}`); err != nil {
			t.Fatal(err)
		}
	}
	for i := range 8 {
		if _, err := sim.ContactSend(alice.ContactID, "a"+strconv.Itoa(i)); err != nil {
			t.Fatal(err)
		}
	}
	eventually(t, "a spill", func() bool { return p.Stats().Spilled > 0 })
	release()
	if _, err := sim.ContactSend(bob.ContactID, "after"); err != nil {
		t.Fatal(err)
	}
	waitFor(t, log, func(e *simplex.NewChatItems) bool {
		ms := e.Messages()
		return len(ms) == 1 && ms[0].Text == "after"
	})
	// The fetch of the chat left behind runs once the queue is short,
	// which may be after "after" was passed on.
	eventually(t, "the gone chat to be asked for", func() bool { return countCommands(commandsOf(sim), prefix) > 0 })
	if _, err := sim.ContactSend(bob.ContactID, "later"); err != nil {
		t.Fatal(err)
	}
	waitFor(t, log, func(e *simplex.NewChatItems) bool {
		ms := e.Messages()
		return len(ms) == 1 && ms[0].Text == "later"
	})
	if asked := countCommands(commandsOf(sim), prefix); asked != 1 {
		t.Errorf("the gone chat was asked for %d times, want 1", asked)
	}
}

// A cursor write that fails is tried again: the store briefly refusing
// writes must not leave a handled message to be delivered twice after a
// restart.
func TestPlatformFailedCursorWriteIsRetried(t *testing.T) {
	sim := startSim(t)
	st := store.NewMemory()
	t.Cleanup(func() { _ = st.Close() })
	bob, err := sim.ConnectContact("bob")
	if err != nil {
		t.Fatal(err)
	}
	flaky := &crashStore{Store: st}
	p := newTestPlatform(sim, simplex.WithStore(flaky), simplex.WithCursorFlush(time.Millisecond))
	log := newBotEventLog()
	ctx, cancel := context.WithCancel(context.Background())
	done := make(chan error, 1)
	go func() { done <- p.Listen(ctx, log.emit) }()
	if _, err := sim.ContactSend(bob.ContactID, "hello"); err != nil {
		t.Fatal(err)
	}
	ev := waitFor(t, log, func(e *simplex.NewChatItems) bool { return len(e.Messages()) == 1 })
	flaky.dead.Store(true)
	p.EventHandled(ev, nil)
	eventually(t, "a failed cursor write", func() bool { return flaky.refused.Load() > 0 })
	flaky.dead.Store(false)
	cancel()
	if err := <-done; err != nil {
		t.Fatal(err)
	}
	if err := p.Close(context.Background()); err != nil {
		t.Fatal(err)
	}
	data, ok, err := st.Get(context.Background(), "simplex:cursors:1")
	if err != nil || !ok {
		t.Fatalf("no cursors stored (%v)", err)
	}
	var cursors map[string]int64
	if err := json.Unmarshal(data, &cursors); err != nil {
		t.Fatal(err)
	}
	ref := "@" + strconv.FormatInt(bob.ContactID, 10)
	if want := ev.ChatItems[0].ChatItem.Meta.ItemID; cursors[ref] != want {
		t.Fatalf("stored cursor of %s is %d, want %d (%s)", ref, cursors[ref], want, data)
	}
}
