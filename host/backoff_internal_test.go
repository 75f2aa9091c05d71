package host

import (
	"testing"
	"time"
)

func TestNextDelayDoublesUpToMax(t *testing.T) {
	tests := []struct {
		d, max, want time.Duration
	}{
		{time.Second, time.Minute, 2 * time.Second},
		{20 * time.Second, time.Minute, 40 * time.Second},
		{30 * time.Second, time.Minute, time.Minute},
		{40 * time.Second, time.Minute, time.Minute},
		{time.Minute, time.Minute, time.Minute},
	}
	for _, tt := range tests {
		if got := nextDelay(tt.d, tt.max); got != tt.want {
			t.Errorf("nextDelay(%v, %v) = %v, want %v", tt.d, tt.max, got, tt.want)
		}
	}
}

func TestJitterStaysWithinHalfToFull(t *testing.T) {
	lowest := func(int64) int64 { return 0 }
	highest := func(n int64) int64 { return n - 1 }
	tests := []struct {
		d        time.Duration
		randN    func(int64) int64
		want     time.Duration
		randName string
	}{
		{time.Second, lowest, 500 * time.Millisecond, "lowest"},
		{time.Second, highest, time.Second, "highest"},
		{time.Nanosecond, lowest, 0, "lowest"},
		{time.Nanosecond, highest, time.Nanosecond, "highest"},
		{3 * time.Nanosecond, lowest, time.Nanosecond, "lowest"},
		{3 * time.Nanosecond, highest, 3 * time.Nanosecond, "highest"},
	}
	for _, tt := range tests {
		if got := jitter(tt.d, tt.randN); got != tt.want {
			t.Errorf("jitter(%v, %s) = %v, want %v", tt.d, tt.randName, got, tt.want)
		}
	}
}
