package virola

import (
	"context"
	"errors"
	"fmt"
	"strconv"

	"github.com/parleybot/parley/bot"
)

// What Virola offers group moderation: deleting a message (the bot's
// account must moderate the room or administer the server). Its Web API
// has no call to remove a member from a room, to block one or to change
// anyone's permissions (room-permissions only reads the bot's own), so
// the Platform implements bot.Deleter and SendDirect, and nothing else a
// moderator would use.

// ErrNoPrivateRoom is returned by SendDirect when the bot shares no
// private room with the user; the Web API cannot open one.
var ErrNoPrivateRoom = errors.New("virola: no private room with the user")

// SendDirect writes to a user (their user ID, as bot.Sender.ID of what
// they send) in the private room the bot shares with them. A private room
// is named after the other user, so it is found by that user's display
// name; without one, or with two users of that name, it is
// ErrNoPrivateRoom.
func (p *Platform) SendDirect(ctx context.Context, senderID string, m bot.Outgoing) ([]string, error) {
	uid, err := strconv.ParseInt(senderID, 10, 64)
	if err != nil || uid <= 0 {
		return nil, fmt.Errorf("virola: user id %q: want a number", senderID)
	}
	room, err := p.privateRoom(ctx, uid)
	if err != nil {
		return nil, err
	}
	m.ReplyTo = "" // a quoted message is in another room
	return p.Send(ctx, itoa(room), m)
}

// privateRoom finds the private room shared with a user, listing the
// rooms once when the cached ones have none.
func (p *Platform) privateRoom(ctx context.Context, uid int64) (int64, error) {
	u := p.user(ctx, uid)
	if u == nil {
		return 0, fmt.Errorf("virola: user %d is not among the users", uid)
	}
	find := func() (int64, error) {
		p.mu.Lock()
		defer p.mu.Unlock()
		for _, other := range p.users {
			if other.UserID != uid && other.DisplayName == u.DisplayName {
				return 0, fmt.Errorf("virola: user %d shares a display name: %w", uid, ErrNoPrivateRoom)
			}
		}
		var found int64
		for id, r := range p.rooms {
			if r.RoomType == RoomPrivate && r.DisplayName == u.DisplayName {
				if found != 0 {
					return 0, fmt.Errorf("virola: two private rooms named after user %d: %w", uid, ErrNoPrivateRoom)
				}
				found = id
			}
		}
		if found == 0 {
			return 0, fmt.Errorf("virola: user %d: %w", uid, ErrNoPrivateRoom)
		}
		return found, nil
	}
	if id, err := find(); err == nil {
		return id, nil
	}
	if _, err := p.listRooms(ctx); err != nil {
		return 0, err
	}
	return find()
}
