package host_test

import (
	"context"
	"fmt"
	"time"

	"github.com/parleybot/parley/bot"
	"github.com/parleybot/parley/host"
	"github.com/parleybot/parley/metrics"
	"github.com/parleybot/parley/parleytest"
	"github.com/prometheus/client_golang/prometheus"
)

// Example hosts an echo bot with metrics. In a real process the context
// ends on SIGINT or SIGTERM (signal.NotifyContext) and the address is
// something like ":9090".
func Example() {
	reg := prometheus.NewRegistry()
	m, err := metrics.New(reg)
	if err != nil {
		panic(err)
	}
	h := host.New(host.WithAddr("127.0.0.1:0"), host.WithRegistry(reg, reg))

	p := parleytest.NewPlatform()
	echo := bot.New(p, bot.HandlerFunc(func(c *bot.Context) error {
		msg, ok := c.Message()
		if !ok {
			return nil
		}
		return c.Answer("echo: " + msg.Text)
	}), bot.WithName("echo"))
	echo.Use(m.Middleware("echo"))
	defer m.WatchBot("echo", echo)()
	if err := h.Add("echo", echo); err != nil {
		panic(err)
	}

	ctx, cancel := context.WithCancel(context.Background())
	done := make(chan error, 1)
	go func() { done <- h.Run(ctx) }()

	_ = p.Inject(ctx, parleytest.NewMessage("1", "@alice", "hello"))
	sent, _ := p.WaitSent(1, 5*time.Second)
	fmt.Println(sent[0].ChatID, sent[0].Text)

	cancel()
	fmt.Println("run:", <-done)
	for _, st := range h.Status() {
		fmt.Println(st.Name, st.State, st.Restarts)
	}
	// Output:
	// @alice echo: hello
	// run: <nil>
	// echo stopped 0
}
