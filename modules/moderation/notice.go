package moderation

import (
	"errors"
	"fmt"
	"strings"
	"unicode"
	"unicode/utf8"

	"github.com/parleybot/parley/bot"
)

// Texts for owners. They name members and groups, so they go to the
// owner's chat only, never to logs.

func roleName(r string) string {
	if r == "" {
		return "no role"
	}
	return r
}

// actionVerb is what an action does to a member, after "to".
func actionVerb(a Action) string {
	switch a {
	case ActionBlock:
		return "block"
	case ActionRemove:
		return "remove"
	case ActionObserver:
		return "demote"
	}
	return "moderate"
}

// stepText describes a done step: "deleted a message from mia".
func stepText(a Action, msg, who string) string {
	switch a {
	case ActionDelete:
		return "deleted " + msg + " from " + who
	case ActionBlock:
		return "blocked " + who
	case ActionRemove:
		return "removed " + who + " from the group"
	case ActionObserver:
		return "made " + who + " an observer"
	}
	return string(a)
}

// stepInfinitive describes a step to do: "delete a message from mia".
func stepInfinitive(a Action, msg, who string) string {
	switch a {
	case ActionDelete:
		return "delete " + msg + " from " + who
	case ActionBlock:
		return "block " + who
	case ActionRemove:
		return "remove " + who
	case ActionObserver:
		return "make " + who + " an observer"
	}
	return string(a)
}

func describeSteps(steps []Action, msg, who string) []string {
	out := make([]string, len(steps))
	for i, s := range steps {
		out[i] = stepText(s, msg, who)
	}
	return out
}

func actionNames(steps []Action) []string {
	out := make([]string, len(steps))
	for i, s := range steps {
		out[i] = string(s)
	}
	return out
}

// joinAnd joins "a", "b" and "c" as "a, b and c".
func joinAnd(parts []string) string {
	switch len(parts) {
	case 0:
		return "done nothing"
	case 1:
		return parts[0]
	}
	return strings.Join(parts[:len(parts)-1], ", ") + " and " + parts[len(parts)-1]
}

func capitalize(s string) string {
	r, size := utf8.DecodeRuneInString(s)
	if size == 0 {
		return s
	}
	return string(unicode.ToUpper(r)) + s[size:]
}

// failureText explains a failed step to the owner. A missing role is
// named, since the owner can fix it: the role the platform says the step
// needed, else the role the step needs when the bot's known role is
// below it. A step the platform cannot do at all says so.
func failureText(step Action, msg, who string, v view, err error) string {
	what := stepInfinitive(step, msg, who)
	if errors.Is(err, bot.ErrUnsupported) {
		return fmt.Sprintf("Could not %s in %s: %s cannot do that.", what, v.name, v.platform)
	}
	need := requiredRole(err)
	if need == "" && v.role != "" && !atLeast(v.role, actionRole[step]) {
		need = actionRole[step]
	}
	if need != "" {
		return fmt.Sprintf("Could not %s in %s: I need the %s role there (I am %s).", what, v.name, need, roleName(v.role))
	}
	return fmt.Sprintf("Could not %s in %s (%s).", what, v.name, errorKind(err))
}

// requiredRole returns the role a platform error says an action needed,
// for errors that implement RequiredRole() string (SimpleX's do).
func requiredRole(err error) string {
	var rr interface{ RequiredRole() string }
	if errors.As(err, &rr) {
		return rr.RequiredRole()
	}
	return ""
}

// alreadyJoined reports whether err says the bot is already in the group
// it was asked to join, for errors that implement AlreadyJoined() bool
// (SimpleX's do): another handler accepted the invitation first.
func alreadyJoined(err error) bool {
	var aj interface{ AlreadyJoined() bool }
	return errors.As(err, &aj) && aj.AlreadyJoined()
}

// errorKind is a short reason for a failed action.
func errorKind(err error) string { return err.Error() }

func onOff(b bool) string {
	if b {
		return "on"
	}
	return "off"
}

func listOr(items []string, none string) string {
	if len(items) == 0 {
		return none
	}
	return strings.Join(items, ", ")
}

// describeRules renders a group's rules for /rules and the join notice.
func describeRules(st *groupState) string {
	var b strings.Builder
	fmt.Fprintf(&b, "Rules for %s (group %d):\n", st.Name, st.No)
	quoted := make([]string, len(st.Words))
	for i, w := range st.Words {
		quoted[i] = fmt.Sprintf("%q", w)
	}
	fmt.Fprintf(&b, "- banned words: %s\n", listOr(quoted, "none"))
	fmt.Fprintf(&b, "- banned patterns: %s\n", listOr(st.Patterns, "none"))
	switch st.Links {
	case LinksDeny:
		b.WriteString("- links: not allowed\n")
	case LinksAllowlist:
		fmt.Fprintf(&b, "- links: only to %s\n", listOr(st.AllowedDomains, "no domain"))
	default:
		b.WriteString("- links: allowed\n")
	}
	if st.FloodLimit > 0 {
		fmt.Fprintf(&b, "- flood limit: %d messages per member per minute\n", st.FloodLimit)
	} else {
		b.WriteString("- flood limit: off\n")
	}
	switch st.Action {
	case ActionBlock:
		b.WriteString("- action: delete the message and block the member\n")
	case ActionRemove:
		b.WriteString("- action: delete the message and remove the member\n")
	case ActionObserver:
		b.WriteString("- action: delete the message and make the member an observer\n")
	default:
		b.WriteString("- action: delete the message\n")
	}
	if st.RemoveReported {
		b.WriteString("- reported messages: deleted, and their authors removed\n")
	} else {
		b.WriteString("- reported messages: passed on to you\n")
	}
	fmt.Fprintf(&b, "- dry run: %s; notices: %s", onOff(st.DryRun), onOff(st.Notify))
	return b.String()
}

// clip shortens s to at most n characters.
func clip(s string, n int) string {
	if utf8.RuneCountInString(s) <= n {
		return s
	}
	r := []rune(s)
	return string(r[:n]) + "…"
}
