package simplexsim_test

import (
	"fmt"
	"testing"

	"github.com/parleybot/parley/platform/simplex/simplexsim"
)

// BenchmarkSendRoundTrip measures one /_send command and its response over a
// loopback socket.
func BenchmarkSendRoundTrip(b *testing.B) {
	s := start(b, simplexsim.WithAutoDelivery(false), simplexsim.WithAddress(true, ""))
	c := dial(b, s.URL())
	conn := must[simplexsim.Connected](b)(s.ConnectContact("alice"))
	c.expect("acceptingContactRequest", "contactSndReady", "contactConnected")
	cmd := fmt.Sprintf("/_send @%d json %s", conn.ContactID, sendJSON("benchmark message"))
	b.ResetTimer()
	for b.Loop() {
		if m := c.cmd(cmd); m.typ() != "newChatItems" {
			b.Fatalf("got %s", m.raw)
		}
	}
}

// BenchmarkEventDelivery measures an inbound message from ContactSend to the
// client reading its event.
func BenchmarkEventDelivery(b *testing.B) {
	s := start(b, simplexsim.WithAddress(true, ""))
	c := dial(b, s.URL())
	conn := must[simplexsim.Connected](b)(s.ConnectContact("alice"))
	c.expect("acceptingContactRequest", "contactSndReady", "contactConnected")
	b.ResetTimer()
	for b.Loop() {
		if _, err := s.ContactSend(conn.ContactID, "hello"); err != nil {
			b.Fatal(err)
		}
		c.event()
	}
}
