package hubsim

import (
	"bytes"
	"crypto/sha256"
	"strings"
	"sync"
	"testing"
)

const staleHint = `the committed digest table is stale: run "go generate ./hubsim"`

// TestBuiltinDigestsFresh checks the committed digest table against the
// generators: every generated file has an entry whose size and fingerprint
// match, no entry is left over, and files up to 64 MiB hash to the
// committed SHA-256 in full.
func TestBuiltinDigestsFresh(t *testing.T) {
	cat := mustBuiltin(t)
	table := cat.idx.digests.table
	used := map[string]bool{}
	var full int
	for _, src := range cat.idx.gen.bigSources() {
		used[src.key] = true
		rec, ok := table[src.key]
		if !ok {
			t.Errorf("%s: no digest; %s", src.desc, staleHint)
			continue
		}
		c, err := src.content()
		if err != nil {
			t.Fatalf("%s: %v", src.desc, err)
		}
		if c.size() != rec.Size || fingerprint(c) != rec.Fingerprint {
			t.Errorf("%s: size %d fingerprint %s, table has %d %s; %s", src.desc, c.size(), fingerprint(c), rec.Size, rec.Fingerprint, staleHint)
			continue
		}
		if c.size() <= 64<<20 {
			full++
			if got := hashContent(sha256.New(), c, nil); got != rec.SHA256 {
				t.Errorf("%s: sha256 %s, table has %s; %s", src.desc, got, rec.SHA256, staleHint)
			}
		}
	}
	for k, rec := range table {
		if !used[k] {
			t.Errorf("digest table entry %s (%s) matches no file; %s", k, rec.Path, staleHint)
		}
	}
	if full < 50 {
		t.Errorf("only %d files were hashed in full; want the tiny and benchmark files at least", full)
	}
}

func TestLazyDigestsComputedOnce(t *testing.T) {
	cat, err := LoadCatalog(strings.NewReader(`{"repos":[{"id":"u/r","createdAt":"2025-01-01T00:00:00Z",
		"files":[{"path":"a.bin","random":{"size":3000000}},{"path":"b.txt","text":"hello\n"},
		         {"path":"c.bin","random":{"size":10},"sha256":"` + strings.Repeat("ab", 32) + `"}]}]}`))
	if err != nil {
		t.Fatal(err)
	}
	re, _ := cat.idx.lookupTyped("u/r")
	a := re.main.byPath["a.bin"]
	c, _ := a.src.content()
	want := hashContent(sha256.New(), c, nil)
	var wg sync.WaitGroup
	got := make([]string, 8)
	for i := range got {
		wg.Go(func() { got[i], _ = cat.idx.digests.sha256(a.src) })
	}
	wg.Wait()
	for i, g := range got {
		if g != want {
			t.Errorf("caller %d got %s, want %s", i, g, want)
		}
	}
	if n := len(cat.idx.digests.sha256s); n != 1 {
		t.Errorf("%d memoised digests, want 1", n)
	}
	if sha, _ := cat.idx.digests.sha256(re.main.byPath["c.bin"].src); sha != strings.Repeat("ab", 32) {
		t.Errorf("given sha256 not used: %s", sha)
	}
	// git blob id of "hello\n", as git hash-object prints it.
	if sha1, _ := cat.idx.digests.gitBlobSHA1(re.main.byPath["b.txt"].src); sha1 != "ce013625030ba8dba906f756967f9e9ca394464a" {
		t.Errorf("git blob sha1 of hello = %s", sha1)
	}
}

func TestWriteDigestTable(t *testing.T) {
	cat, err := LoadCatalog(strings.NewReader(`{"repos":[{"id":"u/r","createdAt":"2025-01-01T00:00:00Z",
		"files":[{"path":"a.bin","random":{"size":100000}},{"path":"b.bin","random":{"size":5}}]}]}`))
	if err != nil {
		t.Fatal(err)
	}
	var buf bytes.Buffer
	if err := cat.WriteDigestTable(&buf, 2, nil); err != nil {
		t.Fatal(err)
	}
	table, err := parseDigestTable(buf.Bytes())
	if err != nil {
		t.Fatal(err)
	}
	if len(table) != 2 {
		t.Fatalf("%d entries, want 2:\n%s", len(table), buf.Bytes())
	}
	re, _ := cat.idx.lookupTyped("u/r")
	for _, f := range re.main.files {
		c, _ := f.src.content()
		rec := table[f.key]
		if rec.Size != c.size() || rec.SHA256 != hashContent(sha256.New(), c, nil) || rec.Fingerprint != fingerprint(c) {
			t.Errorf("%s: entry %+v does not match the content", f.path, rec)
		}
	}
}
