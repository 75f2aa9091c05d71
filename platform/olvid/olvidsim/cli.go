package olvidsim

import (
	"context"
	"flag"
	"fmt"
	"io"
	"strconv"
	"time"

	"github.com/parleybot/parley/playground"
	"github.com/parleybot/parley/registry"
)

func init() {
	registry.RegisterSimulator(registry.SimInfo{
		Name:    "olvid",
		Summary: "a simulated Olvid bot daemon (gRPC), optionally chatting from the terminal",
		Run:     Run,
	})
}

const usage = `Usage: parley sim olvid [--listen 127.0.0.1:50051] [--key KEY] [--name NAME] [--interactive [--invite]] 

Runs a simulated Olvid bot daemon until interrupted: a gRPC server speaking
the daemon's protocol for one bot identity. Point a bot at it with
target = "127.0.0.1:50051" and client_key = the printed key.

With --interactive you are a contact of the bot, named "you": each line you
type is sent to the bot, and its messages to you are printed as they come.
With --invite you first invite the bot, which must accept the invitation.
You can also make groups and speak as their members, to try a moderation
bot by hand; you invite the bot to each group as an admin, and it joins
when it accepts ([bots.auto_accept] groups = "all"):
  /group team alice bob    /as alice hello    /as bob spam    /members
`

// Run is "parley sim olvid": it parses args, serves until ctx ends or,
// in interactive mode, stdin ends.
func Run(ctx context.Context, args []string, stdin io.Reader, stdout, stderr io.Writer) error {
	fs := flag.NewFlagSet("sim olvid", flag.ContinueOnError)
	fs.SetOutput(stderr)
	fs.Usage = func() {
		fmt.Fprint(stderr, usage, "\nIn the interactive session:\n", playground.TerminalHelp, "\nFlags:\n")
		fs.PrintDefaults()
	}
	listen := fs.String("listen", "127.0.0.1:50051", "`host:port` to listen on")
	key := fs.String("key", DefaultClientKey, "the client `key` the daemon accepts")
	name := fs.String("name", "Parley Bot", "display `name` of the bot identity")
	interactive := fs.Bool("interactive", false, "chat with the bot from this terminal as the contact \"you\"")
	invite := fs.Bool("invite", false, "with --interactive, invite the bot instead of being its contact already")
	if err := registry.ParseSimArgs(fs, args); err != nil {
		return err
	}
	s := New(WithAddr(*listen), WithClientKey(*key), WithIdentityName(*name))
	if err := s.Start(); err != nil {
		return err
	}
	defer s.Close()
	fmt.Fprintf(stdout, "olvidsim listening on %s, client key %s\n", s.Addr(), *key)
	if !*interactive {
		fmt.Fprintln(stdout, "press Ctrl-C to stop")
		<-ctx.Done()
		return nil
	}
	return s.Interact(ctx, *invite, stdin, stdout)
}

// Interact makes the terminal a contact of the bot named "you", with the
// session commands of playground.TerminalHelp: lines read from in are
// sent to the bot, and what the bot writes to the contact and to groups
// is written to out. With invite the contact first invites the bot and
// waits for it to accept. It returns when in ends or ctx ends.
func (s *Sim) Interact(ctx context.Context, invite bool, in io.Reader, out io.Writer) error {
	var opts playground.TerminalOptions
	if !invite {
		opts.You = strconv.FormatUint(s.AddContact("you").DiscussionID, 10)
	} else if err := waitListening(ctx, s, out); err != nil {
		return nil // ended while waiting
	}
	// After the wait: the playground's own watchers count as subscribers.
	p := newPGSim(s)
	defer p.release()
	return playground.Terminal(ctx, p, opts, in, out)
}

// waitListening waits until a bot listens for invitations: a bot learns
// of one only from its notification, so one sent earlier would wait
// unseen.
func waitListening(ctx context.Context, s *Sim, out io.Writer) error {
	if s.Subscribers("InvitationReceived") > 0 {
		return nil
	}
	fmt.Fprintln(out, "waiting for a bot to connect before inviting it…")
	t := time.NewTicker(50 * time.Millisecond)
	defer t.Stop()
	for s.Subscribers("InvitationReceived") == 0 {
		select {
		case <-ctx.Done():
			return ctx.Err()
		case <-t.C:
		}
	}
	return nil
}
