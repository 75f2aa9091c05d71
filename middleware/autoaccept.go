package middleware

import (
	"errors"
	"fmt"
	"strings"
	"sync"
	"sync/atomic"
	"time"

	"github.com/parleybot/parley/bot"
	"go.uber.org/zap"
)

// AcceptMode says which requests of one kind AutoAccept accepts.
type AcceptMode int

const (
	// AcceptOff accepts none; it is the zero value, so an empty policy
	// accepts nothing.
	AcceptOff AcceptMode = iota
	// AcceptAll accepts every request of the kind.
	AcceptAll
	// AcceptAllowlist accepts requests from the listed IDs only.
	AcceptAllowlist
)

// String returns "off", "all" or "allowlist".
func (m AcceptMode) String() string {
	switch m {
	case AcceptOff:
		return "off"
	case AcceptAll:
		return "all"
	case AcceptAllowlist:
		return "allowlist"
	}
	return fmt.Sprintf("AcceptMode(%d)", int(m))
}

// roles lists group roles from least to most powerful.
var roles = [...]string{"observer", "author", "member", "moderator", "admin", "owner"}

// roleRank returns the position of role in roles, or -1 if unknown.
func roleRank(role string) int {
	for i, r := range roles {
		if strings.EqualFold(r, role) {
			return i
		}
	}
	return -1
}

// AcceptPolicy says which requests AutoAccept accepts.
type AcceptPolicy struct {
	// Contacts is the mode for contact requests.
	Contacts AcceptMode
	// ContactAllowlist holds the sender IDs (RequestInfo.From.ID) accepted
	// when Contacts is AcceptAllowlist.
	ContactAllowlist []string
	// Groups is the mode for group invitations.
	Groups AcceptMode
	// InviterAllowlist holds the inviter IDs accepted when Groups is
	// AcceptAllowlist.
	InviterAllowlist []string
	// MinRole is the least role the bot must be offered in a group:
	// observer < author < member < moderator < admin < owner. Empty
	// accepts any role. When set, an invitation without a known role is
	// refused.
	MinRole string
	// MaxPerHour caps accepts (of both kinds) in any sliding hour; 0 means
	// no cap. Requests over the cap are left alone and counted.
	MaxPerHour int
	// Welcome is sent to each new contact; GroupWelcome to each group
	// joined. Empty sends nothing.
	Welcome, GroupWelcome string
	// RejectRefused rejects requests the policy refuses. By default they
	// are left alone, for a person or another bot to decide.
	RejectRefused bool
	// Clock is the time source for the hourly cap (default SystemClock).
	Clock Clock
	// OnDecision, if set, is called once per request with whether it was
	// accepted; requests the cap held back or whose call failed count as
	// not accepted. It feeds metrics and must not block.
	OnDecision func(kind bot.RequestKind, accepted bool)
	// OnRefused, if set, is called for every request the policy refused
	// or the hourly cap held back, with the reason, in the handler's
	// goroutine. It feeds metrics and must not block.
	OnRefused func(c *bot.Context, info bot.RequestInfo, why RefuseReason)
}

// RefuseReason says why AutoAccept did not accept a request.
type RefuseReason int

const (
	// RefusedByPolicy: the policy does not allow the request (it was left
	// alone, or rejected with RejectRefused).
	RefusedByPolicy RefuseReason = iota + 1
	// RefusedOverCap: the policy allows it, but MaxPerHour was reached.
	RefusedOverCap
)

// String returns "policy" or "cap", for logs and metric labels.
func (r RefuseReason) String() string {
	switch r {
	case RefusedByPolicy:
		return "policy"
	case RefusedOverCap:
		return "cap"
	}
	return fmt.Sprintf("RefuseReason(%d)", int(r))
}

func (p AcceptPolicy) validate() {
	for _, m := range []struct {
		name string
		mode AcceptMode
		list []string
	}{{"Contacts", p.Contacts, p.ContactAllowlist}, {"Groups", p.Groups, p.InviterAllowlist}} {
		if m.mode < AcceptOff || m.mode > AcceptAllowlist {
			panic(fmt.Sprintf("middleware: AcceptPolicy.%s: unknown mode %d", m.name, int(m.mode)))
		}
		if m.mode == AcceptAllowlist && len(m.list) == 0 {
			panic(fmt.Sprintf("middleware: AcceptPolicy.%s is AcceptAllowlist but its allowlist is empty", m.name))
		}
	}
	if p.MinRole != "" && roleRank(p.MinRole) < 0 {
		panic(fmt.Sprintf("middleware: AcceptPolicy.MinRole %q: want one of %s", p.MinRole, strings.Join(roles[:], ", ")))
	}
	if p.MaxPerHour < 0 {
		panic(fmt.Sprintf("middleware: AcceptPolicy.MaxPerHour is negative (%d)", p.MaxPerHour))
	}
}

// AcceptStats are an AutoAccepter's counters.
type AcceptStats struct {
	Accepted int64 // requests accepted
	Refused  int64 // requests the policy refused
	Rejected int64 // refused requests rejected (RejectRefused)
	Capped   int64 // requests the policy allowed but the hourly cap held back
	Failed   int64 // accept or reject calls that returned an error
}

// AutoAccepter accepts contact requests and group invitations by policy,
// through the platform's bot.RequestAccepter. Every request is passed on
// to the next handler whatever the decision, so handlers can observe it.
type AutoAccepter struct {
	policy    AcceptPolicy
	contacts  map[string]struct{}
	inviters  map[string]struct{}
	minRank   int
	clock     Clock
	noAccept  sync.Once
	accepted  atomic.Int64
	refused   atomic.Int64
	rejected  atomic.Int64
	capped    atomic.Int64
	failed    atomic.Int64
	mu        sync.Mutex
	window    []time.Time // accept times within the last hour, oldest first
	pending   int         // accepts in flight, counted against the cap
	capWindow time.Duration
}

// AutoAccept returns policy as middleware; see AutoAccepter. Use
// NewAutoAccepter to read its counters.
func AutoAccept(policy AcceptPolicy) bot.Middleware {
	return NewAutoAccepter(policy).Middleware
}

// NewAutoAccepter returns an AutoAccepter for policy. It panics on an
// invalid policy: an unknown mode or role, an allowlist mode with an empty
// list, or a negative cap.
func NewAutoAccepter(policy AcceptPolicy) *AutoAccepter {
	policy.validate()
	a := &AutoAccepter{
		policy:    policy,
		contacts:  toSet(policy.ContactAllowlist),
		inviters:  toSet(policy.InviterAllowlist),
		minRank:   -1,
		clock:     policy.Clock,
		capWindow: time.Hour,
	}
	if policy.MinRole != "" {
		a.minRank = roleRank(policy.MinRole)
	}
	if a.clock == nil {
		a.clock = SystemClock
	}
	return a
}

func toSet(list []string) map[string]struct{} {
	m := make(map[string]struct{}, len(list))
	for _, s := range list {
		m[s] = struct{}{}
	}
	return m
}

// Stats returns a snapshot of the counters.
func (a *AutoAccepter) Stats() AcceptStats {
	return AcceptStats{
		Accepted: a.accepted.Load(),
		Refused:  a.refused.Load(),
		Rejected: a.rejected.Load(),
		Capped:   a.capped.Load(),
		Failed:   a.failed.Load(),
	}
}

// allows reports whether the policy accepts the request.
func (a *AutoAccepter) allows(info bot.RequestInfo) bool {
	switch info.Kind {
	case bot.ContactRequest:
		return allowed(a.policy.Contacts, a.contacts, info.From.ID)
	case bot.GroupInvitation:
		if !allowed(a.policy.Groups, a.inviters, info.From.ID) {
			return false
		}
		return a.minRank < 0 || roleRank(info.Role) >= a.minRank
	}
	return false
}

func allowed(mode AcceptMode, list map[string]struct{}, id string) bool {
	switch mode {
	case AcceptAll:
		return true
	case AcceptAllowlist:
		_, ok := list[id]
		return ok
	}
	return false
}

// reserve takes a place under the hourly cap, or reports false.
func (a *AutoAccepter) reserve() bool {
	if a.policy.MaxPerHour == 0 {
		return true
	}
	now := a.clock.Now()
	a.mu.Lock()
	defer a.mu.Unlock()
	i := 0
	for i < len(a.window) && now.Sub(a.window[i]) >= a.capWindow {
		i++
	}
	// Re-slicing drops the expired times; append copies only live ones
	// when it grows, so memory follows the accepts of the last hour.
	a.window = a.window[i:]
	if len(a.window)+a.pending >= a.policy.MaxPerHour {
		return false
	}
	a.pending++
	return true
}

// settle ends a reservation, recording an accept if ok.
func (a *AutoAccepter) settle(ok bool) {
	if a.policy.MaxPerHour == 0 {
		return
	}
	now := a.clock.Now()
	a.mu.Lock()
	a.pending--
	if ok {
		a.window = append(a.window, now)
	}
	a.mu.Unlock()
}

// Middleware is the AutoAccepter as a bot.Middleware. Events that are not
// bot.Request pass untouched. For requests, the chain's error joins the
// accept or reject error, if any, with the next handler's.
func (a *AutoAccepter) Middleware(next bot.Handler) bot.Handler {
	return bot.HandlerFunc(func(c *bot.Context) error {
		r, ok := c.Event().(bot.Request)
		if !ok {
			return next.Handle(c)
		}
		err := a.decide(c, r)
		return errors.Join(err, next.Handle(c))
	})
}

func (a *AutoAccepter) decide(c *bot.Context, r bot.Request) (err error) {
	info := r.RequestInfo()
	accepted := false
	if a.policy.OnDecision != nil {
		defer func() { a.policy.OnDecision(info.Kind, accepted) }()
	}
	allow := a.allows(info)
	if !allow {
		a.refused.Add(1)
		a.refuse(c, info, RefusedByPolicy)
		if !a.policy.RejectRefused {
			return nil
		}
	}
	ra, ok := c.Platform().(bot.RequestAccepter)
	if !ok {
		a.noAccept.Do(func() {
			c.Logger().Warn("auto-accept: platform cannot accept or reject requests; passing them through",
				zap.String("platform", platformName(c)))
		})
		return nil
	}
	if !allow {
		if err := ra.RejectRequest(c.Context(), r); err != nil {
			a.failed.Add(1)
			return fmt.Errorf("middleware: reject %s request %s: %w", info.Kind, info.ID, err)
		}
		a.rejected.Add(1)
		c.Logger().Info("request rejected", zap.Stringer("kind", info.Kind), zap.String("request", info.ID))
		return nil
	}
	if !a.reserve() {
		a.capped.Add(1)
		a.refuse(c, info, RefusedOverCap)
		c.Logger().Warn("auto-accept: hourly cap reached; request left alone",
			zap.Stringer("kind", info.Kind), zap.String("request", info.ID), zap.Int("max_per_hour", a.policy.MaxPerHour))
		return nil
	}
	opts := bot.AcceptOptions{Welcome: a.policy.Welcome}
	if info.Kind == bot.GroupInvitation {
		opts.Welcome = a.policy.GroupWelcome
	}
	err = ra.AcceptRequest(c.Context(), r, opts)
	a.settle(err == nil)
	if err != nil {
		a.failed.Add(1)
		return fmt.Errorf("middleware: accept %s request %s: %w", info.Kind, info.ID, err)
	}
	a.accepted.Add(1)
	accepted = true
	c.Logger().Info("request accepted", zap.Stringer("kind", info.Kind), zap.String("request", info.ID))
	return nil
}

// refuse reports a request not accepted: at debug level on the event's
// logger (the cap also warns, below) and to OnRefused.
func (a *AutoAccepter) refuse(c *bot.Context, info bot.RequestInfo, why RefuseReason) {
	if ce := c.Logger().Check(zap.DebugLevel, "auto-accept: request not accepted"); ce != nil {
		ce.Write(zap.Stringer("reason", why), zap.Stringer("kind", info.Kind),
			zap.String("request", info.ID), zap.String("from", info.From.ID))
	}
	if a.policy.OnRefused != nil {
		a.policy.OnRefused(c, info, why)
	}
}

func platformName(c *bot.Context) string {
	if p := c.Platform(); p != nil {
		return p.Name()
	}
	return ""
}
