package web_test

import (
	"net/http"
	"os"
	"strings"
	"testing"
	"time"

	"github.com/hfgate/hfgate/hubsim"
	"github.com/hfgate/hfgate/hubsim/hubsimtest"
	"github.com/hfgate/hfgate/web"
)

type downloadsResult struct {
	Downloads []web.Transfer `json:"downloads"`
}

// waitDownload polls the app until download id leaves the running states.
func waitDownload(t *testing.T, a *app, c *http.Client, id string) web.Transfer {
	t.Helper()
	for deadline := time.Now().Add(60 * time.Second); time.Now().Before(deadline); time.Sleep(20 * time.Millisecond) {
		list, _ := getJSON[downloadsResult](t, a, c, "/api/downloads")
		for _, d := range list.Downloads {
			if d.ID == id && d.State != web.StateQueued && d.State != web.StateRunning && d.State != web.StateVerify {
				return d
			}
		}
	}
	t.Fatalf("download %s did not finish", id)
	return web.Transfer{}
}

// TestAPIDownloadOnceAndWhole: a second click on a downloaded file returns
// the same download; a whole repository is one download with one bar.
func TestAPIDownloadOnceAndWhole(t *testing.T) {
	hub := hubsimtest.Start(t, hubsim.Options{})
	a := startApp(t, hub, false)
	c := a.browser(t, false)
	const one = `{"repo":"hubsim/tiny-llama-GGUF","file":"tiny-llama-Q2_K.gguf"}`
	resp, body := a.post(t, c, "/api/downloads", one, nil)
	if resp.StatusCode != http.StatusCreated {
		t.Fatalf("start: %s %s", resp.Status, body)
	}
	first := waitDownload(t, a, c, idOf(t, body))
	if first.State != web.StateDone {
		t.Fatalf("download: %+v", first)
	}
	resp, body = a.post(t, c, "/api/downloads", one, nil)
	if resp.StatusCode != http.StatusOK || idOf(t, body) != first.ID {
		t.Errorf("the same file again: %s %s, want 200 with download %s", resp.Status, body, first.ID)
	}
	if list, _ := getJSON[downloadsResult](t, a, c, "/api/downloads"); len(list.Downloads) != 1 {
		t.Errorf("downloads after two clicks: %d, want 1", len(list.Downloads))
	}

	resp, body = a.post(t, c, "/api/downloads", `{"repo":"hubsim/tiny-llama-GGUF","all":true}`, nil)
	if resp.StatusCode != http.StatusCreated {
		t.Fatalf("start all: %s %s", resp.Status, body)
	}
	all := waitDownload(t, a, c, idOf(t, body))
	m, _ := getJSON[modelResult](t, a, c, "/api/models/hubsim/tiny-llama-GGUF")
	var size int64
	for _, f := range m.Files {
		size += f.Size
	}
	if all.State != web.StateDone || !all.Whole || len(all.Files) != len(m.Files) || all.Size != size || all.Done != size ||
		!strings.HasSuffix(all.LocalPath, "/snapshots/"+m.SHA) {
		t.Errorf("whole repository: %+v, want done, %d files, %d bytes, the snapshot folder", all, len(m.Files), size)
	}
	m, _ = getJSON[modelResult](t, a, c, "/api/models/hubsim/tiny-llama-GGUF")
	for _, f := range m.Files {
		if f.LocalPath == "" {
			t.Errorf("%s is not shown as downloaded", f.Path)
		}
	}
	for _, bad := range []string{`{"repo":"hubsim/tiny-llama-GGUF"}`, `{"repo":"hubsim/tiny-llama-GGUF","all":true,"file":"x"}`} {
		if resp, _ := a.post(t, c, "/api/downloads", bad, nil); resp.StatusCode != http.StatusBadRequest {
			t.Errorf("POST %s: %s, want 400", bad, resp.Status)
		}
	}
}

// TestAPIVerifyAndCard: a downloaded file verifies, a damaged one does
// not; the model card renders.
func TestAPIVerifyAndCard(t *testing.T) {
	hub := hubsimtest.Start(t, hubsim.Options{})
	a := startApp(t, hub, false)
	c := a.browser(t, false)
	_, body := a.post(t, c, "/api/downloads", `{"repo":"hubsim/tiny-llama-GGUF","file":"tiny-llama-Q2_K.gguf"}`, nil)
	d := waitDownload(t, a, c, idOf(t, body))
	type verify struct {
		OK      bool
		Message string
	}
	const req = `{"repo":"hubsim/tiny-llama-GGUF","file":"tiny-llama-Q2_K.gguf"}`
	resp, body := a.post(t, c, "/api/cache/verify", req, nil)
	if resp.StatusCode != http.StatusOK || !strings.Contains(body, `"ok":true`) {
		t.Errorf("verify: %s %s", resp.Status, body)
	}
	blob, err := os.Readlink(d.LocalPath)
	if err != nil {
		t.Fatal(err)
	}
	f, err := os.OpenFile(d.LocalPath, os.O_WRONLY, 0)
	if err != nil {
		t.Fatal(err)
	}
	f.WriteAt([]byte("X"), 100)
	f.Close()
	if resp, body = a.post(t, c, "/api/cache/verify", req, nil); !strings.Contains(body, `"ok":false`) || !strings.Contains(body, "damaged") {
		t.Errorf("verify a damaged file (%s): %s %s", blob, resp.Status, body)
	}
	if resp, _ = a.post(t, c, "/api/cache/verify", `{"repo":"hubsim/tiny-llama-GGUF","file":"tiny-llama-Q8_0.gguf"}`, nil); resp.StatusCode != http.StatusNotFound {
		t.Errorf("verify a file not downloaded: %s, want 404", resp.Status)
	}

	card, _ := getJSON[struct{ HTML string }](t, a, c, "/api/readme/hubsim/tiny-llama-GGUF")
	if !strings.Contains(card.HTML, "<h1>tiny-llama-GGUF</h1>") || strings.Contains(card.HTML, "license:") {
		t.Errorf("model card: %q", card.HTML)
	}
}

// TestDownloadsRestored: a new app lists what the cache holds, as done,
// and a download cut short as interrupted, which resumes to the end.
func TestDownloadsRestored(t *testing.T) {
	hub := hubsimtest.Start(t, hubsim.Options{})
	a := startApp(t, hub, false)
	c := a.browser(t, false)
	_, body := a.post(t, c, "/api/downloads", `{"repo":"hubsim/tiny-llama-GGUF","file":"tiny-llama-Q2_K.gguf"}`, nil)
	waitDownload(t, a, c, idOf(t, body))
	if err := hub.SetFaults(hubsim.FaultRule{Host: "cdn", BandwidthPerConn: 200_000}); err != nil {
		t.Fatal(err)
	}
	_, body = a.post(t, c, "/api/downloads", `{"repo":"hubsim/tiny-llama-GGUF","file":"tiny-llama-Q8_0.gguf"}`, nil)
	id := idOf(t, body)
	for deadline := time.Now().Add(30 * time.Second); ; time.Sleep(20 * time.Millisecond) {
		list, _ := getJSON[downloadsResult](t, a, c, "/api/downloads")
		if list.Downloads[0].Done > 0 || time.Now().After(deadline) {
			break
		}
	}
	a.post(t, c, "/api/downloads/"+id+"/cancel", "{}", nil)
	hub.SetFaults()

	// The next launch, over the same cache.
	b := startAppOn(t, hub, false, a.cache.Dir)
	c = b.browser(t, false)
	restored, _ := getJSON[downloadsResult](t, b, c, "/api/downloads")
	list := restored.Downloads
	var done, partial *web.Transfer
	for i := range list {
		switch list[i].State {
		case web.StateDone:
			done = &list[i]
		case web.StateInterrupted:
			partial = &list[i]
		}
	}
	if len(list) != 2 || done == nil || done.File != "tiny-llama-Q2_K.gguf" || !done.Restored || !strings.HasPrefix(done.LocalPath, a.cache.Dir) {
		t.Fatalf("restored %+v, want the finished file and the interrupted one", list)
	}
	if partial == nil || partial.Done <= 0 || partial.File != "" {
		t.Fatalf("interrupted download %+v, want its bytes kept and its file not yet known", partial)
	}
	if resp, body := b.post(t, c, "/api/downloads/"+partial.ID+"/resume", "{}", nil); resp.StatusCode != http.StatusOK {
		t.Fatalf("resume: %s %s", resp.Status, body)
	}
	if got := waitDownload(t, b, c, partial.ID); got.State != web.StateDone || got.File != "tiny-llama-Q8_0.gguf" {
		t.Errorf("the resumed download: %+v, want tiny-llama-Q8_0.gguf done", got)
	}
}
