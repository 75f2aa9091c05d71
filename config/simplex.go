package config

import (
	"errors"
	"fmt"
	"strings"
	"time"
	"unicode"

	"github.com/parleybot/parley/bot"
	"github.com/parleybot/parley/platform/simplex"
)

func init() {
	RegisterPlatform(PlatformInfo{
		Name: "simplex",
		New:  func() PlatformConfig { return NewSimplexSettings() },
	})
}

// SimplexSettings is the [bots.simplex] table: how a bot reaches its
// simplex-chat CLI and what it sets up there on every connection.
type SimplexSettings struct {
	// URL is the CLI's WebSocket address, ws:// or wss://. Required.
	URL string `toml:"url"`
	// BotName creates the bot user with this display name when the CLI
	// has no user yet.
	BotName string `toml:"bot_name"`
	// CreateAddress creates the bot's SimpleX address when it has none.
	CreateAddress bool `toml:"create_address"`
	// AutoAcceptAddress makes the CLI itself accept every contact request
	// to the address. The bots' [bots.auto_accept] middleware then never
	// sees those requests; leave this off to accept by policy instead.
	AutoAcceptAddress bool `toml:"auto_accept_address"`
	// Welcome is the address's automatic reply, sent by the CLI to each
	// contact it auto-accepts (needs AutoAcceptAddress).
	Welcome string `toml:"welcome"`
	// Commands, when given, become the bot's command menu.
	Commands []SimplexCommand `toml:"commands"`
	// CallTimeout bounds commands that have no deadline of their own.
	CallTimeout Duration `toml:"call_timeout"`
	// PingInterval is how often the connection is checked; "0s" disables.
	PingInterval Duration `toml:"ping_interval"`
	// ReconnectMin and ReconnectMax bound the reconnect backoff.
	ReconnectMin Duration `toml:"reconnect_min"`
	ReconnectMax Duration `toml:"reconnect_max"`
	// CatchUp fetches messages that arrived while the bot was away.
	CatchUp bool `toml:"catch_up"`
}

// SimplexCommand is one entry of the bot's command menu.
type SimplexCommand struct {
	// Keyword is the command without its slash: "help" for /help.
	Keyword string `toml:"keyword"`
	// Label is what the menu shows.
	Label string `toml:"label"`
}

// Defaults of [bots.simplex]; they match the simplex client's own.
const (
	DefaultSimplexCallTimeout  = 60 * time.Second
	DefaultSimplexPingInterval = 15 * time.Second
	DefaultSimplexReconnectMin = 250 * time.Millisecond
	DefaultSimplexReconnectMax = 30 * time.Second
)

// NewSimplexSettings returns the settings with every default filled in
// and no URL.
func NewSimplexSettings() *SimplexSettings {
	return &SimplexSettings{
		CallTimeout:  Duration(DefaultSimplexCallTimeout),
		PingInterval: Duration(DefaultSimplexPingInterval),
		ReconnectMin: Duration(DefaultSimplexReconnectMin),
		ReconnectMax: Duration(DefaultSimplexReconnectMax),
		CatchUp:      true,
	}
}

// Validate implements PlatformConfig.
func (s *SimplexSettings) Validate() error {
	var errs []error
	add := func(key string, err error) {
		if err != nil {
			errs = append(errs, Field(key, err))
		}
	}
	add("url", CheckURL(s.URL, "ws", "wss"))
	if s.BotName != "" {
		add("bot_name", checkDisplayName(s.BotName))
	}
	if s.Welcome != "" && !s.AutoAcceptAddress {
		add("welcome", problemf(ErrInvalid, "welcome is the address's auto-reply and is sent only with auto_accept_address = true; for contacts the bot accepts by policy, use [bots.auto_accept] welcome"))
	}
	seen := map[string]int{}
	for i, c := range s.Commands {
		key := fmt.Sprintf("commands[%d]", i)
		switch kw := c.Keyword; {
		case kw == "":
			add(key+".keyword", problemf(ErrMissing, "keyword is required (such as \"help\" for /help)"))
		case strings.HasPrefix(kw, "/"):
			add(key+".keyword", problemf(ErrInvalid, "keyword %q: write it without the slash", kw))
		case strings.ContainsFunc(kw, func(r rune) bool { return unicode.IsSpace(r) || !unicode.IsPrint(r) }):
			add(key+".keyword", problemf(ErrInvalid, "keyword %q: no spaces or control characters", kw))
		default:
			if first, dup := seen[kw]; dup {
				add(key+".keyword", problemf(ErrInvalid, "keyword %q is already commands[%d]", kw, first))
			} else {
				seen[kw] = i
			}
		}
		if strings.TrimSpace(c.Label) == "" {
			add(key+".label", problemf(ErrMissing, "label is required"))
		}
	}
	if s.CallTimeout <= 0 {
		add("call_timeout", problemf(ErrInvalid, "call_timeout %s: want a positive duration", s.CallTimeout.Std()))
	}
	if s.PingInterval < 0 {
		add("ping_interval", problemf(ErrInvalid, "ping_interval %s: want a positive duration, or \"0s\" to disable pings", s.PingInterval.Std()))
	}
	switch {
	case s.ReconnectMin <= 0:
		add("reconnect_min", problemf(ErrInvalid, "reconnect_min %s: want a positive duration", s.ReconnectMin.Std()))
	case s.ReconnectMax < s.ReconnectMin:
		add("reconnect_max", problemf(ErrInvalid, "reconnect_max %s is less than reconnect_min %s", s.ReconnectMax.Std(), s.ReconnectMin.Std()))
	}
	return errors.Join(errs...)
}

// checkDisplayName applies the CLI's rules for display names.
func checkDisplayName(n string) error {
	switch {
	case strings.TrimSpace(n) != n:
		return problemf(ErrInvalid, "bot name %q: no leading or trailing spaces", n)
	case strings.ContainsAny(n, "@#'\""):
		return problemf(ErrInvalid, "bot name %q: the characters @ # ' and \" are not allowed", n)
	case strings.ContainsFunc(n, func(r rune) bool { return !unicode.IsPrint(r) }):
		return problemf(ErrInvalid, "bot name %q: no control characters", n)
	}
	return nil
}

// Startup returns the start-up steps the settings ask for.
func (s *SimplexSettings) Startup() simplex.Startup {
	st := simplex.Startup{BotName: s.BotName, Address: s.CreateAddress}
	// The address settings are written only when the file says something
	// about them, so an address set up by hand in the CLI is left alone.
	if s.AutoAcceptAddress || s.Welcome != "" {
		as := &simplex.AddressSettings{}
		if s.AutoAcceptAddress {
			as.AutoAccept = &simplex.AutoAccept{}
		}
		if s.Welcome != "" {
			mc := simplex.TextContent(s.Welcome)
			as.AutoReply = &mc
		}
		st.AddressSettings = as
	}
	if len(s.Commands) > 0 {
		st.Commands = make([]simplex.ChatBotCommand, len(s.Commands))
		for i, c := range s.Commands {
			st.Commands[i] = simplex.ChatBotCommand{Type: "command", Keyword: c.Keyword, Label: c.Label}
		}
	}
	return st
}

// Build implements PlatformConfig: a *simplex.Platform that keeps its
// cursors in the bot's store. It does not connect.
func (s *SimplexSettings) Build(env PlatformEnv) (bot.Platform, error) {
	return simplex.New(s.URL,
		simplex.WithStore(env.Store),
		simplex.WithLogger(env.Logger),
		simplex.WithStartup(s.Startup()),
		simplex.WithCatchUp(s.CatchUp),
		simplex.WithClientOptions(
			simplex.WithCommandObserver(env.Command),
			simplex.WithReconnectObserver(env.Reconnect),
			simplex.WithCallTimeout(s.CallTimeout.Std()),
			simplex.WithPingInterval(s.PingInterval.Std()),
			simplex.WithBackoff(s.ReconnectMin.Std(), s.ReconnectMax.Std()),
		),
	), nil
}
