package tadasim

import (
	"context"
	"errors"
	"fmt"
	"net"
	"net/http"
	"sync"
	"time"

	"github.com/coder/websocket"
	"go.uber.org/zap"

	"github.com/parleybot/parley/internal/simfault"
	"github.com/parleybot/parley/platform/tada"
)

// Defaults of the simulator's options.
const (
	DefaultTeam             = "0f5e6a52-5d49-4a3c-9b4e-7a1d3f0c2b11"
	DefaultBotName          = "parley"
	DefaultBotToken         = "bot-token"
	DefaultResendTimeout    = 2 // seconds, in /features.json
	DefaultMaxMessageLength = 4096
	DefaultSocketBuffer     = 4096
	DefaultMaxUnconfirmed   = 100000
)

type options struct {
	listen           string
	team             string
	botName          string
	botToken         string
	resendTimeout    float64
	maxMessageLength int
	socketBuffer     int
	logger           *zap.Logger
	now              func() time.Time
}

// Option configures a Server.
type Option interface{ apply(*options) }

type optionFunc func(*options)

func (f optionFunc) apply(o *options) { f(o) }

// WithListenAddr sets the listen address (default "127.0.0.1:0").
func WithListenAddr(addr string) Option { return optionFunc(func(o *options) { o.listen = addr }) }

// WithTeam sets the team uid (default DefaultTeam).
func WithTeam(uid string) Option { return optionFunc(func(o *options) { o.team = uid }) }

// WithBot sets the bot user's display name and token.
func WithBot(name, token string) Option {
	return optionFunc(func(o *options) { o.botName, o.botToken = name, token })
}

// WithResendTimeout sets resend_timeout in /features.json, in seconds.
func WithResendTimeout(seconds float64) Option {
	return optionFunc(func(o *options) { o.resendTimeout = seconds })
}

// WithMaxMessageLength sets max_message_length in /features.json; longer
// messages are refused with INVALID_DATA.
func WithMaxMessageLength(n int) Option {
	return optionFunc(func(o *options) { o.maxMessageLength = n })
}

// WithSocketBuffer sets how many frames a socket may have queued; a
// socket that falls further behind is closed (its unconfirmed events come
// again on the next connection).
func WithSocketBuffer(n int) Option {
	return optionFunc(func(o *options) { o.socketBuffer = max(n, 1) })
}

// WithLogger sets the logger.
func WithLogger(l *zap.Logger) Option { return optionFunc(func(o *options) { o.logger = l }) }

// WithClock sets the time source of created times and versions.
func WithClock(now func() time.Time) Option { return optionFunc(func(o *options) { o.now = now }) }

// Stats are the simulator's counters.
type Stats struct {
	Sockets        int // open WebSocket connections
	TotalSockets   int // connections accepted since Start (panicked ones too)
	Panics         int // connections refused with server.panic
	FramesSent     int // frames queued to sockets
	FramesWritten  int // frames written to sockets
	ConfirmsSent   int // server.confirm frames
	ConfirmsTaken  int // client.confirm frames received
	Redelivered    int // unconfirmed events sent again on a new connection
	Warnings       int // server.warning frames
	DuplicateSends int // client events received again with a confirm_id seen before
	RESTCalls      int // REST requests answered
	Drops          int // connections dropped by DropAfter and DropEvery
	Messages       int // messages created
}

// RESTFault is an error answer the next matching REST call gets.
type RESTFault struct {
	// Method and Path match the request; an empty field matches any.
	// Path is matched as a suffix (for example "/messages").
	Method, Path string
	Status       int
	Code         string
	Reason       string
}

// unconfirmed is an event sent to a user and not confirmed yet.
type unconfirmed struct {
	id    string
	frame []byte
}

// outFrame is a frame queued on a socket; again marks an unconfirmed
// event sent again on a new connection.
type outFrame struct {
	data  []byte
	again bool
}

// socket is one WebSocket connection of a user.
type socket struct {
	user *User
	ws   *websocket.Conn
	out  chan outFrame
	kill chan struct{}
	once sync.Once
}

func (sk *socket) close() { sk.once.Do(func() { close(sk.kill) }) }

// Server is a simulated Tada.team server for one team: the WebSocket at
// /messaging/{team}, the REST calls bots use under /api/v4 and
// /features.json.
type Server struct {
	opts options
	log  *zap.Logger

	srv     *http.Server
	ln      net.Listener
	url     string
	closing chan struct{}
	wg      sync.WaitGroup
	served  chan struct{} // closed when Serve returned

	// unused holds the connections that have not sent a request yet: a
	// graceful shutdown would wait for them (Go gives them five seconds),
	// so Close closes them once no more are accepted.
	connMu sync.Mutex
	unused map[net.Conn]struct{}

	mu          sync.Mutex
	changed     chan struct{} // closed and replaced on every change
	w           *world
	sockets     map[*socket]struct{}
	unconfirmed map[string][]unconfirmed // user JID → events in send order
	seenConfirm map[string]struct{}      // client confirm_ids received
	stats       Stats
	started     bool

	// Faults.
	drops           simfault.Drops // DropAfter and DropEvery
	killOnConfirm   int            // close at the n-th next client.confirm, unprocessed
	swallowConfirms int            // client events not answered with server.confirm
	restFaults      []RESTFault
	restHooks       []restHook
	stall           chan struct{}     // while set, WebSocket upgrades wait for it to close
	refuse          map[string]string // client event → warning for its next one
	delay           time.Duration
}

// New returns a simulator with a bot user; call Start.
func New(opts ...Option) *Server {
	o := options{listen: "127.0.0.1:0", team: DefaultTeam, botName: DefaultBotName, botToken: DefaultBotToken,
		resendTimeout: DefaultResendTimeout, maxMessageLength: DefaultMaxMessageLength, socketBuffer: DefaultSocketBuffer,
		now: time.Now}
	for _, op := range opts {
		op.apply(&o)
	}
	if o.logger == nil {
		o.logger = zap.NewNop()
	}
	return &Server{opts: o, log: o.logger, closing: make(chan struct{}), changed: make(chan struct{}),
		w: newWorld(o.team, o.botName, o.botToken, o.now), sockets: map[*socket]struct{}{},
		unconfirmed: map[string][]unconfirmed{}, seenConfirm: map[string]struct{}{}}
}

// Start listens and serves.
func (s *Server) Start() error {
	s.mu.Lock()
	defer s.mu.Unlock()
	if s.started {
		return errors.New("tadasim: already started")
	}
	ln, err := net.Listen("tcp", s.opts.listen)
	if err != nil {
		return err
	}
	s.ln = ln
	s.url = "http://" + ln.Addr().String()
	s.unused = map[net.Conn]struct{}{}
	s.srv = &http.Server{Handler: s.routes(), ReadHeaderTimeout: 10 * time.Second,
		ConnState: func(c net.Conn, st http.ConnState) {
			s.connMu.Lock()
			defer s.connMu.Unlock()
			if st == http.StateNew {
				s.unused[c] = struct{}{}
			} else {
				delete(s.unused, c)
			}
		}}
	s.started = true
	s.served = make(chan struct{})
	s.wg.Add(1)
	go func() {
		defer s.wg.Done()
		defer close(s.served)
		_ = s.srv.Serve(ln)
	}()
	return nil
}

// URL returns the server's base URL, such as "http://127.0.0.1:41234".
func (s *Server) URL() string {
	s.mu.Lock()
	defer s.mu.Unlock()
	return s.url
}

// Close ends every connection and stops the server.
func (s *Server) Close() error {
	s.mu.Lock()
	if !s.started {
		s.mu.Unlock()
		return nil
	}
	select {
	case <-s.closing:
		s.mu.Unlock()
		return nil
	default:
	}
	close(s.closing)
	for sk := range s.sockets {
		sk.close()
	}
	s.mu.Unlock()
	ctx, cancel := context.WithTimeout(context.Background(), 5*time.Second)
	defer cancel()
	shut := make(chan error, 1)
	go func() { shut <- s.srv.Shutdown(ctx) }() // closes the listener at once
	<-s.served                                  // every accepted connection has its state
	s.connMu.Lock()
	for c := range s.unused {
		_ = c.Close()
	}
	s.connMu.Unlock()
	err := <-shut
	if err != nil {
		_ = s.srv.Close()
	}
	s.wg.Wait()
	return err
}

// notify wakes Wait; call with s.mu held.
func (s *Server) notify() {
	close(s.changed)
	s.changed = make(chan struct{})
}

// Wait polls cond (called without the lock) after every change until it
// holds or timeout passes.
func (s *Server) Wait(timeout time.Duration, cond func() bool) error {
	deadline := time.NewTimer(timeout)
	defer deadline.Stop()
	for {
		s.mu.Lock()
		ch := s.changed
		s.mu.Unlock()
		if cond() {
			return nil
		}
		select {
		case <-ch:
		case <-deadline.C:
			if cond() {
				return nil
			}
			return fmt.Errorf("tadasim: condition not met within %s", timeout)
		case <-s.closing:
			return errors.New("tadasim: closed")
		}
	}
}

// Stats returns the counters.
func (s *Server) Stats() Stats {
	s.mu.Lock()
	defer s.mu.Unlock()
	st := s.stats
	st.Drops = s.drops.Made()
	st.Sockets = len(s.sockets)
	return st
}

// BotSockets returns the bot's open connections.
func (s *Server) BotSockets() int {
	s.mu.Lock()
	defer s.mu.Unlock()
	n := 0
	for sk := range s.sockets {
		select {
		case <-sk.kill:
		default:
			if sk.user.Bot {
				n++
			}
		}
	}
	return n
}

// Faults.

// DropAfter drops the bot's connections at the n-th frame from now: a
// frame going out on one of its sockets, or the answer to one of its REST
// calls. At a socket frame, that frame and those still queued are lost, as
// on a real network (unconfirmed events come again on the next
// connection). At an answer, the call is carried out but its connection is
// cut before the answer is written (its outcome is unknown to the bot),
// and the bot's sockets are closed too. n <= 0 turns it off.
func (s *Server) DropAfter(n int) {
	s.mu.Lock()
	s.drops.After(n)
	s.mu.Unlock()
}

// DropEvery drops the bot's connections at every n-th frame, as DropAfter
// does once, until DropEvery(0); calling it again starts the count anew.
func (s *Server) DropEvery(n int) {
	s.mu.Lock()
	s.drops.Every(n)
	s.mu.Unlock()
}

// cutBot counts one frame of the bot's against DropAfter and DropEvery
// and, when it drops there, closes the bot's sockets; it reports whether
// it did.
func (s *Server) cutBot() bool {
	s.mu.Lock()
	defer s.mu.Unlock()
	if !s.drops.Cut() {
		return false
	}
	s.log.Debug("dropping the bot's connections (fault)")
	s.dropBotLocked()
	return true
}

// dropBotLocked closes the bot's sockets; frames queued on them are lost.
// Call with s.mu held.
func (s *Server) dropBotLocked() {
	for o := range s.sockets {
		if o.user.Bot {
			o.close()
		}
	}
	s.notify()
}

// KillOnConfirm closes the bot's connections when the n-th client.confirm
// from now arrives, before it is taken: the event stays unconfirmed.
func (s *Server) KillOnConfirm(n int) {
	s.mu.Lock()
	s.killOnConfirm = max(n, 0)
	s.mu.Unlock()
}

// SwallowConfirms makes the server take the next n client events (other
// than pings) without answering server.confirm, as if the answer was lost.
func (s *Server) SwallowConfirms(n int) {
	s.mu.Lock()
	s.swallowConfirms = max(n, 0)
	s.mu.Unlock()
}

// FailNext makes the next REST call matching f get f's error.
func (s *Server) FailNext(f RESTFault) {
	s.mu.Lock()
	s.restFaults = append(s.restFaults, f)
	s.mu.Unlock()
}

// StallConnects drops the bot's connections and leaves every new
// WebSocket connection unanswered (the upgrade hangs, as behind a stuck
// proxy) until release is called; REST calls are answered meanwhile.
func (s *Server) StallConnects() (release func()) {
	s.mu.Lock()
	defer s.mu.Unlock()
	if s.stall == nil {
		s.stall = make(chan struct{})
	}
	ch := s.stall
	for sk := range s.sockets {
		if sk.user.Bot {
			sk.close()
		}
	}
	s.notify()
	return func() {
		s.mu.Lock()
		defer s.mu.Unlock()
		if s.stall == ch {
			close(ch)
			s.stall = nil
		}
	}
}

// restHook runs f before the next REST call that matches.
type restHook struct {
	method, path string
	f            func()
}

// BeforeNext runs f when the next REST call matching method and path
// (as in RESTFault; empty matches any) arrives, before it is answered:
// what f changes lands between two calls of a client, such as a contact
// that joins between a bot's contact list and its chat list.
func (s *Server) BeforeNext(method, path string, f func()) {
	s.mu.Lock()
	s.restHooks = append(s.restHooks, restHook{method: method, path: path, f: f})
	s.mu.Unlock()
}

// RefuseNext makes the server answer the next client event of this name
// with server.warning (message) instead of taking it.
func (s *Server) RefuseNext(event, message string) {
	s.mu.Lock()
	if s.refuse == nil {
		s.refuse = map[string]string{}
	}
	s.refuse[event] = message
	s.mu.Unlock()
}

// SetDelay delays every frame and REST answer by d (0 turns it off).
func (s *Server) SetDelay(d time.Duration) {
	s.mu.Lock()
	s.delay = d
	s.mu.Unlock()
}

// SendRaw sends a frame as it is to the bot's connections, such as a
// malformed one or an event type bots do not know.
func (s *Server) SendRaw(frame string) {
	s.mu.Lock()
	defer s.mu.Unlock()
	for sk := range s.sockets {
		if sk.user.Bot {
			s.enqueue(sk, []byte(frame))
		}
	}
}

// ForgetUnconfirmed drops the events waiting for the user's (the bot's
// when jid is empty) client.confirm, as a server that does not keep them
// (the real server's behaviour is not documented) would.
func (s *Server) ForgetUnconfirmed(jid string) {
	s.mu.Lock()
	defer s.mu.Unlock()
	if jid == "" {
		jid = s.w.botJID
	}
	delete(s.unconfirmed, jid)
}

// Unconfirmed returns how many events sent to the user (the bot when jid
// is empty) wait for client.confirm.
func (s *Server) Unconfirmed(jid string) int {
	s.mu.Lock()
	defer s.mu.Unlock()
	if jid == "" {
		jid = s.w.botJID
	}
	return len(s.unconfirmed[jid])
}

// enqueue queues a frame on a socket; call with s.mu held. A socket that
// is too far behind is closed.
func (s *Server) enqueue(sk *socket, frame []byte) { s.enqueueFrame(sk, outFrame{data: frame}) }

// enqueueFrame queues f on a socket, as enqueue does; call with s.mu held.
func (s *Server) enqueueFrame(sk *socket, frame outFrame) {
	select {
	case <-sk.kill:
		return // the connection is gone: nothing more goes out on it
	default:
	}
	select {
	case sk.out <- frame:
		s.stats.FramesSent++
	default:
		s.log.Warn("socket too far behind; closing", zap.String("user", sk.user.JID))
		sk.close()
	}
}

// send queues an event to every socket of the users; events that need
// confirming get one confirm_id per user and are kept until confirmed.
// Call with s.mu held.
func (s *Server) send(users []string, event string, params any, confirm bool) {
	for _, jid := range users {
		id := ""
		if confirm {
			id = tada.NewConfirmID()
		}
		frame, err := tada.EncodeFrame(event, params, id)
		if err != nil {
			s.log.Error("encoding", zap.String("event", event), zap.Error(err))
			return
		}
		if confirm {
			q := append(s.unconfirmed[jid], unconfirmed{id: id, frame: frame})
			if len(q) > DefaultMaxUnconfirmed {
				q = q[len(q)-DefaultMaxUnconfirmed:]
			}
			s.unconfirmed[jid] = q
		}
		for sk := range s.sockets {
			if sk.user.JID == jid {
				s.enqueue(sk, frame)
			}
		}
	}
	s.notify()
}

// sendViews sends server.message.updated to everyone who sees sm, each
// with their own view of it. Call with s.mu held.
func (s *Server) sendViews(sm *storedMessage, delayed bool) {
	for _, jid := range s.w.audience(sm.msg.From, sm.msg.To) {
		v := s.w.view(sm, jid)
		params := tada.MessageUpdated{Messages: []tada.Message{v}, Delayed: delayed,
			ChatCounters: []tada.ChatCounters{{JID: v.Chat, ChatType: v.ChatType, Gentime: v.Gentime}}}
		s.send([]string{jid}, tada.EventMessageUpdated, params, true)
	}
}

// The world's scripting API.

// Team returns the team uid.
func (s *Server) Team() string { return s.opts.team }

// Bot returns the bot user.
func (s *Server) Bot() User {
	s.mu.Lock()
	defer s.mu.Unlock()
	return *s.w.users[s.w.botJID]
}

// AddContact adds a member to the team and tells everyone with
// server.contact.updated.
func (s *Server) AddContact(name string) User {
	s.mu.Lock()
	defer s.mu.Unlock()
	u := s.w.addUser(name, "", false)
	s.send(s.w.order, tada.EventContactUpdated, tada.ContactUpdated{Contacts: []tada.Contact{s.w.contact(u)}}, false)
	return *u
}

// User returns the user with the JID.
func (s *Server) User(jid string) (User, bool) {
	s.mu.Lock()
	defer s.mu.Unlock()
	u, ok := s.w.users[jid]
	if !ok {
		return User{}, false
	}
	return *u, true
}

// NewGroup makes a group with the members (JID → status) and tells them
// with server.chat.updated.
func (s *Server) NewGroup(name string, members map[string]string) (string, error) {
	s.mu.Lock()
	defer s.mu.Unlock()
	g := &Group{JID: tada.PrefixGroup + s.w.uuid(), Name: name, Members: map[string]string{}}
	for jid, st := range members {
		if _, ok := s.w.users[jid]; !ok {
			return "", fmt.Errorf("%w: user %s", ErrNotFound, jid)
		}
		g.Members[jid] = st
	}
	s.w.groups[g.JID] = g
	var ev tada.ChatUpdated
	ev.Chats = []tada.Chat{s.w.groupChat(g)}
	s.send(s.w.audience("", g.JID), tada.EventChatUpdated, ev, false)
	return g.JID, nil
}

// Send makes a user send text to a chat (a contact's JID for a direct
// chat, or a group); it returns the message as the sender sees it.
func (s *Server) Send(from, to, text string) (tada.Message, error) {
	return s.SendParams(from, tada.MessageParams{To: to, Content: tada.MessageContent{Type: tada.ContentPlain, Text: text}})
}

// SendParams makes a user send a message, as client.message.updated does.
func (s *Server) SendParams(from string, p tada.MessageParams) (tada.Message, error) {
	s.mu.Lock()
	defer s.mu.Unlock()
	sm, err := s.upsertLocked(from, p)
	if err != nil {
		return tada.Message{}, err
	}
	return s.w.view(sm, from), nil
}

func (s *Server) upsertLocked(from string, p tada.MessageParams) (*storedMessage, error) {
	if n := s.opts.maxMessageLength; n > 0 && len([]rune(p.Content.Text)) > n {
		return nil, fmt.Errorf("%w: text longer than %d characters", errInvalid, n)
	}
	before := int64(0)
	if old, ok := s.w.msgs[p.MessageID]; ok && p.MessageID != "" {
		before = old.msg.Gentime
	}
	sm, isNew, err := s.w.upsert(from, p)
	if err != nil {
		return nil, err
	}
	if isNew {
		s.stats.Messages++
	}
	if isNew || sm.msg.Gentime != before {
		s.sendViews(sm, !isNew)
	}
	return sm, nil
}

// Edit makes the author change a message's text.
func (s *Server) Edit(from, id, text string) (tada.Message, error) {
	s.mu.Lock()
	defer s.mu.Unlock()
	old, ok := s.w.msgs[id]
	if !ok {
		return tada.Message{}, fmt.Errorf("%w: message %s", ErrNotFound, id)
	}
	p := tada.MessageParams{To: old.msg.To, MessageID: id, Content: tada.MessageContent{Type: tada.ContentPlain, Text: text}}
	sm, err := s.upsertLocked(from, p)
	if err != nil {
		return tada.Message{}, err
	}
	return s.w.view(sm, from), nil
}

// Delete makes a user delete a message.
func (s *Server) Delete(by, id string) error {
	s.mu.Lock()
	defer s.mu.Unlock()
	sm, err := s.w.remove(by, id)
	if err != nil {
		return err
	}
	s.sendViews(sm, true)
	return nil
}

// React toggles a user's reaction on a message.
func (s *Server) React(by, id, emoji string) error {
	s.mu.Lock()
	defer s.mu.Unlock()
	sm, err := s.w.react(by, id, emoji)
	if err != nil {
		return err
	}
	s.sendViews(sm, true)
	return nil
}

// MessagesFrom returns the messages a user sent, in creation order, as
// the server holds them now (deleted ones too).
func (s *Server) MessagesFrom(jid string) []tada.Message { return s.MessagesFromSince(jid, 0) }

// MessagesFromSince is MessagesFrom without the first n messages, for a
// caller that follows what a user sends without copying it all again.
func (s *Server) MessagesFromSince(jid string, n int) []tada.Message {
	s.mu.Lock()
	defer s.mu.Unlock()
	ids := s.w.byAuthor[jid]
	if n >= len(ids) {
		return nil
	}
	out := make([]tada.Message, 0, len(ids)-n)
	for _, id := range ids[max(n, 0):] {
		out = append(out, s.w.view(s.w.msgs[id], jid))
	}
	return out
}

// LastRead returns a user's (the bot's when jid is empty) last read
// message of a chat as that user names it, and how many messages of it
// are unread.
func (s *Server) LastRead(jid, chat string) (string, int) {
	s.mu.Lock()
	defer s.mu.Unlock()
	if jid == "" {
		jid = s.w.botJID
	}
	key := convKey(jid, chat)
	return s.w.lastRead[jid][key], len(s.w.unread(jid, key))
}

// Message returns a message as its author sees it.
func (s *Server) Message(id string) (tada.Message, bool) {
	s.mu.Lock()
	defer s.mu.Unlock()
	sm, ok := s.w.msgs[id]
	if !ok {
		return tada.Message{}, false
	}
	return s.w.view(sm, sm.msg.From), true
}

func (s *Server) convKeys() []string {
	out := make([]string, 0, len(s.w.conv))
	for k := range s.w.conv {
		out = append(out, k)
	}
	return out
}
