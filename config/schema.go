package config

import (
	"time"

	"github.com/parleybot/parley/bot"
	"github.com/parleybot/parley/middleware"
	"github.com/parleybot/parley/registry"
	"go.uber.org/zap/zapcore"
)

// Defaults for settings a file leaves out.
const (
	DefaultListen      = "127.0.0.1:9090"
	DefaultLogFormat   = "console"
	DefaultStopTimeout = 10 * time.Second
	DefaultWorkers     = 16
	DefaultMaxQueued   = bot.DefaultMaxQueued
)

// Config is a parsed, validated configuration file.
type Config struct {
	// File is the name given to Load or Parse.
	File string
	// Dir is the file's directory; relative paths are resolved against it.
	Dir    string
	Server ServerConfig
	// Cluster is the [cluster] table; nil when the file has none, and the
	// process then hosts every bot by itself.
	Cluster *ClusterConfig
	Bots    []BotConfig
}

// ClusterConfig is the [cluster] table: several processes started with the
// same file share its bots through Redis, each bot run by one at a time.
type ClusterConfig struct {
	// Redis is the redis:// (or rediss://) URL of the server every process
	// shares; bots keep their state there instead of in [bots.store].
	Redis string
	// Name names this process among the members; default the host name.
	Name string
	// LeaseTTL is how long a bot's lease lives unrenewed: a dead process's
	// bots move within about this long. Default cluster.DefaultTTL.
	LeaseTTL time.Duration
	// Namespace prefixes every Redis key. Default cluster.DefaultNamespace.
	Namespace string
}

// ServerConfig is the [server] table: settings of the hosting process.
type ServerConfig struct {
	// Listen is the host:port of the health and metrics HTTP server.
	Listen string
	// LogFormat is "console" or "json".
	LogFormat string
	// LogLevel is the level of the host's own logs and the default of
	// every bot's.
	LogLevel zapcore.Level
	// StopTimeout is how long bots get to finish their work when the host
	// stops; the default of every bot's stop_timeout.
	StopTimeout time.Duration
}

// BotConfig is one [[bots]] table.
type BotConfig struct {
	// Name identifies the bot in logs, metrics and health reports.
	Name string
	// Platform is the registered platform's name.
	Platform string
	// Settings is the decoded, validated [bots.<platform>] table.
	Settings registry.PlatformConfig
	// LogLevel filters the bot's logs.
	LogLevel zapcore.Level
	// Workers and MaxQueued tune the scheduler; see bot.WithWorkers and
	// bot.WithMaxQueued.
	Workers   int
	MaxQueued int
	// HandlerTimeout bounds each event's handling; 0 means no bound.
	HandlerTimeout time.Duration
	// StopTimeout is the bot's drain deadline; see bot.WithStopTimeout.
	StopTimeout time.Duration
	Dedupe      DedupeConfig
	RateLimit   RateLimitConfig
	AutoAccept  AutoAcceptConfig
	Store       StoreConfig
	// Modules are the bot's modules in the order their tables appear in
	// the file, which is the order their routes are tried.
	Modules []ModuleConfig
	// Dir is the configuration file's directory.
	Dir string
}

// DedupeConfig is [bots.dedupe]. Dedupe is on unless enabled = false.
type DedupeConfig struct {
	Enabled bool
	// TTL is how long an event's mark is kept in the bot's store.
	TTL time.Duration
}

// Rate limit modes and keys, as written in the file.
const (
	PerSender = "sender"
	PerChat   = "chat"
	ModeDrop  = "drop"
	ModeDelay = "delay"
)

// RateLimitConfig is [bots.rate_limit]. It is on when the table is
// present, unless enabled = false.
type RateLimitConfig struct {
	Enabled bool
	// Rate is events per second; Burst the bucket size.
	Rate  float64
	Burst int
	// Per is PerSender or PerChat.
	Per string
	// Mode is ModeDrop or ModeDelay.
	Mode string
	// MaxWait bounds a delayed event's wait; 0 waits as long as the
	// handler's context allows.
	MaxWait time.Duration
	// MaxBuckets bounds the senders or chats tracked.
	MaxBuckets int
}

// AutoAcceptConfig is [bots.auto_accept]. It is on when Contacts or
// Groups is not AcceptOff.
type AutoAcceptConfig struct {
	Contacts      middleware.AcceptMode
	Allow         []string
	Welcome       string
	Groups        middleware.AcceptMode
	GroupInviters []string
	GroupWelcome  string
	MinRole       string
	MaxPerHour    int
	RejectRefused bool
}

// Enabled reports whether any request kind is accepted.
func (a AutoAcceptConfig) Enabled() bool {
	return a.Contacts != middleware.AcceptOff || a.Groups != middleware.AcceptOff
}

// Policy returns the settings as a middleware.AcceptPolicy.
func (a AutoAcceptConfig) Policy() middleware.AcceptPolicy {
	return middleware.AcceptPolicy{
		Contacts:         a.Contacts,
		ContactAllowlist: a.Allow,
		Groups:           a.Groups,
		InviterAllowlist: a.GroupInviters,
		MinRole:          a.MinRole,
		MaxPerHour:       a.MaxPerHour,
		Welcome:          a.Welcome,
		GroupWelcome:     a.GroupWelcome,
		RejectRefused:    a.RejectRefused,
	}
}

// Store kinds.
const (
	StoreMemory = "memory"
	StoreFile   = "file"
)

// StoreConfig is [bots.store].
type StoreConfig struct {
	// Kind is StoreMemory (the default) or StoreFile.
	Kind string
	// Path is the database file of a file store, made absolute against
	// the configuration file's directory.
	Path string
	// MaxEntries bounds a memory store.
	MaxEntries int
}

// ModuleConfig is one [bots.modules.<name>] table.
type ModuleConfig struct {
	Name string
	// Module is the decoded, validated module.
	Module registry.Module
}
