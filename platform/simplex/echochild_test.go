package simplex_test

// The bot side of the echo benchmarks runs as a child process: this test
// binary started again with echoChildEnv naming the variant. The parent
// writes one-letter commands to the child's stdin; the child writes one
// line per event to its stdout:
//
//	S                    the memory sampler runs (answer to "M")
//	R <rss> <heap> <cpu> peak RSS and heap in bytes, and the CPU time in ns
//	                     the process used since "M" (answer to "F")
//	X <message>          the bot failed; sent before it exits
//
// "F" also stops the bot; the child exits once it has answered.

import (
	"bufio"
	"fmt"
	"io"
	"os"
	"os/exec"
	"runtime"
	"runtime/pprof"
	"strconv"
	"strings"
	"syscall"
	"testing"
	"time"

	"github.com/parleybot/parley/platform/platformtest"
)

const (
	echoChildEnv    = "PARLEY_BENCH_ECHO_CHILD"
	echoChildURLEnv = "PARLEY_BENCH_ECHO_URL"
	// echoChildInfoEnv, when set, makes the parley bot print its platform
	// counters (replays, spills) to stderr as it stops.
	echoChildInfoEnv = "PARLEY_BENCH_ECHO_INFO"
	// echoChildProfileEnv names a file for a CPU profile of the bot
	// process over the timed series.
	echoChildProfileEnv = "PARLEY_BENCH_ECHO_CPUPROFILE"
	// echoChildMemProfileEnv names a file for a heap profile of the bot
	// process near its peak.
	echoChildMemProfileEnv = "PARLEY_BENCH_ECHO_MEMPROFILE"
	// echoChildCPUEnv names the CPU the bot process is pinned to (default
	// the last one); "none" leaves it unpinned.
	echoChildCPUEnv = "PARLEY_BENCH_ECHO_CPU"
)

func TestMain(m *testing.M) {
	platformtest.SoakChild(soakPlatform)
	if variant := os.Getenv(echoChildEnv); variant != "" {
		if os.Getenv(echoChildMemProfileEnv) != "" {
			runtime.MemProfileRate = 16 << 10
		}
		os.Exit(runEchoChild(variant, os.Getenv(echoChildURLEnv), os.Stdin, os.Stdout))
	}
	os.Exit(m.Run())
}

// runEchoChild is the child's main: it runs the variant's echo bot against
// url until the parent says "F" or closes stdin.
func runEchoChild(variant, url string, in io.Reader, stdout io.Writer) int {
	var start echoStarter
	for _, v := range echoVariants {
		if v.name == variant {
			start = v.start
		}
	}
	if start == nil {
		fmt.Fprintf(os.Stderr, "echo child: unknown variant %q\n", variant)
		return 2
	}
	// One writer owns stdout.
	lines := make(chan string, 16)
	written := make(chan struct{})
	go func() {
		defer close(written)
		out := bufio.NewWriter(stdout)
		for l := range lines {
			_, _ = out.WriteString(l)
			if len(lines) == 0 {
				_ = out.Flush()
			}
		}
		_ = out.Flush()
	}()
	finish := func(code int) int {
		close(lines)
		<-written
		return code
	}
	stop, err := start(url)
	if err != nil {
		lines <- "X " + err.Error() + "\n"
		return finish(1)
	}
	var mem *memSampler
	var cpu0 time.Duration
	sc := bufio.NewScanner(in)
	for sc.Scan() {
		switch sc.Text() {
		case "M":
			if path := os.Getenv(echoChildProfileEnv); path != "" {
				f, err := os.Create(path)
				if err == nil {
					_ = pprof.StartCPUProfile(f)
					defer func() { pprof.StopCPUProfile(); _ = f.Close() }()
				}
			}
			mem = startMemSampler()
			cpu0 = cpuTime()
			lines <- "S\n"
		case "F":
			var rss int64
			var heap uint64
			var cpu time.Duration
			if mem != nil {
				cpu = cpuTime() - cpu0
				rss, heap = mem.finish()
			}
			err := stop()
			lines <- fmt.Sprintf("R %d %d %d\n", rss, heap, cpu)
			if err != nil {
				lines <- "X " + strings.ReplaceAll(err.Error(), "\n", " ") + "\n"
				return finish(1)
			}
			return finish(0)
		}
	}
	// The parent is gone.
	if mem != nil {
		mem.finish()
	}
	_ = stop()
	return finish(1)
}

// echoChild is the parent's handle on a bot process.
type echoChild struct {
	cmd      *exec.Cmd
	stdin    io.WriteCloser
	sampling chan struct{} // closed on "S"
	exited   chan struct{} // closed once stdout ended and the process was reaped
	// Set before exited is closed.
	rss     int64
	heap    uint64
	cpu     time.Duration // user and system time over the series
	failure string
}

// startEchoChild starts the variant's bot against url.
func startEchoChild(b *testing.B, variant, url string) *echoChild {
	exe, err := os.Executable()
	if err != nil {
		b.Fatal(err)
	}
	cmd := exec.Command(exe, "-test.run=^$")
	if cpu := echoChildCPU(); cpu != "" {
		cmd = exec.Command("taskset", "-c", cpu, exe, "-test.run=^$")
	}
	cmd.Env = append(os.Environ(), echoChildEnv+"="+variant, echoChildURLEnv+"="+url)
	cmd.Stderr = os.Stderr
	stdin, err := cmd.StdinPipe()
	if err != nil {
		b.Fatal(err)
	}
	stdout, err := cmd.StdoutPipe()
	if err != nil {
		b.Fatal(err)
	}
	if err := cmd.Start(); err != nil {
		b.Fatal(err)
	}
	c := &echoChild{cmd: cmd, stdin: stdin, sampling: make(chan struct{}), exited: make(chan struct{})}
	go func() {
		defer close(c.exited)
		sc := bufio.NewScanner(stdout)
		for sc.Scan() {
			c.line(sc.Text())
		}
		if err := cmd.Wait(); err != nil && c.failure == "" {
			c.failure = err.Error()
		}
	}()
	return c
}

// line handles one line of the child's output.
func (c *echoChild) line(l string) {
	kind, rest, _ := strings.Cut(l, " ")
	switch kind {
	case "S":
		close(c.sampling)
	case "R":
		f := strings.Fields(rest)
		if len(f) != 3 {
			c.failure = "bad result line: " + l
			return
		}
		c.rss, _ = strconv.ParseInt(f[0], 10, 64)
		c.heap, _ = strconv.ParseUint(f[1], 10, 64)
		ns, _ := strconv.ParseInt(f[2], 10, 64)
		c.cpu = time.Duration(ns)
	case "X":
		c.failure = rest
	default:
		c.failure = "unexpected line: " + l
	}
}

// command writes one command line to the child.
func (c *echoChild) command(b *testing.B, cmd string) {
	if _, err := io.WriteString(c.stdin, cmd+"\n"); err != nil {
		b.Fatalf("bot process: %v", err)
	}
}

// await waits for ch to close, failing the benchmark if the child ends
// first or the deadline passes.
func (c *echoChild) await(b *testing.B, ch <-chan struct{}, what string) {
	select {
	case <-ch:
		return
	default:
	}
	select {
	case <-ch:
	case <-c.exited:
		select {
		case <-ch:
		default:
			b.Fatalf("bot process ended before %s: %s", what, c.failure)
		}
	case <-time.After(echoDeadline):
		b.Fatalf("no %s after %v", what, echoDeadline)
	}
}

// kill ends the child if it still runs and waits for it.
func (c *echoChild) kill() {
	_ = c.stdin.Close()
	select {
	case <-c.exited:
		return
	case <-time.After(5 * time.Second):
	}
	_ = c.cmd.Process.Kill()
	<-c.exited
}

// echoChildCPU returns the CPU to pin the bot process to, or "".
func echoChildCPU() string {
	cpu := os.Getenv(echoChildCPUEnv)
	if cpu == "none" {
		return ""
	}
	if _, err := exec.LookPath("taskset"); err != nil {
		return ""
	}
	if cpu == "" {
		cpu = strconv.Itoa(runtime.NumCPU() - 1)
	}
	return cpu
}

// cpuTime is the user and system time this process has used.
func cpuTime() time.Duration {
	var ru syscall.Rusage
	if syscall.Getrusage(syscall.RUSAGE_SELF, &ru) != nil {
		return 0
	}
	return time.Duration(ru.Utime.Nano() + ru.Stime.Nano())
}
