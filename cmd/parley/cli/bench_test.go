package cli

import (
	"context"
	"fmt"
	"io"
	"os"
	"runtime"
	"runtime/debug"
	"strconv"
	"strings"
	"testing"
	"time"

	"github.com/parleybot/parley/config"
	"github.com/parleybot/parley/platform/simplex/simplexsim"
)

// BenchmarkHostedIdleBots measures the memory of idle hosted echo bots,
// each against its own simulated CLI, hosted the way `parley run` hosts
// them. The simulators run in the same process, so they are measured on
// their own first:
//
//	sim-heap-B/sim, sim-rss-B/sim   an idle simulator, before any bot connects
//	heap-B/bot, rss-B/bot           each bot after the first: the bot (its
//	                                client, scheduler, store and metrics)
//	                                plus the simulator's end of its connection
//	stack-B/bot, goroutines/bot     the same, in goroutine stacks
//	first-heap-B, first-rss-B       the host and its first bot
//
// Heap is HeapInuse and stack StackInuse after a forced GC; RSS is read from /proc/self/statm
// (Linux only; RSS figures are left out elsewhere).
func BenchmarkHostedIdleBots(b *testing.B) {
	const n = 100
	var simHeap, simRSS, botHeap, botStack, botRSS, botG, firstHeap, firstRSS float64
	iters := 0
	for b.Loop() {
		iters++
		m0 := measure()
		sims := make([]*simplexsim.Sim, n)
		urls := make([]string, n)
		for i := range sims {
			sims[i] = simplexsim.New(simplexsim.WithAddress(false, ""))
			if err := sims[i].Start(); err != nil {
				b.Fatal(err)
			}
			urls[i] = sims[i].URL()
		}
		mSims := measure()

		cfg, err := config.Parse([]byte(benchConfig(urls)), "bench.toml")
		if err != nil {
			b.Fatal(err)
		}
		hs, err := newHosting(cfg, io.Discard)
		if err != nil {
			b.Fatal(err)
		}
		ctx, cancel := context.WithCancel(context.Background())
		if err := hs.add(cfg.Bots[0]); err != nil {
			b.Fatal(err)
		}
		if err := hs.host.Start(ctx); err != nil {
			b.Fatal(err)
		}
		waitReady(b, hs, 1)
		m1 := measure()
		for _, bc := range cfg.Bots[1:] {
			if err := hs.add(bc); err != nil {
				b.Fatal(err)
			}
		}
		waitReady(b, hs, n)
		mN := measure()

		cancel()
		if err := hs.host.Wait(); err != nil {
			b.Fatal(err)
		}
		for _, s := range sims {
			s.Close()
		}

		simHeap += (mSims.heap - m0.heap) / n
		simRSS += (mSims.rss - m0.rss) / n
		firstHeap += m1.heap - mSims.heap
		firstRSS += m1.rss - mSims.rss
		botHeap += (mN.heap - m1.heap) / (n - 1)
		botStack += (mN.stack - m1.stack) / (n - 1)
		botRSS += (mN.rss - m1.rss) / (n - 1)
		botG += float64(mN.goroutines-m1.goroutines) / (n - 1)
	}
	k := float64(iters)
	b.ReportMetric(simHeap/k, "sim-heap-B/sim")
	b.ReportMetric(botHeap/k, "heap-B/bot")
	b.ReportMetric(botStack/k, "stack-B/bot")
	b.ReportMetric(firstHeap/k, "first-heap-B")
	b.ReportMetric(botG/k, "goroutines/bot")
	if _, ok := rss(); ok {
		b.ReportMetric(simRSS/k, "sim-rss-B/sim")
		b.ReportMetric(botRSS/k, "rss-B/bot")
		b.ReportMetric(firstRSS/k, "first-rss-B")
	}
}

func benchConfig(urls []string) string {
	var sb strings.Builder
	sb.WriteString("[server]\nlisten = \"127.0.0.1:0\"\nlog_level = \"warn\"\n")
	for i, u := range urls {
		fmt.Fprintf(&sb, "\n[[bots]]\nname = \"echo-%03d\"\nplatform = \"simplex\"\n[bots.simplex]\nurl = %q\n[bots.auto_accept]\ncontacts = \"all\"\n[bots.modules.echo]\n", i, u)
	}
	return sb.String()
}

// waitReady waits until n bots report ready.
func waitReady(b *testing.B, hs *hosting, n int) {
	b.Helper()
	err := poll(30*time.Second, func() bool {
		ready := 0
		for _, st := range hs.host.Status() {
			if st.Ready {
				ready++
			}
		}
		return ready >= n
	})
	if err != nil {
		b.Fatalf("%d bots not ready: %v", n, err)
	}
}

type memSample struct {
	heap, stack, rss float64
	goroutines       int
}

// measure forces a full GC, returns freed memory to the OS, and samples.
func measure() memSample {
	runtime.GC()
	debug.FreeOSMemory()
	var ms runtime.MemStats
	runtime.ReadMemStats(&ms)
	r, _ := rss()
	return memSample{heap: float64(ms.HeapInuse), stack: float64(ms.StackInuse), rss: float64(r), goroutines: runtime.NumGoroutine()}
}

// rss returns the resident set size from /proc/self/statm.
func rss() (int64, bool) {
	data, err := os.ReadFile("/proc/self/statm")
	if err != nil {
		return 0, false
	}
	f := strings.Fields(string(data))
	if len(f) < 2 {
		return 0, false
	}
	pages, err := strconv.ParseInt(f[1], 10, 64)
	if err != nil {
		return 0, false
	}
	return pages * int64(os.Getpagesize()), true
}
