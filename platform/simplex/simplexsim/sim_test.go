package simplexsim_test

import (
	"bytes"
	"context"
	"encoding/json"
	"errors"
	"fmt"
	"sort"
	"strings"
	"sync"
	"testing"
	"time"

	"github.com/coder/websocket"
	"go.uber.org/goleak"

	"github.com/parleybot/parley/platform/simplex/simplexsim"
)

func TestURLAndAnyPath(t *testing.T) {
	s := start(t)
	if !strings.HasPrefix(s.URL(), "ws://127.0.0.1:") {
		t.Fatalf("URL = %q", s.URL())
	}
	for _, path := range []string{"", "/", "/some/deep/path?x=1"} {
		c := dial(t, s.URL()+path)
		m := c.cmd("/user")
		if m.typ() != "activeUser" || m.str("user.profile.displayName") != "bot" {
			t.Fatalf("path %q: %s", path, m.raw)
		}
		c.close()
	}
}

func TestServerSendsTextFrames(t *testing.T) {
	s := start(t)
	ctx, cancel := context.WithTimeout(context.Background(), wait)
	defer cancel()
	ws, _, err := websocket.Dial(ctx, s.URL(), nil)
	if err != nil {
		t.Fatal(err)
	}
	defer ws.CloseNow()
	check(t, ws.Write(ctx, websocket.MessageText, []byte(`{"corrId":"1","cmd":"/user"}`)))
	typ, data, err := ws.Read(ctx)
	check(t, err)
	if typ != websocket.MessageText || !bytes.Contains(data, []byte(`"corrId":"1"`)) {
		t.Fatalf("got %v %s", typ, data)
	}
	// Binary frames with UTF-8 JSON are read too, as the CLI's receiveData does.
	check(t, ws.Write(ctx, websocket.MessageBinary, []byte(`{"corrId":"2","cmd":"/user"}`)))
	typ, data, err = ws.Read(ctx)
	check(t, err)
	if typ != websocket.MessageText || !bytes.Contains(data, []byte(`"corrId":"2"`)) {
		t.Fatalf("got %v %s", typ, data)
	}
}

func TestInvalidFramesGetCorrIDLessError(t *testing.T) {
	_, c := setup(t)
	for _, frame := range []string{
		`not json`,
		`{"corrId":7,"cmd":"/user"}`,
		`{"cmd":"/user"}`,
		`{"corrId":"1"}`,
		`[]`,
	} {
		t.Run(frame, func(t *testing.T) {
			c.write(frame)
			m := c.next()
			if m.corrID != nil || bytes.Contains(m.raw, []byte("corrId")) {
				t.Fatalf("error carries a corrId: %s", m.raw)
			}
			wantErr(t, m, "error", "commandError")
			if got := m.str("chatError.errorType.message"); got != "invalid request" {
				t.Fatalf("message %q", got)
			}
		})
	}
}

func TestUnparsableCommands(t *testing.T) {
	s, c := setup(t)
	alice := connect(t, s, c, "alice")
	item := must[int64](t)(s.ContactSend(alice, "hi"))
	c.expect("newChatItems")
	for _, cmd := range []string{
		"/nonsense",
		"/_send @alice json " + sendJSON("hi"),
		fmt.Sprintf(`/_send @%d json {"msgContent":{"type":"text","text":"hi"}}`, alice),
		fmt.Sprintf(`/_send @%d json []`, alice),
		fmt.Sprintf(`/_send @%d ttl=5 live=on json %s`, alice, sendJSON("hi")), // live= comes first
		fmt.Sprintf(`/_update item @%d %d json {"msgContent":{"type":"text","text":"x"}}`, alice, item),
		"/_get chat @x count=1",
		"/_delete item @2 1 everywhere",
		"/_member role #1 2 king",
		"/_reaction @2 1 on {\"type\":\"emoji\",\"emoji\":\"❤️\"}",
		"/_address one",
	} {
		t.Run(cmd, func(t *testing.T) {
			m := c.cmd(cmd)
			wantErr(t, m, "error", "commandError")
			if got := m.str("chatError.errorType.message"); got != "Failed reading: empty" {
				t.Fatalf("message %q", got)
			}
		})
	}
}

func TestPipelinedCommandsAnswerInOrder(t *testing.T) {
	s, c := setup(t, simplexsim.WithAutoDelivery(false))
	alice := connect(t, s, c, "alice")
	const n = 60
	var ids []string
	for i := range n {
		if i%3 == 2 {
			ids = append(ids, c.send("/_send @999 json "+sendJSON("x"))) // an error in between
			continue
		}
		ids = append(ids, c.send(fmt.Sprintf("/_send @%d json %s", alice, sendJSON(fmt.Sprint(i)))))
	}
	var last int64
	for i, id := range ids {
		m := c.next()
		if m.corrID == nil || *m.corrID != id {
			t.Fatalf("frame %d: corrId %v, want %s: %s", i, m.corrID, id, m.raw)
		}
		if i%3 == 2 {
			wantErr(t, m, "errorStore", "contactNotFound")
			continue
		}
		itemID := m.num("chatItems.0.chatItem.meta.itemId")
		if itemID <= last {
			t.Fatalf("item id %d after %d", itemID, last)
		}
		last = itemID
		if got := m.str("chatItems.0.chatItem.meta.itemText"); got != fmt.Sprint(i) {
			t.Fatalf("text %q for command %d", got, i)
		}
	}
}

func TestCommandsFromTwoSocketsRunOneAtATime(t *testing.T) {
	s, a := setup(t, simplexsim.WithAutoDelivery(false))
	alice := connect(t, s, a, "alice")
	b := dial(t, s.URL())
	const n = 30
	var aIDs, bIDs []string
	for i := range n {
		aIDs = append(aIDs, a.send(fmt.Sprintf("/_send @%d json %s", alice, sendJSON(fmt.Sprint("a", i)))))
		bIDs = append(bIDs, b.send(fmt.Sprintf("/_send @%d json %s", alice, sendJSON(fmt.Sprint("b", i)))))
	}
	items := map[string]int64{}
	for _, pair := range []struct {
		c   *client
		ids []string
	}{{a, aIDs}, {b, bIDs}} {
		for _, id := range pair.ids {
			m := pair.c.response(id)
			items[m.str("chatItems.0.chatItem.meta.itemText")] = m.num("chatItems.0.chatItem.meta.itemId")
		}
	}
	// Item ids follow the global execution order recorded by the simulator.
	var cmds []simplexsim.CommandRecord
	s.View(func(w *simplexsim.World) { cmds = w.Commands() })
	var last int64
	for _, cr := range cmds {
		var arr []struct {
			MsgContent struct{ Text string } `json:"msgContent"`
		}
		i := strings.Index(cr.Cmd, " json ")
		if i < 0 || json.Unmarshal([]byte(cr.Cmd[i+6:]), &arr) != nil {
			continue
		}
		id := items[arr[0].MsgContent.Text]
		if id <= last {
			t.Fatalf("command %q got item %d after %d", cr.Cmd, id, last)
		}
		last = id
	}
	if len(items) != 2*n {
		t.Fatalf("%d distinct items, want %d", len(items), 2*n)
	}
}

func TestEventsNeverCarryCorrID(t *testing.T) {
	s, c := setup(t)
	alice := connect(t, s, c, "alice")
	must[int64](t)(s.ContactSend(alice, "hello"))
	check(t, s.Noise())
	for range 4 {
		m := c.event()
		if bytes.Contains(m.raw, []byte(`"corrId"`)) {
			t.Fatalf("event with corrId: %s", m.raw)
		}
	}
}

func TestSecondSocketStealsEvents(t *testing.T) {
	s, a := setup(t)
	alice := connect(t, s, a, "alice")
	b := dial(t, s.URL())
	check(t, s.WaitConnections(2, wait))
	const n = 100
	want := map[int64]bool{}
	for i := range n {
		want[must[int64](t)(s.ContactSend(alice, fmt.Sprint(i)))] = true
	}
	got := map[int64]int{}
	perClient := map[*client]int{}
	// Read until all n arrived somewhere; each socket drains concurrently.
	type hit struct {
		c  *client
		id int64
	}
	hits := make(chan hit, 2*n)
	var readers sync.WaitGroup
	defer readers.Wait()
	for _, c := range []*client{a, b} {
		readers.Add(1)
		go func() {
			defer readers.Done()
			for {
				m, ok := c.tryNext(500 * time.Millisecond)
				if !ok {
					return
				}
				hits <- hit{c, m.num("chatItems.0.chatItem.meta.itemId")}
			}
		}()
	}
	deadline := time.After(wait)
	for len(got) < n {
		select {
		case h := <-hits:
			got[h.id]++
			perClient[h.c]++
		case <-deadline:
			t.Fatalf("received %d of %d events", len(got), n)
		}
	}
	for id, k := range got {
		if !want[id] || k != 1 {
			t.Fatalf("item %d delivered %d times (wanted: %v)", id, k, want[id])
		}
	}
	if perClient[a] == 0 || perClient[b] == 0 {
		t.Fatalf("events were not shared between sockets: a=%d b=%d", perClient[a], perClient[b])
	}
	if st := s.Stats(); st.Connections != 2 || st.TotalConnections != 2 {
		t.Fatalf("stats %+v", st)
	}
}

func TestEventsBufferedWhileDisconnected(t *testing.T) {
	s := start(t, simplexsim.WithAddress(true, ""))
	// Startup events exist before any client connects.
	conn := must[simplexsim.Connected](t)(s.ConnectContact("alice"))
	var ids []int64
	for i := range 5 {
		ids = append(ids, must[int64](t)(s.ContactSend(conn.ContactID, fmt.Sprint(i))))
	}
	if q := s.QueuedEvents(); q != 7 {
		t.Fatalf("queued %d, want 7", q)
	}
	c := dial(t, s.URL())
	c.expect("acceptingContactRequest", "contactConnected")
	for i, id := range ids {
		m := c.event()
		if m.num("chatItems.0.chatItem.meta.itemId") != id || m.str("chatItems.0.chatItem.meta.itemText") != fmt.Sprint(i) {
			t.Fatalf("event %d out of order: %s", i, m.raw)
		}
	}
}

func TestFullBufferBlocksProducersUntilAClientReads(t *testing.T) {
	s := start(t, simplexsim.WithEventBuffer(2))
	check(t, s.EmitRaw(json.RawMessage(`{"type":"e1"}`)))
	check(t, s.EmitRaw(json.RawMessage(`{"type":"e2"}`)))
	done := make(chan error, 1)
	go func() { done <- s.EmitRaw(json.RawMessage(`{"type":"e3"}`)) }()
	check(t, s.Wait(wait, func(*simplexsim.World) bool { return s.BlockedProducers() == 1 }))
	select {
	case err := <-done:
		t.Fatalf("producer returned %v while the queue was full", err)
	default:
	}
	c := dial(t, s.URL())
	c.expect("e1", "e2", "e3")
	check(t, <-done)
}

func TestCloseReleasesBlockedProducers(t *testing.T) {
	s := simplexsim.New(simplexsim.WithEventBuffer(1))
	check(t, s.Start())
	check(t, s.EmitRaw(json.RawMessage(`{"type":"e1"}`)))
	done := make(chan error, 1)
	go func() { done <- s.EmitRaw(json.RawMessage(`{"type":"e2"}`)) }()
	check(t, s.Wait(wait, func(*simplexsim.World) bool { return s.BlockedProducers() == 1 }))
	check(t, s.Close())
	if err := <-done; !errors.Is(err, simplexsim.ErrClosed) {
		t.Fatalf("blocked producer got %v", err)
	}
	if _, err := s.ContactSend(2, "x"); !errors.Is(err, simplexsim.ErrClosed) {
		t.Fatalf("after close: %v", err)
	}
	check(t, s.Close()) // idempotent
}

func TestCloseWithoutStart(t *testing.T) {
	s := simplexsim.New()
	check(t, s.Close())
	if err := s.Start(); !errors.Is(err, simplexsim.ErrClosed) {
		t.Fatalf("start after close: %v", err)
	}
}

func TestDropAfterClosesConnectionAndLosesNothingTwice(t *testing.T) {
	s, c := setup(t)
	alice := connect(t, s, c, "alice")
	s.DropAfter(2)
	var ids []int64
	for i := range 6 {
		ids = append(ids, must[int64](t)(s.ContactSend(alice, fmt.Sprint(i))))
	}
	// The first two frames arrive, then the socket closes.
	for i := range 2 {
		m := c.next()
		if m.num("chatItems.0.chatItem.meta.itemId") != ids[i] {
			t.Fatalf("frame %d: %s", i, m.raw)
		}
	}
	if m, ok := c.tryNext(wait); ok {
		t.Fatalf("frame after drop: %s", m.raw)
	}
	check(t, s.WaitConnections(0, wait))
	// A reconnecting client gets the rest, minus the events the dead
	// connection had already taken (at most one in its sndQ and one in its
	// output pump); never duplicates, always in order.
	c2 := dial(t, s.URL())
	var got []int64
	for {
		m, ok := c2.tryNext(300 * time.Millisecond)
		if !ok {
			break
		}
		got = append(got, m.num("chatItems.0.chatItem.meta.itemId"))
	}
	if len(got) < 2 || len(got) > 4 || !sort.SliceIsSorted(got, func(i, j int) bool { return got[i] < got[j] }) {
		t.Fatalf("after reconnect got %v of %v", got, ids)
	}
	if got[len(got)-1] != ids[5] || got[0] <= ids[1] {
		t.Fatalf("after reconnect got %v of %v", got, ids)
	}
	check(t, s.Wait(wait, func(w *simplexsim.World) bool { return w.Stats().TotalConnections == 2 }))
}

func TestDropAfterZeroDropsEveryConnection(t *testing.T) {
	s, _ := setup(t)
	dial(t, s.URL())
	check(t, s.WaitConnections(2, wait))
	s.DropAfter(0)
	check(t, s.WaitConnections(0, wait))
}

func TestSetDelayLetsEventsOvertakeResponse(t *testing.T) {
	s, c := setup(t)
	s.SetDelay(time.Second)
	id := c.send("/user")
	check(t, s.Wait(wait, func(w *simplexsim.World) bool { return len(w.Commands()) == 1 }))
	check(t, s.Noise())
	// The delayed response comes after the three noise events.
	for _, typ := range []string{"chatError", "hostConnected", "subscriptionStatus"} {
		if m := c.next(); m.typ() != typ || m.corrID != nil {
			t.Fatalf("want event %s, got %s", typ, m.raw)
		}
	}
	if m := c.next(); m.corrID == nil || *m.corrID != id || m.typ() != "activeUser" {
		t.Fatalf("got %s", m.raw)
	}
	s.SetDelay(0)
}

func TestFailNext(t *testing.T) {
	s, c := setup(t, simplexsim.WithAutoDelivery(false))
	alice := connect(t, s, c, "alice")
	agentErr := `{"type":"errorAgent","agentError":{"type":"BROKER","brokerAddress":"smp://x","brokerErr":{"type":"NETWORK"}},"agentConnId":"YQ=="}`
	check(t, s.FailNext("/_send", agentErr))
	if err := s.FailNext("/_send", "{oops"); err == nil {
		t.Fatal("FailNext accepted invalid JSON")
	}
	if m := c.cmd("/user"); m.typ() != "activeUser" {
		t.Fatalf("non-matching command failed: %s", m.raw)
	}
	m := c.cmdf("/_send @%d json %s", alice, sendJSON("hi"))
	if m.typ() != "chatCmdError" || m.str("chatError.agentError.brokerErr.type") != "NETWORK" {
		t.Fatalf("got %s", m.raw)
	}
	if len(s.BotSent()) != 0 {
		t.Fatal("failed command was executed")
	}
	if m := c.cmdf("/_send @%d json %s", alice, sendJSON("hi")); m.typ() != "newChatItems" {
		t.Fatalf("rule fired twice: %s", m.raw)
	}
}

func TestSendMalformed(t *testing.T) {
	s, c := setup(t)
	check(t, s.SendMalformed())
	m := c.next()
	if string(m.raw) != simplexsim.MalformedFrame || json.Valid(m.raw) {
		t.Fatalf("first frame %s", m.raw)
	}
	if m := c.next(); m.typ() != simplexsim.UnknownEventType || m.corrID != nil {
		t.Fatalf("second frame %s", m.raw)
	}
	// The connection keeps working.
	if m := c.cmd("/user"); m.typ() != "activeUser" {
		t.Fatalf("got %s", m.raw)
	}
	if err := s.EmitRaw(json.RawMessage(`{`)); err == nil {
		t.Fatal("EmitRaw accepted invalid JSON")
	}
}

func TestNoise(t *testing.T) {
	s, c := setup(t)
	check(t, s.Noise())
	evs := c.expect("chatError", "hostConnected", "subscriptionStatus")
	if evs[0].str("chatError.type") != "errorAgent" || evs[0].str("chatError.agentError.type") != "BROKER" ||
		evs[0].str("chatError.agentError.brokerErr.type") != "TIMEOUT" || evs[0].has("user") {
		t.Fatalf("chatError %s", evs[0].raw)
	}
	if evs[2].str("subscriptionStatus.type") != "active" {
		t.Fatalf("subscriptionStatus %s", evs[2].raw)
	}
}

func TestConnectionStats(t *testing.T) {
	s, c := setup(t)
	c.cmd("/user")
	c.write("garbage")
	c.next()
	// The counter moves after the write returns, so the client may see the
	// frame first.
	check(t, s.Wait(wait, func(w *simplexsim.World) bool { return w.Stats().FramesSent == 2 }))
	st := s.Stats()
	if st.Connections != 1 || st.TotalConnections != 1 || st.Commands != 1 || st.InvalidFrames != 1 || st.FramesSent != 2 {
		t.Fatalf("stats %+v", st)
	}
	c.close()
	check(t, s.WaitConnections(0, wait))
	if st := s.Stats(); st.TotalConnections != 1 {
		t.Fatalf("stats %+v", st)
	}
}

func TestWaitTimesOut(t *testing.T) {
	s := start(t)
	if _, err := s.WaitBotSent(1, 10*time.Millisecond); !errors.Is(err, simplexsim.ErrTimeout) {
		t.Fatalf("got %v", err)
	}
}

func TestCloseLeavesNoGoroutines(t *testing.T) {
	before := goleak.IgnoreCurrent()
	s := simplexsim.New(simplexsim.WithAddress(true, ""))
	check(t, s.Start())
	c := dial(t, s.URL())
	dial(t, s.URL())
	conn := must[simplexsim.Connected](t)(s.ConnectContact("alice"))
	s.SetDelay(time.Hour) // a command stuck in its delay must not hold Close
	c.send(fmt.Sprintf("/_send @%d json %s", conn.ContactID, sendJSON("x")))
	c.send("/user") // waits behind the first: a reader blocked on the executor
	check(t, s.Wait(wait, func(w *simplexsim.World) bool { return len(w.Commands()) == 1 }))
	check(t, s.Close())
	c.close()
	goleak.VerifyNone(t, before)
}
