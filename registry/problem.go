package registry

import (
	"errors"
	"fmt"
	"net/url"
	"slices"
	"strconv"
	"strings"
	"time"
)

// The kinds of problem a platform's or module's Validate reports; a
// configuration loader matches them with errors.Is.
var (
	ErrMissing = errors.New("missing value")
	ErrInvalid = errors.New("invalid value")
)

// kindError is a problem message that matches one of the Err… kinds.
type kindError struct {
	kind error
	msg  string
}

func (e *kindError) Error() string { return e.msg }
func (e *kindError) Unwrap() error { return e.kind }

// Problemf returns an error with a formatted message that matches kind
// (ErrMissing or ErrInvalid) with errors.Is.
func Problemf(kind error, format string, args ...any) error {
	return &kindError{kind: kind, msg: fmt.Sprintf(format, args...)}
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
		return Problemf(ErrMissing, "a URL is required")
	}
	u, err := url.Parse(raw)
	if err != nil {
		var ue *url.Error
		if errors.As(err, &ue) {
			err = ue.Err
		}
		return Problemf(ErrInvalid, "invalid URL %q: %v", raw, err)
	}
	if u.Scheme == "" {
		return Problemf(ErrInvalid, "URL %q has no scheme (want %s)", raw, schemeList(schemes))
	}
	if len(schemes) > 0 && !slices.Contains(schemes, strings.ToLower(u.Scheme)) {
		return Problemf(ErrInvalid, "URL %q: want scheme %s, got %s", raw, schemeList(schemes), u.Scheme)
	}
	if u.Host == "" {
		return Problemf(ErrInvalid, "URL %q has no host", raw)
	}
	if p := u.Port(); p != "" {
		if n, err := strconv.Atoi(p); err != nil || n < 1 || n > 65535 {
			return Problemf(ErrInvalid, "URL %q: port %s out of range 1-65535", raw, p)
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
