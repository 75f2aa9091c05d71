// Package simfault holds the fault schedules the platform simulators share,
// so every simulator counts frames and drops connections the same way.
package simfault

// Drops schedules connection drops by frame: once at the n-th frame from
// now (After), or at every n-th frame (Every). A simulator calls Cut for
// each frame it is about to write, under its own lock; Drops is not safe
// for concurrent use on its own. The zero value never drops.
type Drops struct {
	left  int // frames until the next drop; 0 = none scheduled
	every int // period that left is set to again after a drop; 0 = once
	made  int
}

// After schedules one drop at the n-th frame from now and ends any
// repeating schedule; n <= 0 turns drops off.
func (d *Drops) After(n int) {
	d.left, d.every = max(n, 0), 0
}

// Every schedules a drop at every n-th frame, counting anew from now;
// n <= 0 turns drops off.
func (d *Drops) Every(n int) {
	d.every = max(n, 0)
	d.left = d.every
}

// Cut counts one frame and reports whether the connection drops at it.
func (d *Drops) Cut() bool {
	if d.left == 0 {
		return false
	}
	d.left--
	if d.left > 0 {
		return false
	}
	d.left = d.every
	d.made++
	return true
}

// Made is the number of drops Cut has reported.
func (d *Drops) Made() int { return d.made }
