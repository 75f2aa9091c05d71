package cli

import (
	"context"
	"fmt"
	"io"
	"sync"
	"time"

	"github.com/parleybot/parley/cluster"
	"github.com/parleybot/parley/config"
	"github.com/parleybot/parley/host"
	"github.com/parleybot/parley/store"
	redisstore "github.com/parleybot/parley/store/redis"
	"go.uber.org/zap"
)

// clusterDialTimeout bounds the first connection to Redis at start-up.
const clusterDialTimeout = 10 * time.Second

// runClustered hosts, of cfg's bots, those this process's cluster member
// owns, and follows the member as bots come and go, until ctx ends.
func runClustered(ctx context.Context, cfg *config.Config, logOut io.Writer, started func(*host.Host)) error {
	cc := cfg.Cluster
	dctx, cancel := context.WithTimeout(ctx, clusterDialTimeout)
	c, err := redisstore.Dial(dctx, cc.Redis)
	cancel()
	if err != nil {
		return fmt.Errorf("cluster: %w", err)
	}
	defer c.Close()

	bots := make(map[string]config.BotConfig, len(cfg.Bots))
	names := make([]string, 0, len(cfg.Bots))
	for _, bc := range cfg.Bots {
		bots[bc.Name] = bc
		names = append(names, bc.Name)
	}
	leases := cluster.NewLeases(c, cc.Name, cluster.WithTTL(cc.LeaseTTL), cluster.WithNamespace(cc.Namespace))
	var member *cluster.Member
	hs, err := newHosting(cfg, logOut, host.WithReadyNote(func() string { return member.Status() }))
	if err != nil {
		return err
	}
	defer hs.sync()
	log := config.WithLevel(hs.root, cfg.Server.LogLevel).Named("cluster")
	member = cluster.NewMember(leases, names, cluster.WithLogger(log))
	if err := hs.host.Registerer().Register(member); err != nil {
		return fmt.Errorf("cluster: register metrics: %w", err)
	}
	if err := hs.host.Start(ctx); err != nil {
		return err
	}
	if started != nil {
		started(hs.host)
	}
	var wg sync.WaitGroup
	wg.Go(func() { _ = member.Run(ctx, &clusterTarget{hs: hs, bots: bots, log: log}) })
	err = hs.host.Wait()
	wg.Wait()
	return err
}

// clusterTarget hosts the bots the member hands it, each with its Redis
// store fenced by its lease.
type clusterTarget struct {
	hs   *hosting
	bots map[string]config.BotConfig
	log  *zap.Logger
}

func (t *clusterTarget) Start(lease *cluster.Lease) error {
	bc, ok := t.bots[lease.Bot()]
	if !ok {
		return fmt.Errorf("bot %q is not in this process's configuration", lease.Bot())
	}
	newStore := func() store.Store { return lease.Store() }
	return t.hs.host.AddFactory(bc.Name, botFactory(bc, t.hs.root, t.hs.metrics, newStore))
}

func (t *clusterTarget) Stop(bot string) {
	if err := t.hs.host.Remove(bot); err != nil {
		t.log.Debug("stopping a bot the host no longer has", zap.String("bot", bot), zap.Error(err))
	}
}
