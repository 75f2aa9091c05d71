package registry_test

import (
	"errors"
	"testing"
	"time"

	"github.com/parleybot/parley/registry"
)

func TestCheckURL(t *testing.T) {
	tests := []struct {
		url     string
		schemes []string
		kind    error // nil when valid
	}{
		{"ws://127.0.0.1:5225", []string{"ws", "wss"}, nil},
		{"WSS://chat.example/path", []string{"ws", "wss"}, nil},
		{"https://x", nil, nil},
		{"", nil, registry.ErrMissing},
		{"http://x", []string{"ws", "wss"}, registry.ErrInvalid},
		{"127.0.0.1:5225", nil, registry.ErrInvalid},
		{"ws://", nil, registry.ErrInvalid},
		{"ws://x:99999", nil, registry.ErrInvalid},
		{"ws://x:0", nil, registry.ErrInvalid},
		{"ws://[::1", nil, registry.ErrInvalid},
		{"localhost", nil, registry.ErrInvalid},
	}
	for _, tt := range tests {
		err := registry.CheckURL(tt.url, tt.schemes...)
		if (err == nil) != (tt.kind == nil) || (tt.kind != nil && !errors.Is(err, tt.kind)) {
			t.Errorf("CheckURL(%q, %v) = %v, want %v", tt.url, tt.schemes, err, tt.kind)
		}
	}
}

func TestDuration(t *testing.T) {
	var d registry.Duration
	if err := d.UnmarshalText([]byte("1m30s")); err != nil || d.Std() != 90*time.Second {
		t.Errorf("1m30s = %v, %v", d.Std(), err)
	}
	if err := d.UnmarshalText([]byte("90")); err == nil {
		t.Error("90 without a unit was accepted")
	}
	b, _ := d.MarshalText()
	if string(b) != "1m30s" {
		t.Errorf("MarshalText = %s", b)
	}
}

func TestProblemfAndField(t *testing.T) {
	err := registry.Field("limits.max", registry.Problemf(registry.ErrInvalid, "%d is above %d", 101, 100))
	if !errors.Is(err, registry.ErrInvalid) || errors.Is(err, registry.ErrMissing) {
		t.Errorf("%v: kind lost", err)
	}
	var fe *registry.FieldError
	if !errors.As(err, &fe) || fe.Key != "limits.max" || err.Error() != "limits.max: 101 is above 100" {
		t.Errorf("Field = %#v (%v)", fe, err)
	}
	if registry.Field("x", nil) != nil {
		t.Error("Field of nil is not nil")
	}
}
