// Package simplexsim is a local simplex-chat CLI for tests: a real WebSocket
// server on loopback that speaks the bot API (protocols/simplex.md) the way
// `simplex-chat -p PORT` does, backed by an in-memory world that tests script.
//
// It is written independently of package simplex so that it checks the
// client rather than mirroring it.
//
// # Using it in a test
//
//	sim := simplexsim.New(simplexsim.WithBotName("modbot"), simplexsim.WithAddress(true, ""))
//	if err := sim.Start(); err != nil { t.Fatal(err) }
//	defer sim.Close()
//	// point the client at sim.URL(), then drive the world:
//	conn, _ := sim.ConnectContact("alice")        // acceptingContactRequest, contactSndReady, contactConnected
//	sim.ContactSend(conn.ContactID, "/help")      // newChatItems with rcvMsgContent
//	sent, err := sim.WaitBotSent(1, 5*time.Second) // what the bot answered with /_send
//
// Wait(timeout, cond) waits for any condition on the World (sent messages,
// moderation actions, contacts, items, connection counts); BotSent, Actions
// and Moderations return the records directly.
//
// # Behaviour reproduced from the CLI
//
//   - Any path is upgraded; frames are text; no auth. Frames must be
//     {"corrId":string,"cmd":string}; anything else is answered with a
//     corrId-less chatCmdError "invalid request". Unparsable commands (display
//     names instead of ids, a bare object for /_send, /_update without
//     "mentions") answer commandError "Failed reading: empty" with the corrId.
//   - Each connection reads and parses commands as the CLI's server does
//     (apps/simplex-chat/Server.hs): a parse error is answered at once and
//     may overtake the answers to earlier commands; a parsed command waits
//     in the connection's one-slot queue, and while that is full nothing
//     more is read. One executor runs parsed commands from all connections
//     strictly one at a time in arrival order; each response carries its
//     corrId, events never do.
//   - Commands parse as Commands.hs parses them: trailing spaces are
//     ignored, options come in the parser's order (live= before ttl=),
//     "/_groups<userId>" takes no space, the "author" role does not parse,
//     "/_start" wants main=; the text forms of /_send and /_update item,
//     ttl=default, "/_accept incognito=on|off", time-paged /_get chats and
//     around=/initial=/content= on /_get chat are taken.
//   - Events caused by a command can precede its response: /_accept sends
//     the address welcome (newChatItems) before acceptingContactRequest,
//     whose contact is already sndReady. Others follow it: contactConnected
//     after /_accept (no contactSndReady: that comes only from an async
//     join), userJoinedGroup after /_join,
//     chatItemsStatusesUpdated (sndSent, then sndRcvd) after /_send,
//     rcvFileStart and rcvFileComplete after /freceive.
//   - "/auto_accept on|off" replaces the address settings, as the CLI's
//     does: the welcome and the business flag go unless given again.
//   - "/_share address <@id|#id>" (APIShareMyAddress) answers
//     chatMsgContent with the address card as the newest chat core builds
//     it. Its parser line (Commands.hs:5472) is not in any stored copy of
//     the source; the form and answer follow the chat core's plans
//     (directory businesses, §B) and its MCChat tests. The card's ownerSig
//     is a stand-in nobody verifies.
//   - One shared event queue feeds every connection: each event goes to
//     exactly one connected client, so a second socket steals events. While no
//     client is connected events wait in the queue (WithEventBuffer, default
//     DefaultEventBuffer); when it is full producers block until a client
//     reads or Close. An event taken by a connection that then dies is lost.
//     WithoutAwayQueue discards events made while no client is connected
//     instead: only the history (/_get chat, unread counts) has them. A
//     command still queued when its connection dies is not run; the one
//     running completes, its answer lost.
//   - A message whose msgContent, re-encoded as UTF-8 JSON plus an 80-byte
//     envelope allowance, exceeds MaxEncodedMsgLength fails with errorStore
//     largeMsg (15,000 ASCII bytes pass, 15,590 fail).
//   - Profiles keep their preferences as the CLI re-encodes them: record
//     order, no unknown members, no nulls.
//   - Item ids grow monotonically across the whole database; contact ids
//     start at 2 (1 is the user's own contact record).
//
// # Fault injection
//
// DropAfter closes a connection after n more frames, SetDelay delays
// responses, PauseCommands holds the executor (a busy chat core), SendMalformed queues a non-JSON frame and an unknown event,
// FailNext answers the next matching command with a given chatCmdError,
// EmitRaw and EmitFrame queue arbitrary events or frames, Noise queues the
// network chatter a real CLI produces.
//
// # By hand
//
// "parley sim simplex --interactive" makes the person at the terminal a
// contact of the bot; /group, /invite, /add and /as create groups and speak
// as their members, and the bot's messages and moderation in them are
// printed (/help lists the commands).
//
// # Deliberate simplifications
//
// A second /_create user with a new name becomes the active user, but all
// users share one set of chats, contacts and groups. Files are not
// transferred: /freceive writes the offered file where the CLI would
// (WithFilesFolder, or a temporary folder removed on Close; a given folder
// or path) and completes at once. Group members other than the bot
// are scripted, not connected. Moderation (/_delete member item) requires the
// bot to be at least moderator and to outrank the author.
package simplexsim
