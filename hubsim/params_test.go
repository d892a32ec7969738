package hubsim

import (
	"encoding/json"
	"net/http"
	"net/url"
	"strings"
	"testing"
)

// TestBooleansInEveryForm checks that every boolean parameter hubsim reads
// takes the forms clients send (true/True/1, false/False/0) and refuses
// anything else with 400, instead of silently ignoring a True.
func TestBooleansInEveryForm(t *testing.T) {
	s := startTest(t, Options{})
	count := func(path string) int {
		var items []json.RawMessage
		getJSON(t, s.URL()+path, "", &items)
		return len(items)
	}
	has := func(path, key string) bool {
		_, body := do(t, "GET", s.URL()+path, "")
		return strings.Contains(string(body), `"`+key+`"`)
	}
	tree := "/api/models/" + RepoBenchmark + "/tree/main"
	flat := count(tree)
	info := "/api/models/" + RepoTiny
	search := "/api/models?search=tiny-llama"
	refs := "/api/models/" + RepoTiny + "/refs"
	for _, v := range []string{"true", "True", "1"} {
		t.Run("on="+v, func(t *testing.T) {
			if n := count(tree + "?recursive=" + v); n <= flat {
				t.Errorf("recursive=%s: %d entries, no more than the %d of the root", v, n, flat)
			}
			for _, c := range []struct{ path, key string }{
				{tree + "?expand=" + v, "lastCommit"},
				{info + "?blobs=" + v, "blobId"},
				{info + "?securityStatus=" + v, "securityRepoStatus"},
				{search + "&full=" + v, "siblings"},
				{search + "&cardData=" + v, "cardData"},
				{"/api/models?search=SmolLM2&config=" + v, "config"},
				{refs + "?include_prs=" + v, "pullRequests"},
			} {
				if !has(c.path, c.key) {
					t.Errorf("%s: no %s", c.path, c.key)
				}
			}
			form := url.Values{"paths": {"README.md"}, "expand": {v}}
			resp, err := http.PostForm(s.URL()+"/api/models/"+RepoTiny+"/paths-info/main", form)
			if err != nil {
				t.Fatal(err)
			}
			var entries []map[string]any
			decodeBody(resp, &entries)
			resp.Body.Close()
			if len(entries) != 1 || entries[0]["lastCommit"] == nil {
				t.Errorf("paths-info expand=%s: %v", v, entries)
			}
		})
	}
	for _, v := range []string{"false", "False", "0", ""} {
		if n := count(tree + "?recursive=" + v); n != flat {
			t.Errorf("recursive=%q: %d entries, want the %d of the root", v, n, flat)
		}
		if has(info+"?blobs="+v, "blobId") || has(search+"&full="+v, "siblings") {
			t.Errorf("blobs or full =%q: acted as true", v)
		}
	}
	for _, path := range []string{tree + "?recursive=yes", info + "?blobs=on", search + "&full=2", "/api/models?gated=maybe",
		refs + "?include_prs=y"} {
		if resp, _ := do(t, "GET", s.URL()+path, ""); resp.StatusCode != http.StatusBadRequest {
			t.Errorf("%s: %d, want 400", path, resp.StatusCode)
		}
	}
}

// TestSearchOptions checks the list options of issue 10: gated, apps, full,
// config and cardData, and that datasets and Spaces are listed at their
// own endpoints.
func TestSearchOptions(t *testing.T) {
	s := startTest(t, Options{})
	for _, tt := range []struct {
		query string
		check func(searchItem) bool
		min   int
	}{
		{"gated=True", func(it searchItem) bool { return it.ID == RepoGated }, 1},
		{"gated=1&expand=gated", func(it searchItem) bool { return it.Gated != false }, 1},
		{"gated=False&expand=gated", func(it searchItem) bool { return it.Gated == false }, 20},
		{"apps=llama.cpp&expand=tags", func(it searchItem) bool { return strings.Contains(strings.Join(it.Tags, ","), "gguf") }, 10},
		{"apps=vllm&expand=library_name", func(it searchItem) bool { return it.LibraryName == "transformers" }, 2},
	} {
		items, _ := searchAll(t, s, tt.query, "")
		if len(items) < tt.min {
			t.Errorf("%s: %d results, want at least %d", tt.query, len(items), tt.min)
		}
		for _, it := range items {
			if !tt.check(it) {
				t.Errorf("%s: %s does not match", tt.query, it.ID)
			}
		}
	}
	gguf, _ := searchAll(t, s, "filter=gguf", "")
	llama, _ := searchAll(t, s, "apps=llama.cpp", "")
	if len(gguf) != len(llama) {
		t.Errorf("apps=llama.cpp lists %d repos, the gguf filter %d", len(llama), len(gguf))
	}
	if resp, _ := do(t, "GET", s.URL()+"/api/models?apps=notepad", ""); resp.StatusCode != http.StatusBadRequest {
		t.Errorf("an unknown app: %d, want 400", resp.StatusCode)
	}

	var sized []struct {
		ID          string
		GGUF        *struct{ Total int64 } `json:"gguf"`
		Safetensors *struct{ Total int64 }
	}
	getJSON(t, s.URL()+"/api/models?num_parameters=min:6B,max:8B&expand=gguf&expand=safetensors", "", &sized)
	if len(sized) < 3 {
		t.Errorf("num_parameters=min:6B,max:8B: only %d models", len(sized))
	}
	for _, m := range sized {
		n := int64(0)
		if m.GGUF != nil {
			n = m.GGUF.Total
		} else if m.Safetensors != nil {
			n = m.Safetensors.Total
		}
		if n < 6e9 || n > 8e9 {
			t.Errorf("num_parameters=min:6B,max:8B lists %s with %d parameters", m.ID, n)
		}
	}
	for _, q := range []string{"inference=warm", "inference_provider=all"} {
		if items, _ := searchAll(t, s, q, ""); len(items) != 0 {
			t.Errorf("%s: %d models, but hubsim deploys none", q, len(items))
		}
	}
	for _, q := range []string{"num_parameters=6B", "num_parameters=min:lots", "linked=maybe"} {
		if resp, _ := do(t, "GET", s.URL()+"/api/models?"+q, ""); resp.StatusCode != http.StatusBadRequest {
			t.Errorf("%s: %d, want 400", q, resp.StatusCode)
		}
	}

	var full []map[string]any
	getJSON(t, s.URL()+"/api/models?search=SmolLM2&full=true&config=true&cardData=true", "", &full)
	if len(full) != 1 {
		t.Fatalf("SmolLM2: %d results", len(full))
	}
	for _, k := range []string{"sha", "lastModified", "siblings", "author", "config", "cardData"} {
		if full[0][k] == nil {
			t.Errorf("full, config and cardData: no %s in %v", k, full[0])
		}
	}
	if sib := full[0]["siblings"].([]any)[0].(map[string]any); len(sib) != 1 || sib["rfilename"] == nil {
		t.Errorf("full=true siblings hold only rfilename, got %v", sib)
	}

	var datasets, spaces []map[string]any
	getJSON(t, s.URL()+"/api/datasets?search=tiny-code", "", &datasets)
	getJSON(t, s.URL()+"/api/spaces?search=coder-chat", "", &spaces)
	if len(datasets) != 1 || datasets[0]["id"] != DatasetTiny || datasets[0]["description"] == nil {
		t.Errorf("/api/datasets: %v", datasets)
	}
	if len(spaces) != 1 || spaces[0]["id"] != SpaceDemo || spaces[0]["sdk"] != "gradio" {
		t.Errorf("/api/spaces: %v", spaces)
	}
	var models []map[string]any
	getJSON(t, s.URL()+"/api/models?search=tiny-code", "", &models)
	if len(models) != 0 {
		t.Errorf("/api/models lists a dataset: %v", models)
	}
	for _, q := range []string{"models=" + RepoTiny, "datasets=" + DatasetTiny, "linked=true"} {
		var using []map[string]any
		getJSON(t, s.URL()+"/api/spaces?"+q, "", &using)
		if len(using) != 1 || using[0]["id"] != SpaceDemo {
			t.Errorf("spaces with %s: %v", q, using)
		}
	}
}
