package parleytest_test

import (
	"context"
	"errors"
	"reflect"
	"testing"
	"time"

	"github.com/parleybot/parley/bot"
	"github.com/parleybot/parley/parleytest"
)

func TestCapabilityCallsAreRecorded(t *testing.T) {
	req := parleytest.NewGroupInvitation("g1", "#4", "u8", "admin")
	tests := []struct {
		name string
		call func(ctx context.Context, p *parleytest.Platform) error
		want parleytest.Action
	}{
		{"accept", func(ctx context.Context, p *parleytest.Platform) error {
			return p.AcceptRequest(ctx, req, bot.AcceptOptions{Welcome: "hello"})
		}, parleytest.Action{Verb: "accept", Req: req.Info, Text: "hello"}},
		{"reject", func(ctx context.Context, p *parleytest.Platform) error { return p.RejectRequest(ctx, req) },
			parleytest.Action{Verb: "reject", Req: req.Info}},
		{"delete", func(ctx context.Context, p *parleytest.Platform) error { return p.Delete(ctx, "#1", "5") },
			parleytest.Action{Verb: "delete", ChatID: "#1", MsgID: "5"}},
		{"edit", func(ctx context.Context, p *parleytest.Platform) error { return p.Edit(ctx, "#1", "5", "new") },
			parleytest.Action{Verb: "edit", ChatID: "#1", MsgID: "5", Text: "new"}},
		{"react", func(ctx context.Context, p *parleytest.Platform) error { return p.React(ctx, "#1", "5", "🎉") },
			parleytest.Action{Verb: "react", ChatID: "#1", MsgID: "5", Text: "🎉"}},
		{"block", func(ctx context.Context, p *parleytest.Platform) error { return p.BlockMember(ctx, "#1", "7", true) },
			parleytest.Action{Verb: "block", ChatID: "#1", Member: "7"}},
		{"unblock", func(ctx context.Context, p *parleytest.Platform) error { return p.BlockMember(ctx, "#1", "7", false) },
			parleytest.Action{Verb: "unblock", ChatID: "#1", Member: "7"}},
		{"remove", func(ctx context.Context, p *parleytest.Platform) error { return p.RemoveMember(ctx, "#1", "7") },
			parleytest.Action{Verb: "remove", ChatID: "#1", Member: "7"}},
		{"set role", func(ctx context.Context, p *parleytest.Platform) error {
			return p.SetMemberRole(ctx, "#1", "7", "observer")
		}, parleytest.Action{Verb: "set_role", ChatID: "#1", Member: "7", Role: "observer"}},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			p := parleytest.NewPlatform()
			if err := tt.call(context.Background(), p); err != nil {
				t.Fatal(err)
			}
			if got := p.Actions(); !reflect.DeepEqual(got, []parleytest.Action{tt.want}) {
				t.Fatalf("actions %+v, want %+v", got, tt.want)
			}

			boom := errors.New("boom")
			p.FailActions(boom)
			if err := tt.call(context.Background(), p); !errors.Is(err, boom) {
				t.Fatalf("with FailActions: err = %v", err)
			}
			p.FailActions(nil)
			ctx, cancel := context.WithCancel(context.Background())
			cancel()
			if err := tt.call(ctx, p); !errors.Is(err, context.Canceled) {
				t.Fatalf("with a cancelled context: err = %v", err)
			}
			if n := len(p.Actions()); n != 1 {
				t.Fatalf("%d actions recorded, want the failed calls left out", n)
			}
		})
	}
}

func TestSendPrivateIsRecordedAsSent(t *testing.T) {
	p := parleytest.NewPlatform()
	ctx := context.Background()
	if _, err := p.Send(ctx, "#1", bot.Outgoing{Text: "to all", Mentions: []bot.Mention{{Name: "ann", ID: "7"}}}); err != nil {
		t.Fatal(err)
	}
	ids, err := p.SendPrivate(ctx, "#1", "7", bot.Outgoing{Text: "to you"})
	if err != nil {
		t.Fatal(err)
	}
	want := []parleytest.Sent{
		{ChatID: "#1", Outgoing: bot.Outgoing{Text: "to all", Mentions: []bot.Mention{{Name: "ann", ID: "7"}}}, ID: "1"},
		{ChatID: "#1", Outgoing: bot.Outgoing{Text: "to you"}, ID: "2", Member: "7"},
	}
	if got := p.Sent(); !reflect.DeepEqual(got, want) || !reflect.DeepEqual(ids, []string{"2"}) {
		t.Fatalf("sent %+v ids %v, want %+v", got, ids, want)
	}
	p.FailSends(errors.New("down"))
	if _, err := p.SendPrivate(ctx, "#1", "7", bot.Outgoing{Text: "x"}); err == nil || len(p.Sent()) != 2 {
		t.Fatalf("FailSends did not apply to SendPrivate: %v", err)
	}
}

func TestCapabilities(t *testing.T) {
	p := parleytest.NewPlatform()
	all := []bot.Capability{bot.CanAccept, bot.CanDelete, bot.CanEdit, bot.CanReact, bot.CanBlock,
		bot.CanRemove, bot.CanSetRole, bot.CanPrivate, bot.CanMention}
	if got := bot.Capabilities(p); !reflect.DeepEqual(got, all) {
		t.Errorf("Platform has %v, want %v", got, all)
	}
	if got := bot.Capabilities(p.Bare()); len(got) != 0 {
		t.Errorf("Bare has %v, want none", got)
	}
}

// TestBareActsOnThePlatform runs a bot on the bare view: events injected
// into the platform reach it, and its sends and handled events are
// recorded on the platform.
func TestBareActsOnThePlatform(t *testing.T) {
	p := parleytest.NewPlatform()
	bare := p.Bare()
	if bare.Name() != "test" {
		t.Fatalf("name %q", bare.Name())
	}
	b := bot.New(bare, bot.HandlerFunc(func(c *bot.Context) error {
		if !errors.Is(c.DeleteMessage(), bot.ErrUnsupported) {
			return errors.New("bare platform could delete")
		}
		return c.Reply("seen")
	}))
	ctx, cancel := context.WithCancel(context.Background())
	done := make(chan error, 1)
	go func() { done <- b.Run(ctx) }()
	if err := p.Inject(ctx, parleytest.NewMessage("1", "@5", "hi")); err != nil {
		t.Fatal(err)
	}
	err := p.Wait(5*time.Second, func(s parleytest.State) bool { return len(s.Handled) == 1 && len(s.Sent) == 1 })
	cancel()
	if rerr := <-done; rerr != nil {
		t.Fatal(rerr)
	}
	if err != nil {
		t.Fatal(err)
	}
	if s := b.Stats(); s.Handled != 1 || s.Failed != 0 {
		t.Fatalf("stats %+v, want one event handled without error", s)
	}
	if sent := p.Sent(); sent[0].Text != "seen" || sent[0].ChatID != "@5" || len(p.Actions()) != 0 {
		t.Fatalf("sent %+v actions %+v", sent, p.Actions())
	}
}

func TestEvents(t *testing.T) {
	inv := parleytest.NewGroupInvitation("g1", "#4", "u8", "member")
	info := inv.RequestInfo()
	if info.Kind != bot.GroupInvitation || info.Chat.ID != "#4" || info.Chat.Kind != bot.Group || info.From.ID != "u8" || info.Role != "member" {
		t.Errorf("invitation %+v", info)
	}
	var _ bot.Request = inv

	gc := parleytest.NewGroupChange(bot.MemberJoined, "#4", "9", "member")
	var changer bot.GroupChanger = gc
	want := []bot.GroupChange{{Kind: bot.MemberJoined, Chat: bot.Chat{ID: "#4", Kind: bot.Group}, Member: bot.Sender{ID: "9"}, Role: "member"}}
	if got := changer.GroupChanges(); !reflect.DeepEqual(got, want) {
		t.Errorf("changes %+v", got)
	}
	// A group's changes and messages share one ordered lane.
	if gc.ChatKey() != parleytest.NewGroupMessage("1", "#4", "9", "", "x").ChatKey() {
		t.Errorf("change key %q differs from the group's messages", gc.ChatKey())
	}
	if k := (&parleytest.GroupChangeEvent{}).ChatKey(); k != "" {
		t.Errorf("empty change key %q", k)
	}
	named := parleytest.NewGroupMessage("2", "#4", "9", "admin", "hi").From("carol")
	if s := named.Messages()[0].Sender; s != (bot.Sender{ID: "9", Name: "carol", Role: "admin"}) {
		t.Errorf("named sender %+v", s)
	}
	empty := &parleytest.MessageEvent{}
	if empty.ChatKey() != "" || empty.DedupeKey() != "" {
		t.Errorf("empty message event keys %q %q", empty.ChatKey(), empty.DedupeKey())
	}
}
