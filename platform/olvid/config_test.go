package olvid_test

import (
	"context"
	"errors"
	"fmt"
	"path/filepath"
	"reflect"
	"strings"
	"sync/atomic"
	"testing"
	"time"

	"github.com/parleybot/parley/config"
	_ "github.com/parleybot/parley/modules/echo" // registers the "echo" module
	"github.com/parleybot/parley/platform/olvid"
	"github.com/parleybot/parley/registry"
)

const settingsHead = "[[bots]]\nname = \"o\"\nplatform = \"olvid\"\n\n[bots.olvid]\n"

func TestSettingsDecoded(t *testing.T) {
	cfg, err := config.Parse([]byte(settingsHead+
		"target = \"https://daemon.example:50051\"\nclient_key = \"${KEY}\"\nidentity_id = 3\ncall_timeout = \"5s\"\n"+
		"notifications = [\"MessageReactionAdded\", \"CallIncomingCall\"]\n"),
		"bots.toml", config.WithLookupEnv(func(k string) (string, bool) { return "k3y", k == "KEY" }))
	if err != nil {
		t.Fatal(err)
	}
	s := cfg.Bots[0].Settings.(*olvid.Settings)
	if s.Target != "https://daemon.example:50051" || s.ClientKey != "k3y" || s.IdentityID != 3 || s.CallTimeout.Std() != 5*time.Second || !s.CatchUp {
		t.Fatalf("settings %+v", s)
	}
	p, err := s.Build(registry.PlatformEnv{BotName: "o"})
	if err != nil {
		t.Fatal(err)
	}
	op, ok := p.(*olvid.Platform)
	if !ok || p.Name() != "olvid" {
		t.Fatalf("Build gave %T %q", p, p.Name())
	}
	defer op.Close(context.Background())
	ns := fmt.Sprint(op.Notifications())
	if !strings.Contains(ns, "MessageReactionAdded") || !strings.Contains(ns, "CallIncomingCall") || !strings.Contains(ns, "MessageReceived") {
		t.Fatalf("notifications %s", ns)
	}
}

func TestSettingsProblems(t *testing.T) {
	tests := []struct {
		name, body, key string
		kind            error
	}{
		{"missing key", "target = \"127.0.0.1:50051\"\n", "bots[0].olvid.client_key", config.ErrMissing},
		{"target without port", "client_key = \"k\"\ntarget = \"daemon.example\"\n", "bots[0].olvid.target", config.ErrInvalid},
		{"target with a path", "client_key = \"k\"\ntarget = \"http://h:1/x\"\n", "bots[0].olvid.target", config.ErrInvalid},
		{"half mutual TLS", "client_key = \"k\"\ntls_cert = \"c.pem\"\n", "bots[0].olvid.tls_key", config.ErrInvalid},
		{"unknown notification", "client_key = \"k\"\nnotifications = [\"MessageTeleported\"]\n", "bots[0].olvid.notifications", config.ErrInvalid},
		{"backoff upside down", "client_key = \"k\"\nreconnect_min = \"2s\"\nreconnect_max = \"1s\"\n", "bots[0].olvid.reconnect_max", config.ErrInvalid},
		{"bad duration", "client_key = \"k\"\ncall_timeout = \"soon\"\n", "bots[0].olvid.call_timeout", config.ErrType},
		{"unknown key", "client_key = \"k\"\nclientkey = \"k\"\n", "bots[0].olvid.clientkey", config.ErrUnknownKey},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			_, err := config.Parse([]byte(settingsHead+tt.body), "bots.toml")
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
	got := olvid.NewSettings()
	if got.Target != olvid.DefaultTarget || got.CallTimeout.Std() != olvid.DefaultCallTimeout ||
		got.ReconnectMin.Std() != olvid.DefaultBackoffMin || got.ReconnectMax.Std() != olvid.DefaultBackoffMax ||
		got.SubscribeWait.Std() != olvid.DefaultSubscribeWait || got.AcceptWait.Std() != olvid.DefaultAcceptWait ||
		got.MaxText != olvid.DefaultMaxText || !got.CatchUp {
		t.Errorf("defaults differ from the platform's: %+v", got)
	}
	info, ok := registry.LookupPlatform("olvid")
	if !ok || !reflect.DeepEqual(info.New(), got) {
		t.Errorf("registered settings differ from NewSettings (registered: %v)", ok)
	}
}

// A hosted bot made from a bots.toml naming the platform and the echo
// module echoes on Olvid, and reports its commands to the host's hooks.
func TestHostedEcho(t *testing.T) {
	sim := newSim(t)
	src := fmt.Sprintf(`
[[bots]]
name = "echo"
platform = "olvid"

[bots.olvid]
target = %q
client_key = %q
reconnect_min = "5ms"
reconnect_max = "50ms"

[bots.modules.echo]
prefix = "echo: "
`, sim.Addr(), sim.ClientKey())
	cfg, err := config.Parse([]byte(src), filepath.Join(t.TempDir(), "bots.toml"))
	if err != nil {
		t.Fatal(err)
	}
	var commands atomic.Int64
	hb, err := config.BuildBotWith(cfg.Bots[0], nil, config.Hooks{
		Command: func(method, outcome string, d time.Duration) {
			if method == "MessageSend" && outcome == "ok" {
				commands.Add(1)
			}
		},
	})
	if err != nil {
		t.Fatal(err)
	}
	ctx, cancel := context.WithCancel(context.Background())
	done := make(chan error, 1)
	go func() { done <- hb.Bot.Run(ctx) }()
	defer func() {
		cancel()
		if err := <-done; err != nil {
			t.Errorf("Run: %v", err)
		}
		if err := hb.Close(); err != nil {
			t.Errorf("Close: %v", err)
		}
	}()
	c := sim.AddContact("eve")
	if _, err := sim.ContactSend(c.DiscussionID, "configured, not coded"); err != nil {
		t.Fatal(err)
	}
	waitFor(t, "the echo", func() bool {
		for _, s := range sim.BotSent() {
			if s.DiscussionID == c.DiscussionID && s.Body == "echo: configured, not coded" && s.ReplyTo != nil {
				return true
			}
		}
		return false
	})
	waitFor(t, "the command reported to the hooks", func() bool { return commands.Load() == 1 })
}
