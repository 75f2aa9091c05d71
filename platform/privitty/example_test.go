package privitty_test

import (
	"context"
	"encoding/json"
	"errors"
	"fmt"
	"time"

	"github.com/parleybot/parley/bot"
	"github.com/parleybot/parley/middleware"
	"github.com/parleybot/parley/modules/echo"
	"github.com/parleybot/parley/platform/privitty"
	"github.com/parleybot/parley/platform/privitty/privittysim"
	"github.com/parleybot/parley/router"
	"github.com/parleybot/parley/store"
)

// The echo module written for any platform runs on Privitty unchanged:
// only the platform value differs.
func Example_echo() {
	sim := privittysim.New()
	if err := sim.Start(); err != nil {
		fmt.Println(err)
		return
	}
	defer sim.Close()

	st := store.NewMemory()
	r := router.New()
	echo.New().Register(r) // the same routes a SimpleX echo bot uses
	b := bot.New(privitty.New(sim.URL(), privitty.WithStore(st)), r)
	b.Use(middleware.Recover(), middleware.Dedupe(st))
	ctx, cancel := context.WithCancel(context.Background())
	done := make(chan error, 1)
	go func() { done <- b.Run(ctx) }()

	alice, _ := sim.ConnectContact("alice", false)
	hello, _ := sim.ContactSend(alice.ChatID, "hello, privitty")
	help, _ := sim.ContactSend(alice.ChatID, "/help")
	quoted := map[int64]string{hello: "hello", help: "/help"}
	sent, err := sim.WaitBotSent(2, 10*time.Second)
	cancel()
	fmt.Println(err, <-done)
	for _, s := range sent {
		fmt.Printf("to alice: %v, quoting %s: %q\n", s.ChatID == alice.ChatID, quoted[s.QuotedMessageID], s.Text)
	}
	// Output:
	// <nil> <nil>
	// to alice: true, quoting hello: "hello, privitty"
	// to alice: true, quoting /help: "I am an echo bot: send me any text and I will send it back."
}

func ExampleDecodeEvent() {
	e, err := privitty.DecodeEvent([]byte(`{"type":"IncomingMsg","account_id":1,"chat_id":7,"msg_id":42}`))
	if err != nil {
		fmt.Println(err)
		return
	}
	im := e.(*privitty.IncomingMsg)
	fmt.Println(im.Type(), im.ChatKey(), im.DedupeKey())

	r, _ := privitty.DecodeEvent([]byte(`{"type":"IncomingReaction","account_id":1,"chat_id":7,"msg_id":42,"contact_id":12,"reaction":"👍"}`))
	fmt.Printf("%T %s %s\n", r, r.(*privitty.IncomingReaction).Reaction, r.(bot.ChatKeyer).ChatKey())

	u, _ := privitty.DecodeEvent([]byte(`{"type":"SomeFutureEvent","account_id":1}`))
	fmt.Printf("%T %s\n", u, u.Type())

	_, err = privitty.DecodeEvent([]byte(`{"account_id":1}`))
	fmt.Println(errors.Is(err, privitty.ErrMalformedEvent))
	// Output:
	// IncomingMsg privitty:1:7 privitty:1:42
	// *privitty.IncomingReaction 👍 privitty:1:7
	// *privitty.Unknown SomeFutureEvent
	// true
}

func ExampleIsLicenseError() {
	var resp struct {
		Error *privitty.RPCError `json:"error"`
	}
	_ = json.Unmarshal([]byte(`{"jsonrpc":"2.0","error":{"code":-32001,"message":"Privitty license required: status is 'expired'. Run `+"`privitty-edge license activate <url>`"+` to install or renew."},"id":3}`), &resp)
	resp.Error.Method = "privitty_send_file"
	var err error = resp.Error
	fmt.Println(privitty.IsLicenseError(err), resp.Error.LicenseStatus())
	// Output:
	// true expired
}
