// Package simplex connects Parley bots to SimpleX Chat through the chat
// core's WebSocket bot API (simplex-chat -p <port>).
//
// # Wire model
//
// Every frame from the chat core is {"corrId"?, "resp": {"type": …}}:
// responses to commands echo the command's corrId, events have none.
// DecodeFrame decodes a frame once into a Frame whose Resp is a pointer to
// the Go type registered for the tag (NewChatItems, ContactConnected,
// ActiveUser, ChatCmdError, …) or *Unknown for tags this package does not
// know. A chatCmdError without corrId is the chat core saying it could not
// read a frame: Frame.IsProtocolError.
//
// Decoding is lenient and lossless. Unknown members, unknown union tags,
// unknown enum strings, and members whose JSON type drifted are kept (see
// Extra), and encoding a decoded value yields the same members and values.
// Known drift is handled: agentUserId as string or number, connStatus as
// string or object, the three shapes of groupsList, the singular
// newChatItem of old chat cores.
//
// # Events
//
// Events implement bot.Event and, where they apply, its facets: ChatKey
// ("simplex:<userId>:@<contactId>" or "…:#<groupId>"), DedupeKey (a
// platform identity such as "simplex:1:@5:42"), Messages (NewChatItems and
// ChatItemUpdated; only received "rcvMsgContent" items are messages), and
// RequestInfo (ReceivedContactRequest, ReceivedGroupInvitation).
//
// # Commands
//
// Typed builders (APISendMessages, APIUpdateChatItem, APIJoinGroup, …)
// render validated command strings with Cmd; each names its responses, and
// those with one response are TypedCommands: Exec runs them and returns
// that type, so a call site never names (or guesses) it.
// ChatRef is the "@5" / "#12" / "#12(_support:3)" reference they take, and
// ParseChatRef reads it back strictly. EncodeCommand wraps a command in its
// frame. A refused command becomes a *CommandError carrying the chat
// error's kind and inner type (IsStoreError, IsChatError, IsAgentError).
// SplitText cuts long texts below the chat core's message size limit.
//
// # Files
//
// options.go holds every option and default; client.go the WebSocket
// client (one connection, correlation by corrId, reconnect with the kit's
// backoff), which hands what it reads to a Sink; platform.go the
// bot.Platform and its capabilities; startup.go the steps run on each
// connection; delivery.go the adapter to package kit, which keeps the
// per-chat cursors (the CLI's item ids), catches up with /_get chat after
// reconnects and restarts (finding chats with /_get chats and, without a
// store, resuming from the CLI's unread markers), recognizes replies sent
// before a crash or a drop, and leaves received messages in the CLI under
// load.
package simplex
