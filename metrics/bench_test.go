package metrics_test

import (
	"context"
	"fmt"
	"testing"

	"github.com/parleybot/parley/bot"
	"github.com/parleybot/parley/parleytest"
)

func BenchmarkMiddleware(b *testing.B) {
	m, _ := newMetrics(b)
	h := bot.Chain(bot.HandlerFunc(func(*bot.Context) error { return nil }), m.Middleware("b"))
	c := bot.NewContext(context.Background(), parleytest.NewMessage("1", "@1", "hi"), parleytest.NewPlatform(), nil)
	b.ReportAllocs()
	for b.Loop() {
		_ = h.Handle(c)
	}
}

// BenchmarkMiddlewareParallel runs the middleware from every core over a
// mix of event types, as a busy bot's workers do.
func BenchmarkMiddlewareParallel(b *testing.B) {
	m, _ := newMetrics(b)
	h := bot.Chain(bot.HandlerFunc(func(*bot.Context) error { return nil }), m.Middleware("b"))
	p := parleytest.NewPlatform()
	var ctxs []*bot.Context
	for i := range 16 {
		ctxs = append(ctxs, bot.NewContext(context.Background(), &parleytest.PlainEvent{Name: fmt.Sprint("type", i)}, p, nil))
	}
	b.ReportAllocs()
	b.RunParallel(func(pb *testing.PB) {
		i := 0
		for pb.Next() {
			_ = h.Handle(ctxs[i%len(ctxs)])
			i++
		}
	})
}

func BenchmarkCommandObserver(b *testing.B) {
	m, _ := newMetrics(b)
	observe := m.CommandObserver("b", "simplex")
	b.ReportAllocs()
	for b.Loop() {
		observe("apiSendMessages", "ok", 0)
	}
}
