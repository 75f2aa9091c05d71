package host_test

import (
	"context"
	"fmt"
	"runtime"
	"testing"

	"github.com/parleybot/parley/bot"
	"github.com/parleybot/parley/host"
	"github.com/parleybot/parley/metrics"
	"github.com/parleybot/parley/parleytest"
	"github.com/prometheus/client_golang/prometheus"
)

// BenchmarkIdleBots measures what an idle hosted bot costs: 100 bots, each
// a bot.Bot on a test platform with the metrics middleware and queue
// gauge, run by one Host. It reports heap and stack in use per bot and
// goroutines per bot, measured once all are running.
func BenchmarkIdleBots(b *testing.B) {
	const n = 100
	var heap, stack, goroutines float64
	for b.Loop() {
		runtime.GC()
		var before, after runtime.MemStats
		runtime.ReadMemStats(&before)
		g0 := runtime.NumGoroutine()

		reg := prometheus.NewRegistry()
		m, err := metrics.New(reg)
		if err != nil {
			b.Fatal(err)
		}
		h := host.New(host.WithRegistry(reg, reg))
		for i := range n {
			name := fmt.Sprintf("bot%03d", i)
			bt := bot.New(parleytest.NewPlatform(), bot.HandlerFunc(func(*bot.Context) error { return nil }), bot.WithName(name))
			bt.Use(m.Middleware(name))
			m.WatchBot(name, bt)
			if err := h.Add(name, bt); err != nil {
				b.Fatal(err)
			}
		}
		ctx, cancel := context.WithCancel(context.Background())
		if err := h.Start(ctx); err != nil {
			b.Fatal(err)
		}
		eventually(b, "all bots running", func() bool {
			for _, st := range h.Status() {
				if !st.Running {
					return false
				}
			}
			return true
		})
		runtime.GC()
		runtime.ReadMemStats(&after)
		heap += float64(after.HeapInuse) - float64(before.HeapInuse)
		stack += float64(after.StackInuse) - float64(before.StackInuse)
		goroutines += float64(runtime.NumGoroutine() - g0)

		cancel()
		if err := h.Wait(); err != nil {
			b.Fatal(err)
		}
	}
	runs := float64(b.N) * n
	b.ReportMetric(heap/runs, "B/bot")
	b.ReportMetric(stack/runs, "stackB/bot")
	b.ReportMetric(goroutines/runs, "goroutines/bot")
}
