package simplex

import (
	"cmp"
	"strconv"

	"github.com/parleybot/parley/bot"
)

// The bot.GroupChanger facet of the group events, and the reports carried
// by message events. Chats are group references ("#12"), members are
// groupMemberIds and roles the SimpleX role names.

var (
	_ bot.GroupChanger = (*UserJoinedGroup)(nil)
	_ bot.GroupChanger = (*JoinedGroupMember)(nil)
	_ bot.GroupChanger = (*MemberRole)(nil)
	_ bot.GroupChanger = (*DeletedMember)(nil)
	_ bot.GroupChanger = (*LeftMember)(nil)
	_ bot.GroupChanger = (*DeletedMemberUser)(nil)
	_ bot.GroupChanger = (*GroupDeleted)(nil)
	_ bot.GroupChanger = (*MemberBlockedForAll)(nil)
)

func groupChat(g *GroupInfo) bot.Chat {
	return bot.Chat{ID: g.Ref().String(), Kind: bot.Group, Title: g.DisplayName()}
}

// memberSender is the neutral view of a group member; a zero member (the
// core did not say) is an empty Sender.
func memberSender(m *GroupMember) bot.Sender {
	if m == nil || m.GroupMemberID == 0 {
		return bot.Sender{}
	}
	return bot.Sender{
		ID:    strconv.FormatInt(m.GroupMemberID, 10),
		Name:  m.DisplayName(),
		Role:  string(m.MemberRole),
		IsBot: m.MemberProfile.PeerType == PeerBot,
	}
}

// isUserMember reports whether m is the bot's own membership of g.
func isUserMember(g *GroupInfo, m *GroupMember) bool {
	if m.MemberCategory == CategoryUser {
		return true
	}
	own := g.Membership.GroupMemberID
	return own != 0 && own == m.GroupMemberID
}

// GroupChanges reports BotJoined with the bot's role. By is empty: the bot
// joined by accepting an invitation; the inviter is in the invitation.
func (e *UserJoinedGroup) GroupChanges() []bot.GroupChange {
	return []bot.GroupChange{{Kind: bot.BotJoined, Chat: groupChat(&e.GroupInfo), Role: string(e.GroupInfo.Membership.MemberRole)}}
}

// GroupChanges reports MemberJoined (also for members waiting for
// approval; Member.Role is their role).
func (e *JoinedGroupMember) GroupChanges() []bot.GroupChange {
	m := memberSender(&e.Member)
	return []bot.GroupChange{{Kind: bot.MemberJoined, Chat: groupChat(&e.GroupInfo), Member: m, Role: m.Role}}
}

// GroupChanges reports BotRoleChanged when the member is the bot, else
// MemberRoleChanged; Role is the new role.
func (e *MemberRole) GroupChanges() []bot.GroupChange {
	ch := bot.GroupChange{Kind: bot.MemberRoleChanged, Chat: groupChat(&e.GroupInfo), Member: memberSender(&e.Member),
		Role: string(e.ToRole), By: memberSender(&e.ByMember)}
	if isUserMember(&e.GroupInfo, &e.Member) {
		ch.Kind, ch.Member = bot.BotRoleChanged, bot.Sender{}
	}
	return []bot.GroupChange{ch}
}

// GroupChanges reports MemberLeft: an admin removed the member.
func (e *DeletedMember) GroupChanges() []bot.GroupChange {
	return []bot.GroupChange{{Kind: bot.MemberLeft, Chat: groupChat(&e.GroupInfo), Member: memberSender(&e.DeletedMember), By: memberSender(&e.ByMember)}}
}

// GroupChanges reports MemberLeft: the member left by themself.
func (e *LeftMember) GroupChanges() []bot.GroupChange {
	m := memberSender(&e.Member)
	return []bot.GroupChange{{Kind: bot.MemberLeft, Chat: groupChat(&e.GroupInfo), Member: m, By: m}}
}

// GroupChanges reports BotRemoved; By is the member who removed the bot.
func (e *DeletedMemberUser) GroupChanges() []bot.GroupChange {
	return []bot.GroupChange{{Kind: bot.BotRemoved, Chat: groupChat(&e.GroupInfo), By: memberSender(&e.Member)}}
}

// GroupChanges reports GroupDeleted; By is the owner who deleted it.
func (e *GroupDeleted) GroupChanges() []bot.GroupChange {
	return []bot.GroupChange{{Kind: bot.GroupDeleted, Chat: groupChat(&e.GroupInfo), By: memberSender(&e.Member)}}
}

// GroupChanges reports MemberBlocked or MemberUnblocked.
func (e *MemberBlockedForAll) GroupChanges() []bot.GroupChange {
	k := bot.MemberUnblocked
	if e.Blocked {
		k = bot.MemberBlocked
	}
	return []bot.GroupChange{{Kind: k, Chat: groupChat(&e.GroupInfo), Member: memberSender(&e.Member), By: memberSender(&e.ByMember)}}
}

// Reports returns the members' reports among the event's items, each with
// the message it reports: reports[i] is a report (Text is its reason, or
// its text when it gives none), reported[i] the message it points at
// (Sender is its author), zero when it points at no member's message.
// Reports also appear in Messages; generic code that handles reports skips
// those IDs there. Reports filed in a member-support scope count too, and
// name the group's main chat.
func (e *NewChatItems) Reports() (reports, reported []bot.Message) {
	for i := range e.ChatItems {
		a := &e.ChatItems[i]
		ci := &a.ChatItem
		g := a.ChatInfo.GroupInfo
		if a.ChatInfo.Type != ChatInfoGroup || g == nil || !ci.Content.IsMessage() ||
			ci.Content.MsgContent.Type != MsgReport || ci.ChatDir.Type != DirGroupRcv || ci.ChatDir.GroupMember == nil {
			continue
		}
		mc := ci.Content.MsgContent
		chat := groupChat(g)
		reports = append(reports, bot.Message{
			ID: strconv.FormatInt(ci.Meta.ItemID, 10), Chat: chat, Sender: memberSender(ci.ChatDir.GroupMember),
			Text: cmp.Or(mc.Reason, mc.Text), Time: ci.Meta.ItemTs,
		})
		var target bot.Message
		if q := ci.QuotedItem; q != nil && q.ItemID != 0 && q.ChatDir != nil && q.ChatDir.GroupMember != nil {
			target = bot.Message{ID: strconv.FormatInt(q.ItemID, 10), Chat: chat, Sender: memberSender(q.ChatDir.GroupMember),
				Text: q.Content.Text, Time: q.SentAt}
		}
		reported = append(reported, target)
	}
	return reports, reported
}
