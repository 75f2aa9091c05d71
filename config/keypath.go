package config

import (
	"strconv"
	"strings"
)

// keyPath is a key path split into segments: names, and "[i]" for array
// elements. Its String form is what problems show: bots[1].dedupe.ttl.
type keyPath []string

func (k keyPath) String() string {
	var b strings.Builder
	for i, s := range k {
		if isIndex(s) {
			b.WriteString(s)
			continue
		}
		if i > 0 {
			b.WriteByte('.')
		}
		b.WriteString(quoteKey(s))
	}
	return b.String()
}

// key returns k extended by the name s, in a new slice.
func (k keyPath) key(s string) keyPath {
	out := make(keyPath, len(k), len(k)+1)
	copy(out, k)
	return append(out, s)
}

// index returns k extended by the array index i, in a new slice.
func (k keyPath) index(i int) keyPath { return k.key("[" + strconv.Itoa(i) + "]") }

func (k keyPath) parent() keyPath {
	if len(k) == 0 {
		return nil
	}
	return k[:len(k)-1]
}

// stripped returns k without its index segments, the form TOML metadata
// uses for keys inside arrays of tables.
func (k keyPath) stripped() keyPath {
	out := make(keyPath, 0, len(k))
	for _, s := range k {
		if !isIndex(s) {
			out = append(out, s)
		}
	}
	return out
}

func (k keyPath) equal(o keyPath) bool {
	if len(k) != len(o) {
		return false
	}
	for i := range k {
		if k[i] != o[i] {
			return false
		}
	}
	return true
}

func (k keyPath) hasPrefix(p keyPath) bool {
	return len(k) >= len(p) && k[:len(p)].equal(p)
}

func isIndex(s string) bool { return len(s) >= 3 && s[0] == '[' && s[len(s)-1] == ']' }

func isBareKey(s string) bool {
	if s == "" {
		return false
	}
	for i := 0; i < len(s); i++ {
		c := s[i]
		if !(c >= 'a' && c <= 'z' || c >= 'A' && c <= 'Z' || c >= '0' && c <= '9' || c == '_' || c == '-') {
			return false
		}
	}
	return true
}

func quoteKey(s string) string {
	if isBareKey(s) {
		return s
	}
	return strconv.Quote(s)
}

// parseKeyPath splits a relative key such as "rules[2].pattern" or
// `a."b.c"` as written in a FieldError. It is lenient: what it cannot
// read stays one segment.
func parseKeyPath(s string) keyPath {
	var out keyPath
	for s != "" {
		switch s[0] {
		case '.':
			s = s[1:]
		case '[':
			end := strings.IndexByte(s, ']')
			if end < 0 {
				return append(out, s)
			}
			out = append(out, s[:end+1])
			s = s[end+1:]
		case '"':
			if q, err := strconv.QuotedPrefix(s); err == nil {
				name, _ := strconv.Unquote(q)
				out = append(out, name)
				s = s[len(q):]
				continue
			}
			return append(out, s)
		default:
			end := strings.IndexAny(s, ".[")
			if end < 0 {
				return append(out, s)
			}
			out = append(out, s[:end])
			s = s[end:]
		}
	}
	return out
}
