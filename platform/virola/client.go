package virola

import (
	"bytes"
	"context"
	"crypto/tls"
	"crypto/x509"
	"encoding/json"
	"errors"
	"fmt"
	"io"
	"net/http"
	"net/http/httptrace"
	"net/url"
	"strings"
	"sync"
	"sync/atomic"
	"time"

	"github.com/coder/websocket"
	"go.uber.org/zap"

	"github.com/parleybot/parley/bot"
)

// SessionCookie is the name of the session cookie login sets.
const SessionCookie = "VirolaUserSessionId"

// Errors a call can end with besides an *APIError.
var (
	// ErrNotSent means the request never reached the server: retrying is
	// safe.
	ErrNotSent = bot.KindError(bot.ErrNotSent, "virola: request not sent")
	// ErrOutcomeUnknown means the request was written but no answer came:
	// the server may have carried it out.
	ErrOutcomeUnknown = bot.KindError(bot.ErrOutcomeUnknown, "virola: request outcome unknown")
	// ErrProtocol is an answer that does not decode.
	ErrProtocol = errors.New("virola: protocol error")
	// ErrNoCredentials means neither a token nor a login was configured.
	ErrNoCredentials = errors.New("virola: no token and no login configured")
)

// APIError is an error answer of the Web API: {"errorText",
// "httpStatusCode"} with the same HTTP status.
type APIError struct {
	// Status is the HTTP status code.
	Status int `json:"httpStatusCode"`
	// Text is the server's errorText (or the start of a body that was not
	// the documented error shape).
	Text string `json:"errorText"`
	// Method and Path name the call.
	Method string `json:"-"`
	Path   string `json:"-"`
}

// Error names the call, the status and the server's text.
func (e *APIError) Error() string {
	return fmt.Sprintf("virola: %s %s: %d: %s", e.Method, e.Path, e.Status, e.Text)
}

// Unauthorized reports a 401: a wrong or renewed token, a wrong password,
// an expired session. Reconnecting does not fix a token; a session is
// renewed by logging in again, which the client does by itself.
func (e *APIError) Unauthorized() bool { return e.Status == http.StatusUnauthorized }

// IsUnauthorized reports whether err is an *APIError with status 401.
func IsUnauthorized(err error) bool {
	var ae *APIError
	return errors.As(err, &ae) && ae.Unauthorized()
}

// IsNotFound reports whether err is an *APIError with status 404.
func IsNotFound(err error) bool {
	var ae *APIError
	return errors.As(err, &ae) && ae.Status == http.StatusNotFound
}

// Client calls the Virola Web API and opens its events socket. It is safe
// for concurrent use.
type Client struct {
	base    *url.URL
	baseErr error
	o       options
	http    *http.Client
	own     *http.Transport // made here, so closed here; nil for WithHTTPClient's
	log     *zap.Logger

	loginMu    sync.Mutex // one login at a time
	mu         sync.Mutex
	session    string // session id for the cookie, once logged in
	tokenDead  bool   // the token was refused and a login is configured
	self       atomic.Int64
	wsCookie   atomic.Bool // the events socket refused the token
	logins     atomic.Int64
	tlsWarning string
}

// NewClient returns a client for the server at baseURL, such as
// "https://127.0.0.1:7777". A URL that does not parse makes every call
// fail with that error.
func NewClient(baseURL string, opts ...Option) *Client {
	o := defaultOptions()
	for _, opt := range opts {
		opt.apply(&o)
	}
	return newClient(baseURL, o)
}

func newClient(baseURL string, o options) *Client {
	c := &Client{o: o, log: o.logger}
	u, err := url.Parse(strings.TrimRight(baseURL, "/"))
	switch {
	case err != nil:
		c.baseErr = fmt.Errorf("virola: server URL: %w", err)
	case u.Scheme != "http" && u.Scheme != "https":
		c.baseErr = fmt.Errorf("virola: server URL %q: want http or https", baseURL)
	case u.Host == "":
		c.baseErr = fmt.Errorf("virola: server URL %q has no host", baseURL)
	default:
		c.base = u
	}
	c.http = o.httpClient
	if c.http == nil {
		tr := http.DefaultTransport.(*http.Transport).Clone()
		tr.MaxIdleConnsPerHost = 32
		switch {
		case len(o.pinned) > 0:
			tr.TLSClientConfig = pinnedTLS(o.pinned)
			c.tlsWarning = "TLS: trusting only the pinned server certificate(s), not the system roots"
		case o.insecure:
			tr.TLSClientConfig = &tls.Config{InsecureSkipVerify: true} //nolint:gosec // asked for by WithInsecureTLS
			c.tlsWarning = "TLS: certificate checks are OFF (insecure_tls); anyone on the path can read and send as the bot"
		}
		c.http = &http.Client{Transport: tr}
		c.own = tr
	}
	return c
}

// CloseIdleConnections closes the keep-alive connections of the
// transport the client made itself, so none of their goroutines outlive
// the client's user. A client given with WithHTTPClient leaves its
// transport to its owner. Later calls open new connections.
func (c *Client) CloseIdleConnections() {
	if c.own != nil {
		c.own.CloseIdleConnections()
	}
}

// pinnedTLS accepts exactly the pinned certificates, whatever their names
// and issuers: a self-signed server certificate is usually issued for a
// name the bot does not use.
func pinnedTLS(pinned []*x509.Certificate) *tls.Config {
	return &tls.Config{
		InsecureSkipVerify: true, //nolint:gosec // replaced by the exact match below
		VerifyConnection: func(cs tls.ConnectionState) error {
			if len(cs.PeerCertificates) == 0 {
				return errors.New("virola: server sent no certificate")
			}
			leaf := cs.PeerCertificates[0]
			for _, p := range pinned {
				if bytes.Equal(leaf.Raw, p.Raw) {
					return nil
				}
			}
			return errors.New("virola: server certificate is not the pinned one")
		},
	}
}

// TLSWarning returns why the client's TLS set-up is weaker than the
// system default, or "".
func (c *Client) TLSWarning() string { return c.tlsWarning }

// BaseURL returns the server's base URL.
func (c *Client) BaseURL() string {
	if c.base == nil {
		return ""
	}
	return c.base.String()
}

// Self returns the user id the client acts as, once known (after a login
// or Status), else 0.
func (c *Client) Self() int64 { return c.self.Load() }

// Logins returns how many logins the client made.
func (c *Client) Logins() int64 { return c.logins.Load() }

// useCookie reports whether calls authenticate with the session cookie.
func (c *Client) useCookie() bool {
	if c.o.token == "" {
		return true
	}
	c.mu.Lock()
	defer c.mu.Unlock()
	return c.tokenDead
}

func (c *Client) hasLogin() bool { return c.o.userName != "" }

func (c *Client) sessionID() string {
	c.mu.Lock()
	defer c.mu.Unlock()
	return c.session
}

// Login logs in with the configured user name and password and keeps the
// session for later calls.
func (c *Client) Login(ctx context.Context) (*Session, error) {
	if !c.hasLogin() {
		return nil, ErrNoCredentials
	}
	return c.login(ctx, "")
}

// login logs in unless another call already replaced the session stale.
func (c *Client) login(ctx context.Context, stale string) (*Session, error) {
	c.loginMu.Lock()
	defer c.loginMu.Unlock()
	if s := c.sessionID(); s != "" && s != stale {
		return &Session{UserID: c.Self(), UserSessionID: s}, nil
	}
	body, _ := json.Marshal(map[string]string{"userName": c.o.userName, "password": c.o.password})
	resp, err := c.send(ctx, http.MethodPost, "/api/v1/login", nil, bytes.NewReader(body), "application/json", authNone)
	if err != nil {
		return nil, err
	}
	var s Session
	if err := c.finish(resp, http.MethodPost, "/api/v1/login", &s); err != nil {
		return nil, err
	}
	if s.UserSessionID == "" {
		for _, ck := range resp.Cookies() {
			if ck.Name == SessionCookie {
				s.UserSessionID = ck.Value
			}
		}
	}
	if s.UserSessionID == "" {
		return nil, fmt.Errorf("%w: login answered without a session", ErrProtocol)
	}
	c.mu.Lock()
	c.session = s.UserSessionID
	c.mu.Unlock()
	if s.UserID != 0 {
		c.self.Store(s.UserID)
	}
	c.logins.Add(1)
	return &s, nil
}

type authMode int

const (
	authNone authMode = iota
	authBearer
	authCookie
)

// authenticate returns how the next call authenticates, logging in first
// when the cookie is needed and there is no session yet.
func (c *Client) authenticate(ctx context.Context) (authMode, string, error) {
	if !c.useCookie() {
		return authBearer, "", nil
	}
	if !c.hasLogin() {
		return authNone, "", ErrNoCredentials
	}
	s := c.sessionID()
	if s == "" {
		ss, err := c.login(ctx, "")
		if err != nil {
			return authNone, "", err
		}
		s = ss.UserSessionID
	}
	return authCookie, s, nil
}

func (c *Client) setAuth(h http.Header, mode authMode, session string) {
	switch mode {
	case authBearer:
		h.Set("Authorization", "Bearer "+c.o.token)
	case authCookie:
		h.Set("Cookie", (&http.Cookie{Name: SessionCookie, Value: session}).String())
	}
}

// send writes one request. Errors wrap ErrNotSent or ErrOutcomeUnknown.
func (c *Client) send(ctx context.Context, method, path string, q url.Values, body io.Reader, ctype string, mode authMode, session ...string) (*http.Response, error) {
	if c.baseErr != nil {
		return nil, fmt.Errorf("%w: %w", ErrNotSent, c.baseErr)
	}
	u := *c.base
	u.Path = c.base.Path + path
	u.RawQuery = q.Encode()
	var wrote atomic.Bool
	trace := &httptrace.ClientTrace{WroteRequest: func(i httptrace.WroteRequestInfo) {
		if i.Err == nil {
			wrote.Store(true)
		}
	}}
	req, err := http.NewRequestWithContext(httptrace.WithClientTrace(ctx, trace), method, u.String(), body)
	if err != nil {
		return nil, fmt.Errorf("%w: %s %s: %w", ErrNotSent, method, path, err)
	}
	if ctype != "" {
		req.Header.Set("Content-Type", ctype)
	}
	s := ""
	if len(session) > 0 {
		s = session[0]
	}
	c.setAuth(req.Header, mode, s)
	resp, err := c.http.Do(req)
	if err != nil {
		if wrote.Load() {
			return nil, fmt.Errorf("%w: %s %s: %w", ErrOutcomeUnknown, method, path, err)
		}
		return nil, fmt.Errorf("%w: %s %s: %w", ErrNotSent, method, path, err)
	}
	return resp, nil
}

// finish reads an answer: an error body becomes an *APIError, a success
// body is decoded into out (when not nil).
func (c *Client) finish(resp *http.Response, method, path string, out any) error {
	defer resp.Body.Close()
	data, err := io.ReadAll(io.LimitReader(resp.Body, c.o.maxResponse+1))
	if err != nil {
		return fmt.Errorf("%w: %s %s: reading the answer: %w", ErrOutcomeUnknown, method, path, err)
	}
	if int64(len(data)) > c.o.maxResponse {
		return fmt.Errorf("%w: %s %s: answer larger than %d bytes", ErrProtocol, method, path, c.o.maxResponse)
	}
	if resp.StatusCode < 200 || resp.StatusCode > 299 {
		return apiError(resp.StatusCode, data, method, path)
	}
	if sink, ok := out.(rawSink); ok {
		if int64(len(data)) > sink.max {
			return fmt.Errorf("%w: %s %s: file larger than %d bytes", ErrProtocol, method, path, sink.max)
		}
		*sink.p = data
		return nil
	}
	if out == nil || len(bytes.TrimSpace(data)) == 0 {
		return nil
	}
	if err := json.Unmarshal(data, out); err != nil {
		return fmt.Errorf("%w: %s %s: %w (answer %q)", ErrProtocol, method, path, err, truncate(data))
	}
	return nil
}

func apiError(status int, data []byte, method, path string) *APIError {
	e := &APIError{}
	if json.Unmarshal(data, e) != nil || e.Text == "" {
		e.Text = truncate(bytes.TrimSpace(data))
	}
	if e.Text == "" {
		e.Text = http.StatusText(status)
	}
	e.Status, e.Method, e.Path = status, method, path
	return e
}

func truncate(b []byte) string {
	const max = 200
	if len(b) > max {
		return string(b[:max]) + "…"
	}
	return string(b)
}

// call runs one authenticated REST call. The body is made by mk, so a
// call refused for its credentials can be sent again after a login. A
// context without a deadline gets the call timeout.
func (c *Client) call(ctx context.Context, method, path string, q url.Values, mk func() (io.Reader, string, error), out any) error {
	if c.o.onCommand == nil {
		return c.callOnce(ctx, method, path, q, mk, out)
	}
	start := time.Now()
	err := c.callOnce(ctx, method, path, q, mk, out)
	c.o.onCommand(method+" "+routeOf(path), bot.Outcome(err), time.Since(start))
	return err
}

// routeOf is path with its number segments as {id}, so an observer's
// labels stay few.
func routeOf(path string) string {
	parts := strings.Split(path, "/")
	for i, s := range parts {
		if s != "" && strings.Trim(s, "0123456789") == "" {
			parts[i] = "{id}"
		}
	}
	return strings.Join(parts, "/")
}

func (c *Client) callOnce(ctx context.Context, method, path string, q url.Values, mk func() (io.Reader, string, error), out any) error {
	if _, ok := ctx.Deadline(); !ok {
		var cancel context.CancelFunc
		ctx, cancel = context.WithTimeout(ctx, c.o.callTimeout)
		defer cancel()
	}
	for attempt := 0; ; attempt++ {
		mode, session, err := c.authenticate(ctx)
		if err != nil {
			return err
		}
		var body io.Reader
		ctype := ""
		if mk != nil {
			if body, ctype, err = mk(); err != nil {
				return fmt.Errorf("%w: %s %s: %w", ErrNotSent, method, path, err)
			}
		}
		resp, err := c.send(ctx, method, path, q, body, ctype, mode, session)
		if err != nil {
			return err
		}
		err = c.finish(resp, method, path, out)
		if attempt > 0 || !IsUnauthorized(err) || !c.hasLogin() {
			return err
		}
		// Refused for its credentials: nothing was done, so the call is
		// sent once more, after a fresh login.
		if mode == authBearer {
			c.log.Warn("virola: the access token was refused; using the login instead", zap.Error(err))
			c.mu.Lock()
			c.tokenDead = true
			c.mu.Unlock()
		}
		if _, err := c.login(ctx, session); err != nil {
			return err
		}
	}
}

func jsonBody(v any) func() (io.Reader, string, error) {
	return func() (io.Reader, string, error) {
		data, err := json.Marshal(v)
		if err != nil {
			return nil, "", err
		}
		return bytes.NewReader(data), "application/json", nil
	}
}

// DialEvents opens the events socket, /api/v1/events. It authenticates
// with the token when one is set and falls back to a login and the
// session cookie when the socket refuses it (and a login is configured);
// after that the cookie is used for the socket.
func (c *Client) DialEvents(ctx context.Context) (*websocket.Conn, error) {
	if c.baseErr != nil {
		return nil, c.baseErr
	}
	u := *c.base
	u.Path = c.base.Path + "/api/v1/events"
	if u.Scheme == "https" {
		u.Scheme = "wss"
	} else {
		u.Scheme = "ws"
	}
	for attempt := 0; ; attempt++ {
		mode, session := authBearer, ""
		if c.useCookie() || c.wsCookie.Load() {
			if !c.hasLogin() {
				return nil, ErrNoCredentials
			}
			mode = authCookie
			if session = c.sessionID(); session == "" {
				s, err := c.login(ctx, "")
				if err != nil {
					return nil, err
				}
				session = s.UserSessionID
			}
		}
		h := http.Header{}
		c.setAuth(h, mode, session)
		conn, resp, err := websocket.Dial(ctx, u.String(), &websocket.DialOptions{HTTPClient: c.http, HTTPHeader: h})
		if err == nil {
			conn.SetReadLimit(c.o.maxFrame)
			return conn, nil
		}
		if resp == nil || resp.StatusCode == http.StatusSwitchingProtocols {
			return nil, fmt.Errorf("virola: opening the events socket: %w", err)
		}
		var data []byte
		if resp.Body != nil {
			data, _ = io.ReadAll(io.LimitReader(resp.Body, 1024))
			resp.Body.Close()
		}
		ae := apiError(resp.StatusCode, data, http.MethodGet, "/api/v1/events")
		if attempt > 0 || !ae.Unauthorized() || !c.hasLogin() {
			return nil, ae
		}
		if mode == authBearer {
			c.log.Info("virola: the events socket refused the token; using the login cookie")
			c.wsCookie.Store(true)
			continue
		}
		if _, err := c.login(ctx, session); err != nil {
			return nil, err
		}
	}
}
