package privitty

// Defaults of the WithCatchUp and WithMarkSeen options, which the
// [bots.privitty] table shares.
const (
	// DefaultCatchUp is whether messages that arrived while the bot was
	// away, or that the daemon dropped, are fetched.
	DefaultCatchUp = true
	// DefaultMarkSeen is whether handled messages are marked seen, which
	// sends read receipts.
	DefaultMarkSeen = true
)
