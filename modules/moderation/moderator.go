package moderation

import (
	"cmp"
	"context"
	"errors"
	"fmt"
	"slices"
	"strings"
	"sync"
	"sync/atomic"
	"time"

	"go.uber.org/zap"

	"github.com/parleybot/parley/bot"
	"github.com/parleybot/parley/registry"
	"github.com/parleybot/parley/router"
	"github.com/parleybot/parley/store"
)

// failureNoticeEvery rate-limits notices about the same failing action in
// one group, so a flood the bot cannot stop does not flood the owner too.
const failureNoticeEvery = 10 * time.Minute

// Option tunes a Moderator.
type Option interface{ apply(*Moderator) }

type optionFunc func(*Moderator)

func (f optionFunc) apply(m *Moderator) { f(m) }

// WithClock sets the time source of the flood limit and of notice rate
// limits (default time.Now); tests step a fake clock instead of sleeping.
func WithClock(now func() time.Time) Option {
	return optionFunc(func(m *Moderator) {
		if now != nil {
			m.now = now
		}
	})
}

// DirectSender is implemented by platforms that can write to a person in
// a one-to-one chat by the ID their direct messages and requests carry
// (bot.Sender.ID), without knowing the chat. The Moderator reaches group
// owners with it; platforms without it reach them with
// bot.PrivateSender when the owner's member ID is known. SimpleX and
// Privitty implement it.
type DirectSender interface {
	SendDirect(ctx context.Context, senderID string, m bot.Outgoing) ([]string, error)
}

// reportEvent is implemented by message events that carry members'
// reports of other members' messages (SimpleX has them): reports[i] is a
// report, its Text the reason; reported[i] the message it points at,
// Sender its author, zero when it points at none.
type reportEvent interface {
	Reports() (reports, reported []bot.Message)
}

// groupChangeEvent and messageEvent are the events the routes take.
type (
	groupChangeEvent interface {
		bot.Event
		bot.GroupChanger
	}
	messageEvent interface {
		bot.Event
		bot.MessageEvent
	}
)

// Moderator moderates the groups its bot is invited or added to, on any
// platform through the bot's capabilities. Build one with New and
// register its routes with Setup; it implements registry.Module.
type Moderator struct {
	settings Settings
	now      func() time.Time

	platform bot.Platform
	store    store.Store
	log      *zap.Logger
	prefix   string // store key prefix, "moderation:<bot>:"
	setup    atomic.Bool

	mu     sync.Mutex
	loaded bool
	groups map[string]*group // by chat ID
	index  []string          // chat IDs, in the order the bot took them on
	flood  *floodCounter

	unreadable atomic.Int64
	unreached  atomic.Int64
}

// New returns a Moderator with s as the defaults of every group it joins.
// Start from DefaultSettings; empty enumerations count as their defaults.
// Setup validates s.
func New(s Settings, opts ...Option) *Moderator {
	m := &Moderator{
		settings: s.withDefaults(),
		now:      time.Now,
		groups:   map[string]*group{},
		flood:    newFloodCounter(),
		log:      zap.NewNop(),
	}
	for _, o := range opts {
		o.apply(m)
	}
	return m
}

// Setup registers the moderator's routes on r: group invitations
// (bot.Request), membership changes (bot.GroupChanger), group messages
// and edits (bot.MessageEvent), and the owner commands in direct chats.
//
// It checks the platform's capabilities and logs what it cannot do.
// Deleting messages (bot.Deleter) is required. An action the platform
// cannot do is a settings error rather than a silent substitute: without
// bot.MemberBlocker, action = "block" is refused (removing a member is a
// harsher step than the operator chose), likewise "remove" without
// bot.MemberRemover, "observer" without bot.RoleSetter, and
// remove_reported without bot.MemberRemover. Without env.Store the state
// lives in memory. A Moderator is set up once.
//
// Its routes take every received message in the groups it moderates and
// the owner commands of their owners; register it before catch-all
// modules.
func (m *Moderator) Setup(env registry.ModuleEnv, r *router.Router) error {
	if err := m.settings.Validate(); err != nil {
		return fmt.Errorf("moderation: %w", err)
	}
	if env.Platform == nil {
		return errors.New("moderation: needs a platform")
	}
	if err := m.checkCapabilities(env.Platform); err != nil {
		return fmt.Errorf("moderation: %w", err)
	}
	if !m.setup.CompareAndSwap(false, true) {
		return errors.New("moderation: Setup called twice on one Moderator")
	}
	m.platform = env.Platform
	m.store = env.Store
	if m.store == nil {
		m.store = store.NewMemory()
	}
	if env.Logger != nil {
		m.log = env.Logger
	}
	m.logCapabilities()
	botName := cmp.Or(env.BotName, env.Platform.Name())
	m.prefix = "moderation:" + botName + ":"

	router.On(r, m.onInvitation, isGroupInvitation)
	router.On(r, m.onGroupChanges, m.aboutManaged)
	router.On(r, m.onMessages, m.hasGroupMessage)
	m.registerCommands(r)
	return nil
}

// checkCapabilities refuses settings the platform cannot carry out.
func (m *Moderator) checkCapabilities(p bot.Platform) error {
	if !bot.Has(p, bot.CanDelete) {
		return fmt.Errorf("the %s platform cannot delete messages (bot.Deleter), which every moderation action starts with", p.Name())
	}
	var errs []error
	if a := m.settings.Action; !bot.Has(p, actionCapability[a]) {
		var can []string
		for _, o := range []Action{ActionDelete, ActionBlock, ActionRemove, ActionObserver} {
			if bot.Has(p, actionCapability[o]) {
				can = append(can, fmt.Sprintf("%q", o))
			}
		}
		errs = append(errs, registry.Field("action", fmt.Errorf("action %q: the %s platform cannot %s members; it can do %s",
			a, p.Name(), actionVerb(a), strings.Join(can, ", "))))
	}
	if m.settings.RemoveReported && !bot.Has(p, bot.CanRemove) {
		errs = append(errs, registry.Field("remove_reported", fmt.Errorf("the %s platform cannot remove members", p.Name())))
	}
	return errors.Join(errs...)
}

// logCapabilities says at start-up what the bot cannot do here.
func (m *Moderator) logCapabilities() {
	p := m.platform
	var missing []string
	for _, a := range []Action{ActionBlock, ActionRemove, ActionObserver} {
		if !bot.Has(p, actionCapability[a]) {
			missing = append(missing, string(a))
		}
	}
	have := make([]string, 0, 9)
	for _, c := range bot.Capabilities(p) {
		have = append(have, string(c))
	}
	log := m.log.With(zap.String("platform", p.Name()), zap.Strings("capabilities", have))
	if len(missing) > 0 {
		log.Info("moderation: actions this platform cannot do are unavailable", zap.Strings("unavailable", missing))
	} else {
		log.Info("moderation: every action is available")
	}
	if !bot.Has(p, bot.CanAccept) {
		log.Info("moderation: the platform cannot accept invitations; groups are taken on when the bot is added to them")
	}
	_, direct := p.(DirectSender)
	if !direct && !bot.Has(p, bot.CanPrivate) {
		log.Warn("moderation: the platform cannot write to group owners; notices are dropped")
	}
}

// Unreadable returns how many stored records could not be read and were
// skipped (and kept) since the Moderator started.
func (m *Moderator) Unreadable() int64 { return m.unreadable.Load() }

// Unreached returns how many notices could not be sent because the
// platform offers no way to reach the group's owner.
func (m *Moderator) Unreached() int64 { return m.unreached.Load() }

// Group describes a group to take on with Manage.
type Group struct {
	Chat bot.Chat
	// Owner is the owner's ID in direct chats (bot.Sender.ID of their
	// direct messages): they may change the rules and get the notices.
	Owner string
	// OwnerMember is the owner's member ID in the group, if known; the
	// owner is exempt from the rules. On platforms whose member IDs are
	// contact IDs (Privitty) it equals Owner.
	OwnerMember string
	// BotRole is the bot's role in the group; empty where the platform
	// has no roles.
	BotRole string
}

// Manage takes on a group the bot is already a member of, without an
// invitation or a membership change reaching the Moderator: a group it
// was added to before it ran, or one the operator assigns. Groups it
// already moderates keep their rules; the owner is told. Call it after
// Setup.
func (m *Moderator) Manage(ctx context.Context, g Group) error {
	if !m.setup.Load() {
		return errors.New("moderation: Manage before Setup")
	}
	if g.Chat.ID == "" || g.Owner == "" {
		return errors.New("moderation: Manage needs a chat and an owner")
	}
	if err := m.ensureLoaded(ctx); err != nil {
		return err
	}
	return m.take(ctx, m.log, g, true)
}

// take records a group the bot moderates from now on and tells the owner.
func (m *Moderator) take(ctx context.Context, log *zap.Logger, in Group, joined bool) error {
	name := cmp.Or(in.Chat.Title, "the group")
	m.mu.Lock()
	g := m.groups[in.Chat.ID]
	if g != nil {
		// Taken on again a group it still knows: keep its rules.
		g.st.Owner, g.st.OwnerMember, g.st.BotRole, g.st.Name = in.Owner, in.OwnerMember, in.BotRole, name
		g.st.Joined = g.st.Joined || joined
	} else {
		st := newGroupState(m.settings, in.Chat.ID, name, in.Owner, in.BotRole, m.now())
		st.OwnerMember, st.Joined = in.OwnerMember, joined
		g = newGroup(st, m.log)
	}
	err := m.addLocked(ctx, g)
	v := g.view(m.platform.Name())
	rules := describeRules(&g.st)
	m.mu.Unlock()
	if err != nil {
		return err
	}
	log.Info("moderation: took the group on", zap.Int64("group", v.no), zap.String("chat", v.chat))
	var b strings.Builder
	if in.BotRole != "" {
		fmt.Fprintf(&b, "I joined %s as %s and will moderate it.\n%s", name, roleName(in.BotRole), rules)
	} else {
		fmt.Fprintf(&b, "I joined %s and will moderate it.\n%s", name, rules)
	}
	if need := actionRole[v.action]; in.BotRole != "" && !atLeast(in.BotRole, need) {
		fmt.Fprintf(&b, "\nNote: to %s members I need the %s role.", actionVerb(v.action), need)
	}
	b.WriteString("\nSend /help for the commands.")
	return m.tell(ctx, v.target(), b.String())
}

// ensureLoaded loads the stored groups on first use.
func (m *Moderator) ensureLoaded(ctx context.Context) error {
	m.mu.Lock()
	defer m.mu.Unlock()
	return m.loadLocked(ctx)
}

// isGroupInvitation matches group invitations.
func isGroupInvitation(c *bot.Context) bool {
	r, ok := c.Event().(bot.Request)
	return ok && r.RequestInfo().Kind == bot.GroupInvitation
}

// aboutManaged matches membership changes of a moderated group, and the
// bot being added by someone to a group it does not moderate yet.
func (m *Moderator) aboutManaged(c *bot.Context) bool {
	gc, ok := c.Event().(bot.GroupChanger)
	if !ok {
		return false
	}
	if err := m.ensureLoaded(c.Context()); err != nil {
		c.Logger().Warn("moderation: state unavailable", zap.Error(err))
		return false
	}
	m.mu.Lock()
	defer m.mu.Unlock()
	for _, ch := range gc.GroupChanges() {
		if m.groups[ch.Chat.ID] != nil || (ch.Kind == bot.BotJoined && ch.By.ID != "") {
			return true
		}
	}
	return false
}

// groupMessage reports whether msg is a member's message in a group (not
// the bot's own).
func groupMessage(msg *bot.Message) bool {
	return msg.Chat.Kind == bot.Group && msg.Sender.ID != ""
}

// hasGroupMessage matches message events with a member's message or
// report in a moderated group.
func (m *Moderator) hasGroupMessage(c *bot.Context) bool {
	me, ok := c.Event().(bot.MessageEvent)
	if !ok {
		return false
	}
	msgs := me.Messages()
	if re, ok := c.Event().(reportEvent); ok {
		reports, _ := re.Reports()
		msgs = append(slices.Clip(msgs), reports...)
	}
	if len(msgs) == 0 {
		return false
	}
	if err := m.ensureLoaded(c.Context()); err != nil {
		c.Logger().Warn("moderation: state unavailable", zap.Error(err))
		return false
	}
	m.mu.Lock()
	defer m.mu.Unlock()
	for i := range msgs {
		if groupMessage(&msgs[i]) && m.groups[msgs[i].Chat.ID] != nil {
			return true
		}
	}
	return false
}

// view is a copy of what handling one message needs, taken under the lock.
type view struct {
	chat               string
	no                 int64
	owner, ownerMember string
	name, role         string
	platform           string
	action             Action
	floodLimit         int
	dryRun, notify     bool
	removeReported     bool
	rules              *Rules
}

func (g *group) view(platform string) view {
	return view{chat: g.st.Chat, no: g.st.No, owner: g.st.Owner, ownerMember: g.st.OwnerMember, name: g.st.Name,
		role: g.st.BotRole, platform: platform, action: g.st.Action, floodLimit: g.st.FloodLimit, dryRun: g.st.DryRun,
		notify: g.st.Notify, removeReported: g.st.RemoveReported, rules: g.rules}
}

// exempt reports whether a member is above the rules: staff by role, or
// the group's owner.
func (v *view) exempt(s bot.Sender) bool {
	return staff(s.Role) || (v.ownerMember != "" && s.ID == v.ownerMember)
}

// target says how to reach a person: directly by their direct-chat ID,
// or privately through a group they are a member of.
type target struct{ direct, chat, member string }

func (v *view) target() target { return target{direct: v.owner, chat: v.chat, member: v.ownerMember} }

// tell sends text to a person: with DirectSender by their direct ID, else
// with bot.PrivateSender through the group. When neither works, the
// notice is counted and dropped.
func (m *Moderator) tell(ctx context.Context, to target, text string) error {
	out := bot.Outgoing{Text: text}
	var err error
	if ds, ok := m.platform.(DirectSender); ok && to.direct != "" {
		_, err = ds.SendDirect(ctx, to.direct, out)
	} else if ps, ok := m.platform.(bot.PrivateSender); ok && to.member != "" && to.chat != "" {
		_, err = ps.SendPrivate(ctx, to.chat, to.member, out)
	} else {
		m.unreached.Add(1)
		m.log.Debug("moderation: notice dropped: no way to reach its recipient on this platform")
		return nil
	}
	if err != nil {
		return fmt.Errorf("moderation: notice: %w", err)
	}
	return nil
}

// ---- invitations and membership ----

// admissible checks whether the bot may take on a group offered by from
// with role; when not, it returns the reason to tell them.
func (m *Moderator) admissible(log *zap.Logger, from bot.Sender, role, name string) string {
	s := m.settings
	if len(s.Inviters) > 0 && !slices.Contains(s.Inviters, from.ID) {
		log.Info("moderation: group refused: inviter not allowed")
		return fmt.Sprintf("Thanks for inviting me to %s, but I only moderate groups for the people my operator has allowed.", name)
	}
	// An empty role means the platform has no roles: nothing to check.
	if from.Role != "" && !atLeast(from.Role, RoleAdmin) {
		log.Info("moderation: group refused: inviter is not owner or admin", zap.String("inviter_role", from.Role))
		return fmt.Sprintf("Only an owner or admin of %s can invite me to moderate it; you are %s there.", name, roleName(from.Role))
	}
	if role != "" && !atLeast(role, s.MinRole) {
		log.Info("moderation: group refused: role too low")
		return fmt.Sprintf("You invited me to %s as %s, but I need the %s role (or higher) to moderate it. "+
			"Please invite me again as %s.", name, roleName(role), s.MinRole, s.MinRole)
	}
	return ""
}

func (m *Moderator) onInvitation(c *bot.Context, r bot.Request) error {
	if err := m.ensureLoaded(c.Context()); err != nil {
		return err
	}
	info := r.RequestInfo()
	name := cmp.Or(info.Chat.Title, "the group")
	inviter := target{direct: info.From.ID}
	log := c.Logger().With(zap.String("chat", info.Chat.ID), zap.String("inviter", info.From.ID), zap.String("role", info.Role))
	if why := m.admissible(log, info.From, info.Role, name); why != "" {
		return m.tell(c.Context(), inviter, why)
	}
	ra, ok := m.platform.(bot.RequestAccepter)
	if !ok {
		log.Info("moderation: invitation left alone: the platform cannot accept it")
		return nil
	}
	if err := ra.AcceptRequest(c.Context(), r, bot.AcceptOptions{}); err != nil && !alreadyJoined(err) {
		log.Warn("moderation: joining the group failed", zap.Error(err))
		return errors.Join(fmt.Errorf("moderation: join group %s: %w", info.Chat.ID, err),
			m.tell(c.Context(), inviter, fmt.Sprintf("I could not join %s (%s). Please invite me again.", name, errorKind(err))))
	}
	if info.Chat.ID == "" {
		// The platform names the group only once the bot is in it
		// (Olvid: its discussion exists after the invitation's protocol
		// ran); the group is taken on from the BotJoined that follows.
		log.Info("moderation: invitation accepted; the group is taken on when the platform reports the bot joined")
		return nil
	}
	return m.take(c.Context(), log, Group{Chat: info.Chat, Owner: info.From.ID, BotRole: info.Role}, false)
}

func (m *Moderator) onGroupChanges(c *bot.Context, e groupChangeEvent) error {
	var errs []error
	for _, ch := range e.GroupChanges() {
		errs = append(errs, m.onGroupChange(c, ch))
	}
	return errors.Join(errs...)
}

func (m *Moderator) onGroupChange(c *bot.Context, ch bot.GroupChange) error {
	m.mu.Lock()
	g := m.groups[ch.Chat.ID]
	m.mu.Unlock()
	if g == nil {
		if ch.Kind == bot.BotJoined && ch.By.ID != "" {
			return m.onAdded(c, ch)
		}
		return nil
	}
	switch ch.Kind {
	case bot.BotJoined:
		m.mu.Lock()
		defer m.mu.Unlock()
		g.st.Joined = true
		if ch.Role != "" {
			g.st.BotRole = ch.Role
		}
		return m.saveLocked(c.Context(), g)
	case bot.BotRoleChanged:
		return m.onRole(c, g, ch.Role)
	case bot.BotRemoved:
		return m.onGone(c, ch.Chat.ID, "I was removed from")
	case bot.GroupDeleted:
		return m.onGone(c, ch.Chat.ID, "The owner deleted")
	case bot.MemberRoleChanged:
		if ch.Role != RoleObserver {
			m.forgetActed(ch.Chat.ID, ch.Member.ID, ActionObserver)
		}
	case bot.MemberUnblocked:
		m.forgetActed(ch.Chat.ID, ch.Member.ID, ActionBlock)
	case bot.MemberLeft:
		m.forgetActed(ch.Chat.ID, ch.Member.ID, "")
	}
	return nil
}

// onAdded takes on a group someone added the bot to without an
// invitation (platforms such as Privitty, where members add members). The
// one who added it owns the group; their member ID serves as their direct
// ID too, which holds where members are contacts.
func (m *Moderator) onAdded(c *bot.Context, ch bot.GroupChange) error {
	name := cmp.Or(ch.Chat.Title, "the group")
	log := c.Logger().With(zap.String("chat", ch.Chat.ID), zap.String("inviter", ch.By.ID), zap.String("role", ch.Role))
	if why := m.admissible(log, ch.By, ch.Role, name); why != "" {
		return m.tell(c.Context(), target{direct: ch.By.ID, chat: ch.Chat.ID, member: ch.By.ID}, why)
	}
	return m.take(c.Context(), log, Group{Chat: ch.Chat, Owner: ch.By.ID, OwnerMember: ch.By.ID, BotRole: ch.Role}, true)
}

// forgetActed lets the bot act again on a member whom an admin unblocked
// or promoted back, or who left; undone "" forgets any action.
func (m *Moderator) forgetActed(chat, member string, undone Action) {
	m.mu.Lock()
	defer m.mu.Unlock()
	if g := m.groups[chat]; g != nil && (undone == "" || g.acted[member] == undone) {
		delete(g.acted, member)
	}
}

func (m *Moderator) onRole(c *bot.Context, g *group, role string) error {
	m.mu.Lock()
	from := g.st.BotRole
	g.st.BotRole = role
	clear(g.lastFail) // new rights: report new failures at once
	err := m.saveLocked(c.Context(), g)
	v := g.view(m.platform.Name())
	m.mu.Unlock()
	c.Logger().Info("moderation: bot role changed", zap.Int64("group", v.no), zap.String("role", role))
	text := fmt.Sprintf("My role in %s is now %s (was %s).", v.name, roleName(role), roleName(from))
	if !atLeast(role, RoleModerator) {
		text += " I can no longer delete messages there; make me a moderator again to resume moderation."
	} else if need := actionRole[v.action]; !atLeast(role, need) {
		text += fmt.Sprintf(" I can delete messages, but to %s members I need the %s role.", actionVerb(v.action), need)
	}
	return errors.Join(err, m.tell(c.Context(), v.target(), text))
}

// onGone forgets a group the bot left for good.
func (m *Moderator) onGone(c *bot.Context, chat, what string) error {
	m.mu.Lock()
	g := m.groups[chat]
	if g == nil {
		m.mu.Unlock()
		return nil
	}
	v := g.view(m.platform.Name())
	err := m.removeLocked(c.Context(), chat)
	m.mu.Unlock()
	c.Logger().Info("moderation: group forgotten", zap.Int64("group", v.no), zap.String("event", c.Event().Type()))
	// The bot is no longer in the group: only a direct chat reaches the owner.
	return errors.Join(err, m.tell(c.Context(), target{direct: v.owner}, fmt.Sprintf("%s %s, so I forgot its moderation rules.", what, v.name)))
}

// ---- messages ----

func (m *Moderator) onMessages(c *bot.Context, e messageEvent) error {
	var errs []error
	var reportIDs map[string]bool
	if re, ok := e.(reportEvent); ok {
		reports, reported := re.Reports()
		for i := range reports {
			if reportIDs == nil {
				reportIDs = map[string]bool{}
			}
			reportIDs[reports[i].Chat.ID+"\x00"+reports[i].ID] = true
			if groupMessage(&reports[i]) && i < len(reported) {
				errs = append(errs, m.onReport(c, &reports[i], &reported[i]))
			}
		}
	}
	msgs := e.Messages()
	for i := range msgs {
		if groupMessage(&msgs[i]) && !reportIDs[msgs[i].Chat.ID+"\x00"+msgs[i].ID] {
			errs = append(errs, m.check(c, &msgs[i]))
		}
	}
	return errors.Join(errs...)
}

// check applies a group's rules to one received message or edit.
func (m *Moderator) check(c *bot.Context, msg *bot.Message) error {
	author := msg.Sender
	now := m.now()
	m.mu.Lock()
	g := m.groups[msg.Chat.ID]
	if g == nil {
		m.mu.Unlock()
		return nil
	}
	g.checked++
	v := g.view(m.platform.Name())
	exempt := v.exempt(author)
	count := 0
	if !msg.Edited && v.floodLimit > 0 && !exempt {
		count = m.flood.add(v.chat, author.ID, now, v.floodLimit)
	}
	m.mu.Unlock()
	if exempt {
		return nil
	}
	viol, bad := v.rules.Check(msg.Text)
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
	return m.enforce(c, v, msg.ID, author, viol, steps, msg.Edited)
}

// onReport handles a member's report of another member's message.
func (m *Moderator) onReport(c *bot.Context, report, reported *bot.Message) error {
	m.mu.Lock()
	g := m.groups[report.Chat.ID]
	if g == nil {
		m.mu.Unlock()
		return nil
	}
	g.st.Counters.Reports++
	err := m.saveLocked(c.Context(), g)
	v := g.view(m.platform.Name())
	m.mu.Unlock()
	reporter := report.Sender
	reason := cmp.Or(report.Text, "no reason given")
	if reported.ID == "" || reported.Sender.ID == "" {
		c.Logger().Info("moderation: report without a reported message", zap.Int64("group", v.no))
		if !v.notify {
			return err
		}
		return errors.Join(err, m.tell(c.Context(), v.target(), fmt.Sprintf("%s sent a report in %s (%s) that points at no member's message.",
			reporter.Name, v.name, reason)))
	}
	author := reported.Sender
	c.Logger().Info("moderation: report", zap.Int64("group", v.no), zap.String("item", reported.ID),
		zap.String("reporter", reporter.ID), zap.String("member", author.ID))
	if v.removeReported && !v.exempt(author) {
		viol := Violation{Rule: RuleReport, Detail: fmt.Sprintf("%s reported it (%s)", reporter.Name, reason)}
		return errors.Join(err, m.enforce(c, v, reported.ID, author, viol, []Action{ActionDelete, ActionRemove}, false))
	}
	if !v.notify {
		return err
	}
	return errors.Join(err, m.tell(c.Context(), v.target(), fmt.Sprintf("%s reported a message from %s in %s (%s): %q",
		reporter.Name, author.Name, v.name, reason, clip(reported.Text, 200))))
}

// enforce runs steps against a message and its author, or in dry-run mode
// only says what it would do, then tells the owner.
func (m *Moderator) enforce(c *bot.Context, v view, msgID string, author bot.Sender, viol Violation, steps []Action, edited bool) error {
	who := author.Name
	mid := author.ID
	m.mu.Lock()
	if g := m.groups[v.chat]; g != nil {
		// Blocking or demoting twice changes nothing; skip the repeat.
		steps = slices.DeleteFunc(steps, func(a Action) bool {
			return (a == ActionBlock || a == ActionObserver) && g.acted[mid] == a
		})
	}
	m.mu.Unlock()
	log := c.Logger().With(zap.Int64("group", v.no), zap.String("member", mid), zap.String("item", msgID),
		zap.String("rule", string(viol.Rule)), zap.Bool("edited", edited))
	msg := "a message"
	if edited {
		msg = "an edited message"
	}

	if v.dryRun {
		m.mu.Lock()
		var err error
		if g := m.groups[v.chat]; g != nil {
			g.st.Counters.DryRuns++
			err = m.saveLocked(c.Context(), g)
		}
		m.mu.Unlock()
		log.Info("moderation: dry run", zap.Strings("would", actionNames(steps)))
		text := fmt.Sprintf("Dry run: I would have %s in %s: %s. Nothing was changed.",
			joinAnd(describeSteps(steps, msg, who)), v.name, viol)
		return errors.Join(err, m.tell(c.Context(), v.target(), text))
	}

	var done []Action
	type failure struct {
		step Action
		err  error
	}
	var failed []failure
	for _, step := range steps {
		if err := m.run(c.Context(), step, v.chat, msgID, mid); err != nil {
			failed = append(failed, failure{step, err})
			continue
		}
		done = append(done, step)
	}

	now := m.now()
	var notices []string
	m.mu.Lock()
	var saveErr error
	if g := m.groups[v.chat]; g != nil {
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
	return errors.Join(saveErr, m.tell(c.Context(), v.target(), strings.Join(text, "\n")))
}

// run executes one moderation step through the platform's capabilities.
// A step the platform cannot do is a *bot.UnsupportedError.
func (m *Moderator) run(ctx context.Context, step Action, chat, msgID, member string) error {
	switch step {
	case ActionDelete:
		if d, ok := m.platform.(bot.Deleter); ok {
			return d.Delete(ctx, chat, msgID)
		}
	case ActionBlock:
		if b, ok := m.platform.(bot.MemberBlocker); ok {
			return b.BlockMember(ctx, chat, member, true)
		}
	case ActionRemove:
		if r, ok := m.platform.(bot.MemberRemover); ok {
			return r.RemoveMember(ctx, chat, member)
		}
	case ActionObserver:
		if r, ok := m.platform.(bot.RoleSetter); ok {
			return r.SetMemberRole(ctx, chat, member, RoleObserver)
		}
	default:
		return fmt.Errorf("moderation: unknown action %q", step)
	}
	return &bot.UnsupportedError{Platform: m.platform.Name(), Capability: actionCapability[step], What: string(step) + " in " + chat}
}
