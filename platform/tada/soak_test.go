package tada_test

import (
	"fmt"
	"net/url"
	"os"
	"path/filepath"
	"strings"
	"testing"
	"time"

	"github.com/parleybot/parley/bot"
	"github.com/parleybot/parley/platform/platformtest"
	"github.com/parleybot/parley/platform/tada"
	"github.com/parleybot/parley/store"
	"go.uber.org/zap"
)

// soakPlatform is the soak's platform, in this process and in the bot
// processes it starts; addr holds the server's URL, team and bot token.
// Default cursor flush and frame limit; short backoff and call timeout so
// a run measures the platform rather than its waits. PARLEY_SOAK_DEBUG=dir
// writes each bot process's debug log there.
func soakPlatform(addr string, st store.Store) (bot.Platform, error) {
	q, err := url.ParseQuery(addr)
	if err != nil {
		return nil, err
	}
	log := zap.NewNop()
	if dir := os.Getenv("PARLEY_SOAK_DEBUG"); dir != "" {
		// Each bot process writes its debug log to the directory.
		cfg := zap.NewDevelopmentConfig()
		cfg.OutputPaths = []string{filepath.Join(dir, fmt.Sprintf("bot-%d.log", os.Getpid()))}
		if log, err = cfg.Build(); err != nil {
			return nil, err
		}
	}
	return tada.New(q.Get("url"), q.Get("team"), q.Get("token"), tada.WithStore(st), tada.WithLogger(log),
		tada.WithBackoff(5*time.Millisecond, 100*time.Millisecond),
		tada.WithCallTimeout(10*time.Second),
	)
}

// soakWorld adds the soak's faults to the conformance World.
type soakWorld struct{ *simWorld }

func (w soakWorld) SoakAddr() string {
	return url.Values{"url": {w.sim.URL()}, "team": {w.sim.Team()}, "token": {w.sim.Bot().Token}}.Encode()
}

// DropAfterFrames drops the bot's connections every n frames, socket
// frames and REST answers alike (a cut call was carried out, its answer
// lost).
func (w soakWorld) DropAfterFrames(t *testing.T, n int) { w.sim.DropEvery(n) }

// DropsMade counts the simulator's drops.
func (w soakWorld) DropsMade() int { return w.sim.Stats().Drops }

func (w soakWorld) EmitMalformed(t *testing.T) {
	w.sim.SendRaw(`{"event":"server.message.updated","params":`)
}

// EmitOversized sends a frame just over the default limit.
func (w soakWorld) EmitOversized(t *testing.T) {
	w.sim.SendRaw(`{"event":"server.future.thing","params":{"pad":"` + strings.Repeat("x", tada.DefaultMaxFrame) + `"}}`)
}

// StallConnect drops the bot's connection and leaves its reconnects
// unanswered until release.
func (w soakWorld) StallConnect(t *testing.T) func() { return w.sim.StallConnects() }

// TestSoak runs the soak harness (short here; make soak runs the full
// sizes).
func TestSoak(t *testing.T) {
	platformtest.Soak(t, "tada", func(t *testing.T) platformtest.World { return soakWorld{&simWorld{sim: newSim(t)}} },
		platformtest.SoakOptions{Platform: soakPlatform})
}
