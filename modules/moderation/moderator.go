package moderation

import (
	"cmp"
	"context"
	"errors"
	"fmt"
	"slices"
	"strconv"
	"strings"
	"sync"
	"sync/atomic"
	"time"

	"go.uber.org/zap"

	"github.com/parleybot/parley/bot"
	"github.com/parleybot/parley/platform/simplex"
	"github.com/parleybot/parley/registry"
	"github.com/parleybot/parley/router"
	"github.com/parleybot/parley/store"
)

// failureNoticeEvery rate-limits notices about the same failing action in
// one group, so a flood the bot cannot stop does not flood the owner too.
const failureNoticeEvery = 10 * time.Minute

// Option tunes a Moderator.
type Option func(*Moderator)

// WithClock sets the time source of the flood limit and of notice rate
// limits (default time.Now); tests step a fake clock instead of sleeping.
func WithClock(now func() time.Time) Option {
	return func(m *Moderator) {
		if now != nil {
			m.now = now
		}
	}
}

// Moderator moderates the SimpleX groups its bot is invited to. Build one
// with New and register its routes with Setup; it implements
// registry.Module.
type Moderator struct {
	settings Settings
	now      func() time.Time

	store  store.Store
	log    *zap.Logger
	prefix string // store key prefix, "moderation:<bot>:"
	setup  atomic.Bool

	mu     sync.Mutex
	loaded bool
	groups map[int64]*group
	index  []int64 // group ids, in the order the bot joined them
	flood  *floodCounter

	unreadable atomic.Int64
}

// New returns a Moderator with s as the defaults of every group it joins.
// Start from DefaultSettings; empty enumerations count as their defaults.
// Setup validates s.
func New(s Settings, opts ...Option) *Moderator {
	m := &Moderator{
		settings: s.withDefaults(),
		now:      time.Now,
		groups:   map[int64]*group{},
		flood:    newFloodCounter(),
		log:      zap.NewNop(),
	}
	for _, o := range opts {
		o(m)
	}
	return m
}

// Setup registers the moderator's routes on r: group invitations, the
// bot's membership and role changes, group messages and edits, and the
// owner commands in direct chats. It fails unless the platform is
// SimpleX and the settings are valid. Without env.Store the state lives
// in memory. A Moderator is set up once.
//
// Its routes take every received message in the groups it moderates and
// the owner commands of their owners; register it before catch-all
// modules.
func (m *Moderator) Setup(env registry.ModuleEnv, r *router.Router) error {
	if err := m.settings.Validate(); err != nil {
		return fmt.Errorf("moderation: %w", err)
	}
	if env.Platform == nil || env.Platform.Name() != "simplex" {
		name := "none"
		if env.Platform != nil {
			name = env.Platform.Name()
		}
		return fmt.Errorf("moderation: moderates SimpleX groups and needs the simplex platform, not %s", name)
	}
	if !m.setup.CompareAndSwap(false, true) {
		return errors.New("moderation: Setup called twice on one Moderator")
	}
	m.store = env.Store
	if m.store == nil {
		m.store = store.NewMemory()
	}
	if env.Logger != nil {
		m.log = env.Logger
	}
	botName := env.BotName
	if botName == "" {
		botName = env.Platform.Name()
	}
	m.prefix = "moderation:" + botName + ":"

	router.On(r, m.onInvitation)
	router.On(r, m.onJoined, m.managed(func(e bot.Event) int64 { return e.(*simplex.UserJoinedGroup).GroupInfo.GroupID }))
	router.On(r, m.onRole, m.managed(func(e bot.Event) int64 { return e.(*simplex.MemberRole).GroupInfo.GroupID }))
	router.On(r, func(c *bot.Context, e *simplex.DeletedMemberUser) error {
		return m.onGone(c, &e.GroupInfo, "I was removed from")
	}, m.managed(func(e bot.Event) int64 { return e.(*simplex.DeletedMemberUser).GroupInfo.GroupID }))
	router.On(r, func(c *bot.Context, e *simplex.GroupDeleted) error {
		return m.onGone(c, &e.GroupInfo, "The owner deleted")
	}, m.managed(func(e bot.Event) int64 { return e.(*simplex.GroupDeleted).GroupInfo.GroupID }))
	router.On(r, func(c *bot.Context, e *simplex.MemberBlockedForAll) error {
		if !e.Blocked {
			m.forgetActed(e.GroupInfo.GroupID, e.Member.GroupMemberID, ActionBlock)
		}
		return nil
	}, m.managed(func(e bot.Event) int64 { return e.(*simplex.MemberBlockedForAll).GroupInfo.GroupID }))
	router.On(r, m.onNewItems, m.hasGroupMessage)
	router.On(r, m.onUpdated, m.hasGroupMessage)
	m.registerCommands(r)
	return nil
}

// Unreadable returns how many stored records could not be read and were
// skipped (and kept) since the Moderator started.
func (m *Moderator) Unreadable() int64 { return m.unreadable.Load() }

// ensureLoaded loads the stored groups on first use.
func (m *Moderator) ensureLoaded(ctx context.Context) error {
	m.mu.Lock()
	defer m.mu.Unlock()
	return m.loadLocked(ctx)
}

// managed matches events about a group the moderator manages.
func (m *Moderator) managed(groupID func(bot.Event) int64) router.Filter {
	return func(c *bot.Context) bool {
		if err := m.ensureLoaded(c.Context()); err != nil {
			c.Logger().Warn("moderation: state unavailable", zap.Error(err))
			return false
		}
		id := groupID(c.Event())
		m.mu.Lock()
		defer m.mu.Unlock()
		return m.groups[id] != nil
	}
}

// groupMessage reports whether a is a member's message in the main chat
// of a group (not a support chat, not the bot's own). Reports count in
// any scope, since chat cores may file them apart for moderators.
func groupMessage(a *simplex.AChatItem) bool {
	ci := &a.ChatInfo
	it := &a.ChatItem
	if ci.Type != simplex.ChatInfoGroup || ci.GroupInfo == nil || !it.Content.IsMessage() ||
		it.ChatDir.Type != simplex.DirGroupRcv || it.ChatDir.GroupMember == nil {
		return false
	}
	return ci.GroupChatScope == nil || it.Content.MsgContent.Type == simplex.MsgReport
}

// hasGroupMessage matches message events with a member's message in a
// moderated group.
func (m *Moderator) hasGroupMessage(c *bot.Context) bool {
	var items []simplex.AChatItem
	switch e := c.Event().(type) {
	case *simplex.NewChatItems:
		items = e.ChatItems
	case *simplex.ChatItemUpdated:
		items = []simplex.AChatItem{e.ChatItem}
	default:
		return false
	}
	if err := m.ensureLoaded(c.Context()); err != nil {
		c.Logger().Warn("moderation: state unavailable", zap.Error(err))
		return false
	}
	m.mu.Lock()
	defer m.mu.Unlock()
	for i := range items {
		if groupMessage(&items[i]) && m.groups[items[i].ChatInfo.GroupInfo.GroupID] != nil {
			return true
		}
	}
	return false
}

// view is a copy of what handling one message needs, taken under the lock.
type view struct {
	id, owner      int64
	name           string
	role           simplex.GroupMemberRole
	action         Action
	floodLimit     int
	dryRun, notify bool
	removeReported bool
	rules          *Rules
}

func (g *group) view() view {
	return view{id: g.st.ID, owner: g.st.Owner, name: g.st.Name, role: g.st.BotRole, action: g.st.Action,
		floodLimit: g.st.FloodLimit, dryRun: g.st.DryRun, notify: g.st.Notify,
		removeReported: g.st.RemoveReported, rules: g.rules}
}

// tell sends text to a contact; 0 (no known owner) sends nothing.
func tell(c *bot.Context, contactID int64, text string) error {
	if contactID <= 0 {
		return nil
	}
	_, err := c.Send(simplex.Direct(contactID).String(), bot.Outgoing{Text: text})
	if err != nil {
		return fmt.Errorf("moderation: notice to the owner: %w", err)
	}
	return nil
}

// ---- invitations and membership ----

func (m *Moderator) onInvitation(c *bot.Context, e *simplex.ReceivedGroupInvitation) error {
	cl := simplex.ClientOf(c)
	if cl == nil {
		return errors.New("moderation: invitation from a platform other than simplex")
	}
	if err := m.ensureLoaded(c.Context()); err != nil {
		return err
	}
	gid, inviter := e.GroupInfo.GroupID, e.Contact.ContactID
	name := e.GroupInfo.DisplayName()
	log := c.Logger().With(zap.Int64("group", gid), zap.Int64("inviter", inviter), zap.String("role", string(e.MemberRole)))
	s := m.settings
	if len(s.Inviters) > 0 && !slices.ContainsFunc(s.Inviters, func(id string) bool {
		n, err := strconv.ParseInt(strings.TrimSpace(id), 10, 64)
		return err == nil && n == inviter
	}) {
		log.Info("moderation: invitation refused: inviter not allowed")
		return tell(c, inviter, fmt.Sprintf("Thanks for inviting me to %s, but I only moderate groups for the people my operator has allowed.", name))
	}
	if !simplex.RoleAtLeast(e.FromMemberRole, simplex.RoleAdmin) {
		log.Info("moderation: invitation refused: inviter is not owner or admin", zap.String("inviter_role", string(e.FromMemberRole)))
		return tell(c, inviter, fmt.Sprintf("Only an owner or admin of %s can invite me to moderate it; you are %s there.", name, roleName(e.FromMemberRole)))
	}
	if !simplex.RoleAtLeast(e.MemberRole, s.MinRole) {
		log.Info("moderation: invitation refused: role too low")
		return tell(c, inviter, fmt.Sprintf("You invited me to %s as %s, but I need the %s role (or higher) to moderate it. "+
			"Please invite me again as %s.", name, roleName(e.MemberRole), s.MinRole, s.MinRole))
	}
	_, err := simplex.Exec(c.Context(), cl, simplex.APIJoinGroup{GroupID: gid})
	if err != nil && !simplex.IsStoreError(err, "groupAlreadyJoined") {
		log.Warn("moderation: joining the group failed", zap.Error(err))
		return errors.Join(fmt.Errorf("moderation: join group %d: %w", gid, err),
			tell(c, inviter, fmt.Sprintf("I could not join %s (%s). Please invite me again.", name, errorKind(err))))
	}
	m.mu.Lock()
	g := m.groups[gid]
	if g != nil {
		// Invited again into a group it still knows: keep its rules.
		g.st.Owner, g.st.BotRole, g.st.Name = inviter, e.MemberRole, name
	} else {
		g = newGroup(newGroupState(s, gid, name, inviter, e.MemberRole, m.now()), m.log)
	}
	err = m.addLocked(c.Context(), g)
	rules := describeRules(&g.st)
	m.mu.Unlock()
	if err != nil {
		return err
	}
	log.Info("moderation: joined group")
	var b strings.Builder
	fmt.Fprintf(&b, "I joined %s as %s and will moderate it.\n%s", name, roleName(e.MemberRole), rules)
	if need := actionRole[g.st.Action]; !simplex.RoleAtLeast(e.MemberRole, need) {
		fmt.Fprintf(&b, "\nNote: to %s members I need the %s role.", actionVerb(g.st.Action), need)
	}
	b.WriteString("\nSend /help for the commands.")
	return tell(c, inviter, b.String())
}

func (m *Moderator) onJoined(c *bot.Context, e *simplex.UserJoinedGroup) error {
	m.mu.Lock()
	defer m.mu.Unlock()
	g := m.groups[e.GroupInfo.GroupID]
	if g == nil {
		return nil
	}
	g.st.Joined = true
	if r := e.GroupInfo.Membership.MemberRole; r != "" {
		g.st.BotRole = r
	}
	return m.saveLocked(c.Context(), g)
}

// isBot reports whether member is the bot's own membership of the group.
func isBot(gi *simplex.GroupInfo, member *simplex.GroupMember) bool {
	if member.MemberCategory == "user" {
		return true
	}
	own := gi.Membership.GroupMemberID
	return own != 0 && own == member.GroupMemberID
}

// forgetActed lets the bot act again on a member whom an admin unblocked
// or promoted back.
func (m *Moderator) forgetActed(gid, member int64, undone Action) {
	m.mu.Lock()
	defer m.mu.Unlock()
	if g := m.groups[gid]; g != nil && g.acted[member] == undone {
		delete(g.acted, member)
	}
}

func (m *Moderator) onRole(c *bot.Context, e *simplex.MemberRole) error {
	if !isBot(&e.GroupInfo, &e.Member) {
		if e.ToRole != simplex.RoleObserver {
			m.forgetActed(e.GroupInfo.GroupID, e.Member.GroupMemberID, ActionObserver)
		}
		return nil
	}
	m.mu.Lock()
	g := m.groups[e.GroupInfo.GroupID]
	if g == nil {
		m.mu.Unlock()
		return nil
	}
	from := g.st.BotRole
	g.st.BotRole = e.ToRole
	clear(g.lastFail) // new rights: report new failures at once
	err := m.saveLocked(c.Context(), g)
	v := g.view()
	m.mu.Unlock()
	c.Logger().Info("moderation: bot role changed", zap.Int64("group", v.id), zap.String("role", string(e.ToRole)))
	text := fmt.Sprintf("My role in %s is now %s (was %s).", v.name, roleName(e.ToRole), roleName(from))
	if !simplex.RoleAtLeast(e.ToRole, simplex.RoleModerator) {
		text += " I can no longer delete messages there; make me a moderator again to resume moderation."
	} else if need := actionRole[v.action]; !simplex.RoleAtLeast(e.ToRole, need) {
		text += fmt.Sprintf(" I can delete messages, but to %s members I need the %s role.", actionVerb(v.action), need)
	}
	return errors.Join(err, tell(c, v.owner, text))
}

// onGone forgets a group the bot left for good.
func (m *Moderator) onGone(c *bot.Context, gi *simplex.GroupInfo, what string) error {
	m.mu.Lock()
	g := m.groups[gi.GroupID]
	if g == nil {
		m.mu.Unlock()
		return nil
	}
	v := g.view()
	err := m.removeLocked(c.Context(), gi.GroupID)
	m.mu.Unlock()
	c.Logger().Info("moderation: group forgotten", zap.Int64("group", v.id), zap.String("event", c.Event().Type()))
	return errors.Join(err, tell(c, v.owner, fmt.Sprintf("%s %s, so I forgot its moderation rules.", what, v.name)))
}

// ---- messages ----

func (m *Moderator) onNewItems(c *bot.Context, e *simplex.NewChatItems) error {
	var errs []error
	for i := range e.ChatItems {
		if groupMessage(&e.ChatItems[i]) {
			errs = append(errs, m.check(c, &e.ChatItems[i], false))
		}
	}
	return errors.Join(errs...)
}

func (m *Moderator) onUpdated(c *bot.Context, e *simplex.ChatItemUpdated) error {
	if !groupMessage(&e.ChatItem) {
		return nil
	}
	return m.check(c, &e.ChatItem, true)
}

// staff are exempt from the rules: moderators, admins and owners.
func staff(role simplex.GroupMemberRole) bool {
	return simplex.RoleAtLeast(role, simplex.RoleModerator)
}

// check applies a group's rules to one received message or edit.
func (m *Moderator) check(c *bot.Context, a *simplex.AChatItem, edited bool) error {
	ci := &a.ChatItem
	if ci.Meta.ItemDeleted != nil {
		return nil
	}
	gid := a.ChatInfo.GroupInfo.GroupID
	author := ci.ChatDir.GroupMember
	mc := ci.Content.MsgContent
	if mc.Type == simplex.MsgReport {
		if edited {
			return nil
		}
		return m.onReport(c, gid, a)
	}
	now := m.now()
	m.mu.Lock()
	g := m.groups[gid]
	if g == nil {
		m.mu.Unlock()
		return nil
	}
	g.checked++
	v := g.view()
	count := 0
	if !edited && v.floodLimit > 0 && !staff(author.MemberRole) {
		count = m.flood.add(gid, author.GroupMemberID, now, v.floodLimit)
	}
	m.mu.Unlock()
	if staff(author.MemberRole) {
		return nil
	}
	text := mc.Text
	if mc.Preview != nil && mc.Preview.URI != "" {
		text += "\n" + mc.Preview.URI
	}
	viol, bad := v.rules.Check(text)
	if !bad && v.floodLimit > 0 && count > v.floodLimit {
		viol = Violation{Rule: RuleFlood, Detail: fmt.Sprintf("%d messages in a minute (limit %d)", count, v.floodLimit)}
		bad = true
	}
	if !bad {
		return nil
	}
	steps := []Action{ActionDelete}
	if v.action != ActionDelete {
		steps = append(steps, v.action)
	}
	return m.enforce(c, v, ci.Meta.ItemID, author, viol, steps, edited)
}

// onReport handles a member's report of another member's message.
func (m *Moderator) onReport(c *bot.Context, gid int64, a *simplex.AChatItem) error {
	ci := &a.ChatItem
	reporter := ci.ChatDir.GroupMember
	mc := ci.Content.MsgContent
	m.mu.Lock()
	g := m.groups[gid]
	if g == nil {
		m.mu.Unlock()
		return nil
	}
	g.st.Counters.Reports++
	err := m.saveLocked(c.Context(), g)
	v := g.view()
	m.mu.Unlock()
	reason := cmp.Or(mc.Reason, mc.Text, "no reason given")
	q := ci.QuotedItem
	if q == nil || q.ItemID == 0 || q.ChatDir == nil || q.ChatDir.GroupMember == nil {
		c.Logger().Info("moderation: report without a reported message", zap.Int64("group", gid))
		if !v.notify {
			return err
		}
		return errors.Join(err, tell(c, v.owner, fmt.Sprintf("%s sent a report in %s (%s) that points at no member's message.",
			reporter.DisplayName(), v.name, reason)))
	}
	author := q.ChatDir.GroupMember
	c.Logger().Info("moderation: report", zap.Int64("group", gid), zap.Int64("item", q.ItemID),
		zap.Int64("reporter", reporter.GroupMemberID), zap.Int64("member", author.GroupMemberID))
	if v.removeReported && !staff(author.MemberRole) {
		viol := Violation{Rule: RuleReport, Detail: fmt.Sprintf("%s reported it (%s)", reporter.DisplayName(), reason)}
		return errors.Join(err, m.enforce(c, v, q.ItemID, author, viol, []Action{ActionDelete, ActionRemove}, false))
	}
	if !v.notify {
		return err
	}
	return errors.Join(err, tell(c, v.owner, fmt.Sprintf("%s reported a message from %s in %s (%s): %q",
		reporter.DisplayName(), author.DisplayName(), v.name, reason, clip(q.Content.Text, 200))))
}

// enforce runs steps against a message and its author, or in dry-run mode
// only says what it would do, then tells the owner.
func (m *Moderator) enforce(c *bot.Context, v view, itemID int64, author *simplex.GroupMember, viol Violation, steps []Action, edited bool) error {
	who := author.DisplayName()
	mid := author.GroupMemberID
	m.mu.Lock()
	if g := m.groups[v.id]; g != nil {
		// Blocking or demoting twice changes nothing; skip the repeat.
		steps = slices.DeleteFunc(steps, func(a Action) bool {
			return (a == ActionBlock || a == ActionObserver) && g.acted[mid] == a
		})
	}
	m.mu.Unlock()
	log := c.Logger().With(zap.Int64("group", v.id), zap.Int64("member", mid), zap.Int64("item", itemID),
		zap.String("rule", string(viol.Rule)), zap.Bool("edited", edited))
	msg := "a message"
	if edited {
		msg = "an edited message"
	}

	if v.dryRun {
		m.mu.Lock()
		var err error
		if g := m.groups[v.id]; g != nil {
			g.st.Counters.DryRuns++
			err = m.saveLocked(c.Context(), g)
		}
		m.mu.Unlock()
		log.Info("moderation: dry run", zap.Strings("would", actionNames(steps)))
		text := fmt.Sprintf("Dry run: I would have %s in %s: %s. Nothing was changed.",
			joinAnd(describeSteps(steps, msg, who)), v.name, viol)
		return errors.Join(err, tell(c, v.owner, text))
	}

	cl := simplex.ClientOf(c)
	if cl == nil {
		return errors.New("moderation: not a simplex event")
	}
	var done []Action
	type failure struct {
		step Action
		err  error
	}
	var failed []failure
	for _, step := range steps {
		if err := run(c.Context(), cl, step, v.id, itemID, mid); err != nil {
			failed = append(failed, failure{step, err})
			continue
		}
		done = append(done, step)
	}

	now := m.now()
	var notices []string
	m.mu.Lock()
	var saveErr error
	if g := m.groups[v.id]; g != nil {
		for _, s := range done {
			switch s {
			case ActionDelete:
				g.st.Counters.Deleted++
			case ActionBlock:
				g.st.Counters.Blocked++
				g.acted[mid] = s
			case ActionRemove:
				g.st.Counters.Removed++
				delete(g.acted, mid)
			case ActionObserver:
				g.st.Counters.Demoted++
				g.acted[mid] = s
			}
		}
		g.st.Counters.Failures += int64(len(failed))
		for _, f := range failed {
			key := string(f.step)
			if last, ok := g.lastFail[key]; ok && now.Sub(last) < failureNoticeEvery {
				continue
			}
			g.lastFail[key] = now
			notices = append(notices, failureText(f.step, msg, who, v, f.err))
		}
		saveErr = m.saveLocked(c.Context(), g)
	}
	m.mu.Unlock()

	log.Info("moderation: enforced", zap.Strings("done", actionNames(done)), zap.Int("failed", len(failed)))
	for _, f := range failed {
		log.Warn("moderation: action failed", zap.String("action", string(f.step)), zap.Error(f.err))
	}
	var text []string
	if len(done) > 0 && v.notify {
		s := joinAnd(describeSteps(done, msg, who))
		text = append(text, fmt.Sprintf("%s in %s: %s.", capitalize(s), v.name, viol))
	}
	text = append(text, notices...)
	if len(text) == 0 {
		return saveErr
	}
	return errors.Join(saveErr, tell(c, v.owner, strings.Join(text, "\n")))
}

// run executes one moderation step.
func run(ctx context.Context, cl *simplex.Client, step Action, gid, itemID, memberID int64) error {
	var err error
	switch step {
	case ActionDelete:
		_, err = simplex.Exec(ctx, cl, simplex.APIDeleteMemberChatItem{GroupID: gid, ItemIDs: []int64{itemID}})
	case ActionBlock:
		_, err = simplex.Exec(ctx, cl, simplex.APIBlockMembersForAll{GroupID: gid, GroupMemberIDs: []int64{memberID}, Blocked: true})
	case ActionRemove:
		_, err = simplex.Exec(ctx, cl, simplex.APIRemoveMembers{GroupID: gid, GroupMemberIDs: []int64{memberID}})
	case ActionObserver:
		_, err = simplex.Exec(ctx, cl, simplex.APIMembersRole{GroupID: gid, GroupMemberIDs: []int64{memberID}, Role: simplex.RoleObserver})
	default:
		err = fmt.Errorf("moderation: unknown action %q", step)
	}
	return err
}
