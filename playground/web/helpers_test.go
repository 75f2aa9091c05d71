package web_test

import (
	"bytes"
	"context"
	"encoding/json"
	"fmt"
	"net/http"
	"testing"
	"time"

	"github.com/parleybot/parley/playground"
	"github.com/parleybot/parley/playground/web"
	"go.uber.org/goleak"

	// The platforms, their simulators and the modules the tests use.
	_ "github.com/parleybot/parley/modules/echo"
	_ "github.com/parleybot/parley/modules/moderation"
	_ "github.com/parleybot/parley/platform/olvid"
	_ "github.com/parleybot/parley/platform/olvid/olvidsim"
	_ "github.com/parleybot/parley/platform/privitty"
	_ "github.com/parleybot/parley/platform/privitty/privittysim"
	_ "github.com/parleybot/parley/platform/simplex"
	_ "github.com/parleybot/parley/platform/simplex/simplexsim"
	_ "github.com/parleybot/parley/platform/tada"
	_ "github.com/parleybot/parley/platform/tada/tadasim"
	_ "github.com/parleybot/parley/platform/virola"
	_ "github.com/parleybot/parley/platform/virola/virolasim"
)

func TestMain(m *testing.M) { goleak.VerifyTestMain(m) }

// waitTimeout bounds every wait for the bot; generous for a loaded machine.
const waitTimeout = 20 * time.Second

// start runs a playground of the configuration data until the test ends.
func start(t *testing.T, data []byte) *web.Playground {
	t.Helper()
	ctx, cancel := context.WithCancel(context.Background())
	pg, err := web.Start(ctx, data, "test.toml", web.WithListen("127.0.0.1:0"))
	if err != nil {
		cancel()
		t.Fatal(err)
	}
	t.Cleanup(func() {
		cancel()
		_ = pg.Wait()
	})
	return pg
}

// do posts an action and returns the ID it created.
func do(t *testing.T, pg *web.Playground, a playground.Action) string {
	t.Helper()
	b, _ := json.Marshal(a)
	resp, err := http.Post(pg.URL()+"api/do", "application/json", bytes.NewReader(b))
	if err != nil {
		t.Fatal(err)
	}
	defer resp.Body.Close()
	var out struct{ ID, Error string }
	_ = json.NewDecoder(resp.Body).Decode(&out)
	if resp.StatusCode != http.StatusOK {
		t.Fatalf("%s: %d %s", a.Kind, resp.StatusCode, out.Error)
	}
	return out.ID
}

// waitState polls the state until cond holds; the playground has a change
// stream, but polling its JSON API is what a script would do.
func waitState(t *testing.T, pg *web.Playground, what string, cond func(web.State) bool) web.State {
	t.Helper()
	deadline := time.Now().Add(waitTimeout)
	for {
		st := pg.State()
		if cond(st) {
			return st
		}
		if time.Now().After(deadline) {
			b, _ := json.MarshalIndent(st, "", " ")
			t.Fatalf("no sign of %s within %v; bots: %s", what, waitTimeout, b)
		}
		time.Sleep(5 * time.Millisecond)
	}
}

func person(st web.State, name string) (playground.Person, bool) {
	for _, p := range st.Bots[0].World.People {
		if p.Name == name {
			return p, true
		}
	}
	return playground.Person{}, false
}

func chatOf(st web.State, id string) (playground.Chat, bool) {
	for _, c := range st.Bots[0].World.Chats {
		if c.ID == id {
			return c, true
		}
	}
	return playground.Chat{}, false
}

func botSaid(st web.State, chat, text string) bool {
	c, ok := chatOf(st, chat)
	if !ok {
		return false
	}
	for _, m := range c.Messages {
		if m.Bot && m.Text == text {
			return true
		}
	}
	return false
}

var _ = fmt.Sprint
