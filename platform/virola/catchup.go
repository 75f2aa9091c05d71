package virola

import (
	"context"
	"fmt"
	"slices"
	"strconv"

	"go.uber.org/zap"

	"github.com/parleybot/parley/platform/kit"
)

// CommentScan is how many of a room's newest messages catch-up checks for
// new comments: a comment does not move the room's last message, so
// comments missed while away are found through their parents.
const CommentScan = 20

func lastID(r Room) int64 {
	if r.LastMessage == nil {
		return 0
	}
	return r.LastMessage.MessageID
}

// catchUp lists the rooms, then passes on, room by room, what came after
// the last message passed on. Rooms the cursors do not know start at
// their floor: on the very first start the room's oldest message the bot
// has not read, or its last message (history is not replayed); after a
// restart the stored mark; for rooms that appear later the settled id
// when they did. A room without a cursor has had nothing passed on, so
// everything of it above the settled id is new (message ids grow across
// the server).
func (p *Platform) catchUp(ctx context.Context) error {
	if !p.o.catchUp {
		return nil
	}
	snap, err := p.listRooms(ctx)
	if err != nil {
		return err
	}
	p.mu.Lock()
	// A store with cursors but no mark comes from a process that died
	// before its first catch-up passed anything on.
	first := !p.floorsOK && !p.markStored
	p.mu.Unlock()
	var unread map[int64]int64
	if first && p.resume == resumeMarkers {
		if unread, err = p.unreadFloors(ctx, snap); err != nil {
			return err
		}
	}
	p.mu.Lock()
	p.snapshot = snap
	var extra []string
	var high int64 // the newest message listed
	before := int64(-1)
	for id, r := range snap {
		high = max(high, lastID(r))
		if _, ok := p.floors[id]; !ok {
			switch {
			case p.floorsOK:
				p.floors[id] = p.settled
			case !first:
				p.floors[id] = p.mark
			default:
				// History is what the room held before the socket opened:
				// what came since is on the socket, maybe still queued.
				var f int64
				if r0, ok := p.preOpen[id]; ok {
					f = min(lastID(r0), lastID(r))
				}
				if u, ok := unread[id]; ok {
					f = min(f, u)
					p.unreadFrom[id] = true
				}
				p.floors[id] = f
			}
		}
		if chat := itoa(id); !p.d.Known(chat) && lastID(r) > p.floors[id] {
			extra = append(extra, chat)
			// A room listed only now was made after the socket opened:
			// all of it is above what the first list held.
			if _, pre := p.preOpen[id]; pre && (before < 0 || p.floors[id] < before) {
				before = p.floors[id]
			}
		}
	}
	if first {
		// Written before anything is passed on, so that a process killed
		// during this catch-up restarts rather than starting afresh: all
		// but the rooms to catch up is history.
		var preHigh int64
		for _, r := range p.preOpen {
			preHigh = max(preHigh, lastID(r))
		}
		p.settled = preHigh
		if before >= 0 {
			p.settled = min(preHigh, before)
		}
	}
	p.floorsOK = true
	p.preOpen = nil
	p.mu.Unlock()
	if first {
		if err := p.saveMark(ctx); err != nil {
			return err
		}
	}
	slices.Sort(extra)
	err = p.d.CatchUp(ctx, extra...)
	p.mu.Lock()
	p.snapshot = nil
	p.mu.Unlock()
	if err != nil {
		return err
	}
	// Every room listed was caught up to its last message, or had
	// nothing new above its floor.
	p.settle(high)
	return p.saveMark(ctx)
}

// fetchAfter is the kit's Fetcher: up to limit messages and comments of a
// room with ids above after, oldest first. The list calls' cursor may or
// may not include the cursor message itself; one more is asked for and
// the answer filtered, which is right either way.
func (p *Platform) fetchAfter(ctx context.Context, chat string, after int64, limit int) ([]kit.Item, error) {
	room, err := strconv.ParseInt(chat, 10, 64)
	if err != nil {
		return nil, fmt.Errorf("%w: %q is not a room id", kit.ErrChatGone, chat)
	}
	p.mu.Lock()
	snap := p.snapshot
	r, listed := snap[room]
	floor, hasFloor := p.floors[room]
	p.mu.Unlock()
	if snap != nil && !listed {
		return nil, fmt.Errorf("%w: room %d is not in the room list", kit.ErrChatGone, room)
	}
	if hasFloor && !p.d.Known(chat) {
		after = max(after, floor)
	}
	var msgs []Message
	if snap == nil || lastID(r) > after {
		l, err := p.client.ListMessages(ctx, room, Page{Cursor: after, Limit: limit + 1, Direction: Forward})
		if err != nil {
			return nil, gone(err, room)
		}
		msgs = newer(l.Messages, after)
	}
	// Comments of recent messages: the new ones and the newest before.
	parents := map[int64]bool{}
	for _, m := range msgs {
		if m.CommentCount > 0 {
			parents[m.MessageID] = true
		}
	}
	recent, err := p.client.ListMessages(ctx, room, Page{Limit: CommentScan, Direction: Backward})
	if err != nil {
		return nil, gone(err, room)
	}
	for _, m := range recent.Messages {
		if m.CommentCount > 0 {
			parents[m.MessageID] = true
		}
	}
	ids := make([]int64, 0, len(parents))
	for id := range parents {
		ids = append(ids, id)
	}
	slices.Sort(ids)
	for _, parent := range ids {
		l, err := p.client.ListComments(ctx, parent, Page{Cursor: after, Limit: limit + 1, Direction: Forward})
		if err != nil {
			if IsNotFound(err) {
				continue // deleted meanwhile
			}
			return nil, err
		}
		msgs = append(msgs, newer(l.Messages, after)...)
	}
	slices.SortFunc(msgs, func(a, b Message) int { return cmpInt(a.MessageID, b.MessageID) })
	msgs = slices.CompactFunc(msgs, func(a, b Message) bool { return a.MessageID == b.MessageID })
	self := p.client.Self()
	replied := map[int64]bool{}
	if p.o.replyInThread {
		for _, m := range msgs {
			if m.UserID == self && m.ParentMessageID != 0 {
				replied[m.ParentMessageID] = true
			}
		}
	}
	p.mu.Lock()
	fromMarks := p.unreadFrom[room]
	p.mu.Unlock()
	if len(msgs) > limit {
		msgs = msgs[:limit]
	}
	items := make([]kit.Item, 0, len(msgs))
	for _, m := range msgs {
		p.see(&m)
		if m.UserID != self && p.answered(chat, &m, replied[m.MessageID], fromMarks && readBy(&m, self)) {
			items = append(items, kit.Item{Chat: chat, ID: m.MessageID})
			continue
		}
		it, err := p.item(ctx, m, true)
		if err != nil {
			return nil, err
		}
		items = append(items, it)
	}
	return items, nil
}

// answered reports whether a message found by a catch-up was handled by
// an earlier process, which did not save its position: the bot's comment
// answers it, or (resuming from read marks) the bot read it. A message
// whose handler was told a command was not delivered is handled again
// all the same.
func (p *Platform) answered(chat string, m *Message, replied, read bool) bool {
	if !replied && !read || p.isUndelivered(chat, m.MessageID) {
		return false
	}
	if replied {
		p.replied.Add(1)
	} else {
		p.readSkipped.Add(1)
	}
	p.log.Debug("virola: catch-up skips a message handled already", zap.String("chat", chat), zap.Int64("message", m.MessageID),
		zap.Bool("replied", replied), zap.Bool("read", read))
	return true
}

func cmpInt(a, b int64) int {
	switch {
	case a < b:
		return -1
	case a > b:
		return 1
	}
	return 0
}

// newer keeps the messages with ids above after.
func newer(ms []Message, after int64) []Message {
	out := ms[:0]
	for _, m := range ms {
		if m.MessageID > after {
			out = append(out, m)
		}
	}
	return out
}

// gone marks a room the server no longer shows as gone for the kit.
func gone(err error, room int64) error {
	if IsNotFound(err) {
		return fmt.Errorf("%w: room %d: %w", kit.ErrChatGone, room, err)
	}
	return err
}
