package web_test

import (
	"fmt"
	"net/http"
	"strings"
	"testing"

	"github.com/hfgate/hfgate/hubsim"
	"github.com/hfgate/hfgate/hubsim/hubsimtest"
)

// The web app reads the Hub through the same bounded client as the CLI: a
// hostile answer ends in an error the page can show, an invalid entry is
// left out of a listing, and neither becomes a link or a request.
func TestAPIHostileServer(t *testing.T) {
	const tiny = "hubsim/tiny-llama-GGUF"
	for _, tt := range []struct {
		name string
		rule hubsim.FaultRule
		path string
		code int
		want string // in the answer
		not  string // never in the answer
	}{
		{"invalid repo id in search results",
			hubsim.FaultRule{Host: hubsim.HostHub, PathPrefix: "/api/models", Times: 1, Body: &hubsim.FaultBody{
				Head: `[{"id":"ok/first","downloads":5},{"id":"evil\u001b]52;c;aGk=\u0007/../x","downloads":4},{"id":"ok/second","downloads":3}]`}},
			"/api/search?q=x", http.StatusOK, `"ok/second"`, "evil"},
		{"huge JSON in a model's card data",
			// 120 MB of {}: forty million maps, had it been decoded.
			hubsim.FaultRule{Host: hubsim.HostHub, PathPrefix: "/api/models/" + tiny, Body: &hubsim.FaultBody{
				Head: fmt.Sprintf(`{"id":%q,"cardData":{"x":[`, tiny), Repeat: "{},", Count: 40_000_000, Tail: "{}]}}"}},
			"/api/models/" + tiny, http.StatusBadGateway, "too large to read safely", "check your network"},
		{"escape sequences in a file name",
			hubsim.FaultRule{Host: hubsim.HostHub, PathPrefix: "/api/models/" + tiny, Body: &hubsim.FaultBody{
				Head: fmt.Sprintf(`{"id":%q,"sha":"%s","siblings":[{"rfilename":"README.md"},{"rfilename":"evil\u001b]0;pwned\u0007.gguf"}]}`,
					tiny, strings.Repeat("a", 40))}},
			"/api/models/" + tiny, http.StatusOK, `"README.md"`, "pwned"},
	} {
		t.Run(tt.name, func(t *testing.T) {
			hub := hubsimtest.Start(t, hubsim.Options{})
			a := startApp(t, hub, false)
			c := a.browser(t, false)
			if err := hub.SetFaults(tt.rule); err != nil {
				t.Fatal(err)
			}
			resp, body := a.get(t, c, tt.path)
			if resp.StatusCode != tt.code || !strings.Contains(body, tt.want) || strings.Contains(body, tt.not) {
				t.Fatalf("GET %s: %s, want %d with %q and without %q:\n%.500s", tt.path, resp.Status, tt.code, tt.want, tt.not, body)
			}
		})
	}
}
