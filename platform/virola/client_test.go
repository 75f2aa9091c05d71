package virola_test

import (
	"context"
	"crypto/ecdsa"
	"crypto/elliptic"
	"crypto/rand"
	"crypto/x509"
	"crypto/x509/pkix"
	"errors"
	"math/big"
	"testing"
	"time"

	"github.com/parleybot/parley/platform/virola"
	"github.com/parleybot/parley/platform/virola/virolasim"
)

func startSim(t *testing.T, opts ...virolasim.Option) *virolasim.Server {
	t.Helper()
	s := virolasim.New(opts...)
	if err := s.Start(); err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() { _ = s.Close() })
	return s
}

func ctxT(t *testing.T) context.Context {
	ctx, cancel := context.WithTimeout(context.Background(), 10*time.Second)
	t.Cleanup(cancel)
	return ctx
}

func TestClientCommands(t *testing.T) {
	s := startSim(t)
	b := s.AddUser("bot", "Bot", "pw")
	a := s.AddUser("alice", "Alice", "pa")
	room, _ := s.NewPublicRoom("club", b.UserID, a.UserID)
	ctx := ctxT(t)
	c := virola.NewClient(s.URL(), virola.WithToken(s.Token(b.UserID)))
	st, err := c.Status(ctx)
	if err != nil || st.UserID != b.UserID || c.Self() != b.UserID {
		t.Fatalf("status %+v %v", st, err)
	}
	rooms, err := c.ListRooms(ctx)
	if err != nil || len(rooms) != 1 || rooms[0].RoomType != virola.RoomPublic {
		t.Fatalf("rooms %+v %v", rooms, err)
	}
	if err := c.SendMessage(ctx, room.RoomID, "one"); err != nil {
		t.Fatal(err)
	}
	m2, _ := s.Post(a.UserID, room.RoomID, "two")
	if err := c.PostComment(ctx, m2.MessageID, "re two"); err != nil {
		t.Fatal(err)
	}
	all, err := c.ListMessages(ctx, room.RoomID, virola.Page{})
	if err != nil || len(all.Messages) != 2 || all.Messages[0].Text != "one" || all.Messages[1].CommentCount != 1 {
		t.Fatalf("list %+v %v", all, err)
	}
	after, _ := c.ListMessages(ctx, room.RoomID, virola.Page{Cursor: all.Messages[0].MessageID, Limit: 5, Direction: virola.Forward})
	if n := len(after.Messages); n != 2 { // the simulator includes the cursor by default
		t.Fatalf("forward from the cursor: %d messages", n)
	}
	cs, err := c.ListComments(ctx, m2.MessageID, virola.Page{})
	if err != nil || len(cs.Messages) != 1 || !cs.Messages[0].IsComment() {
		t.Fatalf("comments %+v %v", cs, err)
	}
	if err := c.MarkRead(ctx, m2.MessageID); err != nil {
		t.Fatal(err)
	}
	if m, _ := s.Message(m2.MessageID); len(m.ReadTimestamps) != 1 {
		t.Fatalf("read marks %+v", m.ReadTimestamps)
	}
	perms, err := c.ListRoomPermissions(ctx, room.RoomID)
	if err != nil || !perms.Permissions.CanSendMessagesInMainThread {
		t.Fatalf("permissions %+v %v", perms, err)
	}
	users, err := c.ListUsers(ctx)
	if err != nil || len(users) != 2 {
		t.Fatalf("users %+v %v", users, err)
	}
	own := all.Messages[0].MessageID
	if err := c.UploadAttachments(ctx, own, []virola.Upload{{Name: "a.txt", Data: []byte("hello")}}); err != nil {
		t.Fatal(err)
	}
	m, _ := s.Message(own)
	att := m.Attachments[0]
	info, err := c.GetAttachment(ctx, att.AttachmentID)
	if err != nil || info.FileSize != 5 {
		t.Fatalf("attachment %+v %v", info, err)
	}
	data, err := c.DownloadAttachment(ctx, att.AttachmentID, "a.txt", 0)
	if err != nil || string(data) != "hello" {
		t.Fatalf("download %q %v", data, err)
	}
	if err := c.DeleteAttachment(ctx, att.AttachmentID); err != nil {
		t.Fatal(err)
	}
	if _, err := c.GetAttachment(ctx, att.AttachmentID); !virola.IsNotFound(err) {
		t.Fatalf("deleted attachment: %v", err)
	}
	if err := c.DeleteMessage(ctx, own); err != nil {
		t.Fatal(err)
	}
	var ae *virola.APIError
	if err := c.DeleteMessage(ctx, m2.MessageID); !errors.As(err, &ae) || ae.Status != 403 {
		t.Fatalf("deleting another's message: %v", err)
	}
}

func TestPermissionRefused(t *testing.T) {
	s := startSim(t)
	b := s.AddUser("bot", "Bot", "pw")
	a := s.AddUser("alice", "Alice", "pa")
	room, _ := s.NewPublicRoom("announcements", b.UserID, a.UserID)
	_ = s.SetPermissions(room.RoomID, b.UserID, virola.Permissions{})
	c := virola.NewClient(s.URL(), virola.WithToken(s.Token(b.UserID)))
	var ae *virola.APIError
	if err := c.SendMessage(ctxT(t), room.RoomID, "x"); !errors.As(err, &ae) || ae.Status != 403 {
		t.Fatalf("err %v, want 403", err)
	}
}

func TestRenewedTokenIsUnauthorized(t *testing.T) {
	s := startSim(t)
	b := s.AddUser("bot", "Bot", "pw")
	c := virola.NewClient(s.URL(), virola.WithToken(s.Token(b.UserID)))
	s.RenewToken(b.UserID)
	_, err := c.ListRooms(ctxT(t))
	var ae *virola.APIError
	if !errors.As(err, &ae) || !ae.Unauthorized() || ae.Text != "Wrong Bearer, please renew Web API Access Token" {
		t.Fatalf("err %v", err)
	}
}

func TestWrongPassword(t *testing.T) {
	s := startSim(t)
	s.AddUser("bot", "Bot", "pw")
	c := virola.NewClient(s.URL(), virola.WithLogin("bot", "nope"))
	if _, err := c.ListRooms(ctxT(t)); !virola.IsUnauthorized(err) {
		t.Fatalf("err %v", err)
	}
}

// An expired session is renewed by a new login, and the call goes
// through.
func TestExpiredSessionLogsInAgain(t *testing.T) {
	s := startSim(t)
	s.AddUser("bot", "Bot", "pw")
	c := virola.NewClient(s.URL(), virola.WithLogin("bot", "pw"))
	ctx := ctxT(t)
	if _, err := c.ListRooms(ctx); err != nil {
		t.Fatal(err)
	}
	s.ExpireSessions()
	if _, err := c.ListRooms(ctx); err != nil {
		t.Fatal(err)
	}
	if c.Logins() != 2 {
		t.Fatalf("%d logins, want 2", c.Logins())
	}
}

// A socket that takes only the cookie makes the client log in.
func TestEventsFallBackToCookie(t *testing.T) {
	s := startSim(t, virolasim.WithEventsCookieOnly(true))
	b := s.AddUser("bot", "Bot", "pw")
	ctx := ctxT(t)
	only := virola.NewClient(s.URL(), virola.WithToken(s.Token(b.UserID)))
	if _, err := only.DialEvents(ctx); !virola.IsUnauthorized(err) {
		t.Fatalf("token only: %v, want 401", err)
	}
	both := virola.NewClient(s.URL(), virola.WithToken(s.Token(b.UserID)), virola.WithLogin("bot", "pw"))
	conn, err := both.DialEvents(ctx)
	if err != nil {
		t.Fatal(err)
	}
	defer conn.CloseNow()
	if both.Logins() != 1 {
		t.Fatalf("%d logins", both.Logins())
	}
	if _, err := both.ListRooms(ctx); err != nil { // REST keeps the token
		t.Fatal(err)
	}
}

func TestTLS(t *testing.T) {
	s := startSim(t, virolasim.WithTLS(true))
	b := s.AddUser("bot", "Bot", "pw")
	ctx := ctxT(t)
	tok := virola.WithToken(s.Token(b.UserID))
	if _, err := virola.NewClient(s.URL(), tok).ListRooms(ctx); err == nil || !errors.Is(err, virola.ErrNotSent) {
		t.Fatalf("self-signed without pinning: %v, want a refused handshake", err)
	}
	pinned := virola.NewClient(s.URL(), tok, virola.WithPinnedCertificate(s.Certificate()))
	if _, err := pinned.ListRooms(ctx); err != nil {
		t.Fatal(err)
	}
	if pinned.TLSWarning() == "" {
		t.Fatal("no warning for a pinned certificate")
	}
	if _, err := virola.NewClient(s.URL(), tok, virola.WithPinnedCertificate(otherCert(t))).ListRooms(ctx); err == nil {
		t.Fatal("a different pinned certificate was accepted")
	}
	insecure := virola.NewClient(s.URL(), tok, virola.WithInsecureTLS(true))
	if _, err := insecure.ListRooms(ctx); err != nil || insecure.TLSWarning() == "" {
		t.Fatalf("insecure: %v, warning %q", err, insecure.TLSWarning())
	}
	conn, err := pinned.DialEvents(ctx)
	if err != nil {
		t.Fatal(err)
	}
	conn.CloseNow()
}

func TestErrorBodies(t *testing.T) {
	s := startSim(t)
	b := s.AddUser("bot", "Bot", "pw")
	c := virola.NewClient(s.URL(), virola.WithToken(s.Token(b.UserID)))
	s.FailNext("GET /api/v1/rooms", 500, "Internal server error")
	var ae *virola.APIError
	if _, err := c.ListRooms(ctxT(t)); !errors.As(err, &ae) || ae.Status != 500 || ae.Text != "Internal server error" || ae.Path != "/api/v1/rooms" {
		t.Fatalf("err %v", err)
	}
	if _, err := virola.NewClient("ftp://x").ListRooms(ctxT(t)); err == nil {
		t.Fatal("bad URL accepted")
	}
	if _, err := virola.NewClient(s.URL()).ListRooms(ctxT(t)); !errors.Is(err, virola.ErrNoCredentials) {
		t.Fatalf("no credentials: %v", err)
	}
}

// otherCert is a self-signed certificate that is not the server's.
func otherCert(t *testing.T) *x509.Certificate {
	key, err := ecdsa.GenerateKey(elliptic.P256(), rand.Reader)
	if err != nil {
		t.Fatal(err)
	}
	tmpl := &x509.Certificate{SerialNumber: big.NewInt(1), Subject: pkix.Name{CommonName: "127.0.0.1"},
		NotBefore: time.Now().Add(-time.Hour), NotAfter: time.Now().Add(time.Hour), DNSNames: []string{"localhost"}}
	der, err := x509.CreateCertificate(rand.Reader, tmpl, tmpl, &key.PublicKey, key)
	if err != nil {
		t.Fatal(err)
	}
	c, err := x509.ParseCertificate(der)
	if err != nil {
		t.Fatal(err)
	}
	return c
}
