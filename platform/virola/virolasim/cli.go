package virolasim

import (
	"context"
	"flag"
	"fmt"
	"io"
	"strings"
	"sync"

	"github.com/parleybot/parley/platform/virola"
	"github.com/parleybot/parley/playground"
	"github.com/parleybot/parley/registry"
)

func init() {
	registry.RegisterSimulator(registry.SimInfo{
		Name:    "virola",
		Summary: "a local Virola Server (Web API and events socket) with a bot account and a person to type as",
		Run:     run,
	})
}

const usage = `Usage: parley sim virola [--listen 127.0.0.1:7777] [--tls] [--bot NAME] [--bot-password PW] [--user NAME] [--interactive]

Runs a local Virola Server until interrupted: the Web API and the events
socket, with a bot account and a person with a private room with the bot.
Point a bot at the printed URL with url and the bot's user_name and
password (or token) in [bots.virola].

With --interactive you are the person (--user): each line you type is
posted to the bot in your private room, and what the bot posts to you and
to groups is printed. You can also make groups (public rooms) with the bot
and speak as their members, to try a moderation bot by hand:
  /group team bob carol    /as bob hello    /as carol spam    /members
`

// run is "parley sim virola": it serves until ctx ends; with -interactive
// the person at the terminal chats with the bot (playground.Terminal).
func run(ctx context.Context, args []string, stdin io.Reader, stdout, stderr io.Writer) error {
	fs := flag.NewFlagSet("parley sim virola", flag.ContinueOnError)
	fs.SetOutput(stderr)
	fs.Usage = func() {
		fmt.Fprint(stderr, usage, "\nIn the interactive session:\n", playground.TerminalHelp, "\nFlags:\n")
		fs.PrintDefaults()
	}
	listen := fs.String("listen", "127.0.0.1:7777", "listen address")
	useTLS := fs.Bool("tls", false, "serve HTTPS with a self-signed certificate")
	botName := fs.String("bot", "bot", "the bot's user name")
	botPass := fs.String("bot-password", "bot", "the bot's password")
	person := fs.String("user", "alice", "the person's user name")
	interactive := fs.Bool("interactive", false, "type as the person on stdin")
	if err := registry.ParseSimArgs(fs, args); err != nil {
		return err
	}
	if *person == "" || *person == *botName {
		return fmt.Errorf("%w: --user must name someone other than the bot", registry.ErrUsage)
	}
	s := New(WithListenAddr(*listen), WithTLS(*useTLS))
	if err := s.Start(); err != nil {
		return err
	}
	defer s.Close()
	b := s.AddUser(*botName, "Bot", *botPass)
	u := s.AddUser(*person, strings.ToUpper((*person)[:1])+(*person)[1:], *person)
	room, err := s.NewPrivateRoom(u.UserID, b.UserID)
	if err != nil {
		return err
	}
	fmt.Fprintf(stdout, "virola simulator on %s\n", s.URL())
	fmt.Fprintf(stdout, "bot: user %q password %q token %s\n", *botName, *botPass, s.Token(b.UserID))
	fmt.Fprintf(stdout, "%s's private room with the bot: %d\n", *person, room.RoomID)
	if *interactive {
		return playground.Terminal(ctx, &pgSim{s: s, bot: b.UserID}, playground.TerminalOptions{You: itoa(u.UserID)}, stdin, stdout)
	}
	var mu sync.Mutex // the subscriber's calls may overlap
	cancel := s.Subscribe(func(m virola.Message) {
		if m.UserID != b.UserID {
			return
		}
		mu.Lock()
		defer mu.Unlock()
		if m.ParentMessageID != 0 {
			fmt.Fprintf(stdout, "bot (re %d) in room %d: %s\n", m.ParentMessageID, m.RoomID, m.Text)
		} else {
			fmt.Fprintf(stdout, "bot in room %d: %s\n", m.RoomID, m.Text)
		}
	})
	defer cancel()
	fmt.Fprintln(stdout, "press Ctrl-C to stop")
	<-ctx.Done()
	return nil
}
