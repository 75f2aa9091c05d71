// Command echo is the smallest useful Parley bot: it answers every direct text
// message on SimpleX with the same text. Try it against `parley sim simplex`.
package main

import (
	"cmp"
	"context"
	"flag"
	"log"
	"os"
	"os/signal"
	"syscall"

	"github.com/parleybot/parley/bot"
	"github.com/parleybot/parley/middleware"
	"github.com/parleybot/parley/platform/simplex"
	"github.com/parleybot/parley/router"
)

func main() {
	url := cmp.Or(os.Getenv("SIMPLEX_URL"), "ws://127.0.0.1:5225")
	flag.StringVar(&url, "url", url, "WebSocket address of the simplex-chat CLI; $SIMPLEX_URL sets the default")
	flag.Parse()
	ctx, stop := signal.NotifyContext(context.Background(), os.Interrupt, syscall.SIGTERM)
	defer stop()
	if err := run(ctx, url); err != nil {
		log.Fatal(err)
	}
}

// run echoes direct text messages until ctx ends.
func run(ctx context.Context, url string) error {
	hasText := func(c *bot.Context) bool { m, _ := c.Message(); return m.Text != "" }
	r := router.New()
	// ReplyAsync does not wait for the CLI's answer, so a busy chat's next
	// message is handled meanwhile; replies still go out in order, and one
	// that fails is reported with its message, which is then delivered
	// again rather than lost.
	r.OnMessage(func(c *bot.Context, m bot.Message) error {
		c.ReplyAsync(m.Text)
		return nil
	}, router.Direct(), hasText)
	b := bot.New(simplex.New(url), r)
	b.Use(middleware.Recover())
	return b.Run(ctx)
}
