package config

import (
	"reflect"
	"strings"
	"testing"
	"unicode/utf8"

	"github.com/BurntSushi/toml"
)

func TestIndexPositions(t *testing.T) {
	src := `# comment with key = "x"
top = 1
s = """
fake = 1
[not.a.table]
"""
lit = '''also '' not = 2 '''
[[bots]]
name = "a"   # trailing
[bots.modules."my mod"]
x = [
  1, # one
  { y = 2, z = [3, "4"] },
]
[[bots]]
'quoted key' = "v"
a.b . c = true
[[bots.rules]]
p = "q"
[[bots.rules]]
p = "r"
[bots.rules.sub]
k = 'x'
[server]
t = { u = { v = 1 } }
`
	want := map[string][2]int{
		"top":                                {2, 1},
		"s":                                  {3, 1},
		"lit":                                {7, 1},
		"bots":                               {8, 1},
		"bots[0]":                            {8, 1},
		"bots[0].name":                       {9, 1},
		`bots[0].modules`:                    {10, 1},
		`bots[0].modules."my mod"`:           {10, 1},
		`bots[0].modules."my mod".x`:         {11, 1},
		`bots[0].modules."my mod".x[0]`:      {12, 3},
		`bots[0].modules."my mod".x[1]`:      {13, 3},
		`bots[0].modules."my mod".x[1].y`:    {13, 5},
		`bots[0].modules."my mod".x[1].z[1]`: {13, 20},
		"bots[1]":                            {15, 1},
		`bots[1]."quoted key"`:               {16, 1},
		"bots[1].a.b.c":                      {17, 1},
		"bots[1].rules[0]":                   {18, 1},
		"bots[1].rules[0].p":                 {19, 1},
		"bots[1].rules[1].p":                 {21, 1},
		"bots[1].rules[1].sub.k":             {23, 1},
		"server.t.u.v":                       {25, 13},
	}
	idx := indexPositions(src)
	for path, lc := range want {
		pos, ok := idx.pos[path]
		if !ok || pos.Line != lc[0] || pos.Col != lc[1] {
			t.Errorf("%s at %d:%d (found %v), want %d:%d", path, pos.Line, pos.Col, ok, lc[0], lc[1])
		}
	}
	for _, absent := range []string{"fake", "not", "not.a.table", "not = 2", "bots[2]", "bots[0].rules[0]"} {
		if _, ok := idx.pos[absent]; ok {
			t.Errorf("%q was indexed", absent)
		}
	}
	// Every key the TOML library sees was indexed, arrays of tables under
	// some index.
	var m map[string]any
	md, err := toml.Decode(src, &m)
	if err != nil {
		t.Fatal(err)
	}
	for _, k := range md.Keys() {
		if len(idx.matching(nil, keyPath(k))) == 0 {
			t.Errorf("library key %v not indexed", k)
		}
	}
}

func TestKeyPath(t *testing.T) {
	tests := []struct {
		in   string
		want keyPath
	}{
		{"url", keyPath{"url"}},
		{"limits.max", keyPath{"limits", "max"}},
		{"rules[2].pattern", keyPath{"rules", "[2]", "pattern"}},
		{`a."b.c".d`, keyPath{"a", "b.c", "d"}},
		{"a[", keyPath{"a", "["}},
	}
	for _, tt := range tests {
		got := parseKeyPath(tt.in)
		if !reflect.DeepEqual(got, tt.want) {
			t.Errorf("parseKeyPath(%q) = %q, want %q", tt.in, got, tt.want)
		}
	}
	if s := (keyPath{"bots", "[1]", "modules", "my mod", "x"}).String(); s != `bots[1].modules."my mod".x` {
		t.Errorf("String = %s", s)
	}
}

func TestExpandEnv(t *testing.T) {
	vars := map[string]string{"A": "alpha", "E": "", "D": "$A"}
	lookup := func(k string) (string, bool) { v, ok := vars[k]; return v, ok }
	tests := []struct {
		in, want string
		unset    []string
		bad      bool
	}{
		{"plain", "plain", nil, false},
		{"$A", "alpha", nil, false},
		{"x${A}y", "xalphay", nil, false},
		{"$A_B", "", []string{"A_B"}, false},
		{"${A}_B", "alpha_B", nil, false},
		{"${E:-def}", "def", nil, false},
		{"${U:-def}", "def", nil, false},
		{"${U:-}", "", nil, false},
		{"${A:-def}", "alpha", nil, false},
		{"${E}", "", nil, false},
		{"$D", "$A", nil, false},
		{"$$A", "$A", nil, false},
		{"$$$A", "$alpha", nil, false},
		{"a$", "a$", nil, false},
		{"$1 and $-", "$1 and $-", nil, false},
		{"$U and ${V}", " and ", []string{"U", "V"}, false},
		{"${A", "", nil, true},
		{"${1A}", "", nil, true},
		{"${}", "", nil, true},
	}
	for _, tt := range tests {
		got, unset, err := expandEnv(tt.in, lookup)
		if (err != nil) != tt.bad {
			t.Errorf("expandEnv(%q) error %v, want error %v", tt.in, err, tt.bad)
			continue
		}
		if tt.bad {
			continue
		}
		if got != tt.want || !reflect.DeepEqual(unset, tt.unset) {
			t.Errorf("expandEnv(%q) = %q, unset %v; want %q, %v", tt.in, got, unset, tt.want, tt.unset)
		}
	}
}

func TestNearest(t *testing.T) {
	known := []string{"ttl", "enabled", "workers", "max_queued"}
	for in, want := range map[string]string{"tll": "ttl", "enabeld": "enabled", "wokers": "workers", "zzz": "", "max_queue": "max_queued", "ttl": ""} {
		if got := nearest(in, known); got != want {
			t.Errorf("nearest(%q) = %q, want %q", in, got, want)
		}
	}
}

func FuzzIndexPositions(f *testing.F) {
	for _, s := range []string{"a = 1", "[[b]]\nc = [1, {d = 2}]", `s = """x"""`, "x = '''", "[a.\"b", "k = {", "k = [", "\"a\\", "a = \"\\"} {
		f.Add(s)
	}
	f.Fuzz(func(t *testing.T, src string) {
		idx := indexPositions(src) // must not panic or loop
		lines := strings.Count(src, "\n") + 1
		for path, pos := range idx.pos {
			if pos.Line < 1 || pos.Line > lines || pos.Col < 1 || pos.Offset > len(src) {
				t.Fatalf("%s at %+v in a %d-line document", path, pos, lines)
			}
		}
	})
}

func FuzzExpandEnv(f *testing.F) {
	for _, s := range []string{"$A", "${A:-b}", "$$", "${", "x$"} {
		f.Add(s)
	}
	f.Fuzz(func(t *testing.T, s string) {
		out, _, err := expandEnv(s, func(k string) (string, bool) { return "v", k == "A" })
		if err == nil && !strings.Contains(s, "$") && out != s {
			t.Fatalf("expandEnv changed %q to %q", s, out)
		}
		if utf8.ValidString(s) && !utf8.ValidString(out) {
			t.Fatalf("expandEnv(%q) made invalid UTF-8 %q", s, out)
		}
	})
}
