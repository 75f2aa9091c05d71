package bot

import (
	"sync"
	"sync/atomic"
)

// mailbox holds the queued events of one chat key in a ring buffer, and
// the chat's events whose pipelined sends are still in flight.
type mailbox struct {
	key       string
	buf       []Event
	head, n   int
	scheduled bool // in the ready channel or being run by a worker
	inMap     bool // in scheduler.boxes

	// Events complete in the chat's order: an event whose sends are done
	// waits for the earlier ones. open lists the chat's events that ran
	// and are not complete, oldest first; openN is its length, read
	// without the lock by the worker running the chat. A mailbox with
	// open events stays in the map after its queue emptied.
	omu   sync.Mutex
	open  []*slot
	openN atomic.Int32
	// pins counts posts of the mailbox to scheduler.done not yet taken:
	// a pinned mailbox is not reused.
	pins atomic.Int32
}

// idleLocked reports whether mb can leave the map: nothing queued, not
// scheduled, no event waiting to complete, not pinned.
func (mb *mailbox) idleLocked() bool {
	return mb.inMap && mb.n == 0 && !mb.scheduled && mb.openN.Load() == 0 && mb.pins.Load() == 0
}

// push adds e, growing the ring when full: into spare when it is large
// enough (spare is then used up), else into a new one.
func (m *mailbox) push(e Event, spare *[]Event) {
	if m.n == len(m.buf) {
		size := 2 * len(m.buf)
		if size == 0 {
			size = 4
		}
		var nb []Event
		if len(*spare) >= size {
			nb, *spare = *spare, nil
		} else {
			nb = make([]Event, size)
		}
		for i := 0; i < m.n; i++ {
			nb[i] = m.buf[(m.head+i)%len(m.buf)]
		}
		clear(m.buf)
		m.buf, m.head = nb, 0
	}
	m.buf[(m.head+m.n)%len(m.buf)] = e
	m.n++
}

func (m *mailbox) pop() Event {
	e := m.buf[m.head]
	m.buf[m.head] = nil
	m.head = (m.head + 1) % len(m.buf)
	m.n--
	return e
}

// maxFreeMailboxes bounds the pool of idle mailboxes kept for reuse, so a
// burst over many chats does not pin its memory forever.
const (
	maxFreeMailboxes = 1024
	maxKeptBuf       = 64
)

// scheduler hands events to per-chat mailboxes and runs them on a bounded
// pool of workers. A mailbox is in the ready channel at most once, and a
// worker takes one event per turn before sending the mailbox to the back
// of the channel when other chats wait, so ready chats take turns and a
// busy chat cannot starve the others. One mutex guards the mailboxes and
// the count of queued and running events, which is the bound; each event
// costs two critical sections.
type scheduler struct {
	max   int
	ready chan *mailbox // capacity max, so sends never block
	space chan struct{} // a token when a blocked reader may retry
	// posted holds the mailboxes of events whose last pipelined send
	// finished after their handler returned, for a worker to complete;
	// a token in wake says there are some. (A slice, not a channel the
	// size of the bound: an idle bot should not pay for it.)
	pmu    sync.Mutex
	posted []*mailbox
	wake   chan struct{}

	mu        sync.Mutex
	boxes     map[string]*mailbox
	free      []*mailbox
	spare     []Event // the largest ring an idle mailbox gave up, empty
	inflight  int     // events queued or running
	waiters   int     // enqueue calls blocked on a full queue
	draining  bool
	abandon   atomic.Bool
	dropped   atomic.Int64
	drained   chan struct{}
	closeOnce sync.Once

	// run handles an event and reports whether it is complete; if not,
	// it calls complete later.
	run func(Event, *mailbox) bool
	// finish reports a complete event to the bot.
	finish func(*slot)
}

func newScheduler(maxQueued int, run func(Event, *mailbox) bool, finish func(*slot)) *scheduler {
	return &scheduler{
		max:     maxQueued,
		ready:   make(chan *mailbox, maxQueued),
		space:   make(chan struct{}, 1),
		wake:    make(chan struct{}, 1),
		finish:  finish,
		boxes:   make(map[string]*mailbox),
		drained: make(chan struct{}),
		run:     run,
	}
}

// enqueue adds e to its chat's mailbox, blocking while the queue is full.
// It returns ErrStopped once stop is closed.
func (s *scheduler) enqueue(e Event, key string, stop <-chan struct{}) error {
	s.mu.Lock()
	for s.inflight >= s.max {
		s.waiters++
		s.mu.Unlock()
		select {
		case <-s.space:
		case <-stop:
			s.mu.Lock()
			s.waiters--
			s.mu.Unlock()
			return ErrStopped
		}
		s.mu.Lock()
		s.waiters--
	}
	mb := s.boxes[key]
	if mb == nil {
		if n := len(s.free); n > 0 {
			mb = s.free[n-1]
			s.free = s.free[:n-1]
		} else {
			mb = &mailbox{}
		}
		mb.key = key
		mb.inMap = true
		s.boxes[key] = mb
	}
	mb.push(e, &s.spare)
	s.inflight++
	if s.waiters > 0 && s.inflight < s.max {
		// Room for another blocked caller too: two releases may have
		// left one token.
		s.signalSpaceLocked()
	}
	schedule := !mb.scheduled
	mb.scheduled = true
	s.mu.Unlock()
	if schedule {
		s.ready <- mb
	}
	return nil
}

// work runs mailboxes until quit is closed.
func (s *scheduler) work(quit <-chan struct{}) {
	var (
		mb *mailbox
		e  Event // popped from mb, not yet run
	)
	for {
		if mb == nil {
			select {
			case mb = <-s.ready:
			case <-s.wake:
				s.completePosted()
				continue
			case <-quit:
				return
			}
			s.mu.Lock()
			e = mb.pop()
			s.mu.Unlock()
		}

		complete := true
		if s.take() {
			complete = s.run(e, mb)
		}

		s.mu.Lock()
		if complete {
			s.releaseLocked()
		}
		switch {
		case mb.n > 0 && len(s.ready) == 0:
			// No other chat waits: go on with this one, popping its next
			// event in the same critical section, without waking another
			// worker.
			e = mb.pop()
			s.mu.Unlock()
			continue
		case mb.n > 0:
			// Others wait: back of the line, so chats take turns.
			s.mu.Unlock()
			s.ready <- mb
		default:
			mb.scheduled = false
			if mb.idleLocked() {
				s.removeLocked(mb)
			}
			s.checkDrainedLocked()
			s.mu.Unlock()
		}
		mb, e = nil, nil
	}
}

// releaseLocked counts one event as complete.
func (s *scheduler) releaseLocked() {
	s.inflight--
	if s.waiters > 0 {
		s.signalSpaceLocked()
	}
}

// signalSpaceLocked lets one blocked enqueue retry. Every blocked caller
// is woken in turn: each release or admission with room left passes a
// token on while any still waits.
func (s *scheduler) signalSpaceLocked() {
	select {
	case s.space <- struct{}{}:
	default: // a token is there already
	}
}

// removeLocked takes an idle mailbox out of the map, for reuse.
func (s *scheduler) removeLocked(mb *mailbox) {
	delete(s.boxes, mb.key)
	mb.inMap = false
	mb.key = ""
	if cap(mb.buf) > maxKeptBuf {
		// A large ring is kept once, for the next chat that needs
		// one: a busy chat whose queue empties now and then would
		// otherwise grow a new one each time.
		if cap(mb.buf) > cap(s.spare) {
			s.spare = mb.buf[:cap(mb.buf)]
		}
		mb.buf, mb.head = nil, 0
	}
	if len(s.free) < maxFreeMailboxes {
		s.free = append(s.free, mb)
	}
}

// sealed is told by the worker that ran sl's handler. It reports whether
// the event is complete now (its sends done, and no earlier event of the
// chat waiting): then it was finished here. Otherwise it completes later,
// in the chat's order, and drain finishes it.
func (s *scheduler) sealed(sl *slot, mb *mailbox) bool {
	if sl.t.open.Load() == 1 && mb.openN.Load() == 0 {
		// Nothing in flight, nothing earlier waiting: the common case,
		// without locks. Only this worker adds to mb.open, so openN
		// cannot grow meanwhile.
		sl.t.open.Store(0)
		s.finish(sl)
		return true
	}
	sl.mb = mb
	mb.omu.Lock()
	mb.open = append(mb.open, sl)
	mb.openN.Add(1)
	mb.omu.Unlock()
	if sl.t.open.Add(-1) == 0 {
		s.drain(mb)
	}
	return false
}

// sendFinished counts one send of t's event as finished. The last one,
// once the handler returned, hands the chat to a worker to complete the
// event: the mailbox is pinned first, as the event may be completed (and
// the mailbox freed) by another worker as soon as its count is 0.
func (s *scheduler) sendFinished(t *tracker) {
	for {
		o := t.open.Load()
		if o > 1 {
			if t.open.CompareAndSwap(o, o-1) {
				return
			}
			continue
		}
		// Ours is the last count: the handler returned, after sealed set
		// slot.mb, which stays in use while the count is not 0.
		mb := t.slot.mb
		mb.pins.Add(1)
		t.open.Store(0)
		s.pmu.Lock()
		s.posted = append(s.posted, mb)
		s.pmu.Unlock()
		select {
		case s.wake <- struct{}{}:
		default: // a token is there already
		}
		return
	}
}

// completePosted completes the events of the posted mailboxes.
func (s *scheduler) completePosted() {
	s.pmu.Lock()
	posted := s.posted
	s.posted = nil
	s.pmu.Unlock()
	for i, pinned := range posted {
		s.drain(pinned)
		pinned.pins.Add(-1)
		s.mu.Lock()
		if pinned.idleLocked() {
			s.removeLocked(pinned)
		}
		s.mu.Unlock()
		posted[i] = nil
	}
}

// drain finishes the chat's events that are complete, oldest first,
// stopping at the first one still waiting for a send.
func (s *scheduler) drain(mb *mailbox) {
	mb.omu.Lock()
	n := 0
	for len(mb.open) > 0 && mb.open[0].t.open.Load() == 0 {
		sl := mb.open[0]
		mb.open[0] = nil
		mb.open = mb.open[1:]
		s.finish(sl)
		mb.openN.Add(-1)
		n++
	}
	if len(mb.open) == 0 {
		mb.open = mb.open[:0:0]
	}
	mb.omu.Unlock()
	if n == 0 {
		return
	}
	s.mu.Lock()
	for range n {
		s.releaseLocked()
	}
	if mb.idleLocked() {
		s.removeLocked(mb)
	}
	s.checkDrainedLocked()
	s.mu.Unlock()
}

// take reports whether a popped event should run: after the stop deadline
// queued events are dropped and counted instead.
func (s *scheduler) take() bool {
	if s.abandon.Load() {
		s.dropped.Add(1)
		return false
	}
	return true
}

// startDrain marks that no more events will arrive; drained closes once
// every queued event has been run (or dropped after abandonQueued).
func (s *scheduler) startDrain() {
	s.mu.Lock()
	s.draining = true
	s.checkDrainedLocked()
	s.mu.Unlock()
}

// abandonQueued makes workers drop queued events instead of running them.
func (s *scheduler) abandonQueued() { s.abandon.Store(true) }

func (s *scheduler) checkDrainedLocked() {
	if s.draining && s.inflight == 0 {
		s.closeOnce.Do(func() { close(s.drained) })
	}
}

// depth returns how many events are queued or running.
func (s *scheduler) depth() int {
	s.mu.Lock()
	defer s.mu.Unlock()
	return s.inflight
}

// chats returns how many chats have queued or running events.
func (s *scheduler) chats() int {
	s.mu.Lock()
	defer s.mu.Unlock()
	return len(s.boxes)
}
