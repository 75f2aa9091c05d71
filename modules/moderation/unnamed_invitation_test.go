package moderation

import (
	"testing"

	"github.com/parleybot/parley/bot"
	"github.com/parleybot/parley/parleytest"
	"github.com/parleybot/parley/store"
)

// An invitation that cannot name its group yet (Olvid's) is accepted, and
// the group taken on from the BotJoined that follows, with the owner it
// names; nothing is stored under an empty chat ID.
func TestInvitationWithoutChatID(t *testing.T) {
	p := parleytest.NewPlatformNamed("olvid")
	st := store.NewMemory()
	runBot(t, p, st, settingsWith(func(s *Settings) { s.BannedWords = []string{"spam"} }))
	ctx := t.Context()
	inv := parleytest.NewGroupInvitation("5", "", "invitation:5", "")
	if err := p.Inject(ctx, inv); err != nil {
		t.Fatal(err)
	}
	if err := p.Wait(waitFor, func(s parleytest.State) bool { return len(s.Handled) >= 1 }); err != nil {
		t.Fatal(err)
	}
	accepted := false
	for _, a := range p.Actions() {
		accepted = accepted || a.Verb == "accept"
	}
	if !accepted {
		t.Fatalf("the invitation was not accepted: %+v", p.Actions())
	}
	if data, ok, _ := st.Get(ctx, "moderation:mod:chats"); ok && string(data) != "[]" {
		t.Fatalf("groups after the invitation = %s", data)
	}
	joined := parleytest.NewGroupChange(bot.BotJoined, "40", "", "admin")
	joined.Changes[0].By = bot.Sender{ID: "7", Role: "admin"}
	joined.Changes[0].Chat.Title = "club"
	if err := p.Inject(ctx, joined); err != nil {
		t.Fatal(err)
	}
	if err := p.Wait(waitFor, func(s parleytest.State) bool { return len(s.Handled) >= 2 }); err != nil {
		t.Fatal(err)
	}
	if data, _, _ := st.Get(ctx, "moderation:mod:chats"); string(data) != `["40"]` {
		t.Fatalf("groups = %s", data)
	}
	sent := p.Sent()
	if len(sent) != 1 || sent[0].ChatID != "40" || sent[0].Member != "7" || sent[0].Text[:len("I joined club as admin")] != "I joined club as admin" {
		t.Fatalf("notices %+v", sent)
	}
}
