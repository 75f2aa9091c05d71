package moderation

import (
	"context"
	"encoding/json"
	"errors"
	"fmt"
	"strings"
	"testing"
	"time"

	"go.uber.org/zap"

	"github.com/parleybot/parley/bot"
	"github.com/parleybot/parley/config"
	"github.com/parleybot/parley/parleytest"
	"github.com/parleybot/parley/platform/simplex"
	"github.com/parleybot/parley/registry"
	"github.com/parleybot/parley/router"
)

func TestRulesCheck(t *testing.T) {
	tests := []struct {
		name     string
		words    []string
		patterns []string
		links    LinkPolicy
		domains  []string
		text     string
		want     Violation
		bad      bool
	}{
		{name: "word", words: []string{"spam"}, text: "this is SPAM.", want: Violation{RuleWord, "spam"}, bad: true},
		{name: "word inside another", words: []string{"ass"}, text: "a class act"},
		{name: "word with digits around", words: []string{"42"}, text: "x420"},
		{name: "word is the whole text", words: []string{"spam"}, text: "spam", want: Violation{RuleWord, "spam"}, bad: true},
		{name: "unicode word", words: []string{"Straße"}, text: "die STRASSE und die straße", want: Violation{RuleWord, "straße"}, bad: true},
		{name: "phrase across spaces", words: []string{"buy  now"}, text: "Buy\n now!", want: Violation{RuleWord, "buy now"}, bad: true},
		{name: "phrase split", words: []string{"buy now"}, text: "buy, now"},
		{name: "pattern", patterns: []string{`(?i)free\s+coins`}, text: "FREE  coins", want: Violation{RulePattern, `(?i)free\s+coins`}, bad: true},
		{name: "pattern is case sensitive by default", patterns: []string{`free coins`}, text: "FREE coins"},
		{name: "words before patterns", words: []string{"x"}, patterns: []string{"x"}, text: "x", want: Violation{RuleWord, "x"}, bad: true},
		{name: "links allowed", links: LinksAllow, text: "https://evil.com"},
		{name: "deny scheme", links: LinksDeny, text: "see https://a.example/x", want: Violation{RuleLink, ""}, bad: true},
		{name: "deny www", links: LinksDeny, text: "www.example.org", want: Violation{RuleLink, ""}, bad: true},
		{name: "deny bare domain", links: LinksDeny, text: "visit shop.example.com today", want: Violation{RuleLink, ""}, bad: true},
		{name: "deny simplex link", links: LinksDeny, text: "simplex:/contact#/?v=2", want: Violation{RuleLink, ""}, bad: true},
		{name: "not a link: file name", links: LinksDeny, text: "open report.txt and notes.md"},
		{name: "not a link: time", links: LinksDeny, text: "at 10.30 or 11.00"},
		{name: "allowlisted", links: LinksAllowlist, domains: []string{"example.org"}, text: "https://example.org/a and https://www.example.org/b"},
		{name: "allowlist case and dots", links: LinksAllowlist, domains: []string{"*.Example.ORG"}, text: "HTTPS://Docs.Example.Org."},
		{name: "allowlist suffix trick", links: LinksAllowlist, domains: []string{"example.org"}, text: "https://example.org.evil.com/", want: Violation{RuleLink, "example.org.evil.com"}, bad: true},
		{name: "allowlist lookalike", links: LinksAllowlist, domains: []string{"example.org"}, text: "https://badexample.org", want: Violation{RuleLink, "badexample.org"}, bad: true},
		{name: "allowlist userinfo trick", links: LinksAllowlist, domains: []string{"example.org"}, text: "https://example.org@evil.net/", want: Violation{RuleLink, "evil.net"}, bad: true},
		{name: "allowlist simplex", links: LinksAllowlist, domains: []string{"simplex.chat"}, text: "simplex:/invitation#abc"},
		{name: "allowlist second link bad", links: LinksAllowlist, domains: []string{"example.org"}, text: "https://example.org http://other.io", want: Violation{RuleLink, "other.io"}, bad: true},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			r, err := NewRules(tt.words, tt.patterns, tt.links, tt.domains)
			if err != nil {
				t.Fatal(err)
			}
			got, bad := r.Check(tt.text)
			if bad != tt.bad || got != tt.want {
				t.Fatalf("Check(%q) = %+v, %v; want %+v, %v", tt.text, got, bad, tt.want, tt.bad)
			}
		})
	}
}

func TestNewRulesErrors(t *testing.T) {
	if _, err := NewRules(nil, []string{"ok", "(unclosed"}, LinksAllow, nil); err == nil || !strings.Contains(err.Error(), "pattern 1") {
		t.Errorf("bad pattern: %v", err)
	}
	if _, err := NewRules(nil, nil, "sometimes", nil); err == nil || !strings.Contains(err.Error(), `"sometimes"`) {
		t.Errorf("bad link policy: %v", err)
	}
}

func TestViolationString(t *testing.T) {
	tests := []struct {
		v    Violation
		want string
	}{
		{Violation{RuleWord, "spam"}, `banned word "spam"`},
		{Violation{RulePattern, `a+`}, `banned pattern "a+"`},
		{Violation{RuleLink, ""}, "links are not allowed"},
		{Violation{RuleLink, "evil.com"}, "link to evil.com (not an allowed domain)"},
		{Violation{RuleFlood, "6 messages"}, "flood: 6 messages"},
		{Violation{RuleReport, "bob reported it"}, "reported: bob reported it"},
	}
	for _, tt := range tests {
		if got := tt.v.String(); got != tt.want {
			t.Errorf("%+v.String() = %q, want %q", tt.v, got, tt.want)
		}
	}
}

func TestSettingsValidate(t *testing.T) {
	tests := []struct {
		name string
		edit func(*Settings)
		keys []string // FieldError keys expected, in order
	}{
		{"defaults", func(*Settings) {}, nil},
		{"zero value", func(s *Settings) { *s = Settings{} }, nil},
		{"bad pattern names its index", func(s *Settings) { s.BannedPatterns = []string{"ok", "a(b"} }, []string{"banned_patterns[1]"}},
		{"empty word", func(s *Settings) { s.BannedWords = []string{"fine", "  "} }, []string{"banned_words[1]"}},
		{"long word", func(s *Settings) { s.BannedWords = []string{strings.Repeat("x", MaxWordLen+1)} }, []string{"banned_words[0]"}},
		{"too many words", func(s *Settings) {
			s.BannedWords = make([]string, MaxWords+1)
			for i := range s.BannedWords {
				s.BannedWords[i] = fmt.Sprint("w", i)
			}
		}, []string{"banned_words"}},
		{"unknown link policy", func(s *Settings) { s.Links = "some" }, []string{"links"}},
		{"allowlist without domains", func(s *Settings) { s.Links = LinksAllowlist }, []string{"allowed_domains"}},
		{"bad domain", func(s *Settings) { s.Links, s.AllowedDomains = LinksAllowlist, []string{"ok.org", "http://x.org"} }, []string{"allowed_domains[1]"}},
		{"negative flood", func(s *Settings) { s.FloodLimit = -1 }, []string{"flood_limit"}},
		{"unknown action", func(s *Settings) { s.Action = "ban" }, []string{"action"}},
		{"role too low", func(s *Settings) { s.MinRole = "member" }, []string{"min_role"}},
		{"unknown role", func(s *Settings) { s.MinRole = "boss" }, []string{"min_role"}},
		{"bad inviter", func(s *Settings) { s.Inviters = []string{"5", "ol ga", ""} }, []string{"inviters[1]", "inviters[2]"}},
		{"several at once", func(s *Settings) { s.Action = "x"; s.FloodLimit = -2 }, []string{"flood_limit", "action"}},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			s := DefaultSettings()
			tt.edit(&s)
			err := s.Validate()
			var keys []string
			if err != nil {
				for _, e := range err.(interface{ Unwrap() []error }).Unwrap() {
					var fe *registry.FieldError
					if !errors.As(e, &fe) {
						t.Fatalf("problem without a key: %v", e)
					}
					keys = append(keys, fe.Key)
				}
			}
			if fmt.Sprint(keys) != fmt.Sprint(tt.keys) {
				t.Fatalf("Validate() = %v; keys %v, want %v", err, keys, tt.keys)
			}
		})
	}
}

func TestSettingsFromTOML(t *testing.T) {
	const src = `
[[bots]]
name = "m"
platform = "simplex"
[bots.simplex]
url = "ws://127.0.0.1:1"
[bots.modules.moderation]
banned_patterns = ["fine", "(broken"]
links = "allowlist"
dry_run = true
action = "kick"
`
	_, err := config.Parse([]byte(src), "bots.toml")
	if err == nil {
		t.Fatal("invalid settings accepted")
	}
	msg := err.Error()
	for _, want := range []string{
		"bots.toml:8:28: bots[0].modules.moderation.banned_patterns[1]: invalid regular expression",
		"bots[0].modules.moderation.allowed_domains",
		`bots[0].modules.moderation.action: action "kick"`,
	} {
		if !strings.Contains(msg, want) {
			t.Errorf("problems lack %q:\n%s", want, msg)
		}
	}
	cfg, err := config.Parse([]byte("[[bots]]\nname = \"m\"\nplatform = \"simplex\"\n[bots.simplex]\nurl = \"ws://127.0.0.1:1\"\n[bots.modules.moderation]\ndry_run = true\nflood_limit = 4\n"), "bots.toml")
	if err != nil {
		t.Fatal(err)
	}
	mod := cfg.Bots[0].Modules[0].Module.(*module)
	if !mod.DryRun || mod.FloodLimit != 4 || !mod.Notify || mod.MinRole != RoleModerator || !mod.OwnerCommands {
		t.Fatalf("decoded settings lost a default or a value: %+v", mod.Settings)
	}
}

func TestSetupErrors(t *testing.T) {
	p := simplex.New("ws://127.0.0.1:1")
	tests := []struct {
		name string
		m    *Moderator
		env  registry.ModuleEnv
		want string
	}{
		{"cannot delete", New(DefaultSettings()), registry.ModuleEnv{Platform: sendOnly{parleytest.NewPlatform()}}, "cannot delete messages (bot.Deleter)"},
		{"cannot block", New(settingsWith(func(s *Settings) { s.Action = ActionBlock })), registry.ModuleEnv{Platform: deleteOnly{sendOnly{parleytest.NewPlatform()}}},
			`action: action "block": the test platform cannot block members; it can do "delete"`},
		{"cannot remove reported", New(settingsWith(func(s *Settings) { s.RemoveReported = true })), registry.ModuleEnv{Platform: deleteOnly{sendOnly{parleytest.NewPlatform()}}},
			"remove_reported: the test platform cannot remove members"},
		{"no platform", New(DefaultSettings()), registry.ModuleEnv{}, "needs a platform"},
		{"invalid settings", New(settingsWith(func(s *Settings) { s.BannedPatterns = []string{"("} })), registry.ModuleEnv{Platform: p}, "banned_patterns[0]"},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			err := tt.m.Setup(tt.env, router.New())
			if err == nil || !strings.Contains(err.Error(), tt.want) {
				t.Fatalf("Setup() = %v, want an error containing %q", err, tt.want)
			}
		})
	}
	m := New(DefaultSettings())
	if err := m.Setup(registry.ModuleEnv{Platform: p}, router.New()); err != nil {
		t.Fatal(err)
	}
	if err := m.Setup(registry.ModuleEnv{Platform: p}, router.New()); err == nil {
		t.Fatal("a second Setup succeeded")
	}
}

// sendOnly hides every capability of the platform it wraps.
type sendOnly struct{ p bot.Platform }

func (s sendOnly) Name() string { return s.p.Name() }
func (s sendOnly) Listen(ctx context.Context, emit func(bot.Event) error) error {
	return s.p.Listen(ctx, emit)
}
func (s sendOnly) Send(ctx context.Context, chatID string, m bot.Outgoing) ([]string, error) {
	return s.p.Send(ctx, chatID, m)
}

// deleteOnly can delete messages and nothing else.
type deleteOnly struct{ sendOnly }

func (deleteOnly) Delete(context.Context, string, string) error { return nil }

func TestFloodCounter(t *testing.T) {
	f := newFloodCounter()
	t0 := time.Date(2026, 1, 1, 0, 0, 0, 0, time.UTC)
	steps := []struct {
		member string
		at     time.Duration
		want   int
	}{
		{"1", 0, 1},
		{"1", 10 * time.Second, 2},
		{"2", 10 * time.Second, 1},
		{"1", 20 * time.Second, 3},
		{"1", 30 * time.Second, 4},
		{"1", 71 * time.Second, 3}, // the messages at 0s and 10s left the window
		{"1", 200 * time.Second, 1},
	}
	for i, s := range steps {
		if got := f.add("#7", s.member, t0.Add(s.at), 2); got != s.want {
			t.Fatalf("step %d: count %d, want %d", i, got, s.want)
		}
	}
	if n := len(f.times[memberKey{"#7", "1"}]); n > 3 {
		t.Errorf("kept %d times for a limit of 2", n)
	}
	f.forget("#7")
	if len(f.times) != 0 {
		t.Errorf("forget left %d members", len(f.times))
	}
	for i := range 10 {
		f.add("#1", fmt.Sprint(i), t0, 1)
	}
	f.add("#1", "99", t0.Add(2*time.Minute), 1)
	f.sweep(t0.Add(2 * time.Minute))
	if _, ok := f.times[memberKey{"#1", "99"}]; !ok || len(f.times) != 1 {
		t.Errorf("sweep kept %d members (want only the recent one)", len(f.times))
	}
}

func TestDecodeState(t *testing.T) {
	tests := []struct {
		in   string
		ok   bool
		want string
	}{
		{`{"chat":"#12","no":2,"name":"club","owner":"3","words":["a"],"future":{"x":1}}`, true, "#12"},
		{`{"chat":"#12","no":0}`, false, ""},
		{`{"chat":"","no":3}`, false, ""},
		{`{"id":12,"owner":3}`, false, ""}, // the SimpleX-only format
		{`not json`, false, ""},
		{`[]`, false, ""},
	}
	for _, tt := range tests {
		st, err := decodeState([]byte(tt.in))
		if (err == nil) != tt.ok || st.Chat != tt.want {
			t.Errorf("decodeState(%s) = %+v, %v", tt.in, st, err)
		}
	}
}

// TestUnreadableStateKept checks that broken stored records are skipped,
// counted and kept, and the rest still loads.
func TestUnreadableStateKept(t *testing.T) {
	h := setup(t, spamRules, "moderator")
	ctx := t.Context()
	good, _, _ := h.st.Get(ctx, fmt.Sprintf("moderation:mod:chat:#%d", h.gid))
	if err := h.st.Set(ctx, "moderation:mod:chats", []byte(fmt.Sprintf(`["#%d", "#77"]`, h.gid)), 0); err != nil {
		t.Fatal(err)
	}
	if err := h.st.Set(ctx, "moderation:mod:chat:#77", []byte("{broken"), 0); err != nil {
		t.Fatal(err)
	}
	h.restart(spamRules)
	bad := h.send(h.mia, "spam")
	h.waitModeration("moderate", bad, 0)
	if n := h.mod.Unreadable(); n != 1 {
		t.Errorf("Unreadable() = %d, want 1", n)
	}
	if data, ok, _ := h.st.Get(ctx, "moderation:mod:chat:#77"); !ok || string(data) != "{broken" {
		t.Errorf("the unreadable record was not kept: %q", data)
	}
	var st groupState
	if err := json.Unmarshal(good, &st); err != nil || st.Chat != fmt.Sprintf("#%d", h.gid) {
		t.Fatalf("good record: %v", err)
	}
}

func TestIndexUnreadableKeptAside(t *testing.T) {
	h := newHarness(t, spamRules)
	ctx := t.Context()
	if err := h.st.Set(ctx, "moderation:mod:chats", []byte("oops"), 0); err != nil {
		t.Fatal(err)
	}
	h.world()
	h.invite("moderator")
	h.waitSent(h.ownerRef(), "I joined club")
	if data, ok, _ := h.st.Get(ctx, "moderation:mod:chats.unreadable"); !ok || string(data) != "oops" {
		t.Fatalf("unreadable index not kept aside: %q %v", data, ok)
	}
	if data, _, _ := h.st.Get(ctx, "moderation:mod:chats"); string(data) != fmt.Sprintf(`["#%d"]`, h.gid) {
		t.Fatalf("index = %s", data)
	}
}

var nopLog = zap.NewNop()

func splitArgs(s string) []string { return strings.Fields(s) }
