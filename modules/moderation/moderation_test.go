package moderation

import (
	"context"
	"encoding/json"
	"fmt"
	"strings"
	"testing"
	"time"

	"github.com/parleybot/parley/platform/simplex"
	"github.com/parleybot/parley/platform/simplex/simplexsim"
)

var spamRules = settingsWith(func(s *Settings) { s.BannedWords = []string{"spam", "Buy Followers"} })

func TestInvitationAccepted(t *testing.T) {
	for _, role := range []string{"moderator", "admin"} {
		t.Run(role, func(t *testing.T) {
			h := setup(t, spamRules, role)
			notice := h.joinNotice
			if !strings.Contains(notice.Text, `banned words: "spam", "buy followers"`) || !strings.Contains(notice.Text, "/help") {
				t.Errorf("join notice lacks the rules or the help hint: %q", notice.Text)
			}
			var joined bool
			h.sim.View(func(w *simplexsim.World) {
				for _, a := range w.Actions() {
					joined = joined || a.Kind == simplexsim.ActionJoin && a.ChatRef == fmt.Sprintf("#%d", h.gid)
				}
			})
			if !joined {
				t.Fatal("the bot never ran /_join")
			}
			data, ok, err := h.st.Get(context.Background(), fmt.Sprintf("moderation:mod:chat:#%d", h.gid))
			if err != nil || !ok {
				t.Fatalf("group state not stored: ok=%v err=%v", ok, err)
			}
			st, err := decodeState(data)
			if err != nil || st.Owner != fmt.Sprint(h.owner) || st.BotRole != role || st.No != 1 {
				t.Fatalf("stored state = %+v, %v; want owner %d role %s", st, err, h.owner, role)
			}
		})
	}
}

func TestInvitationFromAllowedInviter(t *testing.T) {
	// The simulator numbers contacts from 2, so olga, the first, is 2.
	h := setup(t, settingsWith(func(s *Settings) { s.Inviters = []string{"7", "2"} }), "admin")
	if h.owner != 2 {
		t.Fatalf("olga is contact %d; the test assumes 2", h.owner)
	}
}

func TestInvitationRefused(t *testing.T) {
	tests := []struct {
		name        string
		inviterRole string
		offered     string
		settings    func(*Settings)
		want        string
	}{
		{"role too low", "owner", "member", nil, "as member, but I need the moderator role"},
		{"below configured min_role", "owner", "moderator", func(s *Settings) { s.MinRole = "admin" }, "I need the admin role"},
		{"inviter not owner or admin", "moderator", "admin", nil, "Only an owner or admin of club"},
		{"inviter not allowed", "owner", "admin", func(s *Settings) { s.Inviters = []string{"999"} }, "only moderate groups for the people my operator has allowed"},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			s := DefaultSettings()
			if tt.settings != nil {
				tt.settings(&s)
			}
			h := newHarness(t, s)
			c, err := h.sim.ConnectContact("olga")
			if err != nil {
				t.Fatal(err)
			}
			h.owner = c.ContactID
			gid, _, err := h.sim.NewGroup("club", simplexsim.MemberSpec{Name: "olga", Role: tt.inviterRole, ContactID: h.owner})
			if err != nil {
				t.Fatal(err)
			}
			h.gid = gid
			h.invite(tt.offered)
			h.waitSent(h.ownerRef(), tt.want)
			for _, a := range h.sim.Actions() {
				if a.Kind == simplexsim.ActionJoin {
					t.Fatalf("the bot joined although it should not: %+v", a)
				}
			}
			if _, ok, _ := h.st.Get(context.Background(), fmt.Sprintf("moderation:mod:chat:#%d", gid)); ok {
				t.Fatal("a refused group was stored")
			}
		})
	}
}

func TestBannedWordDeleted(t *testing.T) {
	h := setup(t, spamRules, "moderator")
	clean := h.send(h.mia, "spammers are a word of their own; class is fine")
	bad := h.send(h.mia, "Great offer: SPAM, now!")
	a := h.waitModeration(simplexsim.ActionModerate, bad, 0)
	if !contains(a.MemberIDs, h.mia) {
		t.Errorf("moderated the wrong member: %+v", a)
	}
	notice := h.waitSent(h.ownerRef(), "Deleted a message from mia in club")
	if !strings.Contains(notice.Text, `banned word "spam"`) {
		t.Errorf("notice does not say why: %q", notice.Text)
	}
	phrase := h.send(h.bob, "wanna   buy followers?")
	h.waitModeration(simplexsim.ActionModerate, phrase, 0)
	if h.moderated(clean) {
		t.Error("a message with no banned word was deleted")
	}
	h.sim.View(func(w *simplexsim.World) {
		if it, _ := w.Item(bad); it.Deleted != "moderated" {
			t.Errorf("item %d deleted = %q, want moderated", bad, it.Deleted)
		}
	})
	// Logs at info carry ids, never names or message text.
	for _, e := range h.logs.All() {
		line := e.Message
		for _, f := range e.Context {
			line += fmt.Sprintf(" %v %s", f.Interface, f.String)
		}
		for _, secret := range []string{"mia", "olga", "club", "SPAM", "spam", "followers"} {
			if strings.Contains(line, secret) {
				t.Errorf("info log %q contains %q", line, secret)
			}
		}
	}
}

func TestStaffExempt(t *testing.T) {
	h := setup(t, spamRules, "admin")
	own := h.send(h.olga, "spam is fine when I say it")
	h.barrier("spam")
	if h.moderated(own) {
		t.Fatal("the owner's message was moderated")
	}
}

func TestPatternRule(t *testing.T) {
	h := setup(t, settingsWith(func(s *Settings) { s.BannedPatterns = []string{`(?i)free\s+crypto`, `\d{4}-\d{4}-\d{4}`} }), "moderator")
	clean := h.send(h.mia, "crypto is not free")
	bad := h.send(h.mia, "get FREE   crypto here")
	h.waitModeration(simplexsim.ActionModerate, bad, 0)
	h.waitSent(h.ownerRef(), `banned pattern "(?i)free\\s+crypto"`)
	card := h.send(h.bob, "my card 1234-5678-9012")
	h.waitModeration(simplexsim.ActionModerate, card, 0)
	if h.moderated(clean) {
		t.Fatal("a message matching no pattern was deleted")
	}
}

func TestLinkPolicy(t *testing.T) {
	t.Run("deny", func(t *testing.T) {
		h := setup(t, settingsWith(func(s *Settings) { s.Links = LinksDeny; s.BannedWords = []string{"spam"} }), "moderator")
		clean := h.send(h.mia, "see you at 10.30, file.txt attached")
		for _, text := range []string{"look https://example.org/x", "www.example.org", "go to shop.example.com now", "simplex:/contact#abc"} {
			id := h.send(h.mia, text)
			h.waitModeration(simplexsim.ActionModerate, id, 0)
		}
		h.waitSent(h.ownerRef(), "links are not allowed")
		h.barrier("spam")
		if h.moderated(clean) {
			t.Fatal("a message without a link was deleted")
		}
	})
	t.Run("allowlist", func(t *testing.T) {
		h := setup(t, settingsWith(func(s *Settings) {
			s.Links, s.AllowedDomains, s.BannedWords = LinksAllowlist, []string{"example.org", "simplex.chat"}, []string{"spam"}
		}), "moderator")
		var ok []int64
		for _, text := range []string{"https://example.org/a", "docs at https://docs.example.org/b", "join simplex:/contact#xyz", "https://simplex.chat/invite"} {
			ok = append(ok, h.send(h.mia, text))
		}
		bad := h.send(h.mia, "https://example.org.evil.com/login")
		h.waitModeration(simplexsim.ActionModerate, bad, 0)
		h.waitSent(h.ownerRef(), "link to example.org.evil.com (not an allowed domain)")
		other := h.send(h.mia, "try http://other.net")
		h.waitModeration(simplexsim.ActionModerate, other, 0)
		for _, id := range ok {
			if h.moderated(id) {
				t.Errorf("allowed link in item %d was deleted", id)
			}
		}
	})
}

func TestFloodLimit(t *testing.T) {
	h := setup(t, settingsWith(func(s *Settings) { s.FloodLimit = 3; s.BannedWords = []string{"spam"} }), "moderator")
	var ids []int64
	for i := range 3 {
		ids = append(ids, h.send(h.mia, fmt.Sprintf("hello %d", i)))
	}
	// Another member's messages do not count against mia.
	other := h.send(h.bob, "hi")
	fourth := h.send(h.mia, "hello again")
	h.waitModeration(simplexsim.ActionModerate, fourth, 0)
	h.waitSent(h.ownerRef(), "flood: 4 messages in a minute (limit 3)")
	for _, id := range append(ids, other) {
		if h.moderated(id) {
			t.Errorf("message %d within the limit was deleted", id)
		}
	}
	// A minute later the window has slid past the burst.
	h.clock.Advance(61 * time.Second)
	later := h.send(h.mia, "calm now")
	h.barrier("spam")
	if h.moderated(later) {
		t.Fatal("a message after the window was deleted")
	}
}

func TestActions(t *testing.T) {
	tests := []struct {
		action Action
		kind   simplexsim.ActionKind
		notice string
		check  func(m simplexsim.MemberInfo) bool
	}{
		{ActionBlock, simplexsim.ActionBlock, "Deleted a message from mia and blocked mia in club", func(m simplexsim.MemberInfo) bool { return m.Blocked }},
		{ActionRemove, simplexsim.ActionRemove, "Deleted a message from mia and removed mia from the group in club", func(m simplexsim.MemberInfo) bool { return m.Status == "removed" }},
		{ActionObserver, simplexsim.ActionRole, "Deleted a message from mia and made mia an observer in club", func(m simplexsim.MemberInfo) bool { return m.Role == "observer" }},
	}
	for _, tt := range tests {
		t.Run(string(tt.action), func(t *testing.T) {
			h := setup(t, settingsWith(func(s *Settings) { s.BannedWords = []string{"spam"}; s.Action = tt.action }), "admin")
			bad := h.send(h.mia, "spam")
			h.waitModeration(simplexsim.ActionModerate, bad, 0)
			a := h.waitModeration(tt.kind, 0, h.mia)
			if tt.kind == simplexsim.ActionRole && a.Role != "observer" {
				t.Errorf("role action = %+v", a)
			}
			if tt.kind == simplexsim.ActionBlock && !a.Blocked {
				t.Errorf("block action = %+v", a)
			}
			h.waitSent(h.ownerRef(), tt.notice)
			h.sim.View(func(w *simplexsim.World) {
				if m, _ := w.Member(h.gid, h.mia); !tt.check(m) {
					t.Errorf("mia after %s: %+v", tt.action, m)
				}
			})
		})
	}
}

func TestRepeatBlockSkipped(t *testing.T) {
	h := setup(t, settingsWith(func(s *Settings) { s.BannedWords = []string{"spam"}; s.Action = ActionBlock }), "admin")
	first := h.send(h.mia, "spam")
	h.waitModeration(simplexsim.ActionModerate, first, 0)
	second := h.send(h.mia, "spam again")
	h.waitModeration(simplexsim.ActionModerate, second, 0)
	h.waitSent(h.ownerRef(), "blocked mia")
	h.waitSent(h.ownerRef(), "Deleted a message from mia in club")
	blocks := 0
	for _, a := range h.sim.Moderations() {
		if a.Kind == simplexsim.ActionBlock {
			blocks++
		}
	}
	if blocks != 1 {
		t.Fatalf("blocked mia %d times, want once", blocks)
	}
	// Once an admin unblocks mia, the next offence blocks her again. The
	// event names the user so that it shares the group's ordered lane.
	user := h.bot.Platform().(*simplex.Platform).User().UserID
	if err := h.sim.EmitRaw(json.RawMessage(fmt.Sprintf(
		`{"type":"memberBlockedForAll","user":{"userId":%d},"groupInfo":{"groupId":%d},"byMember":{"groupMemberId":%d},"member":{"groupMemberId":%d},"blocked":false}`,
		user, h.gid, h.olga, h.mia))); err != nil {
		t.Fatal(err)
	}
	third := h.send(h.mia, "spam once more")
	h.waitModeration(simplexsim.ActionModerate, third, 0)
	h.waitSent(h.ownerRef(), "Deleted a message from mia and blocked mia")
}

func report(reported int64, reason string) simplexsim.Msg {
	c, _ := json.Marshal(map[string]string{"type": "report", "text": "please look", "reason": reason})
	return simplexsim.Msg{Content: c, QuoteItemID: reported}
}

func TestReported(t *testing.T) {
	t.Run("remove_reported", func(t *testing.T) {
		h := setup(t, settingsWith(func(s *Settings) { s.RemoveReported = true }), "admin")
		msg := h.send(h.mia, "something nasty")
		if _, err := h.sim.MemberSendMsg(h.gid, h.bob, report(msg, "spam")); err != nil {
			t.Fatal(err)
		}
		h.waitModeration(simplexsim.ActionModerate, msg, 0)
		h.waitModeration(simplexsim.ActionRemove, 0, h.mia)
		h.waitSent(h.ownerRef(), "Deleted a message from mia and removed mia from the group in club: reported: bob reported it (spam)")
	})
	t.Run("passed on", func(t *testing.T) {
		h := setup(t, settingsWith(func(s *Settings) { s.BannedWords = []string{"spam"} }), "admin")
		msg := h.send(h.mia, "something nasty")
		if _, err := h.sim.MemberSendMsg(h.gid, h.bob, report(msg, "community")); err != nil {
			t.Fatal(err)
		}
		h.waitSent(h.ownerRef(), `bob reported a message from mia in club (community): "something nasty"`)
		h.barrier("spam")
		if h.moderated(msg) {
			t.Fatal("a reported message was deleted with remove_reported off")
		}
		for _, a := range h.sim.Moderations() {
			if a.Kind == simplexsim.ActionRemove {
				t.Fatalf("member removed with remove_reported off: %+v", a)
			}
		}
	})
}

func TestEditChecked(t *testing.T) {
	h := setup(t, spamRules, "moderator")
	id := h.send(h.mia, "an innocent message")
	if err := h.sim.MemberEdit(h.gid, h.mia, id, "now it is spam"); err != nil {
		t.Fatal(err)
	}
	h.waitModeration(simplexsim.ActionModerate, id, 0)
	h.waitSent(h.ownerRef(), "Deleted an edited message from mia in club")
}

func TestDryRun(t *testing.T) {
	h := setup(t, settingsWith(func(s *Settings) {
		s.BannedWords = []string{"spam"}
		s.Action = ActionRemove
		s.DryRun = true
		s.Notify = false // dry-run reports come anyway
	}), "admin")
	h.send(h.mia, "spam")
	h.waitSent(h.ownerRef(), "Dry run: I would have deleted a message from mia and removed mia from the group in club: banned word \"spam\". Nothing was changed.")
	// The report is sent after the decision, so anything done is recorded by now.
	if mods := h.sim.Moderations(); len(mods) != 0 {
		t.Fatalf("dry run changed the group: %+v", mods)
	}
	if got := h.command("/status", "dry-run reports"); !strings.Contains(got, "1 dry-run reports") {
		t.Fatalf("status does not count the dry run: %q", got)
	}
}

func TestLackingRightsReported(t *testing.T) {
	h := setup(t, settingsWith(func(s *Settings) { s.BannedWords = []string{"spam"}; s.Action = ActionRemove }), "moderator")
	bad := h.send(h.mia, "spam")
	h.waitModeration(simplexsim.ActionModerate, bad, 0)
	notice := h.waitSent(h.ownerRef(), "Could not remove mia in club: I need the admin role there (I am moderator).")
	if !strings.Contains(notice.Text, "Deleted a message from mia in club") {
		t.Errorf("the notice does not report the delete that worked: %q", notice.Text)
	}
	// The bot goes on; a second failure within ten minutes is not repeated.
	again := h.send(h.bob, "spam")
	h.waitModeration(simplexsim.ActionModerate, again, 0)
	h.barrier("spam")
	if n := h.noticesContaining("Could not remove"); n != 1 {
		t.Errorf("failure reported %d times, want once", n)
	}
	if f := h.bot.Stats().Panics; f != 0 {
		t.Errorf("%d panics", f)
	}
}

func TestBotDemoted(t *testing.T) {
	h := setup(t, spamRules, "moderator")
	var botMember int64
	h.sim.View(func(w *simplexsim.World) { g, _ := w.Group(h.gid); botMember = g.BotMember })
	if err := h.sim.MemberRoleChanged(h.gid, botMember, h.olga, "member"); err != nil {
		t.Fatal(err)
	}
	h.waitSent(h.ownerRef(), "My role in club is now member (was moderator). I can no longer delete messages there")
	bad := h.send(h.mia, "spam")
	h.waitSent(h.ownerRef(), "Could not delete a message from mia in club: I need the moderator role there (I am member).")
	if h.moderated(bad) {
		t.Fatal("moderated without the role")
	}
	if got := h.command("/status", "I am member there"); !strings.Contains(got, "1 failed actions") {
		t.Errorf("status: %q", got)
	}
}

func TestStateSurvivesRestart(t *testing.T) {
	h := setup(t, spamRules, "moderator")
	h.command("/addword scam", `Banned "scam" in club`)
	h.restart(spamRules)
	bad := h.send(h.mia, "a SCAM offer")
	h.waitModeration(simplexsim.ActionModerate, bad, 0)
	h.waitSent(h.ownerRef(), `banned word "scam"`)
	// The owner is remembered too: commands still work.
	h.command("/rules", `banned words: "spam", "buy followers", "scam"`)
}

func TestGroupForgotten(t *testing.T) {
	tests := []struct {
		name   string
		remove func(h *harness, botMember int64) error
		notice string
	}{
		{"bot removed", func(h *harness, bm int64) error { return h.sim.MemberRemoved(h.gid, bm, h.olga, false) }, "I was removed from club"},
		{"group deleted", func(h *harness, _ int64) error {
			return h.sim.EmitRaw(json.RawMessage(fmt.Sprintf(
				`{"type":"groupDeleted","groupInfo":{"groupId":%d,"localDisplayName":"club","groupProfile":{"displayName":"club"}},"member":{"groupMemberId":%d,"memberRole":"owner"}}`,
				h.gid, h.olga)))
		}, "The owner deleted club"},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			h := setup(t, spamRules, "moderator")
			var botMember int64
			h.sim.View(func(w *simplexsim.World) { g, _ := w.Group(h.gid); botMember = g.BotMember })
			if err := tt.remove(h, botMember); err != nil {
				t.Fatal(err)
			}
			h.waitSent(h.ownerRef(), tt.notice)
			if _, ok, _ := h.st.Get(context.Background(), fmt.Sprintf("moderation:mod:chat:#%d", h.gid)); ok {
				t.Fatal("the group's state is still stored")
			}
			idx, _, _ := h.st.Get(context.Background(), "moderation:mod:chats")
			if string(idx) != "[]" {
				t.Fatalf("group index = %s, want []", idx)
			}
		})
	}
}
