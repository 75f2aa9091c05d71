package privitty

import (
	"context"
	"encoding/json"
	"errors"
	"fmt"
	"maps"
	"slices"
	"strconv"
	"time"

	"go.uber.org/zap"

	"github.com/parleybot/parley/bot"
	"github.com/parleybot/parley/platform/kit"
)

// cursorChat is a chat's key in the kit's cursors.
func cursorChat(chat int64) string { return strconv.FormatInt(chat, 10) }

// consume handles queued items in order. A connect or a lag triggers a
// catch-up, which runs before the items queued after it.
func (p *Platform) consume(ctx context.Context, q <-chan item, emit func(bot.Event) error) error {
	var batch []*IncomingMsg
	var next *item
	// held are the events the reader held while the consumer was behind,
	// passed on after the catch-up they came with.
	var held []bot.Event
	resync := false
	// A message whose handler's command was not delivered is passed on
	// again by the next catch-up; while the stream stays up none may come
	// for long, so one is run for its chat after a growing delay.
	rb := &kit.Backoff{Min: p.cfg.minBackoff, Max: p.cfg.maxBackoff}
	var retryC <-chan time.Time
	var retryTimer *time.Timer
	defer func() {
		if retryTimer != nil {
			retryTimer.Stop()
		}
	}()
	for {
		// A pending catch-up runs before waiting for more: after a failed
		// fetch the stream may stay quiet for a long time.
		if resync {
			resync = false
			if err := p.resync(ctx); err != nil {
				return err
			}
			if ctx.Err() != nil {
				return nil
			}
		}
		if retryC == nil && p.retryPending() {
			retryTimer = time.NewTimer(rb.Next())
			retryC = retryTimer.C
		}
		if err := p.catchUpLater(ctx); err != nil {
			if errors.Is(err, bot.ErrStopped) {
				return err
			}
			if ctx.Err() != nil {
				return nil
			}
			p.log.Warn("privitty: catching a chat up failed; catching up all", zap.Error(err))
			resync = true
			continue
		}
		var it item
		if len(held) > 0 {
			it = item{ev: held[0]}
			held = held[1:]
		} else if next != nil {
			it, next = *next, nil
		} else if b, ok := p.queued(q); ok {
			it = b
		} else {
			select {
			case it = <-q:
			case <-p.nudge:
				continue
			case <-p.wake:
				continue
			case <-retryC:
				retryC = nil
				if !p.retryLater() {
					rb.Reset() // nothing failed since: the next failure starts short
				}
				continue
			case <-ctx.Done():
				return nil
			}
		}
		if it.pending() {
			if it.connect {
				p.caughtUp.Store(false)
			}
			if it.missed > 0 {
				p.log.Debug("privitty: message events left out while the handlers were behind; catching up", zap.Int64("left_out", it.missed))
			}
			held = append(held, it.held...)
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
					if m, ok := n.ev.(*IncomingMsg); ok && !n.pending() {
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
		switch e := it.ev.(type) {
		case *EventChannelOverflow:
			p.lags.Add(1)
			p.lagged.Add(max(e.N, 0))
			p.log.Warn("privitty: the core dropped events; resynchronizing", zap.Int64("dropped", e.N))
			resync = true
		case *MsgsChanged:
			ok, err := p.msgsChanged(ctx, e, emit)
			if err != nil {
				return err
			}
			resync = !ok
			continue
		case *ChatDeleted:
			if p.ours(e.AccountID) {
				p.d.Forget(cursorChat(e.ChatID))
				p.mu.Lock()
				delete(p.chats, e.ChatID)
				p.mu.Unlock()
			}
		}
		if err := p.onEvent(it.ev, emit); err != nil {
			return err
		}
	}
}

// queued returns the next item queued or, once the queue is empty, the
// catch-up due that the reader could not queue.
func (p *Platform) queued(q <-chan item) (item, bool) {
	select {
	case it := <-q:
		return it, true
	default:
	}
	return p.takeBehind()
}

// msgsChanged reads MsgsChanged about one message of one chat: the core
// says so of messages it did not announce with IncomingMsg (one that
// arrived seen, or was downloaded later), which are delivered like new
// ones, and of edits, which go on as MsgEdited. The event itself is passed
// on after. It returns false when a catch-up must repair a failed fetch.
func (p *Platform) msgsChanged(ctx context.Context, e *MsgsChanged, emit func(bot.Event) error) (bool, error) {
	if !p.ours(e.AccountID) || e.ChatID <= LastSpecialID || e.MsgID <= LastSpecialID || p.sentByBot(e.MsgID) {
		return true, p.onEvent(e, emit)
	}
	if !p.d.Delivered(cursorChat(e.ChatID), e.MsgID) && !p.answeredBefore(e.MsgID) {
		ok, err := p.deliverLive(ctx, []*IncomingMsg{{MsgEvent: e.MsgEvent}}, emit)
		if err != nil || !ok {
			return ok, err
		}
		return true, p.onEvent(e, emit)
	}
	m, err := p.client.GetMessage(ctx, e.MsgID)
	if err != nil {
		if ctx.Err() != nil {
			return true, nil
		}
		p.log.Debug("privitty: a changed message did not load", zap.Int64("msg", e.MsgID), zap.Error(err))
		return true, p.onEvent(e, emit)
	}
	if m.Incoming() && m.IsEdited {
		info, err := p.chatInfo(ctx, m.ChatID)
		if err == nil && !info.request {
			err = p.wholeText(ctx, m)
		}
		if err != nil {
			p.log.Warn("privitty: reading an edited message failed", zap.Int64("msg", m.ID), zap.Error(err))
		} else if !info.request {
			ed := NewMsgEdited(p.client.Account(), m, info.chat)
			p.mu.Lock()
			ed.gen = p.floor.Gen
			p.mu.Unlock()
			if err := emit(ed); err != nil {
				return true, err
			}
		}
	}
	return true, p.onEvent(e, emit)
}

// checkEvery is the least time between two catch-ups started because a
// live message's id was far below its chat's cursor.
const checkEvery = time.Minute

// checkDue reports whether such a catch-up may start now.
func (p *Platform) checkDue() bool {
	p.mu.Lock()
	defer p.mu.Unlock()
	if !p.lastCheck.IsZero() && time.Since(p.lastCheck) < checkEvery {
		return false
	}
	p.lastCheck = time.Now()
	return true
}

// sentIDsKept bounds how many of its own message ids the platform keeps,
// to skip reading back what it sent itself when the core reports it.
const sentIDsKept = 1024

// noteSent remembers the ids of messages the bot sent.
func (p *Platform) noteSent(id int64) {
	p.mu.Lock()
	defer p.mu.Unlock()
	if len(p.sentRing) == sentIDsKept {
		delete(p.sentSet, p.sentRing[0])
		p.sentRing = p.sentRing[1:]
	}
	p.sentRing = append(p.sentRing, id)
	p.sentSet[id] = true
	p.seen = max(p.seen, id)
}

// noteSeen raises the highest message id met live.
func (p *Platform) noteSeen(id int64) {
	p.mu.Lock()
	p.seen = max(p.seen, id)
	p.mu.Unlock()
}

func (p *Platform) sentByBot(id int64) bool {
	p.mu.Lock()
	defer p.mu.Unlock()
	return p.sentSet[id]
}

// retryPending reports whether a chat has a message to pass on again.
func (p *Platform) retryPending() bool {
	p.mu.Lock()
	defer p.mu.Unlock()
	return len(p.retry) > 0
}

// retryLater hands the chats with a message to pass on again to
// catchUpLater; it reports whether there were any.
func (p *Platform) retryLater() bool {
	p.mu.Lock()
	defer p.mu.Unlock()
	for c := range p.retry {
		p.later[c] = true
	}
	n := len(p.retry)
	clear(p.retry)
	return n > 0
}

// catchUpLater catches up the chats catchUpSoon asked for. A chat whose
// catch-up failed stays asked for.
func (p *Platform) catchUpLater(ctx context.Context) error {
	p.mu.Lock()
	if len(p.later) == 0 {
		p.mu.Unlock()
		return nil
	}
	chats := make([]int64, 0, len(p.later))
	for c := range p.later {
		chats = append(chats, c)
	}
	clear(p.later)
	p.read = nil
	p.mu.Unlock()
	defer p.forgetTails()
	slices.Sort(chats)
	for i, c := range chats {
		if err := p.d.CatchUpChat(ctx, cursorChat(c)); err != nil {
			p.mu.Lock()
			for _, c := range chats[i:] {
				p.later[c] = true
			}
			p.mu.Unlock()
			return err
		}
	}
	return nil
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
		log := p.log.Debug
		if p.firstOf("unknown:" + e.TypeName) {
			log = p.log.Info
		}
		log("privitty: event of an unknown type passed on as Unknown (logged once per type at info level, counted in Stats.Unknown)",
			zap.String("type", e.TypeName), zap.String("data", truncate(e.Raw)))
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
	check := false
	for _, e := range evs {
		if !p.ours(e.AccountID) {
			p.foreign.Add(1)
			log := p.log.Debug
			if p.firstOf("foreign") {
				log = p.log.Info
			}
			log("privitty: a message event of another account dropped (logged once at info level, counted in Stats.Foreign)",
				zap.Int64("account", e.AccountID), zap.Int64("msg", e.MsgID))
			continue
		}
		if p.d.Duplicate(cursorChat(e.ChatID), e.MsgID) {
			// Far below the chat's cursor is not a late duplicate but a
			// sign the daemon's ids went backwards.
			pos, _ := p.d.Position(cursorChat(e.ChatID))
			check = check || pos >= minHighest && e.MsgID*2 < pos
			continue
		}
		ids = append(ids, e.MsgID)
	}
	if check && p.checkDue() {
		p.log.Warn("privitty: a new message's id is far below its chat's cursor; checking the daemon's state")
		return false, nil
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
		ev, hold, err := p.event(ctx, m, false)
		if err != nil {
			p.log.Warn("privitty: delivering a message failed; catching up", zap.Int64("msg", id), zap.Error(err))
			return false, nil
		}
		// Looked at after the chat was: a request accepted meanwhile is
		// marked before the daemon knows.
		p.mu.Lock()
		_, redo := p.redo[m.ChatID]
		p.mu.Unlock()
		if redo {
			p.catchUpSoon(m.ChatID) // after the accepted request's message
			continue
		}
		if hold {
			continue // a request of its chat is waiting
		}
		if isRequest(ev) {
			// A request starts at the chat's first message not passed on,
			// which may be older than this one: the chat's catch-up finds
			// it.
			p.catchUpSoon(m.ChatID)
			continue
		}
		if ev == nil || !p.d.Admit(ctx, cursorChat(m.ChatID), m.ID) {
			continue
		}
		p.noteSeen(m.ID)
		if err := emit(ev); err != nil {
			return true, err
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

// event returns message m as the event passed on: an incoming message as
// an IncomingMsg, a membership info message of a group as MembersChanged,
// another info message as InfoMsg. A message in a chat that is a contact
// request becomes a ContactRequest or GroupInvitation, unless a request of
// the chat is waiting for its handlers: then hold is true and the message
// must wait too. It returns nil for what is not passed on: the bot's own
// messages and info messages, device messages, messages of chats the bot
// blocked.
func (p *Platform) event(ctx context.Context, m *Message, replayed bool) (ev bot.Event, hold bool, err error) {
	if m.FromID == ContactSelf && !m.IsInfo || m.FromID == ContactDevice {
		return nil, false, nil
	}
	info, err := p.chatInfo(ctx, m.ChatID)
	if err != nil {
		return nil, false, err
	}
	acct := p.client.Account()
	p.mu.Lock()
	gen, blocked := p.floor.Gen, p.blocked[m.ChatID]
	_, waiting := p.pending[m.ChatID]
	p.mu.Unlock()
	switch {
	case blocked:
		return nil, false, nil
	case info.request && m.FromID <= LastSpecialID:
		return nil, false, nil // the core's own notes in a request chat
	case info.request && waiting:
		return nil, true, nil
	case info.request && info.chat.Kind == bot.Group:
		return &GroupInvitation{AccountID: acct, ChatID: m.ChatID, Msg: m, Chat: info.chat, Replayed: replayed, gen: gen}, false, nil
	case info.request:
		return &ContactRequest{AccountID: acct, ChatID: m.ChatID, Msg: m, Chat: info.chat, Replayed: replayed, gen: gen}, false, nil
	case m.IsInfo:
		if e := NewMembersChanged(acct, m, info.chat); e != nil {
			e.Replayed, e.gen = replayed, gen
			return e, false, nil
		}
		if m.FromID == ContactSelf {
			return nil, false, nil
		}
		return &InfoMsg{AccountID: acct, ChatID: m.ChatID, Msg: m, Chat: info.chat, Replayed: replayed, gen: gen}, false, nil
	case !m.Incoming():
		return nil, false, nil
	}
	if err := p.wholeText(ctx, m); err != nil {
		return nil, false, err
	}
	e := NewIncomingMsg(acct, m, info.chat)
	e.Replayed, e.gen = replayed, gen
	return e, false, nil
}

func isRequest(e bot.Event) bool {
	_, ok := e.(bot.Request)
	return ok
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
	ci = chatInfo{chat: bot.Chat{ID: cursorChat(chatID), Kind: kindOf(c.ChatType), Title: c.Name}, request: c.IsContactRequest}
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

// resync runs a catch-up, retrying with the kit's backoff until it
// succeeds or ctx ends. Live events wait meanwhile.
func (p *Platform) resync(ctx context.Context) error {
	b := &kit.Backoff{Min: p.cfg.minBackoff, Max: p.cfg.maxBackoff}
	for {
		err := p.catchUp(ctx)
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
		d := b.Next()
		p.log.Warn("privitty: catch-up failed; retrying", zap.Int("attempt", b.Attempt()), zap.Duration("delay", d), zap.Error(err))
		if !kit.Sleep(ctx, d) {
			return nil
		}
	}
}

func (p *Platform) floorKey() string {
	return "privitty:floor:" + strconv.FormatInt(p.client.Account(), 10)
}

// load settles the account and reads the stored state, once.
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
	p.checkBotFlag(ctx)
	key := "privitty:cursors:" + strconv.FormatInt(p.client.Account(), 10)
	if err := p.migrate(ctx, key); err != nil {
		return err
	}
	p.d.SetKey(key)
	if err := p.d.Load(ctx); err != nil {
		return fmt.Errorf("privitty: %w", err)
	}
	var fs floorState
	if p.cfg.store != nil {
		data, ok, err := p.cfg.store.Get(ctx, p.floorKey())
		if err != nil {
			return fmt.Errorf("privitty: loading the account state: %w", err)
		}
		if ok {
			if err := json.Unmarshal(data, &fs); err != nil {
				p.log.Warn("privitty: stored account state unreadable; starting as new", zap.Error(err))
				fs = floorState{}
			}
		}
	}
	p.mu.Lock()
	p.loaded = true
	if fs.Init && !p.floor.Init {
		p.floor = fs
	}
	p.mu.Unlock()
	p.logResumeSource(fs.Init)
	return nil
}

// logResumeSource says once, at start-up, where the platform takes up
// again after a restart: the stored cursors, or the daemon's unseen
// messages (its read markers).
func (p *Platform) logResumeSource(stored bool) {
	switch {
	case !p.cfg.catchUp:
		p.log.Warn("privitty: resume source: none (catch-up is off): messages that arrive while the bot is down or disconnected are not delivered")
	case p.cfg.store != nil && stored:
		p.log.Info("privitty: resume source: the stored cursors; chats new since are found in the chat list",
			zap.Int("chats", len(p.d.Chats())))
	case p.cfg.store != nil:
		p.log.Info("privitty: resume source: the daemon's unseen messages (nothing stored yet for this account; cursors are stored from now on)")
	case p.cfg.markSeen:
		p.log.Info("privitty: resume source: the daemon's unseen messages (no store: handled messages are marked seen, and those still unseen at start-up are delivered)")
	default:
		p.log.Warn("privitty: resume source: the daemon's unseen messages, but with no store and marking seen off every message still unseen is delivered again at each start-up")
	}
}

// checkBotFlag says at start whether the account is a bot account (the
// core's "bot" config flag), and sets the flag when WithSetBotFlag asks.
// Without it the core treats the account as a person's: long texts are
// cut (the platform then reads them whole, one more call each) and new
// contacts' chats are requests. A failure is logged, not fatal.
func (p *Platform) checkBotFlag(ctx context.Context) {
	v, _, err := p.client.GetConfig(ctx, "bot")
	switch {
	case err != nil:
		p.log.Warn("privitty: reading the account's bot flag failed", zap.Error(err))
	case v == "1":
		p.log.Info("privitty: the account is a bot account")
	case p.cfg.setBotFlag:
		if err := p.client.SetConfig(ctx, "bot", "1"); err != nil {
			p.log.Warn("privitty: setting the account's bot flag failed", zap.Error(err))
			return
		}
		p.log.Info("privitty: the account was not a bot account; bot flag set", zap.String("was", v))
	default:
		p.log.Warn("privitty: the account is not a bot account (config bot is not 1): long texts arrive cut and are read whole with one more call each, and new contacts write as contact requests; set_bot_flag = true sets it",
			zap.String("bot", v))
	}
}

// migrate rewrites cursors stored by earlier versions, which kept the
// floor and the chats' cursors together under key, into the kit's map and
// the floor key.
func (p *Platform) migrate(ctx context.Context, key string) error {
	if p.cfg.store == nil {
		return nil
	}
	data, ok, err := p.cfg.store.Get(ctx, key)
	if err != nil || !ok {
		return err
	}
	var old struct {
		floorState
		Chats map[string]int64 `json:"chats"`
	}
	if json.Unmarshal(data, &old) != nil || old.Chats == nil {
		return nil // the kit's format, or unreadable: the kit says so
	}
	fs, err := json.Marshal(old.floorState)
	if err != nil {
		return err
	}
	chats, err := json.Marshal(old.Chats)
	if err != nil {
		return err
	}
	if err := p.cfg.store.Set(ctx, p.floorKey(), fs, 0); err != nil {
		return err
	}
	p.log.Info("privitty: stored cursors moved to the current format")
	return p.cfg.store.Set(ctx, key, chats, 0)
}

// saveFloor stores the floor state.
func (p *Platform) saveFloor(ctx context.Context) error {
	p.mu.Lock()
	data, err := json.Marshal(p.floor)
	p.mu.Unlock()
	if err != nil || p.cfg.store == nil {
		return err
	}
	return p.cfg.store.Set(ctx, p.floorKey(), data, 0)
}

// minHighest is the least highest message id below which the platform
// does not judge the daemon's ids by their size: with few messages,
// deleting the newest can halve the newest id.
const minHighest = 20

// regressed says why the daemon's state no longer matches the stored one,
// or "": its account key changed (a new database gets a new key), or its
// newest message id fell below half the highest the platform saw.
func regressed(fs floorState, fingerprint string, newest int64) string {
	switch {
	case !fs.Init:
		return ""
	case fs.Fingerprint != "" && fingerprint != "" && fs.Fingerprint != fingerprint:
		return "the account's key changed"
	case fs.Highest >= minHighest && newest*2 < fs.Highest:
		return "the newest message id fell below half the highest seen"
	}
	return ""
}

// fingerprint returns the account key's fingerprint from get_info, or ""
// when the daemon does not say.
func (p *Platform) fingerprint(ctx context.Context) string {
	info, err := p.client.GetInfo(ctx)
	if err != nil {
		p.log.Debug("privitty: get_info failed; the account key is not compared", zap.Error(err))
		return ""
	}
	return info["fingerprint"]
}

// reset starts over from the daemon's state after its message ids went
// backwards: every cursor is dropped, the generation grows (it is part of
// the dedupe keys, so new messages with old ids are not taken for
// handled ones), and the next catch-up is an account's first again,
// which delivers the unseen messages.
func (p *Platform) reset(ctx context.Context, why, fingerprint string, newest int64) error {
	p.resets.Add(1)
	p.mu.Lock()
	old := p.floor
	p.mu.Unlock()
	p.log.Warn("privitty: the daemon's message ids went backwards (was its account re-created?); starting over from its current state",
		zap.String("why", why), zap.Int64("highest_seen", old.Highest), zap.Int64("daemon_newest", newest))
	for _, c := range p.d.Chats() {
		p.d.Forget(c)
	}
	p.mu.Lock()
	p.floor = floorState{Gen: old.Gen + 1, Fingerprint: fingerprint}
	p.firstFloor, p.seen = 0, 0
	p.unseen = nil
	clear(p.chats)
	clear(p.pending)
	clear(p.redo)
	clear(p.blocked)
	clear(p.retry)
	clear(p.later)
	clear(p.sentSet)
	p.sentRing = nil
	clear(p.answeredSet)
	p.answeredRing = nil
	p.mu.Unlock()
	if err := p.d.Flush(ctx); err != nil {
		return fmt.Errorf("privitty: dropping the cursors: %w", err)
	}
	return p.saveFloor(ctx)
}

// catchUp walks the chat list (archived chats too) for chats with
// messages newer than their cursor, and passes those on through the kit,
// chat by chat. On an account's first catch-up only unseen messages up to
// the current newest are delivered, so a new bot does not answer old
// history. It first checks that the daemon's database is still the one
// the cursors are about (see regressed), and starts over if not.
func (p *Platform) catchUp(ctx context.Context) (err error) {
	if err := p.load(ctx); err != nil {
		return err
	}
	p.resyncs.Add(1)
	p.forgetTails()
	defer p.forgetTails()
	fp := p.fingerprint(ctx)
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
	var chats []ChatListItem
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
			it.ID = chat
			chats = append(chats, it)
			newest = max(newest, it.LastMessageID)
		}
	}
	p.mu.Lock()
	p.floor.Highest = max(p.floor.Highest, p.seen)
	fs := p.floor
	p.mu.Unlock()
	if why := regressed(fs, fp, newest); why != "" {
		if err := p.reset(ctx, why, fp, newest); err != nil {
			return err
		}
		p.mu.Lock()
		fs = p.floor
		p.mu.Unlock()
	}
	if !p.cfg.catchUp {
		return p.settle(ctx, fs, fp, 0, newest)
	}
	// Chats with a message to pass on again are visited even when nothing
	// newer arrived; one that fails again meanwhile is asked for anew.
	p.mu.Lock()
	retry := p.retry
	p.retry = map[int64]bool{}
	p.mu.Unlock()
	defer func() {
		if err != nil {
			p.mu.Lock()
			for c := range retry {
				p.retry[c] = true
			}
			p.mu.Unlock()
		}
	}()
	var due []int64
	for _, it := range chats {
		chat := it.ID
		p.cacheChat(chat, chatInfo{chat: bot.Chat{ID: cursorChat(chat), Kind: kindOf(it.ChatType), Title: it.Name}, request: it.IsContactRequest})
		after, _ := p.d.Position(cursorChat(chat))
		if fs.Init {
			after = max(after, fs.Floor)
		}
		if it.LastMessageID != 0 && it.LastMessageID <= after && !retry[chat] {
			continue
		}
		if !fs.Init && it.FreshMessageCounter == 0 && !it.IsContactRequest && it.LastMessageID != 0 {
			continue
		}
		due = append(due, chat)
	}
	if !fs.Init {
		p.mu.Lock()
		p.firstFloor = newest
		p.mu.Unlock()
		p.hintFresh(ctx, chats)
		defer p.hintFresh(ctx, nil)
	}
	for _, chat := range due {
		if err := p.d.CatchUpChat(ctx, cursorChat(chat)); err != nil {
			return err
		}
	}
	return p.settle(ctx, fs, fp, newest, newest)
}

// settle ends a catch-up: an account's first sets its floor to floor,
// and the daemon's key and highest message id are stored when they
// changed.
func (p *Platform) settle(ctx context.Context, fs floorState, fingerprint string, floor, newest int64) error {
	p.mu.Lock()
	if p.floor.Gen != fs.Gen {
		p.mu.Unlock()
		return nil
	}
	before := p.floor
	if !p.floor.Init {
		p.floor.Init, p.floor.Floor = true, floor
	}
	if fingerprint != "" {
		p.floor.Fingerprint = fingerprint
	}
	p.floor.Highest = max(p.floor.Highest, newest, p.seen)
	changed := p.floor != before
	p.mu.Unlock()
	if !changed {
		return nil
	}
	return p.saveFloor(ctx)
}

// fetchAfter reads, for the kit, the messages of a chat after a cursor:
// the chat's message ids, then the messages in pages. Messages up to the
// account's floor are not new unless still unseen: on an account's first
// catch-up, and later for chats with a cursor below the floor (a
// request's message waiting to be passed on again, say). A chat the kit
// has no cursor for starts at the floor. A request ends the page, and so
// does a message that waits for one.
func (p *Platform) fetchAfter(ctx context.Context, chat string, after int64, limit int) (out []kit.Item, err error) {
	id, err := strconv.ParseInt(chat, 10, 64)
	if err != nil {
		return nil, fmt.Errorf("privitty: chat %q: %w", chat, kit.ErrChatGone)
	}
	p.mu.Lock()
	fs, first := p.floor, p.firstFloor
	redo, accepted := p.redo[id]
	if accepted && after < redo {
		delete(p.redo, id) // this catch-up passes the request's message on
	}
	p.mu.Unlock()
	if accepted && after >= redo {
		return nil, nil // the accepted request's message goes first
	}
	old := first // messages up to old are history, delivered only unseen
	if fs.Init {
		old = fs.Floor
		if !p.d.Known(chat) {
			after = max(after, fs.Floor)
		}
	}
	all, err := p.client.GetMessageIDs(ctx, id)
	if err != nil {
		var re *RPCError
		if errors.As(err, &re) {
			return nil, fmt.Errorf("%w: %w", kit.ErrChatGone, err)
		}
		return nil, err
	}
	if !fs.Init {
		after = max(after, p.historyEnd(id, all, old))
	}
	var ids []int64
	for _, m := range all {
		if m > after {
			ids = append(ids, m)
		}
	}
	slices.Sort(ids)
	rest := ids[min(len(ids), limit):]
	ids = ids[:min(len(ids), limit)]
	if len(ids) == 0 {
		return nil, nil
	}
	msgs, quoted, err := p.readPage(ctx, id, ids, rest, old)
	if err != nil {
		return nil, err
	}
	out = make([]kit.Item, 0, len(ids))
	defer func() {
		// A request accepted while the page was read: the chat may have
		// looked accepted already, so the page waits for the redo.
		p.mu.Lock()
		redo, ok := p.redo[id]
		p.mu.Unlock()
		if ok && after >= redo {
			out = nil
		}
	}()
	for _, mid := range ids {
		it := kit.Item{Chat: chat, ID: mid}
		m := msgs[mid]
		if m == nil || mid <= old && m.State != StateInFresh {
			out = append(out, it) // gone, or old history
			continue
		}
		ev, hold, err := p.event(ctx, m, true)
		if err != nil {
			return nil, err
		}
		if hold {
			return out, nil
		}
		if _, ok := ev.(*IncomingMsg); ok && quoted[mid] {
			p.skipAnswered(chat, m)
			out = append(out, it)
			continue
		}
		it.Event = ev
		out = append(out, it)
		if isRequest(ev) {
			return out, nil
		}
	}
	return out, nil
}

// hintFresh notes, for an account's first catch-up, the daemon's unseen
// messages (get_fresh_msgs) and the chats it lists all of them for: not
// muted, not contact requests. Nil chats forgets them. A failure only
// costs reading the chats' history.
func (p *Platform) hintFresh(ctx context.Context, chats []ChatListItem) {
	var fresh map[int64]bool
	var whole map[int64]bool
	if chats != nil {
		ids, err := p.client.GetFreshMsgs(ctx)
		if err != nil {
			p.log.Debug("privitty: get_fresh_msgs failed; the first catch-up reads the chats' history", zap.Error(err))
		} else {
			fresh = make(map[int64]bool, len(ids))
			for _, id := range ids {
				fresh[id] = true
			}
			whole = map[int64]bool{}
			for _, it := range chats {
				if !it.IsMuted && !it.IsContactRequest {
					whole[it.ID] = true
				}
			}
		}
	}
	p.mu.Lock()
	p.fresh, p.freshWhole = fresh, whole
	p.mu.Unlock()
}

// historyEnd returns, on an account's first catch-up, the position up to
// which chat holds only read history: messages up to old are passed on
// only while unseen, so those below its first unseen one are not even
// read. It returns 0 when it cannot tell.
func (p *Platform) historyEnd(chat int64, all []int64, old int64) int64 {
	p.mu.Lock()
	defer p.mu.Unlock()
	if !p.freshWhole[chat] {
		return 0
	}
	var lowest int64
	for _, id := range all {
		if p.fresh[id] && (lowest == 0 || id < lowest) {
			lowest = id
		}
	}
	if lowest == 0 {
		return 0 // unseen ones arrived since: read it all
	}
	return min(lowest-1, old)
}

// forgetTails drops what a catch-up read of a chat: the next reads anew.
func (p *Platform) forgetTails() {
	p.mu.Lock()
	p.read = nil
	p.mu.Unlock()
}

// answerWindow is how many messages right after a catch-up page are read
// to find the bot's replies to the page's messages when the chat's end
// is too far to be read whole (see tailPages).
const answerWindow = catchUpPage

// tailPages bounds how many pages from a chat's end a catch-up reads
// ahead of its pages, for the bot's replies. A reply further from the
// message it answers and from the chat's end (after a long downtime of a
// busy chat) is not found, and the message is passed on again.
const tailPages = 10

// chatRead is what a catch-up read of one chat ahead of its pages: the
// messages from low up (served to the pages that follow) and what the
// bot's messages among them quote.
type chatRead struct {
	chat   int64
	low    int64
	msgs   map[int64]*Message
	quoted map[int64]bool
}

// readPage loads the messages of a catch-up page, and the messages that
// the bot's messages after the page's first quote: a message the bot
// answered before a crash, or whose reply's outcome was unknown, is
// among them. Once a page holds a message the catch-up may pass on and
// the chat goes on past it, the rest of the chat is read once, from its
// end back (tailPages pages at most), and serves the later pages.
func (p *Platform) readPage(ctx context.Context, chat int64, page, rest []int64, old int64) (map[int64]*Message, map[int64]bool, error) {
	p.mu.Lock()
	r := p.read
	p.mu.Unlock()
	if r != nil && r.chat != chat {
		r = nil
	}
	if r != nil && page[0] >= r.low {
		return p.fromRead(ctx, r, page)
	}
	msgs, err := p.fetch(ctx, page)
	if err != nil {
		return nil, nil, err
	}
	quoted := quotedByBot(msgs)
	if r == nil {
		if len(rest) == 0 || !hasCandidate(msgs, page, old) {
			return msgs, quoted, nil
		}
		if r, err = p.readRest(ctx, chat, rest); err != nil {
			return nil, nil, err
		}
	}
	// The chat's end was too far to read whole: the messages right
	// after the page are read too.
	var win []int64
	for _, id := range rest[:min(len(rest), answerWindow)] {
		if id < r.low {
			win = append(win, id)
		}
	}
	if len(win) > 0 {
		more, err := p.fetch(ctx, win)
		if err != nil {
			return nil, nil, err
		}
		quoted = union(quoted, quotedByBot(more))
	}
	return msgs, union(quoted, r.quoted), nil
}

// readRest reads rest, the chat's messages after a page, from the end
// back, tailPages pages at most, and keeps them for the catch-up.
func (p *Platform) readRest(ctx context.Context, chat int64, rest []int64) (*chatRead, error) {
	tail := rest[max(len(rest)-tailPages*catchUpPage, 0):]
	r := &chatRead{chat: chat, low: tail[0], msgs: make(map[int64]*Message, len(tail))}
	for end := len(tail); end > 0; end -= catchUpPage {
		got, err := p.fetch(ctx, tail[max(end-catchUpPage, 0):end])
		if err != nil {
			return nil, err
		}
		maps.Copy(r.msgs, got)
	}
	r.quoted = quotedByBot(r.msgs)
	p.mu.Lock()
	p.read = r
	p.mu.Unlock()
	return r, nil
}

// fromRead serves a page from what readRest read; messages newer than
// that read are fetched.
func (p *Platform) fromRead(ctx context.Context, r *chatRead, page []int64) (map[int64]*Message, map[int64]bool, error) {
	msgs := make(map[int64]*Message, len(page))
	var missing []int64
	for _, id := range page {
		if m := r.msgs[id]; m != nil {
			msgs[id] = m
		} else {
			missing = append(missing, id)
		}
	}
	quoted := r.quoted
	if len(missing) > 0 {
		more, err := p.fetch(ctx, missing)
		if err != nil {
			return nil, nil, err
		}
		maps.Copy(msgs, more)
		quoted = union(quoted, quotedByBot(more))
	}
	return msgs, quoted, nil
}

// union returns the ids in a or b; it may return a or b itself.
func union(a, b map[int64]bool) map[int64]bool {
	switch {
	case len(b) == 0:
		return a
	case len(a) == 0:
		return b
	}
	out := maps.Clone(a)
	maps.Copy(out, b)
	return out
}

// hasCandidate reports whether any of ids is an incoming message a
// catch-up may pass on: newer than old, or still unseen.
func hasCandidate(msgs map[int64]*Message, ids []int64, old int64) bool {
	for _, id := range ids {
		if m := msgs[id]; m != nil && m.Incoming() && (id > old || m.State == StateInFresh) {
			return true
		}
	}
	return false
}

// quotedByBot returns the ids of the messages that messages of the bot's
// own among msgs quote.
func quotedByBot(msgs map[int64]*Message) map[int64]bool {
	var out map[int64]bool
	for _, m := range msgs {
		if m.FromID != ContactSelf || m.IsInfo {
			continue
		}
		if q := m.QuotedID(); q > 0 {
			if out == nil {
				out = map[int64]bool{}
			}
			out[q] = true
		}
	}
	return out
}

// skipAnswered leaves out of a catch-up message m, which a message of the
// bot's own quotes: the bot answered it already, before a crash or an
// answer lost on the way, and was stopped before its cursor or its seen
// mark were saved. It is counted (Stats.Answered, once per process) and
// marked seen. One kept for another try (its reply's outcome was unknown)
// counts as handled. Others are not recorded as passed on here: the kit
// has yet to pass on the page's earlier messages, and would take them for
// passed on already; the chat's cursor moves past m with the next
// message handled.
func (p *Platform) skipAnswered(chat string, m *Message) {
	p.mu.Lock()
	first := !p.answeredSet[m.ID]
	if first {
		if len(p.answeredRing) == sentIDsKept {
			delete(p.answeredSet, p.answeredRing[0])
			p.answeredRing = p.answeredRing[1:]
		}
		p.answeredRing = append(p.answeredRing, m.ID)
		p.answeredSet[m.ID] = true
		if p.cfg.markSeen && m.State == StateInFresh {
			p.unseen = append(p.unseen, m.ID)
		}
	}
	p.mu.Unlock()
	if first {
		p.answered.Add(1)
		p.log.Debug("privitty: catch-up skipped a message the bot already answered (a message of its own quotes it)",
			zap.Int64("chat", m.ChatID), zap.Int64("msg", m.ID))
	}
	if p.d.Delivered(chat, m.ID) {
		// Only a message kept for another try comes back below the
		// chat's delivered cursor; its retry state keeps the handled
		// cursor below any earlier one still waiting.
		p.d.Handled(chat, m.ID, nil)
	}
}

// answeredBefore reports whether a catch-up skipped message id as
// answered, so that a later event about it does not pass it on.
func (p *Platform) answeredBefore(id int64) bool {
	p.mu.Lock()
	defer p.mu.Unlock()
	return p.answeredSet[id]
}
