package kit_test

import (
	"context"
	"errors"
	"fmt"
	"net"
	"strings"
	"testing"
	"time"

	"github.com/coder/websocket"
	"go.uber.org/zap"
	"go.uber.org/zap/zapcore"
	"go.uber.org/zap/zaptest/observer"
	"google.golang.org/grpc"
	"google.golang.org/grpc/credentials/insecure"
	"google.golang.org/protobuf/types/known/emptypb"

	"github.com/parleybot/parley/platform/kit"
)

func TestBackoffDoublesWithinJitterAndResets(t *testing.T) {
	b := kit.Backoff{Min: 100 * time.Millisecond, Max: 400 * time.Millisecond}
	for i, base := range []time.Duration{100, 200, 400, 400} {
		base *= time.Millisecond
		d := b.Next()
		if d < base/2 || d > base {
			t.Fatalf("delay %d = %v, want within [%v, %v]", i+1, d, base/2, base)
		}
	}
	if b.Attempt() != 4 {
		t.Fatalf("Attempt = %d, want 4", b.Attempt())
	}
	b.Reset()
	if d := b.Next(); d > 100*time.Millisecond || b.Attempt() != 1 {
		t.Fatalf("after Reset: delay %v attempt %d, want ≤100ms and 1", d, b.Attempt())
	}
}

func TestReconnectStopsOnPermanentError(t *testing.T) {
	bad := errors.New("bad token")
	calls := 0
	err := kit.Reconnect(context.Background(), &kit.Backoff{Min: time.Microsecond, Max: time.Microsecond}, nil, "test",
		func(ctx context.Context, useful func()) error {
			calls++
			if calls < 3 {
				return errors.New("connection refused")
			}
			return kit.Permanent(bad)
		})
	if !errors.Is(err, bad) || !kit.IsPermanent(err) || calls != 3 {
		t.Fatalf("Reconnect = %v after %d calls, want the permanent error after 3", err, calls)
	}
}

func TestReconnectResetsBackoffAfterUsefulWork(t *testing.T) {
	ctx, cancel := context.WithCancel(context.Background())
	defer cancel()
	b := &kit.Backoff{Min: time.Microsecond, Max: time.Millisecond}
	var attempts []int
	calls := 0
	err := kit.Reconnect(ctx, b, nil, "test", func(ctx context.Context, useful func()) error {
		calls++
		attempts = append(attempts, b.Attempt())
		switch {
		case calls == 3:
			useful()
		case calls == 5:
			cancel()
			return nil
		}
		return errors.New("dropped")
	})
	if err != nil {
		t.Fatalf("Reconnect after cancel = %v, want nil", err)
	}
	// Attempts seen by each session: 0, 1, 2, then reset by call 3's
	// useful work: 1, …
	want := []int{0, 1, 2, 1, 2}
	for i := range want {
		if attempts[i] != want[i] {
			t.Fatalf("attempt numbers %v, want %v", attempts, want)
		}
	}
}

// closedAddr returns a loopback address where nothing listens.
func closedAddr(t *testing.T) string {
	t.Helper()
	ln, err := net.Listen("tcp", "127.0.0.1:0")
	if err != nil {
		t.Fatal(err)
	}
	addr := ln.Addr().String()
	ln.Close()
	return addr
}

// reconnectLogs runs a Reconnector over sessions until each has run once,
// and returns its warnings.
func reconnectLogs(t *testing.T, hint string, sessions ...func(useful func()) error) []observer.LoggedEntry {
	t.Helper()
	core, logs := observer.New(zapcore.DebugLevel)
	ctx, cancel := context.WithCancel(context.Background())
	defer cancel()
	r := &kit.Reconnector{Backoff: &kit.Backoff{Min: time.Microsecond, Max: time.Microsecond}, Log: zap.New(core), What: "test", Hint: hint}
	calls := 0
	err := r.Run(ctx, func(ctx context.Context, useful func()) error {
		if calls == len(sessions) {
			cancel()
			return ctx.Err()
		}
		calls++
		return sessions[calls-1](useful)
	})
	if err != nil {
		t.Fatalf("Run = %v, want nil after cancel", err)
	}
	return logs.AllUntimed()
}

func TestReconnectSaysWhatToStartWhenRefused(t *testing.T) {
	addr := closedAddr(t)
	_, port, _ := net.SplitHostPort(addr)
	dialTCP := func(func()) error {
		c, err := net.Dial("tcp", addr)
		if err == nil {
			c.Close()
			return errors.New("something listens on the closed port")
		}
		return err
	}
	// The WebSocket client wraps the refusal in its own errors.
	dialWS := func(func()) error {
		c, _, err := websocket.Dial(context.Background(), "ws://"+addr, nil)
		if err == nil {
			c.CloseNow()
			return errors.New("something listens on the closed port")
		}
		return fmt.Errorf("simplex: dial: %w", err)
	}
	// gRPC reports the refusal as a status message, not a wrapped error.
	dialGRPC := func(func()) error {
		conn, err := grpc.NewClient(addr, grpc.WithTransportCredentials(insecure.NewCredentials()))
		if err != nil {
			return err
		}
		defer conn.Close()
		return conn.Invoke(context.Background(), "/test.Service/Ping", &emptypb.Empty{}, &emptypb.Empty{})
	}
	entries := reconnectLogs(t, "start the CLI: simplex-chat -p {port}", dialTCP, dialWS, dialGRPC)
	if len(entries) != 3 {
		t.Fatalf("%d entries, want 2: %v", len(entries), entries)
	}
	for i, e := range entries {
		m := e.ContextMap()
		wantMsg := fmt.Sprintf("test: cannot connect (attempt %d); retrying in ", i+1)
		if e.Level != zapcore.WarnLevel || !strings.HasPrefix(e.Message, wantMsg) || !strings.HasSuffix(e.Message, "s") {
			t.Errorf("entry %d: %v %q, want warn %q", i, e.Level, e.Message, wantMsg)
		}
		if m["hint"] != "start the CLI: simplex-chat -p "+port || m["attempt"] != int64(i+1) {
			t.Errorf("entry %d fields %v, want the hint with port %s and attempt %d", i, m, port, i+1)
		}
	}
}

func TestReconnectSaysConnectionLostOnlyAfterAConnection(t *testing.T) {
	addr := closedAddr(t)
	refusedDial := func(func()) error { _, err := net.Dial("tcp", addr); return err }
	entries := reconnectLogs(t, "",
		func(useful func()) error { useful(); return errors.New("EOF") }, // connected, then dropped
		refusedDial,
		func(func()) error { return errors.New("handshake failed") }, // never got going
	)
	want := []struct{ prefix, hint string }{
		{"test: connection lost (attempt 1)", ""},
		{"test: cannot connect (attempt 2)", "nothing listens at " + addr + ": start the server, or check the address in the configuration"},
		{"test: cannot connect (attempt 3)", ""},
	}
	if len(entries) != len(want) {
		t.Fatalf("%d entries, want %d: %v", len(entries), len(want), entries)
	}
	for i, w := range want {
		m := entries[i].ContextMap()
		hint, _ := m["hint"].(string)
		if !strings.HasPrefix(entries[i].Message, w.prefix) || hint != w.hint {
			t.Errorf("entry %d: %q hint %q, want %q… hint %q", i, entries[i].Message, hint, w.prefix, w.hint)
		}
	}
}

// After a connection that did useful work the Reconnector redials after
// Redial (jittered), not after the backoff's minimum; a dial that fails
// then goes through the backoff again. The delays are read from the log
// lines, so nothing waits for them.
func TestReconnectRedialsQuicklyAfterUsefulWork(t *testing.T) {
	core, logs := observer.New(zapcore.DebugLevel)
	ctx, cancel := context.WithCancel(context.Background())
	defer cancel()
	r := &kit.Reconnector{Backoff: &kit.Backoff{Min: time.Hour, Max: 2 * time.Hour}, Log: zap.New(core), What: "test",
		Redial: 40 * time.Millisecond}
	calls := 0
	err := r.Run(ctx, func(ctx context.Context, useful func()) error {
		calls++
		switch calls {
		case 1:
			useful()
			return errors.New("EOF")
		case 2:
			// The backoff's hour would run next: end the test in the
			// middle of it.
			go func() {
				for logs.Len() < 2 {
					time.Sleep(time.Millisecond)
				}
				cancel()
			}()
			return errors.New("handshake failed")
		}
		t.Errorf("session %d ran; the backoff's delay was not waited", calls)
		return nil
	})
	if err != nil {
		t.Fatalf("Run = %v, want nil after cancel", err)
	}
	entries := logs.AllUntimed()
	if len(entries) != 2 {
		t.Fatalf("%d entries, want 2: %v", len(entries), entries)
	}
	quick, _ := entries[0].ContextMap()["delay"].(time.Duration)
	if !strings.Contains(entries[0].Message, "connection lost") || quick < 20*time.Millisecond || quick > 40*time.Millisecond {
		t.Errorf("after useful work: %q delay %v, want connection lost and a delay within [20ms, 40ms]", entries[0].Message, quick)
	}
	slow, _ := entries[1].ContextMap()["delay"].(time.Duration)
	if !strings.Contains(entries[1].Message, "cannot connect") || slow < 30*time.Minute {
		t.Errorf("after a failed dial: %q delay %v, want cannot connect and the backoff's delay", entries[1].Message, slow)
	}
}

// Redial never exceeds a backoff minimum shorter than it.
func TestReconnectRedialIsAtMostTheBackoffMinimum(t *testing.T) {
	entries := reconnectLogs(t, "", func(useful func()) error { useful(); return errors.New("EOF") })
	if len(entries) != 1 {
		t.Fatalf("%d entries, want 1", len(entries))
	}
	if d, _ := entries[0].ContextMap()["delay"].(time.Duration); d > time.Microsecond {
		t.Errorf("delay %v, want at most the backoff's 1µs minimum", d)
	}
}
