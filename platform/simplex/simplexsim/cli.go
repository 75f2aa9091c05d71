package simplexsim

import (
	"bufio"
	"context"
	"errors"
	"flag"
	"fmt"
	"io"
	"strconv"
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
You can also make groups and speak as their members, to try a moderation
bot by hand:
  /group team alice bob    /invite    /as alice hello    /as bob spam
/help at the prompt lists these commands.
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
	if err := registry.ParseSimArgs(fs, args); err != nil {
		return err
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
	} else if err := interact(ctx, sim, *botName, stdin, stdout); err != nil && ctx.Err() == nil {
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

// interactHelp lists the commands of the interactive session.
const interactHelp = `Type a line to send it to the bot as "you". Commands:
  /group NAME [MEMBER...]  create group NAME with you (owner) and members,
                           or switch to it; /group alone lists groups
  /invite [ROLE]           invite the bot to the current group (default admin)
  /add NAME [ROLE]         a new member joins the current group
  /as NAME TEXT            NAME (a member, or you) says TEXT in the current
                           group; "@BOT" in TEXT mentions the bot
  /members                 list the current group's members
  /dm TEXT                 send TEXT to the bot as typed, even a command above
  /help                    this list
`

// interact makes the person at in and out a contact of the bot named
// "you": each line read is sent to the bot, and the bot's messages to
// "you" and to the groups are printed as they arrive, with what it does in
// them. Lines starting with a session command (interactHelp) create groups
// and speak as their members. It returns at the end of input, or when ctx
// ends. A read from in that cannot be interrupted (a terminal) keeps its
// goroutine until it returns; it then exits at once.
func interact(ctx context.Context, sim *Sim, botName string, in io.Reader, out io.Writer) error {
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
	fmt.Fprintln(w, "you are connected to the bot; type a message and press Enter (Ctrl-D to end, /help for commands)")

	stop := make(chan struct{})
	var wg sync.WaitGroup
	wg.Add(1)
	go func() {
		defer wg.Done()
		printReplies(sim, fmt.Sprintf("@%d", id), stop, w)
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
	ss := &session{sim: sim, out: w, you: id, botName: botName, groups: map[string]*sessionGroup{}}
	for {
		select {
		case <-ctx.Done():
			return ctx.Err()
		case err := <-readDone:
			return err
		case line := <-lines:
			if err := ss.line(line); err != nil {
				return err
			}
		}
	}
}

// session is the state of an interactive session: the groups it made.
type session struct {
	sim     *Sim
	out     io.Writer
	you     int64 // the contact id of "you"
	botName string
	groups  map[string]*sessionGroup // by lower-case name
	cur     *sessionGroup
}

type sessionGroup struct {
	id      int64
	name    string
	members map[string]int64 // lower-case name -> group member id
}

// line handles one typed line. Only a failure to reach the bot ends the
// session; a mistyped command is reported.
func (ss *session) line(line string) error {
	if strings.TrimSpace(line) == "" {
		return nil
	}
	word, rest, _ := strings.Cut(strings.TrimSpace(line), " ")
	rest = strings.TrimSpace(rest)
	var err error
	switch word {
	case "/help":
		fmt.Fprint(ss.out, interactHelp)
	case "/dm":
		if rest != "" {
			_, err = ss.sim.ContactSend(ss.you, rest)
			return err
		}
	case "/group":
		err = ss.group(strings.Fields(rest))
	case "/invite":
		err = ss.invite(rest)
	case "/add":
		err = ss.add(strings.Fields(rest))
	case "/as":
		err = ss.as(rest)
	case "/members":
		err = ss.listMembers()
	default:
		_, err = ss.sim.ContactSend(ss.you, line)
		return err
	}
	if err != nil {
		fmt.Fprintf(ss.out, "%s: %v\n", word, err)
	}
	return nil
}

func (ss *session) current() (*sessionGroup, error) {
	if ss.cur == nil {
		return nil, errors.New("no group yet: create one with /group NAME [MEMBER...]")
	}
	return ss.cur, nil
}

func (ss *session) group(args []string) error {
	if len(args) == 0 {
		if len(ss.groups) == 0 {
			fmt.Fprintln(ss.out, "no groups yet")
		}
		for _, g := range ss.groups {
			mark := " "
			if g == ss.cur {
				mark = "*"
			}
			fmt.Fprintf(ss.out, "%s #%s\n", mark, g.name)
		}
		return nil
	}
	name := args[0]
	if g := ss.groups[strings.ToLower(name)]; g != nil {
		if len(args) > 1 {
			return fmt.Errorf("#%s exists; add members with /add", g.name)
		}
		ss.cur = g
		fmt.Fprintf(ss.out, "current group: #%s\n", g.name)
		return nil
	}
	specs := []MemberSpec{{Name: "you", Role: "owner", ContactID: ss.you}}
	seen := map[string]bool{"you": true}
	for _, m := range args[1:] {
		if seen[strings.ToLower(m)] {
			return fmt.Errorf("member %q named twice", m)
		}
		seen[strings.ToLower(m)] = true
		specs = append(specs, MemberSpec{Name: m})
	}
	id, mids, err := ss.sim.NewGroup(name, specs...)
	if err != nil {
		return err
	}
	g := &sessionGroup{id: id, name: name, members: map[string]int64{}}
	for i, spec := range specs {
		g.members[strings.ToLower(spec.Name)] = mids[i]
	}
	ss.groups[strings.ToLower(name)] = g
	ss.cur = g
	fmt.Fprintf(ss.out, "created #%s with %s; /invite brings the bot in\n", name, strings.Join(append([]string{"you (owner)"}, args[1:]...), ", "))
	return nil
}

func (ss *session) invite(role string) error {
	g, err := ss.current()
	if err != nil {
		return err
	}
	if role == "" {
		role = "admin"
	}
	if _, err := ss.sim.InviteBot(g.id, ss.you, role); err != nil {
		return err
	}
	fmt.Fprintf(ss.out, "invited the bot to #%s as %s\n", g.name, role)
	return nil
}

func (ss *session) add(args []string) error {
	g, err := ss.current()
	if err != nil {
		return err
	}
	if len(args) == 0 || len(args) > 2 {
		return errors.New("usage: /add NAME [ROLE]")
	}
	if g.members[strings.ToLower(args[0])] != 0 {
		return fmt.Errorf("%s is already in #%s", args[0], g.name)
	}
	spec := MemberSpec{Name: args[0]}
	if len(args) == 2 {
		spec.Role = args[1]
	}
	mid, err := ss.sim.MemberJoin(g.id, spec)
	if err != nil {
		return err
	}
	g.members[strings.ToLower(args[0])] = mid
	fmt.Fprintf(ss.out, "%s joined #%s\n", args[0], g.name)
	return nil
}

func (ss *session) as(rest string) error {
	g, err := ss.current()
	if err != nil {
		return err
	}
	name, text, _ := strings.Cut(rest, " ")
	text = strings.TrimSpace(text)
	if name == "" || text == "" {
		return errors.New("usage: /as NAME TEXT")
	}
	mid := g.members[strings.ToLower(name)]
	if mid == 0 {
		return fmt.Errorf("no member %q in #%s (/members lists them)", name, g.name)
	}
	var joined bool
	ss.sim.View(func(w *World) {
		info, _ := w.Group(g.id)
		joined = info.BotStatus == "connected" || info.BotStatus == "creator"
	})
	if !joined {
		return fmt.Errorf("the bot has not joined #%s yet (/invite, then wait for it)", g.name)
	}
	mention := ss.botName != "" && strings.Contains(text, "@"+ss.botName)
	_, err = ss.sim.MemberSend(g.id, mid, text, mention)
	return err
}

func (ss *session) listMembers() error {
	g, err := ss.current()
	if err != nil {
		return err
	}
	var info GroupInfo
	ss.sim.View(func(w *World) { info, _ = w.Group(g.id) })
	fmt.Fprintf(ss.out, "#%s:\n", g.name)
	if info.BotMember != 0 {
		fmt.Fprintf(ss.out, "  the bot, %s, %s\n", info.BotRole, info.BotStatus)
	}
	for _, m := range info.Members {
		fmt.Fprintf(ss.out, "  %s, %s, %s\n", m.Name, m.Role, m.Status)
	}
	return nil
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

// printReplies prints, until stop is closed or the simulator closes, the
// bot's messages to chat and to groups (those sent before it started too)
// and what the bot does in groups: joining, deleting messages, removing,
// blocking and changing the role of members.
func printReplies(sim *Sim, chat string, stop <-chan struct{}, out io.Writer) {
	seenSent, seenActs := 0, 0
	for {
		select {
		case <-stop:
			return
		default:
		}
		var lines []string
		err := sim.Wait(pollEvery, func(w *World) bool {
			sent, acts := w.Sent(), w.Actions()
			if len(sent) <= seenSent && len(acts) <= seenActs {
				return false
			}
			// Actions first: a moderator deletes, then explains.
			for _, a := range acts[seenActs:] {
				if l, ok := actionLine(w, a); ok {
					lines = append(lines, l)
				}
			}
			for _, s := range sent[seenSent:] {
				if l, ok := sentLine(w, chat, s); ok {
					lines = append(lines, l)
				}
			}
			seenSent, seenActs = len(sent), len(acts)
			return true
		})
		if errors.Is(err, ErrClosed) {
			return
		}
		for _, l := range lines {
			fmt.Fprintln(out, l)
		}
	}
}

// sentLine renders a message of the bot: "bot: …" to "you", "#team bot: …"
// to a group; messages to other chats are not shown.
func sentLine(w *World, chat string, s SentItem) (string, bool) {
	text := s.Text
	if s.MsgType != "text" {
		text = fmt.Sprintf("[%s] %s", s.MsgType, text)
	}
	prefix := "bot: "
	if s.ChatRef != chat {
		g, ok := groupOfRef(w, s.ChatRef)
		if !ok {
			return "", false
		}
		prefix = "#" + g.Name + " bot: "
		if strings.Contains(s.ChatRef, "(") {
			prefix = "#" + g.Name + " (support) bot: "
		}
	}
	return prefix + strings.ReplaceAll(text, "\n", "\n"+strings.Repeat(" ", len(prefix))), true
}

// actionLine renders what the bot did in a group.
func actionLine(w *World, a Action) (string, bool) {
	g, ok := groupOfRef(w, a.ChatRef)
	if !ok {
		return "", false
	}
	members := func() string {
		var names []string
		for _, id := range a.MemberIDs {
			if m, ok := w.Member(g.ID, id); ok {
				names = append(names, m.Name)
			}
		}
		return strings.Join(names, ", ")
	}
	var what string
	switch a.Kind {
	case ActionJoin:
		what = "the bot joined"
	case ActionLeave:
		what = "the bot left"
	case ActionModerate:
		n := len(a.ItemIDs)
		what = fmt.Sprintf("the bot deleted %d message(s) for everyone", n)
		if n == 1 {
			if it, ok := w.Item(a.ItemIDs[0]); ok {
				what = fmt.Sprintf("the bot deleted %q for everyone", it.Text)
			}
		}
	case ActionRemove:
		what = "the bot removed " + members()
	case ActionBlock:
		what = "the bot blocked " + members()
		if !a.Blocked {
			what = "the bot unblocked " + members()
		}
	case ActionRole:
		what = fmt.Sprintf("the bot made %s %s", members(), a.Role)
	case ActionAcceptMember:
		what = "the bot accepted " + members()
	default:
		return "", false
	}
	return fmt.Sprintf("#%s: %s", g.Name, what), true
}

// groupOfRef finds the group of a "#<id>…" reference.
func groupOfRef(w *World, ref string) (GroupInfo, bool) {
	rest, ok := strings.CutPrefix(ref, "#")
	if !ok {
		return GroupInfo{}, false
	}
	if i := strings.IndexByte(rest, '('); i >= 0 {
		rest = rest[:i]
	}
	id, err := strconv.ParseInt(rest, 10, 64)
	if err != nil {
		return GroupInfo{}, false
	}
	return w.Group(id)
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
