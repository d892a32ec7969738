package audittest

import (
	"context"
	"fmt"
	"strconv"
	"sync"
	"sync/atomic"
	"testing"

	"github.com/hfgate/hfgate"
	"github.com/hfgate/hfgate/audit"
)

// BenchmarkRecord measures durable events per second through an
// audit.Writer on a store that open makes: with group commit (every event
// queued during a transaction goes into the next one), and with one
// transaction per event (MaxBatch 1), for 1, 8 and 64 concurrent
// recorders, each waiting for its event to be durable before the next, as
// a gateway's requests do. It reports events/s and events/batch.
func BenchmarkRecord(b *testing.B, open func(b *testing.B) hfgate.AuditStore) {
	// The two modes of one concurrency run one after the other, so that a
	// machine whose disk slows down over the run skews their ratio least.
	for _, recorders := range []int{1, 8, 64} {
		for _, mode := range []struct {
			name     string
			maxBatch int
		}{{"group", 0}, {"single", 1}} {
			b.Run(fmt.Sprintf("recorders=%d/%s", recorders, mode.name), func(b *testing.B) {
				benchRecord(b, open(b), mode.maxBatch, recorders)
			})
		}
	}
}

func benchRecord(b *testing.B, store hfgate.AuditStore, maxBatch, recorders int) {
	ctx := context.Background()
	w, err := audit.Open(ctx, store, audit.Config{Replica: "bench", MaxBatch: maxBatch})
	if err != nil {
		b.Fatal(err)
	}
	defer w.Close()
	// An intent as the proxy will record it: every field a download has.
	template := hfgate.AuditEvent{
		Kind: hfgate.AuditKindIntent, PrincipalKind: hfgate.PrincipalUser, Subject: "huggingface:6523a1f0c1d2",
		Username: "alice", TokenID: "tok_8rXq2LmZ0aPvT3sW", ClientIP: "10.1.2.3",
		UserAgent: "huggingface_hub/0.36.0; python/3.11.7; torch/2.5.1", Method: "GET",
		Path:   "/Qwen/Qwen2.5-Coder-0.5B-Instruct-GGUF/resolve/main/qwen2.5-coder-0.5b-instruct-q4_k_m.gguf",
		Action: "download", RepoType: hfgate.RepoTypeModel, Repo: "Qwen/Qwen2.5-Coder-0.5B-Instruct-GGUF",
		Revision: "main", Commit: "0123456789abcdef0123456789abcdef01234567", File: "qwen2.5-coder-0.5b-instruct-q4_k_m.gguf",
		SHA256: "9f86d081884c7d659a2feaa0c55ad015a3bf4f1b2b0b822cd15d6c15b0f00a08", Status: 200,
		Decision: hfgate.AuditAllow, Rule: "acme-members-download", Source: hfgate.AuditFromCache,
	}
	var next atomic.Int64
	var failed atomic.Value
	var wg sync.WaitGroup
	b.ResetTimer()
	for range recorders {
		wg.Go(func() {
			for i := next.Add(1); i <= int64(b.N); i = next.Add(1) {
				e := template
				e.RequestID = strconv.FormatInt(i, 10)
				if err := w.Record(ctx, &e); err != nil {
					failed.Store(err)
					return
				}
			}
		})
	}
	wg.Wait()
	b.StopTimer()
	if err, _ := failed.Load().(error); err != nil {
		b.Fatal(err)
	}
	st := w.Stats()
	b.ReportMetric(float64(b.N)/b.Elapsed().Seconds(), "events/s")
	if st.Batches > 0 {
		b.ReportMetric(float64(st.Events)/float64(st.Batches), "events/batch")
	}
}
