package moderation

import (
	"fmt"
	"strconv"
	"strings"
	"testing"
	"time"
)

// BenchmarkRulesCheck measures checking one ordinary message against a
// group with 200 banned words, 5 patterns and a link allowlist.
func BenchmarkRulesCheck(b *testing.B) {
	words := make([]string, 200)
	for i := range words {
		words[i] = fmt.Sprintf("badword%d", i)
	}
	r, err := NewRules(words, []string{`(?i)free\s+crypto`, `\d{4}-\d{4}-\d{4}-\d{4}`, `(?i)dm me`, `x{5,}`, `(?i)onlyfans`},
		LinksAllowlist, []string{"example.org", "simplex.chat"})
	if err != nil {
		b.Fatal(err)
	}
	text := strings.Repeat("Hello everyone, the meeting moved to Thursday; details at https://example.org/meet. ", 3)
	b.ReportAllocs()
	for b.Loop() {
		if _, bad := r.Check(text); bad {
			b.Fatal("clean text flagged")
		}
	}
}

// BenchmarkFloodAdd measures the flood counter for many members.
func BenchmarkFloodAdd(b *testing.B) {
	f := newFloodCounter()
	t0 := time.Now()
	members := make([]string, 1000)
	for i := range members {
		members[i] = strconv.Itoa(i + 10)
	}
	b.ReportAllocs()
	i := 0
	for b.Loop() {
		f.add("#1", members[i%len(members)], t0.Add(time.Duration(i)*time.Millisecond), 5)
		i++
	}
}
