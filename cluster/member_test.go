package cluster_test

import (
	"context"
	"fmt"
	"slices"
	"sync"
	"testing"
	"time"

	"go.uber.org/zap/zaptest"

	"github.com/parleybot/parley/cluster"
	"github.com/parleybot/parley/store/redis/redistest"
)

// ledger is a Target shared by every member of a test: it records who
// runs which bot and fails the test if two members run one bot at once.
type ledger struct {
	t       *testing.T
	mu      sync.Mutex
	running map[string]string // bot -> member id
	starts  map[string]int
}

type ledgerTarget struct {
	*ledger
	id string
}

func (l ledgerTarget) Start(lease *cluster.Lease) error {
	l.mu.Lock()
	defer l.mu.Unlock()
	if other, ok := l.running[lease.Bot()]; ok {
		l.t.Errorf("%s starts %s while %s runs it", l.id, lease.Bot(), other)
	}
	if !lease.Valid() {
		l.t.Errorf("%s starts %s on an invalid lease", l.id, lease.Bot())
	}
	l.running[lease.Bot()] = l.id
	l.starts[lease.Bot()]++
	return nil
}

func (l ledgerTarget) Stop(bot string) {
	l.mu.Lock()
	defer l.mu.Unlock()
	if l.running[bot] != l.id {
		l.t.Errorf("%s stops %s, which %q runs", l.id, bot, l.running[bot])
	}
	delete(l.running, bot)
}

// byMember returns how many bots each member runs.
func (l *ledger) byMember() map[string]int {
	l.mu.Lock()
	defer l.mu.Unlock()
	out := make(map[string]int)
	for _, id := range l.running {
		out[id]++
	}
	return out
}

func (l *ledger) count() int {
	l.mu.Lock()
	defer l.mu.Unlock()
	return len(l.running)
}

type runningMember struct {
	m      *cluster.Member
	cancel context.CancelFunc
	done   chan struct{}
}

func TestMembersShareBots(t *testing.T) {
	srv := redistest.Start(t)
	const ttl = 600 * time.Millisecond
	bots := make([]string, 30)
	for i := range bots {
		bots[i] = fmt.Sprintf("bot%02d", i)
	}
	l := &ledger{t: t, running: make(map[string]string), starts: make(map[string]int)}
	proxies := map[string]*redistest.Proxy{}
	var members []*runningMember
	start := func(name string) *runningMember {
		p := redistest.NewProxy(t, srv.Addr)
		proxies[name] = p
		leases := cluster.NewLeases(dial(t, p.URL()), name, cluster.WithTTL(ttl))
		m := cluster.NewMember(leases, bots, cluster.WithLogger(zaptest.NewLogger(t)))
		ctx, cancel := context.WithCancel(bg)
		rm := &runningMember{m: m, cancel: cancel, done: make(chan struct{})}
		go func() {
			defer close(rm.done)
			if err := m.Run(ctx, ledgerTarget{l, m.ID()}); err != nil {
				t.Errorf("%s: Run: %v", name, err)
			}
		}()
		members = append(members, rm)
		return rm
	}
	defer func() {
		for _, rm := range members {
			rm.cancel()
			<-rm.done
		}
	}()
	a, b, c := start("a"), start("b"), start("c")

	spread := func(want ...*runningMember) bool {
		if l.count() != len(bots) {
			return false
		}
		per := l.byMember()
		for _, rm := range want {
			if per[rm.m.ID()] == 0 || !slices.Equal(rm.m.Owned(), ownedIn(l, rm.m.ID())) {
				return false
			}
		}
		return len(per) == len(want)
	}
	eventually(t, 10*ttl, "30 bots spread over a, b and c", func() bool { return spread(a, b, c) })
	t.Logf("spread: %v", l.byMember())
	if got := a.m.Members(); len(got) != 3 {
		t.Fatalf("a sees members %v", got)
	}

	// c loses Redis: its bots stop before its leases expire, and move.
	cOwned := c.m.Owned()
	cut := time.Now()
	proxies["c"].Cut()
	eventually(t, 10*ttl, "c's bots move to a and b", func() bool { return spread(a, b) })
	t.Logf("c's %d bots moved in %v (lease ttl %v)", len(cOwned), time.Since(cut).Round(time.Millisecond), ttl)
	if len(c.m.Owned()) != 0 {
		t.Fatalf("c still owns %v", c.m.Owned())
	}

	// c comes back and a fresh d joins: the bots spread over all four.
	proxies["c"].Restore()
	d := start("d")
	eventually(t, 10*ttl, "30 bots spread over a, b, c and d", func() bool { return spread(a, b, c, d) })
	t.Logf("after the join: %v", l.byMember())

	// d leaves cleanly: its bots move without waiting for a ttl.
	d.cancel()
	<-d.done
	eventually(t, 10*ttl, "d's bots move after it left", func() bool { return spread(a, b, c) })
}

func ownedIn(l *ledger, id string) []string {
	l.mu.Lock()
	defer l.mu.Unlock()
	var out []string
	for b, who := range l.running {
		if who == id {
			out = append(out, b)
		}
	}
	slices.Sort(out)
	return out
}
