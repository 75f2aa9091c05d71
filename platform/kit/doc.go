// Package kit is the delivery machinery every Parley platform shares, so
// that a platform package is mostly its wire types and a small adapter.
//
// # Exactly once, in order, per chat
//
// A Delivery keeps two positions per chat: the last item passed on to the
// bot and the last item the bot handled. Only handled positions reach the
// store (ordered writes; a failed write is tried again by the next flush;
// a chat seen for the first time is written before its first item goes
// on). A platform uses it like this:
//
//	d := kit.NewDelivery(kit.FetchFunc(fetchPage), kit.Config{Store: st, Key: "name:cursors:" + account})
//
//	// at the start of Listen:
//	d.Begin(emit)         // what was passed on but not handled is passed on again
//	go d.Run(ctx)         // writes handled cursors as they move
//
//	// for each connection:
//	d.Load(ctx)           // stored cursors, once per process
//	d.CatchUp(ctx)        // what arrived while away, chat by chat, before live items
//	d.Live(ctx, item)     // each live item; items caught up already are skipped
//
//	// in EventHandled and Close:
//	d.Handled(chat, id, err) // err says whether the handler's commands were delivered
//	d.Flush(ctx)
//
// The platform's one duty is FetchAfter: a page of a chat's items after a
// position, oldest first. Positions are int64 that grow within a chat: the
// server's message ids, or its timestamps.
//
// # Retrying a failed send while connected
//
// A handler that failed with an undelivered command (bot.Undelivered: the
// reply was not sent, or its outcome is unknown, as after a call timeout)
// leaves its item to be passed on again. When the connection stays up,
// the platform learns of it from Retry and passes the item on at once:
//
//	for { // the goroutine that passes live items on
//		select {
//		case it := <-live:
//			d.Live(ctx, it)
//		case <-d.Retry():
//			d.CatchUpBehind(ctx) // on this goroutine, so each chat keeps its order
//		}
//	}
//
// Without it the item waits for the next connection's CatchUp. With
// Config.PaceRetries a chat whose items fail again is retried after a
// growing wait (Run signals it), so a handler that fails at once does not
// spin. The platform
// reconciles a reply whose outcome was unknown (looks for it in the chat)
// before sending it again.
//
// # Resuming without a store
//
// A platform whose server keeps read markers can resume without a store:
// Config.MarkRead gets the handled items of each chat at every flush, and
// at each connection the platform reads which chats have unread items and
// where they start, records them with Discovered and names them to
// CatchUp. An Item marked Answered (the platform found the bot's reply to
// it) is counted as handled instead of passed on.
//
// # Overload
//
// When the bot's queue is full, a platform may leave live items on the
// server instead of holding them in memory: Spill records their chats as
// behind (reading only the chat and position from the frame), and
// CatchUpBehind fetches them later, in order, once the queue is short.
// Later live items of a chat that is behind are spilled too, so the
// chat's order holds.
//
// # Reconnecting
//
// Backoff is the one exponential backoff with jitter used by every client
// and by the host's supervisor, and Reconnect the loop around a connection:
// it resets the backoff after a connection that did useful work and gives
// up only on an error marked Permanent (a bad token, say).
package kit
