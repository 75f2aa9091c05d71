package virolasim

import (
	"encoding/json"
	"errors"
	"io"
	"net/http"
	"strconv"
	"strings"

	"github.com/coder/websocket"

	"github.com/parleybot/parley/platform/virola"
)

// Error texts the real server is known to send.
const (
	textWrongBearer = "Wrong Bearer, please renew Web API Access Token"
	textBadLogin    = "The username or password is invalid."
	textNoAuth      = "The Authorization HTTP-header or VirolaUserSessionId cookie expected"
	textNoAttach    = "Attachment not found"
)

// maxBody bounds request bodies (attachments included).
const maxBody = 32 << 20

func (s *Server) routes() http.Handler {
	mux := http.NewServeMux()
	handle := func(pattern string, h func(w http.ResponseWriter, r *http.Request, uid int64) (any, *apiErr)) {
		mux.HandleFunc(pattern, func(w http.ResponseWriter, r *http.Request) {
			s.mu.Lock()
			s.stats.Requests++
			var f *fault
			for _, key := range []string{pattern, postKey(pattern)} {
				if q := s.faults[key]; f == nil && len(q) > 0 {
					f = &q[0]
					s.faults[key] = q[1:]
				}
			}
			s.mu.Unlock()
			if f != nil && f.hold != nil {
				close(f.hold.arrived)
				select {
				case <-f.hold.release:
				case <-s.ctx.Done():
				}
				f = nil
			}
			if f != nil && !f.cut {
				writeErr(w, &apiErr{f.status, f.text})
				return
			}
			uid, ae := s.auth(r, false)
			if ae != nil {
				writeErr(w, ae)
				return
			}
			out, ae := h(w, r, uid)
			if out != nil || ae != nil {
				s.mu.Lock()
				cut := s.drops.Cut() || f != nil
				if cut {
					for c := range s.conns {
						c.close()
					}
				}
				s.mu.Unlock()
				if cut {
					// Carried out; the answer is lost with the
					// connection.
					panic(http.ErrAbortHandler)
				}
			}
			switch {
			case ae != nil:
				writeErr(w, ae)
			case out == nil:
				// the handler wrote the answer itself
			default:
				writeJSON(w, http.StatusOK, out)
			}
		})
	}
	mux.HandleFunc("POST /api/v1/login", s.login)
	handle("GET /api/v1/status", s.status)
	handle("POST /api/v1/logout", s.logout)
	handle("GET /api/v1/server-health", func(http.ResponseWriter, *http.Request, int64) (any, *apiErr) {
		return map[string]any{"httpStatusCode": 200, "status": "Healthy"}, nil
	})
	handle("GET /api/v1/rooms", s.rooms)
	handle("GET /api/v1/room-permissions/{roomId}", s.roomPermissions)
	handle("GET /api/v1/users", s.users)
	handle("GET /api/v1/rooms/{roomId}/messages", s.listMessages)
	handle("POST /api/v1/rooms/{roomId}/messages", s.postMessage)
	handle("DELETE /api/v1/messages/{messageId}", s.deleteMessage)
	handle("POST /api/v1/messages/{messageId}/read", s.markRead)
	handle("GET /api/v1/messages/{messageId}/comments", s.listComments)
	handle("POST /api/v1/messages/{messageId}/comments", s.postComment)
	handle("POST /api/v1/messages/{messageId}/attachments", s.upload)
	handle("GET /api/v1/attachments/{attachmentId}", s.attachmentInfo)
	handle("GET /api/v1/attachments/{attachmentId}/{fileName}", s.download)
	handle("DELETE /api/v1/attachments/{attachmentId}", s.deleteAttachment)
	mux.HandleFunc("GET /api/v1/events", s.events)
	return mux
}

// anyPost is the fault key of FailNextPost.
const anyPost = "post"

// postKey returns anyPost for the routes that post a message or comment.
func postKey(pattern string) string {
	if pattern == "POST /api/v1/rooms/{roomId}/messages" || pattern == "POST /api/v1/messages/{messageId}/comments" {
		return anyPost
	}
	return ""
}

type apiErr struct {
	status int
	text   string
}

func writeJSON(w http.ResponseWriter, status int, v any) {
	w.Header().Set("Content-Type", "application/json")
	w.WriteHeader(status)
	_ = json.NewEncoder(w).Encode(v)
}

func writeErr(w http.ResponseWriter, e *apiErr) {
	writeJSON(w, e.status, map[string]any{"errorText": e.text, "httpStatusCode": e.status})
}

var ok200 = map[string]any{"httpStatusCode": 200}

func worldErr(err error) *apiErr {
	switch {
	case errors.Is(err, ErrNoRoom), errors.Is(err, ErrNoMessage):
		return &apiErr{http.StatusNotFound, err.Error()}
	case errors.Is(err, ErrNoAccess), errors.Is(err, ErrForbidden):
		return &apiErr{http.StatusForbidden, err.Error()}
	case err != nil:
		return &apiErr{http.StatusBadRequest, err.Error()}
	}
	return nil
}

// auth finds the user of a request: the Bearer token or the session
// cookie. events refuses the token when the server was made so.
func (s *Server) auth(r *http.Request, events bool) (int64, *apiErr) {
	s.mu.Lock()
	defer s.mu.Unlock()
	if h := r.Header.Get("Authorization"); h != "" {
		tok, ok := strings.CutPrefix(h, "Bearer ")
		if ok && !(events && s.o.eventsCookieOnly) {
			for _, u := range s.w.users {
				if u.token != "" && u.token == tok {
					return u.UserID, nil
				}
			}
		}
		if !(events && s.o.eventsCookieOnly) {
			s.stats.Unauthorize++
			return 0, &apiErr{http.StatusUnauthorized, textWrongBearer}
		}
	}
	if ck, err := r.Cookie(virola.SessionCookie); err == nil {
		if uid, ok := s.sessions[ck.Value]; ok {
			return uid, nil
		}
	}
	s.stats.Unauthorize++
	return 0, &apiErr{http.StatusUnauthorized, textNoAuth}
}

func (s *Server) login(w http.ResponseWriter, r *http.Request) {
	var req struct {
		UserName string `json:"userName"`
		Password string `json:"password"`
	}
	s.mu.Lock()
	s.stats.Requests++
	s.mu.Unlock()
	if err := json.NewDecoder(io.LimitReader(r.Body, maxBody)).Decode(&req); err != nil {
		writeErr(w, &apiErr{http.StatusBadRequest, "invalid JSON body"})
		return
	}
	s.mu.Lock()
	u := s.w.userByName(req.UserName)
	if u == nil || u.password == "" || u.password != req.Password {
		s.stats.Unauthorize++
		s.mu.Unlock()
		writeErr(w, &apiErr{http.StatusUnauthorized, textBadLogin})
		return
	}
	sid := randomHex(20)
	s.sessions[sid] = u.UserID
	s.stats.Logins++
	s.notifyLocked()
	s.mu.Unlock()
	http.SetCookie(w, &http.Cookie{Name: virola.SessionCookie, Value: sid, Path: "/", HttpOnly: true, Secure: s.o.tls})
	writeJSON(w, http.StatusOK, map[string]any{"httpStatusCode": 200, "userId": u.UserID, "userSessionId": sid})
}

func (s *Server) status(w http.ResponseWriter, r *http.Request, uid int64) (any, *apiErr) {
	out := map[string]any{"httpStatusCode": 200, "userId": uid}
	if ck, err := r.Cookie(virola.SessionCookie); err == nil {
		out["userSessionId"] = ck.Value
	}
	return out, nil
}

func (s *Server) logout(w http.ResponseWriter, r *http.Request, uid int64) (any, *apiErr) {
	if ck, err := r.Cookie(virola.SessionCookie); err == nil {
		s.mu.Lock()
		delete(s.sessions, ck.Value)
		s.mu.Unlock()
	}
	return ok200, nil
}

func (s *Server) rooms(w http.ResponseWriter, r *http.Request, uid int64) (any, *apiErr) {
	s.mu.Lock()
	defer s.mu.Unlock()
	out := []virola.Room{}
	for _, rm := range s.w.rooms {
		if rm.members[uid] {
			out = append(out, s.w.view(rm, uid))
		}
	}
	sortRooms(out)
	return map[string]any{"httpStatusCode": 200, "rooms": out}, nil
}

func sortRooms(rs []virola.Room) {
	for i := 1; i < len(rs); i++ {
		for j := i; j > 0 && rs[j].RoomID < rs[j-1].RoomID; j-- {
			rs[j], rs[j-1] = rs[j-1], rs[j]
		}
	}
}

func pathID(r *http.Request, name string) (int64, *apiErr) {
	id, err := strconv.ParseInt(r.PathValue(name), 10, 64)
	if err != nil || id <= 0 {
		return 0, &apiErr{http.StatusBadRequest, "invalid " + name}
	}
	return id, nil
}

func (s *Server) roomPermissions(w http.ResponseWriter, r *http.Request, uid int64) (any, *apiErr) {
	id, ae := pathID(r, "roomId")
	if ae != nil {
		return nil, ae
	}
	s.mu.Lock()
	defer s.mu.Unlock()
	rm, err := s.w.access(id, uid)
	if err != nil {
		return nil, worldErr(err)
	}
	return map[string]any{"httpStatusCode": 200, "roomPermissions": virola.RoomPermissions{RoomID: id, Permissions: s.w.permissions(rm, uid)}}, nil
}

func (s *Server) users(w http.ResponseWriter, r *http.Request, uid int64) (any, *apiErr) {
	s.mu.Lock()
	defer s.mu.Unlock()
	out := make([]virola.User, 0, len(s.w.users))
	for id := int64(1); id < s.w.nextUser; id++ {
		if u := s.w.users[id]; u != nil {
			out = append(out, u.User)
		}
	}
	return map[string]any{"httpStatusCode": 200, "users": out}, nil
}

// page reads cursor, limit and direction; bad values are refused, as a
// strict server would.
func page(r *http.Request) (cursor int64, limit int, backward bool, ae *apiErr) {
	q := r.URL.Query()
	if v := q.Get("cursor"); v != "" {
		c, err := strconv.ParseInt(v, 10, 64)
		if err != nil {
			return 0, 0, false, &apiErr{http.StatusBadRequest, "invalid cursor"}
		}
		if c > 0 {
			cursor = c
		}
	}
	if v := q.Get("limit"); v != "" {
		l, err := strconv.Atoi(v)
		if err != nil || l < 0 {
			return 0, 0, false, &apiErr{http.StatusBadRequest, "invalid limit"}
		}
		limit = l
	}
	switch q.Get("direction") {
	case "", virola.Forward:
	case virola.Backward:
		backward = true
	default:
		return 0, 0, false, &apiErr{http.StatusBadRequest, "invalid direction"}
	}
	return cursor, limit, backward, nil
}

func (s *Server) listMessages(w http.ResponseWriter, r *http.Request, uid int64) (any, *apiErr) {
	id, ae := pathID(r, "roomId")
	if ae != nil {
		return nil, ae
	}
	cursor, limit, backward, ae := page(r)
	if ae != nil {
		return nil, ae
	}
	s.mu.Lock()
	defer s.mu.Unlock()
	rm, err := s.w.access(id, uid)
	if err != nil {
		return nil, worldErr(err)
	}
	ids := list(rm.liveIDs(s.w), cursor, limit, backward, !s.o.exclusiveCursor)
	return map[string]any{"httpStatusCode": 200, "roomId": id, "messages": s.w.live(ids)}, nil
}

func (s *Server) listComments(w http.ResponseWriter, r *http.Request, uid int64) (any, *apiErr) {
	id, ae := pathID(r, "messageId")
	if ae != nil {
		return nil, ae
	}
	cursor, limit, backward, ae := page(r)
	if ae != nil {
		return nil, ae
	}
	s.mu.Lock()
	defer s.mu.Unlock()
	m := s.w.msgs[id]
	if m == nil || m.deleted {
		return nil, worldErr(ErrNoMessage)
	}
	if _, err := s.w.access(m.RoomID, uid); err != nil {
		return nil, worldErr(err)
	}
	var live []int64
	for _, c := range m.comments {
		if !s.w.msgs[c].deleted {
			live = append(live, c)
		}
	}
	ids := list(live, cursor, limit, backward, !s.o.exclusiveCursor)
	return map[string]any{"httpStatusCode": 200, "roomId": m.RoomID, "parentMessageId": id, "messages": s.w.live(ids)}, nil
}

func readContent(r *http.Request) (string, *apiErr) {
	var req struct {
		Content *string `json:"content"`
	}
	if err := json.NewDecoder(io.LimitReader(r.Body, maxBody)).Decode(&req); err != nil || req.Content == nil {
		return "", &apiErr{http.StatusBadRequest, "a JSON body with content is expected"}
	}
	return *req.Content, nil
}

func (s *Server) postMessage(w http.ResponseWriter, r *http.Request, uid int64) (any, *apiErr) {
	id, ae := pathID(r, "roomId")
	if ae != nil {
		return nil, ae
	}
	text, ae := readContent(r)
	if ae != nil {
		return nil, ae
	}
	if _, err := s.Post(uid, id, text); err != nil {
		return nil, worldErr(err)
	}
	return ok200, nil
}

func (s *Server) postComment(w http.ResponseWriter, r *http.Request, uid int64) (any, *apiErr) {
	id, ae := pathID(r, "messageId")
	if ae != nil {
		return nil, ae
	}
	text, ae := readContent(r)
	if ae != nil {
		return nil, ae
	}
	if _, err := s.Comment(uid, id, text); err != nil {
		return nil, worldErr(err)
	}
	return ok200, nil
}

func (s *Server) deleteMessage(w http.ResponseWriter, r *http.Request, uid int64) (any, *apiErr) {
	id, ae := pathID(r, "messageId")
	if ae != nil {
		return nil, ae
	}
	if err := s.Delete(uid, id); err != nil {
		return nil, worldErr(err)
	}
	return ok200, nil
}

func (s *Server) markRead(w http.ResponseWriter, r *http.Request, uid int64) (any, *apiErr) {
	id, ae := pathID(r, "messageId")
	if ae != nil {
		return nil, ae
	}
	if err := s.MarkRead(uid, id); err != nil {
		return nil, worldErr(err)
	}
	return ok200, nil
}

func (s *Server) upload(w http.ResponseWriter, r *http.Request, uid int64) (any, *apiErr) {
	id, ae := pathID(r, "messageId")
	if ae != nil {
		return nil, ae
	}
	r.Body = http.MaxBytesReader(w, r.Body, maxBody)
	if err := r.ParseMultipartForm(maxBody); err != nil {
		return nil, &apiErr{http.StatusBadRequest, "multipart/form-data with files expected"}
	}
	hs := r.MultipartForm.File["files"]
	if len(hs) == 0 {
		return nil, &apiErr{http.StatusBadRequest, "no files"}
	}
	var files []fileData
	for _, h := range hs {
		f, err := h.Open()
		if err != nil {
			return nil, &apiErr{http.StatusBadRequest, err.Error()}
		}
		data, err := io.ReadAll(f)
		f.Close()
		if err != nil {
			return nil, &apiErr{http.StatusBadRequest, err.Error()}
		}
		files = append(files, fileData{h.Filename, data})
	}
	if err := s.attach(uid, id, files); err != nil {
		return nil, worldErr(err)
	}
	return ok200, nil
}

func (s *Server) attachmentFor(r *http.Request, uid int64) (*attachment, *apiErr) {
	id, ae := pathID(r, "attachmentId")
	if ae != nil {
		return nil, ae
	}
	a := s.w.attachments[id]
	if a == nil {
		return nil, &apiErr{http.StatusNotFound, textNoAttach}
	}
	if _, err := s.w.access(a.RoomID, uid); err != nil {
		return nil, &apiErr{http.StatusNotFound, textNoAttach}
	}
	return a, nil
}

func (s *Server) attachmentInfo(w http.ResponseWriter, r *http.Request, uid int64) (any, *apiErr) {
	s.mu.Lock()
	defer s.mu.Unlock()
	a, ae := s.attachmentFor(r, uid)
	if ae != nil {
		return nil, ae
	}
	return a.Attachment, nil
}

func (s *Server) download(w http.ResponseWriter, r *http.Request, uid int64) (any, *apiErr) {
	s.mu.Lock()
	a, ae := s.attachmentFor(r, uid)
	if ae == nil && r.PathValue("fileName") != a.FileName {
		ae = &apiErr{http.StatusNotFound, textNoAttach}
	}
	var data []byte
	if ae == nil {
		data = a.data
	}
	s.mu.Unlock()
	if ae != nil {
		return nil, ae
	}
	w.Header().Set("Content-Type", "application/octet-stream")
	w.Header().Set("Content-Length", strconv.Itoa(len(data)))
	w.WriteHeader(http.StatusOK)
	_, _ = w.Write(data)
	return nil, nil
}

func (s *Server) deleteAttachment(w http.ResponseWriter, r *http.Request, uid int64) (any, *apiErr) {
	s.mu.Lock()
	defer s.mu.Unlock()
	a, ae := s.attachmentFor(r, uid)
	if ae != nil {
		return nil, ae
	}
	m := s.w.msgs[a.TextMessageID]
	if m.UserID != uid {
		return nil, &apiErr{http.StatusForbidden, "only the author may delete attachments"}
	}
	delete(s.w.attachments, a.AttachmentID)
	m.Attachments = removeAttachment(m.Attachments, a.AttachmentID)
	m.LastModifiedUtc = s.w.now()
	s.messagesUpdatedLocked(s.w.rooms[m.RoomID], m.Message)
	return ok200, nil
}

func (s *Server) events(w http.ResponseWriter, r *http.Request) {
	uid, ae := s.auth(r, true)
	if ae != nil {
		writeErr(w, ae)
		return
	}
	// The socket is subscribed before the handshake answer goes out, so
	// an event the client causes right after connecting is not missed.
	c := &conn{uid: uid, out: make(chan []byte, s.o.connBuffer), done: make(chan struct{})}
	s.mu.Lock()
	if s.ctx.Err() != nil {
		s.mu.Unlock()
		writeErr(w, &apiErr{http.StatusServiceUnavailable, "server closing"})
		return
	}
	s.conns[c] = struct{}{}
	s.stats.Conns = len(s.conns)
	s.stats.TotalConns++
	s.notifyLocked()
	s.wg.Add(1)
	s.mu.Unlock()
	ws, err := websocket.Accept(w, r, nil)
	if err != nil {
		s.mu.Lock()
		delete(s.conns, c)
		s.stats.Conns = len(s.conns)
		s.notifyLocked()
		s.mu.Unlock()
		s.wg.Done()
		return
	}
	defer s.wg.Done()
	s.serveConn(s.ctx, ws, c)
}
