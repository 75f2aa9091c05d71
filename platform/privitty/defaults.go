package privitty

import "time"

// Defaults of the client's and platform's settings, shared by the options
// and the [bots.privitty] configuration table.
const (
	// DefaultCallTimeout bounds calls that have no deadline of their own.
	DefaultCallTimeout = 30 * time.Second
	// DefaultIdleTimeout is how long the event stream may stay silent
	// before it is reopened: three missed keepalive pings.
	DefaultIdleTimeout = 45 * time.Second
	// DefaultReconnectMin and DefaultReconnectMax bound the reconnect backoff.
	DefaultReconnectMin = 250 * time.Millisecond
	DefaultReconnectMax = 30 * time.Second
	// DefaultCatchUp is whether messages that arrived while the bot was
	// away, or that the daemon dropped, are fetched.
	DefaultCatchUp = true
	// DefaultMarkSeen is whether handled messages are marked seen, which
	// sends read receipts.
	DefaultMarkSeen = true
)
