package olvid

import (
	"crypto/tls"
	"time"

	"go.uber.org/zap"
	"google.golang.org/grpc"

	"github.com/parleybot/parley/store"
)

// The defaults of every setting; options and the configuration adapter
// both start from these.
const (
	// DefaultTarget is the daemon's address when none is given.
	DefaultTarget = "localhost:50051"
	// DefaultCallTimeout bounds calls whose context has no deadline.
	DefaultCallTimeout = 30 * time.Second
	// DefaultBackoffMin and DefaultBackoffMax bound the delay between
	// attempts to reopen the notification streams.
	DefaultBackoffMin = 250 * time.Millisecond
	DefaultBackoffMax = 30 * time.Second
	// DefaultCursorFlush is how often handled positions are written to
	// the store.
	DefaultCursorFlush = 100 * time.Millisecond
	// DefaultEventBuffer is how many notifications the stream readers may
	// hold while handlers are busy; beyond it they stop reading and gRPC
	// flow control holds the daemon back.
	DefaultEventBuffer = 1024
	// DefaultSubscribeWait is how long the platform waits for each
	// stream's response headers before it lists what it missed; a daemon
	// that sends headers only with its first notification costs this
	// much at each (re)connect, and a second catch-up when the message or
	// invitation stream answers late.
	DefaultSubscribeWait = 2 * time.Second
	// DefaultMaxText is the longest body, in bytes, one message carries;
	// Send splits longer texts.
	DefaultMaxText = 8000
	// DefaultChunkSize is the size of the payload chunks of an upload.
	DefaultChunkSize = 1 << 20
	// DefaultAcceptWait bounds how long accepting an invitation waits
	// for the new contact's discussion before sending the welcome.
	DefaultAcceptWait = 30 * time.Second
	// DefaultCatchUpPage is how many messages one catch-up fetch passes on.
	DefaultCatchUpPage = 500
)

// Option configures a Client or a Platform (options that only concern
// the platform are ignored by NewClient).
type Option interface{ apply(*options) }

type optionFunc func(*options)

func (f optionFunc) apply(o *options) { f(o) }

type options struct {
	logger        *zap.Logger
	store         store.Store
	clientKey     string
	identityID    uint64
	tls           *tls.Config
	dialOpts      []grpc.DialOption
	callTimeout   time.Duration
	backoffMin    time.Duration
	backoffMax    time.Duration
	flushEvery    time.Duration
	eventBuffer   int
	subscribeWait time.Duration
	maxText       int
	chunkSize     int
	acceptWait    time.Duration
	page          int
	streams       map[Notification]bool
	catchUp       bool
	onCommand     func(method, outcome string, d time.Duration)
	onReconnect   func()
}

func defaultOptions() options {
	o := options{
		logger:        zap.NewNop(),
		callTimeout:   DefaultCallTimeout,
		backoffMin:    DefaultBackoffMin,
		backoffMax:    DefaultBackoffMax,
		flushEvery:    DefaultCursorFlush,
		eventBuffer:   DefaultEventBuffer,
		subscribeWait: DefaultSubscribeWait,
		maxText:       DefaultMaxText,
		chunkSize:     DefaultChunkSize,
		acceptWait:    DefaultAcceptWait,
		page:          DefaultCatchUpPage,
		streams:       map[Notification]bool{},
		catchUp:       true,
	}
	for _, n := range DefaultNotifications {
		o.streams[n] = true
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

// WithClientKey sets the daemon client key sent as "daemon-client-key"
// with every call and stream.
func WithClientKey(key string) Option {
	return optionFunc(func(o *options) { o.clientKey = key })
}

// WithIdentityID picks the identity an admin client key acts for; it is
// sent as "daemon-identity-id". Keys bound to an identity need none.
func WithIdentityID(id uint64) Option {
	return optionFunc(func(o *options) { o.identityID = id })
}

// WithTLS connects with TLS (mutual TLS when cfg has client
// certificates); see LoadTLS. Without it the connection is plaintext, the
// daemon's default, and the platform warns unless the target is loopback.
func WithTLS(cfg *tls.Config) Option {
	return optionFunc(func(o *options) { o.tls = cfg })
}

// WithDialOptions adds gRPC dial options, after the platform's own.
func WithDialOptions(opts ...grpc.DialOption) Option {
	return optionFunc(func(o *options) { o.dialOpts = append(o.dialOpts, opts...) })
}

// WithStore keeps the platform's positions (the last handled message of
// every discussion) in s, so a restarted bot catches up from there.
// Without it they live in memory and cover reconnects only.
func WithStore(s store.Store) Option {
	return optionFunc(func(o *options) { o.store = s })
}

// WithCallTimeout bounds calls whose context has no deadline (default
// DefaultCallTimeout).
func WithCallTimeout(d time.Duration) Option {
	return optionFunc(func(o *options) {
		if d <= 0 {
			panic("olvid: call timeout must be positive")
		}
		o.callTimeout = d
	})
}

// WithBackoff sets the reconnect delays: about lo first, doubling up to
// hi, with jitter.
func WithBackoff(lo, hi time.Duration) Option {
	return optionFunc(func(o *options) {
		if lo <= 0 || hi < lo {
			panic("olvid: invalid backoff")
		}
		o.backoffMin, o.backoffMax = lo, hi
	})
}

// WithCursorFlush sets how often handled positions are written to the
// store (default DefaultCursorFlush; Close writes the last ones).
func WithCursorFlush(d time.Duration) Option {
	return optionFunc(func(o *options) {
		if d <= 0 {
			panic("olvid: cursor flush interval must be positive")
		}
		o.flushEvery = d
	})
}

// WithEventBuffer sets how many notifications may wait for the handlers
// (default DefaultEventBuffer).
func WithEventBuffer(n int) Option {
	return optionFunc(func(o *options) {
		if n < 1 {
			panic("olvid: event buffer must be at least 1")
		}
		o.eventBuffer = n
	})
}

// WithSubscribeWait sets how long each stream's headers are awaited
// before catching up (default DefaultSubscribeWait). When the message or
// invitation stream answers after it, the platform catches up again before
// passing on what that stream brings, as the subscription may have come
// after the first catch-up's listing.
func WithSubscribeWait(d time.Duration) Option {
	return optionFunc(func(o *options) {
		if d < 0 {
			panic("olvid: subscribe wait must not be negative")
		}
		o.subscribeWait = d
	})
}

// WithMaxText sets the longest body in bytes; Send splits longer texts
// (default DefaultMaxText).
func WithMaxText(n int) Option {
	return optionFunc(func(o *options) {
		if n < 16 {
			panic("olvid: max text must be at least 16 bytes")
		}
		o.maxText = n
	})
}

// WithChunkSize sets the payload chunk size of uploads (default
// DefaultChunkSize).
func WithChunkSize(n int) Option {
	return optionFunc(func(o *options) {
		if n < 1 {
			panic("olvid: chunk size must be positive")
		}
		o.chunkSize = n
	})
}

// WithAcceptWait bounds how long AcceptRequest waits for the new
// discussion before sending a welcome (default DefaultAcceptWait).
func WithAcceptWait(d time.Duration) Option {
	return optionFunc(func(o *options) {
		if d <= 0 {
			panic("olvid: accept wait must be positive")
		}
		o.acceptWait = d
	})
}

// WithNotifications opens the streams of these notifications too, besides
// DefaultNotifications.
func WithNotifications(ns ...Notification) Option {
	return optionFunc(func(o *options) {
		for _, n := range ns {
			if _, ok := notificationSpecs[n]; !ok {
				panic("olvid: unknown notification " + string(n))
			}
			o.streams[n] = true
		}
	})
}

// WithoutNotifications leaves the streams of these notifications closed.
// MessageReceived cannot be left out.
func WithoutNotifications(ns ...Notification) Option {
	return optionFunc(func(o *options) {
		for _, n := range ns {
			if n != NotifyMessageReceived {
				delete(o.streams, n)
			}
		}
	})
}

// WithCatchUp turns fetching missed messages after a (re)connect on or
// off (default on).
func WithCatchUp(on bool) Option {
	return optionFunc(func(o *options) { o.catchUp = on })
}

// WithCommandObserver sets a function told about every command: its
// method ("MessageSend"), its outcome ("ok", "error", or "unknown" when
// the daemon may or may not have run it) and how long it took. Metrics
// use it.
func WithCommandObserver(f func(method, outcome string, d time.Duration)) Option {
	return optionFunc(func(o *options) { o.onCommand = f })
}

// WithReconnectObserver sets a function called each time the streams are
// reopened after the first time.
func WithReconnectObserver(f func()) Option {
	return optionFunc(func(o *options) { o.onReconnect = f })
}
