package metrics_test

import (
	"context"
	"sort"
	"strings"
	"testing"
	"time"

	"github.com/parleybot/parley/bot"
	"github.com/prometheus/client_golang/prometheus"
	dto "github.com/prometheus/client_model/go"
)

// The helpers below read a registry through Gather; they stand in for
// prometheus/testutil, whose diff dependency is not in go.sum.

// family gathers g and returns the named family, or nil.
func family(t testing.TB, g prometheus.Gatherer, name string) *dto.MetricFamily {
	t.Helper()
	mfs, err := g.Gather()
	if err != nil {
		t.Fatalf("gather: %v", err)
	}
	for _, mf := range mfs {
		if mf.GetName() == name {
			return mf
		}
	}
	return nil
}

// seriesCount returns how many series the named family has.
func seriesCount(t testing.TB, g prometheus.Gatherer, name string) int {
	t.Helper()
	mf := family(t, g, name)
	if mf == nil {
		return 0
	}
	return len(mf.GetMetric())
}

// value returns the value of the series of name whose labels are exactly
// labels ("k=v" pairs): a counter's or gauge's value, a histogram's sample
// count. ok is false when there is no such series.
func value(t testing.TB, g prometheus.Gatherer, name string, labels ...string) (v float64, ok bool) {
	t.Helper()
	mf := family(t, g, name)
	if mf == nil {
		return 0, false
	}
	want := append([]string(nil), labels...)
	sort.Strings(want)
	for _, m := range mf.GetMetric() {
		var got []string
		for _, lp := range m.GetLabel() {
			got = append(got, lp.GetName()+"="+lp.GetValue())
		}
		sort.Strings(got)
		if strings.Join(got, ",") != strings.Join(want, ",") {
			continue
		}
		switch {
		case m.Counter != nil:
			return m.Counter.GetValue(), true
		case m.Gauge != nil:
			return m.Gauge.GetValue(), true
		case m.Histogram != nil:
			return float64(m.Histogram.GetSampleCount()), true
		}
	}
	return 0, false
}

// mustValue is value that fails the test when the series is missing.
func mustValue(t testing.TB, g prometheus.Gatherer, name string, labels ...string) float64 {
	t.Helper()
	v, ok := value(t, g, name, labels...)
	if !ok {
		t.Fatalf("no series %s%v", name, labels)
	}
	return v
}

// eventually polls cond until it holds or the timeout passes.
func eventually(t testing.TB, timeout time.Duration, what string, cond func() bool) {
	t.Helper()
	deadline := time.Now().Add(timeout)
	tick := time.NewTicker(time.Millisecond)
	defer tick.Stop()
	for !cond() {
		if time.Now().After(deadline) {
			t.Fatalf("timed out after %v waiting for %s", timeout, what)
		}
		<-tick.C
	}
}

// runBot runs b until the test ends and fails the test if Run fails.
func runBot(t *testing.T, b *bot.Bot) {
	t.Helper()
	ctx, cancel := context.WithCancel(context.Background())
	done := make(chan error, 1)
	go func() { done <- b.Run(ctx) }()
	t.Cleanup(func() {
		cancel()
		if err := <-done; err != nil {
			t.Errorf("bot.Run: %v", err)
		}
	})
}
