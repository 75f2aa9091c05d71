package olvidsim

import (
	"google.golang.org/grpc"
	"google.golang.org/grpc/codes"
	"google.golang.org/grpc/metadata"
	"google.golang.org/grpc/status"
	"google.golang.org/protobuf/proto"

	pb "github.com/parleybot/parley/platform/olvid/olvidpb"
)

// serve runs one notification stream: it registers the subscriber, sends
// the response headers (so a client knows it is subscribed), then sends
// what the world publishes until the count is reached (OK), the client
// goes, or the stream is cut (UNAVAILABLE).
func serve[N any, PN interface {
	*N
	proto.Message
}](s *Sim, name string, count uint64, match func(PN) bool, st grpc.ServerStreamingServer[N]) error {
	sub := &subscriber{wake: make(chan struct{}, 1), done: make(chan struct{})}
	if match != nil {
		sub.match = func(m proto.Message) bool { return match(m.(PN)) }
	}
	cut := s.cutChan()
	s.w.hub.add(name, sub)
	defer s.w.hub.remove(name, sub)
	s.streams.Add(1)
	s.streamsTotal.Add(1)
	defer s.streams.Add(-1)
	if err := st.SendHeader(metadata.MD{}); err != nil {
		return err
	}
	var sent uint64
	for {
		for m := sub.next(); m != nil; m = sub.next() {
			if err := st.Send((*N)(m.(PN))); err != nil {
				return err
			}
			// A message counts as read once written to a live stream,
			// as the daemon counts it once sent to a client: one left
			// queued when the client went away stays unread.
			if r, ok := m.(*pb.MessageReceivedNotification); ok {
				s.markRead(r.GetMessage().GetId())
			}
			s.sent()
			sent++
			if count > 0 && sent >= count {
				return nil
			}
		}
		select {
		case <-sub.wake:
		case <-st.Context().Done():
			return status.FromContextError(st.Context().Err()).Err()
		case <-cut:
			return status.Error(codes.Unavailable, "stream cut")
		case <-sub.done:
			return status.Error(codes.Unavailable, "daemon shutting down")
		}
	}
}

// checkMessageIDs checks the message_ids of a subscription: each must
// exist (NOT_FOUND), and be outbound when outboundOnly (INVALID_ARGUMENT).
// It returns a membership test, nil for an empty list.
func (s *Sim) checkMessageIDs(ids []*pb.MessageId, outboundOnly bool) (func(*pb.MessageId) bool, error) {
	if len(ids) == 0 {
		return nil, nil
	}
	s.mu.Lock()
	defer s.mu.Unlock()
	set := map[attKey]bool{}
	for _, id := range ids {
		if outboundOnly && id.GetType() != pb.MessageId_TYPE_OUTBOUND {
			return nil, invalid("message %d is not outbound", id.GetId())
		}
		if s.w.message(id) == nil {
			return nil, notFound("message %v not found", id)
		}
		set[attKey{pb.AttachmentId_Type(id.GetType()), id.GetId()}] = true
	}
	return func(id *pb.MessageId) bool { return set[attKey{pb.AttachmentId_Type(id.GetType()), id.GetId()}] }, nil
}

// checkIDs checks a list of discussion, contact, group or invitation ids
// against the world.
func (s *Sim) checkIDs(what string, ids []uint64, exists func(uint64) bool) (func(uint64) bool, error) {
	if len(ids) == 0 {
		return nil, nil
	}
	s.mu.Lock()
	defer s.mu.Unlock()
	set := map[uint64]bool{}
	for _, id := range ids {
		if !exists(id) {
			return nil, notFound("%s %d not found", what, id)
		}
		set[id] = true
	}
	return func(id uint64) bool { return set[id] }, nil
}

func (s *Sim) discussionExists(id uint64) bool { _, ok := s.w.discussions[id]; return ok }
func (s *Sim) contactExists(id uint64) bool    { _, ok := s.w.contacts[id]; return ok }
func (s *Sim) groupExists(id uint64) bool      { _, ok := s.w.groups[id]; return ok }
func (s *Sim) invitationExists(id uint64) bool { _, ok := s.w.invitations[id]; return ok }

func all(fs ...func() bool) bool {
	for _, f := range fs {
		if !f() {
			return false
		}
	}
	return true
}

type messageNotify struct {
	pb.UnimplementedMessageNotificationServiceServer
	s *Sim
}

func (x messageNotify) MessageReceived(r *pb.SubscribeToMessageReceivedNotification, st grpc.ServerStreamingServer[pb.MessageReceivedNotification]) error {
	match, err := compileMessageFilter(r.Filter)
	if err != nil {
		return err
	}
	return serve(x.s, "MessageReceived", r.GetCount(), func(m *pb.MessageReceivedNotification) bool {
		return all(func() bool { return match(m.GetMessage()) })
	}, st)
}

func (x messageNotify) MessageSent(r *pb.SubscribeToMessageSentNotification, st grpc.ServerStreamingServer[pb.MessageSentNotification]) error {
	match, err := compileMessageFilter(r.Filter)
	if err != nil {
		return err
	}
	return serve(x.s, "MessageSent", r.GetCount(), func(m *pb.MessageSentNotification) bool {
		return all(func() bool { return match(m.GetMessage()) })
	}, st)
}

func (x messageNotify) MessageDeleted(r *pb.SubscribeToMessageDeletedNotification, st grpc.ServerStreamingServer[pb.MessageDeletedNotification]) error {
	match, err := compileMessageFilter(r.Filter)
	if err != nil {
		return err
	}
	ids, err := x.s.checkMessageIDs(r.MessageIds, false)
	if err != nil {
		return err
	}
	return serve(x.s, "MessageDeleted", r.GetCount(), func(m *pb.MessageDeletedNotification) bool {
		return all(func() bool { return match(m.GetMessage()) },
			func() bool { return ids == nil || ids(m.GetMessage().GetId()) })
	}, st)
}

func (x messageNotify) MessageBodyUpdated(r *pb.SubscribeToMessageBodyUpdatedNotification, st grpc.ServerStreamingServer[pb.MessageBodyUpdatedNotification]) error {
	match, err := compileMessageFilter(r.Filter)
	if err != nil {
		return err
	}
	ids, err := x.s.checkMessageIDs(r.MessageIds, false)
	if err != nil {
		return err
	}
	return serve(x.s, "MessageBodyUpdated", r.GetCount(), func(m *pb.MessageBodyUpdatedNotification) bool {
		return all(func() bool { return match(m.GetMessage()) },
			func() bool { return ids == nil || ids(m.GetMessage().GetId()) })
	}, st)
}

func (x messageNotify) MessageUploaded(r *pb.SubscribeToMessageUploadedNotification, st grpc.ServerStreamingServer[pb.MessageUploadedNotification]) error {
	match, err := compileMessageFilter(r.Filter)
	if err != nil {
		return err
	}
	ids, err := x.s.checkMessageIDs(r.MessageIds, true)
	if err != nil {
		return err
	}
	return serve(x.s, "MessageUploaded", r.GetCount(), func(m *pb.MessageUploadedNotification) bool {
		return all(func() bool { return match(m.GetMessage()) },
			func() bool { return ids == nil || ids(m.GetMessage().GetId()) })
	}, st)
}

func (x messageNotify) MessageDelivered(r *pb.SubscribeToMessageDeliveredNotification, st grpc.ServerStreamingServer[pb.MessageDeliveredNotification]) error {
	match, err := compileMessageFilter(r.Filter)
	if err != nil {
		return err
	}
	ids, err := x.s.checkMessageIDs(r.MessageIds, true)
	if err != nil {
		return err
	}
	return serve(x.s, "MessageDelivered", r.GetCount(), func(m *pb.MessageDeliveredNotification) bool {
		return all(func() bool { return match(m.GetMessage()) },
			func() bool { return ids == nil || ids(m.GetMessage().GetId()) })
	}, st)
}

func (x messageNotify) MessageRead(r *pb.SubscribeToMessageReadNotification, st grpc.ServerStreamingServer[pb.MessageReadNotification]) error {
	match, err := compileMessageFilter(r.Filter)
	if err != nil {
		return err
	}
	ids, err := x.s.checkMessageIDs(r.MessageIds, true)
	if err != nil {
		return err
	}
	return serve(x.s, "MessageRead", r.GetCount(), func(m *pb.MessageReadNotification) bool {
		return all(func() bool { return match(m.GetMessage()) },
			func() bool { return ids == nil || ids(m.GetMessage().GetId()) })
	}, st)
}

func (x messageNotify) MessageLocationReceived(r *pb.SubscribeToMessageLocationReceivedNotification, st grpc.ServerStreamingServer[pb.MessageLocationReceivedNotification]) error {
	match, err := compileMessageFilter(r.Filter)
	if err != nil {
		return err
	}
	return serve(x.s, "MessageLocationReceived", r.GetCount(), func(m *pb.MessageLocationReceivedNotification) bool {
		return all(func() bool { return match(m.GetMessage()) })
	}, st)
}

func (x messageNotify) MessageLocationSent(r *pb.SubscribeToMessageLocationSentNotification, st grpc.ServerStreamingServer[pb.MessageLocationSentNotification]) error {
	match, err := compileMessageFilter(r.Filter)
	if err != nil {
		return err
	}
	return serve(x.s, "MessageLocationSent", r.GetCount(), func(m *pb.MessageLocationSentNotification) bool {
		return all(func() bool { return match(m.GetMessage()) })
	}, st)
}

func (x messageNotify) MessageLocationSharingStart(r *pb.SubscribeToMessageLocationSharingStartNotification, st grpc.ServerStreamingServer[pb.MessageLocationSharingStartNotification]) error {
	match, err := compileMessageFilter(r.Filter)
	if err != nil {
		return err
	}
	return serve(x.s, "MessageLocationSharingStart", r.GetCount(), func(m *pb.MessageLocationSharingStartNotification) bool {
		return all(func() bool { return match(m.GetMessage()) })
	}, st)
}

func (x messageNotify) MessageLocationSharingUpdate(r *pb.SubscribeToMessageLocationSharingUpdateNotification, st grpc.ServerStreamingServer[pb.MessageLocationSharingUpdateNotification]) error {
	match, err := compileMessageFilter(r.Filter)
	if err != nil {
		return err
	}
	ids, err := x.s.checkMessageIDs(r.MessageIds, false)
	if err != nil {
		return err
	}
	return serve(x.s, "MessageLocationSharingUpdate", r.GetCount(), func(m *pb.MessageLocationSharingUpdateNotification) bool {
		return all(func() bool { return match(m.GetMessage()) },
			func() bool { return ids == nil || ids(m.GetMessage().GetId()) })
	}, st)
}

func (x messageNotify) MessageLocationSharingEnd(r *pb.SubscribeToMessageLocationSharingEndNotification, st grpc.ServerStreamingServer[pb.MessageLocationSharingEndNotification]) error {
	match, err := compileMessageFilter(r.Filter)
	if err != nil {
		return err
	}
	ids, err := x.s.checkMessageIDs(r.MessageIds, false)
	if err != nil {
		return err
	}
	return serve(x.s, "MessageLocationSharingEnd", r.GetCount(), func(m *pb.MessageLocationSharingEndNotification) bool {
		return all(func() bool { return match(m.GetMessage()) },
			func() bool { return ids == nil || ids(m.GetMessage().GetId()) })
	}, st)
}

func (x messageNotify) MessageReactionAdded(r *pb.SubscribeToMessageReactionAddedNotification, st grpc.ServerStreamingServer[pb.MessageReactionAddedNotification]) error {
	match, err := compileMessageFilter(r.Filter)
	if err != nil {
		return err
	}
	ids, err := x.s.checkMessageIDs(r.MessageIds, false)
	if err != nil {
		return err
	}
	rf0, err := compileReactionFilter(r.ReactionFilter)
	if err != nil {
		return err
	}
	return serve(x.s, "MessageReactionAdded", r.GetCount(), func(m *pb.MessageReactionAddedNotification) bool {
		return all(func() bool { return match(m.GetMessage()) },
			func() bool { return ids == nil || ids(m.GetMessage().GetId()) },
			func() bool { return r.ReactionFilter == nil || rf0(m.GetReaction()) })
	}, st)
}

func (x messageNotify) MessageReactionUpdated(r *pb.SubscribeToMessageReactionUpdatedNotification, st grpc.ServerStreamingServer[pb.MessageReactionUpdatedNotification]) error {
	match, err := compileMessageFilter(r.MessageFilter)
	if err != nil {
		return err
	}
	ids, err := x.s.checkMessageIDs(r.MessageIds, false)
	if err != nil {
		return err
	}
	rf0, err := compileReactionFilter(r.ReactionFilter)
	if err != nil {
		return err
	}
	rf1, err := compileReactionFilter(r.PreviousReactionFilter)
	if err != nil {
		return err
	}
	return serve(x.s, "MessageReactionUpdated", r.GetCount(), func(m *pb.MessageReactionUpdatedNotification) bool {
		return all(func() bool { return match(m.GetMessage()) },
			func() bool { return ids == nil || ids(m.GetMessage().GetId()) },
			func() bool { return r.ReactionFilter == nil || rf0(m.GetReaction()) },
			func() bool { return r.PreviousReactionFilter == nil || rf1(m.GetPreviousReaction()) })
	}, st)
}

func (x messageNotify) MessageReactionRemoved(r *pb.SubscribeToMessageReactionRemovedNotification, st grpc.ServerStreamingServer[pb.MessageReactionRemovedNotification]) error {
	match, err := compileMessageFilter(r.Filter)
	if err != nil {
		return err
	}
	ids, err := x.s.checkMessageIDs(r.MessageIds, false)
	if err != nil {
		return err
	}
	rf0, err := compileReactionFilter(r.ReactionFilter)
	if err != nil {
		return err
	}
	return serve(x.s, "MessageReactionRemoved", r.GetCount(), func(m *pb.MessageReactionRemovedNotification) bool {
		return all(func() bool { return match(m.GetMessage()) },
			func() bool { return ids == nil || ids(m.GetMessage().GetId()) },
			func() bool { return r.ReactionFilter == nil || rf0(m.GetReaction()) })
	}, st)
}

type attachmentNotify struct {
	pb.UnimplementedAttachmentNotificationServiceServer
	s *Sim
}

func (x attachmentNotify) AttachmentReceived(r *pb.SubscribeToAttachmentReceivedNotification, st grpc.ServerStreamingServer[pb.AttachmentReceivedNotification]) error {
	match, err := compileAttachmentFilter(r.Filter)
	if err != nil {
		return err
	}
	return serve(x.s, "AttachmentReceived", r.GetCount(), func(m *pb.AttachmentReceivedNotification) bool { return match(m.GetAttachment()) }, st)
}

func (x attachmentNotify) AttachmentUploaded(r *pb.SubscribeToAttachmentUploadedNotification, st grpc.ServerStreamingServer[pb.AttachmentUploadedNotification]) error {
	match, err := compileAttachmentFilter(r.Filter)
	if err != nil {
		return err
	}
	ids, err := x.s.checkMessageIDs(r.MessageIds, true)
	if err != nil {
		return err
	}
	atts := map[attKey]bool{}
	for _, a := range r.AttachmentIds {
		if a.GetType() != pb.AttachmentId_TYPE_OUTBOUND {
			return invalid("attachment %d is not outbound", a.GetId())
		}
		atts[attKey{a.GetType(), a.GetId()}] = true
	}
	return serve(x.s, "AttachmentUploaded", r.GetCount(), func(m *pb.AttachmentUploadedNotification) bool {
		a := m.GetAttachment()
		return match(a) && (ids == nil || ids(a.GetMessageId())) && (len(atts) == 0 || atts[attKey{a.GetId().GetType(), a.GetId().GetId()}])
	}, st)
}

type discussionNotify struct {
	pb.UnimplementedDiscussionNotificationServiceServer
	s *Sim
}

func (x discussionNotify) DiscussionNew(r *pb.SubscribeToDiscussionNewNotification, st grpc.ServerStreamingServer[pb.DiscussionNewNotification]) error {
	match, err := compileDiscussionFilter(r.Filter)
	if err != nil {
		return err
	}
	return serve(x.s, "DiscussionNew", r.GetCount(), func(m *pb.DiscussionNewNotification) bool { return match(m.GetDiscussion()) }, st)
}

func (x discussionNotify) DiscussionLocked(r *pb.SubscribeToDiscussionLockedNotification, st grpc.ServerStreamingServer[pb.DiscussionLockedNotification]) error {
	match, err := compileDiscussionFilter(r.Filter)
	if err != nil {
		return err
	}
	ids, err := x.s.checkIDs("discussion", r.DiscussionIds, x.s.discussionExists)
	if err != nil {
		return err
	}
	return serve(x.s, "DiscussionLocked", r.GetCount(), func(m *pb.DiscussionLockedNotification) bool {
		return match(m.GetDiscussion()) && (ids == nil || ids(m.GetDiscussion().GetId()))
	}, st)
}

func (x discussionNotify) DiscussionTitleUpdated(r *pb.SubscribeToDiscussionTitleUpdatedNotification, st grpc.ServerStreamingServer[pb.DiscussionTitleUpdatedNotification]) error {
	match, err := compileDiscussionFilter(r.Filter)
	if err != nil {
		return err
	}
	ids, err := x.s.checkIDs("discussion", r.DiscussionIds, x.s.discussionExists)
	if err != nil {
		return err
	}
	return serve(x.s, "DiscussionTitleUpdated", r.GetCount(), func(m *pb.DiscussionTitleUpdatedNotification) bool {
		return match(m.GetDiscussion()) && (ids == nil || ids(m.GetDiscussion().GetId()))
	}, st)
}

func (x discussionNotify) DiscussionSettingsUpdated(r *pb.SubscribeToDiscussionSettingsUpdatedNotification, st grpc.ServerStreamingServer[pb.DiscussionSettingsUpdatedNotification]) error {
	match, err := compileDiscussionFilter(r.Filter)
	if err != nil {
		return err
	}
	ids, err := x.s.checkIDs("discussion", r.DiscussionIds, x.s.discussionExists)
	if err != nil {
		return err
	}
	return serve(x.s, "DiscussionSettingsUpdated", r.GetCount(), func(m *pb.DiscussionSettingsUpdatedNotification) bool {
		return match(m.GetDiscussion()) && (ids == nil || ids(m.GetDiscussion().GetId()))
	}, st)
}

type contactNotify struct {
	pb.UnimplementedContactNotificationServiceServer
	s *Sim
}

func (x contactNotify) ContactNew(r *pb.SubscribeToContactNewNotification, st grpc.ServerStreamingServer[pb.ContactNewNotification]) error {
	match, err := compileContactFilter(r.Filter)
	if err != nil {
		return err
	}
	return serve(x.s, "ContactNew", r.GetCount(), func(m *pb.ContactNewNotification) bool { return match(m.GetContact()) }, st)
}

func (x contactNotify) ContactDeleted(r *pb.SubscribeToContactDeletedNotification, st grpc.ServerStreamingServer[pb.ContactDeletedNotification]) error {
	match, err := compileContactFilter(r.Filter)
	if err != nil {
		return err
	}
	ids, err := x.s.checkIDs("contact", r.ContactIds, x.s.contactExists)
	if err != nil {
		return err
	}
	return serve(x.s, "ContactDeleted", r.GetCount(), func(m *pb.ContactDeletedNotification) bool {
		return match(m.GetContact()) && (ids == nil || ids(m.GetContact().GetId()))
	}, st)
}

func (x contactNotify) ContactDetailsUpdated(r *pb.SubscribeToContactDetailsUpdatedNotification, st grpc.ServerStreamingServer[pb.ContactDetailsUpdatedNotification]) error {
	match, err := compileContactFilter(r.Filter)
	if err != nil {
		return err
	}
	ids, err := x.s.checkIDs("contact", r.ContactIds, x.s.contactExists)
	if err != nil {
		return err
	}
	return serve(x.s, "ContactDetailsUpdated", r.GetCount(), func(m *pb.ContactDetailsUpdatedNotification) bool {
		return match(m.GetContact()) && (ids == nil || ids(m.GetContact().GetId()))
	}, st)
}

func (x contactNotify) ContactPhotoUpdated(r *pb.SubscribeToContactPhotoUpdatedNotification, st grpc.ServerStreamingServer[pb.ContactPhotoUpdatedNotification]) error {
	match, err := compileContactFilter(r.Filter)
	if err != nil {
		return err
	}
	ids, err := x.s.checkIDs("contact", r.ContactIds, x.s.contactExists)
	if err != nil {
		return err
	}
	return serve(x.s, "ContactPhotoUpdated", r.GetCount(), func(m *pb.ContactPhotoUpdatedNotification) bool {
		return match(m.GetContact()) && (ids == nil || ids(m.GetContact().GetId()))
	}, st)
}

type invitationNotify struct {
	pb.UnimplementedInvitationNotificationServiceServer
	s *Sim
}

func (x invitationNotify) InvitationReceived(r *pb.SubscribeToInvitationReceivedNotification, st grpc.ServerStreamingServer[pb.InvitationReceivedNotification]) error {
	match, err := compileInvitationFilter(r.Filter)
	if err != nil {
		return err
	}
	return serve(x.s, "InvitationReceived", r.GetCount(), func(m *pb.InvitationReceivedNotification) bool { return match(m.GetInvitation()) }, st)
}

func (x invitationNotify) InvitationSent(r *pb.SubscribeToInvitationSentNotification, st grpc.ServerStreamingServer[pb.InvitationSentNotification]) error {
	match, err := compileInvitationFilter(r.Filter)
	if err != nil {
		return err
	}
	return serve(x.s, "InvitationSent", r.GetCount(), func(m *pb.InvitationSentNotification) bool { return match(m.GetInvitation()) }, st)
}

func (x invitationNotify) InvitationDeleted(r *pb.SubscribeToInvitationDeletedNotification, st grpc.ServerStreamingServer[pb.InvitationDeletedNotification]) error {
	match, err := compileInvitationFilter(r.Filter)
	if err != nil {
		return err
	}
	ids, err := x.s.checkIDs("invitation", r.InvitationIds, x.s.invitationExists)
	if err != nil {
		return err
	}
	return serve(x.s, "InvitationDeleted", r.GetCount(), func(m *pb.InvitationDeletedNotification) bool {
		return match(m.GetInvitation()) && (ids == nil || ids(m.GetInvitation().GetId()))
	}, st)
}

func (x invitationNotify) InvitationUpdated(r *pb.SubscribeToInvitationUpdatedNotification, st grpc.ServerStreamingServer[pb.InvitationUpdatedNotification]) error {
	match, err := compileInvitationFilter(r.Filter)
	if err != nil {
		return err
	}
	ids, err := x.s.checkIDs("invitation", r.InvitationIds, x.s.invitationExists)
	if err != nil {
		return err
	}
	return serve(x.s, "InvitationUpdated", r.GetCount(), func(m *pb.InvitationUpdatedNotification) bool {
		return match(m.GetInvitation()) && (ids == nil || ids(m.GetInvitation().GetId()))
	}, st)
}

type groupNotify struct {
	pb.UnimplementedGroupNotificationServiceServer
	s *Sim
}

func (x groupNotify) GroupNew(r *pb.SubscribeToGroupNewNotification, st grpc.ServerStreamingServer[pb.GroupNewNotification]) error {
	match, err := compileGroupFilter(r.GroupFilter)
	if err != nil {
		return err
	}
	return serve(x.s, "GroupNew", r.GetCount(), func(m *pb.GroupNewNotification) bool { return match(m.GetGroup()) }, st)
}

func (x groupNotify) GroupDeleted(r *pb.SubscribeToGroupDeletedNotification, st grpc.ServerStreamingServer[pb.GroupDeletedNotification]) error {
	match, err := compileGroupFilter(r.GroupFilter)
	if err != nil {
		return err
	}
	ids, err := x.s.checkIDs("group", r.GroupIds, x.s.groupExists)
	if err != nil {
		return err
	}
	return serve(x.s, "GroupDeleted", r.GetCount(), func(m *pb.GroupDeletedNotification) bool {
		return match(m.GetGroup()) && (ids == nil || ids(m.GetGroup().GetId()))
	}, st)
}

func (x groupNotify) GroupNameUpdated(r *pb.SubscribeToGroupNameUpdatedNotification, st grpc.ServerStreamingServer[pb.GroupNameUpdatedNotification]) error {
	match, err := compileGroupFilter(r.GroupFilter)
	if err != nil {
		return err
	}
	ids, err := x.s.checkIDs("group", r.GroupIds, x.s.groupExists)
	if err != nil {
		return err
	}
	prev, err := compile("previous_name_search", r.PreviousNameSearch)
	if err != nil {
		return err
	}
	extra := func(m *pb.GroupNameUpdatedNotification) bool { return prev == nil || prev.MatchString(m.PreviousName) }
	return serve(x.s, "GroupNameUpdated", r.GetCount(), func(m *pb.GroupNameUpdatedNotification) bool {
		return match(m.GetGroup()) && (ids == nil || ids(m.GetGroup().GetId())) && extra(m)
	}, st)
}

func (x groupNotify) GroupPhotoUpdated(r *pb.SubscribeToGroupPhotoUpdatedNotification, st grpc.ServerStreamingServer[pb.GroupPhotoUpdatedNotification]) error {
	match, err := compileGroupFilter(r.GroupFilter)
	if err != nil {
		return err
	}
	ids, err := x.s.checkIDs("group", r.GroupIds, x.s.groupExists)
	if err != nil {
		return err
	}
	return serve(x.s, "GroupPhotoUpdated", r.GetCount(), func(m *pb.GroupPhotoUpdatedNotification) bool {
		return match(m.GetGroup()) && (ids == nil || ids(m.GetGroup().GetId()))
	}, st)
}

func (x groupNotify) GroupDescriptionUpdated(r *pb.SubscribeToGroupDescriptionUpdatedNotification, st grpc.ServerStreamingServer[pb.GroupDescriptionUpdatedNotification]) error {
	match, err := compileGroupFilter(r.GroupFilter)
	if err != nil {
		return err
	}
	ids, err := x.s.checkIDs("group", r.GroupIds, x.s.groupExists)
	if err != nil {
		return err
	}
	prev, err := compile("previous_description_search", r.PreviousDescriptionSearch)
	if err != nil {
		return err
	}
	extra := func(m *pb.GroupDescriptionUpdatedNotification) bool {
		return prev == nil || prev.MatchString(m.PreviousDescription)
	}
	return serve(x.s, "GroupDescriptionUpdated", r.GetCount(), func(m *pb.GroupDescriptionUpdatedNotification) bool {
		return match(m.GetGroup()) && (ids == nil || ids(m.GetGroup().GetId())) && extra(m)
	}, st)
}

func (x groupNotify) GroupPendingMemberAdded(r *pb.SubscribeToGroupPendingMemberAddedNotification, st grpc.ServerStreamingServer[pb.GroupPendingMemberAddedNotification]) error {
	match, err := compileGroupFilter(r.GroupFilter)
	if err != nil {
		return err
	}
	ids, err := x.s.checkIDs("group", r.GroupIds, x.s.groupExists)
	if err != nil {
		return err
	}
	return serve(x.s, "GroupPendingMemberAdded", r.GetCount(), func(m *pb.GroupPendingMemberAddedNotification) bool {
		return match(m.GetGroup()) && (ids == nil || ids(m.GetGroup().GetId()))
	}, st)
}

func (x groupNotify) GroupPendingMemberRemoved(r *pb.SubscribeToGroupPendingMemberRemovedNotification, st grpc.ServerStreamingServer[pb.GroupPendingMemberRemovedNotification]) error {
	match, err := compileGroupFilter(r.GroupFilter)
	if err != nil {
		return err
	}
	ids, err := x.s.checkIDs("group", r.GroupIds, x.s.groupExists)
	if err != nil {
		return err
	}
	return serve(x.s, "GroupPendingMemberRemoved", r.GetCount(), func(m *pb.GroupPendingMemberRemovedNotification) bool {
		return match(m.GetGroup()) && (ids == nil || ids(m.GetGroup().GetId()))
	}, st)
}

func (x groupNotify) GroupMemberJoined(r *pb.SubscribeToGroupMemberJoinedNotification, st grpc.ServerStreamingServer[pb.GroupMemberJoinedNotification]) error {
	match, err := compileGroupFilter(r.GroupFilter)
	if err != nil {
		return err
	}
	ids, err := x.s.checkIDs("group", r.GroupIds, x.s.groupExists)
	if err != nil {
		return err
	}
	extra := func(m *pb.GroupMemberJoinedNotification) bool {
		return r.MemberFilter == nil || matchMember(r.MemberFilter, m.Member)
	}
	return serve(x.s, "GroupMemberJoined", r.GetCount(), func(m *pb.GroupMemberJoinedNotification) bool {
		return match(m.GetGroup()) && (ids == nil || ids(m.GetGroup().GetId())) && extra(m)
	}, st)
}

func (x groupNotify) GroupMemberLeft(r *pb.SubscribeToGroupMemberLeftNotification, st grpc.ServerStreamingServer[pb.GroupMemberLeftNotification]) error {
	match, err := compileGroupFilter(r.GroupFilter)
	if err != nil {
		return err
	}
	ids, err := x.s.checkIDs("group", r.GroupIds, x.s.groupExists)
	if err != nil {
		return err
	}
	extra := func(m *pb.GroupMemberLeftNotification) bool {
		return r.MemberFilter == nil || matchMember(r.MemberFilter, m.Member)
	}
	return serve(x.s, "GroupMemberLeft", r.GetCount(), func(m *pb.GroupMemberLeftNotification) bool {
		return match(m.GetGroup()) && (ids == nil || ids(m.GetGroup().GetId())) && extra(m)
	}, st)
}

func (x groupNotify) GroupOwnPermissionsUpdated(r *pb.SubscribeToGroupOwnPermissionsUpdatedNotification, st grpc.ServerStreamingServer[pb.GroupOwnPermissionsUpdatedNotification]) error {
	match, err := compileGroupFilter(r.GroupFilter)
	if err != nil {
		return err
	}
	ids, err := x.s.checkIDs("group", r.GroupIds, x.s.groupExists)
	if err != nil {
		return err
	}
	extra := func(m *pb.GroupOwnPermissionsUpdatedNotification) bool {
		return matchPermissions(r.PermissionsFilter, m.Permissions) && matchPermissions(r.PreviousPermissionsFilter, m.PreviousPermissions)
	}
	return serve(x.s, "GroupOwnPermissionsUpdated", r.GetCount(), func(m *pb.GroupOwnPermissionsUpdatedNotification) bool {
		return match(m.GetGroup()) && (ids == nil || ids(m.GetGroup().GetId())) && extra(m)
	}, st)
}

func (x groupNotify) GroupMemberPermissionsUpdated(r *pb.SubscribeToGroupMemberPermissionsUpdatedNotification, st grpc.ServerStreamingServer[pb.GroupMemberPermissionsUpdatedNotification]) error {
	match, err := compileGroupFilter(r.GroupFilter)
	if err != nil {
		return err
	}
	ids, err := x.s.checkIDs("group", r.GroupIds, x.s.groupExists)
	if err != nil {
		return err
	}
	extra := func(m *pb.GroupMemberPermissionsUpdatedNotification) bool {
		return matchMember(r.MemberFilter, m.Member) && (r.PreviousPermissionFilter == nil || matchPermissions(r.PreviousPermissionFilter.Permissions, m.PreviousPermissions))
	}
	return serve(x.s, "GroupMemberPermissionsUpdated", r.GetCount(), func(m *pb.GroupMemberPermissionsUpdatedNotification) bool {
		return match(m.GetGroup()) && (ids == nil || ids(m.GetGroup().GetId())) && extra(m)
	}, st)
}

type callNotify struct {
	pb.UnimplementedCallNotificationServiceServer
	s *Sim
}

func (x callNotify) CallIncomingCall(r *pb.SubscribeToCallIncomingCallNotification, st grpc.ServerStreamingServer[pb.CallIncomingCallNotification]) error {
	return serve[pb.CallIncomingCallNotification](x.s, "CallIncomingCall", r.GetCount(), nil, st)
}

func (x callNotify) CallRinging(r *pb.SubscribeToCallRingingNotification, st grpc.ServerStreamingServer[pb.CallRingingNotification]) error {
	return serve[pb.CallRingingNotification](x.s, "CallRinging", r.GetCount(), nil, st)
}

func (x callNotify) CallAccepted(r *pb.SubscribeToCallAcceptedNotification, st grpc.ServerStreamingServer[pb.CallAcceptedNotification]) error {
	return serve[pb.CallAcceptedNotification](x.s, "CallAccepted", r.GetCount(), nil, st)
}

func (x callNotify) CallDeclined(r *pb.SubscribeToCallDeclinedNotification, st grpc.ServerStreamingServer[pb.CallDeclinedNotification]) error {
	return serve[pb.CallDeclinedNotification](x.s, "CallDeclined", r.GetCount(), nil, st)
}

func (x callNotify) CallBusy(r *pb.SubscribeToCallBusyNotification, st grpc.ServerStreamingServer[pb.CallBusyNotification]) error {
	return serve[pb.CallBusyNotification](x.s, "CallBusy", r.GetCount(), nil, st)
}

func (x callNotify) CallEnded(r *pb.SubscribeToCallEndedNotification, st grpc.ServerStreamingServer[pb.CallEndedNotification]) error {
	return serve[pb.CallEndedNotification](x.s, "CallEnded", r.GetCount(), nil, st)
}
