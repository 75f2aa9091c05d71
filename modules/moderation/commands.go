package moderation

import (
	"cmp"
	"fmt"
	"slices"
	"strconv"
	"strings"
	"unicode/utf8"

	"go.uber.org/zap"

	"github.com/parleybot/parley/bot"
	"github.com/parleybot/parley/router"
)

// HelpText answers /help; "[group]" is the group's number, needed only by
// owners of several moderated groups.
const HelpText = `Moderation commands (in this chat; [group] is the group's number, needed when you own several groups):
/rules [group] — show the rules
/status [group] — rules, my role and what I have done
/addword [group] <word or phrase> — ban a word or phrase
/delword [group] <word or phrase> — allow it again
/dry [group] on|off — dry run: only tell you what I would do
/notify [group] on|off — tell you about every action`

// registerCommands adds the owner commands. They answer in direct chats
// only, and only owners of a moderated group; other senders fall through
// to the routes after the module's.
func (m *Moderator) registerCommands(r *router.Router) {
	only := []router.Filter{router.Direct(), m.fromOwner}
	r.OnCommand("help", func(c *bot.Context, _ router.Command) error { return c.Answer(HelpText) }, only...)
	r.OnCommand("rules", func(c *bot.Context, cmd router.Command) error {
		return m.show(c, cmd, func(g *group) string { return describeRules(&g.st) })
	}, only...)
	r.OnCommand("status", func(c *bot.Context, cmd router.Command) error {
		return m.show(c, cmd, describeStatus)
	}, only...)
	r.OnCommand("addword", m.cmdAddWord, only...)
	r.OnCommand("delword", m.cmdDelWord, only...)
	r.OnCommand("dry", m.toggle("dry run", "is", func(st *groupState) *bool { return &st.DryRun }), only...)
	r.OnCommand("notify", m.toggle("notices", "are", func(st *groupState) *bool { return &st.Notify }), only...)
}

// senderContact returns the ID of a direct message's sender.
func senderContact(c *bot.Context) (string, bool) {
	msg, ok := c.Message()
	if !ok || msg.Chat.Kind != bot.Direct || msg.Sender.ID == "" {
		return "", false
	}
	return msg.Sender.ID, true
}

// fromOwner matches direct messages from the owner of a moderated group.
func (m *Moderator) fromOwner(c *bot.Context) bool {
	id, ok := senderContact(c)
	if !ok {
		return false
	}
	if err := m.ensureLoaded(c.Context()); err != nil {
		c.Logger().Warn("moderation: state unavailable", zap.Error(err))
		return false
	}
	m.mu.Lock()
	defer m.mu.Unlock()
	return len(m.ownedLocked(id)) > 0
}

// ownedLocked returns the groups contact owns, by number.
func (m *Moderator) ownedLocked(contact string) []*group {
	var out []*group
	for _, g := range m.groups {
		if g.st.Owner == contact {
			out = append(out, g)
		}
	}
	slices.SortFunc(out, func(a, b *group) int { return cmp.Compare(a.st.No, b.st.No) })
	return out
}

// parseGroupArg reads a group's number, "2" or "#2".
func parseGroupArg(s string) (int64, bool) {
	id, err := strconv.ParseInt(strings.TrimPrefix(s, "#"), 10, 64)
	return id, err == nil && id > 0
}

func groupList(gs []*group) string {
	parts := make([]string, len(gs))
	for i, g := range gs {
		parts[i] = fmt.Sprintf("%d (%s)", g.st.No, g.st.Name)
	}
	return strings.Join(parts, ", ")
}

// pickLocked resolves the optional group argument of a command from
// contact. With all set, a command without a group from an owner of
// several groups means all of them. It returns the groups, the remaining
// arguments, or a reply explaining what is wrong.
func (m *Moderator) pickLocked(contact string, args []string, all bool) ([]*group, []string, string) {
	owned := m.ownedLocked(contact)
	if len(owned) == 0 {
		// The group went away between the route's check and now.
		return nil, nil, "You do not own a group I moderate any more."
	}
	if len(args) > 0 {
		if id, ok := parseGroupArg(args[0]); ok {
			for _, g := range owned {
				if g.st.No == id {
					return []*group{g}, args[1:], ""
				}
			}
			// With one group, a number that is not its id is an argument
			// (a banned "2024", say); "#12" always names a group.
			if len(owned) > 1 || strings.HasPrefix(args[0], "#") {
				return nil, nil, fmt.Sprintf("You do not own a group %d that I moderate. Your groups: %s.", id, groupList(owned))
			}
		}
	}
	if len(owned) == 1 || all {
		return owned, args, ""
	}
	return nil, nil, fmt.Sprintf("You own several groups I moderate: %s. Put the group's number first, as in /addword %d spam.",
		groupList(owned), owned[0].st.No)
}

// show answers /rules and /status.
func (m *Moderator) show(c *bot.Context, cmd router.Command, render func(*group) string) error {
	contact, _ := senderContact(c)
	m.mu.Lock()
	gs, _, reply := m.pickLocked(contact, cmd.Args, true)
	if reply == "" {
		parts := make([]string, len(gs))
		for i, g := range gs {
			parts[i] = render(g)
		}
		reply = strings.Join(parts, "\n\n")
	}
	m.mu.Unlock()
	return c.Answer(reply)
}

func describeStatus(g *group) string {
	st := &g.st
	k := st.Counters
	state := "joined"
	if !st.Joined {
		state = "joining"
	}
	return fmt.Sprintf("%s (group %d): I am %s there (%s), moderating since %s.\n"+
		"Checked %d messages since I started. Since joining: deleted %d, blocked %d, removed %d, demoted %d; "+
		"%d reports from members; %d dry-run reports; %d failed actions.\n%s",
		st.Name, st.No, roleName(st.BotRole), state, st.Since.Format("2006-01-02 15:04 UTC"),
		g.checked, k.Deleted, k.Blocked, k.Removed, k.Demoted, k.Reports, k.DryRuns, k.Failures,
		describeRules(st))
}

// change runs a command that changes one group's rules: it resolves the
// group, checks that owners may change rules, applies fn and saves.
func (m *Moderator) change(c *bot.Context, cmd router.Command, fn func(g *group, args []string) (reply string, changed bool)) error {
	if !m.settings.OwnerCommands {
		return c.Answer("The rules are set by my operator's configuration; /rules and /status show them.")
	}
	contact, _ := senderContact(c)
	m.mu.Lock()
	gs, args, reply := m.pickLocked(contact, cmd.Args, false)
	var err error
	if reply == "" {
		g := gs[0]
		var changed bool
		reply, changed = fn(g, args)
		if changed {
			g.compile(m.log)
			if err = m.saveLocked(c.Context(), g); err != nil {
				reply = "I could not save the change, so it will be lost when I restart: " + err.Error()
			}
			c.Logger().Info("moderation: rules changed", zap.Int64("group", g.st.No), zap.String("command", cmd.Name))
		}
	}
	m.mu.Unlock()
	if aerr := c.Answer(reply); aerr != nil {
		return aerr
	}
	return err
}

func quotedWords(words []string) string {
	q := make([]string, len(words))
	for i, w := range words {
		q[i] = fmt.Sprintf("%q", w)
	}
	return listOr(q, "none")
}

func (m *Moderator) cmdAddWord(c *bot.Context, cmd router.Command) error {
	return m.change(c, cmd, func(g *group, args []string) (string, bool) {
		w := normWord(strings.Join(args, " "))
		switch {
		case w == "":
			return "Usage: /addword [group] <word or phrase>", false
		case utf8.RuneCountInString(w) > MaxWordLen:
			return fmt.Sprintf("That is too long: at most %d characters.", MaxWordLen), false
		case slices.Contains(g.st.Words, w):
			return fmt.Sprintf("%q is already banned in %s.", w, g.st.Name), false
		case len(g.st.Words) >= MaxWords:
			return fmt.Sprintf("%s already has %d banned words, the most I keep. Remove some with /delword first.", g.st.Name, MaxWords), false
		}
		g.st.Words = append(g.st.Words, w)
		return fmt.Sprintf("Banned %q in %s. Banned words: %s.", w, g.st.Name, quotedWords(g.st.Words)), true
	})
}

func (m *Moderator) cmdDelWord(c *bot.Context, cmd router.Command) error {
	return m.change(c, cmd, func(g *group, args []string) (string, bool) {
		w := normWord(strings.Join(args, " "))
		if w == "" {
			return "Usage: /delword [group] <word or phrase>", false
		}
		i := slices.Index(g.st.Words, w)
		if i < 0 {
			return fmt.Sprintf("%q is not banned in %s. Banned words: %s.", w, g.st.Name, quotedWords(g.st.Words)), false
		}
		g.st.Words = slices.Delete(g.st.Words, i, i+1)
		return fmt.Sprintf("%q is allowed again in %s. Banned words: %s.", w, g.st.Name, quotedWords(g.st.Words)), true
	})
}

// toggle makes the handler of an on|off command.
func (m *Moderator) toggle(what, is string, field func(*groupState) *bool) func(*bot.Context, router.Command) error {
	return func(c *bot.Context, cmd router.Command) error {
		return m.change(c, cmd, func(g *group, args []string) (string, bool) {
			p := field(&g.st)
			if len(args) == 1 {
				args[0] = strings.ToLower(args[0])
			}
			if len(args) != 1 || (args[0] != "on" && args[0] != "off") {
				return fmt.Sprintf("Usage: /%s [group] on|off (%s %s %s in %s)", cmd.Name, what, is, onOff(*p), g.st.Name), false
			}
			on := args[0] == "on"
			if *p == on {
				return fmt.Sprintf("%s %s already %s in %s.", capitalize(what), is, onOff(on), g.st.Name), false
			}
			*p = on
			return fmt.Sprintf("%s %s now %s in %s.", capitalize(what), is, onOff(on), g.st.Name), true
		})
	}
}
