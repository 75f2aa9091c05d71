package middleware

import (
	"errors"
	"fmt"
	"sync"
	"sync/atomic"
	"time"

	"github.com/parleybot/parley/bot"
	"go.uber.org/zap"
	"go.uber.org/zap/zapcore"
)

// LoggerOption configures Logger.
type LoggerOption interface {
	applyLogger(*loggerConfig)
}

type loggerOptionFunc func(*loggerConfig)

func (f loggerOptionFunc) applyLogger(c *loggerConfig) { f(c) }

type loggerConfig struct {
	level zapcore.Level
}

// LogLevel sets the level of entries for events handled without error
// (default info). At debug level the entry also carries the message text;
// failed events are always logged at error level, without text.
func LogLevel(l zapcore.Level) LoggerOption {
	if l < zapcore.DebugLevel || l > zapcore.ErrorLevel {
		panic(fmt.Sprintf("middleware: LogLevel %v: want debug, info, warn or error", l))
	}
	return loggerOptionFunc(func(c *loggerConfig) { c.level = l })
}

// Routine is implemented by events too frequent and too dull for an info
// entry each, such as delivery statuses and subscription notices. Logger
// logs a routine event that succeeded at debug level.
type Routine interface {
	Routine() bool
}

// Logger writes one entry to l per event, once its outcome is known, with
// the fields bot, platform, type (the event type), chat (the chat key),
// duration and, on failure, error. The outcome includes the event's
// pipelined sends (bot.Context.ReplyAsync): when they are still in flight
// as the handler returns, the entry waits for them, and its duration
// includes the wait. Failures, panics included, are logged at
// error level and successes at info level (see LogLevel), or at debug
// level for Routine events and for events a middleware inside it dropped
// (bot.Context.Drop: "event dropped" with the reason). Message text and names never appear at info
// level: only debug entries carry the text.
func Logger(l *zap.Logger, opts ...LoggerOption) bot.Middleware {
	if l == nil {
		panic("middleware: Logger needs a non-nil *zap.Logger")
	}
	cfg := loggerConfig{level: zapcore.InfoLevel}
	for _, o := range opts {
		o.applyLogger(&cfg)
	}
	lg := &eventLogger{l: l, level: cfg.level}
	return func(next bot.Handler) bot.Handler {
		return bot.HandlerFunc(func(c *bot.Context) (err error) {
			start := time.Now()
			done := false
			defer func() {
				if !done {
					// The handler is panicking: log, and let the panic
					// go on to whatever recovers it.
					lg.write(c, start, nil, true)
				}
			}()
			err = next.Handle(c)
			done = true
			// An event with pipelined sends in flight is logged once
			// they have their outcome, which is part of the event's.
			if ok, serr := c.SendsDone(); ok {
				lg.write(c, start, joinErr(err, serr), false)
				return err
			}
			herr, began := err, start // captured here only: no allocation on the common path
			c.AfterSends(func(serr error) { lg.write(c, began, joinErr(herr, serr), false) })
			return err
		})
	}
}

// joinErr joins the handler's error and its sends', without allocating
// when one is nil.
func joinErr(a, b error) error {
	switch {
	case b == nil:
		return a
	case a == nil:
		return b
	}
	return errors.Join(a, b)
}

type eventLogger struct {
	l     *zap.Logger
	level zapcore.Level
	// last caches a child logger carrying the bot and platform fields,
	// encoded once; a Logger middleware almost always serves one bot.
	last atomic.Pointer[boundLogger]
}

type boundLogger struct {
	bot, platform string
	l             *zap.Logger
}

func (lg *eventLogger) bound(bot, platform string) *zap.Logger {
	if b := lg.last.Load(); b != nil && b.bot == bot && b.platform == platform {
		return b.l
	}
	b := &boundLogger{bot: bot, platform: platform,
		l: lg.l.With(zap.String("bot", bot), zap.String("platform", platform))}
	lg.last.Store(b)
	return b.l
}

const loggerFields = 5

var fieldsPool = sync.Pool{New: func() any { return new([loggerFields]zap.Field) }}

func (lg *eventLogger) write(c *bot.Context, start time.Time, err error, panicked bool) {
	lvl, msg := lg.level, "event handled"
	reason, dropped := "", false
	switch {
	case panicked:
		lvl, msg = zapcore.ErrorLevel, "event panicked"
	case err != nil:
		lvl, msg = zapcore.ErrorLevel, "event failed"
	default:
		if reason, dropped = c.Dropped(); dropped {
			lvl, msg = zapcore.DebugLevel, "event dropped"
		} else if r, ok := c.Event().(Routine); ok && r.Routine() {
			lvl = min(lvl, zapcore.DebugLevel)
		}
	}
	if !lg.l.Core().Enabled(lvl) {
		return
	}
	var typ, platform string
	if e := c.Event(); e != nil {
		typ = e.Type()
	}
	if p := c.Platform(); p != nil {
		platform = p.Name()
	}
	ce := lg.bound(c.BotName(), platform).Check(lvl, msg)
	if ce == nil {
		return
	}
	// Cores encode fields during Write and do not keep the slice (the
	// observer in zaptest copies it), so the array can be reused: a fresh
	// one per event was the Logger's largest cost.
	fa := fieldsPool.Get().(*[loggerFields]zap.Field)
	defer func() {
		*fa = [loggerFields]zap.Field{}
		fieldsPool.Put(fa)
	}()
	fs := fa[:]
	fs[0] = zap.String("type", typ)
	fs[1] = zap.String("chat", c.ChatKey())
	// The entry carries the time it was made: one clock read less.
	fs[2] = zap.Duration("duration", ce.Time.Sub(start))
	n := 3
	if err != nil {
		fs[n] = zap.Error(err)
		n++
	}
	if dropped {
		fs[n] = zap.String("reason", reason)
		n++
	}
	if lvl == zapcore.DebugLevel {
		if m, ok := c.Message(); ok {
			fs[n] = zap.String("text", m.Text)
			n++
		}
	}
	ce.Write(fs[:n]...)
}
