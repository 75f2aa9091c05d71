package privitty_test

import (
	"errors"
	"reflect"
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
