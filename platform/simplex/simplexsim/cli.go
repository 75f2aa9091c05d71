package simplexsim

import (
	"bufio"
	"context"
	"errors"
	"flag"
	"fmt"
	"io"
	"strings"
	"sync"
	"time"

	"go.uber.org/zap"
	"go.uber.org/zap/zapcore"

	"github.com/parleybot/parley/registry"
)

func init() {
	registry.RegisterSimulator(registry.SimInfo{
		Name:    "simplex",
		Summary: "a SimpleX Chat CLI: the WebSocket bot API, a bot user and a contact address",
		Run:     runCLI,
	})
}

const cliUsage = `Usage: parley sim simplex [--listen 127.0.0.1:5225] [--bot-name parley] [--auto-accept] [--interactive] [-v]

Runs a local SimpleX Chat CLI simulator until interrupted: a WebSocket
server speaking the simplex-chat bot API, with a bot user and a contact
address. Point a bot at the printed URL, for example with
url = "ws://127.0.0.1:5225" in bots.toml, or
go run ./examples/echo -url ws://127.0.0.1:5225.

With --interactive you are a contact of the bot, named "you": each line you
type is sent to the bot and its messages to you are printed as they come.
End with Ctrl-D or Ctrl-C. Without --auto-accept the bot must accept your
contact request itself (with [bots.auto_accept] contacts = "all").
`

// runCLI is "parley sim simplex": it serves a simulator until ctx ends,
// or until the end of input in interactive mode.
func runCLI(ctx context.Context, args []string, stdin io.Reader, stdout, stderr io.Writer) error {
	fs := flag.NewFlagSet("parley sim simplex", flag.ContinueOnError)
	fs.SetOutput(stderr)
	fs.Usage = func() {
		fmt.Fprint(fs.Output(), cliUsage)
		fmt.Fprintln(fs.Output(), "\nFlags:")
		fs.PrintDefaults()
	}
	listen := fs.String("listen", "127.0.0.1:5225", "`host:port` to listen on")
	botName := fs.String("bot-name", "parley", "display `name` of the simulated CLI's bot user")
	autoAccept := fs.Bool("auto-accept", false, "the address accepts contact requests itself, so the bot does not have to")
	interactive := fs.Bool("interactive", false, "chat with the bot from this terminal as the contact \"you\"")
	verbose := fs.Bool("v", false, "log every connection and command to stderr")
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
	opts := []Option{
		WithListenAddr(*listen),
		WithBotName(*botName),
		WithAddress(*autoAccept, ""),
	}
	if *verbose {
		enc := zapcore.NewConsoleEncoder(zap.NewDevelopmentEncoderConfig())
		opts = append(opts, WithLogger(zap.New(zapcore.NewCore(enc, zapcore.Lock(zapcore.AddSync(stderr)), zap.DebugLevel))))
	}
	sim := New(opts...)
	if err := sim.Start(); err != nil {
		return err
	}
	defer sim.Close()
	fmt.Fprintf(stdout, "simplexsim listening on %s (bot user %q)\n", sim.URL(), *botName)
	if !*interactive {
		fmt.Fprintln(stdout, "press Ctrl-C to stop")
		<-ctx.Done()
	} else if err := interact(ctx, sim, stdin, stdout); err != nil && ctx.Err() == nil {
		return err
	}
	if err := sim.Close(); err != nil {
		return err
	}
	fmt.Fprintln(stdout, "simplexsim stopped")
	return nil
}

// pollEvery is how often the interactive session looks up from waiting,
// to notice that it should stop.
const pollEvery = 200 * time.Millisecond

// interact makes the person at in and out a contact of the bot named
// "you": each line read is sent to the bot, and the bot's messages to
// "you" are printed as they arrive. It returns at the end of input, or
// when ctx ends. A read from in that cannot be interrupted (a terminal)
// keeps its goroutine until it returns; it then exits at once.
func interact(ctx context.Context, sim *Sim, in io.Reader, out io.Writer) error {
	w := &lockedWriter{w: out}
	conn, err := sim.ConnectContact("you")
	if err != nil {
		return err
	}
	id := conn.ContactID
	if id == 0 {
		fmt.Fprintln(w, "waiting for a bot to connect and accept your contact request…")
		if id, err = waitAccepted(ctx, sim, conn.RequestID); err != nil {
			return err
		}
	}
	chat := fmt.Sprintf("@%d", id)
	fmt.Fprintln(w, "you are connected to the bot; type a message and press Enter (Ctrl-D to end)")

	stop := make(chan struct{})
	var wg sync.WaitGroup
	wg.Add(1)
	go func() {
		defer wg.Done()
		printReplies(sim, chat, stop, w)
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
			if _, err := sim.ContactSend(id, line); err != nil {
				return err
			}
		}
	}
}

// waitAccepted waits until the contact request reqID is accepted and the
// contact is connected, and returns the contact's id.
func waitAccepted(ctx context.Context, sim *Sim, reqID int64) (int64, error) {
	for {
		var id int64
		err := sim.Wait(pollEvery, func(w *World) bool {
			if st, _ := w.ContactRequest(reqID); st == "pending" {
				return false
			}
			// The newest accepted contact named "you" is ours.
			acts := w.Actions()
			for i := len(acts) - 1; i >= 0; i-- {
				c, ok := w.Contact(acts[i].ContactID)
				if acts[i].Kind == ActionAcceptContact && ok && c.Name == "you" && c.Ready {
					id = c.ID
					return true
				}
			}
			return false
		})
		switch {
		case err == nil:
			return id, nil
		case !errors.Is(err, ErrTimeout):
			return 0, err
		case ctx.Err() != nil:
			return 0, ctx.Err()
		}
		if st, _ := stateOf(sim, reqID); st == "rejected" {
			return 0, errors.New("the bot rejected your contact request")
		}
	}
}

func stateOf(sim *Sim, reqID int64) (state string, ok bool) {
	sim.View(func(w *World) { state, ok = w.ContactRequest(reqID) })
	return state, ok
}

// printReplies prints the bot's messages to chat, those sent before it
// started too, until stop is closed or the simulator closes.
func printReplies(sim *Sim, chat string, stop <-chan struct{}, out io.Writer) {
	seen := 0
	for {
		select {
		case <-stop:
			return
		default:
		}
		var fresh []SentItem
		err := sim.Wait(pollEvery, func(w *World) bool {
			sent := w.Sent()
			if len(sent) <= seen {
				return false
			}
			fresh, seen = sent[seen:], len(sent)
			return true
		})
		if errors.Is(err, ErrClosed) {
			return
		}
		for _, s := range fresh {
			if s.ChatRef != chat {
				continue
			}
			text := s.Text
			if s.MsgType != "text" {
				text = fmt.Sprintf("[%s] %s", s.MsgType, text)
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
