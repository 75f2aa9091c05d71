// Command quickstart is the 15-line bot of the README, kept here so that it
// compiles; a test checks that the README shows it unchanged.
package main

import (
	"context"
	"log"
	"os"
	"os/signal"

	"go.uber.org/zap"

	"github.com/parleybot/parley/bot"
	"github.com/parleybot/parley/middleware"
	"github.com/parleybot/parley/platform/simplex"
	"github.com/parleybot/parley/router"
	"github.com/parleybot/parley/store"
)

func main() {
	p := simplex.New("ws://127.0.0.1:5225", simplex.WithStartup(simplex.Startup{BotName: "echo", Address: true}))
	r := router.New()
	r.OnCommand("help", func(c *bot.Context, cmd router.Command) error {
		return c.Reply("Send me any text and I will send it back.")
	})
	r.OnMessage(func(c *bot.Context, m bot.Message) error {
		return c.Reply(m.Text)
	}, router.Direct())
	b := bot.New(p, r, bot.WithLogger(zap.Must(zap.NewProduction())))
	b.Use(middleware.Recover(), middleware.Logger(b.Logger()), middleware.Dedupe(store.NewMemory()))
	ctx, stop := signal.NotifyContext(context.Background(), os.Interrupt)
	defer stop()
	log.Fatal(b.Run(ctx))
}
