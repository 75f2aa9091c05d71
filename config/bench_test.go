package config_test

import (
	"os"
	"testing"

	"github.com/parleybot/parley/config"
)

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
