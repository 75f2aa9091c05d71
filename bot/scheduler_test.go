package bot

import (
	"runtime"
	"strings"
	"sync"
	"sync/atomic"
	"testing"
	"time"
)

type schedTestEvent struct{}

func (schedTestEvent) Type() string { return "test" }

// blockedEnqueues counts goroutines blocked in scheduler.enqueue.
func blockedEnqueues() int {
	buf := make([]byte, 1<<20)
	return strings.Count(string(buf[:runtime.Stack(buf, true)]), "bot.(*scheduler).enqueue")
}

// Two platform goroutines emitting into a full queue (a reader and a
// catch-up, say) both get in as it drains: neither sleeps on a wake-up
// the other took.
func TestEveryBlockedEnqueueGetsIn(t *testing.T) {
	gate := make(chan struct{})
	var ran atomic.Int64
	sc := newScheduler(1, func(Event, *mailbox) bool {
		<-gate
		ran.Add(1)
		return true
	}, nil)
	quit, stop := make(chan struct{}), make(chan struct{})
	var wg sync.WaitGroup
	wg.Add(1)
	go func() { defer wg.Done(); sc.work(quit) }()
	defer func() { close(stop); close(quit); wg.Wait() }()

	if err := sc.enqueue(schedTestEvent{}, "a", stop); err != nil {
		t.Fatal(err)
	}
	errs := make(chan error, 2)
	for _, key := range []string{"b", "c"} {
		wg.Add(1)
		go func() { defer wg.Done(); errs <- sc.enqueue(schedTestEvent{}, key, stop) }()
	}
	deadline := time.Now().Add(5 * time.Second)
	for blockedEnqueues() < 2 {
		if time.Now().After(deadline) {
			t.Fatal("the two enqueues did not block on the full queue")
		}
		<-time.After(time.Millisecond)
	}
	close(gate)
	for ran.Load() < 3 {
		if time.Now().After(deadline) {
			t.Fatalf("%d of 3 events ran: a blocked enqueue was never woken", ran.Load())
		}
		<-time.After(time.Millisecond)
	}
	for range 2 {
		if err := <-errs; err != nil {
			t.Fatal(err)
		}
	}
}
