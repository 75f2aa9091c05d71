package main

import (
	"fmt"
	"os"
	"os/exec"
	"runtime"
	"strings"
	"sync"
	"testing"
	"time"

	"github.com/parleybot/parley/platform/simplex/simplexsim"
)

// TestMain runs the quickstart itself when the test binary is started as
// its child (see TestQuickstartConverses).
func TestMain(m *testing.M) {
	if os.Getenv("PARLEY_QUICKSTART_CHILD") == "1" {
		main()
		os.Exit(0)
	}
	os.Exit(m.Run())
}

// TestReadmeShowsThisProgram keeps the README's quickstart true: its code
// block is this file's main function, so it compiles and vets with the tree.
func TestReadmeShowsThisProgram(t *testing.T) {
	src, err := os.ReadFile("main.go")
	if err != nil {
		t.Fatal(err)
	}
	readme, err := os.ReadFile("../../README.md")
	if err != nil {
		t.Fatal(err)
	}
	i := strings.Index(string(src), "func main() {")
	if i < 0 {
		t.Fatal("main.go has no main function")
	}
	body := string(src[i:])
	if !strings.Contains(string(readme), "```go\n"+body+"```") {
		t.Fatalf("README.md does not show main.go's main function as its Go block:\n%s", body)
	}
	if n := strings.Count(strings.TrimSpace(body), "\n") + 1; n > 16 {
		t.Errorf("the quickstart is %d lines, want about 15", n)
	}
}

// TestQuickstartConverses runs the quickstart as written, as a separate
// process, against a simulated CLI at its address, as "parley sim simplex
// --interactive" would serve it: a person's contact request is accepted
// and welcomed, /help and text are answered, and Ctrl-C ends it with exit
// status 0.
func TestQuickstartConverses(t *testing.T) {
	if runtime.GOOS == "windows" {
		t.Skip("sends SIGINT")
	}
	sim := simplexsim.New(simplexsim.WithListenAddr("127.0.0.1:5225"), simplexsim.WithAddress(false, ""))
	if err := sim.Start(); err != nil {
		t.Skipf("the quickstart's address is in use: %v", err)
	}
	defer sim.Close()

	cmd := exec.Command(os.Args[0], "-test.run=^$")
	cmd.Env = append(os.Environ(), "PARLEY_QUICKSTART_CHILD=1")
	logs := &lockedBuffer{}
	cmd.Stdout, cmd.Stderr = logs, logs
	if err := cmd.Start(); err != nil {
		t.Fatal(err)
	}
	exited := make(chan error, 1)
	go func() { exited <- cmd.Wait() }()
	stopped := false
	defer func() {
		if !stopped {
			_ = cmd.Process.Kill()
			<-exited
		}
	}()

	// The bot is connected once it has sent its first command.
	if err := sim.Wait(10*time.Second, func(w *simplexsim.World) bool { return len(w.Commands()) > 0 }); err != nil {
		t.Fatalf("the quickstart did not connect: %v\n%s", err, logs)
	}
	if _, err := sim.ConnectContact("you"); err != nil {
		t.Fatal(err)
	}
	var you int64
	err := sim.Wait(10*time.Second, func(w *simplexsim.World) bool {
		for _, a := range w.Actions() {
			if c, ok := w.Contact(a.ContactID); a.Kind == simplexsim.ActionAcceptContact && ok && c.Ready {
				you = c.ID
				return true
			}
		}
		return false
	})
	if err != nil {
		t.Fatalf("the contact request was not accepted: %v\n%s", err, logs)
	}
	// The welcome follows the acceptance; a person reads it, then writes.
	if _, err := sim.WaitBotSent(1, 10*time.Second); err != nil {
		t.Fatalf("no welcome: %v\n%s", err, logs)
	}
	for _, text := range []string{"/help", "hello"} {
		if _, err := sim.ContactSend(you, text); err != nil {
			t.Fatal(err)
		}
	}
	sent, err := sim.WaitBotSent(3, 10*time.Second)
	if err != nil {
		t.Fatalf("%v\n%s", err, logs)
	}
	want := []string{"Hi! Try /help.", "Send me any text and I will send it back.", "hello"}
	for i, s := range sent {
		if i >= len(want) || s.Text != want[i] || s.ChatRef != fmt.Sprintf("@%d", you) {
			t.Errorf("sent[%d] = %q to %s, want %q", i, s.Text, s.ChatRef, want)
		}
	}

	if err := cmd.Process.Signal(os.Interrupt); err != nil {
		t.Fatal(err)
	}
	select {
	case err := <-exited:
		stopped = true
		if err != nil {
			t.Fatalf("exit after Ctrl-C: %v, want status 0\n%s", err, logs)
		}
	case <-time.After(15 * time.Second):
		t.Fatalf("the quickstart did not stop on Ctrl-C\n%s", logs)
	}
}

// lockedBuffer collects the child's output from two pipes.
type lockedBuffer struct {
	mu sync.Mutex
	b  strings.Builder
}

func (l *lockedBuffer) Write(p []byte) (int, error) {
	l.mu.Lock()
	defer l.mu.Unlock()
	return l.b.Write(p)
}

func (l *lockedBuffer) String() string {
	l.mu.Lock()
	defer l.mu.Unlock()
	return l.b.String()
}
