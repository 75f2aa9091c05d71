package olvid_test

import (
	"context"
	"strconv"
	"testing"

	"github.com/parleybot/parley/bot"
	"github.com/parleybot/parley/platform/olvid"
	pb "github.com/parleybot/parley/platform/olvid/olvidpb"
	"github.com/parleybot/parley/platform/olvid/olvidsim"
	"github.com/parleybot/parley/store"
)

// The bot joining a group names the group's only admin as its owner (By);
// with two admins or none, nobody.
func TestGroupNewNamesTheOwner(t *testing.T) {
	admin := olvidsim.AdminPermissions()
	member := &pb.GroupMemberPermissions{SendMessage: true}
	for _, tc := range []struct {
		name    string
		members []*pb.GroupMember
		want    bot.Sender
	}{
		{"one admin", []*pb.GroupMember{{ContactId: 3, Permissions: member}, {ContactId: 7, Permissions: admin}}, bot.Sender{ID: "7", Role: "admin"}},
		{"two admins", []*pb.GroupMember{{ContactId: 3, Permissions: admin}, {ContactId: 7, Permissions: admin}}, bot.Sender{}},
		{"no admin", []*pb.GroupMember{{ContactId: 3, Permissions: member}}, bot.Sender{}},
	} {
		e := olvid.Decode(olvid.NotifyGroupNew, &pb.GroupNewNotification{Group: &pb.Group{Id: 4, OwnPermissions: admin, Members: tc.members}})
		got := e.(bot.GroupChanger).GroupChanges()
		if len(got) != 1 || got[0].Kind != bot.BotJoined || got[0].Role != "admin" || got[0].By != tc.want {
			t.Errorf("%s: %+v, want By %+v", tc.name, got, tc.want)
		}
	}
}

// Olvid's permissions map onto the roles moderation knows, both ways.
func TestRolesAndPermissions(t *testing.T) {
	for _, role := range []string{olvid.RoleAdmin, olvid.RoleModerator, olvid.RoleMember, olvid.RoleObserver} {
		p, err := olvid.PermissionsFor(role)
		if err != nil {
			t.Fatal(err)
		}
		if got := olvid.RoleOf(p); got != role {
			t.Errorf("RoleOf(PermissionsFor(%q)) = %q", role, got)
		}
	}
	if _, err := olvid.PermissionsFor("owner"); err == nil {
		t.Error("Olvid has no owner role, but PermissionsFor made one")
	}
	if got := olvid.RoleOf(nil); got != olvid.RoleMember {
		t.Errorf("RoleOf(nil) = %q", got)
	}
}

// An admin bot makes a member an observer: the member keeps reading but
// may no longer send; a plain member bot is refused.
func TestSetObserver(t *testing.T) {
	sim := newSim(t)
	mia := sim.AddContact("mia")
	g, disc, err := sim.NewGroup("club", true, mia.ID)
	if err != nil {
		t.Fatal(err)
	}
	p := newPlatform(t, sim, store.NewMemory())
	t.Cleanup(func() { _ = p.Close(context.Background()) })
	ctx := context.Background()
	chat := strconv.FormatUint(disc, 10)
	if err := p.SetMemberRole(ctx, chat, strconv.FormatUint(mia.ID, 10), olvid.RoleObserver); err != nil {
		t.Fatal(err)
	}
	gr, _ := sim.Group(g)
	if len(gr.GetMembers()) != 1 || olvid.RoleOf(gr.GetMembers()[0].GetPermissions()) != olvid.RoleObserver || gr.GetMembers()[0].GetPermissions().GetSendMessage() {
		t.Fatalf("members %v", gr.GetMembers())
	}
	_, disc2, err := sim.NewGroup("other", false, mia.ID)
	if err != nil {
		t.Fatal(err)
	}
	if err := p.SetMemberRole(ctx, strconv.FormatUint(disc2, 10), strconv.FormatUint(mia.ID, 10), olvid.RoleObserver); err == nil {
		t.Fatal("a member bot changed a role")
	}
}
