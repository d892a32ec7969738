package hubsim

import (
	"bytes"
	"io"
	"net/http"
	"slices"
	"testing"
)

// TestDatasetsAndSpaces checks that datasets and Spaces are served at their
// own paths with the shapes of models: info, tree, refs, resolve under
// /datasets/ and /spaces/, and that a model's info lists the Spaces that
// use it.
func TestDatasetsAndSpaces(t *testing.T) {
	s := startTest(t, Options{})
	_, body := do(t, "GET", s.URL()+"/api/datasets/"+DatasetTiny, "")
	want := []string{"_id", "id", "author", "sha", "lastModified", "private", "gated", "disabled", "tags",
		"citation", "description", "downloads", "likes", "cardData", "siblings", "createdAt", "usedStorage"}
	if got := topKeys(t, body); !slices.Equal(got, want) {
		t.Errorf("dataset info keys %v, want %v", got, want)
	}
	var space struct {
		ID, SDK   string
		Subdomain string
		Runtime   struct{ Stage string }
		Models    []string
		Datasets  []string
	}
	getJSON(t, s.URL()+"/api/spaces/"+SpaceDemo+"/revision/main", "", &space)
	if space.ID != SpaceDemo || space.SDK != "gradio" || space.Runtime.Stage != "RUNNING" || space.Subdomain != "hubsim-coder-chat" ||
		!slices.Equal(space.Models, []string{RepoTiny}) || !slices.Equal(space.Datasets, []string{DatasetTiny}) {
		t.Errorf("space info %+v", space)
	}
	var model struct{ Spaces []string }
	getJSON(t, s.URL()+"/api/models/"+RepoTiny, "", &model)
	if !slices.Equal(model.Spaces, []string{SpaceDemo}) {
		t.Errorf("model info spaces %v, want the Space that uses it", model.Spaces)
	}

	tree, _ := treeAll(t, s, "/api/datasets/"+DatasetTiny+"/tree/main/data")
	if got := paths(tree); !slices.Equal(got, []string{"data/train-00000-of-00001.parquet", "data/train.jsonl"}) {
		t.Errorf("dataset tree %v", got)
	}
	var refs struct{ Branches []struct{ Name string } }
	getJSON(t, s.URL()+"/api/spaces/"+SpaceDemo+"/refs", "", &refs)
	if len(refs.Branches) != 1 || refs.Branches[0].Name != "main" {
		t.Errorf("space refs %+v", refs)
	}

	for _, f := range []struct{ repo, path string }{
		{"datasets/" + DatasetTiny, "data/train.jsonl"},
		{"datasets/" + DatasetTiny, "data/train-00000-of-00001.parquet"}, // LFS: through the CDN
		{"spaces/" + SpaceDemo, "app.py"},
	} {
		u := s.ResolveURL(f.repo, "main", f.path)
		resp, err := http.Get(u)
		if err != nil {
			t.Fatal(err)
		}
		got, _ := io.ReadAll(resp.Body)
		resp.Body.Close()
		if want := readAllFile(t, s, f.repo, "", f.path); resp.StatusCode != 200 || !bytes.Equal(got, want) {
			t.Errorf("GET %s: %d, %d bytes, want %d", u, resp.StatusCode, len(got), len(want))
		}
	}
	if resp, _ := do(t, "HEAD", s.URL()+"/"+DatasetTiny+"/resolve/main/data/train.jsonl", ""); resp.StatusCode != http.StatusUnauthorized {
		t.Errorf("a dataset file at a model URL: %d, want 401 RepoNotFound", resp.StatusCode)
	}
}
