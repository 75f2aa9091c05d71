package olvid

import (
	"context"

	"github.com/parleybot/parley/bot"
)

// What Olvid offers group moderation: an admin (or a member allowed to
// delete anything) deletes any message everywhere (bot.Deleter); an admin
// removes members and changes their permissions with GroupUpdate
// (bot.MemberRemover, bot.RoleSetter: an observer is a member who may not
// send); and the bot writes to a contact in their one-to-one discussion
// (bot.PrivateSender, SendDirect). Olvid has no blocking, so there is no
// bot.MemberBlocker.

// SendDirect writes to a contact (their contact ID, as bot.Sender.ID of
// what they send, in groups too) in the one-to-one discussion with them;
// it is ErrNotFound when there is none.
func (p *Platform) SendDirect(ctx context.Context, senderID string, m bot.Outgoing) ([]string, error) {
	return p.SendPrivate(ctx, "", senderID, m)
}
