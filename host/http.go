package host

import (
	"fmt"
	"net/http"
	"strings"

	"github.com/prometheus/client_golang/prometheus"
	"github.com/prometheus/client_golang/prometheus/promhttp"
)

// Handler returns the host's HTTP handler (/healthz, /readyz, /metrics),
// for mounting on a server of your own instead of WithAddr.
func (h *Host) Handler() http.Handler { return h.mux }

func (h *Host) newMux() *http.ServeMux {
	mux := http.NewServeMux()
	mux.HandleFunc("GET /healthz", func(w http.ResponseWriter, r *http.Request) {
		plain(w, http.StatusOK, "ok\n")
	})
	mux.HandleFunc("GET /readyz", h.serveReady)
	if g := h.cfg.gatherer; g != nil {
		mux.Handle("GET /metrics", promhttp.HandlerFor(g, promhttp.HandlerOpts{ErrorHandling: promhttp.ContinueOnError}))
	}
	return mux
}

func plain(w http.ResponseWriter, code int, body string) {
	w.Header().Set("Content-Type", "text/plain; charset=utf-8")
	w.Header().Set("Cache-Control", "no-store")
	w.WriteHeader(code)
	_, _ = w.Write([]byte(body))
}

// serveReady answers 200 when every bot is ready and 503 otherwise, with
// one line per unready bot saying why.
func (h *Host) serveReady(w http.ResponseWriter, r *http.Request) {
	h.mu.Lock()
	ph := h.phase
	h.mu.Unlock()
	switch ph {
	case phaseIdle:
		plain(w, http.StatusServiceUnavailable, "not started\n")
		return
	case phaseStopping, phaseStopped:
		plain(w, http.StatusServiceUnavailable, "shutting down\n")
		return
	}
	all := h.Status()
	var b strings.Builder
	unready := 0
	for _, st := range all {
		if st.Ready {
			continue
		}
		unready++
		fmt.Fprintf(&b, "%s: %s\n", st.Name, reason(st))
	}
	note := ""
	if h.cfg.readyNote != nil {
		note = strings.Join(strings.Fields(h.cfg.readyNote()), " ") + "\n"
	}
	if unready > 0 {
		plain(w, http.StatusServiceUnavailable, fmt.Sprintf("not ready: %d of %d bots\n%s%s", unready, len(all), b.String(), note))
		return
	}
	plain(w, http.StatusOK, fmt.Sprintf("ok: %d bots ready\n%s", len(all), note))
}

// reason says in a line why a bot is not ready.
func reason(st BotStatus) string {
	var why string
	switch {
	case st.Running:
		why = "running, not ready yet"
	case st.State == StateRestarting:
		why = fmt.Sprintf("restarting (%d restarts)", st.Restarts)
	default:
		why = st.State
	}
	if st.LastError != nil {
		// Keep the answer one line per bot whatever the error says.
		msg := strings.Join(strings.Fields(st.LastError.Error()), " ")
		why += "; last error: " + msg
	}
	return why
}

// collector exports the supervisors' state, read at scrape time so that
// removed bots disappear with them.
type collector struct {
	h                 *Host
	restarts, up, rdy *prometheus.Desc
}

func newCollector(h *Host) *collector {
	desc := func(name, help string) *prometheus.Desc {
		return prometheus.NewDesc(prometheus.BuildFQName("parley", "bot", name), help, []string{"bot"}, nil)
	}
	return &collector{
		h:        h,
		restarts: desc("restarts_total", "Times the host restarted the bot after it failed or panicked."),
		up:       desc("up", "1 while the bot's Run is running."),
		rdy:      desc("ready", "1 while the bot is ready."),
	}
}

// Describe implements prometheus.Collector.
func (c *collector) Describe(ch chan<- *prometheus.Desc) {
	ch <- c.restarts
	ch <- c.up
	ch <- c.rdy
}

// Collect implements prometheus.Collector.
func (c *collector) Collect(ch chan<- prometheus.Metric) {
	b2f := func(b bool) float64 {
		if b {
			return 1
		}
		return 0
	}
	for _, st := range c.h.Status() {
		// Names are validated by Add, so these cannot fail.
		ch <- prometheus.MustNewConstMetric(c.restarts, prometheus.CounterValue, float64(st.Restarts), st.Name)
		ch <- prometheus.MustNewConstMetric(c.up, prometheus.GaugeValue, b2f(st.Running), st.Name)
		ch <- prometheus.MustNewConstMetric(c.rdy, prometheus.GaugeValue, b2f(st.Ready), st.Name)
	}
}
