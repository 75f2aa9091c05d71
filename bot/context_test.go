package bot_test

import (
	"context"
	"errors"
	"reflect"
	"testing"

	"github.com/parleybot/parley/bot"
	"github.com/parleybot/parley/parleytest"
)

func newCtx(e bot.Event, p bot.Platform) *bot.Context {
	return bot.NewContext(context.Background(), e, p, nil)
}

func TestTextAndSender(t *testing.T) {
	own := parleytest.NewGroupMessage("9", "#1", "", "", "from the bot")
	tests := []struct {
		name   string
		event  bot.Event
		text   string
		sender bot.Sender
	}{
		{"direct message", parleytest.NewMessage("1", "@5", "hi"), "hi", bot.Sender{ID: "@5"}},
		{"group message", parleytest.NewGroupMessage("2", "#1", "7", "admin", "yo"), "yo", bot.Sender{ID: "7", Role: "admin"}},
		{"contact request", parleytest.NewContactRequest("r1", "u3"), "", bot.Sender{ID: "u3"}},
		{"group invitation", parleytest.NewGroupInvitation("g1", "#4", "u8", "member"), "", bot.Sender{ID: "u8"}},
		{"plain event", &parleytest.PlainEvent{Name: "status"}, "", bot.Sender{}},
		{"bot's own message", own, "from the bot", bot.Sender{}},
		{"empty message list", &parleytest.MessageEvent{}, "", bot.Sender{}},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			c := newCtx(tt.event, parleytest.NewPlatform())
			if got := c.Text(); got != tt.text {
				t.Errorf("Text() = %q, want %q", got, tt.text)
			}
			if got := c.Sender(); got != tt.sender {
				t.Errorf("Sender() = %+v, want %+v", got, tt.sender)
			}
		})
	}
}

// TestVerbsReachThePlatform runs every verb about the current message or
// request on the in-memory platform and checks what it was asked to do.
func TestVerbsReachThePlatform(t *testing.T) {
	group := parleytest.NewGroupMessage("42", "#1", "7", "member", "spam")
	direct := parleytest.NewMessage("43", "@5", "hello")
	req := parleytest.NewContactRequest("r1", "u3")
	tests := []struct {
		name    string
		event   bot.Event
		verb    func(c *bot.Context) error
		actions []parleytest.Action
		sent    []parleytest.Sent
	}{
		{"edit", group, func(c *bot.Context) error { return c.Edit("100", "fixed") },
			[]parleytest.Action{{Verb: "edit", ChatID: "#1", MsgID: "100", Text: "fixed"}}, nil},
		{"delete current", group, (*bot.Context).DeleteMessage,
			[]parleytest.Action{{Verb: "delete", ChatID: "#1", MsgID: "42"}}, nil},
		{"delete any", direct, func(c *bot.Context) error { return c.Delete("@9", "3") },
			[]parleytest.Action{{Verb: "delete", ChatID: "@9", MsgID: "3"}}, nil},
		{"react", direct, func(c *bot.Context) error { return c.React("@5", "43", "👍") },
			[]parleytest.Action{{Verb: "react", ChatID: "@5", MsgID: "43", Text: "👍"}}, nil},
		{"block sender", group, (*bot.Context).BlockSender,
			[]parleytest.Action{{Verb: "block", ChatID: "#1", Member: "7"}}, nil},
		{"remove sender", group, (*bot.Context).RemoveSender,
			[]parleytest.Action{{Verb: "remove", ChatID: "#1", Member: "7"}}, nil},
		{"accept", req, func(c *bot.Context) error { return c.Accept(bot.AcceptOptions{Welcome: "hi"}) },
			[]parleytest.Action{{Verb: "accept", Req: req.Info, Text: "hi"}}, nil},
		{"reject", req, (*bot.Context).Reject,
			[]parleytest.Action{{Verb: "reject", Req: req.Info}}, nil},
		{"private in a group", group, func(c *bot.Context) error { return c.SendPrivate("psst") },
			nil, []parleytest.Sent{{ChatID: "#1", Member: "7", Outgoing: bot.Outgoing{Text: "psst"}, ID: "1"}}},
		{"private in a direct chat", direct, func(c *bot.Context) error { return c.SendPrivate("psst") },
			nil, []parleytest.Sent{{ChatID: "@5", Outgoing: bot.Outgoing{Text: "psst"}, ID: "1"}}},
		{"reply", group, func(c *bot.Context) error { return c.Reply("no") },
			nil, []parleytest.Sent{{ChatID: "#1", Outgoing: bot.Outgoing{Text: "no", ReplyTo: "42"}, ID: "1"}}},
		{"answer", group, func(c *bot.Context) error { return c.Answer("no") },
			nil, []parleytest.Sent{{ChatID: "#1", Outgoing: bot.Outgoing{Text: "no"}, ID: "1"}}},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			p := parleytest.NewPlatform()
			if err := tt.verb(newCtx(tt.event, p)); err != nil {
				t.Fatal(err)
			}
			if got := p.Actions(); !reflect.DeepEqual(got, tt.actions) {
				t.Errorf("actions %+v, want %+v", got, tt.actions)
			}
			if got := p.Sent(); !reflect.DeepEqual(got, tt.sent) {
				t.Errorf("sent %+v, want %+v", got, tt.sent)
			}
		})
	}
}

// TestVerbsWithoutCapability checks that each verb says which capability
// the platform lacks, and does nothing.
func TestVerbsWithoutCapability(t *testing.T) {
	group := parleytest.NewGroupMessage("42", "#1", "7", "member", "spam")
	req := parleytest.NewContactRequest("r1", "u3")
	tests := []struct {
		name  string
		event bot.Event
		verb  func(c *bot.Context) error
		cap   bot.Capability
		what  string
	}{
		{"edit", group, func(c *bot.Context) error { return c.Edit("100", "x") }, bot.CanEdit, "edit message 100 in #1"},
		{"delete current", group, (*bot.Context).DeleteMessage, bot.CanDelete, "delete message 42 in #1"},
		{"delete", group, func(c *bot.Context) error { return c.Delete("#2", "5") }, bot.CanDelete, "delete message 5 in #2"},
		{"react", group, func(c *bot.Context) error { return c.React("#1", "42", "x") }, bot.CanReact, "react to message 42 in #1"},
		{"block", group, (*bot.Context).BlockSender, bot.CanBlock, "block member 7 of #1"},
		{"remove", group, (*bot.Context).RemoveSender, bot.CanRemove, "remove member 7 of #1"},
		{"private", group, func(c *bot.Context) error { return c.SendPrivate("x") }, bot.CanPrivate, "write privately to member 7 of #1"},
		{"accept", req, func(c *bot.Context) error { return c.Accept(bot.AcceptOptions{}) }, bot.CanAccept, "accept contact request r1"},
		{"reject", req, (*bot.Context).Reject, bot.CanAccept, "reject contact request r1"},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			p := parleytest.NewPlatform()
			err := tt.verb(newCtx(tt.event, p.Bare()))
			if !errors.Is(err, bot.ErrUnsupported) {
				t.Fatalf("err = %v, want ErrUnsupported", err)
			}
			var ue *bot.UnsupportedError
			if !errors.As(err, &ue) || ue.Capability != tt.cap || ue.Platform != "test" || ue.What != tt.what {
				t.Fatalf("err = %#v, want capability %q on test for %q", err, tt.cap, tt.what)
			}
			if len(p.Actions()) != 0 || len(p.Sent()) != 0 {
				t.Fatalf("the platform was called: %+v %+v", p.Actions(), p.Sent())
			}
		})
	}
}

// TestVerbsOnTheWrongEvent checks the errors for verbs whose event does
// not fit them: they come before any capability check.
func TestVerbsOnTheWrongEvent(t *testing.T) {
	plain := &parleytest.PlainEvent{Name: "status"}
	direct := parleytest.NewMessage("1", "@5", "hi")
	ownGroup := parleytest.NewGroupMessage("2", "#1", "", "", "bot's own")
	tests := []struct {
		name  string
		event bot.Event
		verb  func(c *bot.Context) error
		want  error
	}{
		{"reply without a message", plain, func(c *bot.Context) error { return c.Reply("x") }, bot.ErrNoChat},
		{"answer without a message", plain, func(c *bot.Context) error { return c.Answer("x") }, bot.ErrNoChat},
		{"edit without a message", plain, func(c *bot.Context) error { return c.Edit("1", "x") }, bot.ErrNoChat},
		{"delete without a message", plain, (*bot.Context).DeleteMessage, bot.ErrNoChat},
		{"private without a message", plain, func(c *bot.Context) error { return c.SendPrivate("x") }, bot.ErrNoChat},
		{"block without a message", plain, (*bot.Context).BlockSender, bot.ErrNoChat},
		{"accept a message", direct, func(c *bot.Context) error { return c.Accept(bot.AcceptOptions{}) }, bot.ErrNotRequest},
		{"reject a plain event", plain, (*bot.Context).Reject, bot.ErrNotRequest},
		{"block in a direct chat", direct, (*bot.Context).BlockSender, bot.ErrNotGroup},
		{"remove in a direct chat", direct, (*bot.Context).RemoveSender, bot.ErrNotGroup},
		{"block without sender", ownGroup, (*bot.Context).BlockSender, bot.ErrNoSender},
		{"private without sender", ownGroup, func(c *bot.Context) error { return c.SendPrivate("x") }, bot.ErrNoSender},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			for _, p := range []bot.Platform{parleytest.NewPlatform(), parleytest.NewPlatform().Bare()} {
				if err := tt.verb(newCtx(tt.event, p)); !errors.Is(err, tt.want) {
					t.Fatalf("on %T: err = %v, want %v", p, err, tt.want)
				}
			}
		})
	}
}

func TestVerbsPassPlatformErrors(t *testing.T) {
	p := parleytest.NewPlatform()
	boom := errors.New("boom")
	p.FailActions(boom)
	p.FailSends(boom)
	c := newCtx(parleytest.NewGroupMessage("42", "#1", "7", "member", "x"), p)
	for name, verb := range map[string]func() error{
		"edit":    func() error { return c.Edit("1", "x") },
		"delete":  c.DeleteMessage,
		"block":   c.BlockSender,
		"remove":  c.RemoveSender,
		"private": func() error { return c.SendPrivate("x") },
		"reply":   func() error { return c.Reply("x") },
	} {
		if err := verb(); !errors.Is(err, boom) {
			t.Errorf("%s: err = %v, want boom", name, err)
		}
	}
	if len(p.Actions()) != 0 || len(p.Sent()) != 0 {
		t.Errorf("failed calls were recorded")
	}
}

func TestWithMessage(t *testing.T) {
	e := &parleytest.MessageEvent{Msg: []bot.Message{
		{ID: "1", Text: "first", Chat: bot.Chat{ID: "@1", Kind: bot.Direct}},
		{ID: "2", Text: "second", Chat: bot.Chat{ID: "@1", Kind: bot.Direct}},
	}}
	c := newCtx(e, parleytest.NewPlatform())
	if same := c.WithMessage(&e.Msg[0]); same != c {
		t.Error("WithMessage of the current message made a copy")
	}
	c2 := c.WithMessage(&e.Msg[1])
	if c2 == c || c2.Text() != "second" || c.Text() != "first" {
		t.Errorf("copy is about %q, original about %q; want second and first", c2.Text(), c.Text())
	}
	if c2.Event() != c.Event() || c2.Platform() != c.Platform() || c2.Context() != c.Context() {
		t.Error("the copy lost the event, platform or context")
	}
	none := c.WithMessage(nil)
	if _, ok := none.Message(); ok || none.Text() != "" {
		t.Error("WithMessage(nil) still has a message")
	}
	named := c.WithBotName("mybot")
	if named.BotName() != "mybot" || c.BotName() != "" {
		t.Errorf("bot names %q and %q, want mybot and empty", named.BotName(), c.BotName())
	}
}

// TestRunSetsBotName checks that handlers run by a bot see its name: the
// one given, else the platform's.
func TestRunSetsBotName(t *testing.T) {
	for _, tt := range []struct {
		opts []bot.Option
		want string
	}{{nil, "test"}, {[]bot.Option{bot.WithName("helper")}, "helper"}} {
		p := parleytest.NewPlatform()
		names := make(chan string, 1)
		b := bot.New(p, bot.HandlerFunc(func(c *bot.Context) error { names <- c.BotName(); return nil }), tt.opts...)
		stop := runBot(t, b)
		inject(t, p, parleytest.NewMessage("1", "@1", "hi"))
		if got := <-names; got != tt.want {
			t.Errorf("BotName() = %q, want %q", got, tt.want)
		}
		if err := stop(); err != nil {
			t.Fatal(err)
		}
	}
}
