package main

import (
	"os"
	"strings"
	"testing"
)

// TestReadmeShowsThisProgram keeps the README's quickstart true: its code
// block is this file's main function, so it compiles and vets with the tree.
func TestReadmeShowsThisProgram(t *testing.T) {
	src, err := os.ReadFile("main.go")
	if err != nil {
		t.Fatal(err)
	}
	readme, err := os.ReadFile("../../README.md")
	if err != nil {
		t.Fatal(err)
	}
	i := strings.Index(string(src), "func main() {")
	if i < 0 {
		t.Fatal("main.go has no main function")
	}
	body := string(src[i:])
	if !strings.Contains(string(readme), "```go\n"+body+"```") {
		t.Fatalf("README.md does not show main.go's main function as its Go block:\n%s", body)
	}
	if n := strings.Count(strings.TrimSpace(body), "\n") + 1; n > 16 {
		t.Errorf("the quickstart is %d lines, want about 15", n)
	}
}
