package moderation

import (
	"fmt"
	"strings"
	"testing"

	"github.com/parleybot/parley/platform/simplex/simplexsim"
)

func TestOwnerCommands(t *testing.T) {
	h := setup(t, settingsWith(func(s *Settings) { s.BannedWords = []string{"spam"} }), "moderator")

	// Each step is a command and what its answer must say; the steps run
	// in order on one group, so later ones see earlier changes.
	steps := []struct{ cmd, want string }{
		{"/help", "/addword [group] <word or phrase>"},
		{"/rules", `- banned words: "spam"`},
		{"/addword Casino  Night", `Banned "casino night" in club. Banned words: "spam", "casino night".`},
		{"/addword spam", `"spam" is already banned in club.`},
		{"/addword", "Usage: /addword [group] <word or phrase>"},
		{"/delword spam", `"spam" is allowed again in club. Banned words: "casino night".`},
		{"/delword nothing", `"nothing" is not banned in club.`},
		{"/dry on", "Dry run is now on in club."},
		{"/dry on", "Dry run is already on in club."},
		{"/dry maybe", "Usage: /dry [group] on|off (dry run is on in club)"},
		{"/dry OFF", "Dry run is now off in club."},
		{"/notify off", "Notices are now off in club."},
		{"/rules", "- dry run: off; notices: off"},
		{"/notify on", "Notices are now on in club."},
		{fmt.Sprintf("/addword #%d scam", h.gid), `Banned "scam" in club.`},
		{"/addword #999 x", "You do not own a group 999 that I moderate. Your groups: 1 (club)."},
		{"/status", "club (group 1): I am moderator there (joined)"},
	}
	for _, s := range steps {
		if got := h.command(s.cmd, s.want); got == "" {
			t.Fatalf("%s: empty answer", s.cmd)
		}
	}

	// The changes apply to the group: the new phrase is moderated, the
	// dropped word is not.
	allowed := h.send(h.mia, "spam is fine now")
	bad := h.send(h.mia, "join CASINO night!")
	h.waitModeration(simplexsim.ActionModerate, bad, 0)
	h.waitSent(h.ownerRef(), `banned word "casino night"`)
	if h.moderated(allowed) {
		t.Fatal("a word removed with /delword was still moderated")
	}
	status := h.command("/status", "Checked 2 messages")
	if !strings.Contains(status, "deleted 1, blocked 0") {
		t.Fatalf("status counters: %q", status)
	}
}

func TestNotifyOff(t *testing.T) {
	h := setup(t, spamRules, "moderator")
	h.command("/notify off", "Notices are now off")
	first := h.send(h.mia, "spam")
	h.waitModeration(simplexsim.ActionModerate, first, 0)
	h.barrier("spam")
	h.command("/notify on", "Notices are now on")
	h.barrier("spam")
	h.waitSent(h.ownerRef(), "Deleted a message from bob")
	if n := h.noticesContaining("from mia"); n != 0 {
		t.Fatalf("%d notices about mia with notices off", n)
	}
}

func TestCommandsNeedOwner(t *testing.T) {
	h := setup(t, spamRules, "moderator")
	stranger, err := h.sim.ConnectContact("eve")
	if err != nil {
		t.Fatal(err)
	}
	if _, err := h.sim.ContactSend(stranger.ContactID, "/addword hello"); err != nil {
		t.Fatal(err)
	}
	// The owner's next command is answered; the stranger's never was, and
	// the word was not added.
	h.command("/rules", `banned words: "spam", "buy followers"`)
	if got := h.sentTo(fmt.Sprintf("@%d", stranger.ContactID)); got != "" {
		t.Fatalf("the bot answered a non-owner: %s", got)
	}
}

func TestOwnerCommandsOff(t *testing.T) {
	h := setup(t, settingsWith(func(s *Settings) { s.OwnerCommands = false; s.BannedWords = []string{"spam"} }), "moderator")
	h.command("/addword x", "The rules are set by my operator's configuration")
	h.command("/rules", `banned words: "spam"`)
}

func TestOwnerOfSeveralGroups(t *testing.T) {
	h := setup(t, spamRules, "moderator")
	g2, _, err := h.sim.NewGroup("chess", simplexsim.MemberSpec{Name: "olga", Role: "owner", ContactID: h.owner}, simplexsim.MemberSpec{Name: "kai"})
	if err != nil {
		t.Fatal(err)
	}
	if _, err := h.sim.InviteBot(g2, h.owner, "admin"); err != nil {
		t.Fatal(err)
	}
	h.waitSent(h.ownerRef(), "I joined chess as admin")
	h.command("/addword gambit", fmt.Sprintf("You own several groups I moderate: %d (club), %d (chess). Put the group's number first", h.gid, g2))
	h.command(fmt.Sprintf("/addword %d gambit", g2), `Banned "gambit" in chess.`)
	// Without a group, /rules shows every group.
	all := h.command("/rules", "Rules for club")
	if !strings.Contains(all, "Rules for chess") || strings.Count(all, "gambit") != 1 {
		t.Fatalf("/rules for two groups: %q", all)
	}
	one := h.command(fmt.Sprintf("/status %d", g2), "chess (group")
	if strings.Contains(one, "club") {
		t.Fatalf("/status for one group shows another: %q", one)
	}
}
