package virola

import (
	"crypto/x509"
	"encoding/pem"
	"errors"
	"fmt"
	"os"
	"path/filepath"

	"github.com/parleybot/parley/bot"
	"github.com/parleybot/parley/registry"
)

func init() {
	registry.RegisterPlatform(registry.PlatformInfo{Name: "virola", New: func() registry.PlatformConfig { return NewSettings() }})
}

// Settings is the [bots.virola] table of a hosted bot:
//
//	[bots.virola]
//	url = "https://virola.example.org:7777"
//	token = "${VIROLA_TOKEN}"          # or user_name and password, or both
//	pinned_certificate = "server.pem"  # for a self-signed server certificate
type Settings struct {
	// URL is the server's base address, http:// or https://. Required.
	URL string `toml:"url"`
	// Token is a Web API access token (Authorization: Bearer).
	Token string `toml:"token"`
	// UserName and Password log in for the session cookie, for the events
	// socket if it refuses the token, or instead of a token.
	UserName string `toml:"user_name"`
	Password string `toml:"password"`
	// PinnedCertificate is a PEM file with the server's certificate, which
	// is then the only one trusted. Relative to the configuration file.
	PinnedCertificate string `toml:"pinned_certificate"`
	// InsecureTLS turns certificate checks off (a warning is logged).
	InsecureTLS bool `toml:"insecure_tls"`
	// CallTimeout bounds REST calls.
	CallTimeout registry.Duration `toml:"call_timeout"`
	// PingInterval and PingTimeout check the events socket's liveness.
	PingInterval registry.Duration `toml:"ping_interval"`
	PingTimeout  registry.Duration `toml:"ping_timeout"`
	// ReconnectMin and ReconnectMax bound the reconnect backoff.
	ReconnectMin registry.Duration `toml:"reconnect_min"`
	ReconnectMax registry.Duration `toml:"reconnect_max"`
	// CatchUp fetches what arrived while the bot was away.
	CatchUp bool `toml:"catch_up"`
	// MarkRead marks handled messages read, so that a bot without a store
	// file resumes from the server's read markers.
	MarkRead bool `toml:"mark_read"`
	// ReplyInThread sends replies as comments on the message replied to.
	ReplyInThread bool `toml:"reply_in_thread"`
}

// NewSettings returns the settings with every default filled in and no
// URL or credentials.
func NewSettings() *Settings {
	return &Settings{
		CallTimeout:   registry.Duration(DefaultCallTimeout),
		PingInterval:  registry.Duration(DefaultPingInterval),
		PingTimeout:   registry.Duration(DefaultPingTimeout),
		ReconnectMin:  registry.Duration(DefaultMinBackoff),
		ReconnectMax:  registry.Duration(DefaultMaxBackoff),
		CatchUp:       DefaultCatchUp,
		MarkRead:      true,
		ReplyInThread: DefaultReplyInThread,
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
	add("url", registry.CheckURL(s.URL, "http", "https"))
	if s.Token == "" && s.UserName == "" {
		add("token", registry.Problemf(registry.ErrMissing, "set token, or user_name and password"))
	}
	if s.UserName != "" && s.Password == "" {
		add("password", registry.Problemf(registry.ErrMissing, "user_name is set without a password"))
	}
	if s.Password != "" && s.UserName == "" {
		add("user_name", registry.Problemf(registry.ErrMissing, "password is set without a user_name"))
	}
	if s.PinnedCertificate != "" && s.InsecureTLS {
		add("insecure_tls", registry.Problemf(registry.ErrInvalid, "insecure_tls and pinned_certificate exclude each other"))
	}
	for _, d := range []struct {
		key string
		d   registry.Duration
	}{{"call_timeout", s.CallTimeout}, {"ping_interval", s.PingInterval}, {"ping_timeout", s.PingTimeout}} {
		if d.d <= 0 {
			add(d.key, registry.Problemf(registry.ErrInvalid, "%s %s: want a positive duration", d.key, d.d.Std()))
		}
	}
	switch {
	case s.ReconnectMin <= 0:
		add("reconnect_min", registry.Problemf(registry.ErrInvalid, "reconnect_min %s: want a positive duration", s.ReconnectMin.Std()))
	case s.ReconnectMax < s.ReconnectMin:
		add("reconnect_max", registry.Problemf(registry.ErrInvalid, "reconnect_max %s is less than reconnect_min %s", s.ReconnectMax.Std(), s.ReconnectMin.Std()))
	}
	return errors.Join(errs...)
}

// Build implements registry.PlatformConfig: a *Platform that keeps its
// cursors in the bot's store. It does not connect.
func (s *Settings) Build(env registry.PlatformEnv) (bot.Platform, error) {
	opts := []Option{
		WithStore(env.Store),
		WithLogger(env.Logger),
		WithCallTimeout(s.CallTimeout.Std()),
		WithPing(s.PingInterval.Std(), s.PingTimeout.Std()),
		WithBackoff(s.ReconnectMin.Std(), s.ReconnectMax.Std()),
		WithCatchUp(s.CatchUp),
		WithMarkRead(s.MarkRead),
		WithReplyInThread(s.ReplyInThread),
		WithInsecureTLS(s.InsecureTLS),
		WithCommandObserver(env.Command),
		WithReconnectObserver(env.Reconnect),
	}
	if s.Token != "" {
		opts = append(opts, WithToken(s.Token))
	}
	if s.UserName != "" {
		opts = append(opts, WithLogin(s.UserName, s.Password))
	}
	if s.PinnedCertificate != "" {
		path := s.PinnedCertificate
		if !filepath.IsAbs(path) && env.Dir != "" {
			path = filepath.Join(env.Dir, path)
		}
		certs, err := LoadCertificates(path)
		if err != nil {
			return nil, registry.Field("pinned_certificate", err)
		}
		opts = append(opts, WithPinnedCertificate(certs...))
	}
	return New(s.URL, opts...), nil
}

// LoadCertificates reads the certificates of a PEM file.
func LoadCertificates(path string) ([]*x509.Certificate, error) {
	data, err := os.ReadFile(path)
	if err != nil {
		return nil, err
	}
	var out []*x509.Certificate
	for {
		var b *pem.Block
		b, data = pem.Decode(data)
		if b == nil {
			break
		}
		if b.Type != "CERTIFICATE" {
			continue
		}
		c, err := x509.ParseCertificate(b.Bytes)
		if err != nil {
			return nil, fmt.Errorf("%s: %w", path, err)
		}
		out = append(out, c)
	}
	if len(out) == 0 {
		return nil, fmt.Errorf("%s: no PEM certificate", path)
	}
	return out, nil
}
