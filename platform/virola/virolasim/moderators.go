package virolasim

import "github.com/parleybot/parley/platform/virola"

// SetModerator makes a member a moderator of a room (on) or not. A room
// moderator may delete anyone's messages there; the member sees it as the
// room's isModerator and gets RoomUpdated. The protocol notes name the
// flag but no call to set it: this is scripting only.
func (s *Server) SetModerator(roomID, uid int64, on bool) error {
	s.mu.Lock()
	defer s.mu.Unlock()
	r := s.w.rooms[roomID]
	if r == nil {
		return ErrNoRoom
	}
	if !r.members[uid] {
		return ErrNoAccess
	}
	if r.moderators == nil {
		r.moderators = map[int64]bool{}
	}
	r.moderators[uid] = on
	r.LastModifiedUtc = s.w.now()
	s.broadcastLocked(virola.TypeRoomUpdated, func(int64) any { return map[string]any{"room": s.w.view(r, uid)} },
		func(u int64) bool { return u == uid })
	return nil
}

// Deleted reports whether a message or comment was deleted.
func (s *Server) Deleted(id int64) bool {
	s.mu.Lock()
	defer s.mu.Unlock()
	m := s.w.msgs[id]
	return m != nil && m.deleted
}
