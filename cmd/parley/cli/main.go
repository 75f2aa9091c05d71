// Package cli is the parley command: run, validate, demo, sim,
// playground and version. cmd/parley is a main that calls Main; a bot
// author who writes their own modules gets the whole command with them in
// a five-line main:
//
//	package main
//
//	import (
//		"github.com/parleybot/parley/cmd/parley/cli"
//		_ "github.com/parleybot/parley/platform/simplex" // the platforms to offer
//	)
//
//	func main() { cli.Main(greetModule) } // greetModule is a registry.ModuleInfo
//
// Main registers the modules, then runs the command line as "parley"
// does, with the same logs, health endpoints and metrics (the metrics
// hooks of the stock binary are wired for every bot it hosts).
//
//	parley run -c bots.toml        host the bots of a configuration file
//	parley validate -c bots.toml   check a configuration, listing every problem
//	parley demo                    watch the echo bot talk to a simulated user
//	parley sim NAME                run a local simulator of a platform (parley sim -h lists them)
//	parley playground              chat with a bot in the browser, inspecting every event
//	parley version                 print the version (also parley --version)
//
// Every subcommand takes -h for its own usage.
package cli

import (
	"context"
	"errors"
	"flag"
	"fmt"
	"io"
	"os"
	"os/signal"
	"runtime/debug"
	"syscall"

	"github.com/parleybot/parley/config"
	"github.com/parleybot/parley/registry"
)

// Exit codes.
const (
	exitOK    = 0
	exitFail  = 1
	exitUsage = 2
)

const usage = `parley hosts bots on private messengers.

Usage:
  parley <command> [flags]

Commands:
  run        host the bots of a configuration file (parley run -c bots.toml)
  validate   check a configuration file and list every problem
  demo       run the echo bot against a simulated SimpleX user, no setup needed
  sim        run a local simulator of a platform (parley sim -h lists them)
  playground chat with a bot in your browser and inspect every event
  version    print the version (also parley --version)

Run "parley <command> -h" for a command's flags.
`

// stdio is where a command reads and writes.
type stdio struct {
	in       io.Reader
	out, err io.Writer
}

// Main registers modules with package registry, runs the command line
// (os.Args) until it is done or SIGINT/SIGTERM, and exits with its status:
// 0 on success, 1 on failure, 2 on a usage error. Platforms, simulators
// and further modules register themselves when their packages are
// imported.
func Main(modules ...registry.ModuleInfo) {
	for _, m := range modules {
		registry.RegisterModule(m)
	}
	ctx, stop := signal.NotifyContext(context.Background(), os.Interrupt, syscall.SIGTERM)
	code := Run(ctx, os.Args[1:], os.Stdin, os.Stdout, os.Stderr)
	stop()
	os.Exit(code)
}

// Run runs the command line args (without the program name) until it is
// done or ctx ends and returns the exit status. It is Main without the
// process around it, for tests and for embedding.
func Run(ctx context.Context, args []string, stdin io.Reader, stdout, stderr io.Writer) int {
	return run(ctx, args, stdio{stdin, stdout, stderr})
}

// run dispatches to a subcommand and returns the exit code.
func run(ctx context.Context, args []string, std stdio) int {
	if len(args) == 0 {
		fmt.Fprint(std.err, usage)
		return exitUsage
	}
	cmd, rest := args[0], args[1:]
	switch cmd {
	case "run":
		return cmdRun(ctx, rest, std)
	case "validate":
		return cmdValidate(rest, std)
	case "demo":
		return cmdDemo(ctx, rest, std)
	case "sim":
		return cmdSim(ctx, rest, std)
	case "playground":
		return cmdPlayground(ctx, rest, std)
	case "version", "--version", "-version":
		return cmdVersion(rest, std)
	case "help", "-h", "-help", "--help":
		fmt.Fprint(std.out, usage)
		return exitOK
	}
	fmt.Fprintf(std.err, "parley: unknown command %q\n\n%s", cmd, usage)
	return exitUsage
}

// newFlags returns a flag set for a subcommand whose -h prints usageText.
func newFlags(name, usageText string, std stdio) *flag.FlagSet {
	fs := flag.NewFlagSet("parley "+name, flag.ContinueOnError)
	fs.SetOutput(std.err)
	fs.Usage = func() {
		fmt.Fprint(fs.Output(), usageText)
		fmt.Fprintln(fs.Output(), "\nFlags:")
		fs.PrintDefaults()
	}
	return fs
}

// parseFlags parses args; ok is false when the command should end with
// code (0 after -h, 2 after a bad flag or stray argument).
func parseFlags(fs *flag.FlagSet, args []string, std stdio) (code int, ok bool) {
	// The flag package calls Usage itself on -h and on a bad flag; print
	// it here instead, once, where it belongs.
	usage := fs.Usage
	fs.Usage = func() {}
	err := fs.Parse(args)
	fs.Usage = usage
	if errors.Is(err, flag.ErrHelp) {
		// Help that was asked for goes to stdout.
		fs.SetOutput(std.out)
		fs.Usage()
		return exitOK, false
	}
	if err != nil {
		fs.Usage() // after the flag package's one-line error, on stderr
		return exitUsage, false
	}
	if fs.NArg() > 0 {
		fmt.Fprintf(std.err, "%s: unexpected argument %q\n", fs.Name(), fs.Arg(0))
		fs.Usage()
		return exitUsage, false
	}
	return exitOK, true
}

// configFlag adds -c and --config.
func configFlag(fs *flag.FlagSet) *string {
	path := fs.String("c", "bots.toml", "configuration `file`")
	fs.StringVar(path, "config", "bots.toml", "configuration `file` (same as -c)")
	return path
}

// loadConfig loads the file, printing every problem to std.err.
func loadConfig(path string, std stdio) (*config.Config, bool) {
	cfg, err := config.Load(path)
	if err == nil {
		return cfg, true
	}
	printConfigError(err, path, std)
	return nil, false
}

// printConfigError prints every problem of a configuration error, or the
// error itself.
func printConfigError(err error, path string, std stdio) {
	var ce *config.Error
	if errors.As(err, &ce) {
		for _, p := range ce.Problems {
			fmt.Fprintln(std.err, p.Error())
		}
		fmt.Fprintf(std.err, "%s: %d problem(s)\n", path, len(ce.Problems))
		return
	}
	fmt.Fprintf(std.err, "parley: %v\n", err)
}

const validateUsage = `Usage: parley validate [-c bots.toml]

Checks the configuration file without running anything. Every problem is
printed as file:line:col: key: message; the exit status is 1 if there is any.
`

func cmdValidate(args []string, std stdio) int {
	fs := newFlags("validate", validateUsage, std)
	path := configFlag(fs)
	if code, ok := parseFlags(fs, args, std); !ok {
		return code
	}
	cfg, ok := loadConfig(*path, std)
	if !ok {
		return exitFail
	}
	fmt.Fprintf(std.out, "ok: %d bots\n", len(cfg.Bots))
	return exitOK
}

const versionUsage = `Usage: parley version

Prints the version of this parley binary.
`

func cmdVersion(args []string, std stdio) int {
	fs := newFlags("version", versionUsage, std)
	if code, ok := parseFlags(fs, args, std); !ok {
		return code
	}
	fmt.Fprintln(std.out, "parley", version())
	return exitOK
}

// version is the module version the binary was built from, the commit
// it was built from, and the Go version, as the build recorded them; see
// versionOf.
func version() string {
	bi, ok := debug.ReadBuildInfo()
	if !ok {
		return "devel commit unknown"
	}
	return versionOf(bi)
}

// versionOf formats bi: "v0.3.0 commit 1a2b3c4d5e6f go1.26.0" for a
// release, "v0.0.0-20261202213130-5fde10350049 commit 5fde10350049
// go1.26.0" for a build inside a clone (Go derives a pseudo-version from
// the commit, with "+dirty" and " (modified)" for uncommitted changes), and
// "devel commit unknown go1.26.0" when the build recorded no version
// control information (-buildvcs=false, or a git worktree, which Go does
// not stamp).
func versionOf(bi *debug.BuildInfo) string {
	v := bi.Main.Version
	if v == "" || v == "(devel)" {
		v = "devel"
	}
	commit, modified := "unknown", false
	for _, s := range bi.Settings {
		switch {
		case s.Key == "vcs.revision" && s.Value != "":
			commit = s.Value[:min(12, len(s.Value))]
		case s.Key == "vcs.modified":
			modified = s.Value == "true"
		}
	}
	v += " commit " + commit
	if modified {
		v += " (modified)"
	}
	return v + " " + bi.GoVersion
}
