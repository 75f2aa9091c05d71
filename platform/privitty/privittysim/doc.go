// Package privittysim is a local Privitty Edge daemon for tests: a real
// HTTP server on loopback with POST /rpc (JSON-RPC 2.0, positional
// params), GET /events (Server-Sent Events through go-sse's server side)
// and GET /health, backed by an in-memory Delta Chat world of contacts,
// chats and messages that tests script.
//
// It is written from the protocol notes, independently of package
// privitty, so that it checks the client rather than mirroring it.
//
// # Using it in a test
//
//	sim := privittysim.New()
//	if err := sim.Start(); err != nil { t.Fatal(err) }
//	defer sim.Close()
//	// point the client at sim.URL(), then drive the world:
//	alice, _ := sim.ConnectContact("alice", false) // an accepted 1:1 chat
//	sim.ContactSend(alice.ChatID, "/help")         // IncomingMsg on /events
//	sent, err := sim.WaitBotSent(1, 5*time.Second) // what the bot sent with send_msg
//
// # Behaviour reproduced from the daemon
//
//   - /rpc answers HTTP 200 with a result or an error object, and HTTP 204
//     with no body for methods without a result (accept_chat, markseen_msgs,
//     …). Invalid JSON is -32700, an unknown method -32601, bad or
//     non-positional params -32602, a missing account, chat or message
//     -32603, and privitty_* methods without an active license -32001 with
//     the documented message.
//   - /events sends each event as one unnamed `data:` line of flat
//     snake_case JSON, a `: ping` comment every ping interval (15 s by
//     default), and no ids: events sent while a client is not connected are
//     lost. Each client has a bounded buffer; when it overflows the events
//     are dropped and the client gets `event: lag` with {"dropped":N} before
//     its next event.
//   - Message, Chat and Contact objects have camelCase keys (WithSnakeCase
//     switches to snake_case, WithNumericChatTypes to the numeric chat types
//     of Privitty's 2.20 core). Ids of contacts, chats and messages start
//     at 10; 1 is the bot itself. Message ids grow monotonically.
//   - A message from a contact the bot has not accepted lands in a chat with
//     isContactRequest; accept_chat accepts it, block_chat blocks it.
//     GroupRequest makes a group of someone unknown, which is a contact
//     request of chatType Group, as in the core.
//   - send_msg sends what it is given, an empty message too, and emits
//     MsgsChanged then MsgDelivered; markseen_msgs emits MsgsNoticed. Edit,
//     React and Delete emit the core's MsgsChanged, IncomingReaction and
//     ReactionsChanged, and MsgDeleted; RenameGroup stores an info message.
//   - Without the account's "bot" flag (WithBotFlag(false)) a text longer
//     than TruncateAt characters is stored cut, ending in "[...]", with
//     hasHtml; get_message_html answers the whole text as the core's HTML.
//   - get_info reports the account key's fingerprint; Recreate replaces
//     the account's database (ids start again at 10, new key) and drops
//     the streams, as a re-created account does.
//
// # Fault injection
//
// DropStream closes the open streams, DropAfter drops the connection after
// n more frames (events written or /rpc answers; a cut answer is lost
// after its call was carried out), SetDelay delays every /rpc answer, FailNext answers the next
// call of a method with a JSON-RPC error, SendMalformed sends a data line
// that is not JSON, EmitRaw sends any data line (unknown event types),
// EmitLag sends a lag, Silence stops all writes including pings, Freeze
// holds every request without an answer (a stopped process), and
// SetLicense changes the license status.
package privittysim
