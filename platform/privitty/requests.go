package privitty

import (
	"context"
	"fmt"
	"strconv"

	"github.com/parleybot/parley/bot"
)

// Contact requests and group invitations: accepting and rejecting them,
// and passing their chats' messages on once accepted.

// errPassAgain is the outcome passAgain reports to the kit. The kit
// keeps an item to pass on again only for an outcome that says a command
// was not delivered (bot.Undelivered), so this error wraps ErrNotSent; it
// never leaves the platform: no handler, log or metric sees it.
var errPassAgain = bot.KindError(bot.ErrNotSent, "privitty: message to pass on again")

// passAgain makes the kit keep message id of chat to pass on again, now
// as a message: its request was accepted, and the message was handled as
// a request only. The chat's cursor stays below it until then (across a
// restart too), and the chat is caught up at once.
func (p *Platform) passAgain(chat, id int64) {
	p.d.Handled(cursorChat(chat), id, errPassAgain)
	p.catchUpSoon(chat)
}

// marking wraps emit to note each request as it is passed on, before a
// handler can see it: the chat's later messages wait until it is handled.
func (p *Platform) marking(emit func(bot.Event) error) func(bot.Event) error {
	return func(e bot.Event) error {
		var chat, id int64
		switch e := e.(type) {
		case *ContactRequest:
			chat, id = e.ChatID, e.Msg.ID
		case *GroupInvitation:
			chat, id = e.ChatID, e.Msg.ID
		default:
			return emit(e)
		}
		p.mu.Lock()
		p.pending[chat] = id
		p.mu.Unlock()
		return emit(e)
	}
}

// catchUpSoon asks the consumer to catch chat up.
func (p *Platform) catchUpSoon(chat int64) {
	p.mu.Lock()
	p.later[chat] = true
	p.mu.Unlock()
	select {
	case p.wake <- struct{}{}:
	default:
	}
}

// requestChat returns the chat and message of a request event of this
// platform.
func requestChat(r bot.Request) (chat int64, c bot.Chat, msg int64, ok bool) {
	switch e := r.(type) {
	case *ContactRequest:
		return e.ChatID, e.Chat, e.Msg.ID, true
	case *GroupInvitation:
		return e.ChatID, e.Chat, e.Msg.ID, true
	}
	return 0, bot.Chat{}, 0, false
}

// AcceptRequest implements bot.RequestAccepter for contact requests and
// group invitations: accept_chat, then the welcome, if any. Once the
// request's handlers are done, the messages the chat holds reach them.
func (p *Platform) AcceptRequest(ctx context.Context, r bot.Request, opts bot.AcceptOptions) error {
	chat, c, msg, ok := requestChat(r)
	if !ok {
		return fmt.Errorf("privitty: cannot accept %s: %w", r.Type(), bot.ErrUnsupported)
	}
	// The redo mark goes first: once the daemon has the chat accepted, its
	// messages would otherwise go on ahead of the request's own.
	p.mu.Lock()
	p.redo[chat] = msg
	p.mu.Unlock()
	if err := p.client.AcceptChat(ctx, chat); err != nil {
		if !bot.Undelivered(err) {
			p.mu.Lock()
			if p.redo[chat] == msg {
				delete(p.redo, chat)
			}
			p.mu.Unlock()
		}
		return err
	}
	p.mu.Lock()
	delete(p.blocked, chat)
	p.mu.Unlock()
	p.cacheChat(chat, chatInfo{chat: c})
	if opts.Welcome != "" {
		_, err := p.Send(ctx, strconv.FormatInt(chat, 10), bot.Outgoing{Text: opts.Welcome})
		return err
	}
	return nil
}

// RejectRequest implements bot.RequestAccepter with block_chat. Messages
// of the chat that wait are not passed on.
func (p *Platform) RejectRequest(ctx context.Context, r bot.Request) error {
	chat, _, _, ok := requestChat(r)
	if !ok {
		return fmt.Errorf("privitty: cannot reject %s: %w", r.Type(), bot.ErrUnsupported)
	}
	if err := p.client.BlockChat(ctx, chat); err != nil {
		return err
	}
	p.mu.Lock()
	delete(p.chats, chat)
	if len(p.blocked) >= maxCachedChats {
		clear(p.blocked)
	}
	p.blocked[chat] = true
	p.mu.Unlock()
	return nil
}
