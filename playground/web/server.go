package web

import (
	"bytes"
	"context"
	"embed"
	"encoding/json"
	"errors"
	"fmt"
	"io"
	"io/fs"
	"net"
	"net/http"
	"reflect"
	"strings"
	"sync"
	"sync/atomic"
	"time"

	"github.com/BurntSushi/toml"
	"github.com/parleybot/parley/bot"
	"github.com/parleybot/parley/config"
	"github.com/parleybot/parley/playground"
	"go.uber.org/zap"
)

//go:embed assets
var assets embed.FS

// DefaultListen is where the page is served unless WithListen says
// otherwise.
const DefaultListen = "127.0.0.1:7070"

// restartDelay is how long a bot whose Run failed waits before it is
// built and started again.
const restartDelay = time.Second

// Option configures Start.
type Option interface{ apply(*options) }

type optionFunc func(*options)

func (f optionFunc) apply(o *options) { f(o) }

type options struct {
	listen string
	logOut io.Writer
}

// WithListen serves the page on addr, which must be a loopback address
// (default DefaultListen; port 0 picks a free port).
func WithListen(addr string) Option { return optionFunc(func(o *options) { o.listen = addr }) }

// WithLogOutput sends the bots' logs to w (default: discarded).
func WithLogOutput(w io.Writer) Option { return optionFunc(func(o *options) { o.logOut = w }) }

// DefaultConfig returns a configuration with one bot named after the
// platform's echo bot: the given modules (echo when none), accepting
// every contact request and group invitation.
func DefaultConfig(platform string, modules ...string) []byte {
	if len(modules) == 0 {
		modules = []string{"echo"}
	}
	var b strings.Builder
	fmt.Fprintf(&b, "[server]\nlog_level = \"info\"\n\n[[bots]]\nname = %q\nplatform = %q\n\n[bots.%s]\n\n", "echo", platform, platform)
	b.WriteString("[bots.auto_accept]\ncontacts = \"all\"\ngroups = \"all\"\n")
	b.WriteString("welcome = \"Hi! I am a Parley bot in the playground. Send me anything.\"\n\n")
	for _, m := range modules {
		fmt.Fprintf(&b, "[bots.modules.%s]\n", m)
	}
	return []byte(b.String())
}

// Playground is a running playground. Stop it by cancelling the context
// given to Start, then Wait.
type Playground struct {
	cfg  *config.Config
	insp *inspector
	bots []*botRun
	ln   net.Listener
	srv  *http.Server
	log  *zap.Logger

	ctx    context.Context
	cancel context.CancelFunc
	wg     sync.WaitGroup

	hubMu   sync.Mutex
	changed chan struct{}
}

// botRun is one bot of the playground with its simulator and tap.
type botRun struct {
	name, platform string
	sim            playground.Sim
	tap            *tap
	bc             config.BotConfig
	hosted         atomic.Pointer[config.Hosted]
	mu             sync.Mutex
	err            string // the last Run error, "" while running fine
	restarts       int
}

// Start starts the simulators and bots of the configuration data (a
// bots.toml named filename) and serves the page until ctx ends. Each
// bot's platform must have a playground simulator; its settings are
// pointed at the simulator and its store is kept in memory, so a
// playground never touches a real account or state file.
func Start(ctx context.Context, data []byte, filename string, opts ...Option) (_ *Playground, err error) {
	o := options{listen: DefaultListen, logOut: io.Discard}
	for _, op := range opts {
		op.apply(&o)
	}
	host, _, err := net.SplitHostPort(o.listen)
	if err != nil {
		return nil, fmt.Errorf("playground: listen address %q: %w", o.listen, err)
	}
	if ip := net.ParseIP(host); host != "localhost" && (ip == nil || !ip.IsLoopback()) {
		return nil, fmt.Errorf("playground: listen address %q is not loopback; the playground serves only this machine", o.listen)
	}
	var doc map[string]any
	if _, err := toml.Decode(string(data), &doc); err != nil {
		return nil, err
	}
	pctx, cancel := context.WithCancel(ctx)
	p := &Playground{insp: newInspector(), ctx: pctx, cancel: cancel, changed: make(chan struct{})}
	defer func() {
		if err != nil {
			p.cancel()
			p.closeSims()
		}
	}()
	bots, _ := doc["bots"].([]map[string]any)
	for _, b := range bots {
		name, _ := b["name"].(string)
		platform, _ := b["platform"].(string)
		prov, ok := playground.Lookup(platform)
		if !ok {
			return nil, fmt.Errorf("playground: bot %q: platform %q has no playground simulator (have: %s)",
				name, platform, strings.Join(playground.Names(), ", "))
		}
		sim, err := prov.Start(playground.Options{BotName: name})
		if err != nil {
			return nil, fmt.Errorf("playground: bot %q: start the %s simulator: %w", name, platform, err)
		}
		br := &botRun{name: name, platform: platform, sim: sim}
		p.bots = append(p.bots, br)
		br.tap, err = startTap(sim.URL(), func(dir, kind, text string, size int) { p.insp.frame(name, dir, kind, text, size) })
		if err != nil {
			return nil, err
		}
		settings, _ := b[platform].(map[string]any)
		if settings == nil {
			settings = map[string]any{}
		}
		for k, v := range sim.Settings(br.tap.URL()) {
			settings[k] = v
		}
		b[platform] = settings
		b["store"] = map[string]any{"kind": "memory"}
	}
	var buf bytes.Buffer
	if err := toml.NewEncoder(&buf).Encode(doc); err != nil {
		return nil, err
	}
	// Relative paths in module settings stay relative to the file.
	cfg, err := config.Parse(buf.Bytes(), filename)
	if err != nil {
		if _, oerr := config.Parse(data, filename); oerr != nil {
			return nil, oerr // its problems point at the file's own lines
		}
		return nil, fmt.Errorf("playground: the configuration pointed at the simulators: %w", err)
	}
	p.cfg = cfg
	root := cfg.NewLogger(o.logOut)
	p.log = config.WithLevel(root, cfg.Server.LogLevel).Named("playground")
	for k, bc := range cfg.Bots {
		for j, mc := range bc.Modules {
			bc.Modules[j].Module = markedModule{Module: mc.Module, name: mc.Name}
		}
		p.bots[k].bc = bc
	}
	p.ln, err = net.Listen("tcp", o.listen)
	if err != nil {
		return nil, fmt.Errorf("playground: %w", err)
	}
	p.srv = &http.Server{Handler: p.handler(), ReadHeaderTimeout: 10 * time.Second,
		BaseContext: func(net.Listener) context.Context { return pctx }}
	p.wg.Add(2)
	go func() {
		defer p.wg.Done()
		_ = p.srv.Serve(p.ln)
	}()
	go func() {
		defer p.wg.Done()
		p.hub()
	}()
	for _, br := range p.bots {
		p.wg.Add(1)
		go func() {
			defer p.wg.Done()
			p.runBot(br, root)
		}()
	}
	context.AfterFunc(pctx, func() { _ = p.srv.Close() })
	return p, nil
}

// URL is the page's address.
func (p *Playground) URL() string { return "http://" + p.ln.Addr().String() + "/" }

// Wait waits until the context given to Start ends and everything has
// stopped: bots (gracefully), simulators, taps and the web server.
func (p *Playground) Wait() error {
	p.wg.Wait()
	p.closeSims()
	return nil
}

// Close stops the playground and waits for it.
func (p *Playground) Close() error {
	p.cancel()
	return p.Wait()
}

func (p *Playground) closeSims() {
	for _, br := range p.bots {
		if br.tap != nil {
			_ = br.tap.Close()
		}
		_ = br.sim.Close()
	}
}

// runBot builds and runs one bot until the playground stops, building it
// afresh after a failure, as "parley run" does.
func (p *Playground) runBot(br *botRun, root *zap.Logger) {
	for {
		err := p.runOnce(br, root)
		br.mu.Lock()
		if err != nil {
			br.err = err.Error()
			br.restarts++
		}
		br.mu.Unlock()
		p.poke()
		if p.ctx.Err() != nil {
			return
		}
		p.log.Warn("bot stopped; starting it again", zap.String("bot", br.name), zap.Error(err))
		t := time.NewTimer(restartDelay)
		select {
		case <-t.C:
		case <-p.ctx.Done():
			t.Stop()
			return
		}
	}
}

func (p *Playground) runOnce(br *botRun, root *zap.Logger) error {
	name := br.name
	blog := root.Named(name)
	hooks := config.Hooks{
		Outer: []bot.Middleware{p.insp.middleware(name, br.hosted.Load)},
		DedupeHit: func(key string) {
			blog.Debug("duplicate event dropped", zap.String("key", key))
			p.insp.note(name, func(r *EventRecord) bool { return r.dedupeKey != "" && strings.HasSuffix(key, r.dedupeKey) },
				func(r *EventRecord) { r.dedupeNote = "duplicate of an event already handled: dropped" })
		},
		Command: func(typ, outcome string, d time.Duration) { p.insp.command(name, typ, outcome, d) },
		Request: func(kind bot.RequestKind, accepted bool) {
			verdict := "refused by the policy"
			if accepted {
				verdict = "accepted"
			}
			p.insp.note(name, func(r *EventRecord) bool { return r.request },
				func(r *EventRecord) { r.acceptNote = kind.String() + " request " + verdict })
		},
	}
	hb, err := config.BuildBotWith(br.bc, root, hooks)
	if err != nil {
		return err
	}
	br.hosted.Store(hb)
	br.mu.Lock()
	br.err = ""
	br.mu.Unlock()
	p.poke()
	err = hb.Bot.Run(p.ctx)
	return errors.Join(err, hb.Close())
}

// poke wakes the page streams.
func (p *Playground) poke() {
	p.hubMu.Lock()
	close(p.changed)
	p.changed = make(chan struct{})
	p.hubMu.Unlock()
}

func (p *Playground) changedCh() <-chan struct{} {
	p.hubMu.Lock()
	defer p.hubMu.Unlock()
	return p.changed
}

// hub turns changes of the inspector and of every simulator's world into
// one change signal for the page streams.
func (p *Playground) hub() {
	for {
		cases := []reflect.SelectCase{
			{Dir: reflect.SelectRecv, Chan: reflect.ValueOf(p.ctx.Done())},
			{Dir: reflect.SelectRecv, Chan: reflect.ValueOf(p.insp.Changed())},
		}
		for _, br := range p.bots {
			cases = append(cases, reflect.SelectCase{Dir: reflect.SelectRecv, Chan: reflect.ValueOf(br.sim.Changed())})
		}
		if i, _, _ := reflect.Select(cases); i == 0 {
			return
		}
		p.poke()
	}
}

// State is what the page shows.
type State struct {
	Bots       []BotState      `json:"bots"`
	Events     []EventRecord   `json:"events"`
	Frames     []FrameRecord   `json:"frames"`
	Background []CommandRecord `json:"background"`
}

// BotState is one bot and its simulated world.
type BotState struct {
	Name     string           `json:"name"`
	Platform string           `json:"platform"`
	Modules  []string         `json:"modules"`
	Running  bool             `json:"running"`
	Error    string           `json:"error,omitempty"`
	Restarts int              `json:"restarts"`
	Stats    bot.Stats        `json:"stats"`
	World    playground.World `json:"world"`
}

// State returns a snapshot of the bots, their worlds and the inspector.
func (p *Playground) State() State {
	var st State
	for _, br := range p.bots {
		bs := BotState{Name: br.name, Platform: br.platform, World: br.sim.World()}
		for _, m := range br.bc.Modules {
			bs.Modules = append(bs.Modules, m.Name)
		}
		br.mu.Lock()
		bs.Error, bs.Restarts = br.err, br.restarts
		br.mu.Unlock()
		if hb := br.hosted.Load(); hb != nil {
			bs.Stats = hb.Bot.Stats()
			bs.Running = bs.Error == "" && p.ctx.Err() == nil
		}
		st.Bots = append(st.Bots, bs)
	}
	st.Events, st.Frames, st.Background = p.insp.snapshot()
	return st
}

func (p *Playground) bot(name string) *botRun {
	for _, br := range p.bots {
		if br.name == name || name == "" {
			return br
		}
	}
	return nil
}

func (p *Playground) handler() http.Handler {
	mux := http.NewServeMux()
	static, _ := fs.Sub(assets, "assets")
	mux.Handle("GET /", http.FileServerFS(static))
	mux.HandleFunc("GET /api/state", func(w http.ResponseWriter, r *http.Request) { writeJSON(w, http.StatusOK, p.State()) })
	mux.HandleFunc("GET /api/stream", p.serveStream)
	mux.HandleFunc("POST /api/do", func(w http.ResponseWriter, r *http.Request) {
		br := p.bot(r.URL.Query().Get("bot"))
		if br == nil {
			writeJSON(w, http.StatusNotFound, map[string]string{"error": "no such bot"})
			return
		}
		var a playground.Action
		if err := json.NewDecoder(io.LimitReader(r.Body, 1<<20)).Decode(&a); err != nil {
			writeJSON(w, http.StatusBadRequest, map[string]string{"error": "bad action: " + err.Error()})
			return
		}
		id, err := br.sim.Do(r.Context(), a)
		if err != nil {
			code := http.StatusUnprocessableEntity
			if errors.Is(err, playground.ErrUnsupported) {
				code = http.StatusNotImplemented
			}
			writeJSON(w, code, map[string]string{"error": err.Error()})
			return
		}
		writeJSON(w, http.StatusOK, map[string]string{"id": id})
	})
	mux.HandleFunc("POST /api/fault", func(w http.ResponseWriter, r *http.Request) {
		br := p.bot(r.URL.Query().Get("bot"))
		if br == nil {
			writeJSON(w, http.StatusNotFound, map[string]string{"error": "no such bot"})
			return
		}
		kind := r.URL.Query().Get("kind")
		if err := br.sim.Fault(kind); err != nil {
			writeJSON(w, http.StatusNotImplemented, map[string]string{"error": err.Error()})
			return
		}
		p.log.Info("fault injected", zap.String("bot", br.name), zap.String("fault", kind))
		writeJSON(w, http.StatusOK, map[string]string{"ok": kind})
	})
	return loopbackOnly(mux)
}

// loopbackOnly refuses requests whose Host is not a loopback name, so
// that a web page elsewhere cannot reach the playground through DNS
// rebinding.
func loopbackOnly(h http.Handler) http.Handler {
	return http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		host, _, err := net.SplitHostPort(r.Host)
		if err != nil {
			host = r.Host
		}
		ip := net.ParseIP(strings.Trim(host, "[]"))
		if host != "localhost" && (ip == nil || !ip.IsLoopback()) {
			http.Error(w, "the playground answers only on loopback", http.StatusForbidden)
			return
		}
		if r.Method == http.MethodPost && r.Header.Get("Content-Type") != "application/json" {
			// A cross-site form cannot send this content type without CORS.
			http.Error(w, "want Content-Type: application/json", http.StatusUnsupportedMediaType)
			return
		}
		h.ServeHTTP(w, r)
	})
}

// streamEvery bounds how often one page stream gets a snapshot.
const streamEvery = 50 * time.Millisecond

func (p *Playground) serveStream(w http.ResponseWriter, r *http.Request) {
	fl, ok := w.(http.Flusher)
	if !ok {
		http.Error(w, "streaming unsupported", http.StatusInternalServerError)
		return
	}
	w.Header().Set("Content-Type", "text/event-stream")
	w.Header().Set("Cache-Control", "no-store")
	for {
		ch := p.changedCh()
		b, err := json.Marshal(p.State())
		if err != nil {
			return
		}
		if _, err := fmt.Fprintf(w, "event: state\ndata: %s\n\n", b); err != nil {
			return
		}
		fl.Flush()
		select {
		case <-ch:
		case <-r.Context().Done():
			return
		}
		t := time.NewTimer(streamEvery) // let a burst of changes settle
		select {
		case <-t.C:
		case <-r.Context().Done():
			t.Stop()
			return
		}
	}
}

func writeJSON(w http.ResponseWriter, code int, v any) {
	w.Header().Set("Content-Type", "application/json")
	w.WriteHeader(code)
	_ = json.NewEncoder(w).Encode(v)
}
