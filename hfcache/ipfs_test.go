package hfcache_test

import (
	"context"
	"os"
	"path/filepath"
	"strings"
	"testing"
	"time"

	"github.com/hfgate/hfgate"
	"github.com/hfgate/hfgate/hfcache"
)

const (
	cidWeights = "bafybeicvbo7tm4fnlr4oouqo6vx336bjgntrocgvhnn5togopzjdxh63q4"
	cidConfig  = "bafkreigh2akiscaildcqabsyg3dfr6chu3fgpregiymsck7e7aqa4s52zy"
)

func weightsRecord() hfcache.IPFSRecord {
	return hfcache.IPFSRecord{ETag: lfsETag(weights), SHA256: lfsETag(weights), Size: int64(len(weights)),
		CID: cidWeights, File: "model.gguf", Commit: commitMain, PinnedAt: time.Date(2026, 12, 1, 10, 0, 0, 0, time.UTC)}
}

func TestIPFSRecords(t *testing.T) {
	dir := newFixture(t)
	repo := mustRepo(t, hfcache.Cache{Dir: dir}, hfgate.RepoTypeModel, "org/model")
	if rec, err := repo.IPFSRecord(lfsETag(weights)); rec != nil || err != nil {
		t.Fatalf("IPFSRecord before any = %v, %v; want nil, nil", rec, err)
	}
	w := weightsRecord()
	cfg := hfcache.IPFSRecord{ETag: gitETag(config), SHA256: lfsETag(config), Size: int64(len(config)),
		CID: cidConfig, File: "sub/dir/config.json", Commit: commitMain, PinnedAt: w.PinnedAt}
	for _, rec := range []hfcache.IPFSRecord{w, cfg} {
		if err := repo.WriteIPFSRecord(rec); err != nil {
			t.Fatal(err)
		}
	}
	got, err := repo.IPFSRecord(w.ETag)
	if err != nil || got == nil || *got != w {
		t.Fatalf("IPFSRecord = %+v, %v; want %+v", got, err, w)
	}
	all, invalid, err := repo.IPFSRecords()
	if err != nil || len(invalid) != 0 || len(all) != 2 || all[0] != w || all[1] != cfg {
		t.Fatalf("IPFSRecords = %+v, %v, %v; want [weights config]", all, invalid, err)
	}

	// Written atomically: no temporary file is left, only the records.
	entries, err := os.ReadDir(filepath.Join(repo.Path(), ".hfgate", "ipfs"))
	if err != nil {
		t.Fatal(err)
	}
	var names []string
	for _, e := range entries {
		names = append(names, e.Name())
	}
	if want := lfsETag(weights) + ".json " + gitETag(config) + ".json"; strings.Join(names, " ") != want {
		t.Errorf("record folder holds %v, want %s", names, want)
	}

	if err := repo.RemoveIPFSRecord(w.ETag); err != nil {
		t.Fatal(err)
	}
	if rec, err := repo.IPFSRecord(w.ETag); rec != nil || err != nil {
		t.Fatalf("IPFSRecord after removal = %v, %v", rec, err)
	}
	if err := repo.RemoveIPFSRecord(w.ETag); err != nil {
		t.Fatalf("removing a missing record: %v", err)
	}
}

func TestWriteIPFSRecordRejectsInvalid(t *testing.T) {
	repo := mustRepo(t, hfcache.Cache{Dir: newFixture(t)}, hfgate.RepoTypeModel, "org/model")
	tests := map[string]func(*hfcache.IPFSRecord){
		"bad CID":        func(r *hfcache.IPFSRecord) { r.CID = "bafy\x1b[2J" },
		"CID with slash": func(r *hfcache.IPFSRecord) { r.CID = "bafy/../x" },
		"bad etag":       func(r *hfcache.IPFSRecord) { r.ETag = "../x" },
		"bad sha256":     func(r *hfcache.IPFSRecord) { r.SHA256 = "abc" },
		"bad file":       func(r *hfcache.IPFSRecord) { r.File = "../../etc/passwd" },
		"bad commit":     func(r *hfcache.IPFSRecord) { r.Commit = "main" },
		"negative size":  func(r *hfcache.IPFSRecord) { r.Size = -1 },
	}
	for name, spoil := range tests {
		t.Run(name, func(t *testing.T) {
			rec := weightsRecord()
			spoil(&rec)
			wantCode(t, repo.WriteIPFSRecord(rec), hfgate.EINVALID)
		})
	}
	if _, err := os.Stat(filepath.Join(repo.Path(), ".hfgate")); !os.IsNotExist(err) {
		t.Errorf("a rejected record left %s behind: %v", ".hfgate", err)
	}
}

// TestIPFSRecordLinksNotFollowed plants links where records go: a record
// file that links to a valid record elsewhere is not read, and a record
// folder that is a link is neither written through nor read.
func TestIPFSRecordLinksNotFollowed(t *testing.T) {
	dir := newFixture(t)
	c := hfcache.Cache{Dir: dir}
	repo := mustRepo(t, c, hfgate.RepoTypeModel, "org/model")
	other := mustRepo(t, c, hfgate.RepoTypeDataset, "org/data")
	rec := weightsRecord()
	if err := other.WriteIPFSRecord(rec); err != nil { // a valid record, in another folder
		t.Fatal(err)
	}
	elsewhere := filepath.Join(other.Path(), ".hfgate", "ipfs")

	recDir := filepath.Join(repo.Path(), ".hfgate", "ipfs")
	if err := os.MkdirAll(recDir, 0o755); err != nil {
		t.Fatal(err)
	}
	// Relative links: os.Root would refuse absolute ones anyway.
	if err := os.Symlink("../../../datasets--org--data/.hfgate/ipfs/"+rec.ETag+".json", filepath.Join(recDir, rec.ETag+".json")); err != nil {
		t.Fatal(err)
	}
	if got, err := repo.IPFSRecord(rec.ETag); got != nil {
		t.Errorf("a linked record file was read: %+v, %v", got, err)
	}
	rep, err := c.Scan(context.Background())
	if err != nil {
		t.Fatal(err)
	}
	if !hasWarning(rep, rec.ETag+".json", "not a valid hfgate IPFS record") {
		t.Errorf("Scan does not warn of the linked record: %v", rep.Warnings)
	}

	// Now .hfgate itself links to the other repository's .hfgate.
	if err := os.RemoveAll(filepath.Join(repo.Path(), ".hfgate")); err != nil {
		t.Fatal(err)
	}
	if err := os.Symlink("../datasets--org--data/.hfgate", filepath.Join(repo.Path(), ".hfgate")); err != nil {
		t.Fatal(err)
	}
	before := listTree(t, elsewhere)
	cfg := rec
	cfg.ETag, cfg.File = gitETag(config), "sub/dir/config.json"
	if err := repo.WriteIPFSRecord(cfg); err == nil {
		t.Error("a record was written through a linked .hfgate folder")
	}
	if got, err := repo.IPFSRecord(rec.ETag); got != nil || err == nil {
		t.Errorf("a record was read through a linked .hfgate folder: %+v, %v", got, err)
	}
	if after := listTree(t, elsewhere); after != before {
		t.Errorf("the linked-to folder changed:\n%s\nwas\n%s", after, before)
	}
}

func hasWarning(rep *hfcache.Report, pathSuffix, message string) bool {
	for _, w := range rep.Warnings {
		if strings.HasSuffix(w.Path, pathSuffix) && w.Message == message {
			return true
		}
	}
	return false
}

// TestScanIPFS shows records in a Report: the repository's records, and
// the CID on every file whose blob was pinned, whichever revision.
func TestScanIPFS(t *testing.T) {
	dir := newFixture(t)
	c := hfcache.Cache{Dir: dir}
	repo := mustRepo(t, c, hfgate.RepoTypeModel, "org/model")
	if err := repo.WriteIPFSRecord(weightsRecord()); err != nil {
		t.Fatal(err)
	}
	hfTree{t, dir}.write("models--org--model/.hfgate/ipfs/"+gitETag(config)+".json", []byte("{not json"))
	rep, err := c.Scan(context.Background())
	if err != nil {
		t.Fatal(err)
	}
	var model hfcache.CachedRepo
	for _, r := range rep.Repos {
		if r.ID == "org/model" {
			model = r
		}
	}
	if len(model.IPFS) != 1 || model.IPFS[0] != weightsRecord() {
		t.Errorf("CachedRepo.IPFS = %+v, want the weights record", model.IPFS)
	}
	var pinned []string
	for _, rev := range model.Revisions {
		for _, f := range rev.Files {
			if f.IPFSCID != "" {
				pinned = append(pinned, rev.Commit[:4]+" "+f.Path+" "+f.IPFSCID)
			}
		}
	}
	want := []string{"aaaa model.gguf " + cidWeights, "bbbb model.gguf " + cidWeights, "bbbb same/as-model.gguf " + cidWeights}
	if strings.Join(pinned, "\n") != strings.Join(want, "\n") {
		t.Errorf("files with a CID:\n%s\nwant\n%s", strings.Join(pinned, "\n"), strings.Join(want, "\n"))
	}
	if len(rep.Warnings) != 1 || !hasWarning(rep, gitETag(config)+".json", "not a valid hfgate IPFS record") {
		t.Errorf("warnings %v, want one for the broken record", rep.Warnings)
	}
	problems, err := repo.Verify(context.Background(), nil)
	if err != nil || len(problems) != 0 {
		t.Errorf("Verify sees the records as problems: %v, %v", problems, err)
	}
}

func TestLookupBlob(t *testing.T) {
	dir := newFixture(t)
	c := hfcache.Cache{Dir: dir}
	repo := mustRepo(t, c, hfgate.RepoTypeModel, "org/model")
	b, err := repo.LookupBlob("refs/pr/1", "same/as-model.gguf")
	if err != nil {
		t.Fatal(err)
	}
	want := hfcache.CachedBlob{Commit: commitPR, File: "same/as-model.gguf", ETag: lfsETag(weights),
		Path: filepath.Join(repo.Path(), "blobs", lfsETag(weights)), Size: int64(len(weights))}
	if b != want {
		t.Fatalf("LookupBlob = %+v, want %+v", b, want)
	}
	f, err := repo.OpenBlob(b.ETag)
	if err != nil {
		t.Fatal(err)
	}
	f.Close()

	h := hfTree{t, dir}
	h.write("models--org--model/snapshots/"+commitMain+"/copy.bin", weights) // a copy, not a link
	if err := os.Symlink("../../refs/main", filepath.Join(repo.Path(), "snapshots", commitMain, "odd.bin")); err != nil {
		t.Fatal(err)
	}
	h.link("models--org--model", commitMain, "gone.bin", lfsETag([]byte("gone")))
	tests := []struct {
		rev, file, code string
	}{
		{"", "missing.gguf", hfgate.ENOTFOUND},
		{"v9", "model.gguf", hfgate.ENOTFOUND},
		{"", "copy.bin", hfgate.EINVALID},
		{"", "odd.bin", hfgate.EINVALID},
		{"", "gone.bin", hfgate.ENOTFOUND},
		{"", "../x", hfgate.EINVALID},
	}
	for _, tt := range tests {
		_, err := repo.LookupBlob(tt.rev, tt.file)
		if got := hfgate.ErrorCode(err); got != tt.code {
			t.Errorf("LookupBlob(%q, %q): %v (code %s), want %s", tt.rev, tt.file, err, got, tt.code)
		}
	}
	empty := mustRepo(t, hfcache.Cache{Dir: filepath.Join(t.TempDir(), "none")}, hfgate.RepoTypeModel, "org/model")
	if _, err := empty.LookupBlob("", "model.gguf"); hfgate.ErrorCode(err) != hfgate.ENOTFOUND {
		t.Errorf("LookupBlob in a missing cache: %v, want ENOTFOUND", err)
	}
}
