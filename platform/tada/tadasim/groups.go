package tadasim

import (
	"fmt"
	"maps"
	"net/http"
	"slices"

	"github.com/parleybot/parley/platform/tada"
)

// Group membership: adding members (the bot too) by a group's owner or
// admins, removing them (also over REST: DELETE
// /api/v4/teams/{team}/groups/{group}/members/{contact}, as tdproto
// documents it), and changing their status. Tada sends no event of its own
// for these: every member gets server.chat.updated with the whole chat,
// its member list and their own status; a removed member gets
// server.chat.deleted, as the chat leaves their list. The simulator picks
// these where the protocol notes are silent. Statuses are "owner" (the
// creator, given with NewGroup), "admin" and "member".

// mayManage reports whether by may add or remove members of g: its owner
// and admins may.
func mayManage(g *Group, by string) bool {
	st := g.Members[by]
	return st == tada.StatusOwner || st == tada.StatusAdmin
}

// mayRemove reports whether by may remove jid from g: admins remove
// members, the owner removes admins too, and nobody removes the owner.
func mayRemove(g *Group, by, jid string) bool {
	switch g.Members[jid] {
	case tada.StatusOwner:
		return false
	case tada.StatusAdmin:
		return g.Members[by] == tada.StatusOwner || by == jid
	}
	return mayManage(g, by) || by == jid
}

// groupView is a group as viewer sees it: their own status and whom they
// may remove.
func (w *world) groupView(g *Group, viewer string) tada.Chat {
	c := w.groupChat(g)
	c.Status = g.Members[viewer]
	for i := range c.Members {
		c.Members[i].CanRemove = c.Members[i].JID != viewer && mayRemove(g, viewer, c.Members[i].JID)
	}
	return c
}

// groupChangedLocked tells every member of g with server.chat.updated.
func (s *Server) groupChangedLocked(g *Group) {
	for _, jid := range slices.Sorted(maps.Keys(g.Members)) {
		var ev tada.ChatUpdated
		ev.Chats = []tada.Chat{s.w.groupView(g, jid)}
		s.send([]string{jid}, tada.EventChatUpdated, ev, false)
	}
}

func (s *Server) groupLocked(jid string) (*Group, error) {
	g, ok := s.w.groups[jid]
	if !ok {
		return nil, fmt.Errorf("%w: group %s", ErrNotFound, jid)
	}
	return g, nil
}

// AddToGroup makes by, an owner or admin of group, add the user jid (the
// bot too: sim.Bot().JID) with status "member" or "admin".
func (s *Server) AddToGroup(group, by, jid, status string) error {
	s.mu.Lock()
	defer s.mu.Unlock()
	g, err := s.groupLocked(group)
	if err != nil {
		return err
	}
	if _, ok := s.w.users[jid]; !ok {
		return fmt.Errorf("%w: user %s", ErrNotFound, jid)
	}
	switch {
	case !mayManage(g, by):
		return fmt.Errorf("%w: %s may not add members to %s", errAccess, by, group)
	case status != tada.StatusMember && status != tada.StatusAdmin:
		return fmt.Errorf("%w: status %q: want member or admin", errInvalid, status)
	}
	if _, ok := g.Members[jid]; ok {
		return fmt.Errorf("%w: %s is a member of %s already", errInvalid, jid, group)
	}
	g.Members[jid] = status
	s.groupChangedLocked(g)
	return nil
}

// RemoveFromGroup makes by remove jid from group (or leave it, when by
// is jid), as the REST call does.
func (s *Server) RemoveFromGroup(group, by, jid string) error {
	s.mu.Lock()
	defer s.mu.Unlock()
	_, err := s.removeMemberLocked(group, by, jid)
	return err
}

func (s *Server) removeMemberLocked(group, by, jid string) (tada.GroupMember, error) {
	g, err := s.groupLocked(group)
	if err != nil {
		return tada.GroupMember{}, err
	}
	if _, ok := g.Members[by]; !ok {
		return tada.GroupMember{}, fmt.Errorf("%w: %s is not a member of %s", errAccess, by, group)
	}
	st, ok := g.Members[jid]
	if !ok {
		return tada.GroupMember{}, fmt.Errorf("%w: %s is not a member of %s", ErrNotFound, jid, group)
	}
	if !mayRemove(g, by, jid) {
		return tada.GroupMember{}, fmt.Errorf("%w: %s may not remove %s from %s", errAccess, by, jid, group)
	}
	delete(g.Members, jid)
	var ev tada.ChatDeleted
	ev.Chats = []tada.Chat{{JID: g.JID, ChatType: tada.ChatGroup, DisplayName: g.Name, Gentime: s.w.nextGentime()}}
	s.send([]string{jid}, tada.EventChatDeleted, ev, false)
	s.groupChangedLocked(g)
	return tada.GroupMember{JID: jid, Status: st}, nil
}

// SetGroupStatus makes by, the group's owner, change jid's status to
// "member" or "admin".
func (s *Server) SetGroupStatus(group, by, jid, status string) error {
	s.mu.Lock()
	defer s.mu.Unlock()
	g, err := s.groupLocked(group)
	if err != nil {
		return err
	}
	switch st, ok := g.Members[jid]; {
	case g.Members[by] != tada.StatusOwner:
		return fmt.Errorf("%w: only the owner of %s changes statuses", errAccess, group)
	case !ok:
		return fmt.Errorf("%w: %s is not a member of %s", ErrNotFound, jid, group)
	case st == tada.StatusOwner || (status != tada.StatusMember && status != tada.StatusAdmin):
		return fmt.Errorf("%w: cannot make %s %q", errInvalid, jid, status)
	}
	g.Members[jid] = status
	s.groupChangedLocked(g)
	return nil
}

// Members returns a group's members and their status.
func (s *Server) Members(group string) (map[string]string, error) {
	s.mu.Lock()
	defer s.mu.Unlock()
	g, err := s.groupLocked(group)
	if err != nil {
		return nil, err
	}
	return maps.Clone(g.Members), nil
}

// deleteMember is DELETE /api/v4/teams/{team}/groups/{chat}/members/{contact}.
func (s *Server) deleteMember(_ http.ResponseWriter, r *http.Request, u *User) (any, error) {
	s.mu.Lock()
	defer s.mu.Unlock()
	return s.removeMemberLocked(r.PathValue("chat"), u.JID, r.PathValue("contact"))
}
