package web_test

import (
	"net/http"
	"regexp"
	"strings"
	"testing"

	"github.com/hfgate/hfgate/hubsim"
	"github.com/hfgate/hfgate/hubsim/hubsimtest"
	"github.com/hfgate/hfgate/web"
)

// TestDownloadFailureSaysTheCause: a download the server keeps refusing
// fails with the server's answer in plain words, not a count of bytes that
// could disagree with the bar.
func TestDownloadFailureSaysTheCause(t *testing.T) {
	hub := hubsimtest.Start(t, hubsim.Options{})
	a := startApp(t, hub, false)
	c := a.browser(t, false)
	if err := hub.SetFaults(hubsim.FaultRule{Host: "cdn", Status: http.StatusServiceUnavailable}); err != nil {
		t.Fatal(err)
	}
	_, body := a.post(t, c, "/api/downloads", `{"repo":"hubsim/tiny-llama-GGUF","file":"tiny-llama-Q2_K.gguf"}`, nil)
	d := waitDownload(t, a, c, idOf(t, body))
	if d.State != web.StateFailed || !strings.Contains(d.Error, "503 Service Unavailable") || regexp.MustCompile(`\d+ bytes`).MatchString(d.Error) ||
		!strings.Contains(d.Error, "resume") {
		t.Errorf("failed download: %q (%s), want the server's 503 and how to resume, no byte counts", d.Error, d.State)
	}
	if d.Done != 0 || d.Size == 0 {
		t.Errorf("the bar: %d of %d, want nothing kept of a known size", d.Done, d.Size)
	}
}
