package privitty

import (
	"net/http"
	"time"

	"go.uber.org/zap"

	"github.com/parleybot/parley/store"
)

// Defaults of the platform and its client; the config adapter uses them
// too, so they live only here.
const (
	DefaultCallTimeout = 30 * time.Second
	// DefaultConnectTimeout bounds opening the event stream, until the
	// daemon's response headers arrive.
	DefaultConnectTimeout = 10 * time.Second
	DefaultIdleTimeout    = 45 * time.Second
	DefaultReconnectMin   = 250 * time.Millisecond
	DefaultReconnectMax   = 30 * time.Second
	DefaultCursorFlush    = 100 * time.Millisecond
	DefaultEventBuffer    = 1024
	// DefaultCatchUp is whether messages that arrived while the bot was
	// away, or that the daemon dropped, are fetched.
	DefaultCatchUp = true
	// DefaultMarkSeen is whether handled messages are marked seen, which
	// sends read receipts.
	DefaultMarkSeen = true
	// DefaultSetBotFlag is whether the platform sets the account's "bot"
	// config flag at start when it is unset.
	DefaultSetBotFlag = false
)

// Option configures a Platform or a Client (options that concern only the
// platform are ignored by NewClient).
type Option interface{ apply(*config) }

type optionFunc func(*config)

func (f optionFunc) apply(c *config) { f(c) }

type config struct {
	logger         *zap.Logger
	store          store.Store
	headers        http.Header
	account        int64
	httpClient     *http.Client
	callTimeout    time.Duration
	connectTimeout time.Duration
	minBackoff     time.Duration
	maxBackoff     time.Duration
	idleTimeout    time.Duration
	flushEvery     time.Duration
	eventBuffer    int
	maxEvent       int
	maxResponse    int64
	markSeen       bool
	catchUp        bool
	setBotFlag     bool
	onCommand      func(method, outcome string, d time.Duration)
	onReconnect    func()
}

func defaultConfig() config {
	return config{
		logger:         zap.NewNop(),
		headers:        http.Header{},
		callTimeout:    DefaultCallTimeout,
		connectTimeout: DefaultConnectTimeout,
		minBackoff:     DefaultReconnectMin,
		maxBackoff:     DefaultReconnectMax,
		idleTimeout:    DefaultIdleTimeout,
		flushEvery:     DefaultCursorFlush,
		eventBuffer:    DefaultEventBuffer,
		maxEvent:       1 << 20,
		maxResponse:    64 << 20,
		markSeen:       DefaultMarkSeen,
		catchUp:        DefaultCatchUp,
		setBotFlag:     DefaultSetBotFlag,
	}
}

// WithLogger sets the logger.
func WithLogger(l *zap.Logger) Option {
	return optionFunc(func(c *config) {
		if l != nil {
			c.logger = l
		}
	})
}

// WithStore keeps the platform's cursors (the highest handled message of
// every chat) in s, so that a restarted bot fetches what arrived meanwhile.
// Without it cursors live in memory and cover reconnects and lags; a
// restart then resumes from the daemon's unseen messages (handled ones
// are marked seen, see WithMarkSeen).
func WithStore(s store.Store) Option {
	return optionFunc(func(c *config) { c.store = s })
}

// WithHeaders adds headers to every request, for a reverse proxy in front
// of the daemon (an Authorization header, say).
func WithHeaders(h http.Header) Option {
	return optionFunc(func(c *config) {
		for k, vs := range h {
			for _, v := range vs {
				c.headers.Add(k, v)
			}
		}
	})
}

// WithAccount sets the Delta Chat account id. By default the first id of
// get_all_account_ids is used, or 1 (edge devices always use 1).
func WithAccount(id int64) Option {
	return optionFunc(func(c *config) {
		if id < 1 {
			panic("privitty: account id must be positive")
		}
		c.account = id
	})
}

// WithHTTPClient sets the HTTP client. Its Timeout must be zero, since the
// event stream stays open; per-call deadlines come from WithCallTimeout.
func WithHTTPClient(hc *http.Client) Option {
	return optionFunc(func(c *config) {
		if hc != nil {
			c.httpClient = hc
		}
	})
}

// WithCallTimeout sets the deadline of calls whose context has none
// (default 30s).
func WithCallTimeout(d time.Duration) Option {
	return optionFunc(func(c *config) { c.callTimeout = d })
}

// WithConnectTimeout sets how long opening the event stream may take
// until the daemon answers with its response headers (default
// DefaultConnectTimeout). A daemon that accepts the connection and says
// nothing, frozen or overloaded, is then given up on, logged and tried
// again with backoff.
func WithConnectTimeout(d time.Duration) Option {
	return optionFunc(func(c *config) {
		if d <= 0 {
			panic("privitty: connect timeout must be positive")
		}
		c.connectTimeout = d
	})
}

// WithBackoff sets the reconnect delays: the first retry waits about lo,
// each next one twice as long up to hi, with jitter. The delay resets
// after a stream that opened.
func WithBackoff(lo, hi time.Duration) Option {
	return optionFunc(func(c *config) {
		if lo <= 0 || hi < lo {
			panic("privitty: invalid backoff")
		}
		c.minBackoff, c.maxBackoff = lo, hi
	})
}

// WithIdleTimeout sets how long the event stream may stay silent before it
// is taken for dead and reopened (default 45s: three missed keepalive
// pings).
func WithIdleTimeout(d time.Duration) Option {
	return optionFunc(func(c *config) {
		if d <= 0 {
			panic("privitty: idle timeout must be positive")
		}
		c.idleTimeout = d
	})
}

// WithCursorFlush sets the least time between two writes of the handled
// cursors (default DefaultCursorFlush), after each of which handled
// messages are marked seen: a cursor that moved is written at once, then
// at most once per d; both also happen on Close. A crash loses at most
// about d of progress, which comes back as messages passed on again: those
// the bot answered with a reply quoting them are recognized and skipped
// (Stats.Answered), others reach the handlers again unless the Dedupe
// middleware drops them.
func WithCursorFlush(d time.Duration) Option {
	return optionFunc(func(c *config) {
		if d <= 0 {
			panic("privitty: cursor flush interval must be positive")
		}
		c.flushEvery = d
	})
}

// WithEventBuffer sets how many events the stream reader may hold while
// handlers are busy (default 1024). Beyond it the reader leaves message
// events out (counted in Stats.Overflowed) and keeps reading, so that a
// stream the daemon closed is reopened at once; a catch-up fetches the
// messages left out. Other events are held, as many again, and passed on
// after that catch-up; beyond that the reader waits for room. With
// catch-up off (WithCatchUp) nothing would fetch them, so the reader waits
// for room instead of leaving messages out.
func WithEventBuffer(n int) Option {
	return optionFunc(func(c *config) {
		if n < 1 {
			panic("privitty: event buffer must be at least 1")
		}
		c.eventBuffer = n
	})
}

// WithMarkSeen turns marking handled messages seen (markseen_msgs) on or
// off (default on, as Delta Chat bots do; it sends read receipts). A bot
// without a store resumes from the unseen messages after a restart, so
// with it off every unseen message is passed on again at each start.
// A message is marked once its handler's outcome is final: not when a
// command of the handler was not delivered.
func WithMarkSeen(on bool) Option {
	return optionFunc(func(c *config) { c.markSeen = on })
}

// WithCatchUp turns fetching missed messages after a reconnect, a lag or a
// restart on or off (default on).
func WithCatchUp(on bool) Option {
	return optionFunc(func(c *config) { c.catchUp = on })
}

// WithSetBotFlag makes the platform set the account's "bot" config flag
// at start when it is not set (default DefaultSetBotFlag: off, it only
// says so). The core treats a bot account as a bot: long texts arrive
// whole instead of cut, and new contacts' chats need no accepting.
func WithSetBotFlag(on bool) Option {
	return optionFunc(func(c *config) { c.setBotFlag = on })
}

// WithCommandObserver sets a function told about every JSON-RPC call: its
// method ("send_msg"), its outcome ("ok", "error", "unknown" when the
// answer was lost after the request went out, "not_sent") and how long it
// took. Metrics use it.
func WithCommandObserver(f func(method, outcome string, d time.Duration)) Option {
	return optionFunc(func(c *config) { c.onCommand = f })
}

// WithReconnectObserver sets a function called on every event stream
// opened after the first.
func WithReconnectObserver(f func()) Option {
	return optionFunc(func(c *config) { c.onReconnect = f })
}
