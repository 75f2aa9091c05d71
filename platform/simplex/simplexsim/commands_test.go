package simplexsim_test

import (
	"encoding/json"
	"fmt"
	"os"
	"path/filepath"
	"regexp"
	"strings"
	"testing"

	"github.com/parleybot/parley/platform/simplex/simplexsim"
)

var isoFrac = regexp.MustCompile(`^\d{4}-\d\d-\d\dT\d\d:\d\d:\d\d\.\d+Z$`)

func TestUserCommands(t *testing.T) {
	s := start(t, simplexsim.WithoutUser())
	c := dial(t, s.URL())
	for _, cmd := range []string{"/user", "/u", "/_address 1", "/_contacts 1", "/show_address"} {
		wantErr(t, c.cmd(cmd), "error", "noActiveUser")
	}
	wantErr(t, c.cmd(`/_create user {"pastTimestamp":false}`), "error", "invalidDisplayName")
	wantErr(t, c.cmd(`/_create user {"profile":`), "error", "commandError")
	m := c.cmd(`/_create user {"profile":{"displayName":"helper","fullName":"Help Bot","peerType":"bot"},"pastTimestamp":false}`)
	if m.typ() != "activeUser" {
		t.Fatalf("got %s", m.raw)
	}
	u := c.cmd("/u")
	for path, want := range map[string]any{
		"user.userId": 1.0, "user.agentUserId": "1", "user.userContactId": 1.0, "user.localDisplayName": "helper",
		"user.profile.profileId": 1.0, "user.profile.fullName": "Help Bot", "user.profile.peerType": "bot",
		"user.profile.localAlias": "", "user.activeUser": true, "user.fullPreferences.files.allow": "no",
	} {
		if got := u.get(path); got != want {
			t.Errorf("%s = %#v, want %#v", path, got, want)
		}
	}
	// Commands.hs CreateActiveUser: only an existing name is userExists; a
	// new one creates a second user and makes it active.
	wantErr(t, c.cmd(`/_create user {"profile":{"displayName":"helper","fullName":""}}`), "error", "userExists")
	if m := c.cmd(`/_create user {"profile":{"displayName":"other","fullName":""}}`); m.num("user.userId") != 2 || m.get("user.activeUser") != true {
		t.Fatalf("second user: %s", m.raw)
	}
	if m := c.cmd("/users"); m.typ() != "usersList" || m.str("users.0.user.localDisplayName") != "helper" ||
		m.get("users.0.user.activeUser") != false || m.str("users.1.user.localDisplayName") != "other" {
		t.Fatalf("users: %s", m.raw)
	}
	check(t, s.Wait(wait, func(w *simplexsim.World) bool { return w.HasUser() }))
}

func TestProfileCommands(t *testing.T) {
	_, c := setup(t)
	m := c.cmd(`/_profile 1 {"displayName":"modbot","fullName":"","peerType":"bot"}`)
	if m.typ() != "userProfileNoChange" {
		t.Fatalf("same profile: %s", m.raw)
	}
	m = c.cmd(`/_profile 1 {"displayName":"modbot","fullName":"Moderator","peerType":"bot","preferences":{"commands":[{"type":"command","keyword":"help","label":"Help"}]}}`)
	if m.typ() != "userProfileUpdated" || m.str("fromProfile.fullName") != "" || m.str("toProfile.fullName") != "Moderator" ||
		m.str("toProfile.preferences.commands.0.keyword") != "help" || !m.has("updateSummary.updateSuccesses") {
		t.Fatalf("got %s", m.raw)
	}
	wantErr(t, c.cmd(`/_profile 2 {"displayName":"x","fullName":""}`), "errorStore", "userNotFound")
	wantErr(t, c.cmd(`/_profile 1 {"displayName":"","fullName":""}`), "error", "invalidDisplayName")
	wantErr(t, c.cmd(`/_profile 1 nope`), "error", "commandError")
}

func TestAddressCommands(t *testing.T) {
	s := start(t)
	c := dial(t, s.URL())
	wantErr(t, c.cmd("/_show_address 1"), "errorStore", "userContactLinkNotFound")
	wantErr(t, c.cmd("/show_address"), "errorStore", "userContactLinkNotFound")
	wantErr(t, c.cmd("/_delete_address 1"), "errorStore", "userContactLinkNotFound")
	wantErr(t, c.cmd(`/_address_settings 1 {"businessAddress":false}`), "errorStore", "userContactLinkNotFound")
	wantErr(t, c.cmd("/_profile_address 1 on"), "errorStore", "userContactLinkNotFound")
	wantErr(t, c.cmd("/auto_accept on"), "errorStore", "userContactLinkNotFound")

	m := c.cmd("/_address 1")
	if m.typ() != "userContactLinkCreated" || !strings.HasPrefix(m.str("connLinkContact.connFullLink"), "simplex:/contact#") {
		t.Fatalf("got %s", m.raw)
	}
	wantErr(t, c.cmd("/ad"), "errorStore", "duplicateContactLink")
	m = c.cmd("/_show_address 1")
	if m.typ() != "userContactLink" || m.has("contactLink.addressSettings.autoAccept") || m.get("contactLink.addressSettings.businessAddress") != false {
		t.Fatalf("new address should not auto-accept: %s", m.raw)
	}
	m = c.cmd(`/_address_settings 1 {"businessAddress":false,"autoAccept":{"acceptIncognito":false},"autoReply":{"type":"text","text":"Welcome!"}}`)
	if m.typ() != "userContactLinkUpdated" || m.str("contactLink.addressSettings.autoReply.text") != "Welcome!" {
		t.Fatalf("got %s", m.raw)
	}
	if m := c.cmd("/auto_accept off"); m.has("contactLink.addressSettings.autoAccept") {
		t.Fatalf("auto_accept off: %s", m.raw)
	}
	if m := c.cmd("/auto_accept on"); !m.has("contactLink.addressSettings.autoAccept") {
		t.Fatalf("auto_accept on: %s", m.raw)
	}
	m = c.cmd("/_profile_address 1 on")
	if m.typ() != "userProfileUpdated" || m.str("toProfile.contactLink") == "" || m.str("user.profile.contactLink") == "" {
		t.Fatalf("got %s", m.raw)
	}
	if m := c.cmd("/_profile_address 1 on"); m.typ() != "userProfileNoChange" {
		t.Fatalf("got %s", m.raw)
	}
	if m := c.cmd("/show_address"); m.typ() != "userContactLink" {
		t.Fatalf("got %s", m.raw)
	}
	m = c.cmd("/_delete_address 1")
	if m.typ() != "userContactLinkDeleted" || m.has("user.profile.contactLink") {
		t.Fatalf("got %s", m.raw)
	}
	if m := c.cmd("/address"); m.typ() != "userContactLinkCreated" {
		t.Fatalf("got %s", m.raw)
	}
	check(t, s.Wait(wait, func(w *simplexsim.World) bool { _, _, ok := w.Address(); return ok }))
}

func TestSendHappyPath(t *testing.T) {
	s, c := setup(t)
	alice := connect(t, s, c, "alice")
	in := must[int64](t)(s.ContactSend(alice, "question"))
	c.expect("newChatItems")
	m := c.cmdf(`/_send @%d live=on ttl=60 json [{"msgContent":{"type":"text","text":"answer"},"quotedItemId":%d},{"msgContent":{"type":"text","text":"more"},"mentions":{}}]`, alice, in)
	if m.typ() != "newChatItems" || m.corrID == nil {
		t.Fatalf("got %s", m.raw)
	}
	first := m.get("chatItems.0").(map[string]any)
	for path, want := range map[string]any{
		"chatInfo.type": "direct", "chatInfo.contact.contactId": float64(alice),
		"chatInfo.contact.activeConn.connStatus.type": "ready",
		"chatItem.chatDir.type":                       "directSnd", "chatItem.meta.itemStatus.type": "sndNew",
		"chatItem.meta.itemText": "answer", "chatItem.meta.deletable": true, "chatItem.meta.editable": true,
		"chatItem.meta.itemLive": true, "chatItem.meta.itemTimed.ttl": 60.0,
		"chatItem.content.type": "sndMsgContent", "chatItem.content.msgContent.text": "answer",
		"chatItem.quotedItem.itemId": float64(in), "chatItem.quotedItem.chatDir.type": "directRcv",
		"chatItem.quotedItem.content.text": "question",
	} {
		if got := dig(first, path); got != want {
			t.Errorf("%s = %#v, want %#v", path, got, want)
		}
	}
	if !isoFrac.MatchString(dig(first, "chatItem.meta.createdAt").(string)) {
		t.Errorf("createdAt %v lacks fractional seconds", dig(first, "chatItem.meta.createdAt"))
	}
	if m.num("chatItems.1.chatItem.meta.itemId") != m.num("chatItems.0.chatItem.meta.itemId")+1 {
		t.Fatalf("item ids not consecutive: %s", m.raw)
	}
	// Delivery statuses follow the response: sndSent, then sndRcvd.
	evs := c.expect("chatItemsStatusesUpdated", "chatItemsStatusesUpdated")
	if evs[0].str("chatItems.0.chatItem.meta.itemStatus.type") != "sndSent" ||
		evs[1].str("chatItems.1.chatItem.meta.itemStatus.type") != "sndRcvd" ||
		evs[1].str("chatItems.1.chatItem.meta.itemStatus.msgRcptStatus") != "ok" {
		t.Fatalf("statuses %s / %s", evs[0].raw, evs[1].raw)
	}
	sent := must[[]simplexsim.SentItem](t)(s.WaitBotSent(2, wait))
	want := simplexsim.SentItem{ChatRef: fmt.Sprintf("@%d", alice), ItemID: m.num("chatItems.0.chatItem.meta.itemId"),
		Text: "answer", MsgType: "text", QuotedItemID: in, Live: true, TTL: 60}
	if fmt.Sprint(sent[0]) != fmt.Sprint(want) || sent[1].Text != "more" {
		t.Fatalf("sent %+v, want %+v", sent, want)
	}
}

func TestSendErrors(t *testing.T) {
	s, c := setup(t)
	alice := connect(t, s, c, "alice")
	big := strings.Repeat("x", 15600)
	tests := []struct {
		name, cmd, kind, tag string
	}{
		{"unknown contact", "/_send @99 json " + sendJSON("hi"), "errorStore", "contactNotFound"},
		{"unknown group", "/_send #42 json " + sendJSON("hi"), "errorStore", "groupNotFound"},
		{"large message", fmt.Sprintf("/_send @%d json %s", alice, sendJSON(big)), "errorStore", "largeMsg"},
		{"unknown quote", fmt.Sprintf(`/_send @%d json [{"msgContent":{"type":"text","text":"x"},"quotedItemId":777}]`, alice), "errorStore", "chatItemNotFound"},
		{"missing file", fmt.Sprintf(`/_send @%d json [{"msgContent":{"type":"file","text":""},"fileSource":{"filePath":"/nonexistent/f.bin"}}]`, alice), "error", "fileNotFound"},
		{"bare object", fmt.Sprintf(`/_send @%d json {"msgContent":{"type":"text","text":"x"}}`, alice), "error", "commandError"},
		{"no msgContent", fmt.Sprintf(`/_send @%d json [{"text":"x"}]`, alice), "error", "commandError"},
	}
	for _, tc := range tests {
		t.Run(tc.name, func(t *testing.T) {
			m := c.cmd(tc.cmd)
			wantErr(t, m, tc.kind, tc.tag)
			if tc.tag == "contactNotFound" && m.num("chatError.storeError.contactId") != 99 {
				t.Fatalf("contactId missing: %s", m.raw)
			}
		})
	}
	// A message just under the limit passes.
	if m := c.cmdf("/_send @%d json %s", alice, sendJSON(strings.Repeat("y", 15000))); m.typ() != "newChatItems" {
		t.Fatalf("15000 bytes: %s", m.raw)
	}
	if n := len(s.BotSent()); n != 1 {
		t.Fatalf("failed sends were recorded: %d", n)
	}
}

func TestSendToPendingOrDeletedContact(t *testing.T) {
	s := start(t, simplexsim.WithAddress(false, ""))
	c := dial(t, s.URL())
	conn := must[simplexsim.Connected](t)(s.ConnectContact("bob"))
	c.expect("receivedContactRequest")
	if conn.ContactID != 0 {
		t.Fatal("contact exists before acceptance")
	}
	m := c.cmdf("/_accept %d", conn.RequestID)
	contactID := m.num("contact.contactId")
	c.expect("contactSndReady", "contactConnected")
	check(t, s.ContactLeave(contactID))
	c.expect("contactDeletedByContact")
	wantErr(t, c.cmdf("/_send @%d json %s", contactID, sendJSON("x")), "error", "contactNotActive")
}

func TestSendWithFile(t *testing.T) {
	s, c := setup(t, simplexsim.WithAutoDelivery(false))
	alice := connect(t, s, c, "alice")
	path := filepath.Join(t.TempDir(), "report.txt")
	check(t, os.WriteFile(path, []byte("12345"), 0o600))
	m := c.cmdf(`/_send @%d json [{"msgContent":{"type":"file","text":"see"},"fileSource":{"filePath":%q}}]`, alice, path)
	if m.str("chatItems.0.chatItem.file.fileName") != "report.txt" || m.num("chatItems.0.chatItem.file.fileSize") != 5 ||
		m.str("chatItems.0.chatItem.file.fileStatus.type") != "sndStored" {
		t.Fatalf("got %s", m.raw)
	}
	fileID := m.num("chatItems.0.chatItem.file.fileId")
	if sent := s.BotSent(); sent[0].FilePath != path || sent[0].MsgType != "file" {
		t.Fatalf("sent %+v", sent)
	}
	m = c.cmdf("/fcancel %d", fileID)
	if m.typ() != "sndFileCancelled" || m.str("chatItem_.chatItem.file.fileStatus.type") != "sndCancelled" {
		t.Fatalf("got %s", m.raw)
	}
	wantErr(t, c.cmdf("/fcancel %d", fileID), "error", "fileCancel")
}

func TestUpdateItem(t *testing.T) {
	s, c := setup(t, simplexsim.WithAutoDelivery(false))
	alice := connect(t, s, c, "alice")
	theirs := must[int64](t)(s.ContactSend(alice, "theirs"))
	c.expect("newChatItems")
	mine := c.cmdf("/_send @%d json %s", alice, sendJSON("v1")).num("chatItems.0.chatItem.meta.itemId")
	upd := func(id int64, text string) msg {
		return c.cmdf(`/_update item @%d %d json {"msgContent":{"type":"text","text":%q},"mentions":{}}`, alice, id, text)
	}
	m := upd(mine, "v2")
	if m.typ() != "chatItemUpdated" || m.get("chatItem.chatItem.meta.itemEdited") != true || m.str("chatItem.chatItem.meta.itemText") != "v2" {
		t.Fatalf("got %s", m.raw)
	}
	if m := upd(mine, "v2"); m.typ() != "chatItemNotChanged" || m.num("chatItem.chatItem.meta.itemId") != mine {
		t.Fatalf("same content: %s", m.raw)
	}
	wantErr(t, upd(theirs, "hijack"), "error", "invalidChatItemUpdate")
	wantErr(t, upd(9999, "x"), "errorStore", "chatItemNotFound")
	wantErr(t, c.cmdf(`/_update item @%d %d json {"msgContent":{"type":"text","text":"x"}}`, alice, mine), "error", "commandError")
	acts := s.Actions()
	if len(acts) != 1 || acts[0].Kind != simplexsim.ActionUpdate || acts[0].Text != "v2" {
		t.Fatalf("actions %+v", acts)
	}
}

func TestDeleteItem(t *testing.T) {
	s, c := setup(t, simplexsim.WithAutoDelivery(false))
	alice := connect(t, s, c, "alice")
	theirs := must[int64](t)(s.ContactSend(alice, "theirs"))
	c.expect("newChatItems")
	send := func(text string) int64 {
		return c.cmdf("/_send @%d json %s", alice, sendJSON(text)).num("chatItems.0.chatItem.meta.itemId")
	}
	a, b, d := send("a"), send("b"), send("d")
	tests := []struct {
		name, mode string
		ids        []int64
		toItem     bool
	}{
		{"broadcast", "broadcast", []int64{a}, true},
		{"internalMark", "internalMark", []int64{b}, true},
		{"internal of two", "internal", []int64{d, theirs}, false},
	}
	for _, tc := range tests {
		t.Run(tc.name, func(t *testing.T) {
			ids := strings.Trim(strings.Join(strings.Fields(fmt.Sprint(tc.ids)), ","), "[]")
			m := c.cmdf("/_delete item @%d %s %s", alice, ids, tc.mode)
			if m.typ() != "chatItemsDeleted" || m.get("byUser") != true || m.get("timed") != false {
				t.Fatalf("got %s", m.raw)
			}
			dels := m.get("chatItemDeletions").([]any)
			if len(dels) != len(tc.ids) {
				t.Fatalf("%d deletions", len(dels))
			}
			for i, d := range dels {
				if dig(d, "deletedChatItem.chatItem.meta.itemId") != float64(tc.ids[i]) {
					t.Fatalf("deletion %d: %v", i, d)
				}
				if (dig(d, "toChatItem") != nil) != tc.toItem {
					t.Fatalf("toChatItem presence wrong: %v", d)
				}
				if tc.toItem && dig(d, "toChatItem.chatItem.meta.itemDeleted.type") != "deleted" {
					t.Fatalf("itemDeleted: %v", d)
				}
			}
		})
	}
	s.View(func(w *simplexsim.World) {
		if _, ok := w.Item(d); ok {
			t.Error("internal delete kept the item")
		}
		if it, _ := w.Item(a); it.Deleted != "deleted" {
			t.Errorf("broadcast item %+v", it)
		}
	})
	wantErr(t, c.cmdf("/_delete item @%d %d broadcast", alice, a), "error", "invalidChatItemDelete")
	wantErr(t, c.cmdf("/_delete item @%d 4242 internal", alice), "errorStore", "chatItemNotFound")
	wantErr(t, c.cmd("/_delete item @77 1 internal"), "errorStore", "contactNotFound")
}

func TestReactionCommand(t *testing.T) {
	s, c := setup(t)
	alice := connect(t, s, c, "alice")
	in := must[int64](t)(s.ContactSend(alice, "nice"))
	c.expect("newChatItems")
	m := c.cmdf(`/_reaction @%d %d on {"type":"emoji","emoji":"👍"}`, alice, in)
	if m.typ() != "chatItemReaction" || m.get("added") != true || m.str("reaction.chatReaction.reaction.emoji") != "👍" ||
		m.str("reaction.chatReaction.chatDir.type") != "directSnd" || m.str("reaction.chatInfo.type") != "direct" ||
		m.get("reaction.chatReaction.chatItem.reactions.0.userReacted") != true ||
		m.num("reaction.chatReaction.chatItem.reactions.0.totalReacted") != 1 {
		t.Fatalf("got %s", m.raw)
	}
	if m := c.cmdf(`/_reaction @%d %d off {"type":"emoji","emoji":"👍"}`, alice, in); m.get("added") != false ||
		len(m.get("reaction.chatReaction.chatItem.reactions").([]any)) != 0 {
		t.Fatalf("off: %s", m.raw)
	}
	wantErr(t, c.cmdf(`/_reaction @%d 999 on {"type":"emoji","emoji":"👍"}`, alice), "errorStore", "chatItemNotFound")
	wantErr(t, c.cmdf(`/_reaction @%d %d on {"type":"emoji","emoji":"🦄"}`, alice, in), "error", "commandError")
}

func TestContactRequestCommands(t *testing.T) {
	s := start(t, simplexsim.WithAddress(false, "hello there"))
	c := dial(t, s.URL())
	bob := must[simplexsim.Connected](t)(s.ConnectContact("bob"))
	carol := must[simplexsim.Connected](t)(s.ConnectContact("carol"))
	req := c.expect("receivedContactRequest", "receivedContactRequest")[0]
	if req.num("contactRequest.contactRequestId") != bob.RequestID || req.str("contactRequest.profile.displayName") != "bob" ||
		req.get("contactRequest.rejectionSupported") != true {
		t.Fatalf("request %s", req.raw)
	}
	// /_accept (Commands.hs APIAcceptContact): the welcome goes out within
	// the command, the contact comes back sndReady, then contactSndReady
	// (agent JOINED) and contactConnected (CON) follow the response.
	id := c.send(fmt.Sprintf("/_accept %d", bob.RequestID))
	early := c.next()
	if early.corrID != nil || early.typ() != "newChatItems" || early.str("chatItems.0.chatItem.content.msgContent.text") != "hello there" {
		t.Fatalf("first frame %s", early.raw)
	}
	resp := c.next()
	if resp.corrID == nil || *resp.corrID != id || resp.typ() != "acceptingContactRequest" ||
		resp.str("contact.activeConn.connStatus.type") != "sndReady" {
		t.Fatalf("response %s", resp.raw)
	}
	contactID := resp.num("contact.contactId")
	evs := c.expect("contactSndReady", "contactConnected")
	if evs[0].num("contact.contactId") != contactID || evs[0].str("contact.activeConn.connStatus.type") != "sndReady" {
		t.Fatalf("contactSndReady %s", evs[0].raw)
	}
	if evs[1].num("contact.contactId") != contactID || evs[1].str("contact.activeConn.connStatus.type") != "ready" {
		t.Fatalf("contactConnected %s", evs[1].raw)
	}
	wantErr(t, c.cmdf("/_accept %d", bob.RequestID), "errorStore", "contactRequestNotFound")
	m := c.cmdf("/_reject %d", carol.RequestID)
	if m.typ() != "contactRequestRejected" || m.num("contactRequest.contactRequestId") != carol.RequestID {
		t.Fatalf("got %s", m.raw)
	}
	wantErr(t, c.cmdf("/_reject %d", carol.RequestID), "errorStore", "contactRequestNotFound")
	s.View(func(w *simplexsim.World) {
		if st, _ := w.ContactRequest(carol.RequestID); st != "rejected" {
			t.Errorf("carol %s", st)
		}
		if ci, _ := w.Contact(contactID); !ci.Ready || ci.Name != "bob" {
			t.Errorf("bob %+v", ci)
		}
	})
}

func TestListCommands(t *testing.T) {
	s, c := setup(t)
	alice := connect(t, s, c, "alice")
	bob := connect(t, s, c, "bob")
	m := c.cmd("/_contacts 1")
	cs := m.get("contacts").([]any)
	if m.typ() != "contactsList" || len(cs) != 2 || dig(cs[0], "contactId") != float64(alice) || dig(cs[1], "contactId") != float64(bob) {
		t.Fatalf("got %s", m.raw)
	}
	if alice != 2 {
		t.Fatalf("first contact id %d, want 2 (1 is the user's own)", alice)
	}
	wantErr(t, c.cmd("/_contacts 3"), "errorStore", "userNotFound")

	gid, _ := newJoinedGroup(t, s, c, alice, "admin")
	m = c.cmd("/_groups1")
	if m.typ() != "groupsList" || m.num("groups.0.groupId") != gid || m.num("groups.0.groupSummary.currentMembers") != 4 {
		t.Fatalf("got %s", m.raw)
	}
	if m := c.cmd("/_groups1 nomatch"); len(m.get("groups").([]any)) != 0 {
		t.Fatalf("search: %s", m.raw)
	}
	if m := c.cmdf("/_groups1 @%d", bob); len(m.get("groups").([]any)) != 0 {
		t.Fatalf("by contact: %s", m.raw)
	}
	if m := c.cmdf("/_groups1 @%d team", alice); len(m.get("groups").([]any)) != 1 {
		t.Fatalf("by contact and search: %s", m.raw)
	}
	m = c.cmd(`/_get chats 1 pcc=on count=10 {"type":"filters","favorite":false,"unread":false}`)
	chats := m.get("chats").([]any)
	if m.typ() != "apiChats" || len(chats) != 3 {
		t.Fatalf("got %s", m.raw)
	}
	if m := c.cmd("/_get chats 1 count=1"); len(m.get("chats").([]any)) != 1 {
		t.Fatalf("count=1: %s", m.raw)
	}
	m = c.cmdf("/_members #%d", gid)
	if m.typ() != "groupMembers" || len(m.get("group.members").([]any)) != 3 || m.num("group.groupInfo.groupId") != gid {
		t.Fatalf("got %s", m.raw)
	}
	wantErr(t, c.cmd("/_members #99"), "errorStore", "groupNotFound")
}

func TestGetChatPagination(t *testing.T) {
	s, c := setup(t)
	alice := connect(t, s, c, "alice")
	var ids []int64
	for i := range 6 {
		ids = append(ids, must[int64](t)(s.ContactSend(alice, fmt.Sprint("m", i))))
		c.expect("newChatItems")
	}
	page := func(cmd string) []int64 {
		m := c.cmd(cmd)
		if m.typ() != "apiChat" || m.str("chat.chatInfo.type") != "direct" {
			t.Fatalf("%s: %s", cmd, m.raw)
		}
		var out []int64
		for _, it := range m.get("chat.chatItems").([]any) {
			out = append(out, int64(dig(it, "meta.itemId").(float64)))
		}
		return out
	}
	tests := []struct {
		cmd  string
		want []int64
	}{
		{fmt.Sprintf("/_get chat @%d count=3", alice), ids[3:]},
		{fmt.Sprintf("/_get chat @%d count=100", alice), ids},
		{fmt.Sprintf("/_get chat @%d after=%d count=2", alice, ids[1]), ids[2:4]},
		{fmt.Sprintf("/_get chat @%d before=%d count=2", alice, ids[4]), ids[2:4]},
		{fmt.Sprintf("/_get chat @%d count=5 search=m5", alice), ids[5:]},
	}
	for _, tc := range tests {
		t.Run(tc.cmd, func(t *testing.T) {
			if got := page(tc.cmd); fmt.Sprint(got) != fmt.Sprint(tc.want) {
				t.Fatalf("got %v, want %v", got, tc.want)
			}
		})
	}
	// Commands.hs APIChatItemsRead answers CRItemsReadForChat with the chat.
	m := c.cmdf("/_read chat items @%d %d,%d", alice, ids[0], ids[1])
	if m.typ() != "itemsReadForChat" || m.num("chatInfo.contact.contactId") != alice {
		t.Fatalf("got %s", m.raw)
	}
	m = c.cmdf("/_get chat @%d count=6", alice)
	if m.num("chat.chatStats.unreadCount") != 4 || m.num("chat.chatStats.minUnreadItemId") != ids[2] ||
		m.str("chat.chatItems.0.meta.itemStatus.type") != "rcvRead" {
		t.Fatalf("after read: %s", m.raw)
	}
	wantErr(t, c.cmdf("/_read chat items @%d 4242", alice), "errorStore", "chatItemNotFound")
	wantErr(t, c.cmd("/_get chat #5 count=1"), "errorStore", "groupNotFound")
}

func TestSetPrefsAndStart(t *testing.T) {
	s, c := setup(t)
	alice := connect(t, s, c, "alice")
	m := c.cmdf(`/_set prefs @%d {"files":{"allow":"no"}}`, alice)
	if m.typ() != "contactPrefsUpdated" || m.str("toContact.userPreferences.files.allow") != "no" || m.has("fromContact.userPreferences.files") {
		t.Fatalf("got %s", m.raw)
	}
	wantErr(t, c.cmd(`/_set prefs @99 {}`), "errorStore", "contactNotFound")
	for _, cmd := range []string{"/_start", "/_start main=on"} {
		if m := c.cmd(cmd); m.typ() != "chatRunning" {
			t.Fatalf("%s: %s", cmd, m.raw)
		}
	}
}

func TestFileReceiveCommands(t *testing.T) {
	s, c := setup(t)
	alice := connect(t, s, c, "alice")
	r := must[simplexsim.Received](t)(s.ContactSendMsg(alice, simplexsim.Msg{Text: "doc", File: &simplexsim.FileOffer{Name: "a.pdf", Size: 4096}}))
	evs := c.expect("newChatItems", "rcvFileDescrReady")
	if evs[0].str("chatItems.0.chatItem.file.fileStatus.type") != "rcvInvitation" || evs[0].num("chatItems.0.chatItem.file.fileId") != r.FileID ||
		evs[0].str("chatItems.0.chatItem.content.msgContent.type") != "file" {
		t.Fatalf("offer %s", evs[0].raw)
	}
	if evs[1].num("rcvFileTransfer.fileId") != r.FileID || evs[1].str("rcvFileTransfer.fileInvitation.fileName") != "a.pdf" ||
		evs[1].get("rcvFileDescr.fileDescrComplete") != true {
		t.Fatalf("descr %s", evs[1].raw)
	}
	m := c.cmdf("/freceive %d approved_relays=on encrypt=off /tmp/x/a.pdf", r.FileID)
	if m.typ() != "rcvFileAccepted" || m.str("chatItem.chatItem.file.fileStatus.type") != "rcvAccepted" {
		t.Fatalf("got %s", m.raw)
	}
	evs = c.expect("rcvFileStart", "rcvFileComplete")
	if evs[1].str("chatItem.chatItem.file.fileSource.filePath") != "/tmp/x/a.pdf" || evs[1].str("chatItem.chatItem.file.fileStatus.type") != "rcvComplete" {
		t.Fatalf("complete %s", evs[1].raw)
	}
	wantErr(t, c.cmdf("/freceive %d", r.FileID), "error", "fileAlreadyReceiving")
	wantErr(t, c.cmdf("/fcancel %d", r.FileID), "error", "fileCancel")
	wantErr(t, c.cmd("/freceive 999"), "errorStore", "userNotFoundByFileId")

	r2 := must[simplexsim.Received](t)(s.ContactSendMsg(alice, simplexsim.Msg{File: &simplexsim.FileOffer{Name: "b.bin", Size: 1}}))
	c.expect("newChatItems", "rcvFileDescrReady")
	if m := c.cmdf("/fcancel %d", r2.FileID); m.typ() != "rcvFileCancelled" || m.get("rcvFileTransfer.cancelled") != true {
		t.Fatalf("got %s", m.raw)
	}
	s.View(func(w *simplexsim.World) {
		if f, _ := w.File(r.FileID); f.Status != "rcvComplete" || f.Path != "/tmp/x/a.pdf" {
			t.Errorf("file %+v", f)
		}
	})
}

// newJoinedGroup creates "team" with owner alice (a contact), a member and an
// observer, invites the bot with role and joins; it returns the group id and
// member ids [owner, member, observer].
func newJoinedGroup(t *testing.T, s *simplexsim.Sim, c *client, ownerContact int64, role string) (int64, []int64) {
	t.Helper()
	gid, mids, err := s.NewGroup("team",
		simplexsim.MemberSpec{Name: "alice", Role: "owner", ContactID: ownerContact},
		simplexsim.MemberSpec{Name: "mallory"},
		simplexsim.MemberSpec{Name: "olga", Role: "observer"})
	check(t, err)
	must[int64](t)(s.InviteBot(gid, ownerContact, role))
	c.expect("receivedGroupInvitation", "newChatItems")
	if m := c.cmdf("/_join #%d", gid); m.typ() != "userAcceptedGroupSent" {
		t.Fatalf("join: %s", m.raw)
	}
	c.expect("userJoinedGroup")
	return gid, mids
}

func TestGroupJoinFlow(t *testing.T) {
	s, c := setup(t)
	alice := connect(t, s, c, "alice")
	gid, mids := must2[int64, []int64](t)(s.NewGroup("team", simplexsim.MemberSpec{Name: "alice", Role: "owner", ContactID: alice}))
	wantErr(t, c.cmdf("/_join #%d", gid), "errorStore", "groupNotFound") // not invited yet
	itemID := must[int64](t)(s.InviteBot(gid, alice, "moderator"))
	evs := c.expect("receivedGroupInvitation", "newChatItems")
	inv := evs[0]
	for path, want := range map[string]any{
		"groupInfo.groupId": float64(gid), "groupInfo.membership.memberStatus": "invited",
		"groupInfo.membership.memberRole": "moderator", "groupInfo.membership.memberCategory": "user",
		"groupInfo.membership.invitedBy.type": "contact", "groupInfo.membership.invitedBy.byContactId": float64(alice),
		"groupInfo.membership.invitedByGroupMemberId": float64(mids[0]), "contact.contactId": float64(alice),
		"fromMemberRole": "owner", "memberRole": "moderator",
	} {
		if got := inv.get(path); got != want {
			t.Errorf("%s = %#v, want %#v", path, got, want)
		}
	}
	if evs[1].num("chatItems.0.chatItem.meta.itemId") != itemID || evs[1].str("chatItems.0.chatItem.content.type") != "rcvGroupInvitation" ||
		evs[1].num("chatItems.0.chatItem.content.groupInvitation.groupId") != gid || evs[1].str("chatItems.0.chatInfo.type") != "direct" {
		t.Fatalf("invitation item %s", evs[1].raw)
	}
	wantErr(t, c.cmdf("/_send #%d json %s", gid, sendJSON("early")), "error", "groupNotJoined")
	m := c.cmdf("/_join #%d", gid)
	if m.typ() != "userAcceptedGroupSent" || m.str("groupInfo.membership.memberStatus") != "accepted" || m.num("hostContact.contactId") != alice {
		t.Fatalf("join %s", m.raw)
	}
	joined := c.event()
	if joined.typ() != "userJoinedGroup" || joined.str("groupInfo.membership.memberStatus") != "connected" || joined.num("hostMember.groupMemberId") != mids[0] {
		t.Fatalf("joined %s", joined.raw)
	}
	wantErr(t, c.cmdf("/_join #%d", gid), "errorStore", "groupAlreadyJoined")
	m = c.cmdf("/_send #%d json %s", gid, sendJSON("hello group"))
	if m.str("chatItems.0.chatItem.chatDir.type") != "groupSnd" || m.str("chatItems.0.chatInfo.groupInfo.groupProfile.displayName") != "team" {
		t.Fatalf("send %s", m.raw)
	}
	c.expect("chatItemsStatusesUpdated", "chatItemsStatusesUpdated")
	if m := c.cmdf("/_leave #%d", gid); m.typ() != "leftMemberUser" {
		t.Fatalf("leave %s", m.raw)
	}
	wantErr(t, c.cmdf("/_send #%d json %s", gid, sendJSON("after")), "error", "groupMemberUserRemoved")
}

func must2[A, B any](t testing.TB) func(a A, b B, err error) (A, B) {
	return func(a A, b B, err error) (A, B) {
		t.Helper()
		if err != nil {
			t.Fatal(err)
		}
		return a, b
	}
}

func TestGroupCreateAddLink(t *testing.T) {
	s, c := setup(t)
	alice := connect(t, s, c, "alice")
	m := c.cmd(`/_group 1 {"displayName":"club","fullName":"","description":"welcome"}`)
	if m.typ() != "groupCreated" || m.str("groupInfo.membership.memberRole") != "owner" || m.str("groupInfo.membership.memberStatus") != "creator" ||
		m.str("groupInfo.groupProfile.description") != "welcome" {
		t.Fatalf("got %s", m.raw)
	}
	gid := m.num("groupInfo.groupId")
	wantErr(t, c.cmd(`/_group 1 {"displayName":""}`), "error", "invalidDisplayName")
	m = c.cmdf("/_add #%d %d member", gid, alice)
	if m.typ() != "sentGroupInvitation" || m.str("member.memberStatus") != "invited" || m.num("contact.contactId") != alice ||
		m.str("member.memberCategory") != "invitee" {
		t.Fatalf("got %s", m.raw)
	}
	wantErr(t, c.cmdf("/_add #%d %d member", gid, alice), "error", "groupDuplicateMember")
	wantErr(t, c.cmdf("/_add #%d 99 member", gid), "errorStore", "contactNotFound")
	m = c.cmdf("/_create link #%d member", gid)
	if m.typ() != "groupLinkCreated" || m.str("groupLink.acceptMemberRole") != "member" || m.str("groupLink.connLinkContact.connFullLink") == "" {
		t.Fatalf("got %s", m.raw)
	}
	wantErr(t, c.cmdf("/_create link #%d member", gid), "errorStore", "duplicateGroupLink")
}

func TestModerationCommands(t *testing.T) {
	s, c := setup(t)
	alice := connect(t, s, c, "alice")
	gid, mids := newJoinedGroup(t, s, c, alice, "admin")
	owner, mallory, olga := mids[0], mids[1], mids[2]
	spam := must[int64](t)(s.MemberSend(gid, mallory, "buy now", false))
	ownerMsg := must[int64](t)(s.MemberSend(gid, owner, "rules", false))
	c.expect("newChatItems", "newChatItems")

	m := c.cmdf("/_delete member item #%d %d", gid, spam)
	if m.typ() != "chatItemsDeleted" || m.get("byUser") != true ||
		m.str("chatItemDeletions.0.toChatItem.chatItem.meta.itemDeleted.type") != "moderated" ||
		m.str("chatItemDeletions.0.toChatItem.chatItem.meta.itemDeleted.byGroupMember.memberRole") != "admin" {
		t.Fatalf("got %s", m.raw)
	}
	m = c.cmdf("/_delete member item #%d %d", gid, ownerMsg)
	wantErr(t, m, "error", "groupUserRole")
	if m.str("chatError.errorType.groupInfo.groupProfile.displayName") != "team" {
		t.Fatalf("groupInfo missing: %s", m.raw)
	}
	wantErr(t, c.cmdf("/_delete member item #%d 999", gid), "errorStore", "chatItemNotFound")

	m = c.cmdf("/_block #%d %d blocked=on", gid, mallory)
	if m.typ() != "membersBlockedForAllUser" || m.get("blocked") != true || m.get("members.0.blockedByAdmin") != true {
		t.Fatalf("got %s", m.raw)
	}
	m = c.cmdf("/_member role #%d %d,%d observer", gid, mallory, olga)
	if m.typ() != "membersRoleUser" || m.str("toRole") != "observer" || len(m.get("members").([]any)) != 2 {
		t.Fatalf("got %s", m.raw)
	}
	wantErr(t, c.cmdf("/_member role #%d %d member", gid, owner), "error", "groupUserRole")
	wantErr(t, c.cmdf("/_member role #%d %d owner", gid, olga), "error", "groupUserRole")
	m = c.cmdf("/_remove #%d %d messages=on", gid, mallory)
	if m.typ() != "userDeletedMembers" || m.get("withMessages") != true || m.str("members.0.memberStatus") != "removed" {
		t.Fatalf("got %s", m.raw)
	}
	wantErr(t, c.cmdf("/_remove #%d %d", gid, mallory), "error", "groupMemberNotFound")
	wantErr(t, c.cmdf("/_block #%d 4242 blocked=on", gid), "error", "groupMemberNotFound")

	mods := s.Moderations()
	kinds := []simplexsim.ActionKind{}
	for _, a := range mods {
		kinds = append(kinds, a.Kind)
	}
	want := []simplexsim.ActionKind{simplexsim.ActionModerate, simplexsim.ActionBlock, simplexsim.ActionRole, simplexsim.ActionRemove}
	if fmt.Sprint(kinds) != fmt.Sprint(want) {
		t.Fatalf("moderations %v, want %v", kinds, want)
	}
	if mods[0].ItemIDs[0] != spam || mods[0].MemberIDs[0] != mallory || !mods[1].Blocked || mods[2].Role != "observer" || mods[3].Mode != "messages=on" {
		t.Fatalf("moderations %+v", mods)
	}
	s.View(func(w *simplexsim.World) {
		if m, _ := w.Member(gid, mallory); m.Status != "removed" || !m.Blocked || m.Role != "observer" {
			t.Errorf("mallory %+v", m)
		}
	})
}

func TestModerationNeedsRole(t *testing.T) {
	tests := []struct {
		botRole, cmd, required string
	}{
		{"member", "/_delete member item #%[1]d %[2]d", "moderator"},
		{"moderator", "/_remove #%[1]d %[3]d", "admin"},
		{"moderator", "/_member role #%[1]d %[3]d observer", "admin"},
		{"member", "/_block #%[1]d %[3]d blocked=on", "moderator"},
		{"observer", `/_send #%[1]d json [{"msgContent":{"type":"text","text":"x"}}]`, "author"},
	}
	for _, tc := range tests {
		t.Run(tc.botRole+" "+tc.cmd, func(t *testing.T) {
			s, c := setup(t)
			alice := connect(t, s, c, "alice")
			gid, mids := newJoinedGroup(t, s, c, alice, tc.botRole)
			item := must[int64](t)(s.MemberSend(gid, mids[1], "x", false))
			c.expect("newChatItems")
			m := c.cmdf(tc.cmd, gid, item, mids[1])
			wantErr(t, m, "error", "groupUserRole")
			if got := m.str("chatError.errorType.requiredRole"); got != tc.required {
				t.Fatalf("requiredRole %q, want %q", got, tc.required)
			}
			if len(s.Moderations()) != 0 {
				t.Fatal("failed moderation recorded")
			}
		})
	}
}

func TestAcceptMember(t *testing.T) {
	s, c := setup(t)
	alice := connect(t, s, c, "alice")
	gid, mids := newJoinedGroup(t, s, c, alice, "admin")
	pending := must[int64](t)(s.MemberJoin(gid, simplexsim.MemberSpec{Name: "knocker", Pending: true}))
	ev := c.event()
	if ev.typ() != "joinedGroupMember" || ev.str("member.memberStatus") != "pending_approval" || ev.num("groupInfo.membersRequireAttention") != 1 {
		t.Fatalf("got %s", ev.raw)
	}
	// A knocking member talks in its support scope; the bot answers there.
	ans := must[int64](t)(s.MemberSend(gid, pending, "42", false))
	ev = c.event()
	if ev.str("chatItems.0.chatInfo.groupChatScope.type") != "memberSupport" || ev.num("chatItems.0.chatInfo.groupChatScope.groupMember_.groupMemberId") != pending {
		t.Fatalf("support chat %s", ev.raw)
	}
	m := c.cmdf("/_send #%d(_support:%d) json %s", gid, pending, sendJSON("welcome"))
	if m.typ() != "newChatItems" || m.str("chatItems.0.chatInfo.groupChatScope.type") != "memberSupport" {
		t.Fatalf("support send %s", m.raw)
	}
	c.expect("chatItemsStatusesUpdated", "chatItemsStatusesUpdated")
	if sent := s.BotSent(); sent[0].ChatRef != fmt.Sprintf("#%d(_support:%d)", gid, pending) {
		t.Fatalf("sent %+v", sent)
	}
	_ = ans
	m = c.cmdf("/_accept member #%d %d member", gid, pending)
	if m.typ() != "memberAccepted" || m.str("member.memberStatus") != "connected" || m.str("member.memberRole") != "member" {
		t.Fatalf("got %s", m.raw)
	}
	wantErr(t, c.cmdf("/_accept member #%d %d member", gid, mids[1]), "error", "groupMemberNotActive")
	wantErr(t, c.cmdf("/_accept member #%d 999 member", gid), "errorStore", "groupMemberNotFound")
}

func TestCommandsReturnValidJSON(t *testing.T) {
	s, c := setup(t)
	alice := connect(t, s, c, "alice")
	newJoinedGroup(t, s, c, alice, "owner")
	for _, cmd := range []string{"/user", "/_contacts 1", "/_groups1", "/_get chats 1 count=5", "/_members #1", "/_show_address 1"} {
		m := c.cmd(cmd)
		var v map[string]any
		if err := json.Unmarshal(m.raw, &v); err != nil || m.typ() == "chatCmdError" {
			t.Fatalf("%s: %v %s", cmd, err, m.raw)
		}
	}
}

// TestLargeMsgCountsEncodedBytes guards the size rule: escapes the client
// used do not count, UTF-8 bytes do.
func TestLargeMsgCountsEncodedBytes(t *testing.T) {
	s, c := setup(t, simplexsim.WithAutoDelivery(false))
	alice := connect(t, s, c, "alice")
	tests := []struct {
		name string
		text string
		ok   bool
	}{
		{"ascii 15000", strings.Repeat("a", 15000), true},
		{"ascii 15590", strings.Repeat("a", 15590), false},
		{"2-byte runes 7700 (15400 bytes)", strings.Repeat("é", 7700), true},
		{"2-byte runes 7800 (15600 bytes)", strings.Repeat("é", 7800), false},
		{"escaped html 5000 (<>& are 1 byte each)", strings.Repeat("<>&", 5000), true},
	}
	for _, tc := range tests {
		t.Run(tc.name, func(t *testing.T) {
			m := c.cmdf("/_send @%d json %s", alice, sendJSON(tc.text)) // json.Marshal escapes <>& as \u003c...
			if tc.ok && m.typ() != "newChatItems" {
				t.Fatalf("rejected: %.200s", m.raw)
			}
			if !tc.ok {
				wantErr(t, m, "errorStore", "largeMsg")
			}
		})
	}
}
