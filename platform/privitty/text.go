package privitty

import (
	"context"
	"fmt"
	"html"
	"strings"
)

// Ellipsis ends a text the core cut: without the account's "bot" flag the
// core keeps only the start of a long text, sets hasHtml and keeps the
// whole behind get_message_html.
const Ellipsis = "[...]"

// Truncated reports whether the core cut m's text: it has HTML and its
// text ends with the ellipsis.
func (m *Message) Truncated() bool {
	return m.HasHTML && strings.HasSuffix(strings.TrimRight(m.Text, " \n"), Ellipsis)
}

// wholeText replaces the text of a message the core cut by the whole
// text, read from the message's HTML; the text as received stays in Raw.
func (p *Platform) wholeText(ctx context.Context, m *Message) error {
	if !m.Truncated() {
		return nil
	}
	h, err := p.client.GetMessageHTML(ctx, m.ID)
	if err != nil {
		return fmt.Errorf("privitty: the whole text of message %d: %w", m.ID, err)
	}
	if h != "" {
		m.Text = HTMLText(h)
	}
	return nil
}

// HTMLText returns the text of an HTML document as the core makes them of
// plain text (get_message_html): tags dropped, line breaks and block ends
// as newlines, entities decoded, non-breaking spaces as spaces, the head,
// scripts and styles left out. Runs of white space in the markup count
// as one space, except inside <pre>.
func HTMLText(doc string) string {
	var b strings.Builder
	space := false // white space seen in the markup, not yet written
	pre := 0
	skip := "" // the tag whose content is left out
	for len(doc) > 0 {
		lt := strings.IndexByte(doc, '<')
		if lt < 0 {
			lt = len(doc)
		}
		if skip == "" {
			text := doc[:lt]
			for len(text) > 0 {
				if pre == 0 && isSpace(text[0]) {
					space = true
					text = text[1:]
					continue
				}
				end := len(text)
				if pre == 0 {
					end = strings.IndexFunc(text, func(r rune) bool { return r < 0x80 && isSpace(byte(r)) })
					if end < 0 {
						end = len(text)
					}
				}
				if space && b.Len() > 0 && !strings.HasSuffix(b.String(), "\n") {
					b.WriteByte(' ')
				}
				space = false
				b.WriteString(strings.ReplaceAll(html.UnescapeString(text[:end]), "\u00a0", " "))
				text = text[end:]
			}
		}
		if lt == len(doc) {
			break
		}
		gt := strings.IndexByte(doc[lt:], '>')
		if gt < 0 {
			break // an unclosed tag: the rest is markup
		}
		tag := strings.ToLower(strings.TrimSpace(doc[lt+1 : lt+gt]))
		closing := strings.HasPrefix(tag, "/")
		name, _, _ := strings.Cut(strings.Trim(tag, "/ \n\t"), " ")
		doc = doc[lt+gt+1:]
		switch {
		case skip != "":
			if closing && name == skip {
				skip = ""
			}
		case !closing && (name == "head" || name == "script" || name == "style" || name == "title"):
			skip = name
		case name == "br" || closing && blockTag(name):
			b.WriteByte('\n')
			space = false
		case name == "pre":
			if closing {
				pre = max(pre-1, 0)
			} else {
				pre++
			}
		}
	}
	return strings.TrimRight(b.String(), "\n")
}

func isSpace(c byte) bool { return c == ' ' || c == '\n' || c == '\t' || c == '\r' || c == '\f' }

func blockTag(name string) bool {
	switch name {
	case "p", "div", "li", "tr", "h1", "h2", "h3", "h4", "h5", "h6", "blockquote", "pre", "table", "ul", "ol":
		return true
	}
	return false
}
