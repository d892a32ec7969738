package web

import (
	"strings"
	"testing"
)

// TestRenderCardSafe: a model card renders as Markdown with nothing of the
// author's HTML, scripts or unsafe URLs, links in a new tab without an
// opener, and only the Hub's images.
func TestRenderCardSafe(t *testing.T) {
	const hub = "https://hub.example"
	for _, tt := range []struct {
		name    string
		src     string
		want    []string
		mustNot []string
	}{
		{"markdown", "# Title\n\nSome *text* and a table:\n\n| a | b |\n|---|---|\n| 1 | 2 |\n",
			[]string{"<h1>Title</h1>", "<em>text</em>", "<table>", "<td>1</td>"}, nil},
		{"front matter dropped", "---\nlicense: mit\ntags: [x]\n---\n# Card\n",
			[]string{"<h1>Card</h1>"}, []string{"license"}},
		{"raw html omitted", "<script>alert(1)</script>\n\nhi <img src=x onerror=alert(1)> <b onclick=\"x()\">b</b>\n\n<iframe src=\"https://evil.example\"></iframe>\n",
			[]string{"hi"}, []string{"<script", "onerror", "onclick", "<iframe", "<b"}},
		{"javascript link", "[click](javascript:alert(1)) [x](JaVaScRiPt:alert(1)) [d](data:text/html,hi) [v](vbscript:x)",
			[]string{"click"}, []string{"javascript", "JaVaScRiPt", "data:", "vbscript", "<a"}},
		{"autolink scheme", "<javascript:alert(1)> and <https://ok.example/a>",
			[]string{`href="https://ok.example/a"`, `rel="noopener noreferrer"`}, []string{`href="javascript`}},
		{"links open without opener", "[docs](https://docs.example/x) and [mail](mailto:a@b.example)",
			[]string{`<a href="https://docs.example/x" target="_blank" rel="noopener noreferrer">docs</a>`, `href="mailto:a@b.example"`}, nil},
		{"relative link to the repo", "[config](config.json)",
			[]string{`href="https://hub.example/org/m/blob/abc/config.json"`}, nil},
		{"scheme-relative link refused", "[x](//evil.example/a)", []string{"x"}, []string{"evil"}},
		{"images only from the hub", "![plot](img/plot.png) ![ext](https://evil.example/t.png)",
			[]string{`<img src="https://hub.example/org/m/resolve/abc/img/plot.png" alt="plot">`,
				`<a href="https://evil.example/t.png" target="_blank" rel="noopener noreferrer">ext</a>`},
			[]string{`<img src="https://evil`}},
	} {
		t.Run(tt.name, func(t *testing.T) {
			got, err := renderCard([]byte(tt.src), hub, "org/m", "abc")
			if err != nil {
				t.Fatal(err)
			}
			for _, w := range tt.want {
				if !strings.Contains(got, w) {
					t.Errorf("card lacks %q:\n%s", w, got)
				}
			}
			for _, w := range tt.mustNot {
				if strings.Contains(got, w) {
					t.Errorf("card holds %q:\n%s", w, got)
				}
			}
		})
	}
}
