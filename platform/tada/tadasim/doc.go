// Package tadasim is a simulated Tada.team server for tests, benchmarks
// and "parley sim tada": a real HTTP server on loopback speaking the
// documented wire protocol for one team.
//
// The WebSocket at /messaging/{team} checks the token header and the team
// (a refusal is server.panic, then close), answers every client event
// that has a confirm_id with server.confirm once it was taken, and sends
// server.message.updated and server.message.received with a confirm_id of
// their own: the ones the client did not confirm are kept per user and
// sent again on its next connection (Unconfirmed counts them). Messages
// are upserted by message_id with a growing gentime, and every change is
// sent to every connection of every member of the chat, the sender's
// included; a direct chat's "chat" is the other party for each viewer.
// Text and binary frames are read; text frames are written. An unknown
// client event gets server.warning.
//
// The REST calls bots use live under /api/v4 with the ok/result/error
// envelope and the documented codes and statuses; /features.json gives
// max_message_length and resend_timeout.
//
// The world is scripted through the Server: AddContact, NewGroup, Send,
// Edit, Delete, React, MessagesFrom, and group membership (groups.go):
// AddToGroup, RemoveFromGroup, SetGroupStatus, Members. Faults: DropAfter
// and DropEvery (lose the bot's connections at a socket frame, or cut a
// REST call after it was carried out; Stats.Drops counts them),
// KillOnConfirm (lose it when a client.confirm
// arrives, before it is taken), SwallowConfirms (take client events
// without confirming them), RefuseNext (server.warning instead), FailNext
// (a REST error such as RATE_LIMIT), SetDelay, and SendRaw for malformed
// or unknown frames.
//
// Every user has a last read message per chat (client.chat.lastread, which
// never moves back): the chats' num_unread and last_read_message_id and
// GET …/messages/{chat}?unread=true count and list the messages after it
// that others sent, oldest first. Messages that arrive while no client is
// connected are kept, unread, like any other.
//
// Where the protocol notes leave behaviour open, the simulator picks one
// and says so: GET …/messages/{chat}?gentime_from= returns versions after
// it, oldest first; sending does not mark a chat read (the real server
// may); unconfirmed events are kept until confirmed and
// redelivered on reconnect.
package tadasim
