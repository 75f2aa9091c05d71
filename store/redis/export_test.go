package redis

import (
	"context"
	"encoding/binary"
	"time"

	goredis "github.com/redis/go-redis/v9"
)

// ReplayAdd runs the Add script with a raw stored value, as a client retry
// of that very write would.
func ReplayAdd(ctx context.Context, c goredis.UniversalClient, key string, raw []byte) (bool, error) {
	var now [8]byte
	binary.BigEndian.PutUint64(now[:], uint64(time.Now().UnixNano()))
	s := &Store{c: c, now: time.Now}
	return s.run(ctx, "add", addScript, key, raw, "0", now[:], "")
}
