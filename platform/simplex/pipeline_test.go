package simplex_test

import (
	"context"
	"encoding/json"
	"fmt"
	"slices"
	"strings"
	"sync"
	"testing"
	"time"

	"github.com/parleybot/parley/bot"
	"github.com/parleybot/parley/platform/simplex"
	"github.com/parleybot/parley/store"
)

// pipelineBot runs a bot whose handler echoes every text with ReplyAsync
// over a feeder; failures reach the returned log as "<text> undelivered"
// or "<text> failed".
type pipelineBot struct {
	p    *simplex.Platform
	b    *bot.Bot
	stop func() error

	mu     sync.Mutex
	failed []string
}

func startPipelineBot(t *testing.T, fd *feeder, st store.Store) *pipelineBot {
	t.Helper()
	pb := &pipelineBot{}
	pb.p = simplex.New(fd.url(), simplex.WithStore(st), simplex.WithCursorFlush(time.Millisecond),
		simplex.WithClientOptions(simplex.WithBackoff(5*time.Millisecond, 20*time.Millisecond)))
	pb.b = bot.New(pb.p, bot.HandlerFunc(func(c *bot.Context) error {
		if c.Text() != "" {
			c.ReplyAsync(c.Text())
		}
		return nil
	}), bot.WithErrorHandler(func(c *bot.Context, err error) {
		what := "failed"
		if bot.Undelivered(err) {
			what = "undelivered"
		}
		pb.mu.Lock()
		pb.failed = append(pb.failed, c.Text()+" "+what)
		pb.mu.Unlock()
	}))
	ctx, cancel := context.WithCancel(context.Background())
	done := make(chan error, 1)
	go func() { done <- pb.b.Run(ctx) }()
	var once sync.Once
	var err error
	pb.stop = func() error {
		once.Do(func() {
			cancel()
			select {
			case err = <-done:
			case <-time.After(waitTimeout):
				err = fmt.Errorf("Run did not return")
			}
		})
		return err
	}
	t.Cleanup(func() { _ = pb.stop() })
	return pb
}

func (pb *pipelineBot) failures() []string {
	pb.mu.Lock()
	defer pb.mu.Unlock()
	return slices.Clone(pb.failed)
}

// storedCursor returns the highest position of chat in the stored cursors
// (the full map and the one of new chats), or -1.
func storedCursor(t *testing.T, st store.Store, chat string) int64 {
	t.Helper()
	best := int64(-1)
	for _, k := range []string{"simplex:cursors:1", "simplex:cursors:1:new"} {
		data, ok, err := st.Get(context.Background(), k)
		if err != nil {
			t.Fatal(err)
		}
		if !ok {
			continue
		}
		var m map[string]int64
		if err := json.Unmarshal(data, &m); err != nil {
			t.Fatal(err)
		}
		if id, ok := m[chat]; ok {
			best = max(best, id)
		}
	}
	return best
}

// TestPipelinedRepliesOrderedAndHonest runs the pipelined echo over the
// feeder with its answers to /_send held back: every reply of the chat is
// written, in order, before the first is answered (the handlers did not
// wait). The connection then drops with all of them unanswered: each
// event is reported to the error handler as undelivered, and the chat's
// stored cursor stays below the first of them. After the reconnect the
// catch-up passes them on again. The feeder had carried the sends out, so
// the catch-up finds each message quoted by a reply in the chat: the
// handlers' second replies are answered with those and not sent twice,
// and the cursor moves past the last.
func TestPipelinedRepliesOrderedAndHonest(t *testing.T) {
	const n = 5
	fd := newFeeder()
	defer fd.close()
	st := store.NewMemory()
	defer st.Close()
	run := fd.begin(n)
	fd.holdAnswers()
	pb := startPipelineBot(t, fd, st)

	var want []string
	for i := range n {
		ev := fd.message(run, i, 1)
		if err := fd.inject(context.Background(), ev); err != nil {
			t.Fatal(err)
		}
		want = append(want, echoText(i))
	}
	eventually(t, "every reply written before any answer", func() bool { return len(fd.sentTexts()) == n })
	if got := fd.sentTexts(); !slices.Equal(got, want) {
		t.Fatalf("replies written %v, want %v", got, want)
	}
	if f := pb.failures(); len(f) != 0 {
		t.Fatalf("failures before any outcome: %v", f)
	}
	if s := pb.b.Stats(); s.Handled != 0 || s.Failed != 0 {
		t.Fatalf("events complete before their replies were answered: %+v", s)
	}

	fd.drop()
	eventually(t, "the unanswered replies to fail their events", func() bool { return len(pb.failures()) == n })
	var wantFailed []string
	for _, w := range want {
		wantFailed = append(wantFailed, w+" undelivered")
	}
	if f := pb.failures(); !slices.Equal(f, wantFailed) {
		t.Fatalf("error handler got %v, want %v", f, wantFailed)
	}
	if c := storedCursor(t, st, "@1"); c >= run.itemOf[0] {
		t.Fatalf("stored cursor of @1 is %d, not below the first failed item %d", c, run.itemOf[0])
	}

	// Reconnected, the catch-up passes the events on again.
	eventually(t, "the events handled", func() bool { return pb.b.Stats().Handled == n })
	if got := fd.sentTexts(); !slices.Equal(got, want) {
		t.Fatalf("replies written %v, want each of %v once", got, want)
	}
	if s := pb.p.Stats(); s.Reconciled != n {
		t.Fatalf("stats %+v, want %d replies reconciled", s, n)
	}
	if err := pb.stop(); err != nil {
		t.Fatal(err)
	}
	if c := storedCursor(t, st, "@1"); c != run.itemOf[n-1] {
		t.Fatalf("stored cursor of @1 is %d, want the last item %d", c, run.itemOf[n-1])
	}
	if s := pb.b.Stats(); s.Handled != n || s.Failed != n {
		t.Fatalf("stats %+v", s)
	}
}

// TestPipelinedRefusedReply: a reply the CLI refuses fails its event (the
// error handler hears of it), but the refusal is a known outcome, so the
// cursor moves on and the event is not passed on again.
func TestPipelinedRefusedReply(t *testing.T) {
	fd := newFeeder()
	defer fd.close()
	st := store.NewMemory()
	defer st.Close()
	run := fd.begin(2)
	fd.mu.Lock()
	fd.failSends = 1
	fd.mu.Unlock()
	pb := startPipelineBot(t, fd, st)
	for i := range 2 {
		if err := fd.inject(context.Background(), fd.message(run, i, 1)); err != nil {
			t.Fatal(err)
		}
	}
	eventually(t, "both events complete", func() bool { s := pb.b.Stats(); return s.Handled+s.Failed == 2 })
	if f := pb.failures(); !slices.Equal(f, []string{"e0 failed"}) {
		t.Fatalf("error handler got %v", f)
	}
	eventually(t, "the cursor past both", func() bool { return storedCursor(t, st, "@1") == run.itemOf[1] })
	if err := pb.stop(); err != nil {
		t.Fatal(err)
	}
	if got := fd.sentTexts(); !slices.Equal(got, []string{"e0", "e1"}) {
		t.Fatalf("replies written %v", got)
	}
	if c := fd.connections(); c != 1 {
		t.Fatalf("%d connections", c)
	}
}

// TestClientCallAsyncTimeout: a pipelined command with no answer ends with
// an unknown outcome at the call timeout.
func TestClientCallAsyncTimeout(t *testing.T) {
	fd := newFeeder()
	defer fd.close()
	fd.holdAnswers()
	c := simplex.NewClient(fd.url(), simplex.WithCallTimeout(50*time.Millisecond))
	ctx, cancel := context.WithCancel(context.Background())
	defer cancel()
	runDone := make(chan error, 1)
	go func() {
		runDone <- c.Run(ctx, simplex.SinkFuncs{OnEvent: func(simplex.Frame) error { return nil }})
	}()
	defer func() { cancel(); <-runDone }()
	got := make(chan error, 1)
	c.CallAsync(context.Background(), `/_send @1 json [{"msgContent":{"type":"text","text":"x"}}]`, func(_ simplex.Frame, err error) { got <- err })
	select {
	case err := <-got:
		if !bot.Undelivered(err) || !strings.Contains(err.Error(), "no response") {
			t.Fatalf("got %v, want an unknown outcome", err)
		}
	case <-time.After(waitTimeout):
		t.Fatal("the call never ended")
	}
	// An answered one succeeds, with its frame.
	fd.drop()
	resp := make(chan simplex.Frame, 1)
	eventually(t, "a new connection", func() bool { return fd.connections() == 2 && c.Connected() })
	c.CallAsync(context.Background(), "/user", func(f simplex.Frame, err error) {
		if err != nil {
			t.Error(err)
		}
		resp <- f
	})
	select {
	case f := <-resp:
		if _, ok := f.Resp.(*simplex.ActiveUser); !ok {
			t.Fatalf("got %T", f.Resp)
		}
	case <-time.After(waitTimeout):
		t.Fatal("no answer")
	}
}
