package cluster

import "github.com/prometheus/client_golang/prometheus"

var (
	descMembers = prometheus.NewDesc("parley_cluster_members", "Live members of the cluster at this process's last heartbeat.", nil, nil)
	descOwned   = prometheus.NewDesc("parley_cluster_bot_owned", "1 for each configured bot this process owns, 0 for the others.", []string{"bot"}, nil)
	descToken   = prometheus.NewDesc("parley_cluster_lease_token", "Fencing token of this process's lease on the bot.", []string{"bot"}, nil)
	descLost    = prometheus.NewDesc("parley_cluster_leases_lost_total", "Leases this process lost (taken over or not renewed in time) and stopped the bot for.", nil, nil)
)

// Describe implements prometheus.Collector.
func (m *Member) Describe(ch chan<- *prometheus.Desc) {
	ch <- descMembers
	ch <- descOwned
	ch <- descToken
	ch <- descLost
}

// Collect implements prometheus.Collector: register the Member to export
// which bots this process owns.
func (m *Member) Collect(ch chan<- prometheus.Metric) {
	m.mu.Lock()
	defer m.mu.Unlock()
	ch <- prometheus.MustNewConstMetric(descMembers, prometheus.GaugeValue, float64(len(m.members)))
	ch <- prometheus.MustNewConstMetric(descLost, prometheus.CounterValue, float64(m.lostN))
	for _, b := range m.bots {
		v := 0.0
		if o := m.owned[b]; o != nil {
			v = 1
			ch <- prometheus.MustNewConstMetric(descToken, prometheus.GaugeValue, float64(o.lease.Token()), b)
		}
		ch <- prometheus.MustNewConstMetric(descOwned, prometheus.GaugeValue, v, b)
	}
}
