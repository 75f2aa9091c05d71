package olvidsim_test

import (
	"context"
	"errors"
	"io"
	"testing"
	"time"

	"google.golang.org/grpc"
	"google.golang.org/grpc/codes"
	"google.golang.org/grpc/credentials/insecure"
	"google.golang.org/grpc/metadata"
	"google.golang.org/grpc/status"
	"google.golang.org/protobuf/proto"

	pb "github.com/parleybot/parley/platform/olvid/olvidpb"
	"github.com/parleybot/parley/platform/olvid/olvidsim"
)

const wait = 10 * time.Second

func start(t testing.TB, opts ...olvidsim.Option) (*olvidsim.Sim, *grpc.ClientConn) {
	t.Helper()
	s := olvidsim.New(opts...)
	if err := s.Start(); err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() { _ = s.Close() })
	conn, err := grpc.NewClient(s.Addr(), grpc.WithTransportCredentials(insecure.NewCredentials()))
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() { _ = conn.Close() })
	return s, conn
}

func authed(key string) context.Context {
	return metadata.AppendToOutgoingContext(context.Background(), "daemon-client-key", key)
}

func code(err error) codes.Code { return status.Code(err) }

// received opens a MessageReceived stream and returns a function that
// reads the next notification.
func received(t *testing.T, ctx context.Context, conn *grpc.ClientConn, sub *pb.SubscribeToMessageReceivedNotification) func() (*pb.Message, error) {
	t.Helper()
	st, err := pb.NewMessageNotificationServiceClient(conn).MessageReceived(ctx, sub)
	if err != nil {
		t.Fatal(err)
	}
	if _, err := st.Header(); err != nil {
		t.Fatal(err)
	}
	return func() (*pb.Message, error) {
		n, err := st.Recv()
		return n.GetMessage(), err
	}
}

func TestAuthentication(t *testing.T) {
	s, conn := start(t, olvidsim.WithAdminKey("admin"))
	tool := pb.NewToolCommandServiceClient(conn)
	if _, err := tool.Ping(context.Background(), &pb.PingRequest{}); err != nil {
		t.Fatalf("Ping needs no key: %v", err)
	}
	id := pb.NewIdentityCommandServiceClient(conn)
	for _, tc := range []struct {
		ctx  context.Context
		want codes.Code
	}{
		{context.Background(), codes.Unauthenticated},
		{authed("nope"), codes.Unauthenticated},
		{authed(s.ClientKey()), codes.OK},
		{authed("admin"), codes.Unauthenticated},
		{metadata.AppendToOutgoingContext(authed("admin"), "daemon-identity-id", "1"), codes.OK},
		{metadata.AppendToOutgoingContext(authed("admin"), "daemon-identity-id", "9"), codes.Unauthenticated},
	} {
		_, err := id.IdentityGet(tc.ctx, &pb.IdentityGetRequest{})
		if code(err) != tc.want {
			t.Errorf("IdentityGet = %v, want %s", err, tc.want)
		}
	}
	st, err := pb.NewMessageNotificationServiceClient(conn).MessageReceived(context.Background(), &pb.SubscribeToMessageReceivedNotification{})
	if err == nil {
		_, err = st.Recv()
	}
	if code(err) != codes.Unauthenticated {
		t.Errorf("stream without key: %v", err)
	}
	if n := s.Stats().Unauthenticated; n != 5 {
		t.Errorf("%d refused calls counted, want 5", n)
	}
}

// A message is read once notified or listed; MessageList{unread} leaves
// read messages out; inbound and outbound ids are separate.
func TestUnreadAndIDSpaces(t *testing.T) {
	s, conn := start(t)
	ctx := authed(s.ClientKey())
	c := s.AddContact("ann")
	in1, _ := s.ContactSend(c.DiscussionID, "one")
	msgs := pb.NewMessageCommandServiceClient(conn)
	sent, err := msgs.MessageSend(ctx, &pb.MessageSendRequest{DiscussionId: c.DiscussionID, Body: "reply"})
	if err != nil {
		t.Fatal(err)
	}
	if in1 != 1 || sent.Message.Id.Type != pb.MessageId_TYPE_OUTBOUND || sent.Message.Id.Id != 1 || sent.Message.SenderId != 0 {
		t.Fatalf("ids: inbound %d, outbound %v sender %d; want 1 and 1, sender 0", in1, sent.Message.Id, sent.Message.SenderId)
	}
	sctx, cancel := context.WithCancel(ctx)
	defer cancel()
	next := received(t, sctx, conn, &pb.SubscribeToMessageReceivedNotification{})
	in2, _ := s.ContactSend(c.DiscussionID, "two")
	if m, err := next(); err != nil || m.Id.Id != in2 {
		t.Fatalf("notified %v, %v", m, err)
	}
	in3, _ := s.ContactSend(c.DiscussionID, "three") // notified as well
	if m, err := next(); err != nil || m.Id.Id != in3 {
		t.Fatalf("notified %v, %v", m, err)
	}
	cancel()
	waitFor(t, func() bool { return s.Subscribers("MessageReceived") == 0 })
	in4, _ := s.ContactSend(c.DiscussionID, "four") // nobody listens
	list := func() []uint64 {
		st, err := msgs.MessageList(ctx, &pb.MessageListRequest{Unread: proto.Bool(true)})
		if err != nil {
			t.Fatal(err)
		}
		var ids []uint64
		for {
			r, err := st.Recv()
			if errors.Is(err, io.EOF) {
				return ids
			}
			if err != nil {
				t.Fatal(err)
			}
			for _, m := range r.Messages {
				ids = append(ids, m.Id.Id)
			}
		}
	}
	if got := list(); len(got) != 2 || got[0] != in1 || got[1] != in4 {
		t.Fatalf("unread %v, want [%d %d]", got, in1, in4)
	}
	if got := list(); len(got) != 0 {
		t.Fatalf("listing twice: %v still unread", got)
	}
}

func waitFor(t *testing.T, cond func() bool) {
	t.Helper()
	deadline := time.Now().Add(wait)
	for !cond() {
		if time.Now().After(deadline) {
			t.Fatal("condition not met")
		}
		time.Sleep(time.Millisecond)
	}
}

// count ends a stream with OK after that many notifications; filters
// choose which.
func TestCountAndFilter(t *testing.T) {
	s, conn := start(t)
	ctx := authed(s.ClientKey())
	a, b := s.AddContact("a"), s.AddContact("b")
	next := received(t, ctx, conn, &pb.SubscribeToMessageReceivedNotification{Count: proto.Uint64(2),
		Filter: &pb.MessageFilter{DiscussionId: proto.Uint64(b.DiscussionID), BodySearch: proto.String("^keep")}})
	s.ContactSend(a.DiscussionID, "keep: other discussion")
	s.ContactSend(b.DiscussionID, "drop: no match")
	k1, _ := s.ContactSend(b.DiscussionID, "keep 1")
	k2, _ := s.ContactSend(b.DiscussionID, "keep 2")
	s.ContactSend(b.DiscussionID, "keep 3")
	for _, want := range []uint64{k1, k2} {
		if m, err := next(); err != nil || m.Id.Id != want {
			t.Fatalf("got %v, %v; want message %d", m, err, want)
		}
	}
	if _, err := next(); !errors.Is(err, io.EOF) {
		t.Fatalf("after the count: %v, want the end of the stream", err)
	}
	// A bad expression is refused.
	st, err := pb.NewMessageNotificationServiceClient(conn).MessageReceived(ctx, &pb.SubscribeToMessageReceivedNotification{Filter: &pb.MessageFilter{BodySearch: proto.String("(")}})
	if err == nil {
		_, err = st.Recv()
	}
	if code(err) != codes.InvalidArgument {
		t.Fatalf("bad regexp: %v", err)
	}
	// Unknown ids in a subscription are NOT_FOUND; inbound ones where
	// outbound are needed INVALID_ARGUMENT.
	up, err := pb.NewMessageNotificationServiceClient(conn).MessageUploaded(ctx, &pb.SubscribeToMessageUploadedNotification{MessageIds: []*pb.MessageId{{Type: pb.MessageId_TYPE_INBOUND, Id: k1}}})
	if err == nil {
		_, err = up.Recv()
	}
	if code(err) != codes.InvalidArgument {
		t.Fatalf("uploaded for an inbound id: %v", err)
	}
	del, err := pb.NewMessageNotificationServiceClient(conn).MessageDeleted(ctx, &pb.SubscribeToMessageDeletedNotification{MessageIds: []*pb.MessageId{{Type: pb.MessageId_TYPE_INBOUND, Id: 999}}})
	if err == nil {
		_, err = del.Recv()
	}
	if code(err) != codes.NotFound {
		t.Fatalf("unknown id: %v", err)
	}
}

// Faults: cut streams end with UNAVAILABLE and new ones get what comes
// next; FailNext answers one call with an error; dropped connections are
// counted.
func TestFaults(t *testing.T) {
	s, conn := start(t)
	ctx := authed(s.ClientKey())
	c := s.AddContact("c")
	for round := range 3 {
		next := received(t, ctx, conn, &pb.SubscribeToMessageReceivedNotification{})
		id, _ := s.ContactSend(c.DiscussionID, "hello")
		if m, err := next(); err != nil || m.Id.Id != id {
			t.Fatalf("round %d: got %v, %v", round, m, err)
		}
		s.CutStreams()
		if _, err := next(); code(err) != codes.Unavailable {
			t.Fatalf("round %d: after the cut: %v", round, err)
		}
	}
	s.FailNext("MessageSend", codes.Internal, "boom")
	msgs := pb.NewMessageCommandServiceClient(conn)
	if _, err := msgs.MessageSend(ctx, &pb.MessageSendRequest{DiscussionId: c.DiscussionID, Body: "x"}); code(err) != codes.Internal {
		t.Fatalf("FailNext: %v", err)
	}
	if _, err := msgs.MessageSend(ctx, &pb.MessageSendRequest{DiscussionId: c.DiscussionID, Body: "x"}); err != nil {
		t.Fatalf("after FailNext: %v", err)
	}
	if _, err := msgs.MessageSend(ctx, &pb.MessageSendRequest{DiscussionId: c.DiscussionID, Body: "  "}); code(err) != codes.InvalidArgument {
		t.Fatalf("blank body: %v", err)
	}
	if _, err := msgs.MessageSend(ctx, &pb.MessageSendRequest{DiscussionId: 99, Body: "x"}); code(err) != codes.NotFound {
		t.Fatalf("unknown discussion: %v", err)
	}
	s.SetUnavailable(true)
	if _, err := msgs.MessageSend(ctx, &pb.MessageSendRequest{DiscussionId: c.DiscussionID, Body: "x"}); code(err) != codes.Unavailable {
		t.Fatalf("unavailable: %v", err)
	}
	s.SetUnavailable(false)
	next := received(t, ctx, conn, &pb.SubscribeToMessageReceivedNotification{})
	s.DropAfter(1)
	s.ContactSend(c.DiscussionID, "last")
	for {
		if _, err := next(); err != nil {
			if code(err) != codes.Unavailable {
				t.Fatalf("after the drop: %v", err)
			}
			break
		}
	}
	if st := s.Stats(); st.TotalConns != 1 {
		t.Fatalf("stats %+v", st)
	}
	waitFor(t, func() bool { return s.Stats().Conns == 0 })
}

// TestDropEveryCutsUnaryAnswers: DropEvery counts unary answers as frames;
// a cut call was carried out, yet its client sees UNAVAILABLE, and the
// drops repeat until DropEvery(0).
func TestDropEveryCutsUnaryAnswers(t *testing.T) {
	s := olvidsim.New()
	if err := s.Start(); err != nil {
		t.Fatal(err)
	}
	defer s.Close()
	cc, err := grpc.NewClient(s.Addr(), grpc.WithTransportCredentials(insecure.NewCredentials()))
	if err != nil {
		t.Fatal(err)
	}
	defer cc.Close()
	ctx := metadata.AppendToOutgoingContext(context.Background(), "daemon-client-key", s.ClientKey())
	cut := 0
	s.DropEvery(2)
	for range 6 {
		err := cc.Invoke(ctx, pb.ToolCommandService_Ping_FullMethodName, &pb.PingRequest{}, &pb.PingResponse{})
		if status.Code(err) == codes.Unavailable {
			cut++
		} else if err != nil {
			t.Fatal(err)
		}
	}
	if cut != 3 || s.Stats().Drops != 3 {
		t.Fatalf("cut %d calls, %d drops; want 3 and 3", cut, s.Stats().Drops)
	}
	s.DropEvery(0)
	if err := cc.Invoke(ctx, pb.ToolCommandService_Ping_FullMethodName, &pb.PingRequest{}, &pb.PingResponse{}); err != nil {
		t.Fatal(err)
	}
}

// TestHoldCarriesOutACallWhoseConnectionDropped: a held call's client
// sees the drop, yet the call is carried out once released, as a daemon
// runs a command it received.
func TestHoldCarriesOutACallWhoseConnectionDropped(t *testing.T) {
	s := olvidsim.New()
	if err := s.Start(); err != nil {
		t.Fatal(err)
	}
	defer s.Close()
	c := s.AddContact("alice")
	cc, err := grpc.NewClient(s.Addr(), grpc.WithTransportCredentials(insecure.NewCredentials()))
	if err != nil {
		t.Fatal(err)
	}
	defer cc.Close()
	ctx := metadata.AppendToOutgoingContext(context.Background(), "daemon-client-key", s.ClientKey())
	arrived, release := s.Hold("MessageSend")
	done := make(chan error, 1)
	go func() {
		_, err := pb.NewMessageCommandServiceClient(cc).MessageSend(ctx, &pb.MessageSendRequest{DiscussionId: c.DiscussionID, Body: "late"})
		done <- err
	}()
	<-arrived
	s.DropConnections()
	if err := <-done; code(err) != codes.Unavailable {
		t.Fatalf("the held call's client saw %v, want UNAVAILABLE", err)
	}
	if n := s.BotSentCount(); n != 0 {
		t.Fatalf("%d messages sent before the release", n)
	}
	release()
	waitFor(t, func() bool { return s.BotSentCount() == 1 })
	if got := s.BotSent()[0].Body; got != "late" {
		t.Fatalf("sent %q", got)
	}
}
