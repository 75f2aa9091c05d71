package virolasim

import (
	"context"
	"errors"
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

// The playground's view and actions: a new contact has a private room
// with the bot at once; a group is a public room the creator and the bot
// moderate; members post, comment, edit, delete, change roles and go.
func TestPlaygroundWorld(t *testing.T) {
	prov, ok := playground.Lookup("virola")
	if !ok {
		t.Fatal("virola is not registered with the playground")
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

	changed := sim.Changed()
	alice := do(playground.Action{Kind: playground.Connect, Name: "alice"})
	<-changed // a new room is a change; this would hang otherwise
	w := sim.World()
	if w.Bot != "pgbot" || len(w.People) != 1 || w.People[0].ID != alice || w.People[0].State != "connected" || w.People[0].Chat == "" {
		t.Fatalf("world %+v", w)
	}
	if _, err := sim.Do(ctx, playground.Action{Kind: playground.Connect, Name: "alice"}); err == nil {
		t.Error("alice connected twice")
	}
	dm := w.People[0].Chat
	hi := do(playground.Action{Kind: playground.Send, As: alice, Chat: dm, Text: "hi"})
	do(playground.Action{Kind: playground.Send, As: alice, Chat: dm, Item: hi, Text: "a comment"})
	if c := chatOf(t, sim.World(), dm); len(c.Messages) != 2 || c.Messages[0].FromName != "alice" || c.Messages[1].ReplyTo != hi {
		t.Errorf("alice's chat %+v", c)
	}

	gid := do(playground.Action{Kind: playground.NewGroup, As: alice, Name: "club", Members: []string{"bob"}})
	g := chatOf(t, sim.World(), gid)
	if !g.Group || g.Name != "club" || g.BotState != "member" || g.BotRole != "moderator" || len(g.Members) != 2 ||
		g.Members[0].Name != "alice" || g.Members[0].Role != "moderator" || g.Members[1].Name != "bob" || g.Members[1].Role != "member" {
		t.Fatalf("group %+v", g)
	}
	bob := g.Members[1].ID
	msg := do(playground.Action{Kind: playground.Send, As: bob, Chat: gid, Text: "spam"})
	do(playground.Action{Kind: playground.Edit, As: bob, Chat: gid, Item: msg, Text: "ham"})
	do(playground.Action{Kind: playground.File, As: bob, Chat: gid, Name: "notes.txt", Text: "see"})
	if m := chatOf(t, sim.World(), gid).Messages; len(m) != 2 || m[0].Text != "ham" || !m[0].Edited || m[1].File != "notes.txt" {
		t.Errorf("messages %+v", m)
	}
	do(playground.Action{Kind: playground.Delete, As: alice, Chat: gid, Item: msg}) // alice moderates
	if m := chatOf(t, sim.World(), gid).Messages; !m[0].Deleted {
		t.Errorf("messages after delete %+v", m)
	}
	do(playground.Action{Kind: playground.SetRole, As: alice, Chat: gid, Target: bob, Role: "moderator"})
	carol := do(playground.Action{Kind: playground.AddMember, As: alice, Chat: gid, Name: "carol"})
	if g := chatOf(t, sim.World(), gid); len(g.Members) != 3 || g.Members[1].Role != "moderator" || g.Members[2].ID != carol {
		t.Errorf("members %+v", g.Members)
	}
	if _, err := sim.Do(ctx, playground.Action{Kind: playground.RemoveMember, As: carol, Chat: gid, Target: alice}); !errors.Is(err, ErrForbidden) {
		t.Errorf("carol, no moderator, removed alice: %v", err)
	}
	do(playground.Action{Kind: playground.Leave, As: carol, Chat: gid})
	do(playground.Action{Kind: playground.RemoveMember, As: alice, Chat: gid, Target: "bot"})
	if g := chatOf(t, sim.World(), gid); g.BotState != "removed" || len(g.Members) != 2 {
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
	if _, err := sim.Do(ctx, playground.Action{Kind: playground.React, As: alice, Chat: dm, Item: hi}); !errors.Is(err, playground.ErrUnsupported) {
		t.Errorf("react: %v", err)
	}
	if s := sim.Settings("http://x"); s["url"] != "http://x" || s["user_name"] == "" || s["password"] == "" {
		t.Errorf("settings %v", s)
	}
}
