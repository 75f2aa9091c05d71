package bot

import "errors"

// Errors the Context verbs return when the event does not fit the verb.
// They are mistakes in the handler's routing, not platform failures.
var (
	// ErrNoChat is returned by the verbs about the current message (Reply,
	// Edit, DeleteMessage, …) when the event carries no message.
	ErrNoChat = errors.New("bot: event has no chat to reply to")
	// ErrNotRequest is returned by Accept and Reject when the event is not
	// a Request.
	ErrNotRequest = errors.New("bot: event is not a request")
	// ErrNotGroup is returned by the member verbs (BlockSender,
	// RemoveSender) when the current message is not in a group.
	ErrNotGroup = errors.New("bot: message is not in a group")
	// ErrNoSender is returned by the verbs about the sender when the
	// current message has none, such as the bot's own messages.
	ErrNoSender = errors.New("bot: message has no sender")
)

// ErrUnsupported is matched (errors.Is) by every error saying a platform
// lacks a capability; see UnsupportedError.
var ErrUnsupported = errors.New("bot: not supported by this platform")

// UnsupportedError is what the Context verbs return when the platform
// lacks the capability they need. It matches ErrUnsupported, so most code
// only tests errors.Is(err, bot.ErrUnsupported); errors.As gives the
// details, for example to tell an operator which capability is missing.
type UnsupportedError struct {
	// Platform is the platform's name.
	Platform string
	// Capability is the capability the verb needs.
	Capability Capability
	// What is what was asked, such as "edit message 42".
	What string
}

// Error says what was asked and which capability the platform lacks.
func (e *UnsupportedError) Error() string {
	return "bot: " + e.What + ": platform " + e.Platform + " cannot (no " + string(e.Capability) + " capability)"
}

// Is reports whether target is ErrUnsupported.
func (e *UnsupportedError) Is(target error) bool { return target == ErrUnsupported }

func unsupported(p Platform, c Capability, what string) error {
	name := "<nil>"
	if p != nil {
		name = p.Name()
	}
	return &UnsupportedError{Platform: name, Capability: c, What: what}
}

// Failures of a command on its way to the server. Every platform's own
// errors for these cases wrap them, so generic code, and the delivery
// machinery, can tell them from a server that refused the command.
var (
	// ErrNotSent means the command never reached the server (no
	// connection, a failed write): sending it again is safe.
	ErrNotSent = errors.New("bot: command not sent")
	// ErrOutcomeUnknown means the command was written but no answer came
	// (the connection dropped, a timeout): it may or may not have run.
	ErrOutcomeUnknown = errors.New("bot: command outcome unknown")
)

// Undelivered reports whether err says a command did not reach the
// server, or may not have. A handler that fails with such an error has not
// handled its event: the platform does not count it as handled (its
// cursor does not move past it, Dedupe does not mark it) and delivers it
// again after reconnecting.
func Undelivered(err error) bool {
	return err != nil && (errors.Is(err, ErrNotSent) || errors.Is(err, ErrOutcomeUnknown))
}

// Outcome names how a command ended, in the words the command observers
// of every platform report: "ok" (err is nil), "not_sent" (ErrNotSent),
// "unknown" (ErrOutcomeUnknown) or "error" (the server refused it, or any
// other failure). They are the metrics package's Outcome values.
func Outcome(err error) string {
	switch {
	case err == nil:
		return "ok"
	case errors.Is(err, ErrNotSent):
		return "not_sent"
	case errors.Is(err, ErrOutcomeUnknown):
		return "unknown"
	}
	return "error"
}

// KindError returns an error with message msg that matches kind with
// errors.Is. Platforms define their sentinels with it, such as
// simplex.ErrNotSent matching bot.ErrNotSent, so each keeps its own
// message.
func KindError(kind error, msg string) error { return &kindError{kind: kind, msg: msg} }

type kindError struct {
	kind error
	msg  string
}

func (e *kindError) Error() string { return e.msg }
func (e *kindError) Unwrap() error { return e.kind }
