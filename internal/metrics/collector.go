package metrics

import (
	"context"
	"time"

	"github.com/prometheus/client_golang/prometheus"

	"github.com/openswf/openswf/internal/clock"
	"github.com/openswf/openswf/internal/store"
)

// StoreReader is what the scrape-time collector asks the store.
type StoreReader interface {
	ListDomains(ctx context.Context, q store.DomainQuery) ([]store.Domain, error)
	OpenCount(ctx context.Context, domain string) (int, error)
	Backlogs(ctx context.Context, domain string) ([]store.Backlog, error)
}

// otherTaskLists is the task list under which the backlogs past
// Options.MaxTaskLists are summed.
const otherTaskLists = "(other)"

// storeCollector reads, at each scrape, what only the store knows: it is
// shared by every node of a cluster, so these are the cluster's figures,
// whichever node is scraped. Each query is bounded: one row (the count the
// store keeps) per domain, and one pass over the task queue's index.
type storeCollector struct {
	st           StoreReader
	clock        clock.Clock
	timeout      time.Duration
	maxTaskLists int
	errorf       func(string, error)

	open, backlog, oldest, errs *prometheus.Desc
}

func newStoreCollector(o Options) *storeCollector {
	c := &storeCollector{st: o.Store, clock: o.Clock, timeout: o.ScrapeTimeout, maxTaskLists: o.MaxTaskLists, errorf: o.Errorf}
	if c.clock == nil {
		c.clock = clock.Real{}
	}
	if c.timeout <= 0 {
		c.timeout = 5 * time.Second
	}
	if c.maxTaskLists <= 0 {
		c.maxTaskLists = 500
	}
	if c.errorf == nil {
		c.errorf = func(string, error) {}
	}
	c.open = prometheus.NewDesc(namespace+"_open_executions",
		"Open workflow executions, by domain.", []string{"domain"}, nil)
	c.backlog = prometheus.NewDesc(namespace+"_task_backlog",
		"Tasks waiting for a poller, by domain, kind and task list.", []string{"domain", "kind", "task_list"}, nil)
	c.oldest = prometheus.NewDesc(namespace+"_task_backlog_oldest_age_seconds",
		"Age of the oldest task waiting in a task list, by domain, kind and task list.", []string{"domain", "kind", "task_list"}, nil)
	c.errs = prometheus.NewDesc(namespace+"_metrics_store_errors",
		"Scrape-time store queries that failed during this scrape (their families are left out).", nil, nil)
	return c
}

// Describe implements prometheus.Collector.
func (c *storeCollector) Describe(ch chan<- *prometheus.Desc) {
	ch <- c.open
	ch <- c.backlog
	ch <- c.oldest
	ch <- c.errs
}

// Collect implements prometheus.Collector.
func (c *storeCollector) Collect(ch chan<- prometheus.Metric) {
	ctx, cancel := context.WithTimeout(context.Background(), c.timeout)
	defer cancel()
	failed := 0
	if err := c.collectOpen(ctx, ch); err != nil {
		failed++
		c.errorf("metrics: counting open executions", err)
	}
	if err := c.collectBacklogs(ctx, ch); err != nil {
		failed++
		c.errorf("metrics: reading task backlogs", err)
	}
	ch <- prometheus.MustNewConstMetric(c.errs, prometheus.GaugeValue, float64(failed))
}

func (c *storeCollector) collectOpen(ctx context.Context, ch chan<- prometheus.Metric) error {
	// Every domain, registered and deprecated: a deprecated domain's runs
	// go on.
	var counts []prometheus.Metric
	for _, status := range []string{store.StatusRegistered, store.StatusDeprecated} {
		domains, err := c.st.ListDomains(ctx, store.DomainQuery{Status: status})
		if err != nil {
			return err
		}
		for _, d := range domains {
			n, err := c.st.OpenCount(ctx, d.Name)
			if err != nil {
				return err
			}
			counts = append(counts, prometheus.MustNewConstMetric(c.open, prometheus.GaugeValue, float64(n), d.Name))
		}
	}
	for _, m := range counts {
		ch <- m
	}
	return nil
}

func (c *storeCollector) collectBacklogs(ctx context.Context, ch chan<- prometheus.Metric) error {
	bs, err := c.st.Backlogs(ctx, "")
	if err != nil {
		return err
	}
	now := c.clock.Now()
	type key struct {
		domain string
		kind   store.TaskKind
	}
	// Past the cap, the rest of each domain and kind is summed into one
	// series, its age the oldest of them.
	rest := map[key]*store.Backlog{}
	for i, b := range bs {
		if i < c.maxTaskLists {
			c.emitBacklog(ch, b, b.TaskList, now)
			continue
		}
		k := key{b.Domain, b.Kind}
		if r, ok := rest[k]; ok {
			r.Count += b.Count
			if b.Oldest.Before(r.Oldest) {
				r.Oldest = b.Oldest
			}
		} else {
			b := b
			rest[k] = &b
		}
	}
	for _, r := range rest {
		c.emitBacklog(ch, *r, otherTaskLists, now)
	}
	return nil
}

func (c *storeCollector) emitBacklog(ch chan<- prometheus.Metric, b store.Backlog, taskList string, now time.Time) {
	ch <- prometheus.MustNewConstMetric(c.backlog, prometheus.GaugeValue, float64(b.Count), b.Domain, string(b.Kind), taskList)
	ch <- prometheus.MustNewConstMetric(c.oldest, prometheus.GaugeValue, max(now.Sub(b.Oldest), 0).Seconds(), b.Domain, string(b.Kind), taskList)
}
