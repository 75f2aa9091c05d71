package moderation

import (
	"context"
	"fmt"
	"path/filepath"
	"strings"
	"testing"

	"github.com/parleybot/parley/config"
	_ "github.com/parleybot/parley/modules/echo"
	"github.com/parleybot/parley/platform/simplex/simplexsim"
)

// TestHostedWithEcho builds one bot from a bots.toml that runs the
// moderation and echo modules side by side, the way `parley run` does,
// against a simulated CLI: direct messages are echoed, owner commands are
// answered by moderation, and a banned word in the group is deleted.
func TestHostedWithEcho(t *testing.T) {
	sim := simplexsim.New(simplexsim.WithBotName("hosted"), simplexsim.WithAddress(true, ""))
	if err := sim.Start(); err != nil {
		t.Fatal(err)
	}
	defer func() { _ = sim.Close() }()
	src := fmt.Sprintf(`
[[bots]]
name = "club-bot"
platform = "simplex"

[bots.simplex]
url = %q
reconnect_min = "5ms"
reconnect_max = "50ms"

[bots.modules.moderation]
banned_words = ["spam"]

[bots.modules.echo]
prefix = "echo: "
`, sim.URL())
	cfg, err := config.Parse([]byte(src), filepath.Join(t.TempDir(), "bots.toml"))
	if err != nil {
		t.Fatal(err)
	}
	if got := []string{cfg.Bots[0].Modules[0].Name, cfg.Bots[0].Modules[1].Name}; got[0] != "moderation" || got[1] != "echo" {
		t.Fatalf("modules = %v", got)
	}
	hb, err := config.BuildBot(cfg.Bots[0], nil)
	if err != nil {
		t.Fatal(err)
	}
	ctx, cancel := context.WithCancel(context.Background())
	done := make(chan error, 1)
	go func() { done <- hb.Bot.Run(ctx) }()
	defer func() {
		cancel()
		if err := <-done; err != nil {
			t.Errorf("Run: %v", err)
		}
		if err := hb.Close(); err != nil {
			t.Errorf("Close: %v", err)
		}
	}()

	wait := func(chat, want string) {
		t.Helper()
		if err := sim.Wait(waitFor, func(w *simplexsim.World) bool {
			for _, s := range w.Sent() {
				if s.ChatRef == chat && strings.Contains(s.Text, want) {
					return true
				}
			}
			return false
		}); err != nil {
			t.Fatalf("no message to %s containing %q: %v", chat, want, err)
		}
	}

	// Echo answers anyone in a direct chat.
	eve, err := sim.ConnectContact("eve")
	if err != nil {
		t.Fatal(err)
	}
	if _, err := sim.ContactSend(eve.ContactID, "hello there"); err != nil {
		t.Fatal(err)
	}
	wait(fmt.Sprintf("@%d", eve.ContactID), "echo: hello there")

	// Moderation joins the owner's group and moderates it.
	olga, err := sim.ConnectContact("olga")
	if err != nil {
		t.Fatal(err)
	}
	owner := fmt.Sprintf("@%d", olga.ContactID)
	gid, ids, err := sim.NewGroup("club", simplexsim.MemberSpec{Name: "olga", Role: "owner", ContactID: olga.ContactID}, simplexsim.MemberSpec{Name: "mia"})
	if err != nil {
		t.Fatal(err)
	}
	if _, err := sim.InviteBot(gid, olga.ContactID, "moderator"); err != nil {
		t.Fatal(err)
	}
	wait(owner, "I joined club as moderator")
	clean, err := sim.MemberSend(gid, ids[1], "a clean message", false)
	if err != nil {
		t.Fatal(err)
	}
	bad, err := sim.MemberSend(gid, ids[1], "some spam", false)
	if err != nil {
		t.Fatal(err)
	}
	if err := sim.Wait(waitFor, func(w *simplexsim.World) bool {
		for _, a := range w.Moderations() {
			if a.Kind == simplexsim.ActionModerate && contains(a.ItemIDs, bad) {
				return true
			}
		}
		return false
	}); err != nil {
		t.Fatal("the banned word was not deleted: ", err)
	}
	wait(owner, `Deleted a message from mia in club: banned word "spam"`)
	for _, a := range sim.Moderations() {
		if contains(a.ItemIDs, clean) {
			t.Errorf("clean message moderated: %+v", a)
		}
	}

	// In the owner's chat, commands go to moderation and the rest to echo.
	if _, err := sim.ContactSend(olga.ContactID, "/rules"); err != nil {
		t.Fatal(err)
	}
	wait(owner, `banned words: "spam"`)
	if _, err := sim.ContactSend(olga.ContactID, "thanks"); err != nil {
		t.Fatal(err)
	}
	wait(owner, "echo: thanks")
	// Group messages are moderation's; echo (direct only) never answers there.
	for _, s := range sim.BotSent() {
		if s.ChatRef == fmt.Sprintf("#%d", gid) {
			t.Errorf("the bot posted in the group: %q", s.Text)
		}
	}
}

// TestExampleConfigLoads checks that examples/bots.toml, which configures
// this module, is valid with the real modules registered.
func TestExampleConfigLoads(t *testing.T) {
	cfg, err := config.Load("../../examples/bots.toml", config.WithLookupEnv(func(string) (string, bool) { return "", false }))
	if err != nil {
		t.Fatal(err)
	}
	for _, b := range cfg.Bots {
		for _, mc := range b.Modules {
			if m, ok := mc.Module.(*module); ok && !m.DryRun {
				t.Errorf("bot %s: the example's moderation table sets dry_run = true, decoded %+v", b.Name, m.Settings)
			}
		}
	}
}

// TestHostedAutoAcceptJoinsFirst covers a bot whose auto_accept also
// accepts group invitations: the middleware joins before the module sees
// the invitation, and the module takes the group on all the same.
func TestHostedAutoAcceptJoinsFirst(t *testing.T) {
	sim := simplexsim.New(simplexsim.WithBotName("hosted"), simplexsim.WithAddress(true, ""))
	if err := sim.Start(); err != nil {
		t.Fatal(err)
	}
	defer func() { _ = sim.Close() }()
	src := fmt.Sprintf("[[bots]]\nname = \"m\"\nplatform = \"simplex\"\n[bots.simplex]\nurl = %q\n"+
		"[bots.auto_accept]\ngroups = \"all\"\nmin_role = \"moderator\"\n"+
		"[bots.modules.moderation]\nbanned_words = [\"spam\"]\n", sim.URL())
	cfg, err := config.Parse([]byte(src), "bots.toml")
	if err != nil {
		t.Fatal(err)
	}
	hb, err := config.BuildBot(cfg.Bots[0], nil)
	if err != nil {
		t.Fatal(err)
	}
	ctx, cancel := context.WithCancel(context.Background())
	done := make(chan error, 1)
	go func() { done <- hb.Bot.Run(ctx) }()
	defer func() {
		cancel()
		if err := <-done; err != nil {
			t.Errorf("Run: %v", err)
		}
		_ = hb.Close()
	}()
	olga, err := sim.ConnectContact("olga")
	if err != nil {
		t.Fatal(err)
	}
	gid, ids, err := sim.NewGroup("club", simplexsim.MemberSpec{Name: "olga", Role: "owner", ContactID: olga.ContactID}, simplexsim.MemberSpec{Name: "mia"})
	if err != nil {
		t.Fatal(err)
	}
	if _, err := sim.InviteBot(gid, olga.ContactID, "moderator"); err != nil {
		t.Fatal(err)
	}
	owner := fmt.Sprintf("@%d", olga.ContactID)
	if err := sim.Wait(waitFor, func(w *simplexsim.World) bool {
		for _, s := range w.Sent() {
			if s.ChatRef == owner && strings.Contains(s.Text, "I joined club as moderator") {
				return true
			}
		}
		return false
	}); err != nil {
		t.Fatal("no join notice: ", err)
	}
	bad, err := sim.MemberSend(gid, ids[1], "spam", false)
	if err != nil {
		t.Fatal(err)
	}
	if err := sim.Wait(waitFor, func(w *simplexsim.World) bool {
		for _, a := range w.Moderations() {
			if contains(a.ItemIDs, bad) {
				return true
			}
		}
		return false
	}); err != nil {
		t.Fatal("not moderated: ", err)
	}
	// The notice is the handler's last step; the bot stops after it.
	if err := sim.Wait(waitFor, func(w *simplexsim.World) bool {
		for _, s := range w.Sent() {
			if s.ChatRef == owner && strings.Contains(s.Text, "Deleted a message from mia") {
				return true
			}
		}
		return false
	}); err != nil {
		t.Fatal("no notice: ", err)
	}
	joins := 0
	for _, a := range sim.Actions() {
		if a.Kind == simplexsim.ActionJoin {
			joins++
		}
	}
	if joins != 1 {
		t.Fatalf("%d joins, want 1", joins)
	}
}
