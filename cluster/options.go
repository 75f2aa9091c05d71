package cluster

import "time"

// DefaultTTL is a lease's time to live when WithTTL is not given. A dead
// process's bots move to another within about this long.
const DefaultTTL = 10 * time.Second

// DefaultNamespace prefixes every Redis key when WithNamespace is not given.
const DefaultNamespace = "parley:"

// Option configures NewLeases.
type Option interface {
	apply(*options)
}

type options struct {
	ttl time.Duration
	ns  string
}

type ttlOption time.Duration

func (o ttlOption) apply(c *options) { c.ttl = time.Duration(o) }

// WithTTL sets how long a lease lives without renewal. Keep renews it every
// third of that. It must be at least a millisecond; NewLeases panics
// otherwise.
func WithTTL(d time.Duration) Option { return ttlOption(d) }

type nsOption string

func (o nsOption) apply(c *options) { c.ns = string(o) }

// WithNamespace prefixes every key, so that separate deployments can share
// one Redis server.
func WithNamespace(ns string) Option { return nsOption(ns) }
