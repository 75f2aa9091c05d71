package simplex

import (
	"time"

	"go.uber.org/zap"

	"github.com/parleybot/parley/store"
)

// Defaults of the platform and its client; the config adapter uses them
// too, so they live only here.
const (
	DefaultCallTimeout  = 60 * time.Second
	DefaultPingInterval = 15 * time.Second
	DefaultReconnectMin = 250 * time.Millisecond
	DefaultReconnectMax = 30 * time.Second
	DefaultCursorFlush  = 100 * time.Millisecond
	DefaultCatchUpPage  = 100
	// DefaultCatchUp is whether messages that arrived while the bot was
	// away are fetched.
	DefaultCatchUp = true
)

// Startup lists optional steps the platform runs on every connection
// before events flow, so a bot can start against a fresh CLI.
type Startup struct {
	// BotName creates an active bot user with this display name when the
	// CLI has none.
	BotName string
	// Address creates the bot's SimpleX address when it has none.
	Address bool
	// AddressSettings, when set, are applied to the address.
	AddressSettings *AddressSettings
	// Commands, when set, become the bot's command menu in its profile.
	Commands []ChatBotCommand
}

// Option configures a Platform.
type Option interface{ apply(*platformConfig) }

type optionFunc func(*platformConfig)

func (f optionFunc) apply(c *platformConfig) { f(c) }

type platformConfig struct {
	logger      *zap.Logger
	store       store.Store
	clientOpts  []ClientOption
	startup     Startup
	catchUp     bool
	flushEvery  time.Duration
	catchUpPage int
}

// WithLogger sets the platform's logger.
func WithLogger(l *zap.Logger) Option {
	return optionFunc(func(c *platformConfig) {
		if l != nil {
			c.logger = l
		}
	})
}

// WithStore keeps the platform's cursors (the highest handled item per
// chat) in s, so that a restarted bot fetches what arrived meanwhile.
// Without it (or with a *store.Memory, which a restart loses too) cursors
// live in memory for reconnects, and a restart resumes from the CLI's
// unread markers: handled items are marked read in the CLI.
func WithStore(s store.Store) Option {
	return optionFunc(func(c *platformConfig) { c.store = s })
}

// WithClientOptions passes options to the underlying Client.
func WithClientOptions(opts ...ClientOption) Option {
	return optionFunc(func(c *platformConfig) { c.clientOpts = append(c.clientOpts, opts...) })
}

// WithStartup sets the start-up steps.
func WithStartup(s Startup) Option {
	return optionFunc(func(c *platformConfig) { c.startup = s })
}

// WithCatchUp turns fetching missed messages after a reconnect or restart
// on or off (default on).
func WithCatchUp(on bool) Option {
	return optionFunc(func(c *platformConfig) { c.catchUp = on })
}

// WithCursorFlush sets the least time between two writes of the handled
// cursors to the store (default DefaultCursorFlush): a cursor that moved
// is written at once, then at most once per d. They are also written on
// close. A crash loses at most about d of progress, which comes back as
// redelivered messages the Dedupe middleware drops.
func WithCursorFlush(d time.Duration) Option {
	return optionFunc(func(c *platformConfig) {
		if d <= 0 {
			panic("simplex: cursor flush interval must be positive")
		}
		c.flushEvery = d
	})
}

// ClientOption configures a Client.
type ClientOption interface{ apply(*clientConfig) }

type clientOptionFunc func(*clientConfig)

func (f clientOptionFunc) apply(c *clientConfig) { f(c) }

type clientConfig struct {
	logger       *zap.Logger
	callTimeout  time.Duration
	pingInterval time.Duration
	minBackoff   time.Duration
	maxBackoff   time.Duration
	readLimit    int64
	eventBuffer  int
	dialTimeout  time.Duration
	onCommand    func(cmdType, outcome string, d time.Duration)
	onReconnect  func()
}

func defaultClientConfig() clientConfig {
	return clientConfig{
		logger:       zap.NewNop(),
		callTimeout:  DefaultCallTimeout,
		pingInterval: DefaultPingInterval,
		minBackoff:   DefaultReconnectMin,
		maxBackoff:   DefaultReconnectMax,
		readLimit:    64 << 20,
		eventBuffer:  256,
		dialTimeout:  10 * time.Second,
	}
}

// WithClientLogger sets the client's logger.
func WithClientLogger(l *zap.Logger) ClientOption {
	return clientOptionFunc(func(c *clientConfig) {
		if l != nil {
			c.logger = l
		}
	})
}

// WithCallTimeout sets the deadline for commands whose context has none
// (default 60s: interactive commands wait for the network).
func WithCallTimeout(d time.Duration) ClientOption {
	return clientOptionFunc(func(c *clientConfig) { c.callTimeout = d })
}

// WithPingInterval sets how often the connection is checked with a
// WebSocket ping (default 15s; 0 disables pings).
func WithPingInterval(d time.Duration) ClientOption {
	return clientOptionFunc(func(c *clientConfig) { c.pingInterval = d })
}

// WithBackoff sets the reconnect delays: the first retry waits about min,
// each next one twice as long up to max, with jitter. A connection that
// did useful work (its start-up succeeded, or it passed events on) is
// redialled after only about 20ms, and the delays start again from min.
func WithBackoff(min, max time.Duration) ClientOption {
	return clientOptionFunc(func(c *clientConfig) {
		if min <= 0 || max < min {
			panic("simplex: invalid backoff")
		}
		c.minBackoff, c.maxBackoff = min, max
	})
}

// WithReadLimit sets the largest frame accepted (default 64 MiB; lists of
// contacts with profile images can be many megabytes).
func WithReadLimit(n int64) ClientOption {
	return clientOptionFunc(func(c *clientConfig) { c.readLimit = n })
}

// WithEventBuffer sets how many events the reader may hold while the
// consumer is busy (default 256). Beyond it the reader stops reading, so
// the CLI slows down instead of memory growing, unless a command is
// waiting for its response: then reading goes on so the response is not
// stuck behind events.
func WithEventBuffer(n int) ClientOption {
	return clientOptionFunc(func(c *clientConfig) {
		if n < 1 {
			panic("simplex: event buffer must be at least 1")
		}
		c.eventBuffer = n
	})
}

// WithCommandObserver sets a function told about every command: its verb
// ("/_send"), its outcome ("ok", "error", "unknown" when the connection
// dropped before the response, "not_sent") and how long it took. Metrics
// use it.
func WithCommandObserver(f func(cmdType, outcome string, d time.Duration)) ClientOption {
	return clientOptionFunc(func(c *clientConfig) { c.onCommand = f })
}

// WithReconnectObserver sets a function called on every connection after
// the first.
func WithReconnectObserver(f func()) ClientOption {
	return clientOptionFunc(func(c *clientConfig) { c.onReconnect = f })
}
