package moderation

import (
	"context"
	"slices"
	"strings"
	"sync"
	"testing"
	"time"

	"go.uber.org/zap"

	"github.com/parleybot/parley/bot"
	"github.com/parleybot/parley/parleytest"
	"github.com/parleybot/parley/platform/privitty"
	"github.com/parleybot/parley/platform/privitty/privittysim"
	"github.com/parleybot/parley/registry"
	"github.com/parleybot/parley/router"
	"github.com/parleybot/parley/store"
)

// runBot runs a bot with a Moderator set up with s on p until the test
// ends; it returns the Moderator.
func runBot(t *testing.T, p bot.Platform, st store.Store, s Settings) *Moderator {
	t.Helper()
	r := router.New()
	m := New(s, WithClock(newFakeClock().Now))
	if err := m.Setup(registry.ModuleEnv{BotName: "mod", Logger: zap.NewNop(), Store: st, Platform: p}, r); err != nil {
		t.Fatal(err)
	}
	b := bot.New(p, r, bot.WithName("mod"))
	ctx, cancel := context.WithCancel(context.Background())
	done := make(chan error, 1)
	go func() { done <- b.Run(ctx) }()
	var once sync.Once
	t.Cleanup(func() {
		once.Do(func() {
			cancel()
			if err := <-done; err != nil {
				t.Errorf("bot.Run: %v", err)
			}
			if cl, ok := p.(bot.Closer); ok {
				_ = cl.Close(context.Background())
			}
		})
	})
	return m
}

// TestModerationOnPrivitty runs the module on Privitty (Delta Chat), which has no
// invitations, no roles and no blocking: a group message breaking a rule
// is deleted and its author removed from the group, and the owner is told
// in a direct chat; the owner's own messages and clean ones stay, and the
// owner's commands work.
func TestModerationOnPrivitty(t *testing.T) {
	sim := privittysim.New()
	if err := sim.Start(); err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() { _ = sim.Close() })
	st := store.NewMemory()
	p := privitty.New(sim.URL(), privitty.WithStore(st), privitty.WithBackoff(5*time.Millisecond, 50*time.Millisecond),
		privitty.WithCallTimeout(waitFor), privitty.WithCursorFlush(10*time.Millisecond))
	runBot(t, p, st, settingsWith(func(s *Settings) { s.BannedWords = []string{"spam"}; s.Action = ActionRemove }))

	olga, err := sim.ConnectContact("olga", false)
	if err != nil {
		t.Fatal(err)
	}
	gid, ids, err := sim.AddedToGroup("club", olga.ID, "mia", "bob")
	if err != nil {
		t.Fatal(err)
	}
	mia := ids[0]
	// Olga added the bot: the platform passes the membership info message
	// on as a privitty.MembersChanged event, and the module takes the group
	// on with Olga as its owner.
	waitPrivitty(t, sim, olga.ChatID, "I joined club and will moderate it.")

	clean, _ := sim.MemberSend(gid, mia, "hello all")
	own, _ := sim.MemberSend(gid, olga.ID, "no spam here, says the owner")
	bad, err := sim.MemberSend(gid, mia, "buy SPAM now")
	if err != nil {
		t.Fatal(err)
	}
	waitPrivitty(t, sim, olga.ChatID, `Deleted a message from mia and removed mia from the group in club: banned word "spam".`)
	var deleted []int64
	removed := false
	for _, a := range sim.Actions() {
		switch a.Method {
		case "delete_messages":
			deleted = append(deleted, a.MsgIDs...)
		case "remove_contact_from_chat":
			removed = removed || a.ChatID == gid
		}
	}
	if !slices.Contains(deleted, bad) || slices.Contains(deleted, clean) || slices.Contains(deleted, own) {
		t.Errorf("deleted %v; want %d only (clean %d, owner's %d)", deleted, bad, clean, own)
	}
	if c, _ := sim.Chat(gid); !removed || slices.Contains(c.Members, mia) {
		t.Errorf("mia not removed: %v, members %v", removed, c.Members)
	}
	// The owner's commands arrive in the direct chat.
	if _, err := sim.ContactSend(olga.ChatID, "/addword scam"); err != nil {
		t.Fatal(err)
	}
	waitPrivitty(t, sim, olga.ChatID, `Banned "scam" in club.`)
	if _, err := sim.ContactSend(olga.ChatID, "/status"); err != nil {
		t.Fatal(err)
	}
	status := waitPrivitty(t, sim, olga.ChatID, "club (group 1): I am no role there (joined)")
	if !strings.Contains(status, "deleted 1, blocked 0, removed 1") {
		t.Errorf("status: %q", status)
	}
}

// waitPrivitty waits for the bot to send chat a text containing want and
// returns it.
func waitPrivitty(t *testing.T, sim *privittysim.Sim, chat int64, want string) string {
	t.Helper()
	var got string
	if err := sim.Wait(waitFor, func() bool {
		for _, s := range sim.BotSent() {
			if s.ChatID == chat && strings.Contains(s.Text, want) {
				got = s.Text
				return true
			}
		}
		return false
	}); err != nil {
		var texts []string
		for _, s := range sim.BotSent() {
			texts = append(texts, s.Text)
		}
		t.Fatalf("no message to chat %d containing %q: %v; sent %q", chat, want, err, texts)
	}
	return got
}

// TestPrivittyRefusesBlock checks the start-up decision: Privitty cannot
// block members, so action = "block" is a settings error naming what it
// can do instead, not a silent switch to removing members.
func TestModerationPrivittyRefusesBlock(t *testing.T) {
	p := privitty.New("http://127.0.0.1:1")
	for _, a := range []Action{ActionBlock, ActionObserver} {
		err := New(settingsWith(func(s *Settings) { s.Action = a })).Setup(registry.ModuleEnv{Platform: p}, router.New())
		if err == nil || !strings.Contains(err.Error(), `the privitty platform cannot`) || !strings.Contains(err.Error(), `it can do "delete", "remove"`) {
			t.Errorf("action %s: Setup() = %v", a, err)
		}
	}
	if err := New(settingsWith(func(s *Settings) { s.Action = ActionRemove; s.RemoveReported = true })).Setup(registry.ModuleEnv{Platform: p}, router.New()); err != nil {
		t.Errorf("remove on privitty: %v", err)
	}
}

// TestModerationAddedToGroup covers groups taken on from a membership change, as
// privitty.MembersChanged reports them: whoever added the bot owns the
// group and is exempt; someone not allowed is refused; the bot's removal
// forgets the group.
func TestModerationAddedToGroup(t *testing.T) {
	p := parleytest.NewPlatformNamed("privitty")
	st := store.NewMemory()
	m := runBot(t, p, st, settingsWith(func(s *Settings) { s.BannedWords = []string{"spam"}; s.Inviters = []string{"17"} }))
	chat := bot.Chat{ID: "40", Kind: bot.Group, Title: "club"}
	other := bot.Chat{ID: "41", Kind: bot.Group, Title: "other"}
	info := func(id, chatID, from, about int64, sys string) *privitty.Message {
		return &privitty.Message{ID: id, ChatID: chatID, FromID: from, IsInfo: true, SystemMessageType: sys, InfoContactID: about,
			Sender: &privitty.Contact{ID: from, DisplayName: "olga"}}
	}
	text := func(id, chatID, from int64, s string) *privitty.IncomingMsg {
		return privitty.NewIncomingMsg(1, &privitty.Message{ID: id, ChatID: chatID, FromID: from, Text: s,
			Sender: &privitty.Contact{ID: from, DisplayName: "mia"}}, chat)
	}
	ctx := t.Context()
	inject := func(e bot.Event) {
		t.Helper()
		if err := p.Inject(ctx, e); err != nil {
			t.Fatal(err)
		}
	}
	inject(privitty.NewMembersChanged(1, info(100, 41, 19, privitty.ContactSelf, privitty.SystemMemberAdded), other)) // 19 is not allowed
	inject(privitty.NewMembersChanged(1, info(101, 40, 17, privitty.ContactSelf, privitty.SystemMemberAdded), chat))
	inject(text(102, 40, 17, "spam, says the owner"))
	inject(text(103, 40, 18, "spam"))
	if err := p.Wait(waitFor, func(s parleytest.State) bool { return len(s.Handled) >= 4 }); err != nil {
		t.Fatal(err)
	}
	var deleted []string
	for _, a := range p.Actions() {
		if a.Verb == "delete" {
			deleted = append(deleted, a.ChatID+"/"+a.MsgID)
		}
	}
	if len(deleted) != 1 || deleted[0] != "40/103" {
		t.Errorf("deleted %v, want 40/103 only", deleted)
	}
	if data, ok, _ := st.Get(ctx, "moderation:mod:chats"); !ok || string(data) != `["40"]` {
		t.Errorf("groups = %s", data)
	}
	// parleytest cannot write to a person directly, so notices go to the
	// owner privately through the group: the refusal to 19, the join
	// notice and the deletion notice to 17.
	var notices []string
	for _, s := range p.Sent() {
		notices = append(notices, s.ChatID+"/"+s.Member+": "+s.Text)
	}
	has := func(prefix string) bool {
		return slices.ContainsFunc(notices, func(n string) bool { return strings.HasPrefix(n, prefix) })
	}
	// The two groups are handled in parallel lanes: no order between them.
	if len(notices) != 3 || !has("41/19: Thanks for inviting me to other, but") || !has("40/17: I joined club and will moderate it.") ||
		!has(`40/17: Deleted a message from mia in club: banned word "spam".`) {
		t.Errorf("notices:\n%s", strings.Join(notices, "\n"))
	}
	inject(privitty.NewMembersChanged(1, info(104, 40, 17, privitty.ContactSelf, privitty.SystemMemberRemoved), chat))
	if err := p.Wait(waitFor, func(s parleytest.State) bool { return len(s.Handled) >= 5 }); err != nil {
		t.Fatal(err)
	}
	if data, _, _ := st.Get(ctx, "moderation:mod:chats"); string(data) != `[]` {
		t.Errorf("groups after the removal = %s", data)
	}
	// Out of the group, the bot has no way left to reach the owner here.
	if n := m.Unreached(); n != 1 {
		t.Errorf("Unreached() = %d, want 1", n)
	}
}
