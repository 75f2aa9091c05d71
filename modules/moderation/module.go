package moderation

import (
	"github.com/parleybot/parley/config"
	"github.com/parleybot/parley/router"
)

// Name is the module's name in [bots.modules.<name>].
const Name = "moderation"

func init() {
	config.RegisterModule(config.ModuleInfo{Name: Name, New: func() config.Module { return &module{Settings: DefaultSettings()} }})
}

// module is the hosted form: the settings table decoded in place, and a
// Moderator made from it at Setup.
type module struct {
	Settings
}

// Validate implements config.Validator.
func (h *module) Validate() error { return h.Settings.Validate() }

// Setup implements config.Module.
func (h *module) Setup(env config.ModuleEnv, r *router.Router) error {
	return New(h.Settings).Setup(env, r)
}
