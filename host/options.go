package host

import (
	"fmt"
	"time"

	"github.com/prometheus/client_golang/prometheus"
	"go.uber.org/zap"
)

// Option configures a Host.
type Option func(*config)

type config struct {
	logger          *zap.Logger
	addr            string
	minBackoff      time.Duration
	maxBackoff      time.Duration
	stableAfter     time.Duration
	shutdownTimeout time.Duration
	registerer      prometheus.Registerer
	gatherer        prometheus.Gatherer
	registrySet     bool
	readyNote       func() string
}

// Defaults for the options.
const (
	DefaultMinBackoff      = 500 * time.Millisecond
	DefaultMaxBackoff      = 30 * time.Second
	DefaultStableAfter     = time.Minute
	DefaultShutdownTimeout = 5 * time.Second
)

// WithLogger sets the logger; the host names it "host". Default: none.
func WithLogger(l *zap.Logger) Option {
	return func(c *config) {
		if l == nil {
			l = zap.NewNop()
		}
		c.logger = l
	}
}

// WithAddr sets the listen address of the HTTP server that serves
// /healthz, /readyz and /metrics, such as ":9090" or "127.0.0.1:0" (Addr
// reports the port chosen). Default "": no server; Handler still works.
func WithAddr(addr string) Option {
	return func(c *config) { c.addr = addr }
}

// WithBackoff sets the restart delay after a bot fails: min after the
// first failure, doubling per failure up to max, each delay jittered
// down by up to half so that bots failing together do not retry together.
// It panics unless 0 < min <= max.
func WithBackoff(min, max time.Duration) Option {
	if min <= 0 || max < min {
		panic(fmt.Sprintf("host: WithBackoff(%v, %v) needs 0 < min <= max", min, max))
	}
	return func(c *config) { c.minBackoff, c.maxBackoff = min, max }
}

// WithStableAfter sets how long a run must last for the next failure to
// start again from the minimum backoff (default DefaultStableAfter).
func WithStableAfter(d time.Duration) Option {
	if d <= 0 {
		panic(fmt.Sprintf("host: WithStableAfter(%v) needs a positive duration", d))
	}
	return func(c *config) { c.stableAfter = d }
}

// WithShutdownTimeout bounds the HTTP server's graceful shutdown, which
// starts once every bot has stopped (default DefaultShutdownTimeout).
func WithShutdownTimeout(d time.Duration) Option {
	if d <= 0 {
		panic(fmt.Sprintf("host: WithShutdownTimeout(%v) needs a positive duration", d))
	}
	return func(c *config) { c.shutdownTimeout = d }
}

// WithRegistry sets where the host registers its metrics (reg) and what
// /metrics serves (g); usually both are one *prometheus.Registry. Either
// may be nil: no host metrics, or no /metrics. By default the host makes
// its own registry with the Go runtime and process collectors; Registerer
// returns it so bots can register theirs alongside.
func WithRegistry(reg prometheus.Registerer, g prometheus.Gatherer) Option {
	return func(c *config) { c.registerer, c.gatherer, c.registrySet = reg, g, true }
}

// WithReadyNote adds the line note returns to every /readyz answer while
// the host runs, for example which bots a clustered process owns.
func WithReadyNote(note func() string) Option {
	return func(c *config) { c.readyNote = note }
}
