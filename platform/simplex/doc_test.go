package simplex_test

import (
	"context"
	"errors"
	"fmt"

	"github.com/parleybot/parley/platform/simplex"
	"github.com/parleybot/parley/platform/simplex/simplexsim"
)

func ExampleDecodeFrame() {
	data := []byte(`{"resp":{"type":"newChatItems","user":{"userId":1},"chatItems":[{
		"chatInfo":{"type":"direct","contact":{"contactId":5,"localDisplayName":"alice","profile":{"displayName":"alice"}}},
		"chatItem":{"chatDir":{"type":"directRcv"},"meta":{"itemId":8,"itemTs":"2026-08-15T15:30:48Z"},
			"content":{"type":"rcvMsgContent","msgContent":{"type":"text","text":"hi"}},"mentions":{},"reactions":[]}}]}}`)
	f, err := simplex.DecodeFrame(data)
	if err != nil {
		fmt.Println(err)
		return
	}
	e := f.Resp.(*simplex.NewChatItems)
	fmt.Println(f.IsEvent(), e.ChatKey(), e.DedupeKey())
	for _, m := range e.Messages() {
		fmt.Printf("%s from %s: %q\n", m.Chat.ID, m.Sender.Name, m.Text)
	}
	// Output:
	// true simplex:1:@5 simplex:1:@5:8
	// @5 from alice: "hi"
}

func ExampleAPISendMessages() {
	cmd, err := simplex.SendText(simplex.Direct(5), "hello", 8).Cmd()
	if err != nil {
		fmt.Println(err)
		return
	}
	frame, _ := simplex.EncodeCommand("1", cmd)
	fmt.Println(cmd)
	fmt.Println(string(frame))
	_, err = simplex.APISendMessages{Chat: simplex.Direct(5)}.Cmd()
	fmt.Println(err)
	// Output:
	// /_send @5 json [{"quotedItemId":8,"msgContent":{"type":"text","text":"hello"}}]
	// {"corrId":"1","cmd":"/_send @5 json [{\"quotedItemId\":8,\"msgContent\":{\"type\":\"text\",\"text\":\"hello\"}}]"}
	// simplex: /_send needs at least one message
}

func ExampleParseChatRef() {
	for _, s := range []string{"@5", "#12(_support:3)", "@alice"} {
		ref, err := simplex.ParseChatRef(s)
		if err != nil {
			fmt.Println(err)
			continue
		}
		fmt.Println(ref.Type, ref.ID, ref)
	}
	// Output:
	// direct 5 @5
	// group 12 #12(_support:3)
	// simplex: bad chat reference "@alice": id is not decimal
}

func ExampleSplitText() {
	for _, part := range simplex.SplitText("first line\nsecond line", 16) {
		fmt.Printf("%q\n", part)
	}
	// Output:
	// "first line\n"
	// "second line"
}

func ExampleIsStoreError() {
	f, _ := simplex.DecodeFrame([]byte(`{"corrId":"4","resp":{"type":"chatCmdError","chatError":{"type":"errorStore","storeError":{"type":"userContactLinkNotFound"}}}}`))
	var err error = f.Resp.(*simplex.ChatCmdError).Err("/_show_address 1")
	fmt.Println(err)
	fmt.Println(simplex.IsStoreError(err, "userContactLinkNotFound"))
	var ce *simplex.CommandError
	fmt.Println(errors.As(err, &ce), ce.Kind(), ce.InnerType())
	// Output:
	// simplex: /_show_address 1: errorStore/userContactLinkNotFound
	// true
	// true errorStore userContactLinkNotFound
}

func ExampleRoleAtLeast() {
	fmt.Println(simplex.RoleAtLeast(simplex.RoleAdmin, simplex.RoleModerator))
	fmt.Println(simplex.RoleAtLeast(simplex.RoleMember, simplex.RoleModerator))
	// Output:
	// true
	// false
}

func ExampleExec() {
	sim := simplexsim.New()
	if err := sim.Start(); err != nil {
		panic(err)
	}
	defer sim.Close()
	ctx, cancel := context.WithCancel(context.Background())
	defer cancel()
	c := simplex.NewClient(sim.URL())
	done := make(chan error, 1)
	connected := make(chan struct{})
	go func() {
		done <- c.Run(ctx, simplex.SinkFuncs{
			OnConnect: func(context.Context, bool) error { close(connected); return nil },
			OnEvent:   func(simplex.Frame) error { return nil },
		})
	}()
	<-connected
	// The response type, *simplex.ActiveUser, comes from the command.
	u, err := simplex.Exec(ctx, c, simplex.ShowActiveUser{})
	if err != nil {
		panic(err)
	}
	fmt.Println(u.User.Profile.DisplayName != "")
	cancel()
	<-done
	// Output: true
}
