// Package parleytest is a test kit for Parley bots: an in-memory platform
// that tests inject events into and read the bot's replies and actions
// from, so handlers, middleware and modules can be tested without a
// network.
//
// Platform implements bot.Platform and every optional capability of
// package bot. Sends (including private messages) are recorded as Sent;
// accepts, rejects, deletes, edits, reactions, blocks, removals and role
// changes as Actions. Wait, WaitSent and WaitHandled block until the
// platform's state meets a condition, so tests need no sleeps. FailSends
// and FailActions make calls fail; Bare is a view with no capabilities,
// for testing how a handler copes with a platform that lacks them.
//
// The events (MessageEvent, RequestEvent, GroupChangeEvent, UnknownEvent,
// PlainEvent) implement the facets of package bot that platforms' events
// do; MessageEvent.From names a message's sender. Handlers can also be
// driven by hand, without a bot:
//
//	p := parleytest.NewPlatform()
//	spam := parleytest.NewGroupMessage("42", "#1", "7", "member", "spam").From("bob")
//	err := handler.Handle(bot.NewContext(ctx, spam, p, nil))
//	// p.Actions() now lists what handler asked the platform to do.
//
// The examples test a command bot as it runs and a group moderation
// handler by hand.
package parleytest
