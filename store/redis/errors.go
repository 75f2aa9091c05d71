package redis

import (
	"errors"
	"fmt"
)

// ErrFenced is matched (errors.Is) by every *FencedError.
var ErrFenced = errors.New("redis store: fenced")

// FencedError is returned by a write of a fenced store (WithFence) whose
// token is no longer the newest: another owner took over, so this one must
// stop writing.
type FencedError struct {
	// Key is the fence key that was checked.
	Key string
	// Token is the token the write carried.
	Token int64
	// Current is the newest token issued for Key; 0 when none is stored.
	Current int64
}

func (e *FencedError) Error() string {
	if e.Current == 0 {
		return fmt.Sprintf("redis store: write refused: fence %q holds no token (carried %d)", e.Key, e.Token)
	}
	return fmt.Sprintf("redis store: write refused: fence %q is at token %d, the write carried %d (a newer owner exists)", e.Key, e.Current, e.Token)
}

// Is reports whether target is ErrFenced.
func (e *FencedError) Is(target error) bool { return target == ErrFenced }

// ErrCorrupt is returned by Get for a stored value too short to hold the
// header, such as one written to the key by something other than this
// package.
var ErrCorrupt = errors.New("redis store: corrupt value")
