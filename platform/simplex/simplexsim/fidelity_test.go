package simplexsim_test

import (
	"testing"
)

// parseCase is one command with what the real CLI answers, per the source
// line cited: a response type, or "" for a parse error (commandError).
type parseCase struct {
	source string // the parser line in Commands.hs the answer follows
	cmd    string
	want   string
}

func runParseCases(t *testing.T, c *client, cases []parseCase) {
	t.Helper()
	for _, tc := range cases {
		m := c.cmd(tc.cmd)
		if tc.want == "" {
			if m.typ() != "chatCmdError" || m.str("chatError.errorType.type") != "commandError" {
				t.Errorf("%s\n  %q: want a parse error, got %.300s", tc.source, tc.cmd, m.raw)
			}
			continue
		}
		if m.typ() != tc.want {
			t.Errorf("%s\n  %q: want %s, got %.300s", tc.source, tc.cmd, tc.want, m.raw)
		}
	}
}

func TestFidelityListGroups(t *testing.T) {
	_, c := setup(t)
	const src = `Commands.hs: "/_groups" *> (APIListGroups <$> A.decimal <*> optional (" @" *> A.decimal) <*> optional (A.space *> stringP))`
	runParseCases(t, c, []parseCase{
		{src, "/_groups1", "groupsList"},
		{src, "/_groups1 team", "groupsList"},
		{src, "/_groups 1", ""},
		{src, "/_groups", ""},
		{src, "/_groupsx", ""},
	})
}
