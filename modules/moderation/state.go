package moderation

import (
	"context"
	"encoding/json"
	"fmt"
	"slices"
	"time"

	"go.uber.org/zap"
)

// groupState is what the store keeps for one moderated group, as JSON
// under "moderation:<bot>:chat:<chat id>".
type groupState struct {
	// Chat is the group's chat ID on the platform (bot.Chat.ID).
	Chat string `json:"chat"`
	// No is the group's number in owner commands, given in the order the
	// bot took groups on.
	No   int64  `json:"no"`
	Name string `json:"name"`
	// Owner is the owner's ID in direct chats (bot.Sender.ID of their
	// direct messages and requests): who may change the rules and gets
	// the notices.
	Owner string `json:"owner"`
	// OwnerMember is the owner's member ID in the group, when known:
	// exempt from the rules, and reachable with bot.PrivateSender.
	OwnerMember string `json:"ownerMember,omitempty"`
	// BotRole is the bot's role in the group as last seen; empty on
	// platforms without roles.
	BotRole        string     `json:"botRole"`
	Joined         bool       `json:"joined"`
	Words          []string   `json:"words"`
	Patterns       []string   `json:"patterns"`
	Links          LinkPolicy `json:"links"`
	AllowedDomains []string   `json:"allowedDomains"`
	FloodLimit     int        `json:"floodLimit"`
	Action         Action     `json:"action"`
	RemoveReported bool       `json:"removeReported"`
	DryRun         bool       `json:"dryRun"`
	Notify         bool       `json:"notify"`
	Since          time.Time  `json:"since"`
	Counters       counters   `json:"counters"`
}

// counters are a group's running totals since the bot joined it.
type counters struct {
	Deleted  int64 `json:"deleted"`
	Blocked  int64 `json:"blocked"`
	Removed  int64 `json:"removed"`
	Demoted  int64 `json:"demoted"`
	DryRuns  int64 `json:"dryRuns"` // violations reported in dry-run mode
	Reports  int64 `json:"reports"` // reports from members
	Failures int64 `json:"failures"`
}

// group is a moderated group in memory: its stored state, its compiled
// rules, and what only lives as long as the process.
type group struct {
	st      groupState
	rules   *Rules
	checked int64             // messages checked since start
	acted   map[string]Action // members already blocked or demoted
	// lastFail rate-limits failure notices, per action.
	lastFail map[string]time.Time
}

func newGroup(st groupState, log *zap.Logger) *group {
	g := &group{st: st, acted: map[string]Action{}, lastFail: map[string]time.Time{}}
	g.compile(log)
	return g
}

// compile rebuilds the rules after a change. A stored pattern that no
// longer compiles is skipped, never fatal.
func (g *group) compile(log *zap.Logger) {
	patterns := g.st.Patterns[:0:0]
	for _, p := range g.st.Patterns {
		if _, err := compilePattern(p); err != nil {
			log.Warn("moderation: stored pattern skipped", zap.Int64("group", g.st.No), zap.Error(err))
			continue
		}
		patterns = append(patterns, p)
	}
	r, err := NewRules(g.st.Words, patterns, g.st.Links, g.st.AllowedDomains)
	if err != nil {
		log.Warn("moderation: stored link policy unknown; links allowed", zap.Int64("group", g.st.No), zap.Error(err))
		r, _ = NewRules(g.st.Words, patterns, LinksAllow, nil)
	}
	g.rules = r
}

// newGroupState starts a group's state from the defaults.
func newGroupState(s Settings, chat, name, owner, role string, now time.Time) groupState {
	words := make([]string, 0, len(s.BannedWords))
	for _, w := range s.BannedWords {
		if n := normWord(w); n != "" && !slices.Contains(words, n) {
			words = append(words, n)
		}
	}
	return groupState{
		Chat: chat, Name: name, Owner: owner, BotRole: role,
		Words:          words,
		Patterns:       slices.Clone(s.BannedPatterns),
		Links:          s.Links,
		AllowedDomains: slices.Clone(s.AllowedDomains),
		FloodLimit:     s.FloodLimit,
		Action:         s.Action,
		RemoveReported: s.RemoveReported,
		DryRun:         s.DryRun,
		Notify:         s.Notify,
		Since:          now.UTC(),
	}
}

func (m *Moderator) groupKey(chat string) string { return m.prefix + "chat:" + chat }

// indexKey lists the moderated groups' chat IDs. (Versions that knew only
// SimpleX kept numeric ids under "groups"; those records are left alone.)
func (m *Moderator) indexKey() string { return m.prefix + "chats" }

// loadLocked reads the group index and every group once. Groups whose
// stored JSON cannot be read are logged and left in the store untouched.
func (m *Moderator) loadLocked(ctx context.Context) error {
	if m.loaded {
		return nil
	}
	data, ok, err := m.store.Get(ctx, m.indexKey())
	if err != nil {
		return fmt.Errorf("moderation: loading groups: %w", err)
	}
	var ids []string
	if ok {
		if err := json.Unmarshal(data, &ids); err != nil {
			// Keep the unreadable index aside rather than lose it, and
			// start over: the groups themselves are still stored.
			m.unreadable.Add(1)
			m.log.Warn("moderation: stored group index unreadable; kept aside, starting empty",
				zap.String("key", m.indexKey()+".unreadable"), zap.Error(err))
			if err := m.store.Set(ctx, m.indexKey()+".unreadable", data, 0); err != nil {
				return fmt.Errorf("moderation: keeping the unreadable group index: %w", err)
			}
			ids = nil
		}
	}
	groups := make(map[string]*group, len(ids))
	for _, id := range ids {
		data, ok, err := m.store.Get(ctx, m.groupKey(id))
		if err != nil {
			return fmt.Errorf("moderation: loading group %q: %w", id, err)
		}
		if !ok {
			continue
		}
		st, err := decodeState(data)
		if err == nil && st.Chat != id {
			err = fmt.Errorf("stored under chat %q but names chat %q", id, st.Chat)
		}
		if err != nil {
			m.unreadable.Add(1)
			m.log.Warn("moderation: stored group unreadable; skipped", zap.String("chat", id), zap.Error(err))
			continue
		}
		groups[id] = newGroup(st, m.log)
	}
	m.groups = groups
	m.index = ids
	m.loaded = true
	return nil
}

// decodeState reads a stored group; unknown fields are ignored, and a
// state without a chat or a number is refused.
func decodeState(data []byte) (groupState, error) {
	var st groupState
	if err := json.Unmarshal(data, &st); err != nil {
		return groupState{}, err
	}
	if st.Chat == "" || st.No <= 0 {
		return groupState{}, fmt.Errorf("group state without a chat or a number")
	}
	return st, nil
}

// saveLocked writes one group through to the store.
func (m *Moderator) saveLocked(ctx context.Context, g *group) error {
	data, err := json.Marshal(&g.st)
	if err != nil {
		return err
	}
	if err := m.store.Set(ctx, m.groupKey(g.st.Chat), data, 0); err != nil {
		return fmt.Errorf("moderation: saving group %d: %w", g.st.No, err)
	}
	return nil
}

// addLocked stores a new group, numbering it, and adds it to the index.
func (m *Moderator) addLocked(ctx context.Context, g *group) error {
	if g.st.No == 0 {
		for _, o := range m.groups {
			g.st.No = max(g.st.No, o.st.No)
		}
		g.st.No++
	}
	if err := m.saveLocked(ctx, g); err != nil {
		return err
	}
	m.groups[g.st.Chat] = g
	if !slices.Contains(m.index, g.st.Chat) {
		m.index = append(m.index, g.st.Chat)
		return m.saveIndexLocked(ctx)
	}
	return nil
}

// removeLocked forgets a group in memory and in the store.
func (m *Moderator) removeLocked(ctx context.Context, chat string) error {
	delete(m.groups, chat)
	m.flood.forget(chat)
	m.index = slices.DeleteFunc(m.index, func(x string) bool { return x == chat })
	if err := m.store.Delete(ctx, m.groupKey(chat)); err != nil {
		return fmt.Errorf("moderation: deleting group %q: %w", chat, err)
	}
	return m.saveIndexLocked(ctx)
}

func (m *Moderator) saveIndexLocked(ctx context.Context) error {
	data, err := json.Marshal(m.index)
	if err != nil {
		return err
	}
	if err := m.store.Set(ctx, m.indexKey(), data, 0); err != nil {
		return fmt.Errorf("moderation: saving group index: %w", err)
	}
	return nil
}
