package cluster

import (
	"context"
	"errors"
	"fmt"
	"hash/fnv"
	"slices"
	"strings"
	"sync"
	"time"

	goredis "github.com/redis/go-redis/v9"
	"go.uber.org/zap"
)

// Target hosts the bots a Member owns. Its methods may be called
// concurrently for different bots, never for one bot at once.
type Target interface {
	// Start begins hosting lease.Bot(), keeping its state in lease.Store(),
	// and returns once the bot is started. An error gives the lease back.
	Start(lease *Lease) error
	// Stop stops hosting bot and returns once it has stopped (its cursors
	// flushed), so that the lease can be given up safely.
	Stop(bot string)
}

// Member is one process of a cluster: it announces itself in Redis,
// computes from the live members which of the configured bots are its
// own, takes their leases and hands them to a Target, gives bots up when
// another member should have them (one joined), and stops a bot whose
// lease it lost.
//
// Bots are spread by rendezvous hashing of bot and member ids, so every
// member computes the same split from the same live set, and a join or a
// death moves only the bots that must move.
type Member struct {
	l    *Leases
	bots []string
	log  *zap.Logger

	mu      sync.Mutex
	owned   map[string]*owned
	members []string // live member ids, last heartbeat
	lostN   int
	joined  bool
}

type owned struct {
	lease    *Lease
	stop     context.CancelFunc // ends Keep
	done     chan struct{}      // closed when the keeper returned
	stopping bool               // a Stop is under way; set under Member.mu
}

// MemberOption configures NewMember.
type MemberOption interface {
	applyMember(*Member)
}

type memberLogger struct{ l *zap.Logger }

func (o memberLogger) applyMember(m *Member) { m.log = o.l }

// WithLogger sets the member's logger (default: none).
func WithLogger(l *zap.Logger) MemberOption {
	if l == nil {
		l = zap.NewNop()
	}
	return memberLogger{l}
}

// NewMember returns a member taking leases with l for the bots named, the
// same list in every process of the cluster.
func NewMember(l *Leases, bots []string, opts ...MemberOption) *Member {
	m := &Member{l: l, bots: slices.Clone(bots), log: zap.NewNop(), owned: make(map[string]*owned)}
	for _, o := range opts {
		o.applyMember(m)
	}
	return m
}

// heartbeatScript: KEYS = members set; ARGV = member id, ttl ms. It
// scores the member with its expiry by the server's clock, drops expired
// members and returns the live ones, so that no process clock matters.
var heartbeatScript = goredis.NewScript(`
local t = redis.call('TIME')
local now = tonumber(t[1]) * 1000 + math.floor(tonumber(t[2]) / 1000)
redis.call('ZREMRANGEBYSCORE', KEYS[1], '-inf', now)
if ARGV[1] ~= '' then
  redis.call('ZADD', KEYS[1], now + tonumber(ARGV[2]), ARGV[1])
  redis.call('PEXPIRE', KEYS[1], ARGV[2] * 4)
end
return redis.call('ZRANGE', KEYS[1], 0, -1)
`)

func (m *Member) membersKey() string { return m.l.ns + "members" }

// Run takes part in the cluster until ctx ends, then stops every bot it
// owns, gives their leases up and leaves, so others take the bots at once.
// It returns nil after that; it does not return early on Redis failures,
// which it logs and retries every third of the lease TTL.
func (m *Member) Run(ctx context.Context, t Target) error {
	every := m.l.ttl / 3
	tick := time.NewTicker(every)
	defer tick.Stop()
	for {
		m.reconcile(ctx, t)
		select {
		case <-ctx.Done():
			m.leave(t)
			return nil
		case <-tick.C:
		}
	}
}

// reconcile runs one heartbeat and brings the owned bots in line with it.
func (m *Member) reconcile(ctx context.Context, t Target) {
	hctx, cancel := context.WithTimeout(ctx, m.l.ttl/3)
	live, err := heartbeatScript.Run(hctx, m.l.c, []string{m.membersKey()}, m.l.owner, m.l.ttl.Milliseconds()).StringSlice()
	cancel()
	if err != nil {
		if ctx.Err() == nil {
			m.log.Warn("cluster heartbeat failed; keeping the bots owned while their leases last", zap.Error(err))
		}
		return
	}
	m.mu.Lock()
	m.members = live
	first := !m.joined
	m.joined = true
	m.mu.Unlock()
	if first {
		// Take nothing yet: processes started together first see each
		// other, and split the bots without moving them.
		m.log.Info("joined the cluster", zap.String("member", m.l.owner), zap.Strings("members", live))
		return
	}

	for _, bot := range m.bots {
		if ctx.Err() != nil {
			return
		}
		mine := assign(bot, live) == m.l.owner
		m.mu.Lock()
		o := m.owned[bot]
		m.mu.Unlock()
		switch {
		case o != nil && !mine:
			m.log.Info("handing bot over", zap.String("bot", bot), zap.String("to", assign(bot, live)))
			m.giveUp(t, bot, o)
		case o == nil && mine:
			m.take(ctx, t, bot)
		}
	}
}

// take acquires bot's lease and starts it on t.
func (m *Member) take(ctx context.Context, t Target, bot string) {
	lease, err := m.l.Acquire(ctx, bot)
	if errors.Is(err, ErrHeld) {
		return // its holder hands it over, or its lease runs out
	}
	if err != nil {
		m.log.Warn("taking a bot's lease failed", zap.String("bot", bot), zap.Error(err))
		return
	}
	kctx, stop := context.WithCancel(context.Background())
	o := &owned{lease: lease, stop: stop, done: make(chan struct{})}
	m.mu.Lock()
	m.owned[bot] = o
	m.mu.Unlock()
	if err := t.Start(lease); err != nil {
		m.log.Warn("starting an owned bot failed; giving its lease back", zap.String("bot", bot), zap.Error(err))
		m.mu.Lock()
		delete(m.owned, bot)
		m.mu.Unlock()
		stop()
		m.release(lease)
		return
	}
	m.log.Info("bot taken", zap.String("bot", bot), zap.Int64("token", lease.Token()))
	// The keeper stops the bot itself when the lease is lost, at once
	// rather than at the member's next tick: the lease's remaining
	// quarter is all the time there is.
	go func() {
		defer close(o.done)
		kerr := lease.Keep(kctx)
		if kerr == nil || !m.claimStop(bot, o) {
			return
		}
		m.log.Warn("lease lost; stopping the bot", zap.String("bot", bot), zap.Error(kerr))
		t.Stop(bot)
		m.mu.Lock()
		delete(m.owned, bot)
		m.lostN++
		m.mu.Unlock()
	}()
}

// claimStop marks o as stopping, unless someone else already is.
func (m *Member) claimStop(bot string, o *owned) bool {
	m.mu.Lock()
	defer m.mu.Unlock()
	if m.owned[bot] != o || o.stopping {
		return false
	}
	o.stopping = true
	return true
}

// giveUp stops bot, then releases its lease.
func (m *Member) giveUp(t Target, bot string, o *owned) {
	if !m.claimStop(bot, o) {
		return // its keeper is stopping it: the lease was lost
	}
	t.Stop(bot)
	o.stop()
	<-o.done
	m.mu.Lock()
	delete(m.owned, bot)
	m.mu.Unlock()
	m.release(o.lease)
}

func (m *Member) release(lease *Lease) {
	rctx, cancel := context.WithTimeout(context.Background(), m.l.ttl/3)
	defer cancel()
	if err := lease.Release(rctx); err != nil {
		m.log.Warn("releasing a lease failed; it expires on its own", zap.String("bot", lease.Bot()), zap.Error(err))
	}
}

// leave stops every owned bot, releases the leases and removes this
// member from the live set.
func (m *Member) leave(t Target) {
	m.mu.Lock()
	all := make(map[string]*owned, len(m.owned))
	for b, o := range m.owned {
		all[b] = o
	}
	m.mu.Unlock()
	var wg sync.WaitGroup
	for b, o := range all {
		wg.Go(func() {
			m.giveUp(t, b, o)
			<-o.done // a keeper stopping the bot on its own finishes too
		})
	}
	wg.Wait()
	ctx, cancel := context.WithTimeout(context.Background(), m.l.ttl/3)
	defer cancel()
	if err := m.l.c.ZRem(ctx, m.membersKey(), m.l.owner).Err(); err != nil {
		m.log.Warn("leaving the cluster: could not remove this member; it expires on its own", zap.Error(err))
	}
	m.log.Info("left the cluster", zap.String("member", m.l.owner))
}

// Owned returns the bots this member owns, sorted.
func (m *Member) Owned() []string {
	m.mu.Lock()
	defer m.mu.Unlock()
	out := make([]string, 0, len(m.owned))
	for b := range m.owned {
		out = append(out, b)
	}
	slices.Sort(out)
	return out
}

// Members returns the live member ids seen at the last heartbeat.
func (m *Member) Members() []string {
	m.mu.Lock()
	defer m.mu.Unlock()
	return slices.Clone(m.members)
}

// ID returns this member's id (process name and instance).
func (m *Member) ID() string { return m.l.owner }

// Status is one line for /readyz: this member, the live members, and the
// bots it owns.
func (m *Member) Status() string {
	owned := m.Owned()
	members := m.Members()
	return fmt.Sprintf("cluster: member %s (%d live) owns %d of %d bots: %s", m.l.owner, len(members), len(owned), len(m.bots), strings.Join(owned, ", "))
}

// assign returns the member that owns bot: the one with the highest
// rendezvous hash, "" when there is none.
func assign(bot string, members []string) string {
	var best string
	var bestH uint64
	for _, id := range members {
		h := fnv.New64a()
		_, _ = h.Write([]byte(id))
		_, _ = h.Write([]byte{0})
		_, _ = h.Write([]byte(bot))
		if v := mix(h.Sum64()); best == "" || v > bestH || (v == bestH && id > best) {
			best, bestH = id, v
		}
	}
	return best
}

// mix spreads FNV's bits (murmur3's finaliser): ids differing in their
// last bytes would otherwise rank alike for every bot.
func mix(h uint64) uint64 {
	h ^= h >> 33
	h *= 0xff51afd7ed558ccd
	h ^= h >> 33
	h *= 0xc4ceb9fe1a85ec53
	h ^= h >> 33
	return h
}
