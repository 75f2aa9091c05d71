package bot

import (
	"context"
	"errors"
	"fmt"

	"go.uber.org/zap"
)

// Handler handles one delivered event.
type Handler interface {
	Handle(c *Context) error
}

// HandlerFunc adapts a function to a Handler.
type HandlerFunc func(c *Context) error

// Handle calls f(c).
func (f HandlerFunc) Handle(c *Context) error { return f(c) }

// Middleware wraps a Handler with behaviour that runs around it.
type Middleware func(Handler) Handler

// Chain wraps h in mws so that mws[0] runs first.
func Chain(h Handler, mws ...Middleware) Handler {
	for i := len(mws) - 1; i >= 0; i-- {
		if mws[i] == nil {
			panic("bot: nil middleware")
		}
		h = mws[i](h)
		if h == nil {
			panic("bot: middleware returned a nil handler")
		}
	}
	return h
}

var nopLogger = zap.NewNop()

// ErrNoChat is returned by Reply when the event has no message to reply to.
var ErrNoChat = errors.New("bot: event has no chat to reply to")

// ErrUnsupported is returned when a platform lacks a capability.
var ErrUnsupported = errors.New("bot: not supported by this platform")

// Context is what a handler receives for one event: the context.Context
// (cancelled on shutdown or handler timeout), the event, a logger, the
// platform and reply verbs. A Context is valid only until the handler
// returns; copy what you need to keep.
type Context struct {
	ctx      context.Context
	event    Event
	chatKey  string
	platform Platform
	logger   *zap.Logger
	msg      *Message
	botName  string
}

// NewContext builds a Context. The scheduler builds them for Bot.Run;
// NewContext is for tests and for code that drives handlers by hand.
func NewContext(ctx context.Context, e Event, p Platform, logger *zap.Logger) *Context {
	if logger == nil {
		logger = nopLogger
	}
	c := &Context{ctx: ctx, event: e, platform: p, logger: logger}
	c.chatKey = chatKeyOf(e)
	if me, ok := e.(MessageEvent); ok {
		if ms := me.Messages(); len(ms) > 0 {
			c.msg = &ms[0]
		}
	}
	return c
}

// Context returns the context.Context for this event.
func (c *Context) Context() context.Context { return c.ctx }

// WithContext returns a shallow copy of c using ctx, for middleware that
// sets deadlines or values.
func (c *Context) WithContext(ctx context.Context) *Context {
	if ctx == nil {
		panic("bot: nil context")
	}
	c2 := *c
	c2.ctx = ctx
	return &c2
}

// Event returns the event being handled.
func (c *Context) Event() Event { return c.event }

// ChatKey returns the event's ordering key ("" for the bot's shared lane).
func (c *Context) ChatKey() string { return c.chatKey }

// Platform returns the platform that delivered the event.
func (c *Context) Platform() Platform { return c.platform }

// Logger returns the bot's named logger.
func (c *Context) Logger() *zap.Logger { return c.logger }

// BotName returns the bot's name: the one given with WithName, else the
// platform's name.
func (c *Context) BotName() string { return c.botName }

// Message returns the message being handled: the one a message route
// matched, or else the event's first message.
func (c *Context) Message() (Message, bool) {
	if c.msg == nil {
		return Message{}, false
	}
	return *c.msg, true
}

// SetMessage selects which of the event's messages the context is about.
// Routers call it before running a message route.
func (c *Context) SetMessage(m *Message) { c.msg = m }

// Reply sends text to the chat of the current message, quoting it.
func (c *Context) Reply(text string) error {
	if c.msg == nil || c.msg.Chat.ID == "" {
		return ErrNoChat
	}
	_, err := c.platform.Send(c.ctx, c.msg.Chat.ID, Outgoing{Text: text, ReplyTo: c.msg.ID})
	return err
}

// Answer sends text to the chat of the current message without quoting it.
func (c *Context) Answer(text string) error {
	if c.msg == nil || c.msg.Chat.ID == "" {
		return ErrNoChat
	}
	_, err := c.platform.Send(c.ctx, c.msg.Chat.ID, Outgoing{Text: text})
	return err
}

// Send sends a message to any chat of the platform.
func (c *Context) Send(chatID string, m Outgoing) ([]string, error) {
	return c.platform.Send(c.ctx, chatID, m)
}

// Accept accepts the event if it is a Request and the platform can.
func (c *Context) Accept(opts AcceptOptions) error {
	r, ok := c.event.(Request)
	if !ok {
		return fmt.Errorf("bot: %s is not a request", c.event.Type())
	}
	ra, ok := c.platform.(RequestAccepter)
	if !ok {
		return ErrUnsupported
	}
	return ra.AcceptRequest(c.ctx, r, opts)
}

// Delete deletes a message for everyone if the platform can.
func (c *Context) Delete(chatID, msgID string) error {
	d, ok := c.platform.(Deleter)
	if !ok {
		return ErrUnsupported
	}
	return d.Delete(c.ctx, chatID, msgID)
}

// React reacts to a message if the platform can.
func (c *Context) React(chatID, msgID, emoji string) error {
	r, ok := c.platform.(Reactor)
	if !ok {
		return ErrUnsupported
	}
	return r.React(c.ctx, chatID, msgID, emoji)
}

func chatKeyOf(e Event) string {
	if k, ok := e.(ChatKeyer); ok {
		return k.ChatKey()
	}
	return ""
}
