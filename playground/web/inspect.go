package web

import (
	"context"
	"encoding/json"
	"fmt"
	"strings"
	"sync"
	"time"

	"github.com/parleybot/parley/bot"
	"github.com/parleybot/parley/config"
	"github.com/parleybot/parley/middleware"
	"github.com/parleybot/parley/registry"
	"github.com/parleybot/parley/router"
)

// Ring sizes: the inspector keeps the latest events and frames.
const (
	keepEvents = 300
	keepFrames = 600
)

// FrameRecord is one frame seen by the wire tap.
type FrameRecord struct {
	Seq  int       `json:"seq"`
	Time time.Time `json:"time"`
	Bot  string    `json:"bot"`
	// Dir is ToBot or FromBot; Kind "ws", "http" or "sse".
	Dir  string `json:"dir"`
	Kind string `json:"kind"`
	Text string `json:"text"`
	Size int    `json:"size"`

	claimed bool
}

// CommandRecord is one command the bot's platform sent.
type CommandRecord struct {
	Time     time.Time `json:"time"`
	Type     string    `json:"type"`
	Outcome  string    `json:"outcome"`
	Duration string    `json:"duration"`
}

// Step is one middleware or route an event went through.
type Step struct {
	Name string `json:"name"`
	Note string `json:"note,omitempty"`
}

// EventRecord is what the inspector shows for one event.
type EventRecord struct {
	Seq  int       `json:"seq"`
	Time time.Time `json:"time"`
	Bot  string    `json:"bot"`
	// Type is the platform's name for the event, GoType its Go type and
	// Value the event as JSON.
	Type   string `json:"type"`
	GoType string `json:"goType"`
	Chat   string `json:"chat"`
	Value  string `json:"value"`
	// Messages is the cross-platform view of the event's messages
	// (bot.MessageEvent), as JSON; "" for events without messages.
	Messages string `json:"messages,omitempty"`
	// Frames are the wire frames the event most likely came from.
	Frames []FrameRecord `json:"frames"`
	// Steps are the middleware and route that handled it, in order.
	Steps    []Step          `json:"steps"`
	Handled  string          `json:"handled"` // the module whose route took it, "" if none
	Done     bool            `json:"done"`
	Duration string          `json:"duration"`
	Error    string          `json:"error,omitempty"`
	Commands []CommandRecord `json:"commands"`

	start     time.Time
	dedupeKey string
	request   bool
	insp      *inspector
	// Notes of the middleware, turned into Steps when the event is done.
	dedupeNote, acceptNote, route string
}

// inspector collects what the page's inspector shows. It is shared by
// every bot of the playground.
type inspector struct {
	mu       sync.Mutex
	seq      int
	events   []*EventRecord
	frames   []*FrameRecord
	bg       []CommandRecord // commands sent outside any event
	inflight map[*EventRecord]struct{}
	changed  chan struct{}
}

func newInspector() *inspector {
	return &inspector{inflight: map[*EventRecord]struct{}{}, changed: make(chan struct{})}
}

// notifyLocked wakes the page streams; i.mu is held.
func (i *inspector) notifyLocked() {
	close(i.changed)
	i.changed = make(chan struct{})
}

func (i *inspector) Changed() <-chan struct{} {
	i.mu.Lock()
	defer i.mu.Unlock()
	return i.changed
}

// frame records a frame of bot's tap.
func (i *inspector) frame(botName, dir, kind, text string, size int) {
	i.mu.Lock()
	defer i.mu.Unlock()
	i.seq++
	i.frames = append(i.frames, &FrameRecord{Seq: i.seq, Time: time.Now(), Bot: botName, Dir: dir, Kind: kind, Text: text, Size: size})
	if len(i.frames) > keepFrames {
		i.frames = i.frames[len(i.frames)-keepFrames:]
	}
	i.notifyLocked()
}

// claimFrame finds the inbound frame an event of type typ came from: the
// oldest unclaimed one that names the type, else the newest that does (one
// frame can carry several events). i.mu is held.
func (i *inspector) claimFrameLocked(botName, typ string) []FrameRecord {
	if typ == "" {
		return nil
	}
	needle := `"` + typ + `"`
	var newest *FrameRecord
	for _, f := range i.frames {
		if f.Bot != botName || f.Dir != ToBot || !strings.Contains(f.Text, needle) {
			continue
		}
		if !f.claimed {
			f.claimed = true
			return []FrameRecord{*f}
		}
		newest = f
	}
	if newest != nil {
		return []FrameRecord{*newest}
	}
	return nil
}

type traceKey struct{}

// middleware is the outermost middleware of every playground bot: it
// opens the event's record, passes it down in the context for the route
// markers, and closes it with the outcome.
func (i *inspector) middleware(botName string, hb func() *config.Hosted) bot.Middleware {
	return func(next bot.Handler) bot.Handler {
		return bot.HandlerFunc(func(c *bot.Context) error {
			e := c.Event()
			rec := &EventRecord{Bot: botName, Type: e.Type(), GoType: fmt.Sprintf("%T", e), Chat: c.ChatKey(),
				Value: eventJSON(e), start: time.Now(), Commands: []CommandRecord{}, insp: i}
			if d, ok := e.(bot.DedupeKeyer); ok {
				rec.dedupeKey = d.DedupeKey()
			}
			_, rec.request = e.(bot.Request)
			if me, ok := e.(bot.MessageEvent); ok {
				if b, err := json.MarshalIndent(me.Messages(), "", "  "); err == nil {
					rec.Messages = clip(b)
				}
			}
			h := hb()
			i.mu.Lock()
			i.seq++
			rec.Seq, rec.Time = i.seq, rec.start
			rec.Frames = i.claimFrameLocked(botName, rec.Type)
			rec.Steps = []Step{{Name: "inspector + metrics"}}
			i.events = append(i.events, rec)
			if len(i.events) > keepEvents {
				i.events = i.events[len(i.events)-keepEvents:]
			}
			i.inflight[rec] = struct{}{}
			i.notifyLocked()
			i.mu.Unlock()

			err := next.Handle(c.WithContext(context.WithValue(c.Context(), traceKey{}, rec)))

			// The event's own drop mark, not the limiter's counter, which
			// other chats' events move too.
			reason, _ := c.Dropped()
			rateDropped := reason == middleware.DroppedRateLimited
			i.mu.Lock()
			defer i.mu.Unlock()
			delete(i.inflight, rec)
			rec.Steps = append(rec.Steps, Step{Name: "recover"}, Step{Name: "logger"})
			if h != nil && h.Deduper != nil {
				rec.Steps = append(rec.Steps, Step{Name: "dedupe", Note: or(rec.dedupeNote, "first delivery: passed on")})
			}
			if h != nil && h.AutoAccepter != nil {
				note := "not a request: passed on"
				if rec.request {
					note = or(rec.acceptNote, "request left alone")
				}
				rec.Steps = append(rec.Steps, Step{Name: "auto-accept", Note: note})
			}
			if h != nil && h.RateLimiter != nil {
				note := "passed"
				if rateDropped {
					note = "dropped: over the limit"
				}
				rec.Steps = append(rec.Steps, Step{Name: "rate limit", Note: note})
			}
			if h != nil && h.Config.HandlerTimeout > 0 {
				rec.Steps = append(rec.Steps, Step{Name: "timeout", Note: h.Config.HandlerTimeout.String()})
			}
			switch {
			case rec.Handled != "":
				rec.Steps = append(rec.Steps, Step{Name: "module " + rec.Handled, Note: rec.route})
			case rec.dedupeNote != "" || rateDropped:
				// It never reached the router.
			default:
				rec.Steps = append(rec.Steps, Step{Name: "router", Note: "no route took it"})
			}
			rec.Done = true
			rec.Duration = time.Since(rec.start).Round(time.Microsecond).String()
			if err != nil {
				rec.Error = err.Error()
			}
			i.notifyLocked()
			return err
		})
	}
}

func or(s, def string) string {
	if s == "" {
		return def
	}
	return s
}

// note sets a middleware note on the in-flight events of botName that
// match.
func (i *inspector) note(botName string, match func(*EventRecord) bool, set func(*EventRecord)) {
	i.mu.Lock()
	defer i.mu.Unlock()
	for rec := range i.inflight {
		if rec.Bot == botName && match(rec) {
			set(rec)
		}
	}
}

// command records a command of botName's platform: on the events of
// that bot being handled now, or as background work.
func (i *inspector) command(botName, typ, outcome string, d time.Duration) {
	cr := CommandRecord{Time: time.Now(), Type: typ, Outcome: outcome, Duration: d.Round(time.Microsecond).String()}
	i.mu.Lock()
	defer i.mu.Unlock()
	n := 0
	for rec := range i.inflight {
		if rec.Bot == botName {
			rec.Commands = append(rec.Commands, cr)
			n++
		}
	}
	if n == 0 {
		i.bg = append(i.bg, cr)
		if len(i.bg) > keepEvents {
			i.bg = i.bg[len(i.bg)-keepEvents:]
		}
	}
	i.notifyLocked()
}

// snapshot copies the records for the page.
func (i *inspector) snapshot() (events []EventRecord, frames []FrameRecord, bg []CommandRecord) {
	i.mu.Lock()
	defer i.mu.Unlock()
	events = make([]EventRecord, len(i.events))
	for k, e := range i.events {
		events[k] = *e
		events[k].Steps = append([]Step(nil), e.Steps...)
		events[k].Commands = append([]CommandRecord(nil), e.Commands...)
	}
	frames = make([]FrameRecord, len(i.frames))
	for k, f := range i.frames {
		frames[k] = *f
	}
	return events, frames, append([]CommandRecord(nil), i.bg...)
}

// eventJSON renders an event for the inspector.
func eventJSON(e bot.Event) string {
	b, err := json.MarshalIndent(e, "", "  ")
	if err != nil || string(b) == "{}" {
		return fmt.Sprintf("%+v", e)
	}
	return clip(b)
}

// markedModule sets a module up inside a router group whose middleware
// tells the inspector that the module's route took the event.
type markedModule struct {
	registry.Module
	name string
}

func (m markedModule) Setup(env registry.ModuleEnv, r *router.Router) (err error) {
	grouped := func() (perr error) {
		defer func() {
			if p := recover(); p != nil {
				perr = fmt.Errorf("%v", p)
			}
		}()
		var serr error
		r.Group(func(g *router.Router) {
			g.Use(mark(m.name))
			serr = m.Module.Setup(env, g)
		})
		return serr
	}
	if err := grouped(); err == nil || !strings.Contains(err.Error(), "top-level router") {
		return err
	}
	// The module needs the top-level router (a fallback, command
	// prefixes); a panic in Group left r as it was.
	return m.Module.Setup(env, r)
}

// Cleanup passes Cleanup on to the module.
func (m markedModule) Cleanup() error {
	if c, ok := m.Module.(registry.Cleaner); ok {
		return c.Cleanup()
	}
	return nil
}

// Validate passes Validate on to the module.
func (m markedModule) Validate() error {
	if v, ok := m.Module.(registry.Validator); ok {
		return v.Validate()
	}
	return nil
}

// mark is the route marker of module name.
func mark(name string) bot.Middleware {
	return func(next bot.Handler) bot.Handler {
		return bot.HandlerFunc(func(c *bot.Context) error {
			if rec, ok := c.Context().Value(traceKey{}).(*EventRecord); ok {
				route := "route"
				if cmd, ok := router.ParseCommand(c.Text(), "/"); ok {
					route = "command /" + cmd.Name
				} else if _, ok := c.Message(); ok {
					route = "message"
				}
				insp := rec.insp
				insp.mu.Lock()
				if rec.Handled == "" {
					rec.Handled, rec.route = name, route
				}
				insp.notifyLocked()
				insp.mu.Unlock()
			}
			return next.Handle(c)
		})
	}
}
