// Package blobcache is the gateway's team cache: a content-addressed store
// of Hub files on local disk that streams a file to its first client while
// it is still being fetched, fetches it from upstream once however many
// clients ask, verifies it before it counts as complete, and evicts the
// least recently used files to stay under a size limit. A small metadata
// cache beside it (revision -> commit, JSON documents by commit) lets the
// gateway keep serving cached repos when the Hub cannot be reached.
//
//	c, err := blobcache.Open(ctx, blobcache.Config{Dir: dir, MaxSize: 500 << 30})
//	r, err := c.Open(ctx, blobcache.Blob{Key: key, Size: size}, upstream)
//	defer r.Close()
//	if err := r.Wait(start); err != nil { ... answer with an error status }
//	... send headers; r.WriteRange(w, start, n)
//
// # Storage
//
// Blobs are kept once, by the key the Hub names them with (Key): the
// SHA-256 of LFS files, the git blob SHA-1 of small files, at
// <dir>/blobs/sha256/<xx>/<key> and <dir>/blobs/sha1/<xx>/<key>. A file
// appears there only after its content matched its key (an atomic rename
// from <dir>/fill/). Fills in progress live in <dir>/fill/<key> beside a
// journal of what each part has fetched, so that a fill stopped by Close,
// by its idle limit or by kill -9 is resumed by the next Open of the blob,
// and partial data is never taken for a complete blob. Every file is made
// 0600 and every folder 0700, created with O_EXCL and opened with
// O_NOFOLLOW: the cache never follows a symlink it did not make.
//
// The index is the blobs/ folder itself plus a snapshot of sizes and last
// use (<dir>/index, rewritten every Config.IndexInterval while it changed,
// and on Close), so that Open over 100k blobs lists folder names and reads
// one file; a blob the snapshot missed costs one stat.
//
// # Fills
//
// The first Open of a missing blob starts one fill (single flight: every
// later Open of the same key reads that fill). A fill fetches the blob from
// its Upstream in parallel ranged parts (Config.FillConns streams, all
// fills sharing Config.Conns), earliest parts first. A reader waiting far
// ahead of every stream (a client resuming in the middle of a cold file)
// gets the part split at its offset and fetched at once by one extra
// stream. Readers read what has arrived at once and wait for the rest;
// Reader.Ready tells a caller how much is there, should it rather fetch a
// far range from upstream itself. The fill hashes the bytes in order as they
// become contiguous; the blob is published only when the hash equals its
// key, and until then no Reader hands out its last byte. A transfer that
// fails verification is discarded and fetched again (Config.FillAttempts),
// and every reader that was reading it gets an EINTEGRITY error. Cut or
// stalled streams are retried from where they stopped (Config.Retry,
// Config.StallTimeout).
//
// A fill belongs to the cache, not to the request that started it: a
// client hanging up does not stop what others read. Once no reader is
// left, a fill keeps running for Config.IdleFill and then stops, keeping
// its partial data for a later resume. Warm fills a blob with no reader.
//
// # Several replicas, and object stores
//
// Each replica of a gateway keeps its own directory (Open locks it against
// a second process), so replicas on separate disks each fetch a file once.
// To keep blobs on an S3-compatible store instead, only the complete side
// changes: fills stay on local disk as they are (streaming, resume and
// verification need a local file), publishing becomes a multipart upload
// of the verified file under blobs/<algo>/<key> (immutable, so no
// coordination is needed when two replicas upload the same key), a hit
// becomes a ranged GET of that object, and eviction a delete driven by an
// LRU index in the gateway's shared database. A replica then checks the
// store before starting a fill, so a file is fetched once for all
// replicas, except when two start it at the same moment.
//
// # Eviction
//
// Config.MaxSize bounds the bytes of complete and partial blobs. Making
// room removes the least recently used blobs that no Reader holds and no
// fill is writing; when that is not enough, Open fails with ENOSPACE and
// the caller may serve the file from upstream without caching it.
//
// # Errors
//
// Errors are *hfgate.Error values: EINVALID (bad key, size or range),
// ENOTFOUND (not cached and no upstream given), ENOSPACE (no room),
// EINTEGRITY (verification failed), EUNAVAILABLE (upstream failed after
// retries, the cache is closed), and upstream's own codes as it returned
// them. Messages never contain URLs.
package blobcache
