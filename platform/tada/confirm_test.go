package tada_test

import (
	"context"
	"fmt"
	"sync"
	"testing"
	"time"

	"github.com/parleybot/parley/bot"
	"github.com/parleybot/parley/platform/tada"
	"github.com/parleybot/parley/store"
)

// Messages are confirmed as they are read, not after the bot handled
// them: a busy bot leaves the server holding nothing to send again on
// the next connection, and a crash before the handler ran loses nothing,
// since the restart catches the chat up over REST.
func TestMessagesConfirmedOnReadAndCaughtUpAfterACrash(t *testing.T) {
	sim := newSim(t)
	st := store.NewMemory()
	alice := sim.AddContact("alice")
	p1 := newPlatform(t, sim, testOptions(st)...)
	ctx, cancel := context.WithCancel(context.Background())
	crash := make(chan struct{})
	done := make(chan error, 1)
	go func() {
		done <- p1.Listen(ctx, func(e bot.Event) error {
			if _, ok := e.(*tada.NewMessage); ok {
				<-crash // the handler never gets to run
				return bot.ErrStopped
			}
			p1.EventHandled(e, nil)
			return nil
		})
	}()
	var once sync.Once
	stop := func() {
		once.Do(func() {
			close(crash)
			cancel()
			select {
			case <-done:
			case <-time.After(10 * time.Second):
				t.Error("Listen did not return")
			}
		})
	}
	defer stop()
	waitCond(t, "the first bot to be ready", p1.Ready)
	const n = 5
	for i := 1; i <= n; i++ {
		if _, err := sim.Send(alice.JID, sim.Bot().JID, fmt.Sprint("m", i)); err != nil {
			t.Fatal(err)
		}
	}
	waitCond(t, "every message confirmed while the bot is busy", func() bool {
		return sim.Unconfirmed("") == 0 && p1.Client().Stats().Confirmed >= n
	})
	stop()

	counts := &countingBot{counts: map[string]int{}}
	p2 := newPlatform(t, sim, testOptions(st)...)
	runBot(t, p2, counts)
	for i := 1; i <= n; i++ {
		waitCond(t, fmt.Sprint("m", i, " after the restart"), func() bool { return counts.seen(fmt.Sprint("m", i)) >= 1 })
	}
	for i := 1; i <= n; i++ {
		if c := counts.seen(fmt.Sprint("m", i)); c != 1 {
			t.Errorf("m%d handled %d times, want once", i, c)
		}
	}
	if r := sim.Stats().Redelivered; r != 0 {
		t.Errorf("the server sent %d events again; they were all confirmed", r)
	}
}
