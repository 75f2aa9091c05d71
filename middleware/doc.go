// Package middleware holds Parley's stock middleware, each a bot.Middleware
// in the chi shape func(bot.Handler) bot.Handler:
//
//   - Logger: one structured entry per event, without message text or
//     names at info level.
//   - Recover: a panicking handler becomes a *bot.PanicError; the bot and
//     the chat carry on.
//   - Dedupe: drops redelivered events by their platform identity, with
//     marks kept in a store.Store.
//   - Timeout: a deadline on each handler's context.
//   - RateLimit: an inbound token bucket per sender or per chat.
//   - AutoAccept: accepts contact requests and group invitations by policy.
//
// Outer middleware goes on Bot.Use and sees every event; a usual order is
// Recover, Logger, Dedupe, RateLimit, AutoAccept, then routing.
//
// Nothing is dropped without a trace: Dedupe and RateLimit log each event
// they drop, and AutoAccept each request it does not accept, at debug
// level with the reason, and report it to a hook (DedupeOnHit,
// RateLimitOnDrop, AcceptPolicy.OnRefused) for metrics. A dropped event
// returns nil, as dropping is the policy working; metrics.Middlewares
// keeps such events out of the handled count.
//
// Constructors check their settings and panic on invalid ones, so a
// misconfigured bot fails at setup rather than while handling events. Middleware with counters comes
// in two forms: a plain constructor returning bot.Middleware, and a New…
// constructor returning a value whose Middleware method is the middleware
// and whose Stats method reads the counters.
package middleware
