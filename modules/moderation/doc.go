// Package moderation is a group moderation bot, as a library and as the
// "moderation" module of hosted bots. It runs on any platform through the
// bot's capabilities and event facets, never a platform's own types:
// bot.Request group invitations, bot.GroupChanger membership changes,
// bot.MessageEvent messages, and bot.Deleter, bot.MemberBlocker,
// bot.MemberRemover, bot.RoleSetter, bot.RequestAccepter and
// bot.PrivateSender (plus DirectSender) to act and to reach owners.
//
// The bot takes a group on when an owner or admin invites it with a role
// that allows moderation (moderator by default; it explains to the
// inviter when the role is too low), or, on platforms without invitations
// such as Privitty, when someone adds it to a group: that member owns it.
// Where an invitation cannot name its group before the bot joins (Olvid),
// the bot accepts it and takes the group on when the platform reports it
// joined, with the owner the platform names.
// Each group has its own rules, copied from the module's settings when
// the bot joins: banned words and regular expressions, a link policy, a
// flood limit per member and minute, and optionally the removal of
// members whose messages are reported (where the platform has reports). A
// message or edit that breaks a rule is deleted for everyone, then its
// author is blocked, removed or made an observer if the group's action
// says so. Moderators and above, and the group's owner, are exempt. In
// dry-run mode the bot only tells the owner what it would do. The owner
// gets a notice for every action and for every action that failed, such
// as for a missing role.
//
// Roles are the platform-neutral names (owner, admin, moderator, member,
// observer); see the Role constants for how platforms map onto them. On a
// platform without roles the role checks are skipped. At Setup the module
// logs what the platform cannot do and refuses settings it cannot carry
// out (action = "block" without bot.MemberBlocker, for example, is a
// settings error rather than a silent fallback to removing members).
//
// Owners change their groups' rules in a direct chat with the bot: /rules,
// /status, /addword, /delword, /dry on|off, /notify on|off and /help; each
// takes the group's number first when the owner has several groups.
//
// Rules, owners, flags and counters are kept in the bot's store as JSON
// under "moderation:<bot>:chat:<chat id>" (the list of groups under
// "moderation:<bot>:chats"), read on first use and written on every
// change. Flood counters live in memory. Logs carry ids, never names or
// message text.
//
// In bots.toml (importing the package registers the module):
//
//	[bots.modules.moderation]
//	banned_words = ["spam", "buy followers"]
//	banned_patterns = ['(?i)free\s+crypto']
//	links = "allowlist"           # "allow", "deny" or "allowlist"
//	allowed_domains = ["example.org", "example.net"]
//	flood_limit = 5               # messages per member per minute; 0 is off
//	action = "block"              # "delete", "block", "remove" or "observer"
//	remove_reported = false
//	dry_run = false
//	notify = true
//	min_role = "moderator"        # the least role the bot joins with
//	inviters = []                 # contact IDs allowed to invite; empty: any owner or admin
//	owner_commands = true         # owners may change rules by direct message
//
// Its routes take every received message of the groups it moderates and
// the commands of their owners, so list it before catch-all modules such
// as echo.
package moderation
