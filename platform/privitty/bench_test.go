package privitty_test

import (
	"context"
	"encoding/json"
	"fmt"
	"testing"
	"time"

	"github.com/parleybot/parley/bot"
	"github.com/parleybot/parley/platform/privitty"
	"github.com/parleybot/parley/platform/privitty/privittysim"
	"github.com/parleybot/parley/router"
	"github.com/parleybot/parley/store"
)

// benchBot runs a bot with handler h on a fresh simulator.
func benchBot(b *testing.B, h func(c *bot.Context, m bot.Message) error) *privittysim.Sim {
	b.Helper()
	sim := newSim(b)
	st := store.NewMemory()
	p := privitty.New(sim.URL(), privitty.WithStore(st), privitty.WithBackoff(5*time.Millisecond, 50*time.Millisecond))
	r := router.New()
	r.OnMessage(h)
	bt := bot.New(p, r)
	ctx, cancel := context.WithCancel(context.Background())
	done := make(chan error, 1)
	go func() { done <- bt.Run(ctx) }()
	b.Cleanup(func() {
		cancel()
		<-done
	})
	deadline := time.Now().Add(waitLimit)
	for !p.Ready() {
		if time.Now().After(deadline) {
			b.Fatal("platform never ready")
		}
		time.Sleep(time.Millisecond)
	}
	return sim
}

// BenchmarkEventToHandler measures one message from the daemon's SSE
// event to the handler: stream, get_message, chat lookup, scheduling.
func BenchmarkEventToHandler(b *testing.B) {
	got := make(chan struct{}, 1)
	sim := benchBot(b, func(*bot.Context, bot.Message) error {
		got <- struct{}{}
		return nil
	})
	alice, _ := sim.ConnectContact("alice", false)
	b.ResetTimer()
	for i := 0; i < b.N; i++ {
		if _, err := sim.ContactSend(alice.ChatID, "ping"); err != nil {
			b.Fatal(err)
		}
		select {
		case <-got:
		case <-time.After(waitLimit):
			b.Fatal("handler not called")
		}
	}
}

// BenchmarkEchoThroughput measures echoes (event, fetch, handler,
// send_msg) per second over 8 chats.
func BenchmarkEchoThroughput(b *testing.B) {
	sim := benchBot(b, func(c *bot.Context, m bot.Message) error { return c.Reply(m.Text) })
	chats := make([]int64, 8)
	for i := range chats {
		c, _ := sim.ConnectContact(fmt.Sprint("user", i), false)
		chats[i] = c.ChatID
	}
	b.ResetTimer()
	for i := 0; i < b.N; i++ {
		if _, err := sim.ContactSend(chats[i%len(chats)], "echo me"); err != nil {
			b.Fatal(err)
		}
	}
	if _, err := sim.WaitBotSent(b.N, time.Minute); err != nil {
		b.Fatal(err)
	}
	b.StopTimer()
	b.ReportMetric(float64(b.N)/b.Elapsed().Seconds(), "msgs/s")
}

// BenchmarkCall is one JSON-RPC round trip over loopback HTTP.
func BenchmarkCall(b *testing.B) {
	sim := newSim(b)
	c := privitty.NewClient(sim.URL())
	ctx := context.Background()
	b.ResetTimer()
	for i := 0; i < b.N; i++ {
		if _, err := c.GetConnectivity(ctx); err != nil {
			b.Fatal(err)
		}
	}
}

func BenchmarkDecodeEvent(b *testing.B) {
	data := []byte(`{"type":"IncomingMsg","account_id":1,"chat_id":7,"msg_id":42}`)
	b.ReportAllocs()
	for i := 0; i < b.N; i++ {
		if _, err := privitty.DecodeEvent(data); err != nil {
			b.Fatal(err)
		}
	}
}

func BenchmarkDecodeMessage(b *testing.B) {
	for name, data := range map[string]string{"camel": camelMessage, "snake": snakeMessage} {
		b.Run(name, func(b *testing.B) {
			b.ReportAllocs()
			b.SetBytes(int64(len(data)))
			for i := 0; i < b.N; i++ {
				var m privitty.Message
				if err := json.Unmarshal([]byte(data), &m); err != nil {
					b.Fatal(err)
				}
			}
		})
	}
}
