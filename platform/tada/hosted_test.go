package tada_test

import (
	"context"
	"fmt"
	"testing"
	"time"

	"github.com/parleybot/parley/config"
	_ "github.com/parleybot/parley/modules/echo"
	"github.com/parleybot/parley/platform/tada/tadasim"
)

// A hosted bot on Tada is configuration alone: platform = "tada" and the
// echo module, built by package config as `parley run` builds it.
func TestHostedEchoByConfiguration(t *testing.T) {
	sim := tadasim.New()
	if err := sim.Start(); err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() { _ = sim.Close() })
	src := fmt.Sprintf(`[[bots]]
name = "echo"
platform = "tada"

[bots.tada]
url = %q
team = %q
token = %q
reconnect_min = "5ms"
reconnect_max = "50ms"

[bots.modules.echo]
prefix = "echo: "
`, sim.URL(), sim.Team(), tadasim.DefaultBotToken)
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
	ann := sim.AddContact("ann")
	if err := sim.Wait(10*time.Second, func() bool { return sim.BotSockets() > 0 }); err != nil {
		t.Fatal(err)
	}
	if _, err := sim.Send(ann.JID, sim.Bot().JID, "hello tada"); err != nil {
		t.Fatal(err)
	}
	err = sim.Wait(10*time.Second, func() bool {
		for _, m := range sim.MessagesFrom(sim.Bot().JID) {
			if m.Content.Text == "echo: hello tada" {
				return true
			}
		}
		return false
	})
	if err != nil {
		t.Fatalf("no echo from the hosted bot: %v", err)
	}
}
