package playground

import (
	"bufio"
	"cmp"
	"context"
	"errors"
	"fmt"
	"io"
	"maps"
	"sort"
	"strings"
	"sync"
)

// TerminalHelp lists the commands of a terminal session, the same on
// every simulator.
const TerminalHelp = `Type a line to send it to the bot as yourself. Commands:
  /group NAME [MEMBER...]  create group NAME with you, the members and the
                           bot, or switch to it; /group alone lists groups
  /invite [ROLE]           on SimpleX, invite the bot to the current group;
                           elsewhere /group adds or invites it itself
  /add NAME [ROLE]         a new member joins the current group
  /as NAME TEXT            NAME (a member, or you) says TEXT in the current
                           group; a contact not in it says TEXT to the bot
  /members                 list the current group's members and the bot's
                           contacts
  /dm TEXT                 send TEXT to the bot as typed, even a command above
  /help                    this list
`

// TerminalOptions configure Terminal.
type TerminalOptions struct {
	// You is the person ID of the person at the terminal when they are
	// already a contact of the bot; empty: Terminal connects a new contact
	// named Name and waits for the bot to accept it.
	You string
	// Name is the name of the new contact; "you" when empty.
	Name string
}

// Terminal is the interactive session of "parley sim NAME --interactive"
// on any simulator with a playground adapter: the person at in and out is
// a contact of the bot; each line read is sent to the bot, and what the
// bot writes to them and to groups is printed as it happens. Lines
// starting with a command of TerminalHelp create groups and speak as
// their members. It returns at the end of input or when ctx ends (nil
// then). A read from in that cannot be interrupted (a terminal) keeps its
// goroutine until it returns; it then exits at once.
func Terminal(ctx context.Context, sim Sim, opts TerminalOptions, in io.Reader, out io.Writer) error {
	w := &lockedWriter{w: out}
	ts := &termSession{sim: sim, out: w, you: opts.You}
	if ts.you == "" {
		name := opts.Name
		if name == "" {
			name = "you"
		}
		id, err := sim.Do(ctx, Action{Kind: Connect, Name: name})
		if err != nil {
			return err
		}
		ts.you = id
	}
	if err := ts.waitConnected(ctx); err != nil {
		if ctx.Err() != nil {
			return nil
		}
		return err
	}
	fmt.Fprintln(w, "you are connected to the bot; type a message and press Enter (Ctrl-D to end, /help for commands)")

	ctx, cancel := context.WithCancel(ctx)
	var wg sync.WaitGroup
	wg.Add(1)
	go func() {
		defer wg.Done()
		ts.printChanges(ctx)
	}()
	defer func() {
		cancel()
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
			case <-ctx.Done():
				return
			}
		}
		readDone <- sc.Err()
	}()
	for {
		select {
		case <-ctx.Done():
			return nil
		case err := <-readDone:
			return err
		case line := <-lines:
			if err := ts.line(ctx, line); err != nil {
				return err
			}
		}
	}
}

// termSession is the state of a terminal session.
type termSession struct {
	sim Sim
	out io.Writer
	you string // person ID
	cur string // current group's chat ID

	// What /as said in groups, by message ID: a simulator that removes a
	// deleted message may remove it before the printer ever saw it.
	saidMu sync.Mutex
	said   map[string]saidMsg
}

// saidMsg is a group message /as sent.
type saidMsg struct{ chat, from, text string }

// noteSaid records a group message /as sent.
func (ts *termSession) noteSaid(id string, m saidMsg) {
	if id == "" {
		return
	}
	ts.saidMu.Lock()
	defer ts.saidMu.Unlock()
	if ts.said == nil {
		ts.said = map[string]saidMsg{}
	}
	ts.said[id] = m
}

// saidNow returns a copy of what /as said so far.
func (ts *termSession) saidNow() map[string]saidMsg {
	ts.saidMu.Lock()
	defer ts.saidMu.Unlock()
	return maps.Clone(ts.said)
}

// person finds the terminal's person in w.
func (ts *termSession) person(w World) (Person, bool) {
	for _, p := range w.People {
		if p.ID == ts.you {
			return p, true
		}
	}
	return Person{}, false
}

// waitConnected waits until the bot has accepted the terminal's person.
func (ts *termSession) waitConnected(ctx context.Context) error {
	told := false
	for {
		ch := ts.sim.Changed()
		p, ok := ts.person(ts.sim.World())
		switch {
		case !ok:
			return fmt.Errorf("the simulator has no person %s", ts.you)
		case p.State == "connected":
			return nil
		case p.State == "rejected" || p.State == "blocked":
			return fmt.Errorf("the bot %s your contact request", p.State)
		case !told:
			fmt.Fprintln(ts.out, "waiting for a bot to connect and accept your contact request…")
			told = true
		}
		select {
		case <-ch:
		case <-ctx.Done():
			return ctx.Err()
		}
	}
}

// line handles one typed line. Only a failure to reach the bot directly
// ends the session; a mistyped command is reported.
func (ts *termSession) line(ctx context.Context, line string) error {
	if strings.TrimSpace(line) == "" {
		return nil
	}
	word, rest, _ := strings.Cut(strings.TrimSpace(line), " ")
	rest = strings.TrimSpace(rest)
	var err error
	switch word {
	case "/help":
		fmt.Fprint(ts.out, TerminalHelp)
	case "/dm":
		if rest == "" {
			return nil
		}
		return ts.direct(ctx, rest)
	case "/group":
		err = ts.group(ctx, strings.Fields(rest))
	case "/invite":
		err = ts.invite(ctx, rest)
	case "/add":
		err = ts.add(ctx, strings.Fields(rest))
	case "/as":
		err = ts.as(ctx, rest)
	case "/members":
		err = ts.members()
	default:
		return ts.direct(ctx, line)
	}
	if err != nil {
		fmt.Fprintf(ts.out, "%s: %v\n", word, err)
	}
	return nil
}

// direct sends text to the bot in the terminal person's direct chat.
func (ts *termSession) direct(ctx context.Context, text string) error {
	p, ok := ts.person(ts.sim.World())
	if !ok || p.Chat == "" {
		return errors.New("you have no chat with the bot")
	}
	_, err := ts.sim.Do(ctx, Action{Kind: Send, As: ts.you, Chat: p.Chat, Text: text})
	return err
}

func (ts *termSession) chat(w World, id string) (Chat, bool) {
	for _, c := range w.Chats {
		if c.ID == id {
			return c, true
		}
	}
	return Chat{}, false
}

// current returns the current group.
func (ts *termSession) current(w World) (Chat, error) {
	if ts.cur == "" {
		return Chat{}, errors.New("no group yet: create one with /group NAME [MEMBER...]")
	}
	c, ok := ts.chat(w, ts.cur)
	if !ok {
		return Chat{}, errors.New("the current group is gone")
	}
	return c, nil
}

// member finds an active member of c by name, ignoring case.
func member(c Chat, name string) (Member, bool) {
	for _, m := range c.Members {
		if m.Active && strings.EqualFold(m.Name, name) {
			return m, true
		}
	}
	return Member{}, false
}

func (ts *termSession) group(ctx context.Context, args []string) error {
	w := ts.sim.World()
	if len(args) == 0 {
		var b strings.Builder
		for _, c := range w.Chats {
			if !c.Group {
				continue
			}
			mark := " "
			if c.ID == ts.cur {
				mark = "*"
			}
			fmt.Fprintf(&b, "%s #%s\n", mark, c.Name)
		}
		if b.Len() == 0 {
			b.WriteString("no groups yet\n")
		}
		_, err := io.WriteString(ts.out, b.String())
		return err
	}
	name := args[0]
	for _, c := range w.Chats {
		if c.Group && strings.EqualFold(c.Name, name) {
			if len(args) > 1 {
				return fmt.Errorf("#%s exists; add members with /add", c.Name)
			}
			ts.cur = c.ID
			fmt.Fprintf(ts.out, "current group: #%s\n", c.Name)
			return nil
		}
	}
	me, _ := ts.person(w)
	seen := map[string]bool{strings.ToLower(me.Name): true}
	for _, m := range args[1:] {
		if seen[strings.ToLower(m)] {
			return fmt.Errorf("member %q named twice", m)
		}
		seen[strings.ToLower(m)] = true
	}
	id, err := ts.sim.Do(ctx, Action{Kind: NewGroup, As: ts.you, Name: name, Members: args[1:]})
	if err != nil {
		return err
	}
	ts.cur = id
	c, _ := ts.chat(ts.sim.World(), id)
	who := me.Name
	if m, ok := member(c, me.Name); ok && m.Role != "" {
		who += " (" + m.Role + ")"
	}
	who = strings.Join(append([]string{who}, args[1:]...), ", ")
	switch c.BotState {
	case "invited":
		fmt.Fprintf(ts.out, "created #%s with %s; the bot is invited and joins when it accepts\n", name, who)
	case "":
		fmt.Fprintf(ts.out, "created #%s with %s; /invite brings the bot in\n", name, who)
	default:
		fmt.Fprintf(ts.out, "created #%s with %s and the bot\n", name, who)
	}
	return nil
}

func (ts *termSession) invite(_ context.Context, _ string) error {
	c, err := ts.current(ts.sim.World())
	if err != nil {
		return err
	}
	switch c.BotState {
	case "member":
		return fmt.Errorf("the bot is already in #%s", c.Name)
	case "invited":
		return fmt.Errorf("the bot is already invited to #%s", c.Name)
	}
	return fmt.Errorf("the bot is %s from #%s; /group makes a new group with the bot", c.BotState, c.Name)
}

// meName is the terminal person's name.
func (ts *termSession) meName() string {
	p, _ := ts.person(ts.sim.World())
	return p.Name
}

func (ts *termSession) add(ctx context.Context, args []string) error {
	c, err := ts.current(ts.sim.World())
	if err != nil {
		return err
	}
	if len(args) == 0 || len(args) > 2 {
		return errors.New("usage: /add NAME [ROLE]")
	}
	if _, ok := member(c, args[0]); ok {
		return fmt.Errorf("%s is already in #%s", args[0], c.Name)
	}
	me, ok := member(c, ts.meName())
	if !ok {
		return fmt.Errorf("you are not in #%s", c.Name)
	}
	if _, err := ts.sim.Do(ctx, Action{Kind: AddMember, As: me.ID, Chat: c.ID, Name: args[0]}); err != nil {
		return err
	}
	if len(args) == 2 {
		c, _ = ts.chat(ts.sim.World(), c.ID)
		m, ok := member(c, args[0])
		if !ok {
			return fmt.Errorf("%s did not join #%s", args[0], c.Name)
		}
		if _, err := ts.sim.Do(ctx, Action{Kind: SetRole, As: me.ID, Chat: c.ID, Target: m.ID, Role: args[1]}); err != nil {
			return fmt.Errorf("%s joined #%s, but: %w", args[0], c.Name, err)
		}
	}
	fmt.Fprintf(ts.out, "%s joined #%s\n", args[0], c.Name)
	return nil
}

func (ts *termSession) as(ctx context.Context, rest string) error {
	name, text, _ := strings.Cut(rest, " ")
	text = strings.TrimSpace(text)
	if name == "" || text == "" {
		return errors.New("usage: /as NAME TEXT")
	}
	w := ts.sim.World()
	c, cerr := ts.current(w)
	if cerr == nil {
		if m, ok := member(c, name); ok {
			if c.BotState != "member" {
				return fmt.Errorf("the bot is not in #%s (it is %s)", c.Name, c.BotState)
			}
			id, err := ts.sim.Do(ctx, Action{Kind: Send, As: m.ID, Chat: c.ID, Text: text})
			ts.noteSaid(id, saidMsg{chat: c.ID, from: m.Name, text: text})
			return err
		}
	}
	// Not a member here: a contact of the bot writes to it directly.
	for _, p := range w.People {
		if strings.EqualFold(p.Name, name) && p.State == "connected" && p.Chat != "" {
			_, err := ts.sim.Do(ctx, Action{Kind: Send, As: p.ID, Chat: p.Chat, Text: text})
			return err
		}
	}
	if cerr != nil {
		return cerr
	}
	return fmt.Errorf("no member %q in #%s, nor a contact of the bot (/members lists them)", name, c.Name)
}

func (ts *termSession) members() error {
	w := ts.sim.World()
	// One write, so that the bot's lines do not land inside the list.
	var b strings.Builder
	if c, err := ts.current(w); err == nil {
		fmt.Fprintf(&b, "#%s:\n", c.Name)
		fmt.Fprintf(&b, "  the bot%s, %s\n", withComma(c.BotRole), c.BotState)
		for _, m := range c.Members {
			state := "active"
			if !m.Active {
				state = "gone"
			}
			if m.Status != "" {
				state = m.Status
			}
			fmt.Fprintf(&b, "  %s%s, %s\n", m.Name, withComma(m.Role), state)
		}
	}
	var contacts []string
	for _, p := range w.People {
		if p.State == "connected" {
			contacts = append(contacts, p.Name)
		} else {
			contacts = append(contacts, p.Name+" ("+p.State+")")
		}
	}
	fmt.Fprintf(&b, "contacts of the bot: %s\n", strings.Join(contacts, ", "))
	_, err := io.WriteString(ts.out, b.String())
	return err
}

func withComma(s string) string {
	if s == "" {
		return ""
	}
	return ", " + s
}

// seenChat is what the printer has already reported of a chat.
type seenChat struct {
	botText    map[string]string // the bot's messages by ID
	memberText map[string]string // the others' messages by ID
	memberName map[string]string // and their senders
	deleted    map[string]bool
	members    map[string]Member
	botState   string
}

// printChanges prints, until ctx ends, the bot's messages to the
// terminal's person and to groups (those sent before it started too), and
// what changes in groups: deleted messages, members who go or change
// role, the bot's own place.
func (ts *termSession) printChanges(ctx context.Context) {
	seen := map[string]*seenChat{}
	for {
		ch := ts.sim.Changed()
		// What /as said is read before the world, so a message it said
		// and the world lacks was deleted, not yet to come.
		said := ts.saidNow()
		for _, l := range ts.diff(ts.sim.World(), said, seen) {
			fmt.Fprintln(ts.out, l)
		}
		select {
		case <-ch:
		case <-ctx.Done():
			return
		}
	}
}

// diff renders what changed in w since seen, and updates seen.
func (ts *termSession) diff(w World, said map[string]saidMsg, seen map[string]*seenChat) []string {
	me, _ := ts.person(w)
	var lines []string
	for _, c := range w.Chats {
		if !c.Group && c.ID != me.Chat {
			continue
		}
		s := seen[c.ID]
		first := s == nil
		if first {
			s = &seenChat{botText: map[string]string{}, memberText: map[string]string{}, memberName: map[string]string{}, deleted: map[string]bool{}, members: map[string]Member{}}
			seen[c.ID] = s
		}
		prefix := "bot: "
		if c.Group {
			prefix = "#" + c.Name + " bot: "
			if !first && c.BotState != s.botState {
				what := "the bot is " + c.BotState
				switch c.BotState {
				case "member":
					what = "the bot joined"
				case "removed":
					what = "the bot was removed"
				}
				lines = append(lines, fmt.Sprintf("#%s: %s", c.Name, what))
			}
			s.botState = c.BotState
			current := map[string]bool{}
			for _, m := range c.Members {
				current[m.ID] = m.Active
				old, known := s.members[m.ID]
				switch {
				case !known || first:
				case old.Active && !m.Active:
					lines = append(lines, fmt.Sprintf("#%s: %s is no longer a member", c.Name, m.Name))
				case old.Role != m.Role && m.Role != "":
					lines = append(lines, fmt.Sprintf("#%s: %s is now %s", c.Name, m.Name, m.Role))
				}
				s.members[m.ID] = m
			}
			for id, m := range s.members {
				if _, ok := current[id]; !ok {
					if m.Active {
						lines = append(lines, fmt.Sprintf("#%s: %s is no longer a member", c.Name, m.Name))
					}
					delete(s.members, id)
				}
			}
		}
		present := map[string]bool{}
		for _, m := range c.Messages {
			present[m.ID] = true
			switch {
			case m.Bot && !m.Deleted:
				text := m.Text
				if m.File != "" {
					text = fmt.Sprintf("[file %s] %s", m.File, text)
				}
				old, known := s.botText[m.ID]
				s.botText[m.ID] = text
				if known && old == text {
					continue
				}
				p := prefix
				if known {
					p = strings.TrimSuffix(prefix, ": ") + " edited: "
				}
				lines = append(lines, p+strings.ReplaceAll(text, "\n", "\n"+strings.Repeat(" ", len(p))))
			case !m.Bot && m.Deleted && !s.deleted[m.ID]:
				s.deleted[m.ID] = true
				if c.Group && !first {
					// A message deleted before this terminal saw it is
					// named by the text the snapshot still keeps, if any.
					what := "a message of " + m.FromName
					if t := cmp.Or(s.memberText[m.ID], m.Text); t != "" {
						what = fmt.Sprintf("%s's %q", m.FromName, t)
					}
					lines = append(lines, fmt.Sprintf("#%s: %s was deleted", c.Name, what))
				}
			case !m.Bot && !m.Deleted:
				s.memberText[m.ID] = m.Text
				s.memberName[m.ID] = m.FromName
			}
		}
		// Some simulators drop a deleted message instead of marking it,
		// possibly before this printer saw it.
		for id, m := range said {
			if _, known := s.memberText[id]; m.chat == c.ID && !known && !present[id] && !s.deleted[id] {
				s.memberText[id], s.memberName[id] = m.text, m.from
			}
		}
		var gone []string
		for id := range s.memberText {
			if !present[id] && !s.deleted[id] {
				gone = append(gone, id)
			}
		}
		sort.Strings(gone)
		for _, id := range gone {
			s.deleted[id] = true
			if c.Group {
				lines = append(lines, fmt.Sprintf("#%s: %s's %q was deleted", c.Name, s.memberName[id], s.memberText[id]))
			}
		}
	}
	return lines
}

// lockedWriter serializes writes from the printer and the prompt.
type lockedWriter struct {
	mu sync.Mutex
	w  io.Writer
}

func (l *lockedWriter) Write(p []byte) (int, error) {
	l.mu.Lock()
	defer l.mu.Unlock()
	return l.w.Write(p)
}
