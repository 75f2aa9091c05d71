package simplex

import (
	"encoding/json"
	"strings"
	"testing"
	"unicode/utf8"
)

func FuzzDecodeFrame(f *testing.F) {
	for _, name := range wireFixtureNames(f) {
		f.Add(readWireFixture(f, name))
	}
	for _, s := range []string{
		`{"resp":{"type":"cmdOk"}}`,
		`{"corrId":"1","resp":{"type":"groupsList","groups":[[{"groupId":1},{"currentMembers":2}],{"groupInfo":{}},{"groupId":3}]}}`,
		`{"resp":{"type":"newChatItems","chatItems":[{"chatInfo":{"type":"direct","contact":{"contactId":1,"activeConn":{"connStatus":"ready"}}},"chatItem":{"meta":{"itemId":1,"itemTs":"2026-01-01T00:00:00.5Z"},"content":{"type":"rcvMsgContent","msgContent":{"type":"text","text":"x"}},"mentions":{"a":{"memberId":"m"}}}}]}}`,
		`{"resp":{"type":"contactConnected","user":{"agentUserId":"7"},"contact":{"chatTs":null}}}`,
		`{"resp":{"ty\u0070e":"x\ty"}}`,
		`{"corrId":1}`, `[]`, `{"resp":{}}`,
	} {
		f.Add([]byte(s))
	}
	f.Fuzz(func(t *testing.T, data []byte) {
		fr, err := DecodeFrame(data)
		if err != nil {
			if fr.Resp != nil {
				t.Fatal("Resp set together with an error")
			}
			return
		}
		if fr.Resp == nil || fr.Resp.Type() == "" && fr.Type != "" {
			t.Fatalf("decoded frame without Resp: %+v", fr)
		}
		out, err := EncodeFrame(fr.CorrID, fr.Resp)
		if err != nil {
			// Only timestamps outside the encodable range may fail.
			if !strings.Contains(err.Error(), "year") {
				t.Fatalf("EncodeFrame: %v", err)
			}
			return
		}
		if !json.Valid(out) {
			t.Fatalf("re-encoded frame is not valid JSON: %s", out)
		}
		// Facets must not panic on any decoded value.
		if e, ok := fr.Resp.(interface{ ChatKey() string }); ok {
			_ = e.ChatKey()
		}
		if e, ok := fr.Resp.(interface{ DedupeKey() string }); ok {
			_ = e.DedupeKey()
		}
		if e, ok := fr.Resp.(*NewChatItems); ok {
			_ = e.Messages()
		}
		// Decoding the re-encoded frame gives the same encoding again.
		fr2, err := DecodeFrame(out)
		if err != nil {
			t.Fatalf("re-encoded frame does not decode: %v\n%s", err, out)
		}
		out2, err := EncodeFrame(fr2.CorrID, fr2.Resp)
		if err != nil {
			t.Fatalf("second encode: %v", err)
		}
		if string(out) != string(out2) && fr.Type != TypeNewChatItemLegacy {
			t.Fatalf("encoding not stable:\n%s\n%s", out, out2)
		}
	})
}

func FuzzParseChatRef(f *testing.F) {
	for _, s := range []string{"@5", "#12", "*1", "#12(_support)", "#12(_support:3)", "@05", "#1(_x)", "", "@", "@-1", "@9223372036854775808"} {
		f.Add(s)
	}
	f.Fuzz(func(t *testing.T, s string) {
		r, err := ParseChatRef(s)
		if err != nil {
			return
		}
		if got := r.String(); got != s {
			t.Fatalf("ParseChatRef(%q).String() = %q", s, got)
		}
		if err := r.Validate(); err != nil {
			t.Fatalf("parsed ref %q invalid: %v", s, err)
		}
	})
}

func FuzzSplitText(f *testing.F) {
	f.Add("hello world\nsecond line", 8)
	f.Add("ééé👍👍", 5)
	f.Add("", 3)
	f.Add("\xff\xfe abc", 2)
	f.Fuzz(func(t *testing.T, text string, maxBytes int) {
		if maxBytes > 1<<20 || maxBytes < -1<<20 {
			return
		}
		parts := SplitText(text, maxBytes)
		checkSplitParts(t, text, maxBytes, parts)
		if utf8.ValidString(text) {
			for _, p := range parts {
				if !utf8.ValidString(p) {
					t.Fatalf("invalid part %q", p)
				}
			}
		}
	})
}
