package middleware

import "testing"

// TestDedupeStoreKeyNoAlloc guards the hot path: a key that already names
// its platform is used as is.
func TestDedupeStoreKeyNoAlloc(t *testing.T) {
	key := "simplex:1:@5:42"
	var got string
	allocs := testing.AllocsPerRun(100, func() { got = dedupeStoreKey("simplex", key) })
	if allocs != 0 || got != key {
		t.Errorf("dedupeStoreKey = %q with %v allocs, want the key itself and 0 allocs", got, allocs)
	}
}
