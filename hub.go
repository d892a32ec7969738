package hfgate

import (
	"context"
	"iter"
	"net/http"
)

// Hub is the Hugging Face Hub as the rest of hfgate uses it: search, model
// details, file lists and file metadata, ranged downloads and the signed-in
// account. hfhub.Client implements it over HTTP; tests may substitute a
// fake. Implementations must be safe for concurrent use, must never put a
// token in a URL, a log or an error message, and must never send
// Authorization to a host other than the Hub's own.
//
// Errors are *Error values: ENOTFOUND for a missing (or invisible) repo,
// revision or file; EUNAUTHORIZED when not signed in or the token was
// rejected; EGATED when a gated repo's access is not granted; EFORBIDDEN for
// a missing permission or a disabled repo; EUNAVAILABLE for network
// failures, rate limits and server errors after retries; ECANCELED when ctx
// ends; EINVALID for bad arguments.
type Hub interface {
	// Search lists models matching q, following pages until q.Limit
	// results or the end. An error ends the sequence.
	Search(ctx context.Context, q SearchQuery) iter.Seq2[*Model, error]

	// SearchPage returns one page of results: the first page of q when
	// cursor is "", else the page at cursor, a URL a previous call
	// returned. next is "" after the last page.
	SearchPage(ctx context.Context, q SearchQuery, cursor string) (models []*Model, next string, err error)

	// ModelInfo describes a repository at a revision ("" for the default
	// branch). For a renamed repository the returned Model.ID is the new id.
	ModelInfo(ctx context.Context, repo RepoID, rev string, opts ...InfoOption) (*Model, error)

	// Tree lists the files (and directories) under dir ("" for the root)
	// at a revision, with every descendant if recursive.
	Tree(ctx context.Context, repo RepoID, rev, dir string, recursive bool) ([]RepoFile, error)

	// FileMetadata resolves one file at a revision without downloading it.
	FileMetadata(ctx context.Context, repo RepoID, rev, path string) (*FileMetadata, error)

	// GetRange makes one GET of url for bytes start..end inclusive (end -1:
	// to the end; start 0 and end -1: the whole body, no Range header),
	// with no retries. It returns the response for 2xx and 416 answers; the
	// caller checks the status and Content-Range and closes the body.
	GetRange(ctx context.Context, url string, start, end int64) (*http.Response, error)

	// WhoAmI returns the account the current token belongs to, and how it
	// authenticates. It fails with EUNAUTHORIZED when there is no token.
	WhoAmI(ctx context.Context) (*User, error)
}

// InfoOptions are the per-call settings of Hub.ModelInfo. The zero value
// asks for the default model info.
type InfoOptions struct {
	// Blobs asks for each file's size, blob id and LFS hash (blobs=true).
	Blobs bool
}

// InfoOption sets an InfoOptions field for one Hub.ModelInfo call.
type InfoOption func(*InfoOptions)

// WithBlobs asks Hub.ModelInfo for each file's size, blob id and, for LFS
// files, SHA-256 (RepoFile.Size, BlobID and LFS).
func WithBlobs() InfoOption { return func(o *InfoOptions) { o.Blobs = true } }

// MaxFileSize is the largest file size hfgate takes a server's word for:
// 16 TiB, far beyond any file the Hub stores. A larger size (say
// 9000000000000000000 in X-Linked-Size) is a broken or hostile answer, and
// is refused before anything is allocated for it.
const MaxFileSize = 1 << 44
