package privitty

import (
	"bytes"
	"context"
	"encoding/json"
	"errors"
	"fmt"
	"io"
	"net/http"
	"net/http/httptrace"
	"regexp"
	"strconv"
	"strings"
	"sync/atomic"
	"time"

	"go.uber.org/zap"

	"github.com/parleybot/parley/bot"
)

// JSON-RPC error codes the daemon documents.
const (
	CodeParseError      = -32700
	CodeInvalidRequest  = -32600
	CodeMethodNotFound  = -32601
	CodeInvalidParams   = -32602
	CodeInternalError   = -32603
	CodeLicenseRequired = -32001
)

// Errors a call can end with besides an *RPCError or *HTTPError.
var (
	// ErrNotSent means the request never reached the daemon (no
	// connection, or writing the request failed): retrying is safe.
	ErrNotSent = bot.KindError(bot.ErrNotSent, "privitty: request not sent")
	// ErrOutcomeUnknown means the request was written but no answer came
	// (connection lost, deadline passed): the daemon may have carried it
	// out.
	ErrOutcomeUnknown = bot.KindError(bot.ErrOutcomeUnknown, "privitty: request outcome unknown")
	// ErrProtocol is an answer that is not valid JSON-RPC.
	ErrProtocol = errors.New("privitty: protocol error")
	// ErrEmptyMessage is Send's error for a message with neither text nor
	// file: the core would send it as an empty message. It is the
	// caller's mistake, so sending again cannot help.
	ErrEmptyMessage = errors.New("privitty: nothing to send: the message has neither text nor file")
)

// RPCError is a JSON-RPC error object the daemon answered with.
type RPCError struct {
	Code    int             `json:"code"`
	Message string          `json:"message"`
	Data    json.RawMessage `json:"data,omitempty"`
	// Method is the method that failed.
	Method string `json:"-"`
}

// Error names the method, the code and the daemon's message.
func (e *RPCError) Error() string {
	return fmt.Sprintf("privitty: %s: error %d: %s", e.Method, e.Code, e.Message)
}

var licenseStatusRe = regexp.MustCompile(`status is '([^']*)'`)

// LicenseStatus returns the license status named in a license error
// ("expired", "no_license", …), or "".
func (e *RPCError) LicenseStatus() string {
	if e.Code != CodeLicenseRequired {
		return ""
	}
	if m := licenseStatusRe.FindStringSubmatch(e.Message); m != nil {
		return m[1]
	}
	return ""
}

// IsLicenseError reports whether err is the daemon's "license required"
// error (-32001): the call needs an active Privitty license.
func IsLicenseError(err error) bool {
	var re *RPCError
	return errors.As(err, &re) && re.Code == CodeLicenseRequired
}

// IsRPCError reports whether err is an *RPCError with the given code.
func IsRPCError(err error, code int) bool {
	var re *RPCError
	return errors.As(err, &re) && re.Code == code
}

// HTTPError is an answer with an HTTP status other than 200 or 204, such
// as a reverse proxy's 401 or 502.
type HTTPError struct {
	Method string
	Status int
	Body   string
}

// Error names the method, the status and the start of the body.
func (e *HTTPError) Error() string {
	return fmt.Sprintf("privitty: %s: HTTP %d: %s", e.Method, e.Status, e.Body)
}

// Client calls the daemon's JSON-RPC methods. It is safe for concurrent
// use; every call is its own HTTP request.
type Client struct {
	base    string
	cfg     config
	http    *http.Client
	own     *http.Transport // made here, so closed here; nil for WithHTTPClient's
	log     *zap.Logger
	nextID  atomic.Uint64
	account atomic.Int64
}

// NewClient returns a client for the daemon at baseURL (such as
// "http://127.0.0.1:7200").
func NewClient(baseURL string, opts ...Option) *Client {
	cfg := defaultConfig()
	for _, o := range opts {
		o.apply(&cfg)
	}
	return newClient(baseURL, cfg)
}

func newClient(baseURL string, cfg config) *Client {
	hc := cfg.httpClient
	var own *http.Transport
	if hc == nil {
		own = http.DefaultTransport.(*http.Transport).Clone()
		own.MaxIdleConnsPerHost = 32
		hc = &http.Client{Transport: own}
	}
	c := &Client{base: strings.TrimRight(baseURL, "/"), cfg: cfg, http: hc, own: own, log: cfg.logger}
	c.account.Store(cfg.account)
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

// BaseURL returns the daemon's base URL.
func (c *Client) BaseURL() string { return c.base }

// Account returns the account id the typed methods use: the one set with
// WithAccount or found by ResolveAccount, else 1.
func (c *Client) Account() int64 {
	if a := c.account.Load(); a > 0 {
		return a
	}
	return 1
}

// ResolveAccount settles the account id once: the configured one, else
// the first of get_all_account_ids, else 1 when the daemon has no such
// method or no accounts.
func (c *Client) ResolveAccount(ctx context.Context) (int64, error) {
	if a := c.account.Load(); a > 0 {
		return a, nil
	}
	ids, err := c.GetAllAccountIDs(ctx)
	if err != nil && !IsRPCError(err, CodeMethodNotFound) {
		return 0, err
	}
	a := int64(1)
	if len(ids) > 0 && ids[0] > 0 {
		a = ids[0]
	}
	c.account.CompareAndSwap(0, a)
	return c.account.Load(), nil
}

type rpcRequest struct {
	JSONRPC string `json:"jsonrpc"`
	Method  string `json:"method"`
	Params  []any  `json:"params"`
	ID      uint64 `json:"id"`
}

type rpcResponse struct {
	JSONRPC string          `json:"jsonrpc"`
	Result  json.RawMessage `json:"result"`
	Error   *RPCError       `json:"error"`
	ID      json.RawMessage `json:"id"`
}

func (c *Client) newRequest(ctx context.Context, method, path string, body io.Reader) (*http.Request, error) {
	req, err := http.NewRequestWithContext(ctx, method, c.base+path, body)
	if err != nil {
		return nil, err
	}
	for k, vs := range c.cfg.headers {
		req.Header[k] = append([]string(nil), vs...)
	}
	return req, nil
}

// Call sends one JSON-RPC request with positional params and returns its
// result: nil for HTTP 204 or a null result. A context without deadline
// gets the call timeout. Errors are an *RPCError, an *HTTPError, or wrap
// ErrNotSent, ErrOutcomeUnknown or ErrProtocol.
func (c *Client) Call(ctx context.Context, method string, params ...any) (json.RawMessage, error) {
	if c.cfg.onCommand == nil {
		return c.call(ctx, method, params...)
	}
	start := time.Now()
	raw, err := c.call(ctx, method, params...)
	c.cfg.onCommand(method, bot.Outcome(err), time.Since(start))
	return raw, err
}

func (c *Client) call(ctx context.Context, method string, params ...any) (json.RawMessage, error) {
	if _, ok := ctx.Deadline(); !ok && c.cfg.callTimeout > 0 {
		var cancel context.CancelFunc
		ctx, cancel = context.WithTimeout(ctx, c.cfg.callTimeout)
		defer cancel()
	}
	if params == nil {
		params = []any{}
	}
	id := c.nextID.Add(1)
	body, err := json.Marshal(rpcRequest{JSONRPC: "2.0", Method: method, Params: params, ID: id})
	if err != nil {
		return nil, fmt.Errorf("%w: %s: encoding params: %w", ErrNotSent, method, err)
	}
	var wrote atomic.Bool
	trace := &httptrace.ClientTrace{WroteRequest: func(i httptrace.WroteRequestInfo) {
		if i.Err == nil {
			wrote.Store(true)
		}
	}}
	req, err := c.newRequest(httptrace.WithClientTrace(ctx, trace), http.MethodPost, "/rpc", bytes.NewReader(body))
	if err != nil {
		return nil, fmt.Errorf("%w: %s: %w", ErrNotSent, method, err)
	}
	req.Header.Set("Content-Type", "application/json")
	resp, err := c.http.Do(req)
	if err != nil {
		if wrote.Load() {
			return nil, fmt.Errorf("%w: %s: %w", ErrOutcomeUnknown, method, err)
		}
		return nil, fmt.Errorf("%w: %s: %w", ErrNotSent, method, err)
	}
	defer resp.Body.Close()
	data, err := io.ReadAll(io.LimitReader(resp.Body, c.cfg.maxResponse+1))
	if err != nil {
		return nil, fmt.Errorf("%w: %s: reading the answer: %w", ErrOutcomeUnknown, method, err)
	}
	if int64(len(data)) > c.cfg.maxResponse {
		return nil, fmt.Errorf("%w: %s: answer larger than %d bytes", ErrProtocol, method, c.cfg.maxResponse)
	}
	switch resp.StatusCode {
	case http.StatusNoContent:
		return nil, nil
	case http.StatusOK:
	default:
		return nil, &HTTPError{Method: method, Status: resp.StatusCode, Body: truncate(bytes.TrimSpace(data))}
	}
	if len(bytes.TrimSpace(data)) == 0 {
		return nil, nil
	}
	var r rpcResponse
	if err := json.Unmarshal(data, &r); err != nil {
		return nil, fmt.Errorf("%w: %s: %w (answer %q)", ErrProtocol, method, err, truncate(data))
	}
	if len(r.ID) > 0 && string(r.ID) != "null" && string(r.ID) != strconv.FormatUint(id, 10) {
		return nil, fmt.Errorf("%w: %s: answer id %s, want %d", ErrProtocol, method, r.ID, id)
	}
	if r.Error != nil {
		r.Error.Method = method
		return nil, r.Error
	}
	if string(r.Result) == "null" {
		return nil, nil
	}
	return r.Result, nil
}

// callInto calls method and decodes its result into T; a null result is
// T's zero value.
func callInto[T any](ctx context.Context, c *Client, method string, params ...any) (T, error) {
	var v T
	raw, err := c.Call(ctx, method, params...)
	if err != nil || raw == nil {
		return v, err
	}
	if err := json.Unmarshal(raw, &v); err != nil {
		return v, fmt.Errorf("%w: %s: result: %w", ErrProtocol, method, err)
	}
	return v, nil
}

func (c *Client) callNoResult(ctx context.Context, method string, params ...any) error {
	_, err := c.Call(ctx, method, params...)
	return err
}

// Health calls GET /health.
func (c *Client) Health(ctx context.Context) (Health, error) {
	if _, ok := ctx.Deadline(); !ok && c.cfg.callTimeout > 0 {
		var cancel context.CancelFunc
		ctx, cancel = context.WithTimeout(ctx, c.cfg.callTimeout)
		defer cancel()
	}
	var h Health
	req, err := c.newRequest(ctx, http.MethodGet, "/health", nil)
	if err != nil {
		return h, err
	}
	resp, err := c.http.Do(req)
	if err != nil {
		return h, fmt.Errorf("privitty: health: %w", err)
	}
	defer resp.Body.Close()
	data, _ := io.ReadAll(io.LimitReader(resp.Body, 1<<16))
	if resp.StatusCode != http.StatusOK {
		return h, &HTTPError{Method: "health", Status: resp.StatusCode, Body: truncate(data)}
	}
	if err := json.Unmarshal(data, &h); err != nil {
		return h, fmt.Errorf("%w: health: %w", ErrProtocol, err)
	}
	return h, nil
}

// GetAllAccountIDs calls get_all_account_ids.
func (c *Client) GetAllAccountIDs(ctx context.Context) ([]int64, error) {
	return callInto[[]int64](ctx, c, "get_all_account_ids")
}

// GetConfig calls get_config; ok is false when the key is unset (null).
func (c *Client) GetConfig(ctx context.Context, key string) (value string, ok bool, err error) {
	v, err := callInto[*string](ctx, c, "get_config", c.Account(), key)
	if err != nil || v == nil {
		return "", false, err
	}
	return *v, true, nil
}

// SetConfig calls set_config; an empty value unsets the key.
func (c *Client) SetConfig(ctx context.Context, key, value string) error {
	var v any = value
	if value == "" {
		v = nil
	}
	return c.callNoResult(ctx, "set_config", c.Account(), key, v)
}

// GetInfo calls get_info.
func (c *Client) GetInfo(ctx context.Context) (map[string]string, error) {
	return callInto[map[string]string](ctx, c, "get_info", c.Account())
}

// GetConnectivity calls get_connectivity: 0 unconfigured, below 2000 not
// connected, below 3000 connecting, below 4000 working, else connected.
func (c *Client) GetConnectivity(ctx context.Context) (int, error) {
	return callInto[int](ctx, c, "get_connectivity", c.Account())
}

// GetMessage calls get_message.
func (c *Client) GetMessage(ctx context.Context, msgID int64) (*Message, error) {
	m, err := callInto[*Message](ctx, c, "get_message", c.Account(), msgID)
	if err == nil && m == nil {
		err = fmt.Errorf("%w: get_message: null result", ErrProtocol)
	}
	return m, err
}

// GetMessageHTML calls get_message_html: the message's HTML, or "" when
// it has none.
func (c *Client) GetMessageHTML(ctx context.Context, msgID int64) (string, error) {
	h, err := callInto[*string](ctx, c, "get_message_html", c.Account(), msgID)
	if err != nil || h == nil {
		return "", err
	}
	return *h, nil
}

// GetMessages calls get_messages. Messages that failed to load carry
// their error in the result instead.
func (c *Client) GetMessages(ctx context.Context, msgIDs []int64) (map[int64]MessageResult, error) {
	raw, err := callInto[map[string]MessageResult](ctx, c, "get_messages", c.Account(), nonNil(msgIDs))
	if err != nil {
		return nil, err
	}
	out := make(map[int64]MessageResult, len(raw))
	for k, v := range raw {
		id, err := strconv.ParseInt(k, 10, 64)
		if err != nil {
			return nil, fmt.Errorf("%w: get_messages: key %q is not a message id", ErrProtocol, k)
		}
		out[id] = v
	}
	return out, nil
}

// GetMessageIDs calls get_message_ids (without info messages and day
// markers filtered in the daemon): the chat's message ids, oldest first.
func (c *Client) GetMessageIDs(ctx context.Context, chatID int64) ([]int64, error) {
	return callInto[[]int64](ctx, c, "get_message_ids", c.Account(), chatID, false, false)
}

// GetFreshMsgs calls get_fresh_msgs: unseen messages, newest first,
// without muted chats and contact requests.
func (c *Client) GetFreshMsgs(ctx context.Context) ([]int64, error) {
	return callInto[[]int64](ctx, c, "get_fresh_msgs", c.Account())
}

// GetNextMsgs calls get_next_msgs: ids above the core's last_msg_id
// (which markseen_msgs raises).
func (c *Client) GetNextMsgs(ctx context.Context) ([]int64, error) {
	return callInto[[]int64](ctx, c, "get_next_msgs", c.Account())
}

// SendMsg calls send_msg and returns the new message's id. The message is
// queued by the core, not yet sent.
func (c *Client) SendMsg(ctx context.Context, chatID int64, m MessageData) (int64, error) {
	return callInto[int64](ctx, c, "send_msg", c.Account(), chatID, m)
}

// SendText calls misc_send_text_message.
func (c *Client) SendText(ctx context.Context, chatID int64, text string) (int64, error) {
	return callInto[int64](ctx, c, "misc_send_text_message", c.Account(), chatID, text)
}

// SendReaction calls send_reaction; no emoji removes the bot's reaction.
func (c *Client) SendReaction(ctx context.Context, msgID int64, emoji ...string) (int64, error) {
	return callInto[int64](ctx, c, "send_reaction", c.Account(), msgID, nonNil(emoji))
}

// SendEditRequest calls send_edit_request to edit one of the bot's
// messages.
func (c *Client) SendEditRequest(ctx context.Context, msgID int64, text string) error {
	return c.callNoResult(ctx, "send_edit_request", c.Account(), msgID, text)
}

// DeleteMessages calls delete_messages.
func (c *Client) DeleteMessages(ctx context.Context, msgIDs []int64) error {
	return c.callNoResult(ctx, "delete_messages", c.Account(), nonNil(msgIDs))
}

// MarkseenMsgs calls markseen_msgs.
func (c *Client) MarkseenMsgs(ctx context.Context, msgIDs []int64) error {
	return c.callNoResult(ctx, "markseen_msgs", c.Account(), nonNil(msgIDs))
}

// AcceptChat calls accept_chat: it accepts a contact request.
func (c *Client) AcceptChat(ctx context.Context, chatID int64) error {
	return c.callNoResult(ctx, "accept_chat", c.Account(), chatID)
}

// BlockChat calls block_chat: it rejects a contact request.
func (c *Client) BlockChat(ctx context.Context, chatID int64) error {
	return c.callNoResult(ctx, "block_chat", c.Account(), chatID)
}

// GetChat calls get_basic_chat_info.
func (c *Client) GetChat(ctx context.Context, chatID int64) (*Chat, error) {
	ch, err := callInto[*Chat](ctx, c, "get_basic_chat_info", c.Account(), chatID)
	if err == nil && ch == nil {
		err = fmt.Errorf("%w: get_basic_chat_info: null result", ErrProtocol)
	}
	return ch, err
}

// GetFullChat calls get_full_chat_by_id.
func (c *Client) GetFullChat(ctx context.Context, chatID int64) (*Chat, error) {
	ch, err := callInto[*Chat](ctx, c, "get_full_chat_by_id", c.Account(), chatID)
	if err == nil && ch == nil {
		err = fmt.Errorf("%w: get_full_chat_by_id: null result", ErrProtocol)
	}
	return ch, err
}

// GetChatContacts calls get_chat_contacts.
func (c *Client) GetChatContacts(ctx context.Context, chatID int64) ([]int64, error) {
	return callInto[[]int64](ctx, c, "get_chat_contacts", c.Account(), chatID)
}

// GetContact calls get_contact.
func (c *Client) GetContact(ctx context.Context, contactID int64) (*Contact, error) {
	ct, err := callInto[*Contact](ctx, c, "get_contact", c.Account(), contactID)
	if err == nil && ct == nil {
		err = fmt.Errorf("%w: get_contact: null result", ErrProtocol)
	}
	return ct, err
}

// GetContactIDs calls get_contact_ids with list flags and an optional
// query ("" for none).
func (c *Client) GetContactIDs(ctx context.Context, flags int, query string) ([]int64, error) {
	return callInto[[]int64](ctx, c, "get_contact_ids", c.Account(), flags, nullIfEmpty(query))
}

// LookupContactIDByAddr calls lookup_contact_id_by_addr; 0 when unknown.
func (c *Client) LookupContactIDByAddr(ctx context.Context, addr string) (int64, error) {
	return callInto[int64](ctx, c, "lookup_contact_id_by_addr", c.Account(), addr)
}

// CreateChatByContactID calls create_chat_by_contact_id (get or create
// the 1:1 chat).
func (c *Client) CreateChatByContactID(ctx context.Context, contactID int64) (int64, error) {
	return callInto[int64](ctx, c, "create_chat_by_contact_id", c.Account(), contactID)
}

// Chat list flags of get_chatlist_entries.
const (
	ChatlistArchivedOnly = 0x01
	ChatlistNoSpecials   = 0x02
)

// GetChatlistEntries calls get_chatlist_entries with list flags and no
// query or contact filter.
func (c *Client) GetChatlistEntries(ctx context.Context, flags int) ([]int64, error) {
	return callInto[[]int64](ctx, c, "get_chatlist_entries", c.Account(), flags, nil, nil)
}

// GetChatlistItems calls get_chatlist_items_by_entries.
func (c *Client) GetChatlistItems(ctx context.Context, chatIDs []int64) (map[int64]ChatListItem, error) {
	raw, err := callInto[map[string]ChatListItem](ctx, c, "get_chatlist_items_by_entries", c.Account(), nonNil(chatIDs))
	if err != nil {
		return nil, err
	}
	out := make(map[int64]ChatListItem, len(raw))
	for k, v := range raw {
		id, err := strconv.ParseInt(k, 10, 64)
		if err != nil {
			return nil, fmt.Errorf("%w: get_chatlist_items_by_entries: key %q is not a chat id", ErrProtocol, k)
		}
		if v.ID == 0 {
			v.ID = id
		}
		out[id] = v
	}
	return out, nil
}

// GetChatSecurejoinQRCode calls get_chat_securejoin_qr_code: the invite
// for chatID, or for a 1:1 chat with the bot when chatID is 0.
func (c *Client) GetChatSecurejoinQRCode(ctx context.Context, chatID int64) (string, error) {
	var chat any
	if chatID != 0 {
		chat = chatID
	}
	return callInto[string](ctx, c, "get_chat_securejoin_qr_code", c.Account(), chat)
}

// SecureJoin calls secure_join with an invite link or QR text from
// another account and returns the chat id; the join runs in background.
func (c *Client) SecureJoin(ctx context.Context, qr string) (int64, error) {
	return callInto[int64](ctx, c, "secure_join", c.Account(), qr)
}

// PrivittyFileOptions are the access rules of a Privitty file.
type PrivittyFileOptions struct {
	AllowDownload   bool
	AllowForward    bool
	DurationMinutes int
}

// PrivittySendFile calls privitty_send_file: it encrypts the file at path
// (on the daemon's host) for the peer. Send the result's EncryptedPath
// with SendMsg as a File. It needs a license (see IsLicenseError).
func (c *Client) PrivittySendFile(ctx context.Context, chatID, peerContactID int64, path string, o PrivittyFileOptions) (*PrivittyFile, error) {
	f, err := callInto[*PrivittyFile](ctx, c, "privitty_send_file", c.Account(), chatID, peerContactID, path, o.AllowDownload, o.AllowForward, o.DurationMinutes)
	if err == nil && f == nil {
		err = fmt.Errorf("%w: privitty_send_file: null result", ErrProtocol)
	}
	return f, err
}

// PrivittySendGroupFile calls privitty_send_group_file. Its parameters are
// not documented, so they are passed after the account id as given.
func (c *Client) PrivittySendGroupFile(ctx context.Context, params ...any) (json.RawMessage, error) {
	return c.Call(ctx, "privitty_send_group_file", append([]any{c.Account()}, params...)...)
}

// PrivittyRevokeFileAccess calls privitty_revoke_file_access; parameters
// as for PrivittySendGroupFile.
func (c *Client) PrivittyRevokeFileAccess(ctx context.Context, params ...any) (json.RawMessage, error) {
	return c.Call(ctx, "privitty_revoke_file_access", append([]any{c.Account()}, params...)...)
}

func nonNil[T any](s []T) []T {
	if s == nil {
		return []T{}
	}
	return s
}

func nullIfEmpty(s string) any {
	if s == "" {
		return nil
	}
	return s
}
