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
// backoff, and after each opening catches up through the kit's Delivery,
// with every message deduplicated by its id: each discussion with a
// position from there on, each discussion without one from its start
// position, then MessageList{unread: true} as a safety net. Chat ids are
// discussion ids ("12"); message ids are "i42" (inbound) and "o7"
// (outbound), see MessageID; positions are inbound message ids.
//
// The daemon numbers inbound messages in one sequence across discussions
// and notifies them in that order. The first catch-up of an identity
// (kept in the store) lists the unread messages, then every inbound one:
// the newest is the start base, lowered to just before the first message
// a stream of the process received if that is older (the listing comes
// after the streams opened, since listing counts a message read, so it
// may name messages notified meanwhile). A discussion without a position
// starts at its first message unread at that listing, or else just past
// the base; so a message notified on a stream that dropped before passing
// it on is found again even in a discussion the bot never saw a message
// of. Invitations waiting for the bot are listed at each catch-up too
// (InvitationList) and those this process has not passed on yet are
// passed on as InvitationReceived (Stats.Pending): the daemon notifies an
// invitation once, so one pending before the bot connected would
// otherwise never show.
//
// # Resuming and crashes
//
// The daemon's read markers are its own: a message counts as read once it
// was listed or notified to a client, and the API has no call to mark one
// read. So a bot without a store (or a memory store, after a restart)
// gets everything that arrived while no client was connected from
// MessageList{unread: true}. What the daemon had notified to a process
// that died (in flight, in its buffers and queue, being handled, or
// written to its streams before the daemon saw the connection close) is
// read for the daemon all the same. A start without stored positions
// therefore also takes the read messages of each discussion that came
// after the bot's last message there, and at most a minute before the
// last process was last notified (the newest read message older than the
// first unread one and than the first this process received)
// (Stats.Recovered). Those the bot replied to are skipped (see below); a
// handler that answers nothing may see a message of that minute twice: a
// second handling is better than a loss. With a store, the per-discussion
// positions (which stay below a message whose handler failed to deliver a
// command, see bot.Undelivered) bring such messages back exactly. Start-up
// logs the resume source: stored cursors, server read markers (the unread
// list) or none.
//
// A listing whose answer a dropped connection cut off has made its
// messages read too: when that is the first unread listing of the
// identity, the messages stamped since the platform was made (less a
// minute for the clocks) are taken as unread instead; an older one it
// named is lost, and one read in that minute before the start is passed
// on again unless a reply of the bot quotes it.
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
// and nothing is sent twice. The daemon carries out a command that
// reached it even when the connection is gone, possibly after that
// listing: a send not found stays unknown to its handler and is looked
// for again before the same send is made again. A message whose handler
// was told it failed to deliver a command (bot.Undelivered; these are
// kept in the store with the positions) is passed on again all the same,
// as the handler was told: at once while the streams stay open (a call
// that timed out, say; when it fails again, after a wait that doubles up
// to 30s), else by the next catch-up; when a reply of the bot quotes it already, the
// handler's replies to it are looked for in the discussion before they
// are sent, so a restart does not answer twice either. A send that lands
// after even that second look is sent twice. Sends with files are not
// reconciled; answers that do not quote, and replies in other
// discussions, cannot be told apart after a restart and are sent again.
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
