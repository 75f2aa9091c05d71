package cli

import (
	"context"
	"encoding/json"
	"fmt"
	"io"
	"regexp"
	"strings"
	"testing"
	"time"

	"github.com/coder/websocket"
	"github.com/parleybot/parley/config"
)

// TestSimServes runs `parley sim simplex` and talks to it with a plain
// WebSocket client, as a bot would.
func TestSimServes(t *testing.T) {
	ctx, cancel := context.WithCancel(context.Background())
	defer cancel()
	out := newSyncBuffer()
	var errb strings.Builder
	wait := start(ctx, stdio{in: strings.NewReader(""), out: out, err: &errb},
		"sim", "simplex", "--listen", "127.0.0.1:0", "--bot-name", "tester")
	m := out.waitMatch(t, regexp.MustCompile(`listening on (ws://127\.0\.0\.1:\d+) \(bot user "tester"\)`), 5*time.Second)

	dctx, dcancel := context.WithTimeout(ctx, 5*time.Second)
	defer dcancel()
	conn, _, err := websocket.Dial(dctx, m[1], nil)
	if err != nil {
		t.Fatal(err)
	}
	defer conn.CloseNow()
	if err := conn.Write(dctx, websocket.MessageText, []byte(`{"corrId":"7","cmd":"/user"}`)); err != nil {
		t.Fatal(err)
	}
	var resp struct {
		CorrID string `json:"corrId"`
		Resp   struct {
			Type string `json:"type"`
			User struct {
				Profile struct {
					DisplayName string `json:"displayName"`
				} `json:"profile"`
			} `json:"user"`
		} `json:"resp"`
	}
	for resp.CorrID != "7" { // events may come first
		_, data, err := conn.Read(dctx)
		if err != nil {
			t.Fatal(err)
		}
		if err := json.Unmarshal(data, &resp); err != nil {
			t.Fatalf("%v: %s", err, data)
		}
	}
	if resp.Resp.Type != "activeUser" || resp.Resp.User.Profile.DisplayName != "tester" {
		t.Errorf("/user answered %+v", resp.Resp)
	}

	cancel()
	code, err := wait(10 * time.Second)
	if err != nil || code != exitOK {
		t.Fatalf("exit %d, %v; stderr:\n%s", code, err, errb.String())
	}
	if !strings.HasSuffix(out.String(), "simplexsim stopped\n") {
		t.Errorf("stdout:\n%s", out.String())
	}
}

func TestSimListenFails(t *testing.T) {
	code, _, errs := call(context.Background(), "sim", "simplex", "--listen", "127.0.0.1:99999")
	if code != exitFail || !strings.Contains(errs, "listen") {
		t.Errorf("exit %d, stderr %q", code, errs)
	}
}

// TestSimSimplexInteractive is a person at a terminal chatting with an
// echo bot that accepts contacts by policy and welcomes them, through
// "parley sim simplex --interactive".
func TestSimSimplexInteractive(t *testing.T) {
	in, typing := io.Pipe()
	defer typing.Close()
	out := newSyncBuffer()
	var errb strings.Builder
	wait := start(context.Background(), stdio{in: in, out: out, err: &errb},
		"sim", "simplex", "--listen", "127.0.0.1:0", "--interactive")
	m := out.waitMatch(t, regexp.MustCompile(`listening on (ws://127\.0\.0\.1:\d+)`), 5*time.Second)
	out.waitMatch(t, regexp.MustCompile(`waiting for a bot`), 5*time.Second)
	stopBot := runEchoBot(t, "simplex", m[1], "[bots.auto_accept]\ncontacts = \"all\"\nwelcome = \"Welcome!\\nTwo lines.\"\n")
	defer stopBot()

	out.waitMatch(t, regexp.MustCompile(`(?m)^bot: Welcome!\n     Two lines\.$`), 5*time.Second)
	for _, line := range []string{"hi there", "", "second"} {
		if _, err := fmt.Fprintln(typing, line); err != nil {
			t.Fatal(err)
		}
	}
	out.waitMatch(t, regexp.MustCompile(`(?m)^bot: hi there\nbot: second$`), 5*time.Second)
	typing.Close() // Ctrl-D
	code, err := wait(5 * time.Second)
	if err != nil || code != exitOK {
		t.Fatalf("exit %d, %v; stderr:\n%s", code, err, errb.String())
	}
	if !strings.HasSuffix(out.String(), "simplexsim stopped\n") {
		t.Errorf("stdout:\n%s", out.String())
	}
	if n := strings.Count(out.String(), "bot: "); n != 3 {
		t.Errorf("%d bot messages printed, want the welcome and two echoes (the blank line is not sent)", n)
	}
}

// TestSimPrivittyInteractive is the same conversation on the Privitty
// simulator: the person writes first, as a contact request the bot
// accepts by policy.
func TestSimPrivittyInteractive(t *testing.T) {
	in, typing := io.Pipe()
	defer typing.Close()
	out := newSyncBuffer()
	var errb strings.Builder
	wait := start(context.Background(), stdio{in: in, out: out, err: &errb},
		"sim", "privitty", "--listen", "127.0.0.1:0", "--interactive")
	m := out.waitMatch(t, regexp.MustCompile(`listening on (http://127\.0\.0\.1:\d+)`), 5*time.Second)
	out.waitMatch(t, regexp.MustCompile(`waiting for a bot`), 5*time.Second)
	stopBot := runEchoBot(t, "privitty", m[1], "[bots.auto_accept]\ncontacts = \"all\"\n")
	defer stopBot()

	out.waitMatch(t, regexp.MustCompile(`you are connected`), 5*time.Second)
	if _, err := fmt.Fprintln(typing, "hello privitty"); err != nil {
		t.Fatal(err)
	}
	out.waitMatch(t, regexp.MustCompile(`(?m)^bot: hello privitty$`), 5*time.Second)
	typing.Close()
	code, err := wait(5 * time.Second)
	if err != nil || code != exitOK {
		t.Fatalf("exit %d, %v; stderr:\n%s", code, err, errb.String())
	}
	if !strings.HasSuffix(out.String(), "privittysim stopped\n") {
		t.Errorf("stdout:\n%s", out.String())
	}
}

// TestSimInterrupted ends interactive sessions with Ctrl-C while the bot
// has not accepted yet: the simulator stops cleanly.
func TestSimInterrupted(t *testing.T) {
	for _, name := range []string{"simplex", "privitty"} {
		t.Run(name, func(t *testing.T) {
			ctx, cancel := context.WithCancel(context.Background())
			defer cancel()
			out := newSyncBuffer()
			var errb strings.Builder
			wait := start(ctx, stdio{in: strings.NewReader(""), out: out, err: &errb},
				"sim", name, "--listen", "127.0.0.1:0", "--interactive")
			out.waitMatch(t, regexp.MustCompile(`waiting for a bot`), 5*time.Second)
			cancel()
			code, err := wait(5 * time.Second)
			if err != nil || code != exitOK {
				t.Fatalf("exit %d, %v; stderr:\n%s", code, err, errb.String())
			}
			if !strings.HasSuffix(out.String(), name+"sim stopped\n") {
				t.Errorf("stdout:\n%s", out.String())
			}
		})
	}
}

// runEchoBot runs an echo bot from a configuration on platform at url, with
// extra TOML appended to its [[bots]] table; the func stops it.
func runEchoBot(t *testing.T, platform, url, extra string) (stop func()) {
	t.Helper()
	src := fmt.Sprintf("[[bots]]\nname = \"echo\"\nplatform = %[1]q\n[bots.%[1]s]\nurl = %[2]q\n[bots.modules.echo]\n%[3]s", platform, url, extra)
	cfg, err := config.Parse([]byte(src), "bots.toml")
	if err != nil {
		t.Fatal(err)
	}
	hb, err := config.BuildBot(cfg.Bots[0], nil)
	if err != nil {
		t.Fatal(err)
	}
	ctx, cancel := context.WithCancel(context.Background())
	done := make(chan error, 1)
	go func() { done <- hb.Bot.Run(ctx) }()
	return func() {
		cancel()
		if err := <-done; err != nil {
			t.Errorf("bot: %v", err)
		}
		hb.Close()
	}
}
