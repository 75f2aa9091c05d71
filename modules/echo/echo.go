// Package echo is the "echo" module for hosted bots: it answers every text
// message with the same text, and /help with a short explanation.
//
// In bots.toml:
//
//	[bots.modules.echo]
//	prefix = ""          # prepended to every echo
//	direct_only = true   # ignore group messages
//	help = "…"           # the /help answer; "" echoes /help like any text
//
// Importing the package registers the module with package registry.
package echo

import (
	"github.com/parleybot/parley/bot"
	"github.com/parleybot/parley/registry"
	"github.com/parleybot/parley/router"
)

// Name is the module's name in [bots.modules.<name>].
const Name = "echo"

// DefaultHelp is the default answer to /help.
const DefaultHelp = "I am an echo bot: send me any text and I will send it back."

func init() {
	registry.RegisterModule(registry.ModuleInfo{Name: Name, New: func() registry.Module { return New() }})
}

// Module is the echo module's settings; it implements registry.Module.
type Module struct {
	// Prefix is prepended to every echoed text.
	Prefix string `toml:"prefix"`
	// DirectOnly ignores messages in groups, where echoing everyone would
	// be noise.
	DirectOnly bool `toml:"direct_only"`
	// Help answers /help; empty leaves /help to be echoed.
	Help string `toml:"help"`
}

// New returns the module with its defaults: no prefix, direct chats
// only, DefaultHelp.
func New() *Module {
	return &Module{DirectOnly: true, Help: DefaultHelp}
}

// Setup implements registry.Module. It keeps no state, so a rebuilt bot can
// run it again.
func (m *Module) Setup(env registry.ModuleEnv, r *router.Router) error {
	m.Register(r)
	return nil
}

// Register adds the module's routes to r, for bots built without a
// configuration file.
func (m *Module) Register(r *router.Router) {
	var filters []router.Filter
	if m.DirectOnly {
		filters = append(filters, router.Direct())
	}
	if m.Help != "" {
		help := m.Help
		r.OnCommand("help", func(c *bot.Context, _ router.Command) error {
			return c.Reply(help)
		}, filters...)
	}
	prefix := m.Prefix
	r.OnMessage(func(c *bot.Context, msg bot.Message) error {
		if msg.Text == "" {
			return nil // a file or other content without text
		}
		return c.Reply(prefix + msg.Text)
	}, filters...)
}
