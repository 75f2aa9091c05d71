package olvidsim_test

import (
	"errors"
	"io"
	"testing"

	"google.golang.org/grpc/codes"
	"google.golang.org/protobuf/proto"

	pb "github.com/parleybot/parley/platform/olvid/olvidpb"
	"github.com/parleybot/parley/platform/olvid/olvidsim"
)

// FuzzWorld drives the world with a script read from the input, and feeds
// the rest of the input as requests from a client: nothing panics, every
// refusal is a status, inbound ids only grow, and no message is ever
// listed as unread twice.
func FuzzWorld(f *testing.F) {
	req, _ := proto.Marshal(&pb.MessageSendRequest{DiscussionId: 1, Body: "x"})
	f.Add([]byte{0, 1, 1, 2, 4, 5, 1, 6, 7, 8, 9, 5}, req)
	f.Add([]byte{0, 0, 2, 3, 3, 7, 5}, []byte{0x0a, 0x03, 0x08, 0x01, 0x12})
	f.Fuzz(func(t *testing.T, script, payload []byte) {
		if len(script) > 64 {
			script = script[:64]
		}
		if len(payload) > 4096 {
			payload = payload[:4096]
		}
		// A fresh world each time, so that runs stay small and fast.
		s, conn := start(t)
		ctx := authed(s.ClientKey())
		msgs := pb.NewMessageCommandServiceClient(conn)
		groups := pb.NewGroupCommandServiceClient(conn)
		invs := pb.NewInvitationCommandServiceClient(conn)
		unread := map[uint64]bool{}
		var lastIn uint64
		var discs, contacts []uint64
		pick := func(xs []uint64, i int) uint64 {
			if len(xs) == 0 {
				return uint64(i) // may not exist: the world must refuse it cleanly
			}
			return xs[i%len(xs)]
		}
		for i, op := range script {
			switch op % 10 {
			case 0:
				c := s.AddContact("c")
				contacts, discs = append(contacts, c.ID), append(discs, c.DiscussionID)
			case 1, 3:
				id, err := s.Deliver(olvidsim.Receive{DiscussionID: pick(discs, i), From: pick(contacts, i+1), Body: string(payload)})
				if err == nil {
					if id <= lastIn {
						t.Fatalf("inbound id %d after %d", id, lastIn)
					}
					lastIn = id
				}
			case 2:
				if _, d, err := s.NewGroup("g", i%2 == 0, contacts...); err == nil {
					discs = append(discs, d)
				}
			case 4:
				var r pb.MessageSendRequest
				if proto.Unmarshal(payload, &r) == nil {
					_, err := msgs.MessageSend(ctx, &r)
					checkStatus(t, err)
				}
			case 5:
				st, err := msgs.MessageList(ctx, &pb.MessageListRequest{Unread: proto.Bool(true)})
				checkStatus(t, err)
				for err == nil {
					var r *pb.MessageListResponse
					r, err = st.Recv()
					for _, m := range r.GetMessages() {
						if m.GetId().GetType() == pb.MessageId_TYPE_INBOUND {
							if unread[m.Id.Id] {
								t.Fatalf("message %d listed as unread twice", m.Id.Id)
							}
							unread[m.Id.Id] = true
						}
					}
				}
				if !errors.Is(err, io.EOF) {
					checkStatus(t, err)
				}
			case 6:
				_, err := msgs.MessageDelete(ctx, &pb.MessageDeleteRequest{MessageId: &pb.MessageId{Type: pb.MessageId_Type(i % 3), Id: pick(nil, int(lastIn))}, DeleteEverywhere: proto.Bool(i%2 == 0)})
				checkStatus(t, err)
			case 7:
				var r pb.GroupUpdateRequest
				if proto.Unmarshal(payload, &r) == nil {
					_, err := groups.GroupUpdate(ctx, &r)
					checkStatus(t, err)
				}
			case 8:
				var r pb.MessageListRequest
				if proto.Unmarshal(payload, &r) == nil {
					r.Unread = nil // unread listings are checked in case 5
					st, err := msgs.MessageList(ctx, &r)
					for err == nil {
						_, err = st.Recv()
					}
					if !errors.Is(err, io.EOF) {
						checkStatus(t, err)
					}
				}
			case 9:
				inv, _ := s.Invite("i")
				_, err := invs.InvitationAccept(ctx, &pb.InvitationAcceptRequest{InvitationId: inv})
				checkStatus(t, err)
			}
		}
	})
}

func checkStatus(t *testing.T, err error) {
	t.Helper()
	switch code(err) {
	case codes.OK, codes.NotFound, codes.InvalidArgument, codes.PermissionDenied:
	default:
		t.Fatalf("unexpected refusal: %v", err)
	}
}
