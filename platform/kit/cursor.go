package kit

import (
	"context"
	"encoding/json"
	"fmt"
	"maps"
	"slices"
	"sync"

	"go.uber.org/zap"

	"github.com/parleybot/parley/store"
)

// cursors tracks, per chat, the highest position passed on (delivered) and
// the highest handled. Only handled positions are stored; delivered ones
// start again from them at each Begin, so what was passed on but not
// handled before a drop or a crash is passed on again.
type cursors struct {
	st  store.Store
	log *zap.Logger

	// flushMu orders the store writes, so an older snapshot never lands
	// after a newer one. It is taken before mu.
	flushMu   sync.Mutex
	mu        sync.Mutex
	key       string
	delivered map[string]int64
	handled   map[string]int64
	dirty     bool
	loaded    bool
	// fresh holds the chats first passed on since the map was last
	// written, at the position before their first item. It is written at
	// once, before the item goes on, so a crash cannot make a new chat
	// unknown to the next run's catch-up.
	fresh map[string]int64
	// retry tracks, per chat, the items whose handler failed with an
	// undelivered command; only chats with such items have an entry.
	retry map[string]*retryState
	// answered holds, per chat, items a catch-up found answered while
	// items passed on before them were still being handled: the handled
	// cursor moves to each once the item before it was handled.
	answered map[string][]answeredItem
	// kick wakes the flush loop when a cursor moved.
	kick chan struct{}
}

// answeredItem is an item found answered, and the last item passed on
// before it.
type answeredItem struct{ after, id int64 }

// retryState is a chat's items that wait to be handled again. The chat's
// handled cursor stays below the first of them; ahead is the highest item
// handled meanwhile, where the cursor goes once none is left.
type retryState struct {
	failed  []int64        // sorted
	pending map[int64]bool // passed on again, outcome not known yet
	ahead   int64
	fails   int // failures since the chat had none waiting
}

func newCursors(st store.Store, log *zap.Logger) *cursors {
	return &cursors{st: st, log: log, delivered: map[string]int64{}, handled: map[string]int64{},
		fresh: map[string]int64{}, retry: map[string]*retryState{}, answered: map[string][]answeredItem{}, kick: make(chan struct{}, 1)}
}

func (c *cursors) freshKey() string { return c.key + ":new" }

// restart forgets what was delivered but not handled: it is all after the
// handled cursors, and passed on again.
func (c *cursors) restart() {
	c.mu.Lock()
	clear(c.delivered)
	maps.Copy(c.delivered, c.handled)
	clear(c.retry)
	clear(c.answered)
	c.mu.Unlock()
}

// load reads the stored cursors once per process.
func (c *cursors) load(ctx context.Context) error {
	c.mu.Lock()
	loaded, key := c.loaded, c.key
	c.mu.Unlock()
	if loaded || c.st == nil || key == "" {
		return nil
	}
	var stored [2]map[string]int64 // the full map, then the new chats
	for i, k := range []string{key, key + ":new"} {
		data, ok, err := c.st.Get(ctx, k)
		if err != nil {
			return fmt.Errorf("loading cursors: %w", err)
		}
		if ok {
			if err := json.Unmarshal(data, &stored[i]); err != nil {
				c.log.Warn("stored cursors unreadable; starting without", zap.String("key", k), zap.Error(err))
				stored[i] = nil
			}
		}
	}
	c.mu.Lock()
	defer c.mu.Unlock()
	c.loaded = true
	for i, m := range stored {
		for chat, id := range m {
			if old, ok := c.handled[chat]; ok {
				id = max(old, id)
			}
			c.handled[chat] = id
			c.delivered[chat] = max(c.delivered[chat], id)
			if i == 1 {
				// Not yet in the full map: kept with the new chats, so that
				// writing another new chat before the next flush keeps it.
				c.dirty = true
				c.fresh[chat] = id
			}
		}
	}
	return nil
}

// admit records that item id of chat is being passed on; false means it,
// or a later item of the chat, was passed on already. A chat new to the
// store is written there first.
func (c *cursors) admit(ctx context.Context, chat string, id int64) bool {
	c.mu.Lock()
	if id <= c.delivered[chat] {
		c.mu.Unlock()
		return false
	}
	c.delivered[chat] = id
	_, known := c.handled[chat]
	c.mu.Unlock()
	if !known {
		c.noteNew(ctx, chat, id)
	}
	return true
}

func (c *cursors) isDelivered(chat string, id int64) bool {
	c.mu.Lock()
	defer c.mu.Unlock()
	return id <= c.delivered[chat]
}

func (c *cursors) noteNew(ctx context.Context, chat string, id int64) {
	if c.st == nil {
		return
	}
	c.flushMu.Lock()
	defer c.flushMu.Unlock()
	c.mu.Lock()
	if _, ok := c.handled[chat]; ok || c.key == "" {
		c.mu.Unlock()
		return
	}
	c.handled[chat] = id - 1
	c.fresh[chat] = id - 1
	c.dirty = true
	data, err := json.Marshal(c.fresh)
	key := c.freshKey()
	c.mu.Unlock()
	if err == nil {
		err = c.st.Set(context.WithoutCancel(ctx), key, data, 0)
	}
	if err != nil {
		c.log.Warn("saving a new chat's cursor", zap.String("chat", chat), zap.Error(err))
	}
}

// handle records the outcome of item id of chat. A success moves the
// handled cursor up to it, but never past an item that failed; a failure
// to deliver a command keeps the item for another try, and handle returns
// how many failures the chat has had since it last had none waiting.
func (c *cursors) handle(chat string, id int64, undelivered bool) int {
	c.mu.Lock()
	defer c.mu.Unlock()
	c.handleLocked(chat, id, undelivered)
	if r := c.retry[chat]; r != nil && undelivered {
		return r.fails
	}
	return 0
}

// answer records item id of chat, which a catch-up found answered, as
// handled without passing it on. The handled cursor moves to it once the
// items passed on before it were handled, never past one still in a
// handler. False means it, or a later item, was passed on already.
func (c *cursors) answer(ctx context.Context, chat string, id int64) bool {
	c.mu.Lock()
	prev := c.delivered[chat]
	if id <= prev {
		c.mu.Unlock()
		return false
	}
	c.delivered[chat] = id
	_, known := c.handled[chat]
	if known {
		c.answered[chat] = append(c.answered[chat], answeredItem{after: prev, id: id})
		c.releaseAnsweredLocked(chat)
		c.mu.Unlock()
		return true
	}
	c.mu.Unlock()
	// The chat's first item: nothing of it is in a handler.
	c.noteNew(ctx, chat, id)
	c.handle(chat, id, false)
	return true
}

// releaseAnsweredLocked moves the handled cursor to the answered items
// whose earlier items were all handled.
func (c *cursors) releaseAnsweredLocked(chat string) {
	for {
		q := c.answered[chat]
		if len(q) == 0 || c.handled[chat] < q[0].after {
			return
		}
		if len(q) == 1 {
			delete(c.answered, chat)
		} else {
			c.answered[chat] = q[1:]
		}
		c.handleLocked(chat, q[0].id, false)
	}
}

func (c *cursors) handleLocked(chat string, id int64, undelivered bool) {
	r := c.retry[chat]
	if undelivered {
		if r == nil {
			r = &retryState{pending: map[int64]bool{}}
			c.retry[chat] = r
		}
		delete(r.pending, id)
		if i, found := slices.BinarySearch(r.failed, id); !found {
			r.failed = slices.Insert(r.failed, i, id)
		}
		r.fails++
		return
	}
	to := id
	if r != nil {
		delete(r.pending, id)
		if i, found := slices.BinarySearch(r.failed, id); found {
			r.failed = slices.Delete(r.failed, i, i+1)
		}
		r.ahead = max(r.ahead, id)
		if len(r.failed) > 0 {
			to = min(r.ahead, r.failed[0]-1)
		} else {
			to = r.ahead
			delete(c.retry, chat)
		}
	}
	if to > c.handled[chat] {
		c.handled[chat] = to
		c.dirty = true
		select {
		case c.kick <- struct{}{}:
		default:
		}
	}
	if len(c.answered[chat]) > 0 {
		c.releaseAnsweredLocked(chat)
	}
}

// redoFrom returns the first failed item of chat not passed on again yet,
// or 0.
func (c *cursors) redoFrom(chat string) int64 {
	c.mu.Lock()
	defer c.mu.Unlock()
	if r := c.retry[chat]; r != nil {
		for _, id := range r.failed {
			if !r.pending[id] {
				return id
			}
		}
	}
	return 0
}

// due reports whether item id of chat is not passed on yet, or waits to
// be passed on again.
func (c *cursors) due(chat string, id int64) bool {
	c.mu.Lock()
	defer c.mu.Unlock()
	if id > c.delivered[chat] {
		return true
	}
	if r := c.retry[chat]; r != nil {
		_, found := slices.BinarySearch(r.failed, id)
		return found
	}
	return false
}

// takeRedo reports whether item id of chat failed and should be passed on
// again now, and records that it is.
func (c *cursors) takeRedo(chat string, id int64) bool {
	c.mu.Lock()
	defer c.mu.Unlock()
	r := c.retry[chat]
	if r == nil || r.pending[id] {
		return false
	}
	if _, found := slices.BinarySearch(r.failed, id); !found {
		return false
	}
	r.pending[id] = true
	return true
}

func (c *cursors) forget(chat string) {
	c.mu.Lock()
	delete(c.delivered, chat)
	delete(c.handled, chat)
	delete(c.retry, chat)
	delete(c.answered, chat)
	c.dirty = true
	c.mu.Unlock()
}

// after returns the position after which chat's items are new, and
// whether the chat is known at all.
func (c *cursors) after(chat string) (int64, bool) {
	c.mu.Lock()
	defer c.mu.Unlock()
	id, ok := c.delivered[chat]
	return id, ok
}

func (c *cursors) chats() []string {
	c.mu.Lock()
	defer c.mu.Unlock()
	out := make([]string, 0, len(c.delivered))
	for chat := range c.delivered {
		out = append(out, chat)
	}
	return out
}

// flush writes the handled cursors if they changed. A failed write is
// tried again by the next flush; nothing is marked clean until it lands.
func (c *cursors) flush(ctx context.Context) error {
	if c.st == nil {
		return nil
	}
	c.flushMu.Lock()
	defer c.flushMu.Unlock()
	c.mu.Lock()
	if !c.dirty || c.key == "" {
		c.mu.Unlock()
		return nil
	}
	key := c.key
	data, err := json.Marshal(c.handled)
	c.dirty = false
	var written map[string]int64
	if len(c.fresh) > 0 {
		written = maps.Clone(c.fresh)
		clear(c.fresh)
	}
	c.mu.Unlock()
	if err == nil {
		err = c.st.Set(ctx, key, data, 0)
	}
	if err != nil {
		c.mu.Lock()
		c.dirty = true
		for chat, id := range written {
			if _, ok := c.fresh[chat]; !ok {
				c.fresh[chat] = id
			}
		}
		c.mu.Unlock()
		return err
	}
	if written == nil {
		return nil
	}
	// The full map holds them now; keep only chats seen since.
	c.mu.Lock()
	data, err = json.Marshal(c.fresh)
	c.mu.Unlock()
	if err != nil {
		return err
	}
	return c.st.Set(ctx, key+":new", data, 0)
}
