package privittysim

import (
	"context"
	"errors"
	"testing"

	"github.com/parleybot/parley/playground"
)

// The playground's view: a new contact writes first (a contact request),
// a group made by a contact includes the bot, and unsupported actions say
// so.
func TestPlaygroundWorld(t *testing.T) {
	prov, ok := playground.Lookup("privitty")
	if !ok {
		t.Fatal("privitty is not registered with the playground")
	}
	sim, err := prov.Start(playground.Options{BotName: "pgbot"})
	if err != nil {
		t.Fatal(err)
	}
	defer sim.Close()
	ctx := context.Background()
	id, err := sim.Do(ctx, playground.Action{Kind: playground.Connect, Name: "alice"})
	if err != nil {
		t.Fatal(err)
	}
	w := sim.World()
	if len(w.People) != 1 || w.People[0].ID != id || w.People[0].State != "requested" {
		t.Fatalf("people %+v", w.People)
	}
	if c := w.Chats[0]; len(c.Messages) != 1 || c.Messages[0].Text != RequestText {
		t.Errorf("request chat %+v", c)
	}
	gid, err := sim.Do(ctx, playground.Action{Kind: playground.NewGroup, As: id, Name: "club", Members: []string{"bob"}})
	if err != nil {
		t.Fatal(err)
	}
	for _, c := range sim.World().Chats {
		if c.ID == gid && (!c.Group || c.BotState != "member" || len(c.Members) != 2) {
			t.Errorf("group %+v", c)
		}
	}
	if _, err := sim.Do(ctx, playground.Action{Kind: playground.Edit, As: id, Chat: gid, Item: "1"}); !errors.Is(err, playground.ErrUnsupported) {
		t.Errorf("edit: %v", err)
	}
}
