package virolasim

import (
	"bufio"
	"context"
	"flag"
	"fmt"
	"io"
	"strings"
	"sync"

	"github.com/parleybot/parley/platform/virola"
	"github.com/parleybot/parley/registry"
)

func init() {
	registry.RegisterSimulator(registry.SimInfo{
		Name:    "virola",
		Summary: "a local Virola Server (Web API and events socket) with a bot account and a person to type as",
		Run:     run,
	})
}

// run is "parley sim virola": it serves until ctx ends; with -interactive
// every line on stdin is posted by the person into their private room
// with the bot, and what the bot posts there is printed.
func run(ctx context.Context, args []string, stdin io.Reader, stdout, stderr io.Writer) error {
	fs := flag.NewFlagSet("parley sim virola", flag.ContinueOnError)
	fs.SetOutput(stderr)
	listen := fs.String("listen", "127.0.0.1:7777", "listen address")
	useTLS := fs.Bool("tls", false, "serve HTTPS with a self-signed certificate")
	botName := fs.String("bot", "bot", "the bot's user name")
	botPass := fs.String("bot-password", "bot", "the bot's password")
	person := fs.String("user", "alice", "the person's user name")
	interactive := fs.Bool("interactive", false, "type as the person on stdin")
	if err := registry.ParseSimArgs(fs, args); err != nil {
		return err
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
	var mu sync.Mutex // stdout is written by the subscriber and the reader
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
	if !*interactive {
		<-ctx.Done()
		return nil
	}
	lines := make(chan string)
	go func() {
		defer close(lines)
		sc := bufio.NewScanner(stdin)
		for sc.Scan() {
			select {
			case lines <- sc.Text():
			case <-ctx.Done():
				return
			}
		}
	}()
	for {
		select {
		case <-ctx.Done():
			return nil
		case line, ok := <-lines:
			if !ok {
				return nil
			}
			if strings.TrimSpace(line) == "" {
				continue
			}
			m, err := s.Post(u.UserID, room.RoomID, line)
			mu.Lock()
			if err != nil {
				fmt.Fprintf(stdout, "error: %v\n", err)
			} else {
				fmt.Fprintf(stdout, "%s (%d): %s\n", *person, m.MessageID, line)
			}
			mu.Unlock()
		}
	}
}
