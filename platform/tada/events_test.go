package tada_test

import (
	"bufio"
	"encoding/json"
	"errors"
	"os"
	"regexp"
	"slices"
	"strings"
	"testing"

	"github.com/parleybot/parley/bot"
	"github.com/parleybot/parley/platform/tada"
)

type seedExample struct {
	name string
	json string // "" for MISSING EXAMPLE
}

var eventNameRE = regexp.MustCompile(`^(client|server)\.[a-z.]+$`)

// seedExamples reads the event document: each event name, then its
// description, then a JSON example or MISSING EXAMPLE.
func seedExamples(t *testing.T) []seedExample {
	t.Helper()
	f, err := os.Open("testdata/tada-websocket-events.txt")
	if err != nil {
		t.Fatal(err)
	}
	defer f.Close()
	var out []seedExample
	var cur string
	var buf strings.Builder
	depth := 0
	sc := bufio.NewScanner(f)
	for sc.Scan() {
		line := sc.Text()
		switch {
		case depth > 0 || (line == "{" && cur != ""):
			buf.WriteString(line + "\n")
			depth += strings.Count(line, "{") - strings.Count(line, "}")
			if depth == 0 {
				out = append(out, seedExample{name: cur, json: buf.String()})
				buf.Reset()
				cur = ""
			}
		case eventNameRE.MatchString(line):
			cur = line
		case line == "MISSING EXAMPLE" && cur != "":
			out = append(out, seedExample{name: cur})
			cur = ""
		}
	}
	return out
}

// placeholders are the type names the document writes where client
// examples have values.
var placeholders = strings.NewReplacer(`"BOOL"`, `true`, `"INT"`, `0`)

func TestSeedExamplesDecode(t *testing.T) {
	examples := seedExamples(t)
	if len(examples) < 50 {
		t.Fatalf("found %d events in the document, want every one", len(examples))
	}
	known := tada.KnownEvents()
	decoded := 0
	for _, ex := range examples {
		t.Run(ex.name, func(t *testing.T) {
			if strings.HasPrefix(ex.name, "client.") {
				if !tada.KnownClientEvent(ex.name) {
					t.Fatalf("client event %s unknown", ex.name)
				}
				if ex.json == "" {
					return
				}
				f, err := tada.DecodeClientFrame([]byte(placeholders.Replace(ex.json)))
				if err != nil {
					t.Fatal(err)
				}
				if f.Name != ex.name || (f.Params == nil && ex.name != tada.ClientPing) {
					t.Fatalf("decoded %+v", f)
				}
				decoded++
				return
			}
			if !slices.Contains(known, ex.name) {
				t.Fatalf("server event %s has no Go type", ex.name)
			}
			if ex.json == "" {
				return
			}
			data := []byte(ex.json)
			var probe map[string]json.RawMessage
			if err := json.Unmarshal(data, &probe); err != nil {
				t.Fatal(err)
			}
			if _, ok := probe["event"]; !ok {
				// server.uisettings shows only its data.
				data, _ = tada.EncodeFrame(ex.name, map[string]json.RawMessage{"namespace": []byte(`"web"`), "data": data}, "")
			}
			f, err := tada.DecodeFrame(data)
			if err != nil {
				t.Fatal(err)
			}
			if _, unk := f.Event.(*tada.Unknown); unk || f.Event.Type() != ex.name {
				t.Fatalf("decoded %s as %T", ex.name, f.Event)
			}
			decoded++
		})
	}
	if decoded < 35 {
		t.Fatalf("only %d examples decoded", decoded)
	}
}

func TestDecodeFrameDetails(t *testing.T) {
	f, err := tada.DecodeFrame([]byte(`{"event":"server.message.updated","confirm_id":"abc123abc123","params":{"delayed":false,"messages":[
		{"chat":"g-1","from":"d-2","to":"g-1","message_id":"m1","gentime":7,"content":{"type":"plain","text":"hi"},"reply_to":{"message_id":"m0"},"future_field":1}]}}`))
	if err != nil {
		t.Fatal(err)
	}
	mu := f.Event.(*tada.MessageUpdated)
	if f.ConfirmID != "abc123abc123" || mu.Delayed || len(mu.Messages) != 1 || mu.Messages[0].ReplyTo.MessageID != "m0" {
		t.Fatalf("frame %+v event %+v", f, mu)
	}
	n := tada.Normalize(&mu.Messages[0], nil)
	if n.Chat.Kind != bot.Group || n.Text != "hi" || n.ReplyTo != "m0" || n.Sender.ID != "d-2" {
		t.Fatalf("normalized %+v", n)
	}

	f, err = tada.DecodeFrame([]byte(`{"event":"server.brand.new","params":{"x":1}}`))
	if err != nil {
		t.Fatal(err)
	}
	if u, ok := f.Event.(*tada.Unknown); !ok || !u.Unknown() || u.Type() != "server.brand.new" || len(u.Raw) == 0 {
		t.Fatalf("unknown event decoded as %#v", f.Event)
	}

	for _, bad := range []string{`{not json`, `{"params":{}}`, `[]`, ``} {
		if _, err := tada.DecodeFrame([]byte(bad)); !errors.Is(err, tada.ErrMalformedFrame) {
			t.Errorf("%q: error %v, want ErrMalformedFrame", bad, err)
		}
	}
	// A known event whose params drifted is kept, raw, with the error.
	f, err = tada.DecodeFrame([]byte(`{"event":"server.time","params":{"time":42}}`))
	if !errors.Is(err, tada.ErrMalformedFrame) {
		t.Fatalf("error %v", err)
	}
	if u, ok := f.Event.(*tada.Unknown); !ok || u.Err == nil || u.Name != tada.EventTime {
		t.Fatalf("drifted event: %#v", f.Event)
	}
}

func TestChatTypeOf(t *testing.T) {
	for jid, want := range map[string]string{"d-1": "direct", "g-1": "group", "t-1": "task", "m-1": "meeting", "th-1": "thread", "sd-1": "", "": ""} {
		if got := tada.ChatTypeOf(jid); got != want {
			t.Errorf("ChatTypeOf(%q) = %q, want %q", jid, got, want)
		}
	}
}

func TestSplitText(t *testing.T) {
	cases := []struct {
		text string
		max  int
		want []string
	}{
		{"short", 10, []string{"short"}},
		{"", 10, []string{""}},
		{"hello world again", 11, []string{"hello ", "world again"}},
		{"line one\nline two", 12, []string{"line one\n", "line two"}},
		{"abcdefghij", 4, []string{"abcd", "efgh", "ij"}},
		{"привет мир", 7, []string{"привет ", "мир"}},
	}
	for _, c := range cases {
		got := tada.SplitText(c.text, c.max)
		if !slices.Equal(got, c.want) {
			t.Errorf("SplitText(%q, %d) = %q, want %q", c.text, c.max, got, c.want)
		}
		if strings.Join(got, "") != c.text {
			t.Errorf("SplitText(%q) lost text", c.text)
		}
	}
}

func FuzzDecodeFrame(f *testing.F) {
	f.Add([]byte(`{"event":"server.message.updated","params":{"messages":[{"message_id":"x","gentime":1}]},"confirm_id":"a"}`))
	f.Add([]byte(`{"event":"server.panic","params":{"code":"INVALID_TOKEN"}}`))
	f.Add([]byte(`{"event":"x"}`))
	f.Fuzz(func(t *testing.T, data []byte) {
		fr, err := tada.DecodeFrame(data)
		if err == nil && fr.Event == nil {
			t.Fatal("no event and no error")
		}
		if fr.Event != nil && fr.Event.Type() != fr.Name {
			t.Fatalf("type %q, name %q", fr.Event.Type(), fr.Name)
		}
	})
}

func FuzzDecodeClientFrame(f *testing.F) {
	f.Add([]byte(`{"event":"client.message.updated","params":{"to":"d-1","content":{"type":"plain","text":"x"}},"confirm_id":"a"}`))
	f.Add([]byte(`{"event":"client.ping","confirm_id":"a"}`))
	f.Fuzz(func(t *testing.T, data []byte) {
		fr, err := tada.DecodeClientFrame(data)
		if err == nil && fr.Name == "" {
			t.Fatal("no name and no error")
		}
	})
}
