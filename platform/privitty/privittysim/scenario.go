package privittysim

import (
	"fmt"
	"slices"
)

// Contact is a contact connected by ConnectContact.
type Contact struct {
	ID     int64
	ChatID int64 // the 1:1 chat with the bot
	// RequestMsgID is the id of the message that came with a contact
	// request, or 0.
	RequestMsgID int64
}

// RequestText is the text of the message a contact request comes with.
const RequestText = "Hello! I would like to talk."

// ConnectContact adds a contact with a 1:1 chat with the bot. Without
// request the chat is accepted, as after a secure join through the bot's
// invite (SecurejoinInviterProgress 1000 is emitted). With request the
// contact writes first (RequestText) into a contact-request chat, which
// the bot must accept.
func (s *Sim) ConnectContact(name string, request bool) (Contact, error) {
	if name == "" {
		return Contact{}, fmt.Errorf("privittysim: empty contact name")
	}
	s.mu.Lock()
	ct := s.w.addContact(name)
	c := s.w.addChat(name, false, ct.id)
	out := Contact{ID: ct.id, ChatID: c.id}
	var evs []map[string]any
	if request {
		c.request = true
		m := s.w.addMsg(c, &msg{fromID: ct.id, text: RequestText, state: stateFresh})
		out.RequestMsgID = m.id
		evs = append(evs, incoming(c.id, m.id))
	} else {
		evs = append(evs,
			map[string]any{"type": "ContactsChanged", "account_id": 1, "contact_id": ct.id},
			map[string]any{"type": "SecurejoinInviterProgress", "account_id": 1, "contact_id": ct.id, "chat_id": c.id, "chat_type": "Single", "progress": 1000})
	}
	s.notifyLocked()
	s.mu.Unlock()
	for _, ev := range evs {
		s.emit(ev)
	}
	return out, nil
}

func incoming(chatID, msgID int64) map[string]any {
	return map[string]any{"type": "IncomingMsg", "account_id": 1, "chat_id": chatID, "msg_id": msgID}
}

// Msg is a message a contact or member sends.
type Msg struct {
	Text string
	// QuoteID quotes an earlier message.
	QuoteID int64
	// File is a path on the daemon's host; FileName and FileSize describe it.
	File     string
	FileName string
	FileSize int64
	// Seen stores the message as already seen (state InSeen), as when
	// another device of the account read it.
	Seen bool
	// Silent stores the message without emitting IncomingMsg, as when it
	// arrived while no stream was open.
	Silent bool
}

// ContactSend makes the contact of 1:1 chat chatID send text and returns
// the message id.
func (s *Sim) ContactSend(chatID int64, text string) (int64, error) {
	return s.ContactSendMsg(chatID, Msg{Text: text})
}

// ContactSendMsg makes the contact of 1:1 chat chatID send m.
func (s *Sim) ContactSendMsg(chatID int64, m Msg) (int64, error) {
	s.mu.Lock()
	c := s.w.chats[chatID]
	if c == nil || c.group || len(c.members) != 1 {
		s.mu.Unlock()
		return 0, fmt.Errorf("privittysim: no 1:1 chat %d", chatID)
	}
	s.mu.Unlock()
	return s.memberSend(chatID, c.members[0], m)
}

// NewGroup makes a group with the bot and new contacts named members; it
// returns the chat id and the members' contact ids. An info message
// ("member added") is stored, as the core does; ChatModified is emitted.
func (s *Sim) NewGroup(name string, members ...string) (int64, []int64, error) {
	if len(members) == 0 {
		return 0, nil, fmt.Errorf("privittysim: a group needs a member besides the bot")
	}
	s.mu.Lock()
	var ids []int64
	for _, n := range members {
		ids = append(ids, s.w.addContact(n).id)
	}
	c := s.w.addChat(name, true, ids...)
	s.w.addMsg(c, &msg{fromID: infoID, text: "Member Me added by " + members[0] + ".", info: true, state: stateSeen})
	s.notifyLocked()
	s.mu.Unlock()
	s.emit(map[string]any{"type": "ChatModified", "account_id": 1, "chat_id": c.id})
	return c.id, ids, nil
}

// MemberSend makes member contactID of group chatID send text.
func (s *Sim) MemberSend(chatID, contactID int64, text string) (int64, error) {
	return s.memberSend(chatID, contactID, Msg{Text: text})
}

// MemberSendMsg makes member contactID of group chatID send m.
func (s *Sim) MemberSendMsg(chatID, contactID int64, m Msg) (int64, error) {
	return s.memberSend(chatID, contactID, m)
}

func (s *Sim) memberSend(chatID, contactID int64, in Msg) (int64, error) {
	s.mu.Lock()
	c := s.w.chats[chatID]
	switch {
	case c == nil:
		s.mu.Unlock()
		return 0, fmt.Errorf("privittysim: no chat %d", chatID)
	case !slices.Contains(c.members, contactID):
		s.mu.Unlock()
		return 0, fmt.Errorf("privittysim: contact %d is not in chat %d", contactID, chatID)
	case c.blocked:
		s.mu.Unlock()
		return 0, fmt.Errorf("privittysim: chat %d is blocked", chatID)
	}
	state := stateFresh
	if in.Seen {
		state = stateSeen
	}
	m := &msg{fromID: contactID, text: in.Text, quoteID: in.QuoteID, file: in.File,
		fileName: in.FileName, fileSize: in.FileSize, state: state}
	if s.w.conf["bot"] != "1" {
		// A person's account gets long texts cut; bots get them whole.
		if short, ok := cut(in.Text); ok {
			m.text, m.full = short, in.Text
		}
	}
	s.w.addMsg(c, m)
	s.notifyLocked()
	s.mu.Unlock()
	if !in.Silent {
		s.emit(incoming(chatID, m.id))
	}
	return m.id, nil
}

// ChatInfo is a chat as the simulator holds it.
type ChatInfo struct {
	ID       int64
	Name     string
	Group    bool
	Members  []int64
	Request  bool
	Blocked  bool
	Archived bool
	MsgIDs   []int64
}

// Chat returns chat id.
func (s *Sim) Chat(id int64) (ChatInfo, bool) {
	s.mu.Lock()
	defer s.mu.Unlock()
	c := s.w.chats[id]
	if c == nil {
		return ChatInfo{}, false
	}
	return ChatInfo{ID: c.id, Name: c.name, Group: c.group, Members: slices.Clone(c.members), Request: c.request,
		Blocked: c.blocked, Archived: c.archived, MsgIDs: slices.Clone(c.msgs)}, true
}

// SetArchived archives or unarchives a chat.
func (s *Sim) SetArchived(chatID int64, on bool) error {
	s.mu.Lock()
	defer s.mu.Unlock()
	c := s.w.chats[chatID]
	if c == nil {
		return fmt.Errorf("privittysim: no chat %d", chatID)
	}
	c.archived = on
	s.notifyLocked()
	return nil
}

// MsgState returns the state of message id (10 fresh, 16 seen, 26 sent).
func (s *Sim) MsgState(id int64) (int, bool) {
	s.mu.Lock()
	defer s.mu.Unlock()
	m := s.w.msgs[id]
	if m == nil {
		return 0, false
	}
	return m.state, true
}

// Invitation is a group an unknown contact made with the bot, as
// GroupRequest returns it.
type Invitation struct {
	ChatID    int64
	InviterID int64
	// MemberIDs are the other members, the inviter not included.
	MemberIDs []int64
	// MsgID is the inviter's first message.
	MsgID int64
}

// GroupRequest makes a contact the bot does not know create a group with
// the bot and new contacts named members, and write text into it. As in
// the core, the group is a contact request (isContactRequest, chatType
// Group) until the bot accepts it; IncomingMsg is emitted.
func (s *Sim) GroupRequest(name, inviter, text string, members ...string) (Invitation, error) {
	if inviter == "" || text == "" {
		return Invitation{}, fmt.Errorf("privittysim: a group request needs an inviter and a text")
	}
	s.mu.Lock()
	by := s.w.addContact(inviter)
	ids := []int64{by.id}
	for _, n := range members {
		ids = append(ids, s.w.addContact(n).id)
	}
	c := s.w.addChat(name, true, slices.Clone(ids)...)
	c.request = true
	m := s.w.addMsg(c, &msg{fromID: by.id, text: text, state: stateFresh})
	s.notifyLocked()
	s.mu.Unlock()
	s.emit(incoming(c.id, m.id))
	return Invitation{ChatID: c.id, InviterID: by.id, MemberIDs: ids[1:], MsgID: m.id}, nil
}

// Edit makes the author of message msgID, a contact, change its text, as
// a Delta Chat edit request does: the message is updated in place
// (isEdited) and MsgsChanged is emitted.
func (s *Sim) Edit(msgID int64, text string) error {
	s.mu.Lock()
	m := s.w.msgs[msgID]
	if m == nil || m.fromID == selfID || m.info {
		s.mu.Unlock()
		return fmt.Errorf("privittysim: no contact's message %d", msgID)
	}
	m.text, m.edited = text, true
	s.notifyLocked()
	s.mu.Unlock()
	s.emit(map[string]any{"type": "MsgsChanged", "account_id": 1, "chat_id": m.chatID, "msg_id": m.id})
	return nil
}

// React makes contact contactID react to message msgID with emoji (none
// removes the reaction). ReactionsChanged is emitted, and before it
// IncomingReaction when the message is the bot's own, as the core does.
func (s *Sim) React(msgID, contactID int64, emoji string) error {
	s.mu.Lock()
	m := s.w.msgs[msgID]
	if m == nil || s.w.contacts[contactID] == nil {
		s.mu.Unlock()
		return fmt.Errorf("privittysim: no message %d or contact %d", msgID, contactID)
	}
	if m.react == nil {
		m.react = map[int64][]string{}
	}
	if emoji == "" {
		delete(m.react, contactID)
	} else {
		m.react[contactID] = []string{emoji}
	}
	s.notifyLocked()
	s.mu.Unlock()
	if m.fromID == selfID && emoji != "" {
		s.emit(map[string]any{"type": "IncomingReaction", "account_id": 1, "chat_id": m.chatID, "contact_id": contactID,
			"msg_id": m.id, "reaction": emoji})
	}
	s.emit(map[string]any{"type": "ReactionsChanged", "account_id": 1, "chat_id": m.chatID, "msg_id": m.id, "contact_id": contactID})
	return nil
}

// Delete makes message msgID disappear, as when its author deletes it for
// everyone: MsgDeleted is emitted.
func (s *Sim) Delete(msgID int64) error {
	s.mu.Lock()
	m := s.w.msgs[msgID]
	if m == nil {
		s.mu.Unlock()
		return fmt.Errorf("privittysim: no message %d", msgID)
	}
	delete(s.w.msgs, msgID)
	if c := s.w.chats[m.chatID]; c != nil {
		c.msgs = slices.DeleteFunc(c.msgs, func(x int64) bool { return x == msgID })
	}
	s.notifyLocked()
	s.mu.Unlock()
	s.emit(map[string]any{"type": "MsgDeleted", "account_id": 1, "chat_id": m.chatID, "msg_id": msgID})
	return nil
}

// Recreate replaces the account's database with an empty one, as when the
// account is deleted and added again with the same address: contacts,
// chats and messages are gone, ids start again at 10, the account gets a
// new key (get_info's fingerprint), and the daemon restarts, so every
// stream is closed. Config keys go back to their start values.
func (s *Sim) Recreate() {
	s.mu.Lock()
	s.incarnation++
	s.w = newWorld(&s.cfg, s.incarnation)
	for sub := range s.subs {
		sub.close()
	}
	s.notifyLocked()
	s.mu.Unlock()
}
