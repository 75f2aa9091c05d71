package privittysim_test

import (
	"bufio"
	"context"
	"encoding/json"
	"io"
	"net/http"
	"strings"
	"testing"
	"time"

	"go.uber.org/goleak"

	"github.com/parleybot/parley/platform/privitty/privittysim"
)

func TestMain(m *testing.M) { goleak.VerifyTestMain(m) }

func start(t *testing.T, opts ...privittysim.Option) *privittysim.Sim {
	t.Helper()
	s := privittysim.New(opts...)
	if err := s.Start(); err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() { _ = s.Close() })
	return s
}

// rpc posts body to /rpc and returns the status and decoded answer.
func rpc(t *testing.T, s *privittysim.Sim, body string) (int, map[string]any) {
	t.Helper()
	resp, err := http.Post(s.URL()+"/rpc", "application/json", strings.NewReader(body))
	if err != nil {
		t.Fatal(err)
	}
	defer resp.Body.Close()
	data, _ := io.ReadAll(resp.Body)
	if resp.StatusCode == http.StatusNoContent {
		if len(data) != 0 {
			t.Fatalf("204 with a body: %q", data)
		}
		return resp.StatusCode, nil
	}
	var out map[string]any
	if err := json.Unmarshal(data, &out); err != nil {
		t.Fatalf("answer %q: %v", data, err)
	}
	return resp.StatusCode, out
}

func call(method string, params ...any) string {
	b, _ := json.Marshal(map[string]any{"jsonrpc": "2.0", "method": method, "params": params, "id": 7})
	return string(b)
}

func errCode(ans map[string]any) int {
	e, _ := ans["error"].(map[string]any)
	c, _ := e["code"].(float64)
	return int(c)
}

func TestRPCWire(t *testing.T) {
	s := start(t)
	alice, _ := s.ConnectContact("alice", true)
	cases := []struct {
		name   string
		body   string
		status int
		code   int
		check  func(ans map[string]any) bool
	}{
		{"result", call("get_connectivity", 1), 200, 0, func(a map[string]any) bool { return a["result"] == 4000.0 && a["id"] == 7.0 }},
		{"no result is 204", call("accept_chat", 1, alice.ChatID), 204, 0, nil},
		{"null result", call("get_config", 1, "unset_key"), 200, 0, func(a map[string]any) bool { v, ok := a["result"]; return ok && v == nil }},
		{"parse error", `{"jsonrpc":`, 200, -32700, func(a map[string]any) bool { return a["id"] == nil }},
		{"named params", `{"jsonrpc":"2.0","method":"get_message","params":{"msg_id":1},"id":7}`, 200, -32602, nil},
		{"unknown method", call("nope", 1), 200, -32601, nil},
		{"wrong account", call("get_message", 5, 12), 200, -32603, nil},
		{"missing message", call("get_message", 1, 99999), 200, -32603, nil},
		{"bad param type", call("get_message", 1, "x"), 200, -32602, nil},
	}
	for _, tc := range cases {
		t.Run(tc.name, func(t *testing.T) {
			status, ans := rpc(t, s, tc.body)
			if status != tc.status || errCode(ans) != tc.code || (tc.check != nil && !tc.check(ans)) {
				t.Fatalf("status %d answer %v", status, ans)
			}
		})
	}
	if ci, _ := s.Chat(alice.ChatID); ci.Request {
		t.Fatal("accept_chat did not accept the request")
	}
}

func TestFaultsAndLicense(t *testing.T) {
	s := start(t)
	s.FailNext("get_connectivity", -1, "boom")
	if _, ans := rpc(t, s, call("get_connectivity", 1)); errCode(ans) != -1 {
		t.Fatalf("injected fault: %v", ans)
	}
	if _, ans := rpc(t, s, call("get_connectivity", 1)); errCode(ans) != 0 {
		t.Fatalf("the fault outlived one call: %v", ans)
	}
	s.SetLicense("no_license")
	_, ans := rpc(t, s, call("privitty_send_file", 1, 10, 11, "/x", true, false, 5))
	msg := ans["error"].(map[string]any)["message"].(string)
	if errCode(ans) != -32001 || !strings.Contains(msg, "status is 'no_license'") {
		t.Fatalf("license error %v", ans)
	}
	if _, ans := rpc(t, s, call("get_info", 1)); errCode(ans) != 0 {
		t.Fatal("get_info is license-gated")
	}
	if s.Calls("get_connectivity") != 2 {
		t.Fatalf("calls %d", s.Calls("get_connectivity"))
	}
}

func TestObjectShapes(t *testing.T) {
	for _, tc := range []struct {
		opts            []privittysim.Option
		chatKey, msgKey string
		chatType        any
	}{
		{nil, "chatType", "fromId", "Single"},
		{[]privittysim.Option{privittysim.WithSnakeCase(true), privittysim.WithNumericChatTypes(true)}, "chat_type", "from_id", 100.0},
	} {
		s := start(t, tc.opts...)
		alice, _ := s.ConnectContact("alice", false)
		id, _ := s.ContactSend(alice.ChatID, "hi")
		_, chat := rpc(t, s, call("get_basic_chat_info", 1, alice.ChatID))
		_, m := rpc(t, s, call("get_message", 1, id))
		if chat["result"].(map[string]any)[tc.chatKey] != tc.chatType || m["result"].(map[string]any)[tc.msgKey] != float64(alice.ID) {
			t.Fatalf("chat %v message %v", chat, m)
		}
	}
}

// stream reads an SSE stream line by line.
type stream struct {
	lines chan string
	body  io.Closer
}

func open(t *testing.T, s *privittysim.Sim) *stream {
	t.Helper()
	ctx, cancel := context.WithCancel(context.Background())
	req, _ := http.NewRequestWithContext(ctx, http.MethodGet, s.URL()+"/events", nil)
	resp, err := http.DefaultClient.Do(req)
	if err != nil {
		cancel()
		t.Fatal(err)
	}
	if ct := resp.Header.Get("Content-Type"); !strings.HasPrefix(ct, "text/event-stream") {
		t.Fatalf("content type %q", ct)
	}
	st := &stream{lines: make(chan string, 1024), body: resp.Body}
	done := make(chan struct{})
	go func() {
		defer close(done)
		defer close(st.lines)
		sc := bufio.NewScanner(resp.Body)
		for sc.Scan() {
			st.lines <- sc.Text()
		}
	}()
	t.Cleanup(func() { cancel(); resp.Body.Close(); <-done })
	return st
}

// next returns the next non-empty line, or "EOF".
func (st *stream) next(t *testing.T) string {
	t.Helper()
	for {
		select {
		case l, ok := <-st.lines:
			if !ok {
				return "EOF"
			}
			if l != "" {
				return l
			}
		case <-time.After(5 * time.Second):
			t.Fatal("no line")
		}
	}
}

func TestEventStream(t *testing.T) {
	s := start(t, privittysim.WithPingInterval(20*time.Millisecond), privittysim.WithClientBuffer(2))
	st := open(t, s)
	if err := s.Wait(5*time.Second, func() bool { return s.Stats().Streams == 1 }); err != nil {
		t.Fatal(err)
	}
	// The buffer holds two events: read them before the next is made, so
	// a slow reader here does not overflow it.
	alice, _ := s.ConnectContact("alice", false)
	want := []string{
		`data: {"account_id":1,"contact_id":` + itoa(alice.ID) + `,"type":"ContactsChanged"}`,
		`data: {"account_id":1,"chat_id":` + itoa(alice.ChatID) + `,"chat_type":"Single","contact_id":` + itoa(alice.ID) + `,"progress":1000,"type":"SecurejoinInviterProgress"}`,
	}
	for _, w := range want {
		if got := skipPings(t, st); got != w {
			t.Fatalf("got %s\nwant %s", got, w)
		}
	}
	id, _ := s.ContactSend(alice.ChatID, "hi")
	if got, w := skipPings(t, st), `data: {"account_id":1,"chat_id":`+itoa(alice.ChatID)+`,"msg_id":`+itoa(id)+`,"type":"IncomingMsg"}`; got != w {
		t.Fatalf("got %s\nwant %s", got, w)
	}
	if err := s.Wait(5*time.Second, func() bool { return s.Stats().PingsSent > 0 }); err != nil {
		t.Fatal(err)
	}
	if l := st.next(t); l != ": ping" {
		t.Fatalf("keepalive %q", l)
	}
	// Overflow: a silent writer, three events for a buffer of two.
	s.Silence(true)
	for i := 0; i < 3; i++ {
		s.EmitRaw(`{"type":"X","n":` + itoa(int64(i)) + `}`)
	}
	s.Silence(false)
	if got := []string{skipPings(t, st), skipPings(t, st), skipPings(t, st), skipPings(t, st)}; got[0] != "event: lag" ||
		got[1] != `data: {"dropped":1}` || got[2] != `data: {"type":"X","n":0}` || got[3] != `data: {"type":"X","n":1}` {
		t.Fatalf("after overflow %q", got)
	}
	s.SendMalformed()
	if l := skipPings(t, st); !strings.HasPrefix(l, "data: {") || json.Valid([]byte(strings.TrimPrefix(l, "data: "))) {
		t.Fatalf("malformed line %q", l)
	}
	s.DropAfter(1)
	s.EmitRaw(`{"type":"Last"}`)
	s.EmitRaw(`{"type":"Lost"}`)
	if l := skipPings(t, st); l != `data: {"type":"Last"}` {
		t.Fatalf("last %q", l)
	}
	if l := skipPings(t, st); l != "EOF" {
		t.Fatalf("stream not closed after DropAfter: %q", l)
	}
	if err := s.Wait(5*time.Second, func() bool { return s.Stats().Streams == 0 }); err != nil {
		t.Fatal(err)
	}
	if st := s.Stats(); st.TotalStreams != 1 || st.LagsSent != 1 || st.EventsDropped != 1 {
		t.Fatalf("stats %+v", st)
	}
}

func skipPings(t *testing.T, st *stream) string {
	for {
		if l := st.next(t); l != ": ping" {
			return l
		}
	}
}

func itoa(n int64) string { b, _ := json.Marshal(n); return string(b) }

func TestDropStreamAndClose(t *testing.T) {
	s := start(t)
	st := open(t, s)
	if err := s.Wait(5*time.Second, func() bool { return s.Stats().Streams == 1 }); err != nil {
		t.Fatal(err)
	}
	s.DropStream()
	if l := st.next(t); l != "EOF" {
		t.Fatalf("after DropStream %q", l)
	}
	st2 := open(t, s)
	if err := s.Close(); err != nil {
		t.Fatal(err)
	}
	if l := st2.next(t); l != "EOF" {
		t.Fatalf("after Close %q", l)
	}
	if err := s.Close(); err != nil {
		t.Fatal("second Close:", err)
	}
}

func TestHealth(t *testing.T) {
	s := start(t)
	resp, err := http.Get(s.URL() + "/health")
	if err != nil {
		t.Fatal(err)
	}
	defer resp.Body.Close()
	var h map[string]string
	if err := json.NewDecoder(resp.Body).Decode(&h); err != nil || h["status"] != "ok" || h["service"] != "privitty-edged" {
		t.Fatalf("health %v %v", h, err)
	}
}

func TestScenarioErrors(t *testing.T) {
	s := start(t)
	alice, _ := s.ConnectContact("alice", false)
	gid, members, _ := s.NewGroup("g", "mia")
	for name, err := range map[string]error{
		"empty name":      func() error { _, err := s.ConnectContact("", false); return err }(),
		"no chat":         func() error { _, err := s.ContactSend(424242, "x"); return err }(),
		"group as 1:1":    func() error { _, err := s.ContactSend(gid, "x"); return err }(),
		"non-member":      func() error { _, err := s.MemberSend(gid, alice.ID, "x"); return err }(),
		"member-less grp": func() error { _, _, err := s.NewGroup("empty"); return err }(),
	} {
		if err == nil {
			t.Errorf("%s: no error", name)
		}
	}
	if _, err := s.MemberSend(gid, members[0], "ok"); err != nil {
		t.Fatal(err)
	}
}

// A person's account gets long texts cut, the whole behind
// get_message_html; Recreate starts ids and the key afresh; a frozen
// daemon answers nothing until it resumes.
func TestCutTextsRecreateFreeze(t *testing.T) {
	s := start(t, privittysim.WithBotFlag(false))
	alice, _ := s.ConnectContact("alice", false)
	long := "H1 " + strings.Repeat("x", privittysim.TruncateAt+10)
	id, _ := s.ContactSend(alice.ChatID, long)
	_, ans := rpc(t, s, call("get_message", 1, id))
	m := ans["result"].(map[string]any)
	if m["text"] != "H1 [...]" || m["hasHtml"] != true {
		t.Fatalf("cut message %v %v", m["text"], m["hasHtml"])
	}
	_, ans = rpc(t, s, call("get_message_html", 1, id))
	if h, _ := ans["result"].(string); !strings.Contains(h, long+"<br/>") || !strings.HasPrefix(h, "<!DOCTYPE html>") {
		t.Fatalf("html %.80q", h)
	}
	_, ans = rpc(t, s, call("get_info", 1))
	key := ans["result"].(map[string]any)["fingerprint"]

	s.Recreate()
	again, _ := s.ConnectContact("alice", false)
	_, ans = rpc(t, s, call("get_info", 1))
	if again.ID != alice.ID || again.ChatID != alice.ChatID || ans["result"].(map[string]any)["fingerprint"] == key {
		t.Fatalf("after Recreate: contact %d chat %d key %v (was %v)", again.ID, again.ChatID, ans["result"], key)
	}

	s.Freeze(true)
	ctx, cancel := context.WithTimeout(context.Background(), 50*time.Millisecond)
	defer cancel()
	req, _ := http.NewRequestWithContext(ctx, http.MethodGet, s.URL()+"/health", nil)
	if resp, err := http.DefaultClient.Do(req); err == nil {
		resp.Body.Close()
		t.Fatal("a frozen daemon answered")
	}
	if err := s.Wait(5*time.Second, func() bool { return s.Stats().Stalled == 1 }); err != nil {
		t.Fatalf("stats %+v: %v", s.Stats(), err)
	}
	s.Freeze(false)
	if code, _ := rpc(t, s, call("get_connectivity", 1)); code != 200 {
		t.Fatalf("after thawing: %d", code)
	}
}

// As in the core, events are for the listeners connected when they
// happen: a message that arrives while no stream is open stays fresh in
// the account (get_fresh_msgs, the chat's fresh counter) and is never
// pushed to a stream opened later.
func TestEventsWhileNobodyListensAreNotPushedLater(t *testing.T) {
	s := start(t, privittysim.WithPingInterval(20*time.Millisecond))
	alice, _ := s.ConnectContact("alice", false)
	id, _ := s.ContactSend(alice.ChatID, "while nobody listens")
	st := open(t, s)
	if err := s.Wait(5*time.Second, func() bool { return s.Stats().Streams == 1 }); err != nil {
		t.Fatal(err)
	}
	// The first line after a ping: an event queued before would come
	// first.
	if l := st.next(t); l != ": ping" {
		t.Fatalf("first line %q, want a ping: an event of before the stream was pushed", l)
	}
	if n := s.Stats().EventsSent; n != 0 {
		t.Fatalf("%d events sent to the stream opened after them", n)
	}
	_, fresh := rpc(t, s, call("get_fresh_msgs", 1))
	if ids, _ := fresh["result"].([]any); len(ids) != 1 || ids[0] != float64(id) {
		t.Fatalf("get_fresh_msgs %v, want [%d]", fresh, id)
	}
	if st, _ := s.MsgState(id); st != 10 {
		t.Fatalf("message state %d, want fresh (10)", st)
	}
}

// A drop that lands on an /rpc answer carries the call out, cuts the
// connection before the answer and closes the streams.
func TestDropAfterCutsAnAnswer(t *testing.T) {
	s := start(t)
	alice, err := s.ConnectContact("alice", false)
	if err != nil {
		t.Fatal(err)
	}
	st := open(t, s)
	if err := s.Wait(5*time.Second, func() bool { return s.Stats().Streams == 1 }); err != nil {
		t.Fatal(err)
	}
	s.DropAfter(1)
	resp, err := http.Post(s.URL()+"/rpc", "application/json", strings.NewReader(call("misc_send_text_message", 1, alice.ChatID, "cut")))
	if err == nil {
		resp.Body.Close()
		t.Fatalf("the cut call was answered: %s", resp.Status)
	}
	sent := s.BotSent()
	if len(sent) != 1 || sent[0].Text != "cut" {
		t.Fatalf("bot sent %+v, want the cut call carried out", sent)
	}
	// Events the call made may still be on their way; then the end.
	for i := 0; ; i++ {
		l := skipPings(t, st)
		if l == "EOF" {
			break
		}
		if i == 10 {
			t.Fatalf("stream not closed by the cut: %q", l)
		}
	}
	// The drop is spent: the next call is answered.
	if _, ans := rpc(t, s, call("misc_send_text_message", 1, alice.ChatID, "after")); errCode(ans) != 0 {
		t.Fatalf("call after the cut: %v", ans)
	}
}

// A call held by a frozen daemon whose client gave up meanwhile is not
// carried out when the daemon resumes.
func TestFrozenCallAbandonedByItsClientIsNotCarriedOut(t *testing.T) {
	s := start(t)
	alice, _ := s.ConnectContact("alice", false)
	s.Freeze(true)
	ctx, cancel := context.WithTimeout(context.Background(), 50*time.Millisecond)
	defer cancel()
	body := call("misc_send_text_message", 1, alice.ChatID, "too late")
	req, _ := http.NewRequestWithContext(ctx, http.MethodPost, s.URL()+"/rpc", strings.NewReader(body))
	req.Header.Set("Content-Type", "application/json")
	if resp, err := http.DefaultClient.Do(req); err == nil {
		resp.Body.Close()
		t.Fatal("a frozen daemon answered")
	}
	if err := s.Wait(5*time.Second, func() bool { return s.Stats().Abandoned == 1 }); err != nil {
		t.Fatalf("stats %+v: the daemon never saw its client go: %v", s.Stats(), err)
	}
	s.Freeze(false)
	if code, _ := rpc(t, s, call("get_connectivity", 1)); code != 200 {
		t.Fatalf("after thawing: %d", code)
	}
	if sent := s.BotSent(); len(sent) != 0 {
		t.Fatalf("the abandoned call was carried out: %v", sent)
	}
}
