package virola_test

import (
	"context"
	"fmt"
	"slices"
	"sync"
	"testing"
	"time"

	"github.com/parleybot/parley/config"
	_ "github.com/parleybot/parley/modules/echo"
	"github.com/parleybot/parley/platform/virola/virolasim"
)

// A hosted bot on Virola is configuration alone: platform = "virola" and
// the echo module, built by package config as `parley run` builds it.
func TestHostedEchoByConfiguration(t *testing.T) {
	sim := virolasim.New()
	if err := sim.Start(); err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() { _ = sim.Close() })
	botUser := sim.AddUser("bot", "Bot", "bot-password")
	src := fmt.Sprintf(`[[bots]]
name = "echo"
platform = "virola"

[bots.virola]
url = %q
user_name = "bot"
password = "bot-password"
reconnect_min = "5ms"
reconnect_max = "50ms"

[bots.modules.echo]
prefix = "echo: "
`, sim.URL())
	cfg, err := config.Parse([]byte(src), "bots.toml")
	if err != nil {
		t.Fatal(err)
	}
	var mu sync.Mutex
	var routes []string
	h, err := config.BuildBotWith(cfg.Bots[0], nil, config.Hooks{
		Command: func(route, outcome string, d time.Duration) {
			mu.Lock()
			defer mu.Unlock()
			routes = append(routes, route+" "+outcome)
		},
	})
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
	if err := sim.Wait(10*time.Second, func() bool { return sim.Stats().Conns > 0 }); err != nil {
		t.Fatal(err)
	}
	ann := sim.AddUser("ann", "Ann", "pw-ann")
	room, err := sim.NewPrivateRoom(ann.UserID, botUser.UserID)
	if err != nil {
		t.Fatal(err)
	}
	if _, err := sim.Post(ann.UserID, room.RoomID, "hello virola"); err != nil {
		t.Fatal(err)
	}
	err = sim.Wait(10*time.Second, func() bool {
		for _, m := range sim.PostedBy(botUser.UserID) {
			if m.Text == "echo: hello virola" {
				return true
			}
		}
		return false
	})
	if err != nil {
		t.Fatalf("no echo from the hosted bot: %v", err)
	}
	// The reply's REST call reached the hooks, numbers folded into {id}.
	const want = "POST /api/v1/messages/{id}/comments ok" // the echo answers in a thread
	err = sim.Wait(10*time.Second, func() bool {
		mu.Lock()
		defer mu.Unlock()
		return slices.Contains(routes, want)
	})
	if err != nil {
		mu.Lock()
		defer mu.Unlock()
		t.Fatalf("commands reported %q, want one %q", routes, want)
	}
}
