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
// A file streams over one connection into blobs/<etag>.incomplete, in
// order, exactly as huggingface_hub writes it: that file only ever holds a
// contiguous prefix of the content, so each tool resumes the other's partial
// file from its length, whatever the file's size. When that one connection
// proves slow for the file (a CDN's per-connection cap, a long path), helper
// connections fetch ranges further on as HTTP Range requests into
// blobs/<etag>.hfgate-parts, a file no other tool opens, with a small
// journal beside it (<etag>.hfgate-journal); their bytes join the
// .incomplete file, in order, once it reaches them. A download killed at any
// point (kill -9 included) resumes where it stopped, by hfgate or by
// huggingface_hub. The content hash (SHA-256 for LFS files, the git blob
// SHA-1 for others) follows the .incomplete file as it grows, and the file
// is published into blobs/ by an atomic rename only when the hash matches:
// nothing that looks complete is ever left behind by a failed, corrupt or
// interrupted download. A file whose ETag names no hash is refused unless
// Downloader.AllowUnverified says otherwise.
//
// Every file of a download in progress (the partial file, the parts file,
// the journal, the lock) is opened without following a symbolic link and
// only if it is a plain file, so that a link planted in a cache shared by a
// group cannot make a download overwrite another file. A connection that
// stalls or trickles is cut after Downloader.ReadTimeout and retried.
//
// One process downloads a blob while others wanting the same blob wait on a
// file lock and then use the finished blob. Progress is reported as data
// through a Reporter; this package never prints.
package download
