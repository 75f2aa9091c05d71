package virola

import (
	"crypto/x509"
	"net/http"
	"time"

	"go.uber.org/zap"

	"github.com/parleybot/parley/store"
)

// Defaults. They are the one place the package's and its configuration's
// defaults live.
const (
	// DefaultCallTimeout bounds a REST call whose context has no deadline.
	DefaultCallTimeout = 30 * time.Second
	// DefaultMinBackoff and DefaultMaxBackoff bound the reconnect delay,
	// as the web client does (1s doubling to 30s).
	DefaultMinBackoff = time.Second
	DefaultMaxBackoff = 30 * time.Second
	// DefaultPingInterval is how often the events socket is pinged: the
	// protocol has no keepalive of its own.
	DefaultPingInterval = 30 * time.Second
	// DefaultPingTimeout is how long a ping may go unanswered before the
	// socket is taken for dead and reopened.
	DefaultPingTimeout = 10 * time.Second
	// DefaultFlushEvery is how often handled cursors are written to the
	// store.
	DefaultFlushEvery = time.Second
	// DefaultCatchUpPage is how many messages one catch-up request asks
	// for.
	DefaultCatchUpPage = 100
	// DefaultSendMatch is how long Send waits for the server's event of
	// the message it created before it looks the message up in the room.
	DefaultSendMatch = 3 * time.Second
	// DefaultMaxFrame is the largest events frame accepted.
	DefaultMaxFrame = 4 << 20
	// DefaultMaxResponse is the largest REST answer read.
	DefaultMaxResponse = 64 << 20
	// DefaultReplyInThread sends replies as comments on the message
	// replied to (Virola has no quoting).
	DefaultReplyInThread = true
	// DefaultCatchUp turns catch-up after (re)connects on.
	DefaultCatchUp = true
)

// Option configures a Platform or a Client (NewClient ignores the
// options that concern only the platform).
type Option interface{ apply(*options) }

type optionFunc func(*options)

func (f optionFunc) apply(o *options) { f(o) }

type options struct {
	logger        *zap.Logger
	store         store.Store
	token         string
	userName      string
	password      string
	httpClient    *http.Client
	pinned        []*x509.Certificate
	insecure      bool
	callTimeout   time.Duration
	minBackoff    time.Duration
	maxBackoff    time.Duration
	pingInterval  time.Duration
	pingTimeout   time.Duration
	flushEvery    time.Duration
	page          int
	sendMatch     time.Duration
	maxFrame      int64
	maxResponse   int64
	replyInThread bool
	catchUp       bool
	markRead      bool
	queueLimit    int // frames waiting between the socket's reader and the session
	onCommand     func(route, outcome string, d time.Duration)
	onReconnect   func()
}

func defaultOptions() options {
	return options{
		logger:        zap.NewNop(),
		callTimeout:   DefaultCallTimeout,
		minBackoff:    DefaultMinBackoff,
		maxBackoff:    DefaultMaxBackoff,
		pingInterval:  DefaultPingInterval,
		pingTimeout:   DefaultPingTimeout,
		flushEvery:    DefaultFlushEvery,
		page:          DefaultCatchUpPage,
		sendMatch:     DefaultSendMatch,
		maxFrame:      DefaultMaxFrame,
		maxResponse:   DefaultMaxResponse,
		replyInThread: DefaultReplyInThread,
		catchUp:       DefaultCatchUp,
		markRead:      true,
		queueLimit:    maxQueued,
	}
}

// WithLogger sets the logger.
func WithLogger(l *zap.Logger) Option {
	return optionFunc(func(o *options) {
		if l != nil {
			o.logger = l
		}
	})
}

// WithStore keeps the platform's cursors (the last handled message of
// every room) in s, so that a restarted bot fetches what arrived
// meanwhile. Without it cursors live in memory and cover reconnects only.
func WithStore(s store.Store) Option {
	return optionFunc(func(o *options) { o.store = s })
}

// WithToken authenticates with a Web API access token (Authorization:
// Bearer). Generating a new token in the desktop client invalidates the
// old one; the server then answers 401, which is permanent.
func WithToken(token string) Option {
	return optionFunc(func(o *options) { o.token = token })
}

// WithLogin authenticates by POST /api/v1/login and the session cookie.
// With a token as well, the token is used for REST calls and the login
// only where the token is refused (the events socket may accept only the
// cookie).
func WithLogin(userName, password string) Option {
	return optionFunc(func(o *options) { o.userName, o.password = userName, password })
}

// WithHTTPClient sets the HTTP client for REST calls and the events
// socket. Its Timeout must be zero, since the socket stays open; TLS
// options are ignored when it is set.
func WithHTTPClient(hc *http.Client) Option {
	return optionFunc(func(o *options) {
		if hc != nil {
			o.httpClient = hc
		}
	})
}

// WithPinnedCertificate trusts exactly these certificates for the server,
// for a self-signed server certificate. The platform logs a warning when
// it is used.
func WithPinnedCertificate(certs ...*x509.Certificate) Option {
	return optionFunc(func(o *options) { o.pinned = append(o.pinned, certs...) })
}

// WithInsecureTLS turns TLS certificate checks off. Prefer
// WithPinnedCertificate; the platform logs a warning when this is on.
func WithInsecureTLS(on bool) Option {
	return optionFunc(func(o *options) { o.insecure = on })
}

// WithCallTimeout sets the deadline of REST calls whose context has none
// (default DefaultCallTimeout).
func WithCallTimeout(d time.Duration) Option {
	return optionFunc(func(o *options) {
		if d <= 0 {
			panic("virola: call timeout must be positive")
		}
		o.callTimeout = d
	})
}

// WithBackoff sets the reconnect delays: the first retry waits about lo,
// each next one twice as long up to hi, with jitter.
func WithBackoff(lo, hi time.Duration) Option {
	return optionFunc(func(o *options) {
		if lo <= 0 || hi < lo {
			panic("virola: invalid backoff")
		}
		o.minBackoff, o.maxBackoff = lo, hi
	})
}

// WithPing sets how often the events socket is pinged and how long an
// answer may take before the socket is reopened.
func WithPing(every, timeout time.Duration) Option {
	return optionFunc(func(o *options) {
		if every <= 0 || timeout <= 0 {
			panic("virola: ping interval and timeout must be positive")
		}
		o.pingInterval, o.pingTimeout = every, timeout
	})
}

// WithCursorFlush sets how often handled cursors are written to the store
// (default DefaultFlushEvery; also on Close). A crash loses at most this
// much progress, which comes back as redelivered messages the Dedupe
// middleware drops.
func WithCursorFlush(d time.Duration) Option {
	return optionFunc(func(o *options) {
		if d <= 0 {
			panic("virola: cursor flush interval must be positive")
		}
		o.flushEvery = d
	})
}

// WithCatchUp turns fetching missed messages after a reconnect or a
// restart on or off (default on).
func WithCatchUp(on bool) Option {
	return optionFunc(func(o *options) { o.catchUp = on })
}

// WithCatchUpPage sets how many messages one catch-up request asks for.
func WithCatchUpPage(n int) Option {
	return optionFunc(func(o *options) {
		if n < 1 {
			panic("virola: catch-up page must be at least 1")
		}
		o.page = n
	})
}

// WithSendMatch sets how long Send waits for the event of the message it
// created before looking it up in the room (default DefaultSendMatch).
func WithSendMatch(d time.Duration) Option {
	return optionFunc(func(o *options) {
		if d <= 0 {
			panic("virola: send match timeout must be positive")
		}
		o.sendMatch = d
	})
}

// WithMarkRead turns marking handled messages read on or off (default
// on): a message whose handler did not fail to deliver a command is
// marked read (POST /api/v1/messages/{id}/read) after the cursors are
// written, so a bot started without its store resumes from the server's
// read marks. Off, such a bot starts at each room's newest message.
func WithMarkRead(on bool) Option {
	return optionFunc(func(o *options) { o.markRead = on })
}

// WithReplyInThread says whether a reply (Outgoing.ReplyTo) is sent as a
// comment on the message replied to (default), or as a plain room
// message.
func WithReplyInThread(on bool) Option {
	return optionFunc(func(o *options) { o.replyInThread = on })
}

// WithMaxFrame sets the largest events frame accepted (default
// DefaultMaxFrame). A larger frame closes the socket; catch-up then
// fetches its messages through REST.
func WithMaxFrame(n int64) Option {
	return optionFunc(func(o *options) {
		if n < 1024 {
			panic("virola: max frame must be at least 1024")
		}
		o.maxFrame = n
	})
}

// WithCommandObserver sets a function told about every REST call: its
// route with numbers as {id} ("POST /api/v1/rooms/{id}/messages"), its
// outcome ("ok", "error", "unknown" when the answer was lost after the
// request went out, "not_sent") and how long it took. Metrics and the
// playground's inspector use it.
func WithCommandObserver(f func(route, outcome string, d time.Duration)) Option {
	return optionFunc(func(o *options) { o.onCommand = f })
}

// WithReconnectObserver sets a function called on every events socket
// opened after the first.
func WithReconnectObserver(f func()) Option {
	return optionFunc(func(o *options) { o.onReconnect = f })
}
