package registry

import (
	"fmt"
	"reflect"
	"regexp"
	"sort"
	"sync"
	"time"

	"github.com/parleybot/parley/bot"
	"github.com/parleybot/parley/router"
	"github.com/parleybot/parley/store"
	"go.uber.org/zap"
)

// PlatformConfig is the decoded [bots.<platform>] table of one bot.
type PlatformConfig interface {
	// Validate reports every problem with the settings. Wrap an error
	// with Field to point at one key; join several with errors.Join.
	Validate() error
	// Build returns the platform. It must not connect: connecting is the
	// platform's Listen, run by the bot.
	Build(env PlatformEnv) (bot.Platform, error)
}

// PlatformEnv is what a platform gets to build itself.
type PlatformEnv struct {
	// BotName is the name of the bot the platform serves.
	BotName string
	// Logger is named "<bot>.<platform>".
	Logger *zap.Logger
	// Store is the bot's store, for cursors and the like. Prefix keys with
	// the platform's name and a colon.
	Store store.Store
	// Dir is the directory of the configuration file, for relative paths.
	Dir string
	// Command, if not nil, is told about every command the platform sends
	// (verb, outcome, duration); Reconnect about every reconnection.
	// Platforms that can observe these pass them on, for metrics.
	Command   func(cmdType, outcome string, d time.Duration)
	Reconnect func()
}

// PlatformInfo registers a platform.
type PlatformInfo struct {
	// Name is what bots write in platform = "…" and the name of their
	// settings table, [bots.<name>].
	Name string
	// New returns a fresh settings value with defaults filled in: a
	// pointer to a struct with toml tags, which the table is decoded into.
	New func() PlatformConfig
}

// Module is a named piece of bot behaviour, configured per bot by a
// [bots.modules.<name>] table. New returns a pointer to a struct with toml
// tags; the table is decoded into it, then Validate runs if the module has
// it, and Setup registers its routes when the bot is built.
type Module interface {
	// Setup registers the module's routes and inner middleware on r.
	Setup(env ModuleEnv, r *router.Router) error
}

// Validator is implemented by modules that check their settings; see
// PlatformConfig.Validate for how to report problems.
type Validator interface {
	Validate() error
}

// Cleaner is implemented by modules that hold resources after Setup. The
// Hosted bot's Close calls Cleanup once per successful Setup.
type Cleaner interface {
	Cleanup() error
}

// ModuleEnv is what a module gets in Setup.
type ModuleEnv struct {
	// BotName is the name of the bot.
	BotName string
	// Logger is named "<bot>.<module>".
	Logger *zap.Logger
	// Store is the bot's store. Prefix keys with the module's name and a
	// colon, since the bot's platform and other modules share it.
	Store store.Store
	// Platform is the bot's platform; check it for capabilities such as
	// bot.Deleter.
	Platform bot.Platform
	// Dir is the directory of the configuration file, for relative paths.
	Dir string
}

// ModuleInfo registers a module.
type ModuleInfo struct {
	// Name is the module's table name in [bots.modules.<name>].
	Name string
	// New returns a fresh module with defaults filled in.
	New func() Module
}

var registry struct {
	mu        sync.RWMutex
	platforms map[string]PlatformInfo
	modules   map[string]ModuleInfo
}

var nameRE = regexp.MustCompile(`^[a-z0-9_-]+$`)

// botKeys are the keys of a [[bots]] table; no platform may take one of
// these names, since its settings table shares the namespace.
var botKeys = []string{
	"name", "platform", "log_level", "workers", "max_queued", "handler_timeout", "stop_timeout",
	"dedupe", "rate_limit", "auto_accept", "store", "modules",
}

// RegisterPlatform makes a platform available to configurations. Call it
// from an init function. It panics on an invalid or taken name, a nil New,
// or a New whose value cannot hold settings.
func RegisterPlatform(info PlatformInfo) {
	checkName("platform", info.Name)
	for _, k := range botKeys {
		if info.Name == k {
			panic(fmt.Sprintf("registry: platform name %q is a bot setting", info.Name))
		}
	}
	if info.New == nil {
		panic(fmt.Sprintf("registry: platform %q has a nil New", info.Name))
	}
	checkDecodable("platform", info.Name, info.New())
	registry.mu.Lock()
	defer registry.mu.Unlock()
	if _, dup := registry.platforms[info.Name]; dup {
		panic(fmt.Sprintf("registry: platform %q registered twice", info.Name))
	}
	if registry.platforms == nil {
		registry.platforms = make(map[string]PlatformInfo)
	}
	registry.platforms[info.Name] = info
}

// RegisterModule makes a module available to configurations. Call it from
// an init function. It panics on an invalid or taken name, a nil New, or
// a New whose value cannot hold settings.
func RegisterModule(info ModuleInfo) {
	checkName("module", info.Name)
	if info.New == nil {
		panic(fmt.Sprintf("registry: module %q has a nil New", info.Name))
	}
	checkDecodable("module", info.Name, info.New())
	registry.mu.Lock()
	defer registry.mu.Unlock()
	if _, dup := registry.modules[info.Name]; dup {
		panic(fmt.Sprintf("registry: module %q registered twice", info.Name))
	}
	if registry.modules == nil {
		registry.modules = make(map[string]ModuleInfo)
	}
	registry.modules[info.Name] = info
}

func checkName(kind, name string) {
	if !nameRE.MatchString(name) {
		panic(fmt.Sprintf("registry: %s name %q: want lower-case letters, digits, _ and -", kind, name))
	}
}

// checkDecodable makes sure settings can be decoded into v: a non-nil
// pointer to a struct or a map.
func checkDecodable(kind, name string, v any) {
	rv := reflect.ValueOf(v)
	if !rv.IsValid() || rv.Kind() != reflect.Pointer || rv.IsNil() {
		panic(fmt.Sprintf("registry: %s %q: New must return a non-nil pointer, got %T", kind, name, v))
	}
	if k := rv.Elem().Kind(); k != reflect.Struct && k != reflect.Map {
		panic(fmt.Sprintf("registry: %s %q: New must return a pointer to a struct, got %T", kind, name, v))
	}
}

// Platforms returns the registered platform names, sorted.
func Platforms() []string {
	registry.mu.RLock()
	defer registry.mu.RUnlock()
	return sortedKeys(registry.platforms)
}

// Modules returns the registered module names, sorted.
func Modules() []string {
	registry.mu.RLock()
	defer registry.mu.RUnlock()
	return sortedKeys(registry.modules)
}

func sortedKeys[V any](m map[string]V) []string {
	out := make([]string, 0, len(m))
	for k := range m {
		out = append(out, k)
	}
	sort.Strings(out)
	return out
}

// LookupPlatform returns the platform registered under name.
func LookupPlatform(name string) (PlatformInfo, bool) {
	registry.mu.RLock()
	defer registry.mu.RUnlock()
	p, ok := registry.platforms[name]
	return p, ok
}

// LookupModule returns the module registered under name.
func LookupModule(name string) (ModuleInfo, bool) {
	registry.mu.RLock()
	defer registry.mu.RUnlock()
	m, ok := registry.modules[name]
	return m, ok
}
