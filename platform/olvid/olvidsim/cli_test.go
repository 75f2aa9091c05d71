package olvidsim_test

import (
	"context"
	"io"
	"strings"
	"sync"
	"testing"

	pb "github.com/parleybot/parley/platform/olvid/olvidpb"
	"github.com/parleybot/parley/platform/olvid/olvidsim"
	"github.com/parleybot/parley/registry"
)

type syncBuf struct {
	mu sync.Mutex
	b  strings.Builder
}

func (s *syncBuf) Write(p []byte) (int, error) {
	s.mu.Lock()
	defer s.mu.Unlock()
	return s.b.Write(p)
}

func (s *syncBuf) String() string {
	s.mu.Lock()
	defer s.mu.Unlock()
	return s.b.String()
}

// In interactive mode the terminal is a contact: typed lines reach the
// bot, the bot's messages to it are printed.
func TestInteract(t *testing.T) {
	if _, ok := registry.LookupSimulator("olvid"); !ok {
		t.Fatal(`"parley sim olvid" is not registered`)
	}
	s, conn := start(t)
	in, typing := io.Pipe()
	out := &syncBuf{}
	ctx, cancel := context.WithCancel(context.Background())
	done := make(chan error, 1)
	go func() { done <- s.Interact(ctx, false, in, out) }()
	defer func() {
		cancel()
		_ = typing.Close()
		<-done
	}()
	waitFor(t, func() bool { return strings.Contains(out.String(), "type a message") })
	if _, err := io.WriteString(typing, "hello bot\n"); err != nil {
		t.Fatal(err)
	}
	waitFor(t, func() bool {
		m, _, err := s.Message(&pb.MessageId{Type: pb.MessageId_TYPE_INBOUND, Id: 1})
		return err == nil && m.Body == "hello bot"
	})
	_, err := pb.NewMessageCommandServiceClient(conn).MessageSend(authed(s.ClientKey()), &pb.MessageSendRequest{DiscussionId: 1, Body: "hello human"})
	if err != nil {
		t.Fatal(err)
	}
	waitFor(t, func() bool { return strings.Contains(out.String(), "bot> hello human") })
	_ = olvidsim.DefaultClientKey
}
