package cluster

// Keys names the Redis keys of one bot.
type Keys struct {
	// Lease holds "<owner> <token>" while a process owns the bot.
	Lease string
	// Fence is the bot's fencing counter: the newest token issued.
	Fence string
	// Data prefixes the bot's store entries (cursors, marks, state).
	Data string
}

// KeysOf returns the keys of bot in namespace ns. The bot name is the hash
// tag, so a bot's keys share a Redis Cluster slot.
func KeysOf(ns, bot string) Keys {
	base := ns + "{" + bot + "}:"
	return Keys{Lease: base + "lease", Fence: base + "fence", Data: base + "k:"}
}
