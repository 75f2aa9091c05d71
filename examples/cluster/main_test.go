package main

import (
	"context"
	"strconv"
	"strings"
	"sync"
	"testing"
	"time"

	"github.com/parleybot/parley/config"
	_ "github.com/parleybot/parley/modules/echo"
	_ "github.com/parleybot/parley/platform/simplex"
	"github.com/parleybot/parley/store/redis/redistest"
)

// lockedBuffer collects output written from another goroutine.
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

func waitFor(t *testing.T, b *lockedBuffer, want string) {
	t.Helper()
	deadline := time.Now().Add(10 * time.Second)
	for !strings.Contains(b.String(), want) {
		if time.Now().After(deadline) {
			t.Fatalf("no %q in:\n%s", want, b.String())
		}
		time.Sleep(5 * time.Millisecond)
	}
}

// TestTakeover runs two processes of the example: b waits while a counts,
// and takes over with a new token and a's count when a stops.
func TestTakeover(t *testing.T) {
	srv := redistest.Start(t)
	var outA, outB lockedBuffer
	ctxA, stopA := context.WithCancel(context.Background())
	ctxB, stopB := context.WithCancel(context.Background())
	doneA, doneB := make(chan error, 1), make(chan error, 1)
	go func() { doneA <- run(ctxA, srv.URL(), "a", time.Second, 20*time.Millisecond, &outA) }()
	waitFor(t, &outA, "a: count 3")
	go func() { doneB <- run(ctxB, srv.URL(), "b", time.Second, 20*time.Millisecond, &outB) }()
	waitFor(t, &outB, "b: waiting, the lease is held by a/")

	stopA()
	if err := <-doneA; err != nil {
		t.Fatal(err)
	}
	waitFor(t, &outB, "b: took the lease, token 2")
	waitFor(t, &outB, "b: count ")
	stopB()
	if err := <-doneB; err != nil {
		t.Fatal(err)
	}
	// b counted on from a's last value, not from zero.
	last := strings.Count(outA.String(), ": count ")
	if !strings.Contains(outB.String(), "b: count "+strconv.Itoa(last+1)+"\n") {
		t.Fatalf("b did not continue from a's %d:\n%s", last, outB.String())
	}
}

// TestBotsTOML keeps the example configuration valid.
func TestBotsTOML(t *testing.T) {
	cfg, err := config.Load("bots.toml")
	if err != nil {
		t.Fatal(err)
	}
	if cfg.Cluster == nil || cfg.Cluster.LeaseTTL != 10*time.Second || len(cfg.Bots) != 2 {
		t.Fatalf("cluster %+v, %d bots", cfg.Cluster, len(cfg.Bots))
	}
}
