package middleware_test

import (
	"context"
	"errors"
	"strconv"
	"sync"
	"testing"
	"time"

	"github.com/parleybot/parley/bot"
	"github.com/parleybot/parley/middleware"
	"github.com/parleybot/parley/parleytest"
	"go.uber.org/zap"
	"go.uber.org/zap/zapcore"
	"go.uber.org/zap/zaptest/observer"
)

func groupInvitation(id, inviter, role string) *parleytest.RequestEvent {
	return &parleytest.RequestEvent{Info: bot.RequestInfo{
		Kind: bot.GroupInvitation, ID: id,
		From: bot.Sender{ID: inviter},
		Chat: bot.Chat{ID: "#" + id, Kind: bot.Group},
		Role: role,
	}}
}

func TestAutoAcceptPolicy(t *testing.T) {
	contactsAll := middleware.AcceptPolicy{Contacts: middleware.AcceptAll, Welcome: "hello!", GroupWelcome: "hi all"}
	groupsAll := middleware.AcceptPolicy{Groups: middleware.AcceptAll, Welcome: "hello!", GroupWelcome: "hi all"}
	minAdmin := middleware.AcceptPolicy{Groups: middleware.AcceptAll, MinRole: "admin"}
	tests := []struct {
		name        string
		policy      middleware.AcceptPolicy
		req         bot.Request
		wantVerb    string // "accept", "reject" or "" for left alone
		wantWelcome string
		want        middleware.AcceptStats
	}{
		{"empty policy refuses contacts", middleware.AcceptPolicy{}, parleytest.NewContactRequest("r1", "u1"), "", "", middleware.AcceptStats{Refused: 1}},
		{"empty policy refuses groups", middleware.AcceptPolicy{}, groupInvitation("g1", "u1", "member"), "", "", middleware.AcceptStats{Refused: 1}},
		{"contacts all", contactsAll, parleytest.NewContactRequest("r1", "u1"), "accept", "hello!", middleware.AcceptStats{Accepted: 1}},
		{"contacts all leaves groups", contactsAll, groupInvitation("g1", "u1", "owner"), "", "", middleware.AcceptStats{Refused: 1}},
		{"contact on allowlist",
			middleware.AcceptPolicy{Contacts: middleware.AcceptAllowlist, ContactAllowlist: []string{"u1", "u2"}},
			parleytest.NewContactRequest("r1", "u2"), "accept", "", middleware.AcceptStats{Accepted: 1}},
		{"contact off allowlist",
			middleware.AcceptPolicy{Contacts: middleware.AcceptAllowlist, ContactAllowlist: []string{"u1"}},
			parleytest.NewContactRequest("r1", "u9"), "", "", middleware.AcceptStats{Refused: 1}},
		{"refused contact rejected on request",
			middleware.AcceptPolicy{Contacts: middleware.AcceptAllowlist, ContactAllowlist: []string{"u1"}, RejectRefused: true},
			parleytest.NewContactRequest("r1", "u9"), "reject", "", middleware.AcceptStats{Refused: 1, Rejected: 1}},
		{"groups all with group welcome", groupsAll, groupInvitation("g1", "u1", "member"), "accept", "hi all", middleware.AcceptStats{Accepted: 1}},
		{"groups all leaves contacts", groupsAll, parleytest.NewContactRequest("r1", "u1"), "", "", middleware.AcceptStats{Refused: 1}},
		{"inviter on allowlist",
			middleware.AcceptPolicy{Groups: middleware.AcceptAllowlist, InviterAllowlist: []string{"boss"}},
			groupInvitation("g1", "boss", "member"), "accept", "", middleware.AcceptStats{Accepted: 1}},
		{"inviter off allowlist",
			middleware.AcceptPolicy{Groups: middleware.AcceptAllowlist, InviterAllowlist: []string{"boss"}},
			groupInvitation("g1", "stranger", "member"), "", "", middleware.AcceptStats{Refused: 1}},
		{"role below minimum", minAdmin, groupInvitation("g1", "u1", "moderator"), "", "", middleware.AcceptStats{Refused: 1}},
		{"role at minimum", minAdmin, groupInvitation("g1", "u1", "admin"), "accept", "", middleware.AcceptStats{Accepted: 1}},
		{"role above minimum", minAdmin, groupInvitation("g1", "u1", "owner"), "accept", "", middleware.AcceptStats{Accepted: 1}},
		{"role in other case", minAdmin, groupInvitation("g1", "u1", "Owner"), "accept", "", middleware.AcceptStats{Accepted: 1}},
		{"no role offered", minAdmin, groupInvitation("g1", "u1", ""), "", "", middleware.AcceptStats{Refused: 1}},
		{"unknown role offered", minAdmin, groupInvitation("g1", "u1", "superuser"), "", "", middleware.AcceptStats{Refused: 1}},
		{"observer passes without minimum", groupsAll, groupInvitation("g1", "u1", "observer"), "accept", "hi all", middleware.AcceptStats{Accepted: 1}},
		{"unknown request kind", contactsAll, &parleytest.RequestEvent{Info: bot.RequestInfo{Kind: 9, ID: "x"}}, "", "", middleware.AcceptStats{Refused: 1}},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			p := parleytest.NewPlatform()
			var decisions []bool
			policy := tt.policy
			policy.OnDecision = func(kind bot.RequestKind, accepted bool) {
				if kind != tt.req.RequestInfo().Kind {
					t.Errorf("decision for kind %v, want %v", kind, tt.req.RequestInfo().Kind)
				}
				decisions = append(decisions, accepted)
			}
			a := middleware.NewAutoAccepter(policy)
			var seen []bot.Event
			h := a.Middleware(bot.HandlerFunc(func(c *bot.Context) error { seen = append(seen, c.Event()); return nil }))
			if err := h.Handle(bot.NewContext(context.Background(), tt.req, p, nil)); err != nil {
				t.Fatal(err)
			}
			if len(seen) != 1 || seen[0] != tt.req {
				t.Errorf("next saw %v, want the request", seen)
			}
			acts := p.Actions()
			switch {
			case tt.wantVerb == "" && len(acts) != 0:
				t.Errorf("actions %+v, want the request left alone", acts)
			case tt.wantVerb != "" && (len(acts) != 1 || acts[0].Verb != tt.wantVerb || acts[0].Req.ID != tt.req.RequestInfo().ID):
				t.Errorf("actions %+v, want one %s of %s", acts, tt.wantVerb, tt.req.RequestInfo().ID)
			case tt.wantVerb == "accept" && acts[0].Text != tt.wantWelcome:
				t.Errorf("welcome %q, want %q", acts[0].Text, tt.wantWelcome)
			}
			if st := a.Stats(); st != tt.want {
				t.Errorf("stats %+v, want %+v", st, tt.want)
			}
			if len(decisions) != 1 || decisions[0] != (tt.want.Accepted == 1) {
				t.Errorf("decisions %v, want one accepted=%v", decisions, tt.want.Accepted == 1)
			}
		})
	}
}

// TestAutoAcceptHourlyCap checks the cap slides: each accept counts for
// exactly one hour from when it happened.
func TestAutoAcceptHourlyCap(t *testing.T) {
	clk := newFakeClock()
	p := parleytest.NewPlatform()
	a := middleware.NewAutoAccepter(middleware.AcceptPolicy{Contacts: middleware.AcceptAll, MaxPerHour: 2, RejectRefused: true, Clock: clk})
	h := a.Middleware(bot.HandlerFunc(func(*bot.Context) error { return nil }))
	steps := []struct {
		at     time.Duration // since start
		accept bool
	}{
		{0, true},
		{40 * time.Minute, true},
		{50 * time.Minute, false},
		{61 * time.Minute, true}, // the first accept left the window
		{62 * time.Minute, false},
		{101 * time.Minute, true}, // so did the second
	}
	start := clk.Now()
	for i, s := range steps {
		clk.Advance(start.Add(s.at).Sub(clk.Now()))
		before := len(p.Actions())
		_ = h.Handle(bot.NewContext(context.Background(), parleytest.NewContactRequest(string(rune('a'+i)), "u"), p, nil))
		acts := p.Actions()
		accepted := len(acts) > before && acts[len(acts)-1].Verb == "accept"
		if accepted != s.accept {
			t.Fatalf("step %d at %v: accepted %v, want %v (actions %+v)", i, s.at, accepted, s.accept, acts)
		}
		if !s.accept && len(acts) != before {
			t.Fatalf("step %d: a capped request must be left alone, got %+v", i, acts[before:])
		}
	}
	if st := a.Stats(); st.Accepted != 4 || st.Capped != 2 || st.Rejected != 0 {
		t.Errorf("stats %+v, want 4 accepted, 2 capped, none rejected", st)
	}
}

// bareplatform has no optional capabilities.
type barePlatform struct{}

func (barePlatform) Name() string { return "bare" }
func (barePlatform) Listen(ctx context.Context, emit func(bot.Event) error) error {
	<-ctx.Done()
	return nil
}
func (barePlatform) Send(context.Context, string, bot.Outgoing) ([]string, error) {
	return nil, bot.ErrUnsupported
}

func TestAutoAcceptWithoutAccepter(t *testing.T) {
	core, logs := observer.New(zapcore.WarnLevel)
	a := middleware.NewAutoAccepter(middleware.AcceptPolicy{Contacts: middleware.AcceptAll})
	calls := 0
	h := a.Middleware(bot.HandlerFunc(func(*bot.Context) error { calls++; return nil }))
	for _, id := range []string{"r1", "r2", "r3"} {
		if err := h.Handle(bot.NewContext(context.Background(), parleytest.NewContactRequest(id, "u"), barePlatform{}, zap.New(core))); err != nil {
			t.Fatal(err)
		}
	}
	if calls != 3 {
		t.Errorf("next ran %d times, want 3", calls)
	}
	if n := logs.FilterMessageSnippet("cannot accept").Len(); n != 1 {
		t.Errorf("%d warnings, want exactly one for the missing capability", n)
	}
	if st := a.Stats(); st.Accepted != 0 || st.Failed != 0 {
		t.Errorf("stats %+v, want nothing accepted or failed", st)
	}
}

// failingAccepter fails its first accepts.
type failingAccepter struct {
	*parleytest.Platform
	failures int
}

var errAcceptDown = errors.New("accept service down")

func (f *failingAccepter) AcceptRequest(ctx context.Context, r bot.Request, opts bot.AcceptOptions) error {
	if f.failures > 0 {
		f.failures--
		return errAcceptDown
	}
	return f.Platform.AcceptRequest(ctx, r, opts)
}

func TestAutoAcceptFailureJoinsErrorAndFreesCap(t *testing.T) {
	p := &failingAccepter{Platform: parleytest.NewPlatform(), failures: 1}
	a := middleware.NewAutoAccepter(middleware.AcceptPolicy{Contacts: middleware.AcceptAll, MaxPerHour: 1, Clock: newFakeClock()})
	nextErr := errors.New("next failed")
	h := a.Middleware(bot.HandlerFunc(func(*bot.Context) error { return nextErr }))

	err := h.Handle(bot.NewContext(context.Background(), parleytest.NewContactRequest("r1", "u"), p, nil))
	if !errors.Is(err, errAcceptDown) || !errors.Is(err, nextErr) {
		t.Fatalf("Handle = %v, want both the accept and the next handler's errors", err)
	}
	// The failed accept did not use up the hourly cap of 1.
	err = h.Handle(bot.NewContext(context.Background(), parleytest.NewContactRequest("r1", "u"), p, nil))
	if errors.Is(err, errAcceptDown) {
		t.Fatalf("second try: %v", err)
	}
	if st := a.Stats(); st.Failed != 1 || st.Accepted != 1 || st.Capped != 0 {
		t.Errorf("stats %+v, want 1 failed then 1 accepted", st)
	}
}

func TestAutoAcceptPassesOtherEvents(t *testing.T) {
	p := parleytest.NewPlatform()
	a := middleware.NewAutoAccepter(middleware.AcceptPolicy{Contacts: middleware.AcceptAll, RejectRefused: true})
	calls := 0
	h := a.Middleware(bot.HandlerFunc(func(*bot.Context) error { calls++; return nil }))
	for _, e := range []bot.Event{parleytest.NewMessage("1", "@1", "hi"), &parleytest.PlainEvent{Name: "x"}} {
		_ = h.Handle(bot.NewContext(context.Background(), e, p, nil))
	}
	if calls != 2 || len(p.Actions()) != 0 || a.Stats() != (middleware.AcceptStats{}) {
		t.Errorf("calls %d actions %v stats %+v, want events passed untouched", calls, p.Actions(), a.Stats())
	}
}

func TestAutoAcceptWithBot(t *testing.T) {
	p := parleytest.NewPlatform()
	mw := middleware.AutoAccept(middleware.AcceptPolicy{
		Contacts: middleware.AcceptAll, Welcome: "Welcome! Send /help.",
		Groups: middleware.AcceptAllowlist, InviterAllowlist: []string{"owner-1"},
	})
	startBot(t, p, bot.HandlerFunc(func(*bot.Context) error { return nil }), nil, mw)
	inject(t, p,
		parleytest.NewContactRequest("r1", "u1"),
		groupInvitation("g1", "stranger", "member"),
		groupInvitation("g2", "owner-1", "member"),
	)
	if err := p.WaitHandled(3, waitFor); err != nil {
		t.Fatal(err)
	}
	got := map[string]string{}
	for _, a := range p.Actions() {
		got[a.Req.ID] = a.Verb + ":" + a.Text
	}
	want := map[string]string{"r1": "accept:Welcome! Send /help.", "g2": "accept:"}
	if len(got) != len(want) || got["r1"] != want["r1"] || got["g2"] != want["g2"] {
		t.Errorf("actions %v, want %v", got, want)
	}
}

func TestAutoAcceptSetupPanics(t *testing.T) {
	tests := []struct {
		name, want string
		policy     middleware.AcceptPolicy
	}{
		{"unknown contact mode", "unknown mode", middleware.AcceptPolicy{Contacts: 7}},
		{"unknown group mode", "unknown mode", middleware.AcceptPolicy{Groups: -1}},
		{"empty contact allowlist", "Contacts is AcceptAllowlist but its allowlist is empty", middleware.AcceptPolicy{Contacts: middleware.AcceptAllowlist}},
		{"empty inviter allowlist", "Groups is AcceptAllowlist but its allowlist is empty", middleware.AcceptPolicy{Groups: middleware.AcceptAllowlist}},
		{"unknown role", `MinRole "boss"`, middleware.AcceptPolicy{MinRole: "boss"}},
		{"negative cap", "MaxPerHour is negative", middleware.AcceptPolicy{MaxPerHour: -1}},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) { mustPanic(t, tt.want, func() { middleware.AutoAccept(tt.policy) }) })
	}
}

// TestAutoAcceptCapConcurrent checks that concurrent requests cannot
// overrun the hourly cap.
func TestAutoAcceptCapConcurrent(t *testing.T) {
	const capN, requests = 5, 40
	p := parleytest.NewPlatform()
	a := middleware.NewAutoAccepter(middleware.AcceptPolicy{Contacts: middleware.AcceptAll, MaxPerHour: capN, Clock: newFakeClock()})
	h := a.Middleware(bot.HandlerFunc(func(*bot.Context) error { return nil }))
	var wg sync.WaitGroup
	for i := range requests {
		wg.Add(1)
		go func() {
			defer wg.Done()
			_ = h.Handle(bot.NewContext(context.Background(), parleytest.NewContactRequest(strconv.Itoa(i), "u"), p, nil))
		}()
	}
	wg.Wait()
	if st := a.Stats(); st.Accepted != capN || st.Capped != requests-capN || len(p.Actions()) != capN {
		t.Errorf("stats %+v, %d actions; want %d accepted and %d capped", st, len(p.Actions()), capN, requests-capN)
	}
}
