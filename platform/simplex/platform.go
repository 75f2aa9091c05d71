package simplex

import (
	"context"
	"encoding/json"
	"errors"
	"fmt"
	"maps"
	"strconv"
	"sync"
	"sync/atomic"
	"time"

	"go.uber.org/zap"

	"github.com/parleybot/parley/bot"
	"github.com/parleybot/parley/store"
)

const maxRecentConnected = 4096

// Startup lists optional steps the platform runs on every connection
// before events flow, so a bot can start against a fresh CLI.
type Startup struct {
	// BotName creates an active bot user with this display name when the
	// CLI has none.
	BotName string
	// Address creates the bot's SimpleX address when it has none.
	Address bool
	// AddressSettings, when set, are applied to the address.
	AddressSettings *AddressSettings
	// Commands, when set, become the bot's command menu in its profile.
	Commands []ChatBotCommand
}

// Option configures a Platform.
type Option interface{ apply(*platformConfig) }

type optionFunc func(*platformConfig)

func (f optionFunc) apply(c *platformConfig) { f(c) }

type platformConfig struct {
	logger      *zap.Logger
	store       store.Store
	clientOpts  []ClientOption
	startup     Startup
	catchUp     bool
	flushEvery  time.Duration
	catchUpPage int
}

// WithLogger sets the platform's logger.
func WithLogger(l *zap.Logger) Option {
	return optionFunc(func(c *platformConfig) {
		if l != nil {
			c.logger = l
		}
	})
}

// WithStore keeps the platform's cursors (the highest handled item per
// chat) in s, so that a restarted bot fetches what arrived meanwhile.
// Without it cursors live in memory and cover reconnects only.
func WithStore(s store.Store) Option {
	return optionFunc(func(c *platformConfig) { c.store = s })
}

// WithClientOptions passes options to the underlying Client.
func WithClientOptions(opts ...ClientOption) Option {
	return optionFunc(func(c *platformConfig) { c.clientOpts = append(c.clientOpts, opts...) })
}

// WithStartup sets the start-up steps.
func WithStartup(s Startup) Option {
	return optionFunc(func(c *platformConfig) { c.startup = s })
}

// WithCatchUp turns fetching missed messages after a reconnect or restart
// on or off (default on).
func WithCatchUp(on bool) Option {
	return optionFunc(func(c *platformConfig) { c.catchUp = on })
}

// WithCursorFlush sets how often handled cursors are written to the store
// (default 1s; they are also written on close). A crash loses at most this
// much progress, which comes back as redelivered messages the Dedupe
// middleware drops.
func WithCursorFlush(d time.Duration) Option {
	return optionFunc(func(c *platformConfig) {
		if d <= 0 {
			panic("simplex: cursor flush interval must be positive")
		}
		c.flushEvery = d
	})
}

// Stats are the platform's counters.
type Stats struct {
	Connects      int64 // connections made
	Replayed      int64 // missed messages delivered by catch-up
	Skipped       int64 // live items already delivered by catch-up
	Spilled       int64 // live messages left in the CLI under load, fetched later
	Shed          int64 // delivery-status events dropped under load
	DroppedFrames int64 // frames that could not be used
}

// Platform is the SimpleX Chat bot.Platform: one Client, typed events,
// start-up steps, and catch-up of missed messages. It implements the
// bot capabilities RequestAccepter, Deleter, Editor and Reactor.
type Platform struct {
	cfg    platformConfig
	client *Client
	log    *zap.Logger

	user atomic.Pointer[User]

	// flushMu orders the writes of cursors to the store, so that an older
	// snapshot never lands after a newer one. It is taken before mu.
	flushMu   sync.Mutex
	mu        sync.Mutex
	delivered map[string]int64 // chat ref → highest received item id passed on
	handled   map[string]int64 // chat ref → highest received item id handled
	dirty     bool
	loaded    bool
	welcome   map[int64]string   // contact id → welcome to send on connect
	connected map[int64]struct{} // contacts connected recently, for welcomes
	behind    map[string]int64   // chat → first item left in the CLI under load
	// firstSeen is, for a chat none of whose items was passed on yet, the
	// first item the reader saw: where a catch-up of that chat starts.
	firstSeen map[string]int64
	// fresh holds the chats first passed on since the cursors were last
	// written, at the item before their first. It is written at once,
	// before the item goes on, so a crash cannot make a new chat unknown to
	// the next run's catch-up.
	fresh map[string]int64
	emit  func(bot.Event) error

	replayed, skipped, spilled, shed atomic.Int64
	ready                            atomic.Bool
	// The connection and background sends (welcomes) run under bg, which
	// Close cancels; connDone closes when the connection has ended.
	bg       context.Context
	bgCancel context.CancelFunc
	connDone chan struct{}
	stopping atomic.Bool
	wg       sync.WaitGroup
}

// New returns a platform for the CLI at url, such as "ws://127.0.0.1:5225".
func New(url string, opts ...Option) *Platform {
	cfg := platformConfig{logger: zap.NewNop(), catchUp: true, flushEvery: time.Second, catchUpPage: 100}
	for _, o := range opts {
		o.apply(&cfg)
	}
	copts := append([]ClientOption{WithClientLogger(cfg.logger)}, cfg.clientOpts...)
	bg, bgCancel := context.WithCancel(context.Background())
	bgCancel() // made anew by each Listen
	p := &Platform{
		bg:        bg,
		bgCancel:  bgCancel,
		cfg:       cfg,
		client:    NewClient(url, copts...),
		log:       cfg.logger,
		delivered: map[string]int64{},
		handled:   map[string]int64{},
		welcome:   map[int64]string{},
		connected: map[int64]struct{}{},
		behind:    map[string]int64{},
		firstSeen: map[string]int64{},
		fresh:     map[string]int64{},
	}
	if cfg.catchUp {
		p.client.overflow = p.overflow
		p.client.idle = p.catchUpBehind
	}
	return p
}

// Name returns "simplex".
func (p *Platform) Name() string { return "simplex" }

// Client returns the command client, for commands beyond the bot verbs.
func (p *Platform) Client() *Client { return p.client }

// User returns the bot's active user once connected, or nil.
func (p *Platform) User() *User { return p.user.Load() }

// Ready reports whether the platform is connected and its start-up steps
// and catch-up are done.
func (p *Platform) Ready() bool { return p.client.Connected() && p.ready.Load() }

// Stats returns the platform's counters.
func (p *Platform) Stats() Stats {
	return Stats{
		Connects:      p.client.Connects(),
		Replayed:      p.replayed.Load(),
		Skipped:       p.skipped.Load(),
		Spilled:       p.spilled.Load(),
		Shed:          p.shed.Load(),
		DroppedFrames: p.client.DroppedFrames(),
	}
}

// ClientOf returns the SimpleX client of the platform that delivered c's
// event, or nil when it came from another platform.
func ClientOf(c *bot.Context) *Client {
	if p, ok := c.Platform().(*Platform); ok {
		return p.client
	}
	return nil
}

// Listen implements bot.Platform. When ctx ends, Listen stops passing
// events on and returns, but the connection stays up so that handlers the
// bot is still draining can send; Close ends it. Messages that arrive
// after that point are not lost: they are after the stored cursor and are
// fetched on the next start.
func (p *Platform) Listen(ctx context.Context, emit func(bot.Event) error) error {
	connCtx, connCancel := context.WithCancel(context.WithoutCancel(ctx))
	done := make(chan struct{})
	p.mu.Lock()
	if p.connDone != nil {
		p.mu.Unlock()
		connCancel()
		return errors.New("simplex: platform already listening")
	}
	p.bg, p.bgCancel = connCtx, connCancel
	p.connDone = done
	p.emit = emit
	clear(p.behind)
	p.stopping.Store(false)
	// Only handled items count after a restart of Listen: what was passed
	// on but not handled before is passed on again.
	clear(p.delivered)
	for ref, id := range p.handled {
		p.delivered[ref] = id
	}
	p.mu.Unlock()

	var runErr error
	go func() {
		defer close(done)
		var fwg sync.WaitGroup
		fwg.Add(1)
		go func() {
			defer fwg.Done()
			p.flushLoop(connCtx)
		}()
		runErr = p.client.Run(connCtx,
			func(cctx context.Context, first bool) error { return p.onConnect(cctx, first, emit) },
			func(f Frame) error {
				err := p.onEvent(f, emit)
				if errors.Is(err, bot.ErrStopped) {
					p.stopping.Store(true)
					p.client.PauseEvents()
					return nil
				}
				return err
			})
		connCancel()
		fwg.Wait()
	}()

	select {
	case <-ctx.Done():
		p.stopping.Store(true)
		p.client.PauseEvents()
		return nil
	case <-done:
		// The connection ended by itself: a fatal error.
		p.mu.Lock()
		p.connDone = nil
		p.mu.Unlock()
		return runErr
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
				return // Close writes the cursors
			}
			if err := p.flush(ctx); err != nil {
				p.log.Warn("simplex: saving cursors", zap.Error(err))
			}
		}
	}
}

func (p *Platform) cursorKey() string {
	u := p.user.Load()
	if u == nil {
		return ""
	}
	return "simplex:cursors:" + strconv.FormatInt(u.UserID, 10)
}

// freshKey is where the chats first seen since the last flush are kept.
func (p *Platform) freshKey() string {
	if k := p.cursorKey(); k != "" {
		return k + ":new"
	}
	return ""
}

func (p *Platform) flush(ctx context.Context) error {
	if p.cfg.store == nil {
		return nil
	}
	p.flushMu.Lock()
	defer p.flushMu.Unlock()
	key := p.cursorKey()
	p.mu.Lock()
	if !p.dirty || key == "" {
		p.mu.Unlock()
		return nil
	}
	data, err := json.Marshal(p.handled)
	p.dirty = false
	var written map[string]int64
	if len(p.fresh) > 0 {
		written = maps.Clone(p.fresh)
		clear(p.fresh)
	}
	p.mu.Unlock()
	if err == nil {
		err = p.cfg.store.Set(ctx, key, data, 0)
	}
	if err != nil {
		// Nothing was written: the next flush tries again, and the new
		// chats stay in the fresh list until then.
		p.mu.Lock()
		p.dirty = true
		for ref, id := range written {
			if _, ok := p.fresh[ref]; !ok {
				p.fresh[ref] = id
			}
		}
		p.mu.Unlock()
		return err
	}
	if written == nil {
		return nil
	}
	// The full map now holds them; keep only chats seen since.
	p.mu.Lock()
	data, err = json.Marshal(p.fresh)
	p.mu.Unlock()
	if err != nil {
		return err
	}
	return p.cfg.store.Set(ctx, p.freshKey(), data, 0)
}

// noteNewChat records a chat seen for the first time, at the item before
// id, and writes it to the store before its first item is passed on.
func (p *Platform) noteNewChat(ref string, id int64) {
	if p.cfg.store == nil {
		return
	}
	p.flushMu.Lock()
	defer p.flushMu.Unlock()
	p.mu.Lock()
	if _, ok := p.handled[ref]; ok {
		p.mu.Unlock()
		return
	}
	p.handled[ref] = id - 1
	p.fresh[ref] = id - 1
	p.dirty = true
	data, err := json.Marshal(p.fresh)
	p.mu.Unlock()
	if err == nil {
		err = p.cfg.store.Set(p.bg, p.freshKey(), data, 0)
	}
	if err != nil {
		p.log.Warn("simplex: saving a new chat's cursor", zap.String("chat", ref), zap.Error(err))
	}
}

// Close ends the connection Listen opened, once the bot has drained, and
// writes the cursors.
func (p *Platform) Close(ctx context.Context) error {
	p.mu.Lock()
	p.bgCancel()
	done := p.connDone
	p.connDone = nil
	p.mu.Unlock()
	if done != nil {
		select {
		case <-done:
		case <-ctx.Done():
			return ctx.Err()
		}
	}
	p.wg.Wait()
	return p.flush(ctx)
}

// onConnect runs the start-up steps, then delivers what arrived while the
// bot was away. Live events wait until it returns.
func (p *Platform) onConnect(ctx context.Context, first bool, emit func(bot.Event) error) error {
	p.ready.Store(false)
	u, err := p.ensureUser(ctx)
	if err != nil {
		return err
	}
	if err := p.runStartup(ctx, u); err != nil {
		return err
	}
	p.user.Store(u)
	if err := p.loadCursors(ctx); err != nil {
		return err
	}
	if p.cfg.catchUp && !p.stopping.Load() {
		if err := p.catchUp(ctx, u, emit); err != nil {
			return err
		}
	}
	p.ready.Store(true)
	return nil
}

func (p *Platform) ensureUser(ctx context.Context) (*User, error) {
	r, err := Do[*ActiveUser](ctx, p.client, ShowActiveUser{})
	if err == nil {
		return &r.User, nil
	}
	var ce *CommandError
	if !errors.As(err, &ce) || ce.ChatError.InnerType() != "noActiveUser" || p.cfg.startup.BotName == "" {
		return nil, err
	}
	r, err = Do[*ActiveUser](ctx, p.client, CreateActiveUser{Profile: &Profile{DisplayName: p.cfg.startup.BotName, PeerType: PeerBot}})
	if err != nil {
		return nil, err
	}
	return &r.User, nil
}

func (p *Platform) runStartup(ctx context.Context, u *User) error {
	s := p.cfg.startup
	if s.Address {
		_, err := Do[*UserContactLinkResponse](ctx, p.client, APIShowMyAddress{UserID: u.UserID})
		var ce *CommandError
		if errors.As(err, &ce) && ce.ChatError.InnerType() == "userContactLinkNotFound" {
			_, err = Do[*UserContactLinkCreated](ctx, p.client, APICreateMyAddress{UserID: u.UserID})
		}
		if err != nil {
			return err
		}
	}
	if s.AddressSettings != nil {
		if _, err := Do[*UserContactLinkUpdated](ctx, p.client, APISetAddressSettings{UserID: u.UserID, Settings: *s.AddressSettings}); err != nil {
			return err
		}
	}
	if s.Commands != nil {
		lp := u.Profile
		prof := Profile{DisplayName: lp.DisplayName, FullName: lp.FullName, ShortDescr: lp.ShortDescr,
			Image: lp.Image, ContactLink: lp.ContactLink, Preferences: lp.Preferences, PeerType: PeerBot}
		prefs := Preferences{}
		if prof.Preferences != nil {
			prefs = *prof.Preferences
		}
		prefs.Commands = s.Commands
		prof.Preferences = &prefs
		if _, err := callCmd(ctx, p.client, APIUpdateProfile{UserID: u.UserID, Profile: prof}); err != nil {
			return err
		}
	}
	return nil
}

// loadCursors reads the handled cursors once per process.
func (p *Platform) loadCursors(ctx context.Context) error {
	p.mu.Lock()
	loaded := p.loaded
	p.mu.Unlock()
	if loaded || p.cfg.store == nil {
		return nil
	}
	var stored [2]map[string]int64 // the full map, then the new chats
	for i, key := range []string{p.cursorKey(), p.freshKey()} {
		data, ok, err := p.cfg.store.Get(ctx, key)
		if err != nil {
			return fmt.Errorf("simplex: loading cursors: %w", err)
		}
		if ok {
			if err := json.Unmarshal(data, &stored[i]); err != nil {
				p.log.Warn("simplex: stored cursors unreadable; starting without", zap.String("key", key), zap.Error(err))
				stored[i] = nil
			}
		}
	}
	p.mu.Lock()
	defer p.mu.Unlock()
	p.loaded = true
	for i, m := range stored {
		for ref, id := range m {
			if _, ok := p.handled[ref]; ok {
				id = max(p.handled[ref], id)
			}
			p.handled[ref] = id
			p.delivered[ref] = id
			if i == 1 {
				// Not yet in the full map: the next flush writes it.
				p.dirty = true
			}
		}
	}
	return nil
}

// catchUp fetches, for every chat the bot has seen, the items received
// after the last one passed on, and delivers the messages among them in
// order. The ids are the CLI's and grow monotonically, so nothing is
// delivered twice.
func (p *Platform) catchUp(ctx context.Context, u *User, emit func(bot.Event) error) error {
	p.mu.Lock()
	refs := make([]string, 0, len(p.delivered)+len(p.behind))
	for ref := range p.delivered {
		refs = append(refs, ref)
	}
	for ref := range p.behind {
		if _, ok := p.delivered[ref]; !ok {
			refs = append(refs, ref)
		}
	}
	p.mu.Unlock()
	for _, ref := range refs {
		if err := p.catchUpChat(ctx, u, ref, emit); err != nil {
			return err
		}
	}
	return nil
}

// catchUpChat delivers the received items of one chat after the last one
// passed on. It starts there, not at the first item left behind: earlier
// items may still wait in the event queue, and are skipped when they come
// out of it. The chat stops being behind just before the last fetch, so an
// item arriving meanwhile is either in that fetch or queued live (and then
// skipped as already delivered), never missed.
func (p *Platform) catchUpChat(ctx context.Context, u *User, refStr string, emit func(bot.Event) error) error {
	ref, err := ParseChatRef(refStr)
	if err != nil {
		return nil
	}
	p.mu.Lock()
	after, known := p.delivered[refStr]
	if !known {
		// A chat new to this process: from the first item seen of it, so
		// its history from before is not replayed.
		from := p.firstSeen[refStr]
		if from == 0 {
			from = p.behind[refStr]
		}
		after = max(0, from-1)
	}
	p.mu.Unlock()
	last := false
	for {
		chat, err := Do[*APIChat](ctx, p.client, APIGetChat{Chat: ref, After: after, Count: p.cfg.catchUpPage})
		if err != nil {
			var ce *CommandError
			if errors.As(err, &ce) {
				// The chat is gone (contact deleted, group left): stop
				// tracking it.
				p.log.Info("simplex: catch-up skipped a chat", zap.String("chat", refStr), zap.Error(err))
				p.forgetChat(refStr)
				return nil
			}
			return err
		}
		items := chat.Chat.ChatItems
		for i := range items {
			id := items[i].Meta.ItemID
			if id <= after {
				continue
			}
			after = id
			if items[i].ChatDir.Sent() {
				continue
			}
			if !p.markDelivered(refStr, id) {
				continue
			}
			p.replayed.Add(1)
			ev := &NewChatItems{User: u, ChatItems: []AChatItem{{ChatInfo: chat.Chat.ChatInfo, ChatItem: items[i]}}}
			if err := emit(ev); err != nil {
				if errors.Is(err, bot.ErrStopped) {
					p.stopping.Store(true)
					p.client.PauseEvents()
					return nil
				}
				return err
			}
		}
		if last {
			return nil
		}
		if len(items) < p.cfg.catchUpPage {
			p.mu.Lock()
			delete(p.behind, refStr)
			p.mu.Unlock()
			last = true
		}
	}
}

// overflow is the client's hook for a full event queue, which keeps memory
// bounded under load without losing a message: a frame of received
// messages is left in the CLI's database, its chats marked behind, and
// fetched by catchUpBehind once the queue is short again (later messages
// of a behind chat are left too, so its order holds); delivery statuses
// are shed. Other events are queued.
func (p *Platform) overflow(f Frame, full bool) bool {
	if p.stopping.Load() {
		return false
	}
	if _, ok := f.Resp.(*ChatItemsStatusesUpdated); ok && full {
		// Delivery statuses of the bot's own messages are state, and a
		// later one supersedes an earlier: under load they are shed.
		p.shed.Add(1)
		return true
	}
	e, ok := f.Resp.(*NewChatItems)
	if !ok || len(e.ChatItems) == 0 {
		return false
	}
	refs := make([]string, 0, len(e.ChatItems))
	for i := range e.ChatItems {
		a := &e.ChatItems[i]
		ref, ok := a.ChatInfo.Ref()
		if !ok || a.ChatItem.ChatDir.Sent() {
			return false
		}
		refs = append(refs, ref.String())
	}
	p.mu.Lock()
	defer p.mu.Unlock()
	for i, r := range refs {
		if _, ok := p.delivered[r]; !ok {
			if _, ok := p.firstSeen[r]; !ok {
				p.firstSeen[r] = e.ChatItems[i].ChatItem.Meta.ItemID
			}
		}
	}
	if !full {
		behind := false
		for _, r := range refs {
			behind = behind || p.behind[r] > 0
		}
		if !behind {
			return false
		}
	}
	for i, r := range refs {
		if p.behind[r] == 0 {
			p.behind[r] = e.ChatItems[i].ChatItem.Meta.ItemID
		}
	}
	p.spilled.Add(int64(len(refs)))
	return true
}

// catchUpBehind runs on the client's consumer goroutine and fetches the
// messages of chats left behind under load.
func (p *Platform) catchUpBehind() {
	for !p.stopping.Load() {
		p.mu.Lock()
		ref := ""
		for r := range p.behind {
			ref = r
			break
		}
		ctx, emit := p.bg, p.emit
		p.mu.Unlock()
		u := p.user.Load()
		if ref == "" || u == nil {
			return
		}
		if err := p.catchUpChat(ctx, u, ref, emit); err != nil {
			// The next connection's catch-up takes it from here.
			p.log.Warn("simplex: fetching messages left behind", zap.Error(err))
			return
		}
	}
}

func (p *Platform) forgetChat(ref string) {
	p.mu.Lock()
	delete(p.delivered, ref)
	delete(p.handled, ref)
	delete(p.firstSeen, ref)
	delete(p.behind, ref) // else catchUpBehind would ask again and again
	p.dirty = true
	p.mu.Unlock()
}

// markDelivered records that item id of chat ref is being passed on; it
// returns false when an item at or after it was passed on already. A chat
// new to the store is recorded there first.
func (p *Platform) markDelivered(ref string, id int64) bool {
	p.mu.Lock()
	if id <= p.delivered[ref] {
		p.mu.Unlock()
		return false
	}
	p.delivered[ref] = id
	if len(p.firstSeen) > 0 {
		delete(p.firstSeen, ref)
	}
	_, known := p.handled[ref]
	p.mu.Unlock()
	if !known {
		p.noteNewChat(ref, id)
	}
	return true
}

// onEvent passes one event frame on. A newChatItems frame may carry items
// of several chats; it is split into one event per item so each keeps its
// chat's order, and items catch-up already delivered are skipped.
func (p *Platform) onEvent(f Frame, emit func(bot.Event) error) error {
	switch e := f.Resp.(type) {
	case *NewChatItems:
		if len(e.ChatItems) == 1 {
			if !p.admitItem(&e.ChatItems[0]) {
				return nil
			}
			return emit(e)
		}
		for i := range e.ChatItems {
			if !p.admitItem(&e.ChatItems[i]) {
				continue
			}
			if err := emit(&NewChatItems{User: e.User, ChatItems: e.ChatItems[i : i+1]}); err != nil {
				return err
			}
		}
		return nil
	case *ContactConnected:
		p.sendWelcome(e.Contact.ContactID)
	}
	ev, ok := f.Resp.(bot.Event)
	if !ok {
		return nil
	}
	return emit(ev)
}

// admitItem tracks received items and drops those already passed on.
func (p *Platform) admitItem(a *AChatItem) bool {
	if a.ChatItem.ChatDir.Sent() {
		return true
	}
	ref, ok := a.ChatInfo.Ref()
	if !ok {
		return true
	}
	if !p.markDelivered(ref.String(), a.ChatItem.Meta.ItemID) {
		p.skipped.Add(1)
		return false
	}
	return true
}

// EventHandled implements bot.HandledNotifier: it advances the handled
// cursor of the event's chat.
func (p *Platform) EventHandled(e bot.Event, err error) {
	ev, ok := e.(*NewChatItems)
	if !ok {
		return
	}
	p.mu.Lock()
	defer p.mu.Unlock()
	for i := range ev.ChatItems {
		a := &ev.ChatItems[i]
		if a.ChatItem.ChatDir.Sent() {
			continue
		}
		ref, ok := a.ChatInfo.Ref()
		if !ok {
			continue
		}
		k := ref.String()
		if id := a.ChatItem.Meta.ItemID; id > p.handled[k] {
			p.handled[k] = id
			p.dirty = true
		}
	}
}

// Send implements bot.Platform. Text longer than MaxTextBytes is split
// into several messages; the first quotes m.ReplyTo. It returns the item
// ids of what was sent, also when a later part fails.
func (p *Platform) Send(ctx context.Context, chatID string, m bot.Outgoing) ([]string, error) {
	ref, err := ParseChatRef(chatID)
	if err != nil {
		return nil, err
	}
	var quote int64
	if m.ReplyTo != "" {
		if quote, err = strconv.ParseInt(m.ReplyTo, 10, 64); err != nil {
			return nil, fmt.Errorf("simplex: reply-to id %q: %w", m.ReplyTo, err)
		}
	}
	var msgs []ComposedMessage
	for i, part := range SplitText(m.Text, MaxTextBytes) {
		cm := ComposedMessage{MsgContent: TextContent(part)}
		if i == 0 && quote != 0 {
			cm.QuotedItemID = quote
		}
		msgs = append(msgs, cm)
	}
	for _, path := range m.Files {
		msgs = append(msgs, ComposedMessage{MsgContent: MsgContent{Type: MsgFile}, FileSource: &CryptoFile{FilePath: path}})
	}
	var ids []string
	// One command per message: a batch over the size limit fails whole.
	for _, cm := range msgs {
		r, err := Do[*NewChatItems](ctx, p.client, APISendMessages{Chat: ref, Messages: []ComposedMessage{cm}})
		if err != nil {
			return ids, err
		}
		for i := range r.ChatItems {
			ids = append(ids, strconv.FormatInt(r.ChatItems[i].ChatItem.Meta.ItemID, 10))
		}
	}
	return ids, nil
}

func (p *Platform) sendWelcome(contactID int64) {
	p.mu.Lock()
	text, ok := p.welcome[contactID]
	delete(p.welcome, contactID)
	if !ok {
		// Remember the connection in case the accept's response is still
		// on its way; the set is bounded.
		if len(p.connected) >= maxRecentConnected {
			clear(p.connected)
		}
		p.connected[contactID] = struct{}{}
	}
	bg := p.bg
	p.mu.Unlock()
	if !ok || text == "" {
		return
	}
	p.wg.Add(1)
	go func() {
		defer p.wg.Done()
		ctx, cancel := context.WithTimeout(bg, p.client.cfg.callTimeout)
		defer cancel()
		if _, err := p.Send(ctx, ChatRef{Type: ChatDirect, ID: contactID}.String(), bot.Outgoing{Text: text}); err != nil {
			p.log.Warn("simplex: welcome message", zap.Error(err))
		}
	}()
}

// AcceptRequest implements bot.RequestAccepter: contact requests are
// accepted with APIAcceptContact, group invitations joined with
// APIJoinGroup. A welcome goes out once the contact is connected, or to
// the group right after joining.
func (p *Platform) AcceptRequest(ctx context.Context, r bot.Request, opts bot.AcceptOptions) error {
	switch e := r.(type) {
	case *ReceivedContactRequest:
		res, err := Do[*AcceptingContactRequest](ctx, p.client, APIAcceptContact{ContactRequestID: e.ContactRequest.ContactRequestID})
		if err != nil {
			return err
		}
		if opts.Welcome != "" {
			// contactConnected may have overtaken this response.
			id := res.Contact.ContactID
			p.mu.Lock()
			_, already := p.connected[id]
			delete(p.connected, id)
			if !already {
				p.welcome[id] = opts.Welcome
			}
			p.mu.Unlock()
			if already {
				_, err := p.Send(ctx, Direct(id).String(), bot.Outgoing{Text: opts.Welcome})
				return err
			}
		}
		return nil
	case *ReceivedGroupInvitation:
		if _, err := Do[*UserAcceptedGroupSent](ctx, p.client, APIJoinGroup{GroupID: e.GroupInfo.GroupID}); err != nil {
			return err
		}
		if opts.Welcome != "" {
			_, err := p.Send(ctx, ChatRef{Type: ChatGroup, ID: e.GroupInfo.GroupID}.String(), bot.Outgoing{Text: opts.Welcome})
			return err
		}
		return nil
	}
	return fmt.Errorf("simplex: cannot accept %s: %w", r.Type(), bot.ErrUnsupported)
}

// RejectRequest implements bot.RequestAccepter: contact requests are
// rejected (the requester is not told); group invitations are left.
func (p *Platform) RejectRequest(ctx context.Context, r bot.Request) error {
	switch e := r.(type) {
	case *ReceivedContactRequest:
		_, err := Do[*ContactRequestRejected](ctx, p.client, APIRejectContact{ContactRequestID: e.ContactRequest.ContactRequestID})
		return err
	case *ReceivedGroupInvitation:
		_, err := Do[*LeftMemberUser](ctx, p.client, APILeaveGroup{GroupID: e.GroupInfo.GroupID})
		return err
	}
	return fmt.Errorf("simplex: cannot reject %s: %w", r.Type(), bot.ErrUnsupported)
}

// Delete implements bot.Deleter. In groups it moderates (deletes another
// member's message for everyone), which needs the moderator role; the
// bot's own messages are deleted with a broadcast delete.
func (p *Platform) Delete(ctx context.Context, chatID, msgID string) error {
	ref, err := ParseChatRef(chatID)
	if err != nil {
		return err
	}
	id, err := strconv.ParseInt(msgID, 10, 64)
	if err != nil {
		return fmt.Errorf("simplex: message id %q: %w", msgID, err)
	}
	if ref.Type == ChatGroup {
		_, err = Do[*ChatItemsDeleted](ctx, p.client, APIDeleteMemberChatItem{GroupID: ref.ID, ItemIDs: []int64{id}})
		var ce *CommandError
		if !errors.As(err, &ce) {
			return err
		}
		// Not another member's item: fall through to deleting our own.
	}
	_, err = Do[*ChatItemsDeleted](ctx, p.client, APIDeleteChatItem{Chat: ref, ItemIDs: []int64{id}, Mode: DeleteBroadcast})
	return err
}

// Edit implements bot.Editor.
func (p *Platform) Edit(ctx context.Context, chatID, msgID, text string) error {
	ref, err := ParseChatRef(chatID)
	if err != nil {
		return err
	}
	id, err := strconv.ParseInt(msgID, 10, 64)
	if err != nil {
		return fmt.Errorf("simplex: message id %q: %w", msgID, err)
	}
	f, err := callCmd(ctx, p.client, APIUpdateChatItem{Chat: ref, ItemID: id, Message: UpdatedMessage{MsgContent: TextContent(text)}})
	if err != nil {
		return err
	}
	switch f.Resp.(type) {
	case *ChatItemUpdated, *ChatItemNotChanged:
		return nil
	}
	return &UnexpectedResponseError{Cmd: "/_update item", Want: "chatItemUpdated", Got: f.Resp}
}

// React implements bot.Reactor. SimpleX accepts only a few emoji.
func (p *Platform) React(ctx context.Context, chatID, msgID, emoji string) error {
	ref, err := ParseChatRef(chatID)
	if err != nil {
		return err
	}
	id, err := strconv.ParseInt(msgID, 10, 64)
	if err != nil {
		return fmt.Errorf("simplex: message id %q: %w", msgID, err)
	}
	_, err = Do[*ChatItemReaction](ctx, p.client, APIChatItemReaction{Chat: ref, ItemID: id, Add: true, Reaction: EmojiReaction(emoji)})
	return err
}
