package kit_test

import (
	"context"
	"errors"
	"testing"
	"time"

	"github.com/parleybot/parley/platform/kit"
)

func TestBackoffDoublesWithinJitterAndResets(t *testing.T) {
	b := kit.Backoff{Min: 100 * time.Millisecond, Max: 400 * time.Millisecond}
	for i, base := range []time.Duration{100, 200, 400, 400} {
		base *= time.Millisecond
		d := b.Next()
		if d < base/2 || d > base {
			t.Fatalf("delay %d = %v, want within [%v, %v]", i+1, d, base/2, base)
		}
	}
	if b.Attempt() != 4 {
		t.Fatalf("Attempt = %d, want 4", b.Attempt())
	}
	b.Reset()
	if d := b.Next(); d > 100*time.Millisecond || b.Attempt() != 1 {
		t.Fatalf("after Reset: delay %v attempt %d, want ≤100ms and 1", d, b.Attempt())
	}
}

func TestReconnectStopsOnPermanentError(t *testing.T) {
	bad := errors.New("bad token")
	calls := 0
	err := kit.Reconnect(context.Background(), &kit.Backoff{Min: time.Microsecond, Max: time.Microsecond}, nil, "test",
		func(ctx context.Context, useful func()) error {
			calls++
			if calls < 3 {
				return errors.New("connection refused")
			}
			return kit.Permanent(bad)
		})
	if !errors.Is(err, bad) || !kit.IsPermanent(err) || calls != 3 {
		t.Fatalf("Reconnect = %v after %d calls, want the permanent error after 3", err, calls)
	}
}

func TestReconnectResetsBackoffAfterUsefulWork(t *testing.T) {
	ctx, cancel := context.WithCancel(context.Background())
	defer cancel()
	b := &kit.Backoff{Min: time.Microsecond, Max: time.Millisecond}
	var attempts []int
	calls := 0
	err := kit.Reconnect(ctx, b, nil, "test", func(ctx context.Context, useful func()) error {
		calls++
		attempts = append(attempts, b.Attempt())
		switch {
		case calls == 3:
			useful()
		case calls == 5:
			cancel()
			return nil
		}
		return errors.New("dropped")
	})
	if err != nil {
		t.Fatalf("Reconnect after cancel = %v, want nil", err)
	}
	// Attempts seen by each session: 0, 1, 2, then reset by call 3's
	// useful work: 1, …
	want := []int{0, 1, 2, 1, 2}
	for i := range want {
		if attempts[i] != want[i] {
			t.Fatalf("attempt numbers %v, want %v", attempts, want)
		}
	}
}
