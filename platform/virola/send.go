package virola

import (
	"context"
	"errors"
	"fmt"
	"os"
	"path/filepath"
	"strconv"
	"strings"
	"time"

	"go.uber.org/zap"

	"github.com/parleybot/parley/bot"
)

// sendLookBack is how many of a room's newest messages Send looks through
// when the event of its message did not come in time.
const sendLookBack = 50

func parseID(what, s string) (int64, error) {
	id, err := strconv.ParseInt(s, 10, 64)
	if err != nil || id <= 0 {
		return 0, fmt.Errorf("virola: %s id %q: want a positive decimal number", what, s)
	}
	return id, nil
}

// root returns the message a reply to id comments on: id itself, or its
// parent when id is a comment (discussions are one level deep).
func (p *Platform) root(id int64) int64 {
	p.mu.Lock()
	defer p.mu.Unlock()
	if parent := p.parents[id]; parent != 0 {
		return parent
	}
	return id
}

// Send implements bot.Platform. The text goes to the room, or, with a
// ReplyTo and WithReplyInThread (the default), as a comment on the message
// replied to, since Virola has no quoting. Files are attached to the new
// message afterwards.
//
// The server answers a post without the new message's id. Send waits for
// the server's TextMessagesCreated of the bot's own message (WithSendMatch;
// the socket's reader hands it over before any queued event; no wait when
// no socket is open), then looks through the room's newest messages; it
// returns the id it found. When neither finds it, the message was sent
// but Send returns no id (and no error), and the platform's Stats count it
// as unmatched.
func (p *Platform) Send(ctx context.Context, chatID string, m bot.Outgoing) ([]string, error) {
	room, err := parseID("room", chatID)
	if err != nil {
		return nil, err
	}
	var parent int64
	if m.ReplyTo != "" && p.o.replyInThread {
		id, err := parseID("reply-to message", m.ReplyTo)
		if err != nil {
			return nil, err
		}
		parent = p.root(id)
	}
	text := m.Text
	if text == "" {
		if len(m.Files) == 0 {
			return nil, errors.New("virola: nothing to send")
		}
		names := make([]string, len(m.Files))
		for i, f := range m.Files {
			names[i] = filepath.Base(f)
		}
		text = strings.Join(names, ", ")
	}
	if parent != 0 && len(m.Files) == 0 {
		id, err := p.sentBefore(ctx, chatID, m.ReplyTo, parent, text)
		if err != nil {
			return nil, err
		}
		if id != 0 {
			return []string{itoa(id)}, nil
		}
	}
	w := p.match.expect(room, parent, text)
	if parent != 0 {
		err = p.client.PostComment(ctx, parent, text)
	} else {
		err = p.client.SendMessage(ctx, room, text)
	}
	if err != nil {
		p.match.drop(w)
		return nil, err
	}
	id := p.await(ctx, w, room, parent)
	if id == 0 {
		p.unmatched.Add(1)
		if len(m.Files) > 0 {
			return nil, fmt.Errorf("virola: the message was sent but its id was not found; %d files not attached", len(m.Files))
		}
		return nil, nil
	}
	p.matched.Add(1)
	ids := []string{itoa(id)}
	if len(m.Files) == 0 {
		return ids, nil
	}
	ups := make([]Upload, 0, len(m.Files))
	for _, f := range m.Files {
		data, err := os.ReadFile(f)
		if err != nil {
			return ids, fmt.Errorf("virola: attaching %s: %w", f, err)
		}
		ups = append(ups, Upload{Name: filepath.Base(f), Data: data})
	}
	return ids, p.client.UploadAttachments(ctx, id, ups)
}

// sentBefore finds the reply to a message handled again because its
// earlier reply's outcome was lost (a drop cut the server's answer, or a
// crash came first): the bot's comment with the same text in the thread,
// not yet claimed by another reply. Its id stands for the new reply, so
// the reply is not posted twice. It returns 0 when the message was not
// left undelivered or no such comment is there; a failed look-up is an
// error (not sent), so the message is tried again rather than answered
// twice.
func (p *Platform) sentBefore(ctx context.Context, chat, replyTo string, parent int64, text string) (int64, error) {
	id, err := strconv.ParseInt(replyTo, 10, 64)
	if err != nil || !p.isUndelivered(chat, id) {
		return 0, nil
	}
	l, err := p.client.ListComments(ctx, parent, Page{Limit: sendLookBack, Direction: Backward})
	if err != nil {
		return 0, fmt.Errorf("%w: looking for an earlier reply to %s: %w", ErrNotSent, replyTo, err)
	}
	self := p.client.Self()
	p.mu.Lock()
	defer p.mu.Unlock()
	for _, c := range l.Messages {
		if c.UserID != self || c.Text != text || p.claimed[c.MessageID] {
			continue
		}
		if len(p.claimed) >= maxParents {
			clear(p.claimed)
		}
		p.claimed[c.MessageID] = true
		p.reconciled.Add(1)
		p.log.Debug("virola: reply found posted already; not posted again",
			zap.String("chat", chat), zap.String("replyTo", replyTo), zap.Int64("reply", c.MessageID))
		return c.MessageID, nil
	}
	return 0, nil
}

// await waits for the id of a sent message: from the event stream, else
// (in time, or at once when no socket can bring it) from the room's (or
// discussion's) newest messages.
func (p *Platform) await(ctx context.Context, w *waiter, room, parent int64) int64 {
	defer p.match.drop(w)
	t := time.NewTimer(p.o.sendMatch)
	defer t.Stop()
	select {
	case id := <-w.id:
		return id
	case <-w.gone:
	case <-ctx.Done():
	case <-t.C:
	}
	lctx := context.WithoutCancel(ctx)
	lctx, cancel := context.WithTimeout(lctx, p.o.callTimeout)
	defer cancel()
	var l *MessageList
	var err error
	if parent != 0 {
		l, err = p.client.ListComments(lctx, parent, Page{Limit: sendLookBack, Direction: Backward})
	} else {
		l, err = p.client.ListMessages(lctx, room, Page{Limit: sendLookBack, Direction: Backward})
	}
	if err != nil {
		p.log.Info("virola: looking up a sent message failed", zap.Error(err))
		return p.match.claim(w, nil, p.client.Self())
	}
	return p.match.claim(w, l.Messages, p.client.Self())
}

// Delete implements bot.Deleter: the bot's own messages, and others'
// where its rights allow.
func (p *Platform) Delete(ctx context.Context, chatID, msgID string) error {
	id, err := parseID("message", msgID)
	if err != nil {
		return err
	}
	return p.client.DeleteMessage(ctx, id)
}

// AcceptRequest implements bot.RequestAccepter for RoomCreated. Virola has
// no requests: whoever opens a private room with the bot, or adds it to a
// room, has already given it access, so accepting only sends the welcome.
func (p *Platform) AcceptRequest(ctx context.Context, r bot.Request, opts bot.AcceptOptions) error {
	e, ok := r.(*RoomCreated)
	if !ok {
		return fmt.Errorf("virola: cannot accept %s: %w", r.Type(), bot.ErrUnsupported)
	}
	if opts.Welcome == "" {
		return nil
	}
	_, err := p.Send(ctx, itoa(e.Room.RoomID), bot.Outgoing{Text: opts.Welcome})
	return err
}

// RejectRequest implements bot.RequestAccepter; Virola cannot refuse a
// room, so it returns an error wrapping bot.ErrUnsupported.
func (p *Platform) RejectRequest(ctx context.Context, r bot.Request) error {
	return fmt.Errorf("virola: a room cannot be refused: %w", bot.ErrUnsupported)
}

// peer finds the other user of a private room by the room's name, which
// is that user's display name; nil when the name is not unique or the
// users cannot be listed.
func (p *Platform) peer(ctx context.Context, name string) *User {
	us, err := p.client.ListUsers(ctx)
	if err != nil {
		return nil
	}
	var found *User
	p.mu.Lock()
	defer p.mu.Unlock()
	for i := range us {
		p.users[us[i].UserID] = us[i]
		if us[i].DisplayName == name && us[i].UserID != p.client.Self() {
			if found != nil {
				return nil
			}
			found = &us[i]
		}
	}
	return found
}
