package moderation_test

import (
	"fmt"

	"github.com/parleybot/parley/modules/moderation"
)

func ExampleRules_Check() {
	r, err := moderation.NewRules([]string{"spam"}, []string{`(?i)free\s+crypto`},
		moderation.LinksAllowlist, []string{"example.org"})
	if err != nil {
		panic(err)
	}
	for _, text := range []string{
		"no SPAM please",
		"Free   CRYPTO for all",
		"docs: https://docs.example.org/start",
		"login at https://example.org.evil.com",
		"a classic spammer-free chat",
	} {
		if v, bad := r.Check(text); bad {
			fmt.Println(v)
		} else {
			fmt.Println("ok")
		}
	}
	// Output:
	// banned word "spam"
	// banned pattern "(?i)free\\s+crypto"
	// ok
	// link to example.org.evil.com (not an allowed domain)
	// ok
}

func ExampleSettings_Validate() {
	s := moderation.DefaultSettings()
	s.BannedPatterns = []string{"fine", "(oops"}
	s.Action = "ban"
	fmt.Println(s.Validate())
	// Output:
	// banned_patterns[1]: invalid regular expression "(oops": error parsing regexp: missing closing ): `(oops`
	// action: action "ban": want "delete", "block", "remove" or "observer"
}
