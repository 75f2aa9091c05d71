// Package web is the playground's web server: it starts the simulator of
// each bot's platform (any platform whose simulator registered with
// package playground), hosts the bots against them through a wire tap,
// and serves a page on loopback where a person chats with the bots as any
// contact or group member and inspects every event: the wire frames it
// came in, the typed Go event, the middleware and module route that
// handled it, how long that took and the commands the bot sent back.
//
// The page is plain HTML and JavaScript embedded in the binary; it
// follows the server through one Server-Sent Events stream of state
// snapshots and acts through a small JSON API:
//
//	GET  /api/state          the bots, their worlds and the inspector records
//	GET  /api/stream         the same, as an event stream, on every change
//	POST /api/do?bot=NAME    act as a person (a playground.Action as JSON)
//	POST /api/fault?bot=NAME&kind=drop|delay|malformed
//
// "parley playground" is the command that runs it.
package web
