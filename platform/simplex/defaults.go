package simplex

import "time"

// Defaults of the client's and platform's settings, shared by the options
// and the [bots.simplex] configuration table.
const (
	// DefaultCallTimeout bounds commands that have no deadline of their own.
	DefaultCallTimeout = 60 * time.Second
	// DefaultPingInterval is how often the connection is checked.
	DefaultPingInterval = 15 * time.Second
	// DefaultReconnectMin and DefaultReconnectMax bound the reconnect backoff.
	DefaultReconnectMin = 250 * time.Millisecond
	DefaultReconnectMax = 30 * time.Second
	// DefaultCatchUp is whether messages that arrived while the bot was
	// away are fetched.
	DefaultCatchUp = true
)
