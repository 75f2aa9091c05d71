package parleytest

import (
	"context"
	"fmt"
	"strconv"
	"sync"
	"sync/atomic"
	"time"

	"github.com/parleybot/parley/bot"
)

// Sent is one message the bot sent through the platform.
type Sent struct {
	ChatID string
	bot.Outgoing
	// ID is the id the platform gave the message.
	ID string
	// Member is set for a private message (SendPrivate) to a member of the
	// group ChatID.
	Member string
}

// Platform is an in-memory bot.Platform. Inject hands it events; the bot's
// sends are recorded and can be awaited. It implements every optional
// capability of package bot (accept and reject, delete, edit, react, block,
// remove, set role, private messages, mentions) and records the calls as
// Actions, so moderation-style handlers can be tested without a network.
// Bare gives a view without the capabilities.
type Platform struct {
	name   string
	events chan bot.Event

	mu       sync.Mutex
	cond     chan struct{} // closed and replaced on every change
	sent     []Sent
	actions  []Action
	handled  []bot.Event
	sendErr  error
	actErr   error
	nextID   atomic.Int64
	onSend   func(chatID string, m bot.Outgoing)
	listened atomic.Bool
}

// Action is a recorded capability call with its arguments. Verb is one
// of "accept", "reject", "delete", "edit", "react", "block", "unblock",
// "remove" and "set_role". Private messages are recorded as Sent, with
// Member set.
type Action struct {
	Verb   string
	ChatID string
	MsgID  string
	// Text is the new text of an edit, the emoji of a reaction, the
	// welcome of an accept.
	Text string
	// Req is the request of an accept or reject.
	Req bot.RequestInfo
	// Member is the member of a block, unblock, remove or set_role.
	Member string
	// Role is the new role of a set_role.
	Role string
}

// NewPlatform returns an in-memory platform named "test". Its inject buffer
// holds 1024 events; Inject blocks beyond that, like a real socket.
func NewPlatform() *Platform {
	return NewPlatformNamed("test")
}

// NewPlatformNamed returns an in-memory platform with the given name.
func NewPlatformNamed(name string) *Platform {
	return &Platform{name: name, events: make(chan bot.Event, 1024), cond: make(chan struct{})}
}

// Name implements bot.Platform.
func (p *Platform) Name() string { return p.name }

// Inject delivers an event to the bot. It blocks while the inject buffer is
// full and returns ctx's error if ctx ends first.
func (p *Platform) Inject(ctx context.Context, e bot.Event) error {
	select {
	case p.events <- e:
		return nil
	case <-ctx.Done():
		return ctx.Err()
	}
}

// Listen implements bot.Platform.
func (p *Platform) Listen(ctx context.Context, emit func(bot.Event) error) error {
	p.listened.Store(true)
	for {
		select {
		case <-ctx.Done():
			return nil
		case e := <-p.events:
			if err := emit(e); err != nil {
				return nil
			}
		}
	}
}

// FailSends makes every later Send return err (nil restores success).
func (p *Platform) FailSends(err error) {
	p.mu.Lock()
	p.sendErr = err
	p.mu.Unlock()
}

// FailActions makes every later capability call (accept, reject, delete,
// edit, react, block, remove, set role; not sends) return err without
// being recorded; nil restores success.
func (p *Platform) FailActions(err error) {
	p.mu.Lock()
	p.actErr = err
	p.mu.Unlock()
}

// OnSend sets a hook called for every send, before it is recorded.
func (p *Platform) OnSend(f func(chatID string, m bot.Outgoing)) {
	p.mu.Lock()
	p.onSend = f
	p.mu.Unlock()
}

// Send implements bot.Platform.
func (p *Platform) Send(ctx context.Context, chatID string, m bot.Outgoing) ([]string, error) {
	return p.send(ctx, chatID, "", m)
}

func (p *Platform) send(ctx context.Context, chatID, member string, m bot.Outgoing) ([]string, error) {
	if err := ctx.Err(); err != nil {
		return nil, err
	}
	p.mu.Lock()
	if p.sendErr != nil {
		err := p.sendErr
		p.mu.Unlock()
		return nil, err
	}
	hook := p.onSend
	p.mu.Unlock()
	if hook != nil {
		hook(chatID, m)
	}
	id := strconv.FormatInt(p.nextID.Add(1), 10)
	p.mu.Lock()
	p.sent = append(p.sent, Sent{ChatID: chatID, Outgoing: m, ID: id, Member: member})
	p.changedLocked()
	p.mu.Unlock()
	return []string{id}, nil
}

// EventHandled implements bot.HandledNotifier; the events are kept in
// handling order (see Handled).
func (p *Platform) EventHandled(e bot.Event, err error) {
	p.mu.Lock()
	p.handled = append(p.handled, e)
	p.changedLocked()
	p.mu.Unlock()
}

// AcceptRequest implements bot.RequestAccepter.
func (p *Platform) AcceptRequest(ctx context.Context, r bot.Request, opts bot.AcceptOptions) error {
	return p.record(ctx, Action{Verb: "accept", Req: r.RequestInfo(), Text: opts.Welcome})
}

// RejectRequest implements bot.RequestAccepter.
func (p *Platform) RejectRequest(ctx context.Context, r bot.Request) error {
	return p.record(ctx, Action{Verb: "reject", Req: r.RequestInfo()})
}

// Delete implements bot.Deleter.
func (p *Platform) Delete(ctx context.Context, chatID, msgID string) error {
	return p.record(ctx, Action{Verb: "delete", ChatID: chatID, MsgID: msgID})
}

// Edit implements bot.Editor.
func (p *Platform) Edit(ctx context.Context, chatID, msgID, text string) error {
	return p.record(ctx, Action{Verb: "edit", ChatID: chatID, MsgID: msgID, Text: text})
}

// React implements bot.Reactor.
func (p *Platform) React(ctx context.Context, chatID, msgID, emoji string) error {
	return p.record(ctx, Action{Verb: "react", ChatID: chatID, MsgID: msgID, Text: emoji})
}

// BlockMember implements bot.MemberBlocker; it records "block", or
// "unblock" when blocked is false.
func (p *Platform) BlockMember(ctx context.Context, chatID, memberID string, blocked bool) error {
	verb := "block"
	if !blocked {
		verb = "unblock"
	}
	return p.record(ctx, Action{Verb: verb, ChatID: chatID, Member: memberID})
}

// RemoveMember implements bot.MemberRemover.
func (p *Platform) RemoveMember(ctx context.Context, chatID, memberID string) error {
	return p.record(ctx, Action{Verb: "remove", ChatID: chatID, Member: memberID})
}

// SetMemberRole implements bot.RoleSetter.
func (p *Platform) SetMemberRole(ctx context.Context, chatID, memberID, role string) error {
	return p.record(ctx, Action{Verb: "set_role", ChatID: chatID, Member: memberID, Role: role})
}

// SendPrivate implements bot.PrivateSender. The message is recorded as
// Sent to chatID with Member set; FailSends applies to it.
func (p *Platform) SendPrivate(ctx context.Context, chatID, memberID string, m bot.Outgoing) ([]string, error) {
	return p.send(ctx, chatID, memberID, m)
}

// SendsMentions implements bot.MentionSender: mentions are kept in the
// recorded Outgoing.
func (p *Platform) SendsMentions() bool { return true }

func (p *Platform) record(ctx context.Context, a Action) error {
	if err := ctx.Err(); err != nil {
		return err
	}
	p.mu.Lock()
	defer p.mu.Unlock()
	if p.actErr != nil {
		return p.actErr
	}
	p.actions = append(p.actions, a)
	p.changedLocked()
	return nil
}

func (p *Platform) changedLocked() {
	close(p.cond)
	p.cond = make(chan struct{})
}

// Sent returns a copy of everything sent so far.
func (p *Platform) Sent() []Sent {
	p.mu.Lock()
	defer p.mu.Unlock()
	return append([]Sent(nil), p.sent...)
}

// Actions returns a copy of the capability calls so far.
func (p *Platform) Actions() []Action {
	p.mu.Lock()
	defer p.mu.Unlock()
	return append([]Action(nil), p.actions...)
}

// Handled returns the events whose handler chain has finished, in order.
func (p *Platform) Handled() []bot.Event {
	p.mu.Lock()
	defer p.mu.Unlock()
	return append([]bot.Event(nil), p.handled...)
}

// Wait blocks until cond holds for the platform's state, or the timeout
// passes. cond is called with the platform locked; it must not call
// Platform methods.
func (p *Platform) Wait(timeout time.Duration, cond func(s State) bool) error {
	deadline := time.NewTimer(timeout)
	defer deadline.Stop()
	for {
		p.mu.Lock()
		ok := cond(State{Sent: p.sent, Actions: p.actions, Handled: p.handled})
		ch := p.cond
		p.mu.Unlock()
		if ok {
			return nil
		}
		select {
		case <-ch:
		case <-deadline.C:
			p.mu.Lock()
			defer p.mu.Unlock()
			return fmt.Errorf("parleytest: condition not met within %v (sent %d, actions %d, handled %d)",
				timeout, len(p.sent), len(p.actions), len(p.handled))
		}
	}
}

// WaitSent waits until at least n messages were sent and returns them.
func (p *Platform) WaitSent(n int, timeout time.Duration) ([]Sent, error) {
	err := p.Wait(timeout, func(s State) bool { return len(s.Sent) >= n })
	return p.Sent(), err
}

// WaitHandled waits until at least n events were handled.
func (p *Platform) WaitHandled(n int, timeout time.Duration) error {
	return p.Wait(timeout, func(s State) bool { return len(s.Handled) >= n })
}

// State is what Wait's condition sees. Its slices must not be kept.
type State struct {
	Sent    []Sent
	Actions []Action
	Handled []bot.Event
}

// Bare returns a view of p with none of the optional capabilities: only
// Name, Listen, Send and EventHandled, which act on p. Use it to test that
// a handler copes with a platform that cannot delete, block and so on.
func (p *Platform) Bare() bot.Platform { return bare{p} }

type bare struct{ p *Platform }

func (b bare) Name() string { return b.p.Name() }
func (b bare) Listen(ctx context.Context, emit func(bot.Event) error) error {
	return b.p.Listen(ctx, emit)
}
func (b bare) Send(ctx context.Context, chatID string, m bot.Outgoing) ([]string, error) {
	return b.p.Send(ctx, chatID, m)
}
func (b bare) EventHandled(e bot.Event, err error) { b.p.EventHandled(e, err) }

// The in-memory platform has every capability; Bare has none.
var (
	_ bot.HandledNotifier = (*Platform)(nil)
	_ bot.RequestAccepter = (*Platform)(nil)
	_ bot.Deleter         = (*Platform)(nil)
	_ bot.Editor          = (*Platform)(nil)
	_ bot.Reactor         = (*Platform)(nil)
	_ bot.MemberBlocker   = (*Platform)(nil)
	_ bot.MemberRemover   = (*Platform)(nil)
	_ bot.RoleSetter      = (*Platform)(nil)
	_ bot.PrivateSender   = (*Platform)(nil)
	_ bot.MentionSender   = (*Platform)(nil)
)
