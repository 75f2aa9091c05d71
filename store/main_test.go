package store_test

import (
	"testing"

	"go.uber.org/goleak"
)

// Neither store may start goroutines: expiry is driven by calls, not timers.
func TestMain(m *testing.M) {
	goleak.VerifyTestMain(m)
}
