// Package moderation is a SimpleX group moderation bot, as a library and
// as the "moderation" module of hosted bots.
//
// The bot joins a group when an owner or admin invites it with a role
// that allows moderation (moderator by default; it explains to the
// inviter when the role is too low). Each group has its own rules, copied
// from the module's settings when the bot joins: banned words and
// regular expressions, a link policy, a flood limit per member and
// minute, and optionally the removal of members whose messages are
// reported. A message or edit that breaks a rule is deleted for everyone
// (/_delete member item), then its author is blocked, removed or made an
// observer if the group's action says so. Members with the moderator role
// or above are exempt. In dry-run mode the bot only tells the owner what
// it would do. The owner gets a notice for every action and for every
// action that failed, such as for a missing role.
//
// Owners change their groups' rules in a direct chat with the bot: /rules,
// /status, /addword, /delword, /dry on|off, /notify on|off and /help; each
// takes the group's number first when the owner has several groups.
//
// Rules, owners, flags and counters are kept in the bot's store as JSON
// under "moderation:<bot>:group:<id>" (the list of groups under
// "moderation:<bot>:groups"), read on first use and written on every
// change. Flood counters live in memory. Logs carry ids, never names or
// message text.
//
// In bots.toml (importing the package registers the module):
//
//	[bots.modules.moderation]
//	banned_words = ["spam", "buy followers"]
//	banned_patterns = ['(?i)free\s+crypto']
//	links = "allowlist"           # "allow", "deny" or "allowlist"
//	allowed_domains = ["example.org", "simplex.chat"]
//	flood_limit = 5               # messages per member per minute; 0 is off
//	action = "block"              # "delete", "block", "remove" or "observer"
//	remove_reported = false
//	dry_run = false
//	notify = true
//	min_role = "moderator"        # the least role the bot joins with
//	inviters = []                 # contact ids allowed to invite; empty: any owner or admin
//	owner_commands = true         # owners may change rules by direct message
//
// Its routes take every received message of the groups it moderates and
// the commands of their owners, so list it before catch-all modules such
// as echo.
package moderation
