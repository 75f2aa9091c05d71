package simplex

import (
	"bytes"
	"os"
	"path/filepath"
	"reflect"
	"testing"
)

// wantKeys is what the key scan must find: the keys of the fully decoded
// frame.
func wantKeys(t testing.TB, data []byte) (frameHead, []itemKey, bool) {
	t.Helper()
	f, err := DecodeFrame(data)
	if err != nil {
		return frameHead{}, nil, false
	}
	h := frameHead{corrID: f.CorrID, typ: f.Type}
	e, ok := f.Resp.(*NewChatItems)
	if !ok || f.Type != TypeNewChatItems {
		return h, nil, false
	}
	var keys []itemKey
	for i := range e.ChatItems {
		a := &e.ChatItems[i]
		ref, ok := a.ChatInfo.Ref()
		keys = append(keys, itemKey{chat: ref, id: a.ChatItem.Meta.ItemID, sent: a.ChatItem.ChatDir.Sent(), addressable: ok})
	}
	return h, keys, true
}

// checkScan compares the scans with the full decode: a scan may give up
// (the caller then decodes), but what it reads must be what DecodeFrame
// reads.
func checkScan(t testing.TB, data []byte) {
	t.Helper()
	h, keys, isItems := wantKeys(t, data)
	if gh, ok := scanHead(data); ok {
		// scanHead reads only the start of the frame: what it read must
		// agree with a decode that succeeds, and a corrId it read must be
		// the frame's.
		_, err := DecodeFrame(data)
		oneCorrID := bytes.Count(data, []byte(`"corrId"`)) <= 1 // else DecodeFrame takes the last
		if err == nil && (gh.typ != h.typ || oneCorrID && gh.corrID != "" && gh.corrID != h.corrID) {
			t.Fatalf("scanHead = %+v, decode says %+v: %s", gh, h, data)
		}
	}
	got, ok := scanItemKeys(data, nil)
	if !ok {
		return
	}
	if !isItems {
		t.Fatalf("scanItemKeys read %+v from a frame that does not decode to newChatItems: %s", got, data)
	}
	if !reflect.DeepEqual(got, keys) {
		t.Fatalf("scanItemKeys = %+v, decode says %+v", got, keys)
	}
}

func TestScanMatchesDecode(t *testing.T) {
	names, err := filepath.Glob(filepath.Join("testdata", "*.json"))
	if err != nil || len(names) == 0 {
		t.Fatal("no fixtures", err)
	}
	scanned := 0
	for _, name := range names {
		data, err := os.ReadFile(name)
		if err != nil {
			t.Fatal(err)
		}
		data = bytes.TrimSpace(data)
		checkScan(t, data)
		if _, ok := scanItemKeys(data, nil); ok {
			scanned++
		}
		if _, ok := scanHead(data); !ok {
			if _, err := DecodeFrame(data); err == nil {
				t.Errorf("%s: scanHead gave up on a valid frame", name)
			}
		}
	}
	if scanned < 3 {
		t.Fatalf("only %d fixtures scanned for item keys", scanned)
	}
}

func TestScanItemKeys(t *testing.T) {
	tests := []struct {
		name, frame string
		want        []itemKey
		ok          bool
	}{
		{"direct received", `{"resp":{"type":"newChatItems","chatItems":[{"chatInfo":{"type":"direct","contact":{"contactId":5}},"chatItem":{"chatDir":{"type":"directRcv"},"meta":{"itemId":8}}}]}}`,
			[]itemKey{{chat: ChatRef{Type: ChatDirect, ID: 5}, id: 8, addressable: true}}, true},
		{"members in any order", `{"resp":{"chatItems":[{"chatItem":{"meta":{"itemId":9},"chatDir":{"type":"groupSnd"}},"chatInfo":{"groupInfo":{"groupId":12},"type":"group"}}],"type":"newChatItems"},"corrId":"3"}`,
			[]itemKey{{chat: ChatRef{Type: ChatGroup, ID: 12}, id: 9, sent: true, addressable: true}}, true},
		{"support scope", `{"resp":{"type":"newChatItems","chatItems":[{"chatInfo":{"type":"group","groupInfo":{"groupId":12},"groupChatScope":{"type":"memberSupport","groupMember_":{"groupMemberId":4}}},"chatItem":{"chatDir":{"type":"groupRcv"},"meta":{"itemId":10}}}]}}`,
			[]itemKey{{chat: ChatRef{Type: ChatGroup, ID: 12, Scope: &GroupChatScope{GroupMemberID: 4}}, id: 10, addressable: true}}, true},
		{"local", `{"resp":{"type":"newChatItems","chatItems":[{"chatInfo":{"type":"local","noteFolder":{}},"chatItem":{"chatDir":{"type":"localSnd"},"meta":{"itemId":2}}}]}}`,
			[]itemKey{{id: 2, sent: true}}, true},
		{"other type", `{"resp":{"type":"chatItemsStatusesUpdated","chatItems":[]}}`, nil, false},
		{"no item id", `{"resp":{"type":"newChatItems","chatItems":[{"chatInfo":{"type":"direct","contact":{"contactId":5}},"chatItem":{"chatDir":{"type":"directRcv"},"meta":{}}}]}}`, nil, false},
		{"string item id", `{"resp":{"type":"newChatItems","chatItems":[{"chatInfo":{"type":"direct","contact":{"contactId":5}},"chatItem":{"chatDir":{"type":"directRcv"},"meta":{"itemId":"8"}}}]}}`, nil, false},
		{"truncated", `{"resp":{"type":"newChatItems","chatItems":[{"chatInfo":{"type":"direct","contact":{"contactId":5}},"chatItem":{"chatDir":{"type":"directRcv"},"meta":{"itemId":8}}}]}`, nil, false},
		{"trailing garbage", `{"resp":{"type":"newChatItems","chatItems":[]}} x`, nil, false},
		{"bad syntax in a skipped value", `{"resp":{"type":"newChatItems","user":{"a":tru},"chatItems":[]}}`, nil, false},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			got, ok := scanItemKeys([]byte(tt.frame), nil)
			if ok != tt.ok || (ok && !reflect.DeepEqual(got, tt.want)) {
				t.Fatalf("scanItemKeys = %+v, %v; want %+v, %v", got, ok, tt.want, tt.ok)
			}
			checkScan(t, []byte(tt.frame))
		})
	}
}

func FuzzScanFrame(f *testing.F) {
	names, _ := filepath.Glob(filepath.Join("testdata", "*.json"))
	for _, name := range names {
		if data, err := os.ReadFile(name); err == nil {
			f.Add(bytes.TrimSpace(data))
		}
	}
	f.Fuzz(func(t *testing.T, data []byte) { checkScan(t, data) })
}

func BenchmarkScanItemKeys3KB(b *testing.B) {
	data := readWireFixture(b, "newchatitems_direct.json")
	b.SetBytes(int64(len(data)))
	b.ReportAllocs()
	var keys []itemKey
	for b.Loop() {
		var ok bool
		if keys, ok = scanItemKeys(data, keys[:0]); !ok || len(keys) != 1 {
			b.Fatal("no keys")
		}
	}
}
