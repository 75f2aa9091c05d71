package virola

import (
	"cmp"
	"context"

	"go.uber.org/zap"

	"github.com/parleybot/parley/bot"
)

// The bot's place in a public room, in the role names bot.Sender.Role
// uses. Virola has no room roles for others to see: a room tells the bot
// only whether it moderates it (isModerator), and a server administrator
// (isAdmin) may delete any message.
const (
	RoleAdmin     = "admin"
	RoleModerator = "moderator"
	RoleMember    = "member"
)

// TypeRoomRoleChanged is the Type of RoomRoleChanged; it is not a wire
// name.
const TypeRoomRoleChanged = "room.role_changed"

// RoomRoleChanged is the bot's role in a public room changing, as the
// Platform sees it from RoomUpdated (isModerator turned on or off).
type RoomRoleChanged struct {
	Room Room
	// Role is the bot's new role, Before its old one.
	Role, Before string
}

// Type returns "room.role_changed".
func (*RoomRoleChanged) Type() string { return TypeRoomRoleChanged }

// ChatKey is the room's key.
func (e *RoomRoleChanged) ChatKey() string { return ChatKey(e.Room.RoomID) }

// GroupChanges reports the bot's new role.
func (e *RoomRoleChanged) GroupChanges() []bot.GroupChange {
	return []bot.GroupChange{{Kind: bot.BotRoleChanged, Chat: roomChat(&e.Room), Role: e.Role}}
}

// botRoleLocked is the bot's role in a room: admin when its account is a
// server administrator, moderator where it moderates the room, member
// otherwise. Call with p.mu held.
func (p *Platform) botRoleLocked(r *Room) string {
	if u, ok := p.users[p.client.Self()]; ok && u.IsAdmin {
		return RoleAdmin
	}
	if r.IsModerator {
		return RoleModerator
	}
	return RoleMember
}

// describeRoom fills in who owns a public room the bot was given and the
// bot's role there. Virola does not say who added the bot: the owner is
// the server's administrator, when there is exactly one besides the bot.
func (p *Platform) describeRoom(ctx context.Context, e *RoomCreated) {
	us, err := p.client.ListUsers(ctx)
	if err != nil {
		p.log.Info("virola: listing users failed; the room's owner is unknown", zap.Error(err))
	}
	self := p.client.Self()
	var owner *User
	admins := 0
	p.mu.Lock()
	defer p.mu.Unlock()
	for i := range us {
		p.users[us[i].UserID] = us[i]
		if us[i].IsAdmin && us[i].UserID != self && (us[i].Status == "" || us[i].Status == "Active") {
			admins++
			owner = &us[i]
		}
	}
	if admins == 1 {
		e.Owner = owner
	}
	e.BotRole = p.botRoleLocked(&e.Room)
}

// roomUpdated keeps the room and emits a RoomRoleChanged when the bot's
// role there changed.
func (p *Platform) roomUpdated(r Room, emit func(bot.Event) error) error {
	p.mu.Lock()
	old, known := p.rooms[r.RoomID]
	p.rooms[r.RoomID] = r
	before, now := p.botRoleLocked(&old), p.botRoleLocked(&r)
	p.mu.Unlock()
	if !known || before == now || r.RoomType == RoomPrivate {
		return nil
	}
	return emit(&RoomRoleChanged{Room: r, Role: now, Before: before})
}

// ownerSender is the sender of a RoomCreated's owner; zero when unknown.
func ownerSender(u *User) bot.Sender {
	if u == nil {
		return bot.Sender{}
	}
	return bot.Sender{ID: itoa(u.UserID), Name: cmp.Or(u.DisplayName, u.UserName)}
}
