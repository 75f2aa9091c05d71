package bot_test

import (
	"context"
	"fmt"
	"io"
	"runtime"
	"strconv"
	"testing"

	"go.uber.org/zap"
	"go.uber.org/zap/zapcore"

	"github.com/parleybot/parley/bot"
	"github.com/parleybot/parley/middleware"
	"github.com/parleybot/parley/router"
	"github.com/parleybot/parley/store"
)

// benchEvent is a message event whose keys are computed up front, as a
// platform decoder would, so the benchmark measures dispatch only.
type benchEvent struct {
	chat, dedupe string
	msgs         []bot.Message
}

func (e *benchEvent) Type() string            { return "message" }
func (e *benchEvent) ChatKey() string         { return e.chat }
func (e *benchEvent) DedupeKey() string       { return e.dedupe }
func (e *benchEvent) Messages() []bot.Message { return e.msgs }

// benchPlatform emits n events as fast as the bot takes them, then ends.
// It cycles through a ring of events, so that the benchmark's own heap
// stays small (a heap of b.N events made every GC cycle during the run
// mark hundreds of megabytes); the ring is twice the dedupe store's bound,
// so an event's mark has been evicted by the time it comes round again and
// every event is new to Dedupe.
type benchPlatform struct {
	ring []bot.Event
	n    int
}

func (p *benchPlatform) Name() string { return "bench" }
func (p *benchPlatform) Listen(ctx context.Context, emit func(bot.Event) error) error {
	for i := 0; i < p.n; i++ {
		if err := emit(p.ring[i%len(p.ring)]); err != nil {
			return err
		}
	}
	return nil
}
func (p *benchPlatform) Send(context.Context, string, bot.Outgoing) ([]string, error) {
	return nil, nil
}

const (
	benchStoreBound = 1 << 16
	benchRing       = 2 * benchStoreBound
)

func benchRingEvents(chats int) []bot.Event {
	events := make([]bot.Event, benchRing)
	for i := range events {
		chat := "@" + strconv.Itoa(i%chats)
		id := strconv.Itoa(i)
		events[i] = &benchEvent{
			chat:   "bench:" + chat,
			dedupe: "bench:" + chat + ":" + id,
			msgs:   []bot.Message{{ID: id, Chat: bot.Chat{ID: chat, Kind: bot.Direct}, Text: "hello there"}},
		}
	}
	return events
}

// Layers of the default chain, to see what each costs.
const (
	layerRouter = iota // the 50-route router alone
	layerRecover
	layerLogger
	layerDedupe // the whole default chain
)

func chainUpTo(layer int) (bot.Handler, []bot.Middleware, store.Store) {
	enc := zapcore.NewJSONEncoder(zap.NewProductionEncoderConfig())
	logger := zap.New(zapcore.NewCore(enc, zapcore.AddSync(io.Discard), zapcore.InfoLevel))
	st := store.NewMemory(store.WithMaxEntries(benchStoreBound))
	r := router.New()
	for i := 0; i < 49; i++ {
		r.OnCommand(fmt.Sprint("cmd", i), func(*bot.Context, router.Command) error { return nil })
	}
	r.OnMessage(func(c *bot.Context, m bot.Message) error { return nil })
	mws := []bot.Middleware{middleware.Recover(), middleware.Logger(logger), middleware.Dedupe(st)}
	return r, mws[:layer], st
}

// benchmarkDispatch runs b.N events over chats through the chain up to
// layer (Recover, Logger at info writing JSON to a discard sink, Dedupe on
// the memory store, a 50-route router) and the scheduler with its
// defaults.
func benchmarkDispatch(b *testing.B, chats, layer int) {
	h, mws, st := chainUpTo(layer)
	defer st.Close()
	p := &benchPlatform{ring: benchRingEvents(chats), n: b.N}
	bt := bot.New(p, h)
	bt.Use(mws...)
	runtime.GC()
	b.ReportAllocs()
	b.ResetTimer()
	if err := bt.Run(context.Background()); err != nil {
		b.Fatal(err)
	}
	b.StopTimer()
	if s := bt.Stats(); s.Handled != int64(b.N) {
		b.Fatalf("handled %d of %d", s.Handled, b.N)
	}
	b.ReportMetric(float64(b.N)/b.Elapsed().Seconds(), "events/s")
}

func BenchmarkDispatch1Chat(b *testing.B)      { benchmarkDispatch(b, 1, layerDedupe) }
func BenchmarkDispatch10000Chats(b *testing.B) { benchmarkDispatch(b, 10000, layerDedupe) }

// BenchmarkDispatchLayers adds the default chain's middleware one by one
// over one chat, so the difference between two lines is what a layer
// costs per event.
func BenchmarkDispatchLayers(b *testing.B) {
	for _, l := range []struct {
		name  string
		layer int
	}{{"router", layerRouter}, {"+recover", layerRecover}, {"+logger", layerLogger}, {"+dedupe", layerDedupe}} {
		b.Run(l.name, func(b *testing.B) { benchmarkDispatch(b, 1, l.layer) })
	}
}
