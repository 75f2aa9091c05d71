package cli

import (
	"context"
	"fmt"
	"os"
	"strings"

	"github.com/parleybot/parley/playground"
	"github.com/parleybot/parley/playground/web"
)

const playgroundUsage = `Usage: parley playground [--platform NAME [--modules echo,…] | -c bots.toml] [--listen 127.0.0.1:7070]

Starts the simulator of each bot's platform, hosts the bots against it and
serves a web page on loopback where you chat with them as any contact or
group member, create groups, moderate, inject faults (drop the connection,
delay, malformed frames) and inspect every event: its wire frame, the typed
Go event, the middleware and module that handled it, how long it took and
the commands the bot sent back.

With --platform the bot is the echo module (or --modules) accepting every
contact and group. With -c the bots of the file run, pointed at
simulators; their stores are kept in memory. Stop with Ctrl-C.
`

func cmdPlayground(ctx context.Context, args []string, std stdio) int {
	fs := newFlags("playground", playgroundUsage+"\nPlatforms: "+strings.Join(playground.Names(), ", ")+"\n", std)
	cfgPath := fs.String("c", "", "configuration `file` whose bots to run (instead of --platform)")
	fs.StringVar(cfgPath, "config", "", "configuration `file` (same as -c)")
	platform := fs.String("platform", "", "run an echo bot on this `platform`'s simulator (default simplex)")
	modules := fs.String("modules", "echo", "comma-separated `modules` of the --platform bot")
	listen := fs.String("listen", web.DefaultListen, "loopback `address` of the page")
	verbose := fs.Bool("v", false, "print the bots' logs")
	if code, ok := parseFlags(fs, args, std); !ok {
		return code
	}
	var data []byte
	name := "playground.toml"
	switch {
	case *cfgPath != "" && *platform != "":
		fmt.Fprintln(std.err, "parley playground: give either -c or --platform, not both")
		return exitUsage
	case *cfgPath != "":
		b, err := os.ReadFile(*cfgPath)
		if err != nil {
			fmt.Fprintf(std.err, "parley playground: %v\n", err)
			return exitFail
		}
		data, name = b, *cfgPath
	default:
		p := *platform
		if p == "" {
			p = "simplex"
		}
		if _, ok := playground.Lookup(p); !ok {
			fmt.Fprintf(std.err, "parley playground: no simulator for %q (available: %s)\n", p, strings.Join(playground.Names(), ", "))
			return exitUsage
		}
		var mods []string
		for _, m := range strings.Split(*modules, ",") {
			if m = strings.TrimSpace(m); m != "" {
				mods = append(mods, m)
			}
		}
		data = web.DefaultConfig(p, mods...)
	}
	opts := []web.Option{web.WithListen(*listen)}
	if *verbose {
		opts = append(opts, web.WithLogOutput(std.err))
	}
	pg, err := web.Start(ctx, data, name, opts...)
	if err != nil {
		printConfigError(err, name, std)
		return exitFail
	}
	fmt.Fprintf(std.out, "parley playground: open %s in your browser (Ctrl-C to stop)\n", pg.URL())
	if err := pg.Wait(); err != nil {
		fmt.Fprintf(std.err, "parley playground: %v\n", err)
		return exitFail
	}
	return exitOK
}
