package simplexsim

import (
	"encoding/json"
	"strings"
	"testing"
)

// FuzzCommand feeds arbitrary command strings to the command decoder and
// executor against a populated world: every input must produce a response
// with a type, never a panic, and item ids must stay unique.
func FuzzCommand(f *testing.F) {
	for _, seed := range []string{
		"/user", "/_send @2 json [{\"msgContent\":{\"type\":\"text\",\"text\":\"hi\"}}]",
		"/_send #1(_support:3) json [{\"msgContent\":{\"type\":\"text\",\"text\":\"x\"},\"quotedItemId\":1}]",
		"/_update item @2 1 json {\"msgContent\":{\"type\":\"text\",\"text\":\"x\"},\"mentions\":{}}",
		"/_delete item @2 1,2 internal", "/_delete member item #1 3", "/_reaction @2 1 on {\"type\":\"emoji\",\"emoji\":\"👍\"}",
		"/_get chat #1 before=3 count=2", "/_get chats 1 count=3", "/_member role #1 2,3 observer", "/_block #1 3 blocked=on",
		"/_remove #1 3 messages=on", "/_accept member #1 4 member", "/freceive 1 inline=on", "/fcancel 1", "/_join #1",
		"/_address_settings 1 {\"autoAccept\":{}}", "/_create user {}", "/_profile 1 {\"displayName\":\"b\"}", "",
		"/_send @ json", "/_get chat @2 count=99999999999999999999", "/_groups1 @2 x",
		"/_profile 7 {", "/_profile 1 {", "/_groups7 @x", "/_groups1 @x", "/_address 9 pq_ratchet=maybe",
		"/_get chats 9 count=x", "/_connect 9 incognito=maybe", "/_group 9 {", "/_address_settings 9 {",
		"/_contacts 9 x", "/_profile_address 9 maybe", "/_show_address 9 x", "/_delete_address 9 x",
		"/_start main=on", "/_start", "/_stop", "/get subs", "/users", "/_set custom @2 {\"a\":1}",
		"/_share address @2", "/_share address #1(as_group=on)", "/_share address *1", "/freceive 2 inline=off",
		"/_profile 1 {\"displayName\":\"b\",\"preferences\":{\"files\":{\"allow\":\"x\"}}}",
		"/set bot commands 'Help':/help",
	} {
		f.Add(seed)
	}
	f.Fuzz(func(t *testing.T, cmd string) {
		if writesFile(cmd) {
			// /freceive would write a file at that path. Paths are tested
			// in TestFidelityReceivedFilePaths.
			t.Skip()
		}
		s := New(WithAddress(true, "hi"), WithFilesFolder(t.TempDir()))
		defer s.Close()
		populate(t, s)
		// The parse-only pass and the handlers are one grammar: a command
		// the handlers refuse as unparsable never passes parses.
		parsed := s.parses(cmd)
		s.mu.Lock()
		direct := s.exec(cmd)
		s.mu.Unlock()
		if direct.parseErr && parsed {
			t.Fatalf("%q: parses says yes, the handler says parse error", cmd)
		}
		s.mu.Lock()
		res := s.run(cmd)
		frame := responseFrame("1", res.resp)
		s.mu.Unlock()
		if res.parseErr == parsed {
			t.Fatalf("%q: parses = %v, run answered %s", cmd, parsed, frame)
		}
		var v struct {
			Resp struct {
				Type string `json:"type"`
			} `json:"resp"`
		}
		if err := json.Unmarshal(frame, &v); err != nil || v.Resp.Type == "" {
			t.Fatalf("%q: bad response %s (%v)", cmd, frame, err)
		}
		for _, e := range append(res.before, res.after...) {
			if !json.Valid(eventFrame(e)) {
				t.Fatalf("%q: invalid event", cmd)
			}
		}
		seen := map[int64]bool{}
		for _, id := range s.w.order {
			if seen[id] || s.w.items[id] == nil {
				t.Fatalf("%q: item order broken at %d", cmd, id)
			}
			seen[id] = true
		}
	})
}

// writesFile reports whether cmd may be a /freceive with a path: anything
// after the file id but its options.
func writesFile(cmd string) bool {
	rest, ok := strings.CutPrefix(cmd, "/freceive ")
	if !ok {
		return false
	}
	fields := strings.Split(rest, " ")
	for _, f := range fields[1:] {
		switch f {
		case "approved_relays=on", "approved_relays=off", "encrypt=on", "encrypt=off", "inline=on", "inline=off":
		default:
			return true
		}
	}
	return false
}

func populate(t *testing.T, s *Sim) {
	t.Helper()
	conn, err := s.ConnectContact("alice")
	if err != nil {
		t.Fatal(err)
	}
	gid, mids, err := s.NewGroup("g", MemberSpec{Name: "alice", Role: "owner", ContactID: conn.ContactID}, MemberSpec{Name: "m"})
	if err != nil {
		t.Fatal(err)
	}
	if _, err := s.InviteBot(gid, conn.ContactID, "admin"); err != nil {
		t.Fatal(err)
	}
	s.mu.Lock()
	s.run("/_join #1")
	s.mu.Unlock()
	if _, err := s.MemberSend(gid, mids[1], "spam", true); err != nil {
		t.Fatal(err)
	}
	if _, err := s.ContactSendMsg(conn.ContactID, Msg{Text: "f", File: &FileOffer{Name: "a", Size: 1}}); err != nil {
		t.Fatal(err)
	}
}

func TestParseRef(t *testing.T) {
	tests := []struct {
		in   string
		ok   bool
		want string
	}{
		{"@5", true, "@5"}, {"#12", true, "#12"}, {"#1(_support)", true, "#1(_support)"},
		{"#1(_support:7)", true, "#1(_support:7)"}, {"@alice", false, ""}, {"#", false, ""}, {"@-1", false, ""},
		{"@+1", false, ""}, {"*1", false, ""}, {"@5(_support:1)", false, ""}, {"#1(_support:x)", false, ""},
		{"#1(other)", false, ""}, {"@99999999999999999999", false, ""},
	}
	for _, tc := range tests {
		r, ok := parseRef(tc.in)
		if ok != tc.ok || ok && r.String() != tc.want {
			t.Errorf("parseRef(%q) = %v %v, want %v %q", tc.in, r, ok, tc.ok, tc.want)
		}
	}
}
