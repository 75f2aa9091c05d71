//go:build !race

package tadasim_test

// raceEnabled is set when the race detector slows every step tenfold.
const raceEnabled = false
