package tadasim_test

import (
	"context"
	"encoding/json"
	"net"
	"net/http"
	"strconv"
	"strings"
	"testing"
	"time"

	"github.com/coder/websocket"

	"github.com/parleybot/parley/platform/tada"
	"github.com/parleybot/parley/platform/tada/tadasim"
)

func start(t *testing.T) *tadasim.Server {
	t.Helper()
	s := tadasim.New()
	if err := s.Start(); err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() { _ = s.Close() })
	return s
}

func dial(t *testing.T, s *tadasim.Server, token, team string) *websocket.Conn {
	t.Helper()
	h := http.Header{}
	h.Set("token", token)
	before := s.Stats().TotalSockets
	ws, _, err := websocket.Dial(context.Background(), strings.Replace(s.URL(), "http", "ws", 1)+"/messaging/"+team, &websocket.DialOptions{HTTPHeader: h})
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() { _ = ws.CloseNow() })
	// The server takes the socket after the handshake answer: wait until
	// it did, so that what happens next reaches it.
	if err := s.Wait(5*time.Second, func() bool { return s.Stats().TotalSockets > before }); err != nil {
		t.Fatal(err)
	}
	return ws
}

func read(t *testing.T, ws *websocket.Conn) tada.Frame {
	t.Helper()
	ctx, cancel := context.WithTimeout(context.Background(), 5*time.Second)
	defer cancel()
	_, data, err := ws.Read(ctx)
	if err != nil {
		t.Fatal(err)
	}
	f, err := tada.DecodeFrame(data)
	if err != nil {
		t.Fatal(err)
	}
	return f
}

func write(t *testing.T, ws *websocket.Conn, typ websocket.MessageType, event string, params any, confirmID string) {
	t.Helper()
	data, err := tada.EncodeFrame(event, params, confirmID)
	if err != nil {
		t.Fatal(err)
	}
	if err := ws.Write(context.Background(), typ, data); err != nil {
		t.Fatal(err)
	}
}

func TestBadTokenPanicsThenCloses(t *testing.T) {
	s := start(t)
	ws := dial(t, s, "nope", s.Team())
	f := read(t, ws)
	if p, ok := f.Event.(*tada.Panic); !ok || p.Code != tada.CodeInvalidToken {
		t.Fatalf("first frame %+v", f)
	}
	if _, _, err := ws.Read(context.Background()); websocket.CloseStatus(err) != websocket.StatusPolicyViolation {
		t.Fatalf("after the panic: %v", err)
	}
}

func TestConfirmsBothWaysAndRedelivery(t *testing.T) {
	s := start(t)
	alice := s.AddContact("alice")
	bot := s.Bot()
	ws := dial(t, s, bot.Token, s.Team())
	// Binary frames are read like text ones; pings are confirmed.
	write(t, ws, websocket.MessageBinary, tada.ClientPing, nil, "ping00000001")
	if f := read(t, ws); f.Name != tada.EventConfirm || f.Event.(*tada.Confirm).ConfirmID != "ping00000001" {
		t.Fatalf("ping answer %+v", f)
	}
	// An unknown event gets a warning naming it.
	write(t, ws, websocket.MessageText, "client.nonsense", nil, "abc")
	if w, ok := read(t, ws).Event.(*tada.Warning); !ok || w.Orig.Event != "client.nonsense" || w.Orig.ConfirmID != "abc" {
		t.Fatalf("warning %+v", w)
	}
	m, err := s.Send(alice.JID, bot.JID, "hi")
	if err != nil {
		t.Fatal(err)
	}
	f := read(t, ws)
	mu := f.Event.(*tada.MessageUpdated)
	if f.ConfirmID == "" || mu.Delayed || mu.Messages[0].Chat != alice.JID || mu.Messages[0].MessageID != m.MessageID {
		t.Fatalf("message frame %+v %+v", f, mu)
	}
	if s.Unconfirmed("") != 1 {
		t.Fatal("the message is not waiting for its confirm")
	}
	// Not confirmed: a new connection gets it again, same confirm_id.
	_ = ws.CloseNow()
	ws2 := dial(t, s, bot.Token, s.Team())
	again := read(t, ws2)
	if again.ConfirmID != f.ConfirmID {
		t.Fatalf("redelivered %+v", again)
	}
	write(t, ws2, websocket.MessageText, tada.ClientConfirm, tada.ConfirmParams{ConfirmID: again.ConfirmID}, "")
	if err := s.Wait(5*time.Second, func() bool { return s.Unconfirmed("") == 0 }); err != nil {
		t.Fatal(err)
	}
	// A send reaches the sender's own socket too, then is confirmed;
	// sending the same message_id again changes it (delayed true).
	p := tada.MessageParams{To: alice.JID, MessageID: "11111111-2222-4333-8444-555555555555", Content: tada.MessageContent{Type: "plain", Text: "yo"}}
	write(t, ws2, websocket.MessageText, tada.ClientMessageUpdated, p, "send00000001")
	own := read(t, ws2)
	if mu := own.Event.(*tada.MessageUpdated); mu.Messages[0].From != bot.JID || mu.Messages[0].Chat != alice.JID || mu.Delayed {
		t.Fatalf("own message %+v", mu)
	}
	if f := read(t, ws2); f.Name != tada.EventConfirm {
		t.Fatalf("want the confirm, got %s", f.Name)
	}
	p.Content.Text = "yo!"
	write(t, ws2, websocket.MessageText, tada.ClientMessageUpdated, p, "send00000002")
	if mu := read(t, ws2).Event.(*tada.MessageUpdated); !mu.Delayed || mu.Messages[0].Edited == "" {
		t.Fatalf("update %+v", mu)
	}
	if n := len(s.MessagesFrom(bot.JID)); n != 1 {
		t.Fatalf("%d messages, want the one upserted", n)
	}
}

func TestRESTEnvelope(t *testing.T) {
	s := start(t)
	get := func(path, token string) (int, map[string]json.RawMessage) {
		req, _ := http.NewRequest(http.MethodGet, s.URL()+path, nil)
		req.Header.Set("token", token)
		resp, err := http.DefaultClient.Do(req)
		if err != nil {
			t.Fatal(err)
		}
		defer resp.Body.Close()
		var env map[string]json.RawMessage
		if err := json.NewDecoder(resp.Body).Decode(&env); err != nil {
			t.Fatal(err)
		}
		return resp.StatusCode, env
	}
	if st, env := get("/api/v4/teams/"+s.Team(), "bad"); st != 401 || string(env["error"]) != `"INVALID_TOKEN"` || string(env["ok"]) != "false" {
		t.Fatalf("%d %s", st, env)
	}
	st, env := get("/api/v4/teams/"+s.Team(), s.Bot().Token)
	var team tada.Team
	if err := json.Unmarshal(env["result"], &team); st != 200 || err != nil || team.Me == nil || team.Me.JID != s.Bot().JID {
		t.Fatalf("%d %s", st, env)
	}
	if st, env := get("/api/v4/teams/"+s.Team()+"/messages/d-unknown", s.Bot().Token); st != 404 || string(env["error"]) != `"NOT_FOUND"` {
		t.Fatalf("%d %s", st, env)
	}
}

// backlog reads the n frames a new connection gets first and returns
// their confirm_ids.
func backlog(t *testing.T, ws *websocket.Conn, n int) []string {
	t.Helper()
	ids := make([]string, 0, n)
	for range n {
		ctx, cancel := context.WithTimeout(context.Background(), 5*time.Second)
		_, data, err := ws.Read(ctx)
		cancel()
		if err != nil {
			t.Fatalf("after %d frames of the backlog: %v", len(ids), err)
		}
		var f struct {
			Event     string `json:"event"`
			ConfirmID string `json:"confirm_id"`
		}
		if err := json.Unmarshal(data, &f); err != nil || f.Event != tada.EventMessageUpdated || f.ConfirmID == "" {
			t.Fatalf("frame %d of the backlog: %s (%v)", len(ids), data, err)
		}
		ids = append(ids, f.ConfirmID)
	}
	return ids
}

func sendWhileAway(t *testing.T, s *tadasim.Server, n int) {
	t.Helper()
	alice := s.AddContact("alice")
	for i := range n {
		if _, err := s.Send(alice.JID, s.Bot().JID, "m"+strconv.Itoa(i)); err != nil {
			t.Fatal(err)
		}
	}
	if got := s.Unconfirmed(""); got != n {
		t.Fatalf("%d events wait for a confirm, want %d", got, n)
	}
}

// A backlog larger than the socket's buffer is redelivered whole on the
// next connection; it used to overflow the buffer, which closed every
// new connection at once.
func TestBacklogLargerThanSocketBuffer(t *testing.T) {
	s := tadasim.New(tadasim.WithSocketBuffer(8))
	if err := s.Start(); err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() { _ = s.Close() })
	sendWhileAway(t, s, 100)
	ws := dial(t, s, s.Bot().Token, s.Team())
	ids := backlog(t, ws, 100)
	for _, id := range ids {
		write(t, ws, websocket.MessageText, tada.ClientConfirm, tada.ConfirmParams{ConfirmID: id}, "")
	}
	if err := s.Wait(5*time.Second, func() bool { return s.Unconfirmed("") == 0 }); err != nil {
		t.Fatal(err)
	}
	if st := s.Stats(); st.TotalSockets != 1 || st.Redelivered != 100 {
		t.Fatalf("%d connections, %d redelivered; want 1 and 100", st.TotalSockets, st.Redelivered)
	}
}

// Confirms of a long backlog are taken as fast as they come, so the
// server is done with a closed connection soon after: each used to copy
// the whole backlog, and the socket's goroutines went on reading
// confirms for seconds after the client had gone.
func TestConfirmsOfLongBacklogEndWithConnection(t *testing.T) {
	if raceEnabled {
		t.Skip("the race detector makes even linear work on 40,000 confirms outlast the window")
	}
	const n = 40000
	s := start(t)
	sendWhileAway(t, s, n)
	ws := dial(t, s, s.Bot().Token, s.Team())
	ids := backlog(t, ws, n)
	for _, id := range ids {
		write(t, ws, websocket.MessageText, tada.ClientConfirm, tada.ConfirmParams{ConfirmID: id}, "")
	}
	_ = ws.CloseNow()
	// The soak's window for goroutines to end after the bot stopped.
	if err := s.Wait(5*time.Second, func() bool { return s.Stats().Sockets == 0 }); err != nil {
		t.Fatalf("the server still serves the closed connection, %d events unconfirmed: %v", s.Unconfirmed(""), err)
	}
	if u := s.Unconfirmed(""); u != 0 {
		t.Fatalf("%d events unconfirmed after every confirm was sent", u)
	}
}

// An event made as soon as the client has the upgrade answer reaches the
// new socket: the server takes the socket before it answers. It used to
// take it after, and events of that moment that need no confirm (a new
// contact, a group change) were lost.
func TestEventRightAfterTheUpgradeReachesTheSocket(t *testing.T) {
	s := start(t)
	h := http.Header{}
	h.Set("token", s.Bot().Token)
	for i := range 50 {
		ws, _, err := websocket.Dial(context.Background(), strings.Replace(s.URL(), "http", "ws", 1)+"/messaging/"+s.Team(), &websocket.DialOptions{HTTPHeader: h})
		if err != nil {
			t.Fatal(err)
		}
		name := "c" + strconv.Itoa(i)
		s.AddContact(name)
		ctx, cancel := context.WithTimeout(context.Background(), 2*time.Second)
		_, data, err := ws.Read(ctx)
		cancel()
		_ = ws.CloseNow()
		if err != nil {
			t.Fatalf("connection %d: no contact.updated for %s: %v", i, name, err)
		}
		f, err := tada.DecodeFrame(data)
		if err != nil {
			t.Fatal(err)
		}
		if cu, ok := f.Event.(*tada.ContactUpdated); !ok || cu.Contacts[0].DisplayName != name {
			t.Fatalf("connection %d: first frame %s, want %s's contact.updated", i, data, name)
		}
	}
}

func TestStallConnectsHoldsUpgradesUntilReleased(t *testing.T) {
	s := start(t)
	first := dial(t, s, s.Bot().Token, s.Team())
	release := s.StallConnects()
	if _, _, err := first.Read(context.Background()); err == nil {
		t.Fatal("the open connection got a frame; want it dropped")
	}
	h := http.Header{}
	h.Set("token", s.Bot().Token)
	url := strings.Replace(s.URL(), "http", "ws", 1) + "/messaging/" + s.Team()
	ctx, cancel := context.WithTimeout(context.Background(), 200*time.Millisecond)
	_, _, err := websocket.Dial(ctx, url, &websocket.DialOptions{HTTPHeader: h})
	cancel()
	if err == nil {
		t.Fatal("a connection was answered during the stall")
	}
	// REST still answers.
	req, _ := http.NewRequest(http.MethodGet, s.URL()+"/api/v4/teams/"+s.Team(), nil)
	req.Header.Set("token", s.Bot().Token)
	resp, err := http.DefaultClient.Do(req)
	if err != nil {
		t.Fatal(err)
	}
	resp.Body.Close()
	if resp.StatusCode != http.StatusOK {
		t.Fatalf("REST during the stall: HTTP %d", resp.StatusCode)
	}
	release()
	release() // a second call does nothing
	dial(t, s, s.Bot().Token, s.Team())
	if st := s.Stats(); st.TotalSockets != 2 {
		t.Fatalf("%d connections, want the first and the one after the release", st.TotalSockets)
	}
}

// A drop at a REST answer cuts the call after it was carried out: the
// client gets no answer, the message exists, and the drop is counted.
// DropEvery drops again every n frames.
func TestDropCutsRESTAnswers(t *testing.T) {
	s := start(t)
	alice := s.AddContact("alice")
	s.DropEvery(2)
	post := func(text string) error {
		body := strings.NewReader(`{"type":"plain","text":"` + text + `","message_id":"` + tada.NewMessageID() + `"}`)
		req, _ := http.NewRequest(http.MethodPost, s.URL()+"/api/v4/teams/"+s.Team()+"/chats/"+alice.JID+"/messages", body)
		req.Header.Set("token", s.Bot().Token)
		req.Header.Set("Content-Type", "application/json")
		resp, err := http.DefaultClient.Do(req)
		if err != nil {
			return err
		}
		resp.Body.Close()
		return nil
	}
	for i, text := range []string{"one", "two", "three", "four"} {
		err := post(text)
		if cut := i%2 == 1; cut != (err != nil) {
			t.Fatalf("call %q: error %v, want a cut %v", text, err, cut)
		}
	}
	if sent := s.MessagesFrom(s.Bot().JID); len(sent) != 4 {
		t.Fatalf("%d bot messages, want 4: a cut call was not carried out", len(sent))
	}
	if st := s.Stats(); st.Drops != 2 {
		t.Fatalf("Drops %d, want 2", st.Drops)
	}
}

// Unconfirmed events sent again on a new connection do not count against
// DropEvery: a backlog longer than its period is delivered whole, and the
// next new frame is the one counted.
func TestRedeliveredBacklogNotCountedAsDrops(t *testing.T) {
	s := start(t)
	sendWhileAway(t, s, 5)
	s.DropEvery(2)
	ws := dial(t, s, s.Bot().Token, s.Team())
	backlog(t, ws, 5)
	if st := s.Stats(); st.Drops != 0 {
		t.Fatalf("Drops %d after the backlog, want 0", st.Drops)
	}
	bob := s.AddContact("bob") // contact.updated: the first frame counted
	if _, err := s.Send(bob.JID, s.Bot().JID, "new"); err != nil {
		t.Fatal(err)
	}
	if err := s.Wait(5*time.Second, func() bool { return s.Stats().Drops == 1 }); err != nil {
		t.Fatalf("Drops %d, want 1 at the second new frame", s.Stats().Drops)
	}
}

// A connection that has not sent a request does not hold Close up: a
// graceful shutdown would wait five seconds for it, then fail.
func TestCloseDoesNotWaitForAnUnusedConnection(t *testing.T) {
	s := start(t)
	raw, err := net.Dial("tcp", strings.TrimPrefix(s.URL(), "http://"))
	if err != nil {
		t.Fatal(err)
	}
	defer raw.Close()
	// Accepted after the raw connection, so that one is known by now.
	resp, err := http.Get(s.URL() + "/features.json")
	if err != nil {
		t.Fatal(err)
	}
	resp.Body.Close()
	http.DefaultClient.CloseIdleConnections()
	if err := s.Close(); err != nil {
		t.Fatalf("Close: %v", err)
	}
}
