package web

import (
	"bytes"
	"context"
	"errors"
	"io"
	"net"
	"net/http"
	"net/http/httputil"
	"net/url"
	"strings"
	"sync"
	"time"

	"github.com/coder/websocket"
)

// Frame directions.
const (
	ToBot   = "in"  // from the simulator to the bot
	FromBot = "out" // from the bot to the simulator
)

// maxFrameText is how much of a frame the inspector keeps.
const maxFrameText = 16 << 10

// tap is a transparent proxy between a bot and its simulator that records
// every frame: WebSocket messages, HTTP request and response bodies, and
// Server-Sent Events one by one. It knows no platform; anything spoken
// over HTTP or WebSocket passes through it.
type tap struct {
	target *url.URL
	record func(dir, kind, text string, size int)
	ln     net.Listener
	srv    *http.Server
	rp     *httputil.ReverseProxy

	ctx    context.Context
	cancel context.CancelFunc
	wg     sync.WaitGroup
}

// startTap listens on loopback and forwards to target: ws:// or http://
// through an HTTP proxy, tcp:// byte for byte.
func startTap(target string, record func(dir, kind, text string, size int)) (*tap, error) {
	u, err := url.Parse(target)
	if err != nil {
		return nil, err
	}
	httpTarget := *u
	switch u.Scheme {
	case "ws":
		httpTarget.Scheme = "http"
	case "wss":
		httpTarget.Scheme = "https"
	}
	ln, err := net.Listen("tcp", "127.0.0.1:0")
	if err != nil {
		return nil, err
	}
	ctx, cancel := context.WithCancel(context.Background())
	t := &tap{target: u, record: record, ln: ln, ctx: ctx, cancel: cancel}
	if u.Scheme == "tcp" {
		t.wg.Add(1)
		go t.serveTCP()
		return t, nil
	}
	t.rp = &httputil.ReverseProxy{
		Rewrite: func(r *httputil.ProxyRequest) {
			r.SetURL(&httpTarget)
			r.Out.Host = r.In.Host
		},
		FlushInterval:  -1, // event streams go through as they come
		ModifyResponse: t.recordResponse,
		ErrorLog:       nil,
		ErrorHandler: func(w http.ResponseWriter, r *http.Request, err error) {
			t.record(ToBot, "http", "proxy error: "+err.Error(), 0)
			w.WriteHeader(http.StatusBadGateway)
		},
	}
	t.srv = &http.Server{Handler: http.HandlerFunc(t.serve), ReadHeaderTimeout: 10 * time.Second,
		BaseContext: func(net.Listener) context.Context { return ctx }}
	t.wg.Add(1)
	go func() {
		defer t.wg.Done()
		_ = t.srv.Serve(ln)
	}()
	return t, nil
}

// URL is the address to give the bot instead of the simulator's.
func (t *tap) URL() string {
	u := *t.target
	u.Host = t.ln.Addr().String()
	return u.String()
}

func (t *tap) Close() error {
	t.cancel()
	var err error
	if t.srv != nil {
		err = t.srv.Close()
	} else {
		err = t.ln.Close()
	}
	t.wg.Wait()
	return err
}

func (t *tap) serve(w http.ResponseWriter, r *http.Request) {
	t.wg.Add(1)
	defer t.wg.Done()
	if strings.EqualFold(r.Header.Get("Upgrade"), "websocket") {
		t.serveWS(w, r)
		return
	}
	if r.Body != nil && r.ContentLength != 0 {
		body, err := io.ReadAll(io.LimitReader(r.Body, 64<<20))
		if err != nil {
			http.Error(w, err.Error(), http.StatusBadRequest)
			return
		}
		t.record(FromBot, "http", r.Method+" "+r.URL.RequestURI()+"\n"+clip(body), len(body))
		r.Body = io.NopCloser(bytes.NewReader(body))
	} else {
		t.record(FromBot, "http", r.Method+" "+r.URL.RequestURI(), 0)
	}
	t.rp.ServeHTTP(w, r)
}

// recordResponse records a response: an event stream event by event as
// it is read, any other body whole.
func (t *tap) recordResponse(resp *http.Response) error {
	if strings.HasPrefix(resp.Header.Get("Content-Type"), "text/event-stream") {
		t.record(ToBot, "http", resp.Status+" (event stream)", 0)
		resp.Body = &sseRecorder{rc: resp.Body, t: t}
		return nil
	}
	body, err := io.ReadAll(io.LimitReader(resp.Body, 64<<20))
	_ = resp.Body.Close()
	if err != nil {
		return err
	}
	t.record(ToBot, "http", resp.Status+"\n"+clip(body), len(body))
	resp.Body = io.NopCloser(bytes.NewReader(body))
	return nil
}

// sseRecorder passes an event stream through, recording each event (the
// lines up to a blank line) as one frame.
type sseRecorder struct {
	rc  io.ReadCloser
	t   *tap
	buf []byte
}

func (s *sseRecorder) Read(p []byte) (int, error) {
	n, err := s.rc.Read(p)
	s.buf = append(s.buf, p[:n]...)
	for {
		i := bytes.Index(s.buf, []byte("\n\n"))
		if i < 0 {
			break
		}
		ev := s.buf[:i]
		s.t.record(ToBot, "sse", clip(ev), len(ev))
		s.buf = s.buf[i+2:]
	}
	if len(s.buf) > 1<<20 { // an event without end: keep memory bounded
		s.t.record(ToBot, "sse", clip(s.buf), len(s.buf))
		s.buf = nil
	}
	if err != nil && len(bytes.TrimSpace(s.buf)) > 0 {
		s.t.record(ToBot, "sse", clip(s.buf)+"\n(stream ended: "+err.Error()+")", len(s.buf))
		s.buf = nil
	} else if err != nil && !errors.Is(err, io.EOF) {
		s.t.record(ToBot, "sse", "(stream ended: "+err.Error()+")", 0)
	}
	return n, err
}

func (s *sseRecorder) Close() error { return s.rc.Close() }

// serveWS relays a WebSocket connection message by message.
func (t *tap) serveWS(w http.ResponseWriter, r *http.Request) {
	u := *t.target
	u.Path, u.RawQuery = r.URL.Path, r.URL.RawQuery
	ctx, cancel := context.WithCancel(t.ctx)
	defer cancel()
	// Headers such as a token go through; those of the handshake itself
	// are the dialer's own.
	hdr := http.Header{}
	for k, vs := range r.Header {
		switch http.CanonicalHeaderKey(k) {
		case "Host", "Upgrade", "Connection", "Sec-Websocket-Key", "Sec-Websocket-Version",
			"Sec-Websocket-Extensions", "Sec-Websocket-Accept", "Content-Length":
			continue
		}
		hdr[k] = vs
	}
	var subprotocols []string
	for _, v := range r.Header.Values("Sec-WebSocket-Protocol") {
		for _, p := range strings.Split(v, ",") {
			subprotocols = append(subprotocols, strings.TrimSpace(p))
		}
	}
	hdr.Del("Sec-Websocket-Protocol")
	up, resp, err := websocket.Dial(ctx, u.String(), &websocket.DialOptions{HTTPHeader: hdr, Subprotocols: subprotocols})
	if resp != nil && resp.Body != nil {
		resp.Body.Close()
	}
	if err != nil {
		t.record(ToBot, "ws", "proxy: cannot reach the simulator: "+err.Error(), 0)
		http.Error(w, err.Error(), http.StatusBadGateway)
		return
	}
	defer up.CloseNow()
	up.SetReadLimit(-1)
	var accept []string
	if p := up.Subprotocol(); p != "" {
		accept = []string{p}
	}
	down, err := websocket.Accept(w, r, &websocket.AcceptOptions{InsecureSkipVerify: true, Subprotocols: accept})
	if err != nil {
		return
	}
	defer down.CloseNow()
	down.SetReadLimit(-1)
	t.record(ToBot, "ws", "(connected)", 0)
	var wg sync.WaitGroup
	relay := func(from, to *websocket.Conn, dir string) {
		defer wg.Done()
		defer cancel()
		for {
			typ, data, err := from.Read(ctx)
			if err != nil {
				if dir == ToBot {
					t.record(ToBot, "ws", "(connection closed: "+closeReason(err)+")", 0)
				}
				return
			}
			t.record(dir, "ws", clip(data), len(data))
			if err := to.Write(ctx, typ, data); err != nil {
				return
			}
		}
	}
	wg.Add(2)
	go relay(up, down, ToBot)
	go relay(down, up, FromBot)
	wg.Wait()
}

func closeReason(err error) string {
	if s := websocket.CloseStatus(err); s != -1 {
		return s.String()
	}
	if errors.Is(err, context.Canceled) {
		return "closed"
	}
	return err.Error()
}

// clip returns b as text, cut to maxFrameText.
func clip(b []byte) string {
	if len(b) > maxFrameText {
		return string(b[:maxFrameText]) + "…"
	}
	return string(b)
}
