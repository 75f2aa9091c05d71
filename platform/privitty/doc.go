// Package privitty connects Parley bots to Privitty Edge (privitty-edged),
// a daemon on Delta Chat core: events arrive as Server-Sent Events from
// GET /events, commands go as JSON-RPC 2.0 with positional parameters to
// POST /rpc.
//
// # Events
//
// DecodeEvent turns one SSE data line into a typed event: every event kind
// of the Delta Chat core (coreevents.go: MsgsChanged, IncomingReaction,
// MsgDeleted, ChatlistChanged, …), the secure-join, Privitty and
// set-up/transfer events have a Go type, those about one chat with its
// ChatKey; anything else becomes an *Unknown that keeps its raw JSON.
// Keys are accepted in snake_case (as the daemon sends them) and
// camelCase.
//
// IncomingMsg on the wire carries only ids. The Platform fetches the message
// once and hands handlers an *IncomingMsg whose Msg is the typed Delta Chat
// message and whose Messages() is the normalized bot.Message. A text the
// core cut (an account without the "bot" flag gets long texts cut, with
// hasHtml) is read whole from get_message_html first. Other messages
// become other events:
//
//   - in a chat that is a contact request, a *ContactRequest (1:1) or a
//     *GroupInvitation (a group made by someone unknown), both bot.Request:
//     accept_chat accepts, block_chat rejects. One request per chat is
//     passed on at a time; once accepted, the messages the chat holds
//     reach handlers as messages, in order, after the welcome;
//   - membership info messages of groups, *MembersChanged
//     (bot.GroupChanger); other info messages, *InfoMsg;
//   - an edit (MsgsChanged of a message with isEdited), *MsgEdited, a
//     message event whose message has Edited set.
//
// Handled messages, membership changes and info messages are marked
// seen.
//
// # Nothing lost, nothing twice
//
// SSE has no resume here: events sent while the stream is down are gone, and
// `event: lag` says the daemon dropped some. The platform itself leaves
// message events out while its handlers are behind, to keep reading the
// stream (WithEventBuffer). So after every (re)connect, every lag and
// every such overflow the platform walks the chat list for messages newer
// than what it has passed on, and delivers them in id order before any live event
// that arrived meanwhile; chats it has no cursor for, new while it was
// away, are found there too. The highest handled message id of every chat
// is kept in the store (WithStore), so a restarted bot does the same.
//
// Without a store (or on the very first start of an account with one)
// the resume source is the daemon's read markers: handled messages are
// marked seen (markseen_msgs, after each cursor flush), and at start-up
// the unseen messages are delivered, not the whole history (which is not
// even read where get_fresh_msgs lists a chat's unseen messages: chats
// not muted and not contact requests). So a bot with no store that is
// killed and restarted loses nothing that arrived while it was down. The
// platform says at start-up which source it uses.
//
// A message is marked seen, and its chat's cursor moves past it, only
// once its handler's outcome is final. When a command of the handler was
// not delivered (bot.ErrNotSent, bot.ErrOutcomeUnknown, a call timeout)
// the message stays unseen, the cursor stays below it, and it is passed
// on again by the next catch-up: after a reconnect, after a restart, or,
// while the event stream stays up, after a delay that grows with each
// failure in a row (the reconnect backoff's).
//
// A message the bot answered before it was killed, but whose cursor or
// seen mark was not saved yet, comes back in the catch-up; so does one
// whose reply's outcome was unknown but that reached the daemon. Before
// passing such a message on again, the platform looks for a message of
// the bot's own that quotes it, among the messages of the chat after it
// (up to 100 more than the page it reads); if there is one the message is
// skipped, marked seen and counted in Stats.Answered. Only replies that
// quote (bot.Context.Reply does; Answer and Send without ReplyTo do not)
// can be recognized this way: a bot that does not quote may answer such a
// message twice, unless the Dedupe middleware's mark for it landed.
//
// Unknown event types and undecodable frames are counted (Stats.Unknown,
// Stats.Malformed) and logged once per type or kind at info or warning
// level, later ones at debug level.
//
// When the daemon's account is re-created its message ids start again
// low, in chats with the same ids, and the stored cursors would make new
// messages look handled. Each catch-up compares the account key's
// fingerprint (get_info) and the daemon's newest message id with what it
// stored; when they say the database is another, the platform logs a
// warning, counts it (Stats.Resets) and starts over as on a first start,
// under a new generation that the dedupe keys carry.
//
// Opening the stream has a deadline (WithConnectTimeout) and every call
// one (WithCallTimeout), so a daemon that accepts connections and never
// answers is logged and retried with backoff.
//
// # Commands
//
// Client.Call sends any method; typed methods cover what bots need. A
// JSON-RPC error object becomes an *RPCError (IsLicenseError tells the
// license error apart); HTTP 204 is success without a result. A call that
// failed before its request was written wraps ErrNotSent; one whose outcome
// is unknown wraps ErrOutcomeUnknown and must not be blindly retried, since
// send_msg is not idempotent.
//
// The daemon's /rpc has no authentication: the platform warns at start-up
// when its URL is neither loopback nor HTTPS. WithHeaders adds headers for a
// reverse proxy in front of it.
package privitty
