package proxy

import (
	"net/http"
	"net/url"
	"strings"
	"testing"
	"unicode/utf8"

	"github.com/hfgate/hfgate"
)

// testProxy is a Proxy with only its addresses, for the functions that
// read nothing else.
func testProxy(t *testing.T, upstream string) *Proxy {
	t.Helper()
	ep, err := hfgate.NormalizeEndpoint(upstream)
	if err != nil {
		t.Fatal(err)
	}
	p := &Proxy{}
	p.upstream, _ = url.Parse(ep)
	p.public, _ = url.Parse("https://gw.example")
	return p
}

func TestRewriteLinks(t *testing.T) {
	tests := []struct {
		name, upstream string
		in             []string
		want           string
	}{
		{"pagination", "https://hub.example", []string{`<https://hub.example/api/models?search=a&cursor=xyz>; rel="next"`},
			`<https://gw.example/api/models?search=a&cursor=xyz>; rel="next"`},
		{"relative", "https://hub.example", []string{`</api/models/a/b/tree/main?cursor=c>; rel="next"`},
			`<https://gw.example/api/models/a/b/tree/main?cursor=c>; rel="next"`},
		{"xet links dropped, others kept", "https://hub.example",
			[]string{`<https://hub.example/api/models/a/b/xet-read-token/c>; rel="xet-auth", <https://cas.example/v1/reconstructions/h>; rel="xet-reconstruction-info", <https://hub.example/x>; rel="alternate"`},
			`<https://gw.example/x>; rel="alternate"`},
		{"rel with several values", "https://hub.example", []string{`<https://hub.example/a>; rel="next xet-auth"`}, ``},
		{"foreign host dropped", "https://hub.example", []string{`<https://elsewhere.example/a>; rel="next"`}, ``},
		{"commas in the target and title", "https://hub.example", []string{`<https://hub.example/a?x=1,2>; rel="next"; title="a, b"`},
			`<https://gw.example/a?x=1,2>; rel="next"; title="a, b"`},
		{"upstream prefix removed", "https://hub.example/hf", []string{`<https://hub.example/hf/api/models?cursor=1>; rel="next"`},
			`<https://gw.example/api/models?cursor=1>; rel="next"`},
		{"outside the prefix dropped", "https://hub.example/hf", []string{`<https://hub.example/other>; rel="next"`}, ``},
		{"several headers", "https://hub.example", []string{`</a>; rel="prev"`, `</b>; rel="next"`},
			`<https://gw.example/a>; rel="prev", <https://gw.example/b>; rel="next"`},
		{"malformed", "https://hub.example", []string{`https://hub.example/a; rel="next"`}, ``},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			p := testProxy(t, tt.upstream)
			if got := p.rewriteLinks(tt.in); got != tt.want {
				t.Errorf("rewriteLinks(%q)\n = %q\nwant %q", tt.in, got, tt.want)
			}
		})
	}
}

func TestRelativeLocation(t *testing.T) {
	tests := []struct {
		upstream, location, want string
		ok                       bool
	}{
		{"https://hub.example", "/api/models/google-bert/bert-base-uncased", "/api/models/google-bert/bert-base-uncased", true},
		{"https://hub.example", "https://hub.example/google-bert/bert-base-uncased/resolve/main/config.json?x=1", "/google-bert/bert-base-uncased/resolve/main/config.json?x=1", true},
		{"https://hub.example", "https://HUB.example/a", "/a", true},
		{"https://hub.example", "https://cdn.example/blob?sig=1", "", false},
		{"https://hub.example", "http://hub.example/a", "", false},
		{"https://hub.example", "a/b", "", false},
		{"https://hub.example/hf", "/hf/api/models/a/b", "/api/models/a/b", true},
		{"https://hub.example", "", "", false},
	}
	for _, tt := range tests {
		p := testProxy(t, tt.upstream)
		resp := &http.Response{Header: http.Header{"Location": {tt.location}}}
		got, ok := p.relativeLocation(resp)
		if got != tt.want || ok != tt.ok {
			t.Errorf("relativeLocation(%q) with upstream %s = %q, %v; want %q, %v", tt.location, tt.upstream, got, ok, tt.want, tt.ok)
		}
	}
}

func TestLeaks(t *testing.T) {
	const secret = "hf_oauth_0123456789abcdef"
	tests := []struct {
		name   string
		h      http.Header
		body   string
		secret string
		want   bool
	}{
		{"clean", http.Header{"A": {"b"}}, `{"x":1}`, secret, false},
		{"in a header", http.Header{"X-Debug": {"Bearer " + secret}}, ``, secret, true},
		{"in the body", nil, `{"token":"` + secret + `"}`, secret, true},
		{"no secret", http.Header{"A": {"b"}}, `x`, "", false},
	}
	for _, tt := range tests {
		if got := leaks(tt.secret, tt.h, []byte(tt.body)); got != tt.want {
			t.Errorf("%s: leaks = %v, want %v", tt.name, got, tt.want)
		}
	}
}

func TestHeaderSafe(t *testing.T) {
	long := strings.Repeat("é", 1000)
	tests := []struct{ in, want string }{
		{"plain", "plain"},
		{"line\r\nbreak\x00", "line  break"},
		{"\x1b[31mred", "[31mred"},
		{"bad \xff utf8", "bad \uFFFD utf8"},
	}
	for _, tt := range tests {
		if got := headerSafe(tt.in); got != tt.want {
			t.Errorf("headerSafe(%q) = %q, want %q", tt.in, got, tt.want)
		}
	}
	if got := headerSafe(long); len(got) > maxErrorMessage || !utf8.ValidString(got) {
		t.Errorf("headerSafe of %d bytes kept %d", len(long), len(got))
	}
}
