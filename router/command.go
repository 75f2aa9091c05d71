package router

import (
	"errors"
	"strings"
	"unicode"
	"unicode/utf8"

	"github.com/parleybot/parley/bot"
)

// Command is a parsed bot command such as `/ban @bob "for spam"`.
type Command struct {
	// Name is the command without prefix or @botname suffix ("ban").
	Name string
	// Args are the arguments, split at spaces; double- or single-quoted
	// arguments keep their spaces.
	Args []string
	// RawArgs is everything after the name, trimmed.
	RawArgs string
	// To is the bot the command is addressed to ("mybot" in
	// "/help@mybot"), empty when it names none.
	To string
	// Message is the message that carried the command.
	Message bot.Message
}

// Arg returns argument i, or "" when there are fewer.
func (c Command) Arg(i int) string {
	if i < 0 || i >= len(c.Args) {
		return ""
	}
	return c.Args[i]
}

// ErrUnclosedQuote is returned by ParseCommand for a quote left open.
var ErrUnclosedQuote = errors.New("router: unclosed quote in command arguments")

type commandOptions struct {
	prefixes string
}

func defaultCommandOptions() commandOptions { return commandOptions{prefixes: "/"} }

// SetCommandPrefixes sets the characters that start a command (default
// "/"). It must be called before any route is registered.
func (r *Router) SetCommandPrefixes(prefixes string) {
	r.checkOpen()
	if prefixes == "" {
		panic("router: empty command prefixes")
	}
	if r.parent != nil {
		panic("router: SetCommandPrefixes belongs on the top-level router")
	}
	if len(r.routes) > 0 {
		panic("router: SetCommandPrefixes must come before the routes")
	}
	r.opts.prefixes = prefixes
}

// OnCommand registers a handler for the command name (without prefix),
// for example r.OnCommand("help", …) for "/help", "/HELP" and
// "/help@mybot" when the bot is called mybot (c.BotName; a bot without
// bot.WithName is called after its platform). "/help@otherbot" is left to
// the other bot.
// Arguments are parsed before the handler runs; a message with an unclosed
// quote still reaches the handler, with the rest of the text as the last
// argument.
func (r *Router) OnCommand(name string, h func(c *bot.Context, cmd Command) error, filters ...Filter) {
	if h == nil {
		panic("router: nil handler")
	}
	if name == "" || strings.ContainsFunc(name, unicode.IsSpace) {
		panic("router: invalid command name " + `"` + name + `"`)
	}
	root := r.root()
	r.add(route{
		kind:    messageRoute,
		command: name,
		h: bot.HandlerFunc(func(c *bot.Context) error {
			m, _ := c.Message()
			cmd, _ := ParseCommand(m.Text, root.opts.prefixes)
			cmd.Message = m
			return h(c, cmd)
		}),
	}, filters)
}

// splitCommand finds the command name and the bot it is addressed to
// without allocating, so that checking many command routes stays cheap.
func splitCommand(text, prefixes string) (name, to string, ok bool) {
	name, to, _, ok = splitCommandArgs(text, prefixes)
	return name, to, ok
}

// addressedTo reports whether a command addressed to to ("" for none) is
// for the bot called botName. A bot without a name takes every command.
func addressedTo(to, botName string) bool {
	return to == "" || botName == "" || strings.EqualFold(to, botName)
}

func splitCommandArgs(text, prefixes string) (name, to, rest string, ok bool) {
	if text == "" {
		return "", "", "", false
	}
	r, size := utf8.DecodeRuneInString(text)
	if !strings.ContainsRune(prefixes, r) {
		return "", "", "", false
	}
	text = text[size:]
	end := strings.IndexFunc(text, unicode.IsSpace)
	if end < 0 {
		name, rest = text, ""
	} else {
		name, rest = text[:end], strings.TrimSpace(text[end:])
	}
	if at := strings.IndexByte(name, '@'); at >= 0 {
		name, to = name[:at], name[at+1:]
	}
	return name, to, rest, name != ""
}

// ParseCommand parses text as a command with the given prefix characters.
// It reports false when text is not a command. An unclosed quote keeps the
// rest as the last argument; call ParseArgs on RawArgs to see that error.
func ParseCommand(text, prefixes string) (Command, bool) {
	name, to, rest, ok := splitCommandArgs(text, prefixes)
	if !ok {
		return Command{}, false
	}
	args, _ := ParseArgs(rest)
	return Command{Name: name, Args: args, RawArgs: rest, To: to}, true
}

// ParseArgs splits s into arguments at white space. Double or single quotes
// group words; a backslash escapes the next character inside double quotes.
func ParseArgs(s string) ([]string, error) {
	var (
		args  []string
		cur   strings.Builder
		quote rune
		inArg bool
	)
	for i := 0; i < len(s); {
		r, size := utf8.DecodeRuneInString(s[i:])
		i += size
		switch {
		case quote != 0:
			if r == quote {
				quote = 0
				continue
			}
			if r == '\\' && quote == '"' && i < len(s) {
				r2, size2 := utf8.DecodeRuneInString(s[i:])
				i += size2
				cur.WriteRune(r2)
				continue
			}
			cur.WriteRune(r)
		case r == '"' || r == '\'':
			quote = r
			inArg = true
		case unicode.IsSpace(r):
			if inArg {
				args = append(args, cur.String())
				cur.Reset()
				inArg = false
			}
		default:
			cur.WriteRune(r)
			inArg = true
		}
	}
	if inArg {
		args = append(args, cur.String())
	}
	if quote != 0 {
		return args, ErrUnclosedQuote
	}
	return args, nil
}
