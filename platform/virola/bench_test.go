package virola_test

import (
	"bytes"
	"context"
	"encoding/json"
	"fmt"
	"io"
	"net/http"
	"strings"
	"sync/atomic"
	"testing"
	"time"

	"github.com/coder/websocket"

	"github.com/parleybot/parley/bot"
	"github.com/parleybot/parley/platform/virola"
	"github.com/parleybot/parley/router"
	"github.com/parleybot/parley/store"
)

// benchWorld is a simulator with the bot and one contact in a private
// room.
func benchWorld(b *testing.B) (*simWorld, int64, int64) {
	w := newSimWorld(b, false)
	u := w.sim.AddUser("alice", "Alice", "pw")
	r, err := w.sim.NewPrivateRoom(u.UserID, w.bot.UserID)
	if err != nil {
		b.Fatal(err)
	}
	return w, r.RoomID, u.UserID
}

// rawEvents opens the events socket with a bare WebSocket client: the
// baseline the platform's overhead is measured against.
func rawEvents(b *testing.B, w *simWorld) *websocket.Conn {
	h := http.Header{"Authorization": {"Bearer " + w.sim.Token(w.bot.UserID)}}
	conn, _, err := websocket.Dial(context.Background(), strings.Replace(w.sim.URL(), "http", "ws", 1)+"/api/v1/events",
		&websocket.DialOptions{HTTPHeader: h})
	if err != nil {
		b.Fatal(err)
	}
	conn.SetReadLimit(virola.DefaultMaxFrame)
	b.Cleanup(func() { conn.CloseNow() })
	return conn
}

// BenchmarkEventToHandler: from a contact's post to the bot's handler, one
// message at a time. raw reads the frame with a bare client and decodes
// it; platform goes through the platform, the kit and the bot.
func BenchmarkEventToHandler(b *testing.B) {
	b.Run("raw", func(b *testing.B) {
		w, room, alice := benchWorld(b)
		conn := rawEvents(b, w)
		ctx := context.Background()
		b.ResetTimer()
		for i := 0; i < b.N; i++ {
			if _, err := w.sim.Post(alice, room, "ping"); err != nil {
				b.Fatal(err)
			}
			_, data, err := conn.Read(ctx)
			if err != nil {
				b.Fatal(err)
			}
			if _, err := virola.DecodeEvent(data); err != nil {
				b.Fatal(err)
			}
		}
	})
	b.Run("platform", func(b *testing.B) {
		w, room, alice := benchWorld(b)
		got := make(chan struct{}, 1)
		r := router.New()
		r.OnMessage(func(c *bot.Context, m bot.Message) error { got <- struct{}{}; return nil })
		p := w.NewPlatform(nil, store.NewMemory())
		stop := runPlain(b, p, r)
		defer stop()
		waitReady(b, p.(*virola.Platform))
		b.ResetTimer()
		for i := 0; i < b.N; i++ {
			if _, err := w.sim.Post(alice, room, "ping"); err != nil {
				b.Fatal(err)
			}
			<-got
		}
	})
}

// BenchmarkEcho: a contact posts b.N messages at once and the bot answers
// each (Send waits for its own message's id). raw answers with a bare
// client: read the frame, POST the reply.
func BenchmarkEcho(b *testing.B) {
	b.Run("raw", func(b *testing.B) {
		w, room, alice := benchWorld(b)
		conn := rawEvents(b, w)
		// A lost frame fails the run instead of hanging it.
		ctx, cancel := context.WithTimeout(context.Background(), time.Minute)
		defer cancel()
		hc := &http.Client{}
		tok := w.sim.Token(w.bot.UserID)
		b.ResetTimer()
		go func() {
			for i := 0; i < b.N; i++ {
				w.sim.Post(alice, room, fmt.Sprint("m", i))
			}
		}()
		for answered := 0; answered < b.N; {
			_, data, err := conn.Read(ctx)
			if err != nil {
				b.Fatal(err)
			}
			e, err := virola.DecodeEvent(data)
			if err != nil {
				b.Fatal(err)
			}
			c, ok := e.(*virola.TextMessagesCreated)
			if !ok || c.TextMessages[0].UserID == w.bot.UserID {
				continue
			}
			body, _ := json.Marshal(map[string]string{"content": c.TextMessages[0].Text})
			req, _ := http.NewRequest(http.MethodPost, fmt.Sprintf("%s/api/v1/rooms/%d/messages", w.sim.URL(), room), bytes.NewReader(body))
			req.Header.Set("Authorization", "Bearer "+tok)
			resp, err := hc.Do(req)
			if err != nil {
				b.Fatal(err)
			}
			_, _ = io.Copy(io.Discard, resp.Body) // so the connection is reused
			resp.Body.Close()
			answered++
		}
	})
	b.Run("platform", func(b *testing.B) {
		w, room, alice := benchWorld(b)
		var answered atomic.Int64
		done := make(chan struct{})
		n := int64(b.N)
		r := router.New()
		r.OnMessage(func(c *bot.Context, m bot.Message) error {
			_, err := c.Send(m.Chat.ID, bot.Outgoing{Text: m.Text})
			if answered.Add(1) == n {
				close(done)
			}
			return err
		})
		p := w.NewPlatform(nil, store.NewMemory())
		stop := runPlain(b, p, r)
		defer stop()
		waitReady(b, p.(*virola.Platform))
		b.ResetTimer()
		for i := 0; i < b.N; i++ {
			w.sim.Post(alice, room, fmt.Sprint("m", i))
		}
		<-done
	})
}

func runPlain(b *testing.B, p bot.Platform, r *router.Router) func() {
	bb := bot.New(p, r)
	ctx, cancel := context.WithCancel(context.Background())
	done := make(chan struct{})
	go func() { bb.Run(ctx); close(done) }()
	return func() { cancel(); <-done }
}

func waitReady(b *testing.B, p *virola.Platform) {
	deadline := time.Now().Add(10 * time.Second)
	for !p.Ready() {
		if time.Now().After(deadline) {
			b.Fatal("platform not ready")
		}
		time.Sleep(time.Millisecond)
	}
}
