package privitty_test

import (
	"fmt"
	"os"
	"path/filepath"
	"strings"
	"testing"
	"time"

	"github.com/parleybot/parley/bot"
	"github.com/parleybot/parley/platform/platformtest"
	"github.com/parleybot/parley/platform/privitty"
	"github.com/parleybot/parley/store"
	"go.uber.org/zap"
)

// soakChild runs this binary as the soak's bot process when it was
// started as one (see TestMain).
func soakChild() { platformtest.SoakChild(soakPlatform) }

// soakPlatform is the soak's platform, in this process and in the bot
// processes it starts: default cursor flush and event size limit (1 MiB),
// short backoff and call timeout so a run measures the platform rather
// than its waits.
func soakPlatform(url string, st store.Store) (bot.Platform, error) {
	log := zap.NewNop()
	if dir := os.Getenv("PARLEY_SOAK_DEBUG"); dir != "" {
		// Each bot process writes its debug log to the directory.
		cfg := zap.NewDevelopmentConfig()
		cfg.OutputPaths = []string{filepath.Join(dir, fmt.Sprintf("bot-%d-%d.log", os.Getpid(), time.Now().UnixNano()))}
		var err error
		if log, err = cfg.Build(); err != nil {
			return nil, err
		}
	}
	return privitty.New(url, privitty.WithStore(st), privitty.WithLogger(log),
		privitty.WithBackoff(5*time.Millisecond, 100*time.Millisecond),
		privitty.WithCallTimeout(10*time.Second),
	), nil
}

// soakWorld adds the soak's faults to the conformance World.
type soakWorld struct{ *simWorld }

func (w soakWorld) SoakAddr() string { return w.sim.URL() }

// DropAfterFrames drops the connection every n frames, events and RPC
// answers alike: the bot may spend long stretches without a stream,
// catching up through RPC, and those calls are cut too.
func (w soakWorld) DropAfterFrames(t *testing.T, n int) { w.sim.DropEvery(n) }

func (w soakWorld) DropsMade() int { return w.sim.Stats().Drops }

func (w soakWorld) EmitMalformed(t *testing.T) { w.sim.SendMalformed() }

func (w soakWorld) EmitOversized(t *testing.T) {
	w.sim.EmitRaw(`{"type":"SomeFutureEvent","account_id":1,"pad":"` + strings.Repeat("x", 2<<20) + `"}`)
}

// StallConnect freezes the daemon (connections accepted, nothing
// answered) and drops the event stream.
func (w soakWorld) StallConnect(t *testing.T) func() {
	w.sim.Freeze(true)
	w.sim.DropStream()
	return func() { w.sim.Freeze(false) }
}

// TestSoak runs the soak harness (short here; make soak runs the full
// sizes).
func TestSoak(t *testing.T) {
	platformtest.Soak(t, "privitty", func(t *testing.T) platformtest.World { return soakWorld{newSimWorld(t)} },
		platformtest.SoakOptions{Platform: soakPlatform})
}
