package olvidsim_test

import (
	"testing"

	"go.uber.org/goleak"
)

// No goroutine of the simulator outlives its test.
func TestMain(m *testing.M) { goleak.VerifyTestMain(m) }
