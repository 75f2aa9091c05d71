package cli

import (
	"context"
	"fmt"
	"io"
	"net/http"
	"os"
	"path/filepath"
	"regexp"
	"strings"
	"testing"
	"time"

	"github.com/parleybot/parley/platform/simplex/simplexsim"
)

// hostedConfig is a bots.toml with two echo bots, each against its own
// CLI named by an environment variable.
const hostedConfig = `
[server]
listen = "127.0.0.1:0"
log_format = "json"
stop_timeout = "5s"

[[bots]]
name = "alpha"
platform = "simplex"
[bots.simplex]
url = "${PARLEY_TEST_ALPHA_URL}"
[bots.auto_accept]
contacts = "all"
[bots.modules.echo]
prefix = "alpha: "

[[bots]]
name = "beta"
platform = "simplex"
[bots.simplex]
url = "${PARLEY_TEST_BETA_URL}"
bot_name = "beta"
[bots.auto_accept]
contacts = "all"
[bots.modules.echo]
prefix = "beta: "
`

// TestRunHosted runs `parley run` on two bots, each against its own
// simulated CLI, checks that both echo, that /readyz and /metrics report
// them, and that cancelling (as SIGINT does) stops everything cleanly.
func TestRunHosted(t *testing.T) {
	sims := map[string]*simplexsim.Sim{
		"alpha": simplexsim.New(simplexsim.WithAddress(false, "")),
		// beta's CLI has no user yet: the bot creates it.
		"beta": simplexsim.New(simplexsim.WithAddress(false, ""), simplexsim.WithoutUser()),
	}
	for name, sim := range sims {
		if err := sim.Start(); err != nil {
			t.Fatal(err)
		}
		defer sim.Close()
		t.Setenv("PARLEY_TEST_"+strings.ToUpper(name)+"_URL", sim.URL())
	}
	path := filepath.Join(t.TempDir(), "bots.toml")
	if err := os.WriteFile(path, []byte(hostedConfig), 0o600); err != nil {
		t.Fatal(err)
	}

	ctx, cancel := context.WithCancel(context.Background())
	defer cancel()
	logs := newSyncBuffer()
	wait := start(ctx, stdio{in: strings.NewReader(""), out: io.Discard, err: logs}, "run", "-c", path)
	m := logs.waitMatch(t, regexp.MustCompile(`"msg":"serving health and metrics","addr":"([^"]+)"`), 5*time.Second)
	base := "http://" + m[1]

	// Ready once both bots are connected and started up.
	if err := poll(10*time.Second, func() bool { code, _ := get(t, base+"/readyz"); return code == http.StatusOK }); err != nil {
		code, body := get(t, base+"/readyz")
		t.Fatalf("/readyz: %d %s", code, body)
	}
	if code, body := get(t, base+"/healthz"); code != http.StatusOK {
		t.Errorf("/healthz: %d %s", code, body)
	}

	for name, sim := range sims {
		if _, err := sim.ConnectContact("carol"); err != nil {
			t.Fatal(err)
		}
		var carol int64
		err := sim.Wait(5*time.Second, func(w *simplexsim.World) bool {
			for _, a := range w.Actions() {
				if c, ok := w.Contact(a.ContactID); a.Kind == simplexsim.ActionAcceptContact && ok && c.Ready {
					carol = c.ID
					return true
				}
			}
			return false
		})
		if err != nil {
			t.Fatalf("%s did not accept carol: %v", name, err)
		}
		if _, err := sim.ContactSend(carol, "ping"); err != nil {
			t.Fatal(err)
		}
		sent, err := sim.WaitBotSent(1, 5*time.Second)
		if err != nil {
			t.Fatalf("%s: %v", name, err)
		}
		if want := name + ": ping"; sent[0].Text != want || sent[0].ChatRef != fmt.Sprintf("@%d", carol) {
			t.Errorf("%s sent %+v, want %q to carol", name, sent[0], want)
		}
	}

	// The echo's handler is done once the metrics count it handled.
	for _, name := range []string{"alpha", "beta"} {
		re := regexp.MustCompile(`(?m)^parley_events_handled_total\{bot="` + name + `",platform="simplex",type="newChatItems"\} [1-9]`)
		if err := poll(5*time.Second, func() bool { _, body := get(t, base+"/metrics"); return re.MatchString(body) }); err != nil {
			t.Errorf("/metrics has no handled newChatItems for %s", name)
		}
	}
	_, body := get(t, base+"/metrics")
	for _, want := range []string{
		`parley_events_received_total{bot="alpha",platform="simplex",type="newChatItems"}`,
		`parley_events_received_total{bot="beta",platform="simplex",type="receivedContactRequest"} 1`,
		`parley_queue_depth{bot="beta"}`,
		`parley_bot_ready{bot="alpha"} 1`,
		`parley_commands_total{bot="alpha",command="/_send",outcome="ok",platform="simplex"}`,
		`parley_commands_total{bot="beta",command="/_accept",outcome="ok",platform="simplex"} 1`,
		`parley_requests_total{bot="beta",decision="accepted",kind="contact"} 1`,
		`go_goroutines`,
	} {
		if !strings.Contains(body, want) {
			t.Errorf("/metrics lacks %s", want)
		}
	}

	cancel()
	code, err := wait(15 * time.Second)
	if err != nil || code != exitOK {
		t.Fatalf("exit %d, %v; logs:\n%s", code, err, logs.String())
	}
	for name, sim := range sims {
		if err := sim.WaitConnections(0, 5*time.Second); err != nil {
			t.Errorf("%s still connected after stop", name)
		}
	}
	if strings.Contains(logs.String(), `"level":"error"`) {
		t.Errorf("errors logged:\n%s", logs.String())
	}
}

func TestRunRejectsInvalidConfig(t *testing.T) {
	path := filepath.Join(t.TempDir(), "bots.toml")
	if err := os.WriteFile(path, []byte("[[bots]]\nname = \"x\"\nplatform = \"simplex\"\n"), 0o600); err != nil {
		t.Fatal(err)
	}
	code, out, errs := call(context.Background(), "run", "-c", path)
	want := path + ":1:1: bots[0].simplex.url: a URL is required\n"
	if code != exitFail || out != "" || !strings.HasPrefix(errs, want) {
		t.Errorf("exit %d, stdout %q, stderr %q; want exit 1 and stderr starting %q", code, out, errs, want)
	}
}

func get(t *testing.T, url string) (int, string) {
	t.Helper()
	resp, err := http.Get(url)
	if err != nil {
		t.Fatal(err)
	}
	defer resp.Body.Close()
	b, err := io.ReadAll(resp.Body)
	if err != nil {
		t.Fatal(err)
	}
	return resp.StatusCode, string(b)
}

// poll checks cond until it holds or the timeout passes, for state that
// has no change notification (HTTP endpoints, bot counters).
func poll(timeout time.Duration, cond func() bool) error {
	deadline := time.Now().Add(timeout)
	tick := time.NewTicker(5 * time.Millisecond)
	defer tick.Stop()
	for !cond() {
		if time.Now().After(deadline) {
			return fmt.Errorf("condition not met within %v", timeout)
		}
		<-tick.C
	}
	return nil
}
