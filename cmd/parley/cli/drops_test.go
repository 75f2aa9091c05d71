package cli

import (
	"context"
	"io"
	"os"
	"path/filepath"
	"regexp"
	"strconv"
	"strings"
	"testing"
	"time"

	"github.com/parleybot/parley/platform/simplex/simplexsim"
)

const rateLimitedConfig = `
[server]
listen = "127.0.0.1:0"
log_format = "json"

[[bots]]
name = "gamma"
platform = "simplex"
log_level = "debug"
[bots.simplex]
url = "${PARLEY_TEST_GAMMA_URL}"
[bots.auto_accept]
contacts = "all"
[bots.rate_limit]
rate = 0.001
burst = 1
[bots.modules.echo]
`

// TestRunCountsRateLimitedEventsAsDropped floods a hosted bot past its
// rate limit and reads /metrics as Prometheus would: the messages over the
// limit are counted as dropped with their reason, never as handled, and
// each drop is logged at debug.
func TestRunCountsRateLimitedEventsAsDropped(t *testing.T) {
	sim := simplexsim.New(simplexsim.WithAddress(false, ""))
	if err := sim.Start(); err != nil {
		t.Fatal(err)
	}
	defer sim.Close()
	t.Setenv("PARLEY_TEST_GAMMA_URL", sim.URL())
	path := filepath.Join(t.TempDir(), "bots.toml")
	if err := os.WriteFile(path, []byte(rateLimitedConfig), 0o600); err != nil {
		t.Fatal(err)
	}
	ctx, cancel := context.WithCancel(context.Background())
	defer cancel()
	logs := newSyncBuffer()
	wait := start(ctx, stdio{in: strings.NewReader(""), out: io.Discard, err: logs}, "run", "-c", path)
	m := logs.waitMatch(t, regexp.MustCompile(`"msg":"serving health and metrics","addr":"([^"]+)"`), 5*time.Second)
	base := "http://" + m[1]

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
		t.Fatal(err)
	}
	for _, text := range []string{"one", "two", "three"} {
		if _, err := sim.ContactSend(carol, text); err != nil {
			t.Fatal(err)
		}
	}
	sent, err := sim.WaitBotSent(1, 5*time.Second)
	if err != nil {
		t.Fatal(err)
	}
	if len(sent) != 1 || sent[0].Text != "one" {
		t.Errorf("bot sent %+v, want only the echo of \"one\"", sent)
	}

	// Every newChatItems event the bot received ends handled, failed or
	// dropped; the dropped ones are never counted as handled. Poll: the
	// last events may still be in the handler when /metrics is read.
	dropped := regexp.MustCompile(`(?m)^parley_events_dropped_total\{bot="gamma",reason="rate_limited"\} 2$`)
	var body string
	series := func(metric string) int {
		re := regexp.MustCompile(`(?m)^` + metric + `\{bot="gamma",platform="simplex",type="newChatItems"\} (\d+)$`)
		mm := re.FindStringSubmatch(body)
		if mm == nil {
			return 0
		}
		n, _ := strconv.Atoi(mm[1])
		return n
	}
	settled := func() bool {
		_, body = get(t, base+"/metrics")
		received, handled, failed := series("parley_events_received_total"), series("parley_events_handled_total"), series("parley_events_failed_total")
		return dropped.MatchString(body) && received >= 3 && received-handled-failed == 2
	}
	if err := poll(5*time.Second, settled); err != nil {
		t.Fatalf("/metrics does not show 2 rate_limited drops left out of the handled newChatItems:\n%s", grepLines(body, "parley_events"))
	}
	if n := strings.Count(logs.String(), `"msg":"rate limit: event dropped","reason":"over_limit"`); n != 2 {
		t.Errorf("%d debug entries for rate-limited events, want 2:\n%s", n, logs.String())
	}

	cancel()
	if code, err := wait(15 * time.Second); err != nil || code != exitOK {
		t.Fatalf("exit %d, %v", code, err)
	}
}

// grepLines returns the lines of s that contain sub, for failure messages.
func grepLines(s, sub string) string {
	var out []string
	for _, l := range strings.Split(s, "\n") {
		if strings.Contains(l, sub) {
			out = append(out, l)
		}
	}
	return strings.Join(out, "\n")
}
