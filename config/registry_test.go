package config_test

import (
	"slices"
	"strings"
	"testing"

	"github.com/parleybot/parley/config"
	"github.com/parleybot/parley/router"
)

func TestRegisterPanics(t *testing.T) {
	okPlatform := func() config.PlatformConfig { return &fakePlatform{} }
	okModule := func() config.Module { return &upperModule{} }
	tests := []struct {
		name string
		reg  func()
		want string
	}{
		{"duplicate platform", func() { config.RegisterPlatform(config.PlatformInfo{Name: "fake", New: okPlatform}) }, "registered twice"},
		{"duplicate module", func() { config.RegisterModule(config.ModuleInfo{Name: "reply", New: okModule}) }, "registered twice"},
		{"empty name", func() { config.RegisterPlatform(config.PlatformInfo{New: okPlatform}) }, "name"},
		{"upper-case name", func() { config.RegisterModule(config.ModuleInfo{Name: "Echo", New: okModule}) }, "lower-case"},
		{"reserved platform name", func() { config.RegisterPlatform(config.PlatformInfo{Name: "store", New: okPlatform}) }, "bot setting"},
		{"nil New", func() { config.RegisterModule(config.ModuleInfo{Name: "nilnew"}) }, "nil New"},
		{"New returns nil", func() {
			config.RegisterModule(config.ModuleInfo{Name: "nilvalue", New: func() config.Module { return (*upperModule)(nil) }})
		}, "non-nil pointer"},
		{"New returns a non-pointer", func() {
			config.RegisterModule(config.ModuleInfo{Name: "value", New: func() config.Module { return valueModule{} }})
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
		if slices.Contains(config.Modules(), name) {
			t.Errorf("failed registration %q was kept", name)
		}
	}
}

type valueModule struct{}

func (valueModule) Setup(config.ModuleEnv, *router.Router) error { return nil }

func TestRegistryLists(t *testing.T) {
	ps, ms := config.Platforms(), config.Modules()
	if !slices.IsSorted(ps) || !slices.IsSorted(ms) {
		t.Errorf("not sorted: %v %v", ps, ms)
	}
	for _, want := range []string{"fake", "other"} {
		if !slices.Contains(ps, want) {
			t.Errorf("Platforms() = %v, missing %q", ps, want)
		}
	}
	for _, want := range []string{"failing", "reply", "rules", "upper"} {
		if !slices.Contains(ms, want) {
			t.Errorf("Modules() = %v, missing %q", ms, want)
		}
	}
	// The lists are copies.
	ps[0] = "changed"
	if config.Platforms()[0] == "changed" {
		t.Error("Platforms returned the registry itself")
	}
}
