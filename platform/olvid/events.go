package olvid

// One Go type per daemon notification. Each embeds the notification as
// generated (so e.Message, e.Group, e.GetInvitation() read its fields).
// The facets beyond ChatKey (DedupeKey, Messages, RequestInfo,
// GroupChanges) and the decoders that check more are in facets.go.

import (
	"context"

	"google.golang.org/grpc"
	"google.golang.org/protobuf/proto"

	"github.com/parleybot/parley/bot"
	pb "github.com/parleybot/parley/platform/olvid/olvidpb"
)

// Notification names one of the daemon's notifications: its RPC's name
// in <Service>NotificationService, and the Type of its event.
type Notification string

// The notifications, one per streaming RPC.
const (
	NotifyMessageReceived               Notification = "MessageReceived"
	NotifyMessageSent                   Notification = "MessageSent"
	NotifyMessageDeleted                Notification = "MessageDeleted"
	NotifyMessageBodyUpdated            Notification = "MessageBodyUpdated"
	NotifyMessageUploaded               Notification = "MessageUploaded"
	NotifyMessageDelivered              Notification = "MessageDelivered"
	NotifyMessageRead                   Notification = "MessageRead"
	NotifyMessageLocationReceived       Notification = "MessageLocationReceived"
	NotifyMessageLocationSent           Notification = "MessageLocationSent"
	NotifyMessageLocationSharingStart   Notification = "MessageLocationSharingStart"
	NotifyMessageLocationSharingUpdate  Notification = "MessageLocationSharingUpdate"
	NotifyMessageLocationSharingEnd     Notification = "MessageLocationSharingEnd"
	NotifyMessageReactionAdded          Notification = "MessageReactionAdded"
	NotifyMessageReactionUpdated        Notification = "MessageReactionUpdated"
	NotifyMessageReactionRemoved        Notification = "MessageReactionRemoved"
	NotifyAttachmentReceived            Notification = "AttachmentReceived"
	NotifyAttachmentUploaded            Notification = "AttachmentUploaded"
	NotifyDiscussionNew                 Notification = "DiscussionNew"
	NotifyDiscussionLocked              Notification = "DiscussionLocked"
	NotifyDiscussionTitleUpdated        Notification = "DiscussionTitleUpdated"
	NotifyDiscussionSettingsUpdated     Notification = "DiscussionSettingsUpdated"
	NotifyContactNew                    Notification = "ContactNew"
	NotifyContactDeleted                Notification = "ContactDeleted"
	NotifyContactDetailsUpdated         Notification = "ContactDetailsUpdated"
	NotifyContactPhotoUpdated           Notification = "ContactPhotoUpdated"
	NotifyGroupNew                      Notification = "GroupNew"
	NotifyGroupDeleted                  Notification = "GroupDeleted"
	NotifyGroupNameUpdated              Notification = "GroupNameUpdated"
	NotifyGroupPhotoUpdated             Notification = "GroupPhotoUpdated"
	NotifyGroupDescriptionUpdated       Notification = "GroupDescriptionUpdated"
	NotifyGroupPendingMemberAdded       Notification = "GroupPendingMemberAdded"
	NotifyGroupPendingMemberRemoved     Notification = "GroupPendingMemberRemoved"
	NotifyGroupMemberJoined             Notification = "GroupMemberJoined"
	NotifyGroupMemberLeft               Notification = "GroupMemberLeft"
	NotifyGroupOwnPermissionsUpdated    Notification = "GroupOwnPermissionsUpdated"
	NotifyGroupMemberPermissionsUpdated Notification = "GroupMemberPermissionsUpdated"
	NotifyInvitationReceived            Notification = "InvitationReceived"
	NotifyInvitationSent                Notification = "InvitationSent"
	NotifyInvitationDeleted             Notification = "InvitationDeleted"
	NotifyInvitationUpdated             Notification = "InvitationUpdated"
	NotifyCallIncomingCall              Notification = "CallIncomingCall"
	NotifyCallRinging                   Notification = "CallRinging"
	NotifyCallAccepted                  Notification = "CallAccepted"
	NotifyCallDeclined                  Notification = "CallDeclined"
	NotifyCallBusy                      Notification = "CallBusy"
	NotifyCallEnded                     Notification = "CallEnded"
)

// AllNotifications lists every notification, by service.
var AllNotifications = []Notification{
	NotifyMessageReceived,
	NotifyMessageSent,
	NotifyMessageDeleted,
	NotifyMessageBodyUpdated,
	NotifyMessageUploaded,
	NotifyMessageDelivered,
	NotifyMessageRead,
	NotifyMessageLocationReceived,
	NotifyMessageLocationSent,
	NotifyMessageLocationSharingStart,
	NotifyMessageLocationSharingUpdate,
	NotifyMessageLocationSharingEnd,
	NotifyMessageReactionAdded,
	NotifyMessageReactionUpdated,
	NotifyMessageReactionRemoved,
	NotifyAttachmentReceived,
	NotifyAttachmentUploaded,
	NotifyDiscussionNew,
	NotifyDiscussionLocked,
	NotifyDiscussionTitleUpdated,
	NotifyDiscussionSettingsUpdated,
	NotifyContactNew,
	NotifyContactDeleted,
	NotifyContactDetailsUpdated,
	NotifyContactPhotoUpdated,
	NotifyGroupNew,
	NotifyGroupDeleted,
	NotifyGroupNameUpdated,
	NotifyGroupPhotoUpdated,
	NotifyGroupDescriptionUpdated,
	NotifyGroupPendingMemberAdded,
	NotifyGroupPendingMemberRemoved,
	NotifyGroupMemberJoined,
	NotifyGroupMemberLeft,
	NotifyGroupOwnPermissionsUpdated,
	NotifyGroupMemberPermissionsUpdated,
	NotifyInvitationReceived,
	NotifyInvitationSent,
	NotifyInvitationDeleted,
	NotifyInvitationUpdated,
	NotifyCallIncomingCall,
	NotifyCallRinging,
	NotifyCallAccepted,
	NotifyCallDeclined,
	NotifyCallBusy,
	NotifyCallEnded,
}

// DefaultNotifications are the streams a Platform opens unless told
// otherwise: messages, discussions, contacts, groups and invitations.
var DefaultNotifications = []Notification{
	NotifyMessageReceived,
	NotifyMessageSent,
	NotifyMessageDeleted,
	NotifyMessageBodyUpdated,
	NotifyDiscussionNew,
	NotifyDiscussionLocked,
	NotifyContactNew,
	NotifyContactDeleted,
	NotifyGroupNew,
	NotifyGroupDeleted,
	NotifyGroupPendingMemberAdded,
	NotifyGroupPendingMemberRemoved,
	NotifyGroupMemberJoined,
	NotifyGroupMemberLeft,
	NotifyGroupOwnPermissionsUpdated,
	NotifyGroupMemberPermissionsUpdated,
	NotifyInvitationReceived,
	NotifyInvitationDeleted,
	NotifyInvitationUpdated,
}

// Service returns the full name of the notification's gRPC service.
func (n Notification) Service() string {
	if s, ok := notificationSpecs[n]; ok {
		return "olvid.daemon.services.v1." + s.service + "NotificationService"
	}
	return ""
}

// Method returns the full gRPC method name of the notification's stream,
// as in "/olvid.daemon.services.v1.MessageNotificationService/MessageReceived".
func (n Notification) Method() string {
	if s := n.Service(); s != "" {
		return "/" + s + "/" + string(n)
	}
	return ""
}

var notificationSpecs = map[Notification]notificationSpec{
	NotifyMessageReceived: specOf("Message",
		func(ctx context.Context, c *Client, sub *pb.SubscribeToMessageReceivedNotification) (grpc.ServerStreamingClient[pb.MessageReceivedNotification], error) {
			return c.notifyMessage.MessageReceived(ctx, sub)
		},
		func(n *pb.MessageReceivedNotification) bot.Event { return decodeMessageReceived(n) }),
	NotifyMessageSent: specOf("Message",
		func(ctx context.Context, c *Client, sub *pb.SubscribeToMessageSentNotification) (grpc.ServerStreamingClient[pb.MessageSentNotification], error) {
			return c.notifyMessage.MessageSent(ctx, sub)
		},
		func(n *pb.MessageSentNotification) bot.Event { return decodeMessageSent(n) }),
	NotifyMessageDeleted: specOf("Message",
		func(ctx context.Context, c *Client, sub *pb.SubscribeToMessageDeletedNotification) (grpc.ServerStreamingClient[pb.MessageDeletedNotification], error) {
			return c.notifyMessage.MessageDeleted(ctx, sub)
		},
		func(n *pb.MessageDeletedNotification) bot.Event { return decodeMessageDeleted(n) }),
	NotifyMessageBodyUpdated: specOf("Message",
		func(ctx context.Context, c *Client, sub *pb.SubscribeToMessageBodyUpdatedNotification) (grpc.ServerStreamingClient[pb.MessageBodyUpdatedNotification], error) {
			return c.notifyMessage.MessageBodyUpdated(ctx, sub)
		},
		func(n *pb.MessageBodyUpdatedNotification) bot.Event { return decodeMessageBodyUpdated(n) }),
	NotifyMessageUploaded: specOf("Message",
		func(ctx context.Context, c *Client, sub *pb.SubscribeToMessageUploadedNotification) (grpc.ServerStreamingClient[pb.MessageUploadedNotification], error) {
			return c.notifyMessage.MessageUploaded(ctx, sub)
		},
		func(n *pb.MessageUploadedNotification) bot.Event { return decodeMessageUploaded(n) }),
	NotifyMessageDelivered: specOf("Message",
		func(ctx context.Context, c *Client, sub *pb.SubscribeToMessageDeliveredNotification) (grpc.ServerStreamingClient[pb.MessageDeliveredNotification], error) {
			return c.notifyMessage.MessageDelivered(ctx, sub)
		},
		func(n *pb.MessageDeliveredNotification) bot.Event { return decodeMessageDelivered(n) }),
	NotifyMessageRead: specOf("Message",
		func(ctx context.Context, c *Client, sub *pb.SubscribeToMessageReadNotification) (grpc.ServerStreamingClient[pb.MessageReadNotification], error) {
			return c.notifyMessage.MessageRead(ctx, sub)
		},
		func(n *pb.MessageReadNotification) bot.Event { return decodeMessageRead(n) }),
	NotifyMessageLocationReceived: specOf("Message",
		func(ctx context.Context, c *Client, sub *pb.SubscribeToMessageLocationReceivedNotification) (grpc.ServerStreamingClient[pb.MessageLocationReceivedNotification], error) {
			return c.notifyMessage.MessageLocationReceived(ctx, sub)
		},
		func(n *pb.MessageLocationReceivedNotification) bot.Event { return decodeMessageLocationReceived(n) }),
	NotifyMessageLocationSent: specOf("Message",
		func(ctx context.Context, c *Client, sub *pb.SubscribeToMessageLocationSentNotification) (grpc.ServerStreamingClient[pb.MessageLocationSentNotification], error) {
			return c.notifyMessage.MessageLocationSent(ctx, sub)
		},
		func(n *pb.MessageLocationSentNotification) bot.Event { return decodeMessageLocationSent(n) }),
	NotifyMessageLocationSharingStart: specOf("Message",
		func(ctx context.Context, c *Client, sub *pb.SubscribeToMessageLocationSharingStartNotification) (grpc.ServerStreamingClient[pb.MessageLocationSharingStartNotification], error) {
			return c.notifyMessage.MessageLocationSharingStart(ctx, sub)
		},
		func(n *pb.MessageLocationSharingStartNotification) bot.Event {
			return decodeMessageLocationSharingStart(n)
		}),
	NotifyMessageLocationSharingUpdate: specOf("Message",
		func(ctx context.Context, c *Client, sub *pb.SubscribeToMessageLocationSharingUpdateNotification) (grpc.ServerStreamingClient[pb.MessageLocationSharingUpdateNotification], error) {
			return c.notifyMessage.MessageLocationSharingUpdate(ctx, sub)
		},
		func(n *pb.MessageLocationSharingUpdateNotification) bot.Event {
			return decodeMessageLocationSharingUpdate(n)
		}),
	NotifyMessageLocationSharingEnd: specOf("Message",
		func(ctx context.Context, c *Client, sub *pb.SubscribeToMessageLocationSharingEndNotification) (grpc.ServerStreamingClient[pb.MessageLocationSharingEndNotification], error) {
			return c.notifyMessage.MessageLocationSharingEnd(ctx, sub)
		},
		func(n *pb.MessageLocationSharingEndNotification) bot.Event { return decodeMessageLocationSharingEnd(n) }),
	NotifyMessageReactionAdded: specOf("Message",
		func(ctx context.Context, c *Client, sub *pb.SubscribeToMessageReactionAddedNotification) (grpc.ServerStreamingClient[pb.MessageReactionAddedNotification], error) {
			return c.notifyMessage.MessageReactionAdded(ctx, sub)
		},
		func(n *pb.MessageReactionAddedNotification) bot.Event { return decodeMessageReactionAdded(n) }),
	NotifyMessageReactionUpdated: specOf("Message",
		func(ctx context.Context, c *Client, sub *pb.SubscribeToMessageReactionUpdatedNotification) (grpc.ServerStreamingClient[pb.MessageReactionUpdatedNotification], error) {
			return c.notifyMessage.MessageReactionUpdated(ctx, sub)
		},
		func(n *pb.MessageReactionUpdatedNotification) bot.Event { return decodeMessageReactionUpdated(n) }),
	NotifyMessageReactionRemoved: specOf("Message",
		func(ctx context.Context, c *Client, sub *pb.SubscribeToMessageReactionRemovedNotification) (grpc.ServerStreamingClient[pb.MessageReactionRemovedNotification], error) {
			return c.notifyMessage.MessageReactionRemoved(ctx, sub)
		},
		func(n *pb.MessageReactionRemovedNotification) bot.Event { return decodeMessageReactionRemoved(n) }),
	NotifyAttachmentReceived: specOf("Attachment",
		func(ctx context.Context, c *Client, sub *pb.SubscribeToAttachmentReceivedNotification) (grpc.ServerStreamingClient[pb.AttachmentReceivedNotification], error) {
			return c.notifyAttachment.AttachmentReceived(ctx, sub)
		},
		func(n *pb.AttachmentReceivedNotification) bot.Event { return decodeAttachmentReceived(n) }),
	NotifyAttachmentUploaded: specOf("Attachment",
		func(ctx context.Context, c *Client, sub *pb.SubscribeToAttachmentUploadedNotification) (grpc.ServerStreamingClient[pb.AttachmentUploadedNotification], error) {
			return c.notifyAttachment.AttachmentUploaded(ctx, sub)
		},
		func(n *pb.AttachmentUploadedNotification) bot.Event { return decodeAttachmentUploaded(n) }),
	NotifyDiscussionNew: specOf("Discussion",
		func(ctx context.Context, c *Client, sub *pb.SubscribeToDiscussionNewNotification) (grpc.ServerStreamingClient[pb.DiscussionNewNotification], error) {
			return c.notifyDiscussion.DiscussionNew(ctx, sub)
		},
		func(n *pb.DiscussionNewNotification) bot.Event { return decodeDiscussionNew(n) }),
	NotifyDiscussionLocked: specOf("Discussion",
		func(ctx context.Context, c *Client, sub *pb.SubscribeToDiscussionLockedNotification) (grpc.ServerStreamingClient[pb.DiscussionLockedNotification], error) {
			return c.notifyDiscussion.DiscussionLocked(ctx, sub)
		},
		func(n *pb.DiscussionLockedNotification) bot.Event { return decodeDiscussionLocked(n) }),
	NotifyDiscussionTitleUpdated: specOf("Discussion",
		func(ctx context.Context, c *Client, sub *pb.SubscribeToDiscussionTitleUpdatedNotification) (grpc.ServerStreamingClient[pb.DiscussionTitleUpdatedNotification], error) {
			return c.notifyDiscussion.DiscussionTitleUpdated(ctx, sub)
		},
		func(n *pb.DiscussionTitleUpdatedNotification) bot.Event { return decodeDiscussionTitleUpdated(n) }),
	NotifyDiscussionSettingsUpdated: specOf("Discussion",
		func(ctx context.Context, c *Client, sub *pb.SubscribeToDiscussionSettingsUpdatedNotification) (grpc.ServerStreamingClient[pb.DiscussionSettingsUpdatedNotification], error) {
			return c.notifyDiscussion.DiscussionSettingsUpdated(ctx, sub)
		},
		func(n *pb.DiscussionSettingsUpdatedNotification) bot.Event { return decodeDiscussionSettingsUpdated(n) }),
	NotifyContactNew: specOf("Contact",
		func(ctx context.Context, c *Client, sub *pb.SubscribeToContactNewNotification) (grpc.ServerStreamingClient[pb.ContactNewNotification], error) {
			return c.notifyContact.ContactNew(ctx, sub)
		},
		func(n *pb.ContactNewNotification) bot.Event { return decodeContactNew(n) }),
	NotifyContactDeleted: specOf("Contact",
		func(ctx context.Context, c *Client, sub *pb.SubscribeToContactDeletedNotification) (grpc.ServerStreamingClient[pb.ContactDeletedNotification], error) {
			return c.notifyContact.ContactDeleted(ctx, sub)
		},
		func(n *pb.ContactDeletedNotification) bot.Event { return decodeContactDeleted(n) }),
	NotifyContactDetailsUpdated: specOf("Contact",
		func(ctx context.Context, c *Client, sub *pb.SubscribeToContactDetailsUpdatedNotification) (grpc.ServerStreamingClient[pb.ContactDetailsUpdatedNotification], error) {
			return c.notifyContact.ContactDetailsUpdated(ctx, sub)
		},
		func(n *pb.ContactDetailsUpdatedNotification) bot.Event { return decodeContactDetailsUpdated(n) }),
	NotifyContactPhotoUpdated: specOf("Contact",
		func(ctx context.Context, c *Client, sub *pb.SubscribeToContactPhotoUpdatedNotification) (grpc.ServerStreamingClient[pb.ContactPhotoUpdatedNotification], error) {
			return c.notifyContact.ContactPhotoUpdated(ctx, sub)
		},
		func(n *pb.ContactPhotoUpdatedNotification) bot.Event { return decodeContactPhotoUpdated(n) }),
	NotifyGroupNew: specOf("Group",
		func(ctx context.Context, c *Client, sub *pb.SubscribeToGroupNewNotification) (grpc.ServerStreamingClient[pb.GroupNewNotification], error) {
			return c.notifyGroup.GroupNew(ctx, sub)
		},
		func(n *pb.GroupNewNotification) bot.Event { return decodeGroupNew(n) }),
	NotifyGroupDeleted: specOf("Group",
		func(ctx context.Context, c *Client, sub *pb.SubscribeToGroupDeletedNotification) (grpc.ServerStreamingClient[pb.GroupDeletedNotification], error) {
			return c.notifyGroup.GroupDeleted(ctx, sub)
		},
		func(n *pb.GroupDeletedNotification) bot.Event { return decodeGroupDeleted(n) }),
	NotifyGroupNameUpdated: specOf("Group",
		func(ctx context.Context, c *Client, sub *pb.SubscribeToGroupNameUpdatedNotification) (grpc.ServerStreamingClient[pb.GroupNameUpdatedNotification], error) {
			return c.notifyGroup.GroupNameUpdated(ctx, sub)
		},
		func(n *pb.GroupNameUpdatedNotification) bot.Event { return decodeGroupNameUpdated(n) }),
	NotifyGroupPhotoUpdated: specOf("Group",
		func(ctx context.Context, c *Client, sub *pb.SubscribeToGroupPhotoUpdatedNotification) (grpc.ServerStreamingClient[pb.GroupPhotoUpdatedNotification], error) {
			return c.notifyGroup.GroupPhotoUpdated(ctx, sub)
		},
		func(n *pb.GroupPhotoUpdatedNotification) bot.Event { return decodeGroupPhotoUpdated(n) }),
	NotifyGroupDescriptionUpdated: specOf("Group",
		func(ctx context.Context, c *Client, sub *pb.SubscribeToGroupDescriptionUpdatedNotification) (grpc.ServerStreamingClient[pb.GroupDescriptionUpdatedNotification], error) {
			return c.notifyGroup.GroupDescriptionUpdated(ctx, sub)
		},
		func(n *pb.GroupDescriptionUpdatedNotification) bot.Event { return decodeGroupDescriptionUpdated(n) }),
	NotifyGroupPendingMemberAdded: specOf("Group",
		func(ctx context.Context, c *Client, sub *pb.SubscribeToGroupPendingMemberAddedNotification) (grpc.ServerStreamingClient[pb.GroupPendingMemberAddedNotification], error) {
			return c.notifyGroup.GroupPendingMemberAdded(ctx, sub)
		},
		func(n *pb.GroupPendingMemberAddedNotification) bot.Event { return decodeGroupPendingMemberAdded(n) }),
	NotifyGroupPendingMemberRemoved: specOf("Group",
		func(ctx context.Context, c *Client, sub *pb.SubscribeToGroupPendingMemberRemovedNotification) (grpc.ServerStreamingClient[pb.GroupPendingMemberRemovedNotification], error) {
			return c.notifyGroup.GroupPendingMemberRemoved(ctx, sub)
		},
		func(n *pb.GroupPendingMemberRemovedNotification) bot.Event { return decodeGroupPendingMemberRemoved(n) }),
	NotifyGroupMemberJoined: specOf("Group",
		func(ctx context.Context, c *Client, sub *pb.SubscribeToGroupMemberJoinedNotification) (grpc.ServerStreamingClient[pb.GroupMemberJoinedNotification], error) {
			return c.notifyGroup.GroupMemberJoined(ctx, sub)
		},
		func(n *pb.GroupMemberJoinedNotification) bot.Event { return decodeGroupMemberJoined(n) }),
	NotifyGroupMemberLeft: specOf("Group",
		func(ctx context.Context, c *Client, sub *pb.SubscribeToGroupMemberLeftNotification) (grpc.ServerStreamingClient[pb.GroupMemberLeftNotification], error) {
			return c.notifyGroup.GroupMemberLeft(ctx, sub)
		},
		func(n *pb.GroupMemberLeftNotification) bot.Event { return decodeGroupMemberLeft(n) }),
	NotifyGroupOwnPermissionsUpdated: specOf("Group",
		func(ctx context.Context, c *Client, sub *pb.SubscribeToGroupOwnPermissionsUpdatedNotification) (grpc.ServerStreamingClient[pb.GroupOwnPermissionsUpdatedNotification], error) {
			return c.notifyGroup.GroupOwnPermissionsUpdated(ctx, sub)
		},
		func(n *pb.GroupOwnPermissionsUpdatedNotification) bot.Event {
			return decodeGroupOwnPermissionsUpdated(n)
		}),
	NotifyGroupMemberPermissionsUpdated: specOf("Group",
		func(ctx context.Context, c *Client, sub *pb.SubscribeToGroupMemberPermissionsUpdatedNotification) (grpc.ServerStreamingClient[pb.GroupMemberPermissionsUpdatedNotification], error) {
			return c.notifyGroup.GroupMemberPermissionsUpdated(ctx, sub)
		},
		func(n *pb.GroupMemberPermissionsUpdatedNotification) bot.Event {
			return decodeGroupMemberPermissionsUpdated(n)
		}),
	NotifyInvitationReceived: specOf("Invitation",
		func(ctx context.Context, c *Client, sub *pb.SubscribeToInvitationReceivedNotification) (grpc.ServerStreamingClient[pb.InvitationReceivedNotification], error) {
			return c.notifyInvitation.InvitationReceived(ctx, sub)
		},
		func(n *pb.InvitationReceivedNotification) bot.Event { return decodeInvitationReceived(n) }),
	NotifyInvitationSent: specOf("Invitation",
		func(ctx context.Context, c *Client, sub *pb.SubscribeToInvitationSentNotification) (grpc.ServerStreamingClient[pb.InvitationSentNotification], error) {
			return c.notifyInvitation.InvitationSent(ctx, sub)
		},
		func(n *pb.InvitationSentNotification) bot.Event { return decodeInvitationSent(n) }),
	NotifyInvitationDeleted: specOf("Invitation",
		func(ctx context.Context, c *Client, sub *pb.SubscribeToInvitationDeletedNotification) (grpc.ServerStreamingClient[pb.InvitationDeletedNotification], error) {
			return c.notifyInvitation.InvitationDeleted(ctx, sub)
		},
		func(n *pb.InvitationDeletedNotification) bot.Event { return decodeInvitationDeleted(n) }),
	NotifyInvitationUpdated: specOf("Invitation",
		func(ctx context.Context, c *Client, sub *pb.SubscribeToInvitationUpdatedNotification) (grpc.ServerStreamingClient[pb.InvitationUpdatedNotification], error) {
			return c.notifyInvitation.InvitationUpdated(ctx, sub)
		},
		func(n *pb.InvitationUpdatedNotification) bot.Event { return decodeInvitationUpdated(n) }),
	NotifyCallIncomingCall: specOf("Call",
		func(ctx context.Context, c *Client, sub *pb.SubscribeToCallIncomingCallNotification) (grpc.ServerStreamingClient[pb.CallIncomingCallNotification], error) {
			return c.notifyCall.CallIncomingCall(ctx, sub)
		},
		func(n *pb.CallIncomingCallNotification) bot.Event { return decodeCallIncomingCall(n) }),
	NotifyCallRinging: specOf("Call",
		func(ctx context.Context, c *Client, sub *pb.SubscribeToCallRingingNotification) (grpc.ServerStreamingClient[pb.CallRingingNotification], error) {
			return c.notifyCall.CallRinging(ctx, sub)
		},
		func(n *pb.CallRingingNotification) bot.Event { return decodeCallRinging(n) }),
	NotifyCallAccepted: specOf("Call",
		func(ctx context.Context, c *Client, sub *pb.SubscribeToCallAcceptedNotification) (grpc.ServerStreamingClient[pb.CallAcceptedNotification], error) {
			return c.notifyCall.CallAccepted(ctx, sub)
		},
		func(n *pb.CallAcceptedNotification) bot.Event { return decodeCallAccepted(n) }),
	NotifyCallDeclined: specOf("Call",
		func(ctx context.Context, c *Client, sub *pb.SubscribeToCallDeclinedNotification) (grpc.ServerStreamingClient[pb.CallDeclinedNotification], error) {
			return c.notifyCall.CallDeclined(ctx, sub)
		},
		func(n *pb.CallDeclinedNotification) bot.Event { return decodeCallDeclined(n) }),
	NotifyCallBusy: specOf("Call",
		func(ctx context.Context, c *Client, sub *pb.SubscribeToCallBusyNotification) (grpc.ServerStreamingClient[pb.CallBusyNotification], error) {
			return c.notifyCall.CallBusy(ctx, sub)
		},
		func(n *pb.CallBusyNotification) bot.Event { return decodeCallBusy(n) }),
	NotifyCallEnded: specOf("Call",
		func(ctx context.Context, c *Client, sub *pb.SubscribeToCallEndedNotification) (grpc.ServerStreamingClient[pb.CallEndedNotification], error) {
			return c.notifyCall.CallEnded(ctx, sub)
		},
		func(n *pb.CallEndedNotification) bot.Event { return decodeCallEnded(n) }),
}

// subscription returns an empty subscription message of n, whose count
// and filter fields callers may set.
func subscription(n Notification) proto.Message {
	switch n {
	case NotifyMessageReceived:
		return &pb.SubscribeToMessageReceivedNotification{}
	case NotifyMessageSent:
		return &pb.SubscribeToMessageSentNotification{}
	case NotifyMessageDeleted:
		return &pb.SubscribeToMessageDeletedNotification{}
	case NotifyMessageBodyUpdated:
		return &pb.SubscribeToMessageBodyUpdatedNotification{}
	case NotifyMessageUploaded:
		return &pb.SubscribeToMessageUploadedNotification{}
	case NotifyMessageDelivered:
		return &pb.SubscribeToMessageDeliveredNotification{}
	case NotifyMessageRead:
		return &pb.SubscribeToMessageReadNotification{}
	case NotifyMessageLocationReceived:
		return &pb.SubscribeToMessageLocationReceivedNotification{}
	case NotifyMessageLocationSent:
		return &pb.SubscribeToMessageLocationSentNotification{}
	case NotifyMessageLocationSharingStart:
		return &pb.SubscribeToMessageLocationSharingStartNotification{}
	case NotifyMessageLocationSharingUpdate:
		return &pb.SubscribeToMessageLocationSharingUpdateNotification{}
	case NotifyMessageLocationSharingEnd:
		return &pb.SubscribeToMessageLocationSharingEndNotification{}
	case NotifyMessageReactionAdded:
		return &pb.SubscribeToMessageReactionAddedNotification{}
	case NotifyMessageReactionUpdated:
		return &pb.SubscribeToMessageReactionUpdatedNotification{}
	case NotifyMessageReactionRemoved:
		return &pb.SubscribeToMessageReactionRemovedNotification{}
	case NotifyAttachmentReceived:
		return &pb.SubscribeToAttachmentReceivedNotification{}
	case NotifyAttachmentUploaded:
		return &pb.SubscribeToAttachmentUploadedNotification{}
	case NotifyDiscussionNew:
		return &pb.SubscribeToDiscussionNewNotification{}
	case NotifyDiscussionLocked:
		return &pb.SubscribeToDiscussionLockedNotification{}
	case NotifyDiscussionTitleUpdated:
		return &pb.SubscribeToDiscussionTitleUpdatedNotification{}
	case NotifyDiscussionSettingsUpdated:
		return &pb.SubscribeToDiscussionSettingsUpdatedNotification{}
	case NotifyContactNew:
		return &pb.SubscribeToContactNewNotification{}
	case NotifyContactDeleted:
		return &pb.SubscribeToContactDeletedNotification{}
	case NotifyContactDetailsUpdated:
		return &pb.SubscribeToContactDetailsUpdatedNotification{}
	case NotifyContactPhotoUpdated:
		return &pb.SubscribeToContactPhotoUpdatedNotification{}
	case NotifyGroupNew:
		return &pb.SubscribeToGroupNewNotification{}
	case NotifyGroupDeleted:
		return &pb.SubscribeToGroupDeletedNotification{}
	case NotifyGroupNameUpdated:
		return &pb.SubscribeToGroupNameUpdatedNotification{}
	case NotifyGroupPhotoUpdated:
		return &pb.SubscribeToGroupPhotoUpdatedNotification{}
	case NotifyGroupDescriptionUpdated:
		return &pb.SubscribeToGroupDescriptionUpdatedNotification{}
	case NotifyGroupPendingMemberAdded:
		return &pb.SubscribeToGroupPendingMemberAddedNotification{}
	case NotifyGroupPendingMemberRemoved:
		return &pb.SubscribeToGroupPendingMemberRemovedNotification{}
	case NotifyGroupMemberJoined:
		return &pb.SubscribeToGroupMemberJoinedNotification{}
	case NotifyGroupMemberLeft:
		return &pb.SubscribeToGroupMemberLeftNotification{}
	case NotifyGroupOwnPermissionsUpdated:
		return &pb.SubscribeToGroupOwnPermissionsUpdatedNotification{}
	case NotifyGroupMemberPermissionsUpdated:
		return &pb.SubscribeToGroupMemberPermissionsUpdatedNotification{}
	case NotifyInvitationReceived:
		return &pb.SubscribeToInvitationReceivedNotification{}
	case NotifyInvitationSent:
		return &pb.SubscribeToInvitationSentNotification{}
	case NotifyInvitationDeleted:
		return &pb.SubscribeToInvitationDeletedNotification{}
	case NotifyInvitationUpdated:
		return &pb.SubscribeToInvitationUpdatedNotification{}
	case NotifyCallIncomingCall:
		return &pb.SubscribeToCallIncomingCallNotification{}
	case NotifyCallRinging:
		return &pb.SubscribeToCallRingingNotification{}
	case NotifyCallAccepted:
		return &pb.SubscribeToCallAcceptedNotification{}
	case NotifyCallDeclined:
		return &pb.SubscribeToCallDeclinedNotification{}
	case NotifyCallBusy:
		return &pb.SubscribeToCallBusyNotification{}
	case NotifyCallEnded:
		return &pb.SubscribeToCallEndedNotification{}
	}
	return nil
}

// MessageReceived: a message arrived in a discussion. It is the one notification that carries user messages (Messages), and the one the platform catches up after a reconnect.
type MessageReceived struct {
	*pb.MessageReceivedNotification
	// Chat is the message's discussion, filled in by the Platform; a
	// bare Client stream sets only its ID.
	Chat   bot.Chat
	Sender bot.Sender
	msgs   []bot.Message
}

// Type returns "MessageReceived".
func (*MessageReceived) Type() string { return string(NotifyMessageReceived) }

// MessageSent: the identity sent a message (through this or another client). It never carries user messages: the bot's own messages do not reach OnMessage.
type MessageSent struct {
	*pb.MessageSentNotification
	// Chat is the message's discussion, filled in by the Platform; a
	// bare Client stream sets only its ID.
	Chat bot.Chat
}

// Type returns "MessageSent".
func (*MessageSent) Type() string { return string(NotifyMessageSent) }

// MessageDeleted: a message was deleted, locally or by its sender for everyone.
type MessageDeleted struct {
	*pb.MessageDeletedNotification
	// Chat is the message's discussion, filled in by the Platform; a
	// bare Client stream sets only its ID.
	Chat bot.Chat
}

// Type returns "MessageDeleted".
func (*MessageDeleted) Type() string { return string(NotifyMessageDeleted) }

// MessageBodyUpdated: a message's body was edited by its sender; for inbound messages it carries the new version as an edited user message.
type MessageBodyUpdated struct {
	*pb.MessageBodyUpdatedNotification
	// Chat is the message's discussion, filled in by the Platform; a
	// bare Client stream sets only its ID.
	Chat   bot.Chat
	Sender bot.Sender
	msgs   []bot.Message
}

// Type returns "MessageBodyUpdated".
func (*MessageBodyUpdated) Type() string { return string(NotifyMessageBodyUpdated) }

// MessageUploaded: an outbound message reached the Olvid server.
type MessageUploaded struct {
	*pb.MessageUploadedNotification
	// Chat is the message's discussion, filled in by the Platform; a
	// bare Client stream sets only its ID.
	Chat bot.Chat
}

// Type returns "MessageUploaded".
func (*MessageUploaded) Type() string { return string(NotifyMessageUploaded) }

// MessageDelivered: an outbound message reached at least one recipient's device.
type MessageDelivered struct {
	*pb.MessageDeliveredNotification
	// Chat is the message's discussion, filled in by the Platform; a
	// bare Client stream sets only its ID.
	Chat bot.Chat
}

// Type returns "MessageDelivered".
func (*MessageDelivered) Type() string { return string(NotifyMessageDelivered) }

// MessageRead: an outbound message was read by at least one recipient.
type MessageRead struct {
	*pb.MessageReadNotification
	// Chat is the message's discussion, filled in by the Platform; a
	// bare Client stream sets only its ID.
	Chat bot.Chat
}

// Type returns "MessageRead".
func (*MessageRead) Type() string { return string(NotifyMessageRead) }

// MessageLocationReceived: a static location arrived (MessageReceived comes too).
type MessageLocationReceived struct {
	*pb.MessageLocationReceivedNotification
	// Chat is the message's discussion, filled in by the Platform; a
	// bare Client stream sets only its ID.
	Chat bot.Chat
}

// Type returns "MessageLocationReceived".
func (*MessageLocationReceived) Type() string { return string(NotifyMessageLocationReceived) }

// MessageLocationSent: the identity sent a static location (MessageSent comes too).
type MessageLocationSent struct {
	*pb.MessageLocationSentNotification
	// Chat is the message's discussion, filled in by the Platform; a
	// bare Client stream sets only its ID.
	Chat bot.Chat
}

// Type returns "MessageLocationSent".
func (*MessageLocationSent) Type() string { return string(NotifyMessageLocationSent) }

// MessageLocationSharingStart: a live location sharing started, inbound or outbound.
type MessageLocationSharingStart struct {
	*pb.MessageLocationSharingStartNotification
	// Chat is the message's discussion, filled in by the Platform; a
	// bare Client stream sets only its ID.
	Chat bot.Chat
}

// Type returns "MessageLocationSharingStart".
func (*MessageLocationSharingStart) Type() string { return string(NotifyMessageLocationSharingStart) }

// MessageLocationSharingUpdate: a live location sharing moved.
type MessageLocationSharingUpdate struct {
	*pb.MessageLocationSharingUpdateNotification
	// Chat is the message's discussion, filled in by the Platform; a
	// bare Client stream sets only its ID.
	Chat bot.Chat
}

// Type returns "MessageLocationSharingUpdate".
func (*MessageLocationSharingUpdate) Type() string { return string(NotifyMessageLocationSharingUpdate) }

// MessageLocationSharingEnd: a live location sharing ended.
type MessageLocationSharingEnd struct {
	*pb.MessageLocationSharingEndNotification
	// Chat is the message's discussion, filled in by the Platform; a
	// bare Client stream sets only its ID.
	Chat bot.Chat
}

// Type returns "MessageLocationSharingEnd".
func (*MessageLocationSharingEnd) Type() string { return string(NotifyMessageLocationSharingEnd) }

// MessageReactionAdded: someone, the identity included, reacted to a message.
type MessageReactionAdded struct {
	*pb.MessageReactionAddedNotification
	// Chat is the message's discussion, filled in by the Platform; a
	// bare Client stream sets only its ID.
	Chat bot.Chat
}

// Type returns "MessageReactionAdded".
func (*MessageReactionAdded) Type() string { return string(NotifyMessageReactionAdded) }

// MessageReactionUpdated: someone changed their reaction to a message.
type MessageReactionUpdated struct {
	*pb.MessageReactionUpdatedNotification
	// Chat is the message's discussion, filled in by the Platform; a
	// bare Client stream sets only its ID.
	Chat bot.Chat
}

// Type returns "MessageReactionUpdated".
func (*MessageReactionUpdated) Type() string { return string(NotifyMessageReactionUpdated) }

// MessageReactionRemoved: someone removed their reaction to a message.
type MessageReactionRemoved struct {
	*pb.MessageReactionRemovedNotification
	// Chat is the message's discussion, filled in by the Platform; a
	// bare Client stream sets only its ID.
	Chat bot.Chat
}

// Type returns "MessageReactionRemoved".
func (*MessageReactionRemoved) Type() string { return string(NotifyMessageReactionRemoved) }

// AttachmentReceived: an attachment arrived; one per file of a message.
type AttachmentReceived struct {
	*pb.AttachmentReceivedNotification
}

// Type returns "AttachmentReceived".
func (*AttachmentReceived) Type() string { return string(NotifyAttachmentReceived) }

// AttachmentUploaded: an attachment the identity sent reached the Olvid server.
type AttachmentUploaded struct {
	*pb.AttachmentUploadedNotification
}

// Type returns "AttachmentUploaded".
func (*AttachmentUploaded) Type() string { return string(NotifyAttachmentUploaded) }

// DiscussionNew: a discussion was created or reused: a new contact, a group joined.
type DiscussionNew struct {
	*pb.DiscussionNewNotification
}

// Type returns "DiscussionNew".
func (*DiscussionNew) Type() string { return string(NotifyDiscussionNew) }

// DiscussionLocked: a discussion was locked: its contact was removed or its group left or disbanded.
type DiscussionLocked struct {
	*pb.DiscussionLockedNotification
}

// Type returns "DiscussionLocked".
func (*DiscussionLocked) Type() string { return string(NotifyDiscussionLocked) }

// DiscussionTitleUpdated: a discussion's title changed.
type DiscussionTitleUpdated struct {
	*pb.DiscussionTitleUpdatedNotification
}

// Type returns "DiscussionTitleUpdated".
func (*DiscussionTitleUpdated) Type() string { return string(NotifyDiscussionTitleUpdated) }

// DiscussionSettingsUpdated: a discussion's shared settings changed.
type DiscussionSettingsUpdated struct {
	*pb.DiscussionSettingsUpdatedNotification
}

// Type returns "DiscussionSettingsUpdated".
func (*DiscussionSettingsUpdated) Type() string { return string(NotifyDiscussionSettingsUpdated) }

// ContactNew: a contact was added to the contact book.
type ContactNew struct {
	*pb.ContactNewNotification
}

// Type returns "ContactNew".
func (*ContactNew) Type() string { return string(NotifyContactNew) }

// ContactDeleted: a contact was removed from the contact book.
type ContactDeleted struct {
	*pb.ContactDeletedNotification
}

// Type returns "ContactDeleted".
func (*ContactDeleted) Type() string { return string(NotifyContactDeleted) }

// ContactDetailsUpdated: a contact changed their details (and so their display name).
type ContactDetailsUpdated struct {
	*pb.ContactDetailsUpdatedNotification
}

// Type returns "ContactDetailsUpdated".
func (*ContactDetailsUpdated) Type() string { return string(NotifyContactDetailsUpdated) }

// ContactPhotoUpdated: a contact changed their picture.
type ContactPhotoUpdated struct {
	*pb.ContactPhotoUpdatedNotification
}

// Type returns "ContactPhotoUpdated".
func (*ContactPhotoUpdated) Type() string { return string(NotifyContactPhotoUpdated) }

// GroupNew: the identity joined a group: it created one, accepted an invitation, or a directory added it.
type GroupNew struct {
	*pb.GroupNewNotification
	// Chat is the group's discussion, filled in by the Platform (a bare
	// Client stream leaves it empty).
	Chat bot.Chat
}

// Type returns "GroupNew".
func (*GroupNew) Type() string { return string(NotifyGroupNew) }

// GroupDeleted: the identity is no longer in a group: it left, was removed, or the group was disbanded.
type GroupDeleted struct {
	*pb.GroupDeletedNotification
	// Chat is the group's discussion, filled in by the Platform (a bare
	// Client stream leaves it empty).
	Chat bot.Chat
}

// Type returns "GroupDeleted".
func (*GroupDeleted) Type() string { return string(NotifyGroupDeleted) }

// GroupNameUpdated: a group was renamed.
type GroupNameUpdated struct {
	*pb.GroupNameUpdatedNotification
	// Chat is the group's discussion, filled in by the Platform (a bare
	// Client stream leaves it empty).
	Chat bot.Chat
}

// Type returns "GroupNameUpdated".
func (*GroupNameUpdated) Type() string { return string(NotifyGroupNameUpdated) }

// GroupPhotoUpdated: a group's picture changed.
type GroupPhotoUpdated struct {
	*pb.GroupPhotoUpdatedNotification
	// Chat is the group's discussion, filled in by the Platform (a bare
	// Client stream leaves it empty).
	Chat bot.Chat
}

// Type returns "GroupPhotoUpdated".
func (*GroupPhotoUpdated) Type() string { return string(NotifyGroupPhotoUpdated) }

// GroupDescriptionUpdated: a group's description changed.
type GroupDescriptionUpdated struct {
	*pb.GroupDescriptionUpdatedNotification
	// Chat is the group's discussion, filled in by the Platform (a bare
	// Client stream leaves it empty).
	Chat bot.Chat
}

// Type returns "GroupDescriptionUpdated".
func (*GroupDescriptionUpdated) Type() string { return string(NotifyGroupDescriptionUpdated) }

// GroupPendingMemberAdded: someone was invited to a group and has not joined yet.
type GroupPendingMemberAdded struct {
	*pb.GroupPendingMemberAddedNotification
	// Chat is the group's discussion, filled in by the Platform (a bare
	// Client stream leaves it empty).
	Chat bot.Chat
}

// Type returns "GroupPendingMemberAdded".
func (*GroupPendingMemberAdded) Type() string { return string(NotifyGroupPendingMemberAdded) }

// GroupPendingMemberRemoved: a pending member joined, declined, or was taken off.
type GroupPendingMemberRemoved struct {
	*pb.GroupPendingMemberRemovedNotification
	// Chat is the group's discussion, filled in by the Platform (a bare
	// Client stream leaves it empty).
	Chat bot.Chat
}

// Type returns "GroupPendingMemberRemoved".
func (*GroupPendingMemberRemoved) Type() string { return string(NotifyGroupPendingMemberRemoved) }

// GroupMemberJoined: a member joined a group.
type GroupMemberJoined struct {
	*pb.GroupMemberJoinedNotification
	// Chat is the group's discussion, filled in by the Platform (a bare
	// Client stream leaves it empty).
	Chat bot.Chat
}

// Type returns "GroupMemberJoined".
func (*GroupMemberJoined) Type() string { return string(NotifyGroupMemberJoined) }

// GroupMemberLeft: a member left a group or was removed.
type GroupMemberLeft struct {
	*pb.GroupMemberLeftNotification
	// Chat is the group's discussion, filled in by the Platform (a bare
	// Client stream leaves it empty).
	Chat bot.Chat
}

// Type returns "GroupMemberLeft".
func (*GroupMemberLeft) Type() string { return string(NotifyGroupMemberLeft) }

// GroupOwnPermissionsUpdated: the identity's permissions in a group changed.
type GroupOwnPermissionsUpdated struct {
	*pb.GroupOwnPermissionsUpdatedNotification
	// Chat is the group's discussion, filled in by the Platform (a bare
	// Client stream leaves it empty).
	Chat bot.Chat
}

// Type returns "GroupOwnPermissionsUpdated".
func (*GroupOwnPermissionsUpdated) Type() string { return string(NotifyGroupOwnPermissionsUpdated) }

// GroupMemberPermissionsUpdated: a member's permissions in a group changed.
type GroupMemberPermissionsUpdated struct {
	*pb.GroupMemberPermissionsUpdatedNotification
	// Chat is the group's discussion, filled in by the Platform (a bare
	// Client stream leaves it empty).
	Chat bot.Chat
}

// Type returns "GroupMemberPermissionsUpdated".
func (*GroupMemberPermissionsUpdated) Type() string {
	return string(NotifyGroupMemberPermissionsUpdated)
}

// InvitationReceived: someone invites the identity: to become contacts, through an introduction, to a one-to-one discussion, or to a group. Those that wait for the bot are requests (bot.Request) that AcceptRequest accepts; others are passed on as InvitationReceived too, with a RequestInfo of kind 0 (see Waiting).
type InvitationReceived struct {
	*pb.InvitationReceivedNotification
}

// Type returns "InvitationReceived".
func (*InvitationReceived) Type() string { return string(NotifyInvitationReceived) }

// InvitationSent: the identity started an invitation.
type InvitationSent struct {
	*pb.InvitationSentNotification
}

// Type returns "InvitationSent".
func (*InvitationSent) Type() string { return string(NotifyInvitationSent) }

// InvitationDeleted: an invitation ended, was aborted or deleted.
type InvitationDeleted struct {
	*pb.InvitationDeletedNotification
}

// Type returns "InvitationDeleted".
func (*InvitationDeleted) Type() string { return string(NotifyInvitationDeleted) }

// InvitationUpdated: an invitation moved to a new protocol step.
type InvitationUpdated struct {
	*pb.InvitationUpdatedNotification
}

// Type returns "InvitationUpdated".
func (*InvitationUpdated) Type() string { return string(NotifyInvitationUpdated) }

// CallIncomingCall: someone calls the identity; the daemon answers busy.
type CallIncomingCall struct {
	*pb.CallIncomingCallNotification
}

// Type returns "CallIncomingCall".
func (*CallIncomingCall) Type() string { return string(NotifyCallIncomingCall) }

// CallRinging: a participant's phone rings, for a call the identity started.
type CallRinging struct {
	*pb.CallRingingNotification
}

// Type returns "CallRinging".
func (*CallRinging) Type() string { return string(NotifyCallRinging) }

// CallAccepted: a participant accepted a call the identity started (the daemon hangs up).
type CallAccepted struct {
	*pb.CallAcceptedNotification
}

// Type returns "CallAccepted".
func (*CallAccepted) Type() string { return string(NotifyCallAccepted) }

// CallDeclined: a participant declined a call the identity started.
type CallDeclined struct {
	*pb.CallDeclinedNotification
}

// Type returns "CallDeclined".
func (*CallDeclined) Type() string { return string(NotifyCallDeclined) }

// CallBusy: a participant was busy, for a call the identity started.
type CallBusy struct {
	*pb.CallBusyNotification
}

// Type returns "CallBusy".
func (*CallBusy) Type() string { return string(NotifyCallBusy) }

// CallEnded: every participant left or declined a call.
type CallEnded struct {
	*pb.CallEndedNotification
}

// Type returns "CallEnded".
func (*CallEnded) Type() string { return string(NotifyCallEnded) }

// The chat keys: one lane per discussion; contacts and invitations share
// the bot's common lane.

// ChatKey returns the key of the message's discussion.
func (e *MessageReceived) ChatKey() string { return chatKey(e.GetMessage().GetDiscussionId()) }

// ChatKey returns the key of the message's discussion.
func (e *MessageSent) ChatKey() string { return chatKey(e.GetMessage().GetDiscussionId()) }

// ChatKey returns the key of the message's discussion.
func (e *MessageDeleted) ChatKey() string { return chatKey(e.GetMessage().GetDiscussionId()) }

// ChatKey returns the key of the message's discussion.
func (e *MessageBodyUpdated) ChatKey() string { return chatKey(e.GetMessage().GetDiscussionId()) }

// ChatKey returns the key of the message's discussion.
func (e *MessageUploaded) ChatKey() string { return chatKey(e.GetMessage().GetDiscussionId()) }

// ChatKey returns the key of the message's discussion.
func (e *MessageDelivered) ChatKey() string { return chatKey(e.GetMessage().GetDiscussionId()) }

// ChatKey returns the key of the message's discussion.
func (e *MessageRead) ChatKey() string { return chatKey(e.GetMessage().GetDiscussionId()) }

// ChatKey returns the key of the message's discussion.
func (e *MessageLocationReceived) ChatKey() string { return chatKey(e.GetMessage().GetDiscussionId()) }

// ChatKey returns the key of the message's discussion.
func (e *MessageLocationSent) ChatKey() string { return chatKey(e.GetMessage().GetDiscussionId()) }

// ChatKey returns the key of the message's discussion.
func (e *MessageLocationSharingStart) ChatKey() string {
	return chatKey(e.GetMessage().GetDiscussionId())
}

// ChatKey returns the key of the message's discussion.
func (e *MessageLocationSharingUpdate) ChatKey() string {
	return chatKey(e.GetMessage().GetDiscussionId())
}

// ChatKey returns the key of the message's discussion.
func (e *MessageLocationSharingEnd) ChatKey() string {
	return chatKey(e.GetMessage().GetDiscussionId())
}

// ChatKey returns the key of the message's discussion.
func (e *MessageReactionAdded) ChatKey() string { return chatKey(e.GetMessage().GetDiscussionId()) }

// ChatKey returns the key of the message's discussion.
func (e *MessageReactionUpdated) ChatKey() string { return chatKey(e.GetMessage().GetDiscussionId()) }

// ChatKey returns the key of the message's discussion.
func (e *MessageReactionRemoved) ChatKey() string { return chatKey(e.GetMessage().GetDiscussionId()) }

// ChatKey returns the key of the attachment's discussion.
func (e *AttachmentReceived) ChatKey() string { return chatKey(e.GetAttachment().GetDiscussionId()) }

// ChatKey returns the key of the attachment's discussion.
func (e *AttachmentUploaded) ChatKey() string { return chatKey(e.GetAttachment().GetDiscussionId()) }

// ChatKey returns the discussion's key.
func (e *DiscussionNew) ChatKey() string { return chatKey(e.GetDiscussion().GetId()) }

// ChatKey returns the discussion's key.
func (e *DiscussionLocked) ChatKey() string { return chatKey(e.GetDiscussion().GetId()) }

// ChatKey returns the discussion's key.
func (e *DiscussionTitleUpdated) ChatKey() string { return chatKey(e.GetDiscussion().GetId()) }

// ChatKey returns the discussion's key.
func (e *DiscussionSettingsUpdated) ChatKey() string { return chatKey(e.GetDiscussion().GetId()) }

// ChatKey returns the key of the group's discussion once the Platform
// resolved it, else one of the group's own.
func (e *GroupNew) ChatKey() string { return groupKey(e.Chat, e.GetGroup().GetId()) }

// ChatKey returns the key of the group's discussion once the Platform
// resolved it, else one of the group's own.
func (e *GroupDeleted) ChatKey() string { return groupKey(e.Chat, e.GetGroup().GetId()) }

// ChatKey returns the key of the group's discussion once the Platform
// resolved it, else one of the group's own.
func (e *GroupNameUpdated) ChatKey() string { return groupKey(e.Chat, e.GetGroup().GetId()) }

// ChatKey returns the key of the group's discussion once the Platform
// resolved it, else one of the group's own.
func (e *GroupPhotoUpdated) ChatKey() string { return groupKey(e.Chat, e.GetGroup().GetId()) }

// ChatKey returns the key of the group's discussion once the Platform
// resolved it, else one of the group's own.
func (e *GroupDescriptionUpdated) ChatKey() string { return groupKey(e.Chat, e.GetGroup().GetId()) }

// ChatKey returns the key of the group's discussion once the Platform
// resolved it, else one of the group's own.
func (e *GroupPendingMemberAdded) ChatKey() string { return groupKey(e.Chat, e.GetGroup().GetId()) }

// ChatKey returns the key of the group's discussion once the Platform
// resolved it, else one of the group's own.
func (e *GroupPendingMemberRemoved) ChatKey() string { return groupKey(e.Chat, e.GetGroup().GetId()) }

// ChatKey returns the key of the group's discussion once the Platform
// resolved it, else one of the group's own.
func (e *GroupMemberJoined) ChatKey() string { return groupKey(e.Chat, e.GetGroup().GetId()) }

// ChatKey returns the key of the group's discussion once the Platform
// resolved it, else one of the group's own.
func (e *GroupMemberLeft) ChatKey() string { return groupKey(e.Chat, e.GetGroup().GetId()) }

// ChatKey returns the key of the group's discussion once the Platform
// resolved it, else one of the group's own.
func (e *GroupOwnPermissionsUpdated) ChatKey() string { return groupKey(e.Chat, e.GetGroup().GetId()) }

// ChatKey returns the key of the group's discussion once the Platform
// resolved it, else one of the group's own.
func (e *GroupMemberPermissionsUpdated) ChatKey() string {
	return groupKey(e.Chat, e.GetGroup().GetId())
}

// The decoders check what the platform relies on and keep the rest.

func decodeMessageDeleted(n *pb.MessageDeletedNotification) bot.Event {
	if why := checkMessage(n.GetMessage(), 0); why != "" {
		return newUnknown(NotifyMessageDeleted, n, why)
	}
	return &MessageDeleted{MessageDeletedNotification: n, Chat: bareChat(n.GetMessage())}
}

func decodeMessageUploaded(n *pb.MessageUploadedNotification) bot.Event {
	if why := checkMessage(n.GetMessage(), 0); why != "" {
		return newUnknown(NotifyMessageUploaded, n, why)
	}
	return &MessageUploaded{MessageUploadedNotification: n, Chat: bareChat(n.GetMessage())}
}

func decodeMessageDelivered(n *pb.MessageDeliveredNotification) bot.Event {
	if why := checkMessage(n.GetMessage(), 0); why != "" {
		return newUnknown(NotifyMessageDelivered, n, why)
	}
	return &MessageDelivered{MessageDeliveredNotification: n, Chat: bareChat(n.GetMessage())}
}

func decodeMessageRead(n *pb.MessageReadNotification) bot.Event {
	if why := checkMessage(n.GetMessage(), 0); why != "" {
		return newUnknown(NotifyMessageRead, n, why)
	}
	return &MessageRead{MessageReadNotification: n, Chat: bareChat(n.GetMessage())}
}

func decodeMessageLocationReceived(n *pb.MessageLocationReceivedNotification) bot.Event {
	if why := checkMessage(n.GetMessage(), 0); why != "" {
		return newUnknown(NotifyMessageLocationReceived, n, why)
	}
	return &MessageLocationReceived{MessageLocationReceivedNotification: n, Chat: bareChat(n.GetMessage())}
}

func decodeMessageLocationSent(n *pb.MessageLocationSentNotification) bot.Event {
	if why := checkMessage(n.GetMessage(), 0); why != "" {
		return newUnknown(NotifyMessageLocationSent, n, why)
	}
	return &MessageLocationSent{MessageLocationSentNotification: n, Chat: bareChat(n.GetMessage())}
}

func decodeMessageLocationSharingStart(n *pb.MessageLocationSharingStartNotification) bot.Event {
	if why := checkMessage(n.GetMessage(), 0); why != "" {
		return newUnknown(NotifyMessageLocationSharingStart, n, why)
	}
	return &MessageLocationSharingStart{MessageLocationSharingStartNotification: n, Chat: bareChat(n.GetMessage())}
}

func decodeMessageLocationSharingUpdate(n *pb.MessageLocationSharingUpdateNotification) bot.Event {
	if why := checkMessage(n.GetMessage(), 0); why != "" {
		return newUnknown(NotifyMessageLocationSharingUpdate, n, why)
	}
	return &MessageLocationSharingUpdate{MessageLocationSharingUpdateNotification: n, Chat: bareChat(n.GetMessage())}
}

func decodeMessageLocationSharingEnd(n *pb.MessageLocationSharingEndNotification) bot.Event {
	if why := checkMessage(n.GetMessage(), 0); why != "" {
		return newUnknown(NotifyMessageLocationSharingEnd, n, why)
	}
	return &MessageLocationSharingEnd{MessageLocationSharingEndNotification: n, Chat: bareChat(n.GetMessage())}
}

func decodeMessageReactionAdded(n *pb.MessageReactionAddedNotification) bot.Event {
	if why := checkMessage(n.GetMessage(), 0); why != "" {
		return newUnknown(NotifyMessageReactionAdded, n, why)
	}
	return &MessageReactionAdded{MessageReactionAddedNotification: n, Chat: bareChat(n.GetMessage())}
}

func decodeMessageReactionUpdated(n *pb.MessageReactionUpdatedNotification) bot.Event {
	if why := checkMessage(n.GetMessage(), 0); why != "" {
		return newUnknown(NotifyMessageReactionUpdated, n, why)
	}
	return &MessageReactionUpdated{MessageReactionUpdatedNotification: n, Chat: bareChat(n.GetMessage())}
}

func decodeMessageReactionRemoved(n *pb.MessageReactionRemovedNotification) bot.Event {
	if why := checkMessage(n.GetMessage(), 0); why != "" {
		return newUnknown(NotifyMessageReactionRemoved, n, why)
	}
	return &MessageReactionRemoved{MessageReactionRemovedNotification: n, Chat: bareChat(n.GetMessage())}
}

func decodeAttachmentReceived(n *pb.AttachmentReceivedNotification) bot.Event {
	return &AttachmentReceived{AttachmentReceivedNotification: n}
}

func decodeAttachmentUploaded(n *pb.AttachmentUploadedNotification) bot.Event {
	return &AttachmentUploaded{AttachmentUploadedNotification: n}
}

func decodeDiscussionNew(n *pb.DiscussionNewNotification) bot.Event {
	return &DiscussionNew{DiscussionNewNotification: n}
}

func decodeDiscussionLocked(n *pb.DiscussionLockedNotification) bot.Event {
	return &DiscussionLocked{DiscussionLockedNotification: n}
}

func decodeDiscussionTitleUpdated(n *pb.DiscussionTitleUpdatedNotification) bot.Event {
	return &DiscussionTitleUpdated{DiscussionTitleUpdatedNotification: n}
}

func decodeDiscussionSettingsUpdated(n *pb.DiscussionSettingsUpdatedNotification) bot.Event {
	return &DiscussionSettingsUpdated{DiscussionSettingsUpdatedNotification: n}
}

func decodeContactNew(n *pb.ContactNewNotification) bot.Event {
	return &ContactNew{ContactNewNotification: n}
}

func decodeContactDeleted(n *pb.ContactDeletedNotification) bot.Event {
	return &ContactDeleted{ContactDeletedNotification: n}
}

func decodeContactDetailsUpdated(n *pb.ContactDetailsUpdatedNotification) bot.Event {
	return &ContactDetailsUpdated{ContactDetailsUpdatedNotification: n}
}

func decodeContactPhotoUpdated(n *pb.ContactPhotoUpdatedNotification) bot.Event {
	return &ContactPhotoUpdated{ContactPhotoUpdatedNotification: n}
}

func decodeGroupNew(n *pb.GroupNewNotification) bot.Event {
	if n.GetGroup().GetId() == 0 {
		return newUnknown(NotifyGroupNew, n, "no group id")
	}
	return &GroupNew{GroupNewNotification: n}
}

func decodeGroupDeleted(n *pb.GroupDeletedNotification) bot.Event {
	if n.GetGroup().GetId() == 0 {
		return newUnknown(NotifyGroupDeleted, n, "no group id")
	}
	return &GroupDeleted{GroupDeletedNotification: n}
}

func decodeGroupNameUpdated(n *pb.GroupNameUpdatedNotification) bot.Event {
	if n.GetGroup().GetId() == 0 {
		return newUnknown(NotifyGroupNameUpdated, n, "no group id")
	}
	return &GroupNameUpdated{GroupNameUpdatedNotification: n}
}

func decodeGroupPhotoUpdated(n *pb.GroupPhotoUpdatedNotification) bot.Event {
	if n.GetGroup().GetId() == 0 {
		return newUnknown(NotifyGroupPhotoUpdated, n, "no group id")
	}
	return &GroupPhotoUpdated{GroupPhotoUpdatedNotification: n}
}

func decodeGroupDescriptionUpdated(n *pb.GroupDescriptionUpdatedNotification) bot.Event {
	if n.GetGroup().GetId() == 0 {
		return newUnknown(NotifyGroupDescriptionUpdated, n, "no group id")
	}
	return &GroupDescriptionUpdated{GroupDescriptionUpdatedNotification: n}
}

func decodeGroupPendingMemberAdded(n *pb.GroupPendingMemberAddedNotification) bot.Event {
	if n.GetGroup().GetId() == 0 {
		return newUnknown(NotifyGroupPendingMemberAdded, n, "no group id")
	}
	return &GroupPendingMemberAdded{GroupPendingMemberAddedNotification: n}
}

func decodeGroupPendingMemberRemoved(n *pb.GroupPendingMemberRemovedNotification) bot.Event {
	if n.GetGroup().GetId() == 0 {
		return newUnknown(NotifyGroupPendingMemberRemoved, n, "no group id")
	}
	return &GroupPendingMemberRemoved{GroupPendingMemberRemovedNotification: n}
}

func decodeGroupMemberJoined(n *pb.GroupMemberJoinedNotification) bot.Event {
	if n.GetGroup().GetId() == 0 {
		return newUnknown(NotifyGroupMemberJoined, n, "no group id")
	}
	return &GroupMemberJoined{GroupMemberJoinedNotification: n}
}

func decodeGroupMemberLeft(n *pb.GroupMemberLeftNotification) bot.Event {
	if n.GetGroup().GetId() == 0 {
		return newUnknown(NotifyGroupMemberLeft, n, "no group id")
	}
	return &GroupMemberLeft{GroupMemberLeftNotification: n}
}

func decodeGroupOwnPermissionsUpdated(n *pb.GroupOwnPermissionsUpdatedNotification) bot.Event {
	if n.GetGroup().GetId() == 0 {
		return newUnknown(NotifyGroupOwnPermissionsUpdated, n, "no group id")
	}
	return &GroupOwnPermissionsUpdated{GroupOwnPermissionsUpdatedNotification: n}
}

func decodeGroupMemberPermissionsUpdated(n *pb.GroupMemberPermissionsUpdatedNotification) bot.Event {
	if n.GetGroup().GetId() == 0 {
		return newUnknown(NotifyGroupMemberPermissionsUpdated, n, "no group id")
	}
	return &GroupMemberPermissionsUpdated{GroupMemberPermissionsUpdatedNotification: n}
}

func decodeInvitationSent(n *pb.InvitationSentNotification) bot.Event {
	if n.GetInvitation().GetId() == 0 {
		return newUnknown(NotifyInvitationSent, n, "no invitation id")
	}
	return &InvitationSent{InvitationSentNotification: n}
}

func decodeInvitationDeleted(n *pb.InvitationDeletedNotification) bot.Event {
	if n.GetInvitation().GetId() == 0 {
		return newUnknown(NotifyInvitationDeleted, n, "no invitation id")
	}
	return &InvitationDeleted{InvitationDeletedNotification: n}
}

func decodeInvitationUpdated(n *pb.InvitationUpdatedNotification) bot.Event {
	if n.GetInvitation().GetId() == 0 {
		return newUnknown(NotifyInvitationUpdated, n, "no invitation id")
	}
	return &InvitationUpdated{InvitationUpdatedNotification: n}
}

func decodeCallIncomingCall(n *pb.CallIncomingCallNotification) bot.Event {
	return &CallIncomingCall{CallIncomingCallNotification: n}
}

func decodeCallRinging(n *pb.CallRingingNotification) bot.Event {
	return &CallRinging{CallRingingNotification: n}
}

func decodeCallAccepted(n *pb.CallAcceptedNotification) bot.Event {
	return &CallAccepted{CallAcceptedNotification: n}
}

func decodeCallDeclined(n *pb.CallDeclinedNotification) bot.Event {
	return &CallDeclined{CallDeclinedNotification: n}
}

func decodeCallBusy(n *pb.CallBusyNotification) bot.Event { return &CallBusy{CallBusyNotification: n} }

func decodeCallEnded(n *pb.CallEndedNotification) bot.Event {
	return &CallEnded{CallEndedNotification: n}
}
