// Package storetest is the conformance suite every store.Store must pass.
// It lives outside the test files so that each implementation's tests, in
// this module or another, run the same checks.
package storetest

import (
	"bytes"
	"context"
	"errors"
	"fmt"
	"math"
	"sync"
	"sync/atomic"
	"testing"
	"time"

	"github.com/parleybot/parley/store"
)

// Epoch is the time every suite Clock starts at.
var Epoch = time.Date(2030, time.January, 2, 3, 4, 5, 0, time.UTC)

// Clock is a clock that moves only when told to, so expiry can be tested
// without sleeping. It is safe for concurrent use.
type Clock struct {
	mu  sync.Mutex
	now time.Time
}

// NewClock returns a Clock reading start.
func NewClock(start time.Time) *Clock { return &Clock{now: start} }

// Now returns the clock's current time.
func (c *Clock) Now() time.Time {
	c.mu.Lock()
	defer c.mu.Unlock()
	return c.now
}

// Advance moves the clock forward by d.
func (c *Clock) Advance(d time.Duration) {
	c.mu.Lock()
	defer c.mu.Unlock()
	c.now = c.now.Add(d)
}

// Opener returns a new, empty store that reads time from now. The suite
// closes every store it opens, so the opener need not.
type Opener func(t *testing.T, now func() time.Time) store.Store

// Run checks that the stores open returns behave as store.Store requires.
func Run(t *testing.T, open Opener) {
	t.Helper()
	for _, tc := range cases {
		t.Run(tc.name, func(t *testing.T) {
			clk := NewClock(Epoch)
			s := open(t, clk.Now)
			t.Cleanup(func() {
				if err := s.Close(); err != nil {
					t.Errorf("Close: %v", err)
				}
			})
			tc.fn(t, s, clk)
		})
	}
}

var cases = []struct {
	name string
	fn   func(t *testing.T, s store.Store, clk *Clock)
}{
	{"GetMissing", testGetMissing},
	{"SetGet", testSetGet},
	{"Overwrite", testOverwrite},
	{"Keys", testKeys},
	{"InvalidInput", testInvalidInput},
	{"EmptyValue", testEmptyValue},
	{"LargeValue", testLargeValue},
	{"ValuesAreCopied", testValuesAreCopied},
	{"Add", testAdd},
	{"AddKeepsDeadline", testAddKeepsDeadline},
	{"Expiry", testExpiry},
	{"OverwriteChangesTTL", testOverwriteChangesTTL},
	{"HugeTTL", testHugeTTL},
	{"Delete", testDelete},
	{"ConcurrentAddSameKey", testConcurrentAddSameKey},
	{"ConcurrentAddManyKeys", testConcurrentAddManyKeys},
	{"CancelledContext", testCancelledContext},
	{"Closed", testClosed},
}

var bg = context.Background()

// mustGet fails the test unless key reads as want (nil want: absent).
func mustGet(t *testing.T, s store.Store, key string, want []byte) {
	t.Helper()
	got, ok, err := s.Get(bg, key)
	if err != nil {
		t.Fatalf("Get(%q): %v", key, err)
	}
	if want == nil {
		if ok {
			t.Fatalf("Get(%q) = %q, present; want absent", key, got)
		}
		if got != nil {
			t.Fatalf("Get(%q) absent but returned value %q", key, got)
		}
		return
	}
	if !ok {
		t.Fatalf("Get(%q) absent; want %q", key, want)
	}
	if !bytes.Equal(got, want) {
		t.Fatalf("Get(%q) = %q; want %q", key, got, want)
	}
}

func mustSet(t *testing.T, s store.Store, key, value string, ttl time.Duration) {
	t.Helper()
	if err := s.Set(bg, key, []byte(value), ttl); err != nil {
		t.Fatalf("Set(%q, %v): %v", key, ttl, err)
	}
}

func mustAdd(t *testing.T, s store.Store, key, value string, ttl time.Duration, want bool) {
	t.Helper()
	got, err := s.Add(bg, key, []byte(value), ttl)
	if err != nil {
		t.Fatalf("Add(%q, %v): %v", key, ttl, err)
	}
	if got != want {
		t.Fatalf("Add(%q, %v) = %v; want %v", key, ttl, got, want)
	}
}

func testGetMissing(t *testing.T, s store.Store, _ *Clock) {
	mustGet(t, s, "missing", nil)
	mustSet(t, s, "a", "1", 0)
	mustGet(t, s, "b", nil)
	mustGet(t, s, "a\x00", nil)
}

func testSetGet(t *testing.T, s store.Store, _ *Clock) {
	mustSet(t, s, "a", "1", 0)
	mustSet(t, s, "b", "2", time.Hour)
	mustGet(t, s, "a", []byte("1"))
	mustGet(t, s, "b", []byte("2"))
}

func testOverwrite(t *testing.T, s store.Store, _ *Clock) {
	mustSet(t, s, "a", "first", 0)
	mustSet(t, s, "a", "second, longer", 0)
	mustGet(t, s, "a", []byte("second, longer"))
	mustSet(t, s, "a", "3", 0)
	mustGet(t, s, "a", []byte("3"))
}

func testKeys(t *testing.T, s store.Store, _ *Clock) {
	keys := []string{
		"x",
		"with space",
		"ünïcödé 🔑",
		"nul\x00inside",
		"\xff\xfe not utf-8",
		"simplex:contact:42:msg:7",
		string(bytes.Repeat([]byte("k"), store.MaxKeySize)),
	}
	for i, k := range keys {
		mustSet(t, s, k, fmt.Sprint(i), 0)
	}
	for i, k := range keys {
		mustGet(t, s, k, []byte(fmt.Sprint(i)))
	}
}

func testInvalidInput(t *testing.T, s store.Store, _ *Clock) {
	tooLong := string(bytes.Repeat([]byte("k"), store.MaxKeySize+1))
	for _, key := range []string{"", tooLong} {
		if _, _, err := s.Get(bg, key); !errors.Is(err, store.ErrInvalidKey) {
			t.Errorf("Get(len %d) error = %v; want ErrInvalidKey", len(key), err)
		}
		if err := s.Set(bg, key, []byte("v"), 0); !errors.Is(err, store.ErrInvalidKey) {
			t.Errorf("Set(len %d) error = %v; want ErrInvalidKey", len(key), err)
		}
		if _, err := s.Add(bg, key, []byte("v"), 0); !errors.Is(err, store.ErrInvalidKey) {
			t.Errorf("Add(len %d) error = %v; want ErrInvalidKey", len(key), err)
		}
		if err := s.Delete(bg, key); !errors.Is(err, store.ErrInvalidKey) {
			t.Errorf("Delete(len %d) error = %v; want ErrInvalidKey", len(key), err)
		}
	}
	if err := s.Set(bg, "neg", []byte("v"), -time.Second); !errors.Is(err, store.ErrNegativeTTL) {
		t.Errorf("Set with negative ttl: error = %v; want ErrNegativeTTL", err)
	}
	if ok, err := s.Add(bg, "neg", []byte("v"), -time.Second); !errors.Is(err, store.ErrNegativeTTL) || ok {
		t.Errorf("Add with negative ttl = %v, %v; want false, ErrNegativeTTL", ok, err)
	}
	mustGet(t, s, "neg", nil)
}

func testEmptyValue(t *testing.T, s store.Store, _ *Clock) {
	if err := s.Set(bg, "nil", nil, 0); err != nil {
		t.Fatal(err)
	}
	if err := s.Set(bg, "empty", []byte{}, 0); err != nil {
		t.Fatal(err)
	}
	mustAdd(t, s, "added", "", 0, true)
	for _, k := range []string{"nil", "empty", "added"} {
		got, ok, err := s.Get(bg, k)
		if err != nil || !ok || len(got) != 0 {
			t.Errorf("Get(%q) = %q, %v, %v; want empty, true, nil", k, got, ok, err)
		}
	}
	mustAdd(t, s, "nil", "x", 0, false)
	mustGet(t, s, "missing", nil)
}

func testLargeValue(t *testing.T, s store.Store, _ *Clock) {
	big := make([]byte, 4<<20)
	for i := range big {
		big[i] = byte(i*7 + i>>11)
	}
	if err := s.Set(bg, "big", big, 0); err != nil {
		t.Fatal(err)
	}
	mustGet(t, s, "big", big)
	if ok, err := s.Add(bg, "big2", big[:1<<20+3], time.Hour); err != nil || !ok {
		t.Fatalf("Add big = %v, %v", ok, err)
	}
	mustGet(t, s, "big2", big[:1<<20+3])
}

func testValuesAreCopied(t *testing.T, s store.Store, _ *Clock) {
	v := []byte("original")
	mustSet(t, s, "set", string(v), 0)
	if err := s.Set(bg, "set", v, 0); err != nil {
		t.Fatal(err)
	}
	if _, err := s.Add(bg, "add", v, 0); err != nil {
		t.Fatal(err)
	}
	copy(v, "CHANGED!")
	mustGet(t, s, "set", []byte("original"))
	mustGet(t, s, "add", []byte("original"))

	got, _, err := s.Get(bg, "set")
	if err != nil {
		t.Fatal(err)
	}
	copy(got, "MUTATED!")
	mustGet(t, s, "set", []byte("original"))
}

func testAdd(t *testing.T, s store.Store, clk *Clock) {
	mustAdd(t, s, "k", "first", time.Minute, true)
	mustAdd(t, s, "k", "second", time.Minute, false)
	mustGet(t, s, "k", []byte("first"))

	mustSet(t, s, "set", "v", 0)
	mustAdd(t, s, "set", "other", 0, false)
	mustGet(t, s, "set", []byte("v"))

	clk.Advance(time.Minute)
	mustAdd(t, s, "k", "third", 0, true)
	mustGet(t, s, "k", []byte("third"))
	clk.Advance(1000 * time.Hour)
	mustAdd(t, s, "k", "fourth", 0, false)
	mustGet(t, s, "k", []byte("third"))
}

// testAddKeepsDeadline pins the dedupe contract: a refused Add does not
// extend the mark it collided with.
func testAddKeepsDeadline(t *testing.T, s store.Store, clk *Clock) {
	mustAdd(t, s, "k", "v", time.Minute, true)
	clk.Advance(40 * time.Second)
	mustAdd(t, s, "k", "v", time.Minute, false)
	clk.Advance(20 * time.Second)
	mustGet(t, s, "k", nil)
	mustAdd(t, s, "k", "v", time.Minute, true)
}

func testExpiry(t *testing.T, s store.Store, clk *Clock) {
	mustSet(t, s, "short", "s", time.Second)
	mustSet(t, s, "long", "l", time.Minute)
	mustSet(t, s, "forever", "f", 0)

	clk.Advance(time.Second - time.Nanosecond)
	mustGet(t, s, "short", []byte("s"))
	clk.Advance(time.Nanosecond)
	mustGet(t, s, "short", nil)
	mustGet(t, s, "long", []byte("l"))

	clk.Advance(time.Minute)
	mustGet(t, s, "long", nil)
	clk.Advance(10 * 365 * 24 * time.Hour)
	mustGet(t, s, "forever", []byte("f"))

	// Writes after expiry must not resurrect or disturb anything.
	mustSet(t, s, "other", "o", time.Second)
	mustGet(t, s, "short", nil)
	mustGet(t, s, "long", nil)
	mustGet(t, s, "forever", []byte("f"))
	mustGet(t, s, "other", []byte("o"))
}

func testOverwriteChangesTTL(t *testing.T, s store.Store, clk *Clock) {
	mustSet(t, s, "renewed", "1", time.Minute)
	mustSet(t, s, "unlimited", "1", time.Minute)
	mustSet(t, s, "limited", "1", 0)
	clk.Advance(30 * time.Second)
	mustSet(t, s, "renewed", "2", time.Minute)
	mustSet(t, s, "unlimited", "2", 0)
	mustSet(t, s, "limited", "2", time.Minute)
	clk.Advance(45 * time.Second)
	mustGet(t, s, "renewed", []byte("2"))
	mustGet(t, s, "unlimited", []byte("2"))
	mustGet(t, s, "limited", []byte("2"))
	clk.Advance(15 * time.Second)
	mustGet(t, s, "renewed", nil)
	mustGet(t, s, "limited", nil)
	mustGet(t, s, "unlimited", []byte("2"))
}

func testHugeTTL(t *testing.T, s store.Store, clk *Clock) {
	mustSet(t, s, "k", "v", time.Duration(math.MaxInt64))
	mustAdd(t, s, "a", "v", time.Duration(math.MaxInt64), true)
	clk.Advance(100 * 365 * 24 * time.Hour)
	mustGet(t, s, "k", []byte("v"))
	mustGet(t, s, "a", []byte("v"))
}

func testDelete(t *testing.T, s store.Store, clk *Clock) {
	mustSet(t, s, "a", "1", 0)
	mustSet(t, s, "b", "2", 0)
	if err := s.Delete(bg, "a"); err != nil {
		t.Fatal(err)
	}
	mustGet(t, s, "a", nil)
	mustGet(t, s, "b", []byte("2"))
	if err := s.Delete(bg, "a"); err != nil {
		t.Fatalf("deleting an absent key: %v", err)
	}
	if err := s.Delete(bg, "never"); err != nil {
		t.Fatalf("deleting a never-set key: %v", err)
	}
	mustAdd(t, s, "a", "again", 0, true)
	mustGet(t, s, "a", []byte("again"))

	mustSet(t, s, "e", "x", time.Second)
	clk.Advance(time.Second)
	if err := s.Delete(bg, "e"); err != nil {
		t.Fatalf("deleting an expired key: %v", err)
	}
	mustGet(t, s, "e", nil)
}

// race runs fn from n goroutines released together and waits for them.
func race(n int, fn func(i int)) {
	var start, done sync.WaitGroup
	start.Add(1)
	done.Add(n)
	for i := range n {
		go func() {
			defer done.Done()
			start.Wait()
			fn(i)
		}()
	}
	start.Done()
	done.Wait()
}

func testConcurrentAddSameKey(t *testing.T, s store.Store, _ *Clock) {
	const n = 32
	var wins atomic.Int32
	var failures atomic.Int32
	race(n, func(i int) {
		ok, err := s.Add(bg, "event-1", []byte(fmt.Sprint(i)), time.Hour)
		if err != nil {
			failures.Add(1)
		}
		if ok {
			wins.Add(1)
		}
	})
	if f := failures.Load(); f != 0 {
		t.Fatalf("%d Add calls failed", f)
	}
	if w := wins.Load(); w != 1 {
		t.Fatalf("%d of %d concurrent Adds of one key succeeded; want exactly 1", w, n)
	}
}

func testConcurrentAddManyKeys(t *testing.T, s store.Store, _ *Clock) {
	const workers, keys = 4, 40
	var wins [keys]atomic.Int32
	var failures atomic.Int32
	race(workers, func(w int) {
		for i := range keys {
			k := (i + w*keys/workers) % keys // each worker starts elsewhere
			ok, err := s.Add(bg, fmt.Sprintf("key-%d", k), nil, 0)
			if err != nil {
				failures.Add(1)
			}
			if ok {
				wins[k].Add(1)
			}
			if _, _, err := s.Get(bg, fmt.Sprintf("key-%d", (k+1)%keys)); err != nil {
				failures.Add(1)
			}
		}
	})
	if f := failures.Load(); f != 0 {
		t.Fatalf("%d calls failed", f)
	}
	for k := range wins {
		if w := wins[k].Load(); w != 1 {
			t.Errorf("key-%d: %d successful Adds; want exactly 1", k, w)
		}
	}
}

func testCancelledContext(t *testing.T, s store.Store, _ *Clock) {
	mustSet(t, s, "kept", "v", 0)
	ctx, cancel := context.WithCancel(bg)
	cancel()
	if _, _, err := s.Get(ctx, "kept"); !errors.Is(err, context.Canceled) {
		t.Errorf("Get error = %v; want context.Canceled", err)
	}
	if err := s.Set(ctx, "set", []byte("v"), 0); !errors.Is(err, context.Canceled) {
		t.Errorf("Set error = %v; want context.Canceled", err)
	}
	if ok, err := s.Add(ctx, "add", []byte("v"), 0); !errors.Is(err, context.Canceled) || ok {
		t.Errorf("Add = %v, %v; want false, context.Canceled", ok, err)
	}
	if err := s.Delete(ctx, "kept"); !errors.Is(err, context.Canceled) {
		t.Errorf("Delete error = %v; want context.Canceled", err)
	}
	mustGet(t, s, "set", nil)
	mustGet(t, s, "add", nil)
	mustGet(t, s, "kept", []byte("v"))
}

func testClosed(t *testing.T, s store.Store, _ *Clock) {
	mustSet(t, s, "k", "v", 0)
	if err := s.Close(); err != nil {
		t.Fatalf("Close: %v", err)
	}
	if err := s.Close(); err != nil {
		t.Fatalf("second Close: %v", err)
	}
	if _, _, err := s.Get(bg, "k"); !errors.Is(err, store.ErrClosed) {
		t.Errorf("Get error = %v; want ErrClosed", err)
	}
	if err := s.Set(bg, "k", []byte("v"), 0); !errors.Is(err, store.ErrClosed) {
		t.Errorf("Set error = %v; want ErrClosed", err)
	}
	if ok, err := s.Add(bg, "new", []byte("v"), 0); !errors.Is(err, store.ErrClosed) || ok {
		t.Errorf("Add = %v, %v; want false, ErrClosed", ok, err)
	}
	if err := s.Delete(bg, "k"); !errors.Is(err, store.ErrClosed) {
		t.Errorf("Delete error = %v; want ErrClosed", err)
	}
}
