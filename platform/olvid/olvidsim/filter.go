package olvidsim

import (
	"regexp"

	"google.golang.org/grpc/codes"
	"google.golang.org/grpc/status"

	pb "github.com/parleybot/parley/platform/olvid/olvidpb"
)

// The filters of listings and subscriptions. Every field set must match;
// *_search fields are regular expressions, as on the daemon.

func compile(field string, expr *string) (*regexp.Regexp, error) {
	if expr == nil {
		return nil, nil
	}
	re, err := regexp.Compile(*expr)
	if err != nil {
		return nil, status.Errorf(codes.InvalidArgument, "%s: invalid regular expression: %v", field, err)
	}
	return re, nil
}

func compileMessageFilter(f *pb.MessageFilter) (func(*pb.Message) bool, error) {
	if f == nil {
		return func(*pb.Message) bool { return true }, nil
	}
	body, err := compile("body_search", f.BodySearch)
	if err != nil {
		return nil, err
	}
	reactions := make([]func(*pb.MessageReaction) bool, 0, len(f.ReactionFilters))
	for _, rf := range f.ReactionFilters {
		m, err := compileReactionFilter(rf)
		if err != nil {
			return nil, err
		}
		reactions = append(reactions, m)
	}
	return func(m *pb.Message) bool {
		switch {
		case f.Type != nil && m.GetId().GetType() != *f.Type,
			f.DiscussionId != nil && m.DiscussionId != *f.DiscussionId,
			f.SenderContactId != nil && m.SenderId != *f.SenderContactId,
			body != nil && !body.MatchString(m.Body),
			f.MinTimestamp != nil && m.Timestamp < *f.MinTimestamp,
			f.MaxTimestamp != nil && m.Timestamp > *f.MaxTimestamp:
			return false
		}
		switch f.GetAttachment() {
		case pb.MessageFilter_ATTACHMENT_HAVE:
			if m.AttachmentsCount == 0 {
				return false
			}
		case pb.MessageFilter_ATTACHMENT_HAVE_NOT:
			if m.AttachmentsCount != 0 {
				return false
			}
		}
		loc := m.GetMessageLocation()
		switch f.GetLocation() {
		case pb.MessageFilter_LOCATION_HAVE:
			if loc == nil {
				return false
			}
		case pb.MessageFilter_LOCATION_HAVE_NOT:
			if loc != nil {
				return false
			}
		case pb.MessageFilter_LOCATION_IS_SEND:
			if loc.GetType() != pb.MessageLocation_LOCATION_TYPE_SEND {
				return false
			}
		case pb.MessageFilter_LOCATION_IS_SHARING:
			if loc.GetType() != pb.MessageLocation_LOCATION_TYPE_SHARING {
				return false
			}
		case pb.MessageFilter_LOCATION_IS_SHARING_FINISHED:
			if loc.GetType() != pb.MessageLocation_LOCATION_TYPE_SHARING_FINISHED {
				return false
			}
		}
		switch f.GetHasReaction() {
		case pb.MessageFilter_REACTION_HAS:
			if len(m.Reactions) == 0 {
				return false
			}
		case pb.MessageFilter_REACTION_HAS_NOT:
			if len(m.Reactions) != 0 {
				return false
			}
		}
		for _, rf := range reactions {
			found := false
			for _, r := range m.Reactions {
				found = found || rf(r)
			}
			if !found {
				return false
			}
		}
		switch r := f.Reply.(type) {
		case *pb.MessageFilter_ReplyToAMessage:
			if r.ReplyToAMessage && m.RepliedMessageId == nil {
				return false
			}
		case *pb.MessageFilter_DoNotReplyToAMessage:
			if r.DoNotReplyToAMessage && m.RepliedMessageId != nil {
				return false
			}
		case *pb.MessageFilter_RepliedMessageId:
			if m.RepliedMessageId == nil || m.RepliedMessageId.Type != r.RepliedMessageId.GetType() || m.RepliedMessageId.Id != r.RepliedMessageId.GetId() {
				return false
			}
		}
		return true
	}, nil
}

func compileReactionFilter(f *pb.ReactionFilter) (func(*pb.MessageReaction) bool, error) {
	if f == nil {
		return func(*pb.MessageReaction) bool { return true }, nil
	}
	return func(r *pb.MessageReaction) bool {
		switch by := f.ReactedBy.(type) {
		case *pb.ReactionFilter_ReactedByMe:
			if by.ReactedByMe != (r.ContactId == 0) {
				return false
			}
		case *pb.ReactionFilter_ReactedByContactId:
			if r.ContactId != by.ReactedByContactId {
				return false
			}
		}
		return f.Reaction == nil || *f.Reaction == r.Reaction
	}, nil
}

func compileInvitationFilter(f *pb.InvitationFilter) (func(*pb.Invitation) bool, error) {
	if f == nil {
		return func(*pb.Invitation) bool { return true }, nil
	}
	name, err := compile("display_name_search", f.DisplayNameSearch)
	if err != nil {
		return nil, err
	}
	return func(i *pb.Invitation) bool {
		switch {
		case f.Status != nil && i.Status != *f.Status,
			name != nil && !name.MatchString(i.DisplayName),
			f.MinTimestamp != nil && i.Timestamp < *f.MinTimestamp,
			f.MaxTimestamp != nil && i.Timestamp > *f.MaxTimestamp:
			return false
		}
		if f.Type != nil {
			var t pb.InvitationFilter_Type
			switch i.Status {
			case pb.Invitation_STATUS_INTRODUCTION_WAIT_IT_TO_ACCEPT, pb.Invitation_STATUS_INTRODUCTION_WAIT_YOU_TO_ACCEPT:
				t = pb.InvitationFilter_TYPE_INTRODUCTION
			case pb.Invitation_STATUS_ONE_TO_ONE_INVITATION_WAIT_IT_TO_ACCEPT, pb.Invitation_STATUS_ONE_TO_ONE_INVITATION_WAIT_YOU_TO_ACCEPT:
				t = pb.InvitationFilter_TYPE_ONE_TO_ONE
			case pb.Invitation_STATUS_GROUP_INVITATION_WAIT_YOU_TO_ACCEPT:
				t = pb.InvitationFilter_TYPE_GROUP
			default:
				t = pb.InvitationFilter_TYPE_INVITATION
			}
			if t != *f.Type {
				return false
			}
		}
		return true
	}, nil
}

func compileDiscussionFilter(f *pb.DiscussionFilter) (func(*pb.Discussion) bool, error) {
	if f == nil {
		return func(*pb.Discussion) bool { return true }, nil
	}
	title, err := compile("title_search", f.TitleSearch)
	if err != nil {
		return nil, err
	}
	return func(d *pb.Discussion) bool {
		switch f.GetType() {
		case pb.DiscussionFilter_TYPE_OTO:
			if _, ok := d.Identifier.(*pb.Discussion_ContactId); !ok {
				return false
			}
		case pb.DiscussionFilter_TYPE_GROUP:
			if _, ok := d.Identifier.(*pb.Discussion_GroupId); !ok {
				return false
			}
		}
		switch id := f.Identifier.(type) {
		case *pb.DiscussionFilter_ContactId:
			if d.GetContactId() != id.ContactId {
				return false
			}
		case *pb.DiscussionFilter_GroupId:
			if d.GetGroupId() != id.GroupId {
				return false
			}
		}
		return title == nil || title.MatchString(d.Title)
	}, nil
}

func compileContactFilter(f *pb.ContactFilter) (func(*pb.Contact) bool, error) {
	if f == nil {
		return func(*pb.Contact) bool { return true }, nil
	}
	name, err := compile("display_name_search", f.DisplayNameSearch)
	if err != nil {
		return nil, err
	}
	return func(c *pb.Contact) bool {
		switch f.GetOneToOne() {
		case pb.ContactFilter_ONE_TO_ONE_IS:
			if !c.HasOneToOneDiscussion {
				return false
			}
		case pb.ContactFilter_ONE_TO_ONE_IS_NOT:
			if c.HasOneToOneDiscussion {
				return false
			}
		}
		switch f.GetPhoto() {
		case pb.ContactFilter_PHOTO_HAS:
			if !c.HasAPhoto {
				return false
			}
		case pb.ContactFilter_PHOTO_HAS_NOT:
			if c.HasAPhoto {
				return false
			}
		}
		return name == nil || name.MatchString(c.DisplayName)
	}, nil
}

func compileGroupFilter(f *pb.GroupFilter) (func(*pb.Group) bool, error) {
	if f == nil {
		return func(*pb.Group) bool { return true }, nil
	}
	name, err := compile("name_search", f.NameSearch)
	if err != nil {
		return nil, err
	}
	desc, err := compile("description_search", f.DescriptionSearch)
	if err != nil {
		return nil, err
	}
	return func(g *pb.Group) bool {
		switch {
		case f.Type != nil && g.Type != *f.Type,
			name != nil && !name.MatchString(g.Name),
			desc != nil && !desc.MatchString(g.Description):
			return false
		}
		switch f.GetEmpty() {
		case pb.GroupFilter_EMPTY_IS:
			if len(g.Members) != 0 {
				return false
			}
		case pb.GroupFilter_EMPTY_IS_NOT:
			if len(g.Members) == 0 {
				return false
			}
		}
		for _, mf := range f.MemberFilters {
			found := false
			for _, m := range g.Members {
				found = found || matchMember(mf, m)
			}
			if !found {
				return false
			}
		}
		return true
	}, nil
}

func matchMember(f *pb.GroupMemberFilter, m *pb.GroupMember) bool {
	if f == nil {
		return true
	}
	if f.ContactId != nil && m.ContactId != *f.ContactId {
		return false
	}
	return matchPermissions(f.Permissions, m.Permissions)
}

func matchPermissions(f *pb.GroupPermissionFilter, p *pb.GroupMemberPermissions) bool {
	if f == nil {
		return true
	}
	check := func(set bool, want, got bool) bool { return !set || want == got }
	return check(f.Admin != nil, f.GetAdmin() == pb.GroupPermissionFilter_ADMIN_IS, p.GetAdmin()) &&
		check(f.SendMessage != nil, f.GetSendMessage() == pb.GroupPermissionFilter_SEND_MESSAGE_CAN, p.GetSendMessage()) &&
		check(f.RemoteDeleteAnything != nil, f.GetRemoteDeleteAnything() == pb.GroupPermissionFilter_REMOTE_DELETE_ANYTHING_CAN, p.GetRemoteDeleteAnything()) &&
		check(f.EditOrRemoteDeleteOwnMessages != nil, f.GetEditOrRemoteDeleteOwnMessages() == pb.GroupPermissionFilter_EDIT_OR_REMOTE_DELETE_OWN_MESSAGE_CAN, p.GetEditOrRemoteDeleteOwnMessages()) &&
		check(f.ChangeSettings != nil, f.GetChangeSettings() == pb.GroupPermissionFilter_CHANGE_SETTINGS_CAN, p.GetChangeSettings())
}

func compileAttachmentFilter(f *pb.AttachmentFilter) (func(*pb.Attachment) bool, error) {
	if f == nil {
		return func(*pb.Attachment) bool { return true }, nil
	}
	name, err := compile("filename_search", f.FilenameSearch)
	if err != nil {
		return nil, err
	}
	mime, err := compile("mime_type_search", f.MimeTypeSearch)
	if err != nil {
		return nil, err
	}
	return func(a *pb.Attachment) bool {
		switch {
		case f.Type != nil && a.GetId().GetType() != *f.Type,
			f.DiscussionId != nil && a.DiscussionId != *f.DiscussionId,
			f.MessageId != nil && (a.GetMessageId().GetType() != f.MessageId.GetType() || a.GetMessageId().GetId() != f.MessageId.GetId()),
			name != nil && !name.MatchString(a.FileName),
			mime != nil && !mime.MatchString(a.MimeType),
			f.MinSize != nil && a.Size < *f.MinSize,
			f.MaxSize != nil && a.Size > *f.MaxSize:
			return false
		}
		return true
	}, nil
}
