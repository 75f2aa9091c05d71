package store

import (
	"context"
	"fmt"
	"sync"
	"time"
)

// DefaultMaxEntries is the Memory size bound when WithMaxEntries is not given.
const DefaultMaxEntries = 100_000

// sweepBatch bounds how many expired entries one write removes, so the cost
// of expiry is spread over writes instead of landing on one caller.
const sweepBatch = 4

// compactSlack keeps small stores from compacting their queues on every write.
const compactSlack = 64

// Memory is an in-process Store with a size bound. It has no goroutines:
// expired entries are hidden on read and removed a few at a time by writes,
// and when the store is full an expired entry is dropped first, otherwise
// the entry written longest ago. The zero value is not usable; call
// NewMemory.
type Memory struct {
	mu      sync.Mutex
	entries map[string]memEntry
	// order queues every write, oldest first. A queued write is stale when
	// its key was deleted or written again since; stale ones are skipped.
	order ring
	// deadlines queues the writes that carry a ttl, with the same staleness
	// rule, earliest deadline first.
	deadlines deadlineQueue
	seq       uint64
	max       int
	now       func() time.Time
	closed    bool
}

type memEntry struct {
	value    []byte
	deadline int64  // unix nanoseconds; 0 means no expiry
	seq      uint64 // identifies the write that stored this entry
}

type memoryConfig struct {
	maxEntries int
	now        func() time.Time
}

// MemoryOption configures NewMemory.
type MemoryOption interface {
	apply(*memoryConfig)
}

type maxEntriesOption int

func (o maxEntriesOption) apply(c *memoryConfig) { c.maxEntries = int(o) }

// WithMaxEntries bounds the number of entries Memory holds. It must be at
// least 1; NewMemory panics otherwise.
func WithMaxEntries(n int) MemoryOption { return maxEntriesOption(n) }

type clockOption func() time.Time

func (o clockOption) apply(c *memoryConfig) { c.now = o }

// WithClock replaces time.Now as Memory's source of time, so tests can move
// time forward instead of sleeping. A nil clock means time.Now.
func WithClock(now func() time.Time) MemoryOption { return clockOption(now) }

// NewMemory returns an empty in-memory store.
func NewMemory(opts ...MemoryOption) *Memory {
	cfg := memoryConfig{maxEntries: DefaultMaxEntries}
	for _, o := range opts {
		o.apply(&cfg)
	}
	if cfg.maxEntries < 1 {
		panic(fmt.Sprintf("store: WithMaxEntries(%d): the bound must be at least 1", cfg.maxEntries))
	}
	if cfg.now == nil {
		cfg.now = time.Now
	}
	return &Memory{
		entries: make(map[string]memEntry),
		max:     cfg.maxEntries,
		now:     cfg.now,
	}
}

// Len reports how many entries Memory holds, counting expired entries that
// no write has removed yet. It never exceeds the WithMaxEntries bound.
func (m *Memory) Len() int {
	m.mu.Lock()
	defer m.mu.Unlock()
	return len(m.entries)
}

// Get returns a copy of the value under key.
func (m *Memory) Get(ctx context.Context, key string) ([]byte, bool, error) {
	if err := ctx.Err(); err != nil {
		return nil, false, err
	}
	if err := checkKey(key); err != nil {
		return nil, false, err
	}
	m.mu.Lock()
	defer m.mu.Unlock()
	if m.closed {
		return nil, false, ErrClosed
	}
	e, ok := m.entries[key]
	if !ok {
		return nil, false, nil
	}
	if e.deadline != 0 && expired(e.deadline, m.now().UnixNano()) {
		delete(m.entries, key)
		m.compact()
		return nil, false, nil
	}
	out := make([]byte, len(e.value))
	copy(out, e.value)
	return out, true, nil
}

// Set stores a copy of value under key. Writing a key, new or not, moves it
// to the back of the eviction order.
func (m *Memory) Set(ctx context.Context, key string, value []byte, ttl time.Duration) error {
	if err := ctx.Err(); err != nil {
		return err
	}
	if err := checkWrite(key, ttl); err != nil {
		return err
	}
	now := m.now().UnixNano()
	m.mu.Lock()
	defer m.mu.Unlock()
	if m.closed {
		return ErrClosed
	}
	m.sweep(now)
	_, present := m.entries[key]
	m.put(key, value, deadline(now, ttl), now, present)
	return nil
}

// Add stores a copy of value under key if key is absent or expired.
func (m *Memory) Add(ctx context.Context, key string, value []byte, ttl time.Duration) (bool, error) {
	if err := ctx.Err(); err != nil {
		return false, err
	}
	if err := checkWrite(key, ttl); err != nil {
		return false, err
	}
	now := m.now().UnixNano()
	m.mu.Lock()
	defer m.mu.Unlock()
	if m.closed {
		return false, ErrClosed
	}
	e, present := m.entries[key]
	if present && !expired(e.deadline, now) {
		return false, nil
	}
	m.sweep(now)
	if present {
		// The sweep may have removed the expired entry just seen.
		_, present = m.entries[key]
	}
	m.put(key, value, deadline(now, ttl), now, present)
	return true, nil
}

// Delete removes key.
func (m *Memory) Delete(ctx context.Context, key string) error {
	if err := ctx.Err(); err != nil {
		return err
	}
	if err := checkKey(key); err != nil {
		return err
	}
	m.mu.Lock()
	defer m.mu.Unlock()
	if m.closed {
		return ErrClosed
	}
	delete(m.entries, key)
	if m.deadlines.len() > 0 {
		m.sweep(m.now().UnixNano())
	}
	m.compact()
	return nil
}

// Close drops every entry. Later calls return ErrClosed; Close itself may be
// called again.
func (m *Memory) Close() error {
	m.mu.Lock()
	defer m.mu.Unlock()
	m.closed = true
	m.entries = nil
	m.order = ring{}
	m.deadlines = deadlineQueue{}
	return nil
}

// put writes an entry; present says whether key already has one (live or
// expired), in which case the store does not grow. Callers hold m.mu.
func (m *Memory) put(key string, value []byte, dl, now int64, present bool) {
	if !present && len(m.entries) >= m.max {
		m.evictOne(now)
	}
	m.seq++
	var v []byte
	if len(value) > 0 {
		v = make([]byte, len(value))
		copy(v, value)
	}
	m.entries[key] = memEntry{value: v, deadline: dl, seq: m.seq}
	w := write{key: key, seq: m.seq, deadline: dl}
	m.order.push(w)
	if dl != 0 {
		m.deadlines.push(w)
	}
	m.compact()
}

// live reports whether a queued write is still the current one for its key.
func (m *Memory) live(key string, seq uint64) bool {
	e, ok := m.entries[key]
	return ok && e.seq == seq
}

// sweep removes up to sweepBatch expired entries, earliest deadline first.
// It looks at deadlines before liveness, so the common case, nothing due,
// costs no map lookup.
func (m *Memory) sweep(now int64) {
	for removed := 0; removed < sweepBatch && m.deadlines.len() > 0; {
		top := m.deadlines.peek()
		if !expired(top.deadline, now) {
			return
		}
		m.deadlines.pop()
		if m.live(top.key, top.seq) {
			delete(m.entries, top.key)
			removed++
		}
	}
}

// evictOne makes room for one entry: an expired one if there is any, else
// the one written longest ago. The deadline queue's head has the earliest
// deadline of all queued writes, stale or not, so if it is not due no
// entry is.
func (m *Memory) evictOne(now int64) {
	for m.deadlines.len() > 0 && expired(m.deadlines.peek().deadline, now) {
		top := m.deadlines.peek()
		m.deadlines.pop()
		if m.live(top.key, top.seq) {
			delete(m.entries, top.key)
			return
		}
	}
	for m.order.n > 0 {
		w := m.order.popFront()
		if m.live(w.key, w.seq) {
			delete(m.entries, w.key)
			// With one ttl for all writes, the oldest write also has the
			// earliest deadline: drop it from that queue now, not later.
			if m.deadlines.len() > 0 && m.deadlines.peek().seq == w.seq {
				m.deadlines.pop()
			}
			return
		}
	}
}

// compact drops stale writes once they outnumber live entries, which keeps
// the queues' memory proportional to the store at amortized O(1) per write.
func (m *Memory) compact() {
	limit := 2*len(m.entries) + compactSlack
	if m.order.n > limit {
		m.order.filter(m.live)
	}
	if m.deadlines.len() > limit {
		m.deadlines.filter(m.live)
	}
}
