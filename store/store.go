// Package store is the small key-value store with expiry that Parley uses
// for dedupe marks, platform cursors and bot state. Memory keeps entries in
// process with a size bound; File keeps them in a bbolt database that
// survives restarts.
package store

import (
	"context"
	"errors"
	"time"
)

// ErrClosed is returned by every method of a closed store.
var ErrClosed = errors.New("store: closed")

// Store is a key-value store with optional expiry. A ttl of 0 means the
// entry does not expire; an entry written with ttl d reads as absent from
// exactly d after the write. Implementations are safe for concurrent use.
//
// Keys are 1 to MaxKeySize bytes of any content (ErrInvalidKey otherwise)
// and a negative ttl is ErrNegativeTTL. Stores copy values on the way in
// and out, so callers may reuse their buffers and keep what Get returns. A
// present empty value reads as a zero-length slice with ok true. Every
// method first returns ctx.Err() if ctx is done, and ErrClosed after Close;
// Close may be called more than once. The storetest package checks all of
// this.
type Store interface {
	// Get returns the value of key and whether it is present and unexpired.
	Get(ctx context.Context, key string) ([]byte, bool, error)
	// Set stores value under key, replacing any earlier value.
	Set(ctx context.Context, key string, value []byte, ttl time.Duration) error
	// Add stores value only if key is absent or expired, and reports
	// whether it did. It is the atomic check-and-mark dedupe needs.
	Add(ctx context.Context, key string, value []byte, ttl time.Duration) (bool, error)
	// Delete removes key; deleting an absent key is not an error.
	Delete(ctx context.Context, key string) error
	// Close releases the store's resources.
	Close() error
}
