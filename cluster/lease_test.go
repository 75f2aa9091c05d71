package cluster_test

import (
	"context"
	"errors"
	"fmt"
	"sync"
	"testing"
	"time"

	goredis "github.com/redis/go-redis/v9"
	"go.uber.org/goleak"

	"github.com/parleybot/parley/cluster"
	"github.com/parleybot/parley/store"
	redisstore "github.com/parleybot/parley/store/redis"
	"github.com/parleybot/parley/store/redis/redistest"
)

func TestMain(m *testing.M) {
	goleak.VerifyTestMain(m)
}

var bg = context.Background()

func dial(t *testing.T, url string) *goredis.Client {
	t.Helper()
	c, err := redisstore.Dial(bg, url)
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() { _ = c.Close() })
	return c
}

// eventually polls cond until it holds or the deadline passes.
func eventually(t *testing.T, within time.Duration, what string, cond func() bool) {
	t.Helper()
	deadline := time.Now().Add(within)
	for !cond() {
		if time.Now().After(deadline) {
			t.Fatalf("not within %v: %s", within, what)
		}
		time.Sleep(5 * time.Millisecond)
	}
}

func TestAcquireRenewRelease(t *testing.T) {
	srv := redistest.Start(t)
	a := cluster.NewLeases(dial(t, srv.URL()), "a", cluster.WithTTL(time.Minute))
	b := cluster.NewLeases(dial(t, srv.URL()), "b", cluster.WithTTL(time.Minute))

	la, err := a.Acquire(bg, "bot1")
	if err != nil {
		t.Fatal(err)
	}
	if !la.Valid() || la.Token() != 1 {
		t.Fatalf("fresh lease: valid=%v token=%d; want valid, token 1", la.Valid(), la.Token())
	}
	for _, l := range []*cluster.Leases{a, b} {
		_, err := l.Acquire(bg, "bot1")
		var he *cluster.HeldError
		if !errors.As(err, &he) || !errors.Is(err, cluster.ErrHeld) || he.Owner != a.Owner() || he.Remaining <= 0 {
			t.Fatalf("%s: Acquire of a held lease: %v; want HeldError by %s", l.Name(), err, a.Owner())
		}
	}
	if owner, token, err := b.Holder(bg, "bot1"); err != nil || owner != a.Owner() || token != 1 {
		t.Fatalf("Holder = %q, %d, %v", owner, token, err)
	}
	before := la.Expiry()
	if err := la.Renew(bg); err != nil {
		t.Fatal(err)
	}
	if !la.Expiry().After(before) {
		t.Fatal("Renew did not move Expiry")
	}
	// Another bot's lease is independent, with its own tokens.
	lb, err := b.Acquire(bg, "bot2")
	if err != nil || lb.Token() != 1 {
		t.Fatalf("bot2: %v, token %d", err, lb.Token())
	}
	if err := la.Release(bg); err != nil {
		t.Fatal(err)
	}
	if la.Valid() {
		t.Fatal("released lease still valid")
	}
	lb1, err := b.Acquire(bg, "bot1")
	if err != nil {
		t.Fatalf("Acquire after release: %v", err)
	}
	if lb1.Token() != 2 {
		t.Fatalf("token after takeover = %d; want 2", lb1.Token())
	}
	// The released lease cannot be renewed, nor release the new owner's.
	if err := la.Renew(bg); !errors.Is(err, cluster.ErrLost) {
		t.Fatalf("Renew of a released lease: %v; want ErrLost", err)
	}
	if err := la.Release(bg); err != nil {
		t.Fatal(err)
	}
	if owner, _, _ := a.Holder(bg, "bot1"); owner != b.Owner() {
		t.Fatalf("old owner's Release removed the new lease: holder %q", owner)
	}
	if a.Owner() == cluster.NewLeases(nil, "a").Owner() {
		t.Fatal("two lease takers of one name share an owner id")
	}
}

// writeAfterTakeover plays a paused owner: a holds bot, writes its cursor,
// stops renewing past the TTL; b takes over and writes; then a, resuming,
// writes with the store storeOf gives it. It returns what a's resumed
// writes did to b's state: nil when b's state is intact.
func writeAfterTakeover(t *testing.T, storeOf func(c *goredis.Client, l *cluster.Lease) store.Store) error {
	t.Helper()
	srv := redistest.Start(t)
	ca, cb := dial(t, srv.URL()), dial(t, srv.URL())
	const ttl = 200 * time.Millisecond
	a := cluster.NewLeases(ca, "a", cluster.WithTTL(ttl))
	b := cluster.NewLeases(cb, "b", cluster.WithTTL(ttl))

	la, err := a.Acquire(bg, "bot")
	if err != nil {
		t.Fatal(err)
	}
	sa := storeOf(ca, la)
	if err := sa.Set(bg, "cursor", []byte("100"), 0); err != nil {
		t.Fatal(err)
	}
	// a renews for a while, then is paused: its renewals stop.
	keepCtx, pause := context.WithCancel(bg)
	kept := make(chan error, 1)
	go func() { kept <- la.Keep(keepCtx) }()
	first := la.Expiry()
	eventually(t, 5*time.Second, "a renews its lease", func() bool { return la.Expiry().After(first) })
	pause()
	if err := <-kept; err != nil {
		t.Fatalf("Keep after its context ended: %v", err)
	}

	var lb *cluster.Lease
	eventually(t, 10*ttl, "b takes the lease once a's expires", func() bool {
		lb, err = b.Acquire(bg, "bot")
		if err != nil && !errors.Is(err, cluster.ErrHeld) {
			t.Fatal(err)
		}
		return err == nil
	})
	if lb.Token() <= la.Token() {
		t.Fatalf("new token %d is not above the old %d", lb.Token(), la.Token())
	}
	sb := lb.Store()
	if err := sb.Set(bg, "cursor", []byte("200"), 0); err != nil {
		t.Fatal(err)
	}
	if la.Valid() {
		t.Fatal("the paused lease still reads as valid past its TTL")
	}
	if err := la.Renew(bg); !errors.Is(err, cluster.ErrLost) {
		t.Fatalf("paused owner's Renew: %v; want ErrLost", err)
	}

	// a resumes and writes what it had in hand before the pause.
	setErr := sa.Set(bg, "cursor", []byte("150"), 0)
	added, addErr := sa.Add(bg, "seen:ev-7", nil, time.Hour)
	for _, err := range []error{setErr, addErr} {
		if err != nil && !errors.Is(err, redisstore.ErrFenced) {
			t.Fatalf("resumed write failed for another reason: %v", err)
		}
	}
	got, _, err := sb.Get(bg, "cursor")
	if err != nil {
		t.Fatal(err)
	}
	var problems []error
	if string(got) != "200" {
		problems = append(problems, fmt.Errorf("the new owner's cursor is %q, overwritten by the paused owner", got))
	}
	if added {
		problems = append(problems, errors.New("the paused owner marked an event seen after losing the bot"))
	}
	return errors.Join(problems...)
}

// TestPausedOwnerCannotWrite is the fencing guarantee: with the lease's
// fenced store, the resumed owner's writes are refused.
func TestPausedOwnerCannotWrite(t *testing.T) {
	err := writeAfterTakeover(t, func(_ *goredis.Client, l *cluster.Lease) store.Store { return l.Store() })
	if err != nil {
		t.Fatal(err)
	}
}

// TestPausedOwnerWithoutFencing runs the same scenario on an unfenced
// store of the same keys and requires it to go wrong, so that
// TestPausedOwnerCannotWrite is known to exercise the fence and not pass
// by accident.
func TestPausedOwnerWithoutFencing(t *testing.T) {
	err := writeAfterTakeover(t, func(c *goredis.Client, l *cluster.Lease) store.Store {
		return redisstore.New(c, redisstore.WithPrefix(cluster.KeysOf(cluster.DefaultNamespace, l.Bot()).Data))
	})
	if err == nil {
		t.Fatal("without the fence the paused owner's writes did no harm; the scenario tests nothing")
	}
	t.Logf("without fencing, as expected: %v", err)
}

// TestKeepLosesLeaseWhenRedisUnreachable: cut from Redis, an owner keeps
// its lease until it would expire and then reports it lost, no later than
// Redis frees it for others.
func TestKeepLosesLeaseWhenRedisUnreachable(t *testing.T) {
	srv := redistest.Start(t)
	p := redistest.NewProxy(t, srv.Addr)
	const ttl = time.Second
	a := cluster.NewLeases(dial(t, p.URL()), "a", cluster.WithTTL(ttl))
	b := cluster.NewLeases(dial(t, srv.URL()), "b", cluster.WithTTL(ttl))
	la, err := a.Acquire(bg, "bot")
	if err != nil {
		t.Fatal(err)
	}
	var wg sync.WaitGroup
	defer wg.Wait()
	ctx, cancel := context.WithCancel(bg)
	defer cancel()
	kept := make(chan error, 1)
	wg.Go(func() { kept <- la.Keep(ctx) })

	p.Cut()
	cutAt := time.Now()
	<-la.Lost()
	lostAt := time.Now()
	if err := <-kept; !errors.Is(err, cluster.ErrLost) {
		t.Fatalf("Keep returned %v; want ErrLost", err)
	}
	if la.Valid() {
		t.Fatal("lost lease reads valid")
	}
	// The owner gave up before Redis let go, leaving time to stop.
	if !lostAt.Before(la.Expiry()) {
		t.Fatalf("lost at %v after the cut, not before its expiry at %v", lostAt.Sub(cutAt), la.Expiry().Sub(cutAt))
	}
	if _, err := b.Acquire(bg, "bot"); !errors.Is(err, cluster.ErrHeld) {
		t.Fatalf("b's Acquire right after a's loss: %v; want ErrHeld (Redis still holds a's lease)", err)
	}
	eventually(t, 10*ttl, "b takes the bot", func() bool {
		_, err := b.Acquire(bg, "bot")
		return err == nil
	})
}

// TestKeepNoticesTakeover: an owner whose lease was taken (here: deleted
// and re-taken behind its back) is told at its next renewal.
func TestKeepNoticesTakeover(t *testing.T) {
	srv := redistest.Start(t)
	c := dial(t, srv.URL())
	a := cluster.NewLeases(c, "a", cluster.WithTTL(300*time.Millisecond))
	b := cluster.NewLeases(c, "b", cluster.WithTTL(300*time.Millisecond))
	la, err := a.Acquire(bg, "bot")
	if err != nil {
		t.Fatal(err)
	}
	if err := c.Del(bg, a.Keys("bot").Lease).Err(); err != nil {
		t.Fatal(err)
	}
	if _, err := b.Acquire(bg, "bot"); err != nil {
		t.Fatal(err)
	}
	if err := la.Keep(bg); !errors.Is(err, cluster.ErrLost) {
		t.Fatalf("Keep: %v; want ErrLost", err)
	}
	select {
	case <-la.Lost():
	default:
		t.Fatal("Lost not closed")
	}
}
