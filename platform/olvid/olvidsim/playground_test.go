package olvidsim

import (
	"context"
	"errors"
	"strconv"
	"testing"

	"github.com/parleybot/parley/playground"
)

// chatOf returns chat id of the world, failing the test without it.
func chatOf(t *testing.T, w playground.World, id string) playground.Chat {
	t.Helper()
	for _, c := range w.Chats {
		if c.ID == id {
			return c
		}
	}
	t.Fatalf("no chat %s in %+v", id, w.Chats)
	return playground.Chat{}
}

// The playground's view and actions: an invitation waits for the bot, a
// contact writes, a group made by a contact invites the bot as an admin,
// and
// members write, edit, delete, change roles and go.
func TestPlaygroundWorld(t *testing.T) {
	prov, ok := playground.Lookup("olvid")
	if !ok {
		t.Fatal("olvid is not registered with the playground")
	}
	sim, err := prov.Start(playground.Options{BotName: "pgbot"})
	if err != nil {
		t.Fatal(err)
	}
	defer sim.Close()
	ctx := context.Background()
	do := func(a playground.Action) string {
		t.Helper()
		id, err := sim.Do(ctx, a)
		if err != nil {
			t.Fatalf("%s: %v", a.Kind, err)
		}
		return id
	}

	alice := do(playground.Action{Kind: playground.Connect, Name: "alice"})
	w := sim.World()
	if w.Bot != "pgbot" || len(w.People) != 1 || w.People[0].ID != alice || w.People[0].State != "requested" || w.People[0].Chat != "" {
		t.Fatalf("world %+v", w)
	}

	changed := sim.Changed()
	bob := sim.(*pgSim).s.AddContact("bob")
	<-changed // a contact is a change; this would hang otherwise
	var bobID string
	for _, p := range sim.World().People {
		if p.Name == "bob" {
			bobID = p.ID
			if p.State != "connected" || p.Chat != p.ID {
				t.Fatalf("bob %+v", p)
			}
		}
	}
	do(playground.Action{Kind: playground.Send, As: bobID, Chat: bobID, Text: "hi"})
	if c := chatOf(t, sim.World(), bobID); len(c.Messages) != 1 || c.Messages[0].FromName != "bob" || c.Messages[0].From != bobID {
		t.Errorf("bob's chat %+v", c)
	}

	gid := do(playground.Action{Kind: playground.NewGroup, As: bobID, Name: "club", Members: []string{"carol"}})
	if g := chatOf(t, sim.World(), gid); !g.Group || g.BotState != "invited" || len(g.Members) != 2 {
		t.Fatalf("group before the bot accepts %+v", g)
	}
	s := sim.(*pgSim).s
	s.mu.Lock()
	for _, r := range s.w.invitations {
		s.acceptLocked(r) // as the bot's InvitationAccept does
	}
	s.mu.Unlock()
	g := chatOf(t, sim.World(), gid)
	if !g.Group || g.Name != "club" || g.BotState != "member" || g.BotRole != "admin" || len(g.Members) != 2 ||
		g.Members[0].Name != "bob" || g.Members[0].Role != "admin" || g.Members[1].Name != "carol" || g.Members[1].Role != "member" {
		t.Fatalf("group %+v", g)
	}
	carol := g.Members[1].ID
	if g.Members[0].ID != strconv.FormatUint(bob.ID, 10) || carol == "" {
		t.Fatalf("member ids %+v: want contact ids", g.Members)
	}
	msg := do(playground.Action{Kind: playground.Send, As: carol, Chat: gid, Text: "spam"})
	do(playground.Action{Kind: playground.Edit, As: carol, Chat: gid, Item: msg, Text: "ham"})
	do(playground.Action{Kind: playground.React, As: g.Members[0].ID, Chat: gid, Item: msg, Emoji: "🎉"})
	if m := chatOf(t, sim.World(), gid).Messages; len(m) != 1 || m[0].Text != "ham" || !m[0].Edited || m[0].FromName != "carol" || m[0].Reactions["🎉"] != 1 {
		t.Errorf("messages %+v", m)
	}
	if _, err := sim.Do(ctx, playground.Action{Kind: playground.Edit, As: g.Members[0].ID, Chat: gid, Item: msg, Text: "x"}); err == nil {
		t.Error("bob edited carol's message")
	}
	do(playground.Action{Kind: playground.Delete, As: carol, Chat: gid, Item: msg})
	do(playground.Action{Kind: playground.File, As: carol, Chat: gid, Name: "notes.txt", Text: "see"})
	if m := chatOf(t, sim.World(), gid).Messages; len(m) != 1 || m[0].File != "notes.txt" {
		t.Errorf("messages after delete and file %+v", m)
	}
	do(playground.Action{Kind: playground.SetRole, As: g.Members[0].ID, Chat: gid, Target: carol, Role: "admin"})
	do(playground.Action{Kind: playground.AddMember, As: g.Members[0].ID, Chat: gid, Name: "dave"})
	if g := chatOf(t, sim.World(), gid); len(g.Members) != 3 || g.Members[1].Role != "admin" || g.Members[2].Name != "dave" {
		t.Errorf("members %+v", g.Members)
	}
	do(playground.Action{Kind: playground.Leave, As: carol, Chat: gid})
	do(playground.Action{Kind: playground.RemoveMember, As: g.Members[0].ID, Chat: gid, Target: "bot"})
	if g := chatOf(t, sim.World(), gid); g.BotState != "removed" || len(g.Members) != 0 {
		t.Errorf("group after the bot was removed %+v", g)
	}

	if err := sim.Fault(playground.FaultDelay); err != nil || !sim.World().Delayed {
		t.Errorf("delay: %v", err)
	}
	if err := sim.Fault(playground.FaultDelay); err != nil || sim.World().Delayed {
		t.Errorf("delay off: %v", err)
	}
	if err := sim.Fault("flood"); !errors.Is(err, playground.ErrUnsupported) {
		t.Errorf("unknown fault: %v", err)
	}
	if s := sim.Settings("tcp://127.0.0.1:9"); s["target"] != "127.0.0.1:9" || s["client_key"] != DefaultClientKey {
		t.Errorf("settings %v", s)
	}
}
