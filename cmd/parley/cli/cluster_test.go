package cli

import (
	"context"
	"fmt"
	"net/http"
	"regexp"
	"strings"
	"sync"
	"testing"
	"time"

	"github.com/parleybot/parley/cluster"
	"github.com/parleybot/parley/config"
	"github.com/parleybot/parley/host"
	"github.com/parleybot/parley/platform/simplex/simplexsim"
	redisstore "github.com/parleybot/parley/store/redis"
	"github.com/parleybot/parley/store/redis/redistest"
)

// clusterHost is one `parley run` of the cluster test: its own Redis
// connection through a proxy the test can cut.
type clusterHost struct {
	name   string
	proxy  *redistest.Proxy
	logs   *syncBuffer
	cancel context.CancelFunc
	done   chan error
	mu     sync.Mutex
	h      *host.Host
}

func (c *clusterHost) host() *host.Host {
	c.mu.Lock()
	defer c.mu.Unlock()
	return c.h
}

// running returns the bots this host runs and reports ready.
func (c *clusterHost) running() []string {
	h := c.host()
	if h == nil {
		return nil
	}
	var out []string
	for _, st := range h.Status() {
		if st.Ready {
			out = append(out, st.Name)
		}
	}
	return out
}

// TestClusterSharesBots runs three clustered hosts in one process, each
// with its own Redis connection, sharing 30 echo bots, each against its
// own simulated SimpleX CLI. Mid-flood one host's Redis connection is cut:
// its bots must stop before their leases expire and move to the other two,
// and every message must be echoed, none lost. Messages handled twice are
// counted: that is the at-least-once window of a host cut from Redis,
// which keeps handling until its leases would expire while it cannot
// record what it handled.
func TestClusterSharesBots(t *testing.T) {
	if testing.Short() {
		t.Skip("starts 30 bots on three hosts")
	}
	srv := redistest.Start(t)
	const nBots, perPhase = 30, 10
	const ttl = 2 * time.Second

	sims := make([]*simplexsim.Sim, nBots)
	var bots strings.Builder
	for i := range sims {
		sims[i] = simplexsim.New(simplexsim.WithAddress(true, ""))
		if err := sims[i].Start(); err != nil {
			t.Fatal(err)
		}
		defer sims[i].Close()
		fmt.Fprintf(&bots, "\n[[bots]]\nname = \"echo%02d\"\nplatform = \"simplex\"\n[bots.simplex]\nurl = %q\n[bots.modules.echo]\n", i, sims[i].URL())
	}

	hosts := make([]*clusterHost, 3)
	for i := range hosts {
		ch := &clusterHost{name: fmt.Sprintf("h%d", i+1), proxy: redistest.NewProxy(t, srv.Addr), logs: newSyncBuffer(), done: make(chan error, 1)}
		src := fmt.Sprintf("[server]\nlisten = \"127.0.0.1:0\"\nlog_format = \"json\"\nstop_timeout = \"2s\"\n\n[cluster]\nredis = %q\nname = %q\nlease_ttl = %q\n%s",
			ch.proxy.URL(), ch.name, ttl, bots.String())
		cfg, err := config.Parse([]byte(src), "bots.toml")
		if err != nil {
			t.Fatal(err)
		}
		ctx, cancel := context.WithCancel(context.Background())
		ch.cancel = cancel
		go func() {
			ch.done <- runHosted(ctx, cfg, ch.logs, func(h *host.Host) {
				ch.mu.Lock()
				ch.h = h
				ch.mu.Unlock()
			})
		}()
		hosts[i] = ch
	}
	stopped := false
	stopAll := func() {
		if stopped {
			return
		}
		stopped = true
		for _, ch := range hosts {
			ch.cancel()
		}
		for _, ch := range hosts {
			if err := <-ch.done; err != nil {
				t.Errorf("%s: run: %v", ch.name, err)
			}
		}
	}
	defer stopAll()

	// owners maps each running bot to its hosts; spread is true when every
	// bot runs on exactly one of want, and each of want runs some.
	owners := func() map[string][]string {
		out := make(map[string][]string)
		for _, ch := range hosts {
			for _, b := range ch.running() {
				out[b] = append(out[b], ch.name)
			}
		}
		return out
	}
	spread := func(want ...*clusterHost) bool {
		o := owners()
		if len(o) != nBots {
			return false
		}
		per := make(map[string]int)
		for _, hs := range o {
			if len(hs) != 1 {
				return false
			}
			per[hs[0]]++
		}
		for _, ch := range want {
			if per[ch.name] == 0 {
				return false
			}
		}
		return len(per) == len(want)
	}
	if err := poll(30*time.Second, func() bool { return spread(hosts...) }); err != nil {
		t.Fatalf("bots not spread over three hosts: %v", owners())
	}
	for _, ch := range hosts {
		t.Logf("%s runs %d bots", ch.name, len(ch.running()))
	}

	// /readyz and /metrics name the bots this process owns.
	h1 := hosts[0]
	base := "http://" + h1.host().Addr()
	code, body := get(t, base+"/readyz")
	if code != http.StatusOK || !strings.Contains(body, "cluster: member h1/") || !strings.Contains(body, h1.running()[0]) {
		t.Errorf("/readyz of h1: %d %q; want ok and the bots it owns", code, body)
	}
	_, body = get(t, base+"/metrics")
	if want := fmt.Sprintf("parley_cluster_bot_owned{bot=%q} 1", h1.running()[0]); !strings.Contains(body, want) {
		t.Errorf("/metrics of h1 lacks %s", want)
	}
	if want := "parley_cluster_members 3"; !strings.Contains(body, want) {
		t.Errorf("/metrics of h1 lacks %s", want)
	}

	contacts := make([]int64, nBots)
	for i, sim := range sims {
		c, err := sim.ConnectContact("alice")
		if err != nil {
			t.Fatal(err)
		}
		contacts[i] = c.ContactID
	}
	send := func(phase int) {
		for i, sim := range sims {
			for j := range perPhase {
				if _, err := sim.ContactSend(contacts[i], fmt.Sprintf("m%d-%d-%d", i, phase, j)); err != nil {
					t.Fatal(err)
				}
			}
		}
	}
	waitEchoes := func(n int, within time.Duration) {
		for i, sim := range sims {
			if _, err := sim.WaitBotSent(n, within); err != nil {
				for _, ch := range hosts {
					for _, line := range strings.Split(ch.logs.String(), "\n") {
						if strings.Contains(line, fmt.Sprintf("echo%02d", i)) || strings.Contains(line, "cluster") {
							t.Logf("%s: %s", ch.name, line)
						}
					}
				}
				t.Fatalf("echo%02d: %v (sent %d)", i, err, len(sim.BotSent()))
			}
		}
	}

	// The flood: half, then cut a host, then the other half at once.
	send(0)
	waitEchoes(perPhase, 20*time.Second)
	victim := hosts[2]
	var moved []string
	for _, st := range victim.host().Status() {
		moved = append(moved, st.Name)
	}
	cutAt := time.Now()
	victim.proxy.Cut()
	send(1)
	if err := poll(20*ttl, func() bool { return spread(hosts[0], hosts[1]) }); err != nil {
		t.Fatalf("%s's bots did not move: %v", victim.name, owners())
	}
	takeover := time.Since(cutAt)
	waitEchoes(2*perPhase, 20*time.Second)
	stopAll()

	// Every message echoed at least once; count those echoed twice. A
	// bot's fencing token counts its owners: only a bot that changed
	// hands may have handled a message twice.
	rc, err := redisstore.Dial(context.Background(), srv.URL())
	if err != nil {
		t.Fatal(err)
	}
	defer rc.Close()
	isMoved := make(map[string]bool)
	for i := range nBots {
		b := fmt.Sprintf("echo%02d", i)
		token, err := rc.Get(context.Background(), cluster.KeysOf(cluster.DefaultNamespace, b).Fence).Int()
		if err != nil {
			t.Fatal(err)
		}
		isMoved[b] = token > 1
	}
	for _, b := range moved {
		if !isMoved[b] {
			t.Errorf("%s moved but its fencing token did not grow", b)
		}
	}
	dups, dupsElsewhere := 0, 0
	for i, sim := range sims {
		seen := make(map[string]int)
		for _, s := range sim.BotSent() {
			seen[s.Text]++
		}
		for phase := range 2 {
			for j := range perPhase {
				text := fmt.Sprintf("m%d-%d-%d", i, phase, j)
				switch n := seen[text]; {
				case n == 0:
					t.Errorf("echo%02d never echoed %s", i, text)
				case n > 1:
					dups += n - 1
					if !isMoved[fmt.Sprintf("echo%02d", i)] {
						dupsElsewhere++
					}
				}
			}
		}
	}
	if dupsElsewhere > 0 {
		t.Errorf("%d messages of bots that never changed hands were handled twice", dupsElsewhere)
	}
	t.Logf("cut %s (%d bots): all moved within %v (lease ttl %v); %d of %d messages handled twice, all of bots that changed hands",
		victim.name, len(moved), takeover.Round(time.Millisecond), ttl, dups, nBots*2*perPhase)
	// The cut host noticed and said so for every bot it gave up.
	logs := victim.logs.String()
	for _, b := range moved {
		if !regexp.MustCompile(`"msg":"lease lost; stopping the bot","bot":"` + b + `"`).MatchString(logs) {
			t.Errorf("%s did not log losing %s's lease", victim.name, b)
		}
	}
}
