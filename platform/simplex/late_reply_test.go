package simplex_test

import (
	"context"
	"errors"
	"strconv"
	"strings"
	"sync"
	"testing"
	"time"

	"github.com/coder/websocket"

	"github.com/parleybot/parley/bot"
	"github.com/parleybot/parley/platform/simplex"
	"github.com/parleybot/parley/platform/simplex/simplexsim"
)

// lateSend runs cmd on the simulator over a connection of its own, as the
// CLI runs a command read from a connection that died meanwhile.
func lateSend(sim *simplexsim.Sim, cmd simplex.Command) error {
	ctx, cancel := context.WithTimeout(context.Background(), waitTimeout)
	defer cancel()
	conn, _, err := websocket.Dial(ctx, sim.URL(), nil)
	if err != nil {
		return err
	}
	defer func() { _ = conn.CloseNow() }()
	s, err := cmd.Cmd()
	if err != nil {
		return err
	}
	data, err := simplex.EncodeCommand("late", s)
	if err != nil {
		return err
	}
	if err := conn.Write(ctx, websocket.MessageText, data); err != nil {
		return err
	}
	for {
		_, f, err := conn.Read(ctx)
		if err != nil {
			return err
		}
		if strings.Contains(string(f), `"corrId":"late"`) {
			return nil
		}
	}
}

// A reply whose outcome was unknown can land in the CLI after the
// catch-up read the chat (the CLI ran the command from the dead connection
// late): the reply to the event passed on again finds it then, and does
// not go twice.
func TestReplyLandingAfterCatchUpIsNotSentTwice(t *testing.T) {
	sim := startSim(t)
	alice, chat := connectAlice(t, sim)
	ref, err := simplex.ParseChatRef(chat)
	if err != nil {
		t.Fatal(err)
	}
	p := newTestPlatform(sim)
	var mu sync.Mutex
	attempts, finished := 0, 0
	var firstErr, lateErr error
	emit := func(e bot.Event) error {
		ev, ok := e.(*simplex.NewChatItems)
		if !ok {
			return nil
		}
		msgs := ev.Messages()
		if len(msgs) != 1 || msgs[0].Text != "hi" {
			return nil
		}
		m := msgs[0]
		out := bot.Outgoing{Text: "echo hi", ReplyTo: m.ID}
		go func() {
			mu.Lock()
			attempts++
			n := attempts
			mu.Unlock()
			var err error
			if n == 1 {
				// The reply is written, then its connection dies before
				// the CLI ran it: its outcome is unknown, and it is not
				// in the chat when the catch-up reads it.
				resume := sim.PauseCommands()
				ctx, cancel := context.WithTimeout(context.Background(), 200*time.Millisecond)
				_, err = p.Send(ctx, m.Chat.ID, out)
				cancel()
				sim.DropAfter(0)
				resume()
				mu.Lock()
				firstErr = err
				mu.Unlock()
			} else {
				// Passed on again: only now does the first reply land.
				id, _ := strconv.ParseInt(m.ID, 10, 64)
				lerr := lateSend(sim, simplex.APISendMessages{Chat: ref,
					Messages: []simplex.ComposedMessage{{QuotedItemID: id, MsgContent: simplex.TextContent("echo hi")}}})
				mu.Lock()
				lateErr = lerr
				mu.Unlock()
				_, err = p.Send(context.Background(), m.Chat.ID, out)
			}
			p.EventHandled(ev, err)
			mu.Lock()
			finished++
			mu.Unlock()
		}()
		return nil
	}
	listenWith(t, p, emit)
	eventually(t, "the bot to be ready", p.Ready)
	send(t, sim, alice.ContactID, "hi")
	eventually(t, "the message to be handled twice", func() bool {
		mu.Lock()
		defer mu.Unlock()
		return finished >= 2
	})
	mu.Lock()
	if !errors.Is(firstErr, bot.ErrOutcomeUnknown) {
		t.Errorf("first reply: %v, want an unknown outcome", firstErr)
	}
	if lateErr != nil {
		t.Errorf("the late reply: %v", lateErr)
	}
	mu.Unlock()
	if n := replies(sim, chat)["echo hi"]; n != 1 {
		t.Errorf("%d replies to the message, want 1", n)
	}
	if n := p.Stats().Reconciled; n != 1 {
		t.Errorf("Stats.Reconciled = %d, want 1", n)
	}
}

// A reply whose outcome was unknown is looked for once more before the
// reply to the event passed on again goes; when that look fails (the
// connection drops while it reads the chat), the new reply is held back
// with ErrNotSent instead of going blind, and the event, passed on once
// more, finds the earlier reply. Sent blind, it doubled a burst of one
// chat's replies in drop runs.
func TestReplyHeldBackWhenTheLookForAnUnsureReplyFails(t *testing.T) {
	sim := startSim(t)
	alice, chat := connectAlice(t, sim)
	ref, err := simplex.ParseChatRef(chat)
	if err != nil {
		t.Fatal(err)
	}
	p := newTestPlatform(sim)
	var mu sync.Mutex
	attempts, finished := 0, 0
	errs := map[int]error{}
	var lateErr error
	emit := func(e bot.Event) error {
		ev, ok := e.(*simplex.NewChatItems)
		if !ok {
			return nil
		}
		msgs := ev.Messages()
		if len(msgs) != 1 || msgs[0].Text != "hi" {
			return nil
		}
		m := msgs[0]
		out := bot.Outgoing{Text: "echo hi", ReplyTo: m.ID}
		// The catch-up that passed the message on reads the chat once
		// more after it; the failure below is for the look, not for it.
		reads := getChats(sim)
		go func() {
			mu.Lock()
			attempts++
			n := attempts
			mu.Unlock()
			var err error
			switch n {
			case 1:
				// Written, then the connection dies before the CLI ran it.
				resume := sim.PauseCommands()
				ctx, cancel := context.WithTimeout(context.Background(), 200*time.Millisecond)
				_, err = p.Send(ctx, m.Chat.ID, out)
				cancel()
				sim.DropAfter(0)
				resume()
			case 2:
				// The first reply lands late, and the look for it fails.
				for end := time.Now().Add(waitTimeout); getChats(sim) <= reads; {
					if time.Now().After(end) {
						t.Error("the catch-up did not read the chat after the message")
						break
					}
					time.Sleep(time.Millisecond)
				}
				id, _ := strconv.ParseInt(m.ID, 10, 64)
				lerr := lateSend(sim, simplex.APISendMessages{Chat: ref,
					Messages: []simplex.ComposedMessage{{QuotedItemID: id, MsgContent: simplex.TextContent("echo hi")}}})
				mu.Lock()
				lateErr = lerr
				mu.Unlock()
				if ferr := sim.FailNext("/_get chat", `{"type":"noConnection"}`); ferr != nil {
					t.Error(ferr)
				}
				_, err = p.Send(context.Background(), m.Chat.ID, out)
			default:
				_, err = p.Send(context.Background(), m.Chat.ID, out)
			}
			p.EventHandled(ev, err)
			mu.Lock()
			errs[n] = err
			finished++
			mu.Unlock()
		}()
		return nil
	}
	listenWith(t, p, emit)
	eventually(t, "the bot to be ready", p.Ready)
	send(t, sim, alice.ContactID, "hi")
	eventually(t, "the reply to be settled", func() bool {
		mu.Lock()
		defer mu.Unlock()
		return finished >= 2 && errs[finished] == nil
	})
	mu.Lock()
	if !errors.Is(errs[1], bot.ErrOutcomeUnknown) {
		t.Errorf("first reply: %v, want an unknown outcome", errs[1])
	}
	if lateErr != nil {
		t.Errorf("the late reply: %v", lateErr)
	}
	switch {
	case errs[2] == nil:
		// A second catch-up read the chat after the late reply landed
		// and found it before the look was needed.
		if n := p.Stats().Reconciled; n < 1 {
			t.Errorf("second reply went without a look (Stats.Reconciled = %d)", n)
		}
	case !errors.Is(errs[2], bot.ErrNotSent):
		t.Errorf("second reply: %v, want it held back with ErrNotSent", errs[2])
	}
	mu.Unlock()
	if n := replies(sim, chat)["echo hi"]; n != 1 {
		t.Errorf("%d replies to the message, want 1", n)
	}
}

// getChats counts the /_get chat commands the simulator ran.
func getChats(sim *simplexsim.Sim) int {
	n := 0
	sim.View(func(w *simplexsim.World) {
		for _, c := range w.Commands() {
			if strings.HasPrefix(c.Cmd, "/_get chat ") {
				n++
			}
		}
	})
	return n
}

// A drop leaves a chat's pipelined replies unsure, none of them run by
// the CLI. The look before the first goes again reads the chat to its
// end; the looks before the others read only what came after that, not
// the whole chat again each: with many replies unsure after each drop,
// reading the chat once per reply (and again at every retry) made a drop
// run slower than its frames between drops, and a socket cut every few
// hundred frames starved it.
func TestUnsureRepliesOfAChatShareTheirLook(t *testing.T) {
	sim := startSim(t)
	alice, chat := connectAlice(t, sim)
	p := newTestPlatform(sim)
	next := listenMessages(t, p, 1024)
	send(t, sim, alice.ContactID, "a", "b", "c")
	msgs := []bot.Message{next(), next(), next()}

	// The replies are written, then the connection drops before the CLI
	// ran any of them.
	resume := sim.PauseCommands()
	var wg sync.WaitGroup
	errs := make([]error, len(msgs))
	for i, m := range msgs {
		wg.Add(1)
		p.SendAsync(context.Background(), chat, bot.Outgoing{Text: "echo " + m.Text, ReplyTo: m.ID}, func(_ []string, err error) {
			errs[i] = err
			wg.Done()
		})
	}
	sim.DropAfter(0)
	wg.Wait()
	resume()
	for i, err := range errs {
		if !errors.Is(err, bot.ErrOutcomeUnknown) {
			t.Fatalf("reply %d: %v, want an unknown outcome", i, err)
		}
	}
	eventually(t, "the bot to reconnect", p.Ready)
	// Three pages of later messages: a look from the replies' messages
	// reads them all.
	filler := make([]string, 3*simplex.DefaultCatchUpPage)
	for i := range filler {
		filler[i] = "f" + strconv.Itoa(i)
	}
	send(t, sim, alice.ContactID, filler...)
	for range filler {
		next()
	}

	var reads []int
	for _, m := range msgs {
		before := getChats(sim)
		if _, err := p.Send(context.Background(), chat, bot.Outgoing{Text: "echo " + m.Text, ReplyTo: m.ID}); err != nil {
			t.Fatalf("reply to %s: %v", m.Text, err)
		}
		reads = append(reads, getChats(sim)-before)
	}
	if reads[0] < 4 {
		t.Errorf("the first look read %d pages, want the 4 from its message to the chat's end", reads[0])
	}
	for i, n := range reads[1:] {
		if n != 1 {
			t.Errorf("the look before reply %d read %d pages, want 1: the chat past the first look's end", i+2, n)
		}
	}
	for _, m := range msgs {
		if n := replies(sim, chat)["echo "+m.Text]; n != 1 {
			t.Errorf("%d replies to %s, want 1", n, m.Text)
		}
	}
}

// A reply whose outcome was unknown can land far past its message (the
// CLI ran it late, after more pages of messages than one look reads). The
// look that reads its page limit without reaching the chat's end holds
// the new reply back; the next look goes on from there, finds the earlier
// reply, and the message is answered once. Giving up at the page limit
// sent it twice in a one-chat drop run.
func TestLookForAnUnsureReplyGoesOnPastItsPageLimit(t *testing.T) {
	sim := startSim(t)
	alice, chat := connectAlice(t, sim)
	ref, err := simplex.ParseChatRef(chat)
	if err != nil {
		t.Fatal(err)
	}
	p := newTestPlatform(sim)
	next := listenMessages(t, p, 4096)
	send(t, sim, alice.ContactID, "hi")
	m := next()
	out := bot.Outgoing{Text: "echo hi", ReplyTo: m.ID}

	// Written, then the connection dies before the CLI ran it.
	resume := sim.PauseCommands()
	sctx, scancel := context.WithTimeout(context.Background(), 200*time.Millisecond)
	_, err = p.Send(sctx, chat, out)
	scancel()
	sim.DropAfter(0)
	resume()
	if !errors.Is(err, bot.ErrOutcomeUnknown) {
		t.Fatalf("first reply: %v, want an unknown outcome", err)
	}
	eventually(t, "the bot to reconnect", p.Ready)
	// More than a look's pages of messages, then the CLI runs the reply.
	// Sent in batches the bot's queue holds, so that none is left in
	// the CLI and fetched: only the looks read the chat.
	for i := range 25 {
		batch := make([]string, simplex.DefaultCatchUpPage)
		for j := range batch {
			batch[j] = "f" + strconv.Itoa(i*len(batch)+j)
		}
		send(t, sim, alice.ContactID, batch...)
		for range batch {
			next()
		}
	}
	id, _ := strconv.ParseInt(m.ID, 10, 64)
	if err := lateSend(sim, simplex.APISendMessages{Chat: ref,
		Messages: []simplex.ComposedMessage{{QuotedItemID: id, MsgContent: simplex.TextContent("echo hi")}}}); err != nil {
		t.Fatal(err)
	}

	if _, err := p.Send(context.Background(), chat, out); !errors.Is(err, bot.ErrNotSent) {
		t.Errorf("second reply: %v, want it held back with ErrNotSent", err)
	}
	if _, err := p.Send(context.Background(), chat, out); err != nil {
		t.Errorf("third reply: %v", err)
	}
	if n := replies(sim, chat)["echo hi"]; n != 1 {
		t.Errorf("%d replies to the message, want 1", n)
	}
	if n := p.Stats().Reconciled; n != 1 {
		t.Errorf("Stats.Reconciled = %d, want 1", n)
	}
}

// listenMessages runs p until the test ends, once it is ready, and
// returns the messages of its NewChatItems events one at a time, as they
// come (buf of them may wait).
func listenMessages(t *testing.T, p *simplex.Platform, buf int) (next func() bot.Message) {
	t.Helper()
	events := make(chan bot.Message, buf)
	emit := func(e bot.Event) error {
		if ev, ok := e.(*simplex.NewChatItems); ok {
			for _, m := range ev.Messages() {
				events <- m
			}
		}
		return nil
	}
	listenWith(t, p, emit)
	eventually(t, "the bot to be ready", p.Ready)
	return func() bot.Message {
		t.Helper()
		select {
		case m := <-events:
			return m
		case <-time.After(waitTimeout):
			t.Fatal("timed out waiting for a message")
			return bot.Message{}
		}
	}
}

// connectAlice makes alice a contact of the bot and returns her with her
// chat's id.
func connectAlice(t *testing.T, sim *simplexsim.Sim) (simplexsim.Connected, string) {
	t.Helper()
	alice, err := sim.ConnectContact("alice")
	if err != nil {
		t.Fatal(err)
	}
	return alice, "@" + strconv.FormatInt(alice.ContactID, 10)
}
