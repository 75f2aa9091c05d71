package simplex_test

import (
	"context"
	"errors"
	"fmt"
	"os"
	"reflect"
	"strings"
	"sync/atomic"
	"testing"
	"time"

	"github.com/parleybot/parley/config"
	"github.com/parleybot/parley/platform/simplex"
	"github.com/parleybot/parley/platform/simplex/simplexsim"
	"github.com/parleybot/parley/registry"
)

// cfgNoEnv is an environment where no variable is set.
var cfgNoEnv = config.WithLookupEnv(func(string) (string, bool) { return "", false })

const settingsHead = "[[bots]]\nname = \"b\"\nplatform = \"simplex\"\n\n[bots.simplex]\n"

func TestSettingsDefaults(t *testing.T) {
	cfg, err := config.Parse([]byte(settingsHead+`url = "ws://127.0.0.1:5225"`+"\n"), "bots.toml", cfgNoEnv)
	if err != nil {
		t.Fatal(err)
	}
	got, ok := cfg.Bots[0].Settings.(*simplex.Settings)
	if !ok {
		t.Fatalf("settings are %T, want *simplex.Settings", cfg.Bots[0].Settings)
	}
	want := simplex.NewSettings()
	want.URL = "ws://127.0.0.1:5225"
	if !reflect.DeepEqual(got, want) {
		t.Errorf("settings %+v, want %+v", got, want)
	}
	if got.CatchUp != simplex.DefaultCatchUp || got.CallTimeout.Std() != simplex.DefaultCallTimeout ||
		got.PingInterval.Std() != simplex.DefaultPingInterval || got.ReconnectMin.Std() != simplex.DefaultReconnectMin ||
		got.ReconnectMax.Std() != simplex.DefaultReconnectMax {
		t.Errorf("defaults differ from the platform's: %+v", got)
	}
	info, ok := registry.LookupPlatform("simplex")
	if !ok || !reflect.DeepEqual(info.New(), simplex.NewSettings()) {
		t.Errorf("registered settings differ from NewSettings (registered: %v)", ok)
	}
	if st := got.Startup(); !reflect.DeepEqual(st, simplex.Startup{}) {
		t.Errorf("default start-up %+v asks for steps", st)
	}
}

func TestSettingsDecoded(t *testing.T) {
	src := settingsHead + `url = "wss://chat.example:8443/bot"
bot_name = "Echo Bot"
create_address = true
auto_accept_address = true
welcome = "hi"
commands = [{keyword = "help", label = "Help"}, {keyword = "stats", label = "Statistics"}]
call_timeout = "5s"
ping_interval = "0s"
reconnect_min = "1s"
reconnect_max = "1m"
catch_up = false
`
	cfg, err := config.Parse([]byte(src), "bots.toml", cfgNoEnv)
	if err != nil {
		t.Fatal(err)
	}
	s := cfg.Bots[0].Settings.(*simplex.Settings)
	if s.CallTimeout.Std() != 5*time.Second || s.PingInterval != 0 || s.ReconnectMin.Std() != time.Second ||
		s.ReconnectMax.Std() != time.Minute || s.CatchUp {
		t.Errorf("durations or catch_up not decoded: %+v", s)
	}
	st := s.Startup()
	if st.BotName != "Echo Bot" || !st.Address {
		t.Errorf("start-up %+v", st)
	}
	if st.AddressSettings == nil || st.AddressSettings.AutoAccept == nil ||
		st.AddressSettings.AutoReply == nil || st.AddressSettings.AutoReply.Text != "hi" {
		t.Errorf("address settings %+v", st.AddressSettings)
	}
	want := []simplex.ChatBotCommand{{Type: "command", Keyword: "help", Label: "Help"}, {Type: "command", Keyword: "stats", Label: "Statistics"}}
	if !reflect.DeepEqual(st.Commands, want) {
		t.Errorf("commands %+v, want %+v", st.Commands, want)
	}
}

func TestSettingsProblems(t *testing.T) {
	type want struct {
		key  string
		kind error
		line int
	}
	tests := []struct {
		name string
		body string
		want []want
	}{
		{"missing url", "bot_name = \"x\"\n", []want{{"bots[0].simplex.url", config.ErrMissing, 5}}},
		{"no table at all", "", []want{{"bots[0].simplex.url", config.ErrMissing, 0}}},
		{"http url", "url = \"http://127.0.0.1:5225\"\n", []want{{"bots[0].simplex.url", config.ErrInvalid, 6}}},
		{"url without host", "url = \"ws://\"\n", []want{{"bots[0].simplex.url", config.ErrInvalid, 6}}},
		{"url from unset env", "url = \"${NOPE}\"\n", []want{{"bots[0].simplex.url", config.ErrEnv, 6}}},
		{"bad bot name", "url = \"ws://h:1\"\nbot_name = \"@bot\"\n", []want{{"bots[0].simplex.bot_name", config.ErrInvalid, 7}}},
		{"padded bot name", "url = \"ws://h:1\"\nbot_name = \" bot\"\n", []want{{"bots[0].simplex.bot_name", config.ErrInvalid, 7}}},
		{"welcome without auto-accept", "url = \"ws://h:1\"\nwelcome = \"hi\"\n", []want{{"bots[0].simplex.welcome", config.ErrInvalid, 7}}},
		{"bare number duration", "url = \"ws://h:1\"\ncall_timeout = 30\n", []want{{"bots[0].simplex.call_timeout", config.ErrType, 7}}},
		{"bad duration", "url = \"ws://h:1\"\nping_interval = \"often\"\n", []want{{"bots[0].simplex.ping_interval", config.ErrType, 7}}},
		{"zero call timeout", "url = \"ws://h:1\"\ncall_timeout = \"0s\"\n", []want{{"bots[0].simplex.call_timeout", config.ErrInvalid, 7}}},
		{"negative ping", "url = \"ws://h:1\"\nping_interval = \"-1s\"\n", []want{{"bots[0].simplex.ping_interval", config.ErrInvalid, 7}}},
		{"backoff inverted", "url = \"ws://h:1\"\nreconnect_min = \"10s\"\nreconnect_max = \"1s\"\n", []want{{"bots[0].simplex.reconnect_max", config.ErrInvalid, 8}}},
		{"zero backoff", "url = \"ws://h:1\"\nreconnect_min = \"0s\"\n", []want{{"bots[0].simplex.reconnect_min", config.ErrInvalid, 7}}},
		{"unknown key with suggestion", "url = \"ws://h:1\"\ncatchup = false\n", []want{{"bots[0].simplex.catchup", config.ErrUnknownKey, 7}}},
		{"catch_up not a bool", "url = \"ws://h:1\"\ncatch_up = \"yes\"\n", []want{{"bots[0].simplex.catch_up", config.ErrType, 7}}},
		{"command problems", "url = \"ws://h:1\"\n" +
			"[[bots.simplex.commands]]\nkeyword = \"/help\"\nlabel = \"Help\"\n" +
			"[[bots.simplex.commands]]\nkeyword = \"a b\"\n" +
			"[[bots.simplex.commands]]\nkeyword = \"x\"\nlabel = \"X\"\nparams = \"p\"\n" +
			"[[bots.simplex.commands]]\nkeyword = \"x\"\nlabel = \"X again\"\n" +
			"[[bots.simplex.commands]]\nlabel = \"nothing\"\n",
			[]want{
				{"bots[0].simplex.commands[0].keyword", config.ErrInvalid, 8},
				{"bots[0].simplex.commands[1].keyword", config.ErrInvalid, 11},
				{"bots[0].simplex.commands[1].label", config.ErrMissing, 10},
				{"bots[0].simplex.commands[2].params", config.ErrUnknownKey, 15},
				{"bots[0].simplex.commands[3].keyword", config.ErrInvalid, 17},
				{"bots[0].simplex.commands[4].keyword", config.ErrMissing, 19},
			}},
		{"several problems at once", "url = \"ftp://h\"\nwelcome = \"hi\"\nreconnect_min = \"-1s\"\n", []want{
			{"bots[0].simplex.url", config.ErrInvalid, 6},
			{"bots[0].simplex.welcome", config.ErrInvalid, 7},
			{"bots[0].simplex.reconnect_min", config.ErrInvalid, 8},
		}},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			_, err := config.Parse([]byte(settingsHead+tt.body), "bots.toml", cfgNoEnv)
			var ce *config.Error
			if !errors.As(err, &ce) {
				t.Fatalf("Parse: %v, want a *config.Error", err)
			}
			if len(ce.Problems) != len(tt.want) {
				t.Fatalf("got %d problems, want %d:\n%v", len(ce.Problems), len(tt.want), err)
			}
			for _, w := range tt.want {
				found := false
				for _, p := range ce.Problems {
					if p.Key == w.key && errors.Is(p, w.kind) && (w.line == 0 || p.Pos.Line == w.line) {
						found = true
					}
				}
				if !found {
					t.Errorf("no %v problem at %s line %d in:\n%v", w.kind, w.key, w.line, err)
				}
			}
		})
	}
}

// TestSettingsExampleFile checks the simplex tables of examples/bots.toml
// against the real settings: the only problems left may be modules
// registered outside this package.
func TestSettingsExampleFile(t *testing.T) {
	cfg, err := config.Load("../../examples/bots.toml", cfgNoEnv)
	if err != nil {
		var ce *config.Error
		if !errors.As(err, &ce) {
			t.Fatal(err)
		}
		for _, p := range ce.Problems {
			if strings.Contains(p.Key, ".simplex") || !errors.Is(p, config.ErrUnknownModule) {
				t.Errorf("examples/bots.toml: %v", p)
			}
		}
		return
	}
	wantURLs := []string{"ws://127.0.0.1:5225", "ws://127.0.0.1:5226"}
	for i, b := range cfg.Bots {
		s, ok := b.Settings.(*simplex.Settings)
		if !ok || s.URL != wantURLs[i] {
			t.Errorf("bot %s: settings %#v, want url %s", b.Name, b.Settings, wantURLs[i])
		}
	}
}

// TestSettingsStartupAgainstSimulator builds a bot from settings and runs it
// against a CLI with no user: the bot user, the address, its settings and
// the command menu must all be created, so that a contact connecting gets
// the auto-reply.
func TestSettingsStartupAgainstSimulator(t *testing.T) {
	sim := simplexsim.New(simplexsim.WithoutUser())
	if err := sim.Start(); err != nil {
		t.Fatal(err)
	}
	defer sim.Close()
	src := settingsHead + `url = "${SIM_URL}"
bot_name = "greeter"
create_address = true
auto_accept_address = true
welcome = "Welcome aboard"
commands = [{keyword = "help", label = "Help"}]
`
	cfg, err := config.Parse([]byte(src), "bots.toml", config.WithLookupEnv(func(k string) (string, bool) { return sim.URL(), k == "SIM_URL" }))
	if err != nil {
		t.Fatal(err)
	}
	var commands atomic.Int64
	h, err := config.BuildBotWith(cfg.Bots[0], nil, config.Hooks{
		Command: func(string, string, time.Duration) { commands.Add(1) },
	})
	if err != nil {
		t.Fatal(err)
	}
	defer h.Close()
	p := h.Platform.(*simplex.Platform)
	ctx, cancel := context.WithCancel(context.Background())
	done := make(chan error, 1)
	go func() { done <- h.Bot.Run(ctx) }()
	defer func() {
		cancel()
		if err := <-done; err != nil {
			t.Errorf("Run: %v", err)
		}
	}()

	err = sim.Wait(5*time.Second, func(w *simplexsim.World) bool {
		auto, reply, ok := w.Address()
		return w.HasUser() && ok && auto && reply == "Welcome aboard"
	})
	if err != nil {
		t.Fatalf("address not set up: %v", err)
	}
	if err := cfgWaitTrue(5*time.Second, p.Ready); err != nil {
		t.Fatalf("platform not ready: %v", err)
	}
	if commands.Load() == 0 {
		t.Error("the command observer was not passed to the client")
	}
	if u := p.User(); u == nil || u.Profile.DisplayName != "greeter" {
		t.Errorf("bot user %+v", u)
	}
	// The menu is the last start-up step, so once it is there start-up is done.
	err = sim.Wait(5*time.Second, func(w *simplexsim.World) bool {
		for _, c := range w.Commands() {
			if strings.HasPrefix(c.Cmd, "/_profile ") && strings.Contains(c.Cmd, `"keyword":"help"`) {
				return true
			}
		}
		return false
	})
	if err != nil {
		t.Fatalf("no /_profile command carrying the command menu: %v", err)
	}
	conn, err := sim.ConnectContact("alice")
	if err != nil {
		t.Fatal(err)
	}
	if conn.ContactID == 0 || conn.AutoReplyItemID == 0 {
		t.Errorf("contact not auto-accepted with a reply: %+v", conn)
	}
}

// cfgWaitTrue polls cond, which has no change notification, until it holds.
func cfgWaitTrue(timeout time.Duration, cond func() bool) error {
	deadline := time.Now().Add(timeout)
	tick := time.NewTicker(5 * time.Millisecond)
	defer tick.Stop()
	for !cond() {
		if time.Now().After(deadline) {
			return errors.New("condition not met in time")
		}
		<-tick.C
	}
	return nil
}

// TestSettingsDocumented keeps the defaults docs/config.md shows for
// [bots.simplex] equal to the platform's.
func TestSettingsDocumented(t *testing.T) {
	doc, err := os.ReadFile("../../docs/config.md")
	if err != nil {
		t.Fatal(err)
	}
	_, section, ok := strings.Cut(string(doc), "#### `[bots.simplex]`")
	if !ok {
		t.Fatal("docs/config.md has no [bots.simplex] section")
	}
	section, _, _ = strings.Cut(section, "\n#")
	want := map[string]string{
		"call_timeout":  `"` + simplex.DefaultCallTimeout.String() + `"`,
		"ping_interval": `"` + simplex.DefaultPingInterval.String() + `"`,
		"reconnect_min": `"` + simplex.DefaultReconnectMin.String() + `", "` + simplex.DefaultReconnectMax.String() + `"`,
		"catch_up":      fmt.Sprint(simplex.DefaultCatchUp),
	}
	for key, w := range want {
		var got string
		for _, row := range strings.Split(section, "\n") {
			if strings.HasPrefix(row, "| `"+key+"`") {
				got = strings.TrimSpace(strings.Split(row, "|")[3])
			}
		}
		if got = strings.ReplaceAll(got, "`", ""); !sameDurations(got, w) {
			t.Errorf("docs/config.md: %s defaults to %s, the platform to %s", key, got, w)
		}
	}
}

// sameDurations compares two lists of quoted durations or plain values,
// such as `"60s"` and `"1m"`.
func sameDurations(a, b string) bool {
	as, bs := strings.Split(a, ", "), strings.Split(b, ", ")
	if len(as) != len(bs) {
		return false
	}
	for i := range as {
		x, errx := time.ParseDuration(strings.Trim(as[i], `"`))
		y, erry := time.ParseDuration(strings.Trim(bs[i], `"`))
		if errx != nil || erry != nil {
			if as[i] != bs[i] {
				return false
			}
		} else if x != y {
			return false
		}
	}
	return true
}
