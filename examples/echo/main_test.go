package main

import (
	"context"
	"fmt"
	"reflect"
	"testing"
	"time"

	"github.com/parleybot/parley/platform/simplex/simplexsim"
)

// TestRun runs the example against a simulated CLI: a contact connects
// through the bot's address, sends a file without caption and a text, and
// only the text comes back, quoting the original.
func TestRun(t *testing.T) {
	sim := simplexsim.New(simplexsim.WithAddress(true, ""))
	if err := sim.Start(); err != nil {
		t.Fatal(err)
	}
	defer sim.Close()

	ctx, cancel := context.WithCancel(context.Background())
	done := make(chan error, 1)
	go func() { done <- run(ctx, sim.URL()) }()

	alice, err := sim.ConnectContact("alice")
	if err != nil {
		t.Fatal(err)
	}
	if _, err := sim.ContactSendMsg(alice.ContactID, simplexsim.Msg{File: &simplexsim.FileOffer{Name: "a.txt", Size: 3}}); err != nil {
		t.Fatal(err)
	}
	hello, err := sim.ContactSend(alice.ContactID, "hello, echo")
	if err != nil {
		t.Fatal(err)
	}
	// One chat's events are handled in order, so a reply to the file
	// would come before the echo.
	sent, err := sim.WaitBotSent(1, 5*time.Second)
	if err != nil {
		t.Fatal(err)
	}
	want := simplexsim.SentItem{ChatRef: fmt.Sprintf("@%d", alice.ContactID), Text: "hello, echo", MsgType: "text", QuotedItemID: hello}
	got := sent[0]
	got.ItemID = 0
	if !reflect.DeepEqual(got, want) {
		t.Errorf("bot sent %+v, want %+v", got, want)
	}

	cancel()
	select {
	case err := <-done:
		if err != nil {
			t.Errorf("run: %v, want a clean stop", err)
		}
	case <-time.After(10 * time.Second):
		t.Fatal("run did not return after cancel")
	}
}
