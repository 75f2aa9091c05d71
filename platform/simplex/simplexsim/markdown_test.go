package simplexsim

import (
	"strings"
	"testing"
)

// FuzzFormatText: any text parses without panicking into non-empty spans
// whose texts, for plain and link spans, come from the input.
func FuzzFormatText(f *testing.F) {
	for _, s := range []string{"", "/", "hi *b* _i_ ~s~ `c` #s# !1 r!", "@'a b' /'x y' [t](https://a.b) +1 (555) 123-4567",
		"simplex:/contact#/?v=2&smp=smp%3A%2F%2Fk%40h1%2Ch2%2Fq", "a@b.c.", "!r", "#", "[", "@", "/1", "\n\n", "*", "x.co!"} {
		f.Add(s)
	}
	f.Fuzz(func(t *testing.T, s string) {
		for _, span := range formatText(s) {
			if span.Text == "" {
				t.Fatalf("empty span in %q", s)
			}
			if span.Format == nil && !strings.Contains(s, strings.TrimLeft(span.Text, "\n")) {
				t.Fatalf("plain span %q not in %q", span.Text, s)
			}
		}
	})
}
