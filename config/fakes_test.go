package config_test

import (
	"errors"
	"fmt"
	"strings"
	"sync/atomic"

	"github.com/parleybot/parley/bot"
	"github.com/parleybot/parley/config"
	"github.com/parleybot/parley/parleytest"
	"github.com/parleybot/parley/router"
)

// The test platforms and modules. The registry is global, so they are
// registered once for the whole test binary.
func init() {
	config.RegisterPlatform(config.PlatformInfo{Name: "fake", New: func() config.PlatformConfig {
		return &fakePlatform{URL: "ws://127.0.0.1:5225", Retries: 3}
	}})
	config.RegisterPlatform(config.PlatformInfo{Name: "other", New: func() config.PlatformConfig { return &fakePlatform{} }})
	config.RegisterModule(config.ModuleInfo{Name: "reply", New: func() config.Module { return &replyModule{Prefix: "echo: "} }})
	config.RegisterModule(config.ModuleInfo{Name: "upper", New: func() config.Module { return &upperModule{} }})
	config.RegisterModule(config.ModuleInfo{Name: "rules", New: func() config.Module { return &rulesModule{} }})
	config.RegisterModule(config.ModuleInfo{Name: "failing", New: func() config.Module { return &failingModule{} }})
}

// fakePlatform is the settings of the "fake" platform; it builds a
// parleytest.Platform.
type fakePlatform struct {
	URL     string          `toml:"url"`
	Timeout config.Duration `toml:"timeout"`
	Retries int             `toml:"retries"`
	Tags    []string        `toml:"tags"`
	Token   string          `toml:"token"`
	Limits  struct {
		Max int `toml:"max"`
	} `toml:"limits"`
	Extra any `toml:"extra"`

	failBuild bool
}

func (f *fakePlatform) Validate() error {
	var errs []error
	if err := config.CheckURL(f.URL, "ws", "wss"); err != nil {
		errs = append(errs, config.Field("url", err))
	}
	if f.Retries < 0 {
		errs = append(errs, config.Field("retries", fmt.Errorf("%d is negative", f.Retries)))
	}
	if f.Limits.Max > 100 {
		errs = append(errs, config.Field("limits.max", fmt.Errorf("%d is above 100", f.Limits.Max)))
	}
	if f.Token == "reject" {
		errs = append(errs, errors.New("token rejected"))
	}
	return errors.Join(errs...)
}

func (f *fakePlatform) Build(env config.PlatformEnv) (bot.Platform, error) {
	if f.Token == "fail-build" {
		return nil, errors.New("cannot build")
	}
	return parleytest.NewPlatformNamed("fake"), nil
}

// replyModule replies to every message with Prefix + text.
type replyModule struct {
	Prefix string `toml:"prefix"`

	cleaned atomic.Int32
	env     config.ModuleEnv
}

func (m *replyModule) Validate() error {
	if len(m.Prefix) > 20 {
		return config.Field("prefix", errors.New("longer than 20 bytes"))
	}
	return nil
}

func (m *replyModule) Setup(env config.ModuleEnv, r *router.Router) error {
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

func (*upperModule) Setup(env config.ModuleEnv, r *router.Router) error {
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
			errs = append(errs, config.Field(fmt.Sprintf("rules[%d].action", i), fmt.Errorf("%q is not delete or warn", r.Action)))
		}
	}
	return errors.Join(errs...)
}

func (*rulesModule) Setup(config.ModuleEnv, *router.Router) error { return nil }

// failingModule fails its Setup.
type failingModule struct{}

func (*failingModule) Setup(config.ModuleEnv, *router.Router) error { return errors.New("no luck") }
