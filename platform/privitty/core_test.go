package privitty_test

import (
	"context"
	"encoding/json"
	"errors"
	"slices"
	"strconv"
	"strings"
	"sync"
	"testing"
	"time"

	"go.uber.org/zap"
	"go.uber.org/zap/zapcore"
	"go.uber.org/zap/zaptest/observer"

	"github.com/parleybot/parley/bot"
	"github.com/parleybot/parley/middleware"
	"github.com/parleybot/parley/platform/privitty"
	"github.com/parleybot/parley/platform/privitty/privittysim"
	"github.com/parleybot/parley/router"
	"github.com/parleybot/parley/store"
)

// Tests of what the real Delta Chat core does that the platform must
// handle: group requests, long texts, stuck daemons, re-created accounts
// and the core's event kinds.

// eventLog records every event that reached the handlers and echoes
// message events.
type eventLog struct {
	mu  sync.Mutex
	evs []bot.Event
}

func (l *eventLog) add(e bot.Event) {
	l.mu.Lock()
	l.evs = append(l.evs, e)
	l.mu.Unlock()
}

func (l *eventLog) all() []bot.Event {
	l.mu.Lock()
	defer l.mu.Unlock()
	return append([]bot.Event(nil), l.evs...)
}

// messages returns the texts of the message events, in order.
func (l *eventLog) messages() []string {
	var out []string
	for _, e := range l.all() {
		if me, ok := e.(bot.MessageEvent); ok {
			for _, m := range me.Messages() {
				out = append(out, m.Text)
			}
		}
	}
	return out
}

func ofType[T bot.Event](l *eventLog) []T {
	var out []T
	for _, e := range l.all() {
		if x, ok := e.(T); ok {
			out = append(out, x)
		}
	}
	return out
}

// runLogged runs an echo bot on p that logs every event, with Dedupe on
// st and policy, if any, until the test ends or stop is called.
func runLogged(t *testing.T, p *privitty.Platform, st store.Store, policy *middleware.AcceptPolicy) (*eventLog, func()) {
	t.Helper()
	log := &eventLog{}
	r := router.New()
	r.OnMessage(func(c *bot.Context, m bot.Message) error { return c.Reply(m.Text) })
	r.Fallback(bot.HandlerFunc(func(*bot.Context) error { return nil }))
	b := bot.New(p, r, bot.WithStopTimeout(waitLimit))
	b.Use(middleware.Recover(), middleware.Dedupe(st))
	b.Use(func(next bot.Handler) bot.Handler {
		return bot.HandlerFunc(func(c *bot.Context) error {
			log.add(c.Event())
			return next.Handle(c)
		})
	})
	if policy != nil {
		b.Use(middleware.AutoAccept(*policy))
	}
	ctx, cancel := context.WithCancel(context.Background())
	done := make(chan error, 1)
	go func() { done <- b.Run(ctx) }()
	var once sync.Once
	stop := func() {
		once.Do(func() {
			cancel()
			select {
			case err := <-done:
				if err != nil {
					t.Errorf("bot Run: %v", err)
				}
			case <-time.After(waitLimit):
				t.Error("bot did not stop")
			}
		})
	}
	t.Cleanup(stop)
	return log, stop
}

func sentTexts(sim *privittysim.Sim, chat int64) []string {
	var out []string
	for _, s := range sim.BotSent() {
		if s.ChatID == chat {
			out = append(out, s.Text)
		}
	}
	return out
}

// Item 1: a group an unknown peer made with the bot is a contact request
// chat of type Group in the core. It must reach the policy as a group
// invitation (with the group and the inviter), so that groups = "off"
// leaves it alone while contacts = "all" accepts 1:1 requests.
func TestGroupRequestIsGroupInvitation(t *testing.T) {
	sim := newSim(t)
	st := store.NewMemory()
	p := newPlatform(sim, st)
	policy := &middleware.AcceptPolicy{Contacts: middleware.AcceptAll, Groups: middleware.AcceptOff,
		Welcome: "welcome, contact", GroupWelcome: "hello, group"}
	log, _ := runLogged(t, p, st, policy)
	inv, err := sim.GroupRequest("strangers", "eve", "join us", "frank")
	if err != nil {
		t.Fatal(err)
	}
	waitCond(t, "the invitation", func() bool { return len(ofType[bot.Request](log)) == 1 })
	info := ofType[bot.Request](log)[0].RequestInfo()
	if info.Kind != bot.GroupInvitation || info.ID != strconv.FormatInt(inv.ChatID, 10) ||
		info.Chat.ID != strconv.FormatInt(inv.ChatID, 10) || info.Chat.Kind != bot.Group || info.Chat.Title != "strangers" ||
		info.From.ID != strconv.FormatInt(inv.InviterID, 10) || info.From.Name != "eve" {
		t.Fatalf("request info %+v", info)
	}
	// A 1:1 request after it is accepted; the group stays a request,
	// unanswered.
	c, _ := sim.ConnectContact("gina", true)
	waitCond(t, "the contact's welcome", func() bool { return len(sentTexts(sim, c.ChatID)) > 0 })
	if got := sentTexts(sim, inv.ChatID); len(got) != 0 {
		t.Fatalf("the bot wrote into the group it was not to join: %q", got)
	}
	if ci, _ := sim.Chat(inv.ChatID); !ci.Request {
		t.Fatal("the group request was accepted")
	}
}

// Item 1, accepted: with groups = "all" the group gets the group welcome.
func TestGroupInvitationAccepted(t *testing.T) {
	sim := newSim(t)
	st := store.NewMemory()
	p := newPlatform(sim, st)
	policy := &middleware.AcceptPolicy{Groups: middleware.AcceptAll, GroupWelcome: "hello, group"}
	runLogged(t, p, st, policy)
	inv, err := sim.GroupRequest("friends", "hal", "hi bot")
	if err != nil {
		t.Fatal(err)
	}
	waitCond(t, "the group welcome and the echo", func() bool {
		got := sentTexts(sim, inv.ChatID)
		return len(got) == 2
	})
	if got := sentTexts(sim, inv.ChatID); got[0] != "hello, group" || got[1] != "hi bot" {
		t.Fatalf("sent %q", got)
	}
}

// Item 2: a daemon that accepts connections and never answers (a frozen
// process) must not leave the bot waiting forever: each connect has a
// deadline, is logged and retried with backoff, and the bot recovers once
// the daemon does.
func TestStuckConnectIsRetried(t *testing.T) {
	sim := newSim(t)
	alice, _ := sim.ConnectContact("alice", false)
	sim.Freeze(true)
	core, logs := observer.New(zapcore.WarnLevel)
	st := store.NewMemory()
	p := newPlatform(sim, st, privitty.WithLogger(zap.New(core)), privitty.WithConnectTimeout(50*time.Millisecond))
	log, _ := runLogged(t, p, st, nil)
	waitCond(t, "three connect attempts", func() bool { return sim.Stats().Stalled >= 3 })
	if p.Ready() {
		t.Fatal("ready while the daemon is frozen")
	}
	waitCond(t, "a logged retry", func() bool {
		for _, e := range logs.All() {
			if msg, _ := e.ContextMap()["error"].(string); strings.Contains(msg, "no answer within") {
				return true
			}
		}
		return false
	})
	sim.Freeze(false)
	waitReady(t, p)
	sim.ContactSend(alice.ChatID, "after the thaw")
	waitCond(t, "the message", func() bool { return len(log.messages()) == 1 })
}

// Item 7: a reply with neither text nor file is refused before it reaches
// the daemon, which would send an empty message.
func TestSendRefusesEmpty(t *testing.T) {
	sim := newSim(t)
	p := newPlatform(sim, nil)
	alice, _ := sim.ConnectContact("alice", false)
	_, err := p.Send(ctxT(t), strconv.FormatInt(alice.ChatID, 10), bot.Outgoing{})
	if !errors.Is(err, privitty.ErrEmptyMessage) {
		t.Fatalf("Send of nothing: %v, want ErrEmptyMessage", err)
	}
	if bot.Undelivered(err) {
		t.Fatal("an empty message must not be retried")
	}
	if n := sim.Calls("send_msg"); n != 0 {
		t.Fatalf("send_msg called %d times", n)
	}
}

// Item 4: the messages a contact request came with reach the message
// handlers once the request is accepted, in order and after the welcome,
// and are marked seen; info messages reach handlers as their own typed
// events and are marked seen too.
func TestAcceptedRequestDeliversItsMessages(t *testing.T) {
	sim := newSim(t)
	// The request and a second message arrive while the bot is away.
	dana, _ := sim.ConnectContact("dana", true)
	d2, err := sim.ContactSendMsg(dana.ChatID, privittysim.Msg{Text: "D2", Silent: true})
	if err != nil {
		t.Fatal(err)
	}
	st := store.NewMemory()
	p := newPlatform(sim, st)
	policy := &middleware.AcceptPolicy{Contacts: middleware.AcceptAll, Welcome: "welcome"}
	log, _ := runLogged(t, p, st, policy)
	waitCond(t, "the welcome and two echoes", func() bool { return len(sentTexts(sim, dana.ChatID)) == 3 })
	if got := sentTexts(sim, dana.ChatID); got[0] != "welcome" || got[1] != privittysim.RequestText || got[2] != "D2" {
		t.Fatalf("sent %q", got)
	}
	if got := len(ofType[bot.Request](log)); got != 1 {
		t.Fatalf("%d requests, want one for the chat", got)
	}
	waitCond(t, "both messages marked seen", func() bool {
		s1, _ := sim.MsgState(dana.RequestMsgID)
		s2, _ := sim.MsgState(d2)
		return s1 == privitty.StateInSeen && s2 == privitty.StateInSeen
	})

	// A later message of the accepted chat is an ordinary message.
	sim.ContactSend(dana.ChatID, "D3")
	waitCond(t, "the third echo", func() bool { return len(sentTexts(sim, dana.ChatID)) == 4 })

	// Info messages: a member renames a group the bot is in.
	gid, by, err := sim.AddedToGroup("club", dana.ID, "mia")
	if err != nil {
		t.Fatal(err)
	}
	_ = by
	info, err := sim.RenameGroup(gid, dana.ID, "book club")
	if err != nil {
		t.Fatal(err)
	}
	waitCond(t, "the info message event", func() bool { return len(ofType[*privitty.InfoMsg](log)) == 1 })
	im := ofType[*privitty.InfoMsg](log)[0]
	if im.Msg.ID != info || im.Msg.SystemMessageType != "GroupNameChanged" || im.Chat.Kind != bot.Group ||
		im.ChatKey() == "" || im.DedupeKey() == "" {
		t.Fatalf("info event %+v", im)
	}
	if _, ok := any(im).(bot.MessageEvent); ok {
		t.Fatal("an info message is a message event")
	}
	waitCond(t, "the info messages marked seen", func() bool {
		s, _ := sim.MsgState(info)
		c, _ := sim.Chat(gid)
		added, _ := sim.MsgState(c.MsgIDs[0])
		return s == privitty.StateInSeen && added == privitty.StateInSeen
	})
	for _, text := range sentTexts(sim, gid) {
		t.Errorf("the bot answered an info message: %q", text)
	}
}

// Item 5: without the account's bot flag the core cuts long texts (the
// text ends in "[...]" and hasHtml is set); the platform passes the whole
// text on, read from get_message_html.
func TestTruncatedTextFetchedWhole(t *testing.T) {
	sim := newSim(t, privittysim.WithBotFlag(false))
	st := store.NewMemory()
	p := newPlatform(sim, st)
	log, _ := runLogged(t, p, st, nil)
	alice, _ := sim.ConnectContact("alice", false)
	waitReady(t, p)
	long := "H1 " + strings.Repeat("x", 20000)
	lines := "<b>bold</b> & \"quoted\" at http://example.org/?a=1&b=2\n    indented\n> quoted line\n\nafter a blank line " +
		strings.Repeat("word ", 1000)
	for _, text := range []string{long, lines} {
		id, _ := sim.ContactSend(alice.ChatID, text)
		if c, _ := sim.Chat(alice.ChatID); !slices.Contains(c.MsgIDs, id) {
			t.Fatal("message not stored")
		}
	}
	waitCond(t, "two echoes", func() bool { return len(sentTexts(sim, alice.ChatID)) == 2 })
	got := sentTexts(sim, alice.ChatID)
	if got[0] != long {
		t.Errorf("long text echoed as %d characters %.20q…", len(got[0]), got[0])
	}
	if got[1] != strings.TrimRight(lines, " ") {
		t.Errorf("multi-line text echoed as %q…", got[1][:min(len(got[1]), 120)])
	}
	if m := ofType[*privitty.IncomingMsg](log)[0].Msg; !m.HasHTML || m.Text != long {
		t.Errorf("typed message hasHtml %v, %d characters", m.HasHTML, len(m.Text))
	}
}

// Item 5: at start the platform says whether the account is a bot
// account, and sets the flag when told to.
func TestBotFlagChecked(t *testing.T) {
	for _, set := range []bool{false, true} {
		sim := newSim(t, privittysim.WithBotFlag(false))
		core, logs := observer.New(zapcore.InfoLevel)
		st := store.NewMemory()
		p := newPlatform(sim, st, privitty.WithLogger(zap.New(core)), privitty.WithSetBotFlag(set))
		_, stop := runLogged(t, p, st, nil)
		waitReady(t, p)
		stop()
		flag, _, err := privitty.NewClient(sim.URL()).GetConfig(ctxT(t), "bot")
		if err != nil {
			t.Fatal(err)
		}
		warned := logs.FilterMessageSnippet("not a bot account").FilterLevelExact(zapcore.WarnLevel).Len()
		set1 := logs.FilterMessageSnippet("bot flag set").Len()
		switch {
		case !set && (flag == "1" || warned != 1):
			t.Errorf("not set: flag %q, %d warnings", flag, warned)
		case set && (flag != "1" || set1 != 1 || warned != 0):
			t.Errorf("set: flag %q, %d set logs, %d warnings", flag, set1, warned)
		}
	}
}

func TestHTMLText(t *testing.T) {
	cases := []struct{ in, want string }{
		{"<!DOCTYPE html>\n<html><head>\n<meta charset=\"utf-8\" />\n<title>x</title></head><body>\nline 1<br/>\nline 2<br/>\n</body></html>\n", "line 1\nline 2"},
		{"<body>&nbsp;&nbsp;two &lt;spaces&gt; &amp; <a href=\"mailto:a@b.c\">a@b.c</a><br/>\n<em>&gt;quote</em><br/>\n</body>", "  two <spaces> & a@b.c\n>quote"},
		{"<p>para   one</p><p>para\ntwo</p><pre>  keep\n  this</pre>", "para one\npara two\n  keep\n  this"},
		{"<style>p{}</style><script>x()</script>text", "text"},
		{"unclosed <b", "unclosed"},
	}
	for _, c := range cases {
		if got := privitty.HTMLText(c.in); got != c.want {
			t.Errorf("HTMLText(%q) = %q, want %q", c.in, got, c.want)
		}
	}
}

// Item 8: every event kind of the core decodes to its own type, never
// Unknown, and those about a chat carry its chat key. Keys come in
// snake_case as the daemon sends them; the core's camelCase works too.
func TestCoreEventKindsTyped(t *testing.T) {
	cases := []struct {
		data string
		chat string // the chat key, "" for events of no one chat
	}{
		{`{"type":"Info","account_id":1,"msg":"imap ok"}`, ""},
		{`{"type":"SmtpConnected","account_id":1,"msg":"x"}`, ""},
		{`{"type":"ImapConnected","account_id":1,"msg":"x"}`, ""},
		{`{"type":"SmtpMessageSent","account_id":1,"msg":"x"}`, ""},
		{`{"type":"ImapMessageDeleted","account_id":1,"msg":"x"}`, ""},
		{`{"type":"ImapMessageMoved","account_id":1,"msg":"x"}`, ""},
		{`{"type":"ImapInboxIdle","account_id":1}`, ""},
		{`{"type":"NewBlobFile","account_id":1,"file":"/blobs/a.jpg"}`, ""},
		{`{"type":"DeletedBlobFile","account_id":1,"file":"/blobs/a.jpg"}`, ""},
		{`{"type":"ErrorSelfNotInGroup","account_id":1,"msg":"x"}`, ""},
		{`{"type":"MsgsChanged","account_id":1,"chat_id":12,"msg_id":40}`, "privitty:1:12"},
		{`{"type":"MsgsChanged","account_id":1,"chat_id":0,"msg_id":0}`, ""},
		{`{"type":"ReactionsChanged","account_id":1,"chat_id":12,"msg_id":40,"contact_id":11}`, "privitty:1:12"},
		{`{"type":"IncomingReaction","account_id":1,"chat_id":12,"contact_id":11,"msg_id":40,"reaction":"👍"}`, "privitty:1:12"},
		{`{"type":"IncomingWebxdcNotify","account_id":1,"chat_id":12,"contact_id":11,"msg_id":40,"text":"t","href":null}`, "privitty:1:12"},
		{`{"type":"IncomingMsgBunch","account_id":1}`, ""},
		{`{"type":"MsgsNoticed","account_id":1,"chat_id":12}`, "privitty:1:12"},
		{`{"type":"MsgReadCountChanged","account_id":1,"chat_id":12,"msg_id":40}`, "privitty:1:12"},
		{`{"type":"MsgDeleted","account_id":1,"chat_id":12,"msg_id":40}`, "privitty:1:12"},
		{`{"type":"ChatEphemeralTimerModified","account_id":1,"chat_id":12,"timer":60}`, "privitty:1:12"},
		{`{"type":"ChatDeleted","account_id":1,"chat_id":12}`, "privitty:1:12"},
		{`{"type":"LocationChanged","account_id":1,"contact_id":null}`, ""},
		{`{"type":"ImexFileWritten","account_id":1,"path":"/x"}`, ""},
		{`{"type":"SelfavatarChanged","account_id":1}`, ""},
		{`{"type":"ConfigSynced","account_id":1,"key":"displayname"}`, ""},
		{`{"type":"WebxdcStatusUpdate","account_id":1,"msg_id":40,"status_update_serial":3}`, ""},
		{`{"type":"WebxdcRealtimeData","account_id":1,"msg_id":40,"data":[1,2,255]}`, ""},
		{`{"type":"WebxdcRealtimeAdvertisementReceived","account_id":1,"msg_id":40}`, ""},
		{`{"type":"WebxdcInstanceDeleted","account_id":1,"msg_id":40}`, ""},
		{`{"type":"AccountsBackgroundFetchDone","account_id":1}`, ""},
		{`{"type":"ChatlistChanged","account_id":1}`, ""},
		{`{"type":"ChatlistItemChanged","account_id":1,"chat_id":12}`, "privitty:1:12"},
		{`{"type":"ChatlistItemChanged","account_id":1,"chat_id":null}`, ""},
		{`{"type":"AccountsChanged","account_id":0}`, ""},
		{`{"type":"AccountsItemChanged","account_id":1}`, ""},
		{`{"type":"EventChannelOverflow","account_id":1,"n":12}`, ""},
		{`{"type":"IncomingCall","account_id":1,"msg_id":40,"chat_id":12,"place_call_info":"sdp","has_video":true}`, "privitty:1:12"},
		{`{"type":"IncomingCallAccepted","account_id":1,"msg_id":40,"chat_id":12,"from_this_device":false}`, "privitty:1:12"},
		{`{"type":"OutgoingCallAccepted","account_id":1,"msg_id":40,"chat_id":12,"accept_call_info":"sdp"}`, "privitty:1:12"},
		{`{"type":"CallEnded","account_id":1,"msg_id":40,"chat_id":12}`, "privitty:1:12"},
		{`{"type":"TransportsModified","account_id":1}`, ""},
		{`{"type":"MsgDelivered","accountId":1,"chatId":12,"msgId":40}`, "privitty:1:12"},
	}
	for _, c := range cases {
		e, err := privitty.DecodeEvent([]byte(c.data))
		if err != nil {
			t.Errorf("%s: %v", c.data, err)
			continue
		}
		if _, unknown := e.(bot.Unknowner); unknown {
			t.Errorf("%s: decoded as Unknown", c.data)
			continue
		}
		key := ""
		if k, ok := e.(bot.ChatKeyer); ok {
			key = k.ChatKey()
		}
		if key != c.chat {
			t.Errorf("%s: chat key %q, want %q", c.data, key, c.chat)
		}
	}
	e, _ := privitty.DecodeEvent([]byte(`{"type":"IncomingReaction","account_id":1,"chat_id":12,"contact_id":11,"msg_id":40,"reaction":"👍"}`))
	if r := e.(*privitty.IncomingReaction); r.Reaction != "👍" || r.ContactID != 11 || r.MsgID != 40 || r.DedupeKey() == "" {
		t.Errorf("reaction %+v", r)
	}
	e, _ = privitty.DecodeEvent([]byte(`{"type":"WebxdcRealtimeData","account_id":1,"msg_id":40,"data":[1,2,255]}`))
	if d := e.(*privitty.WebxdcRealtimeData); len(d.Data) != 3 || d.Data[2] != 255 {
		t.Errorf("realtime data %+v", d)
	}
}

// Item 8, live: an edit reaches message handlers as an edited message, a
// reaction as a reaction event, a deletion as MsgDeleted, all with their
// chat's key; a message the core announced only with MsgsChanged is
// delivered too. The simulator's core events are never Unknown.
func TestEditsAndReactionsReachHandlers(t *testing.T) {
	sim := newSim(t)
	st := store.NewMemory()
	p := newPlatform(sim, st)
	log, _ := runLogged(t, p, st, nil)
	alice, _ := sim.ConnectContact("alice", false)
	waitReady(t, p)
	first, _ := sim.ContactSend(alice.ChatID, "v1")
	waitCond(t, "the echo", func() bool { return len(sentTexts(sim, alice.ChatID)) == 1 })
	key := "privitty:1:" + strconv.FormatInt(alice.ChatID, 10)

	if err := sim.Edit(first, "v2"); err != nil {
		t.Fatal(err)
	}
	waitCond(t, "the edit", func() bool { return len(ofType[*privitty.MsgEdited](log)) == 1 })
	ed := ofType[*privitty.MsgEdited](log)[0]
	if m := ed.Messages(); len(m) != 1 || !m[0].Edited || m[0].Text != "v2" || m[0].ID != strconv.FormatInt(first, 10) || ed.ChatKey() != key {
		t.Fatalf("edit %+v", m)
	}
	waitCond(t, "the edit's echo", func() bool { return len(sentTexts(sim, alice.ChatID)) == 2 })

	echo := sim.BotSent()[0].MsgID
	if err := sim.React(echo, alice.ID, "👍"); err != nil {
		t.Fatal(err)
	}
	waitCond(t, "the reaction", func() bool { return len(ofType[*privitty.ReactionsChanged](log)) == 1 })
	r := ofType[*privitty.IncomingReaction](log)
	if len(r) != 1 || r[0].Reaction != "👍" || r[0].MsgID != echo || r[0].ContactID != alice.ID || r[0].ChatKey() != key {
		t.Fatalf("reactions %+v", r)
	}

	if err := sim.Delete(first); err != nil {
		t.Fatal(err)
	}
	waitCond(t, "the deletion", func() bool { return len(ofType[*privitty.MsgDeleted](log)) == 1 })
	if d := ofType[*privitty.MsgDeleted](log)[0]; d.MsgID != first || d.ChatKey() != key {
		t.Fatalf("deletion %+v", d)
	}

	// A message the core announced with MsgsChanged only (it arrived seen,
	// say) is delivered without waiting for a catch-up.
	resyncs := p.Stats().Resyncs
	late, _ := sim.ContactSendMsg(alice.ChatID, privittysim.Msg{Text: "late", Silent: true})
	sim.EmitRaw(`{"type":"MsgsChanged","account_id":1,"chat_id":` + strconv.FormatInt(alice.ChatID, 10) + `,"msg_id":` + strconv.FormatInt(late, 10) + `}`)
	waitCond(t, "the late message", func() bool { return slices.Contains(log.messages(), "late") })
	if p.Stats().Resyncs != resyncs {
		t.Error("the late message needed a catch-up")
	}
	if n := p.Stats().Unknown; n != 0 {
		t.Errorf("%d events of the simulated core were Unknown", n)
	}
	if n := len(log.messages()); n != 3 {
		t.Errorf("message handlers got %q, want v1, v2 and late", log.messages())
	}
}

// fillChat makes the contact of chat send n messages and waits for the
// bot's n echoes there, so the chat's cursor is well above the ids a new
// database starts with.
func fillChat(t *testing.T, sim *privittysim.Sim, chat int64, n int) {
	t.Helper()
	before := len(sentTexts(sim, chat))
	for i := range n {
		sim.ContactSend(chat, "old "+strconv.Itoa(i))
	}
	waitCond(t, "the old echoes", func() bool { return len(sentTexts(sim, chat)) == before+n })
}

// Item 3: after the daemon's account was re-created (same address, fresh
// database) its message ids start again low, in chats with the same ids.
// The stored cursors would make the new messages look handled; the
// platform notices, says so, counts it and starts over from the daemon's
// state, while the bot runs and after a restart.
func TestIDsGoingBackwardsResynchronize(t *testing.T) {
	t.Run("key changed", func(t *testing.T) { testIDsGoingBackwards(t, newSim(t)) })
	// Without the key, the ids' size tells.
	t.Run("ids fell", func(t *testing.T) { testIDsGoingBackwards(t, newSim(t, privittysim.WithoutFingerprint())) })
}

func testIDsGoingBackwards(t *testing.T, sim *privittysim.Sim) {
	st := store.NewMemory()
	core, logs := observer.New(zapcore.WarnLevel)
	p := newPlatform(sim, st, privitty.WithLogger(zap.New(core)))
	log, _ := runLogged(t, p, st, nil)
	alice, _ := sim.ConnectContact("alice", false)
	waitReady(t, p)
	fillChat(t, sim, alice.ChatID, 30)
	connects := p.Stats().Connects

	sim.Recreate()
	waitCond(t, "the reconnect", func() bool { return p.Stats().Connects > connects && p.Ready() })
	again, _ := sim.ConnectContact("alice", false)
	if again.ChatID != alice.ChatID {
		t.Fatalf("the new database gave chat %d, not %d", again.ChatID, alice.ChatID)
	}
	for _, text := range []string{"n1", "n2", "n3"} {
		sim.ContactSend(again.ChatID, text)
	}
	waitCond(t, "the new messages", func() bool {
		got := log.messages()
		return slices.Contains(got, "n1") && slices.Contains(got, "n2") && slices.Contains(got, "n3")
	})
	if s := p.Stats(); s.Resets != 1 {
		t.Fatalf("stats %+v, want one reset", s)
	}
	if logs.FilterMessageSnippet("went backwards").Len() == 0 {
		t.Error("the reset was not logged")
	}
}

func TestIDsGoingBackwardsAcrossRestart(t *testing.T) {
	sim := newSim(t)
	st := store.NewMemory()
	p1 := newPlatform(sim, st)
	_, stop := runLogged(t, p1, st, nil)
	alice, _ := sim.ConnectContact("alice", false)
	waitReady(t, p1)
	fillChat(t, sim, alice.ChatID, 30)
	stop()

	// While the bot is down the account is re-created and written to.
	sim.Recreate()
	again, _ := sim.ConnectContact("alice", false)
	for _, text := range []string{"n1", "n2", "n3"} {
		sim.ContactSendMsg(again.ChatID, privittysim.Msg{Text: text, Silent: true})
	}
	p2 := newPlatform(sim, st)
	log, _ := runLogged(t, p2, st, nil)
	waitCond(t, "the new messages", func() bool { return len(log.messages()) == 3 })
	waitReady(t, p2)
	if got := log.messages(); got[0] != "n1" || got[1] != "n2" || got[2] != "n3" {
		t.Fatalf("handled %q", got)
	}
	if s := p2.Stats(); s.Resets != 1 {
		t.Fatalf("stats %+v, want one reset", s)
	}
}

// The fields of the core's objects that the decoders used to drop.
func TestDecodersKeepRealFields(t *testing.T) {
	var item privitty.ChatListItem
	data := `{"kind":"ChatListItem","id":12,"name":"club","avatarPath":null,"color":"#3a7bd5","chatType":"Group","lastUpdated":1700000000000,
		"summaryText1":"mia","summaryText2":"hi","summaryStatus":0,"summaryPreviewImage":null,"isEncrypted":true,"isGroup":true,
		"freshMessageCounter":2,"isSelfTalk":false,"isDeviceTalk":false,"isSendingLocation":false,"isSelfInGroup":true,"isArchived":false,
		"isPinned":true,"isMuted":false,"isContactRequest":false,"dmChatContact":null,"wasSeenRecently":false,"lastMessageType":"Text",
		"lastMessageId":40,"freshness":{"fresh":2},"newerField":1}`
	if err := json.Unmarshal([]byte(data), &item); err != nil {
		t.Fatal(err)
	}
	if !item.IsEncrypted || !item.IsPinned || !item.IsSelfInGroup || item.SummaryText1 != "mia" || item.SummaryText2 != "hi" ||
		item.LastMessageType != "Text" || item.Color != "#3a7bd5" || string(item.Freshness) != `{"fresh":2}` ||
		!strings.Contains(string(item.Raw), "newerField") {
		t.Fatalf("chat list item %+v", item)
	}
	var m privitty.Message
	msg := `{"id":40,"chatId":12,"fromId":11,"text":"re","quote":{"kind":"WithMessage","text":"hi","messageId":39,"chatId":12,
		"authorDisplayName":"mia","authorDisplayColor":"#aa0000","overrideSenderName":null,"image":null,"isForwarded":false,"viewType":"Text"},
		"sender":{"id":11,"address":"mia@x","displayName":"mia","freshness":3},"setupCodeBegin":null,
		"vcardContact":{"addr":"bob@x","displayName":"bob","key":"AAAA","profileImage":null,"color":"#00aa00","timestamp":1700000000}}`
	if err := json.Unmarshal([]byte(msg), &m); err != nil {
		t.Fatal(err)
	}
	if m.Quote.AuthorDisplayColor != "#aa0000" || string(m.Sender.Freshness) != "3" || m.VcardContact == nil ||
		m.VcardContact.Addr != "bob@x" || m.VcardContact.Key != "AAAA" {
		t.Fatalf("message %+v, quote %+v, vcard %+v", m, m.Quote, m.VcardContact)
	}
}
