package simplex

import (
	"context"
	"errors"
	"fmt"
	"strconv"
	"sync"
	"sync/atomic"

	"go.uber.org/zap"

	"github.com/parleybot/parley/bot"
	"github.com/parleybot/parley/platform/kit"
	"github.com/parleybot/parley/store"
)

const maxRecentConnected = 4096

// Stats are the platform's counters.
type Stats struct {
	Connects      int64 // connections made
	Replayed      int64 // missed messages delivered by catch-up
	Skipped       int64 // live items already delivered by catch-up
	Spilled       int64 // live messages left in the CLI under load, fetched later
	Reconciled    int64 // replies not sent again: a catch-up found them sent before a drop or a crash
	BadItemIDs    int64 // received items without a usable itemId: passed on untracked, or skipped by a fetch
	UnknownChats  int64 // received items of a chat type with no reference, passed on untracked
	Shed          int64 // delivery-status events dropped under load
	DroppedFrames int64 // frames that could not be used
}

// Platform is the SimpleX Chat bot.Platform: one Client, typed events,
// start-up steps, and delivery through the kit: per-chat cursors of
// received items (the CLI's item ids), catch-up after reconnects and
// restarts with /_get chat, and messages left in the CLI under load. It
// implements the bot capabilities AsyncSender (pipelined sends),
// RequestAccepter, Deleter, Editor and Reactor.
//
// A restart resumes from the stored cursors when WithStore gives a store
// that outlives the process; without one (or with a *store.Memory) it
// resumes from the CLI's unread markers: handled items are marked read
// (/_read chat items, batched per chat every cursor flush) and each
// connection catches up the chats /_get chats lists with unread items.
// Either way each connection also catches up chats the cursors do not
// know that got messages while the bot was away, before the known chats
// (so that, under frequent drops, a busy chat's backlog cannot hold them
// back). The start-up log says which source a bot uses.
//
// With a store, the first start writes below which item id the chats'
// history predates the bot (the highest item /_get chats lists), so that
// a restart neither answers that history nor skips what came since. The
// CLI's events can lag its answers: a message whose event comes after the
// listing lowers that mark as it is read, before it is passed on. Left
// open: a bot killed during its very first start, after the listing and
// before it read the event of a message the listing counted, takes that
// message for history.
//
// A crash or a drop can leave a message handled whose cursor (or read
// marker) did not move: the catch-up passes it on again. If the bot had
// replied to it quoting it (bot.Context.Reply and ReplyAsync do), the
// catch-up finds the reply in the chat, and the handler's new reply is
// answered with the earlier one instead of going twice (Stats.Reconciled,
// logged at debug). A bot far behind its chats answers a message many
// items after it, so the first catch-up of each chat after a restart
// reads on to the chat's latest item at that start for the earlier
// process's replies (once per process: one more read of what follows the
// cursor). A reply whose outcome was unknown and that the catch-up did
// not find is looked for again just before it would go twice, as the CLI
// may run the dead connection's command late. What is left: a reply the
// dead process wrote that the CLI runs only after the new process's
// catch-up read the chat, and a reply that does not quote its message,
// cannot be recognized; then the message in flight in each chat at the
// crash may be answered twice.
type Platform struct {
	cfg    platformConfig
	client *Client
	log    *zap.Logger
	d      *kit.Delivery

	user atomic.Pointer[User]

	mu       sync.Mutex
	welcome  map[int64]string        // contact id → welcome to send on connect
	replied  map[replyKey]int64      // received item → the bot's reply found by a catch-up
	unsure   map[replyKey]unsureSpan // received items whose reply's outcome is unknown
	horizons map[string]int64        // chat → its latest item at the process's first connection, until scanned
	prior    map[replyKey]int64      // received item → a reply an earlier process sent, found by scanPrior
	horizon  atomic.Int64            // the highest item id seen
	liveLow  atomic.Int64            // the lowest received item id that came as an event, 0 if none
	// The first start's history floor, once this process wrote it: live
	// items at or below it lower it (lowerFloor).
	firstStart atomic.Bool
	floorMu    sync.Mutex
	floorKey   string
	floor      int64
	floorNext  atomic.Int64       // floor+1 once written, 0 before: live's fast path
	connected  map[int64]struct{} // contacts connected recently, for welcomes

	shed, badItems, unknownChats, reconciled atomic.Int64
	logged                                   map[string]struct{} // odd types logged once
	// Buffers of the client's reader for spilling.
	spillKeys []itemKey
	spillPos  []kit.Pos

	// readMarkers: no store keeps the cursors, so handled items are marked
	// read in the CLI and a restart resumes from its unread markers.
	readMarkers  bool
	resumeLogged atomic.Bool
	ahead        lookAhead

	ready    atomic.Bool
	stopping atomic.Bool
	// The connection and background sends (welcomes) run under bg, which
	// Close cancels; connDone closes when the connection has ended.
	bg       context.Context
	bgCancel context.CancelFunc
	connDone chan struct{}
	wg       sync.WaitGroup
}

// New returns a platform for the CLI at url, such as "ws://127.0.0.1:5225".
func New(url string, opts ...Option) *Platform {
	cfg := platformConfig{logger: zap.NewNop(), catchUp: DefaultCatchUp, flushEvery: DefaultCursorFlush, catchUpPage: DefaultCatchUpPage}
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
		welcome:   map[int64]string{},
		connected: map[int64]struct{}{},
		logged:    map[string]struct{}{},
		replied:   map[replyKey]int64{},
		unsure:    map[replyKey]unsureSpan{},
		horizons:  map[string]int64{},
		prior:     map[replyKey]int64{},
	}
	_, volatile := cfg.store.(*store.Memory)
	p.readMarkers = cfg.store == nil || volatile
	kc := kit.Config{
		Store: cfg.store, Logger: cfg.logger.Named("delivery"), Page: cfg.catchUpPage, FlushEvery: cfg.flushEvery,
	}
	if p.readMarkers {
		kc.MarkRead = p.markRead
	}
	p.d = kit.NewDelivery(kit.FetchFunc(p.fetchAfter), kc)
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
	ds := p.d.Stats()
	return Stats{
		Connects:      p.client.Connects(),
		Replayed:      ds.Replayed,
		Skipped:       ds.Skipped,
		Spilled:       ds.Spilled,
		Reconciled:    p.reconciled.Load(),
		BadItemIDs:    p.badItems.Load(),
		UnknownChats:  p.unknownChats.Load(),
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
	p.mu.Unlock()
	p.stopping.Store(false)
	inner := emit
	emit = func(e bot.Event) error {
		err := inner(e)
		if err == nil {
			p.client.progress()
		}
		return err
	}
	p.d.Begin(emit)

	var s Sink = sink{p: p, emit: emit}
	if p.cfg.catchUp {
		s = spillSink{sink{p: p, emit: emit}}
	}
	var runErr error
	go func() {
		defer close(done)
		var fwg sync.WaitGroup
		fwg.Add(1)
		go func() {
			defer fwg.Done()
			p.d.Run(connCtx)
		}()
		runErr = p.client.Run(connCtx, s)
		connCancel()
		fwg.Wait()
	}()

	select {
	case <-ctx.Done():
		p.stop()
		return nil
	case <-done:
		// The connection ended by itself: a fatal error.
		p.mu.Lock()
		p.connDone = nil
		p.mu.Unlock()
		return runErr
	}
}

// stop passes no more events on; the connection stays up for sends.
func (p *Platform) stop() {
	p.stopping.Store(true)
	p.d.Stop()
	p.client.PauseEvents()
}

// Close ends the connection Listen opened, once the bot has drained, and
// writes the cursors.
func (p *Platform) Close(ctx context.Context) error {
	if p.readMarkers && p.client.Connected() {
		// The read markers go while the connection is still up.
		_ = p.d.Flush(ctx)
	}
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
	return p.d.Flush(ctx)
}

// Send implements bot.Platform. Text longer than MaxTextBytes is split
// into several messages; the first quotes m.ReplyTo. It returns the item
// ids of what was sent, also when a later part fails.
func (p *Platform) Send(ctx context.Context, chatID string, m bot.Outgoing) ([]string, error) {
	ref, msgs, err := compose(chatID, m)
	if err != nil {
		return nil, err
	}
	if id, ok, err := p.replyFound(ctx, chatID, m, len(msgs)); err != nil {
		return nil, err
	} else if ok {
		return []string{id}, nil
	}
	var ids []string
	// One command per message: a batch over the size limit fails whole.
	for i, cm := range msgs {
		from := p.horizon.Load()
		r, err := Exec(ctx, p.client, APISendMessages{Chat: ref, Messages: []ComposedMessage{cm}})
		if err != nil {
			if i == 0 {
				p.noteUnsure(chatID, m.ReplyTo, err, from)
			}
			return ids, err
		}
		for i := range r.ChatItems {
			id := r.ChatItems[i].ChatItem.Meta.ItemID
			p.seen(id)
			ids = append(ids, strconv.FormatInt(id, 10))
		}
	}
	return ids, nil
}

// SendAsync implements bot.AsyncSender: the /_send commands for m are
// written before it returns, and done gets the ids of the items sent once
// the CLI answered them all (the answer is scanned for the ids, not
// decoded). A long text's parts are all written at once; the outcome is
// the first part's failure, if any, with the ids of the parts that went.
func (p *Platform) SendAsync(ctx context.Context, chatID string, m bot.Outgoing, done func(ids []string, err error)) {
	ref, msgs, err := compose(chatID, m)
	if err != nil {
		done(nil, err)
		return
	}
	switch len(msgs) {
	case 0:
		done(nil, nil) // nothing to send, as Send
		return
	case 1:
		if id, ok, err := p.replyFound(ctx, chatID, m, 1); err != nil {
			done(nil, err)
			return
		} else if ok {
			done([]string{id}, nil)
			return
		}
		cmd, err := APISendMessages{Chat: ref, Messages: msgs}.Cmd()
		if err != nil {
			done(nil, err)
			return
		}
		from := p.horizon.Load()
		p.client.sendAsync(ctx, cmd, func(ids []int64, err error) {
			p.noteUnsure(chatID, m.ReplyTo, err, from)
			if len(ids) > 0 {
				p.seen(ids[len(ids)-1])
			}
			done(formatIDs(nil, ids), err)
		})
		return
	}
	parts := &sendParts{ids: make([][]int64, len(msgs)), errs: make([]error, len(msgs)), left: len(msgs), done: done}
	for i := range msgs {
		cmd, err := APISendMessages{Chat: ref, Messages: msgs[i : i+1]}.Cmd()
		if err != nil {
			parts.finish(i, nil, err)
			continue
		}
		p.client.sendAsync(ctx, cmd, func(ids []int64, err error) { parts.finish(i, ids, err) })
	}
}

// replyFound reports whether a one-message reply was sent already: the
// catch-up that passed its event on again (after a drop lost the CLI's
// answer, or a crash the cursor) found the reply in the chat. The earlier
// reply's id stands for the new one, so the reply does not go twice.
// A reply whose outcome was unknown and that the catch-up did not find is
// looked for once more now: the CLI may have run the command from the
// dead connection after the catch-up read the chat.
//
// A look that fails (the connection dropped while reading the chat) is an
// error wrapping ErrNotSent: the reply is not sent, since the earlier one
// may have gone, and the event is passed on again, to look once more.
func (p *Platform) replyFound(ctx context.Context, chatID string, m bot.Outgoing, parts int) (string, bool, error) {
	if parts != 1 || m.ReplyTo == "" {
		return "", false, nil
	}
	id, ok := p.takeReplied(chatID, m.ReplyTo)
	if !ok {
		var err error
		if id, ok, err = p.seekUnsure(ctx, chatID, m.ReplyTo); err != nil {
			if ce := p.log.Check(zap.DebugLevel, "simplex: reply held back: the look for an earlier reply failed"); ce != nil {
				ce.Write(zap.String("chat", chatID), zap.String("replyTo", m.ReplyTo), zap.Error(err))
			}
			return "", false, fmt.Errorf("%w: reply to %s held back: looking for an earlier reply whose outcome is unknown: %w", ErrNotSent, m.ReplyTo, err)
		}
	}
	if !ok {
		return "", false, nil
	}
	p.reconciled.Add(1)
	if ce := p.log.Check(zap.DebugLevel, "simplex: reply found sent already; not sent again"); ce != nil {
		ce.Write(zap.String("chat", chatID), zap.String("replyTo", m.ReplyTo), zap.Int64("reply", id))
	}
	return strconv.FormatInt(id, 10), true, nil
}

// sendParts gathers the outcomes of a long message's parts.
type sendParts struct {
	mu   sync.Mutex
	ids  [][]int64
	errs []error
	left int
	done func([]string, error)
}

func (s *sendParts) finish(i int, ids []int64, err error) {
	s.mu.Lock()
	s.ids[i], s.errs[i] = ids, err
	s.left--
	last := s.left == 0
	s.mu.Unlock()
	if !last {
		return
	}
	var out []string
	for i := range s.ids {
		if s.errs[i] != nil {
			s.done(out, s.errs[i])
			return
		}
		out = formatIDs(out, s.ids[i])
	}
	s.done(out, nil)
}

func formatIDs(dst []string, ids []int64) []string {
	for _, id := range ids {
		dst = append(dst, strconv.FormatInt(id, 10))
	}
	return dst
}

// compose turns an outgoing message into the messages of /_send commands.
func compose(chatID string, m bot.Outgoing) (ChatRef, []ComposedMessage, error) {
	ref, err := ParseChatRef(chatID)
	if err != nil {
		return ref, nil, err
	}
	var quote int64
	if m.ReplyTo != "" {
		if quote, err = strconv.ParseInt(m.ReplyTo, 10, 64); err != nil {
			return ref, nil, fmt.Errorf("simplex: reply-to id %q: %w", m.ReplyTo, err)
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
	return ref, msgs, nil
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
		res, err := Exec(ctx, p.client, APIAcceptContact{ContactRequestID: e.ContactRequest.ContactRequestID})
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
		if _, err := Exec(ctx, p.client, APIJoinGroup{GroupID: e.GroupInfo.GroupID}); err != nil {
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
		_, err := Exec(ctx, p.client, APIRejectContact{ContactRequestID: e.ContactRequest.ContactRequestID})
		return err
	case *ReceivedGroupInvitation:
		_, err := Exec(ctx, p.client, APILeaveGroup{GroupID: e.GroupInfo.GroupID})
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
		_, err = Exec(ctx, p.client, APIDeleteMemberChatItem{GroupID: ref.ID, ItemIDs: []int64{id}})
		var ce *CommandError
		if !errors.As(err, &ce) {
			return err
		}
		// Not another member's item: fall through to deleting our own.
	}
	_, err = Exec(ctx, p.client, APIDeleteChatItem{Chat: ref, ItemIDs: []int64{id}, Mode: DeleteBroadcast})
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
	_, err = Exec(ctx, p.client, APIChatItemReaction{Chat: ref, ItemID: id, Add: true, Reaction: EmojiReaction(emoji)})
	return err
}
