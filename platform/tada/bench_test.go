package tada_test

import (
	"context"
	"encoding/json"
	"fmt"
	"net/http"
	"strings"
	"testing"
	"time"

	"github.com/coder/websocket"

	"github.com/parleybot/parley/bot"
	"github.com/parleybot/parley/platform/tada"
	"github.com/parleybot/parley/platform/tada/tadasim"
	"github.com/parleybot/parley/router"
	"github.com/parleybot/parley/store"
)

// rawBot is the baseline: a bare WebSocket client that reads frames,
// picks out new messages with a minimal decode, confirms them, and can
// reply over REST. It is what the platform does minus its guarantees.
type rawBot struct {
	ws   *websocket.Conn
	sim  *tadasim.Server
	hc   *http.Client
	me   string
	seen int
}

func dialRaw(b *testing.B, sim *tadasim.Server) *rawBot {
	h := http.Header{}
	h.Set("token", sim.Bot().Token)
	url := strings.Replace(sim.URL(), "http", "ws", 1) + "/messaging/" + sim.Team()
	ws, _, err := websocket.Dial(context.Background(), url, &websocket.DialOptions{HTTPHeader: h})
	if err != nil {
		b.Fatal(err)
	}
	ws.SetReadLimit(16 << 20)
	b.Cleanup(func() { _ = ws.CloseNow() })
	return &rawBot{ws: ws, sim: sim, hc: &http.Client{}, me: sim.Bot().JID}
}

type rawFrame struct {
	Event     string `json:"event"`
	ConfirmID string `json:"confirm_id"`
	Params    struct {
		Delayed  bool `json:"delayed"`
		Messages []struct {
			From      string `json:"from"`
			Chat      string `json:"chat"`
			MessageID string `json:"message_id"`
			Content   struct {
				Text string `json:"text"`
			} `json:"content"`
		} `json:"messages"`
	} `json:"params"`
}

// next returns the next new message from someone else.
func (r *rawBot) next(ctx context.Context) (chat, id, text string, err error) {
	for {
		_, data, err := r.ws.Read(ctx)
		if err != nil {
			return "", "", "", err
		}
		var f rawFrame
		if json.Unmarshal(data, &f) != nil {
			continue
		}
		if f.ConfirmID != "" {
			c, _ := json.Marshal(map[string]any{"event": "client.confirm", "params": map[string]string{"confirm_id": f.ConfirmID}})
			if err := r.ws.Write(ctx, websocket.MessageText, c); err != nil {
				return "", "", "", err
			}
		}
		if f.Event != "server.message.updated" || f.Params.Delayed {
			continue
		}
		for _, m := range f.Params.Messages {
			if m.From != r.me {
				return m.Chat, m.MessageID, m.Content.Text, nil
			}
		}
	}
}

func (r *rawBot) reply(ctx context.Context, chat, id, text string) error {
	body, _ := json.Marshal(map[string]any{"type": "plain", "text": text, "message_id": tada.NewMessageID(), "reply_to": id})
	req, _ := http.NewRequestWithContext(ctx, http.MethodPost, r.sim.URL()+"/api/v4/teams/"+r.sim.Team()+"/chats/"+chat+"/messages", strings.NewReader(string(body)))
	req.Header.Set("token", r.sim.Bot().Token)
	req.Header.Set("Content-Type", "application/json")
	resp, err := r.hc.Do(req)
	if err != nil {
		return err
	}
	resp.Body.Close()
	if resp.StatusCode != http.StatusOK {
		return fmt.Errorf("status %d", resp.StatusCode)
	}
	return nil
}

// BenchmarkEventToHandler measures one message from the server's upsert
// to the code that handles it: the raw client's read loop, or the emit
// the platform hands a NewMessage to (after classification, the kit's
// cursor and the confirm).
func BenchmarkEventToHandler(b *testing.B) {
	b.Run("raw", func(b *testing.B) {
		sim := newSim(b)
		alice := sim.AddContact("alice")
		r := dialRaw(b, sim)
		ctx := context.Background()
		b.ResetTimer()
		for i := 0; i < b.N; i++ {
			if _, err := sim.Send(alice.JID, sim.Bot().JID, "ping"); err != nil {
				b.Fatal(err)
			}
			if _, _, _, err := r.next(ctx); err != nil {
				b.Fatal(err)
			}
		}
	})
	b.Run("platform", func(b *testing.B) {
		sim := newSim(b)
		alice := sim.AddContact("alice")
		p := newPlatform(b, sim, testOptions(store.NewMemory())...)
		got := make(chan struct{}, 1)
		ctx, cancel := context.WithCancel(context.Background())
		done := make(chan error, 1)
		go func() {
			done <- p.Listen(ctx, func(e bot.Event) error {
				if _, ok := e.(*tada.NewMessage); ok {
					got <- struct{}{}
				}
				p.EventHandled(e, nil)
				return nil
			})
		}()
		defer func() { cancel(); <-done }()
		waitCond(b, "ready", p.Ready)
		b.ResetTimer()
		for i := 0; i < b.N; i++ {
			if _, err := sim.Send(alice.JID, sim.Bot().JID, "ping"); err != nil {
				b.Fatal(err)
			}
			<-got
		}
	})
}

// BenchmarkEcho measures echo throughput: messages from four contacts
// sent as fast as the server takes them, each answered with a quoting
// reply over REST; it ends when every reply is stored. The raw client
// answers one at a time from its read loop; the bot runs the scheduler,
// the router and the platform.
func BenchmarkEcho(b *testing.B) {
	run := func(b *testing.B, sim *tadasim.Server) {
		users := make([]string, 4)
		for i := range users {
			users[i] = sim.AddContact(fmt.Sprint("user", i)).JID
		}
		base := sim.Stats().Messages
		b.ResetTimer()
		for i := 0; i < b.N; i++ {
			if _, err := sim.Send(users[i%len(users)], sim.Bot().JID, fmt.Sprint("m", i)); err != nil {
				b.Fatal(err)
			}
		}
		if err := sim.Wait(time.Minute, func() bool { return sim.Stats().Messages >= base+2*b.N }); err != nil {
			b.Fatal(err)
		}
	}
	b.Run("raw", func(b *testing.B) {
		sim := newSim(b)
		r := dialRaw(b, sim)
		ctx, cancel := context.WithCancel(context.Background())
		done := make(chan struct{})
		go func() {
			defer close(done)
			for {
				chat, id, text, err := r.next(ctx)
				if err != nil {
					return
				}
				if err := r.reply(ctx, chat, id, text); err != nil {
					return
				}
			}
		}()
		run(b, sim)
		b.StopTimer()
		cancel()
		_ = r.ws.CloseNow()
		<-done
	})
	b.Run("platform", func(b *testing.B) {
		sim := newSim(b)
		p := newPlatform(b, sim, testOptions(store.NewMemory())...)
		rt := router.New()
		rt.OnMessage(func(c *bot.Context, m bot.Message) error { return c.Reply(m.Text) })
		bt := bot.New(p, rt)
		ctx, cancel := context.WithCancel(context.Background())
		done := make(chan error, 1)
		go func() { done <- bt.Run(ctx) }()
		waitCond(b, "ready", p.Ready)
		run(b, sim)
		b.StopTimer()
		cancel()
		<-done
	})
}
