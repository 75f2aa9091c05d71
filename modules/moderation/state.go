package moderation

import (
	"context"
	"encoding/json"
	"fmt"
	"slices"
	"strconv"
	"time"

	"go.uber.org/zap"

	"github.com/parleybot/parley/platform/simplex"
)

// groupState is what the store keeps for one moderated group, as JSON
// under "moderation:<bot>:group:<id>".
type groupState struct {
	ID    int64  `json:"id"`
	Name  string `json:"name"`
	Owner int64  `json:"owner"` // the inviting contact's id
	// BotRole is the bot's role in the group as last seen.
	BotRole        simplex.GroupMemberRole `json:"botRole"`
	Joined         bool                    `json:"joined"`
	Words          []string                `json:"words"`
	Patterns       []string                `json:"patterns"`
	Links          LinkPolicy              `json:"links"`
	AllowedDomains []string                `json:"allowedDomains"`
	FloodLimit     int                     `json:"floodLimit"`
	Action         Action                  `json:"action"`
	RemoveReported bool                    `json:"removeReported"`
	DryRun         bool                    `json:"dryRun"`
	Notify         bool                    `json:"notify"`
	Since          time.Time               `json:"since"`
	Counters       counters                `json:"counters"`
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
	checked int64            // messages checked since start
	acted   map[int64]Action // members already blocked or demoted
	// lastFail rate-limits failure notices, per action.
	lastFail map[string]time.Time
}

func newGroup(st groupState, log *zap.Logger) *group {
	g := &group{st: st, acted: map[int64]Action{}, lastFail: map[string]time.Time{}}
	g.compile(log)
	return g
}

// compile rebuilds the rules after a change. A stored pattern that no
// longer compiles is skipped, never fatal.
func (g *group) compile(log *zap.Logger) {
	patterns := g.st.Patterns[:0:0]
	for _, p := range g.st.Patterns {
		if _, err := compilePattern(p); err != nil {
			log.Warn("moderation: stored pattern skipped", zap.Int64("group", g.st.ID), zap.Error(err))
			continue
		}
		patterns = append(patterns, p)
	}
	r, err := NewRules(g.st.Words, patterns, g.st.Links, g.st.AllowedDomains)
	if err != nil {
		log.Warn("moderation: stored link policy unknown; links allowed", zap.Int64("group", g.st.ID), zap.Error(err))
		r, _ = NewRules(g.st.Words, patterns, LinksAllow, nil)
	}
	g.rules = r
}

// newGroupState starts a group's state from the defaults.
func newGroupState(s Settings, id int64, name string, owner int64, role simplex.GroupMemberRole, now time.Time) groupState {
	words := make([]string, 0, len(s.BannedWords))
	for _, w := range s.BannedWords {
		if n := normWord(w); n != "" && !slices.Contains(words, n) {
			words = append(words, n)
		}
	}
	return groupState{
		ID: id, Name: name, Owner: owner, BotRole: role,
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

func (m *Moderator) groupKey(id int64) string {
	return m.prefix + "group:" + strconv.FormatInt(id, 10)
}

func (m *Moderator) indexKey() string { return m.prefix + "groups" }

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
	var ids []int64
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
	groups := make(map[int64]*group, len(ids))
	for _, id := range ids {
		data, ok, err := m.store.Get(ctx, m.groupKey(id))
		if err != nil {
			return fmt.Errorf("moderation: loading group %d: %w", id, err)
		}
		if !ok {
			continue
		}
		st, err := decodeState(data)
		if err != nil {
			m.unreadable.Add(1)
			m.log.Warn("moderation: stored group unreadable; skipped", zap.Int64("group", id), zap.Error(err))
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
// state without an id is refused.
func decodeState(data []byte) (groupState, error) {
	var st groupState
	if err := json.Unmarshal(data, &st); err != nil {
		return groupState{}, err
	}
	if st.ID <= 0 {
		return groupState{}, fmt.Errorf("group state without an id")
	}
	return st, nil
}

// saveLocked writes one group through to the store.
func (m *Moderator) saveLocked(ctx context.Context, g *group) error {
	data, err := json.Marshal(&g.st)
	if err != nil {
		return err
	}
	if err := m.store.Set(ctx, m.groupKey(g.st.ID), data, 0); err != nil {
		return fmt.Errorf("moderation: saving group %d: %w", g.st.ID, err)
	}
	return nil
}

// addLocked stores a new group and adds it to the index.
func (m *Moderator) addLocked(ctx context.Context, g *group) error {
	if err := m.saveLocked(ctx, g); err != nil {
		return err
	}
	m.groups[g.st.ID] = g
	if !slices.Contains(m.index, g.st.ID) {
		m.index = append(m.index, g.st.ID)
		return m.saveIndexLocked(ctx)
	}
	return nil
}

// removeLocked forgets a group in memory and in the store.
func (m *Moderator) removeLocked(ctx context.Context, id int64) error {
	delete(m.groups, id)
	m.flood.forget(id)
	m.index = slices.DeleteFunc(m.index, func(x int64) bool { return x == id })
	if err := m.store.Delete(ctx, m.groupKey(id)); err != nil {
		return fmt.Errorf("moderation: deleting group %d: %w", id, err)
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
