package privittysim

import (
	"html"
	"strings"
	"unicode/utf8"
)

// TruncateAt is how many characters of a text the core keeps when the
// account is not a bot account; the rest is behind get_message_html.
const TruncateAt = 3800

// ellipsis marks a text the core cut.
const ellipsis = "[...]"

// cut returns text as the core stores it for a person's account: at most
// TruncateAt characters, cut at the last space before them, and the
// ellipsis after. ok is false when text is short enough to keep.
func cut(text string) (short string, ok bool) {
	if utf8.RuneCountInString(text) <= TruncateAt {
		return text, false
	}
	n := 0
	end := len(text)
	for i := range text {
		if n == TruncateAt {
			end = i
			break
		}
		n++
	}
	head := text[:end]
	if i := strings.LastIndexAny(head, " \n"); i > 0 {
		head = head[:i]
	}
	return strings.TrimRight(head, " \n") + " " + ellipsis, true
}

// plainHTML renders plain text the way the core does for get_message_html:
// a small HTML document, each line escaped and ended by <br/>, leading
// spaces as &nbsp;, quoted lines in <em>.
func plainHTML(text string) string {
	var b strings.Builder
	b.WriteString("<!DOCTYPE html>\n<html><head>\n<meta http-equiv=\"Content-Type\" content=\"text/html; charset=utf-8\" />\n")
	b.WriteString("<meta name=\"color-scheme\" content=\"light dark\" />\n</head><body dir=\"auto\">\n")
	for _, line := range strings.Split(strings.TrimSuffix(text, "\n"), "\n") {
		indent := len(line) - len(strings.TrimLeft(line, " "))
		b.WriteString(strings.Repeat("&nbsp;", indent))
		esc := html.EscapeString(line[indent:])
		if strings.HasPrefix(line, ">") {
			esc = "<em>" + esc + "</em>"
		}
		b.WriteString(esc)
		b.WriteString("<br/>\n")
	}
	b.WriteString("</body></html>\n")
	return b.String()
}
