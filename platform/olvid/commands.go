package olvid

import (
	"context"
	"errors"
	"fmt"
	"io"

	"google.golang.org/grpc/codes"

	pb "github.com/parleybot/parley/platform/olvid/olvidpb"
)

// Every method below is one daemon command with its fixed response type.
// Errors are *Error values (see the sentinels in client.go).

// Ping checks that the daemon answers; it needs no client key.
func (c *Client) Ping(ctx context.Context) error {
	_, err := unary(ctx, c, "Ping", c.tool.Ping, &pb.PingRequest{})
	return err
}

// DaemonVersion returns the daemon's version.
func (c *Client) DaemonVersion(ctx context.Context) (string, error) {
	r, err := unary(ctx, c, "DaemonVersion", c.tool.DaemonVersion, &pb.DaemonVersionRequest{})
	return r.GetVersion(), err
}

// AuthenticationTest checks the client key (and identity, for admin keys).
func (c *Client) AuthenticationTest(ctx context.Context) error {
	_, err := unary(ctx, c, "AuthenticationTest", c.tool.AuthenticationTest, &pb.AuthenticationTestRequest{})
	return err
}

// Identity returns the identity the client acts for.
func (c *Client) Identity(ctx context.Context) (*Identity, error) {
	r, err := unary(ctx, c, "IdentityGet", c.identity.IdentityGet, &pb.IdentityGetRequest{})
	return r.GetIdentity(), err
}

// InvitationLink returns the identity's invitation link, which others
// scan or open to become its contact.
func (c *Client) InvitationLink(ctx context.Context) (string, error) {
	r, err := unary(ctx, c, "IdentityGetInvitationLink", c.identity.IdentityGetInvitationLink, &pb.IdentityGetInvitationLinkRequest{})
	return r.GetInvitationLink(), err
}

// UpdateIdentityDetails replaces the identity's details.
func (c *Client) UpdateIdentityDetails(ctx context.Context, d *IdentityDetails) error {
	_, err := unary(ctx, c, "IdentityUpdateDetails", c.identity.IdentityUpdateDetails, &pb.IdentityUpdateDetailsRequest{NewDetails: d})
	return err
}

// SendMessage is the MessageSend command.
type SendMessage struct {
	DiscussionID uint64
	Body         string
	// ReplyTo quotes a message of the discussion.
	ReplyTo MessageID
	// Ephemerality, if set, makes the message read-once or time-limited.
	Ephemerality       *MessageEphemerality
	DisableLinkPreview bool
}

func (s SendMessage) pb() *pb.MessageSendRequest {
	r := &pb.MessageSendRequest{DiscussionId: s.DiscussionID, Body: s.Body, Ephemerality: s.Ephemerality}
	if !s.ReplyTo.IsZero() {
		r.ReplyId = s.ReplyTo.PB()
	}
	if s.DisableLinkPreview {
		r.DisableLinkPreview = &s.DisableLinkPreview
	}
	return r
}

// SendMessage sends a text message and returns it as stored (outbound).
// A blank body is refused with ErrInvalidArgument, an unknown discussion
// or replied message with ErrNotFound. The daemon has no idempotency key:
// a call that fails after it reached the daemon may have sent the message.
func (c *Client) SendMessage(ctx context.Context, s SendMessage) (*Message, error) {
	r, err := unary(ctx, c, "MessageSend", c.message.MessageSend, s.pb())
	return r.GetMessage(), err
}

// Upload is one file of SendWithAttachments.
type Upload struct {
	Name string
	Size uint64
	// Data is read to its end, which must come after Size bytes.
	Data io.Reader
}

// SendWithAttachments sends a message with files through the
// client-streaming MessageSendWithAttachments call: the metadata, then
// each file's chunks and a delimiter. Body may be empty.
func (c *Client) SendWithAttachments(ctx context.Context, s SendMessage, files []Upload) (*Message, []*Attachment, error) {
	const method = "MessageSendWithAttachments"
	if len(files) == 0 {
		return nil, nil, &Error{Code: codes.InvalidArgument, Method: method, Message: "no files"}
	}
	ctx, cancel := c.callCtx(ctx)
	defer cancel()
	st, err := c.message.MessageSendWithAttachments(ctx)
	if err != nil {
		return nil, nil, wrapErr(method, err)
	}
	meta := &pb.MessageSendWithAttachmentsRequestMetadata{DiscussionId: s.DiscussionID, Ephemerality: s.Ephemerality}
	if s.Body != "" {
		meta.Body = &s.Body
	}
	if !s.ReplyTo.IsZero() {
		meta.ReplyId = s.ReplyTo.PB()
	}
	if s.DisableLinkPreview {
		meta.DisableLinkPreview = &s.DisableLinkPreview
	}
	for _, f := range files {
		meta.Files = append(meta.Files, &pb.MessageSendWithAttachmentsRequestMetadata_File{Filename: f.Name, FileSize: f.Size})
	}
	send := func(r *pb.MessageSendWithAttachmentsRequest) error {
		if err := st.Send(r); err != nil {
			// The server's status comes with CloseAndRecv.
			_, rerr := st.CloseAndRecv()
			if rerr != nil {
				return wrapErr(method, rerr)
			}
			return wrapErr(method, err)
		}
		return nil
	}
	if err := send(&pb.MessageSendWithAttachmentsRequest{Request: &pb.MessageSendWithAttachmentsRequest_Metadata{Metadata: meta}}); err != nil {
		return nil, nil, err
	}
	buf := make([]byte, c.opts.chunkSize)
	for _, f := range files {
		var sent uint64
		for {
			n, rerr := io.ReadFull(f.Data, buf)
			if n > 0 {
				sent += uint64(n)
				if err := send(&pb.MessageSendWithAttachmentsRequest{Request: &pb.MessageSendWithAttachmentsRequest_Payload{Payload: append([]byte(nil), buf[:n]...)}}); err != nil {
					return nil, nil, err
				}
			}
			if errors.Is(rerr, io.EOF) || errors.Is(rerr, io.ErrUnexpectedEOF) {
				break
			}
			if rerr != nil {
				return nil, nil, fmt.Errorf("olvid: reading %s: %w", f.Name, rerr)
			}
		}
		if sent != f.Size {
			return nil, nil, fmt.Errorf("olvid: %s: read %d bytes, announced %d", f.Name, sent, f.Size)
		}
		if err := send(&pb.MessageSendWithAttachmentsRequest{Request: &pb.MessageSendWithAttachmentsRequest_FileDelimiter{FileDelimiter: true}}); err != nil {
			return nil, nil, err
		}
	}
	r, err := st.CloseAndRecv()
	if err != nil {
		return nil, nil, wrapErr(method, err)
	}
	return r.GetMessage(), r.GetAttachments(), nil
}

// SendLocation sends a static location.
func (c *Client) SendLocation(ctx context.Context, discussionID uint64, latitude, longitude float64) (*Message, error) {
	r, err := unary(ctx, c, "MessageSendLocation", c.message.MessageSendLocation,
		&pb.MessageSendLocationRequest{DiscussionId: discussionID, Latitude: latitude, Longitude: longitude})
	return r.GetMessage(), err
}

// GetMessage returns one message.
func (c *Client) GetMessage(ctx context.Context, id MessageID) (*Message, error) {
	r, err := unary(ctx, c, "MessageGet", c.message.MessageGet, &pb.MessageGetRequest{MessageId: id.PB()})
	return r.GetMessage(), err
}

// ListMessages lists the messages that match filter (nil for all). With
// unread it lists only messages never listed before nor notified to any
// client in MessageReceived, and marks them read.
func (c *Client) ListMessages(ctx context.Context, filter *MessageFilter, unread bool) ([]*Message, error) {
	req := &pb.MessageListRequest{Filter: filter}
	if unread {
		req.Unread = &unread
	}
	return list(ctx, c, "MessageList", c.message.MessageList, req, (*pb.MessageListResponse).GetMessages)
}

// RefreshMessages makes the daemon fetch new messages from the Olvid
// server now.
func (c *Client) RefreshMessages(ctx context.Context) error {
	_, err := unary(ctx, c, "MessageRefresh", c.message.MessageRefresh, &pb.MessageRefreshRequest{})
	return err
}

// DeleteMessage deletes a message locally, or for everyone in the
// discussion with everywhere (the identity's own messages, or others'
// where its group permissions allow).
func (c *Client) DeleteMessage(ctx context.Context, id MessageID, everywhere bool) error {
	req := &pb.MessageDeleteRequest{MessageId: id.PB()}
	if everywhere {
		req.DeleteEverywhere = &everywhere
	}
	_, err := unary(ctx, c, "MessageDelete", c.message.MessageDelete, req)
	return err
}

// React sets the identity's reaction to a message; "" removes it.
func (c *Client) React(ctx context.Context, id MessageID, reaction string) error {
	req := &pb.MessageReactRequest{MessageId: id.PB()}
	if reaction != "" {
		req.Reaction = &reaction
	}
	_, err := unary(ctx, c, "MessageReact", c.message.MessageReact, req)
	return err
}

// UpdateBody edits the body of a message the identity sent.
func (c *Client) UpdateBody(ctx context.Context, id MessageID, body string) error {
	_, err := unary(ctx, c, "MessageUpdateBody", c.message.MessageUpdateBody, &pb.MessageUpdateBodyRequest{MessageId: id.PB(), UpdatedBody: body})
	return err
}

// ListDiscussions lists the discussions that match filter (nil for all).
func (c *Client) ListDiscussions(ctx context.Context, filter *DiscussionFilter) ([]*Discussion, error) {
	return list(ctx, c, "DiscussionList", c.discussion.DiscussionList, &pb.DiscussionListRequest{Filter: filter}, (*pb.DiscussionListResponse).GetDiscussions)
}

// GetDiscussion returns one discussion.
func (c *Client) GetDiscussion(ctx context.Context, id uint64) (*Discussion, error) {
	r, err := unary(ctx, c, "DiscussionGet", c.discussion.DiscussionGet, &pb.DiscussionGetRequest{DiscussionId: id})
	return r.GetDiscussion(), err
}

// DiscussionByContact returns a contact's one-to-one discussion.
func (c *Client) DiscussionByContact(ctx context.Context, contactID uint64) (*Discussion, error) {
	r, err := unary(ctx, c, "DiscussionGetByContact", c.discussion.DiscussionGetByContact, &pb.DiscussionGetByContactRequest{ContactId: contactID})
	return r.GetDiscussion(), err
}

// DiscussionByGroup returns a group's discussion.
func (c *Client) DiscussionByGroup(ctx context.Context, groupID uint64) (*Discussion, error) {
	r, err := unary(ctx, c, "DiscussionGetByGroup", c.discussion.DiscussionGetByGroup, &pb.DiscussionGetByGroupRequest{GroupId: groupID})
	return r.GetDiscussion(), err
}

// EmptyDiscussion deletes every message of a discussion locally.
func (c *Client) EmptyDiscussion(ctx context.Context, id uint64) error {
	_, err := unary(ctx, c, "DiscussionEmpty", c.discussion.DiscussionEmpty, &pb.DiscussionEmptyRequest{DiscussionId: id})
	return err
}

// ListContacts lists the contacts that match filter (nil for all).
func (c *Client) ListContacts(ctx context.Context, filter *ContactFilter) ([]*Contact, error) {
	return list(ctx, c, "ContactList", c.contact.ContactList, &pb.ContactListRequest{Filter: filter}, (*pb.ContactListResponse).GetContacts)
}

// GetContact returns one contact.
func (c *Client) GetContact(ctx context.Context, id uint64) (*Contact, error) {
	r, err := unary(ctx, c, "ContactGet", c.contact.ContactGet, &pb.ContactGetRequest{ContactId: id})
	return r.GetContact(), err
}

// DeleteContact removes a contact from the contact book.
func (c *Client) DeleteContact(ctx context.Context, id uint64) error {
	_, err := unary(ctx, c, "ContactDelete", c.contact.ContactDelete, &pb.ContactDeleteRequest{ContactId: id})
	return err
}

// InviteToOneToOne invites a contact (met in a group, say) to a
// one-to-one discussion.
func (c *Client) InviteToOneToOne(ctx context.Context, contactID uint64) (*Invitation, error) {
	r, err := unary(ctx, c, "ContactInviteToOneToOneDiscussion", c.contact.ContactInviteToOneToOneDiscussion,
		&pb.ContactInviteToOneToOneDiscussionRequest{ContactId: contactID})
	return r.GetInvitation(), err
}

// ListGroups lists the groups that match filter (nil for all).
func (c *Client) ListGroups(ctx context.Context, filter *GroupFilter) ([]*Group, error) {
	return list(ctx, c, "GroupList", c.group.GroupList, &pb.GroupListRequest{Filter: filter}, (*pb.GroupListResponse).GetGroups)
}

// GetGroup returns one group with its members and their permissions.
func (c *Client) GetGroup(ctx context.Context, id uint64) (*Group, error) {
	r, err := unary(ctx, c, "GroupGet", c.group.GroupGet, &pb.GroupGetRequest{GroupId: id})
	return r.GetGroup(), err
}

// NewGroup creates a standard group with these contacts as admins.
func (c *Client) NewGroup(ctx context.Context, name, description string, adminContactIDs []uint64) (*Group, error) {
	req := &pb.GroupNewStandardGroupRequest{AdminContactIds: adminContactIDs}
	if name != "" {
		req.Name = &name
	}
	if description != "" {
		req.Description = &description
	}
	r, err := unary(ctx, c, "GroupNewStandardGroup", c.group.GroupNewStandardGroup, req)
	return r.GetGroup(), err
}

// UpdateGroup replaces a group's name, description, members and their
// permissions with g's (the identity must be admin): get the group,
// change it, update it.
func (c *Client) UpdateGroup(ctx context.Context, g *Group) (*Group, error) {
	r, err := unary(ctx, c, "GroupUpdate", c.group.GroupUpdate, &pb.GroupUpdateRequest{Group: g})
	return r.GetGroup(), err
}

// LeaveGroup leaves a group.
func (c *Client) LeaveGroup(ctx context.Context, id uint64) (*Group, error) {
	r, err := unary(ctx, c, "GroupLeave", c.group.GroupLeave, &pb.GroupLeaveRequest{GroupId: id})
	return r.GetGroup(), err
}

// DisbandGroup disbands a group the identity administers.
func (c *Client) DisbandGroup(ctx context.Context, id uint64) (*Group, error) {
	r, err := unary(ctx, c, "GroupDisband", c.group.GroupDisband, &pb.GroupDisbandRequest{GroupId: id})
	return r.GetGroup(), err
}

// ListInvitations lists the invitations that match filter (nil for all).
func (c *Client) ListInvitations(ctx context.Context, filter *InvitationFilter) ([]*Invitation, error) {
	return list(ctx, c, "InvitationList", c.invitation.InvitationList, &pb.InvitationListRequest{Filter: filter}, (*pb.InvitationListResponse).GetInvitations)
}

// GetInvitation returns one invitation.
func (c *Client) GetInvitation(ctx context.Context, id uint64) (*Invitation, error) {
	r, err := unary(ctx, c, "InvitationGet", c.invitation.InvitationGet, &pb.InvitationGetRequest{InvitationId: id})
	return r.GetInvitation(), err
}

// NewInvitation starts an invitation from another identity's invitation
// link (https://invitation.olvid.io#…).
func (c *Client) NewInvitation(ctx context.Context, url string) (*Invitation, error) {
	r, err := unary(ctx, c, "InvitationNew", c.invitation.InvitationNew, &pb.InvitationNewRequest{InvitationUrl: url})
	return r.GetInvitation(), err
}

// AcceptInvitation accepts an invitation that waits for the identity
// (ErrInvalidArgument in any other status).
func (c *Client) AcceptInvitation(ctx context.Context, id uint64) error {
	_, err := unary(ctx, c, "InvitationAccept", c.invitation.InvitationAccept, &pb.InvitationAcceptRequest{InvitationId: id})
	return err
}

// DeclineInvitation declines an invitation.
func (c *Client) DeclineInvitation(ctx context.Context, id uint64) error {
	_, err := unary(ctx, c, "InvitationDecline", c.invitation.InvitationDecline, &pb.InvitationDeclineRequest{InvitationId: id})
	return err
}

// InvitationSAS enters the short code the other side shows, in an
// invitation waiting for the SAS exchange.
func (c *Client) InvitationSAS(ctx context.Context, id uint64, sas string) error {
	_, err := unary(ctx, c, "InvitationSas", c.invitation.InvitationSas, &pb.InvitationSasRequest{InvitationId: id, Sas: sas})
	return err
}

// DeleteInvitation deletes an invitation, aborting its protocol.
func (c *Client) DeleteInvitation(ctx context.Context, id uint64) error {
	_, err := unary(ctx, c, "InvitationDelete", c.invitation.InvitationDelete, &pb.InvitationDeleteRequest{InvitationId: id})
	return err
}

// IdentitySettings returns the identity's settings.
func (c *Client) IdentitySettings(ctx context.Context) (*IdentitySettings, error) {
	r, err := unary(ctx, c, "SettingsIdentityGet", c.settings.SettingsIdentityGet, &pb.SettingsIdentityGetRequest{})
	return r.GetIdentitySettings(), err
}

// SetIdentitySettings replaces all of the identity's settings with s.
func (c *Client) SetIdentitySettings(ctx context.Context, s *IdentitySettings) (*IdentitySettings, error) {
	r, err := unary(ctx, c, "SettingsIdentitySet", c.settings.SettingsIdentitySet, &pb.SettingsIdentitySetRequest{IdentitySettings: s})
	return r.GetIdentitySettings(), err
}

// UpdateIdentitySettings reads the settings, lets change modify them, and
// writes them back whole, since setting replaces every field.
func (c *Client) UpdateIdentitySettings(ctx context.Context, change func(*IdentitySettings)) (*IdentitySettings, error) {
	s, err := c.IdentitySettings(ctx)
	if err != nil {
		return nil, err
	}
	if s == nil {
		s = &IdentitySettings{}
	}
	change(s)
	return c.SetIdentitySettings(ctx, s)
}

// SetAutoAccept turns the daemon's own acceptance of invitations on or off
// for every kind (invitations, introductions, groups, one-to-one), keeping
// the other settings.
func (c *Client) SetAutoAccept(ctx context.Context, on bool) error {
	_, err := c.UpdateIdentitySettings(ctx, func(s *IdentitySettings) {
		s.Invitation = &pb.IdentitySettings_AutoAcceptInvitation{
			AutoAcceptIntroduction: on, AutoAcceptGroup: on, AutoAcceptOneToOne: on, AutoAcceptInvitation: on,
		}
	})
	return err
}

// DiscussionSettings returns a discussion's shared settings.
func (c *Client) DiscussionSettings(ctx context.Context, discussionID uint64) (*DiscussionSettings, error) {
	r, err := unary(ctx, c, "SettingsDiscussionGet", c.settings.SettingsDiscussionGet, &pb.SettingsDiscussionGetRequest{DiscussionId: discussionID})
	return r.GetDiscussionSettings(), err
}

// SetDiscussionSettings replaces a discussion's shared settings.
func (c *Client) SetDiscussionSettings(ctx context.Context, s *DiscussionSettings) (*DiscussionSettings, error) {
	r, err := unary(ctx, c, "SettingsDiscussionSet", c.settings.SettingsDiscussionSet, &pb.SettingsDiscussionSetRequest{DiscussionSettings: s})
	return r.GetDiscussionSettings(), err
}

// ListAttachments lists the attachments that match filter (nil for all).
func (c *Client) ListAttachments(ctx context.Context, filter *AttachmentFilter) ([]*Attachment, error) {
	return list(ctx, c, "AttachmentList", c.attachment.AttachmentList, &pb.AttachmentListRequest{Filter: filter}, (*pb.AttachmentListResponse).GetAttachments)
}

// GetAttachment returns one attachment's description.
func (c *Client) GetAttachment(ctx context.Context, id *AttachmentIdentifier) (*Attachment, error) {
	r, err := unary(ctx, c, "AttachmentGet", c.attachment.AttachmentGet, &pb.AttachmentGetRequest{AttachmentId: id})
	return r.GetAttachment(), err
}

// DeleteAttachment deletes an attachment, for everyone with everywhere.
func (c *Client) DeleteAttachment(ctx context.Context, id *AttachmentIdentifier, everywhere bool) error {
	req := &pb.AttachmentDeleteRequest{AttachmentId: id}
	if everywhere {
		req.DeleteEverywhere = &everywhere
	}
	_, err := unary(ctx, c, "AttachmentDelete", c.attachment.AttachmentDelete, req)
	return err
}

// DownloadAttachment writes an attachment's content to w and returns how
// many bytes it wrote. The call timeout covers the whole download when ctx
// has no deadline.
func (c *Client) DownloadAttachment(ctx context.Context, id *AttachmentIdentifier, w io.Writer) (int64, error) {
	const method = "AttachmentDownload"
	ctx, cancel := c.callCtx(ctx)
	defer cancel()
	st, err := c.attachment.AttachmentDownload(ctx, &pb.AttachmentDownloadRequest{AttachmentId: id})
	if err != nil {
		return 0, wrapErr(method, err)
	}
	var n int64
	for {
		r, err := st.Recv()
		if errors.Is(err, io.EOF) {
			return n, nil
		}
		if err != nil {
			return n, wrapErr(method, err)
		}
		k, err := w.Write(r.GetChunk())
		n += int64(k)
		if err != nil {
			return n, err
		}
	}
}
