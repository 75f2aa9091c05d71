package simplex

import (
	"strings"
	"unicode/utf8"
)

// MaxTextBytes is a safe size for one message text. The chat core refuses
// messages whose encoded form exceeds about 15.6 KB (errorStore/largeMsg);
// 15000 bytes of text leave room for the envelope.
const MaxTextBytes = 15000

// SplitText cuts text into parts of at most maxBytes bytes each whose
// concatenation is text. It cuts after the last line break that fits, else
// after the last space (either only if the part stays at least half full),
// else at the last rune boundary, so a UTF-8 sequence
// is never split. maxBytes below utf8.UTFMax is raised to it, since a part
// must hold at least one rune. Empty text gives no parts.
func SplitText(text string, maxBytes int) []string {
	if text == "" {
		return nil
	}
	maxBytes = max(maxBytes, utf8.UTFMax)
	if len(text) <= maxBytes {
		return []string{text}
	}
	parts := make([]string, 0, len(text)/maxBytes+1)
	for len(text) > maxBytes {
		cut := splitPoint(text[:maxBytes+1])
		parts = append(parts, text[:cut])
		text = text[cut:]
	}
	if text != "" {
		parts = append(parts, text)
	}
	return parts
}

// splitPoint chooses where to end the next part inside window, which is one
// byte longer than a part may be (so a boundary right after the last
// allowed byte is seen). It returns a length in [1, len(window)-1].
func splitPoint(window string) int {
	limit := len(window) - 1
	// A line break or space counts only in the second half, so that parts
	// do not come out much shorter than they may be.
	if i := strings.LastIndexByte(window[:limit], '\n'); i >= 0 && i+1 >= limit/2 {
		return i + 1
	}
	if i := strings.LastIndexByte(window[:limit], ' '); i >= 0 && i+1 >= limit/2 {
		return i + 1
	}
	cut := limit
	for cut > 0 && !utf8.RuneStart(window[cut]) {
		cut--
	}
	if cut == 0 {
		// No rune start within reach (invalid UTF-8): cut at the limit.
		return limit
	}
	return cut
}
