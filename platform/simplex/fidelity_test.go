package simplex_test

import (
	"errors"
	"strings"
	"testing"

	"github.com/parleybot/parley/platform/simplex"
	"github.com/parleybot/parley/platform/simplex/simplexsim"
)

// The chat core parses `"/_groups" *> A.decimal` (Commands.hs): no space
// before the user id. APIListGroups sends that form.
func TestListGroupsSendsFormTheCLIParses(t *testing.T) {
	sim := startSim(t)
	h := runClient(t, sim.URL(), nil)
	h.waitConnect(t)
	r, err := simplex.Exec(callCtx(t), h.c, simplex.APIListGroups{UserID: 1})
	if err != nil {
		t.Fatal(err)
	}
	if len(r.GroupInfos()) != 0 {
		t.Errorf("groups = %v, want none", r.GroupInfos())
	}
	var cmds []string
	sim.View(func(w *simplexsim.World) {
		for _, c := range w.Commands() {
			cmds = append(cmds, c.Cmd)
		}
	})
	if len(cmds) != 1 || cmds[0] != "/_groups1" {
		t.Errorf("commands = %q, want [/_groups1]", cmds)
	}
}

// A chat core whose parser wants "/_groups <userId>" rejects "/_groups1"
// with commandError; Exec then sends the spaced form.
func TestListGroupsFallsBackOnParseError(t *testing.T) {
	sim := startSim(t)
	h := runClient(t, sim.URL(), nil)
	h.waitConnect(t)
	check := func(err error) {
		t.Helper()
		if err != nil {
			t.Fatal(err)
		}
	}
	check(sim.FailNext("/_groups1", `{"type":"error","errorType":{"type":"commandError","message":"Failed reading: empty"}}`))
	check(sim.ReplyNext("/_groups 1 @5 team", `{"type":"groupsList","user":{"userId":1},"groups":[]}`))
	if _, err := simplex.Exec(callCtx(t), h.c, simplex.APIListGroups{UserID: 1, ContactID: 5, Search: "team"}); err != nil {
		t.Fatal(err)
	}
	// Any other error is the answer: no second try.
	check(sim.FailNext("/_groups1", `{"type":"errorStore","storeError":{"type":"userNotFound","userId":1}}`))
	_, err := simplex.Exec(callCtx(t), h.c, simplex.APIListGroups{UserID: 1})
	var ce *simplex.CommandError
	if !errors.As(err, &ce) || ce.ChatError.InnerType() != "userNotFound" {
		t.Fatalf("err = %v, want the userNotFound store error", err)
	}
	var cmds []string
	sim.View(func(w *simplexsim.World) {
		for _, c := range w.Commands() {
			cmds = append(cmds, c.Cmd)
		}
	})
	want := []string{"/_groups1 @5 team", "/_groups 1 @5 team", "/_groups1"}
	if strings.Join(cmds, "|") != strings.Join(want, "|") {
		t.Errorf("commands = %q, want %q", cmds, want)
	}
}

// "/auto_accept" replaces the whole address settings on the CLI
// (Commands.hs autoAcceptP builds AddressSettings from scratch), so it
// would drop a welcome. Start-up writes the full settings with
// "/_address_settings" instead, and the welcome survives every start-up.
func TestStartupKeepsTheWelcome(t *testing.T) {
	sim := startSim(t)
	p := newTestPlatform(sim, simplex.WithStartup(simplex.Startup{
		Address: true,
		AddressSettings: &simplex.AddressSettings{
			AutoAccept: &simplex.AutoAccept{},
			AutoReply:  &simplex.MsgContent{Type: simplex.MsgText, Text: "welcome!"},
		},
	}))
	runPlatform(t, p)
	waitCommand(t, sim, "/_address_settings ", 1)
	sim.DropAfter(0)
	waitCommand(t, sim, "/_address_settings ", 2)
	if _, err := simplex.Exec(callCtx(t), p.Client(), simplex.ShowActiveUser{}); err != nil {
		t.Fatal(err)
	}
	var autoAccept, has bool
	var reply string
	var cmds []simplexsim.CommandRecord
	sim.View(func(w *simplexsim.World) {
		autoAccept, reply, has = w.Address()
		cmds = w.Commands()
	})
	if !has || !autoAccept || reply != "welcome!" {
		t.Errorf("address: auto-accept %v, welcome %q, exists %v", autoAccept, reply, has)
	}
	for _, c := range cmds {
		if strings.HasPrefix(c.Cmd, "/auto_accept") {
			t.Errorf("start-up sent %q, which clears the welcome", c.Cmd)
		}
	}
	// The new contact is greeted.
	c, err := sim.ConnectContact("alice")
	if err != nil || c.AutoReplyItemID == 0 {
		t.Fatalf("connect: %+v %v", c, err)
	}
}

// StartChat always names main=: the parser takes "/_start main=on|off"
// or a bare "/_start", nothing else (Commands.hs "/_start " *> "main=").
func TestStartChatNamesMain(t *testing.T) {
	sim := startSim(t)
	h := runClient(t, sim.URL(), nil)
	h.waitConnect(t)
	for _, main := range []bool{true, false} {
		f, err := h.c.Call(callCtx(t), mustCmd(t, simplex.StartChat{MainApp: main}))
		if err != nil {
			t.Fatal(err)
		}
		if f.Resp.Type() != "chatRunning" && f.Resp.Type() != "chatStarted" {
			t.Errorf("main=%v: %s", main, f.Resp.Type())
		}
	}
}
