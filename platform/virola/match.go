package virola

import (
	"sync"
)

// matcher finds the id of a message the bot posted: the server answers a
// post without it, then sends the bot's own TextMessagesCreated like any
// other. A post registers a waiter before it is sent; the first own
// message of the same room, thread and text claims the oldest such waiter.
type matcher struct {
	mu      sync.Mutex
	waiters []*waiter
	claimed map[int64]struct{} // ids given to a waiter, so a look-up does not give them twice
	order   []int64            // claimed ids, oldest first, to bound the set
	live    chan struct{}      // open while an events socket is read, closed when none is
}

type waiter struct {
	room, parent int64
	text         string
	id           chan int64    // buffered: receives the id once
	gone         chan struct{} // closed when the socket that could bring the id ended
}

const maxClaimed = 4096

func newMatcher() *matcher {
	live := make(chan struct{})
	close(live) // no socket yet
	return &matcher{claimed: map[int64]struct{}{}, live: live}
}

// up says an events socket is being read: its own message events can
// claim the waiters registered from now on.
func (m *matcher) up() {
	m.mu.Lock()
	m.live = make(chan struct{})
	m.mu.Unlock()
}

// down says the socket ended: its waiters stop waiting for an event that
// cannot come and look their message up at once.
func (m *matcher) down() {
	m.mu.Lock()
	select {
	case <-m.live:
	default:
		close(m.live)
	}
	m.mu.Unlock()
}

// expect registers a post about to be sent.
func (m *matcher) expect(room, parent int64, text string) *waiter {
	w := &waiter{room: room, parent: parent, text: text, id: make(chan int64, 1)}
	m.mu.Lock()
	w.gone = m.live
	m.waiters = append(m.waiters, w)
	m.mu.Unlock()
	return w
}

// drop forgets a waiter whose post failed or gave up.
func (m *matcher) drop(w *waiter) {
	m.mu.Lock()
	defer m.mu.Unlock()
	for i, x := range m.waiters {
		if x == w {
			m.waiters = append(m.waiters[:i], m.waiters[i+1:]...)
			return
		}
	}
}

// offer passes an own message from the event stream.
func (m *matcher) offer(msg Message) {
	m.mu.Lock()
	defer m.mu.Unlock()
	if _, ok := m.claimed[msg.MessageID]; ok {
		return
	}
	for i, w := range m.waiters {
		if w.room == msg.RoomID && w.parent == msg.ParentMessageID && w.text == msg.Text {
			m.waiters = append(m.waiters[:i], m.waiters[i+1:]...)
			m.claimLocked(msg.MessageID)
			w.id <- msg.MessageID
			return
		}
	}
}

// claim takes the newest unclaimed message of msgs (oldest first) that
// fits w; it returns 0 when none does.
func (m *matcher) claim(w *waiter, msgs []Message, self int64) int64 {
	m.mu.Lock()
	defer m.mu.Unlock()
	select {
	case id := <-w.id: // the event came after all
		return id
	default:
	}
	for i := len(msgs) - 1; i >= 0; i-- {
		msg := msgs[i]
		if msg.UserID != self || msg.ParentMessageID != w.parent || msg.Text != w.text {
			continue
		}
		if _, ok := m.claimed[msg.MessageID]; ok {
			continue
		}
		m.claimLocked(msg.MessageID)
		return msg.MessageID
	}
	return 0
}

func (m *matcher) claimLocked(id int64) {
	m.claimed[id] = struct{}{}
	m.order = append(m.order, id)
	if len(m.order) > maxClaimed {
		delete(m.claimed, m.order[0])
		m.order = m.order[1:]
	}
}
