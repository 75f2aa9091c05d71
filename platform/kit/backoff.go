package kit

import (
	"context"
	"errors"
	"fmt"
	"math/rand/v2"
	"net"
	"regexp"
	"strings"
	"sync/atomic"
	"syscall"
	"time"

	"go.uber.org/zap"
)

// Default backoff bounds, used when a Backoff leaves Min or Max zero.
const (
	DefaultBackoffMin = 250 * time.Millisecond
	DefaultBackoffMax = 30 * time.Second
)

// DefaultRedial is the pause, jittered, before a Reconnector redials after
// a connection that did useful work.
const DefaultRedial = 20 * time.Millisecond

// Backoff is an exponential backoff with jitter: each delay is drawn from
// [d/2, d], and d doubles from Min up to Max. The zero value uses the
// defaults. A Backoff is not safe for concurrent use.
type Backoff struct {
	Min, Max time.Duration

	cur     time.Duration
	attempt int
}

// Next returns the delay before the next attempt.
func (b *Backoff) Next() time.Duration {
	lo, hi := b.bounds()
	if b.cur < lo {
		b.cur = lo
	}
	d := Jitter(b.cur)
	b.cur = min(2*b.cur, hi)
	b.attempt++
	return d
}

// Attempt returns how many delays Next has handed out since the last Reset.
func (b *Backoff) Attempt() int { return b.attempt }

// Reset starts again from Min, after a connection that did useful work.
func (b *Backoff) Reset() { b.cur, b.attempt = 0, 0 }

func (b *Backoff) bounds() (time.Duration, time.Duration) {
	lo, hi := b.Min, b.Max
	if lo <= 0 {
		lo = DefaultBackoffMin
	}
	if hi < lo {
		hi = max(lo, DefaultBackoffMax)
	}
	return lo, hi
}

// Jitter returns a delay drawn uniformly from [d/2, d], so that many bots
// cut off together do not come back in step.
func Jitter(d time.Duration) time.Duration {
	if d <= 1 {
		return d
	}
	return d/2 + rand.N(d/2+1)
}

// Sleep waits for d or until ctx ends; it reports whether d passed.
func Sleep(ctx context.Context, d time.Duration) bool {
	t := time.NewTimer(d)
	defer t.Stop()
	select {
	case <-ctx.Done():
		return false
	case <-t.C:
		return true
	}
}

type permanentError struct{ err error }

func (e *permanentError) Error() string { return e.err.Error() }
func (e *permanentError) Unwrap() error { return e.err }

// Permanent marks err as one that reconnecting cannot fix, such as a bad
// token: Reconnect returns it instead of trying again.
func Permanent(err error) error {
	if err == nil {
		return nil
	}
	return &permanentError{err}
}

// IsPermanent reports whether err was marked with Permanent.
func IsPermanent(err error) bool {
	var p *permanentError
	return errors.As(err, &p)
}

// Reconnect runs session again and again until ctx ends (it then returns
// nil) or session returns a permanent error (returned as it is); see
// Reconnector, whose Run it is without a hint.
func Reconnect(ctx context.Context, b *Backoff, log *zap.Logger, what string, session func(ctx context.Context, useful func()) error) error {
	return (&Reconnector{Backoff: b, Log: log, What: what}).Run(ctx, session)
}

// Reconnector keeps a platform connected: Run runs a session again and
// again with backoff, and says in one warning line per failed attempt what
// happened, the attempt number and the delay before the next one.
type Reconnector struct {
	// Backoff paces the attempts; nil uses the defaults.
	Backoff *Backoff
	// Log gets the warnings; nil logs nothing.
	Log *zap.Logger
	// What names the connection in the log, such as "simplex".
	What string
	// Hint says what to start when nothing listens where the platform
	// dials (the connection was refused), such as "start the SimpleX Chat
	// CLI: simplex-chat -p {port}". {addr} and {port} are replaced by the
	// refused address and its port. Empty gives a generic hint.
	Hint string
	// Redial is the pause before dialling again after a connection that
	// did useful work, drawn from [Redial/2, Redial]: a flaky link then
	// costs about one round of start-up per drop, not the backoff's
	// minimum. Zero uses DefaultRedial; a backoff whose Min is shorter
	// uses its Min.
	Redial time.Duration
}

// Run runs session until ctx ends (it then returns nil) or session
// returns a permanent error (returned as it is). A session calls useful
// once its connection did real work (start-up done, an event passed on):
// the next drop is redialled after Redial, and the backoff starts again
// from its minimum should that dial fail, so a flaky link costs about one
// short delay per drop. A session that failed
// after useful work is logged as "connection lost"; one that never got
// that far as "cannot connect", with a hint when the connection was
// refused.
func (r *Reconnector) Run(ctx context.Context, session func(ctx context.Context, useful func()) error) error {
	log, b := r.Log, r.Backoff
	if log == nil {
		log = zap.NewNop()
	}
	if b == nil {
		b = &Backoff{}
	}
	for {
		var worked atomic.Bool
		err := session(ctx, func() { worked.Store(true) })
		if ctx.Err() != nil {
			return nil
		}
		if IsPermanent(err) {
			return err
		}
		if worked.Load() {
			b.Reset()
		}
		d := b.Next()
		if worked.Load() {
			d = Jitter(r.redial(b))
		}
		fields := []zap.Field{zap.Int("attempt", b.Attempt()), zap.Duration("delay", d), zap.Error(err)}
		what := "cannot connect"
		if worked.Load() {
			what = "connection lost"
		} else if addr, ok := refused(err); ok {
			fields = append(fields, zap.String("hint", r.hint(addr)))
		}
		shown := d
		if d >= time.Millisecond {
			shown = d.Round(time.Millisecond)
		}
		log.Warn(fmt.Sprintf("%s: %s (attempt %d); retrying in %v", r.What, what, b.Attempt(), shown), fields...)
		if !Sleep(ctx, d) {
			return nil
		}
	}
}

// redial returns the pause before redialling after useful work.
func (r *Reconnector) redial(b *Backoff) time.Duration {
	d := r.Redial
	if d <= 0 {
		d = DefaultRedial
	}
	lo, _ := b.bounds()
	return min(d, lo)
}

// hint returns the hint for a dial to addr that was refused.
func (r *Reconnector) hint(addr string) string {
	if r.Hint == "" {
		return "nothing listens at " + addr + ": start the server, or check the address in the configuration"
	}
	_, port, err := net.SplitHostPort(addr)
	if err != nil {
		port = addr
	}
	return strings.NewReplacer("{addr}", addr, "{port}", port).Replace(r.Hint)
}

// refusedText finds a refused TCP dial in an error's text, for clients
// such as gRPC that report it as a status message rather than wrap it.
var refusedText = regexp.MustCompile(`dial tcp ([^\s"]+): connect: connection refused`)

// refused reports whether err is a dial that found nothing listening, and
// the address dialled.
func refused(err error) (addr string, ok bool) {
	if err == nil {
		return "", false
	}
	if errors.Is(err, syscall.ECONNREFUSED) {
		var op *net.OpError
		if errors.As(err, &op) && op.Addr != nil {
			return op.Addr.String(), true
		}
	}
	if m := refusedText.FindStringSubmatch(err.Error()); m != nil {
		return m[1], true
	}
	if errors.Is(err, syscall.ECONNREFUSED) {
		return "the configured address", true
	}
	return "", false
}
