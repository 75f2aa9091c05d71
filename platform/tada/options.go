package tada

import (
	"net/http"
	"time"

	"go.uber.org/zap"

	"github.com/parleybot/parley/store"
)

// Defaults of the options; the config adapter uses them too.
const (
	// DefaultCallTimeout bounds REST calls and WebSocket writes whose
	// context has no deadline.
	DefaultCallTimeout = 30 * time.Second
	// DefaultReconnectMin and DefaultReconnectMax bound the reconnect
	// backoff (and the RATE_LIMIT retry backoff).
	DefaultReconnectMin = 250 * time.Millisecond
	DefaultReconnectMax = 30 * time.Second
	// DefaultPingInterval is how often client.ping is sent.
	DefaultPingInterval = 20 * time.Second
	// DefaultPingTimeout is how long the server.confirm of a ping may take
	// before the connection is taken for dead.
	DefaultPingTimeout = 15 * time.Second
	// DefaultResendTimeout is the resend delay of unconfirmed client events
	// when /features.json does not give resend_timeout.
	DefaultResendTimeout = 5 * time.Second
	// DefaultMaxMessageLength splits texts when /features.json does not
	// give max_message_length.
	DefaultMaxMessageLength = 4096
	// DefaultRateLimitRetries is how many times a call refused with
	// RATE_LIMIT is tried again.
	DefaultRateLimitRetries = 5
	// DefaultSendRetries is how many times a send whose outcome is unknown
	// (connection lost) is tried again with the same message_id.
	DefaultSendRetries = 3
	// DefaultCursorFlush is how often handled positions are written to the
	// store.
	DefaultCursorFlush = time.Second
	// DefaultCatchUpPage is how many messages one catch-up call asks for.
	DefaultCatchUpPage = 100
	// DefaultMaxFrame is the largest WebSocket frame read.
	DefaultMaxFrame = 16 << 20
	// DefaultEventBuffer is how many frames the reader holds while the bot
	// is busy; beyond it frames are dropped and their messages caught up.
	DefaultEventBuffer = 1 << 16
	// DefaultSeenMessages is how many message versions are remembered to
	// drop duplicates from the stream and catch-up.
	DefaultSeenMessages = 10000
)

// Option configures a Platform or a Client (options that concern only the
// platform are ignored by NewClient).
type Option interface{ apply(*options) }

type optionFunc func(*options)

func (f optionFunc) apply(o *options) { f(o) }

type options struct {
	logger           *zap.Logger
	store            store.Store
	httpClient       *http.Client
	callTimeout      time.Duration
	reconnectMin     time.Duration
	reconnectMax     time.Duration
	pingInterval     time.Duration
	pingTimeout      time.Duration
	resendTimeout    time.Duration
	maxMessageLength int
	rateLimitRetries int
	sendRetries      int
	cursorFlush      time.Duration
	catchUpPage      int
	catchUp          bool
	maxFrame         int64
	eventBuffer      int
	seenMessages     int
	sendOverWS       bool
	markRead         bool
}

func defaultOptions() options {
	return options{
		logger:           zap.NewNop(),
		callTimeout:      DefaultCallTimeout,
		reconnectMin:     DefaultReconnectMin,
		reconnectMax:     DefaultReconnectMax,
		pingInterval:     DefaultPingInterval,
		pingTimeout:      DefaultPingTimeout,
		rateLimitRetries: DefaultRateLimitRetries,
		sendRetries:      DefaultSendRetries,
		cursorFlush:      DefaultCursorFlush,
		catchUpPage:      DefaultCatchUpPage,
		catchUp:          true,
		maxFrame:         DefaultMaxFrame,
		eventBuffer:      DefaultEventBuffer,
		seenMessages:     DefaultSeenMessages,
		markRead:         true,
	}
}

func buildOptions(opts []Option) options {
	o := defaultOptions()
	for _, op := range opts {
		if op != nil {
			op.apply(&o)
		}
	}
	return o
}

// WithLogger sets the logger.
func WithLogger(l *zap.Logger) Option {
	return optionFunc(func(o *options) {
		if l != nil {
			o.logger = l
		}
	})
}

// WithStore keeps the platform's cursors (the highest handled message
// version of every chat) in s, so that a restarted bot fetches what
// arrived meanwhile. Without it cursors live in memory and cover
// reconnects only.
func WithStore(s store.Store) Option { return optionFunc(func(o *options) { o.store = s }) }

// WithHTTPClient sets the HTTP client of REST calls and the WebSocket
// upgrade.
func WithHTTPClient(hc *http.Client) Option {
	return optionFunc(func(o *options) {
		if hc != nil {
			o.httpClient = hc
		}
	})
}

// WithCallTimeout bounds REST calls and WebSocket writes whose context has
// no deadline (default DefaultCallTimeout).
func WithCallTimeout(d time.Duration) Option {
	return optionFunc(func(o *options) {
		if d <= 0 {
			panic("tada: call timeout must be positive")
		}
		o.callTimeout = d
	})
}

// WithBackoff sets the reconnect delays: about lo first, doubling up to
// hi, with jitter. RATE_LIMIT retries use the same bounds.
func WithBackoff(lo, hi time.Duration) Option {
	return optionFunc(func(o *options) {
		if lo <= 0 || hi < lo {
			panic("tada: invalid backoff")
		}
		o.reconnectMin, o.reconnectMax = lo, hi
	})
}

// WithPing sets how often client.ping is sent and how long its
// server.confirm may take before the connection is reopened.
func WithPing(interval, timeout time.Duration) Option {
	return optionFunc(func(o *options) {
		if interval <= 0 || timeout <= 0 {
			panic("tada: ping interval and timeout must be positive")
		}
		o.pingInterval, o.pingTimeout = interval, timeout
	})
}

// WithResendTimeout overrides the server's resend_timeout: how long a
// client event waits for server.confirm before it is sent again.
func WithResendTimeout(d time.Duration) Option {
	return optionFunc(func(o *options) {
		if d <= 0 {
			panic("tada: resend timeout must be positive")
		}
		o.resendTimeout = d
	})
}

// WithMaxMessageLength overrides the server's max_message_length, the
// length beyond which texts are split into several messages.
func WithMaxMessageLength(n int) Option {
	return optionFunc(func(o *options) {
		if n < 1 {
			panic("tada: max message length must be positive")
		}
		o.maxMessageLength = n
	})
}

// WithRateLimitRetries sets how many times a call refused with RATE_LIMIT
// (HTTP 429) is tried again, with backoff (default
// DefaultRateLimitRetries; 0 returns the error at once).
func WithRateLimitRetries(n int) Option {
	return optionFunc(func(o *options) { o.rateLimitRetries = max(n, 0) })
}

// WithSendRetries sets how many times Platform.Send tries again, with the
// same message_id, a message whose outcome is unknown (default
// DefaultSendRetries).
func WithSendRetries(n int) Option {
	return optionFunc(func(o *options) { o.sendRetries = max(n, 0) })
}

// WithSendOverWebSocket makes Platform.Send use client.message.updated on
// the WebSocket, resent until server.confirm, instead of the REST call
// (the default, which reports refusals as *APIError).
func WithSendOverWebSocket(on bool) Option {
	return optionFunc(func(o *options) { o.sendOverWS = on })
}

// WithCursorFlush sets how often handled positions are written to the
// store (default DefaultCursorFlush; they are also written on Close).
func WithCursorFlush(d time.Duration) Option {
	return optionFunc(func(o *options) {
		if d <= 0 {
			panic("tada: cursor flush interval must be positive")
		}
		o.cursorFlush = d
	})
}

// WithMarkRead turns marking handled messages read on or off (default
// on): each chat's read marker (client.chat.lastread) follows the new
// messages handled for good, so a bot started without its store resumes
// from the marker. Off, such a bot starts at the newest message.
func WithMarkRead(on bool) Option { return optionFunc(func(o *options) { o.markRead = on }) }

// WithCatchUp turns fetching missed messages after a reconnect or a
// restart on or off (default on).
func WithCatchUp(on bool) Option { return optionFunc(func(o *options) { o.catchUp = on }) }

// WithCatchUpPage sets how many messages one catch-up call asks for.
func WithCatchUpPage(n int) Option {
	return optionFunc(func(o *options) {
		if n < 1 {
			panic("tada: catch-up page must be positive")
		}
		o.catchUpPage = n
	})
}

// WithMaxFrame sets the largest WebSocket frame read (default
// DefaultMaxFrame); a larger one ends the connection.
func WithMaxFrame(n int64) Option {
	return optionFunc(func(o *options) {
		if n < 1024 {
			panic("tada: max frame below 1 KiB")
		}
		o.maxFrame = n
	})
}

// WithEventBuffer sets how many frames the reader holds while the bot is
// busy (default DefaultEventBuffer). The reader never stops reading the
// socket: past the bound frames are dropped and counted
// (ClientStats.Overflow), the messages among them are fetched over REST,
// and the rest come again on the next connection, being unconfirmed.
func WithEventBuffer(n int) Option {
	return optionFunc(func(o *options) {
		if n < 1 {
			panic("tada: event buffer must be at least 1")
		}
		o.eventBuffer = n
	})
}
