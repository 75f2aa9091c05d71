package cli

import (
	"context"
	"errors"
	"fmt"
	"io"
	"strings"
	"time"

	"github.com/parleybot/parley/bot"
	"github.com/parleybot/parley/config"
	"github.com/parleybot/parley/platform/simplex/simplexsim"
)

const demoUsage = `Usage: parley demo [-timeout 5s]

Starts a SimpleX Chat CLI simulator in this process, runs the echo bot
against it, and plays a short conversation: alice connects, is accepted and
welcomed, sends "hello", "/help" and a text too long for one message. The
conversation is printed; the exit status is 1 if a reply does not come.
No messenger account or setup is needed.
`

// demoConfig is the demo bot's configuration: the same file `parley run`
// would host, pointed at the simulator.
const demoConfig = `
[server]
log_level = "warn"

[[bots]]
name = "echo"
platform = "simplex"

[bots.simplex]
url = "${DEMO_SIMPLEX_URL}"
commands = [{ keyword = "help", label = "What this bot does" }]

[bots.auto_accept]
contacts = "all"
welcome = "Hi! I am an echo bot: send me anything and I will send it back."

[bots.modules.echo]
`

// demoParagraph is repeated to make the long message.
const demoParagraph = "Parley routes typed messenger events through middleware to handlers, " +
	"and one binary hosts many bots from a TOML file. A message longer than " +
	"SimpleX allows is split into parts, cut at a line break or a space.\n"

// demoLongBytes is the size of the long message: more than two messages.
const demoLongBytes = 40_000

type demoOptions struct {
	// timeout bounds each wait for the bot.
	timeout time.Duration
	// config is the bot's bots.toml; ${DEMO_SIMPLEX_URL} is the simulator.
	config string
}

func cmdDemo(ctx context.Context, args []string, std stdio) int {
	fs := newFlags("demo", demoUsage, std)
	timeout := fs.Duration("timeout", 5*time.Second, "how long to wait for each of the bot's replies")
	if code, ok := parseFlags(fs, args, std); !ok {
		return code
	}
	if err := runDemo(ctx, std.out, std.err, demoOptions{timeout: *timeout, config: demoConfig}); err != nil {
		fmt.Fprintf(std.err, "parley demo: %v\n", err)
		return exitFail
	}
	return exitOK
}

// runDemo plays the demo, writing the conversation to out and the bot's
// warnings to logOut.
func runDemo(ctx context.Context, out, logOut io.Writer, o demoOptions) (err error) {
	// Auto-accept is off at the address, so the bot accepts by its own
	// policy and sends its welcome.
	sim := simplexsim.New(simplexsim.WithBotName("echo"), simplexsim.WithAddress(false, ""))
	if err := sim.Start(); err != nil {
		return err
	}
	defer sim.Close()
	defer func() {
		if err != nil && ctx.Err() != nil {
			err = fmt.Errorf("interrupted: %w", ctx.Err())
		}
	}()
	// An interrupt closes the simulator, which ends every wait at once.
	defer context.AfterFunc(ctx, func() { _ = sim.Close() })()

	url := sim.URL()
	cfg, err := config.Parse([]byte(o.config), "demo.toml", config.WithLookupEnv(func(k string) (string, bool) {
		return url, k == "DEMO_SIMPLEX_URL"
	}))
	if err != nil {
		return fmt.Errorf("demo configuration: %w", err)
	}
	hb, err := config.BuildBot(cfg.Bots[0], cfg.NewLogger(logOut))
	if err != nil {
		return err
	}
	defer hb.Close()
	runCtx, cancel := context.WithCancel(ctx)
	done := make(chan error, 1)
	go func() { done <- hb.Bot.Run(runCtx) }()
	defer func() {
		if cancel != nil { // not stopped by the script
			cancel()
			<-done
		}
	}()

	d := &demo{sim: sim, out: out, timeout: o.timeout, ctx: ctx}
	fmt.Fprintf(out, "parley demo: the echo bot and a simulated SimpleX Chat CLI at %s\n\n", url)

	// alice connects through the bot's address; the bot's auto_accept
	// policy accepts her and sends its welcome.
	if _, err := sim.ConnectContact("alice"); err != nil {
		return err
	}
	d.line("alice → bot", "(asks to connect through the bot's address)")
	var alice int64
	err = d.wait("the bot to accept alice's contact request", func(w *simplexsim.World) bool {
		for _, a := range w.Actions() {
			if c, ok := w.Contact(a.ContactID); a.Kind == simplexsim.ActionAcceptContact && ok && c.Name == "alice" && c.Ready {
				alice = c.ID
				return true
			}
		}
		return false
	})
	if err != nil {
		return err
	}
	d.line("bot", "accepted alice's contact request")
	chat := fmt.Sprintf("@%d", alice)
	welcome, err := d.replies("the welcome message", chat, 0, func(s []simplexsim.SentItem) bool { return len(s) > 0 })
	if err != nil {
		return err
	}
	d.line("bot → alice", welcome[0].Text)

	for _, text := range []string{"hello", "/help"} {
		mark := len(sim.BotSent())
		item, err := sim.ContactSend(alice, text)
		if err != nil {
			return err
		}
		d.line("alice → bot", text)
		got, err := d.replies(fmt.Sprintf("a reply to %q", text), chat, mark, func(s []simplexsim.SentItem) bool {
			return len(s) > 0 && s[0].QuotedItemID == item
		})
		if err != nil {
			return err
		}
		d.line("bot → alice", got[0].Text)
	}

	long := strings.Repeat(demoParagraph, demoLongBytes/len(demoParagraph)+1)[:demoLongBytes]
	mark := len(sim.BotSent())
	item, err := sim.ContactSend(alice, long)
	if err != nil {
		return err
	}
	d.line("alice → bot", fmt.Sprintf("(%s bytes: %q…)", thousands(len(long)), long[:40]))
	parts, err := d.replies("the echo of the long message", chat, mark, func(s []simplexsim.SentItem) bool {
		n := 0
		for _, p := range s {
			n += len(p.Text)
		}
		return n >= len(long)
	})
	if err != nil {
		return err
	}
	var joined strings.Builder
	largest := 0
	for _, p := range parts {
		joined.WriteString(p.Text)
		largest = max(largest, len(p.Text))
	}
	if joined.String() != long || parts[0].QuotedItemID != item {
		return errors.New("the long message came back altered")
	}
	d.line("bot → alice", fmt.Sprintf("(the same %s bytes, split into %d messages of at most %s bytes)",
		thousands(joined.Len()), len(parts), thousands(largest)))

	// The simplex platform closes its connection as soon as the bot is
	// told to stop, so a handler still waiting for its last send's
	// response would fail: let the bot go idle first.
	if err := waitIdle(hb.Bot, o.timeout); err != nil {
		return err
	}
	cancel()
	cancel = nil
	if err := <-done; err != nil {
		return fmt.Errorf("the bot did not stop cleanly: %w", err)
	}
	st := hb.Bot.Stats()
	fmt.Fprintf(out, "\nbot stopped cleanly after handling %d events (%d failed).\n", st.Handled+st.Failed, st.Failed)
	return nil
}

// demo holds what the script's steps share.
type demo struct {
	sim     *simplexsim.Sim
	out     io.Writer
	timeout time.Duration
	ctx     context.Context
}

// line prints one turn of the conversation, indenting continuation lines.
func (d *demo) line(who, text string) {
	text = strings.ReplaceAll(strings.TrimRight(text, "\n"), "\n", "\n"+strings.Repeat(" ", len([]rune(who))+2))
	fmt.Fprintf(d.out, "%s: %s\n", who, text)
}

// wait waits for cond, naming what it waited for when it gives up.
func (d *demo) wait(what string, cond func(*simplexsim.World) bool) error {
	err := d.sim.Wait(d.timeout, cond)
	switch {
	case err == nil:
		return nil
	case d.ctx.Err() != nil:
		return fmt.Errorf("interrupted while waiting for %s", what)
	case errors.Is(err, simplexsim.ErrTimeout):
		return fmt.Errorf("no sign of %s within %v", what, d.timeout)
	}
	return fmt.Errorf("waiting for %s: %w", what, err)
}

// replies waits until the messages the bot sent to chat after the first
// mark ones satisfy done, and returns them.
func (d *demo) replies(what, chat string, mark int, done func([]simplexsim.SentItem) bool) ([]simplexsim.SentItem, error) {
	var got []simplexsim.SentItem
	err := d.wait(what, func(w *simplexsim.World) bool {
		got = got[:0]
		sent := w.Sent()
		for _, s := range sent[min(mark, len(sent)):] {
			if s.ChatRef == chat {
				got = append(got, s)
			}
		}
		return done(got)
	})
	return got, err
}

// waitIdle waits until b has no event queued or running. The bot has no
// change notification, so its counters are polled.
func waitIdle(b *bot.Bot, timeout time.Duration) error {
	deadline := time.Now().Add(timeout)
	tick := time.NewTicker(2 * time.Millisecond)
	defer tick.Stop()
	for b.Stats().Queued > 0 {
		if time.Now().After(deadline) {
			return fmt.Errorf("the bot was still busy after %v", timeout)
		}
		<-tick.C
	}
	return nil
}

// thousands formats n with comma separators: 40000 → "40,000".
func thousands(n int) string {
	s := fmt.Sprint(n)
	for i := len(s) - 3; i > 0; i -= 3 {
		s = s[:i] + "," + s[i:]
	}
	return s
}
