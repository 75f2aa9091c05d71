// Package bot is the core of Parley: events, handlers, middleware, the
// platform interface and the scheduler that runs them.
//
// # Events
//
// A platform delivers Events. Every event has a Type (the platform's own
// name for it); optional facets say more: ChatKeyer gives the ordering key,
// DedupeKeyer a platform identity, MessageEvent the normalized Messages,
// Request marks contact requests and group invitations, Unknowner marks
// event types the platform does not know.
//
// # Handlers and middleware
//
// A Handler handles one event through a *Context, which carries the
// context.Context, the event, a named logger, the platform and reply verbs.
// Middleware has the shape func(Handler) Handler. Bot.Use adds outer
// middleware that sees every event before routing; package router adds
// typed routes with inner middleware of their own.
//
// # Scheduling
//
// Bot.Run reads the platform with one goroutine and hands each event to the
// mailbox of its chat key. A bounded pool of workers runs the mailboxes:
// events of one chat are handled strictly in order, different chats run
// concurrently, and ready chats take turns one event at a time, so a chat
// with thousands of queued events cannot starve a new one. When the total
// of queued and running events reaches WithMaxQueued, the reader blocks
// until a handler finishes: that is the backpressure, and nothing is
// dropped. Idle mailboxes are freed.
//
// # Stopping
//
// When Run's context ends the bot stops reading, lets queued and running
// handlers finish within WithStopTimeout, then cancels the handlers' context
// and reports what was left in a *StopError. No goroutine outlives Run.
package bot
