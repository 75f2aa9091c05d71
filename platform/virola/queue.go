package virola

import (
	"context"
	"sync"
)

// maxQueued bounds the decoded frames waiting between the socket reader
// and the session. Past it frames are dropped, counted, and one catch-up
// marker is queued: catch-up fetches the dropped messages from the server.
const maxQueued = 1 << 16

// frameQueue carries frames from the socket reader to the session. The
// reader never waits on it: a reader blocked behind a burst would leave
// the bot's own message events unread on the socket, and every Send would
// wait for them (and the server drops a socket that is not read).
type frameQueue struct {
	mu     sync.Mutex
	items  []frameItem
	limit  int
	marked bool          // a catch-up marker is queued
	ready  chan struct{} // 1-buffered: something was pushed
}

func newFrameQueue(limit int) *frameQueue {
	return &frameQueue{limit: limit, ready: make(chan struct{}, 1)}
}

// push queues it without waiting; it reports false when the queue was
// full and it was dropped (an end of the socket is never dropped).
func (q *frameQueue) push(it frameItem) bool {
	q.mu.Lock()
	ok := true
	switch {
	case it.end || len(q.items) < q.limit:
		q.items = append(q.items, it)
	case !q.marked:
		q.marked = true
		q.items = append(q.items, frameItem{lag: true})
		ok = false
	default:
		ok = false
	}
	q.mu.Unlock()
	select {
	case q.ready <- struct{}{}:
	default:
	}
	return ok
}

// pop returns the oldest frame, waiting for one until ctx ends. A signal
// on retry comes first, as an item with retry set.
func (q *frameQueue) pop(ctx context.Context, retry <-chan struct{}) (frameItem, bool) {
	for {
		select {
		case <-retry:
			return frameItem{retry: true}, true
		default:
		}
		q.mu.Lock()
		if len(q.items) > 0 {
			it := q.items[0]
			q.items[0] = frameItem{}
			q.items = q.items[1:]
			if len(q.items) == 0 {
				q.items = nil // let the backing array go after a burst
			}
			if it.lag {
				q.marked = false
			}
			q.mu.Unlock()
			return it, true
		}
		q.mu.Unlock()
		select {
		case <-q.ready:
		case <-retry:
			return frameItem{retry: true}, true
		case <-ctx.Done():
			return frameItem{}, false
		}
	}
}
