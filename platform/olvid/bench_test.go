package olvid_test

import (
	"context"
	"fmt"
	"sync"
	"testing"
	"time"

	"google.golang.org/grpc"
	"google.golang.org/grpc/credentials/insecure"
	"google.golang.org/grpc/metadata"

	"github.com/parleybot/parley/bot"
	"github.com/parleybot/parley/platform/olvid"
	pb "github.com/parleybot/parley/platform/olvid/olvidpb"
	"github.com/parleybot/parley/platform/olvid/olvidsim"
	"github.com/parleybot/parley/router"
	"github.com/parleybot/parley/store"
)

// benchBot runs a bot with handler h on sim, with the default streams.
func benchBot(b *testing.B, sim *olvidsim.Sim, h func(c *bot.Context, m bot.Message) error) {
	b.Helper()
	p := newPlatform(b, sim, store.NewMemory())
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
	waitFor(b, "the streams", p.Ready)
}

// rawClient is the baseline: a bare gRPC client of the generated code,
// with the key, one MessageReceived stream and nothing else.
type rawClient struct {
	conn   *grpc.ClientConn
	ctx    context.Context
	cancel context.CancelFunc
}

func newRaw(b *testing.B, sim *olvidsim.Sim) *rawClient {
	b.Helper()
	conn, err := grpc.NewClient(sim.Addr(), grpc.WithTransportCredentials(insecure.NewCredentials()))
	if err != nil {
		b.Fatal(err)
	}
	ctx, cancel := context.WithCancel(metadata.AppendToOutgoingContext(context.Background(), "daemon-client-key", sim.ClientKey()))
	b.Cleanup(func() {
		cancel()
		_ = conn.Close()
	})
	return &rawClient{conn: conn, ctx: ctx, cancel: cancel}
}

func (r *rawClient) received(b *testing.B) grpc.ServerStreamingClient[pb.MessageReceivedNotification] {
	b.Helper()
	st, err := pb.NewMessageNotificationServiceClient(r.conn).MessageReceived(r.ctx, &pb.SubscribeToMessageReceivedNotification{})
	if err != nil {
		b.Fatal(err)
	}
	if _, err := st.Header(); err != nil {
		b.Fatal(err)
	}
	return st
}

// BenchmarkNotificationToHandler measures one message from the daemon's
// notification to the handler; "raw" is a bare generated client reading
// the same stream.
func BenchmarkNotificationToHandler(b *testing.B) {
	b.Run("parley", func(b *testing.B) {
		sim := newSim(b)
		got := make(chan struct{}, 1)
		benchBot(b, sim, func(*bot.Context, bot.Message) error {
			got <- struct{}{}
			return nil
		})
		c := sim.AddContact("alice")
		b.ResetTimer()
		for range b.N {
			if _, err := sim.ContactSend(c.DiscussionID, "ping"); err != nil {
				b.Fatal(err)
			}
			<-got
		}
	})
	b.Run("raw", func(b *testing.B) {
		sim := newSim(b)
		st := newRaw(b, sim).received(b)
		c := sim.AddContact("alice")
		b.ResetTimer()
		for range b.N {
			if _, err := sim.ContactSend(c.DiscussionID, "ping"); err != nil {
				b.Fatal(err)
			}
			if _, err := st.Recv(); err != nil {
				b.Fatal(err)
			}
		}
	})
}

// BenchmarkEchoThroughput measures echoes (notification, handler,
// MessageSend quoting the message) over 8 discussions; "raw" is a bare
// generated client answering from 8 goroutines.
func BenchmarkEchoThroughput(b *testing.B) {
	run := func(b *testing.B, sim *olvidsim.Sim) {
		discs := make([]uint64, 8)
		for i := range discs {
			discs[i] = sim.AddContact(fmt.Sprint("user", i)).DiscussionID
		}
		b.ResetTimer()
		for i := range b.N {
			if _, err := sim.ContactSend(discs[i%len(discs)], "echo me"); err != nil {
				b.Fatal(err)
			}
		}
		deadline := time.Now().Add(time.Minute)
		for sim.BotSentCount() < b.N {
			if time.Now().After(deadline) {
				b.Fatalf("%d of %d echoes", sim.BotSentCount(), b.N)
			}
			time.Sleep(100 * time.Microsecond)
		}
		b.StopTimer()
		b.ReportMetric(float64(b.N)/b.Elapsed().Seconds(), "msgs/s")
	}
	b.Run("parley", func(b *testing.B) {
		sim := newSim(b)
		benchBot(b, sim, func(c *bot.Context, m bot.Message) error { return c.Reply(m.Text) })
		run(b, sim)
	})
	b.Run("raw", func(b *testing.B) {
		sim := newSim(b)
		rc := newRaw(b, sim)
		st := rc.received(b)
		msgs := pb.NewMessageCommandServiceClient(rc.conn)
		q := make(chan *pb.Message, 1024)
		var wg sync.WaitGroup
		for range 8 {
			wg.Go(func() {
				for m := range q {
					if _, err := msgs.MessageSend(rc.ctx, &pb.MessageSendRequest{DiscussionId: m.DiscussionId, Body: m.Body, ReplyId: m.Id}); err != nil {
						return
					}
				}
			})
		}
		wg.Go(func() {
			defer close(q)
			for {
				n, err := st.Recv()
				if err != nil {
					return
				}
				q <- n.Message
			}
		})
		b.Cleanup(func() {
			rc.cancel() // ends the stream, then the senders
			wg.Wait()
		})
		run(b, sim)
	})
}

// BenchmarkDecode is one MessageReceived notification from bytes to an
// event with its normalized message.
func BenchmarkDecode(b *testing.B) {
	raw, _ := protoMarshal(&pb.MessageReceivedNotification{Message: inboundMsg(42, 7, 3, "hello, bot")})
	b.ReportAllocs()
	for range b.N {
		if _, ok := olvid.DecodeBytes(olvid.NotifyMessageReceived, raw).(*olvid.MessageReceived); !ok {
			b.Fatal("not decoded")
		}
	}
}
