package echo_test

import (
	"context"
	"errors"
	"strings"
	"testing"
	"time"

	"github.com/parleybot/parley/bot"
	"github.com/parleybot/parley/config"
	"github.com/parleybot/parley/modules/echo"
	"github.com/parleybot/parley/parleytest"
	"github.com/parleybot/parley/registry"
)

// testPlatform hands config an in-memory platform.
type testPlatform struct{}

func (*testPlatform) Validate() error { return nil }
func (*testPlatform) Build(registry.PlatformEnv) (bot.Platform, error) {
	return parleytest.NewPlatform(), nil
}

func init() {
	registry.RegisterPlatform(registry.PlatformInfo{Name: "echotest", New: func() registry.PlatformConfig { return &testPlatform{} }})
}

// start builds a bot from a configuration with the given echo table and
// runs it until the test ends.
func start(t *testing.T, echoTable string) *parleytest.Platform {
	t.Helper()
	src := "[[bots]]\nname = \"e\"\nplatform = \"echotest\"\n[bots.modules.echo]\n" + echoTable
	cfg, err := config.Parse([]byte(src), "bots.toml")
	if err != nil {
		t.Fatal(err)
	}
	h, err := config.BuildBot(cfg.Bots[0], nil)
	if err != nil {
		t.Fatal(err)
	}
	ctx, cancel := context.WithCancel(context.Background())
	done := make(chan error, 1)
	go func() { done <- h.Bot.Run(ctx) }()
	t.Cleanup(func() {
		cancel()
		if err := <-done; err != nil {
			t.Errorf("Run: %v", err)
		}
		if err := h.Close(); err != nil {
			t.Errorf("Close: %v", err)
		}
	})
	return h.Platform.(*parleytest.Platform)
}

func TestEcho(t *testing.T) {
	tests := []struct {
		name  string
		table string
		in    []bot.Event
		want  []parleytest.Sent // ChatID, Text and ReplyTo are compared
	}{
		{
			name: "defaults echo direct text and answer help",
			in:   []bot.Event{parleytest.NewMessage("1", "@5", "hello"), parleytest.NewMessage("2", "@5", "/help")},
			want: []parleytest.Sent{
				{ChatID: "@5", Outgoing: bot.Outgoing{Text: "hello", ReplyTo: "1"}},
				{ChatID: "@5", Outgoing: bot.Outgoing{Text: echo.DefaultHelp, ReplyTo: "2"}},
			},
		},
		{
			name:  "prefix and custom help",
			table: "prefix = \"> \"\nhelp = \"just echo\"\n",
			in:    []bot.Event{parleytest.NewMessage("1", "@5", "hi"), parleytest.NewMessage("2", "@5", "/help")},
			want: []parleytest.Sent{
				{ChatID: "@5", Outgoing: bot.Outgoing{Text: "> hi", ReplyTo: "1"}},
				{ChatID: "@5", Outgoing: bot.Outgoing{Text: "just echo", ReplyTo: "2"}},
			},
		},
		{
			name:  "empty help echoes /help",
			table: "help = \"\"\n",
			in:    []bot.Event{parleytest.NewMessage("1", "@5", "/help")},
			want:  []parleytest.Sent{{ChatID: "@5", Outgoing: bot.Outgoing{Text: "/help", ReplyTo: "1"}}},
		},
		{
			name: "groups ignored by default",
			in: []bot.Event{
				parleytest.NewGroupMessage("1", "#3", "7", "member", "in a group"),
				parleytest.NewGroupMessage("2", "#3", "7", "member", "/help"),
				parleytest.NewMessage("3", "@5", "direct"),
			},
			want: []parleytest.Sent{{ChatID: "@5", Outgoing: bot.Outgoing{Text: "direct", ReplyTo: "3"}}},
		},
		{
			name:  "groups echoed when direct_only is off",
			table: "direct_only = false\n",
			in:    []bot.Event{parleytest.NewGroupMessage("1", "#3", "7", "member", "in a group")},
			want:  []parleytest.Sent{{ChatID: "#3", Outgoing: bot.Outgoing{Text: "in a group", ReplyTo: "1"}}},
		},
		{
			name: "messages without text are not echoed",
			in:   []bot.Event{parleytest.NewMessage("1", "@5", ""), parleytest.NewMessage("2", "@5", "after")},
			want: []parleytest.Sent{{ChatID: "@5", Outgoing: bot.Outgoing{Text: "after", ReplyTo: "2"}}},
		},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			p := start(t, tt.table)
			for _, e := range tt.in {
				if err := p.Inject(context.Background(), e); err != nil {
					t.Fatal(err)
				}
			}
			// Every event handled means every reply is sent: no waiting
			// for replies that should not come.
			if err := p.WaitHandled(len(tt.in), 5*time.Second); err != nil {
				t.Fatal(err)
			}
			got := p.Sent()
			if len(got) != len(tt.want) {
				t.Fatalf("sent %+v, want %+v", got, tt.want)
			}
			for i, w := range tt.want {
				g := got[i]
				if g.ChatID != w.ChatID || g.Text != w.Text || g.ReplyTo != w.ReplyTo {
					t.Errorf("sent[%d] = %s %q reply-to %q, want %s %q reply-to %q", i, g.ChatID, g.Text, g.ReplyTo, w.ChatID, w.Text, w.ReplyTo)
				}
			}
		})
	}
}

func TestSettingsProblems(t *testing.T) {
	tests := []struct{ table, key string }{
		{"prefx = \"x\"\n", "bots[0].modules.echo.prefx"},
		{"direct_only = \"yes\"\n", "bots[0].modules.echo.direct_only"},
	}
	for _, tt := range tests {
		src := "[[bots]]\nname = \"e\"\nplatform = \"echotest\"\n[bots.modules.echo]\n" + tt.table
		_, err := config.Parse([]byte(src), "bots.toml")
		var ce *config.Error
		if !errors.As(err, &ce) || len(ce.Problems) != 1 || ce.Problems[0].Key != tt.key || ce.Problems[0].Pos.Line != 5 {
			t.Errorf("%q: got %v, want one problem at %s line 5", tt.table, err, tt.key)
		}
	}
}

func TestRegistered(t *testing.T) {
	found := false
	for _, m := range registry.Modules() {
		found = found || m == echo.Name
	}
	if !found {
		t.Fatalf("module %q not registered: %s", echo.Name, strings.Join(registry.Modules(), ", "))
	}
}
