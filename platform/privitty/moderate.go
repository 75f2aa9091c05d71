package privitty

import (
	"context"
	"fmt"
	"slices"
	"strconv"

	"github.com/parleybot/parley/bot"
)

// Group moderation on Delta Chat. Groups have no roles and no admins:
// every member may add and remove members, and nobody can hide a member's
// messages for everyone or change what a member may do. So the platform
// implements bot.MemberRemover (remove_contact_from_chat) and
// bot.PrivateSender, and leaves out bot.MemberBlocker and bot.RoleSetter;
// bot.Sender.Role is always empty. Member IDs are contact IDs, the same
// in groups and in one-to-one chats.

var (
	_ bot.MemberRemover = (*Platform)(nil)
	_ bot.PrivateSender = (*Platform)(nil)
)

// RemoveMember implements bot.MemberRemover with remove_contact_from_chat.
// memberID is the member's contact ID (bot.Sender.ID of their messages).
func (p *Platform) RemoveMember(ctx context.Context, chatID, memberID string) error {
	chat, err := parseID("chat", chatID)
	if err != nil {
		return err
	}
	contact, err := parseID("contact", memberID)
	if err != nil {
		return err
	}
	_, err = p.client.Call(ctx, "remove_contact_from_chat", p.client.Account(), chat, contact)
	return err
}

// SendPrivate implements bot.PrivateSender: the message goes to the
// one-to-one chat with the member, created if need be. The member must be
// in the group.
func (p *Platform) SendPrivate(ctx context.Context, chatID, memberID string, m bot.Outgoing) ([]string, error) {
	chat, err := parseID("chat", chatID)
	if err != nil {
		return nil, err
	}
	contact, err := parseID("contact", memberID)
	if err != nil {
		return nil, err
	}
	members, err := p.client.GetChatContacts(ctx, chat)
	if err != nil {
		return nil, err
	}
	if !slices.Contains(members, contact) {
		return nil, fmt.Errorf("privitty: contact %d is not a member of chat %d", contact, chat)
	}
	return p.SendDirect(ctx, memberID, m)
}

// SendDirect writes to a contact by contact ID (bot.Sender.ID of their
// messages) in the one-to-one chat with them, created if need be. Generic
// code (the moderation module) uses it to reach a group's owner.
func (p *Platform) SendDirect(ctx context.Context, contactID string, m bot.Outgoing) ([]string, error) {
	contact, err := parseID("contact", contactID)
	if err != nil {
		return nil, err
	}
	if contact <= LastSpecialID {
		return nil, fmt.Errorf("privitty: contact %d is a special contact", contact)
	}
	chat, err := p.client.CreateChatByContactID(ctx, contact)
	if err != nil {
		return nil, err
	}
	return p.Send(ctx, strconv.FormatInt(chat, 10), m)
}
