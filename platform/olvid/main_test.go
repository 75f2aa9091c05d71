package olvid_test

import (
	"testing"

	"go.uber.org/goleak"
)

// No goroutine of a platform, client or simulator outlives its test.
func TestMain(m *testing.M) { goleak.VerifyTestMain(m) }
