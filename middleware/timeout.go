package middleware

import (
	"context"
	"fmt"
	"time"

	"github.com/parleybot/parley/bot"
)

// Timeout gives each handler a context that ends after d. Handlers are not
// preempted: they must watch c.Context() for the deadline to take effect.
// When the handler returns an error after the deadline passed, the error is
// a *TimeoutError, which matches context.DeadlineExceeded with errors.Is as
// well as the handler's own error. A nil return is kept as is: the work was
// done, if late. It panics if d is not positive.
func Timeout(d time.Duration) bot.Middleware {
	if d <= 0 {
		panic(fmt.Sprintf("middleware: Timeout needs a positive duration, got %v", d))
	}
	return func(next bot.Handler) bot.Handler {
		return bot.HandlerFunc(func(c *bot.Context) error {
			ctx, cancel := context.WithTimeout(c.Context(), d)
			defer cancel()
			err := next.Handle(c.WithContext(ctx))
			if err != nil && ctx.Err() == context.DeadlineExceeded {
				if _, ok := err.(*TimeoutError); !ok {
					return &TimeoutError{Timeout: d, Err: err}
				}
			}
			return err
		})
	}
}

// TimeoutError is a handler error returned after the handler's deadline.
type TimeoutError struct {
	// Timeout is the deadline the middleware set.
	Timeout time.Duration
	// Err is what the handler returned.
	Err error
}

// Error says how long the deadline was and what the handler returned.
func (e *TimeoutError) Error() string {
	return fmt.Sprintf("handler timed out after %v: %v", e.Timeout, e.Err)
}

// Unwrap returns context.DeadlineExceeded and the handler's error, so that
// errors.Is and errors.As see both.
func (e *TimeoutError) Unwrap() []error {
	return []error{context.DeadlineExceeded, e.Err}
}
