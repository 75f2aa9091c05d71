package virola

import (
	"context"
	"encoding/json"
	"errors"
	"fmt"
	"maps"
	"slices"
	"strconv"
	"strings"
	"sync"

	"go.uber.org/zap"
)

// Resume sources, as logged at start-up.
const (
	resumeStored  = "stored cursors"
	resumeMarkers = "server read markers"
	resumeNone    = "none"
)

// maxUnreadPages bounds the pages read to find a room's oldest unread
// message at start-up.
const maxUnreadPages = 100

// chooseResume says, once, where rooms without a cursor start: the stored
// cursors and high-water mark, the server's read marks, or each room's
// newest message.
func (p *Platform) chooseResume() {
	if p.resume != "" {
		return
	}
	p.mu.Lock()
	stored := p.markStored
	p.mu.Unlock()
	switch {
	case stored || len(p.d.Chats()) > 0:
		p.resume = resumeStored
	case p.o.markRead && p.o.catchUp:
		p.resume = resumeMarkers
	default:
		p.resume = resumeNone
	}
	p.log.Info("virola: resume source", zap.String("source", p.resume))
}

// unreadFloors returns, for the rooms with unread messages, the position
// before the oldest message the bot has not read (marked read once
// handled): where a bot without a store resumes.
func (p *Platform) unreadFloors(ctx context.Context, snap map[int64]Room) (map[int64]int64, error) {
	floors := map[int64]int64{}
	for id, r := range snap {
		if r.UnreadMessageCount <= 0 {
			continue
		}
		f, err := p.unreadFloor(ctx, id, r.UnreadMessageCount)
		if err != nil {
			return nil, err
		}
		if f > 0 {
			floors[id] = f
		}
	}
	return floors, nil
}

func (p *Platform) unreadFloor(ctx context.Context, room, count int64) (int64, error) {
	self := p.client.Self()
	var cursor, oldest, found int64
	for range maxUnreadPages {
		l, err := p.client.ListMessages(ctx, room, Page{Cursor: cursor, Limit: p.o.page, Direction: Backward})
		if err != nil {
			return 0, gone(err, room)
		}
		n := len(l.Messages)
		ms := l.Messages
		if cursor > 0 {
			ms = older(ms, cursor)
		}
		for i := len(ms) - 1; i >= 0; i-- {
			if m := &ms[i]; m.UserID != self && !readBy(m, self) {
				oldest = m.MessageID
				found++
			}
		}
		if found >= count || n < p.o.page || len(ms) == 0 {
			break
		}
		cursor = ms[0].MessageID
	}
	if oldest == 0 {
		return 0, nil
	}
	return oldest - 1, nil
}

// older keeps the messages with ids below before.
func older(ms []Message, before int64) []Message {
	out := ms[:0]
	for _, m := range ms {
		if m.MessageID < before {
			out = append(out, m)
		}
	}
	return out
}

func readBy(m *Message, uid int64) bool {
	for _, rt := range m.ReadTimestamps {
		if rt.UserID == uid {
			return true
		}
	}
	return false
}

// markConcurrency is how many read marks are sent at once: the API marks
// one message per call.
const markConcurrency = 8

// markRead marks the messages handled for good read; it runs after each
// write of the cursors. A mark that was not delivered waits for the next
// one; a message deleted meanwhile is dropped.
func (p *Platform) markRead(ctx context.Context) error {
	p.mu.Lock()
	ids := p.toMark
	p.toMark = nil
	p.mu.Unlock()
	if len(ids) == 0 {
		return nil
	}
	var (
		wg     sync.WaitGroup
		mu     sync.Mutex
		failed []int64
		first  error
	)
	next := make(chan int64)
	for range min(markConcurrency, len(ids)) {
		wg.Go(func() {
			for id := range next {
				// Noted before the call: the server may send the mark's
				// update before it answers.
				p.noteMarked(id)
				err := p.client.MarkRead(ctx, id)
				if err != nil {
					p.forgetMarked(id)
				}
				if err == nil || IsNotFound(err) {
					continue
				}
				mu.Lock()
				failed = append(failed, id)
				if first == nil {
					first = err
				}
				mu.Unlock()
			}
		})
	}
	for _, id := range ids {
		next <- id
	}
	close(next)
	wg.Wait()
	if len(failed) == 0 {
		return nil
	}
	slices.Sort(failed)
	p.mu.Lock()
	p.toMark = append(failed, p.toMark...)
	p.mu.Unlock()
	return fmt.Errorf("virola: marking %d messages read: %w", len(failed), first)
}

// noteMarked remembers a message the bot marked read, so that the
// update the server sends for the mark is not passed on.
func (p *Platform) noteMarked(id int64) {
	p.mu.Lock()
	defer p.mu.Unlock()
	if len(p.marked) >= maxToMark {
		clear(p.marked) // their updates are passed on, which is harmless
	}
	p.marked[id] = true
}

// forgetMarked undoes noteMarked for a mark that was not made.
func (p *Platform) forgetMarked(id int64) {
	p.mu.Lock()
	delete(p.marked, id)
	p.mu.Unlock()
}

// ownMark reports whether an update is the echo of the bot's own read
// mark (counted in Stats.OwnReads); such an update is not passed on.
func (p *Platform) ownMark(m *Message) bool {
	p.mu.Lock()
	own := p.marked[m.MessageID] && readBy(m, p.client.Self())
	if own {
		delete(p.marked, m.MessageID)
	}
	p.mu.Unlock()
	if own {
		p.ownReads.Add(1)
		p.log.Debug("virola: the update of the bot's own read mark is not passed on", zap.Int64("message", m.MessageID))
	}
	return own
}

// noteUndelivered remembers the messages whose handler failed to deliver
// a command, until they are handled again. They are kept in the store
// too, so that a restarted bot hands them to their handler again, as it
// was told, rather than skipping them as answered.
func (p *Platform) noteUndelivered(chat string, id int64, undelivered bool) {
	k := chat + ":" + strconv.FormatInt(id, 10)
	p.mu.Lock()
	defer p.mu.Unlock()
	if !undelivered {
		if p.undelivered[k] {
			delete(p.undelivered, k)
			p.undeliveredDirty = true
		}
		return
	}
	if len(p.undelivered) >= maxParents {
		clear(p.undelivered)
	}
	p.undelivered[k] = true
	p.undeliveredDirty = true
}

func (p *Platform) undeliveredKey() string {
	return strings.Replace(p.markKey(), "virola:mark:", "virola:undelivered:", 1)
}

// afterFlush runs after each write of the cursors.
func (p *Platform) afterFlush(ctx context.Context) error {
	return errors.Join(p.saveMark(ctx), p.saveUndelivered(ctx), p.markRead(ctx))
}

// saveUndelivered writes the undelivered messages when they changed.
func (p *Platform) saveUndelivered(ctx context.Context) error {
	p.mu.Lock()
	if p.o.store == nil || !p.keySet || !p.undeliveredDirty {
		p.mu.Unlock()
		return nil
	}
	keys := slices.Sorted(maps.Keys(p.undelivered))
	p.undeliveredDirty = false
	p.mu.Unlock()
	data, err := json.Marshal(keys)
	if err == nil {
		err = p.o.store.Set(ctx, p.undeliveredKey(), data, 0)
	}
	if err != nil {
		p.mu.Lock()
		p.undeliveredDirty = true
		p.mu.Unlock()
		return fmt.Errorf("virola: saving the undelivered messages: %w", err)
	}
	return nil
}

func (p *Platform) loadUndelivered(ctx context.Context) error {
	if p.o.store == nil {
		return nil
	}
	data, ok, err := p.o.store.Get(ctx, p.undeliveredKey())
	if err != nil {
		return fmt.Errorf("virola: loading the undelivered messages: %w", err)
	}
	if !ok {
		return nil
	}
	var keys []string
	if err := json.Unmarshal(data, &keys); err != nil {
		p.log.Warn("virola: stored undelivered messages unreadable; starting without", zap.Error(err))
		return nil
	}
	p.mu.Lock()
	defer p.mu.Unlock()
	for _, k := range keys {
		p.undelivered[k] = true
	}
	return nil
}

func (p *Platform) isUndelivered(chat string, id int64) bool {
	p.mu.Lock()
	defer p.mu.Unlock()
	return p.undelivered[chat+":"+strconv.FormatInt(id, 10)]
}
