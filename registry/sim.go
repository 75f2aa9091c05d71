package registry

import (
	"context"
	"errors"
	"flag"
	"fmt"
	"io"
)

// ErrUsage marks a simulator's error in its command line (an unknown flag,
// a stray argument), which its Run has reported on stderr with its usage;
// "parley sim" then exits with status 2. For -h, Run prints its usage to
// stderr and returns flag.ErrHelp.
var ErrUsage = errors.New("usage error")

// SimInfo registers a platform simulator with "parley sim".
type SimInfo struct {
	// Name is the platform's name, as in "parley sim NAME".
	Name string
	// Summary is one line for the command's help.
	Summary string
	// Run runs the simulator with its command-line args until ctx ends.
	// It parses its own flags (see ErrUsage) and, when asked for an
	// interactive mode, reads stdin as a person chatting with the bot.
	// It returns nil when ctx ends.
	Run func(ctx context.Context, args []string, stdin io.Reader, stdout, stderr io.Writer) error
}

var sims = map[string]SimInfo{}

// RegisterSimulator makes a simulator available to "parley sim". Call it
// from an init function; it panics on an invalid or taken name or a nil Run.
func RegisterSimulator(info SimInfo) {
	checkName("simulator", info.Name)
	if info.Run == nil {
		panic(fmt.Sprintf("registry: simulator %q has a nil Run", info.Name))
	}
	registry.mu.Lock()
	defer registry.mu.Unlock()
	if _, dup := sims[info.Name]; dup {
		panic(fmt.Sprintf("registry: simulator %q registered twice", info.Name))
	}
	sims[info.Name] = info
}

// Simulators returns the registered simulator names, sorted.
func Simulators() []string {
	registry.mu.RLock()
	defer registry.mu.RUnlock()
	return sortedKeys(sims)
}

// LookupSimulator returns the simulator registered under name.
func LookupSimulator(name string) (SimInfo, bool) {
	registry.mu.RLock()
	defer registry.mu.RUnlock()
	s, ok := sims[name]
	return s, ok
}

// ParseSimArgs parses a simulator's command line with fs, which takes no
// positional arguments. It returns flag.ErrHelp after -h, and an error
// wrapping ErrUsage (after printing the usage) for anything else wrong,
// so that "parley sim" exits 0 or 2 as a command line tool should.
func ParseSimArgs(fs *flag.FlagSet, args []string) error {
	if err := fs.Parse(args); err != nil {
		if errors.Is(err, flag.ErrHelp) {
			return err
		}
		return fmt.Errorf("%w: %v", ErrUsage, err)
	}
	if fs.NArg() > 0 {
		fmt.Fprintf(fs.Output(), "unexpected argument %q\n", fs.Arg(0))
		fs.Usage()
		return fmt.Errorf("%w: unexpected argument %q", ErrUsage, fs.Arg(0))
	}
	return nil
}
