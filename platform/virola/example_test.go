package virola_test

import (
	"context"
	"fmt"

	"github.com/parleybot/parley/platform/virola"
	"github.com/parleybot/parley/platform/virola/virolasim"
)

// A client against the simulator: post, then list the room.
func Example() {
	sim := virolasim.New()
	if err := sim.Start(); err != nil {
		panic(err)
	}
	defer sim.Close()
	b := sim.AddUser("bot", "Bot", "secret")
	a := sim.AddUser("alice", "Alice", "pw")
	room, _ := sim.NewPrivateRoom(a.UserID, b.UserID)

	ctx := context.Background()
	c := virola.NewClient(sim.URL(), virola.WithLogin("bot", "secret"))
	if err := c.SendMessage(ctx, room.RoomID, "hello"); err != nil {
		panic(err)
	}
	l, err := c.ListMessages(ctx, room.RoomID, virola.Page{Limit: 10, Direction: virola.Backward})
	if err != nil {
		panic(err)
	}
	for _, m := range l.Messages {
		fmt.Println(m.UserID == c.Self(), m.Text)
	}
	// Output: true hello
}

// DecodeEvent on a frame of the events socket.
func ExampleDecodeEvent() {
	e, err := virola.DecodeEvent([]byte(`{"type":"TextMessagesCreated","data":{"messages":[{"messageId":2000124,"roomId":2,"userId":1,"parentMessageId":2000120,"text":"a comment"}]}}`))
	if err != nil {
		panic(err)
	}
	c := e.(*virola.TextMessagesCreated)
	fmt.Println(c.ChatKey(), c.DedupeKey(), c.IsComment())
	// Output: virola:2 virola:2000124 true
}
