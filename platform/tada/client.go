package tada

import (
	"bytes"
	"context"
	"encoding/json"
	"errors"
	"fmt"
	"io"
	"math/rand/v2"
	"net/http"
	"net/url"
	"strings"
	"sync"
	"sync/atomic"
	"time"

	"github.com/coder/websocket"
	"go.uber.org/zap"

	"github.com/parleybot/parley/bot"
	"github.com/parleybot/parley/platform/kit"
)

// Error codes of the REST envelope's "error" field.
const (
	CodeNotModified       = "NOT_MODIFIED"
	CodeNoEmptyWorkplaces = "NO_EMPTY_WORKPLACES"
	CodeEmptyToken        = "EMPTY_TOKEN"
	CodeInvalidToken      = "INVALID_TOKEN"
	CodeEmptySession      = "EMPTY_SESSION"
	CodeAccountSuspended  = "ACCOUNT_SUSPENDED"
	CodeAccessDenied      = "ACCESS_DENIED"
	CodeNotFound          = "NOT_FOUND"
	CodeInvalidMethod     = "INVALID_METHOD"
	CodeInvalidData       = "INVALID_DATA"
	CodeRateLimit         = "RATE_LIMIT"
	CodeAccountNotFound   = "ACCOUNT_NOT_FOUND"
	CodeAccountBlocked    = "ACCOUNT_BLOCKED"
	CodeInternalError     = "INTERNAL_SERVER_ERROR"
)

// Client event names.
const (
	ClientActivity       = "client.activity"
	ClientChatComposing  = "client.chat.composing"
	ClientChatLastRead   = "client.chat.lastread"
	ClientConfirm        = "client.confirm"
	ClientMessageDeleted = "client.message.deleted"
	ClientMessageUpdated = "client.message.updated"
	ClientPing           = "client.ping"
	ClientCallBuzzCancel = "client.call.buzzcancel"
	ClientCallLeave      = "client.call.leave"
	ClientCallMuteAll    = "client.call.muteall"
	ClientCallOffer      = "client.call.offer"
	ClientCallReject     = "client.call.reject"
	ClientCallSDP        = "client.call.sdp"
	ClientCallSound      = "client.call.sound"
	ClientCallTrickle    = "client.call.trickle"
)

var (
	// ErrOutcomeUnknown is wrapped by errors of calls that may have reached
	// the server: the connection failed after the request was written.
	// Sends carry a message_id, so trying them again is safe.
	ErrOutcomeUnknown = bot.KindError(bot.ErrOutcomeUnknown, "tada: outcome unknown")
	// ErrConnClosed is wrapped by errors of client events whose
	// connection ended before the server confirmed them.
	ErrConnClosed = bot.KindError(bot.ErrOutcomeUnknown, "tada: connection closed before server.confirm")
	// ErrMalformedResponse is wrapped by errors of REST answers that are
	// not the documented envelope.
	ErrMalformedResponse = errors.New("tada: malformed response")
)

// APIError is a REST call the server refused: {"ok":false,"error":CODE}
// with the HTTP status.
type APIError struct {
	Method string
	Path   string
	Status int
	// Code is the envelope's error code, such as "ACCESS_DENIED"; empty
	// when the answer was not an envelope (a proxy's error page).
	Code string
	// Reason explains ACCESS_DENIED and others.
	Reason string
	// Details maps fields to problems for INVALID_DATA.
	Details json.RawMessage
}

func (e *APIError) Error() string {
	var b strings.Builder
	fmt.Fprintf(&b, "tada: %s %s: HTTP %d", e.Method, e.Path, e.Status)
	if e.Code != "" {
		b.WriteString(" " + e.Code)
	}
	if e.Reason != "" {
		b.WriteString(": " + e.Reason)
	}
	if len(e.Details) > 0 && string(e.Details) != "null" && string(e.Details) != "{}" {
		b.WriteString(" " + string(e.Details))
	}
	return b.String()
}

// Fields returns Details as field → message, when it has that shape.
func (e *APIError) Fields() map[string]string {
	var m map[string]string
	_ = json.Unmarshal(e.Details, &m)
	return m
}

// Auth reports whether the server refused the token or the account; a
// reconnect cannot fix that.
func (e *APIError) Auth() bool {
	switch e.Code {
	case CodeEmptyToken, CodeInvalidToken, CodeEmptySession, CodeAccountSuspended, CodeAccountNotFound, CodeAccountBlocked:
		return true
	}
	return e.Status == http.StatusUnauthorized
}

// PanicError is a server.panic: the server refused the WebSocket (a bad
// token or team) and closed it. Reconnecting with the same settings does
// not help.
type PanicError struct {
	Code string
}

func (e *PanicError) Error() string {
	return fmt.Sprintf("tada: the server refused the connection (server.panic %q): check the token and the team", e.Code)
}

// WarningError is a client event the server answered with server.warning
// instead of server.confirm.
type WarningError struct {
	Event   string
	Message string
}

func (e *WarningError) Error() string {
	return fmt.Sprintf("tada: server.warning for %s: %s", e.Event, e.Message)
}

// ClientStats are a Client's counters.
type ClientStats struct {
	Warnings    int64 // server.warning frames
	Malformed   int64 // frames that did not decode
	Unknown     int64 // frames of unknown event types
	Overflow    int64 // frames dropped while the reader's queue was full (their messages are caught up)
	Resends     int64 // client events sent again for want of server.confirm
	RateLimited int64 // REST calls refused with RATE_LIMIT and tried again
	Confirmed   int64 // server events answered with client.confirm
}

// Client speaks to one team of a Tada server: REST calls under /api/v4 and
// WebSocket connections to /messaging/{team}. It is safe for concurrent
// use.
type Client struct {
	opts  options
	base  string
	wsURL string
	team  string
	token string
	hc    *http.Client

	features atomic.Pointer[Features]
	me       atomic.Pointer[Contact]

	warnings, malformed, unknown, resends, rateLimited, confirmed, overflow atomic.Int64
	unknownTypes                                                            sync.Map // event name → struct{}: logged once at info
	unknownTypesN                                                           atomic.Int64

	// confirmOnRead, when set, names the frames a Conn confirms as soon
	// as they are read, without waiting for the caller's Confirm.
	confirmOnRead func(Frame) bool
}

// maxUnknownTypes bounds the unknown event names remembered for logging.
const maxUnknownTypes = 1000

// NewClient returns a client for the server at baseURL (http:// or
// https://, with an optional path prefix), acting in team with token.
func NewClient(baseURL, team, token string, opts ...Option) (*Client, error) {
	u, err := url.Parse(strings.TrimRight(baseURL, "/"))
	if err != nil {
		return nil, fmt.Errorf("tada: server URL: %w", err)
	}
	var ws string
	switch u.Scheme {
	case "http":
		ws = "ws"
	case "https":
		ws = "wss"
	default:
		return nil, fmt.Errorf("tada: server URL %q: want http or https", baseURL)
	}
	if u.Host == "" {
		return nil, fmt.Errorf("tada: server URL %q has no host", baseURL)
	}
	if team == "" || strings.ContainsAny(team, "/?#") {
		return nil, fmt.Errorf("tada: invalid team %q", team)
	}
	if token == "" {
		return nil, errors.New("tada: empty token")
	}
	o := buildOptions(opts)
	c := &Client{opts: o, base: u.String(), team: team, token: token, hc: o.httpClient}
	wu := *u
	wu.Scheme = ws
	wu.Path = strings.TrimRight(wu.Path, "/") + "/messaging/" + url.PathEscape(team)
	c.wsURL = wu.String()
	if c.hc == nil {
		c.hc = &http.Client{}
	}
	return c, nil
}

// Team returns the team uid.
func (c *Client) Team() string { return c.team }

// Stats returns the counters.
func (c *Client) Stats() ClientStats {
	return ClientStats{Warnings: c.warnings.Load(), Malformed: c.malformed.Load(), Unknown: c.unknown.Load(),
		Resends: c.resends.Load(), RateLimited: c.rateLimited.Load(), Confirmed: c.confirmed.Load(), Overflow: c.overflow.Load()}
}

func (c *Client) withTimeout(ctx context.Context) (context.Context, context.CancelFunc) {
	if _, ok := ctx.Deadline(); ok {
		return ctx, func() {}
	}
	return context.WithTimeout(ctx, c.opts.callTimeout)
}

// apiPath joins path elements under /api/v4/teams/{team}, escaping each.
func (c *Client) teamPath(elems ...string) string {
	var b strings.Builder
	b.WriteString("/api/v4/teams/")
	b.WriteString(url.PathEscape(c.team))
	for _, e := range elems {
		b.WriteByte('/')
		b.WriteString(url.PathEscape(e))
	}
	return b.String()
}

// request is one REST call.
type request struct {
	method      string
	path        string
	query       url.Values
	body        []byte
	contentType string
}

// call runs a REST call, decoding the envelope's result into out (which
// may be nil). RATE_LIMIT answers are tried again with backoff.
func (c *Client) call(ctx context.Context, r request, out any) error {
	b := kit.Backoff{Min: c.opts.reconnectMin, Max: c.opts.reconnectMax}
	for attempt := 0; ; attempt++ {
		err := c.callOnce(ctx, r, out)
		var ae *APIError
		if errors.As(err, &ae) && (ae.Code == CodeRateLimit || ae.Status == http.StatusTooManyRequests) && attempt < c.opts.rateLimitRetries {
			c.rateLimited.Add(1)
			d := b.Next()
			c.opts.logger.Debug("rate limited; trying again", zap.String("path", r.path), zap.Duration("delay", d))
			if !kit.Sleep(ctx, d) {
				return err
			}
			continue
		}
		return err
	}
}

// callJSON encodes body as JSON and runs the call.
func (c *Client) callJSON(ctx context.Context, method, path string, q url.Values, body, out any) error {
	r := request{method: method, path: path, query: q}
	if body != nil {
		data, err := json.Marshal(body)
		if err != nil {
			return fmt.Errorf("tada: encode %s %s: %w", method, path, err)
		}
		r.body, r.contentType = data, "application/json"
	}
	return c.call(ctx, r, out)
}

type respEnvelope struct {
	OK      *bool           `json:"ok"`
	Result  json.RawMessage `json:"result"`
	Error   string          `json:"error"`
	Reason  string          `json:"reason"`
	Details json.RawMessage `json:"details"`
}

func (c *Client) callOnce(ctx context.Context, r request, out any) error {
	ctx, cancel := c.withTimeout(ctx)
	defer cancel()
	u := c.base + r.path
	if len(r.query) > 0 {
		u += "?" + r.query.Encode()
	}
	var body io.Reader
	if r.body != nil {
		body = bytes.NewReader(r.body)
	}
	req, err := http.NewRequestWithContext(ctx, r.method, u, body)
	if err != nil {
		return fmt.Errorf("tada: %s %s: %w", r.method, r.path, err)
	}
	req.Header.Set("token", c.token)
	req.Header.Set("Accept", "application/json")
	if r.contentType != "" {
		req.Header.Set("Content-Type", r.contentType)
	}
	resp, err := c.hc.Do(req)
	if err != nil {
		if ctx.Err() != nil && r.method == http.MethodGet {
			return fmt.Errorf("tada: %s %s: %w", r.method, r.path, err)
		}
		return fmt.Errorf("tada: %s %s: %w: %w", r.method, r.path, ErrOutcomeUnknown, err)
	}
	defer resp.Body.Close()
	data, err := io.ReadAll(io.LimitReader(resp.Body, c.opts.maxFrame))
	if err != nil {
		return fmt.Errorf("tada: %s %s: reading the answer: %w: %w", r.method, r.path, ErrOutcomeUnknown, err)
	}
	var env respEnvelope
	jerr := json.Unmarshal(data, &env)
	if resp.StatusCode >= 300 || (jerr == nil && env.OK != nil && !*env.OK) {
		ae := &APIError{Method: r.method, Path: r.path, Status: resp.StatusCode}
		if jerr == nil {
			ae.Code, ae.Reason, ae.Details = env.Error, env.Reason, env.Details
		} else {
			ae.Reason = snippet(data)
		}
		return ae
	}
	if jerr != nil || env.OK == nil {
		return fmt.Errorf("tada: %s %s: %w: %s", r.method, r.path, ErrMalformedResponse, snippet(data))
	}
	if out != nil && len(env.Result) > 0 {
		if err := json.Unmarshal(env.Result, out); err != nil {
			return fmt.Errorf("tada: %s %s: %w: result: %v", r.method, r.path, ErrMalformedResponse, err)
		}
	}
	return nil
}

func snippet(b []byte) string {
	s := strings.TrimSpace(string(b))
	if len(s) > 200 {
		s = s[:200] + "…"
	}
	return s
}

// Features returns the server's /features.json, fetched once and kept.
func (c *Client) Features(ctx context.Context) (*Features, error) {
	if f := c.features.Load(); f != nil {
		return f, nil
	}
	ctx, cancel := c.withTimeout(ctx)
	defer cancel()
	req, err := http.NewRequestWithContext(ctx, http.MethodGet, c.base+"/features.json", nil)
	if err != nil {
		return nil, err
	}
	resp, err := c.hc.Do(req)
	if err != nil {
		return nil, fmt.Errorf("tada: GET /features.json: %w", err)
	}
	defer resp.Body.Close()
	data, err := io.ReadAll(io.LimitReader(resp.Body, c.opts.maxFrame))
	if err != nil {
		return nil, fmt.Errorf("tada: GET /features.json: %w", err)
	}
	if resp.StatusCode != http.StatusOK {
		return nil, &APIError{Method: http.MethodGet, Path: "/features.json", Status: resp.StatusCode, Reason: snippet(data)}
	}
	f := &Features{}
	if err := json.Unmarshal(data, f); err != nil {
		return nil, fmt.Errorf("tada: GET /features.json: %w: %v", ErrMalformedResponse, err)
	}
	f.Raw = data
	c.features.Store(f)
	return f, nil
}

// resendTimeout is the option, else the server's, else the default.
func (c *Client) resendTimeout() time.Duration {
	if c.opts.resendTimeout > 0 {
		return c.opts.resendTimeout
	}
	if f := c.features.Load(); f != nil && f.ResendTimeout > 0 {
		return time.Duration(f.ResendTimeout * float64(time.Second))
	}
	return DefaultResendTimeout
}

// MaxMessageLength is the option, else the server's max_message_length,
// else DefaultMaxMessageLength.
func (c *Client) MaxMessageLength() int {
	if c.opts.maxMessageLength > 0 {
		return c.opts.maxMessageLength
	}
	if f := c.features.Load(); f != nil && f.MaxMessageLength > 0 {
		return f.MaxMessageLength
	}
	return DefaultMaxMessageLength
}

const confirmChars = "0123456789ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz"

// NewConfirmID returns 12 random characters of [0-9A-Za-z], as clients
// use for confirm_id.
func NewConfirmID() string {
	var b [12]byte
	for i := range b {
		b[i] = confirmChars[rand.N(len(confirmChars))]
	}
	return string(b[:])
}

// NewMessageID returns a random UUID for a new message's message_id.
func NewMessageID() string {
	var b [16]byte
	for i := 0; i < 16; i += 8 {
		v := rand.Uint64()
		for j := 0; j < 8; j++ {
			b[i+j] = byte(v >> (8 * j))
		}
	}
	b[6] = b[6]&0x0f | 0x40
	b[8] = b[8]&0x3f | 0x80
	return fmt.Sprintf("%x-%x-%x-%x-%x", b[0:4], b[4:6], b[6:8], b[8:10], b[10:16])
}

// Conn is one WebSocket connection to /messaging/{team}. A reader
// goroutine decodes frames: server.confirm settles the client event it
// names, server.panic ends the connection with a *PanicError, and every
// other event is queued for Next. The reader never waits for Next: past
// the queue's bound (WithEventBuffer) frames are dropped, counted in
// ClientStats.Overflow, and Next returns one *Overflow in their place.
// Events with a confirm_id must be confirmed with Confirm once they are
// safe with the caller (Next clears the confirm_id of a frame the Conn
// confirmed on read, which a Platform's Client does for messages). A pinger sends client.ping and ends the
// connection when its confirm is late.
type Conn struct {
	c      *Client
	ws     *websocket.Conn
	q      *frameQueue
	ctx    context.Context
	cancel context.CancelFunc
	done   chan struct{}
	wg     sync.WaitGroup

	mu      sync.Mutex
	err     error
	pending map[string]chan error

	acksMu sync.Mutex
	acks   []string      // confirm_ids read and to be confirmed by ackLoop
	ackNow chan struct{} // 1-buffered: acks has ids
}

// Dial opens the WebSocket with the token header. It fetches
// /features.json first (once per Client) for resend_timeout and
// max_message_length; without it the defaults hold.
func (c *Client) Dial(ctx context.Context) (*Conn, error) {
	if _, err := c.Features(ctx); err != nil {
		c.opts.logger.Warn("no /features.json; using default limits", zap.Error(err))
	}
	dctx, cancel := c.withTimeout(ctx)
	defer cancel()
	h := http.Header{}
	h.Set("token", c.token)
	ws, resp, err := websocket.Dial(dctx, c.wsURL, &websocket.DialOptions{HTTPClient: c.hc, HTTPHeader: h})
	if err != nil {
		if resp != nil && (resp.StatusCode == http.StatusUnauthorized || resp.StatusCode == http.StatusForbidden) {
			return nil, &APIError{Method: http.MethodGet, Path: "/messaging/" + c.team, Status: resp.StatusCode, Code: CodeInvalidToken}
		}
		return nil, fmt.Errorf("tada: dial %s: %w", c.wsURL, err)
	}
	ws.SetReadLimit(c.opts.maxFrame)
	cctx, ccancel := context.WithCancel(context.Background())
	cn := &Conn{c: c, ws: ws, q: newFrameQueue(c.opts.eventBuffer), ctx: cctx, cancel: ccancel,
		done: make(chan struct{}), pending: map[string]chan error{}, ackNow: make(chan struct{}, 1)}
	cn.wg.Add(3)
	go cn.readLoop()
	go cn.pingLoop()
	go cn.ackLoop()
	return cn, nil
}

// fail ends the connection with err, once.
func (cn *Conn) fail(err error) {
	cn.mu.Lock()
	if cn.err != nil {
		cn.mu.Unlock()
		return
	}
	cn.err = err
	cn.mu.Unlock()
	cn.cancel()
	var pe *PanicError
	if errors.As(err, &pe) {
		_ = cn.ws.Close(websocket.StatusPolicyViolation, "")
	} else {
		_ = cn.ws.CloseNow()
	}
	close(cn.done)
}

// Err returns why the connection ended, or nil while it is open.
func (cn *Conn) Err() error {
	cn.mu.Lock()
	defer cn.mu.Unlock()
	return cn.err
}

// Done is closed when the connection has ended.
func (cn *Conn) Done() <-chan struct{} { return cn.done }

// Close ends the connection and waits for its goroutines.
func (cn *Conn) Close() error {
	cn.fail(errors.New("tada: connection closed"))
	cn.wg.Wait()
	return nil
}

func (cn *Conn) readLoop() {
	defer cn.wg.Done()
	defer cn.q.end()
	log := cn.c.opts.logger
	for {
		_, data, err := cn.ws.Read(cn.ctx)
		if err != nil {
			cn.fail(fmt.Errorf("tada: reading: %w", err))
			return
		}
		f, derr := DecodeFrame(data)
		if derr != nil {
			cn.c.malformed.Add(1)
			log.Warn("malformed frame", zap.Error(derr), zap.Int("bytes", len(data)))
			if f.Event == nil {
				continue
			}
		}
		switch ev := f.Event.(type) {
		case *Confirm:
			cn.settle(ev.ConfirmID, nil)
			continue
		case *Panic:
			cn.fail(&PanicError{Code: ev.Code})
			return
		case *Warning:
			cn.c.warnings.Add(1)
			log.Warn("server.warning", zap.String("message", ev.Message), zap.String("event", ev.Orig.Event))
			if ev.Orig.ConfirmID != "" {
				cn.settle(ev.Orig.ConfirmID, &WarningError{Event: ev.Orig.Event, Message: ev.Message})
			}
		case *Unknown:
			if derr == nil {
				cn.c.unknown.Add(1)
				if _, seen := cn.c.unknownTypes.Load(ev.Name); seen || cn.c.unknownTypesN.Add(1) > maxUnknownTypes {
					log.Debug("unknown event", zap.String("event", ev.Name))
				} else if _, seen := cn.c.unknownTypes.LoadOrStore(ev.Name, struct{}{}); seen {
					log.Debug("unknown event", zap.String("event", ev.Name))
				} else {
					log.Info("unknown event type, passed on as *Unknown and counted (logged once per type)", zap.String("event", ev.Name))
				}
			}
		}
		if f.ConfirmID != "" && cn.c.confirmOnRead != nil && cn.c.confirmOnRead(f) {
			// Confirmed now, by ackLoop so that a slow write never holds
			// the reader; the caller sees no confirm_id to answer.
			cn.acksMu.Lock()
			cn.acks = append(cn.acks, f.ConfirmID)
			cn.acksMu.Unlock()
			select {
			case cn.ackNow <- struct{}{}:
			default:
			}
			f.ConfirmID = ""
		}
		if !cn.q.push(f) {
			n := cn.c.overflow.Add(1)
			if n == 1 || n%1000 == 0 {
				log.Warn("the bot is behind; frames dropped, their messages are caught up", zap.Int64("dropped", n))
			}
		}
	}
}

// ackLoop sends client.confirm for the frames readLoop confirmed on
// read, in batches of what came meanwhile.
func (cn *Conn) ackLoop() {
	defer cn.wg.Done()
	for {
		select {
		case <-cn.ctx.Done():
			return
		case <-cn.ackNow:
		}
		cn.acksMu.Lock()
		ids := cn.acks
		cn.acks = nil
		cn.acksMu.Unlock()
		for _, id := range ids {
			if err := cn.Confirm(cn.ctx, id); err != nil {
				return // the connection failed; the server keeps the rest
			}
		}
	}
}

func (cn *Conn) settle(id string, err error) {
	cn.mu.Lock()
	ch := cn.pending[id]
	delete(cn.pending, id)
	cn.mu.Unlock()
	if ch != nil {
		ch <- err
	}
}

func (cn *Conn) pingLoop() {
	defer cn.wg.Done()
	t := time.NewTicker(cn.c.opts.pingInterval)
	defer t.Stop()
	for {
		select {
		case <-cn.ctx.Done():
			return
		case <-t.C:
		}
		ctx, cancel := context.WithTimeout(cn.ctx, cn.c.opts.pingTimeout)
		err := cn.emit(ctx, ClientPing, nil, false)
		cancel()
		if err != nil && cn.ctx.Err() == nil {
			cn.fail(fmt.Errorf("tada: no server.confirm for client.ping within %s: %w", cn.c.opts.pingTimeout, err))
			return
		}
	}
}

// Next returns the next server event, or an *Overflow where frames were
// dropped; it fails once the connection has ended and the frames read
// before are taken (with the reason, a *PanicError for server.panic).
func (cn *Conn) Next(ctx context.Context) (Frame, error) { return cn.next(ctx, nil) }

// next is Next that also wakes on retry, returning a frame whose Event is
// retrySignal.
func (cn *Conn) next(ctx context.Context, retry <-chan struct{}) (Frame, error) {
	f, ok, err := cn.q.pop(ctx, retry)
	if err != nil {
		return Frame{}, err
	}
	if !ok {
		return Frame{}, cn.Err()
	}
	return f, nil
}

func (cn *Conn) write(ctx context.Context, data []byte) error {
	ctx, cancel := cn.c.withTimeout(ctx)
	defer cancel()
	if err := cn.ws.Write(ctx, websocket.MessageText, data); err != nil {
		if e := cn.Err(); e != nil {
			return fmt.Errorf("%w: %w", ErrConnClosed, e)
		}
		cn.fail(fmt.Errorf("tada: writing: %w", err))
		return fmt.Errorf("%w: %w", ErrConnClosed, err)
	}
	return nil
}

// Confirm answers a server event's confirm_id with client.confirm. Call it
// only once the event is safe (handed to the bot): an unconfirmed event
// may be sent again.
func (cn *Conn) Confirm(ctx context.Context, confirmID string) error {
	if confirmID == "" {
		return nil
	}
	data, err := EncodeFrame(ClientConfirm, map[string]string{"confirm_id": confirmID}, "")
	if err != nil {
		return err
	}
	if err := cn.write(ctx, data); err != nil {
		return err
	}
	cn.c.confirmed.Add(1)
	return nil
}

// Emit sends a client event with a fresh confirm_id and waits for its
// server.confirm, sending it again every resend_timeout. It fails with
// ErrConnClosed when the connection ends first (the event may or may not
// have arrived), and with a *WarningError when the server refused it.
func (cn *Conn) Emit(ctx context.Context, event string, params any) error {
	return cn.emit(ctx, event, params, true)
}

func (cn *Conn) emit(ctx context.Context, event string, params any, resend bool) error {
	id := NewConfirmID()
	data, err := EncodeFrame(event, params, id)
	if err != nil {
		return err
	}
	ch := make(chan error, 1)
	cn.mu.Lock()
	if cn.err != nil {
		err := cn.err
		cn.mu.Unlock()
		return fmt.Errorf("%w: %w", ErrConnClosed, err)
	}
	cn.pending[id] = ch
	cn.mu.Unlock()
	defer func() {
		cn.mu.Lock()
		delete(cn.pending, id)
		cn.mu.Unlock()
	}()
	every := cn.c.resendTimeout()
	var tick <-chan time.Time
	if resend {
		t := time.NewTicker(every)
		defer t.Stop()
		tick = t.C
	}
	for {
		if err := cn.write(ctx, data); err != nil {
			return err
		}
		select {
		case err := <-ch:
			return err
		case <-tick:
			cn.c.resends.Add(1)
			cn.c.opts.logger.Debug("no server.confirm; sending again", zap.String("event", event), zap.String("confirm_id", id))
		case <-ctx.Done():
			return ctx.Err()
		case <-cn.done:
			return fmt.Errorf("%w: %w", ErrConnClosed, cn.Err())
		}
	}
}
