package store_test

import (
	"context"
	"errors"
	"os"
	"path/filepath"
	"strings"
	"testing"
	"time"

	bolt "go.etcd.io/bbolt"

	"github.com/parleybot/parley/store"
	"github.com/parleybot/parley/store/storetest"
)

func TestFileConformance(t *testing.T) {
	storetest.Run(t, func(t *testing.T, now func() time.Time) store.Store {
		f, err := store.OpenFile(filepath.Join(t.TempDir(), "store.db"), store.WithFileClock(now))
		if err != nil {
			t.Fatal(err)
		}
		return f
	})
}

func openFile(t *testing.T, path string, clk *storetest.Clock) *store.File {
	t.Helper()
	f, err := store.OpenFile(path, store.WithFileClock(clk.Now))
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() { _ = f.Close() })
	return f
}

// rawKeys lists the keys physically present in the database at path, which
// must not be open.
func rawKeys(t *testing.T, path string) map[string][]byte {
	t.Helper()
	db, err := bolt.Open(path, 0o600, &bolt.Options{Timeout: time.Second, ReadOnly: true})
	if err != nil {
		t.Fatal(err)
	}
	defer db.Close()
	keys := map[string][]byte{}
	err = db.View(func(tx *bolt.Tx) error {
		b := tx.Bucket([]byte("entries.v1"))
		if b == nil {
			return errors.New("bucket missing")
		}
		return b.ForEach(func(k, v []byte) error {
			keys[string(k)] = append([]byte(nil), v...)
			return nil
		})
	})
	if err != nil {
		t.Fatal(err)
	}
	return keys
}

// rawPut writes an arbitrary stored value, bypassing the encoding.
func rawPut(t *testing.T, path, key string, value []byte) {
	t.Helper()
	db, err := bolt.Open(path, 0o600, &bolt.Options{Timeout: time.Second})
	if err != nil {
		t.Fatal(err)
	}
	defer db.Close()
	err = db.Update(func(tx *bolt.Tx) error {
		b, err := tx.CreateBucketIfNotExists([]byte("entries.v1"))
		if err != nil {
			return err
		}
		return b.Put([]byte(key), value)
	})
	if err != nil {
		t.Fatal(err)
	}
}

func TestFileReopen(t *testing.T) {
	ctx := context.Background()
	path := filepath.Join(t.TempDir(), "store.db")
	clk := storetest.NewClock(storetest.Epoch)

	f := openFile(t, path, clk)
	writes := []struct {
		key string
		ttl time.Duration
	}{{"forever", 0}, {"hour", time.Hour}, {"minute", time.Minute}, {"second", time.Second}}
	for _, w := range writes {
		if err := f.Set(ctx, w.key, []byte("v-"+w.key), w.ttl); err != nil {
			t.Fatal(err)
		}
	}
	if err := f.Close(); err != nil {
		t.Fatal(err)
	}

	clk.Advance(2 * time.Minute)
	f = openFile(t, path, clk)
	for _, w := range writes {
		got, ok, err := f.Get(ctx, w.key)
		wantOK := w.ttl == 0 || w.ttl > 2*time.Minute
		if err != nil || ok != wantOK || (ok && string(got) != "v-"+w.key) {
			t.Errorf("after reopen Get(%q) = %q, %v, %v; want present=%v", w.key, got, ok, err, wantOK)
		}
	}
	if err := f.Close(); err != nil {
		t.Fatal(err)
	}

	// The open sweep removed the expired entries from disk, not just from view.
	keys := rawKeys(t, path)
	for _, gone := range []string{"minute", "second"} {
		if _, ok := keys[gone]; ok {
			t.Errorf("expired %q still on disk after reopen", gone)
		}
	}
	if len(keys) != 2 {
		t.Errorf("on disk after reopen: %d keys; want 2", len(keys))
	}
}

func TestFileGetDeletesExpired(t *testing.T) {
	ctx := context.Background()
	path := filepath.Join(t.TempDir(), "store.db")
	clk := storetest.NewClock(storetest.Epoch)
	f := openFile(t, path, clk)
	if err := f.Set(ctx, "k", []byte("v"), time.Second); err != nil {
		t.Fatal(err)
	}
	clk.Advance(time.Second)
	if _, ok, err := f.Get(ctx, "k"); err != nil || ok {
		t.Fatalf("Get of expired = %v, %v; want absent", ok, err)
	}
	// Close before the raw read; a reopen would sweep and hide the effect.
	if err := f.Close(); err != nil {
		t.Fatal(err)
	}
	if _, ok := rawKeys(t, path)["k"]; ok {
		t.Fatal("expired key read by Get is still on disk")
	}
}

func TestFileSweepsOnWrite(t *testing.T) {
	ctx := context.Background()
	path := filepath.Join(t.TempDir(), "store.db")
	clk := storetest.NewClock(storetest.Epoch)
	f := openFile(t, path, clk)
	for _, k := range []string{"a1", "a2", "a3", "a4", "a5", "a6", "a7", "a8", "a9", "b1", "b2", "b3"} {
		if err := f.Set(ctx, k, nil, time.Second); err != nil {
			t.Fatal(err)
		}
	}
	if err := f.Set(ctx, "z-keep", nil, 0); err != nil {
		t.Fatal(err)
	}
	clk.Advance(time.Second)
	for range 4 {
		if err := f.Set(ctx, "z-keep", []byte("again"), 0); err != nil {
			t.Fatal(err)
		}
	}
	if err := f.Close(); err != nil {
		t.Fatal(err)
	}
	keys := rawKeys(t, path)
	if len(keys) != 1 {
		t.Fatalf("writes left %d keys on disk; want only z-keep: %v", len(keys), keys)
	}
}

func TestFileLocked(t *testing.T) {
	path := filepath.Join(t.TempDir(), "store.db")
	clk := storetest.NewClock(storetest.Epoch)
	first := openFile(t, path, clk)

	_, err := store.OpenFile(path, store.WithOpenTimeout(50*time.Millisecond))
	if !errors.Is(err, store.ErrLocked) {
		t.Fatalf("second OpenFile error = %v; want ErrLocked", err)
	}
	if !strings.Contains(err.Error(), path) {
		t.Errorf("error %q does not name the file", err)
	}

	// Once the holder lets go, the file opens again.
	if err := first.Close(); err != nil {
		t.Fatal(err)
	}
	second, err := store.OpenFile(path, store.WithOpenTimeout(time.Second))
	if err != nil {
		t.Fatalf("OpenFile after the holder closed: %v", err)
	}
	_ = second.Close()
}

func TestFileOpenErrors(t *testing.T) {
	dir := t.TempDir()
	garbage := filepath.Join(dir, "garbage.db")
	if err := os.WriteFile(garbage, []byte(strings.Repeat("not a database ", 2000)), 0o600); err != nil {
		t.Fatal(err)
	}
	tests := []struct {
		name string
		path string
		opts []store.FileOption
	}{
		{"missing directory", filepath.Join(dir, "no", "such", "dir", "s.db"), nil},
		{"not a database", garbage, nil},
		{"zero timeout", filepath.Join(dir, "ok.db"), []store.FileOption{store.WithOpenTimeout(0)}},
	}
	for _, tc := range tests {
		t.Run(tc.name, func(t *testing.T) {
			f, err := store.OpenFile(tc.path, tc.opts...)
			if err == nil {
				_ = f.Close()
				t.Fatal("OpenFile succeeded; want an error")
			}
			if !strings.Contains(err.Error(), tc.path) {
				t.Errorf("error %q does not name the file", err)
			}
		})
	}
	if data, err := os.ReadFile(garbage); err != nil || !strings.HasPrefix(string(data), "not a database") {
		t.Error("a failed open changed the file it could not read")
	}
}

func TestFileCorruptValue(t *testing.T) {
	ctx := context.Background()
	path := filepath.Join(t.TempDir(), "store.db")
	rawPut(t, path, "bad", []byte{1, 2, 3})
	rawPut(t, path, "bad2", []byte{9})

	clk := storetest.NewClock(storetest.Epoch)
	f := openFile(t, path, clk)
	if _, _, err := f.Get(ctx, "bad"); !errors.Is(err, store.ErrCorrupt) || !strings.Contains(err.Error(), `"bad"`) {
		t.Errorf("Get of corrupt value error = %v; want ErrCorrupt naming the key", err)
	}
	if ok, err := f.Add(ctx, "bad", []byte("v"), 0); !errors.Is(err, store.ErrCorrupt) || ok {
		t.Errorf("Add over corrupt value = %v, %v; want false, ErrCorrupt", ok, err)
	}
	// Writes to other keys, and their sweeps, work past the corrupt value.
	for range 3 {
		if ok, err := f.Add(ctx, "good", nil, time.Second); err != nil {
			t.Fatalf("Add(good) = %v, %v", ok, err)
		}
		clk.Advance(time.Second)
	}
	if err := f.Set(ctx, "bad", []byte("fixed"), 0); err != nil {
		t.Fatalf("Set over corrupt value: %v", err)
	}
	if got, ok, err := f.Get(ctx, "bad"); err != nil || !ok || string(got) != "fixed" {
		t.Errorf("Get after repair = %q, %v, %v", got, ok, err)
	}
	if err := f.Close(); err != nil {
		t.Fatal(err)
	}
	// Nothing swept the value it could not read.
	if v, ok := rawKeys(t, path)["bad2"]; !ok || string(v) != "\x09" {
		t.Errorf("corrupt value not kept: %q, %v", v, ok)
	}
}
