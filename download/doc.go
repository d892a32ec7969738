// Package download fetches files from the Hugging Face Hub into the
// huggingface_hub cache (or a plain local directory) fast, completely and
// verified.
//
// A Downloader resolves a Request (a repository, a revision, and either
// file names or include/exclude patterns over the whole snapshot) to one
// commit, skips what is already in place, and fetches the rest several files
// at a time over one shared pool of connections:
//
//	d := &download.Downloader{Hub: client, Cache: hfcache.Cache{Dir: dir}}
//	res, err := d.Download(ctx, download.Request{Repo: "org/model", Files: []string{"model.gguf"}}, reporter)
//
// A large file is fetched as parallel HTTP Range parts written in place into
// blobs/<etag>.incomplete, with a small journal beside it
// (<etag>.incomplete.parts) recording how far each part got, so a download
// killed at any point (kill -9 included) resumes where it stopped. Small files
// stream sequentially into an append-only .incomplete, exactly as
// huggingface_hub writes them, so each tool can resume the other's partial
// file. The content hash (SHA-256 for LFS files, the git blob SHA-1 for
// others) is computed while the bytes arrive, and the file is published into
// blobs/ by an atomic rename only when the hash matches: nothing that looks
// complete is ever left behind by a failed, corrupt or interrupted download.
//
// One process downloads a blob while others wanting the same blob wait on a
// file lock and then use the finished blob. Progress is reported as data
// through a Reporter; this package never prints.
package download
