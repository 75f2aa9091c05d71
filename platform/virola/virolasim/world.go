package virolasim

import (
	"crypto/rand"
	"encoding/hex"
	"errors"
	"fmt"
	"slices"

	"github.com/parleybot/parley/platform/virola"
)

// Errors of the scripting API.
var (
	ErrNoUser    = errors.New("virolasim: no such user")
	ErrNoRoom    = errors.New("virolasim: no such room")
	ErrNoMessage = errors.New("virolasim: no such message")
	ErrNoAccess  = errors.New("virolasim: user has no access to the room")
	ErrForbidden = errors.New("virolasim: not permitted")
)

type user struct {
	virola.User
	password string
	token    string
}

type room struct {
	virola.Room
	members map[int64]bool
	// perms overrides the permissions of a member; others have all.
	perms map[int64]virola.Permissions
	// moderators may delete anyone's messages (moderators.go).
	moderators map[int64]bool
	main       []int64 // main-thread message ids, ascending
}

type message struct {
	virola.Message
	comments []int64 // comment ids, ascending
	deleted  bool
}

// world is the simulated server state; every method runs with Server.mu
// held.
type world struct {
	users       map[int64]*user
	rooms       map[int64]*room
	msgs        map[int64]*message
	attachments map[int64]*attachment
	nextUser    int64
	nextRoom    int64
	nextMsg     int64
	nextAtt     int64
	clock       int64 // unix ms, grows by one per change so order is visible
}

type attachment struct {
	virola.Attachment
	data []byte
}

func newWorld(start int64) *world {
	return &world{
		users: map[int64]*user{}, rooms: map[int64]*room{}, msgs: map[int64]*message{},
		attachments: map[int64]*attachment{},
		nextUser:    1, nextRoom: 2, nextMsg: 2000100, nextAtt: 1, clock: start,
	}
}

func (w *world) now() int64 { w.clock++; return w.clock }

func randomHex(n int) string {
	b := make([]byte, n)
	_, _ = rand.Read(b)
	return hex.EncodeToString(b)
}

func (w *world) addUser(name, display, password string) *user {
	for _, u := range w.users {
		if u.UserName == name {
			return u
		}
	}
	t := w.now()
	u := &user{User: virola.User{UserID: w.nextUser, UserName: name, DisplayName: display, Status: "Active",
		CreatedUtc: t, LastModifiedUtc: t}, password: password, token: randomHex(16)}
	w.nextUser++
	w.users[u.UserID] = u
	return u
}

func (w *world) userByName(name string) *user {
	for _, u := range w.users {
		if u.UserName == name {
			return u
		}
	}
	return nil
}

func (w *world) newRoom(kind, name string, members ...int64) (*room, error) {
	for _, m := range members {
		if w.users[m] == nil {
			return nil, fmt.Errorf("%w: %d", ErrNoUser, m)
		}
	}
	t := w.now()
	r := &room{Room: virola.Room{RoomID: w.nextRoom, DisplayName: name, RoomType: kind, CreatedUtc: t, LastModifiedUtc: t},
		members: map[int64]bool{}, perms: map[int64]virola.Permissions{}}
	w.nextRoom++
	for _, m := range members {
		r.members[m] = true
	}
	w.rooms[r.RoomID] = r
	return r, nil
}

// view returns the room as user uid sees it: a private room is named
// after the other member, and the unread count is the user's.
func (w *world) view(r *room, uid int64) virola.Room {
	v := r.Room
	v.IsModerator = r.moderators[uid]
	if r.RoomType == virola.RoomPrivate {
		for m := range r.members {
			if m != uid && w.users[m] != nil {
				v.DisplayName = w.users[m].DisplayName
			}
		}
	}
	if n := len(r.main); n > 0 {
		last := w.msgs[r.main[n-1]]
		v.LastMessage = &virola.LastMessage{MessageID: last.MessageID, UserID: last.UserID, CreatedUtc: last.CreatedUtc}
	}
	for _, id := range r.main {
		m := w.msgs[id]
		if m.UserID != uid && !readBy(&m.Message, uid) {
			v.UnreadMessageCount++
		}
	}
	return v
}

func readBy(m *virola.Message, uid int64) bool {
	for _, rt := range m.ReadTimestamps {
		if rt.UserID == uid {
			return true
		}
	}
	return false
}

func allPermissions() virola.Permissions {
	return virola.Permissions{
		CanSendMessagesInMainThread: true, CanSendMessagesInDiscussion: true,
		CanEditOrDeleteOwnMessagesInMainThread: true, CanEditOrDeleteOwnMessagesInDiscussion: true,
		CanReactToMessagesWithEmojiInMainThread: true, CanReactToMessagesWithEmojiInDiscussion: true,
		CanAttachOrDeleteFilesInOwnMessagesInMainThread: true, CanAttachOrDeleteFilesInOwnMessagesInDiscussion: true,
		CanSendFilesIntoRoomInMainThread: true, CanSendFilesIntoRoomInDiscussion: true,
		CanCreateIssues: true, CanCreateMeetings: true, UICanSeeRoomSidebar: true,
		UICanSeeWhoReadMessageInMainThread: true, UICanSeeWhoReadMessageInDiscussion: true,
	}
}

func (w *world) permissions(r *room, uid int64) virola.Permissions {
	if p, ok := r.perms[uid]; ok {
		return p
	}
	return allPermissions()
}

// access returns the room if uid is a member.
func (w *world) access(roomID, uid int64) (*room, error) {
	r := w.rooms[roomID]
	if r == nil {
		return nil, ErrNoRoom
	}
	if !r.members[uid] {
		return nil, ErrNoAccess
	}
	return r, nil
}

// post adds a message (parent 0) or a comment.
func (w *world) post(uid, roomID, parent int64, text string) (*message, error) {
	r, err := w.access(roomID, uid)
	if err != nil {
		return nil, err
	}
	p := w.permissions(r, uid)
	if parent == 0 && !p.CanSendMessagesInMainThread || parent != 0 && !p.CanSendMessagesInDiscussion {
		return nil, ErrForbidden
	}
	t := w.now()
	m := &message{Message: virola.Message{MessageID: w.nextMsg, UserID: uid, RoomID: roomID, ParentMessageID: parent,
		Text: text, MessageType: virola.MessageRegular, Priority: "Normal", MarkupType: virola.MarkupPlain,
		CreatedUtc: t, LastEditedUtc: t, LastModifiedUtc: t}}
	w.nextMsg++
	w.msgs[m.MessageID] = m
	if parent == 0 {
		r.main = append(r.main, m.MessageID)
		r.LastModifiedUtc = t
	} else {
		pm := w.msgs[parent]
		pm.comments = append(pm.comments, m.MessageID)
		pm.CommentCount++
		pm.LastModifiedUtc = t
	}
	return m, nil
}

// list returns ids after (forward) or before (backward) cursor, oldest
// first, at most limit (0: all). inclusive keeps the cursor message.
func list(ids []int64, cursor int64, limit int, backward, inclusive bool) []int64 {
	var out []int64
	if backward {
		for i := len(ids) - 1; i >= 0; i-- {
			id := ids[i]
			if cursor != 0 && (id > cursor || id == cursor && !inclusive) {
				continue
			}
			out = append(out, id)
			if limit > 0 && len(out) == limit {
				break
			}
		}
		slices.Reverse(out)
		return out
	}
	for _, id := range ids {
		if cursor != 0 && (id < cursor || id == cursor && !inclusive) {
			continue
		}
		out = append(out, id)
		if limit > 0 && len(out) == limit {
			break
		}
	}
	return out
}

func (w *world) live(ids []int64) []virola.Message {
	out := make([]virola.Message, 0, len(ids))
	for _, id := range ids {
		if m := w.msgs[id]; m != nil && !m.deleted {
			out = append(out, m.Message)
		}
	}
	return out
}

func (r *room) liveIDs(w *world) []int64 {
	out := make([]int64, 0, len(r.main))
	for _, id := range r.main {
		if !w.msgs[id].deleted {
			out = append(out, id)
		}
	}
	return out
}

// AddUser adds a user (or returns the one with that name) with a password
// for login and a Web API token.
func (s *Server) AddUser(name, display, password string) virola.User {
	s.mu.Lock()
	defer s.mu.Unlock()
	u := s.w.addUser(name, display, password)
	s.notifyLocked()
	return u.User
}

// SetAdmin makes a user a server administrator, who may delete any
// message.
func (s *Server) SetAdmin(uid int64, admin bool) {
	s.mu.Lock()
	defer s.mu.Unlock()
	if u := s.w.users[uid]; u != nil {
		u.IsAdmin = admin
	}
}

// Token returns a user's Web API access token.
func (s *Server) Token(uid int64) string {
	s.mu.Lock()
	defer s.mu.Unlock()
	if u := s.w.users[uid]; u != nil {
		return u.token
	}
	return ""
}

// RenewToken generates a new token for a user, as the desktop client
// does; the old one is refused from now on.
func (s *Server) RenewToken(uid int64) string {
	s.mu.Lock()
	defer s.mu.Unlock()
	u := s.w.users[uid]
	if u == nil {
		return ""
	}
	u.token = randomHex(16)
	return u.token
}

// ExpireSessions ends every login session; cookies are refused from now
// on.
func (s *Server) ExpireSessions() {
	s.mu.Lock()
	defer s.mu.Unlock()
	clear(s.sessions)
}

// NewPrivateRoom makes a one-to-one room of two users and tells both.
func (s *Server) NewPrivateRoom(a, b int64) (virola.Room, error) {
	s.mu.Lock()
	defer s.mu.Unlock()
	r, err := s.w.newRoom(virola.RoomPrivate, "", a, b)
	if err != nil {
		return virola.Room{}, err
	}
	s.roomEventLocked(virola.TypeRoomCreated, r)
	return r.Room, nil
}

// NewPublicRoom makes a room with several members and tells them.
func (s *Server) NewPublicRoom(name string, members ...int64) (virola.Room, error) {
	s.mu.Lock()
	defer s.mu.Unlock()
	r, err := s.w.newRoom(virola.RoomPublic, name, members...)
	if err != nil {
		return virola.Room{}, err
	}
	s.roomEventLocked(virola.TypeRoomCreated, r)
	return r.Room, nil
}

// AddMember gives a user access to a room; the user gets RoomCreated.
func (s *Server) AddMember(roomID, uid int64) error {
	s.mu.Lock()
	defer s.mu.Unlock()
	r := s.w.rooms[roomID]
	if r == nil {
		return ErrNoRoom
	}
	if s.w.users[uid] == nil {
		return ErrNoUser
	}
	r.members[uid] = true
	s.broadcastLocked(virola.TypeRoomCreated, func(int64) any { return map[string]any{"room": s.w.view(r, uid)} },
		func(u int64) bool { return u == uid })
	return nil
}

// RenameRoom changes a room's name; members get RoomUpdated.
func (s *Server) RenameRoom(roomID int64, name string) error {
	s.mu.Lock()
	defer s.mu.Unlock()
	r := s.w.rooms[roomID]
	if r == nil {
		return ErrNoRoom
	}
	r.DisplayName, r.LastModifiedUtc = name, s.w.now()
	s.roomEventLocked(virola.TypeRoomUpdated, r)
	return nil
}

// DeleteRoom deletes a room; members get RoomDeleted.
func (s *Server) DeleteRoom(roomID int64) error {
	s.mu.Lock()
	defer s.mu.Unlock()
	r := s.w.rooms[roomID]
	if r == nil {
		return ErrNoRoom
	}
	delete(s.w.rooms, roomID)
	s.broadcastLocked(virola.TypeRoomDeleted, func(int64) any { return map[string]any{"roomId": roomID} }, s.roomAudience(r))
	return nil
}

// SetPermissions sets a member's permissions in a room (members have all
// by default).
func (s *Server) SetPermissions(roomID, uid int64, p virola.Permissions) error {
	s.mu.Lock()
	defer s.mu.Unlock()
	r := s.w.rooms[roomID]
	if r == nil {
		return ErrNoRoom
	}
	r.perms[uid] = p
	return nil
}

// Post makes a user post text to a room's main thread.
func (s *Server) Post(uid, roomID int64, text string) (virola.Message, error) {
	s.mu.Lock()
	defer s.mu.Unlock()
	m, err := s.w.post(uid, roomID, 0, text)
	if err != nil {
		return virola.Message{}, err
	}
	s.messagesCreatedLocked(s.w.rooms[roomID], m.Message)
	return m.Message, nil
}

// Comment makes a user comment on a main-thread message. Comments on
// comments are refused: discussions are one level deep.
func (s *Server) Comment(uid, parentID int64, text string) (virola.Message, error) {
	s.mu.Lock()
	defer s.mu.Unlock()
	p := s.w.msgs[parentID]
	if p == nil || p.deleted {
		return virola.Message{}, ErrNoMessage
	}
	if p.ParentMessageID != 0 {
		return virola.Message{}, errors.New("virolasim: cannot comment on a comment")
	}
	m, err := s.w.post(uid, p.RoomID, parentID, text)
	if err != nil {
		return virola.Message{}, err
	}
	r := s.w.rooms[p.RoomID]
	s.messagesCreatedLocked(r, m.Message)
	s.messagesUpdatedLocked(r, p.Message)
	return m.Message, nil
}

// Edit makes the author change a message's text; members get
// TextMessagesUpdated.
func (s *Server) Edit(uid, msgID int64, text string) error {
	s.mu.Lock()
	defer s.mu.Unlock()
	m := s.w.msgs[msgID]
	if m == nil || m.deleted {
		return ErrNoMessage
	}
	if m.UserID != uid {
		return ErrForbidden
	}
	t := s.w.now()
	m.Text, m.LastEditedUtc, m.LastModifiedUtc = text, t, t
	s.messagesUpdatedLocked(s.w.rooms[m.RoomID], m.Message)
	return nil
}

// MarkRead records that a user read a message; members get
// TextMessagesUpdated with the new read timestamp.
func (s *Server) MarkRead(uid, msgID int64) error {
	s.mu.Lock()
	defer s.mu.Unlock()
	m := s.w.msgs[msgID]
	if m == nil || m.deleted {
		return ErrNoMessage
	}
	r, err := s.w.access(m.RoomID, uid)
	if err != nil {
		return err
	}
	if readBy(&m.Message, uid) {
		return nil
	}
	t := s.w.now()
	m.ReadTimestamps = append(m.ReadTimestamps, virola.ReadTimestamp{UserID: uid, ReadUtc: t})
	m.LastModifiedUtc = t
	s.messagesUpdatedLocked(r, m.Message)
	return nil
}

// Delete deletes a message or comment: its author may, and so may an
// administrator or a moderator of the room. Members get TextMessageDeleted.
func (s *Server) Delete(uid, msgID int64) error {
	s.mu.Lock()
	defer s.mu.Unlock()
	m := s.w.msgs[msgID]
	if m == nil || m.deleted {
		return ErrNoMessage
	}
	r, err := s.w.access(m.RoomID, uid)
	if err != nil {
		return err
	}
	if u := s.w.users[uid]; m.UserID != uid && (u == nil || !u.IsAdmin) && !r.moderators[uid] {
		return ErrForbidden
	}
	m.deleted = true
	s.broadcastLocked(virola.TypeTextMessageDeleted, func(int64) any {
		return map[string]any{"parentMessageId": m.ParentMessageID, "roomId": m.RoomID, "messageId": m.MessageID}
	}, s.roomAudience(r))
	return nil
}

type fileData struct {
	name string
	data []byte
}

func (s *Server) attach(uid, msgID int64, files []fileData) error {
	s.mu.Lock()
	defer s.mu.Unlock()
	m := s.w.msgs[msgID]
	if m == nil || m.deleted {
		return ErrNoMessage
	}
	r, err := s.w.access(m.RoomID, uid)
	if err != nil {
		return err
	}
	if m.UserID != uid {
		return ErrForbidden
	}
	t := s.w.now()
	for _, f := range files {
		a := &attachment{Attachment: virola.Attachment{AttachmentID: s.w.nextAtt, AttachmentState: virola.AttachmentReady,
			CreatedUtc: t, FileName: f.name, FileSize: int64(len(f.data)), LastModifiedUtc: t, RoomID: m.RoomID,
			TextMessageID: m.MessageID, FileChecksum: randomHex(20)}, data: f.data}
		s.w.nextAtt++
		s.w.attachments[a.AttachmentID] = a
		m.Attachments = append(m.Attachments, a.Attachment)
	}
	m.LastModifiedUtc = t
	s.messagesUpdatedLocked(r, m.Message)
	return nil
}

func removeAttachment(as []virola.Attachment, id int64) []virola.Attachment {
	out := as[:0]
	for _, a := range as {
		if a.AttachmentID != id {
			out = append(out, a)
		}
	}
	return out
}

// Message returns a message or comment by id (deleted ones too).
func (s *Server) Message(id int64) (virola.Message, bool) {
	s.mu.Lock()
	defer s.mu.Unlock()
	m := s.w.msgs[id]
	if m == nil {
		return virola.Message{}, false
	}
	return m.Message, true
}

// PostedBy returns every message and comment a user posted, in id order,
// deleted ones included.
func (s *Server) PostedBy(uid int64) []virola.Message {
	s.mu.Lock()
	defer s.mu.Unlock()
	var out []virola.Message
	for id := int64(2000100); id < s.w.nextMsg; id++ {
		if m := s.w.msgs[id]; m != nil && m.UserID == uid {
			out = append(out, m.Message)
		}
	}
	return out
}

// Subscribe calls f for every message or comment posted from now on, in
// order, until the returned function is called. f runs with the server
// locked and must not call back into it.
func (s *Server) Subscribe(f func(m virola.Message)) (cancel func()) {
	s.mu.Lock()
	defer s.mu.Unlock()
	id := s.nextSub
	s.nextSub++
	s.subs[id] = f
	return func() {
		s.mu.Lock()
		delete(s.subs, id)
		s.mu.Unlock()
	}
}
