package store

import (
	"bytes"
	"context"
	"encoding/binary"
	"errors"
	"fmt"
	"sync"
	"time"

	bolt "go.etcd.io/bbolt"
	bolterrors "go.etcd.io/bbolt/errors"
)

// ErrLocked is returned by OpenFile when another process (or another File in
// this one) holds the database and does not let go within the open timeout.
var ErrLocked = errors.New("store: file is locked by another user")

// ErrCorrupt is returned for a stored value that cannot be decoded. The
// value is left in place; Set and Delete still work on its key.
var ErrCorrupt = errors.New("store: corrupt value")

// DefaultOpenTimeout is how long OpenFile waits for the file lock when
// WithOpenTimeout is not given.
const DefaultOpenTimeout = time.Second

// bucketName names the single bucket; the suffix versions the value format.
var bucketName = []byte("entries.v1")

// headerSize is the length of the deadline that prefixes every value.
const headerSize = 8

// fileSweepBatch bounds how many keys one write inspects for expiry.
const fileSweepBatch = 8

// File is a Store kept in a bbolt database file, so dedupe marks, cursors
// and bot state survive restarts. Each value is stored as an 8-byte
// big-endian unix-nano deadline (0 for none) followed by the data. Expired
// entries read as absent; they are deleted when read, a few per write, and
// all at once when the file is opened.
type File struct {
	mu     sync.RWMutex // held for reading by every call, for writing by Close
	db     *bolt.DB
	closed bool
	now    func() time.Time

	// sweepFrom is where the next incremental sweep resumes; nil means the
	// first key. Only write transactions touch it, and bbolt runs one at a
	// time, but its own lock keeps that reasoning local.
	sweepMu   sync.Mutex
	sweepFrom []byte
}

type fileConfig struct {
	now     func() time.Time
	timeout time.Duration
}

// FileOption configures OpenFile.
type FileOption interface {
	apply(*fileConfig)
}

type fileClockOption func() time.Time

func (o fileClockOption) apply(c *fileConfig) { c.now = o }

// WithFileClock replaces time.Now as File's source of time, so tests can
// move time forward instead of sleeping. A nil clock means time.Now.
func WithFileClock(now func() time.Time) FileOption { return fileClockOption(now) }

type openTimeoutOption time.Duration

func (o openTimeoutOption) apply(c *fileConfig) { c.timeout = time.Duration(o) }

// WithOpenTimeout sets how long OpenFile waits for the file lock before
// failing with ErrLocked. It must be positive.
func WithOpenTimeout(d time.Duration) FileOption { return openTimeoutOption(d) }

// OpenFile opens or creates the database at path and removes the entries
// that expired while it was closed.
func OpenFile(path string, opts ...FileOption) (*File, error) {
	cfg := fileConfig{now: time.Now, timeout: DefaultOpenTimeout}
	for _, o := range opts {
		o.apply(&cfg)
	}
	if cfg.now == nil {
		cfg.now = time.Now
	}
	if cfg.timeout <= 0 {
		return nil, fmt.Errorf("store: open %s: open timeout must be positive, got %v", path, cfg.timeout)
	}
	db, err := bolt.Open(path, 0o600, &bolt.Options{Timeout: cfg.timeout})
	if errors.Is(err, bolterrors.ErrTimeout) {
		return nil, fmt.Errorf("%w: open %s: lock not acquired within %v: %w", ErrLocked, path, cfg.timeout, err)
	}
	if err != nil {
		return nil, fmt.Errorf("store: open %s: %w", path, err)
	}
	f := &File{db: db, now: cfg.now}
	err = db.Update(func(tx *bolt.Tx) error {
		b, err := tx.CreateBucketIfNotExists(bucketName)
		if err != nil {
			return err
		}
		return sweepAll(b, f.now().UnixNano())
	})
	if err != nil {
		_ = db.Close()
		return nil, fmt.Errorf("store: open %s: %w", path, err)
	}
	return f, nil
}

// Get returns a copy of the value under key.
func (f *File) Get(ctx context.Context, key string) ([]byte, bool, error) {
	if err := ctx.Err(); err != nil {
		return nil, false, err
	}
	if err := checkKey(key); err != nil {
		return nil, false, err
	}
	f.mu.RLock()
	defer f.mu.RUnlock()
	if f.closed {
		return nil, false, ErrClosed
	}
	k := []byte(key)
	now := f.now().UnixNano()
	var (
		out   []byte
		found bool
		stale bool
	)
	err := f.db.View(func(tx *bolt.Tx) error {
		v := tx.Bucket(bucketName).Get(k)
		if v == nil {
			return nil
		}
		dl, data, err := decodeValue(v)
		if err != nil {
			return fmt.Errorf("key %q: %w", key, err)
		}
		if expired(dl, now) {
			stale = true
			return nil
		}
		out = append(make([]byte, 0, len(data)), data...)
		found = true
		return nil
	})
	if err != nil {
		return nil, false, err
	}
	if stale {
		// Delete only if it is still the same expired entry: a writer may
		// have replaced it since the read transaction ended.
		err = f.db.Update(func(tx *bolt.Tx) error {
			b := tx.Bucket(bucketName)
			if dl, _, err := decodeValue(b.Get(k)); err == nil && expired(dl, now) {
				return b.Delete(k)
			}
			return nil
		})
	}
	return out, found, err
}

// Set stores value under key.
func (f *File) Set(ctx context.Context, key string, value []byte, ttl time.Duration) error {
	if err := ctx.Err(); err != nil {
		return err
	}
	if err := checkWrite(key, ttl); err != nil {
		return err
	}
	f.mu.RLock()
	defer f.mu.RUnlock()
	if f.closed {
		return ErrClosed
	}
	now := f.now().UnixNano()
	return f.db.Update(func(tx *bolt.Tx) error {
		b := tx.Bucket(bucketName)
		if err := b.Put([]byte(key), encodeValue(deadline(now, ttl), value)); err != nil {
			return err
		}
		return f.sweepSome(b, now)
	})
}

// Add stores value under key if key is absent or expired. The check and
// the write happen in one transaction.
func (f *File) Add(ctx context.Context, key string, value []byte, ttl time.Duration) (bool, error) {
	if err := ctx.Err(); err != nil {
		return false, err
	}
	if err := checkWrite(key, ttl); err != nil {
		return false, err
	}
	f.mu.RLock()
	defer f.mu.RUnlock()
	if f.closed {
		return false, ErrClosed
	}
	now := f.now().UnixNano()
	k := []byte(key)
	added := false
	err := f.db.Update(func(tx *bolt.Tx) error {
		b := tx.Bucket(bucketName)
		if v := b.Get(k); v != nil {
			dl, _, err := decodeValue(v)
			if err != nil {
				return fmt.Errorf("key %q: %w", key, err)
			}
			if !expired(dl, now) {
				return nil
			}
		}
		if err := b.Put(k, encodeValue(deadline(now, ttl), value)); err != nil {
			return err
		}
		added = true
		return f.sweepSome(b, now)
	})
	if err != nil {
		return false, err
	}
	return added, nil
}

// Delete removes key.
func (f *File) Delete(ctx context.Context, key string) error {
	if err := ctx.Err(); err != nil {
		return err
	}
	if err := checkKey(key); err != nil {
		return err
	}
	f.mu.RLock()
	defer f.mu.RUnlock()
	if f.closed {
		return ErrClosed
	}
	now := f.now().UnixNano()
	return f.db.Update(func(tx *bolt.Tx) error {
		b := tx.Bucket(bucketName)
		if err := b.Delete([]byte(key)); err != nil {
			return err
		}
		return f.sweepSome(b, now)
	})
}

// Close waits for calls in progress and closes the database file. Later
// calls return ErrClosed; Close itself may be called again.
func (f *File) Close() error {
	f.mu.Lock()
	defer f.mu.Unlock()
	if f.closed {
		return nil
	}
	f.closed = true
	if err := f.db.Close(); err != nil {
		return fmt.Errorf("store: close %s: %w", f.db.Path(), err)
	}
	return nil
}

// sweepSome inspects up to fileSweepBatch keys after the last position,
// deleting the expired ones, so a long-running process does not pile up
// expired marks between restarts.
func (f *File) sweepSome(b *bolt.Bucket, now int64) error {
	f.sweepMu.Lock()
	defer f.sweepMu.Unlock()
	var dead [][]byte
	c := b.Cursor()
	var k, v []byte
	if f.sweepFrom == nil {
		k, v = c.First()
	} else {
		k, v = c.Seek(f.sweepFrom)
	}
	for i := 0; i < fileSweepBatch && k != nil; i++ {
		if dl, _, err := decodeValue(v); err == nil && expired(dl, now) {
			dead = append(dead, bytes.Clone(k))
		}
		k, v = c.Next()
	}
	// Remember the next key before deleting: deletes invalidate the cursor.
	if k == nil {
		f.sweepFrom = nil
	} else {
		f.sweepFrom = bytes.Clone(k)
	}
	for _, k := range dead {
		if err := b.Delete(k); err != nil {
			return err
		}
	}
	return nil
}

// sweepAll deletes every expired entry. Corrupt values are kept for the
// reader to report.
func sweepAll(b *bolt.Bucket, now int64) error {
	var dead [][]byte
	err := b.ForEach(func(k, v []byte) error {
		if dl, _, err := decodeValue(v); err == nil && expired(dl, now) {
			dead = append(dead, bytes.Clone(k))
		}
		return nil
	})
	if err != nil {
		return err
	}
	for _, k := range dead {
		if err := b.Delete(k); err != nil {
			return err
		}
	}
	return nil
}

func encodeValue(deadline int64, data []byte) []byte {
	buf := make([]byte, headerSize+len(data))
	binary.BigEndian.PutUint64(buf, uint64(deadline))
	copy(buf[headerSize:], data)
	return buf
}

// decodeValue splits a stored value into its deadline and data. The data
// aliases v.
func decodeValue(v []byte) (deadline int64, data []byte, err error) {
	if len(v) < headerSize {
		return 0, nil, fmt.Errorf("%w: %d bytes, shorter than the %d-byte header", ErrCorrupt, len(v), headerSize)
	}
	return int64(binary.BigEndian.Uint64(v)), v[headerSize:], nil
}
