package simplexsim

import (
	"encoding/json"
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
		"/_remove #1 3 messages=on", "/_accept member #1 4 member", "/freceive 1 inline=on /x", "/fcancel 1", "/_join #1",
		"/_address_settings 1 {\"autoAccept\":{}}", "/_create user {}", "/_profile 1 {\"displayName\":\"b\"}", "",
		"/_send @ json", "/_get chat @2 count=99999999999999999999", "/_groups1 @2 x",
	} {
		f.Add(seed)
	}
	f.Fuzz(func(t *testing.T, cmd string) {
		s := New(WithAddress(true, "hi"))
		defer s.Close()
		populate(t, s)
		s.mu.Lock()
		res := s.run(cmd)
		frame := responseFrame("1", res.resp)
		s.mu.Unlock()
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
