package hfgate

import "time"

// Model is a model repository as the Hub API describes it. Fields the Hub did
// not send are zero.
type Model struct {
	ID               RepoID
	Author           string
	SHA              string // the commit the requested revision resolved to
	Private          bool
	Gated            string // "" when not gated, else "auto" or "manual"
	Disabled         bool
	Downloads        int64 // last 30 days
	DownloadsAllTime int64
	Likes            int64
	TrendingScore    float64
	Tags             []string
	PipelineTag      string // the task, e.g. "text-generation"
	LibraryName      string // e.g. "gguf", "transformers"
	CreatedAt        time.Time
	LastModified     time.Time
	CardData         map[string]any // README front matter (license, base_model, ...)
	Files            []RepoFile     // "siblings"; sizes only when asked for blobs
	GGUF             *GGUFSummary   // for repos holding GGUF files
	UsedStorage      int64
}

// IsGated reports whether the files need an access grant.
func (m *Model) IsGated() bool { return m.Gated != "" }

// GGUFSummary is what the Hub itself reads from one GGUF file of a repo.
type GGUFSummary struct {
	Parameters    int64 // "total": a parameter count, not bytes
	Architecture  string
	ContextLength int64
	TotalFileSize int64
}

// RepoFile is one entry of a repository tree.
type RepoFile struct {
	Path   string
	IsDir  bool
	Size   int64  // content size (the real size for LFS files, not the pointer's)
	BlobID string // git object id (sha1) of the blob, or of the LFS pointer
	LFS    *LFSInfo
}

// LFSInfo describes a file stored with Git LFS (or Xet): its content hash.
type LFSInfo struct {
	SHA256      string
	Size        int64
	PointerSize int64
}

// FileMetadata is what resolving a file at a revision tells, without
// downloading it (huggingface_hub's get_hf_file_metadata).
type FileMetadata struct {
	Repo     RepoID
	Revision string // as requested
	Path     string
	Commit   string // X-Repo-Commit
	ETag     string // sha256 for LFS files, git blob sha1 otherwise; no quotes
	Size     int64
	Location string // where the bytes are: a signed CDN URL or the resolve URL
}

// IsLFS reports whether the ETag is a SHA-256 content hash (LFS or Xet file)
// rather than a git blob id.
func (m *FileMetadata) IsLFS() bool { return len(m.ETag) == 64 }

// Sort orders for SearchQuery.Sort. The Hub always sorts descending.
const (
	SortDownloads = "downloads"
	SortLikes     = "likes"
	SortTrending  = "trendingScore"
	SortUpdated   = "lastModified"
	SortCreated   = "createdAt"
)

// SearchQuery selects models on the Hub. Zero fields do not filter.
type SearchQuery struct {
	Search       string   // substring of the repo id
	Author       string   // exact owner
	Filters      []string // tags that must all be present, e.g. "gguf"
	Library      string   // a library tag, e.g. "gguf" or "transformers"
	Task         string   // pipeline_tag, e.g. "text-generation"
	Sort         string   // one of the Sort constants; "" is the Hub's default
	Limit        int      // stop after this many results; 0 means all
	MinDownloads int64    // drop results with fewer downloads (applied by the client)
	Gated        *bool    // only gated (true) or only non-gated (false) repos
	Expand       []string // extra properties to return
}
