package cli

import (
	"bytes"
	"context"
	"errors"
	"regexp"
	"strings"
	"testing"
	"time"
)

func TestDemo(t *testing.T) {
	var out, errb bytes.Buffer
	code := run(context.Background(), []string{"demo"}, stdio{in: strings.NewReader(""), out: &out, err: &errb})
	if code != exitOK {
		t.Fatalf("exit %d\nstdout:\n%s\nstderr:\n%s", code, out.String(), errb.String())
	}
	want := []string{
		`^parley demo: the echo bot and a simulated SimpleX Chat CLI at ws://127\.0\.0\.1:\d+$`,
		`^$`,
		`^alice → bot: \(asks to connect through the bot's address\)$`,
		`^bot: accepted alice's contact request$`,
		`^bot → alice: Hi! I am an echo bot: send me anything and I will send it back\.$`,
		`^alice → bot: hello$`,
		`^bot → alice: hello$`,
		`^alice → bot: /help$`,
		`^bot → alice: I am an echo bot: send me any text and I will send it back\.$`,
		`^alice → bot: \(40,000 bytes: "Parley routes typed messenger events thr"…\)$`,
		// 15,000 bytes per message at most: three parts.
		`^bot → alice: \(the same 40,000 bytes, split into 3 messages of at most 1[0-5],\d{3} bytes\)$`,
		`^$`,
		`^bot stopped cleanly after handling \d+ events \(0 failed\)\.$`,
	}
	lines := strings.Split(strings.TrimSuffix(out.String(), "\n"), "\n")
	if len(lines) != len(want) {
		t.Fatalf("transcript has %d lines, want %d:\n%s", len(lines), len(want), out.String())
	}
	for i, re := range want {
		if !regexp.MustCompile(re).MatchString(lines[i]) {
			t.Errorf("line %d: %q does not match %s", i+1, lines[i], re)
		}
	}
	if errb.Len() > 0 {
		t.Errorf("the demo logged problems:\n%s", errb.String())
	}
}

// TestDemoReportsMissingReply runs the demo with a bot that has no echo
// module: the welcome comes, the echo does not, and the demo says so.
func TestDemoReportsMissingReply(t *testing.T) {
	cfg := strings.Replace(demoConfig, "[bots.modules.echo]", "", 1)
	if cfg == demoConfig {
		t.Fatal("demoConfig no longer names the echo module; update this test")
	}
	var out, logs bytes.Buffer
	err := runDemo(context.Background(), &out, &logs, demoOptions{timeout: 300 * time.Millisecond, config: cfg})
	if err == nil || err.Error() != `no sign of a reply to "hello" within 300ms` {
		t.Fatalf("runDemo: %v", err)
	}
	if !strings.Contains(out.String(), "bot → alice: Hi!") || strings.Contains(out.String(), "bot → alice: hello") {
		t.Errorf("transcript:\n%s", out.String())
	}
}

// TestDemoInterrupted ends the demo's context before it starts: it must
// stop at once with an error rather than wait out its timeouts.
func TestDemoInterrupted(t *testing.T) {
	ctx, cancel := context.WithCancel(context.Background())
	cancel()
	var out, logs bytes.Buffer
	err := runDemo(ctx, &out, &logs, demoOptions{timeout: time.Minute, config: demoConfig})
	if !errors.Is(err, context.Canceled) {
		t.Fatalf("runDemo: %v, want an interruption", err)
	}
}
