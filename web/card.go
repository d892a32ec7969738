package web

import (
	"bytes"
	"net/url"
	"strings"

	"github.com/yuin/goldmark"
	"github.com/yuin/goldmark/ast"
	"github.com/yuin/goldmark/extension"
	"github.com/yuin/goldmark/parser"
	"github.com/yuin/goldmark/text"
	"github.com/yuin/goldmark/util"
)

// A model card is the repository's README.md, written by whoever owns the
// repository: untrusted. It is rendered on the server with goldmark, which
// follows CommonMark and GFM and, without its WithUnsafe option, writes no
// raw HTML of the source (an HTML block or tag becomes a comment), so no
// tag, attribute or script of the author's reaches the page. Every URL then
// goes through cardURLs, an allow-list rather than goldmark's deny-list of
// dangerous schemes: links only to http(s) and mailto, opened in a new tab
// with rel="noopener noreferrer"; images only from the Hub (the page's
// Content-Security-Policy allows no other host, and would log a violation);
// relative paths resolved against the repository on the Hub. A sanitizer
// such as bluemonday would be a second parser to keep in step with this
// one for no gain: nothing here emits HTML it did not build itself. The
// page's CSP (script-src 'self') stands behind all of this.

// maxCard bounds the README bytes read and rendered.
const maxCard = 512 << 10

// cardRenderer is the Markdown renderer of model cards; goldmark's
// renderers are safe for concurrent use.
var cardRenderer = goldmark.New(
	goldmark.WithExtensions(extension.GFM),
	goldmark.WithParserOptions(parser.WithASTTransformers(util.Prioritized(cardURLs{}, 100))),
)

// cardBase is what relative URLs of a card resolve against, passed to the
// transformer through the parser context.
var cardBase = parser.NewContextKey()

type cardBases struct {
	hub   string   // the Hub's origin, e.g. https://huggingface.co
	blob  *url.URL // {hub}/{repo}/blob/{rev}/: links to files
	image *url.URL // {hub}/{repo}/resolve/{rev}/: the files themselves
}

// renderCard renders a README as safe HTML. Its YAML front matter (the
// card's metadata, shown elsewhere) is dropped.
func renderCard(src []byte, hub, repo, rev string) (string, error) {
	src = stripFrontMatter(src)
	blob, err := url.Parse(hub + "/" + repo + "/blob/" + url.PathEscape(rev) + "/")
	if err != nil {
		return "", err
	}
	image, err := url.Parse(hub + "/" + repo + "/resolve/" + url.PathEscape(rev) + "/")
	if err != nil {
		return "", err
	}
	ctx := parser.NewContext()
	ctx.Set(cardBase, &cardBases{hub: strings.TrimRight(hub, "/"), blob: blob, image: image})
	var buf bytes.Buffer
	if err := cardRenderer.Convert(src, &buf, parser.WithContext(ctx)); err != nil {
		return "", err
	}
	return buf.String(), nil
}

// stripFrontMatter drops a leading "---" YAML block.
func stripFrontMatter(src []byte) []byte {
	s := string(src)
	s = strings.TrimPrefix(s, "\ufeff")
	if !strings.HasPrefix(s, "---\n") && !strings.HasPrefix(s, "---\r\n") {
		return src
	}
	rest := s[strings.Index(s, "\n")+1:]
	for off := 0; off < len(rest); {
		end := strings.IndexByte(rest[off:], '\n')
		line := rest[off:]
		if end >= 0 {
			line = rest[off : off+end]
		}
		if strings.TrimRight(line, "\r") == "---" {
			if end < 0 {
				return nil
			}
			return []byte(rest[off+end+1:])
		}
		if end < 0 {
			break
		}
		off += end + 1
	}
	return src // no end: not front matter
}

// cardURLs checks every URL of a card against the allow-list (see above).
type cardURLs struct{}

func (cardURLs) Transform(doc *ast.Document, reader text.Reader, pc parser.Context) {
	bases, _ := pc.Get(cardBase).(*cardBases)
	if bases == nil {
		return
	}
	src := reader.Source()
	var unsafe []ast.Node
	_ = ast.Walk(doc, func(n ast.Node, entering bool) (ast.WalkStatus, error) {
		if !entering {
			return ast.WalkContinue, nil
		}
		switch n := n.(type) {
		case *ast.Link:
			if u, ok := linkURL(string(n.Destination), bases.blob); ok {
				n.Destination = []byte(u)
				newTab(n)
			} else {
				unsafe = append(unsafe, n)
			}
		case *ast.AutoLink:
			if _, ok := linkURL(string(n.URL(src)), bases.blob); ok {
				newTab(n)
			} else {
				unsafe = append(unsafe, n)
			}
		case *ast.Image:
			u, ok := linkURL(string(n.Destination), bases.image)
			switch {
			case ok && strings.HasPrefix(u, bases.hub+"/"):
				n.Destination = []byte(u)
			case ok: // elsewhere: a link to it instead
				link := ast.NewLink()
				link.Destination = []byte(u)
				newTab(link)
				alt := string(n.Text(src)) //nolint:staticcheck // the image's alt text
				if alt == "" {
					alt = "image"
				}
				link.AppendChild(link, ast.NewString([]byte(alt)))
				n.Parent().ReplaceChild(n.Parent(), n, link)
				return ast.WalkSkipChildren, nil
			default:
				unsafe = append(unsafe, n)
			}
		}
		return ast.WalkContinue, nil
	})
	for _, n := range unsafe { // keep the words, drop the link
		parent := n.Parent()
		for c := n.FirstChild(); c != nil; {
			next := c.NextSibling()
			parent.InsertBefore(parent, n, c)
			c = next
		}
		if al, ok := n.(*ast.AutoLink); ok {
			parent.InsertBefore(parent, n, ast.NewString(al.Label(src)))
		}
		parent.RemoveChild(parent, n)
	}
}

// newTab opens a link in a new tab that cannot reach back to the app.
func newTab(n ast.Node) {
	n.SetAttributeString("target", []byte("_blank"))
	n.SetAttributeString("rel", []byte("noopener noreferrer"))
}

// linkURL resolves raw against base and reports whether the result is an
// http(s) or mailto URL, the only schemes a card may link to.
func linkURL(raw string, base *url.URL) (string, bool) {
	raw = strings.TrimSpace(raw)
	if strings.HasPrefix(raw, "#") {
		return "", false // the card's headings have no ids on this page
	}
	u, err := url.Parse(raw)
	if err != nil {
		return "", false
	}
	if u.Scheme == "" && u.Host == "" {
		u = base.ResolveReference(u)
	}
	switch strings.ToLower(u.Scheme) {
	case "http", "https":
		if u.Host == "" {
			return "", false
		}
	case "mailto":
	default:
		return "", false
	}
	return u.String(), true
}
