package simplex

import (
	"testing"
	"time"

	"github.com/parleybot/parley/bot"
)

func decodeWireFixture(t *testing.T, name string) Response {
	t.Helper()
	f, err := DecodeFrame(readWireFixture(t, name))
	if err != nil {
		t.Fatalf("%s: %v", name, err)
	}
	return f.Resp
}

// Compile-time facet checks.
var (
	_ bot.MessageEvent = (*NewChatItems)(nil)
	_ bot.MessageEvent = (*ChatItemUpdated)(nil)
	_ bot.Request      = (*ReceivedContactRequest)(nil)
	_ bot.Request      = (*ReceivedGroupInvitation)(nil)
	_ bot.Unknowner    = (*Unknown)(nil)
	_ bot.DedupeKeyer  = (*NewChatItems)(nil)
	_ bot.ChatKeyer    = (*NewChatItems)(nil)
)

func TestEventKeys(t *testing.T) {
	cases := []struct {
		file, chatKey, dedupeKey string
	}{
		{"newchatitems_direct.json", "simplex:1:@5", "simplex:1:@5:8"},
		{"newchatitems_group_mention.json", "simplex:1:#12", "simplex:1:#12:42"},
		{"send_ack.json", "simplex:1:@5", "simplex:1:@5:9"},
		{"chat_item_updated.json", "simplex:1:@5", "simplex:1:@5:upd:9:20260815T153102.5Z"},
		{"chat_item_reaction.json", "simplex:1:@5", "simplex:1:@5:react:9:👍:on:20260815T120100Z"},
		{"chat_items_deleted.json", "simplex:1:#12", "simplex:1:#12:del:57"},
		{"received_contact_request.json", "", "simplex:1:req:4"},
		{"received_group_invitation.json", "simplex:1:#2", "simplex:1:#2:invitation"},
		{"user_joined_group.json", "simplex:1:#2", "simplex:1:#2:joined"},
		{"contact_connected.json", "simplex:1:@5", "simplex:1:@5:connected"},
		{"accepting_contact_request.json", "simplex:1:@5", ""},
		{"joined_group_member.json", "simplex:1:#12", ""},
		{"deleted_member.json", "simplex:1:#12", ""},
		{"group_updated.json", "simplex:1:#12", ""},
		{"rcv_file_descr_ready.json", "simplex:1:@5", ""},
		{"rcv_file_complete.json", "simplex:1:@5", ""},
		{"message_error.json", "", ""},
		{"chat_error_agent.json", "", ""},
		{"host_connected.json", "", ""},
		{"unknown_snd_file_progress.json", "", ""},
	}
	for _, c := range cases {
		t.Run(c.file, func(t *testing.T) {
			r := decodeWireFixture(t, c.file)
			var chatKey, dedupeKey string
			if k, ok := r.(bot.ChatKeyer); ok {
				chatKey = k.ChatKey()
			}
			if k, ok := r.(bot.DedupeKeyer); ok {
				dedupeKey = k.DedupeKey()
			}
			if chatKey != c.chatKey {
				t.Errorf("ChatKey %q, want %q", chatKey, c.chatKey)
			}
			if dedupeKey != c.dedupeKey {
				t.Errorf("DedupeKey %q, want %q", dedupeKey, c.dedupeKey)
			}
		})
	}
}

func TestDedupeKeySeveralItems(t *testing.T) {
	e := decodeWireFixture(t, "newchatitems_direct.json").(*NewChatItems)
	second := e.ChatItems[0]
	second.ChatItem.Meta.ItemID = 43
	e.ChatItems = append(e.ChatItems, second)
	if got, want := e.DedupeKey(), "simplex:1:@5:8,43"; got != want {
		t.Fatalf("DedupeKey %q, want %q", got, want)
	}
	// Two different messages with equal text keep distinct keys.
	other := decodeWireFixture(t, "newchatitems_direct.json").(*NewChatItems)
	other.ChatItems[0].ChatItem.Meta.ItemID = 9
	if other.DedupeKey() == decodeWireFixture(t, "newchatitems_direct.json").(*NewChatItems).DedupeKey() {
		t.Fatal("equal texts with different item ids share a dedupe key")
	}
}

func TestMessagesDirect(t *testing.T) {
	e := decodeWireFixture(t, "newchatitems_direct.json").(*NewChatItems)
	ms := e.Messages()
	if len(ms) != 1 {
		t.Fatalf("%d messages", len(ms))
	}
	want := bot.Message{
		ID:     "8",
		Chat:   bot.Chat{ID: "@5", Kind: bot.Direct, Title: "alice"},
		Sender: bot.Sender{ID: "5", Name: "alice"},
		Text:   "v7 probe dm canary",
		Time:   time.Date(2026, 8, 15, 15, 30, 48, 0, time.UTC),
	}
	got := ms[0]
	if got.ID != want.ID || got.Chat != want.Chat || got.Sender != want.Sender || got.Text != want.Text ||
		!got.Time.Equal(want.Time) || got.ReplyTo != "" || got.MentionsBot || got.Edited || got.Files != nil {
		t.Fatalf("message\n got %+v\nwant %+v", got, want)
	}
	// Cached: the same backing array on the second call.
	if again := e.Messages(); &again[0] != &ms[0] {
		t.Error("Messages recomputed")
	}
}

func TestMessagesGroupMention(t *testing.T) {
	e := decodeWireFixture(t, "newchatitems_group_mention.json").(*NewChatItems)
	ms := e.Messages()
	if len(ms) != 1 {
		t.Fatalf("%d messages", len(ms))
	}
	m := ms[0]
	if m.Chat != (bot.Chat{ID: "#12", Kind: bot.Group, Title: "mygroup"}) {
		t.Errorf("chat %+v", m.Chat)
	}
	if m.Sender != (bot.Sender{ID: "3", Name: "alice", Role: "member"}) {
		t.Errorf("sender %+v", m.Sender)
	}
	if m.ReplyTo != "40" || !m.MentionsBot {
		t.Errorf("replyTo %q mentionsBot %v", m.ReplyTo, m.MentionsBot)
	}

	// The mention alone (without meta.userMention) is enough...
	e2 := decodeWireFixture(t, "newchatitems_group_mention.json").(*NewChatItems)
	e2.ChatItems[0].ChatItem.Meta.UserMention = false
	if !e2.Messages()[0].MentionsBot {
		t.Error("mention of the bot's memberId not recognised")
	}
	// ...and a mention of someone else is not the bot.
	e3 := decodeWireFixture(t, "newchatitems_group_mention.json").(*NewChatItems)
	e3.ChatItems[0].ChatItem.Meta.UserMention = false
	men := e3.ChatItems[0].ChatItem.Mentions["modbot"]
	men.MemberID = "c29tZW9uZUVsc2U="
	e3.ChatItems[0].ChatItem.Mentions["modbot"] = men
	if e3.Messages()[0].MentionsBot {
		t.Error("mention of another member taken for the bot")
	}
}

func TestMessagesSkipNonMessages(t *testing.T) {
	// The bot's own items and non-message contents are not messages.
	if ms := decodeWireFixture(t, "send_ack.json").(*NewChatItems).Messages(); len(ms) != 0 {
		t.Errorf("send ack gave %d messages", len(ms))
	}
	e := decodeWireFixture(t, "newchatitems_group_mention.json").(*NewChatItems)
	e.ChatItems[0].ChatItem.Content = CIContent{Type: ContentRcvGroupEvent, RcvGroupEvent: &Tagged{Type: "memberConnected"}}
	if ms := e.Messages(); len(ms) != 0 {
		t.Errorf("group event gave %d messages", len(ms))
	}
	// An item from an unknown chat type is not a message either.
	if ms := decodeWireFixture(t, "newchatitems_drift.json").(*NewChatItems).Messages(); len(ms) != 1 || ms[0].ID != "78" {
		t.Errorf("drift messages %+v", ms)
	}
}

func TestMessagesEditedAndFiles(t *testing.T) {
	e := decodeWireFixture(t, "chat_item_updated.json").(*ChatItemUpdated)
	ms := e.Messages()
	if len(ms) != 1 || !ms[0].Edited || ms[0].Text != "v7 probe edit final" || ms[0].ID != "9" {
		t.Fatalf("edited %+v", ms)
	}
	f := decodeWireFixture(t, "rcv_file_complete.json").(*RcvFileComplete)
	m, ok := f.ChatItem.Message(false)
	if !ok || len(m.Files) != 1 {
		t.Fatalf("file message %+v %v", m, ok)
	}
	if m.Files[0] != (bot.File{ID: "7", Name: "report.pdf", Size: 48213, Path: "/data/files/report.pdf"}) {
		t.Errorf("file %+v", m.Files[0])
	}
	r := decodeWireFixture(t, "rcv_file_descr_ready.json").(*RcvFileDescrReady)
	m, _ = r.ChatItem.Message(false)
	if len(m.Files) != 1 || m.Files[0].Path != "" {
		t.Errorf("offered file has a path: %+v", m.Files)
	}
}

func TestRequests(t *testing.T) {
	cr := decodeWireFixture(t, "received_contact_request.json").(*ReceivedContactRequest)
	got := cr.RequestInfo()
	want := bot.RequestInfo{Kind: bot.ContactRequest, ID: "4", From: bot.Sender{Name: "bob"}}
	if got != want {
		t.Errorf("contact request %+v, want %+v", got, want)
	}
	gi := decodeWireFixture(t, "received_group_invitation.json").(*ReceivedGroupInvitation)
	got = gi.RequestInfo()
	want = bot.RequestInfo{
		Kind: bot.GroupInvitation, ID: "2",
		From: bot.Sender{ID: "5", Name: "alice", Role: "owner"},
		Chat: bot.Chat{ID: "#2", Kind: bot.Group, Title: "team"},
		Role: "member",
	}
	if got != want {
		t.Errorf("group invitation %+v, want %+v", got, want)
	}
}

func TestUnknownEvent(t *testing.T) {
	r := decodeWireFixture(t, "unknown_snd_file_progress.json")
	u, ok := r.(*Unknown)
	if !ok || u.Type() != "sndFileProgressXFTP" || !u.Unknown() {
		t.Fatalf("%T %+v", r, r)
	}
	b, err := u.MarshalJSON()
	if err != nil || string(b) != string(u.Raw) {
		t.Fatalf("MarshalJSON %s %v", b, err)
	}
}

func TestErrorEvents(t *testing.T) {
	e := decodeWireFixture(t, "chat_error_agent.json").(*ChatErrorEvent)
	if e.ChatError.Kind() != ErrKindAgent || e.ChatError.InnerType() != "BROKER" || !e.ChatError.IsNetwork() {
		t.Fatalf("chat error %+v", e.ChatError)
	}
	if got, want := e.ChatError.String(), "errorAgent/BROKER/TIMEOUT"; got != want {
		t.Errorf("String %q, want %q", got, want)
	}
}

func TestChatInfoRefWithScope(t *testing.T) {
	ci := ChatInfo{Type: ChatInfoGroup, GroupInfo: &GroupInfo{GroupID: 12},
		GroupChatScope: &GroupChatScopeInfo{Type: ScopeMemberSupport, GroupMember: &GroupMember{GroupMemberID: 3}}}
	ref, ok := ci.Ref()
	if !ok || ref.String() != "#12(_support:3)" {
		t.Fatalf("ref %v %v", ref, ok)
	}
	if k := chatInfoChatKey(&User{UserID: 2}, &ci); k != "simplex:2:#12" {
		t.Errorf("scoped chat key %q", k)
	}
	ci.GroupChatScope.GroupMember = nil
	if ref, _ := ci.Ref(); ref.String() != "#12(_support)" {
		t.Errorf("own support ref %v", ref)
	}
	if _, ok := (&ChatInfo{Type: "feed"}).Ref(); ok {
		t.Error("unknown chat type has a ref")
	}
}
