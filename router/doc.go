// Package router routes Parley events to handlers by Go type, command,
// pattern and filters. A *Router is a bot.Handler: pass it to bot.New.
//
// # Routes
//
// Typed routes take events of one Go type, checked at compile time:
//
//	router.On(r, func(c *bot.Context, e *simplex.ContactConnected) error { … })
//	router.OnWhere(r, func(e *simplex.UserJoinedGroup) bool { return e.GroupInfo.GroupID == 12 }, onJoin)
//
// Message routes take one message of an event: OnCommand("help", …) for
// "/help arg", OnRegex for a pattern, OnMessage for any message. Any takes
// any event. Every route accepts Filters (Direct, InGroup, SenderRole,
// Mentioned, HasText, EventType, FromPlatform, combined with Not and
// AnyOf); a route applies when all of them match.
//
// # Order
//
// Routes are tried in the order they were registered. Typed and Any routes
// are matched against the event first; when none matches and the event
// carries messages, each message is matched against the message routes
// and handled by the first that matches, with a Context about that message
// (c.Text, c.Sender, c.Reply). What no route takes goes to the Fallback,
// per message.
//
// # Commands
//
// A command is a prefix ("/" unless SetCommandPrefixes says otherwise), a
// name and arguments, split at spaces with quotes kept together. Names
// match without regard to case. "/roll@dice" is addressed to the bot named
// dice (bot.WithName; c.BotName): other bots' commands reach no command
// route and not the fallback, so two bots in a group do not answer each
// other's commands with "unknown command". Text routes (OnRegex,
// OnMessage) still see them, to moderate them like any text.
//
// # Middleware
//
// Use adds inner middleware around every route of a router; Group adds a
// set of routes with middleware of their own; With gives middleware to
// single routes:
//
//	r.With(audit).OnCommand("ban", ban, router.SenderRole("admin"))
//
// Inner middleware runs only once a route matched, after bot.Bot's outer
// middleware, in the order top router, group, With.
//
// # Setup mistakes
//
// Mistakes panic when they are made, so a misconfigured bot fails at
// start-up: a nil handler, filter or middleware, Use after a route or on a
// With view, Fallback or SetCommandPrefixes on a group or view, an invalid
// pattern or command name, a route added after the router began handling
// events.
package router
