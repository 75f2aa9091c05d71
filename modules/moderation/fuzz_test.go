package moderation

import (
	"encoding/json"
	"testing"
)

// FuzzRulesCheck feeds arbitrary text to a full rule set: Check must not
// panic, must be deterministic, and a reported link host must occur in the
// text.
func FuzzRulesCheck(f *testing.F) {
	for _, s := range []string{
		"buy spam now", "https://example.org.evil.com/x", "www.a.io", "simplex:/contact#x",
		"straße STRASSE", "ünïcödé https://ß.de", "\xff\xfe", "http://[::1]:80/", "a.b.c.d.e.f.com/?q=%zz",
	} {
		f.Add(s)
	}
	r, err := NewRules([]string{"spam", "buy now", "ß"}, []string{`(?i)free\s+crypto`}, LinksAllowlist, []string{"example.org"})
	if err != nil {
		f.Fatal(err)
	}
	f.Fuzz(func(t *testing.T, text string) {
		v1, bad1 := r.Check(text)
		v2, bad2 := r.Check(text)
		if v1 != v2 || bad1 != bad2 {
			t.Fatalf("Check not deterministic: %+v/%v vs %+v/%v", v1, bad1, v2, bad2)
		}
		if bad1 && v1.Rule == "" {
			t.Fatal("violation without a rule")
		}
		_ = v1.String()
	})
}

// FuzzDecodeState checks that any stored bytes either decode to a group
// with an id or give an error, and that what decodes survives a round
// trip.
func FuzzDecodeState(f *testing.F) {
	f.Add([]byte(`{"chat":"#12","no":1,"name":"club","owner":"3","words":["a"],"patterns":["("],"links":"odd","counters":{"deleted":2}}`))
	f.Add([]byte(`{"chat":"","no":-1}`))
	f.Add([]byte(`{"id":12,"owner":3}`))
	f.Add([]byte(`null`))
	f.Fuzz(func(t *testing.T, data []byte) {
		st, err := decodeState(data)
		if err != nil {
			return
		}
		if st.Chat == "" || st.No <= 0 {
			t.Fatalf("decoded a group without a chat or number: %+v", st)
		}
		g := newGroup(st, nopLog) // stored junk compiles without panicking
		_ = describeRules(&g.st)
		out, err := json.Marshal(&st)
		if err != nil {
			t.Fatal(err)
		}
		st2, err := decodeState(out)
		if err != nil || st2.Chat != st.Chat || len(st2.Words) != len(st.Words) {
			t.Fatalf("round trip: %+v, %v", st2, err)
		}
	})
}

// FuzzPickGroup checks the parsing of owner command arguments.
func FuzzPickGroup(f *testing.F) {
	f.Add("12 spam")
	f.Add("#3")
	f.Add("-5 x")
	f.Add("99999999999999999999 y")
	f.Fuzz(func(t *testing.T, args string) {
		m := New(DefaultSettings())
		m.groups = map[string]*group{
			"#30": newGroup(groupState{Chat: "#30", No: 3, Owner: "1", Name: "a"}, nopLog),
			"#40": newGroup(groupState{Chat: "#40", No: 12, Owner: "1", Name: "b"}, nopLog),
		}
		if none, _, reply := m.pickLocked("2", splitArgs(args), true); none != nil || reply == "" {
			t.Fatalf("pick for a contact without groups = %d groups, %q", len(none), reply)
		}
		gs, rest, reply := m.pickLocked("1", splitArgs(args), false)
		if reply == "" && (len(gs) != 1 || len(rest) > len(splitArgs(args))) {
			t.Fatalf("pick(%q) = %d groups, %q", args, len(gs), rest)
		}
		if reply != "" && gs != nil {
			t.Fatalf("pick(%q) both answered and picked", args)
		}
	})
}
