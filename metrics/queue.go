package metrics

import (
	"sort"
	"sync"

	"github.com/parleybot/parley/bot"
	"github.com/prometheus/client_golang/prometheus"
)

// queueCollector samples the queue depth of watched bots at scrape time.
// One collector serves every bot, so watching and unwatching never touches
// the registry.
type queueCollector struct {
	desc *prometheus.Desc

	mu      sync.Mutex
	sources map[string]*queueSource
}

type queueSource struct {
	depth func() int
}

func newQueueCollector() *queueCollector {
	return &queueCollector{
		desc: prometheus.NewDesc(prometheus.BuildFQName(Namespace, "", "queue_depth"),
			"Events queued or being handled by the bot now.", []string{"bot"}, nil),
		sources: make(map[string]*queueSource),
	}
}

// Describe implements prometheus.Collector.
func (q *queueCollector) Describe(ch chan<- *prometheus.Desc) { ch <- q.desc }

// Collect implements prometheus.Collector.
func (q *queueCollector) Collect(ch chan<- prometheus.Metric) {
	type sample struct {
		name  string
		depth func() int
	}
	q.mu.Lock()
	samples := make([]sample, 0, len(q.sources))
	for name, s := range q.sources {
		samples = append(samples, sample{name, s.depth})
	}
	q.mu.Unlock()
	sort.Slice(samples, func(i, j int) bool { return samples[i].name < samples[j].name })
	// The depth funcs run outside the lock: they take the bot's own locks.
	for _, s := range samples {
		ch <- prometheus.MustNewConstMetric(q.desc, prometheus.GaugeValue, float64(s.depth()), s.name)
	}
}

func (q *queueCollector) watch(name string, depth func() int) func() {
	src := &queueSource{depth: depth}
	q.mu.Lock()
	q.sources[name] = src
	q.mu.Unlock()
	return func() {
		q.mu.Lock()
		// Only the latest watch of a name may remove it: a rebuilt bot
		// watched under the same name must survive its predecessor's
		// unwatch.
		if q.sources[name] == src {
			delete(q.sources, name)
		}
		q.mu.Unlock()
	}
}

func (q *queueCollector) forget(name string) {
	q.mu.Lock()
	delete(q.sources, name)
	q.mu.Unlock()
}

// WatchQueue exports depth() as parley_queue_depth{bot=name}, sampled at
// scrape time, until the returned func is called. Watching a name again
// replaces the earlier source; the earlier unwatch func then does nothing.
func (m *Metrics) WatchQueue(name string, depth func() int) (unwatch func()) {
	if m == nil {
		return func() {}
	}
	if depth == nil {
		panic("metrics: WatchQueue needs a non-nil depth func")
	}
	return m.queue.watch(cleanLabel(name), depth)
}

// WatchBot exports b's queue depth (b.Stats().Queued) under name; see
// WatchQueue.
func (m *Metrics) WatchBot(name string, b *bot.Bot) (unwatch func()) {
	if b == nil {
		panic("metrics: WatchBot needs a non-nil bot")
	}
	return m.WatchQueue(name, func() int { return b.Stats().Queued })
}
