package simplex

import (
	"strings"
	"testing"
	"unicode/utf8"
)

// checkSplitParts asserts the properties every split must have.
func checkSplitParts(t testing.TB, text string, maxBytes int, parts []string) {
	t.Helper()
	if strings.Join(parts, "") != text {
		t.Fatalf("parts do not concatenate to the text (max %d)", maxBytes)
	}
	limit := max(maxBytes, utf8.UTFMax)
	for i, p := range parts {
		if p == "" {
			t.Fatalf("part %d is empty", i)
		}
		if len(p) > limit {
			t.Fatalf("part %d has %d bytes > %d", i, len(p), limit)
		}
		if utf8.ValidString(text) && !utf8.ValidString(p) {
			t.Fatalf("part %d is not valid UTF-8: %q", i, p)
		}
	}
}

func TestSplitText(t *testing.T) {
	cases := []struct {
		name string
		text string
		max  int
		want []string
	}{
		{"empty", "", 10, nil},
		{"fits", "hello", 10, []string{"hello"}},
		{"exact", "0123456789", 10, []string{"0123456789"}},
		{"lines", "aaaa\nbbbb\ncccc", 10, []string{"aaaa\nbbbb\n", "cccc"}},
		{"line right at the limit", "aaaaaaaaa\nbb", 10, []string{"aaaaaaaaa\n", "bb"}},
		{"words", "aaaa bbbb cccc", 10, []string{"aaaa bbbb ", "cccc"}},
		{"no breaks", "abcdefghijkl", 5, []string{"abcde", "fghij", "kl"}},
		{"runes", "ééééé", 4, []string{"éé", "éé", "é"}},
		{"runes odd max", "ééééé", 5, []string{"éé", "éé", "é"}},
		{"emoji", "👍👍👍", 5, []string{"👍", "👍", "👍"}},
		{"tiny max raised", "👍👍", 1, []string{"👍", "👍"}},
		{"early newline ignored", "a\nbbbbbbbbbbbbbbbb", 10, []string{"a\nbbbbbbbb", "bbbbbbbb"}},
	}
	for _, c := range cases {
		t.Run(c.name, func(t *testing.T) {
			got := SplitText(c.text, c.max)
			checkSplitParts(t, c.text, c.max, got)
			if strings.Join(got, "|") != strings.Join(c.want, "|") || len(got) != len(c.want) {
				t.Fatalf("got %q, want %q", got, c.want)
			}
		})
	}
}

func TestSplitTextLong(t *testing.T) {
	// A realistic long text: multi-byte lines well over the limit.
	var b strings.Builder
	for i := 0; b.Len() < 5*MaxTextBytes; i++ {
		b.WriteString("Строка номер ")
		b.WriteString(strings.Repeat("日本語 ", i%20))
		b.WriteString("👍\n")
	}
	text := b.String()
	parts := SplitText(text, MaxTextBytes)
	checkSplitParts(t, text, MaxTextBytes, parts)
	if len(parts) < 5 {
		t.Fatalf("%d parts", len(parts))
	}
	for i, p := range parts[:len(parts)-1] {
		if !strings.HasSuffix(p, "\n") {
			t.Errorf("part %d does not end at a line break", i)
		}
		if len(p) < MaxTextBytes/2 {
			t.Errorf("part %d is only %d bytes", i, len(p))
		}
	}
	// One huge line without spaces still splits on rune boundaries.
	text = strings.Repeat("ж", MaxTextBytes)
	checkSplitParts(t, text, MaxTextBytes, SplitText(text, MaxTextBytes))
}

func TestSplitTextProperties(t *testing.T) {
	alphabet := []string{"a", "b", " ", "\n", "é", "日", "👍", "\u200d"}
	seed := uint32(1)
	next := func() uint32 { seed = seed*1664525 + 1013904223; return seed >> 8 }
	for range 500 {
		var b strings.Builder
		n := int(next() % 200)
		for range n {
			b.WriteString(alphabet[next()%uint32(len(alphabet))])
		}
		maxBytes := int(next()%40) - 2
		text := b.String()
		checkSplitParts(t, text, maxBytes, SplitText(text, maxBytes))
	}
}
