// Package virola connects Parley bots to Virola Server through its Web
// API: events arrive on the WebSocket /api/v1/events as {"type","data"}
// frames, commands go as REST calls under /api/v1.
//
// # Signing in
//
// WithToken uses a Web API access token (Authorization: Bearer); WithLogin
// logs in with POST /api/v1/login and sends the VirolaUserSessionId cookie.
// With both, the token is used and the login is the fallback: where the
// events socket (or a call) refuses the token, the client logs in and uses
// the cookie. An expired session is renewed by logging in again; a refused
// token or password is an *APIError with status 401 that ends Listen, since
// reconnecting cannot fix it. Every error body of the API becomes an
// *APIError. A self-signed server certificate is trusted only when pinned
// (WithPinnedCertificate) or when checks are turned off (WithInsecureTLS);
// either is logged as a warning.
//
// # Events
//
// DecodeEvent turns a frame into one of the six documented events
// (TextMessagesCreated, TextMessagesUpdated, TextMessageDeleted,
// RoomCreated, RoomUpdated, RoomDeleted) or an *Unknown that keeps the
// frame. The platform passes each message of a frame on as its own event
// with one room key ("virola:<roomId>") and one dedupe key. Only
// TextMessagesCreated carries bot.Messages: a private room is a direct
// chat, a public room a group, and a comment (parentMessageId != 0) is a
// message whose ReplyTo is its parent. Edits and read marks arrive as
// TextMessagesUpdated, which is its own event and never a new message.
// The bot's own messages never reach handlers.
//
// # Nothing lost, nothing twice
//
// The socket has no resume. After every (re)connect the platform lists the
// rooms and, through platform/kit, fetches every room's messages after the
// last one passed on (cursor, direction=forward; the cursor message is
// filtered out whether or not the server includes it). rooms[].lastMessage
// tells which rooms moved; comments, which do not move a room, are found
// through the discussions of the room's newest messages (CommentScan).
// Message ids grow across the whole server, so a room the cursors do not
// know starts after a stored mark: the highest id up to which every
// message was passed on (its room's cursor is stored first) or is history.
// It follows the live messages in order and each finished catch-up, not
// the highest id handled, and it is written before the first catch-up, so
// a process killed at any moment is restarted, never started afresh. The
// socket is pinged, since the protocol has no keepalive.
//
// Read marks are per message and per user. A message handled for good
// (its handler did not fail to deliver a command, see bot.Undelivered) is
// marked read (POST /api/v1/messages/{id}/read) after each write of the
// cursors (WithMarkRead); the server's TextMessagesUpdated for the bot's
// own mark is not passed on (Stats.OwnReads). A bot whose store holds no earlier run (none,
// or a memory store after a restart) resumes from those marks: a room
// with unread messages starts before its oldest message the bot has not
// read, and messages after it that the bot did read are skipped
// (Stats.Read). Start-up logs the resume source: stored cursors, server
// read markers or none. So a first start answers what is unread for the
// bot's account; the bot's account is a user account, and a person
// reading with it in a client marks messages read too.
//
// A reply goes as a comment on its message (WithReplyInThread, the
// default): before a catch-up passes a message on again, it looks for a
// comment of the bot on it; one that has such a comment is skipped
// (Stats.Replied, logged at debug), so a restart after a kill between the
// reply and the saved position does not answer twice. A message whose
// handler was told it failed to deliver a command (kept in the store) is
// passed on again all the same, as the handler was told (at once while
// the socket stays up, as after a call timeout, and after a wait that
// doubles up to 30s when it fails again; else after the next reconnect);
// its handler's reply is first looked for in the thread (the bot's
// comment with the same text, as when a drop cut the answer to a post
// that went through), and when found its id is returned instead of
// posting again (Stats.Reconciled). Replies to comments, replies posted to the room
// (WithReplyInThread(false)) and answers without ReplyTo cannot be told
// apart: Virola has no quote, and a post returns no id to remember.
//
// # Sending
//
// A post is answered without the new message's id. Send waits for the
// server's event of the bot's own message (and otherwise looks through the
// room's newest messages) so that it can return the real id; when it
// cannot find it, it returns no id rather than a made-up one. The socket
// is read without waiting for the handlers, and the bot's own messages go
// to Send before any queued event, so a reply is not held up by a burst of
// unread messages; while no socket is open Send looks its message up at
// once. Frames beyond the queue's limit (65,536) are dropped, counted
// (Stats.Overflow) and caught up from the server. Replies go as
// comments on the message replied to (WithReplyInThread), since Virola has
// no quoting. The API has no edit, so the platform does not implement
// bot.Editor; it implements bot.Deleter, and bot.RequestAccepter for new
// rooms (accepting sends the welcome; a room cannot be refused).
//
// # Rooms and moderation
//
// A public room given to the bot carries the bot's role there (admin when
// its account administers the server, moderator where it moderates the
// room, member otherwise) and, as its owner, the server's only other
// administrator: Virola does not say who added the bot. RoomRoleChanged
// reports the bot's role changing. Messages of administrators carry the
// admin role. The API can delete messages but cannot remove, block or
// demote anyone; SendDirect writes to a user in the private room shared
// with them.
package virola
