package cli

import (
	"context"
	"regexp"
	"runtime/debug"
	"strings"
	"testing"

	"github.com/parleybot/parley/registry"
)

func TestVersionOfBuildInfo(t *testing.T) {
	const rev = "5fde10350049aa11bb22cc33dd44ee55ff667788"
	tests := []struct {
		name     string
		version  string
		settings []debug.BuildSetting
		want     string
	}{
		{"release", "v0.3.0", []debug.BuildSetting{{Key: "vcs.revision", Value: rev}, {Key: "vcs.modified", Value: "false"}},
			"v0.3.0 commit 5fde10350049 go1.26.0"},
		{"clone", "v0.0.0-20261202213130-5fde10350049", []debug.BuildSetting{{Key: "vcs.revision", Value: rev}},
			"v0.0.0-20261202213130-5fde10350049 commit 5fde10350049 go1.26.0"},
		{"modified", "(devel)", []debug.BuildSetting{{Key: "vcs.revision", Value: rev}, {Key: "vcs.modified", Value: "true"}},
			"devel commit 5fde10350049 (modified) go1.26.0"},
		{"no vcs", "", nil, "devel commit unknown go1.26.0"},
		{"short revision", "(devel)", []debug.BuildSetting{{Key: "vcs.revision", Value: "abc"}}, "devel commit abc go1.26.0"},
	}
	for _, tt := range tests {
		bi := &debug.BuildInfo{GoVersion: "go1.26.0", Main: debug.Module{Path: "github.com/parleybot/parley", Version: tt.version}, Settings: tt.settings}
		if got := versionOf(bi); got != tt.want {
			t.Errorf("%s: %q, want %q", tt.name, got, tt.want)
		}
	}
}

// Every simulator's -h prints its usage once and exits 0, as the
// commands' -h does.
func TestSimHelpPrintsOnce(t *testing.T) {
	names := registry.Simulators()
	if len(names) == 0 {
		t.Fatal("no simulators registered")
	}
	for _, name := range names {
		code, out, errs := call(context.Background(), "sim", name, "-h")
		usage := regexp.MustCompile(`Usage( of)?:? parley sim ` + name + `\b`)
		if n := len(usage.FindAllString(out+errs, -1)); code != exitOK || n != 1 {
			t.Errorf("sim %s -h: exit %d, usage printed %d times; stdout %q, stderr %q", name, code, n, out, errs)
		}
	}
	code, out, errs := call(context.Background(), "-h")
	if code != exitOK || strings.Count(out, "Usage:") != 1 || errs != "" {
		t.Errorf("parley -h: exit %d, stdout %q, stderr %q", code, out, errs)
	}
}
