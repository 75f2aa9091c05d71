package bot_test

import (
	"context"
	"errors"
	"fmt"
	"math/rand/v2"
	"runtime"
	"sync"
	"sync/atomic"
	"testing"
	"time"

	"go.uber.org/goleak"

	"github.com/parleybot/parley/bot"
	"github.com/parleybot/parley/parleytest"
)

func TestMain(m *testing.M) { goleak.VerifyTestMain(m) }

const wait = 10 * time.Second

// runBot starts b in the background and returns a function that stops it
// and returns Run's error.
func runBot(t *testing.T, b *bot.Bot) (stop func() error) {
	t.Helper()
	ctx, cancel := context.WithCancel(context.Background())
	done := make(chan error, 1)
	go func() { done <- b.Run(ctx) }()
	var once sync.Once
	var err error
	stop = func() error {
		once.Do(func() {
			cancel()
			select {
			case err = <-done:
			case <-time.After(wait):
				err = errors.New("Run did not return")
			}
		})
		return err
	}
	t.Cleanup(func() { _ = stop() })
	return stop
}

// eventually polls cond until it holds or the test deadline passes; for
// state that has no change notification of its own.
func eventually(t *testing.T, cond func() bool) {
	t.Helper()
	tick := time.NewTicker(time.Millisecond)
	defer tick.Stop()
	deadline := time.After(wait)
	for !cond() {
		select {
		case <-tick.C:
		case <-deadline:
			t.Fatal("condition not met in time")
		}
	}
}

func inject(t *testing.T, p *parleytest.Platform, e bot.Event) {
	t.Helper()
	ctx, cancel := context.WithTimeout(context.Background(), wait)
	defer cancel()
	if err := p.Inject(ctx, e); err != nil {
		t.Fatalf("inject: %v", err)
	}
}

// seqEvent is an event with a chat key and a sequence number.
type seqEvent struct {
	chat string
	seq  int
}

func (e *seqEvent) Type() string    { return "seq" }
func (e *seqEvent) ChatKey() string { return e.chat }

func TestPerChatOrderUnderConcurrency(t *testing.T) {
	const chats, perChat = 200, 40
	p := parleytest.NewPlatform()
	var mu sync.Mutex
	got := map[string][]int{}
	var running, maxRunning atomic.Int32
	perChatRunning := map[string]*atomic.Int32{}
	for i := 0; i < chats; i++ {
		perChatRunning[fmt.Sprint("c", i)] = new(atomic.Int32)
	}
	h := bot.HandlerFunc(func(c *bot.Context) error {
		e := c.Event().(*seqEvent)
		if n := perChatRunning[e.chat].Add(1); n != 1 {
			t.Errorf("chat %s: %d handlers at once", e.chat, n)
		}
		n := running.Add(1)
		for {
			m := maxRunning.Load()
			if n <= m || maxRunning.CompareAndSwap(m, n) {
				break
			}
		}
		for i := 0; i < rand.IntN(50); i++ {
			runtime.Gosched()
		}
		mu.Lock()
		got[e.chat] = append(got[e.chat], e.seq)
		mu.Unlock()
		running.Add(-1)
		perChatRunning[e.chat].Add(-1)
		return nil
	})
	b := bot.New(p, h, bot.WithWorkers(8), bot.WithMaxQueued(64))
	stop := runBot(t, b)

	// A random interleaving of every chat's sequence.
	next := make([]int, chats)
	order := make([]int, 0, chats*perChat)
	for i := 0; i < chats; i++ {
		for j := 0; j < perChat; j++ {
			order = append(order, i)
		}
	}
	rand.Shuffle(len(order), func(i, j int) { order[i], order[j] = order[j], order[i] })
	for _, ci := range order {
		inject(t, p, &seqEvent{chat: fmt.Sprint("c", ci), seq: next[ci]})
		next[ci]++
	}
	if err := p.WaitHandled(chats*perChat, wait); err != nil {
		t.Fatal(err)
	}
	if err := stop(); err != nil {
		t.Fatalf("Run: %v", err)
	}
	for chat, seqs := range got {
		if len(seqs) != perChat {
			t.Fatalf("chat %s: %d events, want %d", chat, len(seqs), perChat)
		}
		for i, s := range seqs {
			if s != i {
				t.Fatalf("chat %s: event %d handled at position %d: %v", chat, s, i, seqs)
			}
		}
	}
	if len(got) != chats {
		t.Fatalf("%d chats handled, want %d", len(got), chats)
	}
	if maxRunning.Load() < 2 {
		t.Errorf("handlers never ran concurrently (max %d)", maxRunning.Load())
	}
	if s := b.Stats(); s.Received != chats*perChat || s.Handled != chats*perChat || s.Queued != 0 {
		t.Errorf("stats = %+v", s)
	}
}

func TestBlockedChatDoesNotBlockOthers(t *testing.T) {
	p := parleytest.NewPlatform()
	release := make(chan struct{})
	blocked := make(chan struct{})
	h := bot.HandlerFunc(func(c *bot.Context) error {
		if c.ChatKey() == "slow" {
			close(blocked)
			<-release
		}
		return nil
	})
	b := bot.New(p, h, bot.WithWorkers(2))
	stop := runBot(t, b)
	inject(t, p, &seqEvent{chat: "slow"})
	<-blocked
	for i := 0; i < 50; i++ {
		inject(t, p, &seqEvent{chat: fmt.Sprint("fast", i%5), seq: i})
	}
	if err := p.WaitHandled(50, wait); err != nil {
		t.Fatalf("other chats stalled behind a blocked one: %v", err)
	}
	for _, e := range p.Handled() {
		if e.(*seqEvent).chat == "slow" {
			t.Fatal("slow chat finished before release")
		}
	}
	close(release)
	if err := p.WaitHandled(51, wait); err != nil {
		t.Fatal(err)
	}
	if err := stop(); err != nil {
		t.Fatal(err)
	}
}

// A chat with a long queue must not starve a chat that arrives later: with
// one worker, ready chats take turns one event at a time.
func TestBusyChatDoesNotStarveNewChat(t *testing.T) {
	p := parleytest.NewPlatform()
	gate := make(chan struct{})
	first := make(chan struct{})
	var once sync.Once
	h := bot.HandlerFunc(func(c *bot.Context) error {
		once.Do(func() { close(first); <-gate })
		return nil
	})
	b := bot.New(p, h, bot.WithWorkers(1), bot.WithMaxQueued(2000))
	stop := runBot(t, b)
	inject(t, p, &seqEvent{chat: "busy", seq: 0})
	<-first
	for i := 1; i < 1000; i++ {
		inject(t, p, &seqEvent{chat: "busy", seq: i})
	}
	inject(t, p, &seqEvent{chat: "new"})
	eventually(t, func() bool { return b.Stats().Received == 1001 })
	close(gate)
	if err := p.WaitHandled(1001, wait); err != nil {
		t.Fatal(err)
	}
	if err := stop(); err != nil {
		t.Fatal(err)
	}
	for i, e := range p.Handled() {
		if e.(*seqEvent).chat == "new" {
			if i > 2 {
				t.Fatalf("new chat handled at position %d behind the busy chat", i)
			}
			return
		}
	}
	t.Fatal("new chat never handled")
}

// listPlatform emits a fixed list of events and checks the queue bound
// after every emit.
type listPlatform struct {
	events  []bot.Event
	onEmit  func(i int)
	emitted atomic.Int64
}

func (p *listPlatform) Name() string { return "list" }
func (p *listPlatform) Listen(ctx context.Context, emit func(bot.Event) error) error {
	for i, e := range p.events {
		if err := emit(e); err != nil {
			return err
		}
		p.emitted.Add(1)
		if p.onEmit != nil {
			p.onEmit(i)
		}
	}
	<-ctx.Done()
	return nil
}
func (p *listPlatform) Send(ctx context.Context, chatID string, m bot.Outgoing) ([]string, error) {
	return nil, nil
}

func TestBackpressureBoundsQueueAndLosesNothing(t *testing.T) {
	const total, bound = 500, 16
	var handled atomic.Int64
	gate := make(chan struct{}, total)
	lp := &listPlatform{}
	for i := 0; i < total; i++ {
		lp.events = append(lp.events, &seqEvent{chat: fmt.Sprint("c", i%7), seq: i})
	}
	var b *bot.Bot
	lp.onEmit = func(i int) {
		// The reader may run ahead of handling by at most the bound.
		if ahead := lp.emitted.Load() - handled.Load(); ahead > bound {
			t.Errorf("reader %d events ahead of handlers, bound %d", ahead, bound)
		}
		if q := b.Stats().Queued; q > bound {
			t.Errorf("queue depth %d over bound %d", q, bound)
		}
	}
	seen := make([]atomic.Bool, total)
	allDone := make(chan struct{})
	b = bot.New(lp, bot.HandlerFunc(func(c *bot.Context) error {
		<-gate
		e := c.Event().(*seqEvent)
		if seen[e.seq].Swap(true) {
			t.Errorf("event %d handled twice", e.seq)
		}
		if handled.Add(1) == total {
			close(allDone)
		}
		return nil
	}), bot.WithWorkers(4), bot.WithMaxQueued(bound))
	stop := runBot(t, b)
	// Release handlers one by one; the reader can only follow.
	for i := 0; i < total; i++ {
		gate <- struct{}{}
	}
	select {
	case <-allDone:
	case <-time.After(wait):
		t.Fatalf("handled %d of %d", handled.Load(), total)
	}
	if err := stop(); err != nil {
		t.Fatal(err)
	}
	if handled.Load() != total {
		t.Fatalf("handled %d of %d", handled.Load(), total)
	}
}

func TestStopDrainsQueuedAndRunning(t *testing.T) {
	p := parleytest.NewPlatform()
	gate := make(chan struct{})
	started := make(chan struct{}, 100)
	var handled atomic.Int64
	b := bot.New(p, bot.HandlerFunc(func(c *bot.Context) error {
		started <- struct{}{}
		<-gate
		if c.Context().Err() != nil {
			t.Error("handler context cancelled during a drain within the deadline")
		}
		handled.Add(1)
		return nil
	}), bot.WithWorkers(2), bot.WithStopTimeout(wait))
	ctx, cancel := context.WithCancel(context.Background())
	done := make(chan error, 1)
	go func() { done <- b.Run(ctx) }()
	for i := 0; i < 20; i++ {
		inject(t, p, &seqEvent{chat: fmt.Sprint("c", i%4), seq: i})
	}
	eventually(t, func() bool { return b.Stats().Received == 20 })
	<-started
	cancel()
	close(gate)
	select {
	case err := <-done:
		if err != nil {
			t.Fatalf("Run: %v", err)
		}
	case <-time.After(wait):
		t.Fatal("Run did not return")
	}
	if handled.Load() != 20 {
		t.Fatalf("drained %d of 20", handled.Load())
	}
}

func TestStopDeadlineCancelsAndReports(t *testing.T) {
	p := parleytest.NewPlatform()
	started := make(chan struct{}, 10)
	b := bot.New(p, bot.HandlerFunc(func(c *bot.Context) error {
		started <- struct{}{}
		<-c.Context().Done()
		return c.Context().Err()
	}), bot.WithWorkers(1), bot.WithStopTimeout(20*time.Millisecond))
	ctx, cancel := context.WithCancel(context.Background())
	done := make(chan error, 1)
	go func() { done <- b.Run(ctx) }()
	for i := 0; i < 5; i++ {
		inject(t, p, &seqEvent{chat: "c", seq: i})
	}
	eventually(t, func() bool { return b.Stats().Received == 5 })
	<-started
	cancel()
	var err error
	select {
	case err = <-done:
	case <-time.After(wait):
		t.Fatal("Run did not return")
	}
	var se *bot.StopError
	if !errors.As(err, &se) {
		t.Fatalf("Run = %v, want *StopError", err)
	}
	if se.Dropped != 4 || se.Cancelled != 1 {
		t.Fatalf("StopError = %+v, want 4 dropped, 1 cancelled", se)
	}
	if s := b.Stats(); s.Failed != 1 {
		t.Errorf("failed = %d, want the cancelled handler counted", s.Failed)
	}
}

func TestPanicDoesNotStopTheBot(t *testing.T) {
	p := parleytest.NewPlatform()
	var errs []error
	var mu sync.Mutex
	b := bot.New(p, bot.HandlerFunc(func(c *bot.Context) error {
		if c.Event().(*seqEvent).seq == 1 {
			panic("boom")
		}
		return nil
	}), bot.WithErrorHandler(func(c *bot.Context, err error) {
		mu.Lock()
		errs = append(errs, err)
		mu.Unlock()
	}))
	stop := runBot(t, b)
	for i := 0; i < 3; i++ {
		inject(t, p, &seqEvent{chat: "c", seq: i})
	}
	if err := p.WaitHandled(3, wait); err != nil {
		t.Fatal(err)
	}
	if err := stop(); err != nil {
		t.Fatal(err)
	}
	mu.Lock()
	defer mu.Unlock()
	var pe *bot.PanicError
	if len(errs) != 1 || !errors.As(errs[0], &pe) || pe.Value != "boom" || len(pe.Stack) == 0 {
		t.Fatalf("errors = %v", errs)
	}
	if s := b.Stats(); s.Panics != 1 || s.Handled != 2 || s.Failed != 1 {
		t.Fatalf("stats = %+v", s)
	}
}

func TestUnknownEventsCounted(t *testing.T) {
	p := parleytest.NewPlatform()
	b := bot.New(p, bot.HandlerFunc(func(*bot.Context) error { return nil }))
	stop := runBot(t, b)
	inject(t, p, &parleytest.UnknownEvent{Name: "futureEvent"})
	inject(t, p, &seqEvent{chat: "c"})
	if err := p.WaitHandled(2, wait); err != nil {
		t.Fatal(err)
	}
	_ = stop()
	if s := b.Stats(); s.Unknown != 1 || s.Received != 2 {
		t.Fatalf("stats = %+v", s)
	}
}

type failingPlatform struct{ listPlatform }

var errFatal = errors.New("auth refused")

func (p *failingPlatform) Listen(ctx context.Context, emit func(bot.Event) error) error {
	return errFatal
}

func TestListenFatalErrorIsReturned(t *testing.T) {
	b := bot.New(&failingPlatform{}, bot.HandlerFunc(func(*bot.Context) error { return nil }))
	if err := b.Run(context.Background()); !errors.Is(err, errFatal) {
		t.Fatalf("Run = %v, want %v", err, errFatal)
	}
}

func TestSetupMistakesPanic(t *testing.T) {
	p := parleytest.NewPlatform()
	h := bot.HandlerFunc(func(*bot.Context) error { return nil })
	cases := map[string]func(){
		"nil platform":     func() { bot.New(nil, h) },
		"nil handler":      func() { bot.New(p, nil) },
		"nil middleware":   func() { bot.New(p, h).Use(nil) },
		"zero workers":     func() { bot.New(p, h, bot.WithWorkers(0)) },
		"zero queue":       func() { bot.New(p, h, bot.WithMaxQueued(0)) },
		"negative timeout": func() { bot.New(p, h, bot.WithStopTimeout(-1)) },
		"use after run": func() {
			b := bot.New(&failingPlatform{}, h)
			_ = b.Run(context.Background())
			b.Use(func(h bot.Handler) bot.Handler { return h })
		},
	}
	for name, f := range cases {
		t.Run(name, func(t *testing.T) {
			defer func() {
				if recover() == nil {
					t.Fatal("no panic")
				}
			}()
			f()
		})
	}
}

func TestOuterMiddlewareOrderAndReply(t *testing.T) {
	p := parleytest.NewPlatform()
	var trace []string
	var mu sync.Mutex
	mw := func(name string) bot.Middleware {
		return func(next bot.Handler) bot.Handler {
			return bot.HandlerFunc(func(c *bot.Context) error {
				mu.Lock()
				trace = append(trace, name)
				mu.Unlock()
				return next.Handle(c)
			})
		}
	}
	b := bot.New(p, bot.HandlerFunc(func(c *bot.Context) error {
		m, _ := c.Message()
		return c.Reply("echo: " + m.Text)
	}))
	b.Use(mw("a"), mw("b"))
	stop := runBot(t, b)
	inject(t, p, parleytest.NewMessage("7", "@5", "hi"))
	sent, err := p.WaitSent(1, wait)
	if err != nil {
		t.Fatal(err)
	}
	_ = stop()
	if sent[0].ChatID != "@5" || sent[0].Text != "echo: hi" || sent[0].ReplyTo != "7" {
		t.Fatalf("sent %+v", sent[0])
	}
	if fmt.Sprint(trace) != "[a b]" {
		t.Fatalf("middleware order %v", trace)
	}
}

func TestRunTwiceConcurrentlyFails(t *testing.T) {
	p := parleytest.NewPlatform()
	b := bot.New(p, bot.HandlerFunc(func(*bot.Context) error { return nil }))
	stop := runBot(t, b)
	inject(t, p, &seqEvent{chat: "c"})
	if err := p.WaitHandled(1, wait); err != nil {
		t.Fatal(err)
	}
	if err := b.Run(context.Background()); !errors.Is(err, bot.ErrAlreadyRunning) {
		t.Fatalf("second Run = %v", err)
	}
	_ = stop()
}

func TestDroppedEventsCountedApart(t *testing.T) {
	p := parleytest.NewPlatform()
	var reasons []string
	var mu sync.Mutex
	drop := func(next bot.Handler) bot.Handler {
		return bot.HandlerFunc(func(c *bot.Context) error {
			if c.Text() == "spam" {
				c.Drop("spam")
				c.Drop("second reason") // the first is kept
				r, _ := c.WithContext(c.Context()).Dropped()
				mu.Lock()
				reasons = append(reasons, r)
				mu.Unlock()
				return nil
			}
			return next.Handle(c)
		})
	}
	b := bot.New(p, bot.HandlerFunc(func(c *bot.Context) error {
		if _, dropped := c.Dropped(); dropped {
			t.Error("a handled event reports itself dropped")
		}
		return nil
	}))
	b.Use(drop)
	stop := runBot(t, b)
	for i, text := range []string{"hi", "spam", "there", "spam"} {
		inject(t, p, parleytest.NewMessage(fmt.Sprint(i), "@1", text))
	}
	if err := p.WaitHandled(4, wait); err != nil {
		t.Fatal(err)
	}
	_ = stop()
	if s := b.Stats(); s.Received != 4 || s.Handled != 2 || s.Dropped != 2 || s.Failed != 0 {
		t.Fatalf("stats = %+v, want 4 received, 2 handled, 2 dropped", s)
	}
	mu.Lock()
	defer mu.Unlock()
	if len(reasons) != 2 || reasons[0] != "spam" || reasons[1] != "spam" {
		t.Fatalf("reasons = %q, want the first reason of each drop, seen through a copy of the Context", reasons)
	}
}
