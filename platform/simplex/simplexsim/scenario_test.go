package simplexsim_test

import (
	"encoding/json"
	"regexp"
	"testing"

	"github.com/parleybot/parley/platform/simplex/simplexsim"
)

var wholeSeconds = regexp.MustCompile(`^\d{4}-\d\d-\d\dT\d\d:\d\d:\d\dZ$`)

// TestConnectContactAutoAccept follows Subscriber.hs for an auto-accepting
// address: profileContactRequest accepts asynchronously and emits
// acceptingContactRequest; the join's JOINED emits contactSndReady and sends
// the auto-reply (sendAutoReply, newChatItems); CON emits contactConnected.
func TestConnectContactAutoAccept(t *testing.T) {
	s := start(t, simplexsim.WithAddress(true, "Welcome!"))
	c := dial(t, s.URL())
	conn := must[simplexsim.Connected](t)(s.ConnectContact("alice"))
	evs := c.expect("acceptingContactRequest", "contactSndReady", "newChatItems", "contactConnected")
	for i, want := range []string{"accepted", "sndReady", "", "ready"} {
		if got := evs[i].str("contact.activeConn.connStatus.type"); got != want {
			t.Fatalf("event %d connStatus %q, want %q: %s", i, got, want, evs[i].raw)
		}
	}
	if evs[3].num("contact.contactId") != conn.ContactID || evs[3].num("contact.contactRequestId") != conn.RequestID ||
		evs[3].str("user.agentUserId") != "1" || evs[3].str("contact.contactStatus") != "active" {
		t.Fatalf("contactConnected %s", evs[3].raw)
	}
	if evs[2].num("chatItems.0.chatItem.meta.itemId") != conn.AutoReplyItemID || evs[2].str("chatItems.0.chatItem.chatDir.type") != "directSnd" ||
		evs[2].str("chatItems.0.chatItem.content.msgContent.text") != "Welcome!" {
		t.Fatalf("auto-reply %s", evs[2].raw)
	}
	// Same display name again: the CLI de-duplicates local names.
	conn2 := must[simplexsim.Connected](t)(s.ConnectContact("alice"))
	if ev := c.expect("acceptingContactRequest", "contactSndReady", "newChatItems", "contactConnected")[3]; ev.str("contact.localDisplayName") != "alice_1" ||
		ev.str("contact.profile.displayName") != "alice_1" || conn2.ContactID == conn.ContactID {
		t.Fatalf("second alice %s", ev.raw)
	}
}

func TestConnectContactNeedsAddress(t *testing.T) {
	s := start(t)
	if _, err := s.ConnectContact("alice"); err == nil {
		t.Fatal("connected without an address")
	}
	s2 := start(t, simplexsim.WithoutUser())
	if _, err := s2.ConnectContact("alice"); err == nil {
		t.Fatal("connected without a user")
	}
}

func TestContactMessageShapes(t *testing.T) {
	s, c := setup(t)
	alice := connect(t, s, c, "alice")
	in := must[int64](t)(s.ContactSend(alice, "hello"))
	m := c.event()
	for path, want := range map[string]any{
		"type": "newChatItems", "user.userId": 1.0, "chatItems.0.chatInfo.type": "direct",
		"chatItems.0.chatInfo.contact.contactId": float64(alice), "chatItems.0.chatItem.chatDir.type": "directRcv",
		"chatItems.0.chatItem.meta.itemId": float64(in), "chatItems.0.chatItem.meta.itemText": "hello",
		"chatItems.0.chatItem.meta.itemStatus.type": "rcvNew", "chatItems.0.chatItem.meta.deletable": false,
		"chatItems.0.chatItem.meta.userMention": false, "chatItems.0.chatItem.content.type": "rcvMsgContent",
		"chatItems.0.chatItem.content.msgContent.type": "text", "chatItems.0.chatItem.content.msgContent.text": "hello",
	} {
		if got := m.get(path); got != want {
			t.Errorf("%s = %#v, want %#v", path, got, want)
		}
	}
	if !wholeSeconds.MatchString(m.str("chatItems.0.chatItem.meta.itemTs")) || !isoFrac.MatchString(m.str("chatItems.0.chatItem.meta.createdAt")) {
		t.Errorf("timestamps %s", m.raw)
	}
	if _, ok := m.get("chatItems.0.chatItem.mentions").(map[string]any); !ok {
		t.Errorf("mentions must be an object: %s", m.raw)
	}
	if m.has("chatItems.0.chatItem.quotedItem") || m.has("chatItems.0.chatItem.file") || m.has("chatItems.0.chatItem.meta.itemDeleted") {
		t.Errorf("absent optionals must be omitted: %s", m.raw)
	}
	// Quote, edit, react, delete.
	bot := c.cmdf("/_send @%d json %s", alice, sendJSON("answer")).num("chatItems.0.chatItem.meta.itemId")
	c.expect("chatItemsStatusesUpdated", "chatItemsStatusesUpdated")
	r := must[simplexsim.Received](t)(s.ContactSendMsg(alice, simplexsim.Msg{Text: "thanks", QuoteItemID: bot}))
	if q := c.event(); q.num("chatItems.0.chatItem.quotedItem.itemId") != bot || q.str("chatItems.0.chatItem.quotedItem.chatDir.type") != "directSnd" {
		t.Fatalf("quote %s", q.raw)
	}
	check(t, s.ContactEdit(alice, r.ItemID, "thanks!"))
	if e := c.event(); e.typ() != "chatItemUpdated" || e.get("chatItem.chatItem.meta.itemEdited") != true ||
		e.str("chatItem.chatItem.content.msgContent.text") != "thanks!" || e.has("corrId") {
		t.Fatalf("edit %s", e.raw)
	}
	check(t, s.ContactReact(alice, bot, "❤", true))
	if e := c.event(); e.typ() != "chatItemReaction" || e.get("added") != true || e.str("reaction.chatReaction.chatDir.type") != "directRcv" ||
		e.num("reaction.chatReaction.chatItem.meta.itemId") != bot || e.str("reaction.chatReaction.reaction.emoji") != "❤" {
		t.Fatalf("reaction %s", e.raw)
	}
	check(t, s.ContactDelete(alice, r.ItemID))
	if e := c.event(); e.typ() != "chatItemsDeleted" || e.get("byUser") != false || e.get("timed") != false ||
		e.num("chatItemDeletions.0.deletedChatItem.chatItem.meta.itemId") != r.ItemID ||
		e.str("chatItemDeletions.0.toChatItem.chatItem.meta.itemDeleted.type") != "deleted" {
		t.Fatalf("delete %s", e.raw)
	}
	// Invalid scripting is an error, not an event.
	for name, err := range map[string]error{
		"edit bot item":   s.ContactEdit(alice, bot, "x"),
		"edit deleted":    s.ContactEdit(alice, r.ItemID, "x"),
		"bad emoji":       s.ContactReact(alice, bot, "❤️", true),
		"unknown contact": s.ContactDelete(99, in),
	} {
		if err == nil {
			t.Errorf("%s: no error", name)
		}
	}
	if _, err := s.ContactSendMsg(alice, simplexsim.Msg{Text: "x", QuoteItemID: 4242}); err == nil {
		t.Error("quote of unknown item accepted")
	}
	if _, err := s.ContactSendMsg(alice, simplexsim.Msg{Content: json.RawMessage(`{"text":"no type"}`)}); err == nil {
		t.Error("content without type accepted")
	}
	rl := must[simplexsim.Received](t)(s.ContactSendMsg(alice, simplexsim.Msg{Content: json.RawMessage(`{"type":"link","text":"see","preview":{"uri":"https://x.invalid","title":"t","description":"d","image":""}}`)}))
	if e := c.event(); e.str("chatItems.0.chatItem.content.msgContent.preview.uri") != "https://x.invalid" || e.num("chatItems.0.chatItem.meta.itemId") != rl.ItemID {
		t.Fatalf("link %s", e.raw)
	}
}

func TestItemIDsIncreaseAcrossChats(t *testing.T) {
	s, c := setup(t)
	alice := connect(t, s, c, "alice")
	bob := connect(t, s, c, "bob")
	gid, mids := newJoinedGroup(t, s, c, alice, "member")
	var last int64
	for i := range 3 {
		for _, id := range []int64{
			must[int64](t)(s.ContactSend(alice, "a")),
			must[int64](t)(s.ContactSend(bob, "b")),
			must[int64](t)(s.MemberSend(gid, mids[i%2], "g", false)),
		} {
			if id <= last {
				t.Fatalf("item id %d after %d", id, last)
			}
			last = id
		}
	}
}

func TestGroupMemberMessagesAndMentions(t *testing.T) {
	s, c := setup(t)
	alice := connect(t, s, c, "alice")
	gid, mids := newJoinedGroup(t, s, c, alice, "moderator")
	var botMember int64
	s.View(func(w *simplexsim.World) { g, _ := w.Group(gid); botMember = g.BotMember })
	id := must[int64](t)(s.MemberSend(gid, mids[1], "can you help?", true))
	m := c.event()
	for path, want := range map[string]any{
		"chatItems.0.chatInfo.type": "group", "chatItems.0.chatInfo.groupInfo.groupId": float64(gid),
		"chatItems.0.chatInfo.groupInfo.membership.groupMemberId":      float64(botMember),
		"chatItems.0.chatItem.chatDir.type":                            "groupRcv",
		"chatItems.0.chatItem.chatDir.groupMember.groupMemberId":       float64(mids[1]),
		"chatItems.0.chatItem.chatDir.groupMember.memberRole":          "member",
		"chatItems.0.chatItem.meta.itemId":                             float64(id),
		"chatItems.0.chatItem.meta.userMention":                        true,
		"chatItems.0.chatItem.content.msgContent.text":                 "@modbot can you help?",
		"chatItems.0.chatItem.mentions.modbot.memberRef.groupMemberId": float64(botMember),
		"chatItems.0.chatItem.formattedText.0.format.type":             "mention",
		"chatItems.0.chatItem.formattedText.0.format.memberName":       "modbot",
		"chatItems.0.chatItem.formattedText.1.text":                    " can you help?",
	} {
		if got := m.get(path); got != want {
			t.Errorf("%s = %#v, want %#v", path, got, want)
		}
	}
	if m.str("chatItems.0.chatItem.mentions.modbot.memberId") != m.str("chatItems.0.chatInfo.groupInfo.membership.memberId") {
		t.Errorf("mention memberId differs from membership.memberId: %s", m.raw)
	}
	plain := must[int64](t)(s.MemberSend(gid, mids[0], "no mention", false))
	if e := c.event(); e.get("chatItems.0.chatItem.meta.userMention") != false || e.has("chatItems.0.chatItem.formattedText") {
		t.Fatalf("plain %s", e.raw)
	}
	// Bot sends with a mention of a member.
	r := c.cmdf(`/_send #%d json [{"msgContent":{"type":"text","text":"@mallory hi"},"mentions":{"mallory":%d}}]`, gid, mids[1])
	if r.num("chatItems.0.chatItem.mentions.mallory.memberRef.groupMemberId") != mids[1] {
		t.Fatalf("send mention %s", r.raw)
	}
	c.expect("chatItemsStatusesUpdated", "chatItemsStatusesUpdated")
	wantErr(t, c.cmdf(`/_send #%d json [{"msgContent":{"type":"text","text":"x"},"mentions":{"ghost":999}}]`, gid), "errorStore", "groupMemberNotFound")
	check(t, s.MemberEdit(gid, mids[0], plain, "edited"))
	c.expect("chatItemUpdated")
	check(t, s.MemberReact(gid, mids[0], id, "👍", true))
	if e := c.event(); e.str("reaction.chatReaction.chatDir.type") != "groupRcv" || e.num("reaction.chatReaction.chatDir.groupMember.groupMemberId") != mids[0] {
		t.Fatalf("group reaction %s", e.raw)
	}
	check(t, s.MemberDelete(gid, mids[0], plain))
	if e := c.event(); e.typ() != "chatItemsDeleted" || e.get("byUser") != false || e.str("chatItemDeletions.0.deletedChatItem.chatInfo.type") != "group" {
		t.Fatalf("group delete %s", e.raw)
	}
	if _, err := s.MemberSend(gid, 999, "x", false); err == nil {
		t.Error("unknown member could send")
	}
}

func TestGroupEventsOnlyAfterJoin(t *testing.T) {
	s, c := setup(t)
	alice := connect(t, s, c, "alice")
	gid, mids := must2[int64, []int64](t)(s.NewGroup("quiet", simplexsim.MemberSpec{Name: "alice", Role: "owner", ContactID: alice}))
	newcomer := must[int64](t)(s.MemberJoin(gid, simplexsim.MemberSpec{Name: "early"}))
	if _, err := s.MemberSend(gid, mids[0], "x", false); err == nil {
		t.Fatal("member message delivered to a bot outside the group")
	}
	check(t, s.Noise())
	// The first thing the client sees is the noise: nothing leaked before it.
	c.expect("chatError", "hostConnected", "subscriptionStatus")
	s.View(func(w *simplexsim.World) {
		if m, ok := w.Member(gid, newcomer); !ok || m.Status != "connected" {
			t.Errorf("newcomer %+v", m)
		}
	})
}

func TestGroupMembershipEvents(t *testing.T) {
	s, c := setup(t)
	alice := connect(t, s, c, "alice")
	gid, mids := newJoinedGroup(t, s, c, alice, "admin")
	owner, mallory, olga := mids[0], mids[1], mids[2]

	joiner := must[int64](t)(s.MemberJoin(gid, simplexsim.MemberSpec{Name: "nina", Role: "author"}))
	if e := c.event(); e.typ() != "joinedGroupMember" || e.num("member.groupMemberId") != joiner || e.str("member.memberCategory") != "post" ||
		e.str("member.memberStatus") != "connected" || e.str("member.memberRole") != "author" {
		t.Fatalf("joined %s", e.raw)
	}
	check(t, s.MemberLeave(gid, olga))
	if e := c.event(); e.typ() != "leftMember" || e.num("member.groupMemberId") != olga || e.str("member.memberStatus") != "left" {
		t.Fatalf("left %s", e.raw)
	}
	check(t, s.MemberRemoved(gid, mallory, owner, true))
	if e := c.event(); e.typ() != "deletedMember" || e.num("byMember.groupMemberId") != owner || e.num("deletedMember.groupMemberId") != mallory ||
		e.get("withMessages") != true || e.str("deletedMember.memberStatus") != "removed" {
		t.Fatalf("removed %s", e.raw)
	}
	var botMember int64
	s.View(func(w *simplexsim.World) { g, _ := w.Group(gid); botMember = g.BotMember })
	check(t, s.MemberRoleChanged(gid, botMember, owner, "member"))
	if e := c.event(); e.typ() != "memberRole" || e.str("fromRole") != "admin" || e.str("toRole") != "member" ||
		e.str("groupInfo.membership.memberRole") != "member" {
		t.Fatalf("role %s", e.raw)
	}
	check(t, s.MemberRemoved(gid, botMember, owner, false))
	if e := c.event(); e.typ() != "deletedMemberUser" || e.num("member.groupMemberId") != owner || e.get("withMessages") != false {
		t.Fatalf("bot removed %s", e.raw)
	}
	wantErr(t, c.cmdf("/_send #%d json %s", gid, sendJSON("x")), "error", "groupMemberUserRemoved")
	if err := s.MemberLeave(gid, olga); err == nil {
		t.Error("a member left twice")
	}
	if err := s.MemberRoleChanged(gid, joiner, owner, "king"); err == nil {
		t.Error("unknown role accepted")
	}
}

func TestInviteBotErrors(t *testing.T) {
	s, c := setup(t)
	alice := connect(t, s, c, "alice")
	bob := connect(t, s, c, "bob")
	gid, _ := must2[int64, []int64](t)(s.NewGroup("g", simplexsim.MemberSpec{Name: "alice", Role: "owner", ContactID: alice}))
	for name, err := range map[string]error{
		"not a member": func() error { _, err := s.InviteBot(gid, bob, "member"); return err }(),
		"no group":     func() error { _, err := s.InviteBot(99, alice, "member"); return err }(),
		"bad role":     func() error { _, err := s.InviteBot(gid, alice, "boss"); return err }(),
	} {
		if err == nil {
			t.Errorf("%s: no error", name)
		}
	}
	if _, _, err := s.NewGroup("bad", simplexsim.MemberSpec{Name: "x", ContactID: 99}); err == nil {
		t.Error("NewGroup accepted an unknown contact")
	}
}

func TestDeliveryStatuses(t *testing.T) {
	s, c := setup(t, simplexsim.WithAutoDelivery(false))
	alice := connect(t, s, c, "alice")
	id := c.cmdf("/_send @%d json %s", alice, sendJSON("x")).num("chatItems.0.chatItem.meta.itemId")
	in := must[int64](t)(s.ContactSend(alice, "y"))
	if e := c.event(); e.typ() != "newChatItems" {
		t.Fatalf("auto delivery still on: %s", e.raw)
	}
	check(t, s.DeliveryStatuses(id))
	evs := c.expect("chatItemsStatusesUpdated", "chatItemsStatusesUpdated")
	if evs[0].str("chatItems.0.chatItem.meta.itemStatus.type") != "sndSent" || evs[1].str("chatItems.0.chatItem.meta.itemStatus.type") != "sndRcvd" {
		t.Fatalf("statuses %s %s", evs[0].raw, evs[1].raw)
	}
	if err := s.DeliveryStatuses(in); err == nil {
		t.Error("delivery status for a received item")
	}
	s.View(func(w *simplexsim.World) {
		if it, _ := w.Item(id); it.Status != "sndRcvd" || !it.Sent {
			t.Errorf("item %+v", it)
		}
	})
}
