package tada_test

import (
	"context"
	"fmt"
	"strings"
	"testing"
	"time"

	"go.uber.org/zap"
	"go.uber.org/zap/zapcore"
	"go.uber.org/zap/zaptest/observer"

	"github.com/parleybot/parley/config"
	_ "github.com/parleybot/parley/modules/echo"
	_ "github.com/parleybot/parley/modules/moderation"
	"github.com/parleybot/parley/platform/tada"
	"github.com/parleybot/parley/platform/tada/tadasim"
)

// hostedTOML is a bot on the simulator with the given module tables.
func hostedTOML(sim *tadasim.Server, modules string) string {
	return fmt.Sprintf(`[[bots]]
name = "club-bot"
platform = "tada"

[bots.tada]
url = %q
team = %q
token = %q
reconnect_min = "5ms"
reconnect_max = "50ms"
%s`, sim.URL(), sim.Team(), tadasim.DefaultBotToken, modules)
}

// runHosted builds the bot from src, as `parley run` does, and runs it
// until the test ends.
func runHosted(t *testing.T, src string, log *zap.Logger) *config.Hosted {
	t.Helper()
	cfg, err := config.Parse([]byte(src), "bots.toml")
	if err != nil {
		t.Fatal(err)
	}
	h, err := config.BuildBot(cfg.Bots[0], log)
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
	waitCond(t, "the hosted bot to be ready", h.Platform.(*tada.Platform).Ready)
	return h
}

// botSaid waits for the bot to write text containing want to chat.
func botSaid(t *testing.T, sim *tadasim.Server, chat, want string) {
	t.Helper()
	err := sim.Wait(10*time.Second, func() bool {
		for _, m := range sim.MessagesFrom(sim.Bot().JID) {
			if m.Chat == chat && strings.Contains(m.Content.Text, want) {
				return true
			}
		}
		return false
	})
	if err != nil {
		var said []string
		for _, m := range sim.MessagesFrom(sim.Bot().JID) {
			said = append(said, m.Chat+": "+m.Content.Text)
		}
		t.Fatalf("the bot did not write %q to %s: %v\nit wrote: %q", want, chat, err, said)
	}
}

// A hosted Tada bot built from configuration alone runs moderation and
// echo: it says at start-up which actions Tada cannot do, takes on the
// group its owner adds it to, deletes a rule-breaking message and removes
// its author, tells the owner, and echoes direct messages.
func TestHostedModerationByConfiguration(t *testing.T) {
	sim := newSim(t)
	core, logs := observer.New(zapcore.InfoLevel)
	runHosted(t, hostedTOML(sim, `
[bots.modules.moderation]
banned_words = ["spam"]
action = "remove"

[bots.modules.echo]
prefix = "echo: "
`), zap.New(core))

	// At start-up: what Tada cannot do.
	start := logs.FilterMessage("moderation: actions this platform cannot do are unavailable").All()
	if len(start) != 1 {
		t.Fatalf("start-up lines: %v", logs.All())
	}
	fields := start[0].ContextMap()
	if fields["platform"] != "tada" || fmt.Sprint(fields["unavailable"]) != "[block observer]" {
		t.Errorf("start-up line fields: %v", fields)
	}

	olga, mia, eve := sim.AddContact("olga"), sim.AddContact("mia"), sim.AddContact("eve")
	g, err := sim.NewGroup("club", map[string]string{olga.JID: "owner", mia.JID: "member"})
	if err != nil {
		t.Fatal(err)
	}
	if err := sim.AddToGroup(g, olga.JID, sim.Bot().JID, "admin"); err != nil {
		t.Fatal(err)
	}
	botSaid(t, sim, olga.JID, "I joined club as admin and will moderate it.")

	clean, err := sim.Send(mia.JID, g, "hello everyone")
	if err != nil {
		t.Fatal(err)
	}
	own, err := sim.Send(olga.JID, g, "no spam here, says the owner")
	if err != nil {
		t.Fatal(err)
	}
	bad, err := sim.Send(mia.JID, g, "buy SPAM now")
	if err != nil {
		t.Fatal(err)
	}
	botSaid(t, sim, olga.JID, `Deleted a message from mia and removed mia from the group in club: banned word "spam".`)
	if m, _ := sim.Message(bad.MessageID); !m.Deleted() {
		t.Errorf("the banned message is still there: %+v", m.Content)
	}
	for _, id := range []string{clean.MessageID, own.MessageID} {
		if m, _ := sim.Message(id); m.Deleted() {
			t.Errorf("message %s was deleted", id)
		}
	}
	if ms, _ := sim.Members(g); ms[mia.JID] != "" || ms[olga.JID] != "owner" {
		t.Errorf("members after the removal: %v", ms)
	}

	// Echo answers direct messages; the owner's commands go to moderation.
	if _, err := sim.Send(eve.JID, sim.Bot().JID, "hello bot"); err != nil {
		t.Fatal(err)
	}
	botSaid(t, sim, eve.JID, "echo: hello bot")
	if _, err := sim.Send(olga.JID, sim.Bot().JID, "/status"); err != nil {
		t.Fatal(err)
	}
	botSaid(t, sim, olga.JID, "deleted 1, blocked 0, removed 1")
	for _, m := range sim.MessagesFrom(sim.Bot().JID) {
		if m.Chat == g {
			t.Errorf("the bot posted in the group: %q", m.Content.Text)
		}
	}
}

// An action Tada cannot do is a configuration error naming what it can,
// not a silent substitute.
func TestHostedModerationRefusesBlock(t *testing.T) {
	sim := newSim(t)
	for _, action := range []string{"block", "observer"} {
		cfg, err := config.Parse([]byte(hostedTOML(sim, fmt.Sprintf("[bots.modules.moderation]\naction = %q\n", action))), "bots.toml")
		if err != nil {
			t.Fatal(err)
		}
		h, err := config.BuildBot(cfg.Bots[0], nil)
		if err == nil {
			_ = h.Close()
			t.Fatalf("action %s: built", action)
		}
		msg := err.Error()
		if !strings.Contains(msg, "the tada platform cannot") || !strings.Contains(msg, `it can do "delete", "remove"`) {
			t.Errorf("action %s: %v", action, err)
		}
	}
}
