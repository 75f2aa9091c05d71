package simplexsim_test

import (
	"context"
	"encoding/json"
	"fmt"
	"strconv"
	"strings"
	"sync"
	"testing"
	"time"

	"github.com/coder/websocket"
	"go.uber.org/goleak"

	"github.com/parleybot/parley/platform/simplex/simplexsim"
)

func TestMain(m *testing.M) { goleak.VerifyTestMain(m) }

const wait = 5 * time.Second

// msg is one decoded frame from the simulator.
type msg struct {
	raw    []byte
	corrID *string
	resp   map[string]any
}

func (m msg) typ() string { s, _ := m.resp["type"].(string); return s }

// get walks a dotted path ("chatItems.0.chatItem.meta.itemId") in resp.
func (m msg) get(path string) any { return dig(m.resp, path) }

func dig(v any, path string) any {
	for _, part := range strings.Split(path, ".") {
		switch x := v.(type) {
		case map[string]any:
			v = x[part]
		case []any:
			i, err := strconv.Atoi(part)
			if err != nil || i < 0 || i >= len(x) {
				return nil
			}
			v = x[i]
		default:
			return nil
		}
	}
	return v
}

func (m msg) str(path string) string { s, _ := m.get(path).(string); return s }

func (m msg) num(path string) int64 { f, _ := m.get(path).(float64); return int64(f) }

func (m msg) has(path string) bool { return m.get(path) != nil }

// client is a raw bot-API client: one socket, a reader goroutine, and a
// backlog of events seen while waiting for responses.
type client struct {
	t       testing.TB
	ws      *websocket.Conn
	in      chan msg
	done    chan struct{}
	mu      sync.Mutex
	n       int
	backlog []msg
	closed  bool
}

func dial(t testing.TB, url string) *client {
	t.Helper()
	ctx, cancel := context.WithTimeout(context.Background(), wait)
	defer cancel()
	ws, _, err := websocket.Dial(ctx, url, nil)
	if err != nil {
		t.Fatalf("dial %s: %v", url, err)
	}
	ws.SetReadLimit(-1)
	c := &client{t: t, ws: ws, in: make(chan msg, 1024), done: make(chan struct{})}
	go c.read()
	t.Cleanup(c.close)
	return c
}

func (c *client) read() {
	defer close(c.done)
	defer close(c.in)
	for {
		_, data, err := c.ws.Read(context.Background())
		if err != nil {
			return
		}
		m := msg{raw: data}
		var env struct {
			CorrID *string        `json:"corrId"`
			Resp   map[string]any `json:"resp"`
		}
		if json.Unmarshal(data, &env) == nil {
			m.corrID, m.resp = env.CorrID, env.Resp
		}
		c.in <- m
	}
}

func (c *client) close() {
	c.mu.Lock()
	closed := c.closed
	c.closed = true
	c.mu.Unlock()
	if closed {
		return
	}
	_ = c.ws.CloseNow()
	<-c.done
}

func (c *client) write(data string) {
	c.t.Helper()
	ctx, cancel := context.WithTimeout(context.Background(), wait)
	defer cancel()
	if err := c.ws.Write(ctx, websocket.MessageText, []byte(data)); err != nil {
		c.t.Fatalf("write: %v", err)
	}
}

// send writes a command frame and returns its corrId.
func (c *client) send(cmd string) string {
	c.t.Helper()
	c.mu.Lock()
	c.n++
	id := strconv.Itoa(c.n)
	c.mu.Unlock()
	b, _ := json.Marshal(map[string]string{"corrId": id, "cmd": cmd})
	c.write(string(b))
	return id
}

// next returns the next frame, failing the test after the deadline.
func (c *client) next() msg {
	c.t.Helper()
	m, ok := c.tryNext(wait)
	if !ok {
		c.t.Fatalf("no frame within %v", wait)
	}
	return m
}

func (c *client) tryNext(d time.Duration) (msg, bool) {
	t := time.NewTimer(d)
	defer t.Stop()
	select {
	case m, ok := <-c.in:
		return m, ok
	case <-t.C:
		return msg{}, false
	}
}

// response waits for the response with corrID, keeping events for later.
func (c *client) response(corrID string) msg {
	c.t.Helper()
	for {
		m := c.next()
		if m.corrID != nil && *m.corrID == corrID {
			return m
		}
		if m.corrID != nil {
			c.t.Fatalf("response for %q while waiting for %q: %s", *m.corrID, corrID, m.raw)
		}
		c.backlog = append(c.backlog, m)
	}
}

// cmd sends a command and returns its response.
func (c *client) cmd(cmd string) msg {
	c.t.Helper()
	return c.response(c.send(cmd))
}

// cmdf is cmd with fmt formatting.
func (c *client) cmdf(format string, a ...any) msg {
	c.t.Helper()
	return c.cmd(fmt.Sprintf(format, a...))
}

// event returns the next event (frames without corrId), backlog first.
func (c *client) event() msg {
	c.t.Helper()
	if len(c.backlog) > 0 {
		m := c.backlog[0]
		c.backlog = c.backlog[1:]
		return m
	}
	m := c.next()
	if m.corrID != nil {
		c.t.Fatalf("unexpected response while waiting for an event: %s", m.raw)
	}
	return m
}

// expect reads events and checks their types in order.
func (c *client) expect(types ...string) []msg {
	c.t.Helper()
	out := make([]msg, 0, len(types))
	for _, typ := range types {
		m := c.event()
		if m.typ() != typ {
			c.t.Fatalf("event %q, want %q: %s", m.typ(), typ, m.raw)
		}
		out = append(out, m)
	}
	return out
}

// start builds and starts a simulator closed at test end.
func start(t testing.TB, opts ...simplexsim.Option) *simplexsim.Sim {
	t.Helper()
	s := simplexsim.New(opts...)
	if err := s.Start(); err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() {
		if err := s.Close(); err != nil {
			t.Errorf("close: %v", err)
		}
	})
	return s
}

// setup starts a simulator with an auto-accepting address and one client.
func setup(t testing.TB, opts ...simplexsim.Option) (*simplexsim.Sim, *client) {
	t.Helper()
	s := start(t, append([]simplexsim.Option{simplexsim.WithBotName("modbot"), simplexsim.WithAddress(true, "")}, opts...)...)
	return s, dial(t, s.URL())
}

// connect makes a contact connect and drains its events.
func connect(t testing.TB, s *simplexsim.Sim, c *client, name string) int64 {
	t.Helper()
	conn, err := s.ConnectContact(name)
	if err != nil {
		t.Fatal(err)
	}
	c.expect("acceptingContactRequest", "contactSndReady", "contactConnected")
	return conn.ContactID
}

// must fails the test on error and returns v.
func must[T any](t testing.TB) func(v T, err error) T {
	return func(v T, err error) T {
		t.Helper()
		if err != nil {
			t.Fatal(err)
		}
		return v
	}
}

func check(t testing.TB, err error) {
	t.Helper()
	if err != nil {
		t.Fatal(err)
	}
}

// wantErr checks a chatCmdError response: kind is "error" or "errorStore",
// tag the errorType/storeError type.
func wantErr(t testing.TB, m msg, kind, tag string) {
	t.Helper()
	if m.typ() != "chatCmdError" {
		t.Fatalf("want chatCmdError %s/%s, got %s", kind, tag, m.raw)
	}
	if got := m.str("chatError.type"); got != kind {
		t.Fatalf("chatError.type = %q, want %q: %s", got, kind, m.raw)
	}
	field := "errorType"
	if kind == "errorStore" {
		field = "storeError"
	}
	if got := m.str("chatError." + field + ".type"); got != tag {
		t.Fatalf("chatError.%s.type = %q, want %q: %s", field, got, tag, m.raw)
	}
}

func sendJSON(text string) string {
	b, _ := json.Marshal([]map[string]any{{"msgContent": map[string]any{"type": "text", "text": text}}})
	return string(b)
}
