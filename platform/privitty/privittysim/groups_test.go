package privittysim_test

import (
	"encoding/json"
	"slices"
	"testing"
	"time"

	"github.com/parleybot/parley/platform/privitty/privittysim"
)

// TestGroupMembership checks the events and info messages of membership
// changes: another member's change is an incoming fresh info message
// (IncomingMsg, then ChatModified); the bot's own is not incoming
// (ChatModified only). Every member may remove members.
func TestGroupMembership(t *testing.T) {
	s := start(t)
	st := open(t, s)
	if err := s.Wait(5*time.Second, func() bool { return s.Stats().Streams == 1 }); err != nil {
		t.Fatal(err)
	}
	olga, _ := s.ConnectContact("olga", false)
	skipPings(t, st)
	skipPings(t, st)
	gid, ids, err := s.AddedToGroup("club", olga.ID, "mia")
	if err != nil {
		t.Fatal(err)
	}
	c, _ := s.Chat(gid)
	if !c.Group || !slices.Equal(c.Members, []int64{olga.ID, ids[0]}) || len(c.MsgIDs) != 1 {
		t.Fatalf("group = %+v", c)
	}
	added := c.MsgIDs[0]
	for _, w := range []string{
		`data: {"account_id":1,"chat_id":` + itoa(gid) + `,"msg_id":` + itoa(added) + `,"type":"IncomingMsg"}`,
		`data: {"account_id":1,"chat_id":` + itoa(gid) + `,"type":"ChatModified"}`,
	} {
		if got := skipPings(t, st); got != w {
			t.Fatalf("got %s\nwant %s", got, w)
		}
	}
	_, ans := rpc(t, s, call("get_message", 1, added))
	m, _ := ans["result"].(map[string]any)
	if m["isInfo"] != true || m["systemMessageType"] != "MemberAddedToGroup" || m["infoContactId"] != float64(privittysim.Self) ||
		m["fromId"] != float64(olga.ID) || m["state"] != float64(10) || m["text"] != "Member Me added by olga." {
		t.Fatalf("info message = %v", m)
	}

	// The bot removes mia: its own info message, no IncomingMsg.
	if code, ans := rpc(t, s, call("remove_contact_from_chat", 1, gid, ids[0])); code != 204 {
		t.Fatalf("remove_contact_from_chat: %d %v", code, ans)
	}
	if got, w := skipPings(t, st), `data: {"account_id":1,"chat_id":`+itoa(gid)+`,"type":"ChatModified"}`; got != w {
		t.Fatalf("got %s\nwant %s", got, w)
	}
	_, ans = rpc(t, s, call("get_chat_contacts", 1, gid))
	if b, _ := json.Marshal(ans["result"]); string(b) != "["+itoa(olga.ID)+",1]" {
		t.Fatalf("members after removal: %s", b)
	}
	if _, ans := rpc(t, s, call("remove_contact_from_chat", 1, gid, ids[0])); errCode(ans) == 0 {
		t.Fatal("removed a member twice")
	}
	if _, ans := rpc(t, s, call("remove_contact_from_chat", 1, olga.ChatID, olga.ID)); errCode(ans) == 0 {
		t.Fatal("removed a member of a one-to-one chat")
	}
	if code, ans := rpc(t, s, call("add_contact_to_chat", 1, gid, ids[0])); code != 204 {
		t.Fatalf("add_contact_to_chat: %d %v", code, ans)
	}
	skipPings(t, st)

	// Olga removes the bot: it is out, and cannot send there any more.
	if err := s.RemoveMember(gid, olga.ID, privittysim.Self); err != nil {
		t.Fatal(err)
	}
	skipPings(t, st)
	skipPings(t, st)
	_, ans = rpc(t, s, call("get_full_chat_by_id", 1, gid))
	full, _ := ans["result"].(map[string]any)
	if full["selfInGroup"] != false || full["canSend"] != false {
		t.Fatalf("chat after the bot's removal = %v", full)
	}
	if _, ans := rpc(t, s, call("misc_send_text_message", 1, gid, "hi")); errCode(ans) == 0 {
		t.Fatal("the removed bot could send")
	}
	eve, _ := s.ConnectContact("eve", false)
	if err := s.RemoveMember(gid, eve.ID, olga.ID); err == nil {
		t.Error("a non-member removed a member")
	}
	if _, err := s.AddMember(eve.ChatID, eve.ID, "kai"); err == nil {
		t.Error("a member was added to a one-to-one chat")
	}
	if _, _, err := s.AddedToGroup("x", 999); err == nil {
		t.Error("an unknown contact made a group")
	}
}
