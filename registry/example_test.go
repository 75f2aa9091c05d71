package registry_test

import (
	"errors"
	"fmt"

	"github.com/parleybot/parley/bot"
	"github.com/parleybot/parley/registry"
	"github.com/parleybot/parley/router"
)

// greet is a module: its settings are a struct with toml tags, and Setup
// adds its routes to the bot's router.
type greet struct {
	Greeting string `toml:"greeting"`
}

func (g *greet) Validate() error {
	if g.Greeting == "" {
		return registry.Field("greeting", registry.Problemf(registry.ErrMissing, "greeting is required"))
	}
	return nil
}

func (g *greet) Setup(env registry.ModuleEnv, r *router.Router) error {
	r.OnCommand("hello", func(c *bot.Context, _ router.Command) error { return c.Reply(g.Greeting) })
	return nil
}

// A module registers from an init function; importing its package is all
// a binary needs to offer it as [bots.modules.greet].
func init() {
	registry.RegisterModule(registry.ModuleInfo{
		Name: "greet",
		New:  func() registry.Module { return &greet{Greeting: "hello"} },
	})
}

func ExampleRegisterModule() {
	info, ok := registry.LookupModule("greet")
	m := info.New() // a fresh module with its defaults, for one bot's table
	fmt.Println(ok, m.(*greet).Greeting)
	// Output: true hello
}

// A Validate error made with Field and Problemf points at its key and
// says what kind of problem it is.
func ExampleField() {
	err := (&greet{}).Validate()
	fmt.Println(err)
	fmt.Println(errors.Is(err, registry.ErrMissing))
	// Output:
	// greeting: greeting is required
	// true
}
