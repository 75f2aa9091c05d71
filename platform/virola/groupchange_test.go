package virola_test

import (
	"context"
	"errors"
	"fmt"
	"sync"
	"testing"

	"github.com/parleybot/parley/bot"
	"github.com/parleybot/parley/platform/virola"
	"github.com/parleybot/parley/store"
)

// events runs Listen and records what it emits.
type events struct {
	mu  sync.Mutex
	all []bot.Event
}

func (e *events) changes() []string {
	e.mu.Lock()
	defer e.mu.Unlock()
	var out []string
	for _, ev := range e.all {
		if gc, ok := ev.(bot.GroupChanger); ok {
			for _, c := range gc.GroupChanges() {
				out = append(out, fmt.Sprintf("%s %s %s %s", c.Kind, c.Chat.ID, c.Role, c.By.ID))
			}
		}
	}
	return out
}

func (e *events) has(want string) bool {
	for _, c := range e.changes() {
		if c == want {
			return true
		}
	}
	return false
}

func listenPlatform(t *testing.T, w *simWorld) (*virola.Platform, *events) {
	t.Helper()
	p := virola.New(w.sim.URL(), append(testOptions(store.NewMemory()), w.auth...)...)
	rec := &events{}
	ctx, cancel := context.WithCancel(context.Background())
	done := make(chan error, 1)
	go func() {
		done <- p.Listen(ctx, func(e bot.Event) error {
			rec.mu.Lock()
			rec.all = append(rec.all, e)
			rec.mu.Unlock()
			p.EventHandled(e, nil)
			return nil
		})
	}()
	t.Cleanup(func() {
		cancel()
		if err := <-done; err != nil {
			t.Errorf("Listen: %v", err)
		}
	})
	waitFor(t, "ready", p.Ready)
	return p, rec
}

// A public room given to the bot is a group it joined (and a group
// invitation) with the bot's role and the server's only other
// administrator as owner; moderating the room later is a role change.
func TestRoomJoinedAndRoleChanged(t *testing.T) {
	w := newSimWorld(t, false)
	olga := w.sim.AddUser("olga", "Olga", "pw")
	mia := w.sim.AddUser("mia", "Mia", "pw")
	w.sim.SetAdmin(olga.UserID, true)
	p, rec := listenPlatform(t, w)

	club, err := w.sim.NewPublicRoom("club", olga.UserID, mia.UserID, w.bot.UserID)
	if err != nil {
		t.Fatal(err)
	}
	id := fmt.Sprint(club.RoomID)
	owner := fmt.Sprint(olga.UserID)
	waitFor(t, "bot joined", func() bool { return rec.has("bot_joined " + id + " member " + owner) })
	rec.mu.Lock()
	var created *virola.RoomCreated
	for _, e := range rec.all {
		if c, ok := e.(*virola.RoomCreated); ok {
			created = c
		}
	}
	rec.mu.Unlock()
	if ri := created.RequestInfo(); ri.Kind != bot.GroupInvitation || ri.From.ID != owner || ri.From.Name != "Olga" || ri.Role != "member" {
		t.Errorf("request info %+v", ri)
	}
	// A member cannot delete Mia's message; a moderator of the room can.
	m, err := w.sim.Post(mia.UserID, club.RoomID, "hello")
	if err != nil {
		t.Fatal(err)
	}
	if err := p.Delete(context.Background(), id, fmt.Sprint(m.MessageID)); err == nil {
		t.Fatal("a plain member deleted another's message")
	}
	if err := w.sim.SetModerator(club.RoomID, w.bot.UserID, true); err != nil {
		t.Fatal(err)
	}
	waitFor(t, "role change", func() bool { return rec.has("bot_role_changed " + id + " moderator ") })
	if err := p.Delete(context.Background(), id, fmt.Sprint(m.MessageID)); err != nil {
		t.Fatal(err)
	}
	if !w.sim.Deleted(m.MessageID) {
		t.Fatal("not deleted")
	}
	// An administrator's messages carry the admin role: staff everywhere.
	if _, err := w.sim.Post(olga.UserID, club.RoomID, "from the admin"); err != nil {
		t.Fatal(err)
	}
	waitFor(t, "the admin's message", func() bool {
		rec.mu.Lock()
		defer rec.mu.Unlock()
		for _, e := range rec.all {
			if me, ok := e.(bot.MessageEvent); ok {
				for _, msg := range me.Messages() {
					if msg.Text == "from the admin" {
						return msg.Sender.Role == "admin"
					}
				}
			}
		}
		return false
	})

	// With two administrators besides the bot, nobody is the owner.
	w.sim.SetAdmin(mia.UserID, true)
	other, err := w.sim.NewPublicRoom("other", olga.UserID, mia.UserID, w.bot.UserID)
	if err != nil {
		t.Fatal(err)
	}
	waitFor(t, "joined without owner", func() bool { return rec.has(fmt.Sprintf("bot_joined %d member ", other.RoomID)) })
}

// SendDirect writes to a user in the private room shared with them, and
// says so when there is none: the Web API cannot open one.
func TestSendDirect(t *testing.T) {
	w := newSimWorld(t, false)
	olga := w.sim.AddUser("olga", "Olga", "pw")
	mia := w.sim.AddUser("mia", "Mia", "pw")
	dm, err := w.sim.NewPrivateRoom(olga.UserID, w.bot.UserID)
	if err != nil {
		t.Fatal(err)
	}
	p, _ := listenPlatform(t, w)
	ctx := context.Background()
	ids, err := p.SendDirect(ctx, fmt.Sprint(olga.UserID), bot.Outgoing{Text: "hello olga", ReplyTo: "123"})
	if err != nil || len(ids) != 1 {
		t.Fatalf("SendDirect: %v %v", ids, err)
	}
	if got := w.sim.PostedBy(w.bot.UserID); len(got) != 1 || got[0].RoomID != dm.RoomID || got[0].ParentMessageID != 0 {
		t.Fatalf("posted %+v", got)
	}
	if _, err := p.SendDirect(ctx, fmt.Sprint(mia.UserID), bot.Outgoing{Text: "x"}); !errors.Is(err, virola.ErrNoPrivateRoom) {
		t.Fatalf("to a user without a private room: %v", err)
	}
	if _, err := p.SendDirect(ctx, "olga", bot.Outgoing{Text: "x"}); err == nil {
		t.Fatal("took a name for an id")
	}
}
