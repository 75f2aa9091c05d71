package middleware_test

import (
	"context"
	"io"
	"strconv"
	"testing"

	"github.com/parleybot/parley/bot"
	"github.com/parleybot/parley/middleware"
	"github.com/parleybot/parley/parleytest"
	"github.com/parleybot/parley/store"
	"go.uber.org/zap"
	"go.uber.org/zap/zapcore"
)

// jsonDiscard is an info-level JSON logger writing to nowhere, so the
// benchmarks measure encoding but not I/O.
func jsonDiscard() *zap.Logger {
	enc := zapcore.NewJSONEncoder(zap.NewProductionEncoderConfig())
	return zap.New(zapcore.NewCore(enc, zapcore.AddSync(io.Discard), zapcore.InfoLevel))
}

// benchEvent is a message event whose keys are computed up front, as
// platform events compute them at decode time, so the figures count only
// what the chain allocates (and bot.NewContext's Context).
type benchEvent struct {
	chat, key string
	msgs      []bot.Message
}

func (e *benchEvent) Type() string            { return "newChatItems" }
func (e *benchEvent) ChatKey() string         { return e.chat }
func (e *benchEvent) DedupeKey() string       { return e.key }
func (e *benchEvent) Messages() []bot.Message { return e.msgs }

// distinctEvents builds n message events with distinct dedupe keys before
// the timer starts.
func distinctEvents(n int) []bot.Event {
	events := make([]bot.Event, n)
	for i := range events {
		chat, id := "@"+strconv.Itoa(i%64), strconv.Itoa(i)
		events[i] = &benchEvent{
			chat: "test:1:" + chat,
			key:  "test:1:" + chat + ":" + id,
			msgs: []bot.Message{{ID: id, Chat: bot.Chat{ID: chat, Kind: bot.Direct}, Sender: bot.Sender{ID: chat}, Text: "hello there"}},
		}
	}
	return events
}

func runChain(b *testing.B, h bot.Handler, events []bot.Event) {
	p := parleytest.NewPlatformNamed("test")
	ctx := context.Background()
	logger := zap.NewNop() // shared, as the bot's own logger is
	b.ReportAllocs()
	b.ResetTimer()
	for i := 0; i < b.N; i++ {
		if err := h.Handle(bot.NewContext(ctx, events[i%len(events)], p, logger)); err != nil {
			b.Fatal(err)
		}
	}
}

var nop = bot.HandlerFunc(func(*bot.Context) error { return nil })

// BenchmarkDefaultChain is Recover → Logger → Dedupe → handler over new
// events. Of its allocations one is bot.NewContext's Context (see
// BenchmarkBaseline).
func BenchmarkDefaultChain(b *testing.B) {
	h := bot.Chain(nop,
		middleware.Recover(),
		middleware.Logger(jsonDiscard()),
		middleware.Dedupe(store.NewMemory()),
	)
	runChain(b, h, distinctEvents(b.N))
}

// BenchmarkDefaultChainDuplicates is the same chain over one redelivered
// event: the cost of a dedupe hit.
func BenchmarkDefaultChainDuplicates(b *testing.B) {
	h := bot.Chain(nop,
		middleware.Recover(),
		middleware.Logger(jsonDiscard()),
		middleware.Dedupe(store.NewMemory()),
	)
	runChain(b, h, distinctEvents(1))
}

func BenchmarkRecover(b *testing.B) {
	runChain(b, middleware.Recover()(nop), distinctEvents(1))
}

func BenchmarkLogger(b *testing.B) {
	runChain(b, middleware.Logger(jsonDiscard())(nop), distinctEvents(1))
}

func BenchmarkLoggerDisabled(b *testing.B) {
	runChain(b, middleware.Logger(zap.NewNop())(nop), distinctEvents(1))
}

func BenchmarkDedupe(b *testing.B) {
	runChain(b, middleware.Dedupe(store.NewMemory())(nop), distinctEvents(b.N))
}

func BenchmarkTimeout(b *testing.B) {
	runChain(b, middleware.Timeout(1e9)(nop), distinctEvents(1))
}

func BenchmarkRateLimit(b *testing.B) {
	// A rate high enough that every event passes: the cost of the check.
	runChain(b, middleware.RateLimit(1e12, 1<<30)(nop), distinctEvents(1024))
}

func BenchmarkAutoAcceptNonRequest(b *testing.B) {
	runChain(b, middleware.AutoAccept(middleware.AcceptPolicy{Contacts: middleware.AcceptAll})(nop), distinctEvents(1))
}

// BenchmarkBaseline is the harness alone, to subtract from the others.
func BenchmarkBaseline(b *testing.B) {
	runChain(b, nop, distinctEvents(1))
}
