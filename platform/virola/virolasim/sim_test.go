package virolasim_test

import (
	"context"
	"encoding/json"
	"net/http"
	"strings"
	"testing"
	"time"

	"github.com/coder/websocket"

	"github.com/parleybot/parley/platform/virola"
	"github.com/parleybot/parley/platform/virola/virolasim"
)

func start(t *testing.T, opts ...virolasim.Option) *virolasim.Server {
	t.Helper()
	s := virolasim.New(opts...)
	if err := s.Start(); err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() { _ = s.Close() })
	return s
}

func dial(t *testing.T, s *virolasim.Server, token string) *websocket.Conn {
	t.Helper()
	before := s.Stats().TotalConns
	c, _, err := websocket.Dial(context.Background(), strings.Replace(s.URL(), "http", "ws", 1)+"/api/v1/events",
		&websocket.DialOptions{HTTPHeader: http.Header{"Authorization": {"Bearer " + token}}})
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() { c.CloseNow() })
	if err := s.Wait(5*time.Second, func() bool { return s.Stats().TotalConns > before }); err != nil {
		t.Fatal(err)
	}
	return c
}

func readType(t *testing.T, c *websocket.Conn) string {
	t.Helper()
	ctx, cancel := context.WithTimeout(context.Background(), 5*time.Second)
	defer cancel()
	_, data, err := c.Read(ctx)
	if err != nil {
		t.Fatal(err)
	}
	var f struct {
		Type string          `json:"type"`
		Data json.RawMessage `json:"data"`
	}
	if err := json.Unmarshal(data, &f); err != nil {
		t.Fatalf("%s: %v", data, err)
	}
	return f.Type
}

// Events go to every member, the author included, and to nobody else.
func TestBroadcastToMembersOnly(t *testing.T) {
	s := start(t)
	a := s.AddUser("a", "A", "")
	b := s.AddUser("b", "B", "")
	x := s.AddUser("x", "X", "")
	ca, cb, cx := dial(t, s, s.Token(a.UserID)), dial(t, s, s.Token(b.UserID)), dial(t, s, s.Token(x.UserID))
	_ = cx
	room, _ := s.NewPrivateRoom(a.UserID, b.UserID)
	for _, c := range []*websocket.Conn{ca, cb} {
		if typ := readType(t, c); typ != virola.TypeRoomCreated {
			t.Fatalf("got %s", typ)
		}
	}
	m, _ := s.Post(a.UserID, room.RoomID, "hi")
	for _, c := range []*websocket.Conn{ca, cb} {
		if typ := readType(t, c); typ != virola.TypeTextMessagesCreated {
			t.Fatalf("got %s", typ)
		}
	}
	if _, err := s.Comment(b.UserID, m.MessageID, "re"); err != nil {
		t.Fatal(err)
	}
	if typ := readType(t, ca); typ != virola.TypeTextMessagesCreated {
		t.Fatalf("comment: got %s", typ)
	}
	if typ := readType(t, ca); typ != virola.TypeTextMessagesUpdated {
		t.Fatalf("parent update: got %s", typ)
	}
	// Each of a and b gets RoomCreated, the post, the comment and the
	// parent's update; the outsider nothing.
	if err := s.Wait(5*time.Second, func() bool { return s.Stats().FramesSent >= 8 }); err != nil {
		t.Fatal(err)
	}
	if got := s.Stats().FramesSent; got != 8 {
		t.Fatalf("%d frames sent; the outsider must get none", got)
	}
	c2, err := s.Comment(a.UserID, m.MessageID+1, "nested")
	if err == nil {
		t.Fatalf("a comment on a comment was accepted: %+v", c2)
	}
}

func TestMessageIDsGrowAcrossRooms(t *testing.T) {
	s := start(t)
	a := s.AddUser("a", "A", "")
	b := s.AddUser("b", "B", "")
	r1, _ := s.NewPrivateRoom(a.UserID, b.UserID)
	r2, _ := s.NewPublicRoom("g", a.UserID, b.UserID)
	var last int64
	for i := 0; i < 6; i++ {
		room := r1.RoomID
		if i%2 == 1 {
			room = r2.RoomID
		}
		m, err := s.Post(a.UserID, room, "x")
		if err != nil || m.MessageID <= last {
			t.Fatalf("id %d after %d (%v)", m.MessageID, last, err)
		}
		last = m.MessageID
	}
}

func TestDropAfter(t *testing.T) {
	s := start(t)
	a := s.AddUser("a", "A", "")
	c := dial(t, s, s.Token(a.UserID))
	room, _ := s.NewPublicRoom("g", a.UserID)
	readType(t, c)
	s.DropAfter(2)
	s.Post(a.UserID, room.RoomID, "1")
	s.Post(a.UserID, room.RoomID, "2")
	s.Post(a.UserID, room.RoomID, "3")
	readType(t, c)
	readType(t, c)
	ctx, cancel := context.WithTimeout(context.Background(), 5*time.Second)
	defer cancel()
	if _, _, err := c.Read(ctx); err == nil {
		t.Fatal("the socket stayed open after the second frame")
	}
}

func TestRun(t *testing.T) {
	ctx, cancel := context.WithCancel(context.Background())
	in := strings.NewReader("hello\n")
	var out strings.Builder
	done := make(chan error, 1)
	go func() {
		done <- virolasim.RunSim(ctx, []string{"-listen", "127.0.0.1:0", "-interactive"}, in, &out)
	}()
	cancel()
	if err := <-done; err != nil {
		t.Fatal(err)
	}
}
