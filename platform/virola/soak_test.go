package virola_test

import (
	"net/url"
	"strings"
	"testing"
	"time"

	"github.com/parleybot/parley/bot"
	"github.com/parleybot/parley/platform/platformtest"
	"github.com/parleybot/parley/platform/virola"
	"github.com/parleybot/parley/store"
)

// soakPlatform is the soak's platform, in this process and in the bot
// processes it starts; addr holds the server's URL and the bot's token.
// Default cursor flush and frame limit; short backoff and call timeout so
// a run measures the platform rather than its waits.
func soakPlatform(addr string, st store.Store) (bot.Platform, error) {
	q, err := url.ParseQuery(addr)
	if err != nil {
		return nil, err
	}
	return virola.New(q.Get("url"), virola.WithToken(q.Get("token")), virola.WithStore(st),
		virola.WithBackoff(5*time.Millisecond, 100*time.Millisecond),
		virola.WithCallTimeout(10*time.Second),
	), nil
}

// soakWorld adds the soak's faults to the conformance World.
type soakWorld struct{ *simWorld }

func (w soakWorld) SoakAddr() string {
	return url.Values{"url": {w.sim.URL()}, "token": {w.sim.Token(w.bot.UserID)}}.Encode()
}

// DropAfterFrames drops the connection every n frames, socket frames and
// REST answers alike, so catch-ups through REST are cut too.
func (w soakWorld) DropAfterFrames(t *testing.T, n int) { w.sim.DropEvery(n) }

func (w soakWorld) DropsMade() int { return w.sim.Stats().Drops }

func (w soakWorld) EmitMalformed(t *testing.T) {
	w.sim.InjectRaw(`{"type":"TextMessagesCreated","data":`)
}

// EmitOversized sends a frame just over the default limit.
func (w soakWorld) EmitOversized(t *testing.T) {
	w.sim.InjectRaw(`{"type":"SomeFutureEvent","data":{"pad":"` + strings.Repeat("x", virola.DefaultMaxFrame) + `"}}`)
}

// TestSoak runs the soak harness (short here; make soak runs the full
// sizes).
func TestSoak(t *testing.T) {
	platformtest.Soak(t, "virola", func(t *testing.T) platformtest.World { return soakWorld{newSimWorld(t, false)} },
		platformtest.SoakOptions{Platform: soakPlatform})
}
