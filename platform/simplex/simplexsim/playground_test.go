package simplexsim

import (
	"context"
	"errors"
	"testing"

	"github.com/parleybot/parley/playground"
)

// The playground's view: a contact asking to connect is "requested" until
// accepted, a group needs a connected creator, faults toggle, and unknown
// actions say they are unsupported.
func TestPlaygroundWorld(t *testing.T) {
	prov, ok := playground.Lookup("simplex")
	if !ok {
		t.Fatal("simplex is not registered with the playground")
	}
	sim, err := prov.Start(playground.Options{BotName: "pgbot"})
	if err != nil {
		t.Fatal(err)
	}
	defer sim.Close()
	ctx := context.Background()
	changed := sim.Changed()
	if _, err := sim.Do(ctx, playground.Action{Kind: playground.Connect, Name: "alice"}); err != nil {
		t.Fatal(err)
	}
	<-changed
	w := sim.World()
	if w.Bot != "pgbot" || len(w.People) != 1 || w.People[0].Name != "alice" || w.People[0].State != "requested" {
		t.Fatalf("world %+v", w)
	}
	if _, err := sim.Do(ctx, playground.Action{Kind: playground.NewGroup, As: "2", Name: "g"}); err == nil {
		t.Error("a group was created by a contact that is not connected")
	}
	if _, err := sim.Do(ctx, playground.Action{Kind: "dance", As: "2", Chat: "#1"}); !errors.Is(err, playground.ErrUnsupported) {
		t.Errorf("unknown action: %v", err)
	}
	if err := sim.Fault(playground.FaultDelay); err != nil || !sim.World().Delayed {
		t.Errorf("delay on: %v", err)
	}
	if err := sim.Fault(playground.FaultDelay); err != nil || sim.World().Delayed {
		t.Errorf("delay off: %v", err)
	}
	if err := sim.Fault("flood"); !errors.Is(err, playground.ErrUnsupported) {
		t.Errorf("unknown fault: %v", err)
	}
}
