package moderation

import "time"

// floodWindow is the span the flood limit counts messages in.
const floodWindow = time.Minute

// maxFloodKeys bounds how many members the flood counters track at once;
// past it, members without recent messages are dropped.
const maxFloodKeys = 100_000

type memberKey struct{ group, member string }

// floodCounter keeps, per member, the times of their recent messages: a
// sliding window, so a burst across a minute boundary still counts. Not
// safe for concurrent use; the Moderator's lock guards it.
type floodCounter struct {
	times map[memberKey][]time.Time
	adds  int
}

func newFloodCounter() *floodCounter {
	return &floodCounter{times: make(map[memberKey][]time.Time)}
}

// add records a message at now and returns how many the member sent in
// the window, this one included. At most limit+1 times are kept per
// member, which is all the limit needs.
func (f *floodCounter) add(group, member string, now time.Time, limit int) int {
	k := memberKey{group, member}
	ts := f.times[k]
	keep := ts[:0]
	for _, t := range ts {
		if now.Sub(t) < floodWindow {
			keep = append(keep, t)
		}
	}
	keep = append(keep, now)
	n := len(keep)
	if len(keep) > limit+1 {
		keep = append(keep[:0], keep[len(keep)-limit-1:]...)
	}
	f.times[k] = keep
	f.adds++
	if f.adds%4096 == 0 || len(f.times) > maxFloodKeys {
		f.sweep(now)
	}
	return n
}

// sweep drops members with no message in the window; if that is not
// enough to respect maxFloodKeys, it starts over empty.
func (f *floodCounter) sweep(now time.Time) {
	for k, ts := range f.times {
		if len(ts) == 0 || now.Sub(ts[len(ts)-1]) >= floodWindow {
			delete(f.times, k)
		}
	}
	if len(f.times) > maxFloodKeys {
		clear(f.times)
	}
}

// forget drops the counters of a group.
func (f *floodCounter) forget(group string) {
	for k := range f.times {
		if k.group == group {
			delete(f.times, k)
		}
	}
}
