package redis

import "time"

// DefaultPrefix is the key prefix when WithPrefix is not given.
const DefaultPrefix = "parley:"

// Option configures Open and New.
type Option interface {
	apply(*options)
}

type options struct {
	prefix string
	now    func() time.Time
	fence  *fence
}

type fence struct {
	key   string
	token int64
}

type prefixOption string

func (o prefixOption) apply(c *options) { c.prefix = string(o) }

// WithPrefix puts every key of the store under prefix, which may be empty.
// Give each bot its own prefix; keys of one Redis Cluster slot share a
// hash tag, so a prefix such as "parley:{bot}:" keeps a bot's keys and
// its fence key together.
func WithPrefix(prefix string) Option { return prefixOption(prefix) }

type clockOption func() time.Time

func (o clockOption) apply(c *options) { c.now = o }

// WithClock replaces time.Now as the store's source of time, so tests can
// move time forward instead of sleeping. A nil clock means time.Now.
func WithClock(now func() time.Time) Option { return clockOption(now) }

type fenceOption fence

func (o fenceOption) apply(c *options) { f := fence(o); c.fence = &f }

// WithFence makes every write (Set, Add, Delete) succeed only while the
// integer at key (the full Redis key, not prefixed) equals token, checked
// atomically with the write. Otherwise the write fails with a *FencedError
// and changes nothing. Reads are not fenced.
func WithFence(key string, token int64) Option { return fenceOption{key: key, token: token} }
