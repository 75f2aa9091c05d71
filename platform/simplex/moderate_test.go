package simplex_test

import (
	"encoding/json"
	"errors"
	"fmt"
	"strconv"
	"strings"
	"testing"

	"github.com/parleybot/parley/bot"
	"github.com/parleybot/parley/platform/simplex"
	"github.com/parleybot/parley/platform/simplex/simplexsim"
)

func memberOf(t *testing.T, sim *simplexsim.Sim, gid, id int64) simplexsim.MemberInfo {
	t.Helper()
	var m simplexsim.MemberInfo
	var ok bool
	sim.View(func(w *simplexsim.World) { m, ok = w.Member(gid, id) })
	if !ok {
		t.Fatalf("no member %d in group %d", id, gid)
	}
	return m
}

func TestModerateCapabilities(t *testing.T) {
	sim := startSim(t)
	p := newTestPlatform(sim)
	log := runPlatform(t, p)
	for _, c := range []bot.Capability{bot.CanBlock, bot.CanRemove, bot.CanSetRole, bot.CanPrivate} {
		if !bot.Has(p, c) {
			t.Errorf("simplex lacks %s", c)
		}
	}
	gid, mia := joinGroup(t, sim, p, log, "")
	chat, member := "#"+strconv.FormatInt(gid, 10), strconv.FormatInt(mia, 10)
	ctx := callCtx(t)

	if err := p.BlockMember(ctx, chat, member, true); err != nil {
		t.Fatal(err)
	}
	if !memberOf(t, sim, gid, mia).Blocked {
		t.Error("mia is not blocked")
	}
	if err := p.BlockMember(ctx, chat, member, false); err != nil {
		t.Fatal(err)
	}
	if memberOf(t, sim, gid, mia).Blocked {
		t.Error("mia is still blocked")
	}
	if err := p.SetMemberRole(ctx, chat, member, "observer"); err != nil {
		t.Fatal(err)
	}
	if r := memberOf(t, sim, gid, mia).Role; r != "observer" {
		t.Errorf("mia's role = %q", r)
	}
	if err := p.RemoveMember(ctx, chat, member); err != nil {
		t.Fatal(err)
	}
	if s := memberOf(t, sim, gid, mia).Status; s != "removed" {
		t.Errorf("mia's status = %q", s)
	}
	var kinds []simplexsim.ActionKind
	for _, a := range sim.Moderations() {
		if a.ChatRef == chat && len(a.MemberIDs) == 1 && a.MemberIDs[0] == mia {
			kinds = append(kinds, a.Kind)
		}
	}
	if fmt.Sprint(kinds) != "[block block role remove]" {
		t.Errorf("moderations of mia = %v", kinds)
	}
}

func TestModerateErrors(t *testing.T) {
	sim := startSim(t)
	p := newTestPlatform(sim)
	log := runPlatform(t, p)
	gid, mia := joinGroup(t, sim, p, log, "")
	ctx := callCtx(t)
	chat := "#" + strconv.FormatInt(gid, 10)
	for _, tt := range []struct{ chat, member string }{
		{"@2", "1"}, {"#1(_support)", "1"}, {"nonsense", "1"}, {chat, "x"}, {chat, "-3"},
	} {
		if err := p.RemoveMember(ctx, tt.chat, tt.member); err == nil {
			t.Errorf("RemoveMember(%q, %q) succeeded", tt.chat, tt.member)
		}
	}
	if err := p.SetMemberRole(ctx, chat, strconv.FormatInt(mia, 10), "boss"); err == nil {
		t.Error("an unknown role was accepted")
	}
	// Commands.hs: /_member role's parser has no "author".
	if err := p.SetMemberRole(ctx, chat, strconv.FormatInt(mia, 10), "author"); err == nil || strings.Contains(err.Error(), "parse") {
		t.Errorf("role author: %v, want a clear refusal before the CLI sees it", err)
	}
	// The bot (admin) cannot remove the owner: the core names the role.
	var owner int64
	sim.View(func(w *simplexsim.World) {
		g, _ := w.Group(gid)
		for _, m := range g.Members {
			if m.Role == "owner" {
				owner = m.ID
			}
		}
	})
	err := p.RemoveMember(ctx, chat, strconv.FormatInt(owner, 10))
	var rr interface{ RequiredRole() string }
	if !errors.As(err, &rr) || rr.RequiredRole() != "owner" {
		t.Errorf("removing the owner: %v; want a RequiredRole of owner", err)
	}
	// Joining a group twice is told apart.
	inv := waitFor(t, log, func(e *simplex.ReceivedGroupInvitation) bool { return e.GroupInfo.GroupID == gid })
	err = p.AcceptRequest(ctx, inv, bot.AcceptOptions{})
	var aj interface{ AlreadyJoined() bool }
	if !errors.As(err, &aj) || !aj.AlreadyJoined() {
		t.Errorf("second join: %v; want AlreadyJoined", err)
	}
	if rr.(*simplex.CommandError).AlreadyJoined() || aj.(*simplex.CommandError).RequiredRole() != "" {
		t.Error("the two error kinds are confused")
	}
}

func TestModeratePrivateAndDirect(t *testing.T) {
	sim := startSim(t)
	p := newTestPlatform(sim)
	log := runPlatform(t, p)
	gid, mia := joinGroup(t, sim, p, log, "")
	ctx := callCtx(t)
	chat := "#" + strconv.FormatInt(gid, 10)
	// mia has no contact with the bot.
	if _, err := p.SendPrivate(ctx, chat, strconv.FormatInt(mia, 10), bot.Outgoing{Text: "hi"}); !errors.Is(err, bot.ErrUnsupported) {
		t.Errorf("SendPrivate to a member without contact: %v", err)
	}
	var owner simplexsim.MemberInfo
	sim.View(func(w *simplexsim.World) {
		g, _ := w.Group(gid)
		for _, m := range g.Members {
			if m.Role == "owner" {
				owner = m
			}
		}
	})
	ids, err := p.SendPrivate(ctx, chat, strconv.FormatInt(owner.ID, 10), bot.Outgoing{Text: "just for you"})
	if err != nil || len(ids) != 1 {
		t.Fatalf("SendPrivate to the owner = %v, %v", ids, err)
	}
	direct := "@" + strconv.FormatInt(owner.ContactID, 10)
	if got := sentTo(sim, direct); len(got) != 1 || got[0].Text != "just for you" {
		t.Errorf("sent to %s: %+v", direct, got)
	}
	if _, err := p.SendPrivate(ctx, chat, "999", bot.Outgoing{Text: "x"}); err == nil {
		t.Error("SendPrivate to no member succeeded")
	}
	if _, err := p.SendDirect(ctx, strconv.FormatInt(owner.ContactID, 10), bot.Outgoing{Text: "direct"}); err != nil {
		t.Fatal(err)
	}
	if got := sentTo(sim, direct); len(got) != 2 || got[1].Text != "direct" {
		t.Errorf("sent to %s: %+v", direct, got)
	}
	if _, err := p.SendDirect(ctx, "@2", bot.Outgoing{Text: "x"}); err == nil {
		t.Error("SendDirect with a chat reference succeeded")
	}
}

func TestGroupChangesFromEvents(t *testing.T) {
	sim := startSim(t)
	p := newTestPlatform(sim)
	log := runPlatform(t, p)
	gid, mia := joinGroup(t, sim, p, log, "")
	chat := "#" + strconv.FormatInt(gid, 10)
	one := func(e bot.GroupChanger) bot.GroupChange {
		t.Helper()
		chs := e.GroupChanges()
		if len(chs) != 1 || chs[0].Chat.ID != chat || chs[0].Chat.Kind != bot.Group || chs[0].Chat.Title != "club" {
			t.Fatalf("%T: changes %+v", e, chs)
		}
		return chs[0]
	}
	joined := one(waitFor(t, log, func(e *simplex.UserJoinedGroup) bool { return true }))
	if joined.Kind != bot.BotJoined || joined.Role != "admin" || joined.By.ID != "" {
		t.Errorf("joined: %+v", joined)
	}
	var botMember, owner int64
	sim.View(func(w *simplexsim.World) {
		g, _ := w.Group(gid)
		botMember = g.BotMember
		for _, m := range g.Members {
			if m.Role == "owner" {
				owner = m.ID
			}
		}
	})
	ownerID, miaID := strconv.FormatInt(owner, 10), strconv.FormatInt(mia, 10)

	if err := sim.MemberRoleChanged(gid, mia, owner, "moderator"); err != nil {
		t.Fatal(err)
	}
	ch := one(waitFor(t, log, func(e *simplex.MemberRole) bool { return e.Member.GroupMemberID == mia }))
	if ch.Kind != bot.MemberRoleChanged || ch.Member.ID != miaID || ch.Member.Name != "mia" || ch.Role != "moderator" || ch.By.ID != ownerID {
		t.Errorf("member role: %+v", ch)
	}
	if err := sim.MemberRoleChanged(gid, botMember, owner, "moderator"); err != nil {
		t.Fatal(err)
	}
	ch = one(waitFor(t, log, func(e *simplex.MemberRole) bool { return e.Member.GroupMemberID == botMember }))
	if ch.Kind != bot.BotRoleChanged || ch.Role != "moderator" || ch.Member.ID != "" {
		t.Errorf("bot role: %+v", ch)
	}
	kai, err := sim.MemberJoin(gid, simplexsim.MemberSpec{Name: "kai"})
	if err != nil {
		t.Fatal(err)
	}
	ch = one(waitFor(t, log, func(e *simplex.JoinedGroupMember) bool { return e.Member.GroupMemberID == kai }))
	if ch.Kind != bot.MemberJoined || ch.Member.Name != "kai" || ch.Role != "member" {
		t.Errorf("joined member: %+v", ch)
	}
	if err := sim.MemberLeave(gid, kai); err != nil {
		t.Fatal(err)
	}
	ch = one(waitFor(t, log, func(e *simplex.LeftMember) bool { return true }))
	if ch.Kind != bot.MemberLeft || ch.Member.Name != "kai" || ch.By.ID != ch.Member.ID {
		t.Errorf("left member: %+v", ch)
	}
	if err := sim.MemberRemoved(gid, mia, owner, false); err != nil {
		t.Fatal(err)
	}
	ch = one(waitFor(t, log, func(e *simplex.DeletedMember) bool { return true }))
	if ch.Kind != bot.MemberLeft || ch.Member.ID != miaID || ch.By.ID != ownerID {
		t.Errorf("removed member: %+v", ch)
	}
	if err := sim.EmitRaw(json.RawMessage(fmt.Sprintf(
		`{"type":"memberBlockedForAll","groupInfo":{"groupId":%d,"groupProfile":{"displayName":"club"}},"byMember":{"groupMemberId":%d},"member":{"groupMemberId":%d,"memberRole":"member"},"blocked":true}`,
		gid, owner, mia))); err != nil {
		t.Fatal(err)
	}
	ch = one(waitFor(t, log, func(e *simplex.MemberBlockedForAll) bool { return true }))
	if ch.Kind != bot.MemberBlocked || ch.Member.ID != miaID || ch.By.ID != ownerID {
		t.Errorf("blocked: %+v", ch)
	}
	if err := sim.MemberRemoved(gid, botMember, owner, false); err != nil {
		t.Fatal(err)
	}
	ch = one(waitFor(t, log, func(e *simplex.DeletedMemberUser) bool { return true }))
	if ch.Kind != bot.BotRemoved || ch.By.ID != ownerID {
		t.Errorf("bot removed: %+v", ch)
	}
}

func TestGroupDeletedChange(t *testing.T) {
	var e simplex.GroupDeleted
	if err := json.Unmarshal([]byte(`{"groupInfo":{"groupId":4,"groupProfile":{"displayName":"chess"}},"member":{"groupMemberId":9,"memberRole":"owner","localDisplayName":"olga"}}`), &e); err != nil {
		t.Fatal(err)
	}
	chs := e.GroupChanges()
	if len(chs) != 1 || chs[0].Kind != bot.GroupDeleted || chs[0].Chat.ID != "#4" || chs[0].By.ID != "9" || chs[0].By.Role != "owner" {
		t.Fatalf("changes = %+v", chs)
	}
}

func TestModerateReports(t *testing.T) {
	sim := startSim(t)
	p := newTestPlatform(sim)
	log := runPlatform(t, p)
	gid, mia := joinGroup(t, sim, p, log, "")
	var bob int64
	var err error
	if bob, err = sim.MemberJoin(gid, simplexsim.MemberSpec{Name: "bob"}); err != nil {
		t.Fatal(err)
	}
	bad, err := sim.MemberSend(gid, mia, "something nasty", false)
	if err != nil {
		t.Fatal(err)
	}
	content, _ := json.Marshal(map[string]string{"type": "report", "text": "please look", "reason": "spam"})
	rep, err := sim.MemberSendMsg(gid, bob, simplexsim.Msg{Content: content, QuoteItemID: bad})
	if err != nil {
		t.Fatal(err)
	}
	repID := strconv.FormatInt(rep.ItemID, 10)
	e := waitFor(t, log, func(e *simplex.NewChatItems) bool {
		for _, m := range e.Messages() {
			if m.ID == repID {
				return true
			}
		}
		return false
	})
	reports, reported := e.Reports()
	if len(reports) != 1 || len(reported) != 1 {
		t.Fatalf("reports = %+v, reported = %+v", reports, reported)
	}
	r, target := reports[0], reported[0]
	if r.ID != repID || r.Text != "spam" || r.Sender.Name != "bob" || r.Chat.ID != "#"+strconv.FormatInt(gid, 10) {
		t.Errorf("report = %+v", r)
	}
	if target.ID != strconv.FormatInt(bad, 10) || target.Sender.ID != strconv.FormatInt(mia, 10) || target.Text != "something nasty" {
		t.Errorf("reported message = %+v", target)
	}
	// An ordinary message carries no report.
	ok, err := sim.MemberSend(gid, mia, "fine", false)
	if err != nil {
		t.Fatal(err)
	}
	okID := strconv.FormatInt(ok, 10)
	e = waitFor(t, log, func(e *simplex.NewChatItems) bool {
		ms := e.Messages()
		return len(ms) == 1 && ms[0].ID == okID
	})
	if reports, _ := e.Reports(); len(reports) != 0 {
		t.Errorf("reports in an ordinary message: %+v", reports)
	}
}
