package olvidsim

import (
	"bufio"
	"context"
	"errors"
	"flag"
	"fmt"
	"io"
	"strings"

	"google.golang.org/protobuf/proto"

	pb "github.com/parleybot/parley/platform/olvid/olvidpb"
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
`

// Run is "parley sim olvid": it parses args, serves until ctx ends or,
// in interactive mode, stdin ends.
func Run(ctx context.Context, args []string, stdin io.Reader, stdout, stderr io.Writer) error {
	fs := flag.NewFlagSet("sim olvid", flag.ContinueOnError)
	fs.SetOutput(stderr)
	fs.Usage = func() { fmt.Fprint(stderr, usage); fs.PrintDefaults() }
	listen := fs.String("listen", "127.0.0.1:50051", "`host:port` to listen on")
	key := fs.String("key", DefaultClientKey, "the client `key` the daemon accepts")
	name := fs.String("name", "Parley Bot", "display `name` of the bot identity")
	interactive := fs.Bool("interactive", false, "chat with the bot from this terminal as the contact \"you\"")
	invite := fs.Bool("invite", false, "with --interactive, invite the bot instead of being its contact already")
	if err := fs.Parse(args); err != nil {
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

// Interact makes the terminal a contact of the bot named "you": lines
// read from in are sent to the bot, and the bot's messages to the
// contact are written to out. With invite the contact first invites the
// bot and waits for it to accept. It returns when in ends or ctx ends.
func (s *Sim) Interact(ctx context.Context, invite bool, in io.Reader, out io.Writer) error {
	ctx, cancel := context.WithCancel(ctx)
	defer cancel()
	var disc uint64
	sub := s.watch("MessageSent", func(m proto.Message) bool {
		return m.(*pb.MessageSentNotification).GetMessage().GetDiscussionId() == disc
	})
	defer s.w.hub.remove("MessageSent", sub)
	if invite {
		inv, d := s.Invite("you")
		s.mu.Lock()
		disc = d
		s.mu.Unlock()
		fmt.Fprintf(out, "you invited the bot (invitation %d); waiting for it to accept…\n", inv)
	} else {
		c := s.AddContact("you")
		s.mu.Lock()
		disc = c.DiscussionID
		s.mu.Unlock()
		fmt.Fprintf(out, "you are contact %d of the bot, in discussion %d; type a message\n", c.ID, c.DiscussionID)
	}
	done := make(chan struct{})
	go func() {
		defer close(done)
		for {
			for m := sub.next(); m != nil; m = sub.next() {
				fmt.Fprintf(out, "bot> %s\n", m.(*pb.MessageSentNotification).GetMessage().GetBody())
			}
			select {
			case <-sub.wake:
			case <-ctx.Done():
				return
			}
		}
	}()
	defer func() { cancel(); <-done }()
	lines := make(chan string)
	errc := make(chan error, 1)
	go func() {
		sc := bufio.NewScanner(in)
		for sc.Scan() {
			select {
			case lines <- sc.Text():
			case <-ctx.Done():
				return
			}
		}
		errc <- sc.Err()
	}()
	for {
		select {
		case <-ctx.Done():
			return nil
		case err := <-errc:
			return err
		case line := <-lines:
			if strings.TrimSpace(line) == "" {
				continue
			}
			if _, err := s.ContactSend(disc, line); err != nil {
				if errors.Is(err, ErrUnknown) {
					fmt.Fprintln(out, "(the bot has not accepted you yet)")
					continue
				}
				return err
			}
		}
	}
}

// watch subscribes inside the simulator, as a stream would, without
// counting as one.
func (s *Sim) watch(name string, match func(proto.Message) bool) *subscriber {
	sub := &subscriber{match: match, wake: make(chan struct{}, 1), done: make(chan struct{})}
	s.w.hub.add(name, sub)
	return sub
}
