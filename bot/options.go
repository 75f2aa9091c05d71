package bot

import (
	"time"

	"go.uber.org/zap"
)

// Option configures a Bot.
type Option interface {
	apply(*config)
}

type optionFunc func(*config)

func (f optionFunc) apply(c *config) { f(c) }

type config struct {
	name        string
	logger      *zap.Logger
	workers     int
	maxQueued   int
	stopTimeout time.Duration
	onError     func(c *Context, err error)
}

func defaultConfig() config {
	return config{
		logger:      zap.NewNop(),
		workers:     16,
		maxQueued:   DefaultMaxQueued,
		stopTimeout: 10 * time.Second,
	}
}

// WithName names the bot; the name appears in logs and metrics.
func WithName(name string) Option {
	return optionFunc(func(c *config) { c.name = name })
}

// WithLogger sets the bot's logger. The bot names it after the bot.
func WithLogger(l *zap.Logger) Option {
	return optionFunc(func(c *config) {
		if l == nil {
			l = zap.NewNop()
		}
		c.logger = l
	})
}

// WithWorkers sets how many handlers run at once (default 16). Events of
// one chat never run concurrently, whatever the count.
func WithWorkers(n int) Option {
	return optionFunc(func(c *config) {
		if n < 1 {
			panic("bot: WithWorkers needs at least 1")
		}
		c.workers = n
	})
}

// DefaultMaxQueued is how many events may be queued, running or waiting
// for their pipelined sends at once unless WithMaxQueued says otherwise.
// Each holds its decoded event, so the bound is the bot's memory; a
// platform that can leave messages on the server (SimpleX) does so beyond
// it and fetches them later, so a larger queue buys no throughput.
const DefaultMaxQueued = 256

// WithMaxQueued bounds how many events may be waiting, running or waiting
// for their pipelined sends at once (default DefaultMaxQueued). When the
// bound is reached the platform reader blocks until an event completes:
// nothing is dropped and memory stays bounded.
func WithMaxQueued(n int) Option {
	return optionFunc(func(c *config) {
		if n < 1 {
			panic("bot: WithMaxQueued needs at least 1")
		}
		c.maxQueued = n
	})
}

// WithStopTimeout sets how long Run lets queued and running handlers finish
// after its context ends (default 10s). Handlers still running then see
// their context cancelled; queued events not yet started are reported.
func WithStopTimeout(d time.Duration) Option {
	return optionFunc(func(c *config) {
		if d < 0 {
			panic("bot: negative stop timeout")
		}
		c.stopTimeout = d
	})
}

// WithErrorHandler sets a function called with every error a handler chain
// returns. By default errors are logged at debug level, since a Logger
// middleware usually reports them already.
func WithErrorHandler(f func(c *Context, err error)) Option {
	return optionFunc(func(c *config) { c.onError = f })
}
