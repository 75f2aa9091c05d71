package redis_test

import (
	"context"
	"fmt"
	"path/filepath"
	"testing"
	"time"

	"github.com/parleybot/parley/store"
	redisstore "github.com/parleybot/parley/store/redis"
	"github.com/parleybot/parley/store/redis/redistest"
)

// benchStores opens, in one run, the stores compared: Redis plain and
// fenced on a local redis-server (no persistence, one round trip per call)
// and the bbolt file store (one fsynced transaction per write) as the
// baseline a single process uses today.
func benchStores(b *testing.B) []struct {
	name string
	s    store.Store
} {
	srv := redistest.Start(b)
	ctx := context.Background()
	plain, err := redisstore.Open(ctx, srv.URL(), redisstore.WithPrefix("bench:{b}:k:"))
	if err != nil {
		b.Fatal(err)
	}
	c, err := redisstore.Dial(ctx, srv.URL())
	if err != nil {
		b.Fatal(err)
	}
	if err := c.Set(ctx, "bench:{b}:fence", 1, 0).Err(); err != nil {
		b.Fatal(err)
	}
	fenced := redisstore.New(c, redisstore.WithPrefix("bench:{b}:k:"), redisstore.WithFence("bench:{b}:fence", 1))
	file, err := store.OpenFile(filepath.Join(b.TempDir(), "bench.db"))
	if err != nil {
		b.Fatal(err)
	}
	b.Cleanup(func() {
		_ = plain.Close()
		_ = fenced.Close()
		_ = c.Close()
		_ = file.Close()
	})
	return []struct {
		name string
		s    store.Store
	}{{"file", file}, {"redis", plain}, {"redis-fenced", fenced}}
}

// BenchmarkAdd is the dedupe mark: a new key set if absent, with a ttl.
func BenchmarkAdd(b *testing.B) {
	ctx := context.Background()
	for _, tc := range benchStores(b) {
		b.Run(tc.name, func(b *testing.B) {
			i := 0
			for b.Loop() {
				if _, err := tc.s.Add(ctx, fmt.Sprintf("seen:%d", i), nil, time.Hour); err != nil {
					b.Fatal(err)
				}
				i++
			}
		})
	}
}

// BenchmarkSet is the cursor write: one key overwritten.
func BenchmarkSet(b *testing.B) {
	ctx := context.Background()
	value := []byte(`{"chat-1":1234567,"chat-2":7654321}`)
	for _, tc := range benchStores(b) {
		b.Run(tc.name, func(b *testing.B) {
			for b.Loop() {
				if err := tc.s.Set(ctx, "cursors", value, 0); err != nil {
					b.Fatal(err)
				}
			}
		})
	}
}

// BenchmarkGet is the cursor read at start-up and after a takeover.
func BenchmarkGet(b *testing.B) {
	ctx := context.Background()
	for _, tc := range benchStores(b) {
		if err := tc.s.Set(ctx, "cursors", []byte("1234567"), 0); err != nil {
			b.Fatal(err)
		}
		b.Run(tc.name, func(b *testing.B) {
			for b.Loop() {
				if _, _, err := tc.s.Get(ctx, "cursors"); err != nil {
					b.Fatal(err)
				}
			}
		})
	}
}
