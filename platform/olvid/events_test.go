package olvid_test

import (
	"errors"
	"strings"
	"testing"

	"google.golang.org/grpc/codes"
	"google.golang.org/protobuf/proto"

	"github.com/parleybot/parley/bot"
	"github.com/parleybot/parley/platform/olvid"
	pb "github.com/parleybot/parley/platform/olvid/olvidpb"
)

func inboundMsg(id, disc, sender uint64, body string) *pb.Message {
	return &pb.Message{Id: &pb.MessageId{Type: pb.MessageId_TYPE_INBOUND, Id: id}, DiscussionId: disc, SenderId: sender, Body: body, Timestamp: 1700000000000}
}

func TestEveryNotificationDecodes(t *testing.T) {
	for _, n := range olvid.AllNotifications {
		if !strings.HasPrefix(n.Method(), "/olvid.daemon.services.v1.") || !strings.HasSuffix(n.Method(), "NotificationService/"+string(n)) {
			t.Errorf("%s: method %q", n, n.Method())
		}
		// Empty notifications decode to the type or to Unknown, never panic.
		e := olvid.DecodeBytes(n, nil)
		if e.Type() != string(n) {
			t.Errorf("%s decodes to type %q", n, e.Type())
		}
		if _, ok := olvid.NewSubscription(n).(proto.Message); !ok {
			t.Errorf("%s has no subscription message", n)
		}
	}
}

func TestMessageReceivedFacets(t *testing.T) {
	m := inboundMsg(42, 7, 3, "hello")
	m.RepliedMessageId = &pb.MessageId{Type: pb.MessageId_TYPE_OUTBOUND, Id: 9}
	raw, _ := proto.Marshal(&pb.MessageReceivedNotification{Message: m})
	e, ok := olvid.DecodeBytes(olvid.NotifyMessageReceived, raw).(*olvid.MessageReceived)
	if !ok {
		t.Fatalf("decoded to %T", e)
	}
	if e.ChatKey() != "olvid:7" || e.DedupeKey() != "olvid:i42" {
		t.Fatalf("keys %q %q", e.ChatKey(), e.DedupeKey())
	}
	msgs := e.Messages()
	if len(msgs) != 1 || msgs[0].ID != "i42" || msgs[0].Chat.ID != "7" || msgs[0].Sender.ID != "3" || msgs[0].Text != "hello" || msgs[0].ReplyTo != "o9" || msgs[0].Time.UnixMilli() != 1700000000000 {
		t.Fatalf("messages %+v", msgs)
	}
}

func TestBadNotificationsAreUnknown(t *testing.T) {
	out := &pb.Message{Id: &pb.MessageId{Type: pb.MessageId_TYPE_OUTBOUND, Id: 1}, DiscussionId: 1}
	for _, tc := range []struct {
		name string
		n    olvid.Notification
		msg  proto.Message
	}{
		{"outbound as received", olvid.NotifyMessageReceived, &pb.MessageReceivedNotification{Message: out}},
		{"no message", olvid.NotifyMessageReceived, &pb.MessageReceivedNotification{}},
		{"no discussion", olvid.NotifyMessageReceived, &pb.MessageReceivedNotification{Message: inboundMsg(1, 0, 1, "x")}},
		{"unknown direction", olvid.NotifyMessageDeleted, &pb.MessageDeletedNotification{Message: &pb.Message{Id: &pb.MessageId{Type: 5, Id: 1}, DiscussionId: 1}}},
		{"inbound as sent", olvid.NotifyMessageSent, &pb.MessageSentNotification{Message: inboundMsg(1, 1, 1, "x")}},
		{"invitation without id", olvid.NotifyInvitationReceived, &pb.InvitationReceivedNotification{Invitation: &pb.Invitation{}}},
		{"unknown status", olvid.NotifyInvitationReceived, &pb.InvitationReceivedNotification{Invitation: &pb.Invitation{Id: 1, Status: 99}}},
		{"group without id", olvid.NotifyGroupMemberJoined, &pb.GroupMemberJoinedNotification{Group: &pb.Group{}}},
	} {
		e := olvid.Decode(tc.n, tc.msg)
		u, ok := e.(*olvid.Unknown)
		if !ok || !u.Unknown() || u.Reason == "" || u.Type() != string(tc.n) {
			t.Errorf("%s: decoded to %T %+v", tc.name, e, e)
		}
	}
	u, ok := olvid.DecodeBytes(olvid.NotifyMessageReceived, []byte{0xff, 0xff}).(*olvid.Unknown)
	if !ok || !strings.HasPrefix(u.Reason, "malformed") {
		t.Fatalf("malformed bytes: %+v", u)
	}
}

func TestInvitationRequests(t *testing.T) {
	for _, tc := range []struct {
		st   pb.Invitation_Status
		kind bot.RequestKind
	}{
		{pb.Invitation_STATUS_INVITATION_WAIT_YOU_TO_ACCEPT, bot.ContactRequest},
		{pb.Invitation_STATUS_INTRODUCTION_WAIT_YOU_TO_ACCEPT, bot.ContactRequest},
		{pb.Invitation_STATUS_ONE_TO_ONE_INVITATION_WAIT_YOU_TO_ACCEPT, bot.ContactRequest},
		{pb.Invitation_STATUS_GROUP_INVITATION_WAIT_YOU_TO_ACCEPT, bot.GroupInvitation},
		{pb.Invitation_STATUS_INVITATION_WAIT_YOU_FOR_SAS_EXCHANGE, 0},
		{pb.Invitation_STATUS_INVITATION_WAIT_IT_TO_ACCEPT, 0},
	} {
		e := olvid.Decode(olvid.NotifyInvitationReceived, &pb.InvitationReceivedNotification{Invitation: &pb.Invitation{Id: 5, Status: tc.st, DisplayName: "Zoe"}})
		r, ok := e.(bot.Request)
		if !ok {
			t.Fatalf("%s: %T is not a request", tc.st, e)
		}
		info := r.RequestInfo()
		if info.Kind != tc.kind || info.ID != "5" || info.From.Name != "Zoe" {
			t.Errorf("%s: %+v", tc.st, info)
		}
	}
}

func TestGroupChanges(t *testing.T) {
	admin := &pb.GroupMemberPermissions{Admin: true}
	member := &pb.GroupMemberPermissions{SendMessage: true}
	g := &pb.Group{Id: 4, OwnPermissions: admin}
	for _, tc := range []struct {
		msg  proto.Message
		n    olvid.Notification
		want []bot.GroupChange
	}{
		{&pb.GroupNewNotification{Group: g}, olvid.NotifyGroupNew, []bot.GroupChange{{Kind: bot.BotJoined, Role: "admin"}}},
		{&pb.GroupDeletedNotification{Group: g}, olvid.NotifyGroupDeleted, []bot.GroupChange{{Kind: bot.BotRemoved}}},
		{&pb.GroupMemberJoinedNotification{Group: g, Member: &pb.GroupMember{ContactId: 8, Permissions: member}}, olvid.NotifyGroupMemberJoined,
			[]bot.GroupChange{{Kind: bot.MemberJoined, Member: bot.Sender{ID: "8", Role: "member"}, Role: "member"}}},
		{&pb.GroupMemberLeftNotification{Group: g, Member: &pb.GroupMember{ContactId: 8}}, olvid.NotifyGroupMemberLeft,
			[]bot.GroupChange{{Kind: bot.MemberLeft, Member: bot.Sender{ID: "8"}}}},
		{&pb.GroupMemberPermissionsUpdatedNotification{Group: g, Member: &pb.GroupMember{ContactId: 8, Permissions: admin}, PreviousPermissions: member},
			olvid.NotifyGroupMemberPermissionsUpdated, []bot.GroupChange{{Kind: bot.MemberRoleChanged, Member: bot.Sender{ID: "8", Role: "admin"}, Role: "admin"}}},
		{&pb.GroupOwnPermissionsUpdatedNotification{Group: g, Permissions: member, PreviousPermissions: member}, olvid.NotifyGroupOwnPermissionsUpdated, nil},
	} {
		e := olvid.Decode(tc.n, tc.msg)
		gc, ok := e.(bot.GroupChanger)
		if !ok {
			t.Fatalf("%s: %T is no GroupChanger", tc.n, e)
		}
		got := gc.GroupChanges()
		if len(got) != len(tc.want) {
			t.Fatalf("%s: %+v, want %+v", tc.n, got, tc.want)
		}
		for i := range got {
			if got[i] != tc.want[i] {
				t.Errorf("%s: %+v, want %+v", tc.n, got[i], tc.want[i])
			}
		}
		if k := e.(bot.ChatKeyer).ChatKey(); k != "olvid:group:4" {
			t.Errorf("%s: chat key %q before the platform resolves the discussion", tc.n, k)
		}
	}
}

func TestMessageIDs(t *testing.T) {
	for _, s := range []string{"i1", "o18446744073709551615"} {
		id, err := olvid.ParseMessageID(s)
		if err != nil || id.String() != s {
			t.Errorf("%q: %v %v", s, id, err)
		}
	}
	for _, s := range []string{"", "i", "x1", "i0", "i-1", "i+1", "o1.5", "I1"} {
		if _, err := olvid.ParseMessageID(s); err == nil {
			t.Errorf("%q parsed", s)
		}
	}
	if _, err := olvid.ParseDiscussionID("+3"); err == nil {
		t.Error("+3 parsed as a discussion id")
	}
}

func TestSplitText(t *testing.T) {
	for _, tc := range []struct {
		text string
		max  int
		want []string
	}{
		{"", 10, nil},
		{"short", 10, []string{"short"}},
		{"aaaa bbbb cccc", 10, []string{"aaaa bbbb", "cccc"}},
		{"line one\nline two", 12, []string{"line one", "line two"}},
		{"abcdefghijkl", 5, []string{"abcde", "fghij", "kl"}},
		{"ééééé", 5, []string{"éé", "éé", "é"}},
	} {
		got := olvid.SplitText(tc.text, tc.max)
		if strings.Join(got, "|") != strings.Join(tc.want, "|") {
			t.Errorf("SplitText(%q, %d) = %q, want %q", tc.text, tc.max, got, tc.want)
		}
		for _, p := range got {
			if len(p) > tc.max {
				t.Errorf("part %q over %d bytes", p, tc.max)
			}
		}
	}
}

func TestErrors(t *testing.T) {
	err := error(&olvid.Error{Code: codes.NotFound, Method: "MessageSend", Message: "discussion not found"})
	if !errors.Is(err, olvid.ErrNotFound) || errors.Is(err, olvid.ErrInvalidArgument) || bot.Undelivered(err) {
		t.Fatalf("NotFound matching is wrong")
	}
	for _, c := range []codes.Code{codes.Unavailable, codes.DeadlineExceeded, codes.Canceled} {
		if err := error(&olvid.Error{Code: c, Method: "MessageSend"}); !bot.Undelivered(err) || !errors.Is(err, bot.ErrOutcomeUnknown) {
			t.Errorf("%s should leave the outcome open", c)
		}
	}
	if err.Error() != "olvid: MessageSend: NotFound: discussion not found" {
		t.Errorf("message %q", err)
	}
}
