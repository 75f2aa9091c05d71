package router_test

import (
	"context"
	"errors"
	"fmt"
	"reflect"
	"strings"
	"testing"

	"github.com/parleybot/parley/bot"
	"github.com/parleybot/parley/parleytest"
	"github.com/parleybot/parley/router"
)

func ctxFor(e bot.Event) *bot.Context {
	return bot.NewContext(context.Background(), e, parleytest.NewPlatform(), nil)
}

type joinEvent struct{ who string }

func (e *joinEvent) Type() string { return "join" }

type leaveEvent struct{}

func (e *leaveEvent) Type() string { return "leave" }

func TestTypedRoutesMatchByGoType(t *testing.T) {
	r := router.New()
	var got []string
	router.On(r, func(c *bot.Context, e *joinEvent) error { got = append(got, "join:"+e.who); return nil })
	router.On(r, func(c *bot.Context, e *leaveEvent) error { got = append(got, "leave"); return nil })
	r.Fallback(bot.HandlerFunc(func(c *bot.Context) error { got = append(got, "fallback:"+c.Event().Type()); return nil }))

	for _, e := range []bot.Event{&joinEvent{"bob"}, &leaveEvent{}, &parleytest.UnknownEvent{Name: "x"}} {
		if err := r.Handle(ctxFor(e)); err != nil {
			t.Fatal(err)
		}
	}
	want := []string{"join:bob", "leave", "fallback:x"}
	if !reflect.DeepEqual(got, want) {
		t.Fatalf("got %v, want %v", got, want)
	}
}

func TestFirstMatchingRouteWins(t *testing.T) {
	r := router.New()
	var got []string
	r.OnCommand("help", func(c *bot.Context, cmd router.Command) error { got = append(got, "help"); return nil })
	r.OnRegex(`^hel+o`, func(c *bot.Context, m bot.Message, match []string) error {
		got = append(got, "regex:"+match[0])
		return nil
	})
	r.OnMessage(func(c *bot.Context, m bot.Message) error { got = append(got, "msg:"+m.Text); return nil })
	for _, text := range []string{"/help", "hellllo there", "other", "/HELP@mybot now"} {
		if err := r.Handle(ctxFor(parleytest.NewMessage("1", "@1", text))); err != nil {
			t.Fatal(err)
		}
	}
	want := []string{"help", "regex:hellllo", "msg:other", "help"}
	if !reflect.DeepEqual(got, want) {
		t.Fatalf("got %v, want %v", got, want)
	}
}

func TestTypedRoutesBeforeMessageRoutes(t *testing.T) {
	r := router.New()
	var got string
	r.OnMessage(func(c *bot.Context, m bot.Message) error { got = "message"; return nil })
	router.On(r, func(c *bot.Context, e *parleytest.MessageEvent) error { got = "typed"; return nil })
	if err := r.Handle(ctxFor(parleytest.NewMessage("1", "@1", "x"))); err != nil {
		t.Fatal(err)
	}
	if got != "typed" {
		t.Fatalf("got %q", got)
	}
}

func TestEveryMessageOfAnEventIsRouted(t *testing.T) {
	e := &parleytest.MessageEvent{Msg: []bot.Message{
		{ID: "1", Text: "/a", Chat: bot.Chat{ID: "@1", Kind: bot.Direct}},
		{ID: "2", Text: "plain", Chat: bot.Chat{ID: "@1", Kind: bot.Direct}},
		{ID: "3", Text: "/b", Chat: bot.Chat{ID: "@1", Kind: bot.Direct}},
	}}
	r := router.New()
	var got []string
	r.OnCommand("a", func(c *bot.Context, cmd router.Command) error { got = append(got, "a:"+cmd.Message.ID); return nil })
	r.OnMessage(func(c *bot.Context, m bot.Message) error {
		got = append(got, "m:"+m.ID)
		return fmt.Errorf("fail %s", m.ID)
	})
	err := r.Handle(ctxFor(e))
	if !reflect.DeepEqual(got, []string{"a:1", "m:2", "m:3"}) {
		t.Fatalf("got %v", got)
	}
	if err == nil || !strings.Contains(err.Error(), "fail 2") || !strings.Contains(err.Error(), "fail 3") {
		t.Fatalf("err = %v, want both failures", err)
	}
}

func TestFilters(t *testing.T) {
	direct := parleytest.NewMessage("1", "@1", "hi")
	group := parleytest.NewGroupMessage("2", "#9", "5", "admin", "hi")
	member := parleytest.NewGroupMessage("3", "#9", "6", "member", "hi")
	mention := parleytest.NewGroupMessage("4", "#9", "6", "member", "hi")
	mention.Msg[0].MentionsBot = true
	cases := []struct {
		name   string
		filter router.Filter
		want   []bool // direct, group admin, group member, mention
	}{
		{"direct", router.Direct(), []bool{true, false, false, false}},
		{"group", router.InGroup(), []bool{false, true, true, true}},
		{"role", router.SenderRole("admin", "owner"), []bool{false, true, false, false}},
		{"mentioned", router.Mentioned(), []bool{false, false, false, true}},
		{"not direct", router.Not(router.Direct()), []bool{false, true, true, true}},
		{"any", router.AnyOf(router.Direct(), router.Mentioned()), []bool{true, false, false, true}},
		{"type", router.EventType("message"), []bool{true, true, true, true}},
		{"platform", router.FromPlatform("other"), []bool{false, false, false, false}},
	}
	for _, tc := range cases {
		t.Run(tc.name, func(t *testing.T) {
			r := router.New()
			var hit bool
			r.OnMessage(func(c *bot.Context, m bot.Message) error { hit = true; return nil }, tc.filter)
			for i, e := range []bot.Event{direct, group, member, mention} {
				hit = false
				if err := r.Handle(ctxFor(e)); err != nil {
					t.Fatal(err)
				}
				if hit != tc.want[i] {
					t.Errorf("event %d: matched %v, want %v", i, hit, tc.want[i])
				}
			}
		})
	}
}

func TestGroupMiddlewareIsInnerOnly(t *testing.T) {
	r := router.New()
	var trace []string
	mw := func(name string) bot.Middleware {
		return func(next bot.Handler) bot.Handler {
			return bot.HandlerFunc(func(c *bot.Context) error {
				trace = append(trace, name)
				return next.Handle(c)
			})
		}
	}
	r.Use(mw("top"))
	r.Group(func(g *router.Router) {
		g.Use(mw("admin-only"))
		g.OnCommand("ban", func(c *bot.Context, cmd router.Command) error {
			trace = append(trace, "ban "+cmd.Arg(0))
			return nil
		}, router.SenderRole("admin"))
	})
	r.OnMessage(func(c *bot.Context, m bot.Message) error { trace = append(trace, "msg"); return nil })

	_ = r.Handle(ctxFor(parleytest.NewGroupMessage("1", "#1", "2", "admin", "/ban bob")))
	_ = r.Handle(ctxFor(parleytest.NewGroupMessage("2", "#1", "3", "member", "/ban bob")))
	want := []string{"top", "admin-only", "ban bob", "top", "msg"}
	if !reflect.DeepEqual(trace, want) {
		t.Fatalf("trace %v, want %v", trace, want)
	}
}

func TestParseArgs(t *testing.T) {
	cases := []struct {
		in   string
		want []string
		err  error
	}{
		{"", nil, nil},
		{"a b  c", []string{"a", "b", "c"}, nil},
		{`"two words" x`, []string{"two words", "x"}, nil},
		{`'single q' "dq \"esc\""`, []string{"single q", `dq "esc"`}, nil},
		{`a"b c"d`, []string{"ab cd"}, nil},
		{`""`, []string{""}, nil},
		{`"open`, []string{"open"}, router.ErrUnclosedQuote},
		{"emoji 👍 ok", []string{"emoji", "👍", "ok"}, nil},
	}
	for _, tc := range cases {
		got, err := router.ParseArgs(tc.in)
		if !reflect.DeepEqual(got, tc.want) || !errors.Is(err, tc.err) {
			t.Errorf("ParseArgs(%q) = %q, %v; want %q, %v", tc.in, got, err, tc.want, tc.err)
		}
	}
}

func TestParseCommand(t *testing.T) {
	cases := []struct {
		in       string
		ok       bool
		name     string
		args     []string
		prefixes string
	}{
		{"/start", true, "start", nil, "/"},
		{"/start@mybot arg", true, "start", []string{"arg"}, "/"},
		{"  /start", false, "", nil, "/"},
		{"start", false, "", nil, "/"},
		{"/", false, "", nil, "/"},
		{"!ban \"x y\"", true, "ban", []string{"x y"}, "!/"},
		{"/ban\tbob", true, "ban", []string{"bob"}, "/"},
	}
	for _, tc := range cases {
		cmd, ok := router.ParseCommand(tc.in, tc.prefixes)
		if ok != tc.ok || cmd.Name != tc.name || !reflect.DeepEqual(cmd.Args, tc.args) {
			t.Errorf("ParseCommand(%q) = %+v, %v", tc.in, cmd, ok)
		}
	}
}

func TestSetupMistakesPanic(t *testing.T) {
	cases := map[string]func(){
		"nil On handler":       func() { router.On[*joinEvent](router.New(), nil) },
		"nil message handler":  func() { router.New().OnMessage(nil) },
		"nil filter":           func() { router.New().OnMessage(func(*bot.Context, bot.Message) error { return nil }, nil) },
		"bad regex":            func() { router.New().OnRegex("(", func(*bot.Context, bot.Message, []string) error { return nil }) },
		"empty command":        func() { router.New().OnCommand("", func(*bot.Context, router.Command) error { return nil }) },
		"command with space":   func() { router.New().OnCommand("a b", func(*bot.Context, router.Command) error { return nil }) },
		"nil fallback":         func() { router.New().Fallback(nil) },
		"nil middleware":       func() { router.New().Use(nil) },
		"use after route":      useAfterRoute,
		"route after handling": routeAfterHandling,
		"group fallback": func() {
			router.New().Group(func(g *router.Router) { g.Fallback(bot.HandlerFunc(func(*bot.Context) error { return nil })) })
		},
	}
	for name, f := range cases {
		t.Run(name, func(t *testing.T) {
			defer func() {
				if recover() == nil {
					t.Fatal("no panic")
				}
			}()
			f()
		})
	}
}

func useAfterRoute() {
	r := router.New()
	r.OnMessage(func(*bot.Context, bot.Message) error { return nil })
	r.Use(func(h bot.Handler) bot.Handler { return h })
}

func routeAfterHandling() {
	r := router.New()
	_ = r.Handle(ctxFor(&leaveEvent{}))
	r.OnMessage(func(*bot.Context, bot.Message) error { return nil })
}

// BenchmarkRoute50 routes a plain message past 49 command routes to a
// message route.
func BenchmarkRoute50(b *testing.B) {
	r := router.New()
	for i := 0; i < 49; i++ {
		r.OnCommand(fmt.Sprint("cmd", i), func(*bot.Context, router.Command) error { return nil })
	}
	r.OnMessage(func(*bot.Context, bot.Message) error { return nil })
	c := ctxFor(parleytest.NewMessage("1", "@1", "hello"))
	b.ReportAllocs()
	for b.Loop() {
		if err := r.Handle(c); err != nil {
			b.Fatal(err)
		}
	}
}
