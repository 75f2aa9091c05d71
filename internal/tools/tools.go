//go:build tools

// Package tools pins the modules the project depends on, so that go mod
// tidy keeps them while packages that use them are being written.
package tools

import (
	_ "github.com/BurntSushi/toml"
	_ "github.com/coder/websocket"
	_ "github.com/prometheus/client_golang/prometheus"
	_ "github.com/tmaxmax/go-sse"
	_ "go.etcd.io/bbolt"
	_ "go.uber.org/goleak"
	_ "go.uber.org/zap"
	_ "go.uber.org/zap/zaptest/observer"
)
