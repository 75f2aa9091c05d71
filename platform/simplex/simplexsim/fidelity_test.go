package simplexsim_test

import (
	"encoding/json"
	"fmt"
	"reflect"
	"strings"
	"testing"

	"github.com/parleybot/parley/platform/simplex/simplexsim"
)

// parseCase is one command with what the real CLI answers, per the source
// line cited: a response type, or "" for a parse error (commandError
// "Failed reading: empty"). path/value, when set, check one field of the
// answer; for a refused command value is the commandError message.
type parseCase struct {
	source string // the Commands.hs line the answer follows
	cmd    string
	want   string
	path   string
	value  any
}

func runParseCases(t *testing.T, c *client, cases []parseCase) {
	t.Helper()
	for _, tc := range cases {
		m := c.cmd(tc.cmd)
		switch {
		case tc.want == "":
			if m.typ() != "chatCmdError" || m.str("chatError.errorType.type") != "commandError" ||
				m.str("chatError.errorType.message") != "Failed reading: empty" {
				t.Errorf("%s\n  %q: want a parse error, got %.300s", tc.source, tc.cmd, m.raw)
			}
		case tc.want == "commandError":
			if m.str("chatError.errorType.type") != "commandError" || m.str("chatError.errorType.message") != tc.value {
				t.Errorf("%s\n  %q: want commandError %q, got %.300s", tc.source, tc.cmd, tc.value, m.raw)
			}
		case m.typ() != tc.want:
			t.Errorf("%s\n  %q: want %s, got %.300s", tc.source, tc.cmd, tc.want, m.raw)
		case tc.path != "" && m.get(tc.path) != tc.value:
			t.Errorf("%s\n  %q: %s = %#v, want %#v: %.300s", tc.source, tc.cmd, tc.path, m.get(tc.path), tc.value, m.raw)
		}
	}
}

func TestFidelityListGroups(t *testing.T) {
	_, c := setup(t)
	const src = `Commands.hs: "/_groups" *> (APIListGroups <$> A.decimal <*> optional (" @" *> A.decimal) <*> optional (A.space *> stringP))`
	runParseCases(t, c, []parseCase{
		{source: src, cmd: "/_groups1", want: "groupsList"},
		{source: src, cmd: "/_groups1 team", want: "groupsList"},
		{source: src, cmd: "/_groups 1", want: ""},
		{source: src, cmd: "/_groups", want: ""},
		{source: src, cmd: "/_groupsx", want: ""},
	})
}

// TestFidelityStrict: what the real parser or handler refuses, the
// simulator refuses too.
func TestFidelityStrict(t *testing.T) {
	s, c := setup(t)
	alice := connect(t, s, c, "alice")
	gid, mids := newJoinedGroup(t, s, c, alice, "owner")
	const start = `Commands.hs: "/_start " *> do mainApp <- "main=" *> onOffP; " snd_files=", " large_link_data="; "/_start" $> StartChat {mainApp = True ...}`
	const send = `Commands.hs: "/_send " *> (APISendMessages <$> sendRefP <*> liveMessageP <*> sendMessageTTLP <*> (" json " *> jsonP <|> " text " *> composedMessagesTextP))`
	const role = `Commands.hs: memberRole = A.choice [" owner", " admin", " moderator", " member", " observer"] (no author)`
	mention := fmt.Sprintf(`[{"msgContent":{"type":"text","text":"@alice hi"},"mentions":{"alice":%d}}]`, mids[0])
	report := `[{"msgContent":{"type":"report","text":"spam","reason":"spam"}}]`
	runParseCases(t, c, []parseCase{
		{source: start, cmd: "/_start subscribe=off expire=off", want: ""},
		{source: start, cmd: "/_start snd_files=on main=on", want: ""},
		{source: start, cmd: "/_start main=yes", want: ""},
		{source: start, cmd: "/_start main=on snd_files=off", want: "chatRunning"},
		{source: start, cmd: "/_start", want: "chatRunning"},
		{source: "Commands.hs APISendMessages SRDirect: mapM_ assertNoMentions cms",
			cmd: fmt.Sprintf("/_send @%d json %s", alice, mention), want: "commandError", value: "mentions are not supported in this chat"},
		{source: "Commands.hs APISendMessages: mapM_ assertAllowedContent' cms",
			cmd: fmt.Sprintf("/_send #%d json %s", gid, report), want: "commandError", value: "sending reports via this API is not supported"},
		{source: "Commands.hs APIUpdateChatItem CTDirect: unless (null mentions) $ throwCmdError",
			cmd:  fmt.Sprintf(`/_update item @%d 1 json {"msgContent":{"type":"text","text":"x"},"mentions":{"alice":%d}}`, alice, mids[0]),
			want: "commandError", value: "mentions are not supported in this chat"},
		{source: send, cmd: fmt.Sprintf("/_send @%d ttl=60 live=on json %s", alice, sendJSON("x")), want: ""},
		{source: send, cmd: fmt.Sprintf("/_send @%d live=on ttl=60 json %s", alice, sendJSON("x")), want: "newChatItems"},
		{source: role, cmd: fmt.Sprintf("/_member role #%d %d author", gid, mids[1]), want: ""},
		{source: role, cmd: fmt.Sprintf("/_add #%d %d author", gid, alice), want: ""},
		{source: role, cmd: fmt.Sprintf("/_create link #%d author", gid), want: ""},
		{source: role, cmd: fmt.Sprintf("/_member role #%d %d observer", gid, mids[1]), want: "membersRoleUser"},
	})
}

// TestFidelityLenient: forms the real parser takes that a strict reading
// of the docs would refuse.
func TestFidelityLenient(t *testing.T) {
	s := start(t, simplexsim.WithBotName("modbot"), simplexsim.WithAddress(false, ""))
	c := dial(t, s.URL())
	req := must[simplexsim.Connected](t)(s.ConnectContact("alice"))
	c.expect("receivedContactRequest")
	runParseCases(t, c, []parseCase{
		{source: `Commands.hs APIAcceptContact: when (shortLinkDataSet && incognito) $ throwCmdError`,
			cmd: fmt.Sprintf("/_accept incognito=on %d", req.RequestID), want: "commandError", value: "incognito not allowed for address with short link data"},
		{source: `Commands.hs: "/_accept" *> (APIAcceptContact <$> incognitoOnOffP <* A.space <*> A.decimal)`,
			cmd: fmt.Sprintf("/_accept incognito=off %d", req.RequestID), want: "acceptingContactRequest"},
	})
	c.expect("contactSndReady", "contactConnected")
	alice := int64(2)
	gid, _ := newJoinedGroup(t, s, c, alice, "owner")
	item := c.cmdf("/_send @%d json %s", alice, sendJSON("first"))
	itemID := item.num("chatItems.0.chatItem.meta.itemId")
	const send = `Commands.hs: "/_send " ... " text " *> composedMessagesTextP; sendMessageTTLP = " ttl=" *> ((Just <$> A.decimal) <|> ("default" $> Nothing))`
	const chats = `Commands.hs: "/_get chats " *> (APIGetChats <$> A.decimal <*> (" pcc=on" | " pcc=off" | pure False) <*> (A.space *> paginationByTimeP <|> pure (PTLast 5000)) <*> (A.space *> jsonP <|> pure clqNoFilters))`
	const chat = `Commands.hs: "/_get chat " *> (APIGetChat <$> chatRefP <*> optional (" content=" *> strP) <* A.space <*> chatPaginationP <*> optional (" search=" *> stringP))`
	runParseCases(t, c, []parseCase{
		{source: send, cmd: fmt.Sprintf("/_send @%d text hello *there*", alice), want: "newChatItems",
			path: "chatItems.0.chatItem.content.msgContent.text", value: "hello *there*"},
		{source: send, cmd: fmt.Sprintf("/_send @%d ttl=default json %s", alice, sendJSON("x")), want: "newChatItems"},
		{source: `Commands.hs: "/_update item " ... (" json" *> jsonP <|> " text " *> updatedMessagesTextP)`,
			cmd: fmt.Sprintf("/_update item @%d %d text edited", alice, itemID), want: "chatItemUpdated",
			path: "chatItem.chatItem.meta.itemText", value: "edited"},
		{source: `Commands.hs: " json" *> jsonP (no space needed before the JSON)`,
			cmd: fmt.Sprintf(`/_update item @%d %d json{"msgContent":{"type":"text","text":"again"},"mentions":{}}`, alice, itemID), want: "chatItemUpdated"},
		{source: chats, cmd: "/_get chats 1", want: "apiChats"},
		{source: chats, cmd: "/_get chats 1 pcc=off count=5", want: "apiChats"},
		{source: chats, cmd: `/_get chats 1 after=2000-01-01T00:00:00Z count=5 {"type":"filters","favorite":false,"unread":false}`, want: "apiChats",
			path: "chats.1.chatStats.unreadCount", value: 0.0},
		{source: chats, cmd: "/_get chats 1 before=2000-01-01T00:00:00Z count=5", want: "apiChats", path: "chats.0", value: nil},
		{source: chats, cmd: "/_get chats 1 after=yesterday count=5", want: ""},
		{source: chat, cmd: fmt.Sprintf("/_get chat @%d around=%d count=1", alice, itemID), want: "apiChat",
			path: "chat.chatItems.1.meta.itemId", value: float64(itemID)}, // one before, the anchor, one after
		{source: chat, cmd: fmt.Sprintf("/_get chat @%d initial=3", alice), want: "apiChat"},
		{source: chat, cmd: fmt.Sprintf("/_get chat #%d content=text count=5", gid), want: "apiChat"},
		{source: `Commands.hs APIGetChat CTDirect: when (isJust contentFilter) $ throwCmdError "content filter not supported"`,
			cmd: fmt.Sprintf("/_get chat @%d content=text count=5", alice), want: "commandError", value: "content filter not supported"},
		{source: `Commands.hs: parseChatCommand = A.parseOnly chatCommandP . B.dropWhileEnd isSpace`, cmd: "/_contacts 1   ", want: "contactsList"},
		{source: `Commands.hs: "/_create link #" *> (APICreateGroupLink <$> A.decimal <*> (memberRole <|> pure GRMember))`,
			cmd: fmt.Sprintf("/_create link #%d", gid), want: "groupLinkCreated", path: "groupLink.acceptMemberRole", value: "member"},
	})
}

// TestFidelityBotCommands: commands bots send that the simulator parses
// and answers as the CLI does.
func TestFidelityBotCommands(t *testing.T) {
	s, c := setup(t)
	alice := connect(t, s, c, "alice")
	bob := connect(t, s, c, "bob")
	gid, mids := newJoinedGroup(t, s, c, alice, "owner")
	runParseCases(t, c, []parseCase{
		{source: `Commands.hs: "/get subs" $> GetAgentSubs -> CRAgentSubs {activeSubs, pendingSubs, removedSubs}`,
			cmd: "/get subs", want: "agentSubs", path: "activeSubs.smp://c2lt@smp.sim.invalid", value: nil}, // dotted key: checked below
		{source: `Commands.hs: "/users" $> ListUsers`, cmd: "/users", want: "usersList", path: "users.0.user.userId", value: 1.0},
		{source: `Commands.hs: "/_stop" $> APIStopChat -> CRChatStopped`, cmd: "/_stop", want: "chatStopped"},
		{source: `Commands.hs StartChat: Just _ -> CRChatRunning; _ -> ... CRChatStarted`, cmd: "/_start main=on", want: "chatStarted"},
		{source: `Commands.hs: "/_connect " *> (APIAddContact <$> A.decimal <*> incognitoOnOffP)`, cmd: "/_connect 1", want: "invitation",
			path: "connection.pccConnStatus", value: "new"},
		{source: `Commands.hs: "/_connect " *> (APIConnect ... <* A.space <*> connLinkP); ACCL SCMInvitation -> CRSentConfirmation`,
			cmd: "/_connect 1 simplex:/invitation#/?v=2-7&smp=x", want: "sentConfirmation"},
		{source: `Commands.hs APIConnect: ACCL SCMContact -> CRSentInvitation`,
			cmd: "/_connect 1 incognito=off https://smp.example/a#abc", want: "sentInvitation"},
		{source: `Commands.hs: connLinkP = strP`, cmd: "/_connect 1 not-a-link", want: ""},
		{source: `Commands.hs: "/_info @" *> (APIContactInfo <$> A.decimal)`, cmd: fmt.Sprintf("/_info @%d", alice), want: "contactInfo",
			path: "connectionStats_.ratchetSyncState", value: "ok"},
		{source: `Commands.hs: "/_info #" *> (APIGroupInfo <$> A.decimal)`, cmd: fmt.Sprintf("/_info #%d", gid), want: "groupInfo",
			path: "groupInfo.groupId", value: float64(gid)},
		{source: `Commands.hs: "/_info #" *> (APIGroupMemberInfo <$> A.decimal <* A.space <*> A.decimal)`,
			cmd: fmt.Sprintf("/_info #%d %d", gid, mids[1]), want: "groupMemberInfo", path: "member.groupMemberId", value: float64(mids[1])},
		{source: `APISetGroupCustomData "/_set custom #<groupId>[ <json>]" -> CRCmdOk`,
			cmd: fmt.Sprintf(`/_set custom #%d {"card":7}`, gid), want: "cmdOk"},
		{source: `CRGroupInfo {groupInfo}: customData on GroupInfo`, cmd: fmt.Sprintf("/_info #%d", gid), want: "groupInfo",
			path: "groupInfo.customData.card", value: 7.0},
		{source: `APISetContactCustomData "/_set custom @<contactId>[ <json>]" -> CRCmdOk`,
			cmd: fmt.Sprintf(`/_set custom @%d`, alice), want: "cmdOk"},
		{source: `Commands.hs: "/_get link #" *> (APIGetGroupLink <$> A.decimal); SEGroupLinkNotFound`,
			cmd: fmt.Sprintf("/_get link #%d", gid), want: "chatCmdError", path: "chatError.storeError.type", value: "groupLinkNotFound"},
		{source: `Commands.hs: "/_create link #"`, cmd: fmt.Sprintf("/_create link #%d member", gid), want: "groupLinkCreated"},
		{source: `Commands.hs: "/_get link #" -> CRGroupLink`, cmd: fmt.Sprintf("/_get link #%d", gid), want: "groupLink",
			path: "groupLink.acceptMemberRole", value: "member"},
		{source: `Commands.hs: "/_group_profile #" *> (APIUpdateGroupProfile <$> A.decimal <* A.space <*> jsonP) -> CRGroupUpdated`,
			cmd: fmt.Sprintf(`/_group_profile #%d {"displayName":"crew","fullName":""}`, gid), want: "groupUpdated",
			path: "toGroup.groupProfile.displayName", value: "crew"},
		{source: `Commands.hs: "/_delete " *> (APIDeleteChat <$> chatRefP <*> chatDeleteMode) -> CRContactDeleted`,
			cmd: fmt.Sprintf("/_delete @%d full notify=off", bob), want: "contactDeleted", path: "contact.contactId", value: float64(bob)},
		{source: `Commands.hs APIDeleteChat CTDirect: getContact fails for a deleted contact`,
			cmd: fmt.Sprintf("/_delete @%d", bob), want: "chatCmdError", path: "chatError.storeError.type", value: "contactNotFound"},
		{source: `Commands.hs APIDeleteChat CTGroup -> CRGroupDeletedUser`, cmd: fmt.Sprintf("/_delete #%d", gid), want: "groupDeletedUser"},
		{source: `bots README: /set bot commands 'Label':/keyword,...`,
			cmd: `/set bot commands 'Help':/help,'More':{'Vote':/'vote <question>'}`, want: "userProfileUpdated",
			path: "toProfile.preferences.commands.1.commands.0.params", value: "<question>"},
		{source: `User.fullPreferences carries the profile's commands`, cmd: "/user", want: "activeUser",
			path: "user.fullPreferences.commands.0.keyword", value: "help"},
		{source: `Commands.hs: "/_profile " *> (APIUpdateProfile <$> A.decimal <* A.space <*> jsonP)`,
			cmd:  `/_profile 1 {"displayName":"modbot","fullName":"","peerType":"bot","preferences":{"commands":[{"type":"command","keyword":"start","label":"Start"}]}}`,
			want: "userProfileUpdated", path: "user.fullPreferences.commands.0.keyword", value: "start"},
	})
	m := c.cmd("/get subs")
	if subs, _ := m.get("activeSubs").(map[string]any); subs["smp://c2lt@smp.sim.invalid"] == nil {
		t.Errorf("agentSubs without the server's count: %s", m.raw)
	}
}

// TestFidelityAutoAccept: "/auto_accept" replaces the address settings
// (Commands.hs autoAcceptP builds them from its arguments alone).
func TestFidelityAutoAccept(t *testing.T) {
	_, c := setup(t)
	const src = `Commands.hs: autoAcceptP = ifM onOffP (businessAA <|> addressAA) (pure $ AddressSettings False Nothing Nothing)`
	c.cmd(`/_address_settings 1 {"businessAddress":false,"autoAccept":{"acceptIncognito":false},"autoReply":{"type":"text","text":"welcome"}}`)
	runParseCases(t, c, []parseCase{
		{source: src, cmd: "/auto_accept on", want: "userContactLinkUpdated", path: "contactLink.addressSettings.autoReply", value: nil},
		{source: src, cmd: "/auto_accept on text hi there", want: "userContactLinkUpdated",
			path: "contactLink.addressSettings.autoReply.text", value: "hi there"},
		{source: src, cmd: "/auto_accept on business", want: "userContactLinkUpdated",
			path: "contactLink.addressSettings.businessAddress", value: true},
		{source: src, cmd: "/auto_accept off", want: "userContactLinkUpdated", path: "contactLink.addressSettings.autoAccept", value: nil},
		{source: src, cmd: "/auto_accept on incognito=on", want: "commandError", value: "incognito not allowed for address with short link data"},
		{source: src, cmd: "/auto_accept maybe", want: ""},
	})
}

// TestFidelityErrorShapes: errors as the CLI words them.
func TestFidelityErrorShapes(t *testing.T) {
	s, c := setup(t)
	alice := connect(t, s, c, "alice")
	in := must[int64](t)(s.ContactSend(alice, "hi"))
	c.expect("newChatItems")
	c.cmdf("/_delete item @%d %d internalMark", alice, in)
	runParseCases(t, c, []parseCase{
		{source: `Store/Profiles.hs getUserByFileId: SEUserNotFoundByFileId`, cmd: "/freceive 99", want: "chatCmdError",
			path: "chatError.storeError.type", value: "userNotFoundByFileId"},
		{source: `Store/Profiles.hs getUserByFileId: SEUserNotFoundByFileId`, cmd: "/fcancel 99", want: "chatCmdError",
			path: "chatError.storeError.type", value: "userNotFoundByFileId"},
		{source: `Commands.hs quoteData ChatItem {meta = CIMeta {itemDeleted = Just _}} = throwChatError CEInvalidQuote`,
			cmd:  fmt.Sprintf(`/_send @%d json [{"quotedItemId":%d,"msgContent":{"type":"text","text":"re"}}]`, alice, in),
			want: "chatCmdError", path: "chatError.errorType.type", value: "invalidQuote"},
	})
}

// TestFidelityFormattedText: every item's text is parsed as markdown
// (Markdown.hs parseMaybeMarkdownList / markdownP), and meta.hasLink marks
// links, so bots that look at links or command spans can be tested.
func TestFidelityFormattedText(t *testing.T) {
	s, c := setup(t, simplexsim.WithAutoDelivery(false))
	alice := connect(t, s, c, "alice")
	cases := []struct {
		source string
		text   string
		want   string // formattedText as compact JSON, "" for none
		link   bool
	}{
		{"no markdown: formattedText absent", "just words here", "", false},
		{"one line starting with / is one command span", "/help me", `[{"format":{"type":"command","commandStr":"help me"},"text":"/help me"}]`, false},
		{"formattedP '*' Bold; the span text has no delimiters", "hello *there*", `[{"text":"hello "},{"format":{"type":"bold"},"text":"there"}]`, false},
		{"md: padded with a space stays plain", "a * b * c", "", false},
		{"'_' italic, '~' strike, '`' snippet", "_i_ ~s~ `c`", `[{"format":{"type":"italic"},"text":"i"},{"text":" "},{"format":{"type":"strikeThrough"},"text":"s"},{"text":" "},{"format":{"type":"snippet"},"text":"c"}]`, false},
		{"'#' secret", "#hidden#", `[{"format":{"type":"secret"},"text":"hidden"}]`, false},
		{"coloredP: !1 text!", "!1 red alert!", `[{"format":{"type":"colored","color":"red"},"text":"red alert"}]`, false},
		{"wordMD isUri; trailing punctuation split off", "see https://example.com/page.", `[{"text":"see "},{"format":{"type":"uri"},"text":"https://example.com/page"},{"text":"."}]`, true},
		{"isDomain", "visit example.com now", `[{"text":"visit "},{"format":{"type":"uri"},"text":"example.com"},{"text":" now"}]`, true},
		{"sowLinkP [text](uri)", "read [the docs](https://example.com/docs)", `[{"text":"read "},{"format":{"type":"hyperLink","showText":"the docs","linkUri":"https://example.com/docs"},"text":"[the docs](https://example.com/docs)"}]`, true},
		{"short SimpleX link", "join https://smp.example.net/g#abcdef", `[{"text":"join "},{"format":{"type":"simplexLink","linkType":"group","simplexUri":"https://smp.example.net/g#abcdef","smpHosts":["smp.example.net"]},"text":"https://smp.example.net/g#abcdef"}]`, true},
		{"isEmail", "mail me@example.org", `[{"text":"mail "},{"format":{"type":"email"},"text":"me@example.org"}]`, false},
		{"phoneP", "call +1 555-123-4567", `[{"text":"call "},{"format":{"type":"phone"},"text":"+1 555-123-4567"}]`, false},
		{"mentionP with punctuation split", "hi @bob, ok", `[{"text":"hi "},{"format":{"type":"mention","memberName":"bob"},"text":"@bob"},{"text":", ok"}]`, false},
		{"commandP inside a line", "try /start now", `[{"text":"try "},{"format":{"type":"command","commandStr":"start"},"text":"/start"},{"text":" now"}]`, false},
		{"lines joined with \\n", "line *one*\nline two", `[{"text":"line "},{"format":{"type":"bold"},"text":"one"},{"text":"\nline two"}]`, false},
	}
	for _, tc := range cases {
		m := c.cmdf("/_send @%d json %s", alice, sendJSON(tc.text))
		ft := m.get("chatItems.0.chatItem.formattedText")
		var want any
		if tc.want != "" {
			check(t, json.Unmarshal([]byte(tc.want), &want))
		}
		if !reflect.DeepEqual(ft, want) {
			got, _ := json.Marshal(ft)
			t.Errorf("%s: %q\n  got  %s\n  want %s", tc.source, tc.text, got, tc.want)
		}
		if link := m.get("chatItems.0.chatItem.meta.hasLink"); link != tc.link {
			t.Errorf("%s: %q hasLink = %v, want %v", tc.source, tc.text, link, tc.link)
		}
	}
	// Received messages are parsed alike.
	must[int64](t)(s.ContactSend(alice, "look at https://example.com"))
	ev := c.expect("newChatItems")[0]
	if ev.get("chatItems.0.chatItem.meta.hasLink") != true || ev.str("chatItems.0.chatItem.formattedText.1.format.type") != "uri" {
		t.Errorf("received: %.400s", ev.raw)
	}
}

// TestFidelityFields: fields the CLI writes that bots read.
func TestFidelityFields(t *testing.T) {
	s, c := setup(t, simplexsim.WithAutoDelivery(false))
	alice := connect(t, s, c, "alice")
	gid, mids := newJoinedGroup(t, s, c, alice, "owner")
	must[int64](t)(s.MemberSend(gid, mids[1], "hey", true))
	c.expect("newChatItems")
	sent := c.cmdf(`/_send #%d json [{"msgContent":{"type":"text","text":"@mallory hi"},"mentions":{"mallory":%d}}]`, gid, mids[1])
	info := c.cmdf("/_info #%d", gid)
	chats := c.cmd("/_get chats 1")
	addr := c.cmd("/_show_address 1")
	cases := []struct {
		source string
		m      msg
		path   string
		want   any
	}{
		{"GroupMember.memberContactId of the user's membership is the user's contact", info, "groupInfo.membership.memberContactId", 1.0},
		{"the user's membership carries the user's profile, peerType bot", info, "groupInfo.membership.memberProfile.peerType", "bot"},
		{"GroupInfo.chatTs", info, "groupInfo.chatTs", sent.str("chatItems.0.chatItem.meta.createdAt")},
		{"fullGroupPreferences without signMessages", info, "groupInfo.fullGroupPreferences.signMessages", nil},
		{"CIMention memberRef.localAlias even when empty", sent, "chatItems.0.chatItem.mentions.mallory.memberRef.localAlias", ""},
		{"ChatStats.unreadMentions", chats, "chats.0.chatStats.unreadMentions", 1.0},
		{"UserContactLink.shortLinkLargeDataSet", addr, "contactLink.shortLinkLargeDataSet", false},
	}
	for _, tc := range cases {
		if got := tc.m.get(tc.path); got != tc.want {
			t.Errorf("%s: %s = %#v, want %#v", tc.source, tc.path, got, tc.want)
		}
	}
	if l := addr.str("contactLink.connLinkContact.connFullLink"); !strings.HasPrefix(l, "simplex:/contact#/?v=") {
		t.Errorf("full address link %q, want the simplex:/ form", l)
	}
	// indexInGroup starts at 1 and is distinct for every member, the bot
	// included.
	seen := map[int64]bool{info.num("groupInfo.membership.indexInGroup"): true}
	for _, id := range mids {
		seen[c.cmdf("/_info #%d %d", gid, id).num("member.indexInGroup")] = true
	}
	created := c.cmd(`/_group 1 {"displayName":"own","fullName":""}`)
	seen[-1] = created.num("groupInfo.membership.indexInGroup") == 1
	if seen[0] || !seen[-1] || len(seen) != len(mids)+2 {
		t.Errorf("indexInGroup values %v (0 must not occur; the creator is 1)", seen)
	}
}
