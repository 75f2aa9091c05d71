package simplex_test

import (
	"encoding/json"
	"fmt"
	"os"
	"path/filepath"
	"strings"
	"testing"
	"time"

	"github.com/parleybot/parley/bot"
	"github.com/parleybot/parley/platform/platformtest"
	"github.com/parleybot/parley/platform/simplex"
	"github.com/parleybot/parley/platform/simplex/simplexsim"
	"github.com/parleybot/parley/store"
	"go.uber.org/zap"
)

// soakPlatform is the soak's platform, in this process and in the bot
// processes it starts: default cursor flush, short backoff and call
// timeout so a run measures the platform rather than its waits, and a
// 1 MiB read limit so the oversized frame exceeds it.
func soakPlatform(url string, st store.Store) (bot.Platform, error) {
	log := zap.NewNop()
	if dir := os.Getenv(soakDebugEnv); dir != "" {
		cfg := zap.NewDevelopmentConfig()
		cfg.OutputPaths = []string{filepath.Join(dir, fmt.Sprintf("bot-%d.log", os.Getpid()))}
		l, err := cfg.Build()
		if err != nil {
			return nil, err
		}
		log = l
	}
	return simplex.New(url, simplex.WithStore(st), simplex.WithLogger(log), simplex.WithClientOptions(
		simplex.WithBackoff(5*time.Millisecond, 100*time.Millisecond),
		simplex.WithCallTimeout(10*time.Second),
		simplex.WithReadLimit(1<<20),
	)), nil
}

// soakDebugEnv names a directory: each bot process of the soak writes
// its debug log there, and the soak logs every doubled reply.
const soakDebugEnv = "PARLEY_SOAK_DEBUG"

// soakWorld adds the soak's faults to the conformance World.
type soakWorld struct{ *simWorld }

func (w soakWorld) SoakAddr() string { return w.sim.URL() }

func (w soakWorld) EmitMalformed(t *testing.T) {
	if err := w.sim.EmitFrame([]byte(simplexsim.MalformedFrame)); err != nil {
		t.Fatal(err)
	}
}

func (w soakWorld) EmitOversized(t *testing.T) {
	pad, _ := json.Marshal(strings.Repeat("x", 2<<20))
	if err := w.sim.EmitRaw(json.RawMessage(`{"type":"someFutureEvent","pad":` + string(pad) + `}`)); err != nil {
		t.Fatal(err)
	}
}

// StallConnect holds every command, so the reconnecting bot gets no
// answer to its start-up commands, and drops the connection.
func (w soakWorld) StallConnect(t *testing.T) func() {
	resume := w.sim.PauseCommands()
	w.sim.DropAfter(0)
	return resume
}

// TestSoak runs the soak harness (short here; make soak runs the full
// sizes).
func TestSoak(t *testing.T) {
	platformtest.Soak(t, "simplex", func(t *testing.T) platformtest.World {
		w := soakWorld{newSimWorld(t, simplexsim.WithoutAwayQueue())}
		if os.Getenv(soakDebugEnv) != "" {
			t.Cleanup(func() { logDoubled(t, w.sim) })
		}
		return w
	},
		platformtest.SoakOptions{Platform: soakPlatform})
}

// logDoubled logs the replies that went more than once to one message,
// and the messages not answered.
func logDoubled(t *testing.T, sim *simplexsim.Sim) {
	by := map[[2]string][]simplexsim.SentItem{}
	for _, s := range sim.BotSent() {
		k := [2]string{s.ChatRef, s.Text}
		by[k] = append(by[k], s)
	}
	quoted := map[int64]bool{}
	for k, ss := range by {
		for _, s := range ss {
			quoted[s.QuotedItemID] = true
		}
		if len(ss) > 1 {
			t.Logf("doubled: chat %s text %q: %+v", k[0], k[1], ss)
		}
	}
	sim.View(func(v *simplexsim.World) {
		for id, gap := int64(1), 0; gap < 1000; id++ {
			it, ok := v.Item(id)
			if !ok {
				gap++
				continue
			}
			gap = 0
			if !it.Sent && it.Content == "rcvMsgContent" && !strings.HasPrefix(it.Text, "panic ") && !quoted[id] {
				t.Logf("not answered: item %d chat %s text %q", id, it.ChatRef, it.Text)
			}
		}
	})
}
