package config

import (
	"strings"

	"github.com/parleybot/parley/registry"
)

// expandEnv replaces $VAR, ${VAR} and ${VAR:-default} in s with values
// from lookup; $$ is a literal $, and a $ not followed by a name is kept.
// A default is used when the variable is unset or empty. It returns the
// names of variables that were unset without a default, and a syntax
// problem, if any.
func expandEnv(s string, lookup func(string) (string, bool)) (out string, unset []string, err error) {
	if strings.IndexByte(s, '$') < 0 {
		return s, nil, nil
	}
	var b strings.Builder
	b.Grow(len(s))
	for i := 0; i < len(s); {
		c := s[i]
		if c != '$' || i+1 >= len(s) {
			b.WriteByte(c)
			i++
			continue
		}
		next := s[i+1]
		switch {
		case next == '$':
			b.WriteByte('$')
			i += 2
		case next == '{':
			end := strings.IndexByte(s[i+2:], '}')
			if end < 0 {
				return s, nil, registry.Problemf(ErrInvalid, "unclosed ${ in %q", s)
			}
			body := s[i+2 : i+2+end]
			name, def, hasDef := strings.Cut(body, ":-")
			if !isEnvName(name) {
				return s, nil, registry.Problemf(ErrInvalid, "invalid variable name %q in ${%s}", name, body)
			}
			v, ok := lookup(name)
			switch {
			case hasDef && v == "":
				b.WriteString(def)
			case !ok:
				unset = append(unset, name)
			default:
				b.WriteString(v)
			}
			i += 3 + end
		case isEnvStart(next):
			j := i + 1
			for j < len(s) && isEnvChar(s[j]) {
				j++
			}
			name := s[i+1 : j]
			if v, ok := lookup(name); ok {
				b.WriteString(v)
			} else {
				unset = append(unset, name)
			}
			i = j
		default:
			b.WriteByte('$')
			i++
		}
	}
	return b.String(), unset, nil
}

func isEnvStart(c byte) bool { return c == '_' || c >= 'A' && c <= 'Z' || c >= 'a' && c <= 'z' }
func isEnvChar(c byte) bool  { return isEnvStart(c) || c >= '0' && c <= '9' }

func isEnvName(s string) bool {
	if s == "" || !isEnvStart(s[0]) {
		return false
	}
	for i := 1; i < len(s); i++ {
		if !isEnvChar(s[i]) {
			return false
		}
	}
	return true
}
