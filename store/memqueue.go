package store

// write identifies one write of a key; seq tells it apart from later
// writes of the same key.
type write struct {
	key      string
	seq      uint64
	deadline int64
}

func (a write) before(b write) bool {
	return a.deadline < b.deadline || (a.deadline == b.deadline && a.seq < b.seq)
}

// ring is a FIFO in a power-of-two circular buffer, so pushes and pops
// reuse memory instead of allocating.
type ring struct {
	buf  []write
	head int
	n    int
}

func (r *ring) push(w write) {
	if r.n == len(r.buf) {
		r.grow()
	}
	r.buf[(r.head+r.n)&(len(r.buf)-1)] = w
	r.n++
}

func (r *ring) front() write { return r.buf[r.head] }

func (r *ring) back() write { return r.buf[(r.head+r.n-1)&(len(r.buf)-1)] }

func (r *ring) popFront() write {
	w := r.buf[r.head]
	r.buf[r.head] = write{} // release the key for the collector
	r.head = (r.head + 1) & (len(r.buf) - 1)
	r.n--
	return w
}

func (r *ring) grow() {
	size := max(16, 2*len(r.buf))
	buf := make([]write, size)
	for i := range r.n {
		buf[i] = r.buf[(r.head+i)&(len(r.buf)-1)]
	}
	r.buf, r.head = buf, 0
}

// filter keeps, in order, the writes for which keep is true.
func (r *ring) filter(keep func(key string, seq uint64) bool) {
	mask := len(r.buf) - 1
	n := 0
	for i := range r.n {
		w := r.buf[(r.head+i)&mask]
		if keep(w.key, w.seq) {
			r.buf[(r.head+n)&mask] = w
			n++
		}
	}
	for i := n; i < r.n; i++ {
		r.buf[(r.head+i)&mask] = write{}
	}
	r.n = n
}

// deadlineQueue yields writes earliest deadline first. Writes usually
// arrive in deadline order (one ttl, a clock that moves forward), so those
// go to a plain FIFO at O(1); only a write due before the FIFO's last one
// goes to a heap.
type deadlineQueue struct {
	sorted ring
	heap   []write
}

func (q *deadlineQueue) len() int { return q.sorted.n + len(q.heap) }

func (q *deadlineQueue) push(w write) {
	if q.sorted.n == 0 || !w.before(q.sorted.back()) {
		q.sorted.push(w)
		return
	}
	q.heap = append(q.heap, w)
	q.siftUp(len(q.heap) - 1)
}

// fromHeap reports whether the earliest write is the heap's.
func (q *deadlineQueue) fromHeap() bool {
	return len(q.heap) > 0 && (q.sorted.n == 0 || q.heap[0].before(q.sorted.front()))
}

// peek returns the earliest write; the queue must not be empty.
func (q *deadlineQueue) peek() write {
	if q.fromHeap() {
		return q.heap[0]
	}
	return q.sorted.front()
}

// pop removes the earliest write; the queue must not be empty.
func (q *deadlineQueue) pop() {
	if !q.fromHeap() {
		q.sorted.popFront()
		return
	}
	n := len(q.heap) - 1
	q.heap[0] = q.heap[n]
	q.heap[n] = write{}
	q.heap = q.heap[:n]
	q.siftDown(0)
}

// filter keeps the writes for which keep is true.
func (q *deadlineQueue) filter(keep func(key string, seq uint64) bool) {
	q.sorted.filter(keep)
	h := q.heap[:0]
	for _, w := range q.heap {
		if keep(w.key, w.seq) {
			h = append(h, w)
		}
	}
	clear(q.heap[len(h):])
	q.heap = h
	for i := len(h)/2 - 1; i >= 0; i-- {
		q.siftDown(i)
	}
}

func (q *deadlineQueue) siftUp(i int) {
	h := q.heap
	for i > 0 {
		p := (i - 1) / 2
		if !h[i].before(h[p]) {
			return
		}
		h[i], h[p] = h[p], h[i]
		i = p
	}
}

func (q *deadlineQueue) siftDown(i int) {
	h := q.heap
	for {
		l := 2*i + 1
		if l >= len(h) {
			return
		}
		c := l
		if r := l + 1; r < len(h) && h[r].before(h[l]) {
			c = r
		}
		if !h[c].before(h[i]) {
			return
		}
		h[i], h[c] = h[c], h[i]
		i = c
	}
}
