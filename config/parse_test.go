package config_test

import (
	"errors"
	"io/fs"
	"os"
	"path/filepath"
	"reflect"
	"strings"
	"testing"
	"time"

	"github.com/parleybot/parley/config"
	"github.com/parleybot/parley/middleware"
	"github.com/parleybot/parley/store"
	"go.uber.org/zap/zapcore"
)

// noEnv is an environment where nothing is set.
func noEnv(string) (string, bool) { return "", false }

func env(vars map[string]string) config.Option {
	return config.WithLookupEnv(func(k string) (string, bool) { v, ok := vars[k]; return v, ok })
}

const fullConfig = `
[server]
listen = ":9191"
log_format = "json"
log_level = "warn"
stop_timeout = "15s"

[[bots]]
name = "first"
platform = "fake"
log_level = "debug"
workers = 4
max_queued = 64
handler_timeout = "2s"
stop_timeout = "3s"

[bots.fake]
url = "wss://chat.example:443/ws"
timeout = "250ms"
retries = 7
tags = ["a", "b"]
limits.max = 42

[bots.dedupe]
enabled = false
ttl = "1h"

[bots.rate_limit]
rate = 2.5
burst = 10
per = "chat"
mode = "delay"
max_wait = "5s"
max_buckets = 50

[bots.auto_accept]
contacts = "allowlist"
allow = ["7", "9"]
welcome = "hello"
groups = "all"
group_welcome = "hi all"
min_role = "admin"
max_per_hour = 12
reject_refused = true

[bots.store]
kind = "file"
path = "state/first.db"

[bots.modules.upper]

[bots.modules.reply]
prefix = ">> "

[[bots]]
name = "second"
platform = "fake"
`

func TestParseFull(t *testing.T) {
	cfg, err := config.Parse([]byte(fullConfig), "/etc/parley/bots.toml", config.WithLookupEnv(noEnv))
	if err != nil {
		t.Fatal(err)
	}
	if cfg.Dir != "/etc/parley" || cfg.File != "/etc/parley/bots.toml" {
		t.Errorf("File, Dir = %q, %q", cfg.File, cfg.Dir)
	}
	wantServer := config.ServerConfig{Listen: ":9191", LogFormat: "json", LogLevel: zapcore.WarnLevel, StopTimeout: 15 * time.Second}
	if cfg.Server != wantServer {
		t.Errorf("Server = %+v, want %+v", cfg.Server, wantServer)
	}
	if len(cfg.Bots) != 2 {
		t.Fatalf("%d bots, want 2", len(cfg.Bots))
	}
	b := cfg.Bots[0]
	settings, ok := b.Settings.(*fakePlatform)
	if !ok {
		t.Fatalf("Settings is %T", b.Settings)
	}
	if settings.URL != "wss://chat.example:443/ws" || settings.Timeout.Std() != 250*time.Millisecond ||
		settings.Retries != 7 || !reflect.DeepEqual(settings.Tags, []string{"a", "b"}) || settings.Limits.Max != 42 {
		t.Errorf("platform settings = %+v", settings)
	}
	var names []string
	for _, m := range b.Modules {
		names = append(names, m.Name)
	}
	if !reflect.DeepEqual(names, []string{"upper", "reply"}) {
		t.Errorf("modules in order %v, want file order [upper reply]", names)
	}
	if rm := b.Modules[1].Module.(*replyModule); rm.Prefix != ">> " {
		t.Errorf("reply prefix = %q", rm.Prefix)
	}
	b.Settings, b.Modules = nil, nil
	want := config.BotConfig{
		Name: "first", Platform: "fake", LogLevel: zapcore.DebugLevel, Workers: 4, MaxQueued: 64,
		HandlerTimeout: 2 * time.Second, StopTimeout: 3 * time.Second,
		Dedupe: config.DedupeConfig{Enabled: false, TTL: time.Hour},
		RateLimit: config.RateLimitConfig{Enabled: true, Rate: 2.5, Burst: 10, Per: config.PerChat, Mode: config.ModeDelay,
			MaxWait: 5 * time.Second, MaxBuckets: 50},
		AutoAccept: config.AutoAcceptConfig{Contacts: middleware.AcceptAllowlist, Allow: []string{"7", "9"}, Welcome: "hello",
			Groups: middleware.AcceptAll, GroupWelcome: "hi all", MinRole: "admin", MaxPerHour: 12, RejectRefused: true},
		Store: config.StoreConfig{Kind: config.StoreFile, Path: "/etc/parley/state/first.db", MaxEntries: store.DefaultMaxEntries},
		Dir:   "/etc/parley",
	}
	if !reflect.DeepEqual(b, want) {
		t.Errorf("bot 0 =\n%+v\nwant\n%+v", b, want)
	}

	// The second bot takes the defaults, the server's among them.
	d := cfg.Bots[1]
	if d.Settings.(*fakePlatform).URL != "ws://127.0.0.1:5225" {
		t.Errorf("platform default not kept: %+v", d.Settings)
	}
	d.Settings = nil
	wantDefault := config.BotConfig{
		Name: "second", Platform: "fake", LogLevel: zapcore.WarnLevel, Workers: config.DefaultWorkers,
		MaxQueued: config.DefaultMaxQueued, StopTimeout: 15 * time.Second,
		Dedupe: config.DedupeConfig{Enabled: true, TTL: middleware.DefaultDedupeTTL},
		Store:  config.StoreConfig{Kind: config.StoreMemory, MaxEntries: store.DefaultMaxEntries},
		Dir:    "/etc/parley",
	}
	if !reflect.DeepEqual(d, wantDefault) {
		t.Errorf("bot 1 =\n%+v\nwant\n%+v", d, wantDefault)
	}
	if cfg.LowestLogLevel() != zapcore.DebugLevel {
		t.Errorf("LowestLogLevel = %v, want debug", cfg.LowestLogLevel())
	}
}

func TestParseServerDefaults(t *testing.T) {
	cfg, err := config.Parse([]byte("[[bots]]\nname = \"x\"\nplatform = \"fake\"\n"), "")
	if err != nil {
		t.Fatal(err)
	}
	want := config.ServerConfig{Listen: config.DefaultListen, LogFormat: "console", LogLevel: zapcore.InfoLevel, StopTimeout: config.DefaultStopTimeout}
	if cfg.Server != want {
		t.Errorf("Server = %+v, want %+v", cfg.Server, want)
	}
	if cfg.Dir != "." {
		t.Errorf("Dir = %q, want .", cfg.Dir)
	}
}

type wantProblem struct {
	line, col int
	key       string
	kind      error
	text      string // a part of the message
}

// head is the start of a valid bot, so cases can add one problem at a time.
const head = "[[bots]]\nname = \"b\"\nplatform = \"fake\"\n"

func TestProblems(t *testing.T) {
	tests := []struct {
		name string
		src  string
		want []wantProblem
	}{
		{"syntax error", "[[bots]]\nname = \"b\nplatform = \"fake\"\n",
			[]wantProblem{{2, 10, "", config.ErrSyntax, "newline"}}},
		{"duplicate key is a syntax error", head + "name = \"c\"\n",
			[]wantProblem{{4, 1, "", config.ErrSyntax, "already been defined"}}},
		{"no bots", "[server]\nlisten = \":1\"\n",
			[]wantProblem{{0, 0, "bots", config.ErrMissing, "at least one"}}},
		{"bots not an array of tables", "bots = 3\n",
			[]wantProblem{{1, 1, "bots", config.ErrType, "array of tables"}}},
		{"unknown top-level key", head + "[serv]\nlisten = \":1\"\n",
			[]wantProblem{{4, 1, "serv", config.ErrUnknownKey, ""}}},
		{"unknown key in the second bot", head + "[[bots]]\nname = \"c\"\nplatform = \"fake\"\n[bots.dedupe]\ntll = \"1h\"\n",
			[]wantProblem{{8, 1, "bots[1].dedupe.tll", config.ErrUnknownKey, `did you mean "ttl"`}}},
		{"unknown bot key", head + "wokers = 3\n",
			[]wantProblem{{4, 1, "bots[0].wokers", config.ErrUnknownKey, `did you mean "workers"`}}},
		{"unknown dotted key", head + "dedupe.ttl = \"1h\"\ndedupe.on = true\n",
			[]wantProblem{{5, 1, "bots[0].dedupe.on", config.ErrUnknownKey, ""}}},
		{"missing name and platform", "[[bots]]\nworkers = 2\n",
			[]wantProblem{
				{1, 1, "bots[0]", config.ErrMissing, "name is required"},
				{1, 1, "bots[0]", config.ErrMissing, "platform is required"},
			}},
		{"bad name", "[[bots]]\nname = \"Bad Name\"\nplatform = \"fake\"\n",
			[]wantProblem{{2, 1, "bots[0].name", config.ErrInvalid, "lower-case"}}},
		{"duplicate names", head + head,
			[]wantProblem{{5, 1, "bots[1].name", config.ErrDuplicate, "bots[0] (line 2)"}}},
		{"wrong type", head + "workers = \"8\"\n",
			[]wantProblem{{4, 1, "bots[0].workers", config.ErrType, "want an integer, got a string"}}},
		{"out of range", head + "workers = 0\nmax_queued = 100000000000\n",
			[]wantProblem{
				{4, 1, "bots[0].workers", config.ErrInvalid, "out of range 1 to 10000"},
				{5, 1, "bots[0].max_queued", config.ErrInvalid, "out of range"},
			}},
		{"bad duration", head + "handler_timeout = \"30\"\n",
			[]wantProblem{{4, 1, "bots[0].handler_timeout", config.ErrInvalid, `invalid duration "30"`}}},
		{"duration as a number", head + "handler_timeout = 30\n",
			[]wantProblem{{4, 1, "bots[0].handler_timeout", config.ErrType, "duration string"}}},
		{"negative duration", head + "stop_timeout = \"-1s\"\n",
			[]wantProblem{{4, 1, "bots[0].stop_timeout", config.ErrInvalid, "below the minimum"}}},
		{"dedupe ttl too short", head + "[bots.dedupe]\nttl = \"10ms\"\n",
			[]wantProblem{{5, 1, "bots[0].dedupe.ttl", config.ErrInvalid, "minimum of 1s"}}},
		{"server values", "[server]\nlisten = \"localhost\"\nlog_format = \"xml\"\nlog_level = \"trace\"\n" + head,
			[]wantProblem{
				{2, 1, "server.listen", config.ErrInvalid, "host:port"},
				{3, 1, "server.log_format", config.ErrInvalid, `"console", "json"`},
				{4, 1, "server.log_level", config.ErrInvalid, `"trace" is not one of`},
			}},
		{"listen port out of range", "[server]\nlisten = \":70000\"\n" + head,
			[]wantProblem{{2, 1, "server.listen", config.ErrInvalid, "0 to 65535"}}},
		{"unknown platform", "[[bots]]\nname = \"b\"\nplatform = \"fakee\"\n[bots.fakee]\nanything = 1\n",
			[]wantProblem{{3, 1, "bots[0].platform", config.ErrUnknownPlatform, `did you mean "fake"`}}},
		{"settings of another platform", head + "[bots.other]\nurl = \"ws://x\"\n",
			[]wantProblem{{4, 1, "bots[0].other", config.ErrUnknownKey, `this bot's platform is "fake"`}}},
		{"platform settings not a table", head + "fake = 1\n",
			[]wantProblem{{4, 1, "bots[0].fake", config.ErrType, "want a table"}}},
		{"platform unknown key", head + "[bots.fake]\nurl = \"ws://x\"\nretires = 2\n",
			[]wantProblem{{6, 1, "bots[0].fake.retires", config.ErrUnknownKey, `did you mean "retries"`}}},
		{"platform nested unknown key", head + "[bots.fake]\nlimits = { max = 1, mn = 0 }\n",
			[]wantProblem{{5, 21, "bots[0].fake.limits.mn", config.ErrUnknownKey, ""}}},
		{"platform unknown table", head + "[bots.fake.tls]\ncert = \"x\"\n",
			[]wantProblem{{4, 1, "bots[0].fake.tls", config.ErrUnknownKey, ""}}},
		{"platform wrong type", head + "[bots.fake]\nretries = \"3\"\ntags = [1]\n",
			[]wantProblem{
				{5, 1, "bots[0].fake.retries", config.ErrType, "incompatible types"},
				{6, 1, "bots[0].fake.tags", config.ErrType, "incompatible types"},
			}},
		{"platform bad duration", head + "[bots.fake]\ntimeout = \"soon\"\n",
			[]wantProblem{{5, 1, "bots[0].fake.timeout", config.ErrType, `invalid duration "soon"`}}},
		{"platform validate, field errors", head + "[bots.fake]\nurl = \"http://x\"\nretries = -1\nlimits.max = 101\n",
			[]wantProblem{
				{5, 1, "bots[0].fake.url", config.ErrInvalid, "want scheme ws or wss, got http"},
				{6, 1, "bots[0].fake.retries", config.ErrInvalid, "-1 is negative"},
				{7, 1, "bots[0].fake.limits.max", config.ErrInvalid, "above 100"},
			}},
		{"platform validate, table error", head + "[bots.fake]\ntoken = \"reject\"\n",
			[]wantProblem{{4, 1, "bots[0].fake", config.ErrInvalid, "token rejected"}}},
		{"platform validate without a table", "[[bots]]\nname = \"b\"\nplatform = \"other\"\n",
			[]wantProblem{{1, 1, "bots[0].other.url", config.ErrMissing, "URL is required"}}},
		{"unknown module", head + "[bots.modules.rply]\n",
			[]wantProblem{{4, 1, "bots[0].modules.rply", config.ErrUnknownModule, `did you mean "reply"`}}},
		{"module not a table", head + "[bots.modules]\nreply = true\n",
			[]wantProblem{{5, 1, "bots[0].modules.reply", config.ErrType, "want a table"}}},
		{"module unknown key", head + "[bots.modules.reply]\nprefx = \"x\"\n",
			[]wantProblem{{5, 1, "bots[0].modules.reply.prefx", config.ErrUnknownKey, `did you mean "prefix"`}}},
		{"module validate", head + "[bots.modules.reply]\nprefix = \"this prefix is far too long\"\n",
			[]wantProblem{{5, 1, "bots[0].modules.reply.prefix", config.ErrInvalid, "longer than 20"}}},
		{"module array of tables", head + "[[bots.modules.rules.rules]]\npattern = \"a\"\naction = \"delete\"\n[[bots.modules.rules.rules]]\npatern = \"b\"\naction = \"ban\"\n",
			[]wantProblem{
				{8, 1, "bots[0].modules.rules.rules[1].patern", config.ErrUnknownKey, ""},
				{9, 1, "bots[0].modules.rules.rules[1].action", config.ErrInvalid, `"ban" is not delete or warn`},
			}},
		{"rate limit", head + "[bots.rate_limit]\nburst = 0\nper = \"user\"\nmax_wait = \"1s\"\n",
			[]wantProblem{
				{4, 1, "bots[0].rate_limit", config.ErrMissing, "rate is required"},
				{5, 1, "bots[0].rate_limit.burst", config.ErrInvalid, "out of range"},
				{6, 1, "bots[0].rate_limit.per", config.ErrInvalid, `"user" is not one of "sender", "chat"`},
				{7, 1, "bots[0].rate_limit.max_wait", config.ErrInvalid, "only to mode"},
			}},
		{"rate not positive", head + "[bots.rate_limit]\nrate = -1.5\n",
			[]wantProblem{{5, 1, "bots[0].rate_limit.rate", config.ErrInvalid, "above 0"}}},
		{"rate infinite", head + "[bots.rate_limit]\nrate = inf\n",
			[]wantProblem{{5, 1, "bots[0].rate_limit.rate", config.ErrInvalid, "above 0"}}},
		{"auto accept", head + "[bots.auto_accept]\ncontacts = \"allowlist\"\ngroups = \"some\"\ngroup_inviters = [\"1\", 2]\nmin_role = \"king\"\nmax_per_hour = -1\n",
			[]wantProblem{
				{5, 1, "bots[0].auto_accept.contacts", config.ErrMissing, "needs a non-empty allow"},
				{6, 1, "bots[0].auto_accept.groups", config.ErrInvalid, `"some" is not one of`},
				{7, 24, "bots[0].auto_accept.group_inviters[1]", config.ErrType, "want a string, got an integer"},
				{8, 1, "bots[0].auto_accept.min_role", config.ErrInvalid, `"king"`},
				{9, 1, "bots[0].auto_accept.max_per_hour", config.ErrInvalid, "out of range"},
			}},
		{"allowlist without allowlist mode", head + "[bots.auto_accept]\ncontacts = \"all\"\nallow = [\"1\"]\n",
			[]wantProblem{{6, 1, "bots[0].auto_accept.allow", config.ErrInvalid, `only when contacts = "allowlist"`}}},
		{"store", head + "[bots.store]\nkind = \"disk\"\n",
			[]wantProblem{{5, 1, "bots[0].store.kind", config.ErrInvalid, `"disk" is not one of "memory", "file"`}}},
		{"file store without path", head + "[bots.store]\nkind = \"file\"\nmax_entries = 10\n",
			[]wantProblem{
				{5, 1, "bots[0].store.kind", config.ErrMissing, "needs a path"},
				{6, 1, "bots[0].store.max_entries", config.ErrInvalid, "only to kind"},
			}},
		{"memory store with path", head + "[bots.store]\npath = \"x.db\"\n",
			[]wantProblem{{5, 1, "bots[0].store.path", config.ErrInvalid, `only to kind = "file"`}}},
		{"shared store file", head + "store = { kind = \"file\", path = \"s.db\" }\n[[bots]]\nname = \"c\"\nplatform = \"fake\"\nstore = { kind = \"file\", path = \"./s.db\" }\n",
			[]wantProblem{{8, 26, "bots[1].store.path", config.ErrDuplicate, "bots[0] (line 4)"}}},
		{"unset variable", head + "[bots.fake]\nurl = \"ws://${HOST}:${PORT:-5225}\"\ntoken = \"$TOKEN\"\n",
			[]wantProblem{
				{5, 1, "bots[0].fake.url", config.ErrEnv, "HOST is not set"},
				{6, 1, "bots[0].fake.token", config.ErrEnv, "TOKEN is not set"},
			}},
		{"unset variable in an array", head + "[bots.auto_accept]\ncontacts = \"allowlist\"\nallow = [\n  \"1\",\n  \"${OWNER}\",\n]\n",
			[]wantProblem{{8, 3, "bots[0].auto_accept.allow[1]", config.ErrEnv, "OWNER is not set"}}},
		{"bad variable syntax", head + "[bots.modules.reply]\nprefix = \"${A\"\n",
			[]wantProblem{{5, 1, "bots[0].modules.reply.prefix", config.ErrInvalid, "unclosed ${"}}},
		{"problems come in file order", head + "[bots.modules.reply]\nprefx = 1\n[bots.dedupe]\nttl = \"x\"\n[server]\nlisten = \"x\"\n",
			[]wantProblem{
				{5, 1, "bots[0].modules.reply.prefx", config.ErrUnknownKey, ""},
				{7, 1, "bots[0].dedupe.ttl", config.ErrInvalid, ""},
				{9, 1, "server.listen", config.ErrInvalid, ""},
			}},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			cfg, err := config.Parse([]byte(tt.src), "bots.toml", config.WithLookupEnv(noEnv))
			if err == nil {
				t.Fatalf("no error; config %+v", cfg)
			}
			var ce *config.Error
			if !errors.As(err, &ce) {
				t.Fatalf("error is %T, want *config.Error: %v", err, err)
			}
			if len(ce.Problems) != len(tt.want) {
				t.Fatalf("%d problems, want %d:\n%v", len(ce.Problems), len(tt.want), err)
			}
			for i, w := range tt.want {
				p := ce.Problems[i]
				if p.Pos.Line != w.line || p.Pos.Col != w.col || p.Key != w.key || !errors.Is(p.Err, w.kind) ||
					!strings.Contains(p.Err.Error(), w.text) || p.File != "bots.toml" {
					t.Errorf("problem %d = %d:%d %q %q\nwant %d:%d %q (%v) containing %q", i,
						p.Pos.Line, p.Pos.Col, p.Key, p.Err, w.line, w.col, w.key, w.kind, w.text)
				}
				if !errors.Is(err, w.kind) {
					t.Errorf("errors.Is(err, %v) is false", w.kind)
				}
			}
		})
	}
}

func TestProblemFormat(t *testing.T) {
	_, err := config.Parse([]byte(head+"[bots.dedupe]\ntll = \"1h\"\n[[bots]]\nplatform = \"fake\"\n"), "conf/bots.toml")
	want := "conf/bots.toml:5:1: bots[0].dedupe.tll: unknown key (did you mean \"ttl\"?)\n" +
		"conf/bots.toml:6:1: bots[1]: name is required"
	if err == nil || err.Error() != want {
		t.Errorf("error =\n%v\nwant\n%s", err, want)
	}
	p := config.Problem{Key: "bots", Err: errors.New("x")}
	if p.Error() != "bots: x" {
		t.Errorf("positionless problem = %q", p.Error())
	}
}

func TestEnvExpansion(t *testing.T) {
	vars := map[string]string{"HOST": "chat.example", "EMPTY": "", "PORT": "7000", "TOKEN": "s3cr$t"}
	tests := []struct {
		in, want string
	}{
		{"ws://$HOST:5225", "ws://chat.example:5225"},
		{"ws://${HOST}:${PORT}", "ws://chat.example:7000"},
		{"ws://h:${MISSING:-5225}", "ws://h:5225"},
		{"ws://h:${EMPTY:-5225}", "ws://h:5225"},
		{"ws://h:${PORT:-5225}", "ws://h:7000"},
		{"ws://h:1/${EMPTY}", "ws://h:1/"},
		{"ws://h:1/?p=$$HOST", "ws://h:1/?p=$HOST"},
		{"ws://h:1/?cost=$5&x=$", "ws://h:1/?cost=$5&x=$"},
		{"ws://h:1/${TOKEN}", "ws://h:1/s3cr$t"}, // values are not expanded again
		{"ws://${HOST}${MISSING:-}:1", "ws://chat.example:1"},
	}
	for _, tt := range tests {
		t.Run(tt.in, func(t *testing.T) {
			src := head + "[bots.fake]\nurl = '" + tt.in + "'\n"
			cfg, err := config.Parse([]byte(src), "", env(vars))
			if err != nil {
				t.Fatal(err)
			}
			if got := cfg.Bots[0].Settings.(*fakePlatform).URL; got != tt.want {
				t.Errorf("url = %q, want %q", got, tt.want)
			}
		})
	}

	t.Run("everywhere strings are", func(t *testing.T) {
		src := `[server]
listen = "${LISTEN}"
[[bots]]
name = "$NAME"
platform = "fake"
handler_timeout = "${TIMEOUT}"
[bots.auto_accept]
contacts = "allowlist"
allow = ["$OWNER"]
[bots.modules.reply]
prefix = "${PREFIX}"
`
		cfg, err := config.Parse([]byte(src), "", env(map[string]string{
			"LISTEN": ":8080", "NAME": "envbot", "TIMEOUT": "5s", "OWNER": "42", "PREFIX": "> ",
		}))
		if err != nil {
			t.Fatal(err)
		}
		b := cfg.Bots[0]
		if cfg.Server.Listen != ":8080" || b.Name != "envbot" || b.HandlerTimeout != 5*time.Second ||
			!reflect.DeepEqual(b.AutoAccept.Allow, []string{"42"}) || b.Modules[0].Module.(*replyModule).Prefix != "> " {
			t.Errorf("expanded config = %+v, server %+v", b, cfg.Server)
		}
	})

	t.Run("process environment by default", func(t *testing.T) {
		t.Setenv("PARLEY_CONFIG_TEST_URL", "wss://from.env")
		cfg, err := config.Parse([]byte(head+"[bots.fake]\nurl = \"$PARLEY_CONFIG_TEST_URL\"\n"), "")
		if err != nil {
			t.Fatal(err)
		}
		if got := cfg.Bots[0].Settings.(*fakePlatform).URL; got != "wss://from.env" {
			t.Errorf("url = %q", got)
		}
	})
}

func TestLoad(t *testing.T) {
	dir := t.TempDir()
	path := filepath.Join(dir, "bots.toml")
	src := head + "[bots.store]\nkind = \"file\"\npath = \"data/b.db\"\n"
	if err := os.WriteFile(path, []byte(src), 0o600); err != nil {
		t.Fatal(err)
	}
	cfg, err := config.Load(path)
	if err != nil {
		t.Fatal(err)
	}
	if cfg.Dir != dir || cfg.Bots[0].Store.Path != filepath.Join(dir, "data", "b.db") {
		t.Errorf("Dir %q, store path %q", cfg.Dir, cfg.Bots[0].Store.Path)
	}

	_, err = config.Load(filepath.Join(dir, "missing.toml"))
	if !errors.Is(err, fs.ErrNotExist) {
		t.Errorf("missing file: %v, want fs.ErrNotExist", err)
	}
}

// acceptableInExample are the names examples/bots.toml uses whose real
// registrations live outside this package's tests.
var acceptableInExample = map[string]error{
	"simplex":    config.ErrUnknownPlatform,
	"echo":       config.ErrUnknownModule,
	"moderation": config.ErrUnknownModule,
}

func TestExampleFile(t *testing.T) {
	cfg, err := config.Load("../examples/bots.toml", config.WithLookupEnv(noEnv))
	if err == nil {
		var names []string
		for _, b := range cfg.Bots {
			names = append(names, b.Name)
		}
		if !reflect.DeepEqual(names, []string{"echo", "moderator"}) {
			t.Errorf("bots %v", names)
		}
		return
	}
	var ce *config.Error
	if !errors.As(err, &ce) {
		t.Fatal(err)
	}
	for _, p := range ce.Problems {
		ok := false
		for name, kind := range acceptableInExample {
			if errors.Is(p.Err, kind) && strings.Contains(p.Err.Error(), `"`+name+`" is not registered`) {
				ok = true
			}
		}
		if !ok {
			t.Errorf("examples/bots.toml: %v", p)
		}
	}
}

func TestExampleFileProblemsAreOnlyRegistrations(t *testing.T) {
	// The acceptance above must not hide real problems: a typo in the
	// example's own settings is still reported.
	data, err := os.ReadFile("../examples/bots.toml")
	if err != nil {
		t.Fatal(err)
	}
	broken := strings.Replace(string(data), "max_per_hour = 100", "max_per_hour = -100", 1)
	if broken == string(data) {
		t.Fatal("example no longer has max_per_hour = 100; update this test")
	}
	_, err = config.Parse([]byte(broken), "bots.toml", config.WithLookupEnv(noEnv))
	var ce *config.Error
	if !errors.As(err, &ce) {
		t.Fatalf("err = %v", err)
	}
	found := false
	for _, p := range ce.Problems {
		if p.Key == "bots[0].auto_accept.max_per_hour" && errors.Is(p.Err, config.ErrInvalid) {
			found = true
		}
	}
	if !found {
		t.Errorf("problem not reported:\n%v", err)
	}
}

func FuzzParse(f *testing.F) {
	f.Add([]byte(fullConfig))
	if data, err := os.ReadFile("../examples/bots.toml"); err == nil {
		f.Add(data)
	}
	f.Add([]byte(head + "[bots.modules.rules]\nrules = [{pattern = 1}]\n"))
	f.Add([]byte("[[bots]]\nname = \"${X\"\n"))
	f.Fuzz(func(t *testing.T, data []byte) {
		cfg, err := config.Parse(data, "f.toml", config.WithLookupEnv(noEnv))
		if err == nil {
			if cfg == nil || len(cfg.Bots) == 0 {
				t.Fatalf("no error and no bots: %+v", cfg)
			}
			return
		}
		var ce *config.Error
		if !errors.As(err, &ce) || len(ce.Problems) == 0 {
			t.Fatalf("error %T without problems: %v", err, err)
		}
		for _, p := range ce.Problems {
			if p.Err == nil || p.Pos.Line < 0 || p.Pos.Offset > len(data) {
				t.Fatalf("bad problem %+v", p)
			}
		}
	})
}
