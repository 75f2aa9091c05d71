package store

import (
	"context"
	"fmt"
	"testing"
	"time"
)

// checkInvariants verifies the bookkeeping behind Memory: every entry has
// exactly one live order slot and, if it expires, one live heap item; the
// heap is ordered; the queues stay within the compaction bound.
func checkInvariants(t *testing.T, m *Memory) {
	t.Helper()
	slots := map[string]int{}
	for i := range m.order.n {
		w := m.order.buf[(m.order.head+i)&(len(m.order.buf)-1)]
		if m.live(w.key, w.seq) {
			slots[w.key]++
		}
	}
	items := map[string]int{}
	q := &m.deadlines
	for i := range q.sorted.n {
		w := q.sorted.buf[(q.sorted.head+i)&(len(q.sorted.buf)-1)]
		if m.live(w.key, w.seq) {
			items[w.key]++
		}
		if i > 0 && w.before(q.sorted.buf[(q.sorted.head+i-1)&(len(q.sorted.buf)-1)]) {
			t.Fatalf("sorted deadline queue out of order at %d", i)
		}
	}
	for i, w := range q.heap {
		if m.live(w.key, w.seq) {
			items[w.key]++
		}
		if i > 0 && w.before(q.heap[(i-1)/2]) {
			t.Fatalf("heap order broken at %d", i)
		}
	}
	for k, e := range m.entries {
		if slots[k] != 1 {
			t.Fatalf("key %q has %d live order slots", k, slots[k])
		}
		want := 0
		if e.deadline != 0 {
			want = 1
		}
		if items[k] != want {
			t.Fatalf("key %q has %d live heap items; want %d", k, items[k], want)
		}
	}
	limit := 2*len(m.entries) + compactSlack
	if m.order.n > limit || m.deadlines.len() > limit {
		t.Fatalf("queues not compacted: %d slots, %d heap items, %d entries", m.order.n, m.deadlines.len(), len(m.entries))
	}
}

func TestMemoryBookkeeping(t *testing.T) {
	ctx := context.Background()
	now := time.Unix(1_900_000_000, 0)
	clock := func() time.Time { return now }
	tests := []struct {
		name string
		step func(m *Memory, i int)
	}{
		{"set and delete distinct keys", func(m *Memory, i int) {
			k := fmt.Sprint(i)
			_ = m.Set(ctx, k, nil, time.Hour)
			_ = m.Delete(ctx, k)
		}},
		{"rewrite one key with ttl", func(m *Memory, i int) {
			_ = m.Set(ctx, "cursor", []byte(fmt.Sprint(i)), time.Duration(1+i%5)*time.Second)
		}},
		{"add expiring marks over a full store", func(m *Memory, i int) {
			_, _ = m.Add(ctx, fmt.Sprint(i), nil, time.Second)
			now = now.Add(7 * time.Millisecond)
		}},
		{"mixed ttls and reads", func(m *Memory, i int) {
			k := fmt.Sprint(i % 300)
			switch i % 4 {
			case 0:
				_ = m.Set(ctx, k, nil, time.Duration(i%3)*time.Second)
			case 1:
				_, _ = m.Add(ctx, k, nil, 0)
			case 2:
				_, _, _ = m.Get(ctx, k)
			case 3:
				now = now.Add(100 * time.Millisecond)
			}
		}},
	}
	for _, tc := range tests {
		t.Run(tc.name, func(t *testing.T) {
			m := NewMemory(WithMaxEntries(200), WithClock(clock))
			defer m.Close()
			for i := range 5000 {
				tc.step(m, i)
				if i%97 == 0 {
					checkInvariants(t, m)
				}
			}
			checkInvariants(t, m)
		})
	}
}

func TestMemorySweepsOnWrite(t *testing.T) {
	ctx := context.Background()
	now := time.Unix(1_900_000_000, 0)
	m := NewMemory(WithClock(func() time.Time { return now }))
	defer m.Close()
	for i := range 100 {
		_ = m.Set(ctx, fmt.Sprint(i), nil, time.Second)
	}
	now = now.Add(time.Second)
	// Each write removes up to sweepBatch expired entries, with no reads.
	for i := range 100/sweepBatch + 1 {
		_ = m.Set(ctx, fmt.Sprint("new", i), nil, 0)
	}
	if n := m.Len(); n != 100/sweepBatch+1 {
		t.Fatalf("Len() = %d; want only the %d new entries", n, 100/sweepBatch+1)
	}
}

func TestMemoryAddAllocs(t *testing.T) {
	if testing.Short() {
		t.Skip("allocation count needs a warm store")
	}
	ctx := context.Background()
	m := NewMemory(WithMaxEntries(1000))
	defer m.Close()
	keys := make([]string, 4096)
	for i := range keys {
		keys[i] = fmt.Sprint("event-", i)
	}
	i := 0
	add := func() {
		_, _ = m.Add(ctx, keys[i%len(keys)], nil, time.Hour)
		i++
	}
	for range 3 * len(keys) {
		add() // reach steady state: full map, grown queues
	}
	if a := testing.AllocsPerRun(10000, add); a > 0 {
		t.Fatalf("Add of a new key with no value allocates %v times; want 0", a)
	}
	value := []byte("v")
	addValue := func() {
		_, _ = m.Add(ctx, keys[i%len(keys)], value, time.Hour)
		i++
	}
	if a := testing.AllocsPerRun(10000, addValue); a > 1 {
		t.Fatalf("Add of a new key with a value allocates %v times; want at most 1", a)
	}
}

func TestDeadlineQueueOrder(t *testing.T) {
	tests := []struct {
		name      string
		deadlines []int64
	}{
		{"ascending", []int64{1, 2, 3, 4, 5}},
		{"descending", []int64{5, 4, 3, 2, 1}},
		{"ties", []int64{3, 3, 1, 3, 1}},
		{"mostly ascending", []int64{10, 20, 15, 30, 5, 40, 40, 35}},
	}
	for _, tc := range tests {
		t.Run(tc.name, func(t *testing.T) {
			var q deadlineQueue
			for i, d := range tc.deadlines {
				q.push(write{key: fmt.Sprint(i), seq: uint64(i), deadline: d})
			}
			var prev write
			for i := range tc.deadlines {
				if q.len() != len(tc.deadlines)-i {
					t.Fatalf("len = %d; want %d", q.len(), len(tc.deadlines)-i)
				}
				w := q.peek()
				if i > 0 && w.before(prev) {
					t.Fatalf("popped %+v after %+v", w, prev)
				}
				q.pop()
				prev = w
			}
		})
	}
}
