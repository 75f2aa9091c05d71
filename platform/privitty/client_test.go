package privitty_test

import (
	"context"
	"errors"
	"io"
	"net"
	"net/http"
	"net/http/httptest"
	"strings"
	"sync"
	"testing"
	"time"

	"go.uber.org/goleak"

	"github.com/parleybot/parley/platform/privitty"
	"github.com/parleybot/parley/platform/privitty/privittysim"
)

func TestMain(m *testing.M) { soakChild(); goleak.VerifyTestMain(m) }

func newSim(t testing.TB, opts ...privittysim.Option) *privittysim.Sim {
	t.Helper()
	sim := privittysim.New(opts...)
	if err := sim.Start(); err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() { _ = sim.Close() })
	return sim
}

func ctxT(t testing.TB) context.Context {
	ctx, cancel := context.WithTimeout(context.Background(), 10*time.Second)
	t.Cleanup(cancel)
	return ctx
}

func TestClientTypedMethods(t *testing.T) {
	sim := newSim(t)
	c := privitty.NewClient(sim.URL())
	ctx := ctxT(t)
	acct, err := c.ResolveAccount(ctx)
	if err != nil || acct != 1 {
		t.Fatalf("account %d, %v", acct, err)
	}
	h, err := c.Health(ctx)
	if err != nil || h.Status != "ok" || h.Service != "privitty-edged" {
		t.Fatalf("health %+v, %v", h, err)
	}
	if v, ok, err := c.GetConfig(ctx, "displayname"); err != nil || !ok || v != "parley" {
		t.Fatalf("displayname %q %v %v", v, ok, err)
	}
	if _, ok, err := c.GetConfig(ctx, "nonexistent"); err != nil || ok {
		t.Fatalf("unset key: ok=%v err=%v", ok, err)
	}
	if err := c.SetConfig(ctx, "selfstatus", "a bot"); err != nil {
		t.Fatal(err)
	}
	if n, err := c.GetConnectivity(ctx); err != nil || n < 4000 {
		t.Fatalf("connectivity %d, %v", n, err)
	}

	alice, _ := sim.ConnectContact("alice", false)
	id, _ := sim.ContactSend(alice.ChatID, "hello")
	m, err := c.GetMessage(ctx, id)
	if err != nil || m.Text != "hello" || m.FromID != alice.ID || m.Sender.DisplayName != "alice" || !m.Incoming() {
		t.Fatalf("message %+v, %v", m, err)
	}
	chat, err := c.GetChat(ctx, alice.ChatID)
	if err != nil || chat.ChatType != privitty.ChatSingle || chat.Name != "alice" || chat.IsContactRequest {
		t.Fatalf("chat %+v, %v", chat, err)
	}
	members, err := c.GetChatContacts(ctx, alice.ChatID)
	if err != nil || len(members) != 1 || members[0] != alice.ID {
		t.Fatalf("chat contacts %v, %v", members, err)
	}
	ct, err := c.GetContact(ctx, alice.ID)
	if err != nil || ct.DisplayName != "alice" {
		t.Fatalf("contact %+v, %v", ct, err)
	}
	sent, err := c.SendMsg(ctx, alice.ChatID, privitty.MessageData{Text: "hi back", QuotedMessageID: id})
	if err != nil || sent <= id {
		t.Fatalf("send_msg %d, %v", sent, err)
	}
	if got := sim.BotSent(); len(got) != 1 || got[0].Text != "hi back" || got[0].QuotedMessageID != id {
		t.Fatalf("sim saw %+v", got)
	}
	fresh, err := c.GetFreshMsgs(ctx)
	if err != nil || len(fresh) != 1 || fresh[0] != id {
		t.Fatalf("fresh %v, %v", fresh, err)
	}
	// markseen_msgs answers HTTP 204: success without a result.
	if err := c.MarkseenMsgs(ctx, []int64{id}); err != nil {
		t.Fatal(err)
	}
	if st, _ := sim.MsgState(id); st != privitty.StateInSeen {
		t.Fatalf("state after markseen %d", st)
	}
	if next, err := c.GetNextMsgs(ctx); err != nil || len(next) != 0 {
		t.Fatalf("next after markseen %v, %v", next, err)
	}
	res, err := c.GetMessages(ctx, []int64{id, 99999})
	if err != nil || res[id].Message == nil || res[99999].Error == "" {
		t.Fatalf("get_messages %+v, %v", res, err)
	}
	qr, err := c.GetChatSecurejoinQRCode(ctx, 0)
	if err != nil || !strings.HasPrefix(qr, "https://i.privittytech.com/#") {
		t.Fatalf("qr %q, %v", qr, err)
	}
	joined, err := c.SecureJoin(ctx, qr)
	if err != nil || joined == 0 {
		t.Fatalf("secure_join %d, %v", joined, err)
	}
	f, err := c.PrivittySendFile(ctx, alice.ChatID, alice.ID, "/data/report.pdf", privitty.PrivittyFileOptions{AllowDownload: true, DurationMinutes: 60})
	if err != nil || f.EncryptedPath != "/data/report.pdf.prv" {
		t.Fatalf("privitty_send_file %+v, %v", f, err)
	}
}

func TestClientErrors(t *testing.T) {
	sim := newSim(t)
	c := privitty.NewClient(sim.URL())
	ctx := ctxT(t)
	cases := []struct {
		name  string
		setup func()
		call  func() error
		code  int
	}{
		{"unknown method", nil, func() error { _, err := c.Call(ctx, "no_such_method", 1); return err }, privitty.CodeMethodNotFound},
		{"bad params", nil, func() error { _, err := c.Call(ctx, "get_message", 1, "x"); return err }, privitty.CodeInvalidParams},
		{"missing message", nil, func() error { _, err := c.GetMessage(ctx, 424242); return err }, privitty.CodeInternalError},
		{"injected", func() { sim.FailNext("get_connectivity", -1, "boom") }, func() error { _, err := c.GetConnectivity(ctx); return err }, -1},
		{"license", func() { sim.SetLicense("expired") }, func() error {
			_, err := c.PrivittySendGroupFile(ctx, 7)
			return err
		}, privitty.CodeLicenseRequired},
	}
	for _, tc := range cases {
		t.Run(tc.name, func(t *testing.T) {
			if tc.setup != nil {
				tc.setup()
			}
			err := tc.call()
			var re *privitty.RPCError
			if !errors.As(err, &re) || re.Code != tc.code {
				t.Fatalf("error %v, want code %d", err, tc.code)
			}
			if privitty.IsLicenseError(err) != (tc.code == privitty.CodeLicenseRequired) {
				t.Fatalf("IsLicenseError(%v) wrong", err)
			}
			if tc.code == privitty.CodeLicenseRequired && re.LicenseStatus() != "expired" {
				t.Fatalf("license status %q", re.LicenseStatus())
			}
		})
	}
}

// wireServer answers /rpc with a fixed status and body.
func wireServer(t *testing.T, status int, body string) *httptest.Server {
	srv := httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		_, _ = io.Copy(io.Discard, r.Body)
		w.WriteHeader(status)
		_, _ = io.WriteString(w, body)
	}))
	t.Cleanup(srv.Close)
	return srv
}

func TestClientWireEdgeCases(t *testing.T) {
	cases := []struct {
		name   string
		status int
		body   string
		check  func(raw []byte, err error) bool
	}{
		{"204 is success", 204, "", func(raw []byte, err error) bool { return err == nil && raw == nil }},
		{"null result", 200, `{"jsonrpc":"2.0","result":null,"id":1}`, func(raw []byte, err error) bool { return err == nil && raw == nil }},
		{"result", 200, `{"jsonrpc":"2.0","result":[1,2],"id":1}`, func(raw []byte, err error) bool { return err == nil && string(raw) == "[1,2]" }},
		{"proxy error", 502, "bad gateway", func(_ []byte, err error) bool {
			var he *privitty.HTTPError
			return errors.As(err, &he) && he.Status == 502 && he.Body == "bad gateway"
		}},
		{"not json", 200, "<html>", func(_ []byte, err error) bool { return errors.Is(err, privitty.ErrProtocol) }},
		{"wrong id", 200, `{"jsonrpc":"2.0","result":1,"id":77}`, func(_ []byte, err error) bool { return errors.Is(err, privitty.ErrProtocol) }},
		{"error with data", 200, `{"jsonrpc":"2.0","error":{"code":-32603,"message":"m","data":{"k":1}},"id":1}`, func(_ []byte, err error) bool {
			var re *privitty.RPCError
			return errors.As(err, &re) && string(re.Data) == `{"k":1}` && re.Method == "ping"
		}},
	}
	for _, tc := range cases {
		t.Run(tc.name, func(t *testing.T) {
			c := privitty.NewClient(wireServer(t, tc.status, tc.body).URL)
			raw, err := c.Call(ctxT(t), "ping")
			if !tc.check(raw, err) {
				t.Fatalf("got %q, %v", raw, err)
			}
		})
	}
}

func TestClientNotSentVersusOutcomeUnknown(t *testing.T) {
	// Nothing listens: the request is never written.
	ln, err := net.Listen("tcp", "127.0.0.1:0")
	if err != nil {
		t.Fatal(err)
	}
	addr := ln.Addr().String()
	ln.Close()
	_, err = privitty.NewClient("http://"+addr).Call(ctxT(t), "send_msg", 1, 7, map[string]string{"text": "x"})
	if !errors.Is(err, privitty.ErrNotSent) {
		t.Fatalf("dead daemon: %v, want ErrNotSent", err)
	}

	// The daemon takes the request and never answers: the per-call
	// deadline ends it with an unknown outcome.
	release := make(chan struct{})
	var wg sync.WaitGroup
	srv := httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		wg.Add(1)
		defer wg.Done()
		_, _ = io.Copy(io.Discard, r.Body)
		select {
		case <-release:
		case <-r.Context().Done():
		}
	}))
	defer func() { close(release); srv.Close(); wg.Wait() }()
	c := privitty.NewClient(srv.URL, privitty.WithCallTimeout(50*time.Millisecond))
	_, err = c.Call(context.Background(), "send_msg", 1, 7, map[string]string{"text": "x"})
	if !errors.Is(err, privitty.ErrOutcomeUnknown) || !errors.Is(err, context.DeadlineExceeded) {
		t.Fatalf("silent daemon: %v, want ErrOutcomeUnknown after the deadline", err)
	}
}

func TestClientSendsHeadersAndPositionalParams(t *testing.T) {
	got := make(chan *http.Request, 1)
	bodies := make(chan string, 1)
	srv := httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		b, _ := io.ReadAll(r.Body)
		got <- r
		bodies <- string(b)
		w.WriteHeader(http.StatusNoContent)
	}))
	defer srv.Close()
	c := privitty.NewClient(srv.URL+"/", privitty.WithHeaders(http.Header{"Authorization": {"Bearer proxy"}}), privitty.WithAccount(3))
	if err := c.AcceptChat(ctxT(t), 12); err != nil {
		t.Fatal(err)
	}
	r := <-got
	if r.URL.Path != "/rpc" || r.Method != http.MethodPost || r.Header.Get("Authorization") != "Bearer proxy" {
		t.Fatalf("request %s %s %v", r.Method, r.URL.Path, r.Header)
	}
	if b := <-bodies; !strings.Contains(b, `"method":"accept_chat","params":[3,12]`) || !strings.Contains(b, `"jsonrpc":"2.0"`) {
		t.Fatalf("body %s", b)
	}
}

func TestCallDeadlineAgainstSlowDaemon(t *testing.T) {
	sim := newSim(t)
	sim.SetDelay(time.Second)
	c := privitty.NewClient(sim.URL(), privitty.WithCallTimeout(30*time.Millisecond))
	if _, err := c.GetConnectivity(context.Background()); !errors.Is(err, privitty.ErrOutcomeUnknown) {
		t.Fatalf("slow answer: %v, want ErrOutcomeUnknown", err)
	}
	// A deadline of the caller's own wins over the call timeout.
	sim.SetDelay(50 * time.Millisecond)
	ctx, cancel := context.WithTimeout(context.Background(), 5*time.Second)
	defer cancel()
	if _, err := c.GetConnectivity(ctx); err != nil {
		t.Fatalf("with the caller's deadline: %v", err)
	}
}
