// Package tada connects Parley bots to Tada.team: one WebSocket per team
// (/messaging/{team_uid}, token header) carrying
// {"event","params","confirm_id"} frames, and the REST API under /api/v4
// with its {"ok","result","error"} envelope.
//
// # Events
//
// DecodeFrame turns a frame into a typed event: every server event of the
// protocol has a Go type (MessageUpdated, ChatUpdated, ContactUpdated,
// CallState, Online, Time, …), and anything else becomes an *Unknown that
// keeps the raw frame and is counted.
//
// The Platform does not hand server.message.updated to handlers as it is.
// Each message in it becomes one of NewMessage (delayed false: a new
// message; it reaches OnMessage), MessageEdited (a new text; Edited set),
// MessageDeleted (content type "deleted") or MessageChanged (reactions,
// receipts and other silent updates). The bot's own messages (from equal
// to its JID from GET /api/v4/teams/{team}) and versions seen already are
// dropped: a message_id is kept at its highest gentime. A team member the
// bot had not seen is a ContactJoined, which implements bot.Request so
// that AutoAccept can greet newcomers; Tada has no contact requests.
// Chat keys are "tada:<chat jid>"; JID prefixes give the chat kind (d-
// direct, g- group, t- task, m- meeting, th- thread).
//
// # Groups and moderation
//
// Tada sends whole chats, not membership changes: the Platform compares
// each server.chat.updated group with what it knew (kept in the store, so
// changes made while the bot was away are found at the next start-up) and
// emits a GroupChanged (bot.GroupChanger): the bot added, with its status
// as role and the group's owner as By, promoted, demoted or removed, and
// members joining, leaving or changing status. The Platform can delete
// any message of a group it administers (bot.Deleter), remove members
// (bot.MemberRemover) and write to a person directly (SendDirect,
// bot.PrivateSender); the API has no blocking and no status change.
//
// # Confirms, both ways
//
// server.message.updated is answered with client.confirm as soon as it is
// read (with catch-up on, the default): the message is in the chat's
// history, and the REST catch-up after a reconnect or restart fetches it
// if the bot never handled it, so the server is not left to send a busy
// bot's whole backlog again on every reconnect. Any other event that
// carries a confirm_id is answered only after emit returned, that is
// once it is in the bot's queue: such an event lost in a crash is not
// confirmed, and the server sends it again. Every
// client event the Client sends carries a confirm_id and is sent again
// every resend_timeout (from /features.json) until server.confirm comes;
// messages carry a client-made message_id, so a repeat changes the same
// message rather than making a second. server.warning is logged and
// counted; one that names a pending client event fails it with a
// *WarningError. client.ping goes every ping interval, and a late confirm
// reopens the connection. server.panic (a bad token or team) ends Listen
// with a *PanicError instead of reconnecting forever.
//
// The socket is read whatever the bot's pace: frames wait in a queue of
// up to WithEventBuffer (65,536); past it they are dropped and counted
// (ClientStats.Overflow), and the Platform then lists contacts and
// groups again, catches every chat up over REST and confirms the dropped
// frames, all on the same connection.
//
// # Nothing lost, nothing twice
//
// The WebSocket has no resume. After every (re)connect and after a
// restart, the Platform asks each chat for the message versions after its
// stored position (GET …/messages/{chat}?gentime_from=), with gentime as
// the position of the shared platform kit; a chat it never saw starts at
// the newest version the bot saw on its very first start, so old history
// is not replayed.
//
// A new message handled for good (its handler did not fail to deliver a
// command, see bot.Undelivered) moves its chat's read marker
// (client.chat.lastread, after each write of the cursors), never past a
// message that waits to be handled again (WithMarkRead). Such a message
// is passed on again at once while the connection stays up (as after a
// send that timed out), with a growing wait when its handler fails again;
// else after the next reconnect. A bot whose
// store does not hold an earlier run (none, or a memory store after a
// restart) resumes from those markers: the chats with unread messages are
// caught up from GET …/messages/{chat}?unread=true. So does a chat with
// unread messages and no stored position when the store holds an earlier
// run (one killed before its first catch-up reached the chat). In a
// catch-up a message created before its chat's position is a change of
// one passed on already, unless the version is the message's creation.
// Start-up logs the
// resume source: stored cursors, server read markers or none. Whether the
// real server also marks a chat read when the bot posts in it is not
// documented; if it does, messages queued behind a reply are lost to a
// bot without a store.
//
// A reply (Outgoing.ReplyTo) to a new message being handled gets message
// ids derived from that message, the reply's rank among the replies to
// it and the part's rank: when the message is handled again, after a
// crash or an undelivered command, the same reply is the same message on
// the server (which keeps one message per message_id) rather than a
// second one. Sends without ReplyTo, files and replies to other events
// (edits) get random ids, so the platform cannot tell them apart when
// they are sent again.
//
// # Commands
//
// Client has one method per REST call (SendMessage, EditMessage,
// DeleteMessage, ListMessages, Chats, Contacts, Groups, GroupMembers,
// RemoveGroupMember, TeamInfo, UploadFile, Ping) and Conn one per client event
// (SendMessage, DeleteMessage, MarkRead, Typing, Emit). Refusals are
// *APIError with the code and HTTP status; RATE_LIMIT (429) is tried
// again with backoff. Platform.Send splits texts at max_message_length
// and, by default, sends over REST.
package tada
