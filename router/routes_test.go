package router_test

import (
	"reflect"
	"testing"

	"github.com/parleybot/parley/bot"
	"github.com/parleybot/parley/parleytest"
	"github.com/parleybot/parley/router"
)

// tracer records middleware and handler calls in order.
type tracer struct{ trace []string }

func (tr *tracer) mw(name string) bot.Middleware {
	return func(next bot.Handler) bot.Handler {
		return bot.HandlerFunc(func(c *bot.Context) error {
			tr.trace = append(tr.trace, name)
			return next.Handle(c)
		})
	}
}

func (tr *tracer) cmd(name string) func(*bot.Context, router.Command) error {
	return func(*bot.Context, router.Command) error { tr.trace = append(tr.trace, name); return nil }
}

func (tr *tracer) msg(name string) func(*bot.Context, bot.Message) error {
	return func(*bot.Context, bot.Message) error { tr.trace = append(tr.trace, name); return nil }
}

func TestHasText(t *testing.T) {
	file := parleytest.NewMessage("4", "@1", "")
	file.Msg[0].Files = []bot.File{{ID: "f", Name: "cat.jpg"}}
	tests := []struct {
		name  string
		event bot.Event
		want  bool
	}{
		{"text", parleytest.NewMessage("1", "@1", "hi"), true},
		{"empty", parleytest.NewMessage("2", "@1", ""), false},
		{"white space", parleytest.NewMessage("3", "@1", " \n\t"), false},
		{"file without caption", file, false},
		{"no message", &parleytest.PlainEvent{Name: "x"}, false},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			if got := router.HasText()(ctxFor(tt.event)); got != tt.want {
				t.Errorf("HasText() = %v, want %v", got, tt.want)
			}
		})
	}
}

// TestWithWrapsOnlyItsRoutes checks route-level middleware: it runs after
// the router's own, only for the routes registered through the view, only
// when they match, and the routes keep their registration order.
func TestWithWrapsOnlyItsRoutes(t *testing.T) {
	tests := []struct {
		text string
		role string
		want []string
	}{
		{"/ban bob", "admin", []string{"top", "auth", "ban"}},
		{"/ban bob", "member", []string{"top", "msg"}}, // the filter failed: auth never ran
		{"/kick bob", "admin", []string{"top", "auth", "audit", "kick"}},
		{"/help", "member", []string{"top", "help"}},
		{"hello", "member", []string{"top", "msg"}},
		{"/late", "member", []string{"top", "auth", "late"}},
	}
	for _, tt := range tests {
		t.Run(tt.text+" as "+tt.role, func(t *testing.T) {
			var tr tracer
			r := router.New()
			r.Use(tr.mw("top"))
			admin := r.With(tr.mw("auth"))
			admin.OnCommand("ban", tr.cmd("ban"), router.SenderRole("admin"))
			admin.With(tr.mw("audit")).OnCommand("kick", tr.cmd("kick"), router.SenderRole("admin"))
			r.OnCommand("help", tr.cmd("help"))
			r.OnMessage(tr.msg("msg"), router.Not(router.EventType("never")), router.AnyOf(router.HasText()))
			admin.OnCommand("late", tr.cmd("late")) // after the catch-all: never reached
			err := r.Handle(ctxFor(parleytest.NewGroupMessage("1", "#1", "7", tt.role, tt.text)))
			if err != nil {
				t.Fatal(err)
			}
			want := tt.want
			if tt.text == "/late" {
				want = []string{"top", "msg"}
			}
			if !reflect.DeepEqual(tr.trace, want) {
				t.Fatalf("trace %v, want %v", tr.trace, want)
			}
		})
	}
}

func TestWithOnTypedRoutesAndGroups(t *testing.T) {
	var tr tracer
	r := router.New()
	r.Group(func(g *router.Router) {
		g.Use(tr.mw("group"))
		router.On(g.With(tr.mw("typed")), func(c *bot.Context, e *joinEvent) error {
			tr.trace = append(tr.trace, "join:"+e.who)
			return nil
		})
	})
	r.With(tr.mw("view")).Group(func(g *router.Router) {
		g.Use(tr.mw("inner"))
		g.OnCommand("x", tr.cmd("x"))
	})
	r.Fallback(bot.HandlerFunc(func(c *bot.Context) error { tr.trace = append(tr.trace, "fallback"); return nil }))

	for _, e := range []bot.Event{&joinEvent{"ann"}, parleytest.NewMessage("1", "@1", "/x"), &leaveEvent{}} {
		if err := r.Handle(ctxFor(e)); err != nil {
			t.Fatal(err)
		}
	}
	want := []string{"group", "typed", "join:ann", "view", "inner", "x", "fallback"}
	if !reflect.DeepEqual(tr.trace, want) {
		t.Fatalf("trace %v, want %v", tr.trace, want)
	}
}

// TestViewHandlesLikeItsRouter guards a view passed where the router was
// meant: it routes with every route of the router.
func TestViewHandlesLikeItsRouter(t *testing.T) {
	var tr tracer
	r := router.New()
	r.OnCommand("a", tr.cmd("a"))
	v := r.With(tr.mw("v"))
	v.OnCommand("b", tr.cmd("b"))
	for _, text := range []string{"/a", "/b"} {
		if err := v.Handle(ctxFor(parleytest.NewMessage("1", "@1", text))); err != nil {
			t.Fatal(err)
		}
	}
	if want := []string{"a", "v", "b"}; !reflect.DeepEqual(tr.trace, want) {
		t.Fatalf("trace %v, want %v", tr.trace, want)
	}
}

func TestOnWhere(t *testing.T) {
	r := router.New()
	var got []string
	router.OnWhere(r, func(e *joinEvent) bool { return e.who == "admin" }, func(c *bot.Context, e *joinEvent) error {
		got = append(got, "admin joined")
		return nil
	})
	router.OnWhere(r, func(e *joinEvent) bool { return e.who != "" }, func(c *bot.Context, e *joinEvent) error {
		got = append(got, "joined:"+e.who)
		return nil
	}, router.FromPlatform("test"))
	router.OnWhere(r, func(e *joinEvent) bool { return true }, func(c *bot.Context, e *joinEvent) error {
		got = append(got, "filtered out")
		return nil
	}, router.FromPlatform("other"))
	r.Fallback(bot.HandlerFunc(func(c *bot.Context) error { got = append(got, "fallback"); return nil }))
	for _, e := range []bot.Event{&joinEvent{"admin"}, &joinEvent{"bob"}, &joinEvent{""}, &leaveEvent{}} {
		if err := r.Handle(ctxFor(e)); err != nil {
			t.Fatal(err)
		}
	}
	want := []string{"admin joined", "joined:bob", "fallback", "fallback"}
	if !reflect.DeepEqual(got, want) {
		t.Fatalf("got %v, want %v", got, want)
	}
}

// TestCommandAddressing checks that a command addressed to another bot
// reaches no command route and not the fallback, but text routes still
// see it.
func TestCommandAddressing(t *testing.T) {
	tests := []struct {
		name    string
		botName string
		text    string
		want    string // "cmd", "text", "fallback" or "" for nothing
	}{
		{"plain command", "mybot", "/roll", "cmd"},
		{"addressed to us", "mybot", "/roll@mybot 2", "cmd"},
		{"addressed to us, other case", "mybot", "/ROLL@MyBot", "cmd"},
		{"addressed to another bot", "mybot", "/roll@otherbot", ""},
		{"unknown command for another bot", "mybot", "/nope@otherbot", ""},
		{"unknown command for us", "mybot", "/nope@mybot", "fallback"},
		{"unknown command unaddressed", "mybot", "/nope", "fallback"},
		{"unnamed bot takes every address", "", "/roll@otherbot", "cmd"},
	}
	for _, tt := range tests {
		for _, withText := range []bool{false, true} {
			name := tt.name
			if withText {
				name += " with a text route"
			}
			t.Run(name, func(t *testing.T) {
				var got []string
				r := router.New()
				r.OnCommand("roll", func(c *bot.Context, cmd router.Command) error { got = append(got, "cmd"); return nil })
				if withText {
					r.OnRegex(`other`, func(*bot.Context, bot.Message, []string) error { got = append(got, "text"); return nil })
				}
				r.Fallback(bot.HandlerFunc(func(c *bot.Context) error { got = append(got, "fallback"); return nil }))
				c := ctxFor(parleytest.NewGroupMessage("1", "#1", "7", "member", tt.text)).WithBotName(tt.botName)
				if err := r.Handle(c); err != nil {
					t.Fatal(err)
				}
				want := tt.want
				if withText && tt.want == "" {
					want = "text" // moderation by text still sees it
				}
				var wantList []string
				if want != "" {
					wantList = []string{want}
				}
				if !reflect.DeepEqual(got, wantList) {
					t.Fatalf("got %v, want %v", got, wantList)
				}
			})
		}
	}
}

func TestCommandTo(t *testing.T) {
	var got router.Command
	r := router.New()
	r.OnCommand("roll", func(c *bot.Context, cmd router.Command) error { got = cmd; return nil })
	if err := r.Handle(ctxFor(parleytest.NewMessage("1", "@1", "/roll@dice 2d6")).WithBotName("dice")); err != nil {
		t.Fatal(err)
	}
	if got.Name != "roll" || got.To != "dice" || got.Arg(0) != "2d6" || got.Message.ID != "1" {
		t.Fatalf("command %+v", got)
	}
}

// TestFallbackPerMessage checks that without message routes the fallback
// still sees each message of an event on its own.
func TestFallbackPerMessage(t *testing.T) {
	e := &parleytest.MessageEvent{Msg: []bot.Message{
		{ID: "1", Text: "a", Chat: bot.Chat{ID: "@1", Kind: bot.Direct}},
		{ID: "2", Text: "/x@other", Chat: bot.Chat{ID: "@1", Kind: bot.Direct}},
		{ID: "3", Text: "b", Chat: bot.Chat{ID: "@1", Kind: bot.Direct}},
	}}
	var got []string
	r := router.New()
	r.Fallback(bot.HandlerFunc(func(c *bot.Context) error { got = append(got, c.Text()); return nil }))
	if err := r.Handle(ctxFor(e).WithBotName("me")); err != nil {
		t.Fatal(err)
	}
	if want := []string{"a", "b"}; !reflect.DeepEqual(got, want) {
		t.Fatalf("fallback saw %q, want %q", got, want)
	}
}

// TestRoutedMessageDoesNotLeak checks that routing the second message of
// an event leaves the caller's Context about the first.
func TestRoutedMessageDoesNotLeak(t *testing.T) {
	e := &parleytest.MessageEvent{Msg: []bot.Message{
		{ID: "1", Text: "first", Chat: bot.Chat{ID: "@1", Kind: bot.Direct}},
		{ID: "2", Text: "second", Chat: bot.Chat{ID: "@1", Kind: bot.Direct}},
	}}
	var seen []string
	r := router.New()
	r.OnMessage(func(c *bot.Context, m bot.Message) error { seen = append(seen, c.Text()+"/"+m.ID); return nil })
	c := ctxFor(e)
	if err := r.Handle(c); err != nil {
		t.Fatal(err)
	}
	if want := []string{"first/1", "second/2"}; !reflect.DeepEqual(seen, want) {
		t.Fatalf("handlers saw %v, want %v", seen, want)
	}
	if c.Text() != "first" {
		t.Fatalf("caller's context is now about %q", c.Text())
	}
}

func TestNewSetupMistakesPanic(t *testing.T) {
	ok := func(*bot.Context, *joinEvent) error { return nil }
	cases := map[string]func(){
		"nil With middleware": func() { router.New().With(nil) },
		"Use on a view":       func() { router.New().With().Use(func(h bot.Handler) bot.Handler { return h }) },
		"Fallback on a view":  func() { router.New().With().Fallback(bot.HandlerFunc(func(*bot.Context) error { return nil })) },
		"prefixes on a view":  func() { router.New().With().SetCommandPrefixes("!") },
		"nil where":           func() { router.OnWhere[*joinEvent](router.New(), nil, ok) },
		"nil OnWhere handler": func() { router.OnWhere(router.New(), func(*joinEvent) bool { return true }, nil) },
		"nil filter on view":  func() { router.New().With().OnMessage(func(*bot.Context, bot.Message) error { return nil }, nil) },
		"view route after handling": func() {
			r := router.New()
			v := r.With()
			_ = r.Handle(ctxFor(&leaveEvent{}))
			v.OnMessage(func(*bot.Context, bot.Message) error { return nil })
		},
		"Use after a view route": func() {
			r := router.New()
			r.With().OnMessage(func(*bot.Context, bot.Message) error { return nil })
			r.Use(func(h bot.Handler) bot.Handler { return h })
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
