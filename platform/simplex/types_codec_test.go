package simplex

import (
	"encoding/json"
	"go/ast"
	"go/parser"
	"go/token"
	"path/filepath"
	"reflect"
	"strings"
	"testing"
	"time"
)

func TestDriftIsKept(t *testing.T) {
	data := readWireFixture(t, "newchatitems_drift.json")
	e := decodeWireFixture(t, "newchatitems_drift.json").(*NewChatItems)

	// Unknown members at several depths.
	if raw, ok := e.User.Extra.Get("newUserFlag"); !ok || string(raw) != "3" {
		t.Errorf("user.newUserFlag kept as %q %v", raw, ok)
	}
	first := e.ChatItems[0]
	if raw, ok := first.ChatItem.Extra.Get("futureField"); !ok || string(raw) != `{"nested":true}` {
		t.Errorf("chatItem.futureField kept as %q %v", raw, ok)
	}
	// Unknown union tags keep their tag and members.
	if first.ChatInfo.Type != "feed" || first.ChatInfo.IsKnown() {
		t.Errorf("chatInfo type %q", first.ChatInfo.Type)
	}
	if raw, ok := first.ChatInfo.Extra.Get("feed"); !ok || string(raw) != `{"feedId":3}` {
		t.Errorf("feed kept as %q", raw)
	}
	if first.ChatItem.ChatDir.Type != "channelRcv" {
		t.Errorf("chatDir %q", first.ChatItem.ChatDir.Type)
	}
	mc := first.ChatItem.Content.MsgContent
	if mc.Type != "poll" || mc.IsKnown() || mc.Text != "pick one" {
		t.Errorf("msgContent %+v", mc)
	}
	// Unknown enum strings are kept as they are.
	second := e.ChatItems[1]
	if second.ChatInfo.Contact.ContactStatus != "archived" {
		t.Errorf("contactStatus %q", second.ChatInfo.Contact.ContactStatus)
	}
	// A member of the wrong JSON type (a number for a string) and a null
	// for a timestamp stay raw instead of failing the frame.
	c := second.ChatInfo.Contact
	if c.LocalDisplayName != "" || c.DisplayName() != "alice" {
		t.Errorf("localDisplayName %q", c.LocalDisplayName)
	}
	if raw, _ := c.Extra.Get("localDisplayName"); string(raw) != "42" {
		t.Errorf("localDisplayName kept as %q", raw)
	}
	if raw, _ := c.Extra.Get("chatTs"); string(raw) != "null" || !c.ChatTs.IsZero() {
		t.Errorf("chatTs kept as %q (%v)", raw, c.ChatTs)
	}
	// And all of it goes back out.
	out, err := EncodeFrame("", e)
	if err != nil {
		t.Fatal(err)
	}
	if !reflect.DeepEqual(genericWireJSON(t, data), genericWireJSON(t, out)) {
		t.Fatalf("drift frame changed:\n%s", out)
	}
}

func TestAgentUserID(t *testing.T) {
	for _, in := range []string{`"1"`, `1`, `"12345678901"`, `-3`} {
		var a AgentUserID
		if err := json.Unmarshal([]byte(in), &a); err != nil {
			t.Fatalf("%s: %v", in, err)
		}
		out, _ := json.Marshal(a)
		if string(out) != in {
			t.Errorf("%s re-encoded as %s", in, out)
		}
	}
	var a AgentUserID
	if err := json.Unmarshal([]byte(`"x"`), &a); err == nil {
		t.Error(`"x" accepted as agentUserId`)
	}
	// Inside a User a bad agentUserId is kept raw, not fatal.
	var u User
	if err := json.Unmarshal([]byte(`{"userId":3,"agentUserId":"x"}`), &u); err != nil {
		t.Fatal(err)
	}
	if raw, _ := u.Extra.Get("agentUserId"); string(raw) != `"x"` || u.UserID != 3 {
		t.Errorf("user %+v", u)
	}
}

func TestConnStatusForms(t *testing.T) {
	cases := []struct {
		in        string
		tag       string
		object    bool
		canonical string
	}{
		{`"ready"`, "ready", false, ConnReady},
		{`"snd-ready"`, "snd-ready", false, ConnSndReady},
		{`{"type":"sndReady"}`, "sndReady", true, ConnSndReady},
		{`{"type":"failed","connError":"AUTH"}`, "failed", true, ConnFailed},
	}
	for _, c := range cases {
		var s ConnStatus
		if err := json.Unmarshal([]byte(c.in), &s); err != nil {
			t.Fatalf("%s: %v", c.in, err)
		}
		if s.Type != c.tag || s.Object != c.object || s.Canonical() != c.canonical {
			t.Errorf("%s decoded as %+v", c.in, s)
		}
		out, err := json.Marshal(s)
		if err != nil || !reflect.DeepEqual(genericWireJSON(t, []byte(c.in)), genericWireJSON(t, out)) {
			t.Errorf("%s re-encoded as %s (%v)", c.in, out, err)
		}
	}
	var s ConnStatus
	if err := json.Unmarshal([]byte(`{"type":"ready"}`), &s); err != nil || !s.Ready() {
		t.Errorf("ready: %+v %v", s, err)
	}
}

func TestGroupsListShapes(t *testing.T) {
	want := []shapeCase{
		{"groups_list_tuple.json", ShapeTuple},
		{"groups_list_object.json", ShapeObject},
		{"groups_list_plain.json", ShapeGroupInfo},
	}
	for _, c := range want {
		r := decodeWireFixture(t, c.file).(*GroupsList)
		if len(r.Groups) != 1 {
			t.Fatalf("%s: %d groups", c.file, len(r.Groups))
		}
		g := r.Groups[0]
		if g.Shape != c.shape || g.GroupInfo.GroupID != 12 || g.GroupInfo.DisplayName() != "mygroup" {
			t.Errorf("%s: %+v", c.file, g)
		}
		if g.GroupSummary == nil || g.GroupSummary.CurrentMembers != 2 {
			t.Errorf("%s: summary %+v", c.file, g.GroupSummary)
		}
		if infos := r.GroupInfos(); len(infos) != 1 || infos[0].Membership.MemberRole != RoleAdmin {
			t.Errorf("%s: GroupInfos %+v", c.file, infos)
		}
	}
	// Built in Go, an entry encodes as a bare GroupInfo with its summary.
	b, err := json.Marshal(GroupsListEntry{GroupInfo: GroupInfo{GroupID: 4}, GroupSummary: &GroupSummary{CurrentMembers: 9}})
	if err != nil {
		t.Fatal(err)
	}
	var back GroupsListEntry
	if err := json.Unmarshal(b, &back); err != nil || back.GroupInfo.GroupID != 4 || back.GroupSummary.CurrentMembers != 9 {
		t.Fatalf("%s -> %+v %v", b, back, err)
	}
}

// shapeCase pairs a fixture with the groupsList shape it holds.
type shapeCase struct {
	file  string
	shape GroupsListShape
}

func TestTimestamps(t *testing.T) {
	cases := []struct {
		in   string
		want time.Time
		same bool // re-encodes to the same string
	}{
		{"2026-08-15T15:30:48Z", time.Date(2026, 8, 15, 15, 30, 48, 0, time.UTC), true},
		{"2026-08-15T15:30:47.133956843Z", time.Date(2026, 8, 15, 15, 30, 47, 133956843, time.UTC), true},
		{"2026-06-28T11:21:20.27497632Z", time.Date(2026, 6, 28, 11, 21, 20, 274976320, time.UTC), true},
		{"2026-08-15T15:30:48.5Z", time.Date(2026, 8, 15, 15, 30, 48, 500000000, time.UTC), true},
		{"2026-08-15T15:30:48.500Z", time.Date(2026, 8, 15, 15, 30, 48, 500000000, time.UTC), false},
		{"2026-08-15T17:30:48+02:00", time.Date(2026, 8, 15, 15, 30, 48, 0, time.UTC), true},
	}
	for _, c := range cases {
		var m CIMeta
		if err := json.Unmarshal([]byte(`{"itemTs":"`+c.in+`"}`), &m); err != nil {
			t.Fatalf("%s: %v", c.in, err)
		}
		if !m.ItemTs.Equal(c.want) {
			t.Errorf("%s parsed as %v", c.in, m.ItemTs)
		}
		out, _ := json.Marshal(m)
		var back CIMeta
		if err := json.Unmarshal(out, &back); err != nil || !back.ItemTs.Equal(c.want) {
			t.Errorf("%s re-encoded as %s: meaning changed", c.in, out)
		}
		if got := string(out) == `{"itemTs":"`+c.in+`"}`; got != c.same {
			t.Errorf("%s re-encoded as %s", c.in, out)
		}
	}
	// Impossible dates are kept raw, not normalized into another day.
	var m CIMeta
	if err := json.Unmarshal([]byte(`{"itemTs":"2026-02-30T00:00:00Z"}`), &m); err != nil {
		t.Fatal(err)
	}
	if raw, _ := m.Extra.Get("itemTs"); string(raw) != `"2026-02-30T00:00:00Z"` || !m.ItemTs.IsZero() {
		t.Errorf("impossible date: %v, raw %s", m.ItemTs, raw)
	}
}

func TestBuiltValuesEncodeRequiredMembers(t *testing.T) {
	cases := []struct {
		name string
		v    any
		want string
	}{
		{"text", TextContent(""), `{"type":"text","text":""}`},
		{"composed", ComposedMessage{MsgContent: TextContent("hi")}, `{"msgContent":{"type":"text","text":"hi"}}`},
		{"composed quote", ComposedMessage{MsgContent: TextContent("hi"), QuotedItemID: 7, Mentions: map[string]int64{"bob": 3, "al": 2}},
			`{"quotedItemId":7,"msgContent":{"type":"text","text":"hi"},"mentions":{"al":2,"bob":3}}`},
		{"updated", UpdatedMessage{MsgContent: TextContent("x")}, `{"msgContent":{"type":"text","text":"x"},"mentions":{}}`},
		{"reaction", EmojiReaction("👍"), `{"type":"emoji","emoji":"👍"}`},
		{"profile", Profile{DisplayName: "bot", PeerType: PeerBot, Preferences: &Preferences{Commands: []ChatBotCommand{
			{Type: BotCommandCommand, Keyword: "help", Label: "Help"}}}},
			`{"displayName":"bot","fullName":"","preferences":{"commands":[{"type":"command","keyword":"help","label":"Help"}]},"peerType":"bot"}`},
		{"settings", AddressSettings{AutoAccept: &AutoAccept{}}, `{"businessAddress":false,"autoAccept":{"acceptIncognito":false}}`},
		{"escapes", TextContent("a\"b\\c\n<&>\x01é"), `{"type":"text","text":"a\"b\\c\n<&>\u0001é"}`},
	}
	for _, c := range cases {
		b, err := json.Marshal(c.v)
		if err != nil {
			t.Fatalf("%s: %v", c.name, err)
		}
		if !reflect.DeepEqual(genericWireJSON(t, b), genericWireJSON(t, []byte(c.want))) {
			t.Errorf("%s: got %s, want %s", c.name, b, c.want)
		}
	}
}

func TestEditedDecodedValueEncodesChanges(t *testing.T) {
	var p Profile
	if err := json.Unmarshal([]byte(`{"displayName":"a","fullName":"","futureX":1}`), &p); err != nil {
		t.Fatal(err)
	}
	p.DisplayName = "b"
	p.ShortDescr = "now set"
	b, _ := json.Marshal(p)
	want := `{"displayName":"b","fullName":"","shortDescr":"now set","futureX":1}`
	if !reflect.DeepEqual(genericWireJSON(t, b), genericWireJSON(t, []byte(want))) {
		t.Fatalf("got %s, want %s", b, want)
	}
	// A field set over a member that was kept raw wins, without a duplicate key.
	var c Contact
	if err := json.Unmarshal([]byte(`{"contactId":1,"localDisplayName":7}`), &c); err != nil {
		t.Fatal(err)
	}
	c.LocalDisplayName = "fixed"
	b, _ = json.Marshal(c)
	if strings.Count(string(b), "localDisplayName") != 1 || !strings.Contains(string(b), `"localDisplayName":"fixed"`) {
		t.Fatalf("got %s", b)
	}
}

func TestExtraAPI(t *testing.T) {
	var x Extra
	if x.Len() != 0 || x.Decoded() {
		t.Fatal("zero Extra not empty")
	}
	x.Set("b", json.RawMessage(`2`))
	x.Set("a", json.RawMessage(`1`))
	if got := x.Keys(); !reflect.DeepEqual(got, []string{"a", "b"}) {
		t.Errorf("Keys %v", got)
	}
	x.Delete("a")
	if _, ok := x.Get("a"); ok || x.Len() != 1 {
		t.Error("Delete failed")
	}
	m := MsgContent{Type: MsgText, Text: "t", Extra: x}
	b, _ := json.Marshal(m)
	if string(b) != `{"type":"text","text":"t","b":2}` {
		t.Errorf("got %s", b)
	}
}

func TestUnmarshalRejectsInvalidJSON(t *testing.T) {
	var u User
	for _, in := range []string{``, `{`, `{"userId":}`, `[1,]`} {
		if err := u.UnmarshalJSON([]byte(in)); err == nil {
			t.Errorf("%q accepted", in)
		}
	}
	if err := u.UnmarshalJSON([]byte(`[1]`)); err == nil {
		t.Error("array accepted as User")
	}
}

func TestParseInt(t *testing.T) {
	cases := []struct {
		in string
		n  int64
		ok bool
	}{
		{"0", 0, true}, {"-0", 0, true}, {"42", 42, true}, {"-42", -42, true},
		{"9223372036854775807", 1<<63 - 1, true}, {"-9223372036854775808", -1 << 63, true},
		{"9223372036854775808", 0, false}, {"1.5", 0, false}, {"1e3", 0, false}, {"", 0, false}, {"-", 0, false},
		{"99999999999999999999", 0, false},
	}
	for _, c := range cases {
		n, ok := jsonParseInt([]byte(c.in))
		if ok != c.ok || (ok && n != c.n) {
			t.Errorf("jsonParseInt(%q) = %d %v", c.in, n, ok)
		}
	}
}

// TestWireTypesHaveJSONMethods guards the rule that every struct holding an
// Extra has both JSON methods; without them encoding/json would silently
// drop Extra and emit zero members.
func TestWireTypesHaveJSONMethods(t *testing.T) {
	fset := token.NewFileSet()
	files, err := filepath.Glob("*.go")
	if err != nil {
		t.Fatal(err)
	}
	wire := map[string]bool{}
	methods := map[string]map[string]bool{}
	for _, name := range files {
		if strings.HasSuffix(name, "_test.go") {
			continue
		}
		f, err := parser.ParseFile(fset, name, nil, 0)
		if err != nil {
			t.Fatal(err)
		}
		for _, decl := range f.Decls {
			switch d := decl.(type) {
			case *ast.GenDecl:
				for _, spec := range d.Specs {
					ts, ok := spec.(*ast.TypeSpec)
					if !ok || !ts.Name.IsExported() {
						continue
					}
					st, ok := ts.Type.(*ast.StructType)
					if !ok {
						continue
					}
					for _, fld := range st.Fields.List {
						if id, ok := fld.Type.(*ast.Ident); ok && id.Name == "Extra" {
							wire[ts.Name.Name] = true
						}
					}
				}
			case *ast.FuncDecl:
				if d.Recv == nil || len(d.Recv.List) != 1 {
					continue
				}
				typ := d.Recv.List[0].Type
				if star, ok := typ.(*ast.StarExpr); ok {
					typ = star.X
				}
				if id, ok := typ.(*ast.Ident); ok {
					if methods[id.Name] == nil {
						methods[id.Name] = map[string]bool{}
					}
					methods[id.Name][d.Name.Name] = true
				}
			}
		}
	}
	if len(wire) < 100 {
		t.Fatalf("found only %d wire types", len(wire))
	}
	for name := range wire {
		if !methods[name]["MarshalJSON"] || !methods[name]["UnmarshalJSON"] {
			t.Errorf("%s holds an Extra but lacks MarshalJSON or UnmarshalJSON", name)
		}
	}
}

func TestRoleAtLeast(t *testing.T) {
	cases := []struct {
		have, want GroupMemberRole
		ok         bool
	}{
		{RoleOwner, RoleAdmin, true},
		{RoleAdmin, RoleAdmin, true},
		{RoleModerator, RoleAdmin, false},
		{RoleMember, RoleModerator, false},
		{RoleModerator, RoleMember, true},
		{RoleObserver, RoleAuthor, false},
		{RoleAuthor, RoleObserver, true},
		{RoleRelay, RoleObserver, false},
		{"superuser", RoleMember, false},
		{RoleOwner, "superuser", false},
	}
	for _, c := range cases {
		if got := RoleAtLeast(c.have, c.want); got != c.ok {
			t.Errorf("RoleAtLeast(%q, %q) = %v", c.have, c.want, got)
		}
	}
	for _, r := range []GroupMemberRole{RoleObserver, RoleAuthor, RoleMember, RoleModerator, RoleAdmin, RoleOwner} {
		if !r.Valid() {
			t.Errorf("%q not valid", r)
		}
	}
	if GroupMemberRole("x").Valid() {
		t.Error("unknown role valid")
	}
}
