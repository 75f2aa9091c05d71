package platformtest

import (
	"bufio"
	"context"
	"fmt"
	"io"
	"os"
	"os/exec"
	"runtime"
	"strconv"
	"strings"
	"sync"
	"syscall"
	"testing"
	"time"

	"github.com/parleybot/parley/store"
)

// SoakChild runs the soak harness's bot process when this test binary was
// started as one, and exits; otherwise it returns at once. Call it first
// in the package's TestMain, with the factory the soak test passes in
// SoakOptions.Platform:
//
//	func TestMain(m *testing.M) {
//		platformtest.SoakChild(soakPlatform)
//		os.Exit(m.Run())
//	}
func SoakChild(newPlatform PlatformFactory) {
	if os.Getenv(soakChildEnv) == "" {
		return
	}
	os.Exit(runChild(newPlatform, os.Getenv(soakChildAddrEnv), os.Getenv(soakChildStoreEnv), os.Stdin, os.Stdout))
}

// runChild runs the echo bot until in ends (the parent closed it or is
// gone), then stops it and writes "G <n>", the goroutines that outlived
// it. A failure is written as "X <error>".
func runChild(newPlatform PlatformFactory, addr, path string, in io.Reader, out io.Writer) int {
	fail := func(err error) int {
		fmt.Fprintf(out, "X %s\n", strings.ReplaceAll(err.Error(), "\n", " "))
		return 1
	}
	var st store.Store = store.NewMemory()
	var file *store.File
	if path != "" {
		f, err := store.OpenFile(path)
		if err != nil {
			return fail(err)
		}
		st, file = f, f
	}
	base := runtime.NumGoroutine()
	p, err := newPlatform(addr, st)
	if err != nil {
		return fail(err)
	}
	var outMu sync.Mutex
	b := soakBot(p, st, func(text string) {
		// One write per line: what reached the pipe survives a SIGKILL.
		outMu.Lock()
		defer outMu.Unlock()
		fmt.Fprintf(out, "H %s\n", text)
	})
	ctx, cancel := context.WithCancel(context.Background())
	done := make(chan error, 1)
	go func() { done <- b.Run(ctx) }()
	inClosed := make(chan struct{})
	go func() {
		_, _ = io.Copy(io.Discard, in)
		close(inClosed)
	}()
	select {
	case err := <-done:
		cancel()
		if err == nil {
			err = fmt.Errorf("bot Run returned before it was stopped")
		}
		return fail(err)
	case <-inClosed:
	}
	cancel()
	if err := <-done; err != nil {
		return fail(err)
	}
	if file != nil {
		if err := file.Close(); err != nil {
			return fail(err)
		}
	}
	closeSharedIdle()
	deadline := time.Now().Add(5 * time.Second)
	for runtime.NumGoroutine() > base && time.Now().Before(deadline) {
		time.Sleep(10 * time.Millisecond)
	}
	n := runtime.NumGoroutine() - base
	if n > 0 {
		buf := make([]byte, 1<<20)
		os.Stderr.Write(buf[:runtime.Stack(buf, true)])
	}
	outMu.Lock()
	fmt.Fprintf(out, "G %d\n", max(n, 0))
	outMu.Unlock()
	return 0
}

// child is the parent's handle on a bot process.
type child struct {
	cmd    *exec.Cmd
	stdin  io.WriteCloser
	exited chan struct{} // closed once the process was reaped

	mu      sync.Mutex
	leaked  int      // from "G", -1 before
	failure string   // from "X"
	handled []string // from "H": the texts of the messages its handler ran for
	ran     map[string]bool
	stderr  tail
	crashes int // set by kill and stop: ended on its own, or raced
}

// startChild starts this test binary again as a bot process against
// addr, on the bbolt file path (or a memory store when empty). The
// process is killed when the test ends.
func startChild(t *testing.T, addr, path string) *child {
	t.Helper()
	exe, err := os.Executable()
	if err != nil {
		t.Fatal(err)
	}
	cmd := exec.Command(exe, "-test.run=^$")
	cmd.Env = append(os.Environ(), soakChildEnv+"=1", soakChildAddrEnv+"="+addr, soakChildStoreEnv+"="+path)
	c := &child{cmd: cmd, exited: make(chan struct{}), leaked: -1, ran: map[string]bool{}}
	cmd.Stderr = &c.stderr
	if c.stdin, err = cmd.StdinPipe(); err != nil {
		t.Fatal(err)
	}
	stdout, err := cmd.StdoutPipe()
	if err != nil {
		t.Fatal(err)
	}
	if err := cmd.Start(); err != nil {
		t.Fatal(err)
	}
	go func() {
		defer close(c.exited)
		sc := bufio.NewScanner(stdout)
		for sc.Scan() {
			kind, rest, _ := strings.Cut(sc.Text(), " ")
			c.mu.Lock()
			switch kind {
			case "G":
				c.leaked, _ = strconv.Atoi(rest)
			case "X":
				c.failure = rest
			case "H":
				c.handled = append(c.handled, rest)
				c.ran[rest] = true
			}
			c.mu.Unlock()
		}
		_ = cmd.Wait()
	}()
	t.Cleanup(func() {
		_ = cmd.Process.Kill()
		<-c.exited
	})
	return c
}

// handledTexts returns the messages the process's handler ran for, once
// it has ended.
func (c *child) handledTexts() []string {
	<-c.exited
	c.mu.Lock()
	defer c.mu.Unlock()
	return c.handled
}

// hasHandled reports whether the process's handler ran for text.
func (c *child) hasHandled(text string) bool {
	c.mu.Lock()
	defer c.mu.Unlock()
	return c.ran[text]
}

// alive reports whether the process still runs.
func (c *child) alive() bool {
	select {
	case <-c.exited:
		return false
	default:
		return true
	}
}

// kill SIGKILLs the process and waits for it; it returns 1 if the process
// had already ended on its own or reported a data race.
func (c *child) kill(t *testing.T) int {
	t.Helper()
	crashed := !c.alive()
	_ = c.cmd.Process.Signal(syscall.SIGKILL)
	<-c.exited
	return c.verdict(t, crashed)
}

// dump makes the process write its goroutines (SIGQUIT) and logs them:
// the state of a bot that stopped answering.
func (c *child) dump(t *testing.T) {
	t.Helper()
	if !c.alive() {
		return
	}
	_ = c.cmd.Process.Signal(syscall.SIGQUIT)
	select {
	case <-c.exited:
	case <-time.After(Timeout):
		_ = c.cmd.Process.Kill()
		<-c.exited
	}
	t.Logf("the bot process stopped answering; its goroutines:\n%s", c.stderr.String())
}

// stop ends the process gracefully and returns the goroutines that
// outlived its bot (-1 when it did not say).
func (c *child) stop(t *testing.T) int {
	t.Helper()
	crashed := !c.alive()
	_ = c.stdin.Close()
	select {
	case <-c.exited:
	case <-time.After(2 * Timeout):
		t.Error("the bot process did not stop")
		_ = c.cmd.Process.Kill()
		<-c.exited
	}
	c.crashes += c.verdict(t, crashed)
	if code := c.cmd.ProcessState.ExitCode(); code != 0 && !crashed {
		t.Errorf("the bot process exited with %d", code)
		c.crashes++
	}
	c.mu.Lock()
	defer c.mu.Unlock()
	return c.leaked
}

func (c *child) verdict(t *testing.T, crashed bool) int {
	c.mu.Lock()
	failure := c.failure
	c.mu.Unlock()
	errOut := c.stderr.String()
	if failure != "" {
		t.Errorf("bot process: %s", failure)
		crashed = true
	}
	if strings.Contains(errOut, "DATA RACE") || strings.Contains(errOut, "panic:") {
		crashed = true
	}
	if crashed {
		t.Logf("bot process stderr (tail):\n%s", errOut)
		return 1
	}
	return 0
}

// tail keeps the last 1 MiB written to it, and whether a race or panic
// report went by.
type tail struct {
	mu   sync.Mutex
	buf  []byte
	seen []string
}

func (b *tail) Write(p []byte) (int, error) {
	b.mu.Lock()
	defer b.mu.Unlock()
	for _, mark := range []string{"DATA RACE", "panic:"} {
		if strings.Contains(string(p), mark) {
			b.seen = append(b.seen, mark)
		}
	}
	b.buf = append(b.buf, p...)
	if over := len(b.buf) - 1<<20; over > 0 {
		b.buf = b.buf[over:]
	}
	return len(p), nil
}

func (b *tail) String() string {
	b.mu.Lock()
	defer b.mu.Unlock()
	return strings.Join(b.seen, "\n") + "\n" + string(b.buf)
}
