package cli_test

import (
	"context"
	"fmt"
	"os"
	"path/filepath"

	"github.com/parleybot/parley/bot"
	"github.com/parleybot/parley/cmd/parley/cli"
	"github.com/parleybot/parley/registry"
	"github.com/parleybot/parley/router"
)

// greet is a bot author's own module: its settings are a struct with toml
// tags, and Setup adds its routes.
type greet struct {
	Greeting string `toml:"greeting"`
}

func (g *greet) Setup(_ registry.ModuleEnv, r *router.Router) error {
	r.OnCommand("hello", func(c *bot.Context, _ router.Command) error { return c.Reply(g.Greeting) })
	return nil
}

// greetModule is what the author passes to Main: in their own binary,
//
//	func main() { cli.Main(greetModule) }
//
// gives them "parley run", "validate", "playground" and the rest with
// [bots.modules.greet] available. Here Run stands in for Main, which
// would exit the process.
var greetModule = registry.ModuleInfo{Name: "greet", New: func() registry.Module { return &greet{Greeting: "hello!"} }}

func ExampleRun() {
	registry.RegisterModule(greetModule) // Main does this with its arguments
	dir, _ := os.MkdirTemp("", "parley-example")
	defer os.RemoveAll(dir)
	path := filepath.Join(dir, "bots.toml")
	_ = os.WriteFile(path, []byte(`
[[bots]]
name = "greeter"
platform = "simplex"
[bots.simplex]
url = "ws://127.0.0.1:5225"
[bots.modules.greet]
greeting = "Hi there"
`), 0o600)
	code := cli.Run(context.Background(), []string{"validate", "-c", path}, os.Stdin, os.Stdout, os.Stderr)
	fmt.Println("exit status", code)
	// Output:
	// ok: 1 bots
	// exit status 0
}
