package middleware

import (
	"fmt"
	"runtime/debug"

	"github.com/parleybot/parley/bot"
	"go.uber.org/zap"
)

// Recover turns a panic in the next handler into a returned *bot.PanicError
// carrying the stack, and logs it at error level on the event's logger.
// The bot keeps running and later events, of the same chat and of others,
// are handled as usual.
func Recover() bot.Middleware {
	return RecoverWith(logPanic)
}

// RecoverWith is Recover with f called on every panic instead of the
// default log entry; f gets the panic value and the stack. The handler
// still returns a *bot.PanicError. A panic inside f is not recovered.
func RecoverWith(f func(c *bot.Context, p any, stack []byte)) bot.Middleware {
	if f == nil {
		panic("middleware: RecoverWith needs a non-nil function")
	}
	return func(next bot.Handler) bot.Handler {
		return bot.HandlerFunc(func(c *bot.Context) (err error) {
			defer func() {
				if p := recover(); p != nil {
					stack := debug.Stack()
					f(c, p, stack)
					err = &bot.PanicError{Value: p, Stack: stack}
				}
			}()
			return next.Handle(c)
		})
	}
}

func logPanic(c *bot.Context, p any, stack []byte) {
	ce := c.Logger().Check(zap.ErrorLevel, "handler panic")
	if ce == nil {
		return
	}
	var typ string
	if e := c.Event(); e != nil {
		typ = e.Type()
	}
	ce.Write(
		zap.String("type", typ),
		zap.String("chat", c.ChatKey()),
		zap.String("panic", fmt.Sprint(p)),
		zap.ByteString("stack", stack),
	)
}
