package olvid

import (
	"context"
	"errors"
	"fmt"
	"os"
	"path/filepath"
	"regexp"
	"slices"
	"strconv"
	"time"
	"unicode/utf8"

	"go.uber.org/zap"

	"github.com/parleybot/parley/bot"
	"github.com/parleybot/parley/platform/kit"
	pb "github.com/parleybot/parley/platform/olvid/olvidpb"
)

// SplitText cuts text into parts of at most max bytes, at a line break or
// else a space in the second half of a part when there is one, and never
// inside a UTF-8 sequence. An empty text gives no parts.
func SplitText(text string, max int) []string {
	var parts []string
	for len(text) > max {
		cut := max
		for cut > 0 && !utf8.RuneStart(text[cut]) {
			cut--
		}
		if cut == 0 {
			cut = max // not UTF-8: cut at the limit
		}
		best := -1
		for i := cut - 1; i >= cut/2; i-- {
			if text[i] == '\n' {
				best = i
				break
			}
			if text[i] == ' ' && best < 0 {
				best = i
			}
		}
		if best > 0 {
			parts = append(parts, text[:best])
			text = text[best+1:]
			continue
		}
		parts = append(parts, text[:cut])
		text = text[cut:]
	}
	if text != "" {
		parts = append(parts, text)
	}
	return parts
}

// Send implements bot.Platform. Texts over the daemon's limit go as
// several messages, the first quoting m.ReplyTo; files go with the last
// part through the client-streaming upload. It returns the ids of what
// was sent ("o7"), also when a later part fails.
func (p *Platform) Send(ctx context.Context, chatID string, m bot.Outgoing) ([]string, error) {
	disc, err := ParseDiscussionID(chatID)
	if err != nil {
		return nil, err
	}
	var reply MessageID
	if m.ReplyTo != "" {
		if reply, err = ParseMessageID(m.ReplyTo); err != nil {
			return nil, err
		}
	}
	parts := SplitText(m.Text, p.o.maxText)
	if len(parts) == 0 && len(m.Files) == 0 {
		return nil, fmt.Errorf("olvid: nothing to send: %w", ErrInvalidArgument)
	}
	var ids []string
	for i, part := range parts {
		if len(m.Files) > 0 && i == len(parts)-1 {
			break
		}
		msg, err := p.sendText(ctx, SendMessage{DiscussionID: disc, Body: part, ReplyTo: reply})
		if err != nil {
			return ids, err
		}
		reply = MessageID{}
		ids = append(ids, IDOf(msg).String())
	}
	if len(m.Files) > 0 {
		body := ""
		if len(parts) > 0 {
			body = parts[len(parts)-1]
		}
		msg, err := p.sendFiles(ctx, SendMessage{DiscussionID: disc, Body: body, ReplyTo: reply}, m.Files)
		if err != nil {
			return ids, err
		}
		ids = append(ids, IDOf(msg).String())
	}
	return ids, nil
}

// sendText sends one text message. When its outcome is unknown (the
// connection dropped with the call in flight), the daemon may have sent
// it: the discussion is listed once the connection is back, and a message
// of the bot with the same body and quote, newer than the last one this
// process sent there, is taken as this one, so that handling the event
// again does not answer twice. If it is not found, the unknown outcome
// stands and the send is remembered as unsure: a command that reached the
// daemon is carried out even when its connection is gone, possibly after
// that listing, so the same send is looked for again before it is made
// again (see unsureSend).
func (p *Platform) sendText(ctx context.Context, s SendMessage) (*Message, error) {
	p.mu.Lock()
	after := p.lastSent[s.DiscussionID]
	since, unsure := p.unsureLocked(s)
	p.mu.Unlock()
	if unsure {
		found, ok, err := p.findSent(ctx, s, since)
		if err != nil {
			// Still cannot tell: sending could answer twice.
			return nil, err
		}
		if ok {
			p.reconciled.Add(1)
			p.log.Debug("olvid: a send whose outcome was unknown had reached the daemon; not sent again", zap.Uint64("discussion", s.DiscussionID), zap.Uint64("message", found.GetId().GetId()))
			p.sent(s, found)
			return found, nil
		}
		after = min(after, since)
	}
	msg, err := p.client.SendMessage(ctx, s)
	if err != nil && errors.Is(err, bot.ErrOutcomeUnknown) && ctx.Err() == nil {
		found, ok, ferr := p.findSent(ctx, s, after)
		switch {
		case ok:
			p.reconciled.Add(1)
			p.log.Debug("olvid: a send whose outcome was unknown had reached the daemon", zap.Uint64("discussion", s.DiscussionID), zap.Uint64("message", found.GetId().GetId()))
			msg, err = found, nil
		case ferr != nil:
			p.log.Debug("olvid: could not tell whether a send reached the daemon", zap.Uint64("discussion", s.DiscussionID), zap.Error(ferr))
		default:
			p.log.Debug("olvid: a send whose outcome was unknown is not in the discussion yet", zap.Uint64("discussion", s.DiscussionID), zap.Error(err))
		}
	}
	if err != nil && errors.Is(err, bot.ErrOutcomeUnknown) {
		p.noteUnsure(s, after)
		return msg, err
	}
	if err == nil {
		p.sent(s, msg)
	}
	return msg, err
}

// sendKey names a send: its discussion, quote and body. The body of a
// key made from a quote alone is empty (no text message has one).
type sendKey struct {
	disc  uint64
	reply MessageID
	body  string
}

// unsureLocked reports whether s may have been sent already, and after
// which message of the bot to look for it: an earlier send of it had an
// unknown outcome, or a catch-up found a reply of the bot quoting the
// message s quotes, which is passed on again as its handler failed (see
// fetchAfter).
func (p *Platform) unsureLocked(s SendMessage) (uint64, bool) {
	if after, ok := p.unsure[sendKey{s.DiscussionID, s.ReplyTo, s.Body}]; ok {
		return after, true
	}
	if s.ReplyTo != (MessageID{}) {
		after, ok := p.unsure[sendKey{disc: s.DiscussionID, reply: s.ReplyTo}]
		return after, ok
	}
	return 0, false
}

// noteUnsure remembers a send whose outcome stayed unknown.
func (p *Platform) noteUnsure(s SendMessage, after uint64) {
	k := sendKey{s.DiscussionID, s.ReplyTo, s.Body}
	p.mu.Lock()
	defer p.mu.Unlock()
	if old, ok := p.unsure[k]; ok {
		after = min(after, old)
	}
	p.boundUnsureLocked()
	p.unsure[k] = after
}

// noteReplied remembers that the bot's messages of a discussion quote a
// message that is passed on again, so that a reply to it is looked for
// before it is sent, until the message is handled.
func (p *Platform) noteReplied(disc uint64, msg MessageID) {
	p.mu.Lock()
	defer p.mu.Unlock()
	p.boundUnsureLocked()
	p.unsure[sendKey{disc: disc, reply: msg}] = 0
}

// sent records a message the bot sent (or found sent) for s.
func (p *Platform) sent(s SendMessage, msg *Message) {
	disc, id := s.DiscussionID, msg.GetId().GetId()
	p.mu.Lock()
	defer p.mu.Unlock()
	delete(p.unsure, sendKey{disc, s.ReplyTo, s.Body})
	if id <= p.lastSent[disc] {
		return
	}
	if len(p.lastSent) >= maxCached {
		clear(p.lastSent)
	}
	p.lastSent[disc] = id
}

// findAttempts bounds the listings of findSent, which wait for the
// connection at most a second in all: a handler must not hang on it.
const findAttempts = 6

// findSent looks for s among the bot's messages of its discussion newer
// than after, trying the listing again a few times while the connection
// is down; err is the listing's last error when none answered.
func (p *Platform) findSent(ctx context.Context, s SendMessage, after uint64) (*Message, bool, error) {
	ctx, cancel := context.WithTimeout(ctx, p.o.callTimeout)
	defer cancel()
	t := pb.MessageId_TYPE_OUTBOUND
	disc := s.DiscussionID
	b := kit.Backoff{Min: 10 * time.Millisecond, Max: 300 * time.Millisecond}
	for attempt := 1; ; attempt++ {
		out, err := p.client.ListMessages(ctx, &MessageFilter{Type: &t, DiscussionId: &disc}, false)
		if err == nil {
			var best *Message
			for _, m := range out {
				if m.GetId().GetId() <= after || m.GetBody() != s.Body || fromPB(m.GetRepliedMessageId()) != s.ReplyTo {
					continue
				}
				if best == nil || m.GetId().GetId() < best.GetId().GetId() {
					best = m
				}
			}
			return best, best != nil, nil
		}
		if !errors.Is(err, bot.ErrOutcomeUnknown) || attempt >= findAttempts || !kit.Sleep(ctx, b.Next()) {
			return nil, false, err
		}
	}
}

func (p *Platform) sendFiles(ctx context.Context, s SendMessage, paths []string) (*Message, error) {
	ups := make([]Upload, 0, len(paths))
	for _, path := range paths {
		f, err := os.Open(path)
		if err != nil {
			return nil, fmt.Errorf("olvid: %w", err)
		}
		defer f.Close()
		st, err := f.Stat()
		if err != nil {
			return nil, fmt.Errorf("olvid: %w", err)
		}
		ups = append(ups, Upload{Name: filepath.Base(path), Size: uint64(st.Size()), Data: f})
	}
	msg, _, err := p.client.SendWithAttachments(ctx, s, ups)
	return msg, err
}

// AcceptRequest implements bot.RequestAccepter for invitations that wait
// for the bot. With a welcome it waits (up to the accept wait) for the
// new discussion and sends the welcome there.
func (p *Platform) AcceptRequest(ctx context.Context, r bot.Request, opts bot.AcceptOptions) error {
	e, ok := r.(*InvitationReceived)
	if !ok {
		return fmt.Errorf("olvid: cannot accept %s: %w", r.Type(), bot.ErrUnsupported)
	}
	waits, group := e.Waiting()
	if !waits {
		return fmt.Errorf("olvid: invitation %d (%s) does not wait for the bot: %w", e.GetInvitation().GetId(), e.GetInvitation().GetStatus(), bot.ErrUnsupported)
	}
	var before map[uint64]bool
	if opts.Welcome != "" {
		ds, err := p.client.ListDiscussions(ctx, nil)
		if err != nil {
			return err
		}
		before = make(map[uint64]bool, len(ds))
		for _, d := range ds {
			before[d.GetId()] = true
		}
	}
	if err := p.client.AcceptInvitation(ctx, e.GetInvitation().GetId()); err != nil {
		return err
	}
	if opts.Welcome == "" {
		return nil
	}
	d, err := p.awaitDiscussion(ctx, before, group, e.GetInvitation().GetDisplayName())
	if err != nil {
		return err
	}
	_, err = p.Send(ctx, chatID(d), bot.Outgoing{Text: opts.Welcome})
	return err
}

// awaitDiscussion polls for a discussion that was not there before: a
// group's, or a contact's titled name.
func (p *Platform) awaitDiscussion(ctx context.Context, before map[uint64]bool, group bool, name string) (uint64, error) {
	t := pb.DiscussionFilter_TYPE_OTO
	filter := &DiscussionFilter{Type: &t}
	if group {
		t = pb.DiscussionFilter_TYPE_GROUP
	} else {
		title := "^" + regexp.QuoteMeta(name) + "$"
		filter.TitleSearch = &title
	}
	ctx, cancel := context.WithTimeout(ctx, p.o.acceptWait)
	defer cancel()
	b := kit.Backoff{Min: 10 * time.Millisecond, Max: time.Second}
	for {
		ds, err := p.client.ListDiscussions(ctx, filter)
		if err != nil && ctx.Err() == nil {
			return 0, err
		}
		for _, d := range ds {
			if !before[d.GetId()] {
				return d.GetId(), nil
			}
		}
		if !kit.Sleep(ctx, b.Next()) {
			return 0, fmt.Errorf("olvid: no new discussion for the accepted invitation within %s", p.o.acceptWait)
		}
	}
}

// RejectRequest implements bot.RequestAccepter: it declines the
// invitation.
func (p *Platform) RejectRequest(ctx context.Context, r bot.Request) error {
	e, ok := r.(*InvitationReceived)
	if !ok {
		return fmt.Errorf("olvid: cannot reject %s: %w", r.Type(), bot.ErrUnsupported)
	}
	return p.client.DeclineInvitation(ctx, e.GetInvitation().GetId())
}

// Delete implements bot.Deleter: the message is deleted everywhere (the
// bot's own, or a member's where the bot's group permissions allow).
func (p *Platform) Delete(ctx context.Context, _, msgID string) error {
	id, err := ParseMessageID(msgID)
	if err != nil {
		return err
	}
	return p.client.DeleteMessage(ctx, id, true)
}

// Edit implements bot.Editor for messages the bot sent.
func (p *Platform) Edit(ctx context.Context, _, msgID, text string) error {
	id, err := ParseMessageID(msgID)
	if err != nil {
		return err
	}
	return p.client.UpdateBody(ctx, id, text)
}

// React implements bot.Reactor; an empty emoji removes the bot's reaction.
func (p *Platform) React(ctx context.Context, _, msgID, emoji string) error {
	id, err := ParseMessageID(msgID)
	if err != nil {
		return err
	}
	return p.client.React(ctx, id, emoji)
}

// groupOf returns the group of a group chat, as the daemon has it now.
func (p *Platform) groupOf(ctx context.Context, chat string) (*Group, error) {
	disc, err := ParseDiscussionID(chat)
	if err != nil {
		return nil, err
	}
	ci, err := p.chatOf(ctx, disc)
	if err != nil {
		return nil, err
	}
	if ci.group == 0 {
		return nil, fmt.Errorf("olvid: chat %s is not a group: %w", chat, ErrInvalidArgument)
	}
	return p.client.GetGroup(ctx, ci.group)
}

func parseContact(memberID string) (uint64, error) {
	id, err := strconv.ParseUint(memberID, 10, 64)
	if err != nil || id == 0 {
		return 0, fmt.Errorf("olvid: member id %q: want a contact id", memberID)
	}
	return id, nil
}

// RemoveMember implements bot.MemberRemover with GroupUpdate (the bot
// must be a group admin).
func (p *Platform) RemoveMember(ctx context.Context, chat, memberID string) error {
	contact, err := parseContact(memberID)
	if err != nil {
		return err
	}
	g, err := p.groupOf(ctx, chat)
	if err != nil {
		return err
	}
	n := len(g.Members)
	g.Members = slices.DeleteFunc(g.Members, func(m *GroupMember) bool { return m.GetContactId() == contact })
	if len(g.Members) == n {
		return fmt.Errorf("olvid: contact %d is not a member of group %d: %w", contact, g.GetId(), ErrNotFound)
	}
	g, err = p.client.UpdateGroup(ctx, g)
	if err == nil {
		p.learnGroup(g)
	}
	return err
}

// SetMemberRole implements bot.RoleSetter with GroupUpdate: "admin",
// "moderator", "member" or "observer" (see PermissionsFor).
func (p *Platform) SetMemberRole(ctx context.Context, chat, memberID, role string) error {
	perms, err := PermissionsFor(role)
	if err != nil {
		return err
	}
	contact, err := parseContact(memberID)
	if err != nil {
		return err
	}
	g, err := p.groupOf(ctx, chat)
	if err != nil {
		return err
	}
	i := slices.IndexFunc(g.Members, func(m *GroupMember) bool { return m.GetContactId() == contact })
	if i < 0 {
		return fmt.Errorf("olvid: contact %d is not a member of group %d: %w", contact, g.GetId(), ErrNotFound)
	}
	g.Members[i].Permissions = perms
	g, err = p.client.UpdateGroup(ctx, g)
	if err == nil {
		p.learnGroup(g)
	}
	return err
}

// SendPrivate implements bot.PrivateSender: it writes to the member's
// one-to-one discussion, which exists only if they are a contact with
// one (ErrNotFound otherwise).
func (p *Platform) SendPrivate(ctx context.Context, _, memberID string, m bot.Outgoing) ([]string, error) {
	contact, err := parseContact(memberID)
	if err != nil {
		return nil, err
	}
	d, err := p.client.DiscussionByContact(ctx, contact)
	if err != nil {
		return nil, err
	}
	m.ReplyTo = "" // the quoted message is in another discussion
	return p.Send(ctx, chatID(d.GetId()), m)
}

// boundUnsureLocked starts the record of unsure sends over once it is
// full. A send forgotten so is no longer looked for before it is made
// again, so it is said. The caller holds p.mu.
func (p *Platform) boundUnsureLocked() {
	if len(p.unsure) < maxCached {
		return
	}
	p.log.Warn("olvid: too many sends of unknown outcome to remember; forgetting them, so one sent again may be doubled", zap.Int("forgotten", len(p.unsure)))
	clear(p.unsure)
}
