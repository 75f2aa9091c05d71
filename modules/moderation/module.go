package moderation

import (
	"github.com/parleybot/parley/registry"
	"github.com/parleybot/parley/router"
)

// Name is the module's name in [bots.modules.<name>].
const Name = "moderation"

func init() {
	registry.RegisterModule(registry.ModuleInfo{Name: Name, New: func() registry.Module { return &module{Settings: DefaultSettings()} }})
}

// module is the hosted form: the settings table decoded in place, and a
// Moderator made from it at Setup.
type module struct {
	Settings
}

// Validate implements registry.Validator.
func (h *module) Validate() error { return h.Settings.Validate() }

// Setup implements registry.Module.
func (h *module) Setup(env registry.ModuleEnv, r *router.Router) error {
	return New(h.Settings).Setup(env, r)
}
