package simplex

import (
	"bytes"
	"encoding/json"
	"errors"
	"os"
	"path/filepath"
	"reflect"
	"strings"
	"testing"
)

func readWireFixture(t testing.TB, name string) []byte {
	t.Helper()
	b, err := os.ReadFile(filepath.Join("testdata", name))
	if err != nil {
		t.Fatal(err)
	}
	return bytes.TrimSpace(b)
}

func wireFixtureNames(t testing.TB) []string {
	t.Helper()
	names, err := filepath.Glob(filepath.Join("testdata", "*.json"))
	if err != nil || len(names) == 0 {
		t.Fatalf("no fixtures: %v", err)
	}
	for i, n := range names {
		names[i] = filepath.Base(n)
	}
	return names
}

// genericWireJSON decodes into maps/slices with exact numbers, for comparison
// independent of member order.
func genericWireJSON(t testing.TB, b []byte) any {
	t.Helper()
	d := json.NewDecoder(bytes.NewReader(b))
	d.UseNumber()
	var v any
	if err := d.Decode(&v); err != nil {
		t.Fatalf("invalid JSON %q: %v", truncateWire(b), err)
	}
	return v
}

func truncateWire(b []byte) string {
	if len(b) > 300 {
		return string(b[:300]) + "…"
	}
	return string(b)
}

// TestRoundTripFixtures guards lossless decoding: every fixture frame,
// decoded and encoded again, has the same members, values and tags.
func TestRoundTripFixtures(t *testing.T) {
	for _, name := range wireFixtureNames(t) {
		if name == "new_chat_item_legacy.json" {
			continue // normalized to newChatItems; see TestLegacyNewChatItem
		}
		t.Run(name, func(t *testing.T) {
			data := readWireFixture(t, name)
			f, err := DecodeFrame(data)
			if err != nil {
				t.Fatalf("DecodeFrame: %v", err)
			}
			out, err := EncodeFrame(f.CorrID, f.Resp)
			if err != nil {
				t.Fatalf("EncodeFrame: %v", err)
			}
			if want, got := genericWireJSON(t, data), genericWireJSON(t, out); !reflect.DeepEqual(want, got) {
				t.Fatalf("round trip changed the frame\nwant %s\n got %s", truncateWire(data), truncateWire(out))
			}
			// The Resp also survives encoding/json, the way users will marshal it.
			viaStd, err := json.Marshal(f.Resp)
			if err != nil {
				t.Fatalf("json.Marshal: %v", err)
			}
			resp := genericWireJSON(t, data).(map[string]any)["resp"].(map[string]any)
			std := genericWireJSON(t, viaStd).(map[string]any)
			delete(resp, "type") // encoding/json of a Resp emits the type too, but Unknown keeps it in Raw
			delete(std, "type")
			if !reflect.DeepEqual(resp, std) {
				t.Fatalf("json.Marshal differs\nwant %v\n got %s", resp, truncateWire(viaStd))
			}
		})
	}
}

func TestDecodeFrameTypes(t *testing.T) {
	cases := []struct {
		file    string
		corrID  string
		want    any
		unknown bool
	}{
		{"newchatitems_direct.json", "", &NewChatItems{}, false},
		{"send_ack.json", "c6", &NewChatItems{}, false},
		{"received_group_invitation.json", "", &ReceivedGroupInvitation{}, false},
		{"user_accepted_group_sent.json", "7", &UserAcceptedGroupSent{}, false},
		{"user_contact_link.json", "3", &UserContactLinkResponse{}, false},
		{"chat_item_not_changed.json", "11", &ChatItemNotChanged{}, false},
		{"chat_cmd_error.json", "13", &ChatCmdError{}, false},
		{"chat_error_agent.json", "", &ChatErrorEvent{}, false},
		{"groups_list_tuple.json", "30", &GroupsList{}, false},
		{"host_connected.json", "", &HostConnected{}, false},
		{"unknown_snd_file_progress.json", "", &Unknown{}, true},
		{"chat_running.json", "42", &ChatRunning{}, false},
	}
	for _, c := range cases {
		t.Run(c.file, func(t *testing.T) {
			f, err := DecodeFrame(readWireFixture(t, c.file))
			if err != nil {
				t.Fatal(err)
			}
			if f.CorrID != c.corrID || f.IsEvent() != (c.corrID == "") {
				t.Errorf("corrId %q event %v, want %q", f.CorrID, f.IsEvent(), c.corrID)
			}
			if reflect.TypeOf(f.Resp) != reflect.TypeOf(c.want) {
				t.Fatalf("Resp is %T, want %T", f.Resp, c.want)
			}
			if f.Resp.Type() != f.Type {
				t.Errorf("Resp.Type() %q, frame type %q", f.Resp.Type(), f.Type)
			}
			_, isUnknown := f.Resp.(interface{ Unknown() bool })
			if isUnknown != c.unknown {
				t.Errorf("unknown facet %v, want %v", isUnknown, c.unknown)
			}
		})
	}
}

func TestDecodeFrameErrors(t *testing.T) {
	cases := []struct {
		in   string
		want error
	}{
		{``, ErrFrameNotJSON},
		{`{"resp":`, ErrFrameNotJSON},
		{`not json`, ErrFrameNotJSON},
		{`[1,2]`, ErrFrameNotObject},
		{`"resp"`, ErrFrameNotObject},
		{`{}`, ErrFrameNoResp},
		{`{"corrId":"1"}`, ErrFrameNoResp},
		{`{"resp":null}`, ErrFrameNoResp},
		{`{"resp":[1]}`, ErrFrameNoResp},
		{`{"corrId":1,"resp":{"type":"cmdOk"}}`, ErrFrameCorrID},
		{`{"corrId":null,"resp":{"type":"cmdOk"}}`, ErrFrameCorrID},
		{`{"resp":{"user":{}}}`, ErrFrameNoType},
		{`{"resp":{"type":7}}`, ErrFrameNoType},
	}
	for _, c := range cases {
		f, err := DecodeFrame([]byte(c.in))
		if !errors.Is(err, c.want) {
			t.Errorf("DecodeFrame(%q) error %v, want %v", c.in, err, c.want)
		}
		if f.Resp != nil {
			t.Errorf("DecodeFrame(%q) returned a Resp with an error", c.in)
		}
	}
}

func TestDecodeFrameEscapedKeysAndOrder(t *testing.T) {
	// "type" not first, keys escaped, extra envelope members ignored.
	in := `{"remoteHostId":1,"resp":{"user_":null,"ty\u0070e":"cmdOk"},"corr\u0049d":"a\"b"}`
	f, err := DecodeFrame([]byte(in))
	if err != nil {
		t.Fatal(err)
	}
	if f.CorrID != `a"b` || f.Type != TypeCmdOk {
		t.Fatalf("got corrId %q type %q", f.CorrID, f.Type)
	}
	if _, ok := f.Resp.(*CmdOk); !ok {
		t.Fatalf("Resp %T", f.Resp)
	}
}

func TestDecodeFrameKeepsNoReferenceToInput(t *testing.T) {
	data := readWireFixture(t, "newchatitems_drift.json")
	buf := append([]byte(nil), data...)
	f, err := DecodeFrame(buf)
	if err != nil {
		t.Fatal(err)
	}
	for i := range buf {
		buf[i] = 'x'
	}
	out, err := EncodeFrame(f.CorrID, f.Resp)
	if err != nil {
		t.Fatal(err)
	}
	if !reflect.DeepEqual(genericWireJSON(t, data), genericWireJSON(t, out)) {
		t.Fatal("decoded frame changed when the input buffer was overwritten")
	}
	if !bytes.Equal(f.Raw, data) {
		t.Fatal("Raw changed when the input buffer was overwritten")
	}
}

func TestProtocolError(t *testing.T) {
	f, err := DecodeFrame(readWireFixture(t, "chat_cmd_error_invalid_request.json"))
	if err != nil {
		t.Fatal(err)
	}
	if !f.IsProtocolError() {
		t.Fatal("corrId-less chatCmdError is not a protocol error")
	}
	f2, _ := DecodeFrame(readWireFixture(t, "chat_cmd_error.json"))
	if f2.IsProtocolError() {
		t.Fatal("chatCmdError with corrId is a protocol error")
	}
	f3, _ := DecodeFrame(readWireFixture(t, "chat_error_agent.json"))
	if f3.IsProtocolError() {
		t.Fatal("chatError event is a protocol error")
	}
}

func TestLegacyNewChatItem(t *testing.T) {
	f, err := DecodeFrame(readWireFixture(t, "new_chat_item_legacy.json"))
	if err != nil {
		t.Fatal(err)
	}
	e, ok := f.Resp.(*NewChatItems)
	if !ok {
		t.Fatalf("Resp %T", f.Resp)
	}
	if f.Type != TypeNewChatItemLegacy || e.Type() != TypeNewChatItems {
		t.Errorf("frame type %q, event type %q", f.Type, e.Type())
	}
	if len(e.ChatItems) != 1 || e.ChatItems[0].ChatItem.Meta.ItemID != 3 {
		t.Fatalf("items %+v", e.ChatItems)
	}
	if ms := e.Messages(); len(ms) != 1 || ms[0].Text != "old core" {
		t.Fatalf("messages %+v", ms)
	}
}

func TestEncodeCommand(t *testing.T) {
	cmd := `/_send @5 json [{"msgContent":{"type":"text","text":"hi \"x\"\n ünï <&>"}}]`
	b, err := EncodeCommand("42", cmd)
	if err != nil {
		t.Fatal(err)
	}
	var got struct {
		CorrID string `json:"corrId"`
		Cmd    string `json:"cmd"`
	}
	if err := json.Unmarshal(b, &got); err != nil {
		t.Fatalf("%s: %v", b, err)
	}
	if got.CorrID != "42" || got.Cmd != cmd {
		t.Fatalf("got %+v", got)
	}
	if !bytes.HasPrefix(b, []byte(`{"corrId":"42","cmd":`)) {
		t.Errorf("frame %s", b)
	}
	if _, err := EncodeCommand("", "/user"); err == nil {
		t.Error("empty corrId accepted")
	}
	if _, err := EncodeCommand("1", ""); err == nil {
		t.Error("empty command accepted")
	}
}

func TestKnownTypesDecode(t *testing.T) {
	// Every registered tag decodes a minimal resp into its own type and
	// encodes back with its tag.
	for _, tag := range KnownTypes() {
		f, err := DecodeFrame([]byte(`{"resp":{"type":"` + tag + `"}}`))
		if err != nil {
			t.Fatalf("%s: %v", tag, err)
		}
		if _, ok := f.Resp.(*Unknown); ok {
			t.Fatalf("%s decoded as Unknown", tag)
		}
		if tag == TypeNewChatItemLegacy {
			continue
		}
		if f.Resp.Type() != tag {
			t.Errorf("%s decoded as %T with type %q", tag, f.Resp, f.Resp.Type())
		}
		out, err := EncodeResp(f.Resp)
		if err != nil {
			t.Fatalf("%s: %v", tag, err)
		}
		if want := `{"type":"` + tag + `"}`; string(out) != want {
			t.Errorf("%s encodes to %s, want %s", tag, out, want)
		}
		if NewResponse(tag) == nil {
			t.Errorf("NewResponse(%q) = nil", tag)
		}
	}
	if NewResponse("nope") != nil {
		t.Error("NewResponse of unknown tag")
	}
}

func TestMismatchedKnownTagIsUnknown(t *testing.T) {
	// A known tag whose members have the wrong JSON types still decodes;
	// the wrong members are kept raw.
	f, err := DecodeFrame([]byte(`{"resp":{"type":"newChatItems","chatItems":"oops","user":[1]}}`))
	if err != nil {
		t.Fatal(err)
	}
	e, ok := f.Resp.(*NewChatItems)
	if !ok {
		t.Fatalf("Resp %T", f.Resp)
	}
	if e.User != nil || e.ChatItems != nil {
		t.Fatalf("mismatched members were typed: %+v", e)
	}
	if raw, ok := e.Extra.Get("chatItems"); !ok || string(raw) != `"oops"` {
		t.Fatalf("chatItems kept as %q %v", raw, ok)
	}
}

// TestDeepNestingIsRefused guards against stack exhaustion: recursive
// types (bot command menus) and unknown members nested without end give an
// error, not a crash.
func TestDeepNestingIsRefused(t *testing.T) {
	const n = 200000
	menu := `{"resp":{"type":"activeUser","user":{"fullPreferences":{"commands":` +
		strings.Repeat(`[{"type":"menu","label":"m","commands":`, n) + `[]` + strings.Repeat(`}]`, n) + `}}}}`
	unknown := `{"resp":{"type":"cmdOk","x":` + strings.Repeat(`[`, n) + strings.Repeat(`]`, n) + `}}`
	for name, in := range map[string]string{"menu": menu, "unknown": unknown} {
		if _, err := DecodeFrame([]byte(in)); !errors.Is(err, ErrFrameNotJSON) {
			t.Errorf("%s: error %v", name, err)
		}
	}
	// Moderate nesting still decodes.
	ok := `{"resp":{"type":"cmdOk","x":` + strings.Repeat(`[`, 500) + strings.Repeat(`]`, 500) + `}}`
	if _, err := DecodeFrame([]byte(ok)); err != nil {
		t.Errorf("500 levels: %v", err)
	}
	var u User
	if err := json.Unmarshal([]byte(`{"fullPreferences":{"commands":`+strings.Repeat(`[{"commands":`, n)+`[]`+strings.Repeat(`}]`, n)+`}}`), &u); err == nil {
		t.Error("deep menu accepted by UnmarshalJSON")
	}
}

func TestEncodeRespForeignType(t *testing.T) {
	b, err := EncodeResp(&foreignResp{Name: "x"})
	if err != nil || string(b) != `{"name":"x"}` {
		t.Fatalf("%s %v", b, err)
	}
	if _, err := EncodeResp((*CmdOk)(nil)); err == nil {
		t.Error("nil response encoded")
	}
}

type foreignResp struct {
	Name string `json:"name"`
}

func (foreignResp) Type() string { return "foreign" }
