package simplex_test

// End-to-end echo benchmarks over loopback against simplexsim, side by
// side with a minimal raw client, in the same run.
//
// The bot runs in a child process (this test binary run again, see
// TestMain), so its memory is measured apart from the simulator's, which
// holds the whole world and every queued frame. Parent and child talk over
// the child's stdin and stdout.
//
// What each reported number includes:
//
//   - msgs/s: messages sent by the simulated contacts divided by the time
//     from the first ContactSend call to the last echo.
//   - p50-ms, p99-ms: per message, from ContactSend returning to the bot
//     holding the CLI's response to its echo /_send. That response is
//     written after the simulator executed the send (the moment the echo
//     appears in BotSent), so it adds one frame's trip back, the same for
//     both variants. The child stamps the wall clock when it holds the
//     response; the parent subtracts the wall clock at which ContactSend
//     returned. When the echo completes before ContactSend has returned to
//     the producer, the latency counts as 0.
//   - peak-rss-MB: the bot process's peak resident set (VmHWM, reset
//     through /proc/self/clear_refs after warm-up; the sampled VmRSS
//     maximum where that reset is not allowed).
//   - heap-peak-MB: the bot process's peak of in-use heap spans
//     (runtime/metrics heap objects + unused, sampled every 10 ms).
//
// Each b.N iteration is one complete run (a new simulator, 50 contacts, a
// new bot process, the flood or paced series, verification); only the
// series itself is timed. The flood is 20,000 messages and the paced
// series 2,000 at 500/s whatever b.N is, so at the default benchtime each
// sub-benchmark runs one or a few iterations.

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
	"slices"
	"strconv"
	"strings"
	"sync"
	"sync/atomic"
	"testing"
	"time"

	"github.com/coder/websocket"

	"github.com/parleybot/parley/bot"
	"github.com/parleybot/parley/platform/simplex"
	"github.com/parleybot/parley/platform/simplex/simplexsim"
	"github.com/parleybot/parley/router"
)

const (
	floodMessages = 20000
	pacedMessages = 2000
	pacedRate     = 500 // messages per second
	benchContacts = 50
	warmupText    = "warmup"
	echoDeadline  = 2 * time.Minute
)

// BenchmarkEchoFlood sends 20,000 messages from 50 contacts as fast as the
// simulator takes them; the bot echoes each one.
func BenchmarkEchoFlood(b *testing.B) {
	for _, v := range echoVariants {
		b.Run(v.name, func(b *testing.B) { benchEcho(b, v.name, floodMessages, 0) })
	}
}

// BenchmarkEchoPaced sends 2,000 messages at 500 per second.
func BenchmarkEchoPaced(b *testing.B) {
	for _, v := range echoVariants {
		b.Run(v.name, func(b *testing.B) { benchEcho(b, v.name, pacedMessages, pacedRate) })
	}
}

// An echo bot under test: start connects it to url and makes it echo every
// received text, calling echoed with the text once the echo is confirmed;
// the returned stop ends it and reports what went wrong.
type echoStarter func(url string, echoed func(text string)) (stop func() error, err error)

var echoVariants = []struct {
	name  string
	start echoStarter
}{
	{"parley", startParleyEcho},
	{"raw", startRawEcho},
}

// echoRun tracks one series of messages and their echoes.
type echoRun struct {
	base   atomic.Int64   // wall clock, Unix ns, when the series started
	sentAt []int64        // ns after base when ContactSend returned
	echoAt []atomic.Int64 // ns after base when the echo was confirmed
	echoed atomic.Int64
	dups   atomic.Int64
	done   chan struct{}
	warm   chan struct{}
	warmed sync.Once
}

func newEchoRun(n int) *echoRun {
	return &echoRun{sentAt: make([]int64, n), echoAt: make([]atomic.Int64, n),
		done: make(chan struct{}), warm: make(chan struct{})}
}

func echoText(i int) string { return "e" + strconv.Itoa(i) }

// echo records that text was echoed at the wall-clock time at (Unix ns).
func (r *echoRun) echo(text string, at int64) {
	if text == warmupText {
		r.warmed.Do(func() { close(r.warm) })
		return
	}
	i, err := strconv.Atoi(strings.TrimPrefix(text, "e"))
	if err != nil || i < 0 || i >= len(r.echoAt) {
		r.dups.Add(1) // not ours: counts as a bad echo
		return
	}
	if !r.echoAt[i].CompareAndSwap(0, max(1, at-r.base.Load())) {
		r.dups.Add(1)
		return
	}
	if r.echoed.Add(1) == int64(len(r.echoAt)) {
		close(r.done)
	}
}

// startParleyEcho runs bot.Bot with a router echo over the simplex Platform.
func startParleyEcho(url string, echoed func(string)) (func() error, error) {
	p := simplex.New(url)
	r := router.New()
	r.OnMessage(func(c *bot.Context, m bot.Message) error {
		if err := c.Reply(m.Text); err != nil {
			return err
		}
		echoed(m.Text)
		return nil
	})
	bt := bot.New(p, r)
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
			fmt.Fprintf(os.Stderr, "parley echo: platform %+v\n", p.Stats())
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
func startRawEcho(url string, echoed func(string)) (func() error, error) {
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
				text, ok := pending[f.CorrID]
				delete(pending, f.CorrID)
				if !ok || f.Resp.Type != "newChatItems" {
					fail(fmt.Errorf("raw: response %q of type %s", f.CorrID, f.Resp.Type))
					return
				}
				echoed(text)
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
			m.heapMax = max(m.heapMax, samples[0].Value.Uint64()+samples[1].Value.Uint64())
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

func benchEcho(b *testing.B, variant string, n, rate int) {
	var lat []int64
	var elapsed time.Duration
	var count int
	var rssPeak int64
	var heapPeak uint64
	var cpu time.Duration
	b.StopTimer()
	for range b.N {
		r := echoOnce(b, variant, n, rate)
		lat = append(lat, r.lat...)
		elapsed += r.elapsed
		count += n
		rssPeak = max(rssPeak, r.rss)
		heapPeak = max(heapPeak, r.heap)
		cpu += r.cpu
	}
	slices.Sort(lat)
	pct := func(p float64) float64 {
		return float64(lat[min(len(lat)-1, int(p*float64(len(lat))))]) / 1e6
	}
	b.ReportMetric(float64(count)/elapsed.Seconds(), "msgs/s")
	b.ReportMetric(pct(0.50), "p50-ms")
	b.ReportMetric(pct(0.99), "p99-ms")
	b.ReportMetric(float64(rssPeak)/(1<<20), "peak-rss-MB")
	b.ReportMetric(float64(heapPeak)/(1<<20), "heap-peak-MB")
	b.ReportMetric(float64(cpu.Microseconds())/float64(count), "bot-cpu-µs/msg")
}

type echoResult struct {
	lat     []int64
	elapsed time.Duration
	rss     int64
	heap    uint64
	cpu     time.Duration
}

// echoOnce runs one series: set-up, the timed series, verification.
func echoOnce(b *testing.B, variant string, n, rate int) echoResult {
	sim := simplexsim.New(simplexsim.WithBotName("parley"), simplexsim.WithAddress(true, ""))
	if err := sim.Start(); err != nil {
		b.Fatal(err)
	}
	defer sim.Close()
	contacts := make([]int64, benchContacts)
	for i := range contacts {
		c, err := sim.ConnectContact("user" + strconv.Itoa(i))
		if err != nil {
			b.Fatal(err)
		}
		contacts[i] = c.ContactID
	}
	run := newEchoRun(n)
	child := startEchoChild(b, variant, sim.URL(), run)
	defer child.kill()
	// One echo proves the whole path is up before the clock starts.
	if _, err := sim.ContactSend(contacts[0], warmupText); err != nil {
		b.Fatal(err)
	}
	child.await(b, run.warm, "the warm-up echo")
	child.command(b, "M")
	child.await(b, child.sampling, "the memory sampler")

	var tick *time.Ticker
	if rate > 0 {
		tick = time.NewTicker(time.Second / time.Duration(rate))
	}
	run.base.Store(time.Now().UnixNano())
	b.StartTimer()
	for i := range n {
		if tick != nil {
			<-tick.C
		}
		if _, err := sim.ContactSend(contacts[i%len(contacts)], echoText(i)); err != nil {
			b.Fatal(err)
		}
		run.sentAt[i] = time.Now().UnixNano() - run.base.Load()
	}
	if tick != nil {
		tick.Stop()
	}
	select {
	case <-run.done:
	case <-time.After(echoDeadline):
		b.StopTimer()
		b.Fatalf("%d of %d echoes after %v", run.echoed.Load(), n, echoDeadline)
	case <-child.exited:
		b.StopTimer()
		b.Fatalf("bot process ended after %d of %d echoes", run.echoed.Load(), n)
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
	if d := run.dups.Load(); d != 0 {
		b.Fatalf("%d duplicate or foreign echoes", d)
	}
	verifyEchoes(b, sim, n)

	lat := make([]int64, n)
	for i := range lat {
		lat[i] = max(0, run.echoAt[i].Load()-run.sentAt[i])
	}
	return echoResult{lat: lat, elapsed: time.Duration(last), rss: child.rss, heap: child.heap, cpu: child.cpu}
}

// verifyEchoes checks, on the simulator's side, that every message was
// echoed exactly once.
func verifyEchoes(b *testing.B, sim *simplexsim.Sim, n int) {
	counts := make([]int, n)
	for _, s := range sim.BotSent() {
		if s.Text == warmupText {
			continue
		}
		i, err := strconv.Atoi(strings.TrimPrefix(s.Text, "e"))
		if err != nil || i < 0 || i >= n {
			b.Fatalf("unexpected echo %q", s.Text)
		}
		counts[i]++
	}
	var lost, dup []int
	for i, c := range counts {
		switch {
		case c == 0:
			lost = append(lost, i)
		case c > 1:
			dup = append(dup, i)
		}
	}
	if len(lost)+len(dup) > 0 {
		b.Fatalf("%d lost echoes (first %v), %d duplicated (first %v)", len(lost), lost[:min(5, len(lost))], len(dup), dup[:min(5, len(dup))])
	}
}
