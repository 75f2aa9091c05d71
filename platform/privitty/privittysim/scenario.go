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
	m := s.w.addMsg(c, &msg{fromID: contactID, text: in.Text, quoteID: in.QuoteID, file: in.File,
		fileName: in.FileName, fileSize: in.FileSize, state: state})
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
