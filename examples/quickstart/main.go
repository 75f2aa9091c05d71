// Command quickstart is the 15-line bot of the README, kept here so that it
// compiles and is tested: the README must show it unchanged, and it must
// hold a conversation with a simulated contact and exit 0 on Ctrl-C.
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
	r.OnMessage(func(c *bot.Context, m bot.Message) error { return c.Reply(m.Text) }, router.Direct())
	b := bot.New(p, r, bot.WithLogger(zap.Must(zap.NewProduction())))
	b.Use(middleware.Recover(), middleware.Logger(b.Logger()), middleware.Dedupe(store.NewMemory()),
		middleware.AutoAccept(middleware.AcceptPolicy{Contacts: middleware.AcceptAll, Welcome: "Hi! Try /help."}))
	ctx, stop := signal.NotifyContext(context.Background(), os.Interrupt)
	defer stop()
	if err := b.Run(ctx); err != nil { // nil after Ctrl-C, once handlers have finished
		log.Fatal(err)
	}
}
