package tada

import (
	"context"
	"crypto/sha256"
	"errors"
	"fmt"
	"maps"
	"math"
	"slices"
	"strconv"

	"go.uber.org/zap"
)

// Resume sources, as logged at start-up.
const (
	resumeStored  = "stored cursors"
	resumeMarkers = "server read markers"
	resumeNone    = "none"
)

// readMark is a handled new message, a candidate for the chat's read
// marker.
type readMark struct {
	gentime int64
	id      string
}

// readState is what a chat's read marker may move to: new messages
// handled for good, and those whose command was not delivered, which the
// marker must stay below until they are handled again.
type readState struct {
	done []readMark // by gentime
	hold []int64    // sorted gentimes
}

// target is the newest handled message below every held one.
func (r *readState) target() (readMark, bool) {
	limit := int64(math.MaxInt64)
	if len(r.hold) > 0 {
		limit = r.hold[0]
	}
	var t readMark
	for _, m := range r.done {
		if m.gentime >= limit {
			break
		}
		t = m
	}
	return t, t.id != ""
}

// noteRead records the outcome of a new message for the read marker.
func (p *Platform) noteRead(chat string, gentime int64, id string, undelivered bool) {
	if !p.opts.markRead {
		return
	}
	p.mu.Lock()
	defer p.mu.Unlock()
	r := p.reads[chat]
	if r == nil {
		r = &readState{}
		p.reads[chat] = r
	}
	i, held := slices.BinarySearch(r.hold, gentime)
	if undelivered {
		if !held {
			r.hold = slices.Insert(r.hold, i, gentime)
		}
		return
	}
	if held {
		r.hold = slices.Delete(r.hold, i, i+1)
	}
	j, _ := slices.BinarySearchFunc(r.done, gentime, func(m readMark, g int64) int { return compareInt(m.gentime, g) })
	r.done = slices.Insert(r.done, j, readMark{gentime: gentime, id: id})
}

// markRead moves each chat's read marker (client.chat.lastread) to its
// newest message handled for good, never past one that waits to be
// handled again; it runs after each flush of the cursors. Without a
// connection the marks wait for the next flush.
func (p *Platform) markRead(ctx context.Context) error {
	if !p.opts.markRead {
		return nil
	}
	p.mu.Lock()
	cn := p.conn
	targets := map[string]readMark{}
	for chat, r := range p.reads {
		if t, ok := r.target(); ok {
			targets[chat] = t
		}
	}
	p.mu.Unlock()
	if cn == nil || len(targets) == 0 {
		return nil
	}
	for _, chat := range slices.Sorted(maps.Keys(targets)) {
		t := targets[chat]
		err := cn.MarkRead(ctx, chat, t.id)
		var we *WarningError
		if err != nil && !errors.As(err, &we) {
			return fmt.Errorf("tada: marking %s read: %w", chat, err) // tried again by the next flush
		}
		if err != nil {
			p.log.Warn("tada: the server refused a read marker", zap.String("chat", chat), zap.String("message_id", t.id), zap.Error(err))
		}
		p.mu.Lock()
		if r := p.reads[chat]; r != nil {
			r.done = slices.DeleteFunc(r.done, func(m readMark) bool { return m.gentime <= t.gentime })
			if len(r.done) == 0 && len(r.hold) == 0 {
				delete(p.reads, chat)
			}
		}
		p.mu.Unlock()
	}
	return nil
}

// chooseResume decides, once per process, where the catch-up starts for
// chats without a cursor, and says so: fromStore is whether the store
// held the bot's state from an earlier run.
func (p *Platform) chooseResume(fromStore bool, chats []Chat) {
	if p.resume != "" {
		return
	}
	markers := p.opts.markRead && p.opts.catchUp
	switch {
	case fromStore:
		p.resume = resumeStored
	case markers:
		p.resume = resumeMarkers
	default:
		p.resume = resumeNone
	}
	if markers {
		// With stored state too: a chat with no cursor that has unread
		// messages may hold some from before the stored "since" that an
		// earlier process found unread but was killed before it caught
		// them up (nothing of the chat was passed on, so no cursor was
		// written). The read marker is below them; "since" is not.
		for _, c := range chats {
			if c.NumUnread > 0 && !p.d.Known(c.JID) {
				p.unreadFrom[c.JID] = true
			}
		}
	}
	p.log.Info("tada: resume source", zap.String("source", p.resume), zap.Int("unread_chats", len(p.unreadFrom)))
}

// registerReply notes a new message whose replies get message ids derived
// from it, until it is handled for good.
func (p *Platform) registerReply(id string) {
	p.mu.Lock()
	defer p.mu.Unlock()
	if _, ok := p.replies[id]; ok {
		return
	}
	if len(p.replies) >= p.opts.seenMessages {
		clear(p.replies) // only messages never handled are lost from here
	}
	p.replies[id] = 0
}

// replyIDs returns the message ids of a reply of parts parts to message
// replyTo: derived from it while it is being handled, so that the same
// reply sent again when the message is handled again (after a restart or
// an undelivered command) changes the same messages on the server instead
// of adding new ones; random otherwise.
func (p *Platform) replyIDs(replyTo string, parts int) []string {
	ids := make([]string, parts)
	p.mu.Lock()
	n, ok := p.replies[replyTo]
	if ok {
		p.replies[replyTo] = n + 1
	}
	me := p.me
	p.mu.Unlock()
	for i := range ids {
		if ok {
			ids[i] = deriveMessageID(p.c.team, me, replyTo, n, i)
		} else {
			ids[i] = NewMessageID()
		}
	}
	return ids
}

// handledReply ends or restarts the derived ids of a message's replies:
// an undelivered outcome means the message is handled again and sends
// the same replies in the same order.
func (p *Platform) handledReply(id string, undelivered bool) {
	p.mu.Lock()
	defer p.mu.Unlock()
	if _, ok := p.replies[id]; !ok {
		return
	}
	if undelivered {
		p.replies[id] = 0
	} else {
		delete(p.replies, id)
	}
}

// deriveMessageID is a UUID (version 8, RFC 9562) made from the team, the
// bot, the message replied to, the reply's rank among the replies to it
// and the part's rank in the reply.
func deriveMessageID(team, me, replyTo string, n, part int) string {
	h := sha256.Sum256([]byte(team + "\x00" + me + "\x00" + replyTo + "\x00" + strconv.Itoa(n) + "\x00" + strconv.Itoa(part)))
	b := h[:16]
	b[6] = b[6]&0x0f | 0x80
	b[8] = b[8]&0x3f | 0x80
	return fmt.Sprintf("%x-%x-%x-%x-%x", b[0:4], b[4:6], b[6:8], b[8:10], b[10:16])
}
