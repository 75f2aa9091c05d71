package virola_test

import (
	"context"
	"fmt"
	"strings"
	"testing"

	"go.uber.org/zap"
	"go.uber.org/zap/zapcore"
	"go.uber.org/zap/zaptest/observer"

	"github.com/parleybot/parley/config"
	_ "github.com/parleybot/parley/modules/echo"
	_ "github.com/parleybot/parley/modules/moderation"
	"github.com/parleybot/parley/platform/platformtest"
	"github.com/parleybot/parley/platform/virola"
)

// hostedTOML is a bot on the simulator, with its token, and the given
// module tables.
func hostedTOML(w *simWorld, modules string) string {
	return fmt.Sprintf(`[[bots]]
name = "club-bot"
platform = "virola"

[bots.virola]
url = %q
token = %q
reconnect_min = "5ms"
reconnect_max = "50ms"
%s`, w.sim.URL(), w.sim.Token(w.bot.UserID), modules)
}

// runHosted builds the bot from src as `parley run` does and runs it
// until the test ends.
func runHosted(t *testing.T, src string, log *zap.Logger) *config.Hosted {
	t.Helper()
	cfg, err := config.Parse([]byte(src), "bots.toml")
	if err != nil {
		t.Fatal(err)
	}
	h, err := config.BuildBot(cfg.Bots[0], log)
	if err != nil {
		t.Fatal(err)
	}
	ctx, cancel := context.WithCancel(context.Background())
	done := make(chan error, 1)
	go func() { done <- h.Bot.Run(ctx) }()
	t.Cleanup(func() {
		cancel()
		if err := <-done; err != nil {
			t.Errorf("Run: %v", err)
		}
		if err := h.Close(); err != nil {
			t.Errorf("Close: %v", err)
		}
	})
	waitFor(t, "the hosted bot to be ready", h.Platform.(*virola.Platform).Ready)
	return h
}

// botSaid waits for the bot to post text containing want to room.
func botSaid(t *testing.T, w *simWorld, room int64, want string) {
	t.Helper()
	said := func() bool {
		for _, m := range w.sim.PostedBy(w.bot.UserID) {
			if m.RoomID == room && strings.Contains(m.Text, want) {
				return true
			}
		}
		return false
	}
	if err := w.sim.Wait(platformtest.Timeout, said); err != nil {
		var all []string
		for _, m := range w.sim.PostedBy(w.bot.UserID) {
			all = append(all, fmt.Sprintf("%d: %s", m.RoomID, m.Text))
		}
		t.Fatalf("the bot did not post %q to room %d: %v\nit posted: %q", want, room, err, all)
	}
}

// settled waits until Send found the id of every message the bot posted,
// so that none is still waiting when the test stops the bot.
func settled(t *testing.T, w *simWorld, h *config.Hosted) {
	t.Helper()
	p := h.Platform.(*virola.Platform)
	waitFor(t, "the bot's sends to settle", func() bool {
		st := p.Stats()
		return st.Matched+st.Unmatched == int64(len(w.sim.PostedBy(w.bot.UserID)))
	})
	if n := p.Stats().Unmatched; n != 0 {
		t.Errorf("%d sends returned no id", n)
	}
}

// Moderation and echo by configuration on Virola: at start-up the bot
// says it cannot block, remove or demote; it takes on the room it is
// given, with the server's administrator as owner; a rule-breaking message
// is deleted and the owner told in their private room; the owner (staff,
// as an administrator) is exempt; direct messages are echoed.
func TestHostedModerationByConfiguration(t *testing.T) {
	w := newSimWorld(t, false)
	olga := w.sim.AddUser("olga", "Olga", "pw")
	mia := w.sim.AddUser("mia", "Mia", "pw")
	w.sim.SetAdmin(olga.UserID, true)
	w.sim.SetAdmin(w.bot.UserID, true) // may delete anything
	dm, err := w.sim.NewPrivateRoom(olga.UserID, w.bot.UserID)
	if err != nil {
		t.Fatal(err)
	}
	core, logs := observer.New(zapcore.InfoLevel)
	h := runHosted(t, hostedTOML(w, `
[bots.modules.moderation]
banned_words = ["spam"]

[bots.modules.echo]
prefix = "echo: "
`), zap.New(core))

	start := logs.FilterMessage("moderation: actions this platform cannot do are unavailable").All()
	if len(start) != 1 {
		t.Fatalf("start-up lines: %v", logs.All())
	}
	if f := start[0].ContextMap(); f["platform"] != "virola" || fmt.Sprint(f["unavailable"]) != "[block remove observer]" {
		t.Errorf("start-up line fields: %v", f)
	}

	club, err := w.sim.NewPublicRoom("club", olga.UserID, mia.UserID, w.bot.UserID)
	if err != nil {
		t.Fatal(err)
	}
	botSaid(t, w, dm.RoomID, "I joined club as admin and will moderate it.")
	clean, err := w.sim.Post(mia.UserID, club.RoomID, "hello everyone")
	if err != nil {
		t.Fatal(err)
	}
	own, err := w.sim.Post(olga.UserID, club.RoomID, "no spam here, says the owner")
	if err != nil {
		t.Fatal(err)
	}
	bad, err := w.sim.Post(mia.UserID, club.RoomID, "buy SPAM now")
	if err != nil {
		t.Fatal(err)
	}
	botSaid(t, w, dm.RoomID, `Deleted a message from Mia in club: banned word "spam".`)
	if !w.sim.Deleted(bad.MessageID) {
		t.Error("the banned message is still there")
	}
	if w.sim.Deleted(clean.MessageID) || w.sim.Deleted(own.MessageID) {
		t.Error("a clean or the owner's message was deleted")
	}

	// The owner's private room: commands to moderation, the rest echoed.
	if _, err := w.sim.Post(olga.UserID, dm.RoomID, "/rules"); err != nil {
		t.Fatal(err)
	}
	botSaid(t, w, dm.RoomID, `banned words: "spam"`)
	if _, err := w.sim.Post(olga.UserID, dm.RoomID, "thanks"); err != nil {
		t.Fatal(err)
	}
	botSaid(t, w, dm.RoomID, "echo: thanks")
	for _, m := range w.sim.PostedBy(w.bot.UserID) {
		if m.RoomID == club.RoomID {
			t.Errorf("the bot posted in the room: %q", m.Text)
		}
	}
	settled(t, w, h)
}

// Virola can only delete: every other action is a configuration error.
func TestHostedModerationRefusesRemove(t *testing.T) {
	w := newSimWorld(t, false)
	for _, action := range []string{"block", "remove", "observer"} {
		cfg, err := config.Parse([]byte(hostedTOML(w, fmt.Sprintf("[bots.modules.moderation]\naction = %q\n", action))), "bots.toml")
		if err != nil {
			t.Fatal(err)
		}
		h, err := config.BuildBot(cfg.Bots[0], nil)
		if err == nil {
			_ = h.Close()
			t.Fatalf("action %s: built", action)
		}
		if msg := err.Error(); !strings.Contains(msg, "the virola platform cannot") || !strings.Contains(msg, `it can do "delete"`) {
			t.Errorf("action %s: %v", action, err)
		}
	}
}
