package platformtest

import (
	"context"
	"fmt"
	"math/rand/v2"
	"net/http"
	"os"
	"path/filepath"
	"runtime"
	"slices"
	"strconv"
	"strings"
	"testing"
	"time"

	"github.com/parleybot/parley/bot"
	"github.com/parleybot/parley/middleware"
	"github.com/parleybot/parley/router"
	"github.com/parleybot/parley/store"
)

// The soak harness: an echo bot answers every message of a stream while
// faults are injected, and each phase reports what was lost, what was
// answered twice and which goroutines outlived the bot.

// Optional World methods the soak harness uses when a World has them.
type (
	// SoakAddresser gives the address a bot process started by the
	// harness connects to; the package's SoakChild factory reads it.
	// Without it the phases that kill a bot process are skipped.
	SoakAddresser interface {
		SoakAddr() string
	}
	// MalformedEmitter sends the bot a frame it cannot decode.
	MalformedEmitter interface {
		EmitMalformed(t *testing.T)
	}
	// OversizedEmitter sends the bot a frame larger than its transport
	// reads in one piece (several megabytes).
	OversizedEmitter interface {
		EmitOversized(t *testing.T)
	}
	// ConnectStaller drops the bot's connection and makes the simulator
	// accept the next ones without answering until release is called.
	ConnectStaller interface {
		StallConnect(t *testing.T) (release func())
	}
	// DropCounter tells how many connection drops the simulator made,
	// for a platform whose drops do not all end in a new connection the
	// harness can count (Privitty cuts RPC answers as well as streams).
	DropCounter interface {
		DropsMade() int
	}
)

// PlatformFactory makes a platform for the simulator at addr (a
// SoakAddresser's SoakAddr) that keeps its state in st.
type PlatformFactory func(addr string, st store.Store) (bot.Platform, error)

// SoakOptions configure Soak.
type SoakOptions struct {
	// Platform makes the bot's platform, in this process and in the bot
	// processes the kill phases start (the package's TestMain hands the
	// same factory to SoakChild). Nil uses World.NewPlatform and skips
	// the kill phases.
	Platform PlatformFactory
	// Skip names phases of the short run that are known to fail, with
	// the reason (the missing feature); the key "leaks" keeps measuring
	// goroutines but does not fail on them. The full run ignores it.
	Skip map[string]string
}

// SoakSizes are the sizes of one round of phases.
type SoakSizes struct {
	CleanMsgs, CleanChats     int
	DropMsgs, DropChats       int
	DropEvery                 int // frames between two drops
	FaultMsgs, FaultChats     int
	FaultEvery                int // messages between two faults
	StallFor                  time.Duration
	KillMsgs, KillChats       int
	Kills                     int
	NoStoreMsgs, NoStoreChats int // per restart, sent while the bot runs and again while it is down
	NoStoreRestarts           int
	PanicEvery                int // every n-th message makes the handler panic
	// Stall is how long no new reply may arrive, and Deadline how long
	// after the last message was sent replies may still come, before the
	// messages still unanswered count as lost; Quiet is how long replies
	// must stop after the last one was answered, so late duplicates are
	// counted.
	Stall, Deadline, Quiet time.Duration
}

// ShortSoak runs in every test run.
var ShortSoak = SoakSizes{
	CleanMsgs: 1000, CleanChats: 10,
	DropMsgs: 1000, DropChats: 10, DropEvery: 200,
	FaultMsgs: 600, FaultChats: 10, FaultEvery: 100, StallFor: 300 * time.Millisecond,
	KillMsgs: 1000, KillChats: 10, Kills: 3,
	NoStoreMsgs: 100, NoStoreChats: 5, NoStoreRestarts: 1,
	PanicEvery: 97,
	Stall:      15 * time.Second, Deadline: time.Minute, Quiet: 300 * time.Millisecond,
}

// FullSoak is the size, run by make soak (PARLEY_SOAK=full).
var FullSoak = SoakSizes{
	CleanMsgs: 20000, CleanChats: 50,
	DropMsgs: 20000, DropChats: 50, DropEvery: 1000,
	FaultMsgs: 10000, FaultChats: 50, FaultEvery: 500, StallFor: 12 * time.Second,
	KillMsgs: 10000, KillChats: 20, Kills: 10,
	NoStoreMsgs: 1000, NoStoreChats: 20, NoStoreRestarts: 3,
	PanicEvery: 997,
	Stall:      time.Minute, Deadline: 15 * time.Minute, Quiet: time.Second,
}

// Environment of the soak harness.
const (
	// SoakEnv set to "full" selects FullSoak.
	SoakEnv = "PARLEY_SOAK"
	// SoakDurationEnv (a Go duration) repeats full rounds until it passed.
	SoakDurationEnv = "PARLEY_SOAK_DURATION"
	// SoakSeedEnv fixes the random kill moments.
	SoakSeedEnv = "PARLEY_SOAK_SEED"

	soakChildEnv      = "PARLEY_SOAK_CHILD"
	soakChildAddrEnv  = "PARLEY_SOAK_ADDR"
	soakChildStoreEnv = "PARLEY_SOAK_STORE" // a bbolt file; empty for a memory store
)

// panicPrefix starts the texts that make the soak handler panic.
const panicPrefix = "panic "

// soakBot is the soak's echo bot: it quotes each message with its text,
// panics on the messages meant to, and dedupes in st.
func soakBot(p bot.Platform, st store.Store, onHandle func(text string)) *bot.Bot {
	r := router.New()
	r.OnMessage(func(c *bot.Context, m bot.Message) error {
		if strings.HasPrefix(m.Text, panicPrefix) {
			panic("soak: this message makes the handler panic")
		}
		if onHandle != nil {
			onHandle(m.Text)
		}
		return c.Reply(m.Text)
	})
	b := bot.New(p, r, bot.WithStopTimeout(Timeout))
	b.Use(middleware.Recover(), middleware.Dedupe(st))
	return b
}

// phaseResult is one row of the soak table.
type phaseResult struct {
	name     string
	msgs     int // messages that must be answered (panicking ones left out)
	chats    int
	faults   string
	lost     int
	doubled  int
	leaked   int // -1: not measured
	crashes  int // bot processes that ended without being killed, or reported a data race
	elapsed  time.Duration
	note     string
	skipped  string
	answered bool
}

// Soak runs the soak phases against fresh worlds from newWorld and logs a
// table; a phase fails on any lost or doubled message, leaked goroutine or
// crashed bot process. name heads the table.
func Soak(t *testing.T, name string, newWorld func(t *testing.T) World, opts SoakOptions) {
	sizes, full := ShortSoak, os.Getenv(SoakEnv) == "full"
	var duration time.Duration
	if full {
		sizes = FullSoak
		if d, err := time.ParseDuration(os.Getenv(SoakDurationEnv)); err == nil {
			duration = d
		}
	}
	seed := uint64(time.Now().UnixNano())
	if s, err := strconv.ParseUint(os.Getenv(SoakSeedEnv), 10, 64); err == nil {
		seed = s
	}
	t.Logf("soak %s: seed %d (%s=%d repeats it)", name, seed, SoakSeedEnv, seed)
	rng := rand.New(rand.NewPCG(seed, seed^0x9e3779b97f4a7c15))
	var rows []phaseResult
	start := time.Now()
	for round := 1; ; round++ {
		rows = append(rows, soakRound(t, newWorld, opts, sizes, full, round, rng)...)
		if duration == 0 || time.Since(start) >= duration {
			break
		}
	}
	t.Log("\n" + soakTable(name, rows))
}

func soakRound(t *testing.T, newWorld func(t *testing.T) World, opts SoakOptions, z SoakSizes, full bool, round int, rng *rand.Rand) []phaseResult {
	phases := []struct {
		name string
		run  func(t *testing.T, w World, r *phaseResult)
	}{
		{"clean", func(t *testing.T, w World, r *phaseResult) {
			runInProcess(t, w, opts, z, r, z.CleanMsgs, z.CleanChats, nil)
		}},
		{"drops", func(t *testing.T, w World, r *phaseResult) { runDrops(t, w, opts, z, r) }},
		{"faults", func(t *testing.T, w World, r *phaseResult) { runFaults(t, w, opts, z, r) }},
		{"kills", func(t *testing.T, w World, r *phaseResult) { runKills(t, w, opts, z, r, rng) }},
		{"nostore", func(t *testing.T, w World, r *phaseResult) { runNoStore(t, w, opts, z, r) }},
	}
	var rows []phaseResult
	var clean time.Duration
	for _, ph := range phases {
		r := phaseResult{name: ph.name, leaked: -1}
		if round > 1 {
			r.name = fmt.Sprintf("%s #%d", ph.name, round)
		}
		ran := false
		t.Run(r.name, func(t *testing.T) {
			ran = true
			if why := opts.Skip[ph.name]; why != "" && !full {
				r.skipped = why
				t.Skip(why)
			}
			r.note = "aborted, see the log"
			ph.run(t, newWorld(t), &r)
			if r.note == "aborted, see the log" {
				r.note = ""
			}
			if r.skipped != "" {
				return
			}
			if ph.name == "clean" {
				clean = r.elapsed
			} else if ph.name == "drops" && clean > 0 && r.answered {
				r.note = strings.TrimPrefix(r.note+fmt.Sprintf("; %.1f× the clean time", float64(r.elapsed)/float64(clean)), "; ")
			}
			if r.lost > 0 {
				t.Errorf("%d of %d messages never answered", r.lost, r.msgs)
			}
			if r.doubled > 0 {
				t.Errorf("%d replies beyond one per message", r.doubled)
			}
			if why := opts.Skip["leaks"]; r.leaked > 0 && why != "" && !full {
				t.Logf("%d goroutines outlived the bot; not failing the short run: %s", r.leaked, why)
			} else if r.leaked > 0 {
				t.Errorf("%d goroutines outlived the bot", r.leaked)
			}
			if r.crashes > 0 {
				t.Errorf("%d bot processes crashed or raced", r.crashes)
			}
		})
		if ran {
			rows = append(rows, r)
		}
	}
	return rows
}

// soakTable renders rows as a Markdown table.
func soakTable(name string, rows []phaseResult) string {
	var b strings.Builder
	fmt.Fprintf(&b, "soak %s\n", name)
	b.WriteString("| phase | messages | chats | faults | lost | doubled | leaked goroutines | crashes | time | note |\n")
	b.WriteString("|---|---|---|---|---|---|---|---|---|---|\n")
	for _, r := range rows {
		if r.skipped != "" {
			fmt.Fprintf(&b, "| %s | | | | | | | | | skipped: %s |\n", r.name, r.skipped)
			continue
		}
		leaked := "-"
		if r.leaked >= 0 {
			leaked = strconv.Itoa(r.leaked)
		}
		fmt.Fprintf(&b, "| %s | %d | %d | %s | %d | %d | %s | %d | %.1f s | %s |\n",
			r.name, r.msgs, r.chats, r.faults, r.lost, r.doubled, leaked, r.crashes, r.elapsed.Seconds(), r.note)
	}
	return b.String()
}

// ---- the stream of messages and its replies ----

// tally follows the bot's replies, reading only what BotSent added since
// the last look.
type tally struct {
	w      World
	seen   int
	counts map[[2]string]int
	want   map[[2]string]string // (chat, text) → message id
	// answered counts the wanted messages with a reply, so that a look
	// does not walk every message.
	answered int
	last     time.Time     // when a reply last arrived
	cost     time.Duration // what the last BotSent took
}

func newTally(w World) *tally {
	return &tally{w: w, counts: map[[2]string]int{}, want: map[[2]string]string{}, last: time.Now()}
}

// send makes the contact of chat send text; panicking texts are not
// expected to be answered.
func (tl *tally) send(t *testing.T, chat, text string) {
	id := tl.w.ContactSend(t, chat, text)
	if k := [2]string{chat, text}; !strings.HasPrefix(text, panicPrefix) {
		if _, ok := tl.want[k]; !ok && tl.counts[k] > 0 {
			tl.answered++
		}
		tl.want[k] = id
	}
}

func (tl *tally) update() {
	t0 := time.Now()
	var fresh []Sent
	if ss, ok := tl.w.(SentSincer); ok {
		fresh = ss.BotSentSince(tl.seen)
	} else if sent := tl.w.BotSent(); len(sent) > tl.seen {
		fresh = sent[tl.seen:]
	}
	tl.cost = time.Since(t0)
	if len(fresh) > 0 {
		for _, s := range fresh {
			k := [2]string{s.ChatID, s.Text}
			tl.counts[k]++
			if _, ok := tl.want[k]; ok && tl.counts[k] == 1 {
				tl.answered++
			}
		}
		tl.seen += len(fresh)
		tl.last = time.Now()
	}
}

// SentSincer is a World that returns what the bot sent from its n-th
// message on (counting from 0), in order: the soak's tally then reads
// only what is new at each look, instead of a copy of the whole record
// taken under the simulator's lock.
type SentSincer interface {
	BotSentSince(n int) []Sent
}

// wanted is the number of messages sent that must be answered.
func (tl *tally) wanted() int { return len(tl.want) }

// answeredAtLeast waits until n of the wanted messages were answered, or
// no reply came for stall.
func (tl *tally) answeredAtLeast(n int, stall time.Duration) {
	tl.last = time.Now()
	for {
		tl.update()
		if tl.wanted()-tl.missing() >= n || time.Since(tl.last) > stall {
			return
		}
		tl.pause()
	}
}

// missing is the number of wanted messages without a reply yet.
func (tl *tally) missing() int { return len(tl.want) - tl.answered }

// lost counts the wanted messages without a reply, one by one, for a
// phase's result.
func (tl *tally) lost() int {
	n := 0
	for k := range tl.want {
		if tl.counts[k] == 0 {
			n++
		}
	}
	return n
}

// report logs a few of the messages lost and doubled, for the search of
// their cause.
func (tl *tally) report(t *testing.T, phase string) {
	if l, m := tl.lost(), tl.missing(); l != m {
		t.Errorf("%s: the tally finds %d messages unanswered one by one but counted %d", phase, l, m)
	}
	var lost, doubled []string
	for k, id := range tl.want {
		switch n := tl.counts[k]; {
		case n == 0 && len(lost) < 10:
			lost = append(lost, fmt.Sprintf("%s (chat %s, message %s)", k[1], k[0], id))
		case n > 1 && len(doubled) < 10:
			doubled = append(doubled, fmt.Sprintf("%s (chat %s, message %s) ×%d", k[1], k[0], id, n))
		}
	}
	if len(lost)+len(doubled) > 0 {
		slices.Sort(lost)
		slices.Sort(doubled)
		t.Logf("%s: lost %q; doubled %q", phase, lost, doubled)
	}
}

func (tl *tally) doubled() int {
	n := 0
	for k := range tl.want {
		n += max(tl.counts[k]-1, 0)
	}
	return n
}

// await waits until every wanted message was answered, or no reply came
// for z.Stall, or z.Deadline passed; it reports whether all were.
func (tl *tally) await(z SoakSizes, alive func() bool) bool {
	tl.last = time.Now()
	deadline := tl.last.Add(z.Deadline)
	for {
		tl.update()
		if tl.missing() == 0 {
			return true
		}
		if time.Since(tl.last) > z.Stall || time.Now().After(deadline) || (alive != nil && !alive()) {
			return false
		}
		tl.pause()
	}
}

// pause waits before the next look: 20 ms, or ten times what BotSent
// took, so that reading the simulator's whole record (a copy under its
// lock) does not slow the simulator down as the record grows.
func (tl *tally) pause() {
	<-time.After(max(20*time.Millisecond, 10*tl.cost))
}

// quiet waits until no reply arrived for d (at most Timeout), so that
// replies sent late, twice, are counted.
func (tl *tally) quiet(d time.Duration) {
	deadline := time.Now().Add(Timeout)
	tl.last = time.Now()
	for time.Since(tl.last) < d && time.Now().Before(deadline) {
		tl.pause()
		tl.update()
	}
}

// text is the j-th message of a phase, sent in chat j%chats; every
// panicEvery-th makes the handler panic.
func text(phase string, j, chats, panicEvery int) string {
	if panicEvery > 0 && j%panicEvery == panicEvery-1 {
		return fmt.Sprintf("%s%s c%d m%d", panicPrefix, phase, j%chats, j)
	}
	return fmt.Sprintf("%s c%d m%d", phase, j%chats, j)
}

// connectChats connects n contacts.
func connectChats(t *testing.T, w World, n int) []string {
	chats := make([]string, n)
	for i := range chats {
		chats[i] = w.ConnectContact(t, fmt.Sprintf("soak%d", i), false)
	}
	return chats
}

// waitOpen waits for the bot's connection to the simulator.
func waitOpen(t *testing.T, w World, alive func() bool) {
	t.Helper()
	waitFor(t, "the bot to connect", func() bool {
		if alive != nil && !alive() {
			t.Fatal("the bot process ended before it connected")
		}
		open, _ := w.Connections()
		return open > 0
	})
}

// ---- in-process phases ----

func newSoakPlatform(t *testing.T, w World, opts SoakOptions, st store.Store) bot.Platform {
	a, ok := w.(SoakAddresser)
	if opts.Platform == nil || !ok {
		return w.NewPlatform(t, st)
	}
	p, err := opts.Platform(a.SoakAddr(), st)
	if err != nil {
		t.Fatal(err)
	}
	return p
}

// runInProcess runs the bot in this process over msgs messages in chats
// chats; inject, when set, runs before the j-th message is sent (with the
// phase's tally), and with j = -1 once all were answered or given up.
func runInProcess(t *testing.T, w World, opts SoakOptions, z SoakSizes, r *phaseResult, msgs, chats int, inject func(j int, tl *tally)) {
	base := runtime.NumGoroutine()
	st := store.NewMemory()
	b := soakBot(newSoakPlatform(t, w, opts, st), st, nil)
	ctx, cancel := context.WithCancel(context.Background())
	done := make(chan error, 1)
	go func() { done <- b.Run(ctx) }()
	stopped := false
	stop := func() {
		if stopped {
			return
		}
		stopped = true
		cancel()
		select {
		case err := <-done:
			if err != nil {
				t.Errorf("bot Run: %v", err)
			}
		case <-time.After(2 * Timeout):
			t.Error("the bot did not stop")
		}
	}
	t.Cleanup(stop)
	waitOpen(t, w, nil)
	ids := connectChats(t, w, chats)
	tl := newTally(w)
	startAt := time.Now()
	for j := range msgs {
		if inject != nil {
			inject(j, tl)
		}
		i := j % chats
		tl.send(t, ids[i], text(r.name, j, chats, z.PanicEvery))
	}
	r.answered = tl.await(z, nil)
	r.elapsed = time.Since(startAt)
	if !r.answered {
		buf := make([]byte, 1<<20)
		t.Logf("the bot stopped answering; the goroutines:\n%s", buf[:runtime.Stack(buf, true)])
	}
	tl.quiet(z.Quiet)
	if inject != nil {
		inject(-1, tl) // the phase's faults end
	}
	stop()
	_ = st.Close()
	r.msgs, r.chats = len(tl.want), chats
	r.lost, r.doubled = tl.lost(), tl.doubled()
	tl.report(t, r.name)
	r.leaked = settle(t, base)
}

// settle waits for the goroutine count to come back to base and returns
// how many more there still are, logging their stacks. Idle keep-alive
// connections of http.DefaultTransport belong to the process, not to the
// platform, and are closed first; those of a transport the platform made
// are its own and count.
func settle(t *testing.T, base int) int {
	closeSharedIdle()
	deadline := time.Now().Add(5 * time.Second)
	tick := time.NewTicker(10 * time.Millisecond)
	defer tick.Stop()
	for runtime.NumGoroutine() > base && time.Now().Before(deadline) {
		<-tick.C
	}
	n := runtime.NumGoroutine() - base
	if n > 0 {
		buf := make([]byte, 1<<20)
		buf = buf[:runtime.Stack(buf, true)]
		t.Logf("%d goroutines more than before the bot started:\n%s", n, buf)
	}
	return max(n, 0)
}

// closeSharedIdle closes the idle connections of http.DefaultTransport.
func closeSharedIdle() {
	if tr, ok := http.DefaultTransport.(*http.Transport); ok {
		tr.CloseIdleConnections()
	}
}

// runDrops closes the bot's connection every DropEvery frames.
func runDrops(t *testing.T, w World, opts SoakOptions, z SoakSizes, r *phaseResult) {
	r.faults = fmt.Sprintf("drop every %d frames", z.DropEvery)
	var stopWatch func() int
	drops0 := 0
	inject := func(j int, _ *tally) {
		switch j {
		case 0:
			if dc, ok := w.(DropCounter); ok {
				drops0 = dc.DropsMade()
			}
			stopWatch = rearmDrops(t, w, z.DropEvery)
		case -1:
			if stopWatch != nil {
				drops := stopWatch()
				open, total := w.Connections()
				r.note = fmt.Sprintf("%d reconnects (%d open of %d)", drops, open, total)
				if dc, ok := w.(DropCounter); ok {
					r.note = fmt.Sprintf("%d drops, %s", dc.DropsMade()-drops0, r.note)
				}
			}
		}
	}
	runInProcess(t, w, opts, z, r, z.DropMsgs, z.DropChats, inject)
}

// rearmDrops arms a drop after every frames and arms it again each time
// the bot reconnected; stop ends it and returns the reconnections seen.
func rearmDrops(t *testing.T, w World, every int) (stop func() int) {
	_, total0 := w.Connections()
	w.DropAfterFrames(t, every)
	quit, done := make(chan struct{}), make(chan int)
	go func() {
		last := total0
		tick := time.NewTicker(2 * time.Millisecond)
		defer tick.Stop()
		for {
			select {
			case <-quit:
				done <- last - total0
				return
			case <-tick.C:
			}
			if _, total := w.Connections(); total > last {
				last = total
				w.DropAfterFrames(t, every)
			}
		}
	}()
	return func() int {
		close(quit)
		n := <-done
		w.DropAfterFrames(t, 0)
		return n
	}
}

// runFaults mixes in, every FaultEvery messages, the faults the World
// can make: an unknown event, a malformed and an oversized frame and a
// stalled connect (held for StallFor).
func runFaults(t *testing.T, w World, opts SoakOptions, z SoakSizes, r *phaseResult) {
	kinds := []string{"unknown"}
	if _, ok := w.(MalformedEmitter); ok {
		kinds = append(kinds, "malformed")
	}
	if _, ok := w.(OversizedEmitter); ok {
		kinds = append(kinds, "oversized")
	}
	if _, ok := w.(ConnectStaller); ok {
		kinds = append(kinds, "stalled connect")
	}
	r.faults = strings.Join(kinds, ", ") + fmt.Sprintf(" every %d", z.FaultEvery)
	var stall *time.Timer
	var release func()
	n := 0
	runInProcess(t, w, opts, z, r, z.FaultMsgs, z.FaultChats, func(j int, tl *tally) {
		if j < 0 {
			if stall != nil && stall.Stop() {
				release()
			}
			return
		}
		if j == 0 || j%z.FaultEvery != 0 {
			return
		}
		// Each fault meets a bot still busy with the second half of the
		// messages before it, not one buried under the whole stream: else
		// every fault lands in the first second and a stall replaces the
		// one before it.
		tl.answeredAtLeast(tl.wanted()-z.FaultEvery/2, z.Stall)
		switch kinds[n%len(kinds)] {
		case "unknown":
			w.EmitUnknown(t)
		case "malformed":
			w.(MalformedEmitter).EmitMalformed(t)
		case "oversized":
			w.(OversizedEmitter).EmitOversized(t)
		case "stalled connect":
			if stall != nil && stall.Stop() {
				release()
			}
			// The simulator answers again after StallFor, whether or
			// not messages still flow.
			release = w.(ConnectStaller).StallConnect(t)
			stall = time.AfterFunc(z.StallFor, release)
		}
		n++
	})
	r.note = fmt.Sprintf("%d faults", n)
}

// ---- phases with the bot in a child process ----

func childFactory(t *testing.T, w World, opts SoakOptions) string {
	a, ok := w.(SoakAddresser)
	if opts.Platform == nil || !ok {
		t.Skip("the World has no SoakAddr or the package no SoakChild factory")
	}
	return a.SoakAddr()
}

// runKills SIGKILLs the bot process Kills times at random messages and
// starts it again on the same store file.
func runKills(t *testing.T, w World, opts SoakOptions, z SoakSizes, r *phaseResult, rng *rand.Rand) {
	addr := childFactory(t, w, opts)
	path := filepath.Join(t.TempDir(), "soak.db")
	r.faults = fmt.Sprintf("%d SIGKILLs, bbolt store", z.Kills)
	kills := map[int]int{} // message index → messages sent while the bot is down
	for len(kills) < z.Kills {
		kills[1+rng.IntN(z.KillMsgs-1)] = rng.IntN(20)
	}
	c := startChild(t, addr, path)
	procs := []*child{c}
	waitOpen(t, w, c.alive)
	ids := connectChats(t, w, z.KillChats)
	tl := newTally(w)
	startAt := time.Now()
	restartAt := -1
	// A kill due at a message waits until the bot's handler ran for the
	// last message sent before it, so it lands while the bot handles
	// messages; a kill due while the bot is down waits for its restart.
	due, down, made := 0, 0, 0
	last := "" // the last message sent that the handler reports
	kill := func(j int) {
		deadline := time.Now().Add(z.Stall)
		for last != "" && !c.hasHandled(last) && c.alive() && time.Now().Before(deadline) {
			tl.pause()
		}
		r.crashes += c.kill(t)
		made++
		due--
		restartAt = j + down
	}
	restart := func() {
		c = startChild(t, addr, path)
		procs = append(procs, c)
		restartAt = -1
		last = "" // what the killed process handled is not reported again
	}
	for j := range z.KillMsgs {
		if d, ok := kills[j]; ok {
			due, down = due+1, d
		}
		if due > 0 && restartAt < 0 {
			kill(j)
		}
		if j == restartAt {
			restart()
		}
		i := j % z.KillChats
		msg := text(r.name, j, z.KillChats, z.PanicEvery)
		tl.send(t, ids[i], msg)
		if !strings.HasPrefix(msg, panicPrefix) {
			last = msg
		}
	}
	for due > 0 || restartAt >= 0 {
		if restartAt >= 0 {
			restart()
		}
		if due > 0 {
			down = 0
			kill(z.KillMsgs)
		}
	}
	r.faults = fmt.Sprintf("%d SIGKILLs, bbolt store", made)
	defer func() { r.note = handledAgain(procs) }()
	r.answered = tl.await(z, c.alive)
	r.elapsed = time.Since(startAt)
	tl.quiet(z.Quiet)
	if r.answered {
		r.leaked = c.stop(t)
	} else {
		c.dump(t)
	}
	r.crashes += c.crashes
	r.msgs, r.chats = len(tl.want), z.KillChats
	r.lost, r.doubled = tl.lost(), tl.doubled()
	tl.report(t, r.name)
}

// runNoStore runs the bot with a memory store: answered messages, a
// SIGKILL, messages while it is down, a restart, NoStoreRestarts times.
func runNoStore(t *testing.T, w World, opts SoakOptions, z SoakSizes, r *phaseResult) {
	addr := childFactory(t, w, opts)
	r.faults = fmt.Sprintf("%d restarts, memory store", z.NoStoreRestarts)
	c := startChild(t, addr, "")
	waitOpen(t, w, c.alive)
	ids := connectChats(t, w, z.NoStoreChats)
	tl := newTally(w)
	startAt := time.Now()
	j := 0
	sendN := func() {
		for range z.NoStoreMsgs {
			i := j % z.NoStoreChats
			tl.send(t, ids[i], text(r.name, j, z.NoStoreChats, z.PanicEvery))
			j++
		}
	}
	for range z.NoStoreRestarts {
		sendN()
		if !tl.await(z, c.alive) {
			break
		}
		r.crashes += c.kill(t)
		sendN()
		c = startChild(t, addr, "")
	}
	r.answered = tl.await(z, c.alive)
	r.elapsed = time.Since(startAt)
	tl.quiet(z.Quiet)
	if r.answered {
		r.leaked = c.stop(t)
	} else {
		c.dump(t)
	}
	r.crashes += c.crashes
	r.msgs, r.chats = len(tl.want), z.NoStoreChats
	r.lost, r.doubled = tl.lost(), tl.doubled()
	tl.report(t, r.name)
	if r.lost > 0 {
		r.note = "no resume without a store"
	}
}

// handledAgain says how many messages a bot process handled that an
// earlier one, killed, had handled already: the window a SIGKILL leaves,
// at most the messages in flight when it came. Read once every process
// has ended.
func handledAgain(procs []*child) string {
	seen := map[string]bool{}
	again, worst, runs := 0, 0, 0
	for _, c := range procs {
		runs += len(c.handledTexts())
		perChat := map[string]int{}
		for _, text := range c.handledTexts() {
			if seen[text] {
				again++
				chat := strings.Fields(text)
				perChat[chat[len(chat)-2]]++
			}
		}
		for _, text := range c.handledTexts() {
			seen[text] = true
		}
		for _, n := range perChat {
			worst = max(worst, n)
		}
	}
	return fmt.Sprintf("%d handler runs; handled again after a kill: %d, at most %d per chat per kill", runs, again, worst)
}
