package gateway

import (
	"github.com/prometheus/client_golang/prometheus"

	"github.com/hfgate/hfgate/blobcache"
)

// cacheCollector exports the file cache's figures (blobcache.Stats), read
// when /metrics is scraped: hit ratio = (hits + joins) / opens, bytes
// saved = served - upstream.
type cacheCollector struct {
	c     *blobcache.Cache
	descs map[string]*prometheus.Desc
}

var cacheMetricHelp = map[string]string{
	"hfgate_cache_size_bytes":               "Bytes of the file cache on disk (complete blobs plus the full size of partial ones).",
	"hfgate_cache_max_size_bytes":           "The file cache's size limit ([cache] max_size; 0: none).",
	"hfgate_cache_blobs":                    "Complete blobs in the file cache.",
	"hfgate_cache_opens_total":              "Files opened from the cache, by result: hit (every byte verified already), join (a fill running), miss (a fill started).",
	"hfgate_cache_served_bytes_total":       "Bytes the file cache handed to clients.",
	"hfgate_cache_upstream_bytes_total":     "Bytes the file cache fetched from the Hub.",
	"hfgate_cache_saved_bytes_total":        "Bytes served that the Hub did not have to send (served - upstream).",
	"hfgate_cache_fills_total":              "Fills that ended, by result: done (verified and kept) or failed.",
	"hfgate_cache_evictions_total":          "Blobs evicted to keep the size limit.",
	"hfgate_cache_evicted_bytes_total":      "Bytes of the blobs evicted.",
	"hfgate_cache_integrity_failures_total": "Transfers that failed verification (their bytes were never served as complete).",
}

func newCacheCollector(c *blobcache.Cache) *cacheCollector {
	cc := &cacheCollector{c: c, descs: map[string]*prometheus.Desc{}}
	for name, help := range cacheMetricHelp {
		var labels []string
		switch name {
		case "hfgate_cache_opens_total", "hfgate_cache_fills_total":
			labels = []string{"result"}
		}
		cc.descs[name] = prometheus.NewDesc(name, help, labels, nil)
	}
	return cc
}

func (cc *cacheCollector) Describe(ch chan<- *prometheus.Desc) {
	for _, d := range cc.descs {
		ch <- d
	}
}

func (cc *cacheCollector) Collect(ch chan<- prometheus.Metric) {
	st := cc.c.Stats()
	gauge := func(name string, v float64) {
		ch <- prometheus.MustNewConstMetric(cc.descs[name], prometheus.GaugeValue, v)
	}
	counter := func(name string, v int64, labels ...string) {
		ch <- prometheus.MustNewConstMetric(cc.descs[name], prometheus.CounterValue, float64(v), labels...)
	}
	gauge("hfgate_cache_size_bytes", float64(st.Size))
	gauge("hfgate_cache_max_size_bytes", float64(st.MaxSize))
	gauge("hfgate_cache_blobs", float64(st.Blobs))
	counter("hfgate_cache_opens_total", st.Hits, "hit")
	counter("hfgate_cache_opens_total", st.Joins, "join")
	counter("hfgate_cache_opens_total", st.Misses, "miss")
	counter("hfgate_cache_served_bytes_total", st.BytesServed)
	counter("hfgate_cache_upstream_bytes_total", st.BytesUpstream)
	counter("hfgate_cache_saved_bytes_total", st.BytesSaved())
	counter("hfgate_cache_fills_total", st.FillsDone, "done")
	counter("hfgate_cache_fills_total", st.FillsFailed, "failed")
	counter("hfgate_cache_evictions_total", st.Evictions)
	counter("hfgate_cache_evicted_bytes_total", st.EvictedBytes)
	counter("hfgate_cache_integrity_failures_total", st.IntegrityFailures)
}
