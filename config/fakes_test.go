package config_test

import (
	"context"
	"errors"
	"fmt"
	"strings"
	"sync/atomic"

	"github.com/parleybot/parley/bot"
	"github.com/parleybot/parley/parleytest"
	"github.com/parleybot/parley/registry"
	"github.com/parleybot/parley/router"
)

// The test platforms and modules. The registry is global, so they are
// registered once for the whole test binary.
func init() {
	registry.RegisterPlatform(registry.PlatformInfo{Name: "fake", New: func() registry.PlatformConfig {
		return &fakePlatform{URL: "ws://127.0.0.1:5225", Retries: 3}
	}})
	registry.RegisterPlatform(registry.PlatformInfo{Name: "other", New: func() registry.PlatformConfig { return &fakePlatform{} }})
	registry.RegisterModule(registry.ModuleInfo{Name: "reply", New: func() registry.Module { return &replyModule{Prefix: "echo: "} }})
	registry.RegisterModule(registry.ModuleInfo{Name: "upper", New: func() registry.Module { return &upperModule{} }})
	registry.RegisterModule(registry.ModuleInfo{Name: "rules", New: func() registry.Module { return &rulesModule{} }})
	registry.RegisterModule(registry.ModuleInfo{Name: "failing", New: func() registry.Module { return &failingModule{} }})
}

// fakePlatform is the settings of the "fake" platform; it builds a
// parleytest.Platform.
type fakePlatform struct {
	URL     string            `toml:"url"`
	Timeout registry.Duration `toml:"timeout"`
	Retries int               `toml:"retries"`
	Tags    []string          `toml:"tags"`
	Token   string            `toml:"token"`
	Limits  struct {
		Max int `toml:"max"`
	} `toml:"limits"`
	Extra any `toml:"extra"`

	failBuild bool
}

func (f *fakePlatform) Validate() error {
	var errs []error
	if err := registry.CheckURL(f.URL, "ws", "wss"); err != nil {
		errs = append(errs, registry.Field("url", err))
	}
	if f.Retries < 0 {
		errs = append(errs, registry.Field("retries", fmt.Errorf("%d is negative", f.Retries)))
	}
	if f.Limits.Max > 100 {
		errs = append(errs, registry.Field("limits.max", fmt.Errorf("%d is above 100", f.Limits.Max)))
	}
	if f.Token == "reject" {
		errs = append(errs, errors.New("token rejected"))
	}
	return errors.Join(errs...)
}

func (f *fakePlatform) Build(env registry.PlatformEnv) (bot.Platform, error) {
	if f.Token == "fail-build" {
		return nil, errors.New("cannot build")
	}
	if f.Token == "closer" {
		return &closerPlatform{Platform: parleytest.NewPlatformNamed("fake")}, nil
	}
	return parleytest.NewPlatformNamed("fake"), nil
}

// closerPlatform counts its Close calls in closedPlatforms.
type closerPlatform struct{ *parleytest.Platform }

var closedPlatforms atomic.Int64

func (c *closerPlatform) Close(context.Context) error {
	closedPlatforms.Add(1)
	return nil
}

// replyModule replies to every message with Prefix + text.
type replyModule struct {
	Prefix string `toml:"prefix"`

	cleaned atomic.Int32
	env     registry.ModuleEnv
}

func (m *replyModule) Validate() error {
	if len(m.Prefix) > 20 {
		return registry.Field("prefix", errors.New("longer than 20 bytes"))
	}
	return nil
}

func (m *replyModule) Setup(env registry.ModuleEnv, r *router.Router) error {
	m.env = env
	r.OnMessage(func(c *bot.Context, msg bot.Message) error {
		return c.Answer(m.Prefix + msg.Text)
	})
	return nil
}

func (m *replyModule) Cleanup() error {
	m.cleaned.Add(1)
	return nil
}

// upperModule answers /up commands with the upper-cased arguments.
type upperModule struct{}

func (*upperModule) Setup(env registry.ModuleEnv, r *router.Router) error {
	r.OnMessage(func(c *bot.Context, msg bot.Message) error {
		return c.Answer(strings.ToUpper(msg.Text))
	})
	return nil
}

// rulesModule has an array of tables in its settings.
type rulesModule struct {
	Rules []struct {
		Pattern string `toml:"pattern"`
		Action  string `toml:"action"`
	} `toml:"rules"`
}

func (m *rulesModule) Validate() error {
	var errs []error
	for i, r := range m.Rules {
		if r.Action != "delete" && r.Action != "warn" {
			errs = append(errs, registry.Field(fmt.Sprintf("rules[%d].action", i), fmt.Errorf("%q is not delete or warn", r.Action)))
		}
	}
	return errors.Join(errs...)
}

func (*rulesModule) Setup(registry.ModuleEnv, *router.Router) error { return nil }

// failingModule fails its Setup.
type failingModule struct{}

func (*failingModule) Setup(registry.ModuleEnv, *router.Router) error { return errors.New("no luck") }
