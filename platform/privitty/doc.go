// Package privitty connects Parley bots to Privitty Edge (privitty-edged),
// a daemon on Delta Chat core: events arrive as Server-Sent Events from
// GET /events, commands go as JSON-RPC 2.0 with positional parameters to
// POST /rpc.
//
// # Events
//
// DecodeEvent turns one SSE data line into a typed event: every documented
// type (core, secure join, Privitty, setup/transfer) has a Go type, and
// anything else becomes an *Unknown that keeps its raw JSON. Keys are
// accepted in snake_case (as the daemon sends them) and camelCase.
//
// IncomingMsg on the wire carries only ids. The Platform fetches the message
// once and hands handlers an *IncomingMsg whose Msg is the typed Delta Chat
// message and whose Messages() is the normalized bot.Message; a message in a
// contact-request chat becomes a *ContactRequest instead, which implements
// bot.Request (accept_chat accepts it, block_chat rejects it), so the
// AutoAccept middleware works unchanged.
//
// # Nothing lost, nothing twice
//
// SSE has no resume here: events sent while the stream is down are gone, and
// `event: lag` says the daemon dropped some. So after every (re)connect and
// every lag the platform walks the chat list for messages newer than what
// it has passed on, and delivers them in id order before any live event
// that arrived meanwhile. The highest handled message id of every chat is
// kept in the store (WithStore), so a restarted bot does the same. On the
// very first start of an account (nothing stored) only unseen messages are
// delivered, not the whole history; handled messages are marked seen.
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
