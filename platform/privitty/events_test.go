package privitty_test

import (
	"encoding/json"
	"errors"
	"reflect"
	"testing"
	"time"

	"github.com/parleybot/parley/bot"
	"github.com/parleybot/parley/platform/privitty"
)

func TestDecodeEventTypes(t *testing.T) {
	cases := []struct {
		data string
		want bot.Event
	}{
		{`{"type":"IncomingMsg","account_id":1,"chat_id":7,"msg_id":42}`,
			&privitty.IncomingMsg{MsgEvent: privitty.MsgEvent{AccountID: 1, ChatID: 7, MsgID: 42}}},
		{`{"type":"IncomingMsg","accountId":1,"chatId":7,"msgId":42}`,
			&privitty.IncomingMsg{MsgEvent: privitty.MsgEvent{AccountID: 1, ChatID: 7, MsgID: 42}}},
		{`{"type":"MsgDelivered","account_id":1,"chat_id":7,"msg_id":43}`,
			&privitty.MsgDelivered{MsgEvent: privitty.MsgEvent{AccountID: 1, ChatID: 7, MsgID: 43}}},
		{`{"type":"MsgRead","account_id":1,"chat_id":7,"msg_id":43}`,
			&privitty.MsgRead{MsgEvent: privitty.MsgEvent{AccountID: 1, ChatID: 7, MsgID: 43}}},
		{`{"type":"MsgFailed","account_id":1,"chat_id":7,"msg_id":43}`,
			&privitty.MsgFailed{MsgEvent: privitty.MsgEvent{AccountID: 1, ChatID: 7, MsgID: 43}}},
		{`{"type":"ConnectivityChanged","account_id":1}`, &privitty.ConnectivityChanged{AccountID: 1}},
		{`{"type":"ChatModified","account_id":1,"chat_id":9}`, &privitty.ChatModified{AccountID: 1, ChatID: 9}},
		{`{"type":"ContactsChanged","account_id":1,"contact_id":12}`, &privitty.ContactsChanged{AccountID: 1, ContactID: 12}},
		{`{"type":"Warning","account_id":1,"msg":"imap slow"}`, &privitty.Warning{AccountID: 1, Msg: "imap slow"}},
		{`{"type":"Error","account_id":1,"msg":"smtp down"}`, &privitty.CoreError{AccountID: 1, Msg: "smtp down"}},
		{`{"type":"SecurejoinInviterProgress","account_id":1,"contact_id":12,"progress":1000}`,
			&privitty.SecurejoinInviterProgress{AccountID: 1, ContactID: 12, Progress: 1000}},
		{`{"type":"SecurejoinJoinerProgress","account_id":1,"contact_id":12,"progress":400}`,
			&privitty.SecurejoinJoinerProgress{AccountID: 1, ContactID: 12, Progress: 400}},
		{`{"type":"PrivittyChatEncryptionChanged","chat_id":7,"is_encrypted":true}`,
			&privitty.PrivittyChatEncryptionChanged{ChatID: 7, IsEncrypted: true}},
		{`{"type":"PrivittyFileEncrypted","chat_id":7,"msg_id":50}`, &privitty.PrivittyFileEncrypted{ChatID: 7, MsgID: 50}},
		{`{"type":"PrivittyFileDecrypted","chat_id":7,"msg_id":50}`, &privitty.PrivittyFileDecrypted{ChatID: 7, MsgID: 50}},
		{`{"type":"PrivittyPeerHandshakeComplete","chat_id":7,"contact_id":12}`,
			&privitty.PrivittyPeerHandshakeComplete{ChatID: 7, ContactID: 12}},
		{`{"type":"PrivittyFileAccessRevoked","chat_id":7,"contact_id":12,"file_id":"f-1"}`,
			&privitty.PrivittyFileAccessRevoked{ChatID: 7, ContactID: 12, FileID: "f-1"}},
		{`{"type":"PrivittyFileAccessChanged","chat_id":7,"file_id":99}`,
			&privitty.PrivittyFileAccessChanged{ChatID: 7, FileID: "99"}},
		{`{"type":"PrivittyAccessRenewRequested","chat_id":7,"file_id":"f-2","requester_contact_id":12}`,
			&privitty.PrivittyAccessRenewRequested{ChatID: 7, FileID: "f-2", RequesterContactID: 12}},
		{`{"type":"ConfigureProgress","account_id":1,"progress":500,"comment":"imap"}`,
			&privitty.ConfigureProgress{AccountID: 1, Progress: 500, Comment: "imap"}},
		{`{"type":"ImexProgress","account_id":1,"progress":1000}`, &privitty.ImexProgress{AccountID: 1, Progress: 1000}},
		{`{"type":"SomeFutureEvent","account_id":1}`,
			&privitty.Unknown{TypeName: "SomeFutureEvent", Raw: json.RawMessage(`{"type":"SomeFutureEvent","account_id":1}`)}},
	}
	for _, tc := range cases {
		t.Run(tc.want.Type(), func(t *testing.T) {
			got, err := privitty.DecodeEvent([]byte(tc.data))
			if err != nil {
				t.Fatal(err)
			}
			if !reflect.DeepEqual(got, tc.want) {
				t.Fatalf("got %#v, want %#v", got, tc.want)
			}
			if got.Type() != tc.want.Type() {
				t.Fatalf("Type() = %q", got.Type())
			}
		})
	}
}

func TestDecodeEventErrors(t *testing.T) {
	for _, data := range []string{
		``, `{`, `[1,2]`, `{"account_id":1}`, `{"type":""}`, `{"type":7}`,
		`{"type":"IncomingMsg","chat_id":"seven","msg_id":1}`,
		`{"type":"PrivittyFileAccessChanged","chat_id":7,"file_id":{"x":1}}`,
	} {
		e, err := privitty.DecodeEvent([]byte(data))
		if err == nil || !errors.Is(err, privitty.ErrMalformedEvent) {
			t.Errorf("DecodeEvent(%q) = %v, %v; want ErrMalformedEvent", data, e, err)
		}
	}
}

func TestEventFacets(t *testing.T) {
	e, _ := privitty.DecodeEvent([]byte(`{"type":"IncomingMsg","account_id":1,"chat_id":7,"msg_id":42}`))
	im := e.(*privitty.IncomingMsg)
	if im.ChatKey() != "privitty:1:7" || im.DedupeKey() != "privitty:1:42" {
		t.Fatalf("keys %q %q", im.ChatKey(), im.DedupeKey())
	}
	if len(im.Messages()) != 0 {
		t.Fatal("an unfetched IncomingMsg has no messages")
	}
	u, _ := privitty.DecodeEvent([]byte(`{"type":"Brand New"}`))
	if un, ok := u.(bot.Unknowner); !ok || !un.Unknown() {
		t.Fatalf("%T is not Unknowner", u)
	}
	var _ bot.Request = (*privitty.ContactRequest)(nil)
}

const camelMessage = `{"id":42,"chatId":7,"fromId":12,"text":"hi","viewType":"File","state":10,"timestamp":1767225600,
 "isEdited":true,"isInfo":false,"isBot":false,"file":"/blobs/a.pdf","fileName":"a.pdf","fileBytes":2048,
 "quote":{"kind":"WithMessage","text":"earlier","messageId":40,"chatId":7,"authorDisplayName":"Bot"},
 "sender":{"id":12,"displayName":"Alice","address":"alice@x.example","isBot":false},
 "reactions":{"reactionsByContact":{"1":["👍"]},"reactions":[{"emoji":"👍","count":1,"isFromSelf":true}]},
 "somethingNew":{"x":1}}`

const snakeMessage = `{"id":42,"chat_id":7,"from_id":12,"text":"hi","view_type":"File","state":10,"timestamp":1767225600,
 "is_edited":true,"is_info":false,"is_bot":false,"file":"/blobs/a.pdf","file_name":"a.pdf","file_bytes":2048,
 "quote":{"kind":"WithMessage","text":"earlier","message_id":40,"chat_id":7,"author_display_name":"Bot"},
 "sender":{"id":12,"display_name":"Alice","address":"alice@x.example","is_bot":false},
 "reactions":{"reactionsByContact":{"1":["👍"]},"reactions":[{"emoji":"👍","count":1,"isFromSelf":true}]},
 "something_new":{"x":1}}`

func TestMessageDecodesBothKeyStyles(t *testing.T) {
	for name, data := range map[string]string{"camel": camelMessage, "snake": snakeMessage} {
		t.Run(name, func(t *testing.T) {
			var m privitty.Message
			if err := json.Unmarshal([]byte(data), &m); err != nil {
				t.Fatal(err)
			}
			if m.ID != 42 || m.ChatID != 7 || m.FromID != 12 || m.ViewType != "File" || m.State != privitty.StateInFresh ||
				!m.IsEdited || m.FileBytes != 2048 || m.FileName != "a.pdf" || m.QuotedID() != 40 ||
				m.Sender == nil || m.Sender.DisplayName != "Alice" || m.Quote.AuthorDisplayName != "Bot" {
				t.Fatalf("decoded %+v", m)
			}
			if m.Reactions == nil || m.Reactions.Reactions[0].Count != 1 {
				t.Fatalf("reactions %+v", m.Reactions)
			}
			if !json.Valid(m.Raw) || len(m.Raw) != len(data) {
				t.Fatal("Raw does not keep the object as received")
			}
			got := privitty.Normalize(&m, bot.Chat{ID: "7", Kind: bot.Direct})
			want := bot.Message{ID: "42", Chat: bot.Chat{ID: "7", Kind: bot.Direct}, Sender: bot.Sender{ID: "12", Name: "Alice"},
				Text: "hi", ReplyTo: "40", Edited: true, Time: time.Unix(1767225600, 0).UTC(),
				Files: []bot.File{{ID: "42", Name: "a.pdf", Size: 2048, Path: "/blobs/a.pdf"}}}
			if !reflect.DeepEqual(got, want) {
				t.Fatalf("normalized\n%+v\nwant\n%+v", got, want)
			}
		})
	}
}

func TestChatTypeForms(t *testing.T) {
	cases := []struct {
		in    string
		want  privitty.ChatType
		group bool
	}{
		{`"Single"`, privitty.ChatSingle, false},
		{`"Group"`, privitty.ChatGroup, true},
		{`100`, privitty.ChatSingle, false},
		{`120`, privitty.ChatGroup, true},
		{`140`, privitty.ChatMailinglist, true},
		{`160`, privitty.ChatOutBroadcast, true},
		{`165`, privitty.ChatInBroadcast, true},
		{`777`, "777", true},
		{`null`, "", false},
	}
	for _, tc := range cases {
		var c privitty.Chat
		if err := json.Unmarshal([]byte(`{"id":3,"chatType":`+tc.in+`}`), &c); err != nil {
			t.Fatalf("%s: %v", tc.in, err)
		}
		if c.ChatType != tc.want || c.ChatType.IsGroup() != tc.group {
			t.Errorf("%s: got %q group=%v, want %q group=%v", tc.in, c.ChatType, c.ChatType.IsGroup(), tc.want, tc.group)
		}
	}
	var c privitty.Chat
	if err := json.Unmarshal([]byte(`{"chatType":1.5}`), &c); err == nil {
		t.Fatal("a fractional chat type decoded")
	}
}

func TestChatSnakeKeys(t *testing.T) {
	var c privitty.Chat
	if err := json.Unmarshal([]byte(`{"id":9,"name":"club","chat_type":120,"is_contact_request":true,"contact_ids":[12,13]}`), &c); err != nil {
		t.Fatal(err)
	}
	if c.ID != 9 || c.ChatType != privitty.ChatGroup || !c.IsContactRequest || len(c.ContactIDs) != 2 {
		t.Fatalf("decoded %+v", c)
	}
}

func TestMessageResult(t *testing.T) {
	var res map[string]privitty.MessageResult
	data := `{"42":{"kind":"message","id":42,"chatId":7,"fromId":12,"text":"hi"},"43":{"kind":"loadingError","error":"gone"}}`
	if err := json.Unmarshal([]byte(data), &res); err != nil {
		t.Fatal(err)
	}
	if res["42"].Message == nil || res["42"].Message.Text != "hi" || res["43"].Message != nil || res["43"].Error != "gone" {
		t.Fatalf("decoded %+v", res)
	}
}

func FuzzDecodeEvent(f *testing.F) {
	for _, s := range []string{
		`{"type":"IncomingMsg","account_id":1,"chat_id":7,"msg_id":42}`,
		`{"type":"PrivittyFileAccessRevoked","chat_id":7,"contact_id":12,"file_id":"f"}`,
		`{"type":"SecurejoinInviterProgress","accountId":1,"contactId":3,"progress":1000,"chat_type":120}`,
		`{"type":"X"}`, `{`, `null`,
	} {
		f.Add([]byte(s))
	}
	f.Fuzz(func(t *testing.T, data []byte) {
		e, err := privitty.DecodeEvent(data)
		if err != nil {
			if !errors.Is(err, privitty.ErrMalformedEvent) || e != nil {
				t.Fatalf("error %v with event %v", err, e)
			}
			return
		}
		if e.Type() == "" {
			t.Fatal("decoded an event without a type")
		}
		if u, ok := e.(*privitty.Unknown); ok && !json.Valid(u.Raw) {
			t.Fatal("an unknown event lost its data")
		}
	})
}

func FuzzDecodeMessage(f *testing.F) {
	f.Add([]byte(camelMessage))
	f.Add([]byte(snakeMessage))
	f.Add([]byte(`{"kind":"loadingError","error":"x"}`))
	f.Add([]byte(`{"id":1,"chat_type":"120"}`))
	f.Fuzz(func(t *testing.T, data []byte) {
		var m privitty.Message
		if err := json.Unmarshal(data, &m); err == nil {
			_ = privitty.Normalize(&m, bot.Chat{})
			if !json.Valid(m.Raw) {
				t.Fatal("Raw is not the valid input")
			}
		}
		var r privitty.MessageResult
		if err := json.Unmarshal(data, &r); err == nil && (r.Message == nil) == (r.Error == "") {
			t.Fatalf("result is neither a message nor an error: %+v", r)
		}
		var c privitty.Chat
		_ = json.Unmarshal(data, &c)
		var ct privitty.Contact
		_ = json.Unmarshal(data, &ct)
		var it privitty.ChatListItem
		_ = json.Unmarshal(data, &it)
	})
}
