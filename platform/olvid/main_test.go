package olvid_test

import (
	"testing"

	"go.uber.org/goleak"

	"github.com/parleybot/parley/platform/platformtest"
)

// No goroutine of a platform, client or simulator outlives its test. The
// soak harness starts this binary again as its bot process.
func TestMain(m *testing.M) {
	platformtest.SoakChild(soakPlatform)
	goleak.VerifyTestMain(m)
}
