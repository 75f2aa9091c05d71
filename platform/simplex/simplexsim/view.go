package simplexsim

import (
	"encoding/json"
	"errors"
	"fmt"
	"slices"
	"time"
)

// ErrTimeout is returned by the Wait helpers when the deadline passes.
var ErrTimeout = errors.New("simplexsim: timed out waiting")

// SentItem records one message the bot sent with /_send.
type SentItem struct {
	// ChatRef is the chat it went to as written in the command: "@5", "#3",
	// "#3(_support:7)".
	ChatRef string
	// ItemID is the chat item id the CLI assigned.
	ItemID int64
	// Text is the message text (msgContent.text).
	Text string
	// MsgType is the msgContent type ("text", "file", "image", ...).
	MsgType string
	// QuotedItemID is the replied-to item, 0 if none.
	QuotedItemID int64
	// FilePath is the attached file's path, "" if none.
	FilePath string
	// Mentions maps display names to group member ids.
	Mentions map[string]int64
	// Live and TTL echo the live=on and ttl= options.
	Live bool
	TTL  int
}

// ActionKind names a state-changing command the bot ran.
type ActionKind string

// The recorded actions.
const (
	ActionUpdate        ActionKind = "update"        // /_update item
	ActionDelete        ActionKind = "delete"        // /_delete item
	ActionModerate      ActionKind = "moderate"      // /_delete member item
	ActionBlock         ActionKind = "block"         // /_block blocked=on|off
	ActionRemove        ActionKind = "remove"        // /_remove
	ActionRole          ActionKind = "role"          // /_member role
	ActionAcceptMember  ActionKind = "acceptMember"  // /_accept member
	ActionReaction      ActionKind = "reaction"      // /_reaction
	ActionAcceptContact ActionKind = "acceptContact" // /_accept
	ActionRejectContact ActionKind = "rejectContact" // /_reject
	ActionJoin          ActionKind = "join"          // /_join
	ActionLeave         ActionKind = "leave"         // /_leave
	ActionAddMember     ActionKind = "addMember"     // /_add
	ActionReceiveFile   ActionKind = "receiveFile"   // /freceive
	ActionCancelFile    ActionKind = "cancelFile"    // /fcancel
	ActionRead          ActionKind = "read"          // /_read chat items
	ActionDeleteChat    ActionKind = "deleteChat"    // /_delete @N or #N
	ActionGroupProfile  ActionKind = "groupProfile"  // /_group_profile
)

// Action records one state-changing command the bot ran successfully.
type Action struct {
	Kind      ActionKind
	ChatRef   string  // "@5", "#3"
	ItemIDs   []int64 // items affected
	MemberIDs []int64 // group members affected
	ContactID int64   // /_accept, /_reject, /_add
	FileID    int64
	Role      string // new role (role, acceptMember, addMember)
	Blocked   bool   // block: on or off
	Mode      string // delete mode; reaction emoji; messages=on for remove
	Added     bool   // reaction on/off
	Text      string // new text for update
}

// moderation reports whether an action is a moderation of group members.
func (a Action) moderation() bool {
	switch a.Kind {
	case ActionModerate, ActionBlock, ActionRemove, ActionRole:
		return true
	}
	return false
}

// CommandRecord is one well-formed command frame, in execution order.
type CommandRecord struct {
	CorrID string
	Cmd    string
}

// ContactInfo describes a contact of the bot.
type ContactInfo struct {
	ID     int64
	Name   string
	Ready  bool   // connection ready (contactConnected happened)
	Status string // contactStatus
	Prefs  json.RawMessage
}

// MemberInfo describes a group member.
type MemberInfo struct {
	ID        int64
	GroupID   int64
	ContactID int64
	Name      string
	Role      string
	Status    string
	Blocked   bool
}

// GroupInfo describes a group and the bot's place in it.
type GroupInfo struct {
	ID        int64
	Name      string
	BotMember int64 // the bot's groupMemberId, 0 if never invited
	BotRole   string
	BotStatus string
	Members   []MemberInfo
}

// ItemInfo describes a chat item.
type ItemInfo struct {
	ID        int64
	ChatRef   string
	Sent      bool   // sent by the bot
	Content   string // CIContent tag
	Text      string
	Edited    bool
	Deleted   string // itemDeleted type, "" if not deleted
	Status    string // itemStatus type
	Reactions map[string]int
	FileID    int64
	Read      bool
}

// FileInfo describes a file transfer.
type FileInfo struct {
	ID     int64
	ItemID int64
	Name   string
	Size   int64
	Path   string
	Status string // CIFileStatus type
}

// World is a read-only view of the simulator state, valid only inside the
// callback of Sim.Wait or Sim.View.
type World struct{ s *Sim }

// Sent returns the messages the bot sent, in order.
func (v *World) Sent() []SentItem { return slices.Clone(v.s.w.sent) }

// Actions returns the state-changing commands the bot ran, in order.
func (v *World) Actions() []Action { return slices.Clone(v.s.w.actions) }

// Moderations returns the moderation actions (moderate, block, remove, role).
func (v *World) Moderations() []Action {
	var out []Action
	for _, a := range v.s.w.actions {
		if a.moderation() {
			out = append(out, a)
		}
	}
	return out
}

// Commands returns every well-formed command received, in execution order.
func (v *World) Commands() []CommandRecord { return slices.Clone(v.s.w.commands) }

// Stats returns the wire counters.
func (v *World) Stats() Stats { return v.s.stats }

// HasUser reports whether the bot user exists.
func (v *World) HasUser() bool { return v.s.w.hasUser }

// Address reports the bot address settings; ok is false if there is none.
func (v *World) Address() (autoAccept bool, autoReply string, ok bool) {
	a := v.s.w.addr
	if a == nil {
		return false, "", false
	}
	return a.settings.AutoAccept != nil, msgText(a.settings.AutoReply), true
}

// Contact returns a contact by id.
func (v *World) Contact(id int64) (ContactInfo, bool) {
	c := v.s.w.contacts[id]
	if c == nil {
		return ContactInfo{}, false
	}
	return ContactInfo{ID: c.id, Name: c.name, Ready: c.ready(), Status: c.status, Prefs: c.userPrefs}, true
}

// ContactRequest returns the state of a contact request: "pending",
// "accepted" or "rejected"; ok is false for an unknown id.
func (v *World) ContactRequest(id int64) (state string, ok bool) {
	r := v.s.w.reqs[id]
	if r == nil {
		return "", false
	}
	return r.state, true
}

// Group returns a group by id.
func (v *World) Group(id int64) (GroupInfo, bool) {
	g := v.s.w.groups[id]
	if g == nil {
		return GroupInfo{}, false
	}
	gi := GroupInfo{ID: g.id, Name: g.name}
	if g.bot != nil {
		gi.BotMember, gi.BotRole, gi.BotStatus = g.bot.id, g.bot.role, g.bot.status
	}
	for _, m := range g.members {
		gi.Members = append(gi.Members, memberInfo(m))
	}
	return gi, true
}

// Member returns a group member by group and member id.
func (v *World) Member(groupID, memberID int64) (MemberInfo, bool) {
	g := v.s.w.groups[groupID]
	if g == nil {
		return MemberInfo{}, false
	}
	if g.bot != nil && g.bot.id == memberID {
		return memberInfo(g.bot), true
	}
	m := g.member(memberID)
	if m == nil {
		return MemberInfo{}, false
	}
	return memberInfo(m), true
}

func memberInfo(m *member) MemberInfo {
	return MemberInfo{ID: m.id, GroupID: m.groupID, ContactID: m.contactID, Name: m.name, Role: m.role,
		Status: m.status, Blocked: m.blocked}
}

// Item returns a chat item by id; ok is false if it does not exist (never
// created or fully deleted).
func (v *World) Item(id int64) (ItemInfo, bool) {
	it := v.s.w.items[id]
	if it == nil {
		return ItemInfo{}, false
	}
	ii := ItemInfo{ID: it.id, ChatRef: it.chat.String(), Sent: it.snd, Content: it.ciTag, Text: it.text,
		Edited: it.edited, Status: it.status.Type, FileID: it.fileID, Read: it.read}
	if it.deleted != nil {
		ii.Deleted = it.deleted.Type
	}
	if len(it.reactions) > 0 {
		ii.Reactions = map[string]int{}
		for _, r := range it.reactions {
			ii.Reactions[r.emoji] = r.total
		}
	}
	return ii, true
}

// File returns a file transfer by id.
func (v *World) File(id int64) (FileInfo, bool) {
	f := v.s.w.files[id]
	if f == nil {
		return FileInfo{}, false
	}
	return FileInfo{ID: f.id, ItemID: f.itemID, Name: f.name, Size: f.size, Path: f.path, Status: f.status}, true
}

// View runs fn with the state locked.
func (s *Sim) View(fn func(*World)) {
	s.mu.Lock()
	defer s.mu.Unlock()
	fn(&World{s})
}

// Wait blocks until cond reports true (it is re-checked after every change
// of state), the timeout passes (ErrTimeout) or the simulator closes
// (ErrClosed). cond runs with the state locked and must not call Sim methods.
func (s *Sim) Wait(timeout time.Duration, cond func(*World) bool) error {
	t := time.NewTimer(timeout)
	defer t.Stop()
	for {
		s.mu.Lock()
		ok := cond(&World{s})
		ch := s.changed
		closed := s.closed
		s.mu.Unlock()
		if ok {
			return nil
		}
		if closed {
			return ErrClosed
		}
		select {
		case <-ch:
		case <-t.C:
			return ErrTimeout
		}
	}
}

// BotSent returns the messages the bot sent so far.
func (s *Sim) BotSent() []SentItem {
	s.mu.Lock()
	defer s.mu.Unlock()
	return slices.Clone(s.w.sent)
}

// Actions returns the state-changing commands the bot ran so far.
func (s *Sim) Actions() []Action {
	s.mu.Lock()
	defer s.mu.Unlock()
	return slices.Clone(s.w.actions)
}

// Moderations returns the moderation actions so far.
func (s *Sim) Moderations() []Action {
	var out []Action
	s.View(func(w *World) { out = w.Moderations() })
	return out
}

// WaitBotSent waits until the bot has sent at least n messages and returns
// all of them.
func (s *Sim) WaitBotSent(n int, timeout time.Duration) ([]SentItem, error) {
	var out []SentItem
	err := s.Wait(timeout, func(w *World) bool {
		if len(w.s.w.sent) >= n {
			out = w.Sent()
			return true
		}
		return false
	})
	if err != nil {
		return s.BotSent(), fmt.Errorf("waiting for %d sent messages: %w", n, err)
	}
	return out, nil
}

// WaitConnections waits until exactly n connections are open.
func (s *Sim) WaitConnections(n int, timeout time.Duration) error {
	return s.Wait(timeout, func(w *World) bool { return w.s.stats.Connections == n })
}
