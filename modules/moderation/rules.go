package moderation

import (
	"fmt"
	"net/url"
	"regexp"
	"strings"
	"unicode"
	"unicode/utf8"
)

// Rule names the kind of rule a message broke.
type Rule string

// Rules a message can break.
const (
	RuleWord    Rule = "word"    // a banned word or phrase
	RulePattern Rule = "pattern" // a banned regular expression
	RuleLink    Rule = "link"    // the link policy
	RuleFlood   Rule = "flood"   // the flood limit
	RuleReport  Rule = "report"  // another member reported the message
)

// Violation is why a message is moderated.
type Violation struct {
	Rule Rule
	// Detail is the word, pattern or host that matched, or the count for
	// floods.
	Detail string
}

// String describes the violation for the group's owner, as in
// `banned word "spam"`.
func (v Violation) String() string {
	switch v.Rule {
	case RuleWord:
		return fmt.Sprintf("banned word %q", v.Detail)
	case RulePattern:
		return fmt.Sprintf("banned pattern %q", v.Detail)
	case RuleLink:
		if v.Detail == "" {
			return "links are not allowed"
		}
		return "link to " + v.Detail + " (not an allowed domain)"
	case RuleFlood:
		return "flood: " + v.Detail
	case RuleReport:
		return "reported: " + v.Detail
	}
	return string(v.Rule)
}

// Rules are the compiled content rules of one group. A Rules value is
// immutable and safe for concurrent use.
type Rules struct {
	words    []string
	patterns []*regexp.Regexp
	links    LinkPolicy
	domains  []string
}

// NewRules compiles content rules. Words are matched whole, ignoring case
// and runs of white space; patterns are Go regular expressions. An invalid
// pattern or an unknown link policy is an error naming it.
func NewRules(words, patterns []string, links LinkPolicy, domains []string) (*Rules, error) {
	r := &Rules{links: links}
	switch links {
	case "":
		r.links = LinksAllow
	case LinksAllow, LinksDeny, LinksAllowlist:
	default:
		return nil, fmt.Errorf("moderation: unknown link policy %q", links)
	}
	for _, w := range words {
		if n := normWord(w); n != "" {
			r.words = append(r.words, n)
		}
	}
	for i, p := range patterns {
		re, err := compilePattern(p)
		if err != nil {
			return nil, fmt.Errorf("moderation: pattern %d: %w", i, err)
		}
		r.patterns = append(r.patterns, re)
	}
	for _, d := range domains {
		if n := normDomain(d); n != "" {
			r.domains = append(r.domains, n)
		}
	}
	return r, nil
}

// Check returns the first rule text breaks: banned words, then patterns,
// then the link policy.
func (r *Rules) Check(text string) (Violation, bool) {
	if len(r.words) > 0 {
		folded := strings.Join(strings.Fields(strings.ToLower(text)), " ")
		for _, w := range r.words {
			if containsWord(folded, w) {
				return Violation{Rule: RuleWord, Detail: w}, true
			}
		}
	}
	for _, re := range r.patterns {
		if re.MatchString(text) {
			return Violation{Rule: RulePattern, Detail: re.String()}, true
		}
	}
	if r.links == LinksAllow {
		return Violation{}, false
	}
	for _, host := range linkHosts(text) {
		if r.links == LinksDeny {
			return Violation{Rule: RuleLink}, true
		}
		if !r.allowed(host) {
			return Violation{Rule: RuleLink, Detail: host}, true
		}
	}
	return Violation{}, false
}

func (r *Rules) allowed(host string) bool {
	for _, d := range r.domains {
		if host == d || strings.HasSuffix(host, "."+d) {
			return true
		}
	}
	return false
}

// containsWord reports whether w occurs in s with no letter, digit or
// underscore on either side, so that "ass" does not match "class".
func containsWord(s, w string) bool {
	for off := 0; off <= len(s)-len(w); {
		i := strings.Index(s[off:], w)
		if i < 0 {
			return false
		}
		i += off
		end := i + len(w)
		before, _ := utf8.DecodeLastRuneInString(s[:i])
		after, _ := utf8.DecodeRuneInString(s[end:])
		if (i == 0 || !isWordRune(before)) && (end == len(s) || !isWordRune(after)) {
			return true
		}
		_, size := utf8.DecodeRuneInString(s[i:])
		off = i + size
	}
	return false
}

func isWordRune(r rune) bool { return r == '_' || unicode.IsLetter(r) || unicode.IsDigit(r) }

// linkRE finds links: anything with a scheme, SimpleX links, www. hosts,
// and bare host names under common top-level domains.
var linkRE = regexp.MustCompile(`(?i)\b[a-z][a-z0-9+.-]*://[^\s<>"']+` +
	`|\bsimplex:/[^\s<>"']+` +
	`|\bwww\.[^\s<>"']+` +
	`|\b(?:[a-z0-9](?:[a-z0-9-]{0,61}[a-z0-9])?\.)+(?:com|net|org|info|biz|io|me|co|app|dev|xyz|top|site|online|link|click|ly|gg|tk|tv|cc|to|ru|de|uk|fr|eu|us|in|cn|onion)\b(?:/[^\s<>"']*)?`)

// linkHosts returns the lower-cased host of every link in text; a link
// without a readable host yields "" (which no allowlist matches).
func linkHosts(text string) []string {
	found := linkRE.FindAllString(text, -1)
	if len(found) == 0 {
		return nil
	}
	hosts := make([]string, 0, len(found))
	for _, l := range found {
		l = strings.TrimRight(l, ".,;:!?)]}")
		lower := strings.ToLower(l)
		switch {
		case strings.HasPrefix(lower, "simplex:/"):
			hosts = append(hosts, "simplex.chat")
			continue
		case !strings.Contains(lower, "://"):
			l = "http://" + l
		}
		host := ""
		if u, err := url.Parse(l); err == nil {
			host = strings.TrimSuffix(strings.ToLower(u.Hostname()), ".")
		}
		hosts = append(hosts, host)
	}
	return hosts
}
