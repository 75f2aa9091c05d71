package simplex

import (
	"errors"
	"fmt"
	"strings"
	"unicode"

	"github.com/parleybot/parley/bot"
	"github.com/parleybot/parley/registry"
)

func init() {
	registry.RegisterPlatform(registry.PlatformInfo{
		Name: "simplex",
		New:  func() registry.PlatformConfig { return NewSettings() },
	})
}

// Settings is the [bots.simplex] table of a hosted bot: how it reaches its
// simplex-chat CLI and what it sets up there on every connection.
type Settings struct {
	// URL is the CLI's WebSocket address, ws:// or wss://. Required.
	URL string `toml:"url"`
	// BotName creates the bot user with this display name when the CLI
	// has no user yet.
	BotName string `toml:"bot_name"`
	// CreateAddress creates the bot's SimpleX address when it has none.
	CreateAddress bool `toml:"create_address"`
	// AutoAcceptAddress makes the CLI itself accept every contact request
	// to the address. The bot's [bots.auto_accept] middleware then never
	// sees those requests; leave this off to accept by policy instead.
	AutoAcceptAddress bool `toml:"auto_accept_address"`
	// Welcome is the address's automatic reply, sent by the CLI to each
	// contact it auto-accepts (needs AutoAcceptAddress).
	Welcome string `toml:"welcome"`
	// Commands, when given, become the bot's command menu.
	Commands []MenuCommand `toml:"commands"`
	// CallTimeout bounds commands that have no deadline of their own.
	CallTimeout registry.Duration `toml:"call_timeout"`
	// PingInterval is how often the connection is checked; "0s" disables.
	PingInterval registry.Duration `toml:"ping_interval"`
	// ReconnectMin and ReconnectMax bound the reconnect backoff.
	ReconnectMin registry.Duration `toml:"reconnect_min"`
	ReconnectMax registry.Duration `toml:"reconnect_max"`
	// CatchUp fetches messages that arrived while the bot was away.
	CatchUp bool `toml:"catch_up"`
}

// MenuCommand is one entry of the bot's command menu in Settings.
type MenuCommand struct {
	// Keyword is the command without its slash: "help" for /help.
	Keyword string `toml:"keyword"`
	// Label is what the menu shows.
	Label string `toml:"label"`
}

// NewSettings returns the settings with every default filled in and no
// URL.
func NewSettings() *Settings {
	return &Settings{
		CallTimeout:  registry.Duration(DefaultCallTimeout),
		PingInterval: registry.Duration(DefaultPingInterval),
		ReconnectMin: registry.Duration(DefaultReconnectMin),
		ReconnectMax: registry.Duration(DefaultReconnectMax),
		CatchUp:      DefaultCatchUp,
	}
}

// Validate implements registry.PlatformConfig.
func (s *Settings) Validate() error {
	var errs []error
	add := func(key string, err error) {
		if err != nil {
			errs = append(errs, registry.Field(key, err))
		}
	}
	invalid := func(format string, args ...any) error { return registry.Problemf(registry.ErrInvalid, format, args...) }
	add("url", registry.CheckURL(s.URL, "ws", "wss"))
	if s.BotName != "" {
		add("bot_name", checkDisplayName(s.BotName))
	}
	if s.Welcome != "" && !s.AutoAcceptAddress {
		add("welcome", invalid("welcome is the address's auto-reply and is sent only with auto_accept_address = true; for contacts the bot accepts by policy, use [bots.auto_accept] welcome"))
	}
	seen := map[string]int{}
	for i, c := range s.Commands {
		key := fmt.Sprintf("commands[%d]", i)
		switch kw := c.Keyword; {
		case kw == "":
			add(key+".keyword", registry.Problemf(registry.ErrMissing, "keyword is required (such as \"help\" for /help)"))
		case strings.HasPrefix(kw, "/"):
			add(key+".keyword", invalid("keyword %q: write it without the slash", kw))
		case strings.ContainsFunc(kw, func(r rune) bool { return unicode.IsSpace(r) || !unicode.IsPrint(r) }):
			add(key+".keyword", invalid("keyword %q: no spaces or control characters", kw))
		default:
			if first, dup := seen[kw]; dup {
				add(key+".keyword", invalid("keyword %q is already commands[%d]", kw, first))
			} else {
				seen[kw] = i
			}
		}
		if strings.TrimSpace(c.Label) == "" {
			add(key+".label", registry.Problemf(registry.ErrMissing, "label is required"))
		}
	}
	if s.CallTimeout <= 0 {
		add("call_timeout", invalid("call_timeout %s: want a positive duration", s.CallTimeout.Std()))
	}
	if s.PingInterval < 0 {
		add("ping_interval", invalid("ping_interval %s: want a positive duration, or \"0s\" to disable pings", s.PingInterval.Std()))
	}
	switch {
	case s.ReconnectMin <= 0:
		add("reconnect_min", invalid("reconnect_min %s: want a positive duration", s.ReconnectMin.Std()))
	case s.ReconnectMax < s.ReconnectMin:
		add("reconnect_max", invalid("reconnect_max %s is less than reconnect_min %s", s.ReconnectMax.Std(), s.ReconnectMin.Std()))
	}
	return errors.Join(errs...)
}

// checkDisplayName applies the CLI's rules for display names.
func checkDisplayName(n string) error {
	switch {
	case strings.TrimSpace(n) != n:
		return registry.Problemf(registry.ErrInvalid, "bot name %q: no leading or trailing spaces", n)
	case strings.ContainsAny(n, "@#'\""):
		return registry.Problemf(registry.ErrInvalid, "bot name %q: the characters @ # ' and \" are not allowed", n)
	case strings.ContainsFunc(n, func(r rune) bool { return !unicode.IsPrint(r) }):
		return registry.Problemf(registry.ErrInvalid, "bot name %q: no control characters", n)
	}
	return nil
}

// Startup returns the start-up steps the settings ask for.
func (s *Settings) Startup() Startup {
	st := Startup{BotName: s.BotName, Address: s.CreateAddress}
	// The address settings are written only when the file says something
	// about them, so an address set up by hand in the CLI is left alone.
	if s.AutoAcceptAddress || s.Welcome != "" {
		as := &AddressSettings{}
		if s.AutoAcceptAddress {
			as.AutoAccept = &AutoAccept{}
		}
		if s.Welcome != "" {
			mc := TextContent(s.Welcome)
			as.AutoReply = &mc
		}
		st.AddressSettings = as
	}
	if len(s.Commands) > 0 {
		st.Commands = make([]ChatBotCommand, len(s.Commands))
		for i, c := range s.Commands {
			st.Commands[i] = ChatBotCommand{Type: "command", Keyword: c.Keyword, Label: c.Label}
		}
	}
	return st
}

// Build implements registry.PlatformConfig: a *Platform that keeps its
// cursors in the bot's store and reports commands and reconnections to
// env's observers. It does not connect.
func (s *Settings) Build(env registry.PlatformEnv) (bot.Platform, error) {
	return New(s.URL,
		WithStore(env.Store),
		WithLogger(env.Logger),
		WithStartup(s.Startup()),
		WithCatchUp(s.CatchUp),
		WithClientOptions(
			WithCommandObserver(env.Command),
			WithReconnectObserver(env.Reconnect),
			WithCallTimeout(s.CallTimeout.Std()),
			WithPingInterval(s.PingInterval.Std()),
			WithBackoff(s.ReconnectMin.Std(), s.ReconnectMax.Std()),
		),
	), nil
}
