package tadasim_test

import (
	"testing"

	"github.com/parleybot/parley/platform/tada"
)

// Membership changes reach each member as server.chat.updated with their
// own status, and the removed member as server.chat.deleted; removal
// rules are enforced.
func TestGroupMembership(t *testing.T) {
	s := start(t)
	olga, mia := s.AddContact("olga"), s.AddContact("mia")
	g, err := s.NewGroup("club", map[string]string{olga.JID: "owner"})
	if err != nil {
		t.Fatal(err)
	}
	ws := dial(t, s, mia.Token, s.Team())
	if err := s.AddToGroup(g, mia.JID, mia.JID, "member"); err == nil {
		t.Fatal("a non-member added herself")
	}
	if err := s.AddToGroup(g, olga.JID, mia.JID, "owner"); err == nil {
		t.Fatal("a second owner was made")
	}
	if err := s.AddToGroup(g, olga.JID, mia.JID, "member"); err != nil {
		t.Fatal(err)
	}
	f := read(t, ws)
	up, ok := f.Event.(*tada.ChatUpdated)
	if !ok || len(up.Chats) != 1 || up.Chats[0].JID != g || up.Chats[0].Status != "member" || len(up.Chats[0].Members) != 2 {
		t.Fatalf("mia got %s %+v", f.Name, f.Event)
	}
	if err := s.SetGroupStatus(g, olga.JID, mia.JID, "admin"); err != nil {
		t.Fatal(err)
	}
	if f := read(t, ws); f.Event.(*tada.ChatUpdated).Chats[0].Status != "admin" {
		t.Fatalf("after promotion mia got %+v", f.Event)
	}
	if err := s.RemoveFromGroup(g, mia.JID, olga.JID); err == nil {
		t.Fatal("an admin removed the owner")
	}
	if err := s.RemoveFromGroup(g, olga.JID, mia.JID); err != nil {
		t.Fatal(err)
	}
	if f := read(t, ws); f.Name != tada.EventChatDeleted || f.Event.(*tada.ChatDeleted).Chats[0].JID != g {
		t.Fatalf("the removed member got %s %+v", f.Name, f.Event)
	}
	if ms, _ := s.Members(g); len(ms) != 1 || ms[olga.JID] != "owner" {
		t.Fatalf("members %v", ms)
	}
}
