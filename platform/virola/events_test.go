package virola_test

import (
	"errors"
	"testing"

	"github.com/parleybot/parley/bot"
	"github.com/parleybot/parley/platform/virola"
)

// The examples of the events document, with its elided fields dropped.
func TestDecodeSeedExamples(t *testing.T) {
	cases := []struct {
		frame string
		check func(t *testing.T, e bot.Event)
	}{
		{`{"type":"TextMessagesCreated","data":{"messages":[{"messageId":2000124,"messageType":"Regular","roomId":2,"text":"Test message with attachment","userId":1}]}}`,
			func(t *testing.T, e bot.Event) {
				c := e.(*virola.TextMessagesCreated)
				m := c.TextMessages[0]
				if m.MessageID != 2000124 || m.RoomID != 2 || m.UserID != 1 || m.Text != "Test message with attachment" || m.IsComment() {
					t.Fatalf("%+v", m)
				}
				if c.ChatKey() != "virola:2" || c.DedupeKey() != "virola:2000124" {
					t.Fatalf("keys %q %q", c.ChatKey(), c.DedupeKey())
				}
			}},
		{`{"type":"TextMessagesUpdated","data":{"messages":[{"messageId":2000124,"messageType":"Regular","roomId":2,"text":"Updated message text","userId":1}]}}`,
			func(t *testing.T, e bot.Event) {
				u := e.(*virola.TextMessagesUpdated)
				if u.TextMessages[0].Text != "Updated message text" {
					t.Fatalf("%+v", u)
				}
				if _, ok := e.(bot.MessageEvent); ok {
					t.Fatal("an update must not be a message event")
				}
			}},
		{`{"type":"TextMessageDeleted","data":{"parentMessageId":2000124,"roomId":2,"messageId":2000125}}`,
			func(t *testing.T, e bot.Event) {
				d := e.(*virola.TextMessageDeleted)
				if d.ParentMessageID != 2000124 || d.RoomID != 2 || d.MessageID != 2000125 || d.ChatKey() != "virola:2" {
					t.Fatalf("%+v", d)
				}
			}},
		{`{"type":"RoomCreated","data":{"room":{"roomId":2,"name":"New Room"}}}`,
			func(t *testing.T, e bot.Event) {
				if r := e.(*virola.RoomCreated); r.Room.RoomID != 2 {
					t.Fatalf("%+v", r)
				}
			}},
		{`{"type":"RoomUpdated","data":{"room":{"roomId":2,"name":"Updated Room Name"}}}`,
			func(t *testing.T, e bot.Event) {
				if r := e.(*virola.RoomUpdated); r.Room.RoomID != 2 {
					t.Fatalf("%+v", r)
				}
			}},
		{`{"type":"RoomDeleted","data":{"roomId":2}}`,
			func(t *testing.T, e bot.Event) {
				r := e.(*virola.RoomDeleted)
				if r.RoomID != 2 || r.GroupChanges()[0].Kind != bot.GroupDeleted {
					t.Fatalf("%+v", r)
				}
			}},
		// One document line calls the key eventType.
		{`{"eventType":"RoomDeleted","data":{"roomId":7}}`,
			func(t *testing.T, e bot.Event) {
				if r := e.(*virola.RoomDeleted); r.RoomID != 7 {
					t.Fatalf("%+v", r)
				}
			}},
		{`{"type":"MessageReactionsChanged","data":{"x":1}}`,
			func(t *testing.T, e bot.Event) {
				u := e.(*virola.Unknown)
				if u.Type() != "MessageReactionsChanged" || !u.Unknown() || len(u.Raw) == 0 {
					t.Fatalf("%+v", u)
				}
			}},
	}
	for _, c := range cases {
		e, err := virola.DecodeEvent([]byte(c.frame))
		if err != nil {
			t.Fatalf("%s: %v", c.frame, err)
		}
		c.check(t, e)
	}
}

func TestDecodeMalformed(t *testing.T) {
	for _, f := range []string{
		``, `[]`, `{"data":{}}`, `{"type":"RoomDeleted"}`, `{"type":"RoomDeleted","data":[1]}`,
		`{"type":"RoomDeleted","data":{"roomId":0}}`, `{"type":"TextMessagesCreated","data":{"messages":[{"messageId":"x"}]}}`,
		`{"type":"TextMessagesCreated","data":{"messages":[{"messageId":5}]}}`, `{"type":"RoomCreated","data":{"room":{}}}`,
	} {
		if _, err := virola.DecodeEvent([]byte(f)); !errors.Is(err, virola.ErrMalformedEvent) {
			t.Errorf("%q: err %v, want ErrMalformedEvent", f, err)
		}
	}
}

func TestNormalize(t *testing.T) {
	m := virola.Message{MessageID: 10, RoomID: 3, UserID: 4, ParentMessageID: 9, Text: "hi", CreatedUtc: 1753207692547,
		Attachments: []virola.Attachment{{AttachmentID: 13, FileName: "a.png", FileSize: 5}}}
	room := &virola.Room{RoomID: 3, RoomType: virola.RoomPrivate, DisplayName: "Alice"}
	e := virola.NewTextMessagesCreated(m, room, &virola.User{UserID: 4, UserName: "alice", DisplayName: "Alice A"})
	got := e.Messages()[0]
	if got.ID != "10" || got.Chat.ID != "3" || got.Chat.Kind != bot.Direct || got.Chat.Title != "Alice" ||
		got.Sender.ID != "4" || got.Sender.Name != "Alice A" || got.ReplyTo != "9" || got.Files[0].ID != "13" ||
		got.Time.UnixMilli() != 1753207692547 || !e.IsComment() {
		t.Fatalf("%+v", got)
	}
	room.RoomType = virola.RoomPublic
	if k := virola.Normalize(&m, room, nil).Chat.Kind; k != bot.Group {
		t.Fatalf("public room kind %v", k)
	}
}

func FuzzDecodeEvent(f *testing.F) {
	for _, s := range []string{
		`{"type":"TextMessagesCreated","data":{"messages":[{"messageId":1,"roomId":2,"userId":3,"text":"x","parentMessageId":0}]}}`,
		`{"type":"TextMessagesUpdated","data":{"messages":[{"messageId":1,"roomId":2,"readTimestamps":[{"userId":1,"readUtc":2}]}]}}`,
		`{"type":"TextMessageDeleted","data":{"parentMessageId":0,"roomId":2,"messageId":3}}`,
		`{"type":"RoomCreated","data":{"room":{"roomId":2,"roomType":"Private","lastMessage":{"messageId":1}}}}`,
		`{"type":"RoomDeleted","data":{"roomId":2}}`, `{"type":"X"}`, `{`,
	} {
		f.Add([]byte(s))
	}
	f.Fuzz(func(t *testing.T, data []byte) {
		e, err := virola.DecodeEvent(data)
		if err != nil {
			if !errors.Is(err, virola.ErrMalformedEvent) || e != nil {
				t.Fatalf("error %v with event %v", err, e)
			}
			return
		}
		if e.Type() == "" {
			t.Fatal("event without type")
		}
		switch e := e.(type) {
		case *virola.TextMessagesCreated:
			for _, m := range e.TextMessages {
				if m.MessageID <= 0 || m.RoomID <= 0 {
					t.Fatalf("message without ids passed: %+v", m)
				}
			}
		case *virola.RoomDeleted:
			if e.ChatKey() == "virola:0" {
				t.Fatal("room 0 passed")
			}
		}
	})
}
