package privitty_test

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
	"github.com/parleybot/parley/platform/privitty"
	"github.com/parleybot/parley/registry"
)

const settingsHead = "[[bots]]\nname = \"p\"\nplatform = \"privitty\"\n\n[bots.privitty]\n"

func TestSettingsDecoded(t *testing.T) {
	cfg, err := config.Parse([]byte(settingsHead+
		"url = \"http://127.0.0.1:8080\"\naccount = 2\ncall_timeout = \"5s\"\nmark_seen = false\n"+
		"[bots.privitty.headers]\nAuthorization = \"Bearer ${TOKEN}\"\n"),
		"bots.toml", config.WithLookupEnv(func(k string) (string, bool) { return "t0k", k == "TOKEN" }))
	if err != nil {
		t.Fatal(err)
	}
	s := cfg.Bots[0].Settings.(*privitty.Settings)
	if s.URL != "http://127.0.0.1:8080" || s.Account != 2 || s.CallTimeout.Std() != 5*time.Second ||
		s.MarkSeen || !s.CatchUp || s.Headers["Authorization"] != "Bearer t0k" {
		t.Fatalf("settings %+v", s)
	}
	p, err := s.Build(registry.PlatformEnv{BotName: "p"})
	if err != nil {
		t.Fatal(err)
	}
	if _, ok := p.(*privitty.Platform); !ok || p.Name() != "privitty" {
		t.Fatalf("Build gave %T %q", p, p.Name())
	}
}

func TestSettingsProblems(t *testing.T) {
	tests := []struct {
		name, body, key string
		kind            error
	}{
		{"missing url", "account = 1\n", "bots[0].privitty.url", config.ErrMissing},
		{"websocket url", "url = \"ws://127.0.0.1:8080\"\n", "bots[0].privitty.url", config.ErrInvalid},
		{"negative account", "url = \"http://h:1\"\naccount = -1\n", "bots[0].privitty.account", config.ErrInvalid},
		{"bad duration", "url = \"http://h:1\"\nidle_timeout = \"soon\"\n", "bots[0].privitty.idle_timeout", config.ErrType},
		{"unknown key", "url = \"http://h:1\"\nmarkseen = true\n", "bots[0].privitty.markseen", config.ErrUnknownKey},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			_, err := config.Parse([]byte(settingsHead+tt.body), "bots.toml", config.WithLookupEnv(func(string) (string, bool) { return "", false }))
			var ce *config.Error
			if !errors.As(err, &ce) {
				t.Fatalf("Parse: %v, want a *config.Error", err)
			}
			for _, p := range ce.Problems {
				if p.Key == tt.key && errors.Is(p, tt.kind) {
					return
				}
			}
			t.Fatalf("no %v problem at %s in:\n%v", tt.kind, tt.key, err)
		})
	}
}

func TestSettingsDefaults(t *testing.T) {
	got := privitty.NewSettings()
	if got.CallTimeout.Std() != privitty.DefaultCallTimeout || got.IdleTimeout.Std() != privitty.DefaultIdleTimeout ||
		got.ReconnectMin.Std() != privitty.DefaultReconnectMin || got.ReconnectMax.Std() != privitty.DefaultReconnectMax ||
		got.CatchUp != privitty.DefaultCatchUp || got.MarkSeen != privitty.DefaultMarkSeen {
		t.Errorf("defaults differ from the platform's: %+v", got)
	}
	info, ok := registry.LookupPlatform("privitty")
	if !ok || !reflect.DeepEqual(info.New(), got) {
		t.Errorf("registered settings differ from NewSettings (registered: %v)", ok)
	}
}

// TestSettingsDocumented keeps the defaults docs/config.md shows for
// [bots.privitty] equal to the platform's.
func TestSettingsDocumented(t *testing.T) {
	doc, err := os.ReadFile("../../docs/config.md")
	if err != nil {
		t.Fatal(err)
	}
	_, section, ok := strings.Cut(string(doc), "#### `[bots.privitty]`")
	if !ok {
		t.Fatal("docs/config.md has no [bots.privitty] section")
	}
	section, _, _ = strings.Cut(section, "\n#")
	want := map[string]string{
		"call_timeout":  `"` + privitty.DefaultCallTimeout.String() + `"`,
		"idle_timeout":  `"` + privitty.DefaultIdleTimeout.String() + `"`,
		"reconnect_min": `"` + privitty.DefaultReconnectMin.String() + `", "` + privitty.DefaultReconnectMax.String() + `"`,
		"catch_up":      fmt.Sprint(privitty.DefaultCatchUp),
		"mark_seen":     fmt.Sprint(privitty.DefaultMarkSeen),
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

// The hooks config.BuildBotWith gets for metrics reach the client: every
// call and every reopened event stream is reported.
func TestSettingsPassMetricHooks(t *testing.T) {
	sim := newSim(t)
	src := settingsHead + "url = \"" + sim.URL() + "\"\nreconnect_min = \"1ms\"\nreconnect_max = \"5ms\"\n"
	cfg, err := config.Parse([]byte(src), "bots.toml")
	if err != nil {
		t.Fatal(err)
	}
	var commands, reconnects atomic.Int64
	h, err := config.BuildBotWith(cfg.Bots[0], nil, config.Hooks{
		Command:   func(method, outcome string, d time.Duration) { commands.Add(1) },
		Reconnect: func() { reconnects.Add(1) },
	})
	if err != nil {
		t.Fatal(err)
	}
	defer h.Close()
	p := h.Platform.(*privitty.Platform)
	ctx, cancel := context.WithCancel(context.Background())
	done := make(chan error, 1)
	go func() { done <- h.Bot.Run(ctx) }()
	defer func() {
		cancel()
		if err := <-done; err != nil {
			t.Errorf("Run: %v", err)
		}
	}()
	waitCond(t, "the platform to be ready", p.Ready)
	if commands.Load() == 0 {
		t.Error("no call reached the command hook")
	}
	sim.DropStream()
	waitCond(t, "the reconnect hook", func() bool { return reconnects.Load() >= 1 })
}
