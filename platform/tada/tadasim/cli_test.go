package tadasim_test

import (
	"context"
	"errors"
	"fmt"
	"io"
	"regexp"
	"strings"
	"testing"
	"time"

	"github.com/parleybot/parley/bot"
	"github.com/parleybot/parley/platform/tada"
	"github.com/parleybot/parley/playground/termtest"
	"github.com/parleybot/parley/registry"
	"github.com/parleybot/parley/router"
)

// TestInteractiveGroups is a person at "parley sim tada --interactive"
// with a real tada bot connected: they make a group with members and the
// bot, speak as the members, and the bot receives each group message from
// the named member and answers in the group.
func TestInteractiveGroups(t *testing.T) {
	info, ok := registry.LookupSimulator("tada")
	if !ok {
		t.Fatal("tada simulator not registered")
	}
	in, typing := io.Pipe()
	defer typing.Close()
	out := termtest.NewOutput()
	var errb strings.Builder
	done := make(chan error, 1)
	go func() {
		done <- info.Run(context.Background(), []string{"--listen", "127.0.0.1:0", "--interactive"}, in, out, &errb)
	}()
	m := out.WaitMatch(t, regexp.MustCompile(`listening on (http://127\.0\.0\.1:\d+)\n  team  = "([^"]+)"\n  token = "([^"]+)"`))
	out.WaitMatch(t, regexp.MustCompile(`you are connected`))

	p, err := tada.New(m[1], m[2], m[3])
	if err != nil {
		t.Fatal(err)
	}
	h := termtest.NewHeard()
	r := router.New()
	r.OnMessage(func(c *bot.Context, msg bot.Message) error {
		if msg.Chat.Kind == bot.Group {
			h.Add(fmt.Sprintf("group %s: %s", msg.Sender.Name, msg.Text))
			if strings.Contains(msg.Text, "spam") {
				// A moderator: delete and remove where the platform can.
				if err := c.DeleteMessage(); err != nil && !errors.Is(err, bot.ErrUnsupported) {
					return err
				}
				if err := c.RemoveSender(); err != nil && !errors.Is(err, bot.ErrUnsupported) {
					return err
				}
			}
			_, err := c.Send(msg.Chat.ID, bot.Outgoing{Text: "seen " + msg.Sender.Name})
			return err
		}
		h.Add(fmt.Sprintf("direct %s: %s", msg.Sender.Name, msg.Text))
		return c.Reply("echo: " + msg.Text)
	})
	b := bot.New(p, r)
	ctx, cancel := context.WithCancel(context.Background())
	botDone := make(chan error, 1)
	go func() { botDone <- b.Run(ctx) }()
	defer func() {
		cancel()
		if err := <-botDone; err != nil {
			t.Errorf("bot: %v", err)
		}
	}()
	termtest.WaitReady(t, p.Ready)
	say := func(line string) {
		t.Helper()
		if _, err := fmt.Fprintln(typing, line); err != nil {
			t.Fatal(err)
		}
	}

	say("hello bot")
	h.Wait(t, "direct you: hello bot")
	out.WaitMatch(t, regexp.MustCompile(`(?m)^bot: echo: hello bot$`))
	say("/help")
	out.WaitMatch(t, regexp.MustCompile(`(?m)^  /as NAME TEXT`))
	say("/as alice too early")
	out.WaitMatch(t, regexp.MustCompile(`/as: no group yet`))
	say("/group team alice bob")
	out.WaitMatch(t, regexp.MustCompile(`created #team with you \(owner\), alice, bob and the bot`))
	say("/as alice hello team")
	h.Wait(t, "group alice: hello team")
	out.WaitMatch(t, regexp.MustCompile(`(?m)^#team bot: seen alice$`))
	say("/as bob me too")
	h.Wait(t, "group bob: me too")
	say("/add carol")
	out.WaitMatch(t, regexp.MustCompile(`carol joined #team`))
	say("/as carol hi")
	h.Wait(t, "group carol: hi")
	say("/members")
	out.WaitMatch(t, regexp.MustCompile(`(?m)^#team:\n  the bot, admin, member\n  you, owner, active\n  alice, member, active\n  bob, member, active\n  carol, member, active\ncontacts of the bot: you, alice, bob, carol$`))
	say("/as bob buy spam")
	h.Wait(t, "group bob: buy spam")
	out.WaitMatch(t, regexp.MustCompile(`(?m)^#team: bob's "buy spam" was deleted$`))
	out.WaitMatch(t, regexp.MustCompile(`(?m)^#team: bob is no longer a member$`))
	// bob is still a contact of the bot: he writes to it directly.
	say("/as bob hello?")
	h.Wait(t, "direct bob: hello?")
	say("/as dave hi")
	out.WaitMatch(t, regexp.MustCompile(`/as: no member "dave" in #team`))
	say("/group")
	out.WaitMatch(t, regexp.MustCompile(`(?m)^\* #team$`))
	// Mistakes are reported and change nothing.
	say("/group team dave")
	out.WaitMatch(t, regexp.MustCompile(`/group: #team exists; add members with /add`))
	say("/group club erin erin")
	out.WaitMatch(t, regexp.MustCompile(`/group: member "erin" named twice`))
	say("/add")
	out.WaitMatch(t, regexp.MustCompile(`/add: usage: /add NAME \[ROLE\]`))
	say("/add alice")
	out.WaitMatch(t, regexp.MustCompile(`/add: alice is already in #team`))
	say("/invite")
	out.WaitMatch(t, regexp.MustCompile(`/invite: the bot is already in #team`))
	say("/group")
	say("/help") // printed after the whole list of groups
	out.WaitMatch(t, regexp.MustCompile(`(?s)/invite: the bot is already in #team.*/help +this list`))
	if strings.Contains(out.String(), "#club") {
		t.Errorf("a mistaken /group made a group:\n%s", out.String())
	}
	say("/dm /help")
	h.Wait(t, "direct you: /help")

	typing.Close() // Ctrl-D
	select {
	case err := <-done:
		if err != nil {
			t.Fatalf("run: %v; stderr:\n%s", err, errb.String())
		}
	case <-time.After(termtest.Timeout):
		t.Fatal("the session did not end at the end of input")
	}
}

// -h documents the session commands.
func TestUsageListsSessionCommands(t *testing.T) {
	info, _ := registry.LookupSimulator("tada")
	var errb strings.Builder
	_ = info.Run(context.Background(), []string{"-h"}, strings.NewReader(""), io.Discard, &errb)
	for _, cmd := range []string{"/group NAME [MEMBER...]", "/as NAME TEXT", "/members", "/add NAME", "/dm TEXT"} {
		if !strings.Contains(errb.String(), cmd) {
			t.Errorf("-h does not mention %s:\n%s", cmd, errb.String())
		}
	}
}

// waitReady waits until the bot's platform is connected and caught up.
