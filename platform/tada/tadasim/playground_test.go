package tadasim

import (
	"context"
	"testing"

	"github.com/parleybot/parley/playground"
)

// The playground's view: a new contact is connected at once and can
// write; its message shows in the direct chat with the bot.
func TestPlaygroundWorld(t *testing.T) {
	prov, ok := playground.Lookup("tada")
	if !ok {
		t.Fatal("tada is not registered with the playground")
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
	if len(w.People) != 1 || w.People[0].ID != id || w.People[0].State != "connected" {
		t.Fatalf("people %+v", w.People)
	}
	chat := w.People[0].Chat
	if _, err := sim.Do(ctx, playground.Action{Kind: playground.Send, As: id, Chat: chat, Text: "hi"}); err != nil {
		t.Fatal(err)
	}
	for _, c := range sim.World().Chats {
		if c.ID == chat && (len(c.Messages) != 1 || c.Messages[0].Text != "hi" || c.Messages[0].FromName != "alice") {
			t.Errorf("chat %+v", c)
		}
	}
	if s := sim.Settings("http://x"); s["token"] == "" || s["team"] == "" {
		t.Errorf("settings %v", s)
	}
}
