package store_test

import (
	"context"
	"fmt"
	"os"
	"path/filepath"
	"time"

	"github.com/parleybot/parley/store"
)

func ExampleNewMemory() {
	ctx := context.Background()
	s := store.NewMemory(store.WithMaxEntries(10_000))
	defer s.Close()

	// Add is the dedupe check: only the first delivery of an event wins.
	for _, id := range []string{"msg-1", "msg-2", "msg-1"} {
		first, err := s.Add(ctx, "seen:"+id, nil, 10*time.Minute)
		if err != nil {
			panic(err)
		}
		fmt.Println(id, "first delivery:", first)
	}
	// Output:
	// msg-1 first delivery: true
	// msg-2 first delivery: true
	// msg-1 first delivery: false
}

func ExampleOpenFile() {
	ctx := context.Background()
	dir, err := os.MkdirTemp("", "parley-store")
	if err != nil {
		panic(err)
	}
	defer os.RemoveAll(dir)
	path := filepath.Join(dir, "bot.db")

	s, err := store.OpenFile(path)
	if err != nil {
		panic(err)
	}
	if err := s.Set(ctx, "cursor", []byte("item-42"), 0); err != nil {
		panic(err)
	}
	s.Close()

	// A restarted bot finds its cursor where it left it.
	s, err = store.OpenFile(path)
	if err != nil {
		panic(err)
	}
	defer s.Close()
	v, ok, err := s.Get(ctx, "cursor")
	fmt.Println(string(v), ok, err)
	// Output:
	// item-42 true <nil>
}
