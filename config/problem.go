package config

import (
	"errors"
	"strconv"
	"strings"

	"github.com/parleybot/parley/registry"
)

// The kinds of problem a configuration can have. Every Problem's Err
// matches exactly one of them with errors.Is, and so does an *Error
// holding that problem.
var (
	ErrSyntax          = errors.New("syntax error")
	ErrUnknownKey      = errors.New("unknown key")
	ErrMissing         = registry.ErrMissing // the kind platforms and modules report too
	ErrType            = errors.New("wrong type")
	ErrInvalid         = registry.ErrInvalid // the kind platforms and modules report too
	ErrUnknownPlatform = errors.New("unknown platform")
	ErrUnknownModule   = errors.New("unknown module")
	ErrDuplicate       = errors.New("duplicate")
	ErrEnv             = errors.New("environment variable not set")
)

// Position is a place in a configuration file. Line and Col count from 1;
// Col counts bytes. The zero Position means "somewhere in the file".
type Position struct {
	Line, Col int
	// Offset is the byte offset from the start of the file.
	Offset int
}

// IsValid reports whether the position names a line.
func (p Position) IsValid() bool { return p.Line > 0 }

// Problem is one thing wrong with a configuration.
type Problem struct {
	// File is the file name given to Load or Parse.
	File string
	Pos  Position
	// Key is the full key path, such as "bots[1].dedupe.ttl"; empty for
	// problems of the whole file, such as syntax errors.
	Key string
	// Err says what is wrong; it matches one of the Err… kinds.
	Err error
}

// Error formats the problem as "file:line:col: key: message".
func (p Problem) Error() string {
	var b strings.Builder
	if p.File != "" {
		b.WriteString(p.File)
	}
	if p.Pos.IsValid() {
		if p.File != "" {
			b.WriteByte(':')
		}
		b.WriteString(strconv.Itoa(p.Pos.Line))
		if p.Pos.Col > 0 {
			b.WriteByte(':')
			b.WriteString(strconv.Itoa(p.Pos.Col))
		}
	}
	if b.Len() > 0 {
		b.WriteString(": ")
	}
	if p.Key != "" {
		b.WriteString(p.Key)
		b.WriteString(": ")
	}
	b.WriteString(p.Err.Error())
	return b.String()
}

// Unwrap returns the problem's Err.
func (p Problem) Unwrap() error { return p.Err }

// Error lists every problem found in a configuration, in file order.
type Error struct {
	Problems []Problem
}

// Error returns one problem per line.
func (e *Error) Error() string {
	lines := make([]string, len(e.Problems))
	for i, p := range e.Problems {
		lines[i] = p.Error()
	}
	return strings.Join(lines, "\n")
}

// Unwrap returns the problems, so that errors.Is(err, ErrUnknownKey)
// reports whether any problem is an unknown key.
func (e *Error) Unwrap() []error {
	errs := make([]error, len(e.Problems))
	for i, p := range e.Problems {
		errs[i] = p
	}
	return errs
}
