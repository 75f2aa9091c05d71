package cli

import (
	"context"
	"io"
	"os"
	"path/filepath"
	"regexp"
	"strings"
	"sync"
	"testing"
	"time"

	"github.com/parleybot/parley/bot"
	"github.com/parleybot/parley/platform/simplex/simplexsim"
	"github.com/parleybot/parley/registry"
	"github.com/parleybot/parley/router"
)

// shout is a bot author's own module, as Main(modules…) would register it.
type shout struct {
	Suffix string `toml:"suffix"`
}

func (s *shout) Setup(_ registry.ModuleEnv, r *router.Router) error {
	r.OnMessage(func(c *bot.Context, m bot.Message) error { return c.Reply(strings.ToUpper(m.Text) + s.Suffix) })
	return nil
}

// registerShout registers shout once, however often the test runs.
var registerShout sync.Once

// TestOwnModuleIsHostedWithMetrics registers a module as Main does and
// hosts it with "run": it answers, and /metrics counts its events and
// commands exactly as for the stock modules.
func TestOwnModuleIsHostedWithMetrics(t *testing.T) {
	registerShout.Do(func() {
		registry.RegisterModule(registry.ModuleInfo{Name: "shout", New: func() registry.Module { return &shout{} }})
	})
	sim := simplexsim.New(simplexsim.WithAddress(false, ""))
	if err := sim.Start(); err != nil {
		t.Fatal(err)
	}
	defer sim.Close()
	path := filepath.Join(t.TempDir(), "bots.toml")
	cfg := `
[server]
listen = "127.0.0.1:0"
log_format = "json"
[[bots]]
name = "own"
platform = "simplex"
[bots.simplex]
url = "` + sim.URL() + `"
[bots.auto_accept]
contacts = "all"
[bots.modules.shout]
`
	if err := os.WriteFile(path, []byte(cfg), 0o600); err != nil {
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
	if err := sim.Wait(5*time.Second, func(w *simplexsim.World) bool {
		for _, a := range w.Actions() {
			if c, ok := w.Contact(a.ContactID); a.Kind == simplexsim.ActionAcceptContact && ok && c.Ready {
				carol = c.ID
				return true
			}
		}
		return false
	}); err != nil {
		t.Fatal(err)
	}
	if _, err := sim.ContactSend(carol, "hello"); err != nil {
		t.Fatal(err)
	}
	sent, err := sim.WaitBotSent(1, 5*time.Second)
	if err != nil {
		t.Fatal(err)
	}
	if sent[0].Text != "HELLO" {
		t.Errorf("bot sent %q, want HELLO", sent[0].Text)
	}
	// The command's outcome is counted as its answer is read, which may
	// come just after the handler is done: poll for everything.
	wants := []string{
		`parley_commands_total{bot="own",command="/_send",outcome="ok",platform="simplex"} 1`,
		`parley_requests_total{bot="own",decision="accepted",kind="contact"} 1`,
		`parley_queue_depth{bot="own"}`,
	}
	handled := regexp.MustCompile(`(?m)^parley_events_handled_total\{bot="own",platform="simplex",type="newChatItems"\} 1$`)
	var body string
	complete := func() bool {
		_, body = get(t, base+"/metrics")
		for _, w := range wants {
			if !strings.Contains(body, w) {
				return false
			}
		}
		return handled.MatchString(body)
	}
	if err := poll(5*time.Second, complete); err != nil {
		t.Fatalf("/metrics lacks the own module's handled event, or one of %q:\n%s", wants, grepLines(body, `bot="own"`))
	}
	cancel()
	if code, err := wait(15 * time.Second); err != nil || code != exitOK {
		t.Fatalf("exit %d, %v", code, err)
	}
}
