package router

import (
	"errors"
	"regexp"
	"strings"
	"sync"

	"github.com/parleybot/parley/bot"
)

// Filter decides whether a route applies. Message routes see the message
// being routed through c.Message().
type Filter func(c *bot.Context) bool

type routeKind int

const (
	eventRoute routeKind = iota
	messageRoute
	groupRoute
)

type route struct {
	kind    routeKind
	command string // set for command routes, matched before the checks
	match   func(c *bot.Context) bool
	filters []Filter
	h       bot.Handler
	group   *Router
	mws     []bot.Middleware // route-level middleware (With), innermost
}

// Router is a bot.Handler that routes events to the first matching route.
type Router struct {
	mws      []bot.Middleware
	routes   []route
	fallback bot.Handler
	parent   *Router

	// A view made by With has no routes of its own: it adds them to home,
	// each carrying with.
	home *Router
	with []bot.Middleware

	once     sync.Once
	compiled []leaf // flattened routes with their middleware applied
	perMsg   bool   // route each message: there are message routes or a fallback
	fb       bot.Handler
	opts     commandOptions
	sealed   bool
}

// leaf is a route whose handler already carries the middleware of every
// group around it, so dispatch is a plain loop.
type leaf struct {
	kind    routeKind
	command string
	checks  []func(c *bot.Context) bool
	h       bot.Handler
}

// New returns an empty router.
func New() *Router { return &Router{opts: defaultCommandOptions()} }

// Use adds inner middleware that runs around every route of this router
// (or group). It panics after the first route is registered, so that no
// route silently misses it, and on a With view (pass the middleware to
// With instead).
func (r *Router) Use(mws ...bot.Middleware) {
	r.checkOpen()
	if r.home != nil {
		panic("router: Use on a With view; pass the middleware to With")
	}
	if len(r.routes) > 0 {
		panic("router: Use must come before the routes it wraps")
	}
	for _, m := range mws {
		if m == nil {
			panic("router: nil middleware")
		}
	}
	r.mws = append(r.mws, mws...)
}

// With returns a view of r whose routes carry mws, innermost, after the
// middleware of r: r.With(auth).OnCommand("ban", …) wraps only that
// route. The routes take their place among r's in registration order.
// Route-level middleware runs only when its route matched. With panics on
// a nil middleware.
func (r *Router) With(mws ...bot.Middleware) *Router {
	r.checkOpen()
	for _, m := range mws {
		if m == nil {
			panic("router: nil middleware")
		}
	}
	home := r
	if r.home != nil {
		home = r.home
	}
	return &Router{parent: home, home: home, with: append(append([]bot.Middleware(nil), r.with...), mws...), opts: r.opts}
}

// Group registers a set of routes with their own inner middleware. fn
// receives the group's router; call Use on it first.
func (r *Router) Group(fn func(g *Router)) {
	r.checkOpen()
	if fn == nil {
		panic("router: nil group function")
	}
	parent := r
	if r.home != nil {
		parent = r.home
	}
	g := &Router{parent: parent, opts: r.opts}
	fn(g)
	r.add(route{kind: groupRoute, group: g}, nil)
}

// Any registers a plain handler for any event matching all filters.
func (r *Router) Any(h bot.Handler, filters ...Filter) {
	if h == nil {
		panic("router: nil handler")
	}
	r.add(route{kind: eventRoute, h: h}, filters)
}

// Fallback sets the handler for events and messages no route takes,
// including unknown event types. Without one they are ignored.
func (r *Router) Fallback(h bot.Handler) {
	r.checkOpen()
	if h == nil {
		panic("router: nil fallback")
	}
	if r.parent != nil {
		panic("router: Fallback belongs on the top-level router")
	}
	r.fallback = h
}

// On registers a typed handler for events of Go type E, for example
// router.On(r, func(c *bot.Context, e *simplex.ContactConnected) error {…}).
func On[E bot.Event](r *Router, h func(c *bot.Context, e E) error, filters ...Filter) {
	if h == nil {
		panic("router: nil handler")
	}
	r.add(route{
		kind:  eventRoute,
		match: func(c *bot.Context) bool { _, ok := c.Event().(E); return ok },
		h:     bot.HandlerFunc(func(c *bot.Context) error { return h(c, c.Event().(E)) }),
	}, filters)
}

// OnMessage registers a handler for messages matching all filters.
func (r *Router) OnMessage(h func(c *bot.Context, m bot.Message) error, filters ...Filter) {
	if h == nil {
		panic("router: nil handler")
	}
	r.add(route{
		kind: messageRoute,
		h: bot.HandlerFunc(func(c *bot.Context) error {
			m, _ := c.Message()
			return h(c, m)
		}),
	}, filters)
}

// OnRegex registers a handler for messages whose text matches pattern. It
// panics if pattern does not compile. The handler gets the submatches.
func (r *Router) OnRegex(pattern string, h func(c *bot.Context, m bot.Message, match []string) error, filters ...Filter) {
	if h == nil {
		panic("router: nil handler")
	}
	re := regexp.MustCompile(pattern)
	r.add(route{
		kind: messageRoute,
		match: func(c *bot.Context) bool {
			m, ok := c.Message()
			return ok && re.MatchString(m.Text)
		},
		h: bot.HandlerFunc(func(c *bot.Context) error {
			m, _ := c.Message()
			return h(c, m, re.FindStringSubmatch(m.Text))
		}),
	}, filters)
}

// OnWhere registers a typed handler for the events of Go type E that where
// accepts, for example a SimpleX group's joins only:
//
//	router.OnWhere(r, func(e *simplex.UserJoinedGroup) bool { return e.GroupInfo.GroupID == 12 }, onJoin)
//
// where and h name the same E, so a mismatch does not compile. where runs
// after the type matched and before filters.
func OnWhere[E bot.Event](r *Router, where func(e E) bool, h func(c *bot.Context, e E) error, filters ...Filter) {
	if where == nil {
		panic("router: nil where function")
	}
	if h == nil {
		panic("router: nil handler")
	}
	r.add(route{
		kind: eventRoute,
		match: func(c *bot.Context) bool {
			e, ok := c.Event().(E)
			return ok && where(e)
		},
		h: bot.HandlerFunc(func(c *bot.Context) error { return h(c, c.Event().(E)) }),
	}, filters)
}

func (r *Router) add(rt route, filters []Filter) {
	r.checkOpen()
	for _, f := range filters {
		if f == nil {
			panic("router: nil filter")
		}
	}
	rt.filters = filters
	if r.home != nil {
		rt.mws = r.with
		r.home.routes = append(r.home.routes, rt)
		return
	}
	r.routes = append(r.routes, rt)
}

// root returns the top-level router.
func (r *Router) root() *Router {
	for r.parent != nil {
		r = r.parent
	}
	return r
}

func (r *Router) checkOpen() {
	for p := r; p != nil; p = p.parent {
		if p.sealed {
			panic("router: routes changed after the router started handling events")
		}
	}
}

// compile flattens the route tree once, on the first event.
func (r *Router) compile() {
	r.sealed = true
	r.compiled = r.flatten(nil, nil)
	for _, l := range r.compiled {
		if l.kind == messageRoute {
			r.perMsg = true
		}
	}
	r.fb = r.fallback
	if r.fb != nil {
		r.perMsg = true
	}
}

func (r *Router) flatten(outerChecks []func(*bot.Context) bool, outerMws []bot.Middleware) []leaf {
	mws := append(append([]bot.Middleware(nil), outerMws...), r.mws...)
	var out []leaf
	for _, rt := range r.routes {
		rmws := mws
		if len(rt.mws) > 0 {
			rmws = append(append([]bot.Middleware(nil), mws...), rt.mws...)
		}
		if rt.kind == groupRoute {
			rt.group.sealed = true
			out = append(out, rt.group.flatten(outerChecks, rmws)...)
			continue
		}
		checks := append([]func(*bot.Context) bool(nil), outerChecks...)
		if rt.match != nil {
			checks = append(checks, rt.match)
		}
		for _, f := range rt.filters {
			checks = append(checks, f)
		}
		out = append(out, leaf{kind: rt.kind, command: rt.command, checks: checks, h: bot.Chain(rt.h, rmws...)})
	}
	return out
}

// Handle routes one event. It implements bot.Handler.
// A With view hands the event to the router it was made from.
func (r *Router) Handle(c *bot.Context) error {
	if r.home != nil {
		return r.home.Handle(c)
	}
	r.once.Do(r.compile)
	for i := range r.compiled {
		l := &r.compiled[i]
		if l.kind == eventRoute && l.matches(c) {
			return l.h.Handle(c)
		}
	}
	if r.perMsg {
		if me, ok := c.Event().(bot.MessageEvent); ok {
			msgs := me.Messages()
			if len(msgs) > 0 {
				return r.routeMessages(c, msgs)
			}
		}
	}
	if r.fb != nil {
		return r.fb.Handle(c)
	}
	return nil
}

func (r *Router) routeMessages(c *bot.Context, msgs []bot.Message) error {
	var errs []error
	for i := range msgs {
		mc := c.WithMessage(&msgs[i])
		// The command name is found once per message, not once per route.
		name, to, isCmd := splitCommand(msgs[i].Text, r.opts.prefixes)
		h := r.fb
		if isCmd && !addressedTo(to, c.BotName()) {
			// "/roll@otherbot" is not ours: no command route takes it and
			// the fallback, which often answers "unknown command", is not
			// told. Text routes still see it, to moderate it like any text.
			isCmd, h = false, nil
		}
		for j := range r.compiled {
			l := &r.compiled[j]
			if l.kind != messageRoute {
				continue
			}
			if l.command != "" && (!isCmd || !strings.EqualFold(name, l.command)) {
				continue
			}
			if l.matches(mc) {
				h = l.h
				break
			}
		}
		if h == nil {
			continue
		}
		if err := h.Handle(mc); err != nil {
			if len(msgs) == 1 {
				return err
			}
			errs = append(errs, err)
		}
	}
	return errors.Join(errs...)
}

func (l *leaf) matches(c *bot.Context) bool {
	for _, f := range l.checks {
		if !f(c) {
			return false
		}
	}
	return true
}
