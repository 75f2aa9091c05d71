package cli

import (
	"context"
	"testing"
	"time"

	"github.com/parleybot/parley/bot"
	"github.com/parleybot/parley/parleytest"
	"github.com/parleybot/parley/router"
)

// TestHelp is the README's "Testing a bot" example, kept here so that it
// compiles and passes as shown.
func TestHelp(t *testing.T) {
	p := parleytest.NewPlatform()
	r := router.New()
	r.OnCommand("help", func(c *bot.Context, _ router.Command) error { return c.Reply("Send me any text.") })
	b := bot.New(p, r)
	ctx, cancel := context.WithCancel(t.Context())
	done := make(chan error, 1)
	go func() { done <- b.Run(ctx) }()
	defer func() { cancel(); <-done }()

	p.Inject(ctx, parleytest.NewMessage("1", "@alice", "/help"))
	sent, err := p.WaitSent(1, 5*time.Second) // what the bot sent, in order
	if err != nil || sent[0].Text != "Send me any text." {
		t.Fatalf("sent %+v, %v", sent, err)
	}
}
