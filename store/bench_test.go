package store_test

import (
	"context"
	"fmt"
	"path/filepath"
	"testing"
	"time"

	"github.com/parleybot/parley/store"
)

// benchKeys is larger than the store bound used below, so cycling through
// it keeps finding keys that were evicted long ago: new keys in steady state.
var benchKeys = func() []string {
	keys := make([]string, 1<<18)
	for i := range keys {
		keys[i] = fmt.Sprintf("simplex:event:%d", i)
	}
	return keys
}()

func BenchmarkMemoryAdd(b *testing.B) {
	ctx := context.Background()
	cases := []struct {
		name  string
		max   int
		keys  []string
		value []byte
		ttl   time.Duration
	}{
		{"new", 1 << 16, benchKeys, nil, 0},
		{"new-ttl", 1 << 16, benchKeys, nil, time.Hour},
		{"new-value", 1 << 16, benchKeys, []byte("seen"), time.Hour},
		// A store that fits in cache shows the cost of the bookkeeping
		// itself rather than of memory misses.
		{"new-small", 1 << 10, benchKeys[:1<<12], nil, time.Hour},
		{"repeated", 1 << 16, benchKeys[:1024], nil, time.Hour},
	}
	for _, tc := range cases {
		b.Run(tc.name, func(b *testing.B) {
			m := store.NewMemory(store.WithMaxEntries(tc.max))
			defer m.Close()
			for _, k := range tc.keys {
				_, _ = m.Add(ctx, k, tc.value, tc.ttl) // warm up to steady state
			}
			b.ReportAllocs()
			i := 0
			for b.Loop() {
				_, _ = m.Add(ctx, tc.keys[i%len(tc.keys)], tc.value, tc.ttl)
				i++
			}
		})
	}
}

func BenchmarkMemoryAddParallel(b *testing.B) {
	ctx := context.Background()
	m := store.NewMemory(store.WithMaxEntries(1 << 16))
	defer m.Close()
	b.ReportAllocs()
	b.RunParallel(func(pb *testing.PB) {
		i := 0
		for pb.Next() {
			_, _ = m.Add(ctx, benchKeys[i%len(benchKeys)], nil, time.Hour)
			i += 7
		}
	})
}

func BenchmarkMemoryGet(b *testing.B) {
	ctx := context.Background()
	m := store.NewMemory()
	defer m.Close()
	keys := benchKeys[:50_000]
	for _, k := range keys {
		_ = m.Set(ctx, k, []byte("cursor-value-0123456789"), time.Hour)
	}
	b.ReportAllocs()
	i := 0
	for b.Loop() {
		_, _, _ = m.Get(ctx, keys[i%len(keys)])
		i++
	}
}

func BenchmarkFileAdd(b *testing.B) {
	ctx := context.Background()
	f, err := store.OpenFile(filepath.Join(b.TempDir(), "bench.db"))
	if err != nil {
		b.Fatal(err)
	}
	defer f.Close()
	b.ReportAllocs()
	i := 0
	for b.Loop() {
		_, _ = f.Add(ctx, benchKeys[i%len(benchKeys)], nil, time.Hour)
		i++
	}
}
