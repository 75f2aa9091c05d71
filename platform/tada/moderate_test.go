package tada_test

import (
	"context"
	"errors"
	"slices"
	"testing"

	"github.com/parleybot/parley/bot"
	"github.com/parleybot/parley/platform/tada"
	"github.com/parleybot/parley/store"
)

// What group moderation can do on Tada: delete and remove (tdproto's
// group API); no blocking and no status change exist in the API.
func TestModerationCapabilities(t *testing.T) {
	sim := newSim(t)
	p := newPlatform(t, sim)
	got := bot.Capabilities(p)
	for _, c := range []bot.Capability{bot.CanDelete, bot.CanRemove, bot.CanPrivate} {
		if !slices.Contains(got, c) {
			t.Errorf("capabilities %v lack %s", got, c)
		}
	}
	for _, c := range []bot.Capability{bot.CanBlock, bot.CanSetRole} {
		if slices.Contains(got, c) {
			t.Errorf("capabilities %v have %s, which Tada's API does not offer", got, c)
		}
	}
	var _ interface {
		SendDirect(context.Context, string, bot.Outgoing) ([]string, error)
	} = p
}

// RemoveMember is DELETE …/groups/{group}/members/{contact}: an admin bot
// removes a member; a member bot is refused with a typed ACCESS_DENIED;
// the owner cannot be removed.
func TestRemoveMember(t *testing.T) {
	sim := newSim(t)
	olga, mia, bob := sim.AddContact("olga"), sim.AddContact("mia"), sim.AddContact("bob")
	me := sim.Bot().JID
	g, err := sim.NewGroup("club", map[string]string{olga.JID: "owner", mia.JID: "member", bob.JID: "member", me: "admin"})
	if err != nil {
		t.Fatal(err)
	}
	p := newPlatform(t, sim, testOptions(store.NewMemory())...)
	ctx := context.Background()
	if err := p.RemoveMember(ctx, g, mia.JID); err != nil {
		t.Fatal(err)
	}
	if ms, _ := sim.Members(g); ms[mia.JID] != "" || ms[bob.JID] != "member" {
		t.Fatalf("members after removing mia: %v", ms)
	}
	var ae *tada.APIError
	if err := p.RemoveMember(ctx, g, olga.JID); !errors.As(err, &ae) || ae.Code != tada.CodeAccessDenied {
		t.Fatalf("removing the owner: %v", err)
	}
	if err := p.RemoveMember(ctx, g, mia.JID); !errors.As(err, &ae) || ae.Code != tada.CodeNotFound {
		t.Fatalf("removing a non-member: %v", err)
	}
	if err := sim.SetGroupStatus(g, olga.JID, me, "member"); err != nil {
		t.Fatal(err)
	}
	if err := p.RemoveMember(ctx, g, bob.JID); !errors.As(err, &ae) || ae.Code != tada.CodeAccessDenied {
		t.Fatalf("removing as a member: %v", err)
	}
	if err := p.RemoveMember(ctx, bob.JID, mia.JID); err == nil {
		t.Fatal("RemoveMember took a direct chat for a group")
	}
	if _, err := p.SendDirect(ctx, g, bot.Outgoing{Text: "x"}); err == nil {
		t.Fatal("SendDirect took a group for a person")
	}
	if _, err := p.SendDirect(ctx, olga.JID, bot.Outgoing{Text: "hello olga"}); err != nil {
		t.Fatal(err)
	}
	if ms := sim.MessagesFrom(me); len(ms) != 1 || ms[0].Chat != olga.JID || ms[0].Content.Text != "hello olga" {
		t.Fatalf("bot sent %+v", ms)
	}
}
