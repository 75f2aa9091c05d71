// Command cluster shows the lease and fencing-token machinery behind
// `parley run` with a [cluster] section, on one bot called "demo". Start it
// in two terminals against the same Redis:
//
//	go run ./examples/cluster -name a
//	go run ./examples/cluster -name b
//
// The first takes the bot's lease and counts in the bot's Redis store; the
// second waits. Stop the first with Ctrl-C and the second takes over at
// once with a higher fencing token and counts on from where the first
// stopped; kill it with SIGKILL instead and the second takes over when the
// lease expires. bots.toml beside this file runs real bots the same way.
package main

import (
	"cmp"
	"context"
	"errors"
	"flag"
	"fmt"
	"io"
	"log"
	"os"
	"os/signal"
	"strconv"
	"syscall"
	"time"

	"github.com/parleybot/parley/cluster"
	redisstore "github.com/parleybot/parley/store/redis"
)

func main() {
	url := cmp.Or(os.Getenv("REDIS_URL"), "redis://127.0.0.1:6379/0")
	flag.StringVar(&url, "redis", url, "Redis URL; $REDIS_URL sets the default")
	name := flag.String("name", "a", "this process's name")
	ttl := flag.Duration("ttl", 3*time.Second, "lease time to live")
	flag.Parse()
	ctx, stop := signal.NotifyContext(context.Background(), os.Interrupt, syscall.SIGTERM)
	defer stop()
	if err := run(ctx, url, *name, *ttl, 500*time.Millisecond, os.Stdout); err != nil {
		log.Fatal(err)
	}
}

// run waits for the demo bot's lease, then counts in its store every tick
// until ctx ends or the lease is lost.
func run(ctx context.Context, url, name string, ttl, tick time.Duration, out io.Writer) error {
	c, err := redisstore.Dial(ctx, url)
	if err != nil {
		return err
	}
	defer c.Close()
	leases := cluster.NewLeases(c, name, cluster.WithTTL(ttl))

	var lease *cluster.Lease
	for lease == nil {
		lease, err = leases.Acquire(ctx, "demo")
		var held *cluster.HeldError
		if errors.As(err, &held) {
			fmt.Fprintf(out, "%s: waiting, the lease is held by %s\n", name, held.Owner)
			select {
			case <-ctx.Done():
				return nil
			case <-time.After(held.Remaining + 10*time.Millisecond):
			}
			continue
		}
		if err != nil {
			return err
		}
	}
	fmt.Fprintf(out, "%s: took the lease, token %d\n", name, lease.Token())
	st := lease.Store()
	defer st.Close()

	kctx, stopKeep := context.WithCancel(ctx)
	kept := make(chan error, 1)
	go func() { kept <- lease.Keep(kctx) }()
	defer func() {
		stopKeep()
		<-kept
		// Hand over at once rather than after the ttl.
		_ = lease.Release(context.WithoutCancel(ctx))
	}()

	t := time.NewTicker(tick)
	defer t.Stop()
	for {
		select {
		case <-ctx.Done():
			fmt.Fprintf(out, "%s: stopping, releasing the lease\n", name)
			return nil
		case <-lease.Lost():
			fmt.Fprintf(out, "%s: lease lost: %v\n", name, lease.Err())
			return nil
		case <-t.C:
		}
		v, _, err := st.Get(ctx, "count")
		if err != nil {
			fmt.Fprintf(out, "%s: read failed: %v\n", name, err)
			continue
		}
		n, _ := strconv.Atoi(string(v))
		// A write that carries a stale token is refused, never applied.
		if err := st.Set(ctx, "count", []byte(strconv.Itoa(n+1)), 0); err != nil {
			fmt.Fprintf(out, "%s: write refused: %v\n", name, err)
			return nil
		}
		fmt.Fprintf(out, "%s: count %d\n", name, n+1)
	}
}
