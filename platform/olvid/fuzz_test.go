package olvid_test

import (
	"testing"

	"google.golang.org/protobuf/proto"

	"github.com/parleybot/parley/bot"
	"github.com/parleybot/parley/platform/olvid"
	pb "github.com/parleybot/parley/platform/olvid/olvidpb"
)

// FuzzDecode feeds arbitrary bytes to every notification's decoder and
// every facet of what comes out: nothing panics, and what is not Unknown
// has the notification's type.
func FuzzDecode(f *testing.F) {
	seed := func(n olvid.Notification, m proto.Message) {
		raw, _ := proto.Marshal(m)
		for i, x := range olvid.AllNotifications {
			if x == n {
				f.Add(uint8(i), raw)
			}
		}
	}
	seed(olvid.NotifyMessageReceived, &pb.MessageReceivedNotification{Message: inboundMsg(1, 2, 3, "hi")})
	seed(olvid.NotifyMessageBodyUpdated, &pb.MessageBodyUpdatedNotification{Message: inboundMsg(1, 2, 3, "hi"), PreviousBody: "h"})
	seed(olvid.NotifyInvitationReceived, &pb.InvitationReceivedNotification{Invitation: &pb.Invitation{Id: 1, Status: 11, DisplayName: "x"}})
	seed(olvid.NotifyGroupMemberPermissionsUpdated, &pb.GroupMemberPermissionsUpdatedNotification{Group: &pb.Group{Id: 1}, Member: &pb.GroupMember{ContactId: 2}})
	f.Add(uint8(0), []byte{0x0a, 0x02, 0x0a, 0x00})
	f.Fuzz(func(t *testing.T, which uint8, raw []byte) {
		n := olvid.AllNotifications[int(which)%len(olvid.AllNotifications)]
		e := olvid.DecodeBytes(n, raw)
		if e.Type() != string(n) {
			t.Fatalf("%s decoded to type %q", n, e.Type())
		}
		if k, ok := e.(bot.ChatKeyer); ok {
			_ = k.ChatKey()
		}
		if k, ok := e.(bot.DedupeKeyer); ok {
			_ = k.DedupeKey()
		}
		if m, ok := e.(bot.MessageEvent); ok {
			for _, msg := range m.Messages() {
				if _, err := olvid.ParseMessageID(msg.ID); err != nil {
					t.Fatalf("message id %q does not parse: %v", msg.ID, err)
				}
			}
		}
		if r, ok := e.(bot.Request); ok {
			_ = r.RequestInfo()
		}
		if g, ok := e.(bot.GroupChanger); ok {
			_ = g.GroupChanges()
		}
	})
}

func protoMarshal(m proto.Message) ([]byte, error) { return proto.Marshal(m) }
