package kit_test

import (
	"context"
	"errors"
	"fmt"
	"runtime"
	"slices"
	"strings"
	"sync"
	"testing"
	"time"

	"github.com/parleybot/parley/bot"
	"github.com/parleybot/parley/platform/kit"
	"github.com/parleybot/parley/store"
)

// ev is an item's event in these tests.
type ev struct {
	chat string
	id   int64
}

func (e ev) Type() string { return "item" }

// history is a platform's server side reduced to what the kit reads: the
// items of each chat, with the bot's own items among them.
type history struct {
	mu    sync.Mutex
	chats map[string][]kit.Item
	gone  map[string]bool
	fails int // fetches to fail before answering
}

func newHistory() *history { return &history{chats: map[string][]kit.Item{}, gone: map[string]bool{}} }

func (h *history) add(chat string, id int64, own bool) kit.Item {
	h.mu.Lock()
	defer h.mu.Unlock()
	it := kit.Item{Chat: chat, ID: id}
	if !own {
		it.Event = ev{chat, id}
	}
	h.chats[chat] = append(h.chats[chat], it)
	return it
}

func (h *history) FetchAfter(_ context.Context, chat string, after int64, limit int) ([]kit.Item, error) {
	h.mu.Lock()
	defer h.mu.Unlock()
	if h.fails > 0 {
		h.fails--
		return nil, errors.New("connection lost")
	}
	if h.gone[chat] {
		return nil, fmt.Errorf("no chat %s: %w", chat, kit.ErrChatGone)
	}
	var out []kit.Item
	for _, it := range h.chats[chat] {
		if it.ID > after && len(out) < limit {
			out = append(out, it)
		}
	}
	return out, nil
}

// sink records what a Delivery passes on and can hand it back as handled.
type sink struct {
	mu  sync.Mutex
	got []ev
}

func (s *sink) emit(e bot.Event) error {
	s.mu.Lock()
	s.got = append(s.got, e.(ev))
	s.mu.Unlock()
	return nil
}

func (s *sink) take() []ev {
	s.mu.Lock()
	defer s.mu.Unlock()
	out := s.got
	s.got = nil
	return out
}

func handleAll(d *kit.Delivery, evs []ev) {
	for _, e := range evs {
		d.Handled(e.chat, e.id, nil)
	}
}

func newDelivery(h *history, st store.Store) (*kit.Delivery, *sink) {
	d := kit.NewDelivery(h, kit.Config{Store: st, Key: "test:cursors", Page: 3})
	s := &sink{}
	d.Begin(s.emit)
	return d, s
}

func TestLiveThenCatchUpDeliversEachItemOnce(t *testing.T) {
	ctx := context.Background()
	h := newHistory()
	d, s := newDelivery(h, store.NewMemory())
	if err := d.Load(ctx); err != nil {
		t.Fatal(err)
	}
	// A live item makes the chat known; then the connection drops and
	// items 2..8 arrive, one of them the bot's own.
	if err := d.Live(ctx, h.add("@1", 1, false)); err != nil {
		t.Fatal(err)
	}
	for id := int64(2); id <= 8; id++ {
		h.add("@1", id, id == 5)
	}
	if err := d.CatchUp(ctx); err != nil {
		t.Fatal(err)
	}
	// The live copies of 6 and 7 come out of a queue late: skipped.
	for _, id := range []int64{6, 7} {
		if err := d.Live(ctx, kit.Item{Chat: "@1", ID: id, Event: ev{"@1", id}}); err != nil {
			t.Fatal(err)
		}
	}
	want := []ev{{"@1", 1}, {"@1", 2}, {"@1", 3}, {"@1", 4}, {"@1", 6}, {"@1", 7}, {"@1", 8}}
	if got := s.take(); !slices.Equal(got, want) {
		t.Fatalf("passed on %v, want %v", got, want)
	}
	if st := d.Stats(); st.Replayed != 6 || st.Skipped != 2 {
		t.Fatalf("stats %+v, want 6 replayed and 2 skipped", st)
	}
}

func TestRestartResumesAfterHandledNotDelivered(t *testing.T) {
	ctx := context.Background()
	h := newHistory()
	st := store.NewMemory()
	d, s := newDelivery(h, st)
	if err := d.Load(ctx); err != nil {
		t.Fatal(err)
	}
	for id := int64(1); id <= 4; id++ {
		if err := d.Live(ctx, h.add("@1", id, false)); err != nil {
			t.Fatal(err)
		}
	}
	// Only 1 and 2 were handled before the process ended.
	handleAll(d, s.take()[:2])
	if err := d.Flush(ctx); err != nil {
		t.Fatal(err)
	}

	d2, s2 := newDelivery(h, st)
	if err := d2.Load(ctx); err != nil {
		t.Fatal(err)
	}
	if err := d2.CatchUp(ctx); err != nil {
		t.Fatal(err)
	}
	if got, want := s2.take(), []ev{{"@1", 3}, {"@1", 4}}; !slices.Equal(got, want) {
		t.Fatalf("after restart passed on %v, want %v", got, want)
	}
}

func TestReconnectRedeliversWhatWasNotHandled(t *testing.T) {
	ctx := context.Background()
	h := newHistory()
	d, s := newDelivery(h, nil)
	for id := int64(1); id <= 3; id++ {
		if err := d.Live(ctx, h.add("#7", id, false)); err != nil {
			t.Fatal(err)
		}
	}
	handleAll(d, s.take()[:1])
	d.Begin(s.emit) // a new connection
	if err := d.CatchUp(ctx); err != nil {
		t.Fatal(err)
	}
	if got, want := s.take(), []ev{{"#7", 2}, {"#7", 3}}; !slices.Equal(got, want) {
		t.Fatalf("after reconnect passed on %v, want %v", got, want)
	}
}

func TestNewChatIsStoredBeforeItsFirstItem(t *testing.T) {
	ctx := context.Background()
	h := newHistory()
	st := store.NewMemory()
	d, _ := newDelivery(h, st)
	if err := d.Load(ctx); err != nil {
		t.Fatal(err)
	}
	if err := d.Live(ctx, h.add("@9", 40, false)); err != nil {
		t.Fatal(err)
	}
	// No flush: the process dies here. The next one still knows the chat
	// and fetches from just before its first item.
	h.add("@9", 41, false)
	d2, s2 := newDelivery(h, st)
	if err := d2.Load(ctx); err != nil {
		t.Fatal(err)
	}
	if err := d2.CatchUp(ctx); err != nil {
		t.Fatal(err)
	}
	if got, want := s2.take(), []ev{{"@9", 40}, {"@9", 41}}; !slices.Equal(got, want) {
		t.Fatalf("passed on %v, want %v", got, want)
	}
}

// flaky fails the next n writes.
type flaky struct {
	store.Store
	mu sync.Mutex
	n  int
}

func (f *flaky) Set(ctx context.Context, key string, v []byte, ttl time.Duration) error {
	f.mu.Lock()
	fail := f.n > 0
	if fail {
		f.n--
	}
	f.mu.Unlock()
	if fail {
		return errors.New("disk full")
	}
	return f.Store.Set(ctx, key, v, ttl)
}

func TestFailedCursorWriteIsTriedAgain(t *testing.T) {
	ctx := context.Background()
	h := newHistory()
	mem := store.NewMemory()
	failing := &flaky{Store: mem, n: 1}
	d, s := newDelivery(h, failing)
	if err := d.Load(ctx); err != nil {
		t.Fatal(err)
	}
	if err := d.Live(ctx, h.add("@2", 1, false)); err != nil { // its new-chat write fails
		t.Fatal(err)
	}
	handleAll(d, s.take())
	failing.mu.Lock()
	failing.n = 1
	failing.mu.Unlock()
	if err := d.Flush(ctx); err == nil {
		t.Fatal("flush with a failing store returned nil")
	}
	if err := d.Flush(ctx); err != nil {
		t.Fatalf("second flush: %v", err)
	}
	d2, s2 := newDelivery(h, mem)
	if err := d2.Load(ctx); err != nil {
		t.Fatal(err)
	}
	h.add("@2", 2, false)
	if err := d2.CatchUp(ctx); err != nil {
		t.Fatal(err)
	}
	if got, want := s2.take(), []ev{{"@2", 2}}; !slices.Equal(got, want) {
		t.Fatalf("passed on %v, want %v (item 1 was handled and its cursor written on the retry)", got, want)
	}
}

func TestSpillLeavesItemsAndFetchesThemInOrder(t *testing.T) {
	ctx := context.Background()
	h := newHistory()
	d, s := newDelivery(h, nil)
	if err := d.Live(ctx, h.add("@1", 1, false)); err != nil {
		t.Fatal(err)
	}
	// The queue is full: 2 is left on the server. 3 comes when the queue
	// has room, but its chat is behind, so it is left too; another chat's
	// item is not.
	h.add("@1", 2, false)
	if !d.Spill([]kit.Pos{{Chat: "@1", ID: 2}}, true) {
		t.Fatal("full queue: item not spilled")
	}
	h.add("@1", 3, false)
	if !d.Spill([]kit.Pos{{Chat: "@1", ID: 3}}, false) {
		t.Fatal("item of a chat behind: not spilled")
	}
	if d.Spill([]kit.Pos{{Chat: "@2", ID: 1}}, false) {
		t.Fatal("item of a chat not behind: spilled")
	}
	if !d.Behind() {
		t.Fatal("Behind false after spills")
	}
	if err := d.CatchUpBehind(ctx); err != nil {
		t.Fatal(err)
	}
	if got, want := s.take(), []ev{{"@1", 1}, {"@1", 2}, {"@1", 3}}; !slices.Equal(got, want) {
		t.Fatalf("passed on %v, want %v", got, want)
	}
	if d.Behind() {
		t.Fatal("still behind after CatchUpBehind")
	}
}

func TestSpilledNewChatStartsAtItsFirstSeenItem(t *testing.T) {
	ctx := context.Background()
	h := newHistory()
	d, s := newDelivery(h, nil)
	// Old history the bot never saw live must not be replayed.
	h.add("@5", 1, false)
	h.add("@5", 2, false)
	h.add("@5", 3, false)
	if !d.Spill([]kit.Pos{{Chat: "@5", ID: 3}}, true) {
		t.Fatal("not spilled")
	}
	if err := d.CatchUpBehind(ctx); err != nil {
		t.Fatal(err)
	}
	if got, want := s.take(), []ev{{"@5", 3}}; !slices.Equal(got, want) {
		t.Fatalf("passed on %v, want %v", got, want)
	}
}

func TestGoneChatIsForgotten(t *testing.T) {
	ctx := context.Background()
	h := newHistory()
	d, _ := newDelivery(h, nil)
	if err := d.Live(ctx, h.add("@3", 1, false)); err != nil {
		t.Fatal(err)
	}
	h.gone["@3"] = true
	if err := d.CatchUp(ctx); err != nil {
		t.Fatalf("catch-up of a gone chat: %v", err)
	}
	if d.Known("@3") {
		t.Fatal("gone chat still known")
	}
}

func TestCatchUpErrorIsReturned(t *testing.T) {
	ctx := context.Background()
	h := newHistory()
	d, _ := newDelivery(h, nil)
	if err := d.Live(ctx, h.add("@1", 1, false)); err != nil {
		t.Fatal(err)
	}
	h.fails = 1
	if err := d.CatchUp(ctx); err == nil {
		t.Fatal("failed fetch: CatchUp returned nil")
	}
	if !d.Known("@1") {
		t.Fatal("a failed fetch forgot the chat")
	}
}

func TestStoppedBotEndsCatchUp(t *testing.T) {
	ctx := context.Background()
	h := newHistory()
	d := kit.NewDelivery(h, kit.Config{Page: 2})
	n := 0
	d.Begin(func(bot.Event) error {
		n++
		if n == 2 {
			return bot.ErrStopped
		}
		return nil
	})
	if err := d.Live(ctx, h.add("@1", 1, false)); err != nil {
		t.Fatal(err)
	}
	for id := int64(2); id <= 6; id++ {
		h.add("@1", id, false)
	}
	if err := d.CatchUp(ctx); !errors.Is(err, bot.ErrStopped) {
		t.Fatalf("CatchUp = %v, want bot.ErrStopped", err)
	}
	if !d.Stopping() || n != 2 {
		t.Fatalf("stopping %v after %d events, want true after 2", d.Stopping(), n)
	}
}

func TestUndeliveredItemIsPassedOnAgainAndHoldsTheCursor(t *testing.T) {
	ctx := context.Background()
	h := newHistory()
	st := store.NewMemory()
	d, s := newDelivery(h, st)
	if err := d.Load(ctx); err != nil {
		t.Fatal(err)
	}
	for id := int64(1); id <= 4; id++ {
		if err := d.Live(ctx, h.add("@1", id, false)); err != nil {
			t.Fatal(err)
		}
	}
	s.take()
	// 1 handled, 2's reply never left (the connection dropped), 3 and 4
	// handled after it.
	notSent := fmt.Errorf("sending: %w", bot.ErrNotSent)
	d.Handled("@1", 1, nil)
	d.Handled("@1", 2, notSent)
	d.Handled("@1", 3, nil)
	d.Handled("@1", 4, errors.New("refused by the server")) // handled: retrying cannot help
	if err := d.Flush(ctx); err != nil {
		t.Fatal(err)
	}
	// The reconnect's catch-up passes on 2 alone: 3 and 4 were handled.
	h.add("@1", 5, false)
	if err := d.CatchUp(ctx); err != nil {
		t.Fatal(err)
	}
	if got, want := s.take(), []ev{{"@1", 2}, {"@1", 5}}; !slices.Equal(got, want) {
		t.Fatalf("after the reconnect passed on %v, want %v", got, want)
	}
	// A second catch-up before 2's outcome is known does not pass it on
	// twice.
	if err := d.CatchUp(ctx); err != nil {
		t.Fatal(err)
	}
	if got := s.take(); len(got) != 0 {
		t.Fatalf("second catch-up passed on %v, want nothing", got)
	}
	// Until 2 is handled, a restart must fetch it again: the stored cursor
	// stays at 1.
	d2, s2 := newDelivery(h, st)
	if err := d2.Load(ctx); err != nil {
		t.Fatal(err)
	}
	if err := d2.CatchUp(ctx); err != nil {
		t.Fatal(err)
	}
	if got := s2.take(); len(got) == 0 || got[0] != (ev{"@1", 2}) {
		t.Fatalf("restart passed on %v, want it to start at the undelivered 2", got)
	}
	// Once 2 is handled the cursor jumps past everything handled since.
	d.Handled("@1", 2, nil)
	d.Handled("@1", 5, nil)
	if err := d.Flush(ctx); err != nil {
		t.Fatal(err)
	}
	d3, s3 := newDelivery(h, st)
	if err := d3.Load(ctx); err != nil {
		t.Fatal(err)
	}
	if err := d3.CatchUp(ctx); err != nil {
		t.Fatal(err)
	}
	if got := s3.take(); len(got) != 0 {
		t.Fatalf("after everything was handled, a restart passed on %v", got)
	}
}

func TestRunWritesAHandledCursorWithoutWaitingForATick(t *testing.T) {
	ctx, cancel := context.WithCancel(context.Background())
	defer cancel()
	h := newHistory()
	st := store.NewMemory()
	d := kit.NewDelivery(h, kit.Config{Store: st, Key: "test:cursors", FlushEvery: time.Hour})
	s := &sink{}
	d.Begin(s.emit)
	if err := d.Load(ctx); err != nil {
		t.Fatal(err)
	}
	done := make(chan struct{})
	go func() {
		defer close(done)
		d.Run(ctx)
	}()
	if err := d.Live(ctx, h.add("@1", 7, false)); err != nil {
		t.Fatal(err)
	}
	d.Handled("@1", 7, nil)
	deadline := time.Now().Add(10 * time.Second)
	for {
		v, ok, err := st.Get(ctx, "test:cursors")
		if err != nil {
			t.Fatal(err)
		}
		if ok && string(v) == `{"@1":7}` {
			break
		}
		if time.Now().After(deadline) {
			t.Fatalf("cursor not written within the deadline (store has %q)", v)
		}
		time.Sleep(5 * time.Millisecond)
	}
	cancel()
	<-done
}

// An item the platform found answered is not passed on by a catch-up,
// but counts as handled: the cursor moves past it and it is marked read.
func TestAnsweredItemIsHandledNotPassedOn(t *testing.T) {
	ctx := context.Background()
	h := newHistory()
	var mu sync.Mutex
	read := map[string][]int64{}
	d := kit.NewDelivery(h, kit.Config{Page: 3, MarkRead: func(_ context.Context, chat string, ids []int64) error {
		mu.Lock()
		read[chat] = append(read[chat], ids...)
		mu.Unlock()
		return nil
	}})
	s := &sink{}
	d.Begin(s.emit)
	d.Discovered("@1", 1)
	for id := int64(1); id <= 3; id++ {
		h.add("@1", id, false)
	}
	h.chats["@1"][1].Answered = true // the bot's reply quotes item 2
	if err := d.CatchUp(ctx, "@1"); err != nil {
		t.Fatal(err)
	}
	if got, want := s.take(), []ev{{"@1", 1}, {"@1", 3}}; !slices.Equal(got, want) {
		t.Fatalf("passed on %v, want %v", got, want)
	}
	if st := d.Stats(); st.Answered != 1 || st.Replayed != 2 {
		t.Fatalf("stats %+v, want 1 answered and 2 replayed", st)
	}
	d.Handled("@1", 1, nil)
	d.Handled("@1", 3, nil)
	if err := d.Flush(ctx); err != nil {
		t.Fatal(err)
	}
	mu.Lock()
	got := slices.Sorted(slices.Values(read["@1"]))
	mu.Unlock()
	if want := []int64{1, 2, 3}; !slices.Equal(got, want) {
		t.Fatalf("marked read %v, want %v", got, want)
	}
}

// A failed MarkRead keeps its items for the next flush; an undelivered
// item is not marked read.
func TestMarkReadFailureIsTriedAgain(t *testing.T) {
	ctx := context.Background()
	var mu sync.Mutex
	fail := true
	var read []int64
	d := kit.NewDelivery(newHistory(), kit.Config{MarkRead: func(_ context.Context, chat string, ids []int64) error {
		mu.Lock()
		defer mu.Unlock()
		if fail {
			return errors.New("connection lost")
		}
		read = append(read, ids...)
		return nil
	}})
	d.Begin((&sink{}).emit)
	d.Handled("@1", 1, nil)
	d.Handled("@1", 2, bot.ErrNotSent)
	if err := d.Flush(ctx); err != nil {
		t.Fatalf("a failed MarkRead is no failed flush: %v", err)
	}
	mu.Lock()
	fail = false
	mu.Unlock()
	d.Handled("@1", 3, nil)
	if err := d.Flush(ctx); err != nil {
		t.Fatal(err)
	}
	mu.Lock()
	defer mu.Unlock()
	if want := []int64{1, 3}; !slices.Equal(read, want) {
		t.Fatalf("marked read %v, want %v", read, want)
	}
}

// Discovered sets where a chat unknown to the cursors starts; a known
// chat keeps its cursor.
func TestDiscoveredStartsUnknownChatsOnly(t *testing.T) {
	ctx := context.Background()
	h := newHistory()
	d, s := newDelivery(h, nil)
	for id := int64(1); id <= 4; id++ {
		h.add("@1", id, false)
		h.add("@2", id, false)
	}
	if err := d.Live(ctx, kit.Item{Chat: "@2", ID: 2, Event: ev{"@2", 2}}); err != nil {
		t.Fatal(err)
	}
	s.take()
	d.Discovered("@1", 3)
	d.Discovered("@2", 1) // known: its cursor stands
	if err := d.CatchUp(ctx, "@1", "@2"); err != nil {
		t.Fatal(err)
	}
	got := s.take()
	slices.SortFunc(got, func(a, b ev) int {
		if a.chat != b.chat {
			return strings.Compare(a.chat, b.chat)
		}
		return int(a.id - b.id)
	})
	if want := []ev{{"@1", 3}, {"@1", 4}, {"@2", 3}, {"@2", 4}}; !slices.Equal(got, want) {
		t.Fatalf("passed on %v, want %v", got, want)
	}
}

// CatchUpLatest does not fetch a known chat whose latest item was passed
// on already, unless an item of it waits to be passed on again.
func TestCatchUpLatestSkipsQuietChats(t *testing.T) {
	ctx := context.Background()
	h := newHistory()
	fetched := map[string]int{}
	var mu sync.Mutex
	d := kit.NewDelivery(kit.FetchFunc(func(ctx context.Context, chat string, after int64, limit int) ([]kit.Item, error) {
		mu.Lock()
		fetched[chat]++
		mu.Unlock()
		return h.FetchAfter(ctx, chat, after, limit)
	}), kit.Config{Page: 3})
	s := &sink{}
	d.Begin(s.emit)
	for _, chat := range []string{"@1", "@2", "@3"} {
		if err := d.Live(ctx, h.add(chat, 1, false)); err != nil {
			t.Fatal(err)
		}
	}
	d.Handled("@1", 1, nil)
	d.Handled("@2", 1, nil)
	d.Handled("@3", 1, bot.ErrNotSent) // to be passed on again
	h.add("@2", 2, false)
	s.take()
	if err := d.CatchUpLatest(ctx, map[string]int64{"@1": 1, "@2": 2, "@3": 1}); err != nil {
		t.Fatal(err)
	}
	mu.Lock()
	defer mu.Unlock()
	if fetched["@1"] != 0 || fetched["@2"] == 0 || fetched["@3"] == 0 {
		t.Fatalf("fetches %v: want none of the quiet @1, some of @2 and @3", fetched)
	}
	got := s.take()
	slices.SortFunc(got, func(a, b ev) int { return strings.Compare(a.chat, b.chat) })
	if want := []ev{{"@2", 2}, {"@3", 1}}; !slices.Equal(got, want) {
		t.Fatalf("passed on %v, want %v", got, want)
	}
}

// Two catch-ups of one chat at once (a connection's and a late
// CatchUpBehind's) pass every item on once, none skipped.
func TestConcurrentCatchUpsLoseNothing(t *testing.T) {
	ctx := context.Background()
	h := newHistory()
	// Each fetch lets the other catch-up run, so their pages interleave.
	d := kit.NewDelivery(kit.FetchFunc(func(ctx context.Context, chat string, after int64, limit int) ([]kit.Item, error) {
		runtime.Gosched()
		return h.FetchAfter(ctx, chat, after, limit)
	}), kit.Config{Page: 3})
	s := &sink{}
	d.Begin(s.emit)
	if err := d.Live(ctx, h.add("@1", 1, false)); err != nil {
		t.Fatal(err)
	}
	const n = 300
	for id := int64(2); id <= n; id++ {
		h.add("@1", id, false)
	}
	var wg sync.WaitGroup
	for range 2 {
		wg.Go(func() {
			if err := d.CatchUpChat(ctx, "@1"); err != nil {
				t.Error(err)
			}
		})
	}
	wg.Wait()
	got := s.take()
	if len(got) != n {
		t.Fatalf("passed on %d items, want %d", len(got), n)
	}
	for i, e := range got {
		if e.id != int64(i+1) {
			t.Fatalf("item %d is %v: out of order or missing", i, e)
		}
	}
}

// With ConcurrentCatchUps, catch-ups of different chats run at once: one
// whose fetch waits on its server does not hold up another chat's.
func TestCatchUpsOfDifferentChatsRunAtOnce(t *testing.T) {
	ctx, cancel := context.WithCancel(context.Background())
	defer cancel()
	inA := make(chan struct{})
	var once sync.Once
	d := kit.NewDelivery(kit.FetchFunc(func(ctx context.Context, chat string, after int64, limit int) ([]kit.Item, error) {
		if chat == "@a" {
			once.Do(func() { close(inA) })
			<-ctx.Done() // a server that does not answer
			return nil, ctx.Err()
		}
		return nil, nil
	}), kit.Config{ConcurrentCatchUps: true})
	d.Begin((&sink{}).emit)
	aDone := make(chan error, 1)
	go func() { aDone <- d.CatchUpChat(ctx, "@a") }()
	<-inA
	bDone := make(chan error, 1)
	go func() { bDone <- d.CatchUpChat(ctx, "@b") }()
	select {
	case err := <-bDone:
		if err != nil {
			t.Fatal(err)
		}
	case <-time.After(5 * time.Second):
		t.Fatal("the catch-up of @b waited for the one of @a")
	}
	cancel()
	if err := <-aDone; !errors.Is(err, context.Canceled) {
		t.Fatalf("the catch-up of @a ended with %v", err)
	}
}

// A new chat written by one process and not yet flushed into the full map
// survives the next process writing another new chat and crashing too.
func TestNewChatsSurviveTwoCrashes(t *testing.T) {
	ctx := context.Background()
	st := store.NewMemory()
	h := newHistory()
	for i, chat := range []string{"a", "b"} {
		d := kit.NewDelivery(h, kit.Config{Store: st, Key: "cursors"})
		if err := d.Load(ctx); err != nil {
			t.Fatal(err)
		}
		d.Begin(func(bot.Event) error { return nil })
		if !d.Admit(ctx, chat, int64(10*(i+1))) {
			t.Fatalf("%s not admitted", chat)
		}
		// Crash: no flush.
	}
	d := kit.NewDelivery(h, kit.Config{Store: st, Key: "cursors"})
	if err := d.Load(ctx); err != nil {
		t.Fatal(err)
	}
	for chat, want := range map[string]int64{"a": 9, "b": 19} {
		if pos, ok := d.Position(chat); !ok || pos != want {
			t.Errorf("Position(%s) = %d, %v; want %d, true", chat, pos, ok, want)
		}
	}
}

// An answered item does not move the cursor past an item passed on before
// it whose handler has not finished: a crash then still fetches that item.
func TestAnsweredItemWaitsForTheItemsBeforeIt(t *testing.T) {
	ctx := context.Background()
	h := newHistory()
	st := store.NewMemory()
	d, s := newDelivery(h, st)
	if err := d.Load(ctx); err != nil {
		t.Fatal(err)
	}
	if err := d.Live(ctx, h.add("@1", 1, false)); err != nil {
		t.Fatal(err)
	}
	handleAll(d, s.take())
	for id := int64(2); id <= 4; id++ {
		h.add("@1", id, false)
	}
	h.chats["@1"][2].Answered = true // item 3: the bot's reply quotes it
	d.Begin(s.emit)                  // a new connection
	if err := d.CatchUp(ctx); err != nil {
		t.Fatal(err)
	}
	if got, want := s.take(), []ev{{"@1", 2}, {"@1", 4}}; !slices.Equal(got, want) {
		t.Fatalf("passed on %v, want %v", got, want)
	}
	// The process dies while item 2 is in its handler.
	if err := d.Flush(ctx); err != nil {
		t.Fatal(err)
	}
	d2, s2 := newDelivery(h, st)
	if err := d2.Load(ctx); err != nil {
		t.Fatal(err)
	}
	if err := d2.CatchUp(ctx); err != nil {
		t.Fatal(err)
	}
	if got, want := s2.take(), []ev{{"@1", 2}, {"@1", 4}}; !slices.Equal(got, want) {
		t.Fatalf("after the crash passed on %v, want %v: item 2 must not be skipped", got, want)
	}
	// Once item 2 is handled the cursor moves past the answered item 3.
	d2.Handled("@1", 2, nil)
	if err := d2.Flush(ctx); err != nil {
		t.Fatal(err)
	}
	d3, s3 := newDelivery(h, st)
	if err := d3.Load(ctx); err != nil {
		t.Fatal(err)
	}
	if err := d3.CatchUp(ctx); err != nil {
		t.Fatal(err)
	}
	if got, want := s3.take(), []ev{{"@1", 4}}; !slices.Equal(got, want) {
		t.Fatalf("after item 2 was handled passed on %v, want %v", got, want)
	}
}

// retried reports whether Retry has a signal waiting.
func retried(d *kit.Delivery) bool {
	select {
	case <-d.Retry():
		return true
	default:
		return false
	}
}

// While the connection stays up, an item whose handler failed to deliver
// a command is signalled on Retry and passed on again by CatchUpBehind,
// alone and at once, without waiting for a reconnect.
func TestRetrySignalsAnUndeliveredItemWhileConnected(t *testing.T) {
	ctx := context.Background()
	h := newHistory()
	d, s := newDelivery(h, store.NewMemory())
	for id := int64(1); id <= 3; id++ {
		if err := d.Live(ctx, h.add("@1", id, false)); err != nil {
			t.Fatal(err)
		}
	}
	s.take()
	d.Handled("@1", 1, nil)
	d.Handled("@1", 3, errors.New("refused by the server")) // handled: retrying cannot help
	if retried(d) {
		t.Fatal("Retry signalled without an undelivered command")
	}
	d.Handled("@1", 2, fmt.Errorf("call timed out: %w", bot.ErrOutcomeUnknown))
	if !retried(d) {
		t.Fatal("Retry did not signal an undelivered command")
	}
	if err := d.CatchUpBehind(ctx); err != nil {
		t.Fatal(err)
	}
	if got, want := s.take(), []ev{{"@1", 2}}; !slices.Equal(got, want) {
		t.Fatalf("CatchUpBehind passed on %v, want %v", got, want)
	}
	// Handled now: nothing waits, and the next live item goes on as usual.
	d.Handled("@1", 2, nil)
	if retried(d) || d.Behind() {
		t.Fatal("a handled item left a retry or a chat behind")
	}
	if err := d.Live(ctx, h.add("@1", 4, false)); err != nil {
		t.Fatal(err)
	}
	if got, want := s.take(), []ev{{"@1", 4}}; !slices.Equal(got, want) {
		t.Fatalf("then passed on %v, want %v", got, want)
	}
	// A stopped bot takes no more events: no signal.
	d.Stop()
	d.Handled("@1", 4, bot.ErrNotSent)
	if retried(d) {
		t.Fatal("Retry signalled after Stop")
	}
}

// A handler failing while a catch-up of its chat runs, after the catch-up
// fetched past its item, is not lost to the catch-up's ending the chat's
// being behind: the item is still passed on again before the next
// connection.
func TestFailureDuringACatchUpIsRetried(t *testing.T) {
	ctx := context.Background()
	h := newHistory()
	var d *kit.Delivery
	fetches := 0
	d = kit.NewDelivery(kit.FetchFunc(func(ctx context.Context, chat string, after int64, limit int) ([]kit.Item, error) {
		fetches++
		if fetches == 2 {
			// The first page went past item 2, still in its handler.
			d.Handled("@1", 2, bot.ErrNotSent)
		}
		return h.FetchAfter(ctx, chat, after, limit)
	}), kit.Config{Page: 3})
	s := &sink{}
	d.Begin(s.emit)
	for id := int64(1); id <= 2; id++ {
		if err := d.Live(ctx, h.add("@1", id, false)); err != nil {
			t.Fatal(err)
		}
	}
	d.Handled("@1", 1, nil)
	for id := int64(3); id <= 7; id++ {
		h.add("@1", id, false)
	}
	if err := d.CatchUp(ctx); err != nil {
		t.Fatal(err)
	}
	if got := s.take(); len(got) != 7 || got[len(got)-1] != (ev{"@1", 7}) {
		t.Fatalf("catch-up passed on %v, want 1 to 7", got)
	}
	if !retried(d) {
		t.Fatal("Retry did not signal the failure")
	}
	if err := d.CatchUpBehind(ctx); err != nil {
		t.Fatal(err)
	}
	if got, want := s.take(), []ev{{"@1", 2}}; !slices.Equal(got, want) {
		t.Fatalf("CatchUpBehind passed on %v, want %v", got, want)
	}
}

// An undelivered item the server no longer has is not fetched for again
// and again: CatchUpBehind ends.
func TestRetryOfAnItemGoneFromTheServerEnds(t *testing.T) {
	ctx := context.Background()
	h := newHistory()
	d, s := newDelivery(h, store.NewMemory())
	for id := int64(1); id <= 3; id++ {
		if err := d.Live(ctx, h.add("@1", id, false)); err != nil {
			t.Fatal(err)
		}
	}
	s.take()
	h.mu.Lock()
	h.chats["@1"] = slices.DeleteFunc(h.chats["@1"], func(it kit.Item) bool { return it.ID == 2 })
	h.mu.Unlock()
	d.Handled("@1", 1, nil)
	d.Handled("@1", 2, bot.ErrNotSent)
	d.Handled("@1", 3, nil)
	done := make(chan error, 1)
	go func() { done <- d.CatchUpBehind(ctx) }()
	select {
	case err := <-done:
		if err != nil {
			t.Fatal(err)
		}
	case <-time.After(10 * time.Second):
		t.Fatal("CatchUpBehind did not end")
	}
	if got := s.take(); len(got) != 0 {
		t.Fatalf("passed on %v, want nothing", got)
	}
}

// With PaceRetries, an item that fails again is not passed on again at
// once (a handler that fails at once would spin): Run signals its retry
// after a wait. Once the
// chat's items are handled, its next failure is retried at once again.
func TestRepeatedFailureIsRetriedAfterAWait(t *testing.T) {
	ctx, cancel := context.WithCancel(context.Background())
	defer cancel()
	h := newHistory()
	d := kit.NewDelivery(h, kit.Config{Page: 3, PaceRetries: true})
	s := &sink{}
	d.Begin(s.emit)
	if err := d.Live(ctx, h.add("@1", 1, false)); err != nil {
		t.Fatal(err)
	}
	s.take()
	d.Handled("@1", 1, bot.ErrNotSent)
	if !retried(d) {
		t.Fatal("the first failure was not signalled")
	}
	if err := d.CatchUpBehind(ctx); err != nil {
		t.Fatal(err)
	}
	if got, want := s.take(), []ev{{"@1", 1}}; !slices.Equal(got, want) {
		t.Fatalf("passed on %v, want %v", got, want)
	}
	// It fails again: without Run, nothing signals it, and the chat is not
	// behind, so another chat's retry does not take it either.
	d.Handled("@1", 1, bot.ErrNotSent)
	if retried(d) || d.Behind() {
		t.Fatal("a second failure was retried at once")
	}
	var wg sync.WaitGroup
	defer wg.Wait()
	defer cancel()
	wg.Go(func() { d.Run(ctx) })
	select {
	case <-d.Retry():
	case <-time.After(10 * time.Second):
		t.Fatal("Run never signalled the retry")
	}
	if err := d.CatchUpBehind(ctx); err != nil {
		t.Fatal(err)
	}
	if got, want := s.take(), []ev{{"@1", 1}}; !slices.Equal(got, want) {
		t.Fatalf("the retry passed on %v, want %v", got, want)
	}
	d.Handled("@1", 1, nil)
	if err := d.Live(ctx, h.add("@1", 2, false)); err != nil {
		t.Fatal(err)
	}
	s.take()
	d.Handled("@1", 2, bot.ErrNotSent)
	if !retried(d) {
		t.Fatal("a failure after the chat's items were handled was not signalled at once")
	}
}

// Without PaceRetries every failure marks its chat behind at once, for a
// platform that runs CatchUpBehind itself after each failure.
func TestUnpacedFailureIsBehindAtOnce(t *testing.T) {
	ctx := context.Background()
	h := newHistory()
	d, s := newDelivery(h, store.NewMemory())
	if err := d.Live(ctx, h.add("@1", 1, false)); err != nil {
		t.Fatal(err)
	}
	for range 3 {
		s.take()
		d.Handled("@1", 1, bot.ErrNotSent)
		if !d.Behind() || !retried(d) {
			t.Fatal("a failure did not mark its chat behind and signal at once")
		}
		if err := d.CatchUpBehind(ctx); err != nil {
			t.Fatal(err)
		}
		if got, want := s.take(), []ev{{"@1", 1}}; !slices.Equal(got, want) {
			t.Fatalf("passed on %v, want %v", got, want)
		}
	}
}
