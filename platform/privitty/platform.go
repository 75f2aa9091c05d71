package privitty

import (
	"context"
	"errors"
	"fmt"
	"net"
	"net/url"
	"strconv"
	"sync"
	"sync/atomic"
	"time"

	"go.uber.org/zap"

	"github.com/parleybot/parley/bot"
	"github.com/parleybot/parley/platform/kit"
)

// catchUpPage is how many messages one get_messages call fetches.
const catchUpPage = 100

// maxCachedChats bounds the chat-info cache.
const maxCachedChats = 10000

// Stats are the platform's counters.
type Stats struct {
	Connects     int64 // event streams opened
	IdleTimeouts int64 // streams reopened because they fell silent
	Lags         int64 // `event: lag` received
	LaggedEvents int64 // events the daemon said it dropped
	Resyncs      int64 // catch-ups run (after a connect or a lag)
	Replayed     int64 // messages delivered by catch-up
	Skipped      int64 // live messages already delivered by catch-up
	Malformed    int64 // event data that could not be decoded
	Unknown      int64 // events of unknown types (passed on)
	Foreign      int64 // events of other accounts (dropped)
	// Overflowed counts message events the stream reader left out while
	// the handlers were behind (its queue full), to keep reading the
	// stream; a catch-up fetched their messages.
	Overflowed int64
	// Answered counts messages a catch-up did not pass on again because
	// the chat holds a message of the bot's own that quotes them: the bot
	// answered them before a crash or a lost answer.
	Answered int64
	// Resets counts the times the daemon's message ids went backwards (its
	// account was re-created) and the platform started over from the
	// daemon's state.
	Resets int64
}

// floorState is what the store keeps per account beside the kit's
// cursors: whether the account's first catch-up is done, and the highest
// message id at that time. Older messages were delivered then if unseen,
// or never.
type floorState struct {
	Init  bool  `json:"init"`
	Floor int64 `json:"floor"`
	// Gen counts the account databases the platform met: it grows when
	// the daemon's message ids went backwards (the account was
	// re-created), and is part of the events' dedupe keys.
	Gen int64 `json:"gen,omitempty"`
	// Fingerprint is the account key's, as get_info said at the last
	// catch-up, and Highest the highest message id the daemon had then.
	Fingerprint string `json:"fingerprint,omitempty"`
	Highest     int64  `json:"highest,omitempty"`
}

type chatInfo struct {
	chat    bot.Chat
	request bool
}

// item is what the stream reader hands the consumer: an event, or a
// catch-up due because a stream was opened or messages were left out
// while the consumer was behind, with the events held meanwhile, to pass
// on after it.
type item struct {
	ev      bot.Event
	connect bool
	missed  int64
	held    []bot.Event
}

func (it item) pending() bool { return it.connect || it.missed > 0 || len(it.held) > 0 }

// Platform is the Privitty Edge bot.Platform: an SSE event stream, a
// JSON-RPC client, and delivery through the kit: per-chat cursors of
// message ids, catch-up after reconnects, lags and restarts. It
// implements bot.HandledNotifier, bot.Closer, bot.RequestAccepter (for
// contact requests and group invitations),
// bot.Deleter, bot.Editor and bot.Reactor.
type Platform struct {
	cfg    config
	client *Client
	log    *zap.Logger
	d      *kit.Delivery

	// behind is the catch-up due before the next event the reader queues
	// (see offer); nudge tells the consumer, which may run it first.
	behindMu sync.Mutex
	behind   item
	nudge    chan struct{}

	connected atomic.Bool
	caughtUp  atomic.Bool
	listening atomic.Bool

	mu    sync.Mutex
	floor floorState
	// firstFloor is the newest message id seen by an account's first
	// catch-up while it runs.
	firstFloor int64
	loaded     bool
	unseen     []int64
	chats      map[int64]chatInfo
	// pending holds, per request chat, the message of the request passed
	// on and not handled yet; the chat's later messages wait for it.
	pending map[int64]int64
	// redo holds, per chat AcceptRequest accepted, the request's message:
	// it and the chat's later messages are passed on (again) as messages
	// by a catch-up of the chat that starts at it, and by nothing else.
	redo map[int64]int64
	// blocked holds the chats RejectRequest blocked.
	blocked map[int64]bool
	// retry holds the chats with a message whose handler's command was
	// not delivered since their last catch-up: the next catch-up visits
	// them even when nothing newer arrived, to pass it on again, and one
	// of them alone runs after a delay if no reconnect comes first.
	retry map[int64]bool
	// read is what the running catch-up read of one chat ahead of its
	// pages (readPage).
	read *chatRead
	// fresh and freshWhole are, during an account's first catch-up, the
	// unseen messages and the chats they are all listed for (hintFresh).
	fresh, freshWhole map[int64]bool
	// later holds chats to catch up as soon as the consumer can, such as
	// an accepted request's; wake tells the consumer.
	later map[int64]bool
	wake  chan struct{}
	// answeredRing and answeredSet are the ids of the last messages a
	// catch-up skipped as answered (skipAnswered).
	answeredRing []int64
	answeredSet  map[int64]bool
	// sentRing and sentSet are the ids of the last messages the bot sent.
	sentRing []int64
	sentSet  map[int64]bool
	// seen is the highest message id met live since the last catch-up
	// (delivered or sent), for floorState.Highest.
	seen int64
	// lastCheck is when a far-too-low live id last started a catch-up.
	lastCheck time.Time
	// noted holds the kinds of odd input already logged at warning or
	// info level; later ones of a kind go to debug (they are counted).
	noted map[string]bool

	connects, idle, lags, lagged, resyncs, malformed, unknown, foreign, resets, answered, overflowed atomic.Int64
}

// New returns a platform for the daemon at baseURL, such as
// "http://127.0.0.1:7200".
func New(baseURL string, opts ...Option) *Platform {
	cfg := defaultConfig()
	for _, o := range opts {
		o.apply(&cfg)
	}
	p := &Platform{
		cfg:     cfg,
		client:  newClient(baseURL, cfg),
		log:     cfg.logger,
		chats:   map[int64]chatInfo{},
		pending: map[int64]int64{}, redo: map[int64]int64{}, blocked: map[int64]bool{}, retry: map[int64]bool{},
		later: map[int64]bool{}, wake: make(chan struct{}, 1), nudge: make(chan struct{}, 1), sentSet: map[int64]bool{}, answeredSet: map[int64]bool{},
		noted: map[string]bool{},
	}
	p.d = kit.NewDelivery(kit.FetchFunc(p.fetchAfter), kit.Config{
		Store: cfg.store, Logger: cfg.logger.Named("delivery"), Page: catchUpPage,
		FlushEvery: cfg.flushEvery, AfterFlush: p.markSeen,
	})
	return p
}

// Name returns "privitty".
func (p *Platform) Name() string { return "privitty" }

// Client returns the command client.
func (p *Platform) Client() *Client { return p.client }

// Ready reports whether the event stream is open and the catch-up after
// opening it is done.
func (p *Platform) Ready() bool { return p.connected.Load() && p.caughtUp.Load() }

// Stats returns the platform's counters.
func (p *Platform) Stats() Stats {
	ds := p.d.Stats()
	return Stats{
		Connects: p.connects.Load(), IdleTimeouts: p.idle.Load(), Lags: p.lags.Load(),
		LaggedEvents: p.lagged.Load(), Resyncs: p.resyncs.Load(), Replayed: ds.Replayed,
		Skipped: ds.Skipped, Malformed: p.malformed.Load(), Unknown: p.unknown.Load(),
		Foreign: p.foreign.Load(), Resets: p.resets.Load(), Answered: p.answered.Load(), Overflowed: p.overflowed.Load(),
	}
}

// ClientOf returns the Privitty client of the platform that delivered c's
// event, or nil when it came from another platform.
func ClientOf(c *bot.Context) *Client {
	if p, ok := c.Platform().(*Platform); ok {
		return p.client
	}
	return nil
}

// MessageOf returns the Delta Chat message of c's event, or nil when the
// event carries none.
func MessageOf(c *bot.Context) *Message {
	switch e := c.Event().(type) {
	case *IncomingMsg:
		return e.Msg
	case *MsgEdited:
		return e.Msg
	case *ContactRequest:
		return e.Msg
	case *GroupInvitation:
		return e.Msg
	case *InfoMsg:
		return e.Msg
	case *MembersChanged:
		return e.Msg
	}
	return nil
}

// InsecureURL reports why base is unsafe for a daemon whose /rpc has no
// authentication: it is neither loopback nor HTTPS. It returns "" when it
// is safe.
func InsecureURL(base string) string {
	u, err := url.Parse(base)
	if err != nil {
		return "the URL does not parse: " + err.Error()
	}
	if u.Scheme == "https" {
		return ""
	}
	host := u.Hostname()
	if host == "localhost" {
		return ""
	}
	if ip := net.ParseIP(host); ip != nil && ip.IsLoopback() {
		return ""
	}
	return "plain HTTP to a non-loopback host: anyone on the path can read messages and send commands (the daemon's /rpc has no authentication)"
}

// Listen implements bot.Platform: it keeps the event stream open,
// reconnecting with backoff, and passes events on in order.
func (p *Platform) Listen(ctx context.Context, emit func(bot.Event) error) error {
	if !p.listening.CompareAndSwap(false, true) {
		return errors.New("privitty: platform already listening")
	}
	defer p.listening.Store(false)
	if why := InsecureURL(p.client.base); why != "" {
		p.log.Warn("privitty: insecure daemon URL", zap.String("url", p.client.base), zap.String("why", why))
	}
	ctx, cancel := context.WithCancel(ctx)
	defer cancel()
	p.d.Begin(p.marking(emit))
	p.takeBehind() // what an earlier Listen left: this one's stream opens anew
	q := make(chan item, p.cfg.eventBuffer)
	var wg sync.WaitGroup
	wg.Add(2)
	go func() {
		defer wg.Done()
		p.readLoop(ctx, q)
	}()
	go func() {
		defer wg.Done()
		p.d.Run(ctx)
	}()
	err := p.consume(ctx, q, emit)
	cancel()
	wg.Wait()
	p.connected.Store(false)
	p.caughtUp.Store(false)
	if errors.Is(err, bot.ErrStopped) || ctx.Err() != nil {
		return nil
	}
	return err
}

// Close writes the cursors, marks handled messages seen and closes the
// idle connections of the client's own transport (their goroutines would
// otherwise outlive the platform until the idle timeout).
func (p *Platform) Close(ctx context.Context) error {
	defer p.client.CloseIdleConnections()
	err := p.d.Flush(ctx)
	p.mu.Lock()
	raise := p.loaded && p.floor.Init && p.seen > p.floor.Highest
	if raise {
		p.floor.Highest = p.seen
	}
	p.mu.Unlock()
	if raise {
		err = errors.Join(err, p.saveFloor(ctx))
	}
	return err
}

// EventHandled implements bot.HandledNotifier: it advances the handled
// cursor of the message's chat and queues the message to be marked seen,
// unless a command of its handler was not delivered (then the message is
// passed on again after the next reconnect). A request that was accepted
// leaves its message to be passed on again at once, as a message. Events
// of an account database that was replaced meanwhile change nothing.
func (p *Platform) EventHandled(e bot.Event, err error) {
	var chat, id, gen int64
	seen, request := false, false
	switch e := e.(type) {
	case *IncomingMsg:
		chat, id, gen, seen = e.ChatID, e.MsgID, e.gen, true
	case *MembersChanged:
		chat, id, gen, seen = e.ChatID, e.Msg.ID, e.gen, true
	case *InfoMsg:
		chat, id, gen, seen = e.ChatID, e.Msg.ID, e.gen, true
	case *ContactRequest:
		chat, id, gen, request = e.ChatID, e.Msg.ID, e.gen, true
	case *GroupInvitation:
		chat, id, gen, request = e.ChatID, e.Msg.ID, e.gen, true
	default:
		return
	}
	p.mu.Lock()
	if gen != p.floor.Gen {
		p.mu.Unlock()
		return
	}
	accepted := false
	if request {
		if p.pending[chat] == id {
			delete(p.pending, chat)
		}
		accepted = p.redo[chat] == id
	}
	undelivered := bot.Undelivered(err)
	if seen && p.cfg.markSeen && !undelivered {
		p.unseen = append(p.unseen, id)
	}
	if undelivered && !accepted {
		p.retry[chat] = true
		select {
		case p.wake <- struct{}{}: // to arm the retry
		default:
		}
	}
	p.mu.Unlock()
	if accepted {
		if undelivered {
			// Honest about what is not redone: the request is no more,
			// so only its message comes back, as a message.
			p.log.Warn("privitty: a request was accepted but a later command of its handler (a welcome, say) was not delivered and is not retried; its message is passed on again as a message",
				zap.Int64("chat", chat), zap.Int64("msg", id), zap.Error(err))
		}
		p.passAgain(chat, id)
		return
	}
	p.d.Handled(cursorChat(chat), id, err)
}

// maxNoted bounds how many kinds of odd input are remembered as logged.
const maxNoted = 256

// firstOf reports whether kind is met for the first time, so that it is
// logged loudly once and at debug level after.
func (p *Platform) firstOf(kind string) bool {
	p.mu.Lock()
	defer p.mu.Unlock()
	if p.noted[kind] {
		return false
	}
	if len(p.noted) >= maxNoted {
		return false
	}
	p.noted[kind] = true
	return true
}

// markSeen marks handled messages seen; it runs after each flush of the
// cursors.
func (p *Platform) markSeen(ctx context.Context) error {
	p.mu.Lock()
	seen := p.unseen
	p.unseen = nil
	p.mu.Unlock()
	if len(seen) == 0 {
		return nil
	}
	if err := p.client.MarkseenMsgs(ctx, seen); err != nil {
		var re *RPCError
		if !errors.As(err, &re) {
			// Not refused, just not delivered: kept for the next flush
			// (marking twice is harmless).
			p.mu.Lock()
			p.unseen = append(seen, p.unseen...)
			p.mu.Unlock()
		}
		return fmt.Errorf("marking %d messages seen: %w", len(seen), err)
	}
	return nil
}

func parseID(what, s string) (int64, error) {
	id, err := strconv.ParseInt(s, 10, 64)
	if err != nil || id <= 0 {
		return 0, fmt.Errorf("privitty: %s id %q: want a positive decimal number", what, s)
	}
	return id, nil
}

// Send implements bot.Platform: the text (quoting m.ReplyTo) and the first
// file go as one message, further files as one message each. It returns
// the ids of what was sent, also when a later part fails. A message with
// neither text nor file is refused with ErrEmptyMessage.
func (p *Platform) Send(ctx context.Context, chatID string, m bot.Outgoing) ([]string, error) {
	chat, err := parseID("chat", chatID)
	if err != nil {
		return nil, err
	}
	if m.Text == "" && len(m.Files) == 0 {
		return nil, ErrEmptyMessage
	}
	var quote int64
	if m.ReplyTo != "" {
		if quote, err = parseID("reply-to message", m.ReplyTo); err != nil {
			return nil, err
		}
	}
	first := MessageData{Text: m.Text, QuotedMessageID: quote}
	files := m.Files
	if len(files) > 0 {
		first.File, first.ViewType = files[0], ViewFile
		files = files[1:]
	}
	msgs := []MessageData{first}
	for _, f := range files {
		msgs = append(msgs, MessageData{File: f, ViewType: ViewFile})
	}
	var ids []string
	for _, md := range msgs {
		id, err := p.client.SendMsg(ctx, chat, md)
		if err != nil {
			return ids, err
		}
		p.noteSent(id)
		ids = append(ids, strconv.FormatInt(id, 10))
	}
	return ids, nil
}

// Delete implements bot.Deleter with delete_messages. Delta Chat deletes
// the message on the bot's devices and server; whether recipients' copies
// go too depends on the core.
func (p *Platform) Delete(ctx context.Context, chatID, msgID string) error {
	id, err := parseID("message", msgID)
	if err != nil {
		return err
	}
	return p.client.DeleteMessages(ctx, []int64{id})
}

// Edit implements bot.Editor with send_edit_request.
func (p *Platform) Edit(ctx context.Context, chatID, msgID, text string) error {
	id, err := parseID("message", msgID)
	if err != nil {
		return err
	}
	return p.client.SendEditRequest(ctx, id, text)
}

// React implements bot.Reactor with send_reaction.
func (p *Platform) React(ctx context.Context, chatID, msgID, emoji string) error {
	id, err := parseID("message", msgID)
	if err != nil {
		return err
	}
	_, err = p.client.SendReaction(ctx, id, emoji)
	return err
}
