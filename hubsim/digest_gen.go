package hubsim

import (
	"bufio"
	"crypto/sha256"
	"encoding/json"
	"fmt"
	"io"
	"runtime"
	"slices"
	"sync"
)

// WriteDigestTable computes the SHA-256 digest and fingerprint of every
// generated file of c (GGUF, safetensors and random contents) and writes them
// as a digest table, the format of the committed builtin_digests.json. It is
// what "go generate ./hubsim" runs for the built-in catalog. It reads every
// byte, about a minute per 100 GB per core.
//
// workers <= 0 means runtime.GOMAXPROCS(0). progress, if not nil, is called
// after each file, never concurrently. The table goes to w only when every
// digest is known; on error nothing is written.
func (c *Catalog) WriteDigestTable(w io.Writer, workers int, progress func(path string, size int64)) error {
	if workers <= 0 {
		workers = runtime.GOMAXPROCS(0)
	}
	srcs := c.idx.gen.bigSources()
	type job struct {
		src *contentSource
		c   content
	}
	jobs := make([]job, 0, len(srcs))
	for _, s := range srcs {
		ct, err := s.content()
		if err != nil {
			return fmt.Errorf("generate %s: %w", s.desc, err)
		}
		jobs = append(jobs, job{s, ct})
	}
	// Largest first, so that workers finish together.
	slices.SortStableFunc(jobs, func(a, b job) int { return int(min(max(b.c.size()-a.c.size(), -1), 1)) })

	table := make(digestTable, len(jobs))
	var mu sync.Mutex
	ch := make(chan job)
	var wg sync.WaitGroup
	for range workers {
		wg.Go(func() {
			for j := range ch {
				rec := digestRecord{
					Path: j.src.desc, Size: j.c.size(), Fingerprint: fingerprint(j.c),
					SHA256: hashContent(sha256.New(), j.c, nil),
				}
				mu.Lock()
				table[j.src.key] = rec
				if progress != nil {
					progress(rec.Path, rec.Size)
				}
				mu.Unlock()
			}
		})
	}
	for _, j := range jobs {
		ch <- j
	}
	close(ch)
	wg.Wait()
	return writeDigestTable(w, table)
}

// writeDigestTable writes one entry per line, sorted by key, so that a
// regenerated table diffs well.
func writeDigestTable(w io.Writer, t digestTable) error {
	keys := make([]string, 0, len(t))
	for k := range t {
		keys = append(keys, k)
	}
	slices.Sort(keys)
	bw := bufio.NewWriter(w)
	bw.WriteString("{\n")
	for i, k := range keys {
		rec, err := json.Marshal(t[k])
		if err != nil {
			return err
		}
		sep := ","
		if i == len(keys)-1 {
			sep = ""
		}
		fmt.Fprintf(bw, "  %q: %s%s\n", k, rec, sep)
	}
	bw.WriteString("}\n")
	return bw.Flush()
}
