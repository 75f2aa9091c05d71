package registry_test

import (
	"context"
	"io"
	"slices"
	"strings"
	"testing"

	"github.com/parleybot/parley/bot"
	"github.com/parleybot/parley/parleytest"
	"github.com/parleybot/parley/registry"
	"github.com/parleybot/parley/router"
)

// The registry is global, so the test registrations happen once for the
// whole test binary.
func init() {
	registry.RegisterPlatform(registry.PlatformInfo{Name: "fake", New: func() registry.PlatformConfig { return &fakePlatform{} }})
	registry.RegisterPlatform(registry.PlatformInfo{Name: "other", New: func() registry.PlatformConfig { return &fakePlatform{} }})
	registry.RegisterModule(registry.ModuleInfo{Name: "reply", New: func() registry.Module { return &nopModule{} }})
	registry.RegisterModule(registry.ModuleInfo{Name: "upper", New: func() registry.Module { return &nopModule{} }})
	registry.RegisterSimulator(registry.SimInfo{Name: "fake", Summary: "a fake", Run: runNothing})
}

type fakePlatform struct {
	URL string `toml:"url"`
}

func (*fakePlatform) Validate() error { return nil }
func (*fakePlatform) Build(registry.PlatformEnv) (bot.Platform, error) {
	return parleytest.NewPlatformNamed("fake"), nil
}

type nopModule struct{}

func (*nopModule) Setup(registry.ModuleEnv, *router.Router) error { return nil }

type valueModule struct{}

func (valueModule) Setup(registry.ModuleEnv, *router.Router) error { return nil }

func runNothing(context.Context, []string, io.Reader, io.Writer, io.Writer) error { return nil }

func TestRegisterPanics(t *testing.T) {
	okPlatform := func() registry.PlatformConfig { return &fakePlatform{} }
	okModule := func() registry.Module { return &nopModule{} }
	tests := []struct {
		name string
		reg  func()
		want string
	}{
		{"duplicate platform", func() { registry.RegisterPlatform(registry.PlatformInfo{Name: "fake", New: okPlatform}) }, "registered twice"},
		{"duplicate module", func() { registry.RegisterModule(registry.ModuleInfo{Name: "reply", New: okModule}) }, "registered twice"},
		{"duplicate simulator", func() { registry.RegisterSimulator(registry.SimInfo{Name: "fake", Run: runNothing}) }, "registered twice"},
		{"empty name", func() { registry.RegisterPlatform(registry.PlatformInfo{New: okPlatform}) }, "name"},
		{"upper-case name", func() { registry.RegisterModule(registry.ModuleInfo{Name: "Echo", New: okModule}) }, "lower-case"},
		{"simulator name", func() { registry.RegisterSimulator(registry.SimInfo{Name: "a b", Run: runNothing}) }, "lower-case"},
		{"reserved platform name", func() { registry.RegisterPlatform(registry.PlatformInfo{Name: "store", New: okPlatform}) }, "bot setting"},
		{"nil New", func() { registry.RegisterModule(registry.ModuleInfo{Name: "nilnew"}) }, "nil New"},
		{"nil Run", func() { registry.RegisterSimulator(registry.SimInfo{Name: "nilrun"}) }, "nil Run"},
		{"New returns nil", func() {
			registry.RegisterModule(registry.ModuleInfo{Name: "nilvalue", New: func() registry.Module { return (*nopModule)(nil) }})
		}, "non-nil pointer"},
		{"New returns a non-pointer", func() {
			registry.RegisterModule(registry.ModuleInfo{Name: "value", New: func() registry.Module { return valueModule{} }})
		}, "pointer"},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			defer func() {
				r := recover()
				if r == nil || !strings.Contains(r.(string), tt.want) {
					t.Errorf("panic %v, want one containing %q", r, tt.want)
				}
			}()
			tt.reg()
		})
	}
	for _, name := range []string{"nilvalue", "value", "nilnew"} {
		if slices.Contains(registry.Modules(), name) {
			t.Errorf("failed registration %q was kept", name)
		}
	}
	if slices.Contains(registry.Simulators(), "nilrun") {
		t.Error("failed simulator registration was kept")
	}
}

func TestLists(t *testing.T) {
	ps, ms, ss := registry.Platforms(), registry.Modules(), registry.Simulators()
	if !slices.Equal(ps, []string{"fake", "other"}) || !slices.Equal(ms, []string{"greet", "reply", "upper"}) || !slices.Equal(ss, []string{"fake"}) {
		t.Errorf("Platforms %v, Modules %v, Simulators %v", ps, ms, ss)
	}
	// The lists are copies.
	ps[0] = "changed"
	if registry.Platforms()[0] == "changed" {
		t.Error("Platforms returned the registry itself")
	}
}

func TestLookup(t *testing.T) {
	if p, ok := registry.LookupPlatform("fake"); !ok || p.Name != "fake" {
		t.Errorf("LookupPlatform(fake) = %v, %v", p.Name, ok)
	}
	if _, ok := registry.LookupPlatform("nope"); ok {
		t.Error("LookupPlatform(nope) found something")
	}
	if m, ok := registry.LookupModule("upper"); !ok || m.Name != "upper" {
		t.Errorf("LookupModule(upper) = %v, %v", m.Name, ok)
	}
	if s, ok := registry.LookupSimulator("fake"); !ok || s.Summary != "a fake" {
		t.Errorf("LookupSimulator(fake) = %+v, %v", s, ok)
	}
	if _, ok := registry.LookupSimulator("other"); ok {
		t.Error("a platform name found a simulator")
	}
}
