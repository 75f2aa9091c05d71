package redis

import (
	"context"
	"encoding/binary"
	"errors"
	"fmt"
	"math"
	"math/rand/v2"
	"strconv"
	"sync/atomic"
	"time"

	goredis "github.com/redis/go-redis/v9"
	"github.com/redis/go-redis/v9/maintnotifications"

	"github.com/parleybot/parley/store"
)

// headerSize is the deadline (8 bytes) and write id (8 bytes) before the
// data of every stored value.
const headerSize = 16

// Store is a store.Store kept in Redis. It is safe for concurrent use.
type Store struct {
	c      goredis.UniversalClient
	own    bool // Close closes c
	prefix string
	now    func() time.Time
	fence  *fence
	closed atomic.Bool
}

var _ store.Store = (*Store)(nil)

// Open connects to the Redis server at url (redis://[user:pass@]host:port/db
// or rediss:// for TLS, as go-redis parses them), checks it with PING, and
// returns a store that owns the connection: Close closes it.
func Open(ctx context.Context, url string, opts ...Option) (*Store, error) {
	c, err := Dial(ctx, url)
	if err != nil {
		return nil, err
	}
	s := New(c, opts...)
	s.own = true
	return s, nil
}

// Dial connects to the Redis server at url and checks it with PING. The
// client honours context deadlines, and does not ask the server for
// maintenance notifications, which older servers reject.
func Dial(ctx context.Context, url string) (*goredis.Client, error) {
	o, err := goredis.ParseURL(url)
	if err != nil {
		return nil, fmt.Errorf("redis store: %w", err)
	}
	o.ContextTimeoutEnabled = true
	o.MaintNotificationsConfig = &maintnotifications.Config{Mode: maintnotifications.ModeDisabled}
	c := goredis.NewClient(o)
	if err := c.Ping(ctx).Err(); err != nil {
		_ = c.Close()
		return nil, fmt.Errorf("redis store: ping %s: %w", o.Addr, err)
	}
	return c, nil
}

// New returns a store on an existing client. Many stores may share one
// client; closing them leaves the client open.
func New(c goredis.UniversalClient, opts ...Option) *Store {
	cfg := options{prefix: DefaultPrefix}
	for _, o := range opts {
		o.apply(&cfg)
	}
	if cfg.now == nil {
		cfg.now = time.Now
	}
	return &Store{c: c, prefix: cfg.prefix, now: cfg.now, fence: cfg.fence}
}

// Get returns the value under key. A connection failure is an error, never
// an absent key.
func (s *Store) Get(ctx context.Context, key string) ([]byte, bool, error) {
	if err := s.check(ctx, key); err != nil {
		return nil, false, err
	}
	v, err := s.c.Get(ctx, s.prefix+key).Bytes()
	if errors.Is(err, goredis.Nil) {
		return nil, false, nil
	}
	if err != nil {
		return nil, false, s.wrap("get", err)
	}
	if len(v) < headerSize {
		return nil, false, fmt.Errorf("%w: key %q holds %d bytes, shorter than the %d-byte header", ErrCorrupt, key, len(v), headerSize)
	}
	d := int64(binary.BigEndian.Uint64(v))
	if d != 0 && s.now().UnixNano() >= d {
		return nil, false, nil
	}
	return v[headerSize:], true, nil
}

// Set stores value under key, replacing any earlier value and its expiry.
func (s *Store) Set(ctx context.Context, key string, value []byte, ttl time.Duration) error {
	if err := s.checkWrite(ctx, key, ttl); err != nil {
		return err
	}
	v := s.encode(value, ttl, 0)
	px := pexpire(ttl)
	if s.fence == nil {
		var err error
		if px == 0 {
			err = s.c.Set(ctx, s.prefix+key, v, 0).Err()
		} else {
			err = s.c.Set(ctx, s.prefix+key, v, time.Duration(px)*time.Millisecond).Err()
		}
		return s.wrap("set", err)
	}
	_, err := s.run(ctx, "set", setScript, key, v, strconv.FormatInt(px, 10), s.token())
	return err
}

// Add stores value under key only if key is absent or expired.
func (s *Store) Add(ctx context.Context, key string, value []byte, ttl time.Duration) (bool, error) {
	if err := s.checkWrite(ctx, key, ttl); err != nil {
		return false, err
	}
	v := s.encode(value, ttl, rand.Uint64()|1)
	var now [8]byte
	binary.BigEndian.PutUint64(now[:], uint64(s.now().UnixNano()))
	added, err := s.run(ctx, "add", addScript, key, v, strconv.FormatInt(pexpire(ttl), 10), now[:], s.token())
	if err != nil {
		return false, err
	}
	return added, nil
}

// Delete removes key.
func (s *Store) Delete(ctx context.Context, key string) error {
	if err := s.check(ctx, key); err != nil {
		return err
	}
	if s.fence == nil {
		return s.wrap("delete", s.c.Del(ctx, s.prefix+key).Err())
	}
	_, err := s.run(ctx, "delete", delScript, key, s.token())
	return err
}

// Close makes every later call fail with store.ErrClosed, and closes the
// client when Open made it. It may be called more than once.
func (s *Store) Close() error {
	if s.closed.Swap(true) {
		return nil
	}
	if s.own {
		return s.c.Close()
	}
	return nil
}

// run executes a write script and decodes its {status, current} reply.
func (s *Store) run(ctx context.Context, op string, script *goredis.Script, key string, args ...any) (bool, error) {
	keys := []string{s.prefix + key}
	if s.fence != nil {
		keys = append(keys, s.fence.key)
	}
	r, err := script.Run(ctx, s.c, keys, args...).Slice()
	if err != nil {
		return false, s.wrap(op, err)
	}
	if len(r) != 2 {
		return false, fmt.Errorf("redis store: %s: unexpected script reply %v", op, r)
	}
	status, _ := r[0].(int64)
	if status == -1 {
		cur, _ := r[1].(string)
		n, _ := strconv.ParseInt(cur, 10, 64)
		return false, &FencedError{Key: s.fence.key, Token: s.fence.token, Current: n}
	}
	return status == 1, nil
}

// token is the fence token argument; unfenced scripts ignore it.
func (s *Store) token() string {
	if s.fence == nil {
		return ""
	}
	return strconv.FormatInt(s.fence.token, 10)
}

func (s *Store) encode(value []byte, ttl time.Duration, id uint64) []byte {
	v := make([]byte, headerSize+len(value))
	binary.BigEndian.PutUint64(v, uint64(deadline(s.now().UnixNano(), ttl)))
	binary.BigEndian.PutUint64(v[8:], id)
	copy(v[headerSize:], value)
	return v
}

func (s *Store) check(ctx context.Context, key string) error {
	if err := ctx.Err(); err != nil {
		return err
	}
	if s.closed.Load() {
		return store.ErrClosed
	}
	switch {
	case key == "":
		return fmt.Errorf("%w: empty", store.ErrInvalidKey)
	case len(key) > store.MaxKeySize:
		return fmt.Errorf("%w: %d bytes, limit is %d", store.ErrInvalidKey, len(key), store.MaxKeySize)
	}
	return nil
}

func (s *Store) checkWrite(ctx context.Context, key string, ttl time.Duration) error {
	if err := s.check(ctx, key); err != nil {
		return err
	}
	if ttl < 0 {
		return fmt.Errorf("%w: %v", store.ErrNegativeTTL, ttl)
	}
	return nil
}

// wrap names the failed operation; a failure caused by Close racing the
// call reads as ErrClosed.
func (s *Store) wrap(op string, err error) error {
	if err == nil {
		return nil
	}
	if s.closed.Load() {
		return store.ErrClosed
	}
	if errors.Is(err, context.Canceled) || errors.Is(err, context.DeadlineExceeded) {
		return err
	}
	return fmt.Errorf("redis store: %s: %w", op, err)
}

// deadline turns a ttl into a unix-nano deadline; 0 means none. It
// saturates, so a huge ttl means "practically never".
func deadline(now int64, ttl time.Duration) int64 {
	if ttl <= 0 {
		return 0
	}
	if now > math.MaxInt64-int64(ttl) {
		return math.MaxInt64
	}
	return now + int64(ttl)
}

// pexpire is the Redis-side expiry in whole milliseconds, rounded up so
// Redis never drops a key before its deadline; 0 means none.
func pexpire(ttl time.Duration) int64 {
	if ttl <= 0 {
		return 0
	}
	ms := int64(ttl / time.Millisecond)
	if ttl%time.Millisecond != 0 {
		ms++
	}
	return ms
}
