package bot_test

import (
	"context"
	"fmt"
	"io"
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

// benchPlatform emits its events as fast as the bot takes them, then ends.
type benchPlatform struct{ events []bot.Event }

func (p *benchPlatform) Name() string { return "bench" }
func (p *benchPlatform) Listen(ctx context.Context, emit func(bot.Event) error) error {
	for _, e := range p.events {
		if err := emit(e); err != nil {
			return err
		}
	}
	return nil
}
func (p *benchPlatform) Send(context.Context, string, bot.Outgoing) ([]string, error) {
	return nil, nil
}

func defaultChain(b *testing.B) (bot.Handler, []bot.Middleware, store.Store) {
	enc := zapcore.NewJSONEncoder(zap.NewProductionEncoderConfig())
	logger := zap.New(zapcore.NewCore(enc, zapcore.AddSync(io.Discard), zapcore.InfoLevel))
	st := store.NewMemory(store.WithMaxEntries(1 << 16))
	r := router.New()
	for i := 0; i < 49; i++ {
		r.OnCommand(fmt.Sprint("cmd", i), func(*bot.Context, router.Command) error { return nil })
	}
	r.OnMessage(func(c *bot.Context, m bot.Message) error { return nil })
	mws := []bot.Middleware{middleware.Recover(), middleware.Logger(logger), middleware.Dedupe(st)}
	return r, mws, st
}

// benchmarkDispatch runs b.N events over chats through Recover, Logger
// (JSON to a discard sink), Dedupe (memory store) and a 50-route router,
// through the scheduler with its default settings.
func benchmarkDispatch(b *testing.B, chats int) {
	h, mws, st := defaultChain(b)
	defer st.Close()
	events := make([]bot.Event, b.N)
	for i := range events {
		chat := "@" + strconv.Itoa(i%chats)
		id := strconv.Itoa(i)
		events[i] = &benchEvent{
			chat:   "bench:" + chat,
			dedupe: "bench:" + chat + ":" + id,
			msgs:   []bot.Message{{ID: id, Chat: bot.Chat{ID: chat, Kind: bot.Direct}, Text: "hello there"}},
		}
	}
	p := &benchPlatform{events: events}
	bt := bot.New(p, h)
	bt.Use(mws...)
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

func BenchmarkDispatch1Chat(b *testing.B)      { benchmarkDispatch(b, 1) }
func BenchmarkDispatch10000Chats(b *testing.B) { benchmarkDispatch(b, 10000) }
