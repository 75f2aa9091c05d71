package simplex

// DefaultCatchUp is whether messages that arrived while the bot was away
// are fetched, for the WithCatchUp option and the [bots.simplex] table.
const DefaultCatchUp = true
