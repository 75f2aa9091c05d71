package simplexsim_test

import (
	"context"
	"fmt"
	"io"
	"regexp"
	"strings"
	"testing"
	"time"

	"github.com/parleybot/parley/playground/termtest"
	"github.com/parleybot/parley/registry"
)

// untilEvent reads events until one of type typ, skipping the others.
func (c *client) untilEvent(typ string) msg {
	c.t.Helper()
	for {
		if m := c.event(); m.typ() == typ {
			return m
		}
	}
}

// untilItem reads events until newChatItems in a chat of chatType.
func (c *client) untilItem(chatType string) msg {
	c.t.Helper()
	for {
		if m := c.untilEvent("newChatItems"); m.str("chatItems.0.chatInfo.type") == chatType {
			return m
		}
	}
}

// TestInteractiveGroups is a person at "parley sim simplex --interactive"
// trying a moderation bot by hand, as the moderation example's README
// suggests: making a group with members, inviting the bot, speaking as the
// members, and seeing what the bot says and does in the group. The bot here
// is a raw bot-API client.
func TestInteractiveGroups(t *testing.T) {
	info, ok := registry.LookupSimulator("simplex")
	if !ok {
		t.Fatal("simplex simulator not registered")
	}
	in, typing := io.Pipe()
	defer typing.Close()
	out := termtest.NewOutput()
	var errb strings.Builder
	done := make(chan error, 1)
	go func() {
		done <- info.Run(context.Background(), []string{"--listen", "127.0.0.1:0", "--interactive", "--auto-accept", "--bot-name", "modbot"},
			in, out, &errb)
	}()
	url := out.WaitMatch(t, regexp.MustCompile(`listening on (ws://127\.0\.0\.1:\d+)`))[1]
	out.WaitMatch(t, regexp.MustCompile(`you are connected`))
	bot := dial(t, url)
	you := bot.untilEvent("contactConnected").num("contact.contactId")
	say := func(line string) {
		t.Helper()
		if _, err := fmt.Fprintln(typing, line); err != nil {
			t.Fatal(err)
		}
	}

	say("/help")
	out.WaitMatch(t, regexp.MustCompile(`(?m)^  /as NAME TEXT`))
	say("/as alice too early")
	out.WaitMatch(t, regexp.MustCompile(`/as: no group yet`))
	say("/group team alice bob")
	out.WaitMatch(t, regexp.MustCompile(`created #team with you \(owner\), alice, bob`))
	say("/invite")
	inv := bot.untilEvent("receivedGroupInvitation")
	gid := inv.num("groupInfo.groupId")
	if inv.num("contact.contactId") != you || inv.str("memberRole") != "admin" || inv.str("groupInfo.groupProfile.displayName") != "team" {
		t.Fatalf("invitation %s", inv.raw)
	}
	if m := bot.cmdf("/_join #%d", gid); m.typ() != "userAcceptedGroupSent" {
		t.Fatalf("join: %s", m.raw)
	}
	out.WaitMatch(t, regexp.MustCompile(`(?m)^#team: the bot joined$`))

	say("/as alice hello @modbot")
	m := bot.untilItem("group")
	if m.str("chatItems.0.chatItem.chatDir.groupMember.localDisplayName") != "alice" ||
		m.str("chatItems.0.chatItem.content.msgContent.text") != "hello @modbot" || m.get("chatItems.0.chatItem.meta.userMention") != true {
		t.Fatalf("alice's message %s", m.raw)
	}
	say("/as bob buy cheap pills")
	spam := bot.untilItem("group")
	if spam.str("chatItems.0.chatItem.chatDir.groupMember.localDisplayName") != "bob" {
		t.Fatalf("bob's message %s", spam.raw)
	}
	if r := bot.cmdf("/_delete member item #%d %d", gid, spam.num("chatItems.0.chatItem.meta.itemId")); r.typ() != "chatItemsDeleted" {
		t.Fatalf("moderate: %s", r.raw)
	}
	bot.cmdf("/_send #%d json %s", gid, sendJSON("bob, no spam here"))
	out.WaitMatch(t, regexp.MustCompile(`(?m)^#team: the bot deleted "buy cheap pills" for everyone\n#team bot: bob, no spam here$`))

	say("/as you I am here too")
	if m := bot.untilItem("group"); m.str("chatItems.0.chatItem.chatDir.groupMember.localDisplayName") != "you" {
		t.Fatalf("your group message %s", m.raw)
	}
	say("/add carol observer")
	out.WaitMatch(t, regexp.MustCompile(`carol joined #team`))
	if m := bot.untilEvent("joinedGroupMember"); m.str("member.localDisplayName") != "carol" || m.str("member.memberRole") != "observer" {
		t.Fatalf("carol joined %s", m.raw)
	}
	say("/members")
	out.WaitMatch(t, regexp.MustCompile(`(?m)^#team:\n  the bot, admin, connected\n  you, owner, connected\n  alice, member, connected\n  bob, member, connected\n  carol, observer, connected$`))
	say("/as dave hi")
	out.WaitMatch(t, regexp.MustCompile(`/as: no member "dave" in #team`))

	// A plain line and /dm go to the bot directly, /dm even for a session
	// command.
	say("/dm /help")
	if m := bot.untilItem("direct"); m.num("chatItems.0.chatInfo.contact.contactId") != you ||
		m.str("chatItems.0.chatItem.content.msgContent.text") != "/help" {
		t.Fatalf("direct /help %s", m.raw)
	}
	bot.cmdf("/_send @%d json %s", you, sendJSON("commands: /rules"))
	out.WaitMatch(t, regexp.MustCompile(`(?m)^bot: commands: /rules$`))

	typing.Close() // Ctrl-D
	select {
	case err := <-done:
		if err != nil {
			t.Fatalf("run: %v; stderr:\n%s", err, errb.String())
		}
	case <-time.After(wait):
		t.Fatal("the session did not end at the end of input")
	}
	if !strings.HasSuffix(out.String(), "simplexsim stopped\n") {
		t.Errorf("stdout:\n%s", out.String())
	}
}
