package tada

import (
	"context"
	"sync"
)

// Overflow takes the place, in Conn.Next, of the frames the reader
// dropped while its queue was full (WithEventBuffer). The Platform
// fetches what they held (messages, contacts, groups) and then confirms
// them; a frame not confirmed comes again on the next connection.
type Overflow struct {
	// Dropped is how many frames were dropped.
	Dropped int
	// ConfirmIDs are the dropped frames' confirm_ids, up to 65,536 (the
	// rest come again on the next connection).
	ConfirmIDs []string
}

// Type returns "overflow".
func (*Overflow) Type() string { return "overflow" }

// maxDroppedIDs bounds the confirm_ids an Overflow keeps.
const maxDroppedIDs = 1 << 16

// frameQueue carries frames from a connection's reader to Next. The
// reader never waits on it: a reader blocked behind a busy bot leaves
// server.confirm frames and the server's close unread (a dead connection
// stays in use, a ping looks late), and the server drops a socket that
// is not read, which costs a reconnect per burst.
type frameQueue struct {
	mu    sync.Mutex
	items []Frame
	head  int
	limit int
	mark  *Overflow // queued and not taken yet
	ended bool
	ready chan struct{} // 1-buffered: pushed or ended
}

func newFrameQueue(limit int) *frameQueue {
	return &frameQueue{limit: max(limit, 1), ready: make(chan struct{}, 1)}
}

func (q *frameQueue) wake() {
	select {
	case q.ready <- struct{}{}:
	default:
	}
}

// push queues f without waiting; it reports false when the queue was
// full and f was dropped, in which case one Overflow is queued in its
// place until Next has taken it.
func (q *frameQueue) push(f Frame) bool {
	q.mu.Lock()
	ok := true
	switch {
	case q.ended:
	case len(q.items)-q.head < q.limit:
		if q.head > 0 && q.head >= len(q.items)/2 && len(q.items) == cap(q.items) {
			// Reuse the taken half rather than grow while the queue
			// never empties.
			n := copy(q.items, q.items[q.head:])
			clear(q.items[n:])
			q.items, q.head = q.items[:n], 0
		}
		q.items = append(q.items, f)
	default:
		if q.mark == nil {
			q.mark = &Overflow{}
			q.items = append(q.items, Frame{Event: q.mark})
		}
		q.mark.Dropped++
		if f.ConfirmID != "" && len(q.mark.ConfirmIDs) < maxDroppedIDs {
			q.mark.ConfirmIDs = append(q.mark.ConfirmIDs, f.ConfirmID)
		}
		ok = false
	}
	q.mu.Unlock()
	q.wake()
	return ok
}

// end makes pop report the end once the queue is drained.
func (q *frameQueue) end() {
	q.mu.Lock()
	q.ended = true
	q.mu.Unlock()
	q.wake()
}

// retrySignal takes the place of a frame when pop woke on its retry
// channel: a handler failed to deliver a command, and its message goes on
// again while the connection stays up.
type retrySignal struct{}

func (retrySignal) Type() string { return "retry" }

// pop returns the oldest frame, waiting for one; it returns false when
// the queue ended and is empty, or ctx ended. A signal on retry comes
// first, as a frame whose Event is retrySignal: a busy connection must
// not hold a failed message back.
func (q *frameQueue) pop(ctx context.Context, retry <-chan struct{}) (Frame, bool, error) {
	for {
		select {
		case <-retry:
			return Frame{Event: retrySignal{}}, true, nil
		default:
		}
		q.mu.Lock()
		if q.head < len(q.items) {
			f := q.items[q.head]
			q.items[q.head] = Frame{}
			q.head++
			if q.head == len(q.items) {
				q.items, q.head = nil, 0 // let the backing array go after a burst
			}
			if o, ok := f.Event.(*Overflow); ok && o == q.mark {
				q.mark = nil
			}
			q.mu.Unlock()
			return f, true, nil
		}
		ended := q.ended
		q.mu.Unlock()
		if ended {
			return Frame{}, false, nil
		}
		select {
		case <-q.ready:
		case <-retry:
			return Frame{Event: retrySignal{}}, true, nil
		case <-ctx.Done():
			return Frame{}, false, ctx.Err()
		}
	}
}
