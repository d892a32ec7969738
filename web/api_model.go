package web

import (
	"context"
	"net/http"
	"path"
	"slices"
	"strings"

	"github.com/hfgate/hfgate"
	"github.com/hfgate/hfgate/fit"
	"github.com/hfgate/hfgate/webauth"
)

// Access states of a gated repo, for modelJSON.Access.
const (
	AccessGranted    = "granted"     // files can be downloaded
	AccessNotGranted = "not_granted" // signed in, but the owners have not granted access
	AccessSignIn     = "sign_in"     // anonymous: sign in to find out
)

// modelJSON is the answer of GET /api/models/{id}.
type modelJSON struct {
	modelCard
	SHA              string         `json:"sha,omitempty"`
	Gating           string         `json:"gating,omitempty"` // "auto" or "manual"
	Access           string         `json:"access,omitempty"` // for gated repos
	RequestAccessURL string         `json:"request_access_url,omitempty"`
	URL              string         `json:"url"`
	Card             map[string]any `json:"card,omitempty"`
	HasReadme        bool           `json:"has_readme"`
	// Files are the repository's files, model weights first, with what the
	// listing tells: sizes, and quantizations from the file names. Their
	// headers come from GET /api/fit/{id} (apiFit), as each is read.
	Files []fileJSON `json:"files"`
	// Whole is true for a repository that is one model in many files (a
	// transformers repo), downloaded whole rather than file by file.
	Whole  bool       `json:"whole"`
	Budget fit.Budget `json:"budget"`
}

// fileJSON is one file (or split model) of a repository, and whether it is
// in the cache.
type fileJSON struct {
	fit.Entry
	// LocalPath is where the file is in the cache at this commit; "" when
	// it is not there (for a split model, when any part is missing).
	LocalPath string `json:"local_path,omitempty"`
	// CID is the file's IPFS CID, when hfgate pinned it on a node.
	CID string `json:"cid,omitempty"`
}

// apiModel: GET /api/models/{org}/{name}[?revision=]: card metadata, gated
// status and the files, at once; nothing that needs a file's content.
func (s *Server) apiModel(w http.ResponseWriter, r *http.Request) error {
	ctx := r.Context()
	m, err := s.model(r)
	if err != nil {
		return err
	}
	out := modelJSON{
		modelCard: card(m),
		SHA:       m.SHA,
		Gating:    m.Gated,
		URL:       s.Endpoint + "/" + string(m.ID),
		Card:      m.CardData,
		Budget:    s.Budget,
	}
	if m.IsGated() {
		out.RequestAccessURL = out.URL
		out.Access = s.access(ctx, m)
	}
	out.Files = s.cached(ctx, m, fit.List(sortFiles(m.Files), s.Budget))
	for _, f := range out.Files {
		out.HasReadme = out.HasReadme || f.Path == readmeFile
		out.Whole = out.Whole || isWeights(f.Path) && !f.GGUF
	}
	webauth.WriteJSON(w, http.StatusOK, out)
	return nil
}

// model returns the repository {id} of r's path at ?revision=, with its
// files' sizes and hashes.
func (s *Server) model(r *http.Request) (*hfgate.Model, error) {
	repo, err := hfgate.ParseRepoID(r.PathValue("id"))
	if err != nil {
		return nil, err
	}
	return s.Hub.ModelInfo(r.Context(), repo, r.URL.Query().Get("revision"), hfgate.WithBlobs())
}

// weightExts are the extensions of model weights: the files a repository is
// for, listed first.
var weightExts = []string{".gguf", ".safetensors", ".bin", ".pt", ".pth", ".ckpt", ".onnx", ".h5", ".msgpack", ".tflite", ".mlmodel", ".ggml"}

func isWeights(p string) bool { return slices.Contains(weightExts, strings.ToLower(path.Ext(p))) }

// sortFiles returns the files with model weights first; each part keeps
// the listing's order.
func sortFiles(files []hfgate.RepoFile) []hfgate.RepoFile {
	out := slices.Clone(files)
	slices.SortStableFunc(out, func(a, b hfgate.RepoFile) int {
		switch wa, wb := isWeights(a.Path), isWeights(b.Path); {
		case wa == wb:
			return 0
		case wa:
			return -1
		default:
			return 1
		}
	})
	return out
}

// access finds out whether the caller may download a gated repo's files by
// resolving one of them.
func (s *Server) access(ctx context.Context, m *hfgate.Model) string {
	i := slices.IndexFunc(m.Files, func(f hfgate.RepoFile) bool { return !f.IsDir })
	if i < 0 {
		return ""
	}
	_, err := s.Hub.FileMetadata(ctx, m.ID, m.SHA, m.Files[i].Path)
	switch hfgate.ErrorCode(err) {
	case "":
		return AccessGranted
	case hfgate.EUNAUTHORIZED:
		return AccessSignIn
	case hfgate.EGATED, hfgate.EFORBIDDEN:
		if !hfgate.PrincipalFrom(ctx).IsAnonymous() {
			return AccessNotGranted
		}
		return AccessSignIn
	default: // the Hub could not tell now
		return ""
	}
}
