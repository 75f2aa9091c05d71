package privitty

import (
	"context"
	"encoding/json"
	"errors"
	"fmt"
	"net"
	"net/url"
	"slices"
	"strconv"
	"sync"
	"sync/atomic"
	"time"

	"go.uber.org/zap"

	"github.com/parleybot/parley/bot"
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
}

// cursorState is what the store keeps per account.
type cursorState struct {
	// Init is set once the first catch-up of the account is done.
	Init bool `json:"init"`
	// Floor is the highest message id when the account was first seen;
	// older messages were delivered then if unseen, or never.
	Floor int64 `json:"floor"`
	// Chats maps chat ids to the highest handled message id.
	Chats map[string]int64 `json:"chats"`
}

type chatInfo struct {
	chat    bot.Chat
	request bool
}

// item is what the stream reader hands the consumer: an event, a lag, or
// the news that a stream was opened.
type item struct {
	ev      bot.Event
	connect bool
}

// Platform is the Privitty Edge bot.Platform: an SSE event stream, a
// JSON-RPC client, and catch-up of missed messages. It implements
// bot.HandledNotifier, bot.Closer, bot.RequestAccepter, bot.Deleter,
// bot.Editor and bot.Reactor.
type Platform struct {
	cfg    config
	client *Client
	log    *zap.Logger

	connected atomic.Bool
	caughtUp  atomic.Bool
	listening atomic.Bool

	mu        sync.Mutex
	state     cursorState
	delivered map[int64]int64 // chat → highest message id passed on
	loaded    bool
	dirty     bool
	unseen    []int64
	chats     map[int64]chatInfo

	connects, idle, lags, lagged, resyncs, replayed, skipped, malformed, unknown, foreign atomic.Int64
}

// New returns a platform for the daemon at baseURL, such as
// "http://127.0.0.1:7200".
func New(baseURL string, opts ...Option) *Platform {
	cfg := defaultConfig()
	for _, o := range opts {
		o.apply(&cfg)
	}
	return &Platform{
		cfg:       cfg,
		client:    newClient(baseURL, cfg),
		log:       cfg.logger,
		state:     cursorState{Chats: map[string]int64{}},
		delivered: map[int64]int64{},
		chats:     map[int64]chatInfo{},
	}
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
	return Stats{
		Connects: p.connects.Load(), IdleTimeouts: p.idle.Load(), Lags: p.lags.Load(),
		LaggedEvents: p.lagged.Load(), Resyncs: p.resyncs.Load(), Replayed: p.replayed.Load(),
		Skipped: p.skipped.Load(), Malformed: p.malformed.Load(), Unknown: p.unknown.Load(),
		Foreign: p.foreign.Load(),
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
	case *ContactRequest:
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
	q := make(chan item, p.cfg.eventBuffer)
	var wg sync.WaitGroup
	wg.Add(2)
	go func() {
		defer wg.Done()
		p.readLoop(ctx, q)
	}()
	go func() {
		defer wg.Done()
		p.flushLoop(ctx)
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

// consume handles queued items in order. A connect or a lag triggers a
// catch-up, which runs before the items queued after it.
func (p *Platform) consume(ctx context.Context, q <-chan item, emit func(bot.Event) error) error {
	var batch []*IncomingMsg
	var next *item
	resync := false
	for {
		// A pending catch-up runs before waiting for more: after a failed
		// fetch the stream may stay quiet for a long time.
		if resync {
			resync = false
			if err := p.resync(ctx, emit); err != nil {
				return err
			}
			if ctx.Err() != nil {
				return nil
			}
		}
		var it item
		if next != nil {
			it, next = *next, nil
		} else {
			select {
			case it = <-q:
			case <-ctx.Done():
				return nil
			}
		}
		if it.connect {
			p.caughtUp.Store(false)
			resync = true
			continue
		}
		if lag, ok := it.ev.(*Lag); ok {
			p.lags.Add(1)
			p.lagged.Add(max(lag.Dropped, 0))
			p.log.Warn("privitty: the daemon dropped events; resynchronizing", zap.Int64("dropped", lag.Dropped))
			if err := emit(lag); err != nil {
				return err
			}
			resync = true
			continue
		}
		if im, ok := it.ev.(*IncomingMsg); ok {
			// Take the IncomingMsg events queued right behind it, to
			// fetch them with one call.
			batch = append(batch[:0], im)
		gather:
			for len(batch) < catchUpPage {
				select {
				case n := <-q:
					if m, ok := n.ev.(*IncomingMsg); ok && !n.connect {
						batch = append(batch, m)
						continue
					}
					next = &n
					break gather
				default:
					break gather
				}
			}
			ok, err := p.deliverLive(ctx, batch, emit)
			if err != nil {
				return err
			}
			resync = !ok
			continue
		}
		if err := p.onEvent(it.ev, emit); err != nil {
			return err
		}
	}
}

// onEvent passes on an event that is not a message.
func (p *Platform) onEvent(e bot.Event, emit func(bot.Event) error) error {
	switch e := e.(type) {
	case *ChatModified:
		p.mu.Lock()
		delete(p.chats, e.ChatID)
		p.mu.Unlock()
	case *Unknown:
		p.unknown.Add(1)
	}
	return emit(e)
}

func (p *Platform) ours(account int64) bool {
	return account == 0 || account == p.client.Account()
}

// deliverLive fetches and passes on live messages. It returns false when
// a fetch failed in a way only a catch-up can repair.
func (p *Platform) deliverLive(ctx context.Context, evs []*IncomingMsg, emit func(bot.Event) error) (bool, error) {
	ids := make([]int64, 0, len(evs))
	for _, e := range evs {
		if !p.ours(e.AccountID) {
			p.foreign.Add(1)
			continue
		}
		if p.isDelivered(e.ChatID, e.MsgID) {
			p.skipped.Add(1)
			continue
		}
		ids = append(ids, e.MsgID)
	}
	if len(ids) == 0 {
		return true, nil
	}
	msgs, err := p.fetch(ctx, ids)
	if err != nil {
		if ctx.Err() != nil {
			return true, nil
		}
		p.log.Warn("privitty: fetching new messages failed; catching up", zap.Error(err))
		return false, nil
	}
	for _, id := range ids {
		m := msgs[id]
		if m == nil {
			continue
		}
		if err := p.deliver(ctx, m, false, emit); err != nil {
			if errors.Is(err, bot.ErrStopped) {
				return true, err
			}
			p.log.Warn("privitty: delivering a message failed; catching up", zap.Int64("msg", id), zap.Error(err))
			return false, nil
		}
	}
	return true, nil
}

// fetch loads messages by id with get_messages: a message that does not
// load (deleted, say) comes back as a per-item error and is logged and left
// out; a failed call is an error, which the caller repairs with a
// catch-up, since a transient failure must not lose messages.
func (p *Platform) fetch(ctx context.Context, ids []int64) (map[int64]*Message, error) {
	res, err := p.client.GetMessages(ctx, ids)
	if err != nil {
		return nil, err
	}
	out := make(map[int64]*Message, len(ids))
	for id, r := range res {
		if r.Message == nil {
			p.log.Info("privitty: message did not load", zap.Int64("msg", id), zap.String("error", r.Error))
			continue
		}
		out[id] = r.Message
	}
	return out, nil
}

// deliver passes message m on as an IncomingMsg, or as a ContactRequest
// when its chat is one. The bot's own, info and device messages are not
// passed on.
func (p *Platform) deliver(ctx context.Context, m *Message, replayed bool, emit func(bot.Event) error) error {
	if !m.Incoming() {
		return nil
	}
	info, err := p.chatInfo(ctx, m.ChatID)
	if err != nil {
		return err
	}
	if !p.markDelivered(m.ChatID, m.ID) {
		p.skipped.Add(1)
		return nil
	}
	if replayed {
		p.replayed.Add(1)
	}
	acct := p.client.Account()
	if info.request {
		return emit(&ContactRequest{AccountID: acct, ChatID: m.ChatID, Msg: m, Chat: info.chat, Replayed: replayed})
	}
	e := NewIncomingMsg(acct, m, info.chat)
	e.Replayed = replayed
	return emit(e)
}

func kindOf(t ChatType) bot.ChatKind {
	if t.IsGroup() {
		return bot.Group
	}
	return bot.Direct
}

// chatInfo returns what the platform knows of a chat, asking the daemon
// when it knows nothing or the chat was a contact request (which may have
// been accepted elsewhere since).
func (p *Platform) chatInfo(ctx context.Context, chatID int64) (chatInfo, error) {
	p.mu.Lock()
	ci, ok := p.chats[chatID]
	p.mu.Unlock()
	if ok && !ci.request {
		return ci, nil
	}
	c, err := p.client.GetChat(ctx, chatID)
	if err != nil {
		return chatInfo{}, err
	}
	ci = chatInfo{chat: bot.Chat{ID: strconv.FormatInt(chatID, 10), Kind: kindOf(c.ChatType), Title: c.Name}, request: c.IsContactRequest}
	p.cacheChat(chatID, ci)
	return ci, nil
}

func (p *Platform) cacheChat(chatID int64, ci chatInfo) {
	p.mu.Lock()
	if len(p.chats) >= maxCachedChats {
		clear(p.chats)
	}
	p.chats[chatID] = ci
	p.mu.Unlock()
}

func (p *Platform) isDelivered(chat, id int64) bool {
	p.mu.Lock()
	defer p.mu.Unlock()
	return id <= p.delivered[chat]
}

// markDelivered records that message id of chat is being passed on; it
// returns false when it or a later one of the chat was passed on already.
func (p *Platform) markDelivered(chat, id int64) bool {
	p.mu.Lock()
	defer p.mu.Unlock()
	if id <= p.delivered[chat] {
		return false
	}
	p.delivered[chat] = id
	return true
}

// resync runs a catch-up, retrying with backoff until it succeeds or ctx
// ends. Live events wait meanwhile.
func (p *Platform) resync(ctx context.Context, emit func(bot.Event) error) error {
	backoff := p.cfg.minBackoff
	for {
		err := p.catchUp(ctx, emit)
		if err == nil {
			p.caughtUp.Store(true)
			return nil
		}
		if errors.Is(err, bot.ErrStopped) {
			return err
		}
		if ctx.Err() != nil {
			return nil
		}
		p.log.Warn("privitty: catch-up failed; retrying", zap.Error(err))
		if !sleep(ctx, jitter(backoff)) {
			return nil
		}
		backoff = min(2*backoff, p.cfg.maxBackoff)
	}
}

func (p *Platform) cursorKey() string {
	return "privitty:cursors:" + strconv.FormatInt(p.client.Account(), 10)
}

// load settles the account and reads the stored cursors, once.
func (p *Platform) load(ctx context.Context) error {
	if _, err := p.client.ResolveAccount(ctx); err != nil {
		return fmt.Errorf("privitty: finding the account: %w", err)
	}
	p.mu.Lock()
	loaded := p.loaded
	p.mu.Unlock()
	if loaded {
		return nil
	}
	var st cursorState
	if p.cfg.store != nil {
		data, ok, err := p.cfg.store.Get(ctx, p.cursorKey())
		if err != nil {
			return fmt.Errorf("privitty: loading cursors: %w", err)
		}
		if ok {
			if err := json.Unmarshal(data, &st); err != nil {
				p.log.Warn("privitty: stored cursors unreadable; starting as new", zap.Error(err))
				st = cursorState{}
			}
		}
	}
	p.mu.Lock()
	defer p.mu.Unlock()
	p.loaded = true
	if st.Init && !p.state.Init {
		p.state.Init, p.state.Floor = true, st.Floor
	}
	for k, id := range st.Chats {
		chat, err := strconv.ParseInt(k, 10, 64)
		if err != nil {
			continue
		}
		p.state.Chats[k] = max(p.state.Chats[k], id)
		p.delivered[chat] = max(p.delivered[chat], id)
	}
	return nil
}

// after returns the id after which messages of chat are new.
func (p *Platform) after(chat int64) int64 {
	p.mu.Lock()
	defer p.mu.Unlock()
	return max(p.state.Floor, p.delivered[chat])
}

// catchUp walks the chat list (archived chats too) for messages newer
// than what was passed on and delivers them in id order. On an account's
// first catch-up only unseen messages up to the current newest are
// delivered, so a new bot does not answer old history.
func (p *Platform) catchUp(ctx context.Context, emit func(bot.Event) error) error {
	if err := p.load(ctx); err != nil {
		return err
	}
	p.resyncs.Add(1)
	if !p.cfg.catchUp {
		p.initFloor(0)
		return nil
	}
	p.mu.Lock()
	first := !p.state.Init
	p.mu.Unlock()

	var entries []int64
	for _, flags := range []int{ChatlistNoSpecials, ChatlistNoSpecials | ChatlistArchivedOnly} {
		ids, err := p.client.GetChatlistEntries(ctx, flags)
		if err != nil {
			return err
		}
		entries = append(entries, ids...)
	}
	slices.Sort(entries)
	entries = slices.Compact(entries)
	var newest int64
	var cand []int64
	for len(entries) > 0 {
		page := entries[:min(len(entries), catchUpPage)]
		entries = entries[len(page):]
		items, err := p.client.GetChatlistItems(ctx, page)
		if err != nil {
			return err
		}
		for _, chat := range page {
			it, ok := items[chat]
			if !ok || it.Kind == "ArchiveLink" || it.Kind == "Error" || chat <= LastSpecialID {
				continue
			}
			p.cacheChat(chat, chatInfo{chat: bot.Chat{ID: strconv.FormatInt(chat, 10), Kind: kindOf(it.ChatType), Title: it.Name}, request: it.IsContactRequest})
			newest = max(newest, it.LastMessageID)
			after := p.after(chat)
			if it.LastMessageID != 0 && it.LastMessageID <= after {
				continue
			}
			if first && it.FreshMessageCounter == 0 && !it.IsContactRequest && it.LastMessageID != 0 {
				continue
			}
			ids, err := p.client.GetMessageIDs(ctx, chat)
			if err != nil {
				var re *RPCError
				if errors.As(err, &re) {
					p.log.Info("privitty: catch-up skipped a chat", zap.Int64("chat", chat), zap.Error(err))
					continue
				}
				return err
			}
			for _, id := range ids {
				if id > after {
					cand = append(cand, id)
				}
			}
		}
	}
	slices.Sort(cand)
	cand = slices.Compact(cand)
	floor := newest // only read on the first catch-up
	for len(cand) > 0 {
		page := cand[:min(len(cand), catchUpPage)]
		cand = cand[len(page):]
		msgs, err := p.fetch(ctx, page)
		if err != nil {
			return err
		}
		for _, id := range page {
			m := msgs[id]
			if m == nil {
				continue
			}
			if first && id <= floor && m.State != StateInFresh {
				continue
			}
			if err := p.deliver(ctx, m, true, emit); err != nil {
				return err
			}
		}
	}
	if first {
		p.initFloor(newest)
	}
	return nil
}

func (p *Platform) initFloor(newest int64) {
	p.mu.Lock()
	if !p.state.Init {
		p.state.Init, p.state.Floor, p.dirty = true, newest, true
	}
	p.mu.Unlock()
}

// EventHandled implements bot.HandledNotifier: it advances the handled
// cursor of the message's chat and queues the message to be marked seen.
func (p *Platform) EventHandled(e bot.Event, err error) {
	var chat, id int64
	seen := false
	switch e := e.(type) {
	case *IncomingMsg:
		chat, id, seen = e.ChatID, e.MsgID, true
	case *ContactRequest:
		chat, id = e.ChatID, e.Msg.ID
	default:
		return
	}
	k := strconv.FormatInt(chat, 10)
	p.mu.Lock()
	defer p.mu.Unlock()
	if id > p.state.Chats[k] {
		p.state.Chats[k] = id
		p.dirty = true
	}
	if seen && p.cfg.markSeen {
		p.unseen = append(p.unseen, id)
	}
}

func (p *Platform) flushLoop(ctx context.Context) {
	t := time.NewTicker(p.cfg.flushEvery)
	defer t.Stop()
	for {
		select {
		case <-ctx.Done():
			return
		case <-t.C:
			if ctx.Err() != nil {
				return // Close writes what is left
			}
			if err := p.flush(ctx); err != nil && ctx.Err() == nil {
				p.log.Warn("privitty: saving progress", zap.Error(err))
			}
		}
	}
}

// flush writes the cursors and marks handled messages seen.
func (p *Platform) flush(ctx context.Context) error {
	p.mu.Lock()
	var data []byte
	var err error
	if p.dirty && p.cfg.store != nil && p.loaded {
		data, err = json.Marshal(p.state)
		p.dirty = false
	}
	seen := p.unseen
	p.unseen = nil
	p.mu.Unlock()
	if err != nil {
		return err
	}
	var errs []error
	if data != nil {
		if err := p.cfg.store.Set(ctx, p.cursorKey(), data, 0); err != nil {
			p.mu.Lock()
			p.dirty = true
			p.mu.Unlock()
			errs = append(errs, err)
		}
	}
	if len(seen) > 0 {
		if err := p.client.MarkseenMsgs(ctx, seen); err != nil {
			var re *RPCError
			if !errors.As(err, &re) {
				// Not refused, just not delivered: kept for the next
				// flush (marking twice is harmless).
				p.mu.Lock()
				p.unseen = append(seen, p.unseen...)
				p.mu.Unlock()
			}
			errs = append(errs, fmt.Errorf("marking %d messages seen: %w", len(seen), err))
		}
	}
	return errors.Join(errs...)
}

// Close writes the cursors and marks handled messages seen.
func (p *Platform) Close(ctx context.Context) error { return p.flush(ctx) }

func parseID(what, s string) (int64, error) {
	id, err := strconv.ParseInt(s, 10, 64)
	if err != nil || id <= 0 {
		return 0, fmt.Errorf("privitty: %s id %q: want a positive decimal number", what, s)
	}
	return id, nil
}

// Send implements bot.Platform: the text (quoting m.ReplyTo) and the first
// file go as one message, further files as one message each. It returns
// the ids of what was sent, also when a later part fails.
func (p *Platform) Send(ctx context.Context, chatID string, m bot.Outgoing) ([]string, error) {
	chat, err := parseID("chat", chatID)
	if err != nil {
		return nil, err
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
		ids = append(ids, strconv.FormatInt(id, 10))
	}
	return ids, nil
}

// AcceptRequest implements bot.RequestAccepter: accept_chat, then the
// welcome, if any.
func (p *Platform) AcceptRequest(ctx context.Context, r bot.Request, opts bot.AcceptOptions) error {
	e, ok := r.(*ContactRequest)
	if !ok {
		return fmt.Errorf("privitty: cannot accept %s: %w", r.Type(), bot.ErrUnsupported)
	}
	if err := p.client.AcceptChat(ctx, e.ChatID); err != nil {
		return err
	}
	p.cacheChat(e.ChatID, chatInfo{chat: e.Chat})
	if opts.Welcome != "" {
		_, err := p.Send(ctx, strconv.FormatInt(e.ChatID, 10), bot.Outgoing{Text: opts.Welcome})
		return err
	}
	return nil
}

// RejectRequest implements bot.RequestAccepter with block_chat.
func (p *Platform) RejectRequest(ctx context.Context, r bot.Request) error {
	e, ok := r.(*ContactRequest)
	if !ok {
		return fmt.Errorf("privitty: cannot reject %s: %w", r.Type(), bot.ErrUnsupported)
	}
	if err := p.client.BlockChat(ctx, e.ChatID); err != nil {
		return err
	}
	p.mu.Lock()
	delete(p.chats, e.ChatID)
	p.mu.Unlock()
	return nil
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
