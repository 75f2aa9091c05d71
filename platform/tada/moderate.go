package tada

import (
	"context"
	"fmt"
	"net/http"

	"github.com/parleybot/parley/bot"
)

// What Tada offers group moderation (tdproto's group API): deleting any
// message of a group the bot administers, listing a group's members and
// removing one (DELETE …/groups/{group}/members/{contact}). The API has
// no call to block a member or to change a member's status, so the
// Platform implements bot.Deleter, bot.MemberRemover, bot.PrivateSender
// and SendDirect, but not bot.MemberBlocker or bot.RoleSetter.

// RemoveGroupMember removes a contact from a group; the answer is the
// membership that ended.
func (c *Client) RemoveGroupMember(ctx context.Context, group, contact string) (*GroupMember, error) {
	var out GroupMember
	if err := c.callJSON(ctx, http.MethodDelete, c.teamPath("groups", group, "members", contact), nil, nil, &out); err != nil {
		return nil, err
	}
	return &out, nil
}

// RemoveMember removes a member (a contact JID) from a group chat.
func (p *Platform) RemoveMember(ctx context.Context, chatID, memberID string) error {
	if ChatTypeOf(chatID) != ChatGroup {
		return fmt.Errorf("tada: %q is not a group JID", chatID)
	}
	_, err := p.c.RemoveGroupMember(ctx, chatID, memberID)
	return err
}

// SendDirect writes to a team member in the direct chat with them. On
// Tada a person's direct chat is their contact JID, which is also their
// member ID in groups and bot.Sender.ID of what they send.
func (p *Platform) SendDirect(ctx context.Context, senderID string, m bot.Outgoing) ([]string, error) {
	if ChatTypeOf(senderID) != ChatDirect {
		return nil, fmt.Errorf("tada: %q is not a contact JID", senderID)
	}
	return p.Send(ctx, senderID, m)
}
