package olvidsim

import (
	"fmt"

	"google.golang.org/protobuf/proto"

	pb "github.com/parleybot/parley/platform/olvid/olvidpb"
)

// InviteToGroupAs is InviteToGroup with the permissions the inviter gives
// the bot, as an Olvid group's pending members carry theirs: with admin
// permissions the bot joins as an admin (the inviter is one too). nil
// gives member permissions.
func (s *Sim) InviteToGroupAs(inviter uint64, name string, bot *pb.GroupMemberPermissions, members ...uint64) (invitation, discussion uint64, err error) {
	s.mu.Lock()
	defer s.mu.Unlock()
	w := &s.w
	c, ok := w.contacts[inviter]
	if !ok {
		return 0, 0, fmt.Errorf("%w: contact %d", ErrUnknown, inviter)
	}
	g := s.newGroupLocked(name, append([]uint64{inviter}, members...))
	g.Members[0].Permissions = adminPermissions()
	if bot != nil {
		g.OwnPermissions = proto.Clone(bot).(*pb.GroupMemberPermissions)
	}
	w.nextInvitation++
	w.nextDiscussion++
	inv := &pb.Invitation{Id: w.nextInvitation, Status: pb.Invitation_STATUS_GROUP_INVITATION_WAIT_YOU_TO_ACCEPT, DisplayName: c.DisplayName, Timestamp: w.stamp()}
	w.invitations[inv.Id] = &invRec{inv: inv, group: g, discussion: w.nextDiscussion}
	d := w.nextDiscussion
	s.notify("InvitationReceived", &pb.InvitationReceivedNotification{Invitation: inv})
	s.autoAcceptLocked()
	return inv.Id, d, nil
}

// AdminPermissions are a group admin's permissions: everything.
func AdminPermissions() *pb.GroupMemberPermissions { return adminPermissions() }
