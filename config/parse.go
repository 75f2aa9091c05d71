package config

import (
	"bytes"
	"errors"
	"fmt"
	"math"
	"net"
	"net/url"
	"os"
	"path/filepath"
	"reflect"
	"regexp"
	"slices"
	"sort"
	"strconv"
	"strings"
	"time"

	"github.com/BurntSushi/toml"
	"github.com/parleybot/parley/cluster"
	"github.com/parleybot/parley/middleware"
	"github.com/parleybot/parley/registry"
	"github.com/parleybot/parley/store"
	"go.uber.org/zap/zapcore"
)

// Option configures Load and Parse.
type Option interface{ apply(*parser) }

type optionFunc func(*parser)

func (f optionFunc) apply(p *parser) { f(p) }

// WithLookupEnv replaces os.LookupEnv as the source of ${VAR} values.
func WithLookupEnv(lookup func(string) (string, bool)) Option {
	return optionFunc(func(p *parser) {
		if lookup != nil {
			p.lookup = lookup
		}
	})
}

// Load reads and parses the configuration file at path; see Parse. An
// unreadable file is reported as the os error, wrapped.
func Load(path string, opts ...Option) (*Config, error) {
	data, err := os.ReadFile(path)
	if err != nil {
		return nil, fmt.Errorf("config: %w", err)
	}
	return Parse(data, path, opts...)
}

// Parse parses and validates a configuration. filename is used in
// problems and to resolve relative paths; it may be empty. When anything
// is wrong it returns an *Error listing every problem found, in file
// order, each with its line and column where known.
func Parse(data []byte, filename string, opts ...Option) (*Config, error) {
	p := &parser{file: filename, lookup: os.LookupEnv, envFailed: make(map[string]bool)}
	for _, o := range opts {
		o.apply(p)
	}
	dir := "."
	if filename != "" {
		dir = filepath.Dir(filename)
	}
	cfg := &Config{File: filename, Dir: dir}

	var raw map[string]any
	if _, err := toml.Decode(string(data), &raw); err != nil {
		var pe toml.ParseError
		if errors.As(err, &pe) {
			p.problems = append(p.problems, Problem{
				File: filename,
				Pos:  syntaxPosition(data, pe.Position),
				Err:  registry.Problemf(ErrSyntax, "%s", pe.Message),
			})
		} else {
			p.problems = append(p.problems, Problem{File: filename, Err: registry.Problemf(ErrSyntax, "%s", cleanTOMLError(err))})
		}
		return nil, p.result()
	}
	p.idx = indexPositions(string(data))
	p.expandTree(nil, raw)

	root := p.section(nil, raw)
	p.server(root, &cfg.Server)
	p.cluster(root, cfg)
	p.bots(root, cfg)
	root.finish()
	if err := p.result(); err != nil {
		return nil, err
	}
	return cfg, nil
}

// syntaxPosition converts a TOML error position. The column is computed
// again from the byte offset, since the library's is one line off for
// errors at the start of a line.
func syntaxPosition(data []byte, tp toml.Position) Position {
	pos := Position{Line: tp.Line, Col: tp.Col, Offset: tp.Start}
	if tp.Line < 1 || tp.Start < 0 || tp.Start > len(data) {
		return pos
	}
	lineStart, line := 0, 1
	for i := 0; i < tp.Start && line < tp.Line; i++ {
		if data[i] == '\n' {
			line++
			lineStart = i + 1
		}
	}
	if line == tp.Line {
		pos.Col = tp.Start - lineStart + 1
	}
	return pos
}

type parser struct {
	file      string
	lookup    func(string) (string, bool)
	idx       *posIndex
	problems  []Problem
	envFailed map[string]bool // paths whose value could not be expanded
}

// add records a problem at path.
func (p *parser) add(path keyPath, err error) {
	key := path.String()
	if p.envFailed[key] && !errors.Is(err, ErrEnv) {
		return // the unset variable is the problem worth reporting
	}
	var pos Position
	if p.idx != nil {
		pos = p.idx.lookup(path)
	}
	p.problems = append(p.problems, Problem{File: p.file, Pos: pos, Key: key, Err: err})
}

func (p *parser) result() error {
	if len(p.problems) == 0 {
		return nil
	}
	sort.SliceStable(p.problems, func(i, j int) bool {
		a, b := p.problems[i].Pos, p.problems[j].Pos
		if a.IsValid() != b.IsValid() {
			return a.IsValid()
		}
		return a.Offset < b.Offset
	})
	return &Error{Problems: p.problems}
}

// expandTree expands environment variables in every string value.
func (p *parser) expandTree(path keyPath, v any) any {
	switch x := v.(type) {
	case string:
		out, unset, err := expandEnv(x, p.lookup)
		if err != nil {
			p.add(path, err)
			p.envFailed[path.String()] = true
			return x
		}
		for _, name := range unset {
			p.add(path, registry.Problemf(ErrEnv, "environment variable %s is not set (write ${%s:-default} for a default)", name, name))
			p.envFailed[path.String()] = true
		}
		return out
	case map[string]any:
		for k, e := range x {
			x[k] = p.expandTree(path.key(k), e)
		}
	case []map[string]any:
		for i, e := range x {
			p.expandTree(path.index(i), e)
		}
	case []any:
		for i, e := range x {
			x[i] = p.expandTree(path.index(i), e)
		}
	}
	return v
}

// section reads one table, remembering which keys were asked for so that
// finish can report the rest as unknown.
type section struct {
	p     *parser
	path  keyPath
	m     map[string]any
	known []string
	used  map[string]bool
}

func (p *parser) section(path keyPath, m map[string]any) *section {
	return &section{p: p, path: path, m: m, used: make(map[string]bool)}
}

// get returns the value of key and marks key as known and used.
func (s *section) get(key string) (any, bool) {
	s.known = append(s.known, key)
	v, ok := s.m[key]
	if ok {
		s.used[key] = true
	}
	return v, ok
}

func (s *section) wrongType(key, want string, v any) {
	s.p.add(s.path.key(key), registry.Problemf(ErrType, "want %s, got %s", want, tomlType(v)))
}

func (s *section) str(key string, dst *string) bool {
	v, ok := s.get(key)
	if !ok {
		return false
	}
	str, ok := v.(string)
	if !ok {
		s.wrongType(key, "a string", v)
		return false
	}
	*dst = str
	return true
}

func (s *section) enum(key string, dst *string, allowed ...string) bool {
	var v string
	if !s.str(key, &v) {
		return false
	}
	if !slices.Contains(allowed, v) {
		s.p.add(s.path.key(key), registry.Problemf(ErrInvalid, "%q is not one of %s", v, quoteList(allowed)))
		return false
	}
	*dst = v
	return true
}

func (s *section) integer(key string, dst *int, lo, hi int) bool {
	v, ok := s.get(key)
	if !ok {
		return false
	}
	n, ok := v.(int64)
	if !ok {
		s.wrongType(key, "an integer", v)
		return false
	}
	if n < int64(lo) || n > int64(hi) {
		s.p.add(s.path.key(key), registry.Problemf(ErrInvalid, "%d is out of range %d to %d", n, lo, hi))
		return false
	}
	*dst = int(n)
	return true
}

func (s *section) number(key string, dst *float64) bool {
	v, ok := s.get(key)
	if !ok {
		return false
	}
	switch n := v.(type) {
	case int64:
		*dst = float64(n)
	case float64:
		*dst = n
	default:
		s.wrongType(key, "a number", v)
		return false
	}
	return true
}

func (s *section) boolean(key string, dst *bool) bool {
	v, ok := s.get(key)
	if !ok {
		return false
	}
	b, ok := v.(bool)
	if !ok {
		s.wrongType(key, "true or false", v)
		return false
	}
	*dst = b
	return true
}

// duration reads a duration string of at least lo.
func (s *section) duration(key string, dst *time.Duration, lo time.Duration) bool {
	v, ok := s.get(key)
	if !ok {
		return false
	}
	str, ok := v.(string)
	if !ok {
		s.wrongType(key, `a duration string such as "30s"`, v)
		return false
	}
	d, err := time.ParseDuration(str)
	if err != nil {
		s.p.add(s.path.key(key), registry.Problemf(ErrInvalid, `invalid duration %q (want a string such as "30s", "5m" or "1h30m")`, str))
		return false
	}
	if d < lo {
		s.p.add(s.path.key(key), registry.Problemf(ErrInvalid, "%s is below the minimum of %s", str, lo))
		return false
	}
	*dst = d
	return true
}

func (s *section) strings(key string, dst *[]string) bool {
	v, ok := s.get(key)
	if !ok {
		return false
	}
	list, ok := v.([]any)
	if !ok {
		s.wrongType(key, "an array of strings", v)
		return false
	}
	out := make([]string, 0, len(list))
	good := true
	for i, e := range list {
		str, ok := e.(string)
		if !ok {
			s.p.add(s.path.key(key).index(i), registry.Problemf(ErrType, "want a string, got %s", tomlType(e)))
			good = false
			continue
		}
		out = append(out, str)
	}
	if good {
		*dst = out
	}
	return good
}

func (s *section) level(key string, dst *zapcore.Level) bool {
	var v string
	if !s.enum(key, &v, "debug", "info", "warn", "error") {
		return false
	}
	return dst.UnmarshalText([]byte(v)) == nil
}

// table returns the sub-table under key.
func (s *section) table(key string) (*section, bool) {
	v, ok := s.get(key)
	if !ok {
		return nil, false
	}
	m, ok := v.(map[string]any)
	if !ok {
		s.wrongType(key, "a table", v)
		return nil, false
	}
	return s.p.section(s.path.key(key), m), true
}

// finish reports every key nobody asked for.
func (s *section) finish() {
	for _, k := range s.unusedInOrder() {
		msg := "unknown key"
		if near := nearest(k, s.known); near != "" {
			msg += fmt.Sprintf(" (did you mean %q?)", near)
		}
		s.p.add(s.path.key(k), registry.Problemf(ErrUnknownKey, "%s", msg))
	}
}

func (s *section) unusedInOrder() []string {
	var out []string
	for k := range s.m {
		if !s.used[k] {
			out = append(out, k)
		}
	}
	s.p.sortByPosition(s.path, out)
	return out
}

// sortByPosition sorts keys under path in file order.
func (p *parser) sortByPosition(path keyPath, keys []string) {
	off := func(k string) int {
		if pos, ok := p.idx.exact(path.key(k)); ok {
			return pos.Offset
		}
		return math.MaxInt
	}
	sort.Slice(keys, func(i, j int) bool {
		oi, oj := off(keys[i]), off(keys[j])
		if oi != oj {
			return oi < oj
		}
		return keys[i] < keys[j]
	})
}

func (p *parser) server(root *section, sc *ServerConfig) {
	*sc = ServerConfig{Listen: DefaultListen, LogFormat: DefaultLogFormat, LogLevel: zapcore.InfoLevel, StopTimeout: DefaultStopTimeout}
	s, ok := root.table("server")
	if !ok {
		return
	}
	if s.str("listen", &sc.Listen) {
		if err := checkListen(sc.Listen); err != nil {
			p.add(s.path.key("listen"), err)
		}
	}
	s.enum("log_format", &sc.LogFormat, "console", "json")
	s.level("log_level", &sc.LogLevel)
	s.duration("stop_timeout", &sc.StopTimeout, 0)
	s.finish()
}

func (p *parser) cluster(root *section, cfg *Config) {
	s, ok := root.table("cluster")
	if !ok {
		return
	}
	cc := &ClusterConfig{LeaseTTL: cluster.DefaultTTL, Namespace: cluster.DefaultNamespace}
	if !s.str("redis", &cc.Redis) {
		if _, present := s.m["redis"]; !present {
			p.add(s.path.key("redis"), registry.Problemf(ErrMissing, "a Redis URL is required (for example \"redis://127.0.0.1:6379/0\")"))
		}
	} else if u, err := url.Parse(cc.Redis); err != nil || (u.Scheme != "redis" && u.Scheme != "rediss") || u.Host == "" {
		p.add(s.path.key("redis"), registry.Problemf(ErrInvalid, "%q is not a redis:// or rediss:// URL with a host", cc.Redis))
	}
	if s.str("name", &cc.Name) && !botNameRE.MatchString(cc.Name) {
		p.add(s.path.key("name"), registry.Problemf(ErrInvalid, "%q: a process name is 1 to 64 of a-z, 0-9, _ and -", cc.Name))
	}
	if cc.Name == "" {
		cc.Name = defaultMemberName()
	}
	s.duration("lease_ttl", &cc.LeaseTTL, time.Second)
	s.str("namespace", &cc.Namespace)
	s.finish()
	cfg.Cluster = cc
}

var notNameRE = regexp.MustCompile(`[^a-z0-9_-]+`)

// defaultMemberName is the host name cut to a valid process name.
func defaultMemberName() string {
	h, err := os.Hostname()
	if err != nil {
		return "parley"
	}
	h = strings.ToLower(h)
	h = notNameRE.ReplaceAllString(h, "-")
	h = strings.Trim(h, "-")
	if len(h) > 64 {
		h = h[:64]
	}
	if h == "" {
		return "parley"
	}
	return h
}

func checkListen(addr string) error {
	host, port, err := net.SplitHostPort(addr)
	if err != nil {
		return registry.Problemf(ErrInvalid, "%q is not host:port (for example \"127.0.0.1:9090\" or \":9090\")", addr)
	}
	if strings.ContainsAny(host, " /") {
		return registry.Problemf(ErrInvalid, "%q: invalid host %q", addr, host)
	}
	if n, err := strconv.Atoi(port); err != nil || n < 0 || n > 65535 {
		return registry.Problemf(ErrInvalid, "%q: port %q is not a number from 0 to 65535", addr, port)
	}
	return nil
}

var botNameRE = regexp.MustCompile(`^[a-z0-9_-]{1,64}$`)

func (p *parser) bots(root *section, cfg *Config) {
	v, ok := root.get("bots")
	if !ok {
		p.add(keyPath{"bots"}, registry.Problemf(ErrMissing, "no bots: add at least one [[bots]] table"))
		return
	}
	list, ok := v.([]map[string]any)
	if !ok {
		root.wrongType("bots", "an array of tables ([[bots]])", v)
		return
	}
	if len(list) == 0 {
		p.add(keyPath{"bots"}, registry.Problemf(ErrMissing, "no bots: add at least one [[bots]] table"))
		return
	}
	names := make(map[string]keyPath)
	stores := make(map[string]keyPath)
	for i, m := range list {
		path := keyPath{"bots"}.index(i)
		bc := p.bot(p.section(path, m), cfg)
		if bc.Name != "" {
			if first, dup := names[bc.Name]; dup {
				p.add(path.key("name"), registry.Problemf(ErrDuplicate, "bot name %q is already used by %s%s", bc.Name, first, p.atLine(first.key("name"))))
			} else {
				names[bc.Name] = path
			}
		}
		if cfg.Cluster != nil && bc.Store.Kind == StoreFile {
			p.add(path.key("store").key("kind"), registry.Problemf(ErrInvalid, "with [cluster] a bot's state is kept in Redis; remove this bot's [bots.store] table"))
		}
		if bc.Store.Kind == StoreFile && bc.Store.Path != "" {
			if first, dup := stores[bc.Store.Path]; dup {
				p.add(path.key("store").key("path"), registry.Problemf(ErrDuplicate, "store file %s is already used by %s%s; a file store belongs to one bot", bc.Store.Path, first, p.atLine(first.key("store").key("path"))))
			} else {
				stores[bc.Store.Path] = path
			}
		}
		cfg.Bots = append(cfg.Bots, bc)
	}
}

func (p *parser) atLine(path keyPath) string {
	if pos := p.idx.lookup(path); pos.IsValid() {
		return fmt.Sprintf(" (line %d)", pos.Line)
	}
	return ""
}

func (p *parser) bot(s *section, cfg *Config) BotConfig {
	bc := BotConfig{
		LogLevel:    cfg.Server.LogLevel,
		Workers:     DefaultWorkers,
		MaxQueued:   DefaultMaxQueued,
		StopTimeout: cfg.Server.StopTimeout,
		Dedupe:      DedupeConfig{Enabled: true, TTL: middleware.DefaultDedupeTTL},
		Store:       StoreConfig{Kind: StoreMemory, MaxEntries: store.DefaultMaxEntries},
		Dir:         cfg.Dir,
	}
	if s.str("name", &bc.Name) {
		if !botNameRE.MatchString(bc.Name) {
			p.add(s.path.key("name"), registry.Problemf(ErrInvalid, "bot name %q: want 1 to 64 lower-case letters, digits, _ and -", bc.Name))
		}
	} else if _, present := s.m["name"]; !present {
		p.add(s.path, registry.Problemf(ErrMissing, "name is required"))
	}
	s.level("log_level", &bc.LogLevel)
	s.integer("workers", &bc.Workers, 1, 10_000)
	s.integer("max_queued", &bc.MaxQueued, 1, 10_000_000)
	s.duration("handler_timeout", &bc.HandlerTimeout, 0)
	s.duration("stop_timeout", &bc.StopTimeout, 0)
	p.platform(s, &bc)
	p.dedupe(s, &bc.Dedupe)
	p.rateLimit(s, &bc.RateLimit)
	p.autoAccept(s, &bc.AutoAccept)
	p.storeSection(s, &bc.Store, cfg.Dir)
	p.modules(s, &bc)
	s.finish()
	return bc
}

func (p *parser) platform(s *section, bc *BotConfig) {
	if !s.str("platform", &bc.Platform) {
		if _, present := s.m["platform"]; !present {
			p.add(s.path, registry.Problemf(ErrMissing, "platform is required (registered: %s)", quoteList(registry.Platforms())))
		}
	}
	// Tables named after other platforms are settings that do nothing.
	for _, name := range registry.Platforms() {
		if name == bc.Platform {
			continue
		}
		if _, present := s.m[name]; present {
			s.used[name] = true
			p.add(s.path.key(name), registry.Problemf(ErrUnknownKey, "settings for platform %q, but this bot's platform is %q", name, bc.Platform))
		}
	}
	if bc.Platform == "" {
		return
	}
	info, ok := registry.LookupPlatform(bc.Platform)
	if !ok {
		msg := fmt.Sprintf("platform %q is not registered (registered: %s)", bc.Platform, quoteList(registry.Platforms()))
		if near := nearest(bc.Platform, registry.Platforms()); near != "" {
			msg = fmt.Sprintf("platform %q is not registered (did you mean %q?)", bc.Platform, near)
		}
		p.add(s.path.key("platform"), registry.Problemf(ErrUnknownPlatform, "%s", msg))
		s.used[bc.Platform] = true // its settings cannot be checked
		return
	}
	m := map[string]any{}
	if v, present := s.get(bc.Platform); present {
		t, isTable := v.(map[string]any)
		if !isTable {
			s.wrongType(bc.Platform, "a table", v)
			return
		}
		m = t
	}
	path := s.path.key(bc.Platform)
	v, ok := p.decodeSettings(path, m, func() any { return info.New() })
	if !ok {
		return
	}
	pc := v.(registry.PlatformConfig)
	p.validateSettings(path, pc.Validate())
	bc.Settings = pc
}

func (p *parser) dedupe(bs *section, dc *DedupeConfig) {
	s, ok := bs.table("dedupe")
	if !ok {
		return
	}
	s.boolean("enabled", &dc.Enabled)
	s.duration("ttl", &dc.TTL, time.Second)
	s.finish()
}

func (p *parser) rateLimit(bs *section, rc *RateLimitConfig) {
	s, ok := bs.table("rate_limit")
	if !ok {
		return
	}
	*rc = RateLimitConfig{Enabled: true, Per: PerSender, Mode: ModeDrop, MaxBuckets: middleware.DefaultMaxBuckets}
	s.boolean("enabled", &rc.Enabled)
	if s.number("rate", &rc.Rate) {
		if !(rc.Rate > 0) || math.IsInf(rc.Rate, 0) || rc.Rate > 1e6 {
			p.add(s.path.key("rate"), registry.Problemf(ErrInvalid, "rate %v: want events per second above 0 and at most 1000000", rc.Rate))
		}
	} else if _, present := s.m["rate"]; !present {
		p.add(s.path, registry.Problemf(ErrMissing, "rate is required (events per second, such as 1 or 0.5)"))
	}
	if !s.integer("burst", &rc.Burst, 1, 1_000_000) {
		rc.Burst = max(1, int(math.Ceil(min(rc.Rate, 1e6))))
	}
	s.enum("per", &rc.Per, PerSender, PerChat)
	s.enum("mode", &rc.Mode, ModeDrop, ModeDelay)
	if s.duration("max_wait", &rc.MaxWait, 0) && rc.Mode != ModeDelay {
		p.add(s.path.key("max_wait"), registry.Problemf(ErrInvalid, "max_wait applies only to mode = %q", ModeDelay))
	}
	s.integer("max_buckets", &rc.MaxBuckets, 1, 10_000_000)
	s.finish()
}

var acceptModes = map[string]middleware.AcceptMode{
	"off": middleware.AcceptOff, "all": middleware.AcceptAll, "allowlist": middleware.AcceptAllowlist,
}

var roleNames = []string{"observer", "author", "member", "moderator", "admin", "owner"}

func (p *parser) autoAccept(bs *section, ac *AutoAcceptConfig) {
	s, ok := bs.table("auto_accept")
	if !ok {
		return
	}
	mode := func(key, listKey string, dst *middleware.AcceptMode, list *[]string) {
		var m string
		if s.enum(key, &m, "off", "all", "allowlist") {
			*dst = acceptModes[m]
		}
		hasList := s.strings(listKey, list)
		switch {
		case *dst == middleware.AcceptAllowlist && len(*list) == 0:
			s.p.add(s.path.key(key), registry.Problemf(ErrMissing, "%s = \"allowlist\" needs a non-empty %s", key, listKey))
		case hasList && *dst != middleware.AcceptAllowlist:
			s.p.add(s.path.key(listKey), registry.Problemf(ErrInvalid, "%s is used only when %s = \"allowlist\"", listKey, key))
		}
	}
	mode("contacts", "allow", &ac.Contacts, &ac.Allow)
	mode("groups", "group_inviters", &ac.Groups, &ac.GroupInviters)
	s.str("welcome", &ac.Welcome)
	s.str("group_welcome", &ac.GroupWelcome)
	s.enum("min_role", &ac.MinRole, roleNames...)
	s.integer("max_per_hour", &ac.MaxPerHour, 0, 1_000_000)
	s.boolean("reject_refused", &ac.RejectRefused)
	s.finish()
}

func (p *parser) storeSection(bs *section, sc *StoreConfig, dir string) {
	s, ok := bs.table("store")
	if !ok {
		return
	}
	s.enum("kind", &sc.Kind, StoreMemory, StoreFile)
	hasPath := s.str("path", &sc.Path)
	hasMax := s.integer("max_entries", &sc.MaxEntries, 1, 100_000_000)
	switch sc.Kind {
	case StoreFile:
		if !hasPath {
			if _, present := s.m["path"]; !present {
				p.add(s.path.key("kind"), registry.Problemf(ErrMissing, "kind = \"file\" needs a path"))
			}
		} else if sc.Path == "" {
			p.add(s.path.key("path"), registry.Problemf(ErrMissing, "path is empty"))
		} else if !filepath.IsAbs(sc.Path) {
			sc.Path = filepath.Join(dir, sc.Path)
		}
		if hasMax {
			p.add(s.path.key("max_entries"), registry.Problemf(ErrInvalid, "max_entries applies only to kind = %q", StoreMemory))
		}
	case StoreMemory:
		if hasPath {
			p.add(s.path.key("path"), registry.Problemf(ErrInvalid, "path applies only to kind = %q", StoreFile))
		}
	}
	s.finish()
}

func (p *parser) modules(bs *section, bc *BotConfig) {
	s, ok := bs.table("modules")
	if !ok {
		return
	}
	names := make([]string, 0, len(s.m))
	for k := range s.m {
		names = append(names, k)
	}
	p.sortByPosition(s.path, names)
	for _, name := range names {
		v, _ := s.get(name)
		path := s.path.key(name)
		info, ok := registry.LookupModule(name)
		if !ok {
			msg := fmt.Sprintf("module %q is not registered (registered: %s)", name, quoteList(registry.Modules()))
			if near := nearest(name, registry.Modules()); near != "" {
				msg = fmt.Sprintf("module %q is not registered (did you mean %q?)", name, near)
			}
			p.add(path, registry.Problemf(ErrUnknownModule, "%s", msg))
			continue
		}
		m, isTable := v.(map[string]any)
		if !isTable {
			s.wrongType(name, "a table", v)
			continue
		}
		dv, ok := p.decodeSettings(path, m, func() any { return info.New() })
		if !ok {
			continue
		}
		mod := dv.(registry.Module)
		if val, ok := mod.(registry.Validator); ok {
			p.validateSettings(path, val.Validate())
		}
		bc.Modules = append(bc.Modules, ModuleConfig{Name: name, Module: mod})
	}
}

// decodeSettings decodes a platform's or module's table into a fresh
// value, reporting unknown keys; it returns false when the table could
// not be decoded at all. The table was already expanded, so it is encoded again and given
// to the TOML decoder, which knows the value's toml tags and unmarshalers.
func (p *parser) decodeSettings(path keyPath, m map[string]any, fresh func() any) (any, bool) {
	v := fresh()
	md, err := decodeMap(m, v)
	if err != nil {
		// Decode each key alone to tell which one is wrong.
		keys := make([]string, 0, len(m))
		for k := range m {
			keys = append(keys, k)
		}
		p.sortByPosition(path, keys)
		found := false
		for _, k := range keys {
			if _, err1 := decodeMap(map[string]any{k: m[k]}, fresh()); err1 != nil {
				p.add(path.key(k), registry.Problemf(ErrType, "%s", cleanTOMLError(err1)))
				found = true
			}
		}
		if !found {
			p.add(path, registry.Problemf(ErrInvalid, "%s", cleanTOMLError(err)))
		}
		return nil, false
	}
	undecoded := md.Undecoded()
	seen := make(map[string]bool, len(undecoded))
	for _, k := range undecoded {
		seen[k.String()] = true
	}
	for _, k := range undecoded {
		if len(k) > 1 && seen[toml.Key(k[:len(k)-1]).String()] {
			continue // the unknown parent table is reported
		}
		if underAny(reflect.TypeOf(v), k) {
			continue
		}
		msg := "unknown key"
		if len(k) == 1 {
			if near := nearest(k[0], fieldNames(reflect.TypeOf(v))); near != "" {
				msg += fmt.Sprintf(" (did you mean %q?)", near)
			}
		}
		ents := p.idx.matching(path, keyPath(k))
		if len(ents) == 0 {
			p.add(append(path[:len(path):len(path)], k...), registry.Problemf(ErrUnknownKey, "%s", msg))
		}
		for _, e := range ents {
			p.add(e.path, registry.Problemf(ErrUnknownKey, "%s", msg))
		}
	}
	// Unknown keys do not stop Validate: every problem is worth reporting.
	return v, true
}

func decodeMap(m map[string]any, v any) (toml.MetaData, error) {
	var buf bytes.Buffer
	if err := toml.NewEncoder(&buf).Encode(m); err != nil {
		return toml.MetaData{}, err
	}
	return toml.Decode(buf.String(), v)
}

// validateSettings turns a Validate error into problems, one per joined
// error, each at its FieldError key or else at the table.
func (p *parser) validateSettings(path keyPath, err error) {
	if err == nil {
		return
	}
	var errs []error
	if j, ok := err.(interface{ Unwrap() []error }); ok {
		errs = j.Unwrap()
	} else {
		errs = []error{err}
	}
	for _, e := range errs {
		if e == nil {
			continue
		}
		at := path
		var fe *registry.FieldError
		if errors.As(e, &fe) {
			at = append(path[:len(path):len(path)], parseKeyPath(fe.Key)...)
			e = fe.Err
		}
		if !errors.Is(e, ErrMissing) && !errors.Is(e, ErrInvalid) && !errors.Is(e, ErrType) {
			e = registry.Problemf(ErrInvalid, "%s", e.Error())
		}
		p.add(at, e)
	}
}

var tomlPrefix = regexp.MustCompile(`^toml: (line \d+ )?(\(last key "[^"]*"\): )?`)

// cleanTOMLError drops the TOML library's prefix and line, which refer to
// the re-encoded table rather than the file.
func cleanTOMLError(err error) string {
	var pe toml.ParseError
	if errors.As(err, &pe) {
		return pe.Message
	}
	return tomlPrefix.ReplaceAllString(err.Error(), "")
}

// underAny reports whether key leads into an `any` field of t, where the
// TOML decoder stores values without marking their keys decoded.
func underAny(t reflect.Type, key []string) bool {
	for _, k := range key {
		for t.Kind() == reflect.Pointer || t.Kind() == reflect.Slice || t.Kind() == reflect.Array {
			t = t.Elem()
		}
		switch t.Kind() {
		case reflect.Interface:
			return true
		case reflect.Map:
			t = t.Elem()
		case reflect.Struct:
			f, ok := findField(t, k)
			if !ok {
				return false
			}
			t = f
		default:
			return false
		}
	}
	return false
}

func findField(t reflect.Type, key string) (reflect.Type, bool) {
	var fold reflect.Type
	for i := 0; i < t.NumField(); i++ {
		f := t.Field(i)
		if f.Anonymous && f.Type.Kind() == reflect.Struct && f.Tag.Get("toml") == "" {
			if ft, ok := findField(f.Type, key); ok {
				return ft, true
			}
			continue
		}
		name := tomlName(f)
		if name == key {
			return f.Type, true
		}
		if fold == nil && strings.EqualFold(name, key) {
			fold = f.Type
		}
	}
	return fold, fold != nil
}

func tomlName(f reflect.StructField) string {
	name, _, _ := strings.Cut(f.Tag.Get("toml"), ",")
	if name == "" {
		name = f.Name
	}
	return name
}

// fieldNames lists the keys a settings struct accepts, for suggestions.
func fieldNames(t reflect.Type) []string {
	for t.Kind() == reflect.Pointer {
		t = t.Elem()
	}
	if t.Kind() != reflect.Struct {
		return nil
	}
	var out []string
	for i := 0; i < t.NumField(); i++ {
		f := t.Field(i)
		if !f.IsExported() || f.Tag.Get("toml") == "-" {
			continue
		}
		if f.Anonymous && f.Type.Kind() == reflect.Struct && f.Tag.Get("toml") == "" {
			out = append(out, fieldNames(f.Type)...)
			continue
		}
		out = append(out, tomlName(f))
	}
	return out
}

func tomlType(v any) string {
	switch v.(type) {
	case string:
		return "a string"
	case int64:
		return "an integer"
	case float64:
		return "a float"
	case bool:
		return "a boolean"
	case time.Time:
		return "a datetime"
	case []any:
		return "an array"
	case []map[string]any:
		return "an array of tables"
	case map[string]any:
		return "a table"
	}
	return fmt.Sprintf("%T", v)
}

func quoteList(list []string) string {
	if len(list) == 0 {
		return "none"
	}
	q := make([]string, len(list))
	for i, s := range list {
		q[i] = strconv.Quote(s)
	}
	return strings.Join(q, ", ")
}

// nearest returns the candidate closest to s when it is close enough to
// be a likely typo, or "".
func nearest(s string, candidates []string) string {
	best, bestD := "", 3
	for _, c := range candidates {
		if c == s {
			continue
		}
		if d := editDistance(s, c); d < bestD && d <= max(1, len(c)/3) {
			best, bestD = c, d
		}
	}
	return best
}

func editDistance(a, b string) int {
	prev := make([]int, len(b)+1)
	cur := make([]int, len(b)+1)
	for j := range prev {
		prev[j] = j
	}
	for i := 1; i <= len(a); i++ {
		cur[0] = i
		for j := 1; j <= len(b); j++ {
			cost := 1
			if a[i-1] == b[j-1] {
				cost = 0
			}
			cur[j] = min(prev[j]+1, cur[j-1]+1, prev[j-1]+cost)
		}
		prev, cur = cur, prev
	}
	return prev[len(b)]
}
