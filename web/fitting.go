package web

import (
	"context"
	"net/http"
	"sync"
	"time"

	"github.com/hfgate/hfgate"
	"github.com/hfgate/hfgate/fit"
	"github.com/hfgate/hfgate/webauth"
)

// files lists m's files with size, quantization, memory estimate and
// verdict from their GGUF headers. Without an Opener, or when the headers
// cannot be read (a gated repo not granted), it lists sizes only and says
// why in the note.
func (s *Server) files(ctx context.Context, m *hfgate.Model) ([]fit.Entry, string) {
	if s.Open != nil {
		entries, err := fit.Analyze(ctx, s.Open(m.ID, m.SHA), m.Files, fit.Options{Budget: s.Budget})
		if err == nil {
			return entries, ""
		}
		if hfgate.ErrorCode(err) == hfgate.EINTERNAL {
			s.Logger.Error("web: analyse files", "repo", m.ID, "err", err)
		}
		return plainFiles(m), "Memory estimates are not available: " + userMessage(err)
	}
	return plainFiles(m), ""
}

// plainFiles lists m's files with their sizes: GGUF models get the
// verdict Unknown, other files none.
func plainFiles(m *hfgate.Model) []fit.Entry {
	out := []fit.Entry{}
	for _, f := range m.Files {
		if f.IsDir {
			continue
		}
		e := fit.Entry{Path: f.Path, Size: f.Size, GGUF: fit.IsGGUF(f.Path)}
		if e.GGUF {
			e.Fits = fit.Unknown
		}
		out = append(out, e)
	}
	return out
}

// recommendTTL is how long recommendations are kept: they take a few
// searches and header reads, and the catalog changes slowly.
const recommendTTL = 10 * time.Minute

type recommendCache struct {
	mu  sync.Mutex
	at  time.Time
	rec *fit.Recommendation
}

// apiRecommend: GET /api/recommendations lists coding models with a file
// that fits this machine, best first (fit.Recommendation).
func (s *Server) apiRecommend(w http.ResponseWriter, r *http.Request) error {
	rec, err := s.recommendations(r.Context())
	if err != nil {
		return err
	}
	webauth.WriteJSON(w, http.StatusOK, rec)
	return nil
}

// Warm prepares what the first page shows and takes the Hub a while to
// answer, the recommendations, so that the page gets them at once. The
// commands run it in the background when the app starts; a page that asks
// meanwhile waits for the same work. Errors are left for that page's
// request to meet again.
func (s *Server) Warm(ctx context.Context) {
	s.once.Do(s.init)
	_, _ = s.recommendations(ctx)
}

// recommendations returns the cached recommendations, made anew once they
// are older than recommendTTL.
func (s *Server) recommendations(ctx context.Context) (*fit.Recommendation, error) {
	if s.Open == nil {
		return &fit.Recommendation{Task: fit.TaskCoding, Budget: s.Budget, Picks: []fit.Pick{}}, nil
	}
	c := &s.recommend
	c.mu.Lock()
	defer c.mu.Unlock()
	if c.rec == nil || s.Now().Sub(c.at) > recommendTTL {
		// Public models only: no credentials, so every browser gets the same list.
		anon := hfgate.WithPrincipal(ctx, hfgate.Anonymous)
		rec, err := fit.Recommend(anon, s.Hub, s.Open, fit.RecommendOptions{Task: fit.TaskCoding, Budget: s.Budget})
		if err != nil {
			return nil, err
		}
		if rec.Picks == nil {
			rec.Picks = []fit.Pick{}
		}
		c.rec, c.at = rec, s.Now()
	}
	return c.rec, nil
}
