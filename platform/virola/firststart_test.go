package virola_test

import (
	"net/http"
	"net/http/httptest"
	"net/http/httputil"
	"net/url"
	"slices"
	"sync"
	"sync/atomic"
	"testing"
	"time"

	"github.com/parleybot/parley/platform/virola"
	"github.com/parleybot/parley/store"
)

// A message that comes after the events socket opened, but before the
// first start's catch-up lists the rooms, is not history: it is handled
// (its live frame is skipped as passed on only if the catch-up passed it
// on). A proxy in front of the server posts it at that moment.
func TestFirstStartHandlesMessagesFromBeforeTheFirstListing(t *testing.T) {
	w := newSimWorld(t, false)
	a := w.sim.AddUser("alice", "Alice", "x")
	r0, _ := w.sim.NewPrivateRoom(a.UserID, w.bot.UserID)
	alice, room := a.UserID, r0.RoomID
	w.sim.Post(alice, room, "history")
	target, err := url.Parse(w.sim.URL())
	if err != nil {
		t.Fatal(err)
	}
	proxy := httputil.NewSingleHostReverseProxy(target)
	var opened atomic.Bool
	var once sync.Once
	srv := httptest.NewServer(http.HandlerFunc(func(rw http.ResponseWriter, r *http.Request) {
		switch {
		case r.URL.Path == "/api/v1/events":
			opened.Store(true)
		case r.URL.Path == "/api/v1/rooms" && opened.Load():
			once.Do(func() {
				w.sim.Post(alice, room, "between 1")
				w.sim.Post(alice, room, "between 2")
			})
		}
		proxy.ServeHTTP(rw, r)
	}))
	t.Cleanup(srv.Close)
	st := store.NewMemory()
	p := virola.New(srv.URL, append(testOptions(st), w.auth...)...)
	tb := runBotOn(t, p, st)
	waitFor(t, "the message posted before the first listing", func() bool {
		return len(tb.rec.snapshot().msgs) >= 3
	})
	w.sim.Post(alice, room, "after")
	waitFor(t, "a live message", func() bool { return len(tb.rec.snapshot().msgs) >= 4 })
	if got := texts(tb.rec.snapshot().msgs); !slices.Equal(got, []string{"history", "between 1", "between 2", "after"}) {
		t.Fatalf("handled %q", got)
	}
}

// The periodic write of the cursors may come while a first start still
// lists the rooms, before its first catch-up. It must not store the mark
// then: the catch-up would take the start for a restart from that mark
// and pass on the history, read already by the bot's account. The
// server holds the first room list while the test runs one flush.
func TestFirstStartFlushBeforeFirstListingKeepsHistory(t *testing.T) {
	w := newSimWorld(t, false)
	old := w.sim.AddUser("old", "Old", "x")
	r0, _ := w.sim.NewPrivateRoom(old.UserID, w.bot.UserID)
	h, _ := w.sim.Post(old.UserID, r0.RoomID, "history")
	if err := w.sim.MarkRead(w.bot.UserID, h.MessageID); err != nil {
		t.Fatal(err)
	}
	arrived, release := w.sim.HoldNext("GET /api/v1/rooms")
	t.Cleanup(release)
	st := store.NewMemory()
	p := virola.New(w.sim.URL(), append(testOptions(st), w.auth...)...)
	tb := runBotOn(t, p, st)
	select {
	case <-arrived:
	case <-time.After(20 * time.Second):
		t.Fatal("the bot did not list the rooms")
	}
	if err := p.FlushNow(ctxT(t)); err != nil {
		t.Fatal(err)
	}
	release()
	waitFor(t, "the bot to be ready", p.Ready)
	w.sim.Post(old.UserID, r0.RoomID, "after")
	waitFor(t, "a live message", func() bool { return len(tb.rec.snapshot().msgs) >= 1 })
	if got := texts(tb.rec.snapshot().msgs); !slices.Equal(got, []string{"after"}) {
		t.Fatalf("handled %q, want only the message after the start", got)
	}
}
