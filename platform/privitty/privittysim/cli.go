package privittysim

import (
	"context"
	"errors"
	"flag"
	"fmt"
	"io"
	"strconv"

	"github.com/parleybot/parley/playground"
	"github.com/parleybot/parley/registry"
)

func init() {
	registry.RegisterSimulator(registry.SimInfo{
		Name:    "privitty",
		Summary: "a Privitty Edge daemon: JSON-RPC on /rpc, Server-Sent Events on /events",
		Run:     runCLI,
	})
}

const cliUsage = `Usage: parley sim privitty [--listen 127.0.0.1:7200] [--bot-name parley] [--auto-accept] [--interactive]

Runs a local Privitty Edge daemon simulator until interrupted: an HTTP
server with JSON-RPC on /rpc, Server-Sent Events on /events and /health,
over an in-memory Delta Chat account. Point a bot at the printed URL, for
example with url = "http://127.0.0.1:7200" in [bots.privitty].

With --interactive you are a contact of the bot, named "you": each line you
type is sent to the bot and its messages to you are printed as they come.
End with Ctrl-D or Ctrl-C. Without --auto-accept you first write as a
contact request, which the bot must accept (with [bots.auto_accept]
contacts = "all"); with it you join through the bot's invite and are
accepted at once.
You can also make groups with the bot and speak as their members, to try
a moderation bot by hand:
  /group team alice bob    /as alice hello    /as bob spam    /members
`

// runCLI is "parley sim privitty": it serves a simulator until ctx ends,
// or until the end of input in interactive mode.
func runCLI(ctx context.Context, args []string, stdin io.Reader, stdout, stderr io.Writer) error {
	fs := flag.NewFlagSet("parley sim privitty", flag.ContinueOnError)
	fs.SetOutput(stderr)
	fs.Usage = func() {
		fmt.Fprint(fs.Output(), cliUsage, "\nIn the interactive session:\n", playground.TerminalHelp)
		fmt.Fprintln(fs.Output(), "\nFlags:")
		fs.PrintDefaults()
	}
	listen := fs.String("listen", "127.0.0.1:7200", "`host:port` to listen on")
	botName := fs.String("bot-name", "parley", "display `name` of the bot's account")
	autoAccept := fs.Bool("auto-accept", false, "the interactive contact joins through the bot's invite instead of sending a contact request")
	interactive := fs.Bool("interactive", false, "chat with the bot from this terminal as the contact \"you\"")
	if err := fs.Parse(args); err != nil {
		if errors.Is(err, flag.ErrHelp) {
			return err
		}
		return fmt.Errorf("%w: %v", registry.ErrUsage, err)
	}
	if fs.NArg() > 0 {
		fmt.Fprintf(stderr, "unexpected argument %q\n", fs.Arg(0))
		fs.Usage()
		return fmt.Errorf("%w: unexpected argument %q", registry.ErrUsage, fs.Arg(0))
	}
	sim := New(WithListenAddr(*listen), WithBotName(*botName))
	if err := sim.Start(); err != nil {
		return err
	}
	defer sim.Close()
	fmt.Fprintf(stdout, "privittysim listening on %s (bot %q)\n", sim.URL(), *botName)
	if !*interactive {
		fmt.Fprintln(stdout, "press Ctrl-C to stop")
		<-ctx.Done()
	} else if err := interact(ctx, sim, !*autoAccept, stdin, stdout); err != nil && ctx.Err() == nil {
		return err
	}
	if err := sim.Close(); err != nil {
		return err
	}
	fmt.Fprintln(stdout, "privittysim stopped")
	return nil
}

// interact makes the person at in and out a contact of the bot named
// "you", writing first as a contact request when request is set, with the
// session commands of playground.TerminalHelp.
func interact(ctx context.Context, sim *Sim, request bool, in io.Reader, out io.Writer) error {
	opts := playground.TerminalOptions{}
	if !request {
		you, err := sim.ConnectContact("you", false)
		if err != nil {
			return err
		}
		opts.You = strconv.FormatInt(you.ID, 10)
	}
	return playground.Terminal(ctx, &pgSim{s: sim}, opts, in, out)
}
