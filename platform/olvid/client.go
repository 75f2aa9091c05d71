package olvid

import (
	"context"
	"crypto/tls"
	"crypto/x509"
	"errors"
	"fmt"
	"io"
	"net"
	"os"
	"strconv"
	"strings"
	"time"

	"go.uber.org/zap"
	"google.golang.org/grpc"
	"google.golang.org/grpc/backoff"
	"google.golang.org/grpc/codes"
	"google.golang.org/grpc/credentials"
	"google.golang.org/grpc/credentials/insecure"
	"google.golang.org/grpc/metadata"
	"google.golang.org/grpc/status"

	"github.com/parleybot/parley/bot"
	pb "github.com/parleybot/parley/platform/olvid/olvidpb"
)

// The metadata keys of the daemon's authentication.
const (
	// ClientKeyHeader carries the client key on every call and stream.
	ClientKeyHeader = "daemon-client-key"
	// IdentityHeader picks the identity an admin key acts for.
	IdentityHeader = "daemon-identity-id"
)

// Error is a call the daemon refused or that failed in transport: the
// gRPC status code, the method and the daemon's message. Test for a code
// with errors.Is and the sentinels (errors.Is(err, olvid.ErrNotFound)), or
// read Code with errors.As.
type Error struct {
	Code    codes.Code
	Method  string // the method's short name, such as "MessageSend"
	Message string
}

// Error reads "olvid: <method>: <code>: <daemon's message>".
func (e *Error) Error() string {
	if e.Method == "" {
		return "olvid: " + e.Code.String()
	}
	if e.Message == "" {
		return fmt.Sprintf("olvid: %s: %s", e.Method, e.Code)
	}
	return fmt.Sprintf("olvid: %s: %s: %s", e.Method, e.Code, e.Message)
}

// Is matches the sentinels: an *Error with no method and no message
// matches every error of its code.
func (e *Error) Is(target error) bool {
	t, ok := target.(*Error)
	return ok && t.Method == "" && t.Message == "" && t.Code == e.Code
}

// Unwrap returns bot.ErrOutcomeUnknown for the codes that leave a
// command's fate open (UNAVAILABLE, DEADLINE_EXCEEDED, CANCELLED): the
// daemon may or may not have run it, so the event that caused it is
// passed on again rather than counted as handled.
func (e *Error) Unwrap() error {
	switch e.Code {
	case codes.Unavailable, codes.DeadlineExceeded, codes.Canceled:
		return bot.ErrOutcomeUnknown
	}
	return nil
}

// GRPCStatus returns the error as a gRPC status.
func (e *Error) GRPCStatus() *status.Status { return status.New(e.Code, e.Message) }

// Sentinels for the status codes the daemon documents; see Error.
var (
	ErrUnauthenticated  = &Error{Code: codes.Unauthenticated}
	ErrNotFound         = &Error{Code: codes.NotFound}
	ErrInvalidArgument  = &Error{Code: codes.InvalidArgument}
	ErrPermissionDenied = &Error{Code: codes.PermissionDenied}
	ErrUnavailable      = &Error{Code: codes.Unavailable}
	ErrUnimplemented    = &Error{Code: codes.Unimplemented}
	ErrInternal         = &Error{Code: codes.Internal}
	ErrDeadlineExceeded = &Error{Code: codes.DeadlineExceeded}
	ErrCanceled         = &Error{Code: codes.Canceled}
)

// wrapErr turns a gRPC error into an *Error naming method.
func wrapErr(method string, err error) error {
	if err == nil {
		return nil
	}
	var e *Error
	if errors.As(err, &e) {
		return err
	}
	if errors.Is(err, context.Canceled) {
		return &Error{Code: codes.Canceled, Method: method, Message: err.Error()}
	}
	if errors.Is(err, context.DeadlineExceeded) {
		return &Error{Code: codes.DeadlineExceeded, Method: method, Message: err.Error()}
	}
	st, ok := status.FromError(err)
	if !ok {
		return &Error{Code: codes.Unknown, Method: method, Message: err.Error()}
	}
	return &Error{Code: st.Code(), Method: method, Message: st.Message()}
}

// Client is a typed client of the Olvid bot daemon: one gRPC connection,
// the authentication metadata on every call, per-call deadlines and
// typed errors. Its methods are in commands.go; streams in stream.go.
type Client struct {
	conn   *grpc.ClientConn
	target string
	opts   options
	md     metadata.MD

	tool       pb.ToolCommandServiceClient
	identity   pb.IdentityCommandServiceClient
	invitation pb.InvitationCommandServiceClient
	contact    pb.ContactCommandServiceClient
	group      pb.GroupCommandServiceClient
	discussion pb.DiscussionCommandServiceClient
	message    pb.MessageCommandServiceClient
	attachment pb.AttachmentCommandServiceClient
	settings   pb.SettingsCommandServiceClient

	notifyMessage    pb.MessageNotificationServiceClient
	notifyInvitation pb.InvitationNotificationServiceClient
	notifyContact    pb.ContactNotificationServiceClient
	notifyGroup      pb.GroupNotificationServiceClient
	notifyDiscussion pb.DiscussionNotificationServiceClient
	notifyAttachment pb.AttachmentNotificationServiceClient
	notifyCall       pb.CallNotificationServiceClient
}

// NewClient returns a client of the daemon at target ("host:port"; an
// "http://" or "https://" prefix is dropped, and "https://" turns on TLS
// with the system roots unless WithTLS is given). It does not connect:
// the first call does.
func NewClient(target string, opts ...Option) (*Client, error) {
	o := defaultOptions()
	for _, opt := range opts {
		opt.apply(&o)
	}
	return newClient(target, o)
}

func newClient(target string, o options) (*Client, error) {
	target, useTLS := SplitTarget(target)
	if useTLS && o.tls == nil {
		o.tls = &tls.Config{MinVersion: tls.VersionTLS12}
	}
	creds := insecure.NewCredentials()
	if o.tls != nil {
		creds = credentials.NewTLS(o.tls)
	}
	bc := backoff.DefaultConfig
	bc.BaseDelay, bc.MaxDelay = o.backoffMin, o.backoffMax
	dial := append([]grpc.DialOption{
		grpc.WithTransportCredentials(creds),
		grpc.WithConnectParams(grpc.ConnectParams{Backoff: bc, MinConnectTimeout: o.callTimeout}),
	}, o.dialOpts...)
	if o.onCommand != nil {
		dial = append(dial, grpc.WithChainUnaryInterceptor(observe(o.onCommand)), grpc.WithChainStreamInterceptor(observeStream(o.onCommand)))
	}
	conn, err := grpc.NewClient(target, dial...)
	if err != nil {
		return nil, fmt.Errorf("olvid: %w", err)
	}
	md := metadata.MD{}
	if o.clientKey != "" {
		md.Set(ClientKeyHeader, o.clientKey)
	}
	if o.identityID != 0 {
		md.Set(IdentityHeader, strconv.FormatUint(o.identityID, 10))
	}
	c := &Client{conn: conn, target: target, opts: o, md: md}
	c.tool = pb.NewToolCommandServiceClient(conn)
	c.identity = pb.NewIdentityCommandServiceClient(conn)
	c.invitation = pb.NewInvitationCommandServiceClient(conn)
	c.contact = pb.NewContactCommandServiceClient(conn)
	c.group = pb.NewGroupCommandServiceClient(conn)
	c.discussion = pb.NewDiscussionCommandServiceClient(conn)
	c.message = pb.NewMessageCommandServiceClient(conn)
	c.attachment = pb.NewAttachmentCommandServiceClient(conn)
	c.settings = pb.NewSettingsCommandServiceClient(conn)
	c.notifyMessage = pb.NewMessageNotificationServiceClient(conn)
	c.notifyInvitation = pb.NewInvitationNotificationServiceClient(conn)
	c.notifyContact = pb.NewContactNotificationServiceClient(conn)
	c.notifyGroup = pb.NewGroupNotificationServiceClient(conn)
	c.notifyDiscussion = pb.NewDiscussionNotificationServiceClient(conn)
	c.notifyAttachment = pb.NewAttachmentNotificationServiceClient(conn)
	c.notifyCall = pb.NewCallNotificationServiceClient(conn)
	return c, nil
}

// Close closes the connection.
func (c *Client) Close() error { return c.conn.Close() }

// Target returns the address the client dials.
func (c *Client) Target() string { return c.target }

// Conn returns the gRPC connection, for the daemon's services this
// package does not wrap (use the olvidpb clients on it, and
// Client.Context for the metadata).
func (c *Client) Conn() *grpc.ClientConn { return c.conn }

// Context returns ctx with the authentication metadata.
func (c *Client) Context(ctx context.Context) context.Context {
	if len(c.md) == 0 {
		return ctx
	}
	return metadata.NewOutgoingContext(ctx, c.md)
}

// callCtx adds the metadata and, when ctx has no deadline, the call
// timeout.
func (c *Client) callCtx(ctx context.Context) (context.Context, context.CancelFunc) {
	ctx = c.Context(ctx)
	if _, ok := ctx.Deadline(); ok {
		return ctx, func() {}
	}
	return context.WithTimeout(ctx, c.opts.callTimeout)
}

// unary runs one unary call with the metadata, the deadline and typed
// errors.
func unary[Req, Resp any](ctx context.Context, c *Client, method string, call func(context.Context, Req, ...grpc.CallOption) (Resp, error), req Req) (Resp, error) {
	ctx, cancel := c.callCtx(ctx)
	defer cancel()
	resp, err := call(ctx, req)
	return resp, wrapErr(method, err)
}

// list collects a server-streamed listing.
func list[Req any, Resp any, T any](ctx context.Context, c *Client, method string, call func(context.Context, Req, ...grpc.CallOption) (grpc.ServerStreamingClient[Resp], error), req Req, items func(*Resp) []T) ([]T, error) {
	ctx, cancel := c.callCtx(ctx)
	defer cancel()
	st, err := call(ctx, req)
	if err != nil {
		return nil, wrapErr(method, err)
	}
	var out []T
	for {
		r, err := st.Recv()
		if err != nil {
			if errors.Is(err, io.EOF) {
				return out, nil
			}
			return out, wrapErr(method, err)
		}
		out = append(out, items(r)...)
	}
}

// outcome names a gRPC call's outcome, its status taken as the kinds the
// client's own errors carry.
func outcome(err error) string { return bot.Outcome(wrapErr("", err)) }

// observe reports unary calls to f.
func observe(f func(method, outcome string, d time.Duration)) grpc.UnaryClientInterceptor {
	return func(ctx context.Context, method string, req, reply any, cc *grpc.ClientConn, invoker grpc.UnaryInvoker, opts ...grpc.CallOption) error {
		start := time.Now()
		err := invoker(ctx, method, req, reply, cc, opts...)
		f(method[strings.LastIndexByte(method, '/')+1:], outcome(err), time.Since(start))
		return err
	}
}

// observeStream reports the opening of client-streaming commands (the
// upload) and listings to f; notification streams are not commands.
func observeStream(f func(method, outcome string, d time.Duration)) grpc.StreamClientInterceptor {
	return func(ctx context.Context, desc *grpc.StreamDesc, cc *grpc.ClientConn, method string, streamer grpc.Streamer, opts ...grpc.CallOption) (grpc.ClientStream, error) {
		start := time.Now()
		cs, err := streamer(ctx, desc, cc, method, opts...)
		if !strings.Contains(method, "NotificationService/") {
			f(method[strings.LastIndexByte(method, '/')+1:], outcome(err), time.Since(start))
		}
		return cs, err
	}
}

// SplitTarget drops an "http://" or "https://" prefix from a target and
// reports whether it asked for TLS.
func SplitTarget(target string) (string, bool) {
	switch {
	case strings.HasPrefix(target, "https://"):
		return strings.TrimSuffix(strings.TrimPrefix(target, "https://"), "/"), true
	case strings.HasPrefix(target, "http://"):
		return strings.TrimSuffix(strings.TrimPrefix(target, "http://"), "/"), false
	}
	return target, false
}

// IsLoopback reports whether target names this machine: localhost, a
// loopback address, or a Unix socket.
func IsLoopback(target string) bool {
	target, _ = SplitTarget(target)
	if strings.HasPrefix(target, "unix:") {
		return true
	}
	target = strings.TrimPrefix(target, "dns:///")
	host, _, err := net.SplitHostPort(target)
	if err != nil {
		host = target
	}
	if host == "localhost" {
		return true
	}
	ip := net.ParseIP(host)
	return ip != nil && ip.IsLoopback()
}

// LoadTLS builds a TLS configuration from PEM files: caFile (empty for
// the system roots) verifies the daemon, and certFile with keyFile (both
// or neither) is the client certificate of mutual TLS. serverName
// overrides the name checked in the daemon's certificate.
func LoadTLS(caFile, certFile, keyFile, serverName string) (*tls.Config, error) {
	cfg := &tls.Config{MinVersion: tls.VersionTLS12, ServerName: serverName}
	if caFile != "" {
		pem, err := os.ReadFile(caFile)
		if err != nil {
			return nil, fmt.Errorf("olvid: reading the CA file: %w", err)
		}
		pool := x509.NewCertPool()
		if !pool.AppendCertsFromPEM(pem) {
			return nil, fmt.Errorf("olvid: the CA file %s holds no PEM certificate", caFile)
		}
		cfg.RootCAs = pool
	}
	if (certFile == "") != (keyFile == "") {
		return nil, errors.New("olvid: mutual TLS needs both a certificate file and a key file")
	}
	if certFile != "" {
		cert, err := tls.LoadX509KeyPair(certFile, keyFile)
		if err != nil {
			return nil, fmt.Errorf("olvid: loading the client certificate: %w", err)
		}
		cfg.Certificates = []tls.Certificate{cert}
	}
	return cfg, nil
}

// warnPlaintext logs a warning when messages would cross a network in
// the clear.
func warnPlaintext(log *zap.Logger, target string, o options) {
	if o.tls == nil && !IsLoopback(target) {
		log.Warn("olvid: plaintext connection to a non-loopback daemon: anyone on the path can read messages and the client key; configure TLS",
			zap.String("target", target))
	}
}
