package privitty

import (
	"context"
	"errors"
	"fmt"
	"io"
	"net/http"
	"sync/atomic"
	"time"

	sse "github.com/tmaxmax/go-sse"
	"go.uber.org/zap"

	"github.com/parleybot/parley/bot"
	"github.com/parleybot/parley/platform/kit"
)

// errIdle ends a stream that stayed silent past the idle timeout.
var errIdle = errors.New("privitty: event stream silent past the idle timeout")

// errConnectTimeout ends an attempt to open the stream that got no answer
// within the connect timeout.
var errConnectTimeout = errors.New("the daemon did not answer")

// readLoop keeps the event stream open until ctx ends, reconnecting
// with the kit's backoff.
func (p *Platform) readLoop(ctx context.Context, q chan<- item) {
	b := &kit.Backoff{Min: p.cfg.minBackoff, Max: p.cfg.maxBackoff}
	_ = (&kit.Reconnector{Backoff: b, Log: p.log, What: "privitty: event stream", Hint: "start the Privitty Edge daemon on port {port}, or a simulator: parley sim privitty --listen {addr}"}).Run(ctx, func(ctx context.Context, useful func()) error {
		err := p.session(ctx, q, useful)
		p.connected.Store(false)
		return err
	})
}

// session opens one stream and reads it until it fails.
func (p *Platform) session(ctx context.Context, q chan<- item, useful func()) error {
	sctx, cancel := context.WithCancelCause(ctx)
	defer cancel(nil)
	req, err := p.client.newRequest(sctx, http.MethodGet, "/events", nil)
	if err != nil {
		return err
	}
	req.Header.Set("Accept", "text/event-stream")
	req.Header.Set("Cache-Control", "no-cache")
	// Until the response headers arrive nothing else bounds the request:
	// a daemon that accepted the connection and says nothing would hold
	// it forever.
	connect := time.AfterFunc(p.cfg.connectTimeout, func() { cancel(errConnectTimeout) })
	resp, err := p.client.http.Do(req)
	if !connect.Stop() && err == nil {
		resp.Body.Close()
		err = errConnectTimeout
	}
	if err != nil {
		if errors.Is(context.Cause(sctx), errConnectTimeout) {
			err = fmt.Errorf("no answer within %v: %w", p.cfg.connectTimeout, errConnectTimeout)
		}
		return fmt.Errorf("privitty: opening the event stream: %w", err)
	}
	defer resp.Body.Close()
	if resp.StatusCode != http.StatusOK {
		body, _ := io.ReadAll(io.LimitReader(resp.Body, 512))
		return &HTTPError{Method: "GET /events", Status: resp.StatusCode, Body: truncate(body)}
	}
	if p.connects.Add(1) > 1 && p.cfg.onReconnect != nil {
		p.cfg.onReconnect()
	}
	p.connected.Store(true)
	useful()
	p.log.Info("privitty: event stream open", zap.String("url", p.client.base))

	var timedOut atomic.Bool
	timer := time.AfterFunc(p.cfg.idleTimeout, func() {
		timedOut.Store(true)
		cancel(errIdle)
	})
	defer timer.Stop()
	body := &idleReader{r: resp.Body, t: timer, d: p.cfg.idleTimeout}

	// Events read from now on come after the catch-up this triggers.
	p.fallBehind(item{connect: true})
	var readErr error
	for ev, err := range sse.Read(body, &sse.ReadConfig{MaxEventSize: p.cfg.maxEvent}) {
		if err != nil {
			readErr = err
			break
		}
		e := p.decode(ev)
		if e == nil {
			continue
		}
		if !p.offer(sctx, q, e) {
			break
		}
	}
	if timedOut.Load() {
		p.idle.Add(1)
		return errIdle
	}
	if readErr == nil {
		readErr = context.Cause(sctx)
	}
	if readErr == nil {
		readErr = errors.New("privitty: the daemon closed the event stream")
	}
	return readErr
}

// decode turns one SSE event into a bot event, or nil (counted and
// logged) when its data is unusable.
func (p *Platform) decode(ev sse.Event) bot.Event {
	switch ev.Type {
	case "", "message":
		e, err := DecodeEvent([]byte(ev.Data))
		if err != nil {
			p.badFrame("undecodable event", ev.Data, err)
			return nil
		}
		if im, ok := e.(*IncomingMsg); ok && im.MsgID <= 0 {
			p.badFrame("IncomingMsg without a message id", ev.Data, nil)
			return nil
		}
		return e
	case TypeLag:
		l, err := DecodeLag([]byte(ev.Data))
		if err != nil {
			// The daemon still said it dropped events: resync anyway.
			p.badFrame("undecodable lag", ev.Data, err)
			l = &Lag{Dropped: -1}
		}
		return l
	}
	return &Unknown{TypeName: ev.Type, Raw: []byte(ev.Data)}
}

// badFrame counts an event whose data is unusable (Stats.Malformed) and
// logs it: at warning level the first time of each kind, at debug after,
// so a daemon that sends junk all day does not flood the log.
func (p *Platform) badFrame(kind, data string, err error) {
	p.malformed.Add(1)
	log := p.log.Debug
	if p.firstOf("malformed:" + kind) {
		log = p.log.Warn
		kind += " (later ones of this kind are logged at debug level and counted in Stats.Malformed)"
	}
	log("privitty: "+kind, zap.String("data", truncate([]byte(data))), zap.Error(err))
}

// offer queues e for the consumer. While the consumer is behind (the
// queue full) events are not waited for, so that the stream is still
// read: its end, an oversized event or silence is seen at once and the
// stream reopened, where waiting would leave a stream the daemon closed
// unnoticed behind a backlog as long as the handlers take. A message is
// left out, for a catch-up to fetch; another event is held, in order, for
// after that catch-up (up to the queue's size, beyond which the reader
// waits). The catch-up goes ahead of the next event queued, or runs as
// soon as the consumer has emptied the queue (takeBehind).
func (p *Platform) offer(ctx context.Context, q chan<- item, e bot.Event) bool {
	if !p.cfg.catchUp {
		// Nothing would fetch a message left out: wait for room, the
		// catch-up due (a stream opened) first.
		it, due := p.takeBehind()
		if due && !push(ctx, q, it) {
			p.fallBehind(it)
			return false
		}
		return push(ctx, q, item{ev: e})
	}
	_, msg := e.(*IncomingMsg)
	p.behindMu.Lock()
	if p.behind.pending() {
		select {
		case q <- p.behind:
			p.behind = item{}
		default:
			if !msg && len(p.behind.held) >= p.cfg.eventBuffer {
				// Too much to hold: wait for room, the catch-up first.
				it := p.behind
				p.behind = item{}
				p.behindMu.Unlock()
				if !push(ctx, q, it) {
					p.fallBehind(it) // for the next stream's reader
					return false
				}
				return push(ctx, q, item{ev: e})
			}
			p.holdLocked(e, msg)
			p.behindMu.Unlock()
			return true
		}
	}
	select {
	case q <- item{ev: e}:
		p.behindMu.Unlock()
		return true
	default:
	}
	p.holdLocked(e, msg)
	p.behindMu.Unlock()
	p.nudgeConsumer()
	return true
}

// holdLocked leaves message e out (counted) or holds another event for
// after the catch-up due. The caller holds p.behindMu.
func (p *Platform) holdLocked(e bot.Event, msg bool) {
	if msg {
		p.behind.missed++
		p.overflowed.Add(1)
		if ce := p.log.Check(zap.DebugLevel, "privitty: message left for the catch-up while the handlers are behind"); ce != nil {
			m := e.(*IncomingMsg)
			ce.Write(zap.Int64("chat", m.ChatID), zap.Int64("message", m.MsgID))
		}
		return
	}
	p.behind.held = append(p.behind.held, e)
}

// fallBehind adds it to the catch-up due before the next event queued: a
// stream opened (connect), messages left out (missed), events held.
func (p *Platform) fallBehind(it item) {
	p.behindMu.Lock()
	p.behind.connect = p.behind.connect || it.connect
	p.behind.missed += it.missed
	if len(it.held) > 0 {
		p.behind.held = append(it.held, p.behind.held...)
	}
	p.behindMu.Unlock()
	p.nudgeConsumer()
}

// takeBehind takes the catch-up due, if any, for the consumer to run now.
// Called only once the queue is empty: nothing queued can then be older
// than what it holds, and the reader queues nothing newer ahead of it.
func (p *Platform) takeBehind() (item, bool) {
	p.behindMu.Lock()
	defer p.behindMu.Unlock()
	it := p.behind
	p.behind = item{}
	return it, it.pending()
}

func (p *Platform) nudgeConsumer() {
	select {
	case p.nudge <- struct{}{}:
	default:
	}
}

func push(ctx context.Context, q chan<- item, it item) bool {
	select {
	case q <- it:
		return true
	case <-ctx.Done():
		return false
	}
}

// idleReader restarts the idle timer on every read that returns data;
// keepalive comments count.
type idleReader struct {
	r io.Reader
	t *time.Timer
	d time.Duration
}

func (i *idleReader) Read(b []byte) (int, error) {
	n, err := i.r.Read(b)
	if n > 0 {
		i.t.Reset(i.d)
	}
	return n, err
}
