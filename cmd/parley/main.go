// Command parley hosts Parley bots and tries them out: run, validate,
// demo, sim, playground and version. It is package cli's Main with the
// platforms, simulators and modules that plugins.go imports; "parley -h"
// lists the commands.
package main

import "github.com/parleybot/parley/cmd/parley/cli"

func main() { cli.Main() }
