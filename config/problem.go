package config

import (
	"errors"
	"fmt"
	"net/url"
	"slices"
	"strconv"
	"strings"
	"time"
)

// The kinds of problem a configuration can have. Every Problem's Err
// matches exactly one of them with errors.Is, and so does an *Error
// holding that problem.
var (
	ErrSyntax          = errors.New("syntax error")
	ErrUnknownKey      = errors.New("unknown key")
	ErrMissing         = errors.New("missing value")
	ErrType            = errors.New("wrong type")
	ErrInvalid         = errors.New("invalid value")
	ErrUnknownPlatform = errors.New("unknown platform")
	ErrUnknownModule   = errors.New("unknown module")
	ErrDuplicate       = errors.New("duplicate")
	ErrEnv             = errors.New("environment variable not set")
)

// kindError is a problem message that matches one of the Err… kinds.
type kindError struct {
	kind error
	msg  string
}

func (e *kindError) Error() string { return e.msg }
func (e *kindError) Unwrap() error { return e.kind }

func problemf(kind error, format string, args ...any) error {
	return &kindError{kind: kind, msg: fmt.Sprintf(format, args...)}
}

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

// FieldError ties an error from a platform's or module's Validate to one
// of its keys, so that the problem points at that key's line. Key is
// relative to the platform's or module's table: "url", "limits.max",
// "rules[2].pattern".
type FieldError struct {
	Key string
	Err error
}

func (e *FieldError) Error() string { return e.Key + ": " + e.Err.Error() }

// Unwrap returns Err.
func (e *FieldError) Unwrap() error { return e.Err }

// Field returns a *FieldError for key; see FieldError. Combine several
// with errors.Join to report them all.
func Field(key string, err error) error {
	if err == nil {
		return nil
	}
	return &FieldError{Key: key, Err: err}
}

// CheckURL checks a URL setting for platform configs: it must parse, use
// one of schemes (any scheme when none are given) and name a host. The
// error reads well after the key name, as in "url: want ws or wss, got http".
func CheckURL(raw string, schemes ...string) error {
	if raw == "" {
		return problemf(ErrMissing, "a URL is required")
	}
	u, err := url.Parse(raw)
	if err != nil {
		var ue *url.Error
		if errors.As(err, &ue) {
			err = ue.Err
		}
		return problemf(ErrInvalid, "invalid URL %q: %v", raw, err)
	}
	if u.Scheme == "" {
		return problemf(ErrInvalid, "URL %q has no scheme (want %s)", raw, schemeList(schemes))
	}
	if len(schemes) > 0 && !slices.Contains(schemes, strings.ToLower(u.Scheme)) {
		return problemf(ErrInvalid, "URL %q: want scheme %s, got %s", raw, schemeList(schemes), u.Scheme)
	}
	if u.Host == "" {
		return problemf(ErrInvalid, "URL %q has no host", raw)
	}
	if p := u.Port(); p != "" {
		if n, err := strconv.Atoi(p); err != nil || n < 1 || n > 65535 {
			return problemf(ErrInvalid, "URL %q: port %s out of range 1-65535", raw, p)
		}
	}
	return nil
}

func schemeList(schemes []string) string {
	if len(schemes) == 0 {
		return "a scheme"
	}
	return strings.Join(schemes, " or ")
}

// Duration is a time.Duration written as a string such as "30s" or
// "1h30m", for platform and module settings.
type Duration time.Duration

// UnmarshalText parses a duration string.
func (d *Duration) UnmarshalText(b []byte) error {
	v, err := time.ParseDuration(string(b))
	if err != nil {
		return fmt.Errorf("invalid duration %q (want a string like \"30s\" or \"5m\")", b)
	}
	*d = Duration(v)
	return nil
}

// MarshalText formats the duration as time.Duration.String does.
func (d Duration) MarshalText() ([]byte, error) { return []byte(time.Duration(d).String()), nil }

// Std returns d as a time.Duration.
func (d Duration) Std() time.Duration { return time.Duration(d) }
