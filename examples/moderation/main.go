// Command moderation runs the SimpleX group moderation bot with the
// library directly, without a configuration file: invite it to a group
// as moderator (or admin), then send it /help in a direct chat.
//
//	go run ./examples/moderation -url ws://127.0.0.1:5225 -store moderation.db
//
// Try it against `parley sim simplex`.
package main

import (
	"cmp"
	"context"
	"flag"
	"fmt"
	"log"
	"os"
	"os/signal"
	"syscall"

	"go.uber.org/zap"

	"github.com/parleybot/parley/bot"
	"github.com/parleybot/parley/middleware"
	"github.com/parleybot/parley/modules/moderation"
	"github.com/parleybot/parley/platform/simplex"
	"github.com/parleybot/parley/registry"
	"github.com/parleybot/parley/router"
	"github.com/parleybot/parley/store"
)

// options are the command line settings.
type options struct {
	url     string
	store   string // bbolt file; "" keeps state in memory
	name    string // the bot's display name, if the CLI has no user yet
	dryRun  bool
	verbose bool
}

func main() {
	var o options
	flag.StringVar(&o.url, "url", cmp.Or(os.Getenv("SIMPLEX_URL"), "ws://127.0.0.1:5225"), "WebSocket address of the simplex-chat CLI; $SIMPLEX_URL sets the default")
	flag.StringVar(&o.store, "store", "", "file for rules and state (default: memory, lost on exit)")
	flag.StringVar(&o.name, "name", "moderator", "display name of the bot user, created if the CLI has none")
	flag.BoolVar(&o.dryRun, "dry-run", false, "start new groups in dry-run mode: only report what would be done")
	flag.BoolVar(&o.verbose, "v", false, "log at debug level")
	flag.Parse()
	logger := zap.Must(zap.NewProduction())
	if o.verbose {
		logger = zap.Must(zap.NewDevelopment())
	}
	defer func() { _ = logger.Sync() }()
	ctx, stop := signal.NotifyContext(context.Background(), os.Interrupt, syscall.SIGTERM)
	defer stop()
	if err := run(ctx, o, logger); err != nil {
		log.Fatal(err)
	}
}

// run moderates until ctx ends.
func run(ctx context.Context, o options, logger *zap.Logger) error {
	var st store.Store = store.NewMemory()
	if o.store != "" {
		f, err := store.OpenFile(o.store)
		if err != nil {
			return err
		}
		st = f
	}
	defer func() { _ = st.Close() }()

	// The bot needs an address so owners can reach it; contacts are
	// accepted by the AutoAccept middleware below.
	p := simplex.New(o.url,
		simplex.WithLogger(logger.Named("simplex")),
		simplex.WithStore(st),
		simplex.WithStartup(simplex.Startup{BotName: o.name, Address: true}))

	s := moderation.DefaultSettings()
	s.DryRun = o.dryRun
	r := router.New()
	m := moderation.New(s)
	env := registry.ModuleEnv{BotName: "moderator", Logger: logger.Named("moderation"), Store: st, Platform: p}
	if err := m.Setup(env, r); err != nil {
		return fmt.Errorf("moderation: %w", err)
	}

	b := bot.New(p, r, bot.WithName("moderator"), bot.WithLogger(logger))
	b.Use(
		middleware.Recover(),
		middleware.Logger(b.Logger()),
		// Group invitations are the moderation module's to judge: it
		// checks the role and explains refusals.
		middleware.AutoAccept(middleware.AcceptPolicy{
			Contacts: middleware.AcceptAll,
			Welcome:  "Hi! Invite me to your group as moderator or admin and I will moderate it. Send /help for the commands.",
		}),
	)
	return b.Run(ctx)
}
