// Package hfcache reads and writes the Hugging Face cache exactly as
// huggingface_hub (Python, the `hf` CLI, transformers) and @huggingface/hub
// (JavaScript) lay it out on disk, so that files hfgate downloads are found
// offline by those tools and theirs are found by hfgate:
//
//	$HF_HUB_CACHE/
//	  .locks/models--org--name/<etag>.lock
//	  models--org--name/
//	    refs/main                        40-hex commit, no trailing newline
//	    refs/refs/pr/1                   the ref of a pull request
//	    blobs/<etag>                     content; etag = sha256 (LFS) or git blob sha1
//	    blobs/<etag>.incomplete          a partial download: always a prefix of the content
//	    blobs/<etag>.hfgate-parts        hfgate's out-of-order bytes, and their journal
//	    blobs/<etag>.hfgate-journal      (IsPartial names them all)
//	    snapshots/<commit>/<path>        relative symlink -> ../../blobs/<etag>
//	    .no_exist/<commit>/<path>        empty file: the path 404s at that commit
//	    .hfgate/ipfs/<etag>.json         hfgate's record of the blob's IPFS pin
//
// (the other tools read only refs/, snapshots/ and blobs/ of a repository
// folder, so they ignore hfgate's records) and, for `--local-dir`
// downloads, LocalDir's metadata under <dir>/.cache/huggingface/download/.
//
// The package knows paths and files only; it makes no network calls. The
// download package writes blobs/<etag>.incomplete, verifies it, and then
// calls Repo.Publish (or PublishBlob and Link) to place it.
//
// # Safety
//
// Every repository path is checked with hfgate.ValidateRepoPath, and every
// etag, commit and revision before it becomes part of a file name. All file
// operations go through an os.Root opened on the cache directory, so a
// symbolic link planted anywhere below it (a snapshot directory pointing to
// /etc, say) can never make hfcache read or write outside the cache. The
// cache directory itself may be a symbolic link (a cache moved to another
// disk); so may blobs that point into the cache's own shared blob store. A
// repository folder that is a symbolic link to outside the cache is refused.
//
// Files are written to a temporary name, synced and renamed, so another
// process never sees half a blob, half a ref or half a metadata file.
//
// # Concurrency
//
// Cache, Repo and LocalDir are plain values and safe for concurrent use. Two
// processes writing the same blob must serialize on Repo.LockPath (the
// download package takes that lock); every other write here is a single
// atomic rename, so concurrent writers of the same ref or link simply leave
// the last one.
package hfcache
