package olvid

import (
	"strconv"

	"github.com/parleybot/parley/bot"
)

// groupOwner is who owns a group for the bot: its only admin (the members
// a Group lists are the others, never the bot itself). Olvid does not say
// who invited the bot, so with several admins, or none, nobody is named
// and a group moderation module leaves the group alone. Member IDs are
// contact IDs, which also reach the person directly (SendDirect).
func groupOwner(g *Group) bot.Sender {
	var owner *GroupMember
	for _, m := range g.GetMembers() {
		if m.GetPermissions().GetAdmin() {
			if owner != nil {
				return bot.Sender{}
			}
			owner = m
		}
	}
	if owner == nil || owner.GetContactId() == 0 {
		return bot.Sender{}
	}
	return bot.Sender{ID: strconv.FormatUint(owner.GetContactId(), 10), Role: RoleAdmin}
}
