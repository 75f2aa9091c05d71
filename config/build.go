package config

import (
	"context"
	"errors"
	"fmt"
	"io"
	"os"
	"path/filepath"
	"sync"
	"time"

	"github.com/parleybot/parley/bot"
	"github.com/parleybot/parley/metrics"
	"github.com/parleybot/parley/middleware"
	"github.com/parleybot/parley/registry"
	"github.com/parleybot/parley/router"
	"github.com/parleybot/parley/store"
	"go.uber.org/zap"
	"go.uber.org/zap/zapcore"
)

// Hosted is one bot built from its configuration, with the handles a host
// needs around it: the store to close and the middleware counters to
// export.
type Hosted struct {
	// Name is the bot's name.
	Name string
	// Config is the configuration the bot was built from.
	Config BotConfig
	// Bot is ready to Run.
	Bot *bot.Bot
	// Platform is the bot's platform, as Bot.Platform returns it.
	Platform bot.Platform
	// Store is the bot's store; Close closes it.
	Store store.Store
	// Deduper, AutoAccepter and RateLimiter are the bot's middleware, for
	// their Stats; each is nil when that middleware is off.
	Deduper      *middleware.Deduper
	AutoAccepter *middleware.AutoAccepter
	RateLimiter  *middleware.RateLimiter

	cleanups  []func() error // module cleanups, in Setup order
	closeOnce sync.Once
	closeErr  error
}

// Close runs the modules' Cleanup in reverse Setup order, then closes the
// store. Call it after Bot.Run has returned. It is safe to call more than
// once; later calls return the first call's result.
func (h *Hosted) Close() error {
	h.closeOnce.Do(func() {
		var errs []error
		for i := len(h.cleanups) - 1; i >= 0; i-- {
			errs = append(errs, h.cleanups[i]())
		}
		if h.Store != nil {
			if err := h.Store.Close(); err != nil {
				errs = append(errs, fmt.Errorf("config: bot %q: close store: %w", h.Name, err))
			}
		}
		h.closeErr = errors.Join(errs...)
	})
	return h.closeErr
}

// Build builds every bot of the configuration; see BuildBot. On failure
// it closes the bots already built and returns the error.
func (c *Config) Build(logger *zap.Logger) ([]*Hosted, error) {
	out := make([]*Hosted, 0, len(c.Bots))
	for _, bc := range c.Bots {
		h, err := BuildBot(bc, logger)
		if err != nil {
			for _, done := range out {
				_ = done.Close()
			}
			return nil, err
		}
		out = append(out, h)
	}
	return out, nil
}

// Hooks connect a built bot to observers such as metrics.
type Hooks struct {
	// Outer middleware runs first, before Recover, Logger and Dedupe, so it
	// sees every event, duplicates included.
	Outer []bot.Middleware
	// Inner middleware runs after Dedupe, RateLimit and AutoAccept, just
	// before Timeout and the modules: an event one of them dropped never
	// reaches it (see metrics.Middlewares).
	Inner []bot.Middleware
	// DedupeHit is called with the key of every duplicate dropped.
	DedupeHit func(key string)
	// Dropped is called for every event a middleware dropped and every
	// request auto-accept refused, with the reason: one of the metrics
	// Drop constants (duplicate, rate_limited, not_accepted,
	// accept_capped). Each drop is also logged at debug level.
	Dropped func(reason string)
	// Command and Reconnect are passed to the platform (see registry.PlatformEnv).
	Command   func(cmdType, outcome string, d time.Duration)
	Reconnect func()
	// Request is called once per contact request or group invitation the
	// auto-accept policy decides, with whether it was accepted.
	Request func(kind bot.RequestKind, accepted bool)
	// Store, when set, is the bot's store instead of the one its
	// [bots.store] table describes (with [cluster], the bot's Redis store
	// fenced by its lease). Hosted.Close closes it.
	Store store.Store
}

// BuildBot turns one bot's configuration, as Parse returned it, into a
// bot ready to run: it opens the store, builds the platform, sets up every
// module on a router in file order, and adds the outer middleware in this
// order: Recover, Logger, Dedupe, RateLimit, AutoAccept, Timeout (the
// last four when configured). RateLimit comes before AutoAccept so that
// every middleware that drops events or may fail one runs before
// Hooks.Inner; the two never act on the same event (requests carry no
// message). Log entries go to logger, filtered at the bot's log level,
// under the bot's name. Nothing connects until Bot.Run. On failure
// everything opened so far is closed again.
func BuildBot(bc BotConfig, logger *zap.Logger) (*Hosted, error) {
	return BuildBotWith(bc, logger, Hooks{})
}

// BuildBotWith builds one bot from its configuration with hooks for
// observers.
func BuildBotWith(bc BotConfig, logger *zap.Logger, hooks Hooks) (h *Hosted, err error) {
	if logger == nil {
		logger = zap.NewNop()
	}
	if bc.Settings == nil {
		return nil, fmt.Errorf("config: bot %q has no platform settings; build bots from a Config that Parse returned", bc.Name)
	}
	h = &Hosted{Name: bc.Name, Config: bc}
	built := h
	defer func() {
		if err != nil {
			// The bot never runs, so nothing else closes what its
			// platform opened when it was built.
			if c, ok := built.Platform.(bot.Closer); ok {
				_ = c.Close(context.Background())
			}
			_ = built.Close() // h is nil here: the return set it
		}
	}()
	lg := WithLevel(logger, bc.LogLevel)
	botLog := lg.Named(bc.Name)

	if h.Store = hooks.Store; h.Store == nil {
		if h.Store, err = openStore(bc); err != nil {
			return nil, err
		}
	}
	err = guard(func() error {
		var perr error
		h.Platform, perr = bc.Settings.Build(registry.PlatformEnv{
			BotName: bc.Name, Logger: botLog.Named(bc.Platform), Store: h.Store, Dir: bc.Dir,
			Command: hooks.Command, Reconnect: hooks.Reconnect,
		})
		if perr == nil && h.Platform == nil {
			perr = errors.New("Build returned a nil platform")
		}
		return perr
	})
	if err != nil {
		return nil, fmt.Errorf("config: bot %q: platform %s: %w", bc.Name, bc.Platform, err)
	}

	r := router.New()
	for _, mc := range bc.Modules {
		env := registry.ModuleEnv{BotName: bc.Name, Logger: botLog.Named(mc.Name), Store: h.Store, Platform: h.Platform, Dir: bc.Dir}
		if err := guard(func() error { return mc.Module.Setup(env, r) }); err != nil {
			return nil, fmt.Errorf("config: bot %q: module %s: setup: %w", bc.Name, mc.Name, err)
		}
		if cl, ok := mc.Module.(registry.Cleaner); ok {
			name := mc.Name
			h.cleanups = append(h.cleanups, func() error {
				if err := guard(cl.Cleanup); err != nil {
					return fmt.Errorf("config: bot %q: module %s: cleanup: %w", bc.Name, name, err)
				}
				return nil
			})
		}
	}

	var mws []bot.Middleware
	err = guard(func() error {
		mws = append(mws, hooks.Outer...)
		mws = append(mws, middleware.Recover(), middleware.Logger(botLog))
		dropped := func(reason string) {
			if hooks.Dropped != nil {
				hooks.Dropped(reason)
			}
		}
		if bc.Dedupe.Enabled {
			dopts := []middleware.DedupeOption{middleware.DedupeTTL(bc.Dedupe.TTL)}
			dopts = append(dopts, middleware.DedupeOnHit(func(key string) {
				if hooks.DedupeHit != nil {
					hooks.DedupeHit(key)
				}
				dropped(metrics.DropDuplicate)
			}))
			h.Deduper = middleware.NewDeduper(h.Store, dopts...)
			mws = append(mws, h.Deduper.Middleware)
		}
		if rl := bc.RateLimit; rl.Enabled {
			opts := []middleware.RateLimitOption{middleware.RateLimitOnDrop(func(*bot.Context, middleware.DropReason) {
				dropped(metrics.DropRateLimited)
			})}
			if rl.Per == PerChat {
				opts = append(opts, middleware.RateLimitPerChat())
			}
			if rl.Mode == ModeDelay {
				opts = append(opts, middleware.RateLimitDelay(rl.MaxWait))
			}
			if rl.MaxBuckets > 0 {
				opts = append(opts, middleware.RateLimitMaxBuckets(rl.MaxBuckets))
			}
			h.RateLimiter = middleware.NewRateLimiter(rl.Rate, rl.Burst, opts...)
			mws = append(mws, h.RateLimiter.Middleware)
		}
		if bc.AutoAccept.Enabled() {
			policy := bc.AutoAccept.Policy()
			policy.OnDecision = hooks.Request
			policy.OnRefused = func(_ *bot.Context, _ bot.RequestInfo, why middleware.RefuseReason) {
				if why == middleware.RefusedOverCap {
					dropped(metrics.DropAcceptCapped)
				} else {
					dropped(metrics.DropNotAccepted)
				}
			}
			h.AutoAccepter = middleware.NewAutoAccepter(policy)
			mws = append(mws, h.AutoAccepter.Middleware)
		}
		mws = append(mws, hooks.Inner...)
		if bc.HandlerTimeout > 0 {
			mws = append(mws, middleware.Timeout(bc.HandlerTimeout))
		}
		opts := []bot.Option{bot.WithName(bc.Name), bot.WithLogger(lg), bot.WithStopTimeout(bc.StopTimeout)}
		if bc.Workers > 0 {
			opts = append(opts, bot.WithWorkers(bc.Workers))
		}
		if bc.MaxQueued > 0 {
			opts = append(opts, bot.WithMaxQueued(bc.MaxQueued))
		}
		h.Bot = bot.New(h.Platform, r, opts...)
		h.Bot.Use(mws...)
		return nil
	})
	if err != nil {
		return nil, fmt.Errorf("config: bot %q: %w", bc.Name, err)
	}
	return h, nil
}

func openStore(bc BotConfig) (store.Store, error) {
	switch bc.Store.Kind {
	case StoreFile:
		if err := os.MkdirAll(filepath.Dir(bc.Store.Path), 0o700); err != nil {
			return nil, fmt.Errorf("config: bot %q: store: %w", bc.Name, err)
		}
		f, err := store.OpenFile(bc.Store.Path)
		if err != nil {
			return nil, fmt.Errorf("config: bot %q: store: %w", bc.Name, err)
		}
		return f, nil
	case StoreMemory, "":
		var opts []store.MemoryOption
		if bc.Store.MaxEntries > 0 {
			opts = append(opts, store.WithMaxEntries(bc.Store.MaxEntries))
		}
		return store.NewMemory(opts...), nil
	}
	return nil, fmt.Errorf("config: bot %q: unknown store kind %q", bc.Name, bc.Store.Kind)
}

// guard runs f, turning a panic (a setup mistake in a platform, module or
// middleware constructor) into an error.
func guard(f func() error) (err error) {
	defer func() {
		if r := recover(); r != nil {
			err = fmt.Errorf("panic: %v", r)
		}
	}()
	return f()
}

// WithLevel returns l filtered at lvl. When l's core already drops
// entries below lvl, l is returned as is: a logger can be made quieter,
// never louder.
func WithLevel(l *zap.Logger, lvl zapcore.Level) *zap.Logger {
	return l.WithOptions(zap.WrapCore(func(c zapcore.Core) zapcore.Core {
		nc, err := zapcore.NewIncreaseLevelCore(c, lvl)
		if err != nil {
			return c
		}
		return nc
	}))
}

// LowestLogLevel returns the most verbose level the server or any bot
// asks for: the level the root logger's core must enable.
func (c *Config) LowestLogLevel() zapcore.Level {
	lvl := c.Server.LogLevel
	for _, b := range c.Bots {
		lvl = min(lvl, b.LogLevel)
	}
	return lvl
}

// NewLogger returns a root logger writing to w in the server's log_format,
// enabled at LowestLogLevel so that every bot's level can be honoured.
// BuildBot filters each bot's entries at its own level; filter the host's
// own entries with WithLevel(l, c.Server.LogLevel).
func (c *Config) NewLogger(w io.Writer) *zap.Logger {
	var enc zapcore.Encoder
	if c.Server.LogFormat == "json" {
		ec := zap.NewProductionEncoderConfig()
		ec.EncodeTime = zapcore.ISO8601TimeEncoder
		enc = zapcore.NewJSONEncoder(ec)
	} else {
		enc = zapcore.NewConsoleEncoder(zap.NewDevelopmentEncoderConfig())
	}
	return zap.New(zapcore.NewCore(enc, zapcore.Lock(zapcore.AddSync(w)), c.LowestLogLevel()))
}
