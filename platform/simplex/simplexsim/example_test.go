package simplexsim_test

import (
	"context"
	"encoding/json"
	"fmt"
	"time"

	"github.com/coder/websocket"

	"github.com/parleybot/parley/platform/simplex/simplexsim"
)

// A test starts the simulator, points a client at URL, scripts the world and
// checks what the bot sent. Here the "bot" is a few raw frames.
func Example() {
	sim := simplexsim.New(simplexsim.WithBotName("echo"), simplexsim.WithAddress(true, ""))
	if err := sim.Start(); err != nil {
		panic(err)
	}
	defer sim.Close()

	ctx, cancel := context.WithTimeout(context.Background(), 5*time.Second)
	defer cancel()
	ws, _, err := websocket.Dial(ctx, sim.URL(), nil)
	if err != nil {
		panic(err)
	}
	defer ws.CloseNow()

	read := func() (corrID string, typ string, resp map[string]any) {
		_, data, err := ws.Read(ctx)
		if err != nil {
			panic(err)
		}
		var f struct {
			CorrID string         `json:"corrId"`
			Resp   map[string]any `json:"resp"`
		}
		_ = json.Unmarshal(data, &f)
		return f.CorrID, f.Resp["type"].(string), f.Resp
	}

	conn, _ := sim.ConnectContact("alice")
	_, _ = sim.ContactSend(conn.ContactID, "ping")
	for range 4 {
		_, typ, _ := read()
		fmt.Println("event:", typ)
	}

	cmd := fmt.Sprintf(`/_send @%d json [{"msgContent":{"type":"text","text":"pong"}}]`, conn.ContactID)
	frame, _ := json.Marshal(map[string]string{"corrId": "1", "cmd": cmd})
	_ = ws.Write(ctx, websocket.MessageText, frame)
	corrID, typ, _ := read()
	fmt.Println("response:", corrID, typ)

	sent, _ := sim.WaitBotSent(1, 5*time.Second)
	fmt.Printf("bot sent %q to %s\n", sent[0].Text, sent[0].ChatRef)
	// Output:
	// event: acceptingContactRequest
	// event: contactSndReady
	// event: contactConnected
	// event: newChatItems
	// response: 1 newChatItems
	// bot sent "pong" to @2
}
