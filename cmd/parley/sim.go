package main

import (
	"bufio"
	"context"
	"errors"
	"fmt"
	"io"
	"strings"
	"sync"
	"time"

	"github.com/parleybot/parley/platform/simplex/simplexsim"
	"go.uber.org/zap"
	"go.uber.org/zap/zapcore"
)

const simUsage = `Usage: parley sim simplex [--listen 127.0.0.1:5225] [--bot-name parley] [--auto-accept] [--interactive] [-v]

Runs a local SimpleX Chat CLI simulator until SIGINT: a WebSocket server
speaking the simplex-chat bot API, with a bot user and a contact address.
Point a bot at the printed URL, for example with url = "ws://127.0.0.1:5225"
in bots.toml, or go run ./examples/echo -url ws://127.0.0.1:5225.

With --interactive you are a contact of the bot, named "you": each line you
type is sent to the bot and its messages to you are printed as they come.
End with Ctrl-D or Ctrl-C. Without --auto-accept the bot must accept your
contact request itself (with [bots.auto_accept] contacts = "all").
`

// simPlatforms are the platforms parley sim can simulate.
var simPlatforms = []string{"simplex"}

func cmdSim(ctx context.Context, args []string, std stdio) int {
	if len(args) == 0 || strings.HasPrefix(args[0], "-") {
		fs := newFlags("sim", simUsage, std)
		if code, ok := parseFlags(fs, args, std); !ok {
			return code
		}
		fmt.Fprintf(std.err, "parley sim: name a platform to simulate (%s)\n", strings.Join(simPlatforms, ", "))
		return exitUsage
	}
	if args[0] != "simplex" {
		fmt.Fprintf(std.err, "parley sim: no simulator for %q (available: %s)\n", args[0], strings.Join(simPlatforms, ", "))
		return exitUsage
	}
	fs := newFlags("sim simplex", simUsage, std)
	listen := fs.String("listen", "127.0.0.1:5225", "`host:port` to listen on")
	botName := fs.String("bot-name", "parley", "display `name` of the simulated CLI's bot user")
	autoAccept := fs.Bool("auto-accept", false, "the address accepts contact requests itself, so the bot does not have to")
	interactive := fs.Bool("interactive", false, "chat with the bot from this terminal as the contact \"you\"")
	verbose := fs.Bool("v", false, "log every connection and command to stderr")
	if code, ok := parseFlags(fs, args[1:], std); !ok {
		return code
	}
	opts := []simplexsim.Option{
		simplexsim.WithListenAddr(*listen),
		simplexsim.WithBotName(*botName),
		simplexsim.WithAddress(*autoAccept, ""),
	}
	if *verbose {
		enc := zapcore.NewConsoleEncoder(zap.NewDevelopmentEncoderConfig())
		opts = append(opts, simplexsim.WithLogger(zap.New(zapcore.NewCore(enc, zapcore.Lock(zapcore.AddSync(std.err)), zap.DebugLevel))))
	}
	sim := simplexsim.New(opts...)
	if err := sim.Start(); err != nil {
		fmt.Fprintf(std.err, "parley sim: %v\n", err)
		return exitFail
	}
	defer sim.Close()
	fmt.Fprintf(std.out, "simplexsim listening on %s (bot user %q)\n", sim.URL(), *botName)
	if !*interactive {
		fmt.Fprintln(std.out, "press Ctrl-C to stop")
		<-ctx.Done()
	} else if err := interact(ctx, sim, std.in, std.out); err != nil && ctx.Err() == nil {
		fmt.Fprintf(std.err, "parley sim: %v\n", err)
		return exitFail
	}
	if err := sim.Close(); err != nil {
		fmt.Fprintf(std.err, "parley sim: %v\n", err)
		return exitFail
	}
	fmt.Fprintln(std.out, "simplexsim stopped")
	return exitOK
}

// pollEvery is how often the interactive session looks up from waiting,
// to notice that it should stop.
const pollEvery = 200 * time.Millisecond

// interact makes the person at in and out a contact of the bot named
// "you": each line read is sent to the bot, and the bot's messages to
// "you" are printed as they arrive. It returns at the end of input, or
// when ctx ends. A read from in that cannot be interrupted (a terminal)
// keeps its goroutine until it returns; it then exits at once.
func interact(ctx context.Context, sim *simplexsim.Sim, in io.Reader, out io.Writer) error {
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
func waitAccepted(ctx context.Context, sim *simplexsim.Sim, reqID int64) (int64, error) {
	for {
		var id int64
		err := sim.Wait(pollEvery, func(w *simplexsim.World) bool {
			if st, _ := w.ContactRequest(reqID); st == "pending" {
				return false
			}
			// The newest accepted contact named "you" is ours.
			acts := w.Actions()
			for i := len(acts) - 1; i >= 0; i-- {
				c, ok := w.Contact(acts[i].ContactID)
				if acts[i].Kind == simplexsim.ActionAcceptContact && ok && c.Name == "you" && c.Ready {
					id = c.ID
					return true
				}
			}
			return false
		})
		switch {
		case err == nil:
			return id, nil
		case !errors.Is(err, simplexsim.ErrTimeout):
			return 0, err
		case ctx.Err() != nil:
			return 0, ctx.Err()
		}
		if st, _ := stateOf(sim, reqID); st == "rejected" {
			return 0, errors.New("the bot rejected your contact request")
		}
	}
}

func stateOf(sim *simplexsim.Sim, reqID int64) (state string, ok bool) {
	sim.View(func(w *simplexsim.World) { state, ok = w.ContactRequest(reqID) })
	return state, ok
}

// printReplies prints the bot's messages to chat, those sent before it
// started too, until stop is closed or the simulator closes.
func printReplies(sim *simplexsim.Sim, chat string, stop <-chan struct{}, out io.Writer) {
	seen := 0
	for {
		select {
		case <-stop:
			return
		default:
		}
		var fresh []simplexsim.SentItem
		err := sim.Wait(pollEvery, func(w *simplexsim.World) bool {
			sent := w.Sent()
			if len(sent) <= seen {
				return false
			}
			fresh, seen = sent[seen:], len(sent)
			return true
		})
		if errors.Is(err, simplexsim.ErrClosed) {
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
