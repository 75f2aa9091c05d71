package metrics

import (
	"strings"
	"sync"
	"unicode/utf8"
)

const (
	// MaxLabelValues is how many distinct values a free-form label (event
	// type, command type, request kind) may take per platform before
	// further values are counted under OtherLabel.
	MaxLabelValues = 200
	// OtherLabel is the label value that stands for values past the cap.
	OtherLabel = "other"
	// maxLabelLen bounds one label value; longer values are cut.
	maxLabelLen = 128
)

// cleanLabel makes s safe as a label value: Prometheus rejects invalid
// UTF-8 with a panic, and a hostile peer must not be able to cause one.
func cleanLabel(s string) string {
	if s == "" {
		return "none"
	}
	if !utf8.ValidString(s) {
		s = strings.ToValidUTF8(s, "\uFFFD")
	}
	if len(s) > maxLabelLen {
		// Cut on a rune boundary so the result stays valid UTF-8.
		cut := maxLabelLen
		for cut > 0 && !utf8.RuneStart(s[cut]) {
			cut--
		}
		s = s[:cut]
	}
	return s
}

// limiter caps the distinct values of one label per scope (a platform),
// because event and command type labels come from strings the peer sends.
type limiter struct {
	max int

	mu     sync.RWMutex
	scopes map[string]map[string]struct{}
}

func newLimiter(max int) *limiter {
	return &limiter{max: max, scopes: make(map[string]map[string]struct{})}
}

// value returns v cleaned, or OtherLabel once scope has max other values.
func (l *limiter) value(scope, v string) string {
	v = cleanLabel(v)
	l.mu.RLock()
	_, seen := l.scopes[scope][v]
	l.mu.RUnlock()
	if seen {
		return v
	}
	l.mu.Lock()
	defer l.mu.Unlock()
	set := l.scopes[scope]
	if set == nil {
		set = make(map[string]struct{})
		l.scopes[scope] = set
	}
	if _, ok := set[v]; ok {
		return v
	}
	if len(set) >= l.max {
		return OtherLabel
	}
	set[v] = struct{}{}
	return v
}
