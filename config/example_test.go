package config_test

import (
	"fmt"

	"github.com/parleybot/parley/config"
)

func ExampleParse() {
	src := `
[[bots]]
name = "helper"
platform = "fake"
handler_timeout = "30"

[bots.fake]
url = "${HELPER_URL}"

[bots.dedupe]
tll = "1h"
`
	// Parse reports every problem at once, each with file:line:col and
	// the key's full path.
	_, err := config.Parse([]byte(src), "bots.toml", config.WithLookupEnv(func(string) (string, bool) { return "", false }))
	fmt.Println(err)

	// With the variable set and the mistakes fixed, the file parses.
	src = `
[[bots]]
name = "helper"
platform = "fake"
handler_timeout = "30s"

[bots.fake]
url = "${HELPER_URL}"
`
	cfg, err := config.Parse([]byte(src), "bots.toml", config.WithLookupEnv(func(k string) (string, bool) {
		return "wss://chat.example", k == "HELPER_URL"
	}))
	if err != nil {
		fmt.Println(err)
		return
	}
	b := cfg.Bots[0]
	fmt.Println(b.Name, b.Platform, b.HandlerTimeout, b.Settings.(*fakePlatform).URL)
	// Output:
	// bots.toml:5:1: bots[0].handler_timeout: invalid duration "30" (want a string such as "30s", "5m" or "1h30m")
	// bots.toml:8:1: bots[0].fake.url: environment variable HELPER_URL is not set (write ${HELPER_URL:-default} for a default)
	// bots.toml:11:1: bots[0].dedupe.tll: unknown key (did you mean "ttl"?)
	// helper fake 30s wss://chat.example
}
