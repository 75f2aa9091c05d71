package simplex

import (
	"encoding/json"
	"testing"
)

// BenchmarkDecodeFrame3KB decodes a realistic newChatItems event (a direct
// text message with the full user and contact, about 3 KB).
func BenchmarkDecodeFrame3KB(b *testing.B) {
	data := readWireFixture(b, "newchatitems_direct.json")
	b.SetBytes(int64(len(data)))
	b.ReportAllocs()
	for b.Loop() {
		f, err := DecodeFrame(data)
		if err != nil {
			b.Fatal(err)
		}
		if len(f.Resp.(*NewChatItems).ChatItems) != 1 {
			b.Fatal("no item")
		}
	}
}

// BenchmarkDecodeFrameGroup decodes a group message with mentions, a quote
// and the full group info (about 3.7 KB), and builds its Messages.
func BenchmarkDecodeFrameGroup(b *testing.B) {
	data := readWireFixture(b, "newchatitems_group_mention.json")
	b.SetBytes(int64(len(data)))
	b.ReportAllocs()
	for b.Loop() {
		f, err := DecodeFrame(data)
		if err != nil {
			b.Fatal(err)
		}
		if len(f.Resp.(*NewChatItems).Messages()) != 1 {
			b.Fatal("no message")
		}
	}
}

func BenchmarkEncodeFrame3KB(b *testing.B) {
	data := readWireFixture(b, "newchatitems_direct.json")
	f, err := DecodeFrame(data)
	if err != nil {
		b.Fatal(err)
	}
	b.SetBytes(int64(len(data)))
	b.ReportAllocs()
	for b.Loop() {
		if _, err := EncodeFrame(f.CorrID, f.Resp); err != nil {
			b.Fatal(err)
		}
	}
}

func BenchmarkSendCommand(b *testing.B) {
	cmd := SendText(GroupRef(12), "a reply of moderate length, with a mention of @alice", 40)
	b.ReportAllocs()
	for b.Loop() {
		s, err := cmd.Cmd()
		if err != nil {
			b.Fatal(err)
		}
		if _, err := EncodeCommand("17", s); err != nil {
			b.Fatal(err)
		}
	}
}

func BenchmarkSplitText(b *testing.B) {
	text := ""
	for len(text) < 4*MaxTextBytes {
		text += "Строка текста с пробелами и 👍 эмодзи.\n"
	}
	b.SetBytes(int64(len(text)))
	b.ReportAllocs()
	for b.Loop() {
		if len(SplitText(text, MaxTextBytes)) < 4 {
			b.Fatal("too few parts")
		}
	}
}

// BenchmarkDecodeFrame3KBStdlibMap is the reference point: the same frame
// decoded by encoding/json into map[string]any, which keeps everything but
// types nothing.
func BenchmarkDecodeFrame3KBStdlibMap(b *testing.B) {
	data := readWireFixture(b, "newchatitems_direct.json")
	b.SetBytes(int64(len(data)))
	b.ReportAllocs()
	for b.Loop() {
		var m map[string]any
		if err := json.Unmarshal(data, &m); err != nil {
			b.Fatal(err)
		}
	}
}
