package tada_test

import (
	"os"
	"testing"

	"github.com/parleybot/parley/platform/platformtest"
)

// The soak harness starts this binary again as its bot process.
func TestMain(m *testing.M) {
	platformtest.SoakChild(soakPlatform)
	os.Exit(m.Run())
}
