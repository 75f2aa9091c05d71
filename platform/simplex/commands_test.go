package simplex

import (
	"encoding/json"
	"errors"
	"strings"
	"testing"
	"unicode/utf8"
)

func wirePtr[T any](v T) *T { return &v }

func TestCommandStrings(t *testing.T) {
	cases := []struct {
		name string
		cmd  Command
		want string
	}{
		{"user", ShowActiveUser{}, "/user"},
		{"users", ListUsers{}, "/users"},
		{"create user", CreateActiveUser{Profile: &Profile{DisplayName: "bot", PeerType: PeerBot}},
			`/_create user {"profile":{"displayName":"bot","fullName":"","peerType":"bot"},"pastTimestamp":false}`},
		{"profile with menu", APIUpdateProfile{UserID: 1, Profile: Profile{DisplayName: "modbot", PeerType: PeerBot,
			Preferences: &Preferences{Commands: []ChatBotCommand{
				{Type: BotCommandCommand, Keyword: "help", Label: "Help"},
				{Type: BotCommandMenu, Label: "More", Commands: []ChatBotCommand{{Type: BotCommandCommand, Keyword: "rules", Label: "Rules", Params: "<group>"}}},
			}}}},
			`/_profile 1 {"displayName":"modbot","fullName":"","preferences":{"commands":[{"type":"command","keyword":"help","label":"Help"},{"type":"menu","label":"More","commands":[{"type":"command","keyword":"rules","label":"Rules","params":"<group>"}]}]},"peerType":"bot"}`},
		{"set prefs", APISetContactPrefs{ContactID: 5, Preferences: Preferences{Files: &SimplePreference{Allow: AllowNo}}},
			`/_set prefs @5 {"files":{"allow":"no"}}`},
		{"address", APICreateMyAddress{UserID: 1}, "/_address 1"},
		{"address pq", APICreateMyAddress{UserID: 1, PQRatchet: wirePtr(false)}, "/_address 1 pq_ratchet=off"},
		{"show address", APIShowMyAddress{UserID: 1}, "/_show_address 1"},
		{"delete address", APIDeleteMyAddress{UserID: 2}, "/_delete_address 2"},
		{"profile address", APISetProfileAddress{UserID: 1, Enable: true}, "/_profile_address 1 on"},
		{"address settings", APISetAddressSettings{UserID: 1, Settings: AddressSettings{AutoAccept: &AutoAccept{}, AutoReply: wirePtr(TextContent("Welcome!"))}},
			`/_address_settings 1 {"businessAddress":false,"autoAccept":{"acceptIncognito":false},"autoReply":{"type":"text","text":"Welcome!"}}`},
		{"send one", SendText(Direct(5), "hi", 0), `/_send @5 json [{"msgContent":{"type":"text","text":"hi"}}]`},
		{"send reply", SendText(GroupRef(12), "ok", 40), `/_send #12 json [{"quotedItemId":40,"msgContent":{"type":"text","text":"ok"}}]`},
		{"send scoped live ttl", APISendMessages{Chat: ChatRef{Type: ChatGroup, ID: 12, Scope: &GroupChatScope{GroupMemberID: 3}}, Live: true, TTL: 60,
			Messages: []ComposedMessage{{MsgContent: TextContent("@bob hi"), Mentions: map[string]int64{"bob": 3}}, {MsgContent: MsgContent{Type: MsgFile}, FileSource: &CryptoFile{FilePath: "/tmp/a b.txt"}}}},
			`/_send #12(_support:3) live=on ttl=60 json [{"msgContent":{"type":"text","text":"@bob hi"},"mentions":{"bob":3}},{"fileSource":{"filePath":"/tmp/a b.txt"},"msgContent":{"type":"file","text":""}}]`},
		{"update", APIUpdateChatItem{Chat: Direct(5), ItemID: 9, Message: UpdatedMessage{MsgContent: TextContent("fixed")}},
			`/_update item @5 9 json {"msgContent":{"type":"text","text":"fixed"},"mentions":{}}`},
		{"update live mentions", APIUpdateChatItem{Chat: GroupRef(12), ItemID: 9, Live: true, Message: UpdatedMessage{MsgContent: TextContent("@al"), Mentions: map[string]int64{"al": 2}}},
			`/_update item #12 9 live=on json {"msgContent":{"type":"text","text":"@al"},"mentions":{"al":2}}`},
		{"delete", APIDeleteChatItem{Chat: Direct(5), ItemIDs: []int64{1, 2, 3}, Mode: DeleteBroadcast}, "/_delete item @5 1,2,3 broadcast"},
		{"delete internal mark", APIDeleteChatItem{Chat: GroupRef(1), ItemIDs: []int64{4}, Mode: DeleteInternalMark}, "/_delete item #1 4 internalMark"},
		{"moderate", APIDeleteMemberChatItem{GroupID: 12, ItemIDs: []int64{57, 58}}, "/_delete member item #12 57,58"},
		{"react", APIChatItemReaction{Chat: Direct(5), ItemID: 9, Add: true, Reaction: EmojiReaction("👍")}, `/_reaction @5 9 on {"type":"emoji","emoji":"👍"}`},
		{"unreact", APIChatItemReaction{Chat: GroupRef(3), ItemID: 1, Reaction: EmojiReaction("🚀")}, `/_reaction #3 1 off {"type":"emoji","emoji":"🚀"}`},
		{"read", APIChatItemsRead{Chat: Direct(5), ItemIDs: []int64{8, 9}}, "/_read chat items @5 8,9"},
		{"receive", ReceiveFile{FileID: 7}, "/freceive 7"},
		{"receive all", ReceiveFile{FileID: 7, ApprovedRelays: true, Encrypt: wirePtr(true), Inline: wirePtr(false), FilePath: "/data/in/r.pdf"},
			"/freceive 7 approved_relays=on encrypt=on inline=off /data/in/r.pdf"},
		{"cancel", CancelFile{FileID: 7}, "/fcancel 7"},
		{"accept", APIAcceptContact{ContactRequestID: 4}, "/_accept 4"},
		{"reject", APIRejectContact{ContactRequestID: 4}, "/_reject 4"},
		{"contacts", APIListContacts{UserID: 1}, "/_contacts 1"},
		{"groups", APIListGroups{UserID: 1}, "/_groups1"},
		{"groups filtered", APIListGroups{UserID: 1, ContactID: 5, Search: "team"}, "/_groups1 @5 team"},
		{"chats", APIGetChats{UserID: 1, Count: 20}, `/_get chats 1 count=20 {"type":"filters","favorite":false,"unread":false}`},
		{"chats pcc unread", APIGetChats{UserID: 1, PendingConnections: true, Count: 5, Query: &ChatListQuery{Type: "filters", Unread: true}},
			`/_get chats 1 pcc=on count=5 {"type":"filters","favorite":false,"unread":true}`},
		{"chat", APIGetChat{Chat: Direct(5), Count: 50}, "/_get chat @5 count=50"},
		{"chat after", APIGetChat{Chat: GroupRef(12), After: 100, Count: 10}, "/_get chat #12 after=100 count=10"},
		{"chat before", APIGetChat{Chat: GroupRef(12), Before: 100, Count: 10}, "/_get chat #12 before=100 count=10"},
		{"new group", APINewGroup{UserID: 1, Profile: GroupProfile{DisplayName: "team"}}, `/_group 1 {"displayName":"team","fullName":""}`},
		{"new group incognito", APINewGroup{UserID: 1, Incognito: true, Profile: GroupProfile{DisplayName: "t", Description: "hi"}},
			`/_group 1 incognito=on {"displayName":"t","fullName":"","description":"hi"}`},
		{"join", APIJoinGroup{GroupID: 2}, "/_join #2"},
		{"add", APIAddMember{GroupID: 2, ContactID: 5, Role: RoleMember}, "/_add #2 5 member"},
		{"accept member", APIAcceptMember{GroupID: 12, GroupMemberID: 7, Role: RoleObserver}, "/_accept member #12 7 observer"},
		{"role", APIMembersRole{GroupID: 12, GroupMemberIDs: []int64{7, 8}, Role: RoleObserver}, "/_member role #12 7,8 observer"},
		{"block", APIBlockMembersForAll{GroupID: 12, GroupMemberIDs: []int64{7}, Blocked: true}, "/_block #12 7 blocked=on"},
		{"unblock", APIBlockMembersForAll{GroupID: 12, GroupMemberIDs: []int64{7}}, "/_block #12 7 blocked=off"},
		{"remove", APIRemoveMembers{GroupID: 12, GroupMemberIDs: []int64{7, 9}}, "/_remove #12 7,9"},
		{"remove with messages", APIRemoveMembers{GroupID: 12, GroupMemberIDs: []int64{7}, WithMessages: true}, "/_remove #12 7 messages=on"},
		{"leave", APILeaveGroup{GroupID: 12}, "/_leave #12"},
		{"members", APIListMembers{GroupID: 12}, "/_members #12"},
		{"group link", APICreateGroupLink{GroupID: 12, Role: RoleMember}, "/_create link #12 member"},
		{"start", StartChat{MainApp: true}, "/_start main=on"},
	}
	for _, c := range cases {
		t.Run(c.name, func(t *testing.T) {
			got, err := c.cmd.Cmd()
			if err != nil {
				t.Fatalf("Cmd: %v", err)
			}
			if got != c.want {
				t.Fatalf("got  %s\nwant %s", got, c.want)
			}
			if strings.ContainsAny(got, "\n\r") {
				t.Fatal("command has a line break")
			}
		})
	}
}

func TestCommandsRefuseBadInput(t *testing.T) {
	cases := []struct {
		name string
		cmd  Command
	}{
		{"profile user 0", APIUpdateProfile{Profile: Profile{DisplayName: "x"}}},
		{"profile no name", APIUpdateProfile{UserID: 1}},
		{"create user blank name", CreateActiveUser{Profile: &Profile{DisplayName: " "}}},
		{"address user -1", APICreateMyAddress{UserID: -1}},
		{"show address 0", APIShowMyAddress{}},
		{"delete address 0", APIDeleteMyAddress{}},
		{"profile address 0", APISetProfileAddress{}},
		{"address settings 0", APISetAddressSettings{}},
		{"prefs 0", APISetContactPrefs{}},
		{"send no messages", APISendMessages{Chat: Direct(5)}},
		{"send zero ref", SendText(ChatRef{Type: ChatDirect}, "x", 0)},
		{"send bad type", SendText(ChatRef{Type: "feed", ID: 1}, "x", 0)},
		{"send scope on direct", SendText(ChatRef{Type: ChatDirect, ID: 1, Scope: &GroupChatScope{}}, "x", 0)},
		{"send no content type", APISendMessages{Chat: Direct(5), Messages: []ComposedMessage{{}}}},
		{"send negative quote", SendText(Direct(5), "x", -1)},
		{"send bad mention", APISendMessages{Chat: GroupRef(1), Messages: []ComposedMessage{{MsgContent: TextContent("@a"), Mentions: map[string]int64{"a": 0}}}}},
		{"send negative ttl", APISendMessages{Chat: Direct(5), TTL: -1, Messages: []ComposedMessage{{MsgContent: TextContent("x")}}}},
		{"update item 0", APIUpdateChatItem{Chat: Direct(5), Message: UpdatedMessage{MsgContent: TextContent("x")}}},
		{"update no content", APIUpdateChatItem{Chat: Direct(5), ItemID: 1}},
		{"delete no ids", APIDeleteChatItem{Chat: Direct(5), Mode: DeleteBroadcast}},
		{"delete id 0", APIDeleteChatItem{Chat: Direct(5), ItemIDs: []int64{1, 0}, Mode: DeleteBroadcast}},
		{"delete bad mode", APIDeleteChatItem{Chat: Direct(5), ItemIDs: []int64{1}, Mode: "everything"}},
		{"moderate group 0", APIDeleteMemberChatItem{ItemIDs: []int64{1}}},
		{"moderate no ids", APIDeleteMemberChatItem{GroupID: 1}},
		{"react empty", APIChatItemReaction{Chat: Direct(5), ItemID: 1, Reaction: MsgReaction{Type: "emoji"}}},
		{"react item 0", APIChatItemReaction{Chat: Direct(5), Reaction: EmojiReaction("👍")}},
		{"read no ids", APIChatItemsRead{Chat: Direct(5)}},
		{"receive 0", ReceiveFile{}},
		{"receive path newline", ReceiveFile{FileID: 1, FilePath: "/tmp/x\n/_leave #1"}},
		{"cancel 0", CancelFile{}},
		{"accept 0", APIAcceptContact{}},
		{"reject 0", APIRejectContact{}},
		{"contacts 0", APIListContacts{}},
		{"groups 0", APIListGroups{}},
		{"groups search newline", APIListGroups{UserID: 1, Search: "a\nb"}},
		{"groups negative contact", APIListGroups{UserID: 1, ContactID: -2}},
		{"chats count 0", APIGetChats{UserID: 1}},
		{"chat count 0", APIGetChat{Chat: Direct(5)}},
		{"chat after and before", APIGetChat{Chat: Direct(5), Count: 1, After: 1, Before: 2}},
		{"new group no name", APINewGroup{UserID: 1}},
		{"join 0", APIJoinGroup{}},
		{"add bad role", APIAddMember{GroupID: 1, ContactID: 1, Role: "king"}},
		{"add contact 0", APIAddMember{GroupID: 1, Role: RoleMember}},
		{"accept member no role", APIAcceptMember{GroupID: 1, GroupMemberID: 1}},
		{"role no members", APIMembersRole{GroupID: 1, Role: RoleMember}},
		{"role bad role", APIMembersRole{GroupID: 1, GroupMemberIDs: []int64{1}, Role: "Member"}},
		{"block no members", APIBlockMembersForAll{GroupID: 1}},
		{"remove member 0", APIRemoveMembers{GroupID: 1, GroupMemberIDs: []int64{0}}},
		{"leave 0", APILeaveGroup{}},
		{"members 0", APIListMembers{}},
		{"link bad role", APICreateGroupLink{GroupID: 1}},
	}
	for _, c := range cases {
		if s, err := c.cmd.Cmd(); err == nil {
			t.Errorf("%s: accepted as %q", c.name, s)
		}
	}
}

// TestSendAlwaysArray guards the chat core's requirement that /_send takes
// a JSON array, and that /_update always carries "mentions".
func TestSendAlwaysArrayUpdateAlwaysMentions(t *testing.T) {
	for n := 1; n <= 3; n++ {
		msgs := make([]ComposedMessage, n)
		for i := range msgs {
			msgs[i] = ComposedMessage{MsgContent: TextContent("m")}
		}
		s, err := APISendMessages{Chat: Direct(1), Messages: msgs}.Cmd()
		if err != nil {
			t.Fatal(err)
		}
		_, payload, ok := strings.Cut(s, " json ")
		if !ok || !strings.HasPrefix(payload, "[") {
			t.Fatalf("%d messages: %s", n, s)
		}
		var arr []json.RawMessage
		if err := json.Unmarshal([]byte(payload), &arr); err != nil || len(arr) != n {
			t.Fatalf("%d messages: payload %s (%v)", n, payload, err)
		}
	}
	for _, m := range []map[string]int64{nil, {}, {"a": 1}} {
		s, err := APIUpdateChatItem{Chat: Direct(1), ItemID: 1, Message: UpdatedMessage{MsgContent: TextContent("x"), Mentions: m}}.Cmd()
		if err != nil {
			t.Fatal(err)
		}
		_, payload, _ := strings.Cut(s, " json ")
		var obj map[string]json.RawMessage
		if err := json.Unmarshal([]byte(payload), &obj); err != nil {
			t.Fatal(err)
		}
		if _, ok := obj["mentions"]; !ok {
			t.Fatalf("no mentions in %s", s)
		}
	}
}

func TestChatRefStringAndParse(t *testing.T) {
	cases := []struct {
		s   string
		ref ChatRef
	}{
		{"@5", ChatRef{Type: ChatDirect, ID: 5}},
		{"#12", ChatRef{Type: ChatGroup, ID: 12}},
		{"*1", ChatRef{Type: ChatLocal, ID: 1}},
		{"#12(_support)", ChatRef{Type: ChatGroup, ID: 12, Scope: &GroupChatScope{}}},
		{"#12(_support:3)", ChatRef{Type: ChatGroup, ID: 12, Scope: &GroupChatScope{GroupMemberID: 3}}},
		{"@9223372036854775807", ChatRef{Type: ChatDirect, ID: 1<<63 - 1}},
	}
	for _, c := range cases {
		if got := c.ref.String(); got != c.s {
			t.Errorf("String %q, want %q", got, c.s)
		}
		got, err := ParseChatRef(c.s)
		if err != nil {
			t.Errorf("ParseChatRef(%q): %v", c.s, err)
			continue
		}
		if got.String() != c.s || got.Type != c.ref.Type || got.ID != c.ref.ID || (got.Scope == nil) != (c.ref.Scope == nil) {
			t.Errorf("ParseChatRef(%q) = %+v", c.s, got)
		}
		if err := got.Validate(); err != nil {
			t.Errorf("Validate(%q): %v", c.s, err)
		}
	}
	for _, bad := range []string{"", "@", "5", "@0", "@05", "@-5", "@+5", "@5 ", " @5", "@alice", "#1.5", "@1e3",
		"@9223372036854775808", "@5(_support)", "#5(_support", "#5(_support:)", "#5(_support:0)", "#5(_other)",
		"#5(_support:3)x", "%5", "@٣"} {
		if r, err := ParseChatRef(bad); err == nil {
			t.Errorf("ParseChatRef(%q) accepted: %+v", bad, r)
		} else if !errors.Is(err, ErrBadChatRef) {
			t.Errorf("ParseChatRef(%q) error %v not ErrBadChatRef", bad, err)
		}
	}
}

func TestCommandError(t *testing.T) {
	f, err := DecodeFrame(readWireFixture(t, "chat_cmd_error_large.json"))
	if err != nil {
		t.Fatal(err)
	}
	cmd := `/_send @5 json [{"msgContent":{"type":"text","text":"` + strings.Repeat("é", 100) + `"}}]`
	var e error = f.Resp.(*ChatCmdError).Err(cmd)
	msg := e.Error()
	if msg != `simplex: /_send @5 json [{"msgContent":{"type":"text","te...: errorStore/largeMsg` {
		t.Errorf("message %q", msg)
	}
	// Truncation never splits a UTF-8 sequence.
	long := (&CommandError{Cmd: "/_send @5 text " + strings.Repeat("é", 40), ChatError: ChatError{Type: ErrKindStore, StoreError: &StoreError{Type: "largeMsg"}}}).Error()
	if !utf8.ValidString(long) || !strings.Contains(long, "é...") {
		t.Errorf("truncated message %q", long)
	}
	if !IsStoreError(e, "largeMsg") || !IsMessageTooLarge(e) || IsStoreError(e, "contactNotFound") || IsChatError(e, "largeMsg") || IsAgentError(e, "largeMsg") {
		t.Error("classification wrong")
	}
	wrapped := errors.Join(errors.New("sending"), e)
	if !IsStoreError(wrapped, "largeMsg") {
		t.Error("wrapped error not classified")
	}
	if !errors.Is(wrapped, &CommandError{}) ||
		!errors.Is(wrapped, &CommandError{ChatError: ChatError{Type: ErrKindStore}}) ||
		!errors.Is(wrapped, &CommandError{ChatError: ChatError{Type: ErrKindStore, StoreError: &StoreError{Type: "largeMsg"}}}) ||
		errors.Is(wrapped, &CommandError{ChatError: ChatError{Type: ErrKindError}}) {
		t.Error("errors.Is matching wrong")
	}

	f2, _ := DecodeFrame(readWireFixture(t, "chat_cmd_error.json"))
	e2 := f2.Resp.(*ChatCmdError).Err("/_send @5 json {}")
	if got := e2.Error(); got != "simplex: /_send @5 json {}: error/commandError: Failed reading: empty" {
		t.Errorf("message %q", got)
	}
	if !IsChatError(e2, "commandError") || e2.Kind() != ErrKindError || e2.InnerType() != "commandError" {
		t.Error("commandError classification wrong")
	}
	f3, _ := DecodeFrame(readWireFixture(t, "chat_cmd_error_store.json"))
	if e3 := f3.Resp.(*ChatCmdError).Err("/_join #2"); !IsStoreError(e3, "groupAlreadyJoined") {
		t.Errorf("store error %v", e3)
	}
	if IsStoreError(errors.New("x"), "largeMsg") || IsStoreError(nil, "largeMsg") {
		t.Error("plain errors classified")
	}
}
