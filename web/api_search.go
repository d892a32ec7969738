package web

import (
	"net/http"
	"strconv"
	"strings"
	"time"

	"github.com/hfgate/hfgate"
	"github.com/hfgate/hfgate/webauth"
)

// SearchPageSize is how many models one search page (one "Load more") holds.
const SearchPageSize = 20

// modelCard is a search result.
type modelCard struct {
	ID           string    `json:"id"`
	Author       string    `json:"author"`
	Downloads    int64     `json:"downloads"`
	Likes        int64     `json:"likes"`
	Tags         []string  `json:"tags"`
	Task         string    `json:"task,omitempty"`
	Library      string    `json:"library,omitempty"`
	LastModified time.Time `json:"last_modified,omitzero"`
	Gated        bool      `json:"gated"`
	Private      bool      `json:"private"`
	Parameters   int64     `json:"parameters,omitempty"`
	GGUFSize     int64     `json:"gguf_size,omitempty"`
}

func card(m *hfgate.Model) modelCard {
	c := modelCard{
		ID: string(m.ID), Author: m.Author, Downloads: m.Downloads, Likes: m.Likes,
		Tags: m.Tags, Task: m.PipelineTag, Library: m.LibraryName, LastModified: m.LastModified,
		Gated: m.IsGated(), Private: m.Private,
	}
	if c.Author == "" {
		c.Author = m.ID.Owner()
	}
	if c.Tags == nil {
		c.Tags = []string{}
	}
	if m.GGUF != nil {
		c.Parameters, c.GGUFSize = m.GGUF.Parameters, m.GGUF.TotalFileSize
	}
	return c
}

// searchJSON is the answer of GET /api/search. Next is the Hub's cursor for
// the following page ("" after the last); pass it back as ?cursor= with the
// same filters.
type searchJSON struct {
	Models []modelCard `json:"models"`
	Next   string      `json:"next,omitempty"`
}

// apiSearch: GET /api/search?q=&gguf=1&task=&library=&sort=&min_downloads=
// &max_size=&cursor=. max_size (bytes) drops GGUF repos whose files total
// more; repos of unknown size are kept.
func (s *Server) apiSearch(w http.ResponseWriter, r *http.Request) error {
	v := r.URL.Query()
	q := hfgate.SearchQuery{
		Search:  strings.TrimSpace(v.Get("q")),
		Task:    v.Get("task"),
		Library: v.Get("library"),
		Sort:    v.Get("sort"),
		Limit:   SearchPageSize,
	}
	if on, _ := strconv.ParseBool(v.Get("gguf")); on {
		q.Filters = append(q.Filters, "gguf")
	}
	minDL, err := intParam(v.Get("min_downloads"), "min_downloads")
	if err != nil {
		return err
	}
	maxSize, err := intParam(v.Get("max_size"), "max_size")
	if err != nil {
		return err
	}
	q.MinDownloads = minDL
	if len(q.Filters) > 0 || maxSize > 0 {
		q.Expand = []string{"gguf"} // parameters and total GGUF size per repo
	}
	models, next, err := s.Hub.SearchPage(r.Context(), q, v.Get("cursor"))
	if err != nil {
		return err
	}
	out := searchJSON{Models: []modelCard{}, Next: next}
	for _, m := range models {
		if maxSize > 0 && m.GGUF != nil && m.GGUF.TotalFileSize > maxSize {
			continue
		}
		out.Models = append(out.Models, card(m))
	}
	webauth.WriteJSON(w, http.StatusOK, out)
	return nil
}

// intParam parses a non-negative integer query parameter; "" is 0.
func intParam(s, name string) (int64, error) {
	if s == "" {
		return 0, nil
	}
	n, err := strconv.ParseInt(s, 10, 64)
	if err != nil || n < 0 {
		return 0, hfgate.Errorf(hfgate.EINVALID, "%s must be a whole number of 0 or more", name)
	}
	return n, nil
}
