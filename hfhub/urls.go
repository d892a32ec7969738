package hfhub

import (
	"net/url"
	"strings"

	"github.com/hfgate/hfgate"
)

// escapeAll percent-encodes every byte but the unreserved ones (RFC 3986
// §2.3: letters, digits, "-", ".", "_", "~"), like Python's
// quote(s, safe=""), which huggingface_hub applies to revisions. Go's
// url.PathEscape keeps "@", ":", "+" and others; the Hub reads both alike,
// but the same bytes on the wire are easier to reason about.
func escapeAll(s string) string { return escape(s, false) }

// escapePath is escapeAll keeping "/", like Python's quote(s), which
// huggingface_hub applies to file paths in resolve URLs.
func escapePath(s string) string { return escape(s, true) }

func escape(s string, keepSlash bool) string {
	const hex = "0123456789ABCDEF"
	var b strings.Builder
	for i := 0; i < len(s); i++ {
		c := s[i]
		switch {
		case 'a' <= c && c <= 'z', 'A' <= c && c <= 'Z', '0' <= c && c <= '9',
			c == '-', c == '.', c == '_', c == '~', keepSlash && c == '/':
			b.WriteByte(c)
		default:
			b.WriteByte('%')
			b.WriteByte(hex[c>>4])
			b.WriteByte(hex[c&15])
		}
	}
	return b.String()
}

// stripQuery returns raw without its query string and fragment, for error
// messages: signed CDN URLs carry credentials in the query.
func stripQuery(raw string) string {
	if i := strings.IndexAny(raw, "?#"); i >= 0 {
		return raw[:i]
	}
	return raw
}

// redactURLError replaces the URL inside a *url.Error (which net/http
// formats into its message) with one without a query string.
func redactURLError(err error) error {
	if ue, ok := err.(*url.Error); ok {
		return &url.Error{Op: ue.Op, URL: stripQuery(ue.URL), Err: ue.Err}
	}
	return err
}

// nextLink returns the target of the rel="next" link in a Link header
// (RFC 8288), resolved against base, or nil when there is none.
// Pagination on the Hub works this way, GitHub style.
func nextLink(header []string, base *url.URL) *url.URL {
	for _, h := range header {
		for h != "" {
			start := strings.IndexByte(h, '<')
			if start < 0 {
				break
			}
			end := strings.IndexByte(h[start:], '>')
			if end < 0 {
				break
			}
			target := h[start+1 : start+end]
			h = h[start+end+1:]
			// The parameters run to the next link, which starts with '<'
			// (a '<' cannot appear unquoted in a parameter value).
			params := h
			if next := strings.IndexByte(h, '<'); next >= 0 {
				params, h = h[:next], h[next:]
			} else {
				h = ""
			}
			if !hasRel(params, "next") {
				continue
			}
			u, err := base.Parse(target)
			if err != nil {
				return nil
			}
			return u
		}
	}
	return nil
}

// hasRel reports whether a link's parameters (`; rel="next", `) include
// the relation rel; rel may hold several space-separated values.
func hasRel(params, rel string) bool {
	for _, p := range strings.Split(params, ";") {
		name, value, ok := strings.Cut(strings.TrimSpace(strings.TrimRight(strings.TrimSpace(p), ",")), "=")
		if !ok || !strings.EqualFold(strings.TrimSpace(name), "rel") {
			continue
		}
		for _, v := range strings.Fields(strings.Trim(strings.TrimSpace(value), `"`)) {
			if strings.EqualFold(v, rel) {
				return true
			}
		}
	}
	return false
}

// pager follows a listing's rel="next" links, refusing one that leads back
// to a page already read: a server whose cursors loop would otherwise keep
// a listing going for ever.
type pager struct {
	c    *Client
	seen map[string]bool
}

func (c *Client) newPager(first string) *pager {
	return &pager{c: c, seen: map[string]bool{first: true}}
}

// next returns the page link leads to, "" at the end (link is nil), or an
// EUNAVAILABLE error when it was read already.
func (p *pager) next(link *url.URL) (string, error) {
	if link == nil {
		return "", nil
	}
	s := link.String()
	if p.seen[s] {
		return "", hfgate.Errorf(hfgate.EUNAVAILABLE,
			"%s sent a next-page link back to a page it already sent (its pagination loops): the listing was stopped there", link.Host)
	}
	p.seen[s] = true
	return s, nil
}
