package tadasim

import (
	"context"
	"encoding/json"
	"errors"
	"fmt"
	"io"
	"mime"
	"net/http"
	"slices"
	"strconv"
	"strings"
	"time"

	"github.com/coder/websocket"
	"go.uber.org/zap"

	"github.com/parleybot/parley/platform/tada"
)

func (s *Server) routes() http.Handler {
	mux := http.NewServeMux()
	mux.HandleFunc("GET /messaging/{team}", s.serveWS)
	mux.HandleFunc("GET /features.json", s.serveFeatures)
	api := func(pattern string, h func(w http.ResponseWriter, r *http.Request, u *User) (any, error)) {
		mux.HandleFunc(pattern, s.rest(h))
	}
	api("GET /api/v4/ping", func(http.ResponseWriter, *http.Request, *User) (any, error) { return "pong", nil })
	api("GET /api/v4/teams/{team}", s.getTeam)
	api("GET /api/v4/teams/{team}/contacts/", s.getContacts)
	api("GET /api/v4/teams/{team}/contacts", s.getContacts)
	api("GET /api/v4/teams/{team}/chats", s.getChats)
	api("GET /api/v4/teams/{team}/chats/{chat}", s.getChat)
	api("GET /api/v4/teams/{team}/groups", s.getGroups)
	api("GET /api/v4/teams/{team}/groups/{chat}/members", s.getMembers)
	api("DELETE /api/v4/teams/{team}/groups/{chat}/members/{contact}", s.deleteMember)
	api("POST /api/v4/teams/{team}/chats/{chat}/messages", s.postMessage)
	api("POST /api/v4/teams/{team}/chats/{chat}/messages/{id}", s.postMessage)
	api("DELETE /api/v4/teams/{team}/chats/{chat}/messages/{id}", s.deleteMessage)
	api("GET /api/v4/teams/{team}/messages/{chat}", s.getMessages)
	return mux
}

func (s *Server) serveFeatures(w http.ResponseWriter, r *http.Request) {
	s.sleepDelay(r.Context())
	w.Header().Set("Content-Type", "application/json")
	_ = json.NewEncoder(w).Encode(map[string]any{
		"max_message_length": s.opts.maxMessageLength,
		"max_upload_mb":      100,
		"resend_timeout":     s.opts.resendTimeout,
		"afk_age":            300,
	})
}

func (s *Server) sleepDelay(ctx context.Context) {
	s.mu.Lock()
	d := s.delay
	s.mu.Unlock()
	if d > 0 {
		t := time.NewTimer(d)
		defer t.Stop()
		select {
		case <-t.C:
		case <-ctx.Done():
		case <-s.closing:
		}
	}
}

// apiError is an error answer of the envelope.
type apiError struct {
	status  int
	code    string
	reason  string
	details map[string]string
}

func (e *apiError) Error() string { return e.code + ": " + e.reason }

// toAPIError maps world errors to the documented codes.
func toAPIError(err error) *apiError {
	var ae *apiError
	switch {
	case errors.As(err, &ae):
		return ae
	case errors.Is(err, ErrNotFound):
		return &apiError{status: http.StatusNotFound, code: tada.CodeNotFound, reason: err.Error()}
	case errors.Is(err, errAccess):
		return &apiError{status: http.StatusForbidden, code: tada.CodeAccessDenied, reason: err.Error()}
	case errors.Is(err, errInvalid):
		return &apiError{status: http.StatusUnprocessableEntity, code: tada.CodeInvalidData, details: map[string]string{"__all__": err.Error()}}
	}
	return &apiError{status: http.StatusInternalServerError, code: tada.CodeInternalError, reason: err.Error()}
}

func writeEnvelope(w http.ResponseWriter, status int, body map[string]any) {
	body["_time"] = "0ms"
	w.Header().Set("Content-Type", "application/json")
	w.WriteHeader(status)
	_ = json.NewEncoder(w).Encode(body)
}

// rest wraps a REST handler: the token header, the team, faults, the
// ok/result/error envelope.
func (s *Server) rest(h func(w http.ResponseWriter, r *http.Request, u *User) (any, error)) http.HandlerFunc {
	return func(w http.ResponseWriter, r *http.Request) {
		s.sleepDelay(r.Context())
		s.mu.Lock()
		for i, h := range s.restHooks {
			if (h.method == "" || h.method == r.Method) && strings.HasSuffix(r.URL.Path, h.path) {
				s.restHooks = append(s.restHooks[:i], s.restHooks[i+1:]...)
				s.mu.Unlock()
				h.f()
				s.mu.Lock()
				break
			}
		}
		s.stats.RESTCalls++
		var fault *RESTFault
		for i, f := range s.restFaults {
			if (f.Method == "" || f.Method == r.Method) && strings.HasSuffix(r.URL.Path, f.Path) {
				fault = &f
				s.restFaults = append(s.restFaults[:i], s.restFaults[i+1:]...)
				break
			}
		}
		tok := r.Header.Get("token")
		u := s.w.byToken[tok]
		s.notify()
		s.mu.Unlock()
		var res any
		var err error
		switch {
		case fault != nil:
			err = &apiError{status: fault.Status, code: fault.Code, reason: fault.Reason}
		case tok == "":
			err = &apiError{status: http.StatusUnauthorized, code: tada.CodeEmptyToken}
		case u == nil:
			err = &apiError{status: http.StatusUnauthorized, code: tada.CodeInvalidToken}
		case r.PathValue("team") != "" && r.PathValue("team") != s.opts.team:
			err = &apiError{status: http.StatusNotFound, code: tada.CodeNotFound, reason: "no such team"}
		default:
			res, err = h(w, r, u)
		}
		if u != nil && u.Bot && s.cutBot() {
			// Carried out; the answer is lost with the connection.
			panic(http.ErrAbortHandler)
		}
		if err != nil {
			ae := toAPIError(err)
			body := map[string]any{"ok": false, "error": ae.code}
			if ae.reason != "" {
				body["reason"] = ae.reason
			}
			if ae.details != nil {
				body["details"] = ae.details
			}
			writeEnvelope(w, ae.status, body)
			return
		}
		writeEnvelope(w, http.StatusOK, map[string]any{"ok": true, "result": res})
	}
}

func (s *Server) getTeam(_ http.ResponseWriter, _ *http.Request, u *User) (any, error) {
	s.mu.Lock()
	defer s.mu.Unlock()
	me := s.w.contact(u)
	return tada.Team{UID: s.opts.team, Name: "Simulated team", Me: &me, MaxMessageUpdateAge: 86400}, nil
}

func (s *Server) getContacts(_ http.ResponseWriter, _ *http.Request, _ *User) (any, error) {
	s.mu.Lock()
	defer s.mu.Unlock()
	out := make([]tada.Contact, 0, len(s.w.order))
	for _, jid := range s.w.order {
		out = append(out, s.w.contact(s.w.users[jid]))
	}
	return out, nil
}

func (s *Server) getChats(_ http.ResponseWriter, _ *http.Request, u *User) (any, error) {
	s.mu.Lock()
	defer s.mu.Unlock()
	chats := s.w.chatsOf(u.JID)
	return tada.ChatList{Objects: chats, Count: len(chats)}, nil
}

func (s *Server) getChat(_ http.ResponseWriter, r *http.Request, u *User) (any, error) {
	s.mu.Lock()
	defer s.mu.Unlock()
	for _, c := range s.w.chatsOf(u.JID) {
		if c.JID == r.PathValue("chat") {
			return c, nil
		}
	}
	return nil, fmt.Errorf("%w: chat %s", ErrNotFound, r.PathValue("chat"))
}

func (s *Server) getGroups(_ http.ResponseWriter, _ *http.Request, u *User) (any, error) {
	s.mu.Lock()
	defer s.mu.Unlock()
	out := []tada.Chat{}
	for _, c := range s.w.chatsOf(u.JID) {
		if c.ChatType == tada.ChatGroup {
			out = append(out, c)
		}
	}
	return out, nil
}

func (s *Server) getMembers(_ http.ResponseWriter, r *http.Request, u *User) (any, error) {
	s.mu.Lock()
	defer s.mu.Unlock()
	g, ok := s.w.groups[r.PathValue("chat")]
	if !ok {
		return nil, fmt.Errorf("%w: group %s", ErrNotFound, r.PathValue("chat"))
	}
	if _, ok := g.Members[u.JID]; !ok {
		return nil, fmt.Errorf("%w: not a member", errAccess)
	}
	return s.w.groupChat(g).Members, nil
}

// restBody is the flat message body of the REST send and edit calls.
type restBody struct {
	Type           string   `json:"type"`
	Text           string   `json:"text"`
	MessageID      string   `json:"message_id"`
	ReplyTo        string   `json:"reply_to"`
	LinkedMessages []string `json:"linked_messages"`
	Uploads        []string `json:"uploads"`
	Important      bool     `json:"important"`
	Nopreview      bool     `json:"nopreview"`
}

func (s *Server) postMessage(_ http.ResponseWriter, r *http.Request, u *User) (any, error) {
	p := tada.MessageParams{To: r.PathValue("chat")}
	mt, _, _ := mime.ParseMediaType(r.Header.Get("Content-Type"))
	switch mt {
	case "multipart/form-data":
		if err := r.ParseMultipartForm(32 << 20); err != nil {
			return nil, &apiError{status: http.StatusUnprocessableEntity, code: tada.CodeInvalidData, details: map[string]string{"file": err.Error()}}
		}
		f, fh, err := r.FormFile("file")
		if err != nil {
			return nil, &apiError{status: http.StatusUnprocessableEntity, code: tada.CodeInvalidData, details: map[string]string{"file": "required"}}
		}
		n, _ := io.Copy(io.Discard, f)
		f.Close()
		p.MessageID = r.FormValue("message_id")
		s.mu.Lock()
		uid := s.w.uuid()
		s.mu.Unlock()
		p.Content = tada.MessageContent{Type: tada.ContentFile, Text: fh.Filename, Name: fh.Filename, Size: n, Upload: uid}
		p.Uploads = []string{uid}
	default:
		var b restBody
		if err := json.NewDecoder(io.LimitReader(r.Body, 4<<20)).Decode(&b); err != nil {
			return nil, &apiError{status: http.StatusUnprocessableEntity, code: tada.CodeInvalidData, details: map[string]string{"__all__": "invalid JSON: " + err.Error()}}
		}
		if b.Type == "" {
			b.Type = tada.ContentPlain
		}
		if b.Type == tada.ContentPlain && strings.TrimSpace(b.Text) == "" {
			return nil, &apiError{status: http.StatusUnprocessableEntity, code: tada.CodeInvalidData, details: map[string]string{"text": "required"}}
		}
		p.Content = tada.MessageContent{Type: b.Type, Text: b.Text}
		p.MessageID, p.ReplyTo, p.LinkedMessages, p.Important, p.Nopreview = b.MessageID, b.ReplyTo, b.LinkedMessages, b.Important, b.Nopreview
		if id := r.PathValue("id"); id != "" {
			if p.MessageID != "" && p.MessageID != id {
				return nil, &apiError{status: http.StatusUnprocessableEntity, code: tada.CodeInvalidData, details: map[string]string{"message_id": "does not match the path"}}
			}
			p.MessageID = id
		}
	}
	s.mu.Lock()
	defer s.mu.Unlock()
	if id := r.PathValue("id"); id != "" {
		if _, ok := s.w.msgs[id]; !ok {
			return nil, fmt.Errorf("%w: message %s", ErrNotFound, id)
		}
	}
	sm, err := s.upsertLocked(u.JID, p)
	if err != nil {
		return nil, err
	}
	return s.w.view(sm, u.JID), nil
}

func (s *Server) deleteMessage(_ http.ResponseWriter, r *http.Request, u *User) (any, error) {
	s.mu.Lock()
	defer s.mu.Unlock()
	sm, err := s.w.remove(u.JID, r.PathValue("id"))
	if err != nil {
		return nil, err
	}
	s.sendViews(sm, true)
	return s.w.view(sm, u.JID), nil
}

func (s *Server) getMessages(_ http.ResponseWriter, r *http.Request, u *User) (any, error) {
	q := r.URL.Query()
	var from int64
	if v := q.Get("gentime_from"); v != "" {
		n, err := strconv.ParseInt(v, 10, 64)
		if err != nil || n < 0 {
			return nil, &apiError{status: http.StatusUnprocessableEntity, code: tada.CodeInvalidData, details: map[string]string{"gentime_from": "not a version"}}
		}
		from = n
	}
	limit := 200
	if v := q.Get("limit"); v != "" {
		n, err := strconv.Atoi(v)
		if err != nil || n < 1 {
			return nil, &apiError{status: http.StatusUnprocessableEntity, code: tada.CodeInvalidData, details: map[string]string{"limit": "not a positive number"}}
		}
		limit = min(n, 200)
	}
	s.mu.Lock()
	defer s.mu.Unlock()
	msgs, err := s.w.history(u.JID, r.PathValue("chat"), from, q.Get("new_from"), limit, q.Get("include_deleted") == "true", q.Get("unread") == "true")
	if err != nil {
		return nil, err
	}
	if msgs == nil {
		msgs = []tada.Message{}
	}
	return tada.MessageList{Messages: msgs, Limit: limit}, nil
}

// serveWS is /messaging/{team}: it checks the token and team (a refusal
// is server.panic, then close), sends the user's unconfirmed events again,
// and serves client events.
func (s *Server) serveWS(w http.ResponseWriter, r *http.Request) {
	s.mu.Lock()
	stall := s.stall
	s.mu.Unlock()
	if stall != nil {
		select {
		case <-stall:
		case <-r.Context().Done():
			return // the client gave up
		case <-s.closing:
			return
		}
	}
	s.mu.Lock()
	u := s.w.byToken[r.Header.Get("token")]
	code := ""
	switch {
	case r.Header.Get("token") == "":
		code = tada.CodeEmptyToken
	case u == nil:
		code = tada.CodeInvalidToken
	case r.PathValue("team") != s.opts.team:
		code = "TEAM_NOT_FOUND"
	}
	if code != "" {
		s.mu.Unlock()
		ws, err := websocket.Accept(w, r, nil)
		if err != nil {
			return
		}
		s.mu.Lock()
		s.stats.TotalSockets++
		s.stats.Panics++
		s.notify()
		s.mu.Unlock()
		frame, _ := tada.EncodeFrame(tada.EventPanic, tada.Panic{Code: code}, "")
		ctx, cancel := context.WithTimeout(r.Context(), 5*time.Second)
		_ = ws.Write(ctx, websocket.MessageText, frame)
		cancel()
		_ = ws.Close(websocket.StatusPolicyViolation, code)
		return
	}
	select {
	case <-s.closing:
		s.mu.Unlock()
		http.Error(w, "shutting down", http.StatusServiceUnavailable)
		return
	default:
	}
	// The socket takes events from before the upgrade is answered: once
	// the client has its answer, nothing sent to the user misses it (it
	// used to be registered after, and events of that moment were lost).
	// Room for the redelivered backlog on top of the live buffer: a
	// backlog larger than the buffer would otherwise close every new
	// connection at once and never drain.
	sk := &socket{user: u, out: make(chan outFrame, s.opts.socketBuffer+len(s.unconfirmed[u.JID])), kill: make(chan struct{})}
	s.sockets[sk] = struct{}{}
	s.stats.TotalSockets++ // counted before the client can see it
	for _, ev := range s.unconfirmed[u.JID] {
		s.enqueueFrame(sk, outFrame{data: ev.frame, again: true})
		s.stats.Redelivered++
	}
	s.mu.Unlock()
	ws, err := websocket.Accept(w, r, nil)
	s.mu.Lock()
	if err != nil {
		delete(s.sockets, sk)
		s.stats.TotalSockets--
	}
	s.notify()
	s.mu.Unlock()
	if err != nil {
		return
	}
	ws.SetReadLimit(8 << 20)
	sk.ws = ws
	s.log.Debug("socket open", zap.String("user", u.JID))

	ctx, cancel := context.WithCancel(context.Background())
	done := make(chan struct{})
	go func() {
		defer close(done)
		s.writeLoop(ctx, sk)
	}()
	go func() {
		select {
		case <-sk.kill:
		case <-ctx.Done():
		}
		cancel()
		_ = ws.CloseNow()
	}()
	for {
		_, data, err := ws.Read(ctx)
		if err != nil {
			break
		}
		s.handleClient(sk, data)
	}
	sk.close()
	cancel()
	<-done
	s.mu.Lock()
	delete(s.sockets, sk)
	s.notify()
	s.mu.Unlock()
	s.log.Debug("socket closed", zap.String("user", u.JID))
}

func (s *Server) writeLoop(ctx context.Context, sk *socket) {
	for {
		select {
		case <-ctx.Done():
			return
		case frame := <-sk.out:
			s.sleepDelay(ctx)
			// A lost connection loses what was queued on it, never
			// only some frames in the middle.
			select {
			case <-sk.kill:
				return
			default:
			}
			// The drop is counted as a frame goes out, not as it is
			// queued. Unconfirmed events sent again on a new connection
			// are not counted: they were when first sent, and a backlog
			// longer than DropEvery's period would otherwise be cut
			// before the bot's confirms of it arrive, at every
			// connection, and never drain.
			if sk.user.Bot && !frame.again && s.cutBot() {
				return
			}
			wctx, cancel := context.WithTimeout(ctx, 10*time.Second)
			err := sk.ws.Write(wctx, websocket.MessageText, frame.data)
			cancel()
			if err != nil {
				sk.close()
				return
			}
			s.mu.Lock()
			s.stats.FramesWritten++
			s.notify()
			s.mu.Unlock()
		}
	}
}

// warn answers a client frame with server.warning; call with s.mu held.
func (s *Server) warn(sk *socket, msg string, f tada.ClientFrame) {
	var ev tada.Warning
	ev.Message = msg
	ev.Orig.ConfirmID, ev.Orig.Event = f.ConfirmID, f.Name
	frame, _ := tada.EncodeFrame(tada.EventWarning, ev, "")
	s.enqueue(sk, frame)
	s.stats.Warnings++
}

func (s *Server) handleClient(sk *socket, data []byte) {
	s.mu.Lock()
	defer s.mu.Unlock()
	defer s.notify()
	f, err := tada.DecodeClientFrame(data)
	if err != nil {
		s.warn(sk, err.Error(), f)
		return
	}
	if f.Name == tada.ClientConfirm {
		if sk.user.Bot && s.killOnConfirm > 0 {
			s.killOnConfirm--
			if s.killOnConfirm == 0 {
				for o := range s.sockets {
					if o.user.Bot {
						o.close()
					}
				}
				return
			}
		}
		p := f.Params.(*tada.ConfirmParams)
		q := s.unconfirmed[sk.user.JID]
		// In place: a copy of the whole backlog per confirm made a long
		// backlog quadratic, and the socket kept reading confirms long
		// after its client had gone.
		for i, ev := range q {
			if ev.id == p.ConfirmID {
				if i == 0 {
					q[0] = unconfirmed{}
					s.unconfirmed[sk.user.JID] = q[1:]
				} else {
					s.unconfirmed[sk.user.JID] = slices.Delete(q, i, i+1)
				}
				break
			}
		}
		s.stats.ConfirmsTaken++
		return
	}
	if f.ConfirmID != "" {
		if _, dup := s.seenConfirm[f.ConfirmID]; dup {
			s.stats.DuplicateSends++
		}
		s.seenConfirm[f.ConfirmID] = struct{}{}
	}
	if !tada.KnownClientEvent(f.Name) {
		s.warn(sk, "unknown event: "+f.Name, f)
		return
	}
	if msg, ok := s.refuse[f.Name]; ok {
		delete(s.refuse, f.Name)
		s.warn(sk, msg, f)
		return
	}
	switch p := f.Params.(type) {
	case *tada.MessageParams:
		if _, err := s.upsertLocked(sk.user.JID, *p); err != nil {
			s.warn(sk, err.Error(), f)
			return
		}
	case *tada.DeleteParams:
		sm, err := s.w.remove(sk.user.JID, p.MessageID)
		if err != nil {
			s.warn(sk, err.Error(), f)
			return
		}
		s.sendViews(sm, true)
	case *tada.ComposingParams:
		var ev tada.ChatComposing
		ev.JID, ev.Actor, ev.Composing, ev.IsAudio = sk.user.JID, sk.user.JID, p.Composing, p.IsAudio
		others := []string{}
		for _, jid := range s.w.audience(sk.user.JID, p.JID) {
			if jid != sk.user.JID {
				others = append(others, jid)
			}
		}
		s.send(others, tada.EventChatComposing, ev, false)
	case *tada.LastReadParams:
		if err := s.w.markRead(sk.user.JID, p.JID, p.LastReadMessageID); err != nil {
			s.warn(sk, err.Error(), f)
			return
		}
		var ev tada.ChatLastRead
		ev.Chats = []tada.Chat{{JID: p.JID, ChatType: tada.ChatTypeOf(p.JID), LastReadMessageID: p.LastReadMessageID}}
		s.send([]string{sk.user.JID}, tada.EventChatLastRead, ev, false)
		if sm, ok := s.w.msgs[p.LastReadMessageID]; ok && sm.msg.From != sk.user.JID {
			sm.msg.Received, sm.msg.NumReceived = true, sm.msg.NumReceived+1
			rcv := tada.MessageReceived{Messages: []tada.ReceivedMessage{{MessageID: sm.msg.MessageID,
				Chat: chatFor(&sm.msg, sm.msg.From), Received: true, NumReceived: sm.msg.NumReceived}}}
			s.send([]string{sm.msg.From}, tada.EventMessageReceived, rcv, true)
		}
	}
	if f.ConfirmID == "" {
		return
	}
	if s.swallowConfirms > 0 && f.Name != tada.ClientPing {
		s.swallowConfirms--
		return
	}
	frame, _ := tada.EncodeFrame(tada.EventConfirm, tada.ConfirmParams{ConfirmID: f.ConfirmID}, "")
	s.enqueue(sk, frame)
	s.stats.ConfirmsSent++
}
