// Package termtest helps test a simulator's terminal session
// (playground.Terminal behind "parley sim NAME --interactive"): it records
// what the session prints and what a bot received, and waits on them with
// a deadline.
package termtest

import (
	"bytes"
	"regexp"
	"sync"
	"testing"
	"time"
)

// Timeout bounds every wait.
const Timeout = 10 * time.Second

// Output is a session's stdout, written by the simulator's goroutines.
type Output struct {
	mu      sync.Mutex
	b       bytes.Buffer
	changed chan struct{}
}

// NewOutput returns an empty Output.
func NewOutput() *Output { return &Output{changed: make(chan struct{})} }

// Write records p and wakes the waiters.
func (s *Output) Write(p []byte) (int, error) {
	s.mu.Lock()
	defer s.mu.Unlock()
	close(s.changed)
	s.changed = make(chan struct{})
	return s.b.Write(p)
}

// String returns everything written so far.
func (s *Output) String() string {
	s.mu.Lock()
	defer s.mu.Unlock()
	return s.b.String()
}

// WaitMatch waits until the output matches re and returns the submatches.
func (s *Output) WaitMatch(t *testing.T, re *regexp.Regexp) []string {
	t.Helper()
	deadline := time.NewTimer(Timeout)
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
			t.Fatalf("output never matched %s:\n%s", re, s.String())
		}
	}
}

// Heard is what a bot received: one line per message.
type Heard struct {
	mu    sync.Mutex
	lines []string
	ch    chan struct{}
}

// NewHeard returns an empty Heard.
func NewHeard() *Heard { return &Heard{ch: make(chan struct{})} }

// Add records a line and wakes the waiters.
func (h *Heard) Add(l string) {
	h.mu.Lock()
	defer h.mu.Unlock()
	h.lines = append(h.lines, l)
	close(h.ch)
	h.ch = make(chan struct{})
}

// Wait waits until the bot has received line.
func (h *Heard) Wait(t *testing.T, line string) {
	t.Helper()
	deadline := time.NewTimer(Timeout)
	defer deadline.Stop()
	for {
		h.mu.Lock()
		ok := false
		for _, l := range h.lines {
			ok = ok || l == line
		}
		ch := h.ch
		h.mu.Unlock()
		if ok {
			return
		}
		select {
		case <-ch:
		case <-deadline.C:
			h.mu.Lock()
			defer h.mu.Unlock()
			t.Fatalf("the bot never received %q; it received %q", line, h.lines)
		}
	}
}

// WaitReady polls ready until it holds, failing t after Timeout.
func WaitReady(t *testing.T, ready func() bool) {
	t.Helper()
	tick := time.NewTicker(10 * time.Millisecond)
	defer tick.Stop()
	deadline := time.After(Timeout)
	for !ready() {
		select {
		case <-tick.C:
		case <-deadline:
			t.Fatal("the bot never became ready")
		}
	}
}
