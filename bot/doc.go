// Package bot is the core of Parley: events, handlers, middleware, the
// platform interface and the scheduler that runs them. A tour, in the order
// a message travels:
//
// # Platforms and events
//
// A Platform connects to a messenger and delivers Events. Every event has
// a Type (the platform's own name for it); optional facets say more:
// ChatKeyer gives the ordering key, DedupeKeyer a platform identity,
// MessageEvent the normalized Messages, Request marks contact requests and
// group invitations, GroupChanger tells membership changes, Unknowner marks
// event types the platform does not know. Generic code reads events
// through these facets; code for one platform uses its typed events.
//
// # Handlers and middleware
//
// A Handler handles one event through a *Context. Middleware has the shape
// func(Handler) Handler. Bot.Use adds outer middleware that sees every
// event before routing; package router adds typed routes, commands and
// filters, with inner middleware per group or per route.
//
// # The Context
//
// The Context carries the context.Context, the event, a named logger, the
// platform and the bot's name. When the event carries messages it is about
// one of them, the current message: Message, Text and Sender read it
// (Sender is the requester for a Request).
//
// Its verbs act on the current message or request:
//
//   - Reply quotes the message, Answer writes to its chat, SendPrivate
//     writes to its sender alone (in a group through PrivateSender).
//   - Edit changes a message the bot sent there; DeleteMessage deletes the
//     current message.
//   - BlockSender and RemoveSender moderate the sender of a group message.
//   - Accept and Reject answer the current request.
//   - Send, Delete and React address any chat and message.
//
// # Pipelined sends
//
// Reply waits for the server's answer, so one chat handles at most one
// event per round trip. ReplyAsync, AnswerAsync and SendAsync write now
// and return a *Pending: the handler returns, the chat's next event
// starts, and the commands of the chat still reach the server in order.
// The outcome is never lost. A handler that needs it waits (Pending.Wait)
// and then owns it. Otherwise it is the event's: the event is complete
// once its handler returned and all of its sends have their outcome, and
// a failed send fails the event as a returned error would (the error
// handler, Stats, Logger). Events of a chat complete in the chat's order,
// and only then do platforms hear of them (HandledNotifier): an event
// whose send did not reach the server, or may not have (Undelivered), is
// not counted as handled, its chat's cursor stays below it, and Dedupe
// does not mark it, so it is delivered again. Middleware that acts on the
// final outcome uses AfterSends. Platforms pipeline through AsyncSender;
// on others the async verbs send and wait.
//
// # Capabilities
//
// Beyond Send, what a platform can do is a set of optional interfaces:
// RequestAccepter, Deleter, Editor, Reactor, MemberBlocker, MemberRemover,
// RoleSetter, PrivateSender, MentionSender. Has and Capabilities ask for
// them by name. A Context verb whose capability is missing returns an
// *UnsupportedError, which matches ErrUnsupported: one handler runs on
// every platform and can tell where it must degrade. A verb whose event
// does not fit returns ErrNoChat, ErrNotRequest, ErrNotGroup or
// ErrNoSender instead, before asking the platform anything.
//
// # Scheduling
//
// Bot.Run reads the platform with one goroutine and hands each event to the
// mailbox of its chat key. A bounded pool of workers runs the mailboxes:
// events of one chat are handled strictly in order, different chats run
// concurrently, and ready chats take turns one event at a time, so a chat
// with thousands of queued events cannot starve a new one. When the total
// of queued, running and pipelined events reaches WithMaxQueued, the
// reader blocks until an event completes: that is the backpressure, and
// nothing is dropped. Idle mailboxes are freed. Platforms that implement
// HandledNotifier hear when each event is complete.
//
// # Stopping
//
// When Run's context ends the bot stops reading, lets queued and running
// handlers, and their pipelined sends, finish within WithStopTimeout, then cancels the handlers' context
// and reports what was left in a *StopError. No goroutine outlives Run.
//
// # Testing
//
// Package parleytest has an in-memory platform with every capability that
// records what handlers asked of it, and a bare view without them.
package bot
