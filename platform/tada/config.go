package tada

import (
	"errors"
	"strings"

	"github.com/parleybot/parley/bot"
	"github.com/parleybot/parley/registry"
)

func init() {
	registry.RegisterPlatform(registry.PlatformInfo{Name: "tada", New: func() registry.PlatformConfig { return NewSettings() }})
}

// Settings is the [bots.tada] table of a hosted bot.
type Settings struct {
	// URL is the server, such as "https://web.tada.team". Required.
	URL string `toml:"url"`
	// Team is the team uid. Required.
	Team string `toml:"team"`
	// Token is the bot's token (from /newbot to @TadaBot); write it as
	// "${TADA_TOKEN}" to keep it out of the file. Required.
	Token string `toml:"token"`
	// CallTimeout bounds REST calls and WebSocket writes.
	CallTimeout registry.Duration `toml:"call_timeout"`
	// ReconnectMin and ReconnectMax bound the reconnect backoff.
	ReconnectMin registry.Duration `toml:"reconnect_min"`
	ReconnectMax registry.Duration `toml:"reconnect_max"`
	// PingInterval and PingTimeout: how often client.ping goes, and how
	// late its confirm may be before the connection is reopened.
	PingInterval registry.Duration `toml:"ping_interval"`
	PingTimeout  registry.Duration `toml:"ping_timeout"`
	// CatchUp fetches messages that arrived while the bot was away.
	CatchUp bool `toml:"catch_up"`
	// MarkRead marks handled messages read, so that a bot without a store
	// file resumes from the server's read markers.
	MarkRead bool `toml:"mark_read"`
	// SendOverWebSocket sends with client.message.updated instead of REST.
	SendOverWebSocket bool `toml:"send_over_websocket"`
	// MaxMessageLength overrides the server's max_message_length; 0 keeps
	// the server's.
	MaxMessageLength int `toml:"max_message_length"`
}

// NewSettings returns the settings with every default filled in and no
// URL, team or token.
func NewSettings() *Settings {
	return &Settings{
		CallTimeout:  registry.Duration(DefaultCallTimeout),
		ReconnectMin: registry.Duration(DefaultReconnectMin),
		ReconnectMax: registry.Duration(DefaultReconnectMax),
		PingInterval: registry.Duration(DefaultPingInterval),
		PingTimeout:  registry.Duration(DefaultPingTimeout),
		CatchUp:      true,
		MarkRead:     true,
	}
}

// Validate reports every problem with the settings.
func (s *Settings) Validate() error {
	var errs []error
	add := func(key string, err error) {
		if err != nil {
			errs = append(errs, registry.Field(key, err))
		}
	}
	add("url", registry.CheckURL(s.URL, "http", "https"))
	switch {
	case s.Team == "":
		add("team", registry.Problemf(registry.ErrMissing, "the team uid is required"))
	case strings.ContainsAny(s.Team, "/?# "):
		add("team", registry.Problemf(registry.ErrInvalid, "team %q: want a team uid", s.Team))
	}
	if s.Token == "" {
		add("token", registry.Problemf(registry.ErrMissing, "the bot's token is required"))
	}
	positive := func(key string, d registry.Duration) {
		if d <= 0 {
			add(key, registry.Problemf(registry.ErrInvalid, "%s %s: want a positive duration", key, d.Std()))
		}
	}
	positive("call_timeout", s.CallTimeout)
	positive("ping_interval", s.PingInterval)
	positive("ping_timeout", s.PingTimeout)
	switch {
	case s.ReconnectMin <= 0:
		add("reconnect_min", registry.Problemf(registry.ErrInvalid, "reconnect_min %s: want a positive duration", s.ReconnectMin.Std()))
	case s.ReconnectMax < s.ReconnectMin:
		add("reconnect_max", registry.Problemf(registry.ErrInvalid, "reconnect_max %s is less than reconnect_min %s", s.ReconnectMax.Std(), s.ReconnectMin.Std()))
	}
	if s.MaxMessageLength < 0 {
		add("max_message_length", registry.Problemf(registry.ErrInvalid, "max_message_length %d: want 0 (the server's) or more", s.MaxMessageLength))
	}
	return errors.Join(errs...)
}

// Build returns a *Platform that keeps its cursors in the bot's store. It
// does not connect.
func (s *Settings) Build(env registry.PlatformEnv) (bot.Platform, error) {
	opts := []Option{
		WithStore(env.Store),
		WithLogger(env.Logger),
		WithCallTimeout(s.CallTimeout.Std()),
		WithBackoff(s.ReconnectMin.Std(), s.ReconnectMax.Std()),
		WithPing(s.PingInterval.Std(), s.PingTimeout.Std()),
		WithCatchUp(s.CatchUp),
		WithMarkRead(s.MarkRead),
		WithSendOverWebSocket(s.SendOverWebSocket),
	}
	if s.MaxMessageLength > 0 {
		opts = append(opts, WithMaxMessageLength(s.MaxMessageLength))
	}
	return New(s.URL, s.Team, s.Token, opts...)
}
