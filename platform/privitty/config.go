package privitty

import (
	"errors"
	"net/http"
	"strings"

	"github.com/parleybot/parley/bot"
	"github.com/parleybot/parley/registry"
)

func init() {
	registry.RegisterPlatform(registry.PlatformInfo{
		Name: "privitty",
		New:  func() registry.PlatformConfig { return NewSettings() },
	})
}

// Settings is the [bots.privitty] table of a hosted bot: how it reaches
// its Privitty Edge daemon (privitty-edged).
type Settings struct {
	// URL is the daemon's base address, http:// or https://. Required.
	// The daemon's /rpc has no authentication: use a loopback address, or
	// HTTPS through a reverse proxy (the bot warns otherwise).
	URL string `toml:"url"`
	// Account is the Delta Chat account id; 0 takes the daemon's first.
	Account int64 `toml:"account"`
	// Headers are added to every request, for a reverse proxy (such as
	// Authorization = "Bearer ${EDGE_PROXY_TOKEN}").
	Headers map[string]string `toml:"headers"`
	// CallTimeout bounds calls that have no deadline of their own.
	CallTimeout registry.Duration `toml:"call_timeout"`
	// ConnectTimeout bounds opening the event stream, until the daemon
	// answers; a daemon that says nothing is retried with backoff.
	ConnectTimeout registry.Duration `toml:"connect_timeout"`
	// IdleTimeout is how long the event stream may stay silent before it
	// is reopened; the daemon pings every 15s.
	IdleTimeout registry.Duration `toml:"idle_timeout"`
	// ReconnectMin and ReconnectMax bound the reconnect backoff.
	ReconnectMin registry.Duration `toml:"reconnect_min"`
	ReconnectMax registry.Duration `toml:"reconnect_max"`
	// CatchUp fetches messages that arrived while the bot was away or the
	// daemon dropped events.
	CatchUp bool `toml:"catch_up"`
	// MarkSeen marks handled messages seen, which sends read receipts.
	MarkSeen bool `toml:"mark_seen"`
	// SetBotFlag sets the account's "bot" config flag at start when it is
	// unset; without it the platform only warns.
	SetBotFlag bool `toml:"set_bot_flag"`
}

// NewSettings returns the settings with every default filled in and no
// URL.
func NewSettings() *Settings {
	return &Settings{
		CallTimeout:    registry.Duration(DefaultCallTimeout),
		ConnectTimeout: registry.Duration(DefaultConnectTimeout),
		IdleTimeout:    registry.Duration(DefaultIdleTimeout),
		ReconnectMin:   registry.Duration(DefaultReconnectMin),
		ReconnectMax:   registry.Duration(DefaultReconnectMax),
		CatchUp:        DefaultCatchUp,
		MarkSeen:       DefaultMarkSeen,
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
	add("url", registry.CheckURL(s.URL, "http", "https"))
	if s.Account < 0 {
		add("account", invalid("account %d: want a positive id, or 0 for the daemon's first account", s.Account))
	}
	for k := range s.Headers {
		if k == "" || strings.ContainsFunc(k, func(r rune) bool { return r <= ' ' || r == ':' || r >= 0x7f }) {
			add("headers", invalid("header name %q: want a token without spaces, colons or control characters", k))
		}
	}
	if s.CallTimeout <= 0 {
		add("call_timeout", invalid("call_timeout %s: want a positive duration", s.CallTimeout.Std()))
	}
	if s.ConnectTimeout <= 0 {
		add("connect_timeout", invalid("connect_timeout %s: want a positive duration", s.ConnectTimeout.Std()))
	}
	if s.IdleTimeout <= 0 {
		add("idle_timeout", invalid("idle_timeout %s: want a positive duration", s.IdleTimeout.Std()))
	}
	switch {
	case s.ReconnectMin <= 0:
		add("reconnect_min", invalid("reconnect_min %s: want a positive duration", s.ReconnectMin.Std()))
	case s.ReconnectMax < s.ReconnectMin:
		add("reconnect_max", invalid("reconnect_max %s is less than reconnect_min %s", s.ReconnectMax.Std(), s.ReconnectMin.Std()))
	}
	return errors.Join(errs...)
}

// Build implements registry.PlatformConfig: a *Platform that keeps its
// cursors in the bot's store and tells env.Command and env.Reconnect
// about its calls and reconnections. It does not connect.
func (s *Settings) Build(env registry.PlatformEnv) (bot.Platform, error) {
	opts := []Option{
		WithStore(env.Store),
		WithLogger(env.Logger),
		WithCatchUp(s.CatchUp),
		WithMarkSeen(s.MarkSeen),
		WithSetBotFlag(s.SetBotFlag),
		WithCallTimeout(s.CallTimeout.Std()),
		WithConnectTimeout(s.ConnectTimeout.Std()),
		WithIdleTimeout(s.IdleTimeout.Std()),
		WithBackoff(s.ReconnectMin.Std(), s.ReconnectMax.Std()),
		WithCommandObserver(env.Command),
		WithReconnectObserver(env.Reconnect),
	}
	if s.Account > 0 {
		opts = append(opts, WithAccount(s.Account))
	}
	if len(s.Headers) > 0 {
		h := http.Header{}
		for k, v := range s.Headers {
			h.Set(k, v)
		}
		opts = append(opts, WithHeaders(h))
	}
	return New(s.URL, opts...), nil
}
