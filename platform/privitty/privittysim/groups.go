package privittysim

import (
	"fmt"
	"slices"
)

// Self is the bot's own contact id (Delta Chat's special id 1): the
// infoContactId of the messages saying the bot was added or removed.
const Self = selfID

// System message types of membership info messages.
const (
	sysMemberAdded   = "MemberAddedToGroup"
	sysMemberRemoved = "MemberRemovedFromGroup"
)

// memberInfoLocked stores the info message of a membership change in c,
// made by contact by (Self for the bot) about contact subject, and returns
// the events the core emits for it: IncomingMsg for another member's
// message (it is incoming and fresh), then ChatModified.
func (s *Sim) memberInfoLocked(c *chat, by, subject int64, sys string) []map[string]any {
	verb := "added"
	if sys == sysMemberRemoved {
		verb = "removed"
	}
	text := fmt.Sprintf("Member %s %s by %s.", s.w.name(subject), verb, s.w.name(by))
	if sys == sysMemberRemoved && by == subject {
		text = fmt.Sprintf("Group left by %s.", s.w.name(by))
	}
	m := &msg{fromID: by, text: text, info: true, sysType: sys, infoContact: subject, state: stateFresh}
	if by == selfID {
		m.state = stateOut
	}
	s.w.addMsg(c, m)
	var evs []map[string]any
	if by != selfID {
		evs = append(evs, incoming(c.id, m.id))
	}
	return append(evs, map[string]any{"type": "ChatModified", "account_id": 1, "chat_id": c.id})
}

// AddedToGroup makes contact by (connected to the bot) create a group with
// new contacts named members and add the bot to it, as Delta Chat does:
// no invitation, just a "member added" info message from by, whose
// infoContactId is Self. It returns the chat id and the new members'
// contact ids.
func (s *Sim) AddedToGroup(name string, by int64, members ...string) (int64, []int64, error) {
	s.mu.Lock()
	if s.w.contacts[by] == nil {
		s.mu.Unlock()
		return 0, nil, fmt.Errorf("privittysim: no contact %d", by)
	}
	ids := []int64{by}
	for _, n := range members {
		ids = append(ids, s.w.addContact(n).id)
	}
	c := s.w.addChat(name, true, slices.Clone(ids)...)
	evs := s.memberInfoLocked(c, by, selfID, sysMemberAdded)
	s.notifyLocked()
	s.mu.Unlock()
	for _, ev := range evs {
		s.emit(ev)
	}
	return c.id, ids[1:], nil
}

// AddMember makes member by of group chatID add a new contact named name;
// it returns the new contact's id.
func (s *Sim) AddMember(chatID, by int64, name string) (int64, error) {
	s.mu.Lock()
	c, err := s.groupWith(chatID, by)
	if err != nil {
		s.mu.Unlock()
		return 0, err
	}
	ct := s.w.addContact(name)
	c.members = append(c.members, ct.id)
	evs := s.memberInfoLocked(c, by, ct.id, sysMemberAdded)
	s.notifyLocked()
	s.mu.Unlock()
	for _, ev := range evs {
		s.emit(ev)
	}
	return ct.id, nil
}

// RemoveMember makes member by of group chatID remove contact (Self for
// the bot, by itself to leave).
func (s *Sim) RemoveMember(chatID, by, contact int64) error {
	s.mu.Lock()
	c, err := s.groupWith(chatID, by)
	if err == nil && contact != selfID && !slices.Contains(c.members, contact) {
		err = fmt.Errorf("privittysim: contact %d is not in chat %d", contact, chatID)
	}
	if err != nil {
		s.mu.Unlock()
		return err
	}
	evs := s.memberInfoLocked(c, by, contact, sysMemberRemoved)
	if contact == selfID {
		c.selfGone = true
	} else {
		// A copy: callers may hold the slice the chat was made from.
		c.members = slices.DeleteFunc(slices.Clone(c.members), func(x int64) bool { return x == contact })
	}
	s.notifyLocked()
	s.mu.Unlock()
	for _, ev := range evs {
		s.emit(ev)
	}
	return nil
}

// groupWith returns group chatID if by is one of its members.
func (s *Sim) groupWith(chatID, by int64) (*chat, error) {
	c := s.w.chats[chatID]
	switch {
	case c == nil || !c.group:
		return nil, fmt.Errorf("privittysim: no group %d", chatID)
	case !slices.Contains(c.members, by):
		return nil, fmt.Errorf("privittysim: contact %d is not in group %d", by, chatID)
	}
	return c, nil
}

// RenameGroup makes member by of group chatID rename it: the core stores
// an info message (systemMessageType GroupNameChanged) from by, emits
// IncomingMsg for it, then ChatModified. It returns the info message's id.
func (s *Sim) RenameGroup(chatID, by int64, name string) (int64, error) {
	s.mu.Lock()
	c, err := s.groupWith(chatID, by)
	if err != nil {
		s.mu.Unlock()
		return 0, err
	}
	text := fmt.Sprintf("Group name changed from %q to %q by %s.", c.name, name, s.w.name(by))
	c.name = name
	m := s.w.addMsg(c, &msg{fromID: by, text: text, info: true, sysType: "GroupNameChanged", state: stateFresh})
	s.notifyLocked()
	s.mu.Unlock()
	s.emit(incoming(c.id, m.id))
	s.emit(map[string]any{"type": "ChatModified", "account_id": 1, "chat_id": c.id})
	return m.id, nil
}
