// Package metrics exports a Parley process's bot metrics to Prometheus.
//
// One Metrics value owns every collector, all in the "parley" namespace:
//
//	parley_events_received_total{bot,platform,type}   events that reached the handler chain
//	parley_events_handled_total{bot,platform,type}    handler chains that returned nil (dropped events excluded, see Middlewares)
//	parley_events_failed_total{bot,platform,type}     handler chains that returned an error or panicked
//	parley_handler_duration_seconds{bot,platform}     handler chain latency
//	parley_unknown_events_total{bot,platform}         events or data of types the platform does not know
//	parley_queue_depth{bot}                           events queued or running (sampled at scrape time)
//	parley_commands_total{bot,platform,command,outcome}  commands sent, by outcome
//	parley_command_duration_seconds{bot,platform}     command round-trip latency
//	parley_reconnects_total{bot,platform}             platform reconnections
//	parley_dedupe_hits_total{bot}                     duplicate events dropped
//	parley_events_dropped_total{bot,reason}           events or requests a middleware refused, by reason
//	parley_requests_total{bot,kind,decision}          contact requests and invitations accepted or refused
//
// Bots get the event metrics from Middleware, used as their first outer
// middleware (or from the pair Middlewares returns, which keeps events a
// middleware dropped out of the handled count), and the queue gauge from
// WatchBot. Platforms and other
// middleware report through plain methods, or through the func values
// CommandObserver and ReconnectObserver return, so that they need not
// import Prometheus.
//
// Event and command types come from strings the peer sends, so each such
// label takes at most MaxLabelValues distinct values per platform; later
// values are counted as OtherLabel. Invalid UTF-8 is replaced, never
// allowed to panic.
//
// All methods are safe for concurrent use and do nothing on a nil
// *Metrics, so code can report unconditionally.
package metrics

import (
	"errors"
	"fmt"
	"time"

	"github.com/prometheus/client_golang/prometheus"
)

// Namespace prefixes every metric name.
const Namespace = "parley"

// Command outcomes, the values of the outcome label.
const (
	// OutcomeOK is a command the platform confirmed.
	OutcomeOK = "ok"
	// OutcomeError is a command the platform answered with an error.
	OutcomeError = "error"
	// OutcomeUnknown is a command written to the connection whose answer
	// never came (the connection was lost): it may or may not have run.
	OutcomeUnknown = "unknown"
	// OutcomeNotSent is a command that never left the process.
	OutcomeNotSent = "not_sent"
)

// LatencyBuckets are the histogram buckets, in seconds, for handler and
// command latency: 100µs to 30s.
var LatencyBuckets = []float64{
	0.0001, 0.00025, 0.0005, 0.001, 0.0025, 0.005, 0.01, 0.025, 0.05,
	0.1, 0.25, 0.5, 1, 2.5, 5, 10, 30,
}

// Drop reasons, the values of parley_events_dropped_total's reason label.
const (
	// DropDuplicate is an event Dedupe dropped as already handled.
	DropDuplicate = "duplicate"
	// DropRateLimited is a message event RateLimit dropped, including
	// one whose wait for a token was cut short (that one also fails).
	DropRateLimited = "rate_limited"
	// DropNotAccepted is a contact request or group invitation that
	// AutoAccept's policy refused (left alone or rejected). The event
	// itself still reaches the handlers.
	DropNotAccepted = "not_accepted"
	// DropAcceptCapped is a request the policy allowed but AutoAccept's
	// hourly cap held back. The event still reaches the handlers.
	DropAcceptCapped = "accept_capped"
)

// CommandFunc reports one command: its type (the platform's command name),
// its outcome (one of the Outcome constants) and how long it took. A
// platform can accept a func of this shape without importing this package.
type CommandFunc func(cmdType, outcome string, d time.Duration)

// Metrics owns Parley's collectors. Create it with New.
type Metrics struct {
	received, handled, failed *prometheus.CounterVec
	latency                   *prometheus.HistogramVec
	unknown                   *prometheus.CounterVec
	commands                  *prometheus.CounterVec
	commandLatency            *prometheus.HistogramVec
	reconnects                *prometheus.CounterVec
	dedupeHits                *prometheus.CounterVec
	dropped                   *prometheus.CounterVec
	requests                  *prometheus.CounterVec
	queue                     *queueCollector

	eventTypes, commandTypes, requestKinds *limiter
}

// New creates the collectors and registers them with reg. A nil reg
// registers nothing, which suits tests and benchmarks that read the
// Metrics directly. Registering twice in one registry is an error.
func New(reg prometheus.Registerer) (*Metrics, error) {
	counter := func(name, help string, labels ...string) *prometheus.CounterVec {
		return prometheus.NewCounterVec(prometheus.CounterOpts{Namespace: Namespace, Name: name, Help: help}, labels)
	}
	histogram := func(name, help string, labels ...string) *prometheus.HistogramVec {
		return prometheus.NewHistogramVec(prometheus.HistogramOpts{
			Namespace: Namespace, Name: name, Help: help, Buckets: LatencyBuckets,
		}, labels)
	}
	m := &Metrics{
		received: counter("events_received_total", "Events that reached the bot's handler chain.", "bot", "platform", "type"),
		handled:  counter("events_handled_total", "Events whose handler chain returned nil.", "bot", "platform", "type"),
		failed:   counter("events_failed_total", "Events whose handler chain returned an error or panicked.", "bot", "platform", "type"),
		latency:  histogram("handler_duration_seconds", "Time the handler chain took per event.", "bot", "platform"),
		unknown:  counter("unknown_events_total", "Events or event data of types the platform does not know.", "bot", "platform"),
		commands: counter("commands_total", "Commands sent to the platform, by outcome (ok, error, unknown, not_sent).",
			"bot", "platform", "command", "outcome"),
		commandLatency: histogram("command_duration_seconds", "Time a command took until its answer.", "bot", "platform"),
		reconnects:     counter("reconnects_total", "Times the platform connection was re-established.", "bot", "platform"),
		dedupeHits:     counter("dedupe_hits_total", "Duplicate events dropped before handling.", "bot"),
		dropped: counter("events_dropped_total",
			"Events or requests a middleware refused, by reason (duplicate, rate_limited, not_accepted, accept_capped).", "bot", "reason"),
		requests:     counter("requests_total", "Contact requests and group invitations decided, by decision (accepted, refused).", "bot", "kind", "decision"),
		queue:        newQueueCollector(),
		eventTypes:   newLimiter(MaxLabelValues),
		commandTypes: newLimiter(MaxLabelValues),
		requestKinds: newLimiter(MaxLabelValues),
	}
	if reg == nil {
		return m, nil
	}
	var errs []error
	var done []prometheus.Collector
	for _, c := range m.collectors() {
		if err := reg.Register(c); err != nil {
			errs = append(errs, err)
		} else {
			done = append(done, c)
		}
	}
	if len(errs) > 0 {
		// Undo only our own registrations: unregistering a collector that
		// failed would remove the equal one already in reg.
		for _, c := range done {
			reg.Unregister(c)
		}
		return nil, fmt.Errorf("metrics: register: %w", errors.Join(errs...))
	}
	return m, nil
}

func (m *Metrics) collectors() []prometheus.Collector {
	return []prometheus.Collector{
		m.received, m.handled, m.failed, m.latency, m.unknown, m.commands,
		m.commandLatency, m.reconnects, m.dedupeHits, m.dropped, m.requests, m.queue,
	}
}

// Collectors returns every collector, for callers that register them
// themselves (for example under a prometheus.WrapRegistererWith prefix).
func (m *Metrics) Collectors() []prometheus.Collector {
	if m == nil {
		return nil
	}
	return m.collectors()
}

// outcomeLabel keeps the outcome label to its known values.
func outcomeLabel(o string) string {
	switch o {
	case OutcomeOK, OutcomeError, OutcomeUnknown, OutcomeNotSent:
		return o
	}
	return OtherLabel
}

// CommandSent counts one command of cmdType with its outcome (one of the
// Outcome constants; anything else is counted as OtherLabel).
func (m *Metrics) CommandSent(bot, platform, cmdType, outcome string) {
	if m == nil {
		return
	}
	platform = cleanLabel(platform)
	m.commands.WithLabelValues(cleanLabel(bot), platform,
		m.commandTypes.value(platform, cmdType), outcomeLabel(outcome)).Inc()
}

// CommandObserver returns a CommandFunc that counts commands of the bot's
// platform and observes their latency. Give it to the platform client.
func (m *Metrics) CommandObserver(bot, platform string) CommandFunc {
	if m == nil {
		return func(string, string, time.Duration) {}
	}
	bot, platform = cleanLabel(bot), cleanLabel(platform)
	lat := m.commandLatency.WithLabelValues(bot, platform)
	return func(cmdType, outcome string, d time.Duration) {
		m.commands.WithLabelValues(bot, platform,
			m.commandTypes.value(platform, cmdType), outcomeLabel(outcome)).Inc()
		lat.Observe(d.Seconds())
	}
}

// Reconnected counts one re-established platform connection.
func (m *Metrics) Reconnected(bot, platform string) {
	if m == nil {
		return
	}
	m.reconnects.WithLabelValues(cleanLabel(bot), cleanLabel(platform)).Inc()
}

// ReconnectObserver returns a func that counts reconnections of the bot's
// platform, for platform clients that take a hook.
func (m *Metrics) ReconnectObserver(bot, platform string) func() {
	if m == nil {
		return func() {}
	}
	c := m.reconnects.WithLabelValues(cleanLabel(bot), cleanLabel(platform))
	return c.Inc
}

// DedupeHit counts one duplicate event dropped for bot. It fits
// middleware.DedupeOnHit through a closure: func(string) { m.DedupeHit(name) }.
func (m *Metrics) DedupeHit(bot string) {
	if m == nil {
		return
	}
	m.dedupeHits.WithLabelValues(cleanLabel(bot)).Inc()
}

// dropLabel keeps the reason label to its known values.
func dropLabel(r string) string {
	switch r {
	case DropDuplicate, DropRateLimited, DropNotAccepted, DropAcceptCapped:
		return r
	}
	return OtherLabel
}

// Dropped counts one event or request of bot that a middleware refused,
// with reason (one of the Drop constants; anything else is counted as
// OtherLabel). It does not touch the handled count: that is Middlewares'
// job.
func (m *Metrics) Dropped(bot, reason string) {
	if m == nil {
		return
	}
	m.dropped.WithLabelValues(cleanLabel(bot), dropLabel(reason)).Inc()
}

// Unknown counts unknown data a platform kept without emitting it as an
// event of its own (for example an unknown item inside a known event).
// Unknown events that reach the handler chain are counted by Middleware.
func (m *Metrics) Unknown(bot, platform string) {
	if m == nil {
		return
	}
	m.unknown.WithLabelValues(cleanLabel(bot), cleanLabel(platform)).Inc()
}

// RequestDecided counts a contact request or group invitation of kind
// ("contact", "group": bot.RequestKind's String) accepted or refused.
func (m *Metrics) RequestDecided(bot, kind string, accepted bool) {
	if m == nil {
		return
	}
	decision := "refused"
	if accepted {
		decision = "accepted"
	}
	m.requests.WithLabelValues(cleanLabel(bot), m.requestKinds.value("", kind), decision).Inc()
}

// Forget deletes every series of bot, for a bot removed from the process.
// Call it after the bot has stopped: a middleware still running would
// keep adding to series that are no longer exported.
func (m *Metrics) Forget(bot string) {
	if m == nil {
		return
	}
	l := prometheus.Labels{"bot": cleanLabel(bot)}
	for _, v := range []interface{ DeletePartialMatch(prometheus.Labels) int }{
		m.received.MetricVec, m.handled.MetricVec, m.failed.MetricVec, m.latency.MetricVec,
		m.unknown.MetricVec, m.commands.MetricVec, m.commandLatency.MetricVec,
		m.reconnects.MetricVec, m.dedupeHits.MetricVec, m.dropped.MetricVec, m.requests.MetricVec,
	} {
		v.DeletePartialMatch(l)
	}
	m.queue.forget(cleanLabel(bot))
}
