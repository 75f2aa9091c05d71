package olvid_test

import (
	"context"
	"fmt"
	"strings"
	"testing"

	"go.uber.org/zap"
	"go.uber.org/zap/zapcore"
	"go.uber.org/zap/zaptest/observer"

	"github.com/parleybot/parley/config"
	"github.com/parleybot/parley/modules/moderation"
	"github.com/parleybot/parley/platform/olvid"
	pb "github.com/parleybot/parley/platform/olvid/olvidpb"
	"github.com/parleybot/parley/platform/olvid/olvidsim"
	"github.com/parleybot/parley/registry"
	"github.com/parleybot/parley/router"
	"github.com/parleybot/parley/store"
)

func hostedModerationTOML(sim *olvidsim.Sim, modules string) string {
	return fmt.Sprintf(`[[bots]]
name = "club-bot"
platform = "olvid"

[bots.olvid]
target = %q
client_key = %q
reconnect_min = "5ms"
reconnect_max = "50ms"
%s`, sim.Addr(), sim.ClientKey(), modules)
}

// botSaid waits for the bot to send text containing want to discussion.
func botSaid(t *testing.T, sim *olvidsim.Sim, discussion uint64, want string) {
	t.Helper()
	said := func() bool {
		for _, s := range sim.BotSent() {
			if s.DiscussionID == discussion && strings.Contains(s.Body, want) {
				return true
			}
		}
		return false
	}
	if err := sim.Wait(wait, said); err != nil {
		var all []string
		for _, s := range sim.BotSent() {
			all = append(all, fmt.Sprintf("%d: %s", s.DiscussionID, s.Body))
		}
		t.Fatalf("the bot did not send %q to discussion %d: %v\nit sent: %q", want, discussion, err, all)
	}
}

// Moderation and echo by configuration on Olvid: at start-up the bot says
// it cannot block; an owner invites it to a group as an admin; the bot
// accepts, takes the group on when it has joined and tells the owner in
// their one-to-one discussion; a rule-breaking message is deleted
// everywhere and its author removed from the group; the owner's own
// message stays; direct messages are echoed and owner commands answered.
func TestHostedModerationByConfiguration(t *testing.T) {
	sim := newSim(t)
	core, logs := observer.New(zapcore.InfoLevel)
	cfg, err := config.Parse([]byte(hostedModerationTOML(sim, `
[bots.modules.moderation]
banned_words = ["spam"]
action = "remove"

[bots.modules.echo]
prefix = "echo: "
`)), "bots.toml")
	if err != nil {
		t.Fatal(err)
	}
	h, err := config.BuildBot(cfg.Bots[0], zap.New(core))
	if err != nil {
		t.Fatal(err)
	}
	ctx, cancel := context.WithCancel(context.Background())
	done := make(chan error, 1)
	go func() { done <- h.Bot.Run(ctx) }()
	t.Cleanup(func() {
		cancel()
		if err := <-done; err != nil {
			t.Errorf("Run: %v", err)
		}
		if err := h.Close(); err != nil {
			t.Errorf("Close: %v", err)
		}
	})
	waitFor(t, "the hosted bot to be ready", h.Platform.(*olvid.Platform).Ready)

	start := logs.FilterMessage("moderation: actions this platform cannot do are unavailable").All()
	if len(start) != 1 {
		t.Fatalf("start-up lines: %v", logs.All())
	}
	if f := start[0].ContextMap(); f["platform"] != "olvid" || fmt.Sprint(f["unavailable"]) != "[block]" {
		t.Errorf("start-up line fields: %v", f)
	}

	olga, mia := sim.AddContact("olga"), sim.AddContact("mia")
	if _, _, err := sim.InviteToGroupAs(olga.ID, "club", olvidsim.AdminPermissions(), mia.ID); err != nil {
		t.Fatal(err)
	}
	botSaid(t, sim, olga.DiscussionID, "I joined club as admin and will moderate it.")
	var group *pb.Group
	waitFor(t, "the group", func() bool {
		for id := uint64(1); id < 10; id++ {
			if g, ok := sim.Group(id); ok && g.GetName() == "club" {
				group = g
				return true
			}
		}
		return false
	})
	club := discussionOf(t, h, group.GetId())

	clean, err := sim.MemberSend(club, mia.ID, "hello everyone")
	if err != nil {
		t.Fatal(err)
	}
	own, err := sim.MemberSend(club, olga.ID, "no spam here, says the owner")
	if err != nil {
		t.Fatal(err)
	}
	bad, err := sim.MemberSend(club, mia.ID, "buy SPAM now")
	if err != nil {
		t.Fatal(err)
	}
	botSaid(t, sim, olga.DiscussionID, `Deleted a message from mia and removed mia from the group in club: banned word "spam".`)
	inbound := func(id uint64) *pb.MessageId { return &pb.MessageId{Type: pb.MessageId_TYPE_INBOUND, Id: id} }
	if _, _, err := sim.Message(inbound(bad)); err == nil {
		t.Error("the banned message is still there")
	}
	for _, id := range []uint64{clean, own} {
		if _, _, err := sim.Message(inbound(id)); err != nil {
			t.Errorf("message %d: %v", id, err)
		}
	}
	g, _ := sim.Group(group.GetId())
	for _, m := range g.GetMembers() {
		if m.GetContactId() == mia.ID {
			t.Errorf("mia is still a member: %v", g.GetMembers())
		}
	}

	// Direct messages: the owner's commands to moderation, the rest echoed.
	if _, err := sim.ContactSend(olga.DiscussionID, "/status"); err != nil {
		t.Fatal(err)
	}
	botSaid(t, sim, olga.DiscussionID, "deleted 1, blocked 0, removed 1")
	if _, err := sim.ContactSend(olga.DiscussionID, "thanks"); err != nil {
		t.Fatal(err)
	}
	botSaid(t, sim, olga.DiscussionID, "echo: thanks")
	for _, s := range sim.BotSent() {
		if s.DiscussionID == club {
			t.Errorf("the bot posted in the group: %q", s.Body)
		}
	}
}

// discussionOf is the discussion of a group, as the daemon tells it.
func discussionOf(t *testing.T, h *config.Hosted, group uint64) uint64 {
	t.Helper()
	d, err := h.Platform.(*olvid.Platform).Client().DiscussionByGroup(context.Background(), group)
	if err != nil {
		t.Fatal(err)
	}
	return d.GetId()
}

// Olvid cannot block members: action = "block" is refused at Setup,
// naming what it can do. (Through config.BuildBot the same error stops
// the build; the platform it built is not closed there, so this test
// sets the module up itself.)
func TestModerationRefusesBlock(t *testing.T) {
	sim := newSim(t)
	p := newPlatform(t, sim, store.NewMemory())
	t.Cleanup(func() { _ = p.Close(context.Background()) })
	s := moderation.DefaultSettings()
	s.Action = moderation.ActionBlock
	err := moderation.New(s).Setup(registry.ModuleEnv{Platform: p}, router.New())
	if err == nil {
		t.Fatal("set up")
	}
	if msg := err.Error(); !strings.Contains(msg, "the olvid platform cannot") || !strings.Contains(msg, `it can do "delete", "remove", "observer"`) {
		t.Error(err)
	}
}
