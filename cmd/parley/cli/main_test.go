package cli

import (
	"bytes"
	"context"
	"errors"
	"regexp"
	"strings"
	"sync"
	"testing"
	"time"
)

// syncBuffer is an output that tests can wait on.
type syncBuffer struct {
	mu      sync.Mutex
	b       bytes.Buffer
	changed chan struct{}
}

func newSyncBuffer() *syncBuffer { return &syncBuffer{changed: make(chan struct{})} }

func (s *syncBuffer) Write(p []byte) (int, error) {
	s.mu.Lock()
	defer s.mu.Unlock()
	close(s.changed)
	s.changed = make(chan struct{})
	return s.b.Write(p)
}

func (s *syncBuffer) String() string {
	s.mu.Lock()
	defer s.mu.Unlock()
	return s.b.String()
}

// waitMatch waits until the output matches re and returns the first
// match's submatches.
func (s *syncBuffer) waitMatch(t *testing.T, re *regexp.Regexp, timeout time.Duration) []string {
	t.Helper()
	deadline := time.NewTimer(timeout)
	defer deadline.Stop()
	for {
		s.mu.Lock()
		m := re.FindStringSubmatch(s.b.String())
		ch := s.changed
		s.mu.Unlock()
		if m != nil {
			return m
		}
		select {
		case <-ch:
		case <-deadline.C:
			t.Fatalf("output does not match %s within %v:\n%s", re, timeout, s.String())
			return nil
		}
	}
}

// call runs the command line args and returns its exit code and output.
func call(ctx context.Context, args ...string) (code int, stdout, stderr string) {
	var out, errb bytes.Buffer
	code = run(ctx, args, stdio{in: strings.NewReader(""), out: &out, err: &errb})
	return code, out.String(), errb.String()
}

// start runs the command line in the background; wait returns its exit
// code once ctx is cancelled.
func start(ctx context.Context, std stdio, args ...string) (wait func(timeout time.Duration) (int, error)) {
	done := make(chan int, 1)
	go func() { done <- run(ctx, args, std) }()
	return func(timeout time.Duration) (int, error) {
		select {
		case code := <-done:
			return code, nil
		case <-time.After(timeout):
			return 0, errors.New("command did not return in time")
		}
	}
}

func TestUsage(t *testing.T) {
	tests := []struct {
		args     []string
		code     int
		out, err string // substrings of stdout and stderr
	}{
		{args: nil, code: exitUsage, err: "Commands:"},
		{args: []string{"help"}, code: exitOK, out: "Commands:"},
		{args: []string{"--help"}, code: exitOK, out: "parley <command>"},
		{args: []string{"frobnicate"}, code: exitUsage, err: `unknown command "frobnicate"`},
		{args: []string{"run", "-h"}, code: exitOK, out: "Usage: parley run"},
		{args: []string{"run", "--help"}, code: exitOK, out: "-config file"},
		{args: []string{"validate", "--help"}, code: exitOK, out: "Usage: parley validate"},
		{args: []string{"demo", "-h"}, code: exitOK, out: "Usage: parley demo"},
		{args: []string{"sim", "-h"}, code: exitOK, out: "Usage: parley sim NAME"},
		{args: []string{"sim", "--help"}, code: exitOK, out: "  privitty "},
		{args: []string{"sim", "simplex", "--help"}, code: exitOK, err: "-interactive"},
		{args: []string{"sim", "privitty", "-h"}, code: exitOK, err: "Usage: parley sim privitty"},
		{args: []string{"version", "-h"}, code: exitOK, out: "Usage: parley version"},
		{args: []string{"validate", "--nope"}, code: exitUsage, err: "flag provided but not defined: -nope"},
		{args: []string{"validate", "-c", "x.toml", "extra"}, code: exitUsage, err: `unexpected argument "extra"`},
		{args: []string{"sim"}, code: exitUsage, err: "name a platform"},
		{args: []string{"sim", "nosuch"}, code: exitUsage, err: `no simulator for "nosuch" (available: `},
		{args: []string{"sim", "simplex", "--nope"}, code: exitUsage, err: "flag provided but not defined: -nope"},
		{args: []string{"sim", "privitty", "extra"}, code: exitUsage, err: `unexpected argument "extra"`},
		{args: []string{"version", "now"}, code: exitUsage, err: "unexpected argument"},
	}
	for _, tt := range tests {
		t.Run(strings.Join(tt.args, " "), func(t *testing.T) {
			code, out, errs := call(context.Background(), tt.args...)
			if code != tt.code || !strings.Contains(out, tt.out) || !strings.Contains(errs, tt.err) {
				t.Errorf("exit %d, stdout:\n%s\nstderr:\n%s\nwant exit %d, stdout with %q, stderr with %q", code, out, errs, tt.code, tt.out, tt.err)
			}
		})
	}
}

func TestVersion(t *testing.T) {
	code, out, _ := call(context.Background(), "version")
	// Test binaries carry no module version, so this is the devel form.
	if code != exitOK || !regexp.MustCompile(`^parley devel commit ([0-9a-f]{12}( \(modified\))?|unknown) go\S+\n$`).MatchString(out) {
		t.Errorf("exit %d, %q", code, out)
	}
	for _, flag := range []string{"--version", "-version"} {
		if c, o, _ := call(context.Background(), flag); c != exitOK || o != out {
			t.Errorf("%s: exit %d, %q; want %q", flag, c, o, out)
		}
	}
}

// Usage asked for with -h is printed once, on stdout; after a bad flag
// it is printed once, on stderr, after the flag package's error.
func TestHelpPrintsOnce(t *testing.T) {
	for _, cmd := range []string{"run", "validate", "demo", "version", "playground"} {
		code, out, errs := call(context.Background(), cmd, "-h")
		if code != exitOK || strings.Count(out, "Usage: parley "+cmd) != 1 || errs != "" {
			t.Errorf("%s -h: exit %d, stdout %q, stderr %q", cmd, code, out, errs)
		}
		code, out, errs = call(context.Background(), cmd, "--nope")
		if code != exitUsage || strings.Count(errs, "Usage: parley "+cmd) != 1 || out != "" {
			t.Errorf("%s --nope: exit %d, stdout %q, stderr %q", cmd, code, out, errs)
		}
	}
}
