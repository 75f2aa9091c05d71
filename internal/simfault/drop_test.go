package simfault

import "testing"

// cuts runs n frames through d and returns the 1-based frames it cut at.
func cuts(d *Drops, n int) []int {
	var at []int
	for i := 1; i <= n; i++ {
		if d.Cut() {
			at = append(at, i)
		}
	}
	return at
}

func TestZeroValueNeverDrops(t *testing.T) {
	var d Drops
	if at := cuts(&d, 100); len(at) != 0 || d.Made() != 0 {
		t.Fatalf("zero value cut at %v, made %d", at, d.Made())
	}
}

func TestAfterDropsOnce(t *testing.T) {
	var d Drops
	d.After(3)
	if at := cuts(&d, 20); len(at) != 1 || at[0] != 3 {
		t.Fatalf("After(3) cut at %v, want [3]", at)
	}
	if d.Made() != 1 {
		t.Fatalf("made %d, want 1", d.Made())
	}
}

func TestEveryRepeatsUntilTurnedOff(t *testing.T) {
	var d Drops
	d.Every(4)
	if at := cuts(&d, 13); len(at) != 3 || at[0] != 4 || at[1] != 8 || at[2] != 12 {
		t.Fatalf("Every(4) cut at %v, want [4 8 12]", at)
	}
	d.Every(0)
	if at := cuts(&d, 20); len(at) != 0 {
		t.Fatalf("Every(0) still cut at %v", at)
	}
	if d.Made() != 3 {
		t.Fatalf("made %d, want 3", d.Made())
	}
}

func TestAfterEndsARepeatingSchedule(t *testing.T) {
	var d Drops
	d.Every(2)
	d.After(5)
	if at := cuts(&d, 20); len(at) != 1 || at[0] != 5 {
		t.Fatalf("After(5) after Every(2) cut at %v, want [5]", at)
	}
}

func TestEveryCountsAnew(t *testing.T) {
	var d Drops
	d.Every(5)
	cuts(&d, 3)
	d.Every(5)
	if at := cuts(&d, 5); len(at) != 1 || at[0] != 5 {
		t.Fatalf("Every(5) again cut at %v, want [5]", at)
	}
}
