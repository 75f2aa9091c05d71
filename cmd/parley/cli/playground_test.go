package cli

import (
	"context"
	"encoding/json"
	"net/http"
	"os"
	"path/filepath"
	"regexp"
	"strings"
	"testing"
	"time"
)

// parley playground starts on every platform with a simulator, serves its
// state on loopback, and stops cleanly on interrupt.
func TestPlaygroundCommand(t *testing.T) {
	for _, platform := range []string{"simplex", "privitty"} {
		t.Run(platform, func(t *testing.T) {
			ctx, cancel := context.WithCancel(context.Background())
			defer cancel()
			out, errs := newSyncBuffer(), newSyncBuffer()
			wait := start(ctx, stdio{in: strings.NewReader(""), out: out, err: errs},
				"playground", "--platform", platform, "--listen", "127.0.0.1:0")
			url := out.waitMatch(t, regexp.MustCompile(`open (http://127\.0\.0\.1:\d+/) in your browser`), 10*time.Second)[1]
			resp, err := http.Get(url + "api/state")
			if err != nil {
				t.Fatal(err)
			}
			var st struct {
				Bots []struct{ Platform string }
			}
			err = json.NewDecoder(resp.Body).Decode(&st)
			resp.Body.Close()
			if err != nil || len(st.Bots) != 1 || st.Bots[0].Platform != platform {
				t.Fatalf("state %+v, %v", st, err)
			}
			cancel()
			if code, err := wait(20 * time.Second); err != nil || code != exitOK {
				t.Fatalf("exit %d, %v; stderr:\n%s", code, err, errs.String())
			}
		})
	}
}

// With -c the playground hosts the bots of the file; problems in it are
// printed with the file's own lines, and a platform without a simulator
// is named.
func TestPlaygroundConfigProblems(t *testing.T) {
	path := filepath.Join(t.TempDir(), "bots.toml")
	if err := os.WriteFile(path, []byte("[[bots]]\nname = \"b\"\nplatform = \"simplex\"\n[bots.simplex]\nurl = \"ws://x:1\"\nworkers = \"many\"\n[bots.modules.echo]\n"), 0o600); err != nil {
		t.Fatal(err)
	}
	code, _, errs := call(context.Background(), "playground", "-c", path, "--listen", "127.0.0.1:0")
	if code != exitFail || !strings.Contains(errs, "bots.toml:") {
		t.Errorf("exit %d, stderr %q", code, errs)
	}
	code, _, errs = call(context.Background(), "playground", "--platform", "nosuch")
	if code != exitUsage || !strings.Contains(errs, `no simulator for "nosuch"`) {
		t.Errorf("exit %d, stderr %q", code, errs)
	}
}
