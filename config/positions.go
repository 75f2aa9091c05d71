package config

import (
	"sort"
	"strconv"
	"strings"
)

// posIndex knows where each key of a TOML document is written. The TOML
// library reports no key positions, and its key names drop the indices of
// arrays of tables, so the document is scanned once more here. The scan
// runs only on documents the library has accepted, but it is written to
// stop quietly, never to panic or loop, on anything else.
type posIndex struct {
	pos     map[string]Position
	entries []posEntry // in order of first appearance
}

type posEntry struct {
	path keyPath
	pos  Position
}

// lookup returns where path, or failing that its nearest written ancestor,
// appears.
func (x *posIndex) lookup(path keyPath) Position {
	for p := path; len(p) > 0; p = p.parent() {
		if pos, ok := x.pos[p.String()]; ok {
			return pos
		}
	}
	return Position{}
}

// exact returns the position of path itself.
func (x *posIndex) exact(path keyPath) (Position, bool) {
	pos, ok := x.pos[path.String()]
	return pos, ok
}

// matching returns the written paths under prefix that are rel once
// array indices are removed, in file order.
func (x *posIndex) matching(prefix keyPath, rel keyPath) []posEntry {
	want := append(prefix.stripped(), rel...)
	var out []posEntry
	for _, e := range x.entries {
		if e.path.hasPrefix(prefix) && e.path.stripped().equal(want) && !isIndex(e.path[len(e.path)-1]) {
			out = append(out, e)
		}
	}
	return out
}

func (x *posIndex) record(path keyPath, pos Position) {
	s := path.String()
	if _, ok := x.pos[s]; ok {
		return
	}
	x.pos[s] = pos
	x.entries = append(x.entries, posEntry{path: path, pos: pos})
}

type posScanner struct {
	src        string
	i          int
	lineStarts []int
	idx        *posIndex
	arrays     map[string]int // array-of-tables path -> elements so far
	table      keyPath
}

func indexPositions(src string) *posIndex {
	s := &posScanner{
		src:    src,
		idx:    &posIndex{pos: make(map[string]Position)},
		arrays: make(map[string]int),
	}
	s.lineStarts = append(s.lineStarts, 0)
	for i := 0; i < len(src); i++ {
		if src[i] == '\n' {
			s.lineStarts = append(s.lineStarts, i+1)
		}
	}
	s.document()
	return s.idx
}

func (s *posScanner) position(off int) Position {
	line := sort.Search(len(s.lineStarts), func(i int) bool { return s.lineStarts[i] > off })
	return Position{Line: line, Col: off - s.lineStarts[line-1] + 1, Offset: off}
}

func (s *posScanner) peek() byte {
	if s.i < len(s.src) {
		return s.src[s.i]
	}
	return 0
}

func (s *posScanner) skipSpace() {
	for s.i < len(s.src) && (s.src[s.i] == ' ' || s.src[s.i] == '\t') {
		s.i++
	}
}

// skipBlank skips spaces, newlines and comments.
func (s *posScanner) skipBlank() {
	for s.i < len(s.src) {
		switch s.src[s.i] {
		case ' ', '\t', '\r', '\n':
			s.i++
		case '#':
			s.skipLine()
		default:
			return
		}
	}
}

func (s *posScanner) skipLine() {
	for s.i < len(s.src) && s.src[s.i] != '\n' {
		s.i++
	}
}

func (s *posScanner) document() {
	for {
		s.skipBlank()
		if s.i >= len(s.src) {
			return
		}
		start := s.i
		if s.peek() == '[' {
			s.header()
		} else {
			key, ok := s.key()
			if !ok {
				s.skipLine()
				continue
			}
			s.recordKey(s.table, key, start)
			s.skipSpace()
			if s.peek() != '=' {
				s.skipLine()
				continue
			}
			s.i++
			s.skipSpace()
			s.value(append(s.table[:len(s.table):len(s.table)], key...))
		}
		if s.i == start { // no progress: give up on the line
			s.skipLine()
		}
	}
}

// recordKey records every prefix of a dotted key under base.
func (s *posScanner) recordKey(base, key keyPath, off int) {
	pos := s.position(off)
	p := base
	for _, k := range key {
		p = p.key(k)
		s.idx.record(p, pos)
	}
}

func (s *posScanner) header() {
	start := s.i
	s.i++
	array := s.peek() == '['
	if array {
		s.i++
	}
	s.skipSpace()
	key, ok := s.key()
	if !ok || len(key) == 0 {
		s.skipLine()
		return
	}
	pos := s.position(start)
	var p keyPath
	for j, k := range key {
		p = p.key(k)
		last := j == len(key)-1
		if last && array {
			n := s.arrays[p.String()]
			s.arrays[p.String()] = n + 1
			s.idx.record(p, pos)
			p = p.index(n)
		} else if n, isArr := s.arrays[p.String()]; isArr && n > 0 {
			p = p.index(n - 1)
		}
		s.idx.record(p, pos)
	}
	s.table = p
	s.skipLine()
}

// key reads a dotted key: bare, "basic" and 'literal' parts.
func (s *posScanner) key() (keyPath, bool) {
	var out keyPath
	for {
		s.skipSpace()
		part, ok := s.simpleKey()
		if !ok {
			return out, len(out) > 0
		}
		out = append(out, part)
		s.skipSpace()
		if s.peek() != '.' {
			return out, true
		}
		s.i++
	}
}

func (s *posScanner) simpleKey() (string, bool) {
	switch c := s.peek(); {
	case c == '"':
		start := s.i
		s.i++
		for s.i < len(s.src) && s.src[s.i] != '"' && s.src[s.i] != '\n' {
			if s.src[s.i] == '\\' {
				s.i++
			}
			s.i++
		}
		if s.i >= len(s.src) || s.src[s.i] != '"' {
			return "", false
		}
		s.i++
		raw := s.src[start:s.i]
		if name, err := strconv.Unquote(raw); err == nil {
			return name, true
		}
		return raw[1 : len(raw)-1], true
	case c == '\'':
		s.i++
		start := s.i
		end := strings.IndexAny(s.src[s.i:], "'\n")
		if end < 0 || s.src[s.i+end] != '\'' {
			return "", false
		}
		s.i += end + 1
		return s.src[start : s.i-1], true
	default:
		start := s.i
		for s.i < len(s.src) && isBareKey(s.src[s.i:s.i+1]) {
			s.i++
		}
		return s.src[start:s.i], s.i > start
	}
}

// value skips one value, recording the keys of inline tables and the
// elements of arrays under path.
func (s *posScanner) value(path keyPath) {
	switch {
	case strings.HasPrefix(s.src[s.i:], `"""`):
		s.i += 3
		s.multiline(`"""`, true)
	case strings.HasPrefix(s.src[s.i:], `'''`):
		s.i += 3
		s.multiline(`'''`, false)
	case s.peek() == '"':
		s.i++
		for s.i < len(s.src) && s.src[s.i] != '"' && s.src[s.i] != '\n' {
			if s.src[s.i] == '\\' {
				s.i++
			}
			s.i++
		}
		if s.i < len(s.src) && s.src[s.i] == '"' {
			s.i++
		}
	case s.peek() == '\'':
		s.i++
		for s.i < len(s.src) && s.src[s.i] != '\'' && s.src[s.i] != '\n' {
			s.i++
		}
		if s.i < len(s.src) && s.src[s.i] == '\'' {
			s.i++
		}
	case s.peek() == '[':
		s.i++
		for n := 0; ; n++ {
			s.skipBlank()
			if s.i >= len(s.src) {
				return
			}
			if s.peek() == ']' {
				s.i++
				return
			}
			start := s.i
			elem := path.index(n)
			s.idx.record(elem, s.position(start))
			s.value(elem)
			s.skipBlank()
			switch s.peek() {
			case ',':
				s.i++
			case ']':
				s.i++
				return
			default:
				if s.i == start {
					return
				}
			}
		}
	case s.peek() == '{':
		s.i++
		for {
			s.skipBlank()
			if s.i >= len(s.src) {
				return
			}
			if s.peek() == '}' {
				s.i++
				return
			}
			start := s.i
			key, ok := s.key()
			if !ok {
				return
			}
			s.recordKey(path, key, start)
			s.skipSpace()
			if s.peek() != '=' {
				return
			}
			s.i++
			s.skipSpace()
			s.value(append(path[:len(path):len(path)], key...))
			s.skipBlank()
			switch s.peek() {
			case ',':
				s.i++
			case '}':
				s.i++
				return
			default:
				return
			}
		}
	default:
		for s.i < len(s.src) && !strings.ContainsRune(",]}\n#", rune(s.src[s.i])) {
			s.i++
		}
	}
}

func (s *posScanner) multiline(delim string, escapes bool) {
	for s.i < len(s.src) {
		if escapes && s.src[s.i] == '\\' {
			s.i += 2
			continue
		}
		if strings.HasPrefix(s.src[s.i:], delim) {
			s.i += 3
			// Up to two quotes may end the content right before the delimiter.
			for k := 0; k < 2 && s.i < len(s.src) && s.src[s.i] == delim[0]; k++ {
				s.i++
			}
			return
		}
		s.i++
	}
}
