package store

import (
	"errors"
	"fmt"
	"math"
	"time"
)

// MaxKeySize is the longest key, in bytes, that every Store accepts. It is
// the bbolt limit, applied to Memory too so the two stay interchangeable.
const MaxKeySize = 32768

// ErrInvalidKey is returned for an empty key or one longer than MaxKeySize.
var ErrInvalidKey = errors.New("store: invalid key")

// ErrNegativeTTL is returned by Set and Add for a ttl below zero.
var ErrNegativeTTL = errors.New("store: negative ttl")

func checkKey(key string) error {
	switch {
	case key == "":
		return fmt.Errorf("%w: empty", ErrInvalidKey)
	case len(key) > MaxKeySize:
		return fmt.Errorf("%w: %d bytes, limit is %d", ErrInvalidKey, len(key), MaxKeySize)
	}
	return nil
}

func checkWrite(key string, ttl time.Duration) error {
	if err := checkKey(key); err != nil {
		return err
	}
	if ttl < 0 {
		return fmt.Errorf("%w: %v", ErrNegativeTTL, ttl)
	}
	return nil
}

// deadline turns a ttl into an absolute unix-nano deadline; 0 means none.
// It saturates instead of overflowing so huge ttls mean "practically never".
func deadline(now int64, ttl time.Duration) int64 {
	if ttl <= 0 {
		return 0
	}
	if now > math.MaxInt64-int64(ttl) {
		return math.MaxInt64
	}
	return now + int64(ttl)
}

// expired reports whether an entry with deadline d is gone at time now. An
// entry lives for exactly its ttl: at now == d it has expired.
func expired(d, now int64) bool {
	return d != 0 && now >= d
}
