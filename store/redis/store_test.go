package redis_test

import (
	"context"
	"errors"
	"fmt"
	"strings"
	"testing"
	"time"

	goredis "github.com/redis/go-redis/v9"
	"go.uber.org/goleak"

	"github.com/parleybot/parley/store"
	redisstore "github.com/parleybot/parley/store/redis"
	"github.com/parleybot/parley/store/redis/redistest"
	"github.com/parleybot/parley/store/storetest"
)

func TestMain(m *testing.M) {
	goleak.VerifyTestMain(m)
}

// client returns a client of srv that the test closes.
func client(t *testing.T, addr string) *goredis.Client {
	t.Helper()
	c, err := redisstore.Dial(context.Background(), "redis://"+addr+"/0")
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() { _ = c.Close() })
	return c
}

// TestSuite runs the shared store suite on the plain store, on two
// prefixes of one server, and on a fenced store whose token is current.
func TestSuite(t *testing.T) {
	srv := redistest.Start(t)
	c := client(t, srv.Addr)
	ctx := context.Background()
	n := 0
	fresh := func() string { n++; return fmt.Sprintf("test%d:", n) }

	t.Run("Open", func(t *testing.T) {
		storetest.Run(t, func(t *testing.T, now func() time.Time) store.Store {
			s, err := redisstore.Open(ctx, srv.URL(), redisstore.WithPrefix(fresh()), redisstore.WithClock(now))
			if err != nil {
				t.Fatal(err)
			}
			return s
		})
	})
	t.Run("Shared", func(t *testing.T) {
		storetest.Run(t, func(t *testing.T, now func() time.Time) store.Store {
			return redisstore.New(c, redisstore.WithPrefix(fresh()), redisstore.WithClock(now))
		})
	})
	t.Run("Fenced", func(t *testing.T) {
		storetest.Run(t, func(t *testing.T, now func() time.Time) store.Store {
			p := fresh()
			if err := c.Set(ctx, p+"fence", 7, 0).Err(); err != nil {
				t.Fatal(err)
			}
			return redisstore.New(c, redisstore.WithPrefix(p+"k:"), redisstore.WithClock(now), redisstore.WithFence(p+"fence", 7))
		})
	})
}

// TestPrefixesAreSeparate guards the per-bot layout: two bots writing the
// same key do not see each other's value or dedupe mark.
func TestPrefixesAreSeparate(t *testing.T) {
	srv := redistest.Start(t)
	c := client(t, srv.Addr)
	ctx := context.Background()
	a := redisstore.New(c, redisstore.WithPrefix("parley:{a}:"))
	b := redisstore.New(c, redisstore.WithPrefix("parley:{b}:"))
	if err := a.Set(ctx, "cursor", []byte("1"), 0); err != nil {
		t.Fatal(err)
	}
	if _, ok, err := b.Get(ctx, "cursor"); err != nil || ok {
		t.Fatalf("b sees a's cursor: ok=%v err=%v", ok, err)
	}
	for _, s := range []*redisstore.Store{a, b} {
		if ok, err := s.Add(ctx, "seen:1", nil, time.Hour); err != nil || !ok {
			t.Fatalf("first Add in its own prefix = %v, %v", ok, err)
		}
	}
	keys, err := c.Keys(ctx, "parley:*").Result()
	if err != nil {
		t.Fatal(err)
	}
	if len(keys) != 3 {
		t.Fatalf("keys = %q; want the cursor and two marks", keys)
	}
}

// TestConnectionLossIsAnError guards the dedupe contract: with the server
// unreachable, Add and Get fail instead of reporting "not seen before".
func TestConnectionLossIsAnError(t *testing.T) {
	srv := redistest.Start(t)
	p := redistest.NewProxy(t, srv.Addr)
	ctx := context.Background()
	s, err := redisstore.Open(ctx, p.URL())
	if err != nil {
		t.Fatal(err)
	}
	defer s.Close()
	if ok, err := s.Add(ctx, "seen:1", nil, time.Hour); err != nil || !ok {
		t.Fatalf("Add before the cut = %v, %v", ok, err)
	}
	p.Cut()
	if ok, err := s.Add(ctx, "seen:2", nil, time.Hour); err == nil || ok {
		t.Fatalf("Add with the connection cut = %v, %v; want false and an error", ok, err)
	}
	if _, ok, err := s.Get(ctx, "seen:1"); err == nil || ok {
		t.Fatalf("Get with the connection cut = %v, %v; want an error", ok, err)
	}
	if err := s.Set(ctx, "cursor", []byte("9"), 0); err == nil {
		t.Fatal("Set with the connection cut succeeded")
	}
	p.Restore()
	// The client reconnects on its own once the path is back.
	if ok, err := s.Add(ctx, "seen:1", nil, time.Hour); err != nil || ok {
		t.Fatalf("Add of the marked key after restore = %v, %v; want false, nil", ok, err)
	}
	if ok, err := s.Add(ctx, "seen:2", nil, time.Hour); err != nil || !ok {
		t.Fatalf("Add of the unmarked key after restore = %v, %v; want true, nil", ok, err)
	}
}

// TestServerDown checks Open reports an unreachable server.
func TestServerDown(t *testing.T) {
	srv := redistest.Start(t)
	srv.Kill()
	ctx, cancel := context.WithTimeout(context.Background(), 5*time.Second)
	defer cancel()
	if _, err := redisstore.Open(ctx, srv.URL()); err == nil || !strings.Contains(err.Error(), "ping") {
		t.Fatalf("Open of a stopped server: %v; want a ping error", err)
	}
	if _, err := redisstore.Open(ctx, "http://nope"); err == nil {
		t.Fatal("Open of a non-redis URL succeeded")
	}
}

// TestAddRetryIsIdempotent checks that an Add replayed with the same write
// id (as the client does after a lost reply) still reports true, while a
// different Add is refused.
func TestAddRetryIsIdempotent(t *testing.T) {
	srv := redistest.Start(t)
	c := client(t, srv.Addr)
	ctx := context.Background()
	s := redisstore.New(c, redisstore.WithPrefix("p:"))
	if ok, err := s.Add(ctx, "k", []byte("v"), time.Hour); err != nil || !ok {
		t.Fatalf("Add = %v, %v", ok, err)
	}
	raw, err := c.Get(ctx, "p:k").Bytes()
	if err != nil {
		t.Fatal(err)
	}
	// Replay the stored write through the script by hand: same value, same id.
	replayed, err := redisstore.ReplayAdd(ctx, c, "p:k", raw)
	if err != nil || !replayed {
		t.Fatalf("replayed Add = %v, %v; want true", replayed, err)
	}
	if ok, err := s.Add(ctx, "k", []byte("v"), time.Hour); err != nil || ok {
		t.Fatalf("second, distinct Add = %v, %v; want false", ok, err)
	}
}

// TestFencedWrites checks every write of a fenced store against a moved
// fence, and that reads are not fenced.
func TestFencedWrites(t *testing.T) {
	srv := redistest.Start(t)
	c := client(t, srv.Addr)
	ctx := context.Background()
	if err := c.Set(ctx, "fence", 3, 0).Err(); err != nil {
		t.Fatal(err)
	}
	old := redisstore.New(c, redisstore.WithPrefix("d:"), redisstore.WithFence("fence", 3))
	if err := old.Set(ctx, "cursor", []byte("10"), 0); err != nil {
		t.Fatal(err)
	}
	if err := c.Incr(ctx, "fence").Err(); err != nil {
		t.Fatal(err)
	}
	check := func(op string, err error) {
		t.Helper()
		var fe *redisstore.FencedError
		if !errors.As(err, &fe) || !errors.Is(err, redisstore.ErrFenced) {
			t.Fatalf("%s with a stale token: %v; want a FencedError", op, err)
		}
		if fe.Token != 3 || fe.Current != 4 || fe.Key != "fence" {
			t.Fatalf("%s: %+v; want token 3, current 4", op, fe)
		}
	}
	check("Set", old.Set(ctx, "cursor", []byte("11"), 0))
	_, err := old.Add(ctx, "seen:1", nil, 0)
	check("Add", err)
	check("Delete", old.Delete(ctx, "cursor"))
	if v, ok, err := old.Get(ctx, "cursor"); err != nil || !ok || string(v) != "10" {
		t.Fatalf("Get after refused writes = %q, %v, %v; want 10", v, ok, err)
	}
	if n, _ := c.Exists(ctx, "d:seen:1").Result(); n != 0 {
		t.Fatal("refused Add left a mark")
	}
	if err := c.Del(ctx, "fence").Err(); err != nil {
		t.Fatal(err)
	}
	err = old.Set(ctx, "cursor", []byte("12"), 0)
	var fe *redisstore.FencedError
	if !errors.As(err, &fe) || fe.Current != 0 {
		t.Fatalf("Set with the fence key gone: %v; want a FencedError with no current token", err)
	}
}
