package privitty_test

import (
	"slices"
	"strconv"
	"testing"

	"github.com/parleybot/parley/bot"
	"github.com/parleybot/parley/platform/privitty"
	"github.com/parleybot/parley/platform/privitty/privittysim"
	"github.com/parleybot/parley/store"
)

func TestModerateCapabilities(t *testing.T) {
	sim := newSim(t)
	p := newPlatform(sim, store.NewMemory())
	got := bot.Capabilities(p)
	for _, c := range []bot.Capability{bot.CanRemove, bot.CanPrivate, bot.CanDelete} {
		if !slices.Contains(got, c) {
			t.Errorf("privitty lacks %s", c)
		}
	}
	// Delta Chat has no block for everyone and no roles.
	for _, c := range []bot.Capability{bot.CanBlock, bot.CanSetRole} {
		if slices.Contains(got, c) {
			t.Errorf("privitty claims %s", c)
		}
	}
}

func TestModerateRemoveMember(t *testing.T) {
	sim := newSim(t)
	p := newPlatform(sim, store.NewMemory())
	ctx := ctxT(t)
	olga, err := sim.ConnectContact("olga", false)
	if err != nil {
		t.Fatal(err)
	}
	gid, ids, err := sim.AddedToGroup("club", olga.ID, "mia")
	if err != nil {
		t.Fatal(err)
	}
	chat, mia := strconv.FormatInt(gid, 10), ids[0]
	if err := p.RemoveMember(ctx, chat, strconv.FormatInt(mia, 10)); err != nil {
		t.Fatal(err)
	}
	c, _ := sim.Chat(gid)
	if slices.Contains(c.Members, mia) || !slices.Contains(c.Members, olga.ID) {
		t.Fatalf("members after removing mia: %v", c.Members)
	}
	// The removal is told in the group, by the bot.
	info, err := p.Client().GetMessage(ctx, c.MsgIDs[len(c.MsgIDs)-1])
	if err != nil {
		t.Fatal(err)
	}
	if !info.IsInfo || info.SystemMessageType != privitty.SystemMemberRemoved || info.InfoContactID != mia || info.FromID != privitty.ContactSelf {
		t.Errorf("info message = %+v", info)
	}
	if err := p.RemoveMember(ctx, chat, strconv.FormatInt(mia, 10)); err == nil {
		t.Error("removing a member twice succeeded")
	}
	for _, bad := range [][2]string{{"x", "1"}, {chat, "0"}, {strconv.FormatInt(olga.ChatID, 10), strconv.FormatInt(olga.ID, 10)}} {
		if err := p.RemoveMember(ctx, bad[0], bad[1]); err == nil {
			t.Errorf("RemoveMember(%q, %q) succeeded", bad[0], bad[1])
		}
	}
}

func TestModeratePrivateAndDirect(t *testing.T) {
	sim := newSim(t)
	p := newPlatform(sim, store.NewMemory())
	ctx := ctxT(t)
	olga, _ := sim.ConnectContact("olga", false)
	gid, ids, err := sim.AddedToGroup("club", olga.ID, "mia")
	if err != nil {
		t.Fatal(err)
	}
	chat := strconv.FormatInt(gid, 10)
	// olga has a chat with the bot already; mia gets one.
	if _, err := p.SendPrivate(ctx, chat, strconv.FormatInt(olga.ID, 10), bot.Outgoing{Text: "to olga"}); err != nil {
		t.Fatal(err)
	}
	if _, err := p.SendPrivate(ctx, chat, strconv.FormatInt(ids[0], 10), bot.Outgoing{Text: "to mia"}); err != nil {
		t.Fatal(err)
	}
	sent := sim.BotSent()
	if len(sent) != 2 || sent[0].ChatID != olga.ChatID || sent[0].Text != "to olga" || sent[1].ChatID == gid || sent[1].Text != "to mia" {
		t.Fatalf("sent = %+v", sent)
	}
	if c, _ := sim.Chat(sent[1].ChatID); c.Group || len(c.Members) != 1 || c.Members[0] != ids[0] {
		t.Errorf("mia's chat = %+v", c)
	}
	stranger, _ := sim.ConnectContact("eve", false)
	if _, err := p.SendPrivate(ctx, chat, strconv.FormatInt(stranger.ID, 10), bot.Outgoing{Text: "x"}); err == nil {
		t.Error("SendPrivate to a non-member succeeded")
	}
	if _, err := p.SendDirect(ctx, strconv.FormatInt(stranger.ID, 10), bot.Outgoing{Text: "hi eve"}); err != nil {
		t.Fatal(err)
	}
	if s := sim.BotSent(); s[len(s)-1].ChatID != stranger.ChatID {
		t.Errorf("SendDirect went to chat %d, want %d", s[len(s)-1].ChatID, stranger.ChatID)
	}
	if _, err := p.SendDirect(ctx, "1", bot.Outgoing{Text: "x"}); err == nil {
		t.Error("SendDirect to self succeeded")
	}
}

func TestGroupChangesFromInfoMessages(t *testing.T) {
	sim := newSim(t)
	p := newPlatform(sim, store.NewMemory())
	ctx := ctxT(t)
	olga, _ := sim.ConnectContact("olga", false)
	gid, ids, err := sim.AddedToGroup("club", olga.ID, "mia")
	if err != nil {
		t.Fatal(err)
	}
	mia := ids[0]
	kai, err := sim.AddMember(gid, olga.ID, "kai")
	if err != nil {
		t.Fatal(err)
	}
	if err := sim.RemoveMember(gid, olga.ID, kai); err != nil {
		t.Fatal(err)
	}
	if err := sim.RemoveMember(gid, mia, mia); err != nil {
		t.Fatal(err)
	}
	if err := sim.RemoveMember(gid, olga.ID, privittysim.Self); err != nil {
		t.Fatal(err)
	}
	chat := bot.Chat{ID: strconv.FormatInt(gid, 10), Kind: bot.Group, Title: "club"}
	olgaID := strconv.FormatInt(olga.ID, 10)
	want := []struct {
		kind       bot.GroupChangeKind
		member, by string
	}{
		{bot.BotJoined, "", olgaID},
		{bot.MemberJoined, strconv.FormatInt(kai, 10), olgaID},
		{bot.MemberLeft, strconv.FormatInt(kai, 10), olgaID},
		{bot.MemberLeft, strconv.FormatInt(mia, 10), strconv.FormatInt(mia, 10)},
		{bot.BotRemoved, "", olgaID},
	}
	c, _ := sim.Chat(gid)
	if len(c.MsgIDs) != len(want) {
		t.Fatalf("%d messages in the group, want %d", len(c.MsgIDs), len(want))
	}
	for i, id := range c.MsgIDs {
		m, err := p.Client().GetMessage(ctx, id)
		if err != nil {
			t.Fatal(err)
		}
		e := privitty.NewMembersChanged(1, m, chat)
		if e == nil {
			t.Fatalf("message %d (%q) is not a membership change", id, m.Text)
		}
		chs := e.GroupChanges()
		w := want[i]
		if len(chs) != 1 || chs[0].Kind != w.kind || chs[0].Member.ID != w.member || chs[0].By.ID != w.by || chs[0].Chat != chat {
			t.Errorf("message %d (%q): changes %+v, want %+v", id, m.Text, chs, w)
		}
		if e.Type() != privitty.TypeMembersChanged || e.ChatKey() != "privitty:1:"+chat.ID || e.DedupeKey() != "privitty:1:"+strconv.FormatInt(id, 10) {
			t.Errorf("keys: %s %s %s", e.Type(), e.ChatKey(), e.DedupeKey())
		}
	}
	if names := c.Members; slices.Contains(names, mia) || slices.Contains(names, kai) {
		t.Errorf("members left: %v", names)
	}
	// Ordinary messages, and info messages of other kinds, are not changes.
	hello, _ := sim.ContactSend(olga.ChatID, "hello")
	m, err := p.Client().GetMessage(ctx, hello)
	if err != nil {
		t.Fatal(err)
	}
	if privitty.NewMembersChanged(1, m, chat) != nil {
		t.Error("an ordinary message made a membership change")
	}
	info := &privitty.Message{ID: 5, ChatID: gid, FromID: olga.ID, IsInfo: true, SystemMessageType: "GroupNameChanged", InfoContactID: olga.ID}
	if privitty.NewMembersChanged(1, info, chat) != nil {
		t.Error("a rename made a membership change")
	}
	info.SystemMessageType = privitty.SystemMemberAdded
	if privitty.NewMembersChanged(1, info, bot.Chat{ID: "3", Kind: bot.Direct}) != nil {
		t.Error("a change outside a group")
	}
}

// The bot can no longer write to a group it was removed from.
func TestGroupRemovedBotCannotSend(t *testing.T) {
	sim := newSim(t)
	p := newPlatform(sim, store.NewMemory())
	olga, _ := sim.ConnectContact("olga", false)
	gid, _, err := sim.AddedToGroup("club", olga.ID, "mia")
	if err != nil {
		t.Fatal(err)
	}
	chat := strconv.FormatInt(gid, 10)
	if _, err := p.Send(ctxT(t), chat, bot.Outgoing{Text: "hi"}); err != nil {
		t.Fatal(err)
	}
	if err := sim.RemoveMember(gid, olga.ID, privittysim.Self); err != nil {
		t.Fatal(err)
	}
	if _, err := p.Send(ctxT(t), chat, bot.Outgoing{Text: "still here?"}); err == nil {
		t.Error("sent to a group the bot was removed from")
	}
	full, err := p.Client().GetFullChat(ctxT(t), gid)
	if err != nil || full.SelfInGroup || slices.Contains(full.ContactIDs, privitty.ContactSelf) {
		t.Errorf("full chat after removal: %+v, %v", full, err)
	}
}
