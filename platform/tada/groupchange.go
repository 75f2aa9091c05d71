package tada

import (
	"context"
	"encoding/json"
	"errors"
	"fmt"
	"maps"
	"net/http"
	"slices"

	"go.uber.org/zap"

	"github.com/parleybot/parley/bot"
)

// TypeGroupChanged is the Type of GroupChanged; it is not a wire name.
const TypeGroupChanged = "group.changed"

// Group statuses. tdproto documents "admin" and "member"; "owner" is the
// status of a group's creator where the server reports one. They are the
// role names bot.Sender.Role uses, as they are.
const (
	StatusOwner  = "owner"
	StatusAdmin  = "admin"
	StatusMember = "member"
)

// GroupChanged is a change of a group's membership that the Platform
// derives from server.chat.updated (Tada sends the whole chat, not the
// change): the bot added to a group, promoted, demoted or removed, and
// members who joined, left or changed status. Changes made while the bot
// was offline are found at the next start-up the same way.
//
// When the bot is added, By is the group's owner: the member with status
// "owner", or the only admin other than the bot where the group has no
// owner status. Tada does not say who added a member.
type GroupChanged struct {
	// Chat is the group as server.chat.updated (or the chat list at
	// start-up) showed it.
	Chat    Chat
	changes []bot.GroupChange
}

// Type returns "group.changed".
func (*GroupChanged) Type() string { return TypeGroupChanged }

// ChatKey returns the group's key, so that the change is handled in order
// with the group's messages.
func (e *GroupChanged) ChatKey() string { return ChatKeyOf(e.Chat.JID) }

// GroupChanges returns the changes, the bot's own first.
func (e *GroupChanged) GroupChanges() []bot.GroupChange { return e.changes }

// trackedGroup is what the Platform remembers of a group between
// updates: the bot's status ("" while it is not a member) and the members'
// statuses when the server listed them.
type trackedGroup struct {
	Status  string            `json:"status"`
	Members map[string]string `json:"members,omitempty"`
}

// groupTracker holds the bot's groups. groups is nil until the first
// start-up recorded a baseline (then nothing that was already there is
// reported as new). Guarded by Platform.mu.
type groupTracker struct {
	key    string // store key, set at start-up
	groups map[string]trackedGroup
	dirty  bool
}

// syncGroups runs at each start-up with the chat list: on the very first
// start it records the groups as they are; after that it emits the
// changes since the last time the bot looked (while it was offline or
// disconnected) before catch-up, so that messages of a group the bot was
// added to meanwhile reach a module that already took it on.
func (p *Platform) syncGroups(ctx context.Context, key string, chats []Chat, emit func(bot.Event) error) error {
	p.mu.Lock()
	loaded := p.groups.groups != nil
	p.mu.Unlock()
	if !loaded {
		base, err := p.loadGroups(ctx, key)
		if err != nil {
			return err
		}
		p.mu.Lock()
		p.groups.key = key
		if base != nil {
			p.groups.groups = base
		}
		p.mu.Unlock()
	}
	p.mu.Lock()
	first := p.groups.groups == nil
	if first {
		p.groups.groups = map[string]trackedGroup{}
	}
	p.mu.Unlock()
	events := p.groupEvents(ctx, chats, !first)
	if err := emitAll(events, emit); err != nil {
		return err
	}
	// A group missing from the list (which may be one page of it): ask
	// for it; gone or out of reach, the bot was removed or it was deleted.
	listed := make(map[string]bool, len(chats))
	for _, c := range chats {
		listed[c.JID] = true
	}
	var missing []string
	p.mu.Lock()
	for _, jid := range slices.Sorted(maps.Keys(p.groups.groups)) {
		if !listed[jid] && p.groups.groups[jid].Status != "" {
			missing = append(missing, jid)
		}
	}
	p.mu.Unlock()
	for _, jid := range missing {
		c, err := p.c.Chat(ctx, jid)
		var ae *APIError
		switch {
		case err == nil:
			err = emitAll(p.groupEvents(ctx, []Chat{*c}, !first), emit)
		case errors.As(err, &ae) && (ae.Code == CodeNotFound || ae.Code == CodeAccessDenied):
			p.mu.Lock()
			delete(p.groups.groups, jid)
			p.groups.dirty = true
			p.mu.Unlock()
			if !first {
				err = emit(&GroupChanged{Chat: Chat{JID: jid, ChatType: ChatGroup},
					changes: []bot.GroupChange{{Kind: bot.BotRemoved, Chat: bot.Chat{ID: jid, Kind: bot.Group}}}})
			} else {
				err = nil
			}
		}
		if err != nil {
			return err
		}
	}
	return p.saveGroups(ctx)
}

// onChatsUpdated keeps the member lists of server.chat.updated and emits
// the membership changes it shows.
func (p *Platform) onChatsUpdated(ctx context.Context, chats []Chat, emit func(bot.Event) error) error {
	p.mu.Lock()
	for _, c := range chats {
		p.noteChatLocked(c)
	}
	ready := p.groups.groups != nil
	p.mu.Unlock()
	if !ready {
		return nil
	}
	if err := emitAll(p.groupEvents(ctx, chats, true), emit); err != nil {
		return err
	}
	return p.saveGroups(ctx)
}

// forgetGroups drops deleted chats, so that being added again is news.
func (p *Platform) forgetGroups(ctx context.Context, chats []Chat) {
	p.mu.Lock()
	for _, c := range chats {
		if _, ok := p.groups.groups[c.JID]; ok {
			delete(p.groups.groups, c.JID)
			p.groups.dirty = true
		}
	}
	p.mu.Unlock()
	if err := p.saveGroups(ctx); err != nil {
		p.log.Warn("tada: saving the groups", zap.Error(err))
	}
}

func emitAll(events []bot.Event, emit func(bot.Event) error) error {
	for _, e := range events {
		if err := emit(e); err != nil {
			return err
		}
	}
	return nil
}

// groupEvents updates the tracker with the group chats of chats and, when
// report is set, returns their changes as events.
func (p *Platform) groupEvents(ctx context.Context, chats []Chat, report bool) []bot.Event {
	var out []bot.Event
	for _, c := range chats {
		if ChatTypeOf(c.JID) != ChatGroup {
			continue
		}
		p.mu.Lock()
		old, known := p.groups.groups[c.JID]
		p.mu.Unlock()
		if len(c.Members) == 0 && report && (!known || old.Status == "") && c.Status != "" {
			// A group new to the bot, listed without its members: ask,
			// for its owner.
			if ms, err := p.groupMembers(ctx, c.JID); err != nil {
				p.log.Warn("tada: listing a new group's members", zap.String("chat", c.JID), zap.Error(err))
			} else {
				c.Members = ms
			}
		}
		p.mu.Lock()
		now := p.trackLocked(c, old)
		changes := p.diffLocked(c, old, now)
		p.groups.groups[c.JID] = now
		if !sameGroup(old, now) {
			p.groups.dirty = true
		}
		p.mu.Unlock()
		if report && len(changes) > 0 {
			out = append(out, &GroupChanged{Chat: c, changes: changes})
		}
	}
	return out
}

// trackLocked is what c says of the group, keeping what it leaves out.
func (p *Platform) trackLocked(c Chat, old trackedGroup) trackedGroup {
	now := trackedGroup{Status: c.Status, Members: old.Members}
	if len(c.Members) > 0 {
		now.Members = make(map[string]string, len(c.Members))
		for _, m := range c.Members {
			now.Members[m.JID] = m.Status
		}
		// The member list is the better source of the bot's status: the
		// chat's own status may be missing or stale.
		now.Status = now.Members[p.me]
	} else if c.Status == "" {
		now.Status = old.Status
	}
	return now
}

// diffLocked lists the changes from old to now, the bot's first.
func (p *Platform) diffLocked(c Chat, old, now trackedGroup) []bot.GroupChange {
	chat := bot.Chat{ID: c.JID, Kind: bot.Group, Title: c.DisplayName}
	var out []bot.GroupChange
	switch {
	case old.Status == "" && now.Status != "":
		out = append(out, bot.GroupChange{Kind: bot.BotJoined, Chat: chat, Role: now.Status, By: p.ownerLocked(now)})
	case old.Status != "" && now.Status == "":
		return append(out, bot.GroupChange{Kind: bot.BotRemoved, Chat: chat})
	case old.Status != now.Status:
		out = append(out, bot.GroupChange{Kind: bot.BotRoleChanged, Chat: chat, Role: now.Status})
	}
	if old.Status == "" || old.Members == nil || now.Members == nil {
		return out // nothing to compare the members with
	}
	for _, jid := range slices.Sorted(maps.Keys(now.Members)) {
		if jid == p.me {
			continue
		}
		st, was := old.Members[jid]
		switch {
		case !was:
			out = append(out, bot.GroupChange{Kind: bot.MemberJoined, Chat: chat, Member: p.senderLocked(jid, now.Members[jid]), Role: now.Members[jid]})
		case st != now.Members[jid]:
			out = append(out, bot.GroupChange{Kind: bot.MemberRoleChanged, Chat: chat, Member: p.senderLocked(jid, now.Members[jid]), Role: now.Members[jid]})
		}
	}
	for _, jid := range slices.Sorted(maps.Keys(old.Members)) {
		if _, is := now.Members[jid]; !is && jid != p.me {
			out = append(out, bot.GroupChange{Kind: bot.MemberLeft, Chat: chat, Member: p.senderLocked(jid, old.Members[jid])})
		}
	}
	return out
}

// ownerLocked is the group's owner: the member with status "owner", or
// else the only admin besides the bot; zero when neither is clear.
func (p *Platform) ownerLocked(g trackedGroup) bot.Sender {
	var admins []string
	for _, jid := range slices.Sorted(maps.Keys(g.Members)) {
		switch {
		case jid == p.me:
		case g.Members[jid] == StatusOwner:
			return p.senderLocked(jid, StatusOwner)
		case g.Members[jid] == StatusAdmin:
			admins = append(admins, jid)
		}
	}
	if len(admins) == 1 {
		return p.senderLocked(admins[0], StatusAdmin)
	}
	return bot.Sender{}
}

func (p *Platform) senderLocked(jid, status string) bot.Sender {
	c := p.contacts[jid]
	return bot.Sender{ID: jid, Name: c.DisplayName, Role: status, IsBot: c.Botname != ""}
}

func sameGroup(a, b trackedGroup) bool {
	return a.Status == b.Status && maps.Equal(a.Members, b.Members)
}

// loadGroups reads the stored groups; nil when there are none yet.
func (p *Platform) loadGroups(ctx context.Context, key string) (map[string]trackedGroup, error) {
	st := p.opts.store
	if st == nil {
		return nil, nil
	}
	data, ok, err := st.Get(ctx, key)
	if err != nil {
		return nil, fmt.Errorf("tada: loading %s: %w", key, err)
	}
	if !ok {
		return nil, nil
	}
	out := map[string]trackedGroup{}
	if err := json.Unmarshal(data, &out); err != nil {
		// Unreadable: start a new baseline rather than report every
		// group as new.
		p.log.Warn("tada: stored groups unreadable; recording them again", zap.String("key", key), zap.Error(err))
		return nil, nil
	}
	return out, nil
}

// saveGroups writes the groups when they changed.
func (p *Platform) saveGroups(ctx context.Context) error {
	st := p.opts.store
	p.mu.Lock()
	if st == nil || !p.groups.dirty || p.groups.key == "" {
		p.mu.Unlock()
		return nil
	}
	data, err := json.Marshal(p.groups.groups)
	key := p.groups.key
	p.groups.dirty = false
	p.mu.Unlock()
	if err != nil {
		return fmt.Errorf("tada: encoding the groups: %w", err)
	}
	if err := st.Set(ctx, key, data, 0); err != nil {
		p.mu.Lock()
		p.groups.dirty = true
		p.mu.Unlock()
		return fmt.Errorf("tada: saving %s: %w", key, err)
	}
	return nil
}

// groupMembers lists a group's members. tdproto describes the answer as a
// list, tdclient reads {"members": [...]}: both are taken.
func (p *Platform) groupMembers(ctx context.Context, jid string) ([]GroupMember, error) {
	var raw json.RawMessage
	if err := p.c.callJSON(ctx, http.MethodGet, p.c.teamPath("groups", jid, "members"), nil, nil, &raw); err != nil {
		return nil, err
	}
	var list []GroupMember
	if err := json.Unmarshal(raw, &list); err == nil {
		return list, nil
	}
	var obj struct {
		Members []GroupMember `json:"members"`
	}
	if err := json.Unmarshal(raw, &obj); err != nil {
		return nil, fmt.Errorf("tada: group members of %s: %w", jid, err)
	}
	return obj.Members, nil
}
