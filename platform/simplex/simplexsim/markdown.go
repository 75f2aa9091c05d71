package simplexsim

import (
	"net/url"
	"reflect"
	"strings"
	"unicode"
	"unicode/utf8"
)

// The chat core parses every message text as markdown and sends the result
// as the item's formattedText (Markdown.hs parseMaybeMarkdownList), and
// meta.hasLink says whether it holds a link. This is an independent
// rendering of those rules for the simulator; the JSON shapes follow
// Markdown.hs (sumTypeJSON: {"type":"bold"}, {"type":"mention","memberName":…},
// {"type":"command","commandStr":…}, {"type":"uri"}, {"type":"hyperLink",…},
// {"type":"simplexLink",…}, {"type":"colored","color":…}, email, phone).

// formatText returns the formattedText of a message text, nil when the
// text has no formatting at all.
func formatText(s string) []wFormatted {
	lines := haskellLines(s)
	if len(lines) == 0 {
		return nil
	}
	if len(lines) == 1 {
		// A one-line message starting with "/" is a bot command as a whole.
		l := lines[0]
		trimmed := strings.TrimLeft(l, " ")
		if trimmed == "" || trimmed == "/" {
			return nil
		}
		if strings.HasPrefix(trimmed, "/") {
			return []wFormatted{{Text: l, Format: &wFormat{Type: "command", CommandStr: trimmed[1:]}}}
		}
	}
	var all []wFormatted
	for i, l := range lines {
		if i > 0 {
			all = append(all, wFormatted{Text: "\n"})
		}
		all = append(all, parseMarkdownLine(l)...)
	}
	formatted := false
	for _, f := range all {
		formatted = formatted || f.Format != nil
	}
	if !formatted {
		return nil
	}
	return mergeFormatted(all)
}

// haskellLines splits like Data.Text.lines: on '\n', with no empty last
// line for a trailing newline.
func haskellLines(s string) []string {
	if s == "" {
		return nil
	}
	ls := strings.Split(s, "\n")
	if ls[len(ls)-1] == "" {
		ls = ls[:len(ls)-1]
	}
	return ls
}

// hasLink reports a link among the spans: a URI, a hyperlink or a SimpleX
// link (email addresses and phone numbers are not links).
func hasLink(fs []wFormatted) bool {
	for _, f := range fs {
		if f.Format != nil {
			switch f.Format.Type {
			case "uri", "hyperLink", "simplexLink":
				return true
			}
		}
	}
	return false
}

func sameFormat(a, b *wFormat) bool {
	if a == nil || b == nil {
		return a == b
	}
	return reflect.DeepEqual(*a, *b)
}

// mergeFormatted joins neighbouring spans of the same format, as the
// Markdown semigroup and the list fold do.
func mergeFormatted(in []wFormatted) []wFormatted {
	var out []wFormatted
	for _, f := range in {
		if f.Text == "" {
			continue
		}
		if n := len(out); n > 0 && sameFormat(out[n-1].Format, f.Format) {
			out[n-1].Text += f.Text
			continue
		}
		out = append(out, f)
	}
	return out
}

type mdParser struct {
	s   string
	out []wFormatted
}

func (p *mdParser) plain(t string) { p.out = append(p.out, wFormatted{Text: t}) }

func (p *mdParser) with(f *wFormat, t string) { p.out = append(p.out, wFormatted{Text: t, Format: f}) }

// parseMarkdownLine is markdownP over one line: fragments chosen by their
// first character.
func parseMarkdownLine(line string) []wFormatted {
	p := &mdParser{s: line}
	for p.s != "" {
		c, _ := utf8.DecodeRuneInString(p.s)
		switch {
		case c == ' ':
			n := len(p.s) - len(strings.TrimLeft(p.s, " "))
			p.plain(p.s[:n])
			p.s = p.s[n:]
		case c == '*':
			p.delimited('*', "bold")
		case c == '_':
			p.delimited('_', "italic")
		case c == '~':
			p.delimited('~', "strikeThrough")
		case c == '`':
			p.delimited('`', "snippet")
		case c == '#':
			p.secret()
		case c == '!':
			if !p.colored() {
				p.word()
			}
		case c == '@':
			if !p.prefixed('@', false) {
				p.word()
			}
		case c == '/':
			if !p.prefixed('/', true) {
				p.word()
			}
		case c == '[':
			if !p.hyperlink() {
				p.word()
			}
		case c == '+' || unicode.IsDigit(c):
			if !p.phone() {
				p.word()
			}
		default:
			p.word()
		}
	}
	return mergeFormatted(p.out)
}

// delimited is formattedP: the text up to the next delimiter, formatted
// unless empty or padded with a space; no closing delimiter leaves it plain.
func (p *mdParser) delimited(c byte, typ string) {
	rest := p.s[1:]
	i := strings.IndexByte(rest, c)
	if i < 0 {
		p.plain(p.s)
		p.s = ""
		return
	}
	inner := rest[:i]
	p.s = rest[i+1:]
	if inner == "" || inner[0] == ' ' || inner[len(inner)-1] == ' ' {
		p.plain(string(c) + inner + string(c))
		return
	}
	p.with(&wFormat{Type: typ}, inner)
}

// secret is secretP: "#text#" (the run of '#' around it counted as in the
// core: the text keeps all but the last '#').
func (p *mdParser) secret() {
	rest := p.s[1:]
	b := len(rest) - len(strings.TrimLeft(rest, "#"))
	body := rest[b:]
	i := strings.IndexByte(body, '#')
	if i < 0 {
		i = len(body)
	}
	s := body[:i]
	after := body[i:]
	a := len(after) - len(strings.TrimLeft(after, "#"))
	ss := rest[:b] + s + after[:a]
	p.s = after[a:]
	if a == 0 || s == "" || s[0] == ' ' || s[len(s)-1] == ' ' {
		p.plain("#" + ss)
		return
	}
	p.with(&wFormat{Type: "secret"}, ss[:len(ss)-1])
}

var colorNames = map[byte]string{'r': "red", 'g': "green", 'b': "blue", 'y': "yellow", 'c': "cyan", 'm': "magenta",
	'1': "red", '2': "green", '3': "blue", '4': "yellow", '5': "cyan", '6': "magenta"}

// colored is coloredP: "!<color> text!", color a name, its first letter or
// a digit 1-6.
func (p *mdParser) colored() bool {
	s := p.s[1:]
	if s == "" {
		return false
	}
	name, ok := colorNames[s[0]]
	if !ok {
		return false
	}
	if c := s[0]; c >= 'a' && c <= 'z' {
		// The rest of the name is optional: "!r " and "!red " are alike.
		s = strings.TrimPrefix(s[1:], name[1:])
	} else {
		s = s[1:]
	}
	if !strings.HasPrefix(s, " ") {
		return false
	}
	s = s[1:]
	if s == "" || s[0] == ' ' || s[0] == '!' {
		return false
	}
	end := strings.IndexByte(s, '!')
	if end < 0 {
		return false
	}
	text := s[:end]
	if strings.HasSuffix(text, " ") {
		return false
	}
	p.with(&wFormat{Type: "colored", Color: name}, text)
	p.s = s[end+1:]
	return true
}

// refChar is a character a display name may start with.
func refChar(r rune) bool { return r > ' ' && r != '#' && r != '@' && r != '\'' }

// prefixed is mentionP ('@') and commandP ('/'): a display name, quoted
// with ' or up to the next space with trailing punctuation split off; a
// command's first word must be letters, digits or '_'.
func (p *mdParser) prefixed(pfx byte, command bool) bool {
	s := p.s[1:]
	if s == "" {
		return false
	}
	var name, punct, orig string
	if s[0] == '\'' {
		end := strings.IndexByte(s[1:], '\'')
		if end < 0 {
			return false
		}
		name = s[1 : 1+end]
		if r, _ := utf8.DecodeRuneInString(name); name == "" || !refChar(r) {
			return false
		}
		orig = s[:end+2]
		s = s[end+2:]
	} else {
		if r, _ := utf8.DecodeRuneInString(s); !refChar(r) {
			return false
		}
		end := strings.IndexFunc(s, unicode.IsSpace)
		if end < 0 {
			end = len(s)
		}
		word := s[:end]
		name = strings.TrimRightFunc(word, unicode.IsPunct)
		punct = word[len(name):]
		orig = name
		s = s[end:]
	}
	f := &wFormat{Type: "mention", MemberName: name}
	if command {
		kw := strings.Fields(name)
		if len(kw) == 0 || strings.IndexFunc(kw[0], func(r rune) bool {
			return !unicode.IsLetter(r) && !unicode.IsDigit(r) && r != '_'
		}) >= 0 {
			return false
		}
		f = &wFormat{Type: "command", CommandStr: name}
	}
	p.with(f, string(pfx)+orig)
	if punct != "" {
		p.plain(punct)
	}
	p.s = s
	return true
}

// hyperlink is sowLinkP: "[text](link)" with a web link, or a short
// SimpleX link; a full SimpleX link is not taken.
func (p *mdParser) hyperlink() bool {
	s := p.s
	te := strings.IndexByte(s, ']')
	if te < 2 || !strings.HasPrefix(s[te+1:], "(") {
		return false
	}
	t := s[1:te]
	rest := s[te+2:]
	le := strings.IndexByte(rest, ')')
	if le < 1 {
		return false
	}
	l := rest[:le]
	if strings.IndexFunc(t, func(r rune) bool { return unicode.IsPunct(r) && r != '-' && r != '_' }) >= 0 &&
		t != l && "https://"+t != l {
		return false
	}
	var f *wFormat
	if sl := simplexLink(l); sl != nil {
		if !sl.short {
			return false
		}
		f = sl.format()
		f.ShowText = t
	} else if webURI(l) {
		f = &wFormat{Type: "hyperLink", ShowText: t, LinkURI: l}
	} else {
		return false
	}
	p.with(f, "["+t+"]("+l+")")
	p.s = rest[le+1:]
	return true
}

// phone is phoneP: an optional +country, an optional (area code), digit
// groups separated by a space, '-', '.' or nothing; 7 to 22 characters.
func (p *mdParser) phone() bool {
	s := p.s
	var b strings.Builder
	digits := func(s string) int {
		n := 0
		for n < len(s) && s[n] >= '0' && s[n] <= '9' {
			n++
		}
		return n
	}
	sep := func(s string) int {
		if s != "" && (s[0] == ' ' || s[0] == '-' || s[0] == '.') {
			return 1
		}
		return 0
	}
	if strings.HasPrefix(s, "+") {
		if n := digits(s[1:]); n > 0 {
			b.WriteString(s[:1+n])
			s = s[1+n:]
		}
	}
	if k := sep(s); strings.HasPrefix(s[k:], "(") {
		if n := digits(s[k+1:]); n > 0 && strings.HasPrefix(s[k+1+n:], ")") {
			b.WriteString(s[:k+2+n])
			s = s[k+2+n:]
		}
	}
	for {
		k := sep(s)
		n := digits(s[k:])
		if n == 0 {
			break
		}
		b.WriteString(s[:k+n])
		s = s[k+n:]
	}
	if n := utf8.RuneCountInString(b.String()); n < 7 || n > 22 {
		return false
	}
	p.with(&wFormat{Type: "phone"}, b.String())
	p.s = s
	return true
}

// word is wordP: up to the next space; a web or SimpleX link, a domain or
// an email address, with trailing punctuation (not '/' or ')') split off.
func (p *mdParser) word() {
	end := strings.IndexByte(p.s, ' ')
	if end < 0 {
		end = len(p.s)
	}
	w := p.s[:end]
	p.s = p.s[end:]
	core := strings.TrimRightFunc(w, func(r rune) bool { return r != '/' && r != ')' && unicode.IsPunct(r) })
	punct := w[len(core):]
	var f *wFormat
	switch {
	case len(core) >= 10 && (strings.HasPrefix(core, "http://") || strings.HasPrefix(core, "https://") || strings.HasPrefix(core, "simplex:/")):
		if sl := simplexLink(core); sl != nil {
			f = sl.format()
		} else if webURI(core) {
			f = &wFormat{Type: "uri"}
		} else {
			p.plain(w)
			return
		}
	case isDomain(core):
		f = &wFormat{Type: "uri"}
	case isEmail(core):
		f = &wFormat{Type: "email"}
	default:
		p.plain(w)
		return
	}
	p.with(f, core)
	if punct != "" {
		p.plain(punct)
	}
}

// webURI is parseUri: http or https with a host that has a dot.
func webURI(s string) bool {
	u, err := url.Parse(s)
	return err == nil && (u.Scheme == "http" || u.Scheme == "https") && strings.Contains(u.Hostname(), ".")
}

// isDomain matches what looks like a domain: name.tld or sub.name.tld,
// ASCII letters only, name 1-24, tld 2-8, sub 3-8 characters.
func isDomain(s string) bool {
	letters := func(x string, lo, hi int) bool {
		if len(x) < lo || len(x) > hi {
			return false
		}
		for i := 0; i < len(x); i++ {
			c := x[i] | 0x20
			if c < 'a' || c > 'z' {
				return false
			}
		}
		return true
	}
	parts := strings.Split(s, ".")
	switch len(parts) {
	case 2:
		return letters(parts[0], 1, 24) && letters(parts[1], 2, 8)
	case 3:
		return len(parts[0]) >= 3 && len(parts[0]) <= 8 && letters(parts[1], 1, 24) && letters(parts[2], 2, 8)
	}
	return false
}

// isEmail approximates the core's RFC 5322 check: local@domain with the
// usual characters and a dotted or single-label domain.
func isEmail(s string) bool {
	at := strings.LastIndexByte(s, '@')
	if at <= 0 || at == len(s)-1 {
		return false
	}
	local, domain := s[:at], s[at+1:]
	if strings.HasPrefix(local, ".") || strings.HasSuffix(local, ".") || strings.Contains(local, "..") {
		return false
	}
	for _, r := range local {
		if !(r < 128 && (unicode.IsLetter(r) || unicode.IsDigit(r) || strings.ContainsRune("!#$%&'*+/=?^_`{|}~.-", r))) {
			return false
		}
	}
	for _, label := range strings.Split(domain, ".") {
		if label == "" || strings.HasPrefix(label, "-") || strings.HasSuffix(label, "-") {
			return false
		}
		for _, r := range label {
			if !(r < 128 && (unicode.IsLetter(r) || unicode.IsDigit(r) || r == '-')) {
				return false
			}
		}
	}
	return true
}

type simplexLinkInfo struct {
	short    bool
	linkType string
	uri      string
	hosts    []string
}

func (l *simplexLinkInfo) format() *wFormat {
	return &wFormat{Type: "simplexLink", LinkType: l.linkType, SimplexURI: l.uri, SmpHosts: l.hosts}
}

// simplexLink recognises SimpleX connection links: full ones
// (simplex:/contact#/?v=…&smp=…, https://simplex.chat/invitation#/?…, the
// same for groups when the contact link carries group data) and short ones
// (https://<smp host>/a#…, /c#…, /g#…, /i#…). The link is given back in its
// simplex:/ form for full links, as the core writes simplexUri.
func simplexLink(s string) *simplexLinkInfo {
	u, err := url.Parse(s)
	if err != nil {
		return nil
	}
	switch {
	case u.Scheme == "simplex" || u.Scheme == "https" && (u.Host == "simplex.chat" || u.Host == "www.simplex.chat"):
		var typ string
		switch u.Path {
		case "/contact":
			typ = "contact"
		case "/invitation":
			typ = "invitation"
		default:
			return nil
		}
		q, err := url.ParseQuery(strings.TrimPrefix(strings.TrimPrefix(u.Fragment, "/"), "?"))
		if err != nil || q.Get("smp") == "" {
			return nil
		}
		if typ == "contact" && strings.Contains(q.Get("data"), "groupLinkId") {
			typ = "group"
		}
		hosts := smpHosts(q.Get("smp"))
		if len(hosts) == 0 {
			return nil
		}
		_, frag, _ := strings.Cut(s, "#")
		return &simplexLinkInfo{linkType: typ, uri: "simplex:" + u.Path + "#" + frag, hosts: hosts}
	case u.Scheme == "https" && u.Host != "" && len(u.Path) == 2 && u.Fragment != "":
		typ := map[string]string{"/a": "contact", "/c": "channel", "/g": "group", "/i": "invitation", "/r": "relay"}[u.Path]
		if typ == "" {
			return nil
		}
		return &simplexLinkInfo{short: true, linkType: typ, uri: s, hosts: []string{u.Hostname()}}
	}
	return nil
}

// smpHosts takes the hosts of the SMP server URIs in a link's smp
// parameter (smp://key@host1,host2:port/queue…, several separated by ';').
func smpHosts(smp string) []string {
	var hosts []string
	for _, srv := range strings.Split(smp, ";") {
		rest, ok := strings.CutPrefix(srv, "smp://")
		if !ok {
			continue
		}
		if i := strings.IndexByte(rest, '@'); i >= 0 {
			rest = rest[i+1:]
		}
		if i := strings.IndexAny(rest, "/#?"); i >= 0 {
			rest = rest[:i]
		}
		for _, h := range strings.Split(rest, ",") {
			if i := strings.LastIndexByte(h, ':'); i >= 0 {
				h = h[:i]
			}
			if h != "" {
				hosts = append(hosts, h)
			}
		}
	}
	return hosts
}
