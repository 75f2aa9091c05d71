package bot

import (
	"context"
	"fmt"

	"go.uber.org/zap"
)

var nopLogger = zap.NewNop()

// Context is what a handler receives for one event: the context.Context
// (cancelled on shutdown or handler timeout), the event, a logger, the
// platform and the verbs a handler acts with.
//
// A Context is about one message when the event carries messages: the one
// a message route matched, else the event's first. Text, Sender and the
// verbs about "the current message" (Reply, Answer, Edit, DeleteMessage,
// SendPrivate, BlockSender, RemoveSender) use it. A Context never changes
// what it is about while a handler holds it: WithMessage and WithContext
// return copies.
//
// Verbs that need an optional capability return an *UnsupportedError
// (errors.Is(err, ErrUnsupported)) on platforms without it, so one handler
// can run on every platform and degrade where a platform cannot follow.
//
// The pipelined verbs (ReplyAsync, AnswerAsync, SendAsync) write now and
// return a *Pending; the event is complete once its handler returned and
// all of them have their outcome (see Pending for who gets the outcome).
//
// A Context is valid only until the handler returns; copy what you need
// to keep.
type Context struct {
	ctx      context.Context
	event    Event
	chatKey  string
	platform Platform
	logger   *zap.Logger
	msg      *Message
	botName  string
	// detached is ctx without its cancellation, made once per Run by the
	// bot; nil means Detached makes it.
	detached context.Context
	// base is the context pipelined sends wait under: the bot's, which
	// outlives the handler (a Timeout's deadline ends with the handler).
	base context.Context
	// t follows the event's pipelined sends; copies of the Context share
	// it.
	t *tracker
	// managed is set when the bot runs the Context: it then counts the
	// handler among what the event waits for.
	managed bool
}

// NewContext builds a Context. The scheduler builds them for Bot.Run;
// NewContext is for tests and for code that drives handlers by hand. Its
// bot name is empty; see WithBotName.
func NewContext(ctx context.Context, e Event, p Platform, logger *zap.Logger) *Context {
	if logger == nil {
		logger = nopLogger
	}
	// One allocation for both; copies of c share the tracker.
	ct := &struct {
		c Context
		t tracker
	}{}
	c := &ct.c
	*c = Context{ctx: ctx, event: e, platform: p, logger: logger, base: ctx, t: &ct.t}
	c.chatKey = chatKeyOf(e)
	c.msg = firstMessage(e)
	return c
}

func firstMessage(e Event) *Message {
	if me, ok := e.(MessageEvent); ok {
		if ms := me.Messages(); len(ms) > 0 {
			return &ms[0]
		}
	}
	return nil
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
	c2.detached = nil
	return &c2
}

// Detached returns the event's context without its cancellation (as
// context.WithoutCancel), for work that must finish even when the
// handler's context ended, such as a dedupe mark. For Contexts the bot
// made it costs nothing.
func (c *Context) Detached() context.Context {
	if c.detached != nil {
		return c.detached
	}
	return context.WithoutCancel(c.ctx)
}

// WithMessage returns a Context about m, one of the event's messages, for
// routers that hand each message of an event to its own route. c itself
// is not changed; when c is already about m (the same pointer) it is
// returned as it is, so routing an event's first message costs nothing.
// m must stay unchanged while the returned Context is in use.
func (c *Context) WithMessage(m *Message) *Context {
	if c.msg == m {
		return c
	}
	c2 := *c
	c2.msg = m
	return &c2
}

// WithBotName returns a shallow copy of c whose BotName is name, for tests
// that drive handlers by hand (NewContext has no bot name).
func (c *Context) WithBotName(name string) *Context {
	c2 := *c
	c2.botName = name
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
// platform's name. Routers compare it with the address of commands such
// as "/help@mybot".
func (c *Context) BotName() string { return c.botName }

// Message returns the current message: the one a message route matched,
// or else the event's first message. It reports false for events without
// messages.
func (c *Context) Message() (Message, bool) {
	if c.msg == nil {
		return Message{}, false
	}
	return *c.msg, true
}

// Text returns the text of the current message, or "" when there is none.
func (c *Context) Text() string {
	if c.msg == nil {
		return ""
	}
	return c.msg.Text
}

// Sender returns who sent the current message, or who made the request
// when the event is a Request. It is the zero Sender for other events and
// for the bot's own messages.
func (c *Context) Sender() Sender {
	if c.msg != nil {
		return c.msg.Sender
	}
	if r, ok := c.event.(Request); ok {
		return r.RequestInfo().From
	}
	return Sender{}
}

// current returns the current message when it has a chat, else ErrNoChat.
func (c *Context) current() (*Message, error) {
	if c.msg == nil || c.msg.Chat.ID == "" {
		return nil, ErrNoChat
	}
	return c.msg, nil
}

// Reply sends text to the chat of the current message, quoting it.
func (c *Context) Reply(text string) error {
	m, err := c.current()
	if err != nil {
		return err
	}
	_, err = c.platform.Send(c.ctx, m.Chat.ID, Outgoing{Text: text, ReplyTo: m.ID})
	return err
}

// Answer sends text to the chat of the current message without quoting it.
func (c *Context) Answer(text string) error {
	m, err := c.current()
	if err != nil {
		return err
	}
	_, err = c.platform.Send(c.ctx, m.Chat.ID, Outgoing{Text: text})
	return err
}

// Send sends a message to any chat of the platform and returns the IDs of
// the messages it created, for a later Edit or Delete.
func (c *Context) Send(chatID string, m Outgoing) ([]string, error) {
	return c.platform.Send(c.ctx, chatID, m)
}

// ReplyAsync is the pipelined Reply: it writes the reply now and returns
// without waiting for the server's answer, so the next event of the chat
// can start. Replies of one chat still reach the server in order. The
// outcome is the event's unless the handler waits for it; see Pending.
// On platforms that cannot pipeline (no AsyncSender) it sends and waits,
// and returns a Pending that is already done.
func (c *Context) ReplyAsync(text string) *Pending {
	m, err := c.current()
	if err != nil {
		return c.failedSend(err)
	}
	return c.SendAsync(m.Chat.ID, Outgoing{Text: text, ReplyTo: m.ID})
}

// AnswerAsync is the pipelined Answer; see ReplyAsync.
func (c *Context) AnswerAsync(text string) *Pending {
	m, err := c.current()
	if err != nil {
		return c.failedSend(err)
	}
	return c.SendAsync(m.Chat.ID, Outgoing{Text: text})
}

// SendAsync is the pipelined Send; see ReplyAsync.
func (c *Context) SendAsync(chatID string, m Outgoing) *Pending {
	p := &Pending{}
	c.tracker().start(p)
	if as, ok := c.platform.(AsyncSender); ok {
		as.SendAsync(c.sendCtx(), chatID, m, p.complete)
		return p
	}
	p.complete(c.platform.Send(c.ctx, chatID, m))
	return p
}

// failedSend returns a Pending that failed before anything was sent; its
// error is the event's like any other.
func (c *Context) failedSend(err error) *Pending {
	p := &Pending{}
	c.tracker().start(p)
	p.complete(nil, err)
	return p
}

// AfterSends runs f once the pipelined sends this event started so far
// have their outcome, with the error of those that failed (joined; nil
// when all succeeded), not counting sends the handler waited for. It runs
// f at once when no send is in flight; otherwise once the event is
// complete, before the platform hears of it (HandledNotifier). Middleware
// that acts on an event's final outcome, such as Dedupe and Logger, uses
// it after the next handler returned.
func (c *Context) AfterSends(f func(err error)) {
	c.tracker().whenDone(f, c.handlerRef())
}

// Drop records that middleware refused the event on purpose (a duplicate,
// a message over a rate limit), with a short reason such as "duplicate".
// A dropping middleware calls it and returns nil without calling the next
// handler. The bot counts the event in Stats.Dropped instead of Handled,
// and Logger logs it at debug level. The first reason given is kept.
func (c *Context) Drop(reason string) {
	t := c.tracker()
	t.mu.Lock()
	if t.drop == "" {
		t.drop = reason
		if reason == "" {
			t.drop = "dropped"
		}
	}
	t.mu.Unlock()
	t.dropped.Store(true)
}

// Dropped reports whether middleware dropped the event (Drop), and why.
func (c *Context) Dropped() (reason string, ok bool) {
	t := c.tracker()
	if !t.dropped.Load() {
		return "", false
	}
	t.mu.Lock()
	defer t.mu.Unlock()
	return t.drop, true
}

// SendsDone reports whether no pipelined send of the event is in flight,
// and if so the error of those that failed, as AfterSends would pass it.
// Middleware checks it first to avoid queueing a callback in the common
// case.
func (c *Context) SendsDone() (done bool, err error) {
	t := c.tracker()
	if t.open.Load() != c.handlerRef() {
		return false, nil
	}
	return true, t.sendErr()
}

func (c *Context) handlerRef() int32 {
	if c.managed {
		return 1
	}
	return 0
}

func (c *Context) tracker() *tracker {
	if c.t == nil {
		c.t = new(tracker)
	}
	return c.t
}

func (c *Context) sendCtx() context.Context {
	if c.base != nil {
		return c.base
	}
	return c.ctx
}

// SendPrivate writes text privately to the sender of the current message.
// In a group it goes through the platform's PrivateSender; in a direct
// chat, which is private already, it is sent to the chat. So a handler can
// answer a group command without noise and work the same in direct chats.
func (c *Context) SendPrivate(text string) error {
	m, err := c.current()
	if err != nil {
		return err
	}
	if m.Chat.Kind == Direct {
		_, err = c.platform.Send(c.ctx, m.Chat.ID, Outgoing{Text: text})
		return err
	}
	if m.Sender.ID == "" {
		return ErrNoSender
	}
	ps, ok := c.platform.(PrivateSender)
	if !ok {
		return unsupported(c.platform, CanPrivate, "write privately to member "+m.Sender.ID+" of "+m.Chat.ID)
	}
	_, err = ps.SendPrivate(c.ctx, m.Chat.ID, m.Sender.ID, Outgoing{Text: text})
	return err
}

// Edit replaces the text of msgID, a message the bot sent in the chat of
// the current message (Send returns the IDs).
func (c *Context) Edit(msgID, text string) error {
	m, err := c.current()
	if err != nil {
		return err
	}
	ed, ok := c.platform.(Editor)
	if !ok {
		return unsupported(c.platform, CanEdit, "edit message "+msgID+" in "+m.Chat.ID)
	}
	return ed.Edit(c.ctx, m.Chat.ID, msgID, text)
}

// DeleteMessage deletes the current message for everyone. In groups the
// bot needs a role that allows deleting other members' messages.
func (c *Context) DeleteMessage() error {
	m, err := c.current()
	if err != nil {
		return err
	}
	return c.Delete(m.Chat.ID, m.ID)
}

// Delete deletes any message for everyone if the platform can.
func (c *Context) Delete(chatID, msgID string) error {
	d, ok := c.platform.(Deleter)
	if !ok {
		return unsupported(c.platform, CanDelete, "delete message "+msgID+" in "+chatID)
	}
	return d.Delete(c.ctx, chatID, msgID)
}

// React reacts to a message with an emoji if the platform can.
func (c *Context) React(chatID, msgID, emoji string) error {
	r, ok := c.platform.(Reactor)
	if !ok {
		return unsupported(c.platform, CanReact, "react to message "+msgID+" in "+chatID)
	}
	return r.React(c.ctx, chatID, msgID, emoji)
}

// Accept accepts the current request (a contact request or a group
// invitation).
func (c *Context) Accept(opts AcceptOptions) error {
	r, err := c.request()
	if err != nil {
		return err
	}
	ra, ok := c.platform.(RequestAccepter)
	if !ok {
		return unsupported(c.platform, CanAccept, "accept "+requestWhat(r))
	}
	return ra.AcceptRequest(c.ctx, r, opts)
}

// Reject rejects the current request.
func (c *Context) Reject() error {
	r, err := c.request()
	if err != nil {
		return err
	}
	ra, ok := c.platform.(RequestAccepter)
	if !ok {
		return unsupported(c.platform, CanAccept, "reject "+requestWhat(r))
	}
	return ra.RejectRequest(c.ctx, r)
}

func (c *Context) request() (Request, error) {
	r, ok := c.event.(Request)
	if !ok {
		return nil, fmt.Errorf("%w: %s", ErrNotRequest, c.event.Type())
	}
	return r, nil
}

func requestWhat(r Request) string {
	info := r.RequestInfo()
	return info.Kind.String() + " request " + info.ID
}

// BlockSender hides the messages of the current message's sender from
// everyone in the group, through the platform's MemberBlocker.
func (c *Context) BlockSender() error {
	m, err := c.groupSender()
	if err != nil {
		return err
	}
	b, ok := c.platform.(MemberBlocker)
	if !ok {
		return unsupported(c.platform, CanBlock, "block member "+m.Sender.ID+" of "+m.Chat.ID)
	}
	return b.BlockMember(c.ctx, m.Chat.ID, m.Sender.ID, true)
}

// RemoveSender removes the current message's sender from the group,
// through the platform's MemberRemover.
func (c *Context) RemoveSender() error {
	m, err := c.groupSender()
	if err != nil {
		return err
	}
	r, ok := c.platform.(MemberRemover)
	if !ok {
		return unsupported(c.platform, CanRemove, "remove member "+m.Sender.ID+" of "+m.Chat.ID)
	}
	return r.RemoveMember(c.ctx, m.Chat.ID, m.Sender.ID)
}

func (c *Context) groupSender() (*Message, error) {
	m, err := c.current()
	if err != nil {
		return nil, err
	}
	if m.Chat.Kind != Group {
		return nil, ErrNotGroup
	}
	if m.Sender.ID == "" {
		return nil, ErrNoSender
	}
	return m, nil
}

func chatKeyOf(e Event) string {
	if k, ok := e.(ChatKeyer); ok {
		return k.ChatKey()
	}
	return ""
}
