package simplex_test

// End-to-end echo benchmarks over loopback against the feeder (a lean
// stand-in for the SimpleX CLI, feeder_test.go), with Parley and a minimal
// raw client measured side by side in the same iteration, so that the
// figures that matter are ratios to the raw client.
//
// The bot runs in a child process (this test binary run again, see
// TestMain), pinned to one CPU with taskset when it is available (set
// PARLEY_BENCH_ECHO_CPU to choose the CPU, or to "none"), so its CPU time
// and memory are measured apart from the feeder's. Parent and child talk
// over the child's stdin and stdout.
//
// Workloads:
//
//   - flood-1chat: 20,000 messages from one contact, written as fast as
//     the bot reads them; one busy chat, like a large group.
//   - flood-200chats: 20,000 messages over 200 contacts.
//   - paced: 2,000 messages at 500 per second over 50 contacts.
//
// Variants: raw (one coder/websocket connection, encoding/json, replies
// written by a writer goroutine and correlated by corrId), parley (the echo
// example's shape: bot, router, Recover, with pipelined replies
// c.ReplyAsync) and parley-wait (the same with the waiting c.Reply).
//
// Each variant reports, per message: msgs/s (messages over the time from
// the first write to the last echo command), p50-ms and p99-ms (from the
// feeder writing a message to the echo /_send for it arriving; both
// stamps are the feeder's), cpu-µs/msg (the bot process's user and system
// time over the series), peak-rss-MB (VmHWM reset after warm-up) and
// heap-peak-MB. The parley variants also report x-<metric>, their figure
// divided by raw's in the same iteration. With -benchtime=Nx each figure is
// the median of N iterations. Every iteration checks that each message was
// echoed exactly once, quoting its item.

import (
	"bufio"
	"bytes"
	"context"
	"encoding/json"
	"fmt"
	"os"
	"runtime"
	"runtime/debug"
	"runtime/metrics"
	"runtime/pprof"
	"slices"
	"strconv"
	"strings"
	"sync"
	"sync/atomic"
	"testing"
	"time"

	"github.com/coder/websocket"

	"github.com/parleybot/parley/bot"
	"github.com/parleybot/parley/middleware"
	"github.com/parleybot/parley/platform/simplex"
	"github.com/parleybot/parley/router"
)

const (
	floodMessages = 20000
	pacedMessages = 2000
	pacedRate     = 500 // messages per second
	pacedContacts = 50
	warmupText    = "warmup"
	echoDeadline  = 2 * time.Minute
)

// BenchmarkEcho runs every workload with every variant; see the top of the
// file for what the figures mean.
func BenchmarkEcho(b *testing.B) {
	workloads := []struct {
		name           string
		n, chats, rate int
	}{
		{"flood-1chat", floodMessages, 1, 0},
		{"flood-200chats", floodMessages, 200, 0},
		{"paced", pacedMessages, pacedContacts, pacedRate},
	}
	for _, w := range workloads {
		b.Run(w.name, func(b *testing.B) { benchEcho(b, w.n, w.chats, w.rate) })
	}
}

func echoText(i int) string { return "e" + strconv.Itoa(i) }

// An echo bot under test: start connects it to url and makes it echo every
// received text; the returned stop ends it and reports what went wrong.
type echoStarter func(url string) (stop func() error, err error)

var echoVariants = []struct {
	name  string
	start echoStarter
}{
	{"raw", startRawEcho},
	{"parley", func(url string) (func() error, error) { return startParleyEcho(url, true) }},
	{"parley-wait", func(url string) (func() error, error) { return startParleyEcho(url, false) }},
}

// startParleyEcho runs the echo example's bot: a router echoing direct
// texts, with Recover, over the simplex Platform with its defaults.
func startParleyEcho(url string, pipelined bool) (func() error, error) {
	p := simplex.New(url)
	hasText := func(c *bot.Context) bool { m, _ := c.Message(); return m.Text != "" }
	r := router.New()
	if pipelined {
		r.OnMessage(func(c *bot.Context, m bot.Message) error {
			c.ReplyAsync(m.Text)
			return nil
		}, router.Direct(), hasText)
	} else {
		r.OnMessage(func(c *bot.Context, m bot.Message) error { return c.Reply(m.Text) }, router.Direct(), hasText)
	}
	var opts []bot.Option
	if q, err := strconv.Atoi(os.Getenv("PARLEY_BENCH_MAXQUEUED")); err == nil {
		opts = append(opts, bot.WithMaxQueued(q))
	}
	bt := bot.New(p, r, opts...)
	bt.Use(middleware.Recover())
	ctx, cancel := context.WithCancel(context.Background())
	done := make(chan error, 1)
	go func() { done <- bt.Run(ctx) }()
	return func() error {
		cancel()
		if err := <-done; err != nil {
			return fmt.Errorf("bot: %w", err)
		}
		if s := bt.Stats(); s.Failed != 0 || s.Panics != 0 {
			return fmt.Errorf("bot stats: %+v", s)
		}
		if os.Getenv(echoChildInfoEnv) != "" {
			fmt.Fprintf(os.Stderr, "parley echo: platform %+v bot %+v\n", p.Stats(), bt.Stats())
		}
		return nil
	}, nil
}

// rawFrame is all the raw client reads of a frame.
type rawFrame struct {
	CorrID string `json:"corrId"`
	Resp   struct {
		Type      string          `json:"type"`
		ChatItems json.RawMessage `json:"chatItems"`
	} `json:"resp"`
}

type rawItem struct {
	ChatInfo struct {
		Type    string `json:"type"`
		Contact struct {
			ContactID int64 `json:"contactId"`
		} `json:"contact"`
	} `json:"chatInfo"`
	ChatItem struct {
		ChatDir struct {
			Type string `json:"type"`
		} `json:"chatDir"`
		Meta struct {
			ItemID int64 `json:"itemId"`
		} `json:"meta"`
		Content struct {
			Type       string `json:"type"`
			MsgContent struct {
				Text string `json:"text"`
			} `json:"msgContent"`
		} `json:"content"`
	} `json:"chatItem"`
}

type rawComposed struct {
	MsgContent struct {
		Type string `json:"type"`
		Text string `json:"text"`
	} `json:"msgContent"`
	QuotedItemID int64 `json:"quotedItemId"`
}

type rawCommandFrame struct {
	CorrID string `json:"corrId"`
	Cmd    string `json:"cmd"`
}

// startRawEcho runs the baseline: one coder/websocket connection, a reader
// decoding with encoding/json, replies as /_send commands written by a
// writer goroutine (so the reader never waits on a write) and correlated
// by corrId.
func startRawEcho(url string) (func() error, error) {
	ctx, cancel := context.WithCancel(context.Background())
	conn, _, err := websocket.Dial(ctx, url, nil)
	if err != nil {
		cancel()
		return nil, err
	}
	conn.SetReadLimit(64 << 20)
	out := make(chan []byte, 1<<16)
	var wg sync.WaitGroup
	var failure atomic.Pointer[error]
	fail := func(err error) {
		if ctx.Err() == nil {
			failure.CompareAndSwap(nil, &err)
		}
		cancel()
	}
	wg.Add(2)
	go func() {
		defer wg.Done()
		for {
			select {
			case f := <-out:
				if err := conn.Write(ctx, websocket.MessageText, f); err != nil {
					fail(err)
					return
				}
			case <-ctx.Done():
				return
			}
		}
	}()
	go func() {
		defer wg.Done()
		pending := map[string]string{} // corrId → echoed text
		next := 0
		for {
			_, data, err := conn.Read(ctx)
			if err != nil {
				fail(err)
				return
			}
			var f rawFrame
			if err := json.Unmarshal(data, &f); err != nil {
				continue // not ours to fail on
			}
			if f.CorrID != "" {
				_, ok := pending[f.CorrID]
				delete(pending, f.CorrID)
				if !ok || f.Resp.Type != "newChatItems" {
					fail(fmt.Errorf("raw: response %q of type %s", f.CorrID, f.Resp.Type))
					return
				}
				continue
			}
			if f.Resp.Type != "newChatItems" {
				continue
			}
			var items []rawItem
			if err := json.Unmarshal(f.Resp.ChatItems, &items); err != nil {
				continue
			}
			for _, it := range items {
				if it.ChatInfo.Type != "direct" || it.ChatItem.ChatDir.Type != "directRcv" || it.ChatItem.Content.Type != "rcvMsgContent" {
					continue
				}
				text := it.ChatItem.Content.MsgContent.Text
				msg := []rawComposed{{QuotedItemID: it.ChatItem.Meta.ItemID}}
				msg[0].MsgContent.Type, msg[0].MsgContent.Text = "text", text
				js, _ := json.Marshal(msg)
				next++
				id := strconv.Itoa(next)
				pending[id] = text
				frame, _ := json.Marshal(rawCommandFrame{CorrID: id, Cmd: "/_send @" + strconv.FormatInt(it.ChatInfo.Contact.ContactID, 10) + " json " + string(js)})
				select {
				case out <- frame:
				case <-ctx.Done():
					return
				}
			}
		}
	}()
	return func() error {
		cancel()
		_ = conn.CloseNow()
		wg.Wait()
		if err := failure.Load(); err != nil {
			return fmt.Errorf("raw client: %w", *err)
		}
		return nil
	}, nil
}

// memSampler tracks peak RSS and peak in-use heap while a series runs.
type memSampler struct {
	hwmReset bool
	stop     chan struct{}
	done     chan struct{}
	rssMax   int64 // sampled VmRSS, bytes
	heapMax  uint64
}

func startMemSampler() *memSampler {
	runtime.GC()
	debug.FreeOSMemory()
	// "5" resets the peak RSS (VmHWM) to the current RSS.
	err := os.WriteFile("/proc/self/clear_refs", []byte("5"), 0)
	m := &memSampler{hwmReset: err == nil, stop: make(chan struct{}), done: make(chan struct{})}
	samples := []metrics.Sample{{Name: "/memory/classes/heap/objects:bytes"}, {Name: "/memory/classes/heap/unused:bytes"}}
	go func() {
		defer close(m.done)
		t := time.NewTicker(10 * time.Millisecond)
		defer t.Stop()
		for {
			metrics.Read(samples)
			if h := samples[0].Value.Uint64() + samples[1].Value.Uint64(); h > m.heapMax {
				m.heapMax = h
				writeHeapProfile()
			}
			m.rssMax = max(m.rssMax, procStatusKB("VmRSS:")*1024)
			select {
			case <-m.stop:
				return
			case <-t.C:
			}
		}
	}()
	return m
}

// writeHeapProfile writes a heap profile to the file named by
// echoChildMemProfileEnv, at most every 100ms: called at each new peak,
// the last one written is near the peak.
func writeHeapProfile() {
	path := os.Getenv(echoChildMemProfileEnv)
	if path == "" || time.Since(lastHeapProfile) < 100*time.Millisecond {
		return
	}
	lastHeapProfile = time.Now()
	if f, err := os.Create(path); err == nil {
		_ = pprof.WriteHeapProfile(f)
		_ = f.Close()
	}
}

var lastHeapProfile time.Time

// finish stops sampling and returns the peaks in bytes.
func (m *memSampler) finish() (rss int64, heap uint64) {
	close(m.stop)
	<-m.done
	rss = m.rssMax
	if m.hwmReset {
		rss = max(rss, procStatusKB("VmHWM:")*1024)
	}
	return rss, m.heapMax
}

// procStatusKB reads a kB field of /proc/self/status; 0 when unavailable.
func procStatusKB(field string) int64 {
	f, err := os.Open("/proc/self/status")
	if err != nil {
		return 0
	}
	defer f.Close()
	sc := bufio.NewScanner(f)
	for sc.Scan() {
		line := sc.Bytes()
		if bytes.HasPrefix(line, []byte(field)) {
			v := strings.TrimSuffix(strings.TrimSpace(string(line[len(field):])), " kB")
			n, _ := strconv.ParseInt(strings.TrimSpace(v), 10, 64)
			return n
		}
	}
	return 0
}

// selectedEchoVariants returns the variants named in
// PARLEY_BENCH_ECHO_VARIANTS (comma-separated), or all of them.
func selectedEchoVariants() []struct {
	name  string
	start echoStarter
} {
	names := os.Getenv("PARLEY_BENCH_ECHO_VARIANTS")
	if names == "" {
		return slices.Clone(echoVariants)
	}
	var out []struct {
		name  string
		start echoStarter
	}
	for _, v := range echoVariants {
		if slices.Contains(strings.Split(names, ","), v.name) {
			out = append(out, v)
		}
	}
	return out
}

// echoFigures are one variant's figures from one iteration.
type echoFigures struct {
	rate, p50, p99, cpu, rss, heap float64
}

func (f echoFigures) get(metric string) float64 {
	switch metric {
	case "msgs/s":
		return f.rate
	case "p50-ms":
		return f.p50
	case "p99-ms":
		return f.p99
	case "cpu-µs/msg":
		return f.cpu
	case "peak-rss-MB":
		return f.rss
	}
	return f.heap
}

var echoMetrics = []string{"msgs/s", "p50-ms", "p99-ms", "cpu-µs/msg", "peak-rss-MB", "heap-peak-MB"}

func median(xs []float64) float64 {
	s := slices.Clone(xs)
	slices.Sort(s)
	if len(s) == 0 {
		return 0
	}
	if len(s)%2 == 1 {
		return s[len(s)/2]
	}
	return (s[len(s)/2-1] + s[len(s)/2]) / 2
}

func benchEcho(b *testing.B, n, chats, rate int) {
	b.StopTimer()
	figs := map[string][]echoFigures{}
	ratios := map[string][]float64{} // "<variant> <metric>" → ratio to raw
	for it := range b.N {
		got := map[string]echoFigures{}
		// Alternate the order, so a drift in the machine's load does not
		// always favour the same variant.
		order := selectedEchoVariants()
		if it%2 == 1 {
			slices.Reverse(order)
		}
		for _, v := range order {
			f := echoOnce(b, v.name, n, chats, rate)
			got[v.name] = f
			figs[v.name] = append(figs[v.name], f)
		}
		raw := got["raw"]
		for _, v := range order {
			if v.name == "raw" {
				continue
			}
			for _, m := range echoMetrics {
				if r := raw.get(m); r > 0 {
					ratios[v.name+" "+m] = append(ratios[v.name+" "+m], got[v.name].get(m)/r)
				}
			}
		}
	}
	for _, v := range selectedEchoVariants() {
		for _, m := range echoMetrics {
			xs := make([]float64, len(figs[v.name]))
			for i, f := range figs[v.name] {
				xs[i] = f.get(m)
			}
			b.ReportMetric(median(xs), v.name+"-"+m)
			if rs := ratios[v.name+" "+m]; len(rs) > 0 {
				b.ReportMetric(median(rs), v.name+"-x-"+m)
			}
		}
	}
}

// echoOnce runs one series with one variant: a new feeder and bot
// process, the warm-up, the timed series, the checks.
func echoOnce(b *testing.B, variant string, n, chats, rate int) echoFigures {
	fd := newFeeder()
	defer fd.close()
	child := startEchoChild(b, variant, fd.url())
	defer child.kill()

	run := fd.begin(n)
	ctx, cancel := context.WithCancel(context.Background())
	defer cancel()
	// One echo proves the whole path is up before the clock starts.
	if err := fd.inject(ctx, fd.message(run, -1, 1)); err != nil {
		b.Fatal(err)
	}
	child.await(b, run.warm, "the warm-up echo")
	child.command(b, "M")
	child.await(b, child.sampling, "the memory sampler")

	// Frames are built ahead, so the series measures the bot, not the
	// feeder's templating.
	evs := make([]feedEvent, n)
	for i := range evs {
		evs[i] = fd.message(run, i, int64(1+i%chats))
	}
	var tick *time.Ticker
	if rate > 0 {
		tick = time.NewTicker(time.Second / time.Duration(rate))
		defer tick.Stop()
	}
	run.base = time.Now()
	b.StartTimer()
	go func() {
		for _, ev := range evs {
			if tick != nil {
				select {
				case <-tick.C:
				case <-ctx.Done():
					return
				}
			}
			if fd.inject(ctx, ev) != nil {
				return
			}
		}
	}()
	select {
	case <-run.done:
	case <-time.After(echoDeadline):
		b.StopTimer()
		b.Fatalf("%s: %d of %d echoes after %v (%v)", variant, run.echoed.Load(), n, echoDeadline, fd.err())
	case <-child.exited:
		b.StopTimer()
		b.Fatalf("%s: bot process ended after %d of %d echoes: %s", variant, run.echoed.Load(), n, child.failure)
	}
	b.StopTimer()
	var last int64
	for i := range run.echoAt {
		last = max(last, run.echoAt[i].Load())
	}
	child.command(b, "F")
	child.await(b, child.exited, "the bot process to finish")
	if child.failure != "" {
		b.Fatalf("%s bot: %s", variant, child.failure)
	}
	if child.rss == 0 && child.heap == 0 {
		b.Fatalf("%s bot reported no memory figures", variant)
	}
	if err := fd.err(); err != nil {
		b.Fatalf("%s: %v", variant, err)
	}
	if bad := run.bad.Load(); bad != 0 || run.echoed.Load() != int64(n) {
		b.Fatalf("%s: %d of %d echoed, %d duplicated, foreign or misquoted", variant, run.echoed.Load(), n, bad)
	}

	lat := make([]int64, n)
	for i := range lat {
		lat[i] = max(0, run.echoAt[i].Load()-run.sentAt[i].Load())
	}
	slices.Sort(lat)
	pct := func(p float64) float64 { return float64(lat[min(len(lat)-1, int(p*float64(len(lat))))]) / 1e6 }
	return echoFigures{
		rate: float64(n) / time.Duration(last).Seconds(),
		p50:  pct(0.50),
		p99:  pct(0.99),
		cpu:  float64(child.cpu.Nanoseconds()) / 1e3 / float64(n),
		rss:  float64(child.rss) / (1 << 20),
		heap: float64(child.heap) / (1 << 20),
	}
}
