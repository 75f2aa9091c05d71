package olvid_test

import (
	"fmt"
	"net/url"
	"os"
	"path/filepath"
	"testing"
	"time"

	"github.com/parleybot/parley/bot"
	"github.com/parleybot/parley/platform/olvid"
	"github.com/parleybot/parley/platform/platformtest"
	"github.com/parleybot/parley/store"
	"go.uber.org/zap"
)

// soakPlatform is the soak's platform, in this process and in the bot
// processes it starts; addr holds the daemon's address and client key.
// Default cursor flush; short backoff and call timeout so a run measures
// the platform rather than its waits.
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
	return olvid.New(q.Get("addr"), olvid.WithClientKey(q.Get("key")), olvid.WithStore(st), olvid.WithLogger(log),
		olvid.WithBackoff(5*time.Millisecond, 100*time.Millisecond),
		olvid.WithCallTimeout(10*time.Second),
	)
}

// soakWorld gives the soak the daemon's address. gRPC frames cannot be
// malformed from the simulator, so only unknown events are mixed in.
type soakWorld struct{ *simWorld }

func (w soakWorld) SoakAddr() string {
	return url.Values{"addr": {w.sim.Addr()}, "key": {w.sim.ClientKey()}}.Encode()
}

// DropAfterFrames drops the connections every n frames, notifications
// and unary answers alike: a cut answer leaves its call carried out and
// its outcome unknown to the bot.
func (w soakWorld) DropAfterFrames(t *testing.T, n int) { w.sim.DropEvery(n) }

// DropsMade counts the simulator's drops.
func (w soakWorld) DropsMade() int { return w.sim.Stats().Drops }

// TestSoak runs the soak harness (short here; make soak runs the full
// sizes).
func TestSoak(t *testing.T) {
	platformtest.Soak(t, "olvid", func(t *testing.T) platformtest.World { return soakWorld{&simWorld{sim: newSim(t)}} },
		platformtest.SoakOptions{Platform: soakPlatform})
}
