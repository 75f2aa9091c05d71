package olvid

import (
	"errors"
	"net"
	"path/filepath"
	"strings"

	"github.com/parleybot/parley/bot"
	"github.com/parleybot/parley/registry"
)

func init() {
	registry.RegisterPlatform(registry.PlatformInfo{Name: "olvid", New: func() registry.PlatformConfig { return NewSettings() }})
}

// Settings is the [bots.olvid] table of a hosted bot:
//
//	[bots.olvid]
//	target = "127.0.0.1:50051"          # or "https://daemon.example:50051"
//	client_key = "${OLVID_CLIENT_KEY}"
//	# identity_id = 1                   # with an admin key
//	# tls_ca = "ca.pem"                  # TLS: verify the daemon with this CA
//	# tls_cert = "bot.pem"               # mutual TLS: the bot's certificate
//	# tls_key = "bot-key.pem"
//	# notifications = ["MessageReactionAdded"]   # streams besides the default ones
type Settings struct {
	// Target is the daemon's address, "host:port"; an "https://" prefix
	// turns TLS on, "http://" is plaintext.
	Target string `toml:"target"`
	// ClientKey is the daemon client key; write it as
	// "${OLVID_CLIENT_KEY}" to keep it out of the file. Required.
	ClientKey string `toml:"client_key"`
	// IdentityID picks the identity an admin key acts for; 0 for keys
	// bound to an identity.
	IdentityID uint64 `toml:"identity_id"`
	// TLS turns TLS on with the system roots when no TLS file is given.
	TLS bool `toml:"tls"`
	// TLSCA verifies the daemon's certificate; TLSCert and TLSKey are the
	// bot's certificate for mutual TLS. Relative paths start at the
	// configuration file's directory.
	TLSCA   string `toml:"tls_ca"`
	TLSCert string `toml:"tls_cert"`
	TLSKey  string `toml:"tls_key"`
	// TLSServerName overrides the name checked in the daemon's
	// certificate.
	TLSServerName string `toml:"tls_server_name"`
	// CallTimeout bounds commands that have no deadline of their own.
	CallTimeout registry.Duration `toml:"call_timeout"`
	// ReconnectMin and ReconnectMax bound the backoff between attempts
	// to reopen the notification streams.
	ReconnectMin registry.Duration `toml:"reconnect_min"`
	ReconnectMax registry.Duration `toml:"reconnect_max"`
	// SubscribeWait bounds the wait for each stream's headers before
	// catching up.
	SubscribeWait registry.Duration `toml:"subscribe_wait"`
	// AcceptWait bounds the wait for a new discussion after accepting an
	// invitation, before the welcome.
	AcceptWait registry.Duration `toml:"accept_wait"`
	// CatchUp fetches what arrived while the streams were closed.
	CatchUp bool `toml:"catch_up"`
	// MaxText is the longest message body in bytes; longer texts are
	// split.
	MaxText int `toml:"max_text"`
	// Notifications are streams to open besides the default ones, by
	// notification name ("MessageReactionAdded", "CallIncomingCall", …).
	Notifications []string `toml:"notifications"`
}

// NewSettings returns the settings with every default filled in and no
// client key.
func NewSettings() *Settings {
	return &Settings{
		Target:        DefaultTarget,
		CallTimeout:   registry.Duration(DefaultCallTimeout),
		ReconnectMin:  registry.Duration(DefaultBackoffMin),
		ReconnectMax:  registry.Duration(DefaultBackoffMax),
		SubscribeWait: registry.Duration(DefaultSubscribeWait),
		AcceptWait:    registry.Duration(DefaultAcceptWait),
		CatchUp:       true,
		MaxText:       DefaultMaxText,
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
	invalid := func(format string, args ...any) error { return registry.Problemf(registry.ErrInvalid, format, args...) }
	target, _ := SplitTarget(s.Target)
	if s.Target == "" {
		add("target", registry.Problemf(registry.ErrMissing, "the daemon's address is required"))
	} else if _, port, err := net.SplitHostPort(target); err != nil || port == "" || strings.Contains(target, "/") {
		add("target", invalid("target %q: want host:port, optionally after http:// or https://", s.Target))
	}
	if s.ClientKey == "" {
		add("client_key", registry.Problemf(registry.ErrMissing, "the daemon client key is required"))
	}
	if (s.TLSCert == "") != (s.TLSKey == "") {
		add("tls_key", invalid("mutual TLS needs both tls_cert and tls_key"))
	}
	positive := func(key string, d registry.Duration) {
		if d <= 0 {
			add(key, invalid("%s %s: want a positive duration", key, d.Std()))
		}
	}
	positive("call_timeout", s.CallTimeout)
	positive("accept_wait", s.AcceptWait)
	if s.SubscribeWait < 0 {
		add("subscribe_wait", invalid("subscribe_wait %s: want zero or more", s.SubscribeWait.Std()))
	}
	switch {
	case s.ReconnectMin <= 0:
		add("reconnect_min", invalid("reconnect_min %s: want a positive duration", s.ReconnectMin.Std()))
	case s.ReconnectMax < s.ReconnectMin:
		add("reconnect_max", invalid("reconnect_max %s is less than reconnect_min %s", s.ReconnectMax.Std(), s.ReconnectMin.Std()))
	}
	if s.MaxText < 16 {
		add("max_text", invalid("max_text %d: want at least 16 bytes", s.MaxText))
	}
	for _, n := range s.Notifications {
		if _, ok := notificationSpecs[Notification(n)]; !ok {
			add("notifications", invalid("unknown notification %q", n))
		}
	}
	return errors.Join(errs...)
}

// Build returns a *Platform that keeps its positions in the bot's store
// and reports commands and reconnects to env. It reads the TLS files but
// does not connect.
func (s *Settings) Build(env registry.PlatformEnv) (bot.Platform, error) {
	opts := []Option{
		WithStore(env.Store),
		WithLogger(env.Logger),
		WithClientKey(s.ClientKey),
		WithIdentityID(s.IdentityID),
		WithCallTimeout(s.CallTimeout.Std()),
		WithBackoff(s.ReconnectMin.Std(), s.ReconnectMax.Std()),
		WithSubscribeWait(s.SubscribeWait.Std()),
		WithAcceptWait(s.AcceptWait.Std()),
		WithCatchUp(s.CatchUp),
		WithMaxText(s.MaxText),
		WithCommandObserver(env.Command),
		WithReconnectObserver(env.Reconnect),
	}
	for _, n := range s.Notifications {
		opts = append(opts, WithNotifications(Notification(n)))
	}
	if s.TLS || s.TLSCA != "" || s.TLSCert != "" {
		path := func(p string) string {
			if p == "" || filepath.IsAbs(p) {
				return p
			}
			return filepath.Join(env.Dir, p)
		}
		cfg, err := LoadTLS(path(s.TLSCA), path(s.TLSCert), path(s.TLSKey), s.TLSServerName)
		if err != nil {
			return nil, err
		}
		opts = append(opts, WithTLS(cfg))
	}
	return New(s.Target, opts...)
}
