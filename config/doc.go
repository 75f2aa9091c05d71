// Package config is the TOML configuration of hosted bots, as read by
// `parley run -c bots.toml`: the schema, loading, validation and turning
// each bot's settings into a runnable *bot.Bot.
//
// # Problems
//
// Load and Parse check everything before anything runs, and report every
// problem at once in an *Error: syntax errors, unknown keys (by full path,
// such as bots[1].dedupe.tll), missing and out-of-range values, bad
// durations and URLs, unknown platforms and modules, duplicate bot names,
// unset environment variables, and whatever a platform's or module's own
// Validate finds. Each Problem carries its file:line:col and key path.
//
// # Platforms and modules
//
// Platforms and modules register themselves with package registry from
// init functions; config imports none of them, so a binary offers those it
// imports. A bot's [bots.<platform>] table is decoded into the value its
// registry.PlatformInfo.New returns, and each [bots.modules.<name>] table
// into a fresh module, with the same strictness about unknown keys as the
// rest of the file. A Validate error wrapped with registry.Field is
// reported at that key's line; registry.ErrMissing and registry.ErrInvalid
// are this package's ErrMissing and ErrInvalid.
//
// # Environment
//
// String values may use $VAR, ${VAR} and ${VAR:-default}, expanded from
// the environment so secrets and addresses stay out of the file. An unset
// variable without a default is a problem; $$ is a literal $.
//
// BuildBot (or Config.Build for all bots) wires a parsed bot: store,
// platform, outer middleware, and a router with every module's routes.
package config
