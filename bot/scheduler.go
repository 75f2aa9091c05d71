package bot

import (
	"sync"
	"sync/atomic"
)

// mailbox holds the queued events of one chat key in a ring buffer.
type mailbox struct {
	key       string
	buf       []Event
	head, n   int
	scheduled bool // in the ready channel or being run by a worker
}

func (m *mailbox) push(e Event) {
	if m.n == len(m.buf) {
		size := 2 * len(m.buf)
		if size == 0 {
			size = 4
		}
		nb := make([]Event, size)
		for i := 0; i < m.n; i++ {
			nb[i] = m.buf[(m.head+i)%len(m.buf)]
		}
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

	mu        sync.Mutex
	boxes     map[string]*mailbox
	free      []*mailbox
	inflight  int // events queued or running
	waiting   bool
	draining  bool
	abandon   atomic.Bool
	dropped   atomic.Int64
	drained   chan struct{}
	closeOnce sync.Once

	run func(Event)
}

func newScheduler(maxQueued int, run func(Event)) *scheduler {
	return &scheduler{
		max:     maxQueued,
		ready:   make(chan *mailbox, maxQueued),
		space:   make(chan struct{}, 1),
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
		s.waiting = true
		s.mu.Unlock()
		select {
		case <-s.space:
		case <-stop:
			return ErrStopped
		}
		s.mu.Lock()
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
		s.boxes[key] = mb
	}
	mb.push(e)
	s.inflight++
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
			case <-quit:
				return
			}
			s.mu.Lock()
			e = mb.pop()
			s.mu.Unlock()
		}

		if s.take() {
			s.run(e)
		}

		s.mu.Lock()
		s.inflight--
		if s.waiting {
			s.waiting = false
			select {
			case s.space <- struct{}{}:
			default:
			}
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
			delete(s.boxes, mb.key)
			mb.key = ""
			if cap(mb.buf) > maxKeptBuf {
				mb.buf, mb.head = nil, 0
			}
			if len(s.free) < maxFreeMailboxes {
				s.free = append(s.free, mb)
			}
			s.checkDrainedLocked()
			s.mu.Unlock()
		}
		mb, e = nil, nil
	}
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
