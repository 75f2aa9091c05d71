package store

import (
	"bytes"
	"errors"
	"testing"
)

func FuzzDecodeValue(f *testing.F) {
	f.Add([]byte{})
	f.Add([]byte{1, 2, 3})
	f.Add(encodeValue(0, nil))
	f.Add(encodeValue(1_900_000_000_000_000_000, []byte("data")))
	f.Add(encodeValue(-1, []byte{0xff}))
	f.Fuzz(func(t *testing.T, v []byte) {
		dl, data, err := decodeValue(v)
		if len(v) < headerSize {
			if !errors.Is(err, ErrCorrupt) {
				t.Fatalf("decodeValue(%x) error = %v; want ErrCorrupt", v, err)
			}
			return
		}
		if err != nil {
			t.Fatalf("decodeValue(%x): %v", v, err)
		}
		if again := encodeValue(dl, data); !bytes.Equal(again, v) {
			t.Fatalf("re-encoding %x gave %x", v, again)
		}
	})
}
