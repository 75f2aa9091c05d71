package cli

import (
	"context"
	"fmt"
	"io"

	"github.com/parleybot/parley/bot"
	"github.com/parleybot/parley/config"
	"github.com/parleybot/parley/host"
	"github.com/parleybot/parley/metrics"
	"github.com/parleybot/parley/store"
	"github.com/prometheus/client_golang/prometheus"
	"github.com/prometheus/client_golang/prometheus/collectors"
	"go.uber.org/zap"
)

const runUsage = `Usage: parley run [-c bots.toml]

Hosts every bot of the configuration file in this process until SIGINT or
SIGTERM, then stops them gracefully (each within its stop_timeout). A bot
that fails is rebuilt and restarted with backoff without disturbing the
others. /healthz, /readyz and /metrics are served on [server] listen.
Logs go to stderr in the [server] log_format.

The file is checked first: if it has problems, each is printed as with
"parley validate" and nothing runs (exit status 1).
`

func cmdRun(ctx context.Context, args []string, std stdio) int {
	fs := newFlags("run", runUsage, std)
	path := configFlag(fs)
	if code, ok := parseFlags(fs, args, std); !ok {
		return code
	}
	cfg, ok := loadConfig(*path, std)
	if !ok {
		return exitFail
	}
	if err := runHosted(ctx, cfg, std.err, nil); err != nil {
		fmt.Fprintf(std.err, "parley run: %v\n", err)
		return exitFail
	}
	return exitOK
}

// runHosted hosts cfg's bots until ctx ends, logging to logOut. started,
// if not nil, is called once the host is serving. It returns nil after a
// clean stop of every bot.
func runHosted(ctx context.Context, cfg *config.Config, logOut io.Writer, started func(*host.Host)) error {
	if cfg.Cluster != nil {
		return runClustered(ctx, cfg, logOut, started)
	}
	hs, err := newHosting(cfg, logOut)
	if err != nil {
		return err
	}
	defer hs.sync()
	for _, bc := range cfg.Bots {
		if err := hs.add(bc); err != nil {
			return err
		}
	}
	if err := hs.host.Start(ctx); err != nil {
		return err
	}
	if started != nil {
		started(hs.host)
	}
	return hs.host.Wait()
}

// hosting is a host with its logger and metrics, for bots built from
// configuration.
type hosting struct {
	host    *host.Host
	root    *zap.Logger
	metrics *metrics.Metrics
}

// newHosting makes a host serving cfg.Server's address with a fresh
// registry holding the Go and process collectors and the bot metrics;
// opts are added to the host's.
func newHosting(cfg *config.Config, logOut io.Writer, opts ...host.Option) (*hosting, error) {
	root := cfg.NewLogger(logOut)
	reg := prometheus.NewRegistry()
	reg.MustRegister(collectors.NewGoCollector(), collectors.NewProcessCollector(collectors.ProcessCollectorOpts{}))
	m, err := metrics.New(reg)
	if err != nil {
		return nil, err
	}
	h := host.New(append([]host.Option{
		host.WithAddr(cfg.Server.Listen),
		host.WithLogger(config.WithLevel(root, cfg.Server.LogLevel)),
		host.WithRegistry(reg, reg),
	}, opts...)...)
	return &hosting{host: h, root: root, metrics: m}, nil
}

// add hosts one bot; the host may be running.
func (hs *hosting) add(bc config.BotConfig) error {
	return hs.host.AddFactory(bc.Name, botFactory(bc, hs.root, hs.metrics, nil))
}

func (hs *hosting) sync() { _ = hs.root.Sync() }

// botFactory builds the bot afresh for every start, so that a restart
// also gets a new connection and store handle, and wires its metrics.
// newStore, when not nil, makes the store instead of [bots.store].
func botFactory(bc config.BotConfig, root *zap.Logger, m *metrics.Metrics, newStore func() store.Store) host.Factory {
	return func() (host.Runner, func() error, error) {
		var st store.Store
		if newStore != nil {
			st = newStore()
		}
		// Nothing is dropped without a trace: the middleware log each drop
		// at debug with its reason, and here it is counted. The inner half
		// of the event metrics sits after the middleware that drop events,
		// so a dropped event is received but never handled.
		outer, inner := m.Middlewares(bc.Name)
		hb, err := config.BuildBotWith(bc, root, config.Hooks{
			Store: st,
			// Outermost, so it counts every event, duplicates included.
			Outer:     []bot.Middleware{outer},
			Inner:     []bot.Middleware{inner},
			DedupeHit: func(string) { m.DedupeHit(bc.Name) },
			Dropped:   func(reason string) { m.Dropped(bc.Name, reason) },
			Command:   m.CommandObserver(bc.Name, bc.Platform),
			Reconnect: m.ReconnectObserver(bc.Name, bc.Platform),
			Request: func(kind bot.RequestKind, accepted bool) {
				m.RequestDecided(bc.Name, kind.String(), accepted)
			},
		})
		if err != nil {
			return nil, nil, err
		}
		unwatch := m.WatchBot(bc.Name, hb.Bot)
		return hb.Bot, func() error {
			unwatch()
			return hb.Close()
		}, nil
	}
}
