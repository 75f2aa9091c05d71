package simplex_test

import (
	"context"
	"encoding/json"
	"errors"
	"fmt"
	"strconv"
	"strings"
	"sync"
	"sync/atomic"
	"testing"
	"time"

	"github.com/parleybot/parley/bot"
	"github.com/parleybot/parley/platform/simplex"
	"github.com/parleybot/parley/platform/simplex/simplexsim"
)

// waitTimeout bounds every wait on a condition in these tests.
const waitTimeout = 20 * time.Second

// startSim starts a simulator with a bot user and an auto-accepting
// address; it is closed when the test ends.
func startSim(t testing.TB, opts ...simplexsim.Option) *simplexsim.Sim {
	t.Helper()
	sim := simplexsim.New(append([]simplexsim.Option{simplexsim.WithBotName("parley"), simplexsim.WithAddress(true, "")}, opts...)...)
	if err := sim.Start(); err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() { _ = sim.Close() })
	return sim
}

// eventLog records frames and wakes waiters on every change.
type eventLog struct {
	mu     sync.Mutex
	frames []simplex.Frame
	wake   chan struct{}
}

func newEventLog() *eventLog { return &eventLog{wake: make(chan struct{})} }

func (l *eventLog) add(f simplex.Frame) error {
	l.mu.Lock()
	l.frames = append(l.frames, f)
	close(l.wake)
	l.wake = make(chan struct{})
	l.mu.Unlock()
	return nil
}

func (l *eventLog) snapshot() []simplex.Frame {
	l.mu.Lock()
	defer l.mu.Unlock()
	return append([]simplex.Frame(nil), l.frames...)
}

// wait returns the frames once cond holds for them.
func (l *eventLog) wait(t testing.TB, what string, cond func([]simplex.Frame) bool) []simplex.Frame {
	t.Helper()
	timer := time.NewTimer(waitTimeout)
	defer timer.Stop()
	for {
		l.mu.Lock()
		fs := l.frames
		ok := cond(fs)
		wake := l.wake
		l.mu.Unlock()
		if ok {
			return append([]simplex.Frame(nil), fs...)
		}
		select {
		case <-wake:
		case <-timer.C:
			t.Fatalf("timed out waiting for %s (%d events so far)", what, len(fs))
		}
	}
}

// texts returns the texts of the received messages among the frames.
func texts(fs []simplex.Frame) []string {
	var out []string
	for _, f := range fs {
		if e, ok := f.Resp.(*simplex.NewChatItems); ok {
			for _, m := range e.Messages() {
				out = append(out, m.Text)
			}
		}
	}
	return out
}

func hasText(want string) func([]simplex.Frame) bool {
	return func(fs []simplex.Frame) bool {
		for _, s := range texts(fs) {
			if s == want {
				return true
			}
		}
		return false
	}
}

// clientHarness runs a Client against a simulator for one test.
type clientHarness struct {
	c        *simplex.Client
	log      *eventLog
	connects chan bool // the first flag of every onConnect
}

// runClient starts c.Run with onEvent (the harness's log when nil) and
// stops it when the test ends, checking that Run returned cleanly.
func runClient(t *testing.T, url string, onEvent func(simplex.Frame) error, opts ...simplex.ClientOption) *clientHarness {
	t.Helper()
	h := &clientHarness{
		c:        simplex.NewClient(url, append(append([]simplex.ClientOption(nil), testClientOptions...), opts...)...),
		log:      newEventLog(),
		connects: make(chan bool, 16),
	}
	if onEvent == nil {
		onEvent = h.log.add
	}
	ctx, cancel := context.WithCancel(context.Background())
	done := make(chan error, 1)
	go func() {
		done <- h.c.Run(ctx, simplex.SinkFuncs{OnConnect: func(ctx context.Context, first bool) error {
			h.connects <- first
			return nil
		}, OnEvent: onEvent})
	}()
	t.Cleanup(func() {
		cancel()
		select {
		case err := <-done:
			if err != nil {
				t.Errorf("Run returned %v", err)
			}
		case <-time.After(waitTimeout):
			t.Error("Run did not return after its context ended")
		}
	})
	return h
}

// waitConnect waits for the next onConnect and returns its first flag.
func (h *clientHarness) waitConnect(t *testing.T) bool {
	t.Helper()
	select {
	case first := <-h.connects:
		return first
	case <-time.After(waitTimeout):
		t.Fatal("the client never connected")
		return false
	}
}

func callCtx(t *testing.T) context.Context {
	ctx, cancel := context.WithTimeout(context.Background(), waitTimeout)
	t.Cleanup(cancel)
	return ctx
}

func TestClientConcurrentCallsCorrelate(t *testing.T) {
	const n = 50
	sim := startSim(t)
	contacts := make([]int64, n)
	for i := range contacts {
		c, err := sim.ConnectContact(fmt.Sprintf("user%d", i))
		if err != nil {
			t.Fatal(err)
		}
		contacts[i] = c.ContactID
		if _, err := sim.ContactSend(c.ContactID, fmt.Sprintf("hello from %d", i)); err != nil {
			t.Fatal(err)
		}
	}
	h := runClient(t, sim.URL(), nil)
	h.waitConnect(t)
	ctx := callCtx(t)

	start := make(chan struct{})
	errs := make(chan error, 2*n)
	var wg sync.WaitGroup
	for i := range n {
		wg.Add(2)
		// Each goroutine asks about its own contact: only the response to
		// its own command can name that contact and carry its message.
		go func() {
			defer wg.Done()
			<-start
			r, err := simplex.Exec(ctx, h.c, simplex.APIGetChat{Chat: simplex.Direct(contacts[i]), Count: 10})
			if err != nil {
				errs <- err
				return
			}
			ci := r.Chat.ChatInfo.Contact
			if ci == nil || ci.ContactID != contacts[i] {
				errs <- fmt.Errorf("goroutine %d got the chat of %+v", i, ci)
				return
			}
			want := fmt.Sprintf("hello from %d", i)
			items := r.Chat.ChatItems
			if len(items) == 0 || items[len(items)-1].Meta.ItemText != want {
				errs <- fmt.Errorf("goroutine %d: last item is not %q", i, want)
			}
		}()
		go func() {
			defer wg.Done()
			<-start
			r, err := simplex.Exec(ctx, h.c, simplex.ShowActiveUser{})
			if err != nil {
				errs <- err
				return
			}
			if r.User.Profile.DisplayName != "parley" {
				errs <- fmt.Errorf("active user %q", r.User.Profile.DisplayName)
			}
		}()
	}
	close(start)
	wg.Wait()
	close(errs)
	for err := range errs {
		t.Error(err)
	}
	if got := h.c.DroppedFrames(); got != 0 {
		t.Errorf("DroppedFrames = %d, want 0", got)
	}
	// Every command went out under its own corrId.
	seen := map[string]bool{}
	sim.View(func(w *simplexsim.World) {
		for _, c := range w.Commands() {
			if seen[c.CorrID] {
				t.Errorf("corrId %q used twice", c.CorrID)
			}
			seen[c.CorrID] = true
		}
	})
	if len(seen) != 2*n {
		t.Errorf("the simulator saw %d commands, want %d", len(seen), 2*n)
	}
}

func TestClientCommandError(t *testing.T) {
	tests := []struct {
		name      string
		chatError string
		kind      string
		inner     string
		message   string
	}{
		{"store", `{"type":"errorStore","storeError":{"type":"userNotFound","userId":3}}`, simplex.ErrKindStore, "userNotFound", ""},
		{"command", `{"type":"error","errorType":{"type":"commandError","message":"Failed reading: empty"}}`, simplex.ErrKindError, "commandError", "Failed reading: empty"},
		{"agent", `{"type":"errorAgent","agentError":{"type":"BROKER","brokerAddress":"smp://x","brokerErr":{"type":"TIMEOUT"}},"agentConnId":"YWJj"}`, simplex.ErrKindAgent, "BROKER", ""},
		{"unknown kind", `{"type":"errorFromTheFuture","detail":{"x":1}}`, "errorFromTheFuture", "", ""},
	}
	sim := startSim(t)
	h := runClient(t, sim.URL(), nil)
	h.waitConnect(t)
	ctx := callCtx(t)
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			if err := sim.FailNext("/user", tt.chatError); err != nil {
				t.Fatal(err)
			}
			_, err := simplex.Exec(ctx, h.c, simplex.ShowActiveUser{})
			var ce *simplex.CommandError
			if !errors.As(err, &ce) {
				t.Fatalf("error %v (%T) is not a *CommandError", err, err)
			}
			if ce.Kind() != tt.kind || ce.InnerType() != tt.inner {
				t.Errorf("Kind/InnerType = %q/%q, want %q/%q", ce.Kind(), ce.InnerType(), tt.kind, tt.inner)
			}
			if got := ce.ChatError.Message(); got != tt.message {
				t.Errorf("Message = %q, want %q", got, tt.message)
			}
			if ce.Cmd != "/user" {
				t.Errorf("Cmd = %q", ce.Cmd)
			}
			if errors.Is(err, simplex.ErrOutcomeUnknown) || errors.Is(err, simplex.ErrNotSent) {
				t.Errorf("a refused command is neither unsent nor of unknown outcome: %v", err)
			}
			// The failure was one-shot: the next call succeeds.
			if _, err := simplex.Exec(ctx, h.c, simplex.ShowActiveUser{}); err != nil {
				t.Fatal(err)
			}
		})
	}
}

func TestClientProtocolErrorIsNotAnEvent(t *testing.T) {
	sim := startSim(t)
	h := runClient(t, sim.URL(), nil)
	h.waitConnect(t)
	// What the CLI answers to a frame it could not read: no corrId.
	bad := `{"resp":{"type":"chatCmdError","chatError":{"type":"error","errorType":{"type":"commandError","message":"invalid request"}}}}`
	if err := sim.EmitFrame([]byte(bad)); err != nil {
		t.Fatal(err)
	}
	if err := sim.EmitRaw(json.RawMessage(`{"type":"afterMarker"}`)); err != nil {
		t.Fatal(err)
	}
	fs := h.log.wait(t, "the marker event", func(fs []simplex.Frame) bool {
		return len(fs) > 0 && fs[len(fs)-1].Type == "afterMarker"
	})
	for _, f := range fs {
		if f.Type == simplex.TypeChatCmdError {
			t.Errorf("a corrId-less chatCmdError reached the event function: %s", f.Raw)
		}
	}
	if got := h.c.DroppedFrames(); got != 1 {
		t.Errorf("DroppedFrames = %d, want 1", got)
	}
	// A command still works, and no pending call was disturbed.
	if _, err := simplex.Exec(callCtx(t), h.c, simplex.ShowActiveUser{}); err != nil {
		t.Fatal(err)
	}
}

func TestClientMalformedFrameIsCountedNotFatal(t *testing.T) {
	sim := startSim(t)
	h := runClient(t, sim.URL(), nil)
	h.waitConnect(t)
	c, err := sim.ConnectContact("alice")
	if err != nil {
		t.Fatal(err)
	}
	if err := sim.SendMalformed(); err != nil {
		t.Fatal(err)
	}
	if _, err := sim.ContactSend(c.ContactID, "still here"); err != nil {
		t.Fatal(err)
	}
	fs := h.log.wait(t, "the message after the bad frames", hasText("still here"))
	var unknown *simplex.Unknown
	for _, f := range fs {
		if u, ok := f.Resp.(*simplex.Unknown); ok && u.Tag == simplexsim.UnknownEventType {
			unknown = u
		}
	}
	if unknown == nil {
		t.Error("the unknown event type was not passed on as *simplex.Unknown")
	} else if !strings.Contains(string(unknown.Raw), `"detail":{"n":1}`) {
		t.Errorf("the unknown event lost its fields: %s", unknown.Raw)
	}
	if got := h.c.DroppedFrames(); got != 1 {
		t.Errorf("DroppedFrames = %d, want 1 (the non-JSON frame only)", got)
	}
	if st := sim.Stats(); st.TotalConnections != 1 || h.c.Connects() != 1 {
		t.Errorf("the bad frame cost a connection: sim %d, client %d", st.TotalConnections, h.c.Connects())
	}
}

func TestClientOutcomeUnknownWhenDroppedAfterWrite(t *testing.T) {
	sim := startSim(t)
	h := runClient(t, sim.URL(), nil)
	h.waitConnect(t)
	// The response is held back until the simulator closes, so it cannot
	// arrive before the drop.
	sim.SetDelay(time.Hour)
	errc := make(chan error, 1)
	go func() {
		_, err := simplex.Exec(callCtx(t), h.c, simplex.ShowActiveUser{})
		errc <- err
	}()
	if err := sim.Wait(waitTimeout, func(w *simplexsim.World) bool { return w.Stats().Commands == 1 }); err != nil {
		t.Fatal("the command never reached the simulator: ", err)
	}
	sim.DropAfter(0)
	var err error
	select {
	case err = <-errc:
	case <-time.After(waitTimeout):
		t.Fatal("the call did not return after the drop")
	}
	if !errors.Is(err, simplex.ErrOutcomeUnknown) {
		t.Fatalf("err = %v, want ErrOutcomeUnknown", err)
	}
	if errors.Is(err, simplex.ErrNotSent) {
		t.Errorf("a written command was reported unsent: %v", err)
	}
}

func TestClientNotSentWhileDisconnected(t *testing.T) {
	expired := func() (context.Context, context.CancelFunc) {
		return context.WithDeadline(context.Background(), time.Now().Add(-time.Second))
	}
	t.Run("never connected", func(t *testing.T) {
		c := simplex.NewClient("ws://127.0.0.1:1")
		ctx, cancel := expired()
		defer cancel()
		_, err := c.Call(ctx, "/user")
		if !errors.Is(err, simplex.ErrNotSent) || errors.Is(err, simplex.ErrOutcomeUnknown) {
			t.Fatalf("err = %v, want ErrNotSent only", err)
		}
		if !errors.Is(err, context.DeadlineExceeded) {
			t.Errorf("err = %v does not wrap the context's error", err)
		}
	})
	t.Run("after the CLI went away", func(t *testing.T) {
		sim := startSim(t)
		h := runClient(t, sim.URL(), nil)
		h.waitConnect(t)
		if err := sim.Close(); err != nil {
			t.Fatal(err)
		}
		// Wait until the client has noticed: its calls fail fast after.
		ctx := callCtx(t)
		for h.c.Connected() {
			select {
			case <-ctx.Done():
				t.Fatal("the client never noticed the closed connection")
			case <-time.After(time.Millisecond):
			}
		}
		cctx, cancel := expired()
		defer cancel()
		_, err := h.c.Call(cctx, "/user")
		if !errors.Is(err, simplex.ErrNotSent) || errors.Is(err, simplex.ErrOutcomeUnknown) {
			t.Fatalf("err = %v, want ErrNotSent only", err)
		}
	})
}

func TestClientUsesOneSocket(t *testing.T) {
	sim := startSim(t)
	h := runClient(t, sim.URL(), nil)
	h.waitConnect(t)
	c, err := sim.ConnectContact("alice")
	if err != nil {
		t.Fatal(err)
	}
	ctx := callCtx(t)
	const rounds = 100
	var wg sync.WaitGroup
	errs := make(chan error, rounds)
	for i := range rounds {
		wg.Add(1)
		go func() {
			defer wg.Done()
			var err error
			if i%2 == 0 {
				_, err = simplex.Exec(ctx, h.c, simplex.SendText(simplex.Direct(c.ContactID), "hi "+strconv.Itoa(i), 0))
			} else {
				_, err = simplex.Exec(ctx, h.c, simplex.APIListContacts{UserID: 1})
			}
			errs <- err
		}()
		if _, err := sim.ContactSend(c.ContactID, "msg "+strconv.Itoa(i)); err != nil {
			t.Fatal(err)
		}
	}
	wg.Wait()
	close(errs)
	for err := range errs {
		if err != nil {
			t.Error(err)
		}
	}
	h.log.wait(t, "the last message", hasText("msg "+strconv.Itoa(rounds-1)))
	if st := sim.Stats(); st.TotalConnections != 1 || st.Connections != 1 {
		t.Errorf("the simulator saw %d connections (%d open), want exactly 1", st.TotalConnections, st.Connections)
	}
	if got := h.c.Connects(); got != 1 {
		t.Errorf("Connects = %d, want 1", got)
	}
}

func TestClientReconnectsAndEventsStayInOrder(t *testing.T) {
	sim := startSim(t)
	h := runClient(t, sim.URL(), nil)
	if !h.waitConnect(t) {
		t.Fatal("the first connection was not marked first")
	}
	c, err := sim.ConnectContact("alice")
	if err != nil {
		t.Fatal(err)
	}
	send := func(from, to int) {
		for i := from; i < to; i++ {
			if _, err := sim.ContactSend(c.ContactID, "m"+strconv.Itoa(i)); err != nil {
				t.Fatal(err)
			}
		}
	}
	send(0, 50)
	h.log.wait(t, "m49", hasText("m49"))
	sim.DropAfter(0)
	if h.waitConnect(t) {
		t.Error("the reconnection was marked first")
	}
	// Once the old connection is gone on the simulator's side, no event
	// can be taken by it and lost.
	if err := sim.Wait(waitTimeout, func(w *simplexsim.World) bool {
		st := w.Stats()
		return st.TotalConnections == 2 && st.Connections == 1
	}); err != nil {
		t.Fatal(err)
	}
	send(50, 100)
	fs := h.log.wait(t, "m99", hasText("m99"))
	got := texts(fs)
	if len(got) != 100 {
		t.Fatalf("received %d messages, want 100", len(got))
	}
	for i, s := range got {
		if s != "m"+strconv.Itoa(i) {
			t.Fatalf("message %d is %q: order broken", i, s)
		}
	}
	if _, err := simplex.Exec(callCtx(t), h.c, simplex.ShowActiveUser{}); err != nil {
		t.Fatal("command after reconnect: ", err)
	}
	if got := h.c.Connects(); got != 2 {
		t.Errorf("Connects = %d, want 2", got)
	}
}

func TestExecUnexpectedResponse(t *testing.T) {
	sim := startSim(t)
	h := runClient(t, sim.URL(), nil)
	h.waitConnect(t)
	if err := sim.ReplyNext("/_contacts", `{"type":"cmdOk"}`); err != nil {
		t.Fatal(err)
	}
	_, err := simplex.Exec(callCtx(t), h.c, simplex.APIListContacts{UserID: 1})
	var ue *simplex.UnexpectedResponseError
	if !errors.As(err, &ue) {
		t.Fatalf("err = %v (%T), want *UnexpectedResponseError", err, err)
	}
	if ue.Got == nil || ue.Got.Type() != "cmdOk" {
		t.Errorf("Got = %v, want the cmdOk response", ue.Got)
	}
	if ue.Cmd != "/_contacts 1" || !strings.Contains(ue.Want, "ContactsList") {
		t.Errorf("Cmd/Want = %q/%q", ue.Cmd, ue.Want)
	}
}

func TestClientReadsLargeFrames(t *testing.T) {
	const size, imageSize = 20 << 20, 3 << 19
	sim := startSim(t)
	h := runClient(t, sim.URL(), nil)
	h.waitConnect(t)
	// Megabytes of JSON are slow under the race detector on a busy machine.
	ctx, cancel := context.WithTimeout(context.Background(), 3*waitTimeout)
	defer cancel()

	// A large event: an unknown type with a 20 MB member.
	big := strings.Repeat("a", size)
	if err := sim.EmitRaw(json.RawMessage(`{"type":"hugeFutureEvent","blob":"` + big + `"}`)); err != nil {
		t.Fatal(err)
	}
	fs := h.log.wait(t, "the large event", func(fs []simplex.Frame) bool { return len(fs) > 0 && fs[len(fs)-1].Type == "hugeFutureEvent" })
	if u, ok := fs[len(fs)-1].Resp.(*simplex.Unknown); !ok || len(u.Raw) < size {
		t.Fatalf("the large event arrived as %T of %d bytes", fs[len(fs)-1].Resp, len(fs[len(fs)-1].Raw))
	}

	// A large response: the user with a profile image above a megabyte (the
	// simulator's own JSON handling makes 20 MB slow under -race).
	r, err := simplex.Exec(ctx, h.c, simplex.ShowActiveUser{})
	if err != nil {
		t.Fatal(err)
	}
	prof := simplex.Profile{DisplayName: r.User.Profile.DisplayName, Image: "data:image/png;base64," + strings.Repeat("QUFB", imageSize/4), PeerType: simplex.PeerBot}
	if _, err := h.c.Call(ctx, mustCmd(t, simplex.APIUpdateProfile{UserID: r.User.UserID, Profile: prof})); err != nil {
		t.Fatal(err)
	}
	r, err = simplex.Exec(ctx, h.c, simplex.ShowActiveUser{})
	if err != nil {
		t.Fatal(err)
	}
	if r.User.Profile.Image != prof.Image {
		t.Errorf("the image came back with %d bytes, want %d", len(r.User.Profile.Image), len(prof.Image))
	}
	if got := h.c.Connects(); got != 1 {
		t.Errorf("Connects = %d: a large frame cost the connection", got)
	}
}

// TestClientReadLimit shows what the read limit guards: a frame above it
// ends the connection, and the client reconnects.
func TestClientReadLimit(t *testing.T) {
	sim := startSim(t)
	h := runClient(t, sim.URL(), nil, simplex.WithReadLimit(1<<20))
	h.waitConnect(t)
	if err := sim.EmitRaw(json.RawMessage(`{"type":"hugeFutureEvent","blob":"` + strings.Repeat("a", 2<<20) + `"}`)); err != nil {
		t.Fatal(err)
	}
	h.waitConnect(t)
	for _, f := range h.log.snapshot() {
		if f.Type == "hugeFutureEvent" {
			t.Error("a frame above the read limit was delivered")
		}
	}
}

func mustCmd(t *testing.T, c simplex.Command) string {
	t.Helper()
	s, err := c.Cmd()
	if err != nil {
		t.Fatal(err)
	}
	return s
}

func TestClientEventsInOrder(t *testing.T) {
	sim := startSim(t)
	h := runClient(t, sim.URL(), nil)
	h.waitConnect(t)
	var ids []int64
	var cs []int64
	for _, name := range []string{"alice", "bob", "carol"} {
		c, err := sim.ConnectContact(name)
		if err != nil {
			t.Fatal(err)
		}
		cs = append(cs, c.ContactID)
	}
	const n = 600
	for i := range n {
		id, err := sim.ContactSend(cs[i%len(cs)], "m"+strconv.Itoa(i))
		if err != nil {
			t.Fatal(err)
		}
		ids = append(ids, id)
	}
	fs := h.log.wait(t, "every message", hasText("m"+strconv.Itoa(n-1)))
	var got []int64
	for _, f := range fs {
		if e, ok := f.Resp.(*simplex.NewChatItems); ok {
			for _, it := range e.ChatItems {
				got = append(got, it.ChatItem.Meta.ItemID)
			}
		}
	}
	if len(got) != n {
		t.Fatalf("received %d items, want %d", len(got), n)
	}
	for i := range got {
		if got[i] != ids[i] {
			t.Fatalf("item %d is %d, want %d: order broken", i, got[i], ids[i])
		}
	}
}

func TestSlowEventConsumerDoesNotBlockCommands(t *testing.T) {
	sim := startSim(t)
	release := make(chan struct{})
	var releaseOnce sync.Once
	unblock := func() { releaseOnce.Do(func() { close(release) }) }
	t.Cleanup(unblock)
	log := newEventLog()
	h := runClient(t, sim.URL(), func(f simplex.Frame) error {
		<-release
		return log.add(f)
	}, simplex.WithEventBuffer(4))
	h.waitConnect(t)
	c, err := sim.ConnectContact("alice")
	if err != nil {
		t.Fatal(err)
	}
	// Far more events than the client buffers: its reader must keep
	// reading past them for the response.
	const n = 500
	for i := range n {
		if _, err := sim.ContactSend(c.ContactID, "m"+strconv.Itoa(i)); err != nil {
			t.Fatal(err)
		}
	}
	errc := make(chan error, 1)
	go func() {
		_, err := simplex.Exec(callCtx(t), h.c, simplex.ShowActiveUser{})
		errc <- err
	}()
	select {
	case err := <-errc:
		if err != nil {
			t.Fatal(err)
		}
	case <-time.After(waitTimeout):
		t.Fatal("the command is stuck behind the blocked event consumer")
	}
	if got := len(log.snapshot()); got != 0 {
		t.Fatalf("the consumer ran %d times while blocked", got)
	}
	unblock()
	got := texts(log.wait(t, "every message", hasText("m"+strconv.Itoa(n-1))))
	if len(got) != n {
		t.Fatalf("received %d messages, want %d", len(got), n)
	}
	for i, s := range got {
		if s != "m"+strconv.Itoa(i) {
			t.Fatalf("message %d is %q", i, s)
		}
	}
}

// An event the CLI kept while no client was connected comes out on the
// next connection before any response; it must still wait for the
// start-up, which may load what decides whether it is new.
func TestClientHoldsEventsFromTheFirstRead(t *testing.T) {
	sim := startSim(t)
	c, err := sim.ConnectContact("alice")
	if err != nil {
		t.Fatal(err)
	}
	if _, err := sim.ContactSend(c.ContactID, "kept"); err != nil {
		t.Fatal(err)
	}
	if err := sim.Wait(waitTimeout, func(*simplexsim.World) bool { return sim.QueuedEvents() > 0 }); err != nil {
		t.Fatal(err)
	}
	cl := simplex.NewClient(sim.URL(), testClientOptions...)
	var started atomic.Bool
	early := make(chan string, 16)
	got := make(chan struct{})
	var once sync.Once
	ctx, cancel := context.WithCancel(context.Background())
	done := make(chan error, 1)
	go func() {
		done <- cl.Run(ctx, simplex.SinkFuncs{OnConnect: func(ctx context.Context, first bool) error {
			// The response comes after the kept events on the socket, so
			// they have been read by the time it is here.
			if _, err := simplex.Exec(ctx, cl, simplex.ShowActiveUser{}); err != nil {
				return err
			}
			started.Store(true)
			return nil
		}, OnEvent: func(f simplex.Frame) error {
			if !started.Load() {
				early <- f.Type
			}
			if e, ok := f.Resp.(*simplex.NewChatItems); ok && len(e.Messages()) > 0 {
				once.Do(func() { close(got) })
			}
			return nil
		}})
	}()
	select {
	case <-got:
	case <-time.After(waitTimeout):
		t.Fatal("the kept message never arrived")
	}
	cancel()
	if err := <-done; err != nil {
		t.Fatalf("Run returned %v", err)
	}
	close(early)
	for typ := range early {
		t.Errorf("event %q passed on before the start-up finished", typ)
	}
}

// A connection that dies while its start-up (the catch-up) still runs must
// fail its calls at once: a handler waiting on one would keep the bot's
// queue full and the catch-up, which feeds that queue, stuck behind it.
func TestLostConnectionFailsCallsAtOnceDuringStartUp(t *testing.T) {
	sim := startSim(t)
	cl := simplex.NewClient(sim.URL(), simplex.WithCallTimeout(time.Hour), simplex.WithBackoff(time.Millisecond, time.Millisecond))
	ctx, cancel := context.WithCancel(context.Background())
	release := make(chan struct{})
	inStartUp := make(chan struct{})
	done := make(chan error, 1)
	go func() {
		done <- cl.Run(ctx, simplex.SinkFuncs{OnConnect: func(ctx context.Context, first bool) error {
			if first {
				close(inStartUp)
				<-release // a catch-up blocked on a full queue
			}
			return nil
		}, OnEvent: func(simplex.Frame) error { return nil }})
	}()
	var once sync.Once
	unblock := func() { once.Do(func() { close(release) }) }
	t.Cleanup(func() {
		unblock()
		cancel()
		<-done
	})
	<-inStartUp
	sim.SetDelay(time.Hour) // the answer never comes on this connection
	pending := make(chan error, 1)
	go func() {
		_, err := simplex.Exec(ctx, cl, simplex.ShowActiveUser{})
		pending <- err
	}()
	if err := sim.Wait(waitTimeout, func(w *simplexsim.World) bool { return w.Stats().Commands >= 1 }); err != nil {
		t.Fatal(err)
	}
	sim.DropAfter(0)
	select {
	case err := <-pending:
		if !errors.Is(err, simplex.ErrOutcomeUnknown) || !errors.Is(err, bot.ErrOutcomeUnknown) {
			t.Fatalf("pending call: %v, want ErrOutcomeUnknown", err)
		}
	case <-time.After(waitTimeout):
		t.Fatal("a call pending on the dead connection did not fail while the start-up ran")
	}
	// The start-up is still running; a new call must not wait for the
	// next connection, which cannot come before it ends.
	_, err := simplex.Exec(ctx, cl, simplex.ShowActiveUser{})
	if !errors.Is(err, simplex.ErrNotSent) || !bot.Undelivered(err) {
		t.Fatalf("call after the loss: %v, want ErrNotSent", err)
	}
	unblock()
}
