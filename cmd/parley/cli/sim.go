package cli

import (
	"context"
	"errors"
	"flag"
	"fmt"
	"strings"
	"text/tabwriter"

	"github.com/parleybot/parley/registry"
)

const simUsage = `Usage: parley sim NAME [flags]

Runs a local simulator of a messenger's bot API until SIGINT, for trying
bots without an account. "parley sim NAME -h" lists a simulator's flags;
most have --interactive, where you chat with the bot from the terminal.

Simulators:
`

// simHelp is the usage with the registered simulators.
func simHelp() string {
	var b strings.Builder
	b.WriteString(simUsage)
	tw := tabwriter.NewWriter(&b, 0, 4, 3, ' ', 0)
	for _, name := range registry.Simulators() {
		info, _ := registry.LookupSimulator(name)
		fmt.Fprintf(tw, "  %s\t%s\n", name, info.Summary)
	}
	tw.Flush()
	return b.String()
}

func cmdSim(ctx context.Context, args []string, std stdio) int {
	if len(args) == 0 || strings.HasPrefix(args[0], "-") {
		fs := newFlags("sim", simHelp(), std)
		if code, ok := parseFlags(fs, args, std); !ok {
			return code
		}
		fmt.Fprintf(std.err, "parley sim: name a platform to simulate (%s)\n", strings.Join(registry.Simulators(), ", "))
		return exitUsage
	}
	name := args[0]
	info, ok := registry.LookupSimulator(name)
	if !ok {
		fmt.Fprintf(std.err, "parley sim: no simulator for %q (available: %s)\n", name, strings.Join(registry.Simulators(), ", "))
		return exitUsage
	}
	err := info.Run(ctx, args[1:], std.in, std.out, std.err)
	switch {
	case err == nil, errors.Is(err, flag.ErrHelp):
		return exitOK
	case errors.Is(err, registry.ErrUsage):
		return exitUsage // the simulator printed the problem and its usage
	}
	fmt.Fprintf(std.err, "parley sim %s: %v\n", name, err)
	return exitFail
}
