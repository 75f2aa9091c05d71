package config

import (
	"errors"
	"net/http"
	"strings"
	"time"

	"github.com/parleybot/parley/bot"
	"github.com/parleybot/parley/platform/privitty"
)

func init() {
	RegisterPlatform(PlatformInfo{
		Name: "privitty",
		New:  func() PlatformConfig { return NewPrivittySettings() },
	})
}

// PrivittySettings is the [bots.privitty] table: how a bot reaches its
// Privitty Edge daemon (privitty-edged).
type PrivittySettings struct {
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
	CallTimeout Duration `toml:"call_timeout"`
	// IdleTimeout is how long the event stream may stay silent before it
	// is reopened; the daemon pings every 15s.
	IdleTimeout Duration `toml:"idle_timeout"`
	// ReconnectMin and ReconnectMax bound the reconnect backoff.
	ReconnectMin Duration `toml:"reconnect_min"`
	ReconnectMax Duration `toml:"reconnect_max"`
	// CatchUp fetches messages that arrived while the bot was away or the
	// daemon dropped events.
	CatchUp bool `toml:"catch_up"`
	// MarkSeen marks handled messages seen, which sends read receipts.
	MarkSeen bool `toml:"mark_seen"`
}

// Defaults of [bots.privitty]; they match the privitty platform's own.
const (
	DefaultPrivittyCallTimeout  = 30 * time.Second
	DefaultPrivittyIdleTimeout  = 45 * time.Second
	DefaultPrivittyReconnectMin = 250 * time.Millisecond
	DefaultPrivittyReconnectMax = 30 * time.Second
)

// NewPrivittySettings returns the settings with every default filled in
// and no URL.
func NewPrivittySettings() *PrivittySettings {
	return &PrivittySettings{
		CallTimeout:  Duration(DefaultPrivittyCallTimeout),
		IdleTimeout:  Duration(DefaultPrivittyIdleTimeout),
		ReconnectMin: Duration(DefaultPrivittyReconnectMin),
		ReconnectMax: Duration(DefaultPrivittyReconnectMax),
		CatchUp:      true,
		MarkSeen:     true,
	}
}

// Validate implements PlatformConfig.
func (s *PrivittySettings) Validate() error {
	var errs []error
	add := func(key string, err error) {
		if err != nil {
			errs = append(errs, Field(key, err))
		}
	}
	add("url", CheckURL(s.URL, "http", "https"))
	if s.Account < 0 {
		add("account", problemf(ErrInvalid, "account %d: want a positive id, or 0 for the daemon's first account", s.Account))
	}
	for k := range s.Headers {
		if k == "" || strings.ContainsFunc(k, func(r rune) bool { return r <= ' ' || r == ':' || r >= 0x7f }) {
			add("headers", problemf(ErrInvalid, "header name %q: want a token without spaces, colons or control characters", k))
		}
	}
	if s.CallTimeout <= 0 {
		add("call_timeout", problemf(ErrInvalid, "call_timeout %s: want a positive duration", s.CallTimeout.Std()))
	}
	if s.IdleTimeout <= 0 {
		add("idle_timeout", problemf(ErrInvalid, "idle_timeout %s: want a positive duration", s.IdleTimeout.Std()))
	}
	switch {
	case s.ReconnectMin <= 0:
		add("reconnect_min", problemf(ErrInvalid, "reconnect_min %s: want a positive duration", s.ReconnectMin.Std()))
	case s.ReconnectMax < s.ReconnectMin:
		add("reconnect_max", problemf(ErrInvalid, "reconnect_max %s is less than reconnect_min %s", s.ReconnectMax.Std(), s.ReconnectMin.Std()))
	}
	return errors.Join(errs...)
}

// Build implements PlatformConfig: a *privitty.Platform that keeps its
// cursors in the bot's store. It does not connect.
func (s *PrivittySettings) Build(env PlatformEnv) (bot.Platform, error) {
	opts := []privitty.Option{
		privitty.WithStore(env.Store),
		privitty.WithLogger(env.Logger),
		privitty.WithCatchUp(s.CatchUp),
		privitty.WithMarkSeen(s.MarkSeen),
		privitty.WithCallTimeout(s.CallTimeout.Std()),
		privitty.WithIdleTimeout(s.IdleTimeout.Std()),
		privitty.WithBackoff(s.ReconnectMin.Std(), s.ReconnectMax.Std()),
	}
	if s.Account > 0 {
		opts = append(opts, privitty.WithAccount(s.Account))
	}
	if len(s.Headers) > 0 {
		h := http.Header{}
		for k, v := range s.Headers {
			h.Set(k, v)
		}
		opts = append(opts, privitty.WithHeaders(h))
	}
	return privitty.New(s.URL, opts...), nil
}
