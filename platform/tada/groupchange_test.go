package tada_test

import (
	"fmt"
	"strings"
	"testing"

	"github.com/parleybot/parley/bot"
	"github.com/parleybot/parley/platform/tada"
	"github.com/parleybot/parley/store"
)

// listenStoppable is listen with a stop that may be called before the
// test ends (and again by its cleanup).
func listenStoppable(t *testing.T, p *tada.Platform) (*listener, func()) {
	t.Helper()
	l := listen(t, p)
	return l, func() { l.stop(t) }
}

// changes lists the recorded GroupChanger changes as "kind member role by".
func (l *listener) changes() []string {
	l.mu.Lock()
	defer l.mu.Unlock()
	var out []string
	for _, e := range l.events {
		gc, ok := e.(bot.GroupChanger)
		if !ok {
			continue
		}
		for _, c := range gc.GroupChanges() {
			out = append(out, fmt.Sprintf("%s %s %s %s", c.Kind, c.Member.ID, c.Role, c.By.ID))
		}
	}
	return out
}

func waitChange(t *testing.T, l *listener, want string) {
	t.Helper()
	waitCond(t, want, func() bool {
		for _, c := range l.changes() {
			if c == want {
				return true
			}
		}
		return false
	})
}

// server.chat.updated carries whole chats; the platform turns the
// difference into bot.GroupChange values: the bot added by the owner (By,
// with the bot's status as Role), members who come, change status and go,
// the bot's own status, and its removal.
func TestGroupChangesFromChatUpdated(t *testing.T) {
	sim := newSim(t)
	olga, mia, bob := sim.AddContact("olga"), sim.AddContact("mia"), sim.AddContact("bob")
	before, err := sim.NewGroup("before", map[string]string{olga.JID: "owner", sim.Bot().JID: "admin"})
	if err != nil {
		t.Fatal(err)
	}
	p := newPlatform(t, sim, testOptions(store.NewMemory())...)
	l := listen(t, p)
	g, err := sim.NewGroup("club", map[string]string{olga.JID: "owner", mia.JID: "member"})
	if err != nil {
		t.Fatal(err)
	}
	me := sim.Bot().JID
	if err := sim.AddToGroup(g, olga.JID, me, "admin"); err != nil {
		t.Fatal(err)
	}
	waitChange(t, l, "bot_joined  admin "+olga.JID)
	var joined *tada.GroupChanged
	for _, e := range l.typed(tada.TypeGroupChanged) {
		joined = e.(*tada.GroupChanged)
	}
	if c := joined.GroupChanges()[0]; c.Chat.ID != g || c.Chat.Kind != bot.Group || c.Chat.Title != "club" ||
		c.By.Name != "olga" || c.By.Role != "owner" || joined.ChatKey() != tada.ChatKeyOf(g) {
		t.Fatalf("bot joined: %+v (key %s)", c, joined.ChatKey())
	}
	if err := sim.AddToGroup(g, olga.JID, bob.JID, "member"); err != nil {
		t.Fatal(err)
	}
	waitChange(t, l, "member_joined "+bob.JID+" member ")
	if err := sim.SetGroupStatus(g, olga.JID, mia.JID, "admin"); err != nil {
		t.Fatal(err)
	}
	waitChange(t, l, "member_role_changed "+mia.JID+" admin ")
	if err := sim.RemoveFromGroup(g, olga.JID, bob.JID); err != nil {
		t.Fatal(err)
	}
	waitChange(t, l, "member_left "+bob.JID+"  ")
	if err := sim.SetGroupStatus(g, olga.JID, me, "member"); err != nil {
		t.Fatal(err)
	}
	waitChange(t, l, "bot_role_changed  member ")
	if err := sim.RemoveFromGroup(g, olga.JID, me); err != nil {
		t.Fatal(err)
	}
	// The chat leaves the bot's list: server.chat.deleted.
	waitChange(t, l, "group_deleted   ")
	for _, c := range l.changes() {
		if strings.Contains(c, "bot_joined") && !strings.Contains(c, olga.JID) {
			t.Errorf("a group the bot was in before it started is reported as new: %q (group %s)", c, before)
		}
	}
	if n := len(l.typed(tada.TypeGroupChanged)); n != 5 {
		t.Errorf("%d GroupChanged events, want 5: %q", n, l.changes())
	}
	// Removed, the bot is added again: news again.
	if err := sim.AddToGroup(g, olga.JID, me, "admin"); err != nil {
		t.Fatal(err)
	}
	waitCond(t, "joined again", func() bool { return strings.Count(strings.Join(l.changes(), "\n"), "bot_joined") == 2 })
}

// Without a member with status "owner" (tdproto knows only admin and
// member), the only other admin is the owner; with several, nobody is.
func TestGroupOwnerFromAdmins(t *testing.T) {
	sim := newSim(t)
	ann, ben, cy := sim.AddContact("ann"), sim.AddContact("ben"), sim.AddContact("cy")
	p := newPlatform(t, sim, testOptions(store.NewMemory())...)
	l := listen(t, p)
	_, err := sim.NewGroup("one admin", map[string]string{ann.JID: "admin", cy.JID: "member", sim.Bot().JID: "admin"})
	if err != nil {
		t.Fatal(err)
	}
	waitChange(t, l, "bot_joined  admin "+ann.JID)
	if _, err := sim.NewGroup("two admins", map[string]string{ann.JID: "admin", ben.JID: "admin", sim.Bot().JID: "member"}); err != nil {
		t.Fatal(err)
	}
	waitChange(t, l, "bot_joined  member ")
}

// Changes made while the bot was away are found at the next start-up
// from the stored groups: a group it was added to, one it was removed
// from; and the very first start reports nothing that was there already.
func TestGroupChangesWhileAway(t *testing.T) {
	sim := newSim(t)
	olga := sim.AddContact("olga")
	me := sim.Bot().JID
	kept, err := sim.NewGroup("kept", map[string]string{olga.JID: "owner", me: "admin"})
	if err != nil {
		t.Fatal(err)
	}
	left, err := sim.NewGroup("left", map[string]string{olga.JID: "owner", me: "admin"})
	if err != nil {
		t.Fatal(err)
	}
	st := store.NewMemory()
	l, stop := listenStoppable(t, newPlatform(t, sim, testOptions(st)...))
	if got := l.changes(); len(got) != 0 {
		t.Fatalf("first start reported %q", got)
	}
	stop()

	added, err := sim.NewGroup("added", map[string]string{olga.JID: "owner"})
	if err != nil {
		t.Fatal(err)
	}
	if err := sim.AddToGroup(added, olga.JID, me, "admin"); err != nil {
		t.Fatal(err)
	}
	if err := sim.RemoveFromGroup(left, olga.JID, me); err != nil {
		t.Fatal(err)
	}
	if err := sim.SetGroupStatus(kept, olga.JID, me, "member"); err != nil {
		t.Fatal(err)
	}
	l2, stop2 := listenStoppable(t, newPlatform(t, sim, testOptions(st)...))
	want := map[string]bool{
		"bot_joined  admin " + olga.JID: true,
		"bot_removed   ":                true,
		"bot_role_changed  member ":     true,
	}
	got := l2.changes()
	if len(got) != len(want) {
		t.Fatalf("changes at start-up: %q", got)
	}
	for _, c := range got {
		if !want[c] {
			t.Errorf("unexpected change %q", c)
		}
	}
	// Only once: a third start has nothing new.
	stop2()
	if got := listen(t, newPlatform(t, sim, testOptions(st)...)).changes(); len(got) != 0 {
		t.Fatalf("third start reported %q", got)
	}
}

// A chat update without a member list (as in the protocol's example) for
// a group new to the bot: the platform asks for the members; when it
// cannot get them the bot still joined, with no owner known.
func TestGroupJoinedWithoutMemberList(t *testing.T) {
	sim := newSim(t)
	olga := sim.AddContact("olga")
	l := listen(t, newPlatform(t, sim, testOptions(store.NewMemory())...))
	if _, err := sim.NewGroup("club", map[string]string{olga.JID: "owner", sim.Bot().JID: "admin"}); err != nil {
		t.Fatal(err)
	}
	waitChange(t, l, "bot_joined  admin "+olga.JID)
	// The seed document's chat: status "member", no members, a group the
	// simulator does not have (so listing its members fails).
	sim.SendRaw(`{"event":"server.chat.updated","params":{"chats":[{"chat_type":"group","display_name":"Общий чат",` +
		`"gentime":1568764808134709248,"jid":"g-82d6c0d4-8921-4519-abb3-02f17373112f","num_members":32,"status":"member"}]}}`)
	waitChange(t, l, "bot_joined  member ")
	if n := len(l.typed(tada.TypeGroupChanged)); n != 2 {
		t.Fatalf("%d GroupChanged events: %q", n, l.changes())
	}
}

// A chat update lost with the connection is found after the reconnect,
// from the chat list.
func TestGroupJoinedWhileDisconnected(t *testing.T) {
	sim := newSim(t)
	olga := sim.AddContact("olga")
	l := listen(t, newPlatform(t, sim, testOptions(store.NewMemory())...))
	g, err := sim.NewGroup("club", map[string]string{olga.JID: "owner"})
	if err != nil {
		t.Fatal(err)
	}
	before := sim.Stats().TotalSockets
	sim.DropAfter(1) // the bot's chat.updated is lost, and its connection
	if err := sim.AddToGroup(g, olga.JID, sim.Bot().JID, "admin"); err != nil {
		t.Fatal(err)
	}
	waitChange(t, l, "bot_joined  admin "+olga.JID)
	if sim.Stats().TotalSockets == before {
		t.Fatal("the change came without a reconnect: the fault did not drop it")
	}
}
