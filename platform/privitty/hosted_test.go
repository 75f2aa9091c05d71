package privitty_test

import (
	"context"
	"fmt"
	"slices"
	"sort"
	"strings"
	"testing"

	"github.com/prometheus/client_golang/prometheus"

	"github.com/parleybot/parley/bot"
	"github.com/parleybot/parley/config"
	"github.com/parleybot/parley/metrics"
	_ "github.com/parleybot/parley/modules/echo"
	_ "github.com/parleybot/parley/platform/simplex"
	"github.com/parleybot/parley/platform/simplex/simplexsim"
)

// hostBot builds and runs one bot from a bots.toml snippet with the
// metric hooks `parley run` gives every bot, until the test ends.
func hostBot(t *testing.T, m *metrics.Metrics, name, platform, table string) {
	t.Helper()
	src := fmt.Sprintf("[[bots]]\nname = %q\nplatform = %q\n\n[bots.%s]\n%s\n[bots.modules.echo]\n", name, platform, platform, table)
	cfg, err := config.Parse([]byte(src), "bots.toml")
	if err != nil {
		t.Fatal(err)
	}
	h, err := config.BuildBotWith(cfg.Bots[0], nil, config.Hooks{
		Outer:     []bot.Middleware{m.Middleware(name)},
		DedupeHit: func(string) { m.DedupeHit(name) },
		Command:   m.CommandObserver(name, platform),
		Reconnect: m.ReconnectObserver(name, platform),
	})
	if err != nil {
		t.Fatal(err)
	}
	ctx, cancel := context.WithCancel(context.Background())
	done := make(chan error, 1)
	go func() { done <- h.Bot.Run(ctx) }()
	t.Cleanup(func() {
		cancel()
		if err := <-done; err != nil {
			t.Errorf("%s: Run: %v", name, err)
		}
		if err := h.Close(); err != nil {
			t.Errorf("%s: Close: %v", name, err)
		}
	})
}

// familiesByPlatform returns, per platform label value, the metric
// families that have a sample with it that counted something (observers
// may create their series at zero up front).
func familiesByPlatform(t *testing.T, reg *prometheus.Registry) map[string][]string {
	t.Helper()
	mfs, err := reg.Gather()
	if err != nil {
		t.Fatal(err)
	}
	out := map[string][]string{}
	for _, mf := range mfs {
		for _, m := range mf.GetMetric() {
			if m.GetCounter().GetValue() == 0 && m.GetHistogram().GetSampleCount() == 0 && m.GetGauge().GetValue() == 0 {
				continue
			}
			for _, l := range m.GetLabel() {
				if l.GetName() == "platform" && !slices.Contains(out[l.GetValue()], mf.GetName()) {
					out[l.GetValue()] = append(out[l.GetValue()], mf.GetName())
				}
			}
		}
	}
	for _, fams := range out {
		sort.Strings(fams)
	}
	return out
}

// Item 6: a hosted Privitty bot reports the same metric families as a
// hosted SimpleX bot doing the same: events, handler latency, commands by
// outcome and their latency, reconnects.
func TestHostedMetricFamiliesMatchSimplex(t *testing.T) {
	reg := prometheus.NewRegistry()
	m, err := metrics.New(reg)
	if err != nil {
		t.Fatal(err)
	}
	psim := newSim(t)
	hostBot(t, m, "p", "privitty", fmt.Sprintf("url = %q\nreconnect_min = \"5ms\"\nreconnect_max = \"50ms\"\n", psim.URL()))
	ssim := simplexsim.New(simplexsim.WithBotName("s"), simplexsim.WithAddress(true, ""))
	if err := ssim.Start(); err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() { _ = ssim.Close() })
	hostBot(t, m, "s", "simplex", fmt.Sprintf("url = %q\nreconnect_min = \"5ms\"\nreconnect_max = \"50ms\"\n", ssim.URL()))

	// Each bot echoes a message, loses its connection and echoes another.
	alice, _ := psim.ConnectContact("alice", false)
	eve, err := ssim.ConnectContact("eve")
	if err != nil {
		t.Fatal(err)
	}
	if err := ssim.WaitConnections(1, waitLimit); err != nil {
		t.Fatal(err)
	}
	psim.ContactSend(alice.ChatID, "one")
	if _, err := ssim.ContactSend(eve.ContactID, "one"); err != nil {
		t.Fatal(err)
	}
	if _, err := psim.WaitBotSent(1, waitLimit); err != nil {
		t.Fatal(err)
	}
	if _, err := ssim.WaitBotSent(1, waitLimit); err != nil {
		t.Fatal(err)
	}
	psim.DropStream()
	ssim.DropAfter(0)
	waitCond(t, "both reconnects", func() bool {
		got := familiesByPlatform(t, reg)
		return slices.Contains(got["privitty"], "parley_reconnects_total") && slices.Contains(got["simplex"], "parley_reconnects_total")
	})
	if err := psim.Wait(waitLimit, func() bool { return psim.Stats().Streams == 1 }); err != nil {
		t.Fatal(err)
	}
	if err := ssim.WaitConnections(1, waitLimit); err != nil {
		t.Fatal(err)
	}
	psim.ContactSend(alice.ChatID, "two")
	if _, err := ssim.ContactSend(eve.ContactID, "two"); err != nil {
		t.Fatal(err)
	}
	if _, err := psim.WaitBotSent(2, waitLimit); err != nil {
		t.Fatal(err)
	}
	if _, err := ssim.WaitBotSent(2, waitLimit); err != nil {
		t.Fatal(err)
	}

	want := []string{"parley_command_duration_seconds", "parley_commands_total", "parley_events_handled_total",
		"parley_events_received_total", "parley_handler_duration_seconds", "parley_reconnects_total"}
	var got map[string][]string
	waitCond(t, "every family for both platforms", func() bool {
		got = familiesByPlatform(t, reg)
		for _, f := range want {
			if !slices.Contains(got["privitty"], f) || !slices.Contains(got["simplex"], f) {
				return false
			}
		}
		return true
	})
	for _, p := range []string{"privitty", "simplex"} {
		for _, f := range want {
			if !slices.Contains(got[p], f) {
				t.Errorf("%s reports no %s (has %s)", p, f, strings.Join(got[p], ", "))
			}
		}
	}
	// Other families (failed events, unknown events) depend on timing,
	// such as a reply lost with the connection; they are logged only.
	if !slices.Equal(got["privitty"], got["simplex"]) {
		t.Logf("families beyond the common ones:\nprivitty %v\nsimplex  %v", got["privitty"], got["simplex"])
	}
}
