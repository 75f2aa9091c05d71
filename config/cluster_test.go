package config_test

import (
	"errors"
	"strings"
	"testing"
	"time"

	"github.com/parleybot/parley/cluster"
	"github.com/parleybot/parley/config"
)

const clusterBot = "\n[[bots]]\nname = \"a\"\nplatform = \"fake\"\n[bots.fake]\n"

func TestClusterSection(t *testing.T) {
	cfg, err := config.Parse([]byte("[cluster]\nredis = \"redis://10.0.0.5:6379/2\"\nname = \"node-1\"\nlease_ttl = \"4s\"\nnamespace = \"prod:\"\n"+clusterBot), "bots.toml")
	if err != nil {
		t.Fatal(err)
	}
	want := config.ClusterConfig{Redis: "redis://10.0.0.5:6379/2", Name: "node-1", LeaseTTL: 4 * time.Second, Namespace: "prod:"}
	if cfg.Cluster == nil || *cfg.Cluster != want {
		t.Fatalf("Cluster = %+v; want %+v", cfg.Cluster, want)
	}

	cfg, err = config.Parse([]byte("[cluster]\nredis = \"rediss://r:6380\"\n"+clusterBot), "bots.toml")
	if err != nil {
		t.Fatal(err)
	}
	if c := cfg.Cluster; c.LeaseTTL != cluster.DefaultTTL || c.Namespace != cluster.DefaultNamespace || c.Name == "" {
		t.Fatalf("defaults: %+v", c)
	}

	cfg, err = config.Parse([]byte(clusterBot), "bots.toml")
	if err != nil || cfg.Cluster != nil {
		t.Fatalf("no [cluster]: %+v, %v; want nil", cfg.Cluster, err)
	}
}

func TestClusterProblems(t *testing.T) {
	tests := []struct{ src, key, msg string }{
		{"[cluster]\nname = \"x\"\n", "cluster.redis", "required"},
		{"[cluster]\nredis = \"http://r:1\"\n", "cluster.redis", "not a redis://"},
		{"[cluster]\nredis = \"redis://r:1\"\nlease_ttl = \"100ms\"\n", "cluster.lease_ttl", "minimum"},
		{"[cluster]\nredis = \"redis://r:1\"\nname = \"Big Name\"\n", "cluster.name", "process name"},
		{"[cluster]\nredis = \"redis://r:1\"\nttl = \"5s\"\n", "cluster.ttl", "unknown key"},
	}
	for _, tt := range tests {
		_, err := config.Parse([]byte(tt.src+clusterBot), "bots.toml")
		var ce *config.Error
		if !errors.As(err, &ce) || len(ce.Problems) != 1 || ce.Problems[0].Key != tt.key || !strings.Contains(ce.Problems[0].Error(), tt.msg) {
			t.Errorf("%q: %v; want one problem at %s saying %q", tt.src, err, tt.key, tt.msg)
		}
	}
	src := "[cluster]\nredis = \"redis://r:1\"\n" + clusterBot + "[bots.store]\nkind = \"file\"\npath = \"a.db\"\n"
	_, err := config.Parse([]byte(src), "bots.toml")
	var ce *config.Error
	if !errors.As(err, &ce) || len(ce.Problems) != 1 || ce.Problems[0].Key != "bots[0].store.kind" {
		t.Errorf("file store with [cluster]: %v; want one problem at bots[0].store.kind", err)
	}
}
