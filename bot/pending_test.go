package bot_test

import (
	"context"
	"errors"
	"fmt"
	"math/rand/v2"
	"runtime"
	"slices"
	"strconv"
	"strings"
	"sync"
	"sync/atomic"
	"testing"
	"time"

	"github.com/parleybot/parley/bot"
)

// msgEvent is a message of a chat, with a position.
type msgEvent struct {
	chat string
	id   int
	msgs []bot.Message
}

func newMsg(chat string, id int) *msgEvent {
	s := strconv.Itoa(id)
	return &msgEvent{chat: chat, id: id, msgs: []bot.Message{{ID: s, Chat: bot.Chat{ID: chat, Kind: bot.Direct}, Text: "m" + s}}}
}

func (e *msgEvent) Type() string            { return "msg" }
func (e *msgEvent) ChatKey() string         { return e.chat }
func (e *msgEvent) Messages() []bot.Message { return e.msgs }

// asyncWrite is one SendAsync call as the platform saw it.
type asyncWrite struct {
	chat, text string
	done       func([]string, error)
	ctx        context.Context
}

// asyncPlatform pipelines: SendAsync records the write, in call order, and
// the test decides when and how each completes. Events come from in.
type asyncPlatform struct {
	in chan bot.Event

	mu      sync.Mutex
	writes  []asyncWrite
	wrote   chan struct{} // a token per write
	handled []string      // "<id>:<err>" in EventHandled order
	onDone  chan struct{} // a token per EventHandled
}

func newAsyncPlatform() *asyncPlatform {
	return &asyncPlatform{in: make(chan bot.Event), wrote: make(chan struct{}, 1000), onDone: make(chan struct{}, 1000)}
}

func (p *asyncPlatform) Name() string { return "async" }

func (p *asyncPlatform) Listen(ctx context.Context, emit func(bot.Event) error) error {
	for {
		select {
		case e := <-p.in:
			if err := emit(e); err != nil {
				return err
			}
		case <-ctx.Done():
			return nil
		}
	}
}

func (p *asyncPlatform) Send(ctx context.Context, chat string, m bot.Outgoing) ([]string, error) {
	return nil, errors.New("async platform: the waiting Send is not used here")
}

func (p *asyncPlatform) SendAsync(ctx context.Context, chat string, m bot.Outgoing, done func([]string, error)) {
	p.mu.Lock()
	p.writes = append(p.writes, asyncWrite{chat: chat, text: m.Text, done: done, ctx: ctx})
	p.mu.Unlock()
	p.wrote <- struct{}{}
}

func (p *asyncPlatform) EventHandled(e bot.Event, err error) {
	p.mu.Lock()
	p.handled = append(p.handled, fmt.Sprintf("%d:%v", e.(*msgEvent).id, err))
	p.mu.Unlock()
	p.onDone <- struct{}{}
}

func (p *asyncPlatform) write(i int) asyncWrite {
	p.mu.Lock()
	defer p.mu.Unlock()
	return p.writes[i]
}

func (p *asyncPlatform) handledList() []string {
	p.mu.Lock()
	defer p.mu.Unlock()
	return slices.Clone(p.handled)
}

func awaitTokens(t *testing.T, ch <-chan struct{}, n int, what string) {
	t.Helper()
	for i := 0; i < n; i++ {
		select {
		case <-ch:
		case <-deadline():
			t.Fatalf("%s: %d of %d", what, i, n)
		}
	}
}

func deadline() <-chan time.Time { return time.After(wait) }

// TestPipelinedRepliesInOrder: the handler of one chat's next event runs
// while earlier replies wait for their answer, the replies are written in
// the events' order, and the events complete in that order whatever the
// order of the answers.
func TestPipelinedRepliesInOrder(t *testing.T) {
	const n = 20
	p := newAsyncPlatform()
	b := bot.New(p, bot.HandlerFunc(func(c *bot.Context) error {
		c.ReplyAsync(c.Text())
		return nil
	}))
	stop := runBot(t, b)
	for i := 1; i <= n; i++ {
		p.in <- newMsg("@1", i)
	}
	// Every reply is written although none was answered: the handlers did
	// not wait.
	awaitTokens(t, p.wrote, n, "writes before any answer")
	for i := 0; i < n; i++ {
		if w := p.write(i); w.text != "m"+strconv.Itoa(i+1) || w.chat != "@1" {
			t.Fatalf("write %d is %q to %s, want m%d to @1", i, w.text, w.chat, i+1)
		}
	}
	if h := p.handledList(); len(h) != 0 {
		t.Fatalf("events complete before their replies were answered: %v", h)
	}
	// Answer backwards: nothing completes until the first is answered,
	// then all do, in order.
	for i := n - 1; i >= 1; i-- {
		p.write(i).done([]string{"r"}, nil)
	}
	if h := p.handledList(); len(h) != 0 {
		t.Fatalf("events complete before the first: %v", h)
	}
	p.write(0).done([]string{"r"}, nil)
	awaitTokens(t, p.onDone, n, "completions")
	var want []string
	for i := 1; i <= n; i++ {
		want = append(want, fmt.Sprintf("%d:<nil>", i))
	}
	if h := p.handledList(); !slices.Equal(h, want) {
		t.Fatalf("EventHandled order %v, want %v", h, want)
	}
	if err := stop(); err != nil {
		t.Fatal(err)
	}
	if s := b.Stats(); s.Handled != n || s.Failed != 0 {
		t.Fatalf("stats %+v", s)
	}
}

// TestPipelinedFailureReportedWithEvent: a pipelined reply whose outcome is
// unknown fails its event (the error handler gets the event, the platform
// hears of it as undelivered), while the next event of the chat, whose
// reply succeeded, completes after it without error.
func TestPipelinedFailureReportedWithEvent(t *testing.T) {
	p := newAsyncPlatform()
	var mu sync.Mutex
	var reported []string
	b := bot.New(p, bot.HandlerFunc(func(c *bot.Context) error {
		c.ReplyAsync(c.Text())
		return nil
	}), bot.WithErrorHandler(func(c *bot.Context, err error) {
		mu.Lock()
		reported = append(reported, fmt.Sprintf("%s %v", c.Text(), bot.Undelivered(err)))
		mu.Unlock()
	}))
	stop := runBot(t, b)
	p.in <- newMsg("@1", 1)
	p.in <- newMsg("@1", 2)
	awaitTokens(t, p.wrote, 2, "writes")
	p.write(1).done([]string{"r2"}, nil)
	p.write(0).done(nil, fmt.Errorf("lost: %w", bot.ErrOutcomeUnknown))
	awaitTokens(t, p.onDone, 2, "completions")
	h := p.handledList()
	if len(h) != 2 || h[0] != "1:lost: bot: command outcome unknown" || h[1] != "2:<nil>" {
		t.Fatalf("EventHandled %v", h)
	}
	if err := stop(); err != nil {
		t.Fatal(err)
	}
	mu.Lock()
	defer mu.Unlock()
	if !slices.Equal(reported, []string{"m1 true"}) {
		t.Fatalf("error handler got %v, want the first event as undelivered", reported)
	}
	if s := b.Stats(); s.Handled != 1 || s.Failed != 1 {
		t.Fatalf("stats %+v", s)
	}
}

// TestPipelinedWaitTakesOutcome: a handler that waits for its reply gets
// the outcome, and then the failure is its to report or not.
func TestPipelinedWaitTakesOutcome(t *testing.T) {
	p := newAsyncPlatform()
	got := make(chan error, 1)
	b := bot.New(p, bot.HandlerFunc(func(c *bot.Context) error {
		_, err := c.ReplyAsync(c.Text()).Wait(c.Context())
		got <- err
		return nil // handled: the reply's failure was dealt with
	}))
	stop := runBot(t, b)
	p.in <- newMsg("@1", 1)
	awaitTokens(t, p.wrote, 1, "write")
	p.write(0).done(nil, errors.New("refused"))
	if err := <-got; err == nil || err.Error() != "refused" {
		t.Fatalf("Wait returned %v", err)
	}
	awaitTokens(t, p.onDone, 1, "completion")
	if h := p.handledList(); !slices.Equal(h, []string{"1:<nil>"}) {
		t.Fatalf("EventHandled %v", h)
	}
	if err := stop(); err != nil {
		t.Fatal(err)
	}
}

// TestPipelinedStopWaitsForSends: Run returns only once the pipelined
// sends of handled events have their outcome.
func TestPipelinedStopWaitsForSends(t *testing.T) {
	p := newAsyncPlatform()
	b := bot.New(p, bot.HandlerFunc(func(c *bot.Context) error {
		c.ReplyAsync(c.Text())
		return nil
	}))
	ctx, cancel := context.WithCancel(context.Background())
	done := make(chan error, 1)
	go func() { done <- b.Run(ctx) }()
	p.in <- newMsg("@1", 1)
	awaitTokens(t, p.wrote, 1, "write")
	cancel()
	select {
	case err := <-done:
		t.Fatalf("Run returned %v with a send in flight", err)
	default:
	}
	w := p.write(0)
	if w.ctx.Err() != nil {
		t.Fatal("the send's context ended with Listen's, before the stop deadline")
	}
	w.done([]string{"r"}, nil)
	select {
	case err := <-done:
		if err != nil {
			t.Fatal(err)
		}
	case <-deadline():
		t.Fatal("Run did not return")
	}
	if s := b.Stats(); s.Handled != 1 {
		t.Fatalf("stats %+v", s)
	}
}

// TestReplyAsyncFallback: on a platform without AsyncSender the pipelined
// verbs send and wait, and the outcome still fails the event.
func TestReplyAsyncFallback(t *testing.T) {
	p := &syncPlatform{err: fmt.Errorf("down: %w", bot.ErrNotSent)}
	c := bot.NewContext(context.Background(), newMsg("@1", 1), p, nil)
	pend := c.ReplyAsync("hi")
	select {
	case <-pend.Done():
	default:
		t.Fatal("a fallback send is done when ReplyAsync returns")
	}
	if done, err := c.SendsDone(); !done || !bot.Undelivered(err) {
		t.Fatalf("SendsDone = %v, %v", done, err)
	}
	var after error
	c.AfterSends(func(err error) { after = err })
	if !bot.Undelivered(after) {
		t.Fatalf("AfterSends got %v", after)
	}
	if _, err, ok := pend.Result(); !ok || !bot.Undelivered(err) {
		t.Fatalf("Result = %v, %v", err, ok)
	}
	// Taken by the handler, the failure is no longer the event's.
	if done, err := c.SendsDone(); !done || err != nil {
		t.Fatalf("after Result, SendsDone = %v, %v", done, err)
	}
	if p.sent != 1 {
		t.Fatalf("sent %d", p.sent)
	}
}

// TestAfterSendsWaitsForSends: outside a bot (NewContext), AfterSends
// runs once the sends in flight finish.
func TestAfterSendsWaitsForSends(t *testing.T) {
	p := newAsyncPlatform()
	c := bot.NewContext(context.Background(), newMsg("@1", 1), p, nil)
	c.ReplyAsync("a")
	c.ReplyAsync("b")
	ran := make(chan error, 1)
	c.AfterSends(func(err error) { ran <- err })
	if done, _ := c.SendsDone(); done {
		t.Fatal("SendsDone with two sends in flight")
	}
	p.write(0).done(nil, nil)
	select {
	case <-ran:
		t.Fatal("AfterSends ran with a send in flight")
	default:
	}
	p.write(1).done(nil, errors.New("refused"))
	if err := <-ran; err == nil || err.Error() != "refused" {
		t.Fatalf("AfterSends got %v", err)
	}
}

// syncPlatform has only the waiting Send.
type syncPlatform struct {
	err  error
	sent int
}

func (p *syncPlatform) Name() string { return "sync" }
func (p *syncPlatform) Listen(ctx context.Context, emit func(bot.Event) error) error {
	<-ctx.Done()
	return nil
}
func (p *syncPlatform) Send(ctx context.Context, chat string, m bot.Outgoing) ([]string, error) {
	p.sent++
	return nil, p.err
}

// racyPlatform completes each pipelined send on its own goroutine, after
// a random number of yields, failing every seventh.
type racyPlatform struct {
	asyncPlatform
	wg sync.WaitGroup
	n  atomic.Int64
}

func (p *racyPlatform) SendAsync(ctx context.Context, chat string, m bot.Outgoing, done func([]string, error)) {
	k := p.n.Add(1)
	p.wg.Add(1)
	go func() {
		defer p.wg.Done()
		for i := 0; i < rand.IntN(20); i++ {
			runtime.Gosched()
		}
		if k%7 == 0 {
			done(nil, fmt.Errorf("lost: %w", bot.ErrOutcomeUnknown))
			return
		}
		done([]string{"x"}, nil)
	}()
}

// TestPipelinedStress: many chats, sends finishing in any order on other
// goroutines, events with none, one or two sends: every event completes
// once, in its chat's order, and the counts add up.
func TestPipelinedStress(t *testing.T) {
	const chats, perChat = 50, 60
	p := &racyPlatform{asyncPlatform: *newAsyncPlatform()}
	p.onDone = make(chan struct{}, chats*perChat)
	b := bot.New(p, bot.HandlerFunc(func(c *bot.Context) error {
		e := c.Event().(*msgEvent)
		for i := 0; i < e.id%3; i++ {
			c.ReplyAsync("r")
		}
		return nil
	}), bot.WithWorkers(4), bot.WithMaxQueued(32))
	stop := runBot(t, b)
	next := make([]int, chats)
	for sent := 0; sent < chats*perChat; {
		c := rand.IntN(chats)
		if next[c] == perChat {
			continue
		}
		next[c]++
		p.in <- newMsg("@"+strconv.Itoa(c), c*1000+next[c])
		sent++
	}
	awaitTokens(t, p.onDone, chats*perChat, "completions")
	if err := stop(); err != nil {
		t.Fatal(err)
	}
	p.wg.Wait()
	last := map[int]int{}
	failed := 0
	for _, h := range p.handledList() {
		idS, errS, _ := strings.Cut(h, ":")
		id, _ := strconv.Atoi(idS)
		if id <= last[id/1000] {
			t.Fatalf("chat %d: event %d completed after %d", id/1000, id, last[id/1000])
		}
		last[id/1000] = id
		if errS != "<nil>" {
			failed++
		}
	}
	s := b.Stats()
	if s.Handled+s.Failed != chats*perChat || s.Failed != int64(failed) || s.Queued != 0 {
		t.Fatalf("stats %+v, %d failed in EventHandled", s, failed)
	}
}
