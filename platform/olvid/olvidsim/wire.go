package olvidsim

import (
	"context"
	"errors"
	"fmt"
	"io"
	"slices"
	"sort"
	"strconv"
	"strings"

	"google.golang.org/grpc"
	"google.golang.org/grpc/codes"
	"google.golang.org/grpc/metadata"
	"google.golang.org/grpc/status"
	"google.golang.org/protobuf/proto"

	pb "github.com/parleybot/parley/platform/olvid/olvidpb"
)

// register serves every service the simulator speaks on srv.
func register(srv *grpc.Server, s *Sim) {
	pb.RegisterToolCommandServiceServer(srv, toolSvc{s: s})
	pb.RegisterIdentityCommandServiceServer(srv, identitySvc{s: s})
	pb.RegisterInvitationCommandServiceServer(srv, invitationSvc{s: s})
	pb.RegisterContactCommandServiceServer(srv, contactSvc{s: s})
	pb.RegisterGroupCommandServiceServer(srv, groupSvc{s: s})
	pb.RegisterDiscussionCommandServiceServer(srv, discussionSvc{s: s})
	pb.RegisterMessageCommandServiceServer(srv, messageSvc{s: s})
	pb.RegisterAttachmentCommandServiceServer(srv, attachmentSvc{s: s})
	pb.RegisterSettingsCommandServiceServer(srv, settingsSvc{s: s})
	pb.RegisterMessageNotificationServiceServer(srv, messageNotify{s: s})
	pb.RegisterAttachmentNotificationServiceServer(srv, attachmentNotify{s: s})
	pb.RegisterDiscussionNotificationServiceServer(srv, discussionNotify{s: s})
	pb.RegisterContactNotificationServiceServer(srv, contactNotify{s: s})
	pb.RegisterGroupNotificationServiceServer(srv, groupNotify{s: s})
	pb.RegisterInvitationNotificationServiceServer(srv, invitationNotify{s: s})
	pb.RegisterCallNotificationServiceServer(srv, callNotify{s: s})
}

func notFound(format string, args ...any) error {
	return status.Errorf(codes.NotFound, format, args...)
}

func invalid(format string, args ...any) error {
	return status.Errorf(codes.InvalidArgument, format, args...)
}

func clone[T proto.Message](m T) T { return proto.Clone(m).(T) }

// sendAll streams items in pages of 100.
func sendAll[T any, R any](items []T, wrap func([]T) *R, send func(*R) error) error {
	for len(items) > 0 {
		n := min(len(items), 100)
		if err := send(wrap(items[:n])); err != nil {
			return err
		}
		items = items[n:]
	}
	return nil
}

// --- tool and identity ---

type toolSvc struct {
	pb.UnimplementedToolCommandServiceServer
	s *Sim
}

func (toolSvc) Ping(context.Context, *pb.PingRequest) (*pb.PingResponse, error) {
	return &pb.PingResponse{}, nil
}

func (toolSvc) DaemonVersion(context.Context, *pb.DaemonVersionRequest) (*pb.DaemonVersionResponse, error) {
	return &pb.DaemonVersionResponse{Version: "olvidsim"}, nil
}

func (toolSvc) AuthenticationTest(context.Context, *pb.AuthenticationTestRequest) (*pb.AuthenticationTestResponse, error) {
	return &pb.AuthenticationTestResponse{}, nil
}

func (t toolSvc) AuthenticationAdminTest(ctx context.Context, _ *pb.AuthenticationAdminTestRequest) (*pb.AuthenticationAdminTestResponse, error) {
	md, _ := metadata.FromIncomingContext(ctx)
	if k := md.Get("daemon-client-key"); len(k) != 1 || !t.s.opts.adminKeys[k[0]] {
		return nil, status.Error(codes.Unauthenticated, "not an admin key")
	}
	return &pb.AuthenticationAdminTestResponse{}, nil
}

type identitySvc struct {
	pb.UnimplementedIdentityCommandServiceServer
	s *Sim
}

func (i identitySvc) IdentityGet(context.Context, *pb.IdentityGetRequest) (*pb.IdentityGetResponse, error) {
	i.s.mu.Lock()
	defer i.s.mu.Unlock()
	return &pb.IdentityGetResponse{Identity: clone(i.s.w.identity)}, nil
}

func (i identitySvc) IdentityGetBytesIdentifier(context.Context, *pb.IdentityGetBytesIdentifierRequest) (*pb.IdentityGetBytesIdentifierResponse, error) {
	return &pb.IdentityGetBytesIdentifierResponse{Identifier: []byte("olvidsim-identity-1")}, nil
}

func (i identitySvc) IdentityGetInvitationLink(context.Context, *pb.IdentityGetInvitationLinkRequest) (*pb.IdentityGetInvitationLinkResponse, error) {
	return &pb.IdentityGetInvitationLinkResponse{InvitationLink: "https://invitation.olvid.io#olvidsim-1"}, nil
}

func (i identitySvc) IdentityUpdateDetails(_ context.Context, r *pb.IdentityUpdateDetailsRequest) (*pb.IdentityUpdateDetailsResponse, error) {
	if r.NewDetails == nil {
		return nil, invalid("new_details is required")
	}
	i.s.mu.Lock()
	defer i.s.mu.Unlock()
	id := clone(i.s.w.identity)
	id.Details = r.NewDetails
	id.DisplayName = strings.TrimSpace(r.NewDetails.GetFirstName() + " " + r.NewDetails.GetLastName())
	i.s.w.identity = id
	return &pb.IdentityUpdateDetailsResponse{}, nil
}

// --- invitations ---

type invitationSvc struct {
	pb.UnimplementedInvitationCommandServiceServer
	s *Sim
}

func (v invitationSvc) InvitationList(r *pb.InvitationListRequest, st grpc.ServerStreamingServer[pb.InvitationListResponse]) error {
	match, err := compileInvitationFilter(r.Filter)
	if err != nil {
		return err
	}
	v.s.mu.Lock()
	var out []*pb.Invitation
	for _, rec := range v.s.w.invitations {
		if match(rec.inv) {
			out = append(out, clone(rec.inv))
		}
	}
	v.s.mu.Unlock()
	sort.Slice(out, func(i, j int) bool { return out[i].Id < out[j].Id })
	return sendAll(out, func(p []*pb.Invitation) *pb.InvitationListResponse { return &pb.InvitationListResponse{Invitations: p} }, st.Send)
}

func (v invitationSvc) InvitationGet(_ context.Context, r *pb.InvitationGetRequest) (*pb.InvitationGetResponse, error) {
	v.s.mu.Lock()
	defer v.s.mu.Unlock()
	rec, ok := v.s.w.invitations[r.InvitationId]
	if !ok {
		return nil, notFound("invitation %d not found", r.InvitationId)
	}
	return &pb.InvitationGetResponse{Invitation: clone(rec.inv)}, nil
}

func (v invitationSvc) InvitationNew(_ context.Context, r *pb.InvitationNewRequest) (*pb.InvitationNewResponse, error) {
	const prefix = "https://invitation.olvid.io#"
	if !strings.HasPrefix(r.InvitationUrl, prefix) || len(r.InvitationUrl) == len(prefix) {
		return nil, invalid("invalid invitation url")
	}
	v.s.mu.Lock()
	defer v.s.mu.Unlock()
	w := &v.s.w
	w.nextInvitation++
	inv := &pb.Invitation{Id: w.nextInvitation, Status: pb.Invitation_STATUS_INVITATION_WAIT_IT_TO_ACCEPT, DisplayName: r.InvitationUrl[len(prefix):], Timestamp: w.stamp()}
	w.invitations[inv.Id] = &invRec{inv: inv}
	v.s.notify("InvitationSent", &pb.InvitationSentNotification{Invitation: inv})
	return &pb.InvitationNewResponse{Invitation: clone(inv)}, nil
}

func waitsForYou(st pb.Invitation_Status) bool {
	switch st {
	case pb.Invitation_STATUS_INVITATION_WAIT_YOU_TO_ACCEPT, pb.Invitation_STATUS_INTRODUCTION_WAIT_YOU_TO_ACCEPT,
		pb.Invitation_STATUS_ONE_TO_ONE_INVITATION_WAIT_YOU_TO_ACCEPT, pb.Invitation_STATUS_GROUP_INVITATION_WAIT_YOU_TO_ACCEPT:
		return true
	}
	return false
}

func (v invitationSvc) InvitationAccept(_ context.Context, r *pb.InvitationAcceptRequest) (*pb.InvitationAcceptResponse, error) {
	v.s.mu.Lock()
	defer v.s.mu.Unlock()
	rec, ok := v.s.w.invitations[r.InvitationId]
	if !ok {
		return nil, notFound("invitation %d not found", r.InvitationId)
	}
	if !waitsForYou(rec.inv.Status) {
		return nil, invalid("invitation %d is in status %s, which cannot be accepted", r.InvitationId, rec.inv.Status)
	}
	v.s.acceptLocked(rec)
	return &pb.InvitationAcceptResponse{}, nil
}

// acceptLocked runs an accepted invitation's protocol to its end at once.
func (s *Sim) acceptLocked(rec *invRec) {
	prev := rec.inv.Status
	rec.inv.Status = pb.Invitation_STATUS_INVITATION_STATUS_IN_PROGRESS
	s.notify("InvitationUpdated", &pb.InvitationUpdatedNotification{Invitation: rec.inv, PreviousInvitationStatus: prev})
	switch {
	case rec.group != nil:
		s.joinGroupLocked(rec.group, rec.discussion)
	case rec.contactName != "":
		s.addContactLocked(rec.contactName, rec.discussion)
	}
	delete(s.w.invitations, rec.inv.Id)
	s.notify("InvitationDeleted", &pb.InvitationDeletedNotification{Invitation: rec.inv})
}

func (v invitationSvc) removeInvitation(id uint64) error {
	v.s.mu.Lock()
	defer v.s.mu.Unlock()
	rec, ok := v.s.w.invitations[id]
	if !ok {
		return notFound("invitation %d not found", id)
	}
	delete(v.s.w.invitations, id)
	v.s.notify("InvitationDeleted", &pb.InvitationDeletedNotification{Invitation: rec.inv})
	return nil
}

func (v invitationSvc) InvitationDecline(_ context.Context, r *pb.InvitationDeclineRequest) (*pb.InvitationDeclineResponse, error) {
	return &pb.InvitationDeclineResponse{}, v.removeInvitation(r.InvitationId)
}

func (v invitationSvc) InvitationDelete(_ context.Context, r *pb.InvitationDeleteRequest) (*pb.InvitationDeleteResponse, error) {
	return &pb.InvitationDeleteResponse{}, v.removeInvitation(r.InvitationId)
}

func (v invitationSvc) InvitationSas(_ context.Context, r *pb.InvitationSasRequest) (*pb.InvitationSasResponse, error) {
	v.s.mu.Lock()
	defer v.s.mu.Unlock()
	rec, ok := v.s.w.invitations[r.InvitationId]
	if !ok {
		return nil, notFound("invitation %d not found", r.InvitationId)
	}
	if rec.inv.Status != pb.Invitation_STATUS_INVITATION_WAIT_YOU_FOR_SAS_EXCHANGE {
		return nil, invalid("invitation %d does not wait for a SAS", r.InvitationId)
	}
	if rec.inv.GetSas() != r.Sas {
		return nil, invalid("invalid SAS")
	}
	v.s.acceptLocked(rec)
	return &pb.InvitationSasResponse{}, nil
}

// --- contacts ---

type contactSvc struct {
	pb.UnimplementedContactCommandServiceServer
	s *Sim
}

func (c contactSvc) ContactList(r *pb.ContactListRequest, st grpc.ServerStreamingServer[pb.ContactListResponse]) error {
	match, err := compileContactFilter(r.Filter)
	if err != nil {
		return err
	}
	c.s.mu.Lock()
	var out []*pb.Contact
	for _, ct := range c.s.w.contacts {
		if match(ct) {
			out = append(out, clone(ct))
		}
	}
	c.s.mu.Unlock()
	sort.Slice(out, func(i, j int) bool { return out[i].Id < out[j].Id })
	return sendAll(out, func(p []*pb.Contact) *pb.ContactListResponse { return &pb.ContactListResponse{Contacts: p} }, st.Send)
}

func (c contactSvc) get(id uint64) (*pb.Contact, error) {
	c.s.mu.Lock()
	defer c.s.mu.Unlock()
	ct, ok := c.s.w.contacts[id]
	if !ok {
		return nil, notFound("contact %d not found", id)
	}
	return clone(ct), nil
}

func (c contactSvc) ContactGet(_ context.Context, r *pb.ContactGetRequest) (*pb.ContactGetResponse, error) {
	ct, err := c.get(r.ContactId)
	return &pb.ContactGetResponse{Contact: ct}, err
}

func (c contactSvc) ContactGetBytesIdentifier(_ context.Context, r *pb.ContactGetBytesIdentifierRequest) (*pb.ContactGetBytesIdentifierResponse, error) {
	if _, err := c.get(r.ContactId); err != nil {
		return nil, err
	}
	return &pb.ContactGetBytesIdentifierResponse{Identifier: []byte("olvidsim-contact-" + strconv.FormatUint(r.ContactId, 10))}, nil
}

func (c contactSvc) ContactGetInvitationLink(_ context.Context, r *pb.ContactGetInvitationLinkRequest) (*pb.ContactGetInvitationLinkResponse, error) {
	if _, err := c.get(r.ContactId); err != nil {
		return nil, err
	}
	return &pb.ContactGetInvitationLinkResponse{InvitationLink: "https://invitation.olvid.io#olvidsim-contact-" + strconv.FormatUint(r.ContactId, 10)}, nil
}

func (c contactSvc) ContactDelete(_ context.Context, r *pb.ContactDeleteRequest) (*pb.ContactDeleteResponse, error) {
	c.s.mu.Lock()
	defer c.s.mu.Unlock()
	if _, ok := c.s.w.contacts[r.ContactId]; !ok {
		return nil, notFound("contact %d not found", r.ContactId)
	}
	return &pb.ContactDeleteResponse{}, c.s.deleteContactLocked(r.ContactId)
}

func (c contactSvc) ContactIntroduction(_ context.Context, r *pb.ContactIntroductionRequest) (*pb.ContactIntroductionResponse, error) {
	if _, err := c.get(r.FirstContactId); err != nil {
		return nil, err
	}
	if _, err := c.get(r.SecondContactId); err != nil {
		return nil, err
	}
	return &pb.ContactIntroductionResponse{}, nil
}

func (c contactSvc) ContactInviteToOneToOneDiscussion(_ context.Context, r *pb.ContactInviteToOneToOneDiscussionRequest) (*pb.ContactInviteToOneToOneDiscussionResponse, error) {
	c.s.mu.Lock()
	defer c.s.mu.Unlock()
	ct, ok := c.s.w.contacts[r.ContactId]
	if !ok {
		return nil, notFound("contact %d not found", r.ContactId)
	}
	if ct.HasOneToOneDiscussion {
		return nil, invalid("contact %d already has a one-to-one discussion", r.ContactId)
	}
	w := &c.s.w
	w.nextInvitation++
	inv := &pb.Invitation{Id: w.nextInvitation, Status: pb.Invitation_STATUS_ONE_TO_ONE_INVITATION_WAIT_IT_TO_ACCEPT, DisplayName: ct.DisplayName, Timestamp: w.stamp()}
	w.invitations[inv.Id] = &invRec{inv: inv}
	c.s.notify("InvitationSent", &pb.InvitationSentNotification{Invitation: inv})
	return &pb.ContactInviteToOneToOneDiscussionResponse{Invitation: clone(inv)}, nil
}

func (c contactSvc) ContactDowngradeOneToOneDiscussion(_ context.Context, r *pb.ContactDowngradeOneToOneDiscussionRequest) (*pb.ContactDowngradeOneToOneDiscussionResponse, error) {
	c.s.mu.Lock()
	defer c.s.mu.Unlock()
	ct, ok := c.s.w.contacts[r.ContactId]
	if !ok {
		return nil, notFound("contact %d not found", r.ContactId)
	}
	ct.HasOneToOneDiscussion = false
	for _, d := range c.s.w.discussions {
		if d.GetContactId() == r.ContactId {
			c.s.lockLocked(d)
		}
	}
	return &pb.ContactDowngradeOneToOneDiscussionResponse{}, nil
}

// --- groups ---

type groupSvc struct {
	pb.UnimplementedGroupCommandServiceServer
	s *Sim
}

func (g groupSvc) GroupList(r *pb.GroupListRequest, st grpc.ServerStreamingServer[pb.GroupListResponse]) error {
	match, err := compileGroupFilter(r.Filter)
	if err != nil {
		return err
	}
	g.s.mu.Lock()
	var out []*pb.Group
	for _, gr := range g.s.w.groups {
		if match(gr) {
			out = append(out, clone(gr))
		}
	}
	g.s.mu.Unlock()
	sort.Slice(out, func(i, j int) bool { return out[i].Id < out[j].Id })
	return sendAll(out, func(p []*pb.Group) *pb.GroupListResponse { return &pb.GroupListResponse{Groups: p} }, st.Send)
}

func (g groupSvc) GroupGet(_ context.Context, r *pb.GroupGetRequest) (*pb.GroupGetResponse, error) {
	g.s.mu.Lock()
	defer g.s.mu.Unlock()
	gr, ok := g.s.w.groups[r.GroupId]
	if !ok {
		return nil, notFound("group %d not found", r.GroupId)
	}
	return &pb.GroupGetResponse{Group: clone(gr)}, nil
}

func (g groupSvc) GroupNewStandardGroup(_ context.Context, r *pb.GroupNewStandardGroupRequest) (*pb.GroupNewStandardGroupResponse, error) {
	g.s.mu.Lock()
	defer g.s.mu.Unlock()
	for _, id := range r.AdminContactIds {
		if _, ok := g.s.w.contacts[id]; !ok {
			return nil, notFound("contact %d not found", id)
		}
	}
	gr := g.s.newGroupLocked(r.GetName(), r.AdminContactIds)
	gr.Description = r.GetDescription()
	gr.OwnPermissions = adminPermissions()
	for _, m := range gr.Members {
		m.Permissions = adminPermissions()
	}
	g.s.joinGroupLocked(gr, 0)
	return &pb.GroupNewStandardGroupResponse{Group: clone(gr)}, nil
}

// leaveLocked takes the bot out of group id: GroupDeleted, then the
// discussion is locked.
func (s *Sim) leaveLocked(id uint64) (*pb.Group, error) {
	gr, ok := s.w.groups[id]
	if !ok {
		return nil, notFound("group %d not found", id)
	}
	delete(s.w.groups, id)
	s.notify("GroupDeleted", &pb.GroupDeletedNotification{Group: gr})
	for _, d := range s.w.discussions {
		if d.GetGroupId() == id {
			s.lockLocked(d)
		}
	}
	return clone(gr), nil
}

func (g groupSvc) GroupLeave(_ context.Context, r *pb.GroupLeaveRequest) (*pb.GroupLeaveResponse, error) {
	g.s.mu.Lock()
	defer g.s.mu.Unlock()
	gr, err := g.s.leaveLocked(r.GroupId)
	return &pb.GroupLeaveResponse{Group: gr}, err
}

func (g groupSvc) GroupDisband(_ context.Context, r *pb.GroupDisbandRequest) (*pb.GroupDisbandResponse, error) {
	g.s.mu.Lock()
	defer g.s.mu.Unlock()
	if gr, ok := g.s.w.groups[r.GroupId]; ok && !gr.GetOwnPermissions().GetAdmin() {
		return nil, status.Error(codes.PermissionDenied, "only admins can disband a group")
	}
	gr, err := g.s.leaveLocked(r.GroupId)
	return &pb.GroupDisbandResponse{Group: gr}, err
}

func (g groupSvc) GroupUpdate(_ context.Context, r *pb.GroupUpdateRequest) (*pb.GroupUpdateResponse, error) {
	g.s.mu.Lock()
	defer g.s.mu.Unlock()
	up := r.GetGroup()
	gr, ok := g.s.w.groups[up.GetId()]
	if !ok {
		return nil, notFound("group %d not found", up.GetId())
	}
	if !gr.GetOwnPermissions().GetAdmin() {
		return nil, status.Error(codes.PermissionDenied, "only admins can update a group")
	}
	for _, m := range up.Members {
		if _, ok := g.s.w.contacts[m.ContactId]; !ok {
			return nil, notFound("contact %d not found", m.ContactId)
		}
	}
	old := map[uint64]*pb.GroupMember{}
	for _, m := range gr.Members {
		old[m.ContactId] = m
	}
	newSet := map[uint64]bool{}
	for _, m := range up.Members {
		newSet[m.ContactId] = true
	}
	var members []*pb.GroupMember
	for _, m := range gr.Members {
		if !newSet[m.ContactId] {
			continue
		}
		members = append(members, m)
	}
	gr.Members = members
	for _, m := range gr.Members {
		// Permissions first, then joins and leaves, as a daemon would
		// report them.
		for _, u := range up.Members {
			if u.ContactId == m.ContactId && u.Permissions != nil && !proto.Equal(u.Permissions, m.Permissions) {
				prev := m.Permissions
				m.Permissions = clone(u.Permissions)
				g.s.notify("GroupMemberPermissionsUpdated", &pb.GroupMemberPermissionsUpdatedNotification{Group: gr, Member: m, PreviousPermissions: prev})
			}
		}
	}
	for id, m := range old {
		if !newSet[id] {
			g.s.notify("GroupMemberLeft", &pb.GroupMemberLeftNotification{Group: gr, Member: m})
		}
	}
	for _, u := range up.Members {
		if _, was := old[u.ContactId]; !was {
			m := &pb.GroupMember{ContactId: u.ContactId, Permissions: u.Permissions}
			if m.Permissions == nil {
				m.Permissions = memberPermissions()
			}
			gr.Members = append(gr.Members, m)
			g.s.notify("GroupMemberJoined", &pb.GroupMemberJoinedNotification{Group: gr, Member: m})
		}
	}
	if up.Name != gr.Name {
		prev := gr.Name
		gr.Name = up.Name
		g.s.notify("GroupNameUpdated", &pb.GroupNameUpdatedNotification{Group: gr, PreviousName: prev})
		for _, d := range g.s.w.discussions {
			if d.GetGroupId() == gr.Id {
				d.Title = gr.Name
				g.s.notify("DiscussionTitleUpdated", &pb.DiscussionTitleUpdatedNotification{Discussion: d, PreviousTitle: prev})
			}
		}
	}
	if up.Description != gr.Description {
		prev := gr.Description
		gr.Description = up.Description
		g.s.notify("GroupDescriptionUpdated", &pb.GroupDescriptionUpdatedNotification{Group: gr, PreviousDescription: prev})
	}
	return &pb.GroupUpdateResponse{Group: clone(gr)}, nil
}

// --- discussions ---

type discussionSvc struct {
	pb.UnimplementedDiscussionCommandServiceServer
	s *Sim
}

func (d discussionSvc) list(locked bool, match func(*pb.Discussion) bool) []*pb.Discussion {
	d.s.mu.Lock()
	var out []*pb.Discussion
	for _, ds := range d.s.w.discussions {
		if d.s.w.locked[ds.Id] == locked && match(ds) {
			out = append(out, clone(ds))
		}
	}
	d.s.mu.Unlock()
	sort.Slice(out, func(i, j int) bool { return out[i].Id < out[j].Id })
	return out
}

func (d discussionSvc) DiscussionList(r *pb.DiscussionListRequest, st grpc.ServerStreamingServer[pb.DiscussionListResponse]) error {
	match, err := compileDiscussionFilter(r.Filter)
	if err != nil {
		return err
	}
	return sendAll(d.list(false, match), func(p []*pb.Discussion) *pb.DiscussionListResponse { return &pb.DiscussionListResponse{Discussions: p} }, st.Send)
}

func (d discussionSvc) DiscussionLockedList(_ *pb.DiscussionLockedListRequest, st grpc.ServerStreamingServer[pb.DiscussionLockedListResponse]) error {
	all := func(*pb.Discussion) bool { return true }
	return sendAll(d.list(true, all), func(p []*pb.Discussion) *pb.DiscussionLockedListResponse {
		return &pb.DiscussionLockedListResponse{Discussions: p}
	}, st.Send)
}

func (d discussionSvc) find(match func(*pb.Discussion) bool, what string) (*pb.Discussion, error) {
	d.s.mu.Lock()
	defer d.s.mu.Unlock()
	for _, ds := range d.s.w.discussions {
		if match(ds) {
			return clone(ds), nil
		}
	}
	return nil, notFound("%s not found", what)
}

func (d discussionSvc) DiscussionGet(_ context.Context, r *pb.DiscussionGetRequest) (*pb.DiscussionGetResponse, error) {
	ds, err := d.find(func(x *pb.Discussion) bool { return x.Id == r.DiscussionId }, fmt.Sprintf("discussion %d", r.DiscussionId))
	return &pb.DiscussionGetResponse{Discussion: ds}, err
}

func (d discussionSvc) DiscussionGetByContact(_ context.Context, r *pb.DiscussionGetByContactRequest) (*pb.DiscussionGetByContactResponse, error) {
	ds, err := d.find(func(x *pb.Discussion) bool { return x.GetContactId() == r.ContactId }, fmt.Sprintf("discussion of contact %d", r.ContactId))
	return &pb.DiscussionGetByContactResponse{Discussion: ds}, err
}

func (d discussionSvc) DiscussionGetByGroup(_ context.Context, r *pb.DiscussionGetByGroupRequest) (*pb.DiscussionGetByGroupResponse, error) {
	ds, err := d.find(func(x *pb.Discussion) bool { return x.GetGroupId() == r.GroupId }, fmt.Sprintf("discussion of group %d", r.GroupId))
	return &pb.DiscussionGetByGroupResponse{Discussion: ds}, err
}

func (d discussionSvc) DiscussionEmpty(_ context.Context, r *pb.DiscussionEmptyRequest) (*pb.DiscussionEmptyResponse, error) {
	d.s.mu.Lock()
	defer d.s.mu.Unlock()
	if _, ok := d.s.w.discussions[r.DiscussionId]; !ok {
		return nil, notFound("discussion %d not found", r.DiscussionId)
	}
	for _, m := range []map[uint64]*msgRec{d.s.w.inbound, d.s.w.outbound} {
		for id, rec := range m {
			if rec.m.DiscussionId == r.DiscussionId {
				delete(m, id)
			}
		}
	}
	return &pb.DiscussionEmptyResponse{}, nil
}

func (d discussionSvc) DiscussionLockedDelete(_ context.Context, r *pb.DiscussionLockedDeleteRequest) (*pb.DiscussionLockedDeleteResponse, error) {
	d.s.mu.Lock()
	defer d.s.mu.Unlock()
	if !d.s.w.locked[r.DiscussionId] {
		return nil, notFound("locked discussion %d not found", r.DiscussionId)
	}
	delete(d.s.w.discussions, r.DiscussionId)
	delete(d.s.w.locked, r.DiscussionId)
	return &pb.DiscussionLockedDeleteResponse{}, nil
}

// --- messages ---

type messageSvc struct {
	pb.UnimplementedMessageCommandServiceServer
	s *Sim
}

func (m messageSvc) MessageList(r *pb.MessageListRequest, st grpc.ServerStreamingServer[pb.MessageListResponse]) error {
	match, err := compileMessageFilter(r.Filter)
	if err != nil {
		return err
	}
	unread := r.GetUnread()
	m.s.mu.Lock()
	var out []*pb.Message
	for _, rec := range m.s.w.candidates(r.GetFilter()) {
		if (unread && rec.read) || !match(rec.m) {
			continue
		}
		out = append(out, clone(rec.m))
	}
	m.s.mu.Unlock()
	sort.Slice(out, func(i, j int) bool { return out[i].SortIndex < out[j].SortIndex })
	// Listed messages count as read once written to the stream, as
	// notified ones do: a listing cut before it is sent leaves them unread.
	return sendAll(out, func(p []*pb.Message) *pb.MessageListResponse { return &pb.MessageListResponse{Messages: p} }, func(r *pb.MessageListResponse) error {
		if err := st.Send(r); err != nil {
			return err
		}
		for _, msg := range r.Messages {
			m.s.markRead(msg.Id)
		}
		return nil
	})
}

func (m messageSvc) MessageGet(_ context.Context, r *pb.MessageGetRequest) (*pb.MessageGetResponse, error) {
	m.s.mu.Lock()
	defer m.s.mu.Unlock()
	rec := m.s.w.message(r.MessageId)
	if rec == nil {
		return nil, notFound("message not found")
	}
	return &pb.MessageGetResponse{Message: clone(rec.m)}, nil
}

func (messageSvc) MessageRefresh(context.Context, *pb.MessageRefreshRequest) (*pb.MessageRefreshResponse, error) {
	return &pb.MessageRefreshResponse{}, nil
}

func (m messageSvc) MessageDelete(_ context.Context, r *pb.MessageDeleteRequest) (*pb.MessageDeleteResponse, error) {
	m.s.mu.Lock()
	defer m.s.mu.Unlock()
	w := &m.s.w
	rec := w.message(r.MessageId)
	if rec == nil {
		return nil, notFound("message not found")
	}
	if r.GetDeleteEverywhere() && rec.m.Id.Type == pb.MessageId_TYPE_INBOUND {
		d := w.discussions[rec.m.DiscussionId]
		g := w.groups[d.GetGroupId()]
		if g == nil || !g.GetOwnPermissions().GetRemoteDeleteAnything() {
			return nil, status.Error(codes.PermissionDenied, "cannot delete another member's message everywhere")
		}
	}
	if rec.m.Id.Type == pb.MessageId_TYPE_INBOUND {
		delete(w.inbound, rec.m.Id.Id)
	} else {
		delete(w.outbound, rec.m.Id.Id)
	}
	m.s.notify("MessageDeleted", &pb.MessageDeletedNotification{Message: rec.m})
	return &pb.MessageDeleteResponse{}, nil
}

// checkSendLocked checks that the bot may post in a discussion, replying
// to reply.
func (s *Sim) checkSendLocked(discussion uint64, reply *pb.MessageId) error {
	w := &s.w
	d, ok := w.discussions[discussion]
	if !ok || w.locked[discussion] {
		return notFound("discussion %d not found", discussion)
	}
	if g := w.groups[d.GetGroupId()]; g != nil && !g.GetOwnPermissions().GetSendMessage() {
		return status.Error(codes.PermissionDenied, "you cannot send messages in this group")
	}
	if reply != nil {
		rec := w.message(reply)
		if rec == nil || rec.m.DiscussionId != discussion {
			return notFound("replied message not found")
		}
	}
	return nil
}

// storeOutboundLocked stores a message of the bot and notifies MessageSent.
func (s *Sim) storeOutboundLocked(discussion uint64, body string, reply *pb.MessageId, loc *pb.MessageLocation, files []string, eph *pb.MessageEphemerality) *pb.Message {
	w := &s.w
	w.nextOut++
	w.sortIndex++
	msg := &pb.Message{Id: &pb.MessageId{Type: pb.MessageId_TYPE_OUTBOUND, Id: w.nextOut}, DiscussionId: discussion, Body: body,
		SortIndex: float64(w.sortIndex), Timestamp: w.stamp(), RepliedMessageId: reply, MessageLocation: loc, AttachmentsCount: uint64(len(files))}
	rec := &msgRec{m: msg, read: true}
	w.outbound[msg.Id.Id] = rec
	w.byDisc[discussion] = append(w.byDisc[discussion], rec)
	w.sent = append(w.sent, Sent{ID: msg.Id.Id, DiscussionID: discussion, Body: body, ReplyTo: reply, Files: files, Ephemeral: eph != nil})
	s.notify("MessageSent", &pb.MessageSentNotification{Message: msg})
	return msg
}

func (m messageSvc) checkBody(body string, blankOK bool) error {
	if !blankOK && strings.TrimSpace(body) == "" {
		return invalid("body is blank")
	}
	if len(body) > m.s.opts.maxBody {
		return invalid("body is %d bytes long, more than %d", len(body), m.s.opts.maxBody)
	}
	return nil
}

func (m messageSvc) MessageSend(_ context.Context, r *pb.MessageSendRequest) (*pb.MessageSendResponse, error) {
	if err := m.checkBody(r.Body, false); err != nil {
		return nil, err
	}
	m.s.mu.Lock()
	defer m.s.mu.Unlock()
	if err := m.s.checkSendLocked(r.DiscussionId, r.ReplyId); err != nil {
		return nil, err
	}
	msg := m.s.storeOutboundLocked(r.DiscussionId, r.Body, r.ReplyId, nil, nil, r.Ephemerality)
	return &pb.MessageSendResponse{Message: clone(msg)}, nil
}

func (m messageSvc) MessageSendWithAttachments(st grpc.ClientStreamingServer[pb.MessageSendWithAttachmentsRequest, pb.MessageSendWithAttachmentsResponse]) error {
	first, err := st.Recv()
	if err != nil {
		return err
	}
	meta := first.GetMetadata()
	if meta == nil {
		return invalid("the stream must start with metadata")
	}
	if len(meta.Files) == 0 {
		return invalid("no files announced")
	}
	if err := m.checkBody(meta.GetBody(), true); err != nil {
		return err
	}
	files := make([][]byte, len(meta.Files))
	i := 0
	for {
		req, err := st.Recv()
		if errors.Is(err, io.EOF) {
			break
		}
		if err != nil {
			return err
		}
		if i >= len(files) {
			return invalid("more files than announced")
		}
		switch x := req.Request.(type) {
		case *pb.MessageSendWithAttachmentsRequest_Payload:
			files[i] = append(files[i], x.Payload...)
			if uint64(len(files[i])) > meta.Files[i].FileSize {
				return invalid("file %s is larger than announced", meta.Files[i].Filename)
			}
		case *pb.MessageSendWithAttachmentsRequest_FileDelimiter:
			if uint64(len(files[i])) != meta.Files[i].FileSize {
				return invalid("file %s: %d bytes, announced %d", meta.Files[i].Filename, len(files[i]), meta.Files[i].FileSize)
			}
			i++
		default:
			return invalid("metadata may come only first")
		}
	}
	if i != len(files) {
		return invalid("%d files announced, %d sent", len(files), i)
	}
	m.s.mu.Lock()
	defer m.s.mu.Unlock()
	if err := m.s.checkSendLocked(meta.DiscussionId, meta.ReplyId); err != nil {
		return err
	}
	names := make([]string, len(meta.Files))
	for i, f := range meta.Files {
		names[i] = f.Filename
	}
	msg := m.s.storeOutboundLocked(meta.DiscussionId, meta.GetBody(), meta.ReplyId, nil, names, meta.Ephemerality)
	w := &m.s.w
	resp := &pb.MessageSendWithAttachmentsResponse{Message: clone(msg)}
	for i, f := range meta.Files {
		w.nextAttOut++
		a := &pb.Attachment{Id: &pb.AttachmentId{Type: pb.AttachmentId_TYPE_OUTBOUND, Id: w.nextAttOut}, DiscussionId: msg.DiscussionId,
			MessageId: msg.Id, FileName: f.Filename, MimeType: "application/octet-stream", Size: f.FileSize}
		w.attachments[attKey{a.Id.Type, a.Id.Id}] = &attRec{a: a, data: files[i]}
		resp.Attachments = append(resp.Attachments, clone(a))
		m.s.notify("AttachmentUploaded", &pb.AttachmentUploadedNotification{Attachment: a})
	}
	return st.SendAndClose(resp)
}

func (m messageSvc) MessageSendLocation(_ context.Context, r *pb.MessageSendLocationRequest) (*pb.MessageSendLocationResponse, error) {
	m.s.mu.Lock()
	defer m.s.mu.Unlock()
	if err := m.s.checkSendLocked(r.DiscussionId, nil); err != nil {
		return nil, err
	}
	loc := &pb.MessageLocation{Type: pb.MessageLocation_LOCATION_TYPE_SEND, Timestamp: m.s.w.stamp(), Latitude: r.Latitude, Longitude: r.Longitude,
		Altitude: r.Altitude, Precision: r.Precision, Address: r.Address}
	msg := m.s.storeOutboundLocked(r.DiscussionId, "", nil, loc, nil, r.Ephemerality)
	m.s.notify("MessageLocationSent", &pb.MessageLocationSentNotification{Message: msg})
	return &pb.MessageSendLocationResponse{Message: clone(msg)}, nil
}

func (m messageSvc) MessageReact(_ context.Context, r *pb.MessageReactRequest) (*pb.MessageReactResponse, error) {
	m.s.mu.Lock()
	defer m.s.mu.Unlock()
	rec := m.s.w.message(r.MessageId)
	if rec == nil {
		return nil, notFound("message not found")
	}
	m.s.reactLocked(rec, 0, r.GetReaction())
	return &pb.MessageReactResponse{}, nil
}

func (m messageSvc) MessageUpdateBody(_ context.Context, r *pb.MessageUpdateBodyRequest) (*pb.MessageUpdateBodyResponse, error) {
	if err := m.checkBody(r.UpdatedBody, false); err != nil {
		return nil, err
	}
	m.s.mu.Lock()
	defer m.s.mu.Unlock()
	rec := m.s.w.message(r.MessageId)
	if rec == nil {
		return nil, notFound("message not found")
	}
	if rec.m.Id.Type != pb.MessageId_TYPE_OUTBOUND {
		return nil, invalid("only the sender can edit a message")
	}
	prev := rec.m.Body
	rec.m.Body, rec.m.EditedBody = r.UpdatedBody, true
	m.s.notify("MessageBodyUpdated", &pb.MessageBodyUpdatedNotification{Message: rec.m, PreviousBody: prev})
	return &pb.MessageUpdateBodyResponse{}, nil
}

// --- attachments ---

type attachmentSvc struct {
	pb.UnimplementedAttachmentCommandServiceServer
	s *Sim
}

func (a attachmentSvc) AttachmentList(r *pb.AttachmentListRequest, st grpc.ServerStreamingServer[pb.AttachmentListResponse]) error {
	match, err := compileAttachmentFilter(r.Filter)
	if err != nil {
		return err
	}
	a.s.mu.Lock()
	var out []*pb.Attachment
	for _, rec := range a.s.w.attachments {
		if match(rec.a) {
			out = append(out, clone(rec.a))
		}
	}
	a.s.mu.Unlock()
	sort.Slice(out, func(i, j int) bool {
		if out[i].Id.Type != out[j].Id.Type {
			return out[i].Id.Type < out[j].Id.Type
		}
		return out[i].Id.Id < out[j].Id.Id
	})
	return sendAll(out, func(p []*pb.Attachment) *pb.AttachmentListResponse { return &pb.AttachmentListResponse{Attachments: p} }, st.Send)
}

func (a attachmentSvc) get(id *pb.AttachmentId) (*attRec, error) {
	a.s.mu.Lock()
	defer a.s.mu.Unlock()
	rec, ok := a.s.w.attachments[attKey{id.GetType(), id.GetId()}]
	if !ok {
		return nil, notFound("attachment not found")
	}
	return rec, nil
}

func (a attachmentSvc) AttachmentGet(_ context.Context, r *pb.AttachmentGetRequest) (*pb.AttachmentGetResponse, error) {
	rec, err := a.get(r.AttachmentId)
	if err != nil {
		return nil, err
	}
	return &pb.AttachmentGetResponse{Attachment: clone(rec.a)}, nil
}

func (a attachmentSvc) AttachmentDelete(_ context.Context, r *pb.AttachmentDeleteRequest) (*pb.AttachmentDeleteResponse, error) {
	a.s.mu.Lock()
	defer a.s.mu.Unlock()
	k := attKey{r.AttachmentId.GetType(), r.AttachmentId.GetId()}
	if _, ok := a.s.w.attachments[k]; !ok {
		return nil, notFound("attachment not found")
	}
	delete(a.s.w.attachments, k)
	return &pb.AttachmentDeleteResponse{}, nil
}

func (a attachmentSvc) AttachmentDownload(r *pb.AttachmentDownloadRequest, st grpc.ServerStreamingServer[pb.AttachmentDownloadResponse]) error {
	rec, err := a.get(r.AttachmentId)
	if err != nil {
		return err
	}
	data := rec.data
	const chunk = 64 << 10
	for len(data) > 0 {
		n := min(len(data), chunk)
		if err := st.Send(&pb.AttachmentDownloadResponse{Chunk: data[:n]}); err != nil {
			return err
		}
		data = data[n:]
	}
	return nil
}

// --- settings ---

type settingsSvc struct {
	pb.UnimplementedSettingsCommandServiceServer
	s *Sim
}

func (t settingsSvc) SettingsIdentityGet(context.Context, *pb.SettingsIdentityGetRequest) (*pb.SettingsIdentityGetResponse, error) {
	t.s.mu.Lock()
	defer t.s.mu.Unlock()
	return &pb.SettingsIdentityGetResponse{IdentitySettings: clone(t.s.w.settings)}, nil
}

func (t settingsSvc) SettingsIdentitySet(_ context.Context, r *pb.SettingsIdentitySetRequest) (*pb.SettingsIdentitySetResponse, error) {
	if r.IdentitySettings == nil {
		return nil, invalid("identity_settings is required")
	}
	t.s.mu.Lock()
	defer t.s.mu.Unlock()
	// The whole settings are replaced: unset parts become defaults.
	t.s.w.settings = clone(r.IdentitySettings)
	t.s.autoAcceptLocked()
	return &pb.SettingsIdentitySetResponse{IdentitySettings: clone(t.s.w.settings)}, nil
}

// autoAcceptLocked accepts the waiting invitations the settings say the
// daemon accepts by itself.
func (s *Sim) autoAcceptLocked() {
	a := s.w.settings.GetInvitation()
	var ids []uint64
	for id, rec := range s.w.invitations {
		switch rec.inv.Status {
		case pb.Invitation_STATUS_INVITATION_WAIT_YOU_TO_ACCEPT:
			if a.GetAutoAcceptInvitation() {
				ids = append(ids, id)
			}
		case pb.Invitation_STATUS_INTRODUCTION_WAIT_YOU_TO_ACCEPT:
			if a.GetAutoAcceptIntroduction() {
				ids = append(ids, id)
			}
		case pb.Invitation_STATUS_ONE_TO_ONE_INVITATION_WAIT_YOU_TO_ACCEPT:
			if a.GetAutoAcceptOneToOne() {
				ids = append(ids, id)
			}
		case pb.Invitation_STATUS_GROUP_INVITATION_WAIT_YOU_TO_ACCEPT:
			if a.GetAutoAcceptGroup() {
				ids = append(ids, id)
			}
		}
	}
	slices.Sort(ids)
	for _, id := range ids {
		s.acceptLocked(s.w.invitations[id])
	}
}

func (t settingsSvc) SettingsDiscussionGet(_ context.Context, r *pb.SettingsDiscussionGetRequest) (*pb.SettingsDiscussionGetResponse, error) {
	t.s.mu.Lock()
	defer t.s.mu.Unlock()
	ds, ok := t.s.w.dsettings[r.DiscussionId]
	if !ok {
		return nil, notFound("discussion %d not found", r.DiscussionId)
	}
	return &pb.SettingsDiscussionGetResponse{DiscussionSettings: clone(ds)}, nil
}

func (t settingsSvc) SettingsDiscussionSet(_ context.Context, r *pb.SettingsDiscussionSetRequest) (*pb.SettingsDiscussionSetResponse, error) {
	t.s.mu.Lock()
	defer t.s.mu.Unlock()
	ns := r.GetDiscussionSettings()
	prev, ok := t.s.w.dsettings[ns.GetDiscussionId()]
	if !ok {
		return nil, notFound("discussion %d not found", ns.GetDiscussionId())
	}
	ns = clone(ns)
	t.s.w.dsettings[ns.DiscussionId] = ns
	t.s.notify("DiscussionSettingsUpdated", &pb.DiscussionSettingsUpdatedNotification{Discussion: t.s.w.discussions[ns.DiscussionId], NewSettings: ns, PreviousSettings: prev})
	return &pb.SettingsDiscussionSetResponse{DiscussionSettings: clone(ns)}, nil
}
