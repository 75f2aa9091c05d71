package tadasim

import (
	"context"
	"flag"
	"fmt"
	"io"

	"go.uber.org/zap"
	"go.uber.org/zap/zapcore"

	"github.com/parleybot/parley/playground"
	"github.com/parleybot/parley/registry"
)

func init() {
	registry.RegisterSimulator(registry.SimInfo{
		Name:    "tada",
		Summary: "a Tada.team server: WebSocket /messaging/{team} with confirms, REST /api/v4",
		Run:     Run,
	})
}

const usage = `Usage: parley sim tada [--listen 127.0.0.1:8085] [--team UID] [--bot-token TOKEN] [--interactive] [-v]

Runs a local Tada.team server for one team until Ctrl-C: the WebSocket at
/messaging/{team}, the REST calls bots use under /api/v4, and /features.json.
Point a bot at it with url, team and token in [bots.tada].

With --interactive you are a team member named "you": each line you type is
sent to the bot in your direct chat, and its messages to you are printed.
You can also make groups with the bot and speak as their members, to try
a moderation bot by hand:
  /group team alice bob    /as alice hello    /as bob spam    /members
/help at the prompt lists these commands.
`

// Run runs the simulator from the command line; see the usage text.
func Run(ctx context.Context, args []string, stdin io.Reader, stdout, stderr io.Writer) error {
	fs := flag.NewFlagSet("sim tada", flag.ContinueOnError)
	fs.SetOutput(stderr)
	fs.Usage = func() {
		fmt.Fprint(stderr, usage)
		fmt.Fprint(stderr, "\nIn the interactive session:\n", playground.TerminalHelp, "\nFlags:\n")
		fs.PrintDefaults()
	}
	listen := fs.String("listen", "127.0.0.1:8085", "`host:port` to listen on")
	team := fs.String("team", DefaultTeam, "team `uid`")
	botName := fs.String("bot-name", DefaultBotName, "display `name` of the bot user")
	botToken := fs.String("bot-token", DefaultBotToken, "the bot's `token`")
	interactive := fs.Bool("interactive", false, "chat with the bot from this terminal as \"you\"")
	verbose := fs.Bool("v", false, "log connections and events to stderr")
	if err := registry.ParseSimArgs(fs, args); err != nil {
		return err
	}
	opts := []Option{WithListenAddr(*listen), WithTeam(*team), WithBot(*botName, *botToken)}
	if *verbose {
		enc := zapcore.NewConsoleEncoder(zap.NewDevelopmentEncoderConfig())
		opts = append(opts, WithLogger(zap.New(zapcore.NewCore(enc, zapcore.Lock(zapcore.AddSync(stderr)), zap.DebugLevel))))
	}
	s := New(opts...)
	if err := s.Start(); err != nil {
		return err
	}
	defer s.Close()
	fmt.Fprintf(stdout, "tadasim listening on %s\n  team  = %q\n  token = %q\n", s.URL(), *team, *botToken)
	if !*interactive {
		fmt.Fprintln(stdout, "press Ctrl-C to stop")
		<-ctx.Done()
		return s.Close()
	}
	err := s.interact(ctx, stdin, stdout)
	if cerr := s.Close(); err == nil {
		err = cerr
	}
	return err
}

// interact makes the person at the terminal a team member of the bot
// named "you", with the session commands of playground.TerminalHelp.
func (s *Server) interact(ctx context.Context, stdin io.Reader, stdout io.Writer) error {
	return playground.Terminal(ctx, &pgSim{s: s}, playground.TerminalOptions{}, stdin, stdout)
}
