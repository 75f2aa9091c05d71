package store_test

import (
	"context"
	"fmt"
	"math/rand/v2"
	"slices"
	"testing"
	"time"

	"github.com/parleybot/parley/store"
	"github.com/parleybot/parley/store/storetest"
)

func TestMemoryConformance(t *testing.T) {
	storetest.Run(t, func(t *testing.T, now func() time.Time) store.Store {
		return store.NewMemory(store.WithClock(now))
	})
}

func TestMemoryConformanceSmallBound(t *testing.T) {
	// A bound above what any suite case holds at once, but small enough
	// that the suite's keys cycle through eviction bookkeeping.
	storetest.Run(t, func(t *testing.T, now func() time.Time) store.Store {
		return store.NewMemory(store.WithClock(now), store.WithMaxEntries(64))
	})
}

func TestMemoryEvictionOrder(t *testing.T) {
	ctx := context.Background()
	tests := []struct {
		name    string
		max     int
		ops     func(m *store.Memory, clk *storetest.Clock)
		present []string
		absent  []string
	}{
		{
			name: "oldest goes first",
			max:  3,
			ops: func(m *store.Memory, _ *storetest.Clock) {
				for _, k := range []string{"a", "b", "c", "d"} {
					_ = m.Set(ctx, k, nil, 0)
				}
			},
			present: []string{"b", "c", "d"},
			absent:  []string{"a"},
		},
		{
			name: "a rewrite moves a key to the back",
			max:  3,
			ops: func(m *store.Memory, _ *storetest.Clock) {
				for _, k := range []string{"a", "b", "c", "a", "d", "e"} {
					_ = m.Set(ctx, k, nil, 0)
				}
			},
			present: []string{"a", "d", "e"},
			absent:  []string{"b", "c"},
		},
		{
			name: "a refused Add does not move a key",
			max:  3,
			ops: func(m *store.Memory, _ *storetest.Clock) {
				for _, k := range []string{"a", "b", "c", "a", "d"} {
					_, _ = m.Add(ctx, k, nil, 0)
				}
			},
			present: []string{"b", "c", "d"},
			absent:  []string{"a"},
		},
		{
			name: "expired goes before older live entries",
			max:  3,
			ops: func(m *store.Memory, clk *storetest.Clock) {
				_ = m.Set(ctx, "old", nil, 0)
				_ = m.Set(ctx, "short", nil, time.Second)
				_ = m.Set(ctx, "long", nil, time.Hour)
				clk.Advance(time.Minute)
				_ = m.Set(ctx, "new", nil, 0)
			},
			present: []string{"old", "long", "new"},
			absent:  []string{"short"},
		},
		{
			name: "deleted entries free their place",
			max:  3,
			ops: func(m *store.Memory, _ *storetest.Clock) {
				for _, k := range []string{"a", "b", "c"} {
					_ = m.Set(ctx, k, nil, 0)
				}
				_ = m.Delete(ctx, "b")
				_ = m.Set(ctx, "d", nil, 0)
			},
			present: []string{"a", "c", "d"},
			absent:  []string{"b"},
		},
		{
			name: "bound of one",
			max:  1,
			ops: func(m *store.Memory, _ *storetest.Clock) {
				_, _ = m.Add(ctx, "a", nil, 0)
				_, _ = m.Add(ctx, "b", nil, 0)
			},
			present: []string{"b"},
			absent:  []string{"a"},
		},
	}
	for _, tc := range tests {
		t.Run(tc.name, func(t *testing.T) {
			clk := storetest.NewClock(storetest.Epoch)
			m := store.NewMemory(store.WithMaxEntries(tc.max), store.WithClock(clk.Now))
			defer m.Close()
			tc.ops(m, clk)
			for _, k := range tc.present {
				if _, ok, err := m.Get(ctx, k); err != nil || !ok {
					t.Errorf("Get(%q) = %v, %v; want present", k, ok, err)
				}
			}
			for _, k := range tc.absent {
				if _, ok, err := m.Get(ctx, k); err != nil || ok {
					t.Errorf("Get(%q) = %v, %v; want absent", k, ok, err)
				}
			}
			if n := m.Len(); n > tc.max {
				t.Errorf("Len() = %d; bound is %d", n, tc.max)
			}
		})
	}
}

func TestMemoryLen(t *testing.T) {
	ctx := context.Background()
	m := store.NewMemory()
	defer m.Close()
	for i := range 10 {
		_ = m.Set(ctx, fmt.Sprint(i), nil, 0)
	}
	_ = m.Set(ctx, "3", []byte("again"), 0)
	_ = m.Delete(ctx, "7")
	if got := m.Len(); got != 9 {
		t.Fatalf("Len() = %d; want 9", got)
	}
	_ = m.Close()
	if got := m.Len(); got != 0 {
		t.Fatalf("Len() after Close = %d; want 0", got)
	}
}

func TestMemoryDefaultBound(t *testing.T) {
	ctx := context.Background()
	m := store.NewMemory()
	defer m.Close()
	for i := range store.DefaultMaxEntries + 10 {
		if ok, err := m.Add(ctx, fmt.Sprint(i), nil, 0); err != nil || !ok {
			t.Fatalf("Add(%d) = %v, %v", i, ok, err)
		}
	}
	if got := m.Len(); got != store.DefaultMaxEntries {
		t.Fatalf("Len() = %d; want %d", got, store.DefaultMaxEntries)
	}
	for i := range 10 {
		if _, ok, _ := m.Get(ctx, fmt.Sprint(i)); ok {
			t.Fatalf("key %d survived; the first 10 should have been evicted", i)
		}
	}
	if _, ok, _ := m.Get(ctx, "10"); !ok {
		t.Fatal("key 10 was evicted; only the first 10 should go")
	}
}

func TestMemoryBadBoundPanics(t *testing.T) {
	for _, n := range []int{0, -1} {
		func() {
			defer func() {
				if recover() == nil {
					t.Errorf("NewMemory(WithMaxEntries(%d)) did not panic", n)
				}
			}()
			store.NewMemory(store.WithMaxEntries(n))
		}()
	}
}

// model is the observable behaviour of Memory, written the obvious way: a
// list of live entries in write order. Expired entries are invisible, and a
// live one is only evicted when every place is held by a live entry.
type model struct {
	max     int
	entries []modelEntry // oldest write first
}

type modelEntry struct {
	key      string
	value    string
	deadline time.Time // zero: no expiry
}

func (m *model) find(key string, now time.Time) int {
	for i, e := range m.entries {
		if e.key == key {
			if !e.deadline.IsZero() && !now.Before(e.deadline) {
				return -1
			}
			return i
		}
	}
	return -1
}

func (m *model) live(now time.Time) []modelEntry {
	var out []modelEntry
	for _, e := range m.entries {
		if e.deadline.IsZero() || now.Before(e.deadline) {
			out = append(out, e)
		}
	}
	return out
}

func (m *model) write(key, value string, ttl time.Duration, now time.Time) {
	m.entries = slices.DeleteFunc(m.live(now), func(e modelEntry) bool { return e.key == key })
	if len(m.entries) >= m.max {
		m.entries = m.entries[1:]
	}
	var dl time.Time
	if ttl > 0 {
		dl = now.Add(ttl)
	}
	m.entries = append(m.entries, modelEntry{key, value, dl})
}

// checkAgainstModel replays ops, four bytes each, on Memory and the model,
// and fails at the first difference.
func checkAgainstModel(t *testing.T, max int, ops []byte) {
	ctx := context.Background()
	clk := storetest.NewClock(storetest.Epoch)
	m := store.NewMemory(store.WithMaxEntries(max), store.WithClock(clk.Now))
	defer m.Close()
	ref := &model{max: max}
	ttls := []time.Duration{0, time.Second, 3 * time.Second, time.Minute}
	for i := 0; i+4 <= len(ops); i += 4 {
		op, key, ttl := ops[i]%5, fmt.Sprint(ops[i+1]%16), ttls[ops[i+2]%4]
		value := fmt.Sprint(i)
		now := clk.Now()
		switch op {
		case 0:
			if err := m.Set(ctx, key, []byte(value), ttl); err != nil {
				t.Fatal(err)
			}
			ref.write(key, value, ttl, now)
		case 1:
			got, err := m.Add(ctx, key, []byte(value), ttl)
			if err != nil {
				t.Fatal(err)
			}
			want := ref.find(key, now) < 0
			if got != want {
				t.Fatalf("op %d: Add(%q) = %v; model says %v", i/4, key, got, want)
			}
			if want {
				ref.write(key, value, ttl, now)
			}
		case 2:
			if err := m.Delete(ctx, key); err != nil {
				t.Fatal(err)
			}
			ref.entries = slices.DeleteFunc(ref.entries, func(e modelEntry) bool { return e.key == key })
		case 3:
			clk.Advance(time.Duration(ops[i+3]) * 20 * time.Millisecond)
		case 4:
			// A read on its own: lazy expiry must not change what others see.
			_, _, _ = m.Get(ctx, key)
		}
		if n := m.Len(); n > max {
			t.Fatalf("op %d: Len() = %d exceeds the bound %d", i/4, n, max)
		}
		// Reading a key removes it if expired, so check one key per op and
		// leave the rest for the eviction logic to meet.
		if err := checkKey(m, ref, fmt.Sprint(ops[i+3]%16), clk.Now()); err != nil {
			t.Fatalf("op %d: %v", i/4, err)
		}
	}
	for k := range 16 {
		if err := checkKey(m, ref, fmt.Sprint(k), clk.Now()); err != nil {
			t.Fatalf("at the end: %v", err)
		}
	}
}

func checkKey(m *store.Memory, ref *model, key string, now time.Time) error {
	got, ok, err := m.Get(context.Background(), key)
	if err != nil {
		return err
	}
	j := ref.find(key, now)
	if ok != (j >= 0) || (ok && string(got) != ref.entries[j].value) {
		return fmt.Errorf("Get(%q) = %q, %v; model has index %d in %v", key, got, ok, j, ref.entries)
	}
	return nil
}

func TestMemoryAgainstModel(t *testing.T) {
	for _, max := range []int{1, 3, 8, 100} {
		t.Run(fmt.Sprint(max), func(t *testing.T) {
			r := rand.New(rand.NewPCG(uint64(max), 42))
			ops := make([]byte, 4*3000)
			for i := range ops {
				ops[i] = byte(r.Uint32())
			}
			checkAgainstModel(t, max, ops)
		})
	}
}

func FuzzMemoryAgainstModel(f *testing.F) {
	f.Add(uint8(3), []byte{0, 1, 1, 0, 0, 2, 0, 0, 0, 3, 2, 0, 0, 4, 0, 0, 3, 0, 0, 60, 1, 1, 1, 0})
	f.Add(uint8(1), []byte{1, 1, 1, 0, 1, 2, 1, 0, 3, 0, 0, 255, 1, 1, 0, 0})
	f.Fuzz(func(t *testing.T, max uint8, ops []byte) {
		checkAgainstModel(t, int(max%10)+1, ops)
	})
}
