package metrics

import (
	"strings"
	"testing"
	"unicode/utf8"
)

func TestCleanLabel(t *testing.T) {
	tests := []struct {
		name, in, want string
	}{
		{"plain", "newChatItems", "newChatItems"},
		{"empty", "", "none"},
		{"invalid utf8", "a\xffb", "a\uFFFDb"},
		{"long ascii is cut", strings.Repeat("x", 300), strings.Repeat("x", maxLabelLen)},
		// 2-byte runes: a cut at maxLabelLen bytes falls on a boundary.
		{"long runes", strings.Repeat("é", 100), strings.Repeat("é", maxLabelLen/2)},
		// Shifted by one byte, the cut must step back to stay valid.
		{"long runes shifted", "x" + strings.Repeat("é", 100), "x" + strings.Repeat("é", (maxLabelLen-2)/2)},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			got := cleanLabel(tt.in)
			if got != tt.want {
				t.Errorf("cleanLabel(%q) = %q, want %q", tt.in, got, tt.want)
			}
			if !utf8.ValidString(got) || len(got) > maxLabelLen {
				t.Errorf("cleanLabel(%q) = %q: invalid or too long", tt.in, got)
			}
		})
	}
}

func TestLimiterCapsPerScope(t *testing.T) {
	l := newLimiter(3)
	tests := []struct {
		scope, in, want string
	}{
		{"a", "x", "x"},
		{"a", "y", "y"},
		{"a", "z", "z"},
		{"a", "w", OtherLabel}, // fourth distinct value in scope a
		{"a", "x", "x"},        // seen values keep their label
		{"b", "w", "w"},        // scope b has its own budget
		{"a", "", OtherLabel},  // "" cleans to "none", a new value
	}
	for i, tt := range tests {
		if got := l.value(tt.scope, tt.in); got != tt.want {
			t.Errorf("%d: value(%q, %q) = %q, want %q", i, tt.scope, tt.in, got, tt.want)
		}
	}
}

func FuzzCleanLabel(f *testing.F) {
	for _, s := range []string{"", "newChatItems", "a\xffb", strings.Repeat("é", 100)} {
		f.Add(s)
	}
	f.Fuzz(func(t *testing.T, s string) {
		got := cleanLabel(s)
		if !utf8.ValidString(got) || len(got) > maxLabelLen || got == "" {
			t.Fatalf("cleanLabel(%q) = %q", s, got)
		}
		if utf8.ValidString(s) && len(s) <= maxLabelLen && s != "" && got != s {
			t.Fatalf("cleanLabel changed a valid label %q to %q", s, got)
		}
	})
}
