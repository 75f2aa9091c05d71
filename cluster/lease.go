package cluster

import (
	"context"
	"crypto/rand"
	"encoding/hex"
	"errors"
	"fmt"
	"strconv"
	"strings"
	"sync"
	"time"

	goredis "github.com/redis/go-redis/v9"

	redisstore "github.com/parleybot/parley/store/redis"
)

// ErrHeld is matched (errors.Is) by the *HeldError Acquire returns while
// another owner holds the lease.
var ErrHeld = errors.New("cluster: lease held")

// ErrLost is matched by the error a lease reports once it is no longer
// held: another owner took it, or its time to live passed unrenewed.
var ErrLost = errors.New("cluster: lease lost")

// HeldError says who holds a lease that Acquire could not take.
type HeldError struct {
	// Bot is the bot whose lease is held.
	Bot string
	// Owner is the holder's owner id (process name and instance).
	Owner string
	// Remaining is how long the lease lives unless renewed.
	Remaining time.Duration
}

func (e *HeldError) Error() string {
	return fmt.Sprintf("cluster: lease of bot %q is held by %s for %v more", e.Bot, e.Owner, e.Remaining)
}

// Is reports whether target is ErrHeld.
func (e *HeldError) Is(target error) bool { return target == ErrHeld }

// Leases takes bots' leases on behalf of one process.
type Leases struct {
	c     goredis.UniversalClient
	name  string
	owner string
	ttl   time.Duration
	ns    string
}

// NewLeases returns the lease taker of the process called name. Each call
// gets its own owner id (name, then a random instance id), so a restarted
// process with the same name does not pass for the old one: it waits for
// the old leases to expire.
func NewLeases(c goredis.UniversalClient, name string, opts ...Option) *Leases {
	cfg := options{ttl: DefaultTTL, ns: DefaultNamespace}
	for _, o := range opts {
		o.apply(&cfg)
	}
	if cfg.ttl < time.Millisecond {
		panic(fmt.Sprintf("cluster: WithTTL(%v): the ttl must be at least 1ms", cfg.ttl))
	}
	var id [6]byte
	_, _ = rand.Read(id[:])
	return &Leases{c: c, name: name, owner: name + "/" + hex.EncodeToString(id[:]), ttl: cfg.ttl, ns: cfg.ns}
}

// Owner returns this process's owner id, as lease holders are shown.
func (l *Leases) Owner() string { return l.owner }

// Name returns the process name given to NewLeases.
func (l *Leases) Name() string { return l.name }

// TTL returns the leases' time to live.
func (l *Leases) TTL() time.Duration { return l.ttl }

// Keys returns the Redis keys of bot.
func (l *Leases) Keys(bot string) Keys { return KeysOf(l.ns, bot) }

// acquireScript: KEYS = lease, fence; ARGV = owner, px. It returns
// {1, value, token} when taken, {0, holder, pttl} when held.
var acquireScript = goredis.NewScript(`
local cur = redis.call('GET', KEYS[1])
if cur then return {0, cur, redis.call('PTTL', KEYS[1])} end
local t = redis.call('INCR', KEYS[2])
local v = ARGV[1] .. ' ' .. t
redis.call('SET', KEYS[1], v, 'PX', ARGV[2])
return {1, v, t}
`)

// renewScript: KEYS = lease; ARGV = value, px.
var renewScript = goredis.NewScript(`
if redis.call('GET', KEYS[1]) == ARGV[1] then
  redis.call('PEXPIRE', KEYS[1], ARGV[2])
  return 1
end
return 0
`)

// releaseScript: KEYS = lease; ARGV = value.
var releaseScript = goredis.NewScript(`
if redis.call('GET', KEYS[1]) == ARGV[1] then
  redis.call('DEL', KEYS[1])
  return 1
end
return 0
`)

// Acquire takes the lease of bot with a new fencing token, or returns a
// *HeldError when another owner (or this one) holds it.
func (l *Leases) Acquire(ctx context.Context, bot string) (*Lease, error) {
	k := l.Keys(bot)
	start := time.Now()
	r, err := acquireScript.Run(ctx, l.c, []string{k.Lease, k.Fence}, l.owner, l.ttl.Milliseconds()).Slice()
	if err != nil {
		return nil, fmt.Errorf("cluster: acquire lease of bot %q: %w", bot, err)
	}
	if len(r) != 3 {
		return nil, fmt.Errorf("cluster: acquire lease of bot %q: unexpected reply %v", bot, r)
	}
	val, _ := r[1].(string)
	n, _ := r[2].(int64)
	if ok, _ := r[0].(int64); ok != 1 {
		owner, _, _ := strings.Cut(val, " ")
		return nil, &HeldError{Bot: bot, Owner: owner, Remaining: time.Duration(n) * time.Millisecond}
	}
	return &Lease{l: l, bot: bot, keys: k, value: val, token: n, expiry: start.Add(l.ttl), lost: make(chan struct{})}, nil
}

// Holder returns the owner id and token of bot's current lease; owner is
// empty when nobody holds it.
func (l *Leases) Holder(ctx context.Context, bot string) (owner string, token int64, err error) {
	v, err := l.c.Get(ctx, l.Keys(bot).Lease).Result()
	if errors.Is(err, goredis.Nil) {
		return "", 0, nil
	}
	if err != nil {
		return "", 0, fmt.Errorf("cluster: read lease of bot %q: %w", bot, err)
	}
	owner, t, _ := strings.Cut(v, " ")
	token, _ = strconv.ParseInt(t, 10, 64)
	return owner, token, nil
}

// Lease is one acquisition of a bot's lease. Its methods are safe for
// concurrent use.
type Lease struct {
	l     *Leases
	bot   string
	keys  Keys
	value string // "<owner> <token>", as stored
	token int64

	mu       sync.Mutex
	expiry   time.Time // local, conservative: when Redis may let go at the earliest
	lost     chan struct{}
	lostErr  error
	released bool
}

// Bot returns the bot the lease is for.
func (x *Lease) Bot() string { return x.bot }

// Token returns the fencing token of this acquisition. Tokens of one bot
// grow with every acquisition, whoever makes it.
func (x *Lease) Token() int64 { return x.token }

// Store returns the bot's store, fenced by this lease's token: its writes
// fail with a *redis.FencedError once another owner has taken the bot.
func (x *Lease) Store(opts ...redisstore.Option) *redisstore.Store {
	opts = append([]redisstore.Option{redisstore.WithPrefix(x.keys.Data)}, opts...)
	opts = append(opts, redisstore.WithFence(x.keys.Fence, x.token))
	return redisstore.New(x.l.c, opts...)
}

// Expiry returns the time until which the lease is known to be held: the
// time to live counted from before the last successful renewal was sent.
func (x *Lease) Expiry() time.Time {
	x.mu.Lock()
	defer x.mu.Unlock()
	return x.expiry
}

// Valid reports whether the lease is held as far as this process can
// know: not lost, not released, and not past Expiry.
func (x *Lease) Valid() bool {
	x.mu.Lock()
	defer x.mu.Unlock()
	return x.lostErr == nil && !x.released && time.Now().Before(x.expiry)
}

// Lost is closed when the lease is found lost (by Renew or Keep).
func (x *Lease) Lost() <-chan struct{} { return x.lost }

// Err returns why the lease was lost, or nil.
func (x *Lease) Err() error {
	x.mu.Lock()
	defer x.mu.Unlock()
	return x.lostErr
}

// Renew extends the lease by its time to live. It fails with an error
// matching ErrLost when the lease is no longer this one's; any other error
// (a connection failure) leaves the lease as it was, valid until Expiry.
func (x *Lease) Renew(ctx context.Context) error {
	if err := x.Err(); err != nil {
		return err
	}
	start := time.Now()
	ok, err := renewScript.Run(ctx, x.l.c, []string{x.keys.Lease}, x.value, x.l.ttl.Milliseconds()).Int()
	if err != nil {
		return fmt.Errorf("cluster: renew lease of bot %q: %w", x.bot, err)
	}
	if ok != 1 {
		return x.markLost(fmt.Errorf("%w: bot %q (token %d) is no longer held by %s", ErrLost, x.bot, x.token, x.l.owner))
	}
	x.mu.Lock()
	x.expiry = start.Add(x.l.ttl)
	x.mu.Unlock()
	return nil
}

// Release gives the lease up, if still held, so another process may take
// the bot at once. The fencing counter stays, so tokens keep growing.
func (x *Lease) Release(ctx context.Context) error {
	x.mu.Lock()
	x.released = true
	x.mu.Unlock()
	if _, err := releaseScript.Run(ctx, x.l.c, []string{x.keys.Lease}, x.value).Int(); err != nil {
		return fmt.Errorf("cluster: release lease of bot %q: %w", x.bot, err)
	}
	return nil
}

// Keep renews the lease every third of its time to live until ctx ends
// (it returns nil) or the lease is lost (it returns the error, matching
// ErrLost). A renewal that fails for another reason (Redis unreachable) is
// retried while the lease lasts; once less than a quarter of the time to
// live is left, the lease counts as lost, so that its holder has that
// quarter to stop the bot before Redis can give the lease to another
// process.
func (x *Lease) Keep(ctx context.Context) error {
	every := x.l.ttl / 3
	retry := max(x.l.ttl/20, time.Millisecond)
	next := every
	for {
		t := time.NewTimer(next)
		select {
		case <-ctx.Done():
			t.Stop()
			return nil
		case <-t.C:
		}
		if err := x.Err(); err != nil {
			return err
		}
		giveUp := x.Expiry().Add(-x.l.ttl / 4)
		rctx, cancel := context.WithDeadline(ctx, giveUp)
		err := x.Renew(rctx)
		cancel()
		switch {
		case err == nil:
			next = every
		case errors.Is(err, ErrLost):
			return err
		case ctx.Err() != nil:
			return nil
		case !time.Now().Before(giveUp):
			return x.markLost(fmt.Errorf("%w: bot %q (token %d): not renewed for %v: %v", ErrLost, x.bot, x.token, x.l.ttl*3/4, err))
		default:
			next = min(retry, time.Until(giveUp))
		}
	}
}

func (x *Lease) markLost(err error) error {
	x.mu.Lock()
	defer x.mu.Unlock()
	if x.lostErr == nil {
		x.lostErr = err
		close(x.lost)
	}
	return x.lostErr
}
