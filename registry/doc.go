// Package registry is where platforms, modules and simulators make
// themselves known to hosted bots, in the style of caddy modules: each
// package registers itself from an init function, and importing it is all
// a binary needs. It does not depend on the configuration file format, so
// a library user of a module or platform does not pull in the TOML layer.
//
// A platform registers a PlatformInfo whose New returns its settings with
// every default filled in; a module registers a ModuleInfo; a simulator
// registers a SimInfo so that "parley sim NAME" can run it. Settings types
// report problems with Field and Problemf, so that a loader can point at
// the key's line.
package registry
