package config_test

import (
	"os"
	"testing"

	"github.com/BurntSushi/toml"

	"github.com/parleybot/parley/config"
)

// BenchmarkDecodeTOML is the baseline of BenchmarkParse: decoding the same
// file into a map, with no schema, positions or validation. Parse's cost
// over it is what the checks and the per-key positions add.
func BenchmarkDecodeTOML(b *testing.B) {
	data := []byte(fullConfig)
	b.SetBytes(int64(len(data)))
	b.ReportAllocs()
	for b.Loop() {
		var m map[string]any
		if _, err := toml.Decode(fullConfig, &m); err != nil {
			b.Fatal(err)
		}
	}
}

func BenchmarkParse(b *testing.B) {
	data := []byte(fullConfig)
	b.SetBytes(int64(len(data)))
	b.ReportAllocs()
	for b.Loop() {
		if _, err := config.Parse(data, "bots.toml", config.WithLookupEnv(noEnv)); err != nil {
			b.Fatal(err)
		}
	}
}

func BenchmarkParseExample(b *testing.B) {
	data, err := os.ReadFile("../examples/bots.toml")
	if err != nil {
		b.Fatal(err)
	}
	b.SetBytes(int64(len(data)))
	b.ReportAllocs()
	for b.Loop() {
		config.Parse(data, "bots.toml", config.WithLookupEnv(noEnv))
	}
}
