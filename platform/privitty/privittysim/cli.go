package privittysim

import (
	"bufio"
	"cmp"
	"context"
	"errors"
	"flag"
	"fmt"
	"io"
	"strings"
	"sync"
	"time"

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
`

// runCLI is "parley sim privitty": it serves a simulator until ctx ends,
// or until the end of input in interactive mode.
func runCLI(ctx context.Context, args []string, stdin io.Reader, stdout, stderr io.Writer) error {
	fs := flag.NewFlagSet("parley sim privitty", flag.ContinueOnError)
	fs.SetOutput(stderr)
	fs.Usage = func() {
		fmt.Fprint(fs.Output(), cliUsage)
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

// pollEvery is how often the interactive session looks up from waiting,
// to notice that it should stop.
const pollEvery = 200 * time.Millisecond

// interact makes the person at in and out a contact of the bot named
// "you", writing first as a contact request when request is set: each
// line read is sent to the bot, and the bot's messages to "you" are
// printed as they arrive. It returns at the end of input, or when ctx
// ends. A read from in that cannot be interrupted (a terminal) keeps its
// goroutine until it returns; it then exits at once.
func interact(ctx context.Context, sim *Sim, request bool, in io.Reader, out io.Writer) error {
	w := &lockedWriter{w: out}
	you, err := sim.ConnectContact("you", request)
	if err != nil {
		return err
	}
	if request {
		fmt.Fprintln(w, "waiting for a bot to connect and accept your contact request…")
		if err := waitAccepted(ctx, sim, you.ChatID); err != nil {
			return err
		}
	}
	fmt.Fprintln(w, "you are connected to the bot; type a message and press Enter (Ctrl-D to end)")

	stop := make(chan struct{})
	var wg sync.WaitGroup
	wg.Add(1)
	go func() {
		defer wg.Done()
		printReplies(sim, you.ChatID, stop, w)
	}()
	defer func() {
		close(stop)
		wg.Wait()
	}()

	lines := make(chan string)
	readDone := make(chan error, 1)
	go func() {
		sc := bufio.NewScanner(in)
		sc.Buffer(make([]byte, 0, 64<<10), 1<<20)
		for sc.Scan() {
			select {
			case lines <- sc.Text():
			case <-stop:
				return
			}
		}
		readDone <- sc.Err()
	}()
	for {
		select {
		case <-ctx.Done():
			return ctx.Err()
		case err := <-readDone:
			return err
		case line := <-lines:
			if strings.TrimSpace(line) == "" {
				continue
			}
			if _, err := sim.ContactSend(you.ChatID, line); err != nil {
				return err
			}
		}
	}
}

// waitAccepted waits until the bot accepts the contact request of chat,
// and fails if it blocks it instead.
func waitAccepted(ctx context.Context, sim *Sim, chat int64) error {
	var verdict string
	for {
		err := sim.Wait(pollEvery, func() bool {
			for _, a := range sim.Actions() {
				if a.ChatID == chat && (a.Method == "accept_chat" || a.Method == "block_chat") {
					verdict = a.Method
					return true
				}
			}
			return false
		})
		switch {
		case err == nil && verdict == "block_chat":
			return errors.New("the bot blocked your contact request")
		case err == nil:
			return nil
		case ctx.Err() != nil:
			return ctx.Err()
		}
	}
}

// printReplies prints the bot's messages to chat, those sent before it
// started too, until stop is closed.
func printReplies(sim *Sim, chat int64, stop <-chan struct{}, out io.Writer) {
	seen := 0
	for {
		select {
		case <-stop:
			return
		default:
		}
		var fresh []Sent
		err := sim.Wait(pollEvery, func() bool {
			sent := sim.BotSent()
			if len(sent) <= seen {
				return false
			}
			fresh, seen = sent[seen:], len(sent)
			return true
		})
		if err != nil {
			continue // nothing new yet
		}
		for _, s := range fresh {
			if s.ChatID != chat {
				continue
			}
			text := s.Text
			if s.File != "" {
				text = fmt.Sprintf("[%s %s] %s", cmp.Or(s.ViewType, "File"), s.File, text)
			}
			fmt.Fprintf(out, "bot: %s\n", strings.ReplaceAll(text, "\n", "\n     "))
		}
	}
}

// lockedWriter serializes writes from the reply printer and the prompt.
type lockedWriter struct {
	mu sync.Mutex
	w  io.Writer
}

func (l *lockedWriter) Write(p []byte) (int, error) {
	l.mu.Lock()
	defer l.mu.Unlock()
	return l.w.Write(p)
}
