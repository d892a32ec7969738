package hubsim

import (
	"net/http"
	"net/url"
	"os/exec"
	"regexp"
	"slices"
	"strings"
	"testing"
)

type treeItem struct {
	Type string
	OID  string
	Size int64
	Path string
	LFS  *struct {
		OID         string
		Size        int64
		PointerSize int64 `json:"pointerSize"`
	}
	LastCommit *struct{ ID, Title, Date string } `json:"lastCommit"`
}

// treeAll lists a tree following Link rel="next" to the end.
func treeAll(tb testing.TB, s *Server, path string) ([]treeItem, int) {
	tb.Helper()
	next := s.URL() + path
	var all []treeItem
	pages := 0
	for ; next != "" && pages < 100; pages++ {
		var page []treeItem
		resp := getJSON(tb, next, "", &page)
		all = append(all, page...)
		next = ""
		if m := regexp.MustCompile(`^<([^>]+)>; rel="next"$`).FindStringSubmatch(resp.Header.Get("Link")); m != nil {
			next = m[1]
		}
	}
	return all, pages
}

func paths(items []treeItem) []string {
	var out []string
	for _, it := range items {
		out = append(out, it.Path)
	}
	return out
}

func TestTree(t *testing.T) {
	s := startTest(t, Options{})
	root, _ := treeAll(t, s, "/api/models/"+RepoBenchmark+"/tree/main")
	if got := paths(root); !slices.Equal(got, []string{".gitattributes", "README.md", "blob-2GiB.bin", "small"}) {
		t.Fatalf("root entries %v", got)
	}
	for _, it := range root {
		switch it.Path {
		case "small":
			if it.Type != "directory" || it.Size != 0 || !hex40.MatchString(it.OID) {
				t.Errorf("directory entry %+v", it)
			}
		case "blob-2GiB.bin":
			fi, _ := s.Catalog().Stat(RepoBenchmark, "", it.Path)
			if it.Type != "file" || it.Size != 2<<30 || it.OID != fi.BlobID || it.LFS == nil || it.LFS.OID != fi.SHA256 || it.LFS.Size != 2<<30 || it.LFS.PointerSize < 130 {
				t.Errorf("LFS entry %+v, want oid %s lfs.oid %s", it, fi.BlobID, fi.SHA256)
			}
		case "README.md":
			if it.LFS != nil || it.Type != "file" {
				t.Errorf("regular file entry %+v", it)
			}
		}
	}
	all, _ := treeAll(t, s, "/api/models/"+RepoBenchmark+"/tree/main?recursive=true")
	if len(all) != 4+50 {
		t.Errorf("recursive: %d entries, want 54", len(all))
	}
	small, _ := treeAll(t, s, "/api/models/"+RepoBenchmark+"/tree/main/small")
	paged, pages := treeAll(t, s, "/api/models/"+RepoBenchmark+"/tree/main/small?limit=7")
	if len(small) != 50 || !slices.Equal(paths(paged), paths(small)) || pages != 8 {
		t.Errorf("small/: %d entries; pages of 7: %d entries in %d pages", len(small), len(paged), pages)
	}
}

func TestTreeExpandAndOIDs(t *testing.T) {
	s := startTest(t, Options{})
	re, _ := s.catalog.idx.lookupTyped(RepoTiny)
	v1 := re.resolve(TagTinyV1)
	items, _ := treeAll(t, s, "/api/models/"+RepoTiny+"/tree/main?expand=true")
	for _, it := range items {
		if it.LastCommit == nil || !hex40.MatchString(it.LastCommit.ID) || it.LastCommit.Date == "" {
			t.Fatalf("%s: lastCommit %+v", it.Path, it.LastCommit)
		}
		want := re.main.id
		if it.Path == "tiny-llama-Q4_K_M.gguf" || it.Path == ".gitattributes" {
			want = re.commits[0].id
			if it.Path == "tiny-llama-Q4_K_M.gguf" {
				want = v1.id
			}
		}
		if it.LastCommit.ID != want {
			t.Errorf("%s: lastCommit %s (%s), want %s", it.Path, it.LastCommit.ID, it.LastCommit.Title, want)
		}
	}
	// A directory's oid is its git tree id: check it against git itself.
	git, err := exec.LookPath("git")
	if err != nil {
		t.Skip("no git to check tree ids against")
	}
	mini, _ := treeAll(t, s, "/api/models/sentence-transformers/all-MiniLM-L6-v2/tree/main")
	var dirOID string
	for _, it := range mini {
		if it.Path == "1_Pooling" {
			dirOID = it.OID
		}
	}
	inner, _ := treeAll(t, s, "/api/models/sentence-transformers/all-MiniLM-L6-v2/tree/main/1_Pooling")
	if len(inner) != 1 {
		t.Fatalf("1_Pooling: %v", paths(inner))
	}
	dir := t.TempDir()
	if out, err := exec.Command(git, "-C", dir, "init", "-q").CombinedOutput(); err != nil {
		t.Fatalf("git init: %v %s", err, out)
	}
	cmd := exec.Command(git, "-C", dir, "mktree", "--missing")
	cmd.Stdin = strings.NewReader("100644 blob " + inner[0].OID + "\tconfig.json\n")
	out, err := cmd.Output()
	if err != nil {
		t.Fatalf("git mktree: %v", err)
	}
	if want := strings.TrimSpace(string(out)); dirOID != want {
		t.Errorf("tree oid of 1_Pooling %s, git says %s", dirOID, want)
	}
}

func TestPathsInfo(t *testing.T) {
	s := startTest(t, Options{})
	resp, err := http.PostForm(s.URL()+"/api/models/"+RepoBenchmark+"/paths-info/main",
		url.Values{"paths": {"README.md", "small", "nope", "blob-2GiB.bin"}, "expand": {"true"}})
	if err != nil {
		t.Fatal(err)
	}
	defer resp.Body.Close()
	if resp.StatusCode != 200 {
		t.Fatalf("status %d", resp.StatusCode)
	}
	var items []treeItem
	if err := decodeBody(resp, &items); err != nil {
		t.Fatal(err)
	}
	if got := paths(items); !slices.Equal(got, []string{"README.md", "small", "blob-2GiB.bin"}) || items[2].LFS == nil || items[0].LastCommit == nil {
		t.Errorf("paths-info %+v", items)
	}

	// @huggingface/hub sends the same request as JSON.
	resp, err = http.Post(s.URL()+"/api/models/"+RepoBenchmark+"/paths-info/main", "application/json",
		strings.NewReader(`{"paths":["blob-2GiB.bin","nope"],"expand":true}`))
	if err != nil {
		t.Fatal(err)
	}
	defer resp.Body.Close()
	items = nil
	if err := decodeBody(resp, &items); err != nil || len(items) != 1 || items[0].LFS == nil || items[0].LastCommit == nil {
		t.Errorf("paths-info as JSON: %v %+v", err, items)
	}
}
