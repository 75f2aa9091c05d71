package cli

import (
	"context"
	"errors"
	"os"
	"path/filepath"
	"slices"
	"strings"
	"testing"

	"github.com/parleybot/parley/config"
	"github.com/parleybot/parley/registry"
)

func TestValidate(t *testing.T) {
	dir := t.TempDir()
	write := func(name, src string) string {
		p := filepath.Join(dir, name)
		if err := os.WriteFile(p, []byte(src), 0o600); err != nil {
			t.Fatal(err)
		}
		return p
	}
	good := write("good.toml", `
[[bots]]
name = "one"
platform = "simplex"
[bots.simplex]
url = "ws://127.0.0.1:5225"
[bots.modules.echo]

[[bots]]
name = "two"
platform = "simplex"
[bots.simplex]
url = "wss://chat.example/ws"
`)
	bad := write("bad.toml", `[[bots]]
name = "one"
platform = "simplex"
handler_timeout = "30"
[bots.simplex]
url = "http://127.0.0.1:5225"
[bots.modules.echo]
prefx = "> "
[bots.modules.ecko]
`)
	tests := []struct {
		name  string
		path  string
		code  int
		out   string
		lines []string // stderr lines, in order
	}{
		{name: "valid", path: good, code: exitOK, out: "ok: 2 bots\n"},
		{name: "problems", path: bad, code: exitFail, lines: []string{
			bad + `:4:1: bots[0].handler_timeout: invalid duration "30"`,
			bad + `:6:1: bots[0].simplex.url: URL "http://127.0.0.1:5225": want scheme ws or wss, got http`,
			bad + `:8:1: bots[0].modules.echo.prefx: unknown key (did you mean "prefix"?)`,
			bad + `:9:1: bots[0].modules.ecko: module "ecko" is not registered (did you mean "echo"?)`,
			bad + `: 4 problem(s)`,
		}},
		{name: "missing file", path: filepath.Join(dir, "none.toml"), code: exitFail, lines: []string{"parley: config: open "}},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			code, out, errs := call(context.Background(), "validate", "-c", tt.path)
			if code != tt.code || out != tt.out {
				t.Fatalf("exit %d, stdout %q (stderr %s), want exit %d, stdout %q", code, out, errs, tt.code, tt.out)
			}
			got := strings.Split(strings.TrimSuffix(errs, "\n"), "\n")
			if len(tt.lines) == 0 {
				got = nil
			}
			if len(got) != len(tt.lines) {
				t.Fatalf("stderr has %d lines, want %d:\n%s", len(got), len(tt.lines), errs)
			}
			for i, want := range tt.lines {
				if !strings.HasPrefix(got[i], want) {
					t.Errorf("stderr line %d:\n%s\nwant prefix\n%s", i+1, got[i], want)
				}
			}
		})
	}
}

// TestValidateExample checks examples/bots.toml the way a user would,
// with every module parley registers.
func TestValidateExample(t *testing.T) {
	const path = "../../../examples/bots.toml"
	code, out, errs := call(context.Background(), "validate", "--config", path)
	if slices.Contains(registry.Modules(), "moderation") {
		if code != exitOK || out != "ok: 2 bots\n" {
			t.Fatalf("exit %d, stdout %q, stderr:\n%s", code, out, errs)
		}
		return
	}
	// Until the moderation module registers, its table is the only
	// acceptable problem.
	_, err := config.Load(path)
	var ce *config.Error
	if !errors.As(err, &ce) {
		t.Fatalf("Load: %v", err)
	}
	for _, p := range ce.Problems {
		if !errors.Is(p, config.ErrUnknownModule) || !strings.Contains(p.Error(), `module "moderation" is not registered`) {
			t.Errorf("examples/bots.toml: %v", p)
		}
	}
	if code != exitFail || !strings.Contains(errs, `module "moderation" is not registered`) {
		t.Errorf("exit %d, stderr:\n%s", code, errs)
	}
	t.Skip(`the "moderation" module is not registered yet; the rest of examples/bots.toml validates`)
}
