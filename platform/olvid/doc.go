// Package olvid connects Parley bots to Olvid through the Olvid bot
// daemon's gRPC API (olvid/bot-daemon, port 50051 by default).
//
// # Wire
//
// The daemon's protocol is in proto/ as .proto files with the daemon's
// package names, so full method names on the wire match its own
// ("/olvid.daemon.services.v1.MessageCommandService/MessageSend"); the
// generated Go code is package olvidpb. Every call and stream carries the
// "daemon-client-key" metadata, and "daemon-identity-id" for admin keys
// (WithClientKey, WithIdentityID). Plaintext is the daemon's default; TLS
// and mutual TLS are WithTLS and LoadTLS, and a plaintext connection to a
// non-loopback daemon is logged as a warning.
//
// # Commands
//
// Client has one method per command with its fixed response type
// (SendMessage, SendWithAttachments through the client-streaming upload,
// React, UpdateBody, DeleteMessage, ListMessages, discussions, contacts,
// groups, invitations with AcceptInvitation and InvitationSAS, identity,
// settings with the read-modify-write UpdateIdentitySettings). Failures
// are *Error values carrying the gRPC status code; test them with
// errors.Is and the sentinels (ErrNotFound, ErrInvalidArgument,
// ErrUnauthenticated, ErrUnavailable, …).
//
// # Events
//
// Every notification is one server-streaming RPC and one Go type
// (MessageReceived, MessageSent, InvitationReceived, GroupMemberJoined, …,
// 46 in all; see Notification). Each embeds the generated notification
// and implements bot.Event; message events have a ChatKey per discussion
// ("olvid:<discussion id>"); MessageReceived has Messages and a DedupeKey
// per message id ("olvid:i42"); InvitationReceived is a bot.Request; group
// membership events are bot.GroupChanger. The bot's own messages arrive as
// MessageSent, which carries no user messages, so they never reach
// OnMessage. A notification missing what its type needs is an *Unknown.
//
// # Platform
//
// Platform opens the streams of DefaultNotifications (messages,
// discussions, contacts, groups, invitations; more with
// WithNotifications). The daemon's streams have no replay, and the
// official clients stop when one fails; Platform reopens them all with
// backoff, and after each opening catches up: each discussion it knows
// from its last handled message on, discussions that appeared meanwhile
// from their start, then MessageList{unread: true}, with every message
// deduplicated by its id, through the kit's Delivery (positions are
// inbound message ids, per discussion, kept in the store). Chat ids are
// discussion ids ("12"); message ids are "i42" (inbound) and "o7"
// (outbound), see MessageID.
//
// # Resuming and crashes
//
// The daemon's read markers are its own: a message counts as read once it
// was listed or notified to any client, and the API has no call to mark
// one read. So a bot without a store (or a memory store, after a
// restart) still gets everything that arrived while no client was
// connected, from MessageList{unread: true}, but a message notified to a
// process that was killed before handling it is read for the daemon and
// is lost to such a bot: at most the events queued in the killed process.
// With a store, the per-discussion positions (which stay below a message
// whose handler failed to deliver a command, see bot.Undelivered) bring
// those back. Start-up logs the resume source: stored cursors, server
// read markers (the unread list) or none.
//
// A reply quotes its message (reply_id). Before a catch-up passes on a
// message again, it looks for a message of the bot quoting it in the
// discussion; one that has such a reply is skipped (Stats.Replied, logged
// at debug), so a restart after a kill between the reply and the saved
// position does not answer twice. A text send whose outcome is unknown (a
// dropped connection with the call in flight) is reconciled once the
// connection is back: a message of the bot in the discussion with the
// same body and quote, newer than the last one the process sent there,
// is taken as the one sent (Stats.Reconciled), so the handler succeeds
// and nothing is sent twice. A message whose handler was told it failed
// to deliver a command (bot.Undelivered; these are kept in the store with
// the positions) is passed on again all the same, as the handler was
// told. Sends with files are not reconciled; answers that do not quote,
// and replies in other discussions, cannot be told apart after a restart
// and are sent again.
//
// # Groups and moderation
//
// Group permissions map onto roles (RoleOf, PermissionsFor): admin,
// moderator (may delete anyone's messages), member, observer (may not
// send). The Platform deletes messages everywhere (bot.Deleter), removes
// members and changes roles with GroupUpdate (bot.MemberRemover,
// bot.RoleSetter) and writes to a contact directly (SendDirect,
// bot.PrivateSender); Olvid has no blocking. Olvid does not say who
// invited the bot: the BotJoined of a new group names its only admin as
// the owner (By).
package olvid
