package privitty_test

import (
	"context"
	"fmt"
	"time"

	"github.com/parleybot/parley/config"
	_ "github.com/parleybot/parley/modules/echo" // registers the "echo" module
	"github.com/parleybot/parley/platform/privitty"
	"github.com/parleybot/parley/platform/privitty/privittysim"
)

// A hosted echo bot moves to Privitty by configuration alone: the file
// names the platform and its URL, the module is the same.
func Example_configured() {
	sim := privittysim.New()
	if err := sim.Start(); err != nil {
		fmt.Println(err)
		return
	}
	defer sim.Close()

	src := `
[[bots]]
name = "echo"
platform = "privitty"

[bots.privitty]
url = "${EDGE_URL}"
reconnect_min = "10ms"

[bots.modules.echo]
prefix = "echo: "
`
	cfg, err := config.Parse([]byte(src), "bots.toml", config.WithLookupEnv(func(k string) (string, bool) {
		return sim.URL(), k == "EDGE_URL"
	}))
	if err != nil {
		fmt.Println(err)
		return
	}
	hosted, err := cfg.Build(nil)
	if err != nil {
		fmt.Println(err)
		return
	}
	h := hosted[0]
	defer h.Close()
	ctx, cancel := context.WithCancel(context.Background())
	done := make(chan error, 1)
	go func() { done <- h.Bot.Run(ctx) }()

	alice, _ := sim.ConnectContact("alice", false)
	sim.ContactSend(alice.ChatID, "configured, not coded")
	sent, err := sim.WaitBotSent(1, 10*time.Second)
	cancel()
	fmt.Println(err, <-done)
	_, isPrivitty := h.Platform.(*privitty.Platform)
	fmt.Println(isPrivitty, sent[0].Text)
	// Output:
	// <nil> <nil>
	// true echo: configured, not coded
}
