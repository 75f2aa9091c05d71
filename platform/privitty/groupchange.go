package privitty

import (
	"strconv"

	"github.com/parleybot/parley/bot"
)

// Membership changes. Delta Chat has no membership events: a member added
// or removed shows as an info message in the group (isInfo, with
// systemMessageType MemberAddedToGroup or MemberRemovedFromGroup, fromId
// who made the change and infoContactId who it is about; the bot is
// ContactSelf), and the core emits IncomingMsg for it when it came from
// another member. NewMembersChanged turns such a message into an event
// with the bot.GroupChanger facet.

// TypeMembersChanged names the event made of a membership info message;
// it is not a wire type.
const TypeMembersChanged = "MembersChanged"

// System message types of membership info messages.
const (
	SystemMemberAdded   = "MemberAddedToGroup"
	SystemMemberRemoved = "MemberRemovedFromGroup"
)

// MembersChanged is a group membership change: a member (or the bot)
// added or removed. It implements bot.GroupChanger; it carries no
// messages.
type MembersChanged struct {
	AccountID int64
	ChatID    int64
	// Msg is the info message that tells of the change.
	Msg *Message
	// Chat is the group.
	Chat     bot.Chat
	Replayed bool
	changes  []bot.GroupChange
	gen      int64
}

var _ bot.GroupChanger = (*MembersChanged)(nil)

// NewMembersChanged returns the event for info message m of group chat,
// or nil when m is not a membership change.
func NewMembersChanged(account int64, m *Message, chat bot.Chat) *MembersChanged {
	if m == nil || !m.IsInfo || chat.Kind != bot.Group || m.InfoContactID <= 0 {
		return nil
	}
	added := false
	switch m.SystemMessageType {
	case SystemMemberAdded:
		added = true
	case SystemMemberRemoved:
	default:
		return nil
	}
	var by bot.Sender
	if m.FromID > LastSpecialID {
		by = Normalize(m, chat).Sender
	}
	ch := bot.GroupChange{Chat: chat, By: by}
	switch {
	case m.InfoContactID == ContactSelf && added:
		ch.Kind = bot.BotJoined
	case m.InfoContactID == ContactSelf:
		ch.Kind = bot.BotRemoved
	default:
		ch.Member = bot.Sender{ID: strconv.FormatInt(m.InfoContactID, 10)}
		if m.InfoContactID == m.FromID {
			ch.Member = by
		}
		ch.Kind = bot.MemberLeft
		if added {
			ch.Kind = bot.MemberJoined
		}
	}
	return &MembersChanged{AccountID: account, ChatID: m.ChatID, Msg: m, Chat: chat, changes: []bot.GroupChange{ch}}
}

// Type returns "MembersChanged".
func (e *MembersChanged) Type() string { return TypeMembersChanged }

// ChatKey is the group's key, so the change is handled in order with the
// group's messages.
func (e *MembersChanged) ChatKey() string { return chatKey(e.AccountID, e.ChatID) }

// DedupeKey is "privitty:<account>:<msg>".
func (e *MembersChanged) DedupeKey() string { return msgKey(e.AccountID, e.gen, "", e.Msg.ID) }

// GroupChanges returns the change: BotJoined or BotRemoved when it is
// about the bot, else MemberJoined or MemberLeft (a member who removed
// themself left). By is who made it; roles are always empty.
func (e *MembersChanged) GroupChanges() []bot.GroupChange { return e.changes }
