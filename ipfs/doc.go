// Package ipfs hands verified model files from the Hugging Face cache to an
// IPFS node, so that they can be shared and fetched peer to peer by CID, and
// remembers what it pinned beside the cache entry.
//
// A Pinner joins an hfgate.IPFSNode (kubo.Client) and an hfcache.Cache:
//
//	p := &ipfs.Pinner{Node: &kubo.Client{API: api.URL}, Cache: cache}
//	pin, err := p.Pin(ctx, "org/model", "main", "model-Q4_K_M.gguf", nil) // pin.CID
//	pins, err := p.List(ctx, "")                                          // no node needed
//	_, err = p.Unpin(ctx, "org/model", "main", "model-Q4_K_M.gguf")
//	version, err := p.Node.Version(ctx) // is a node running?
//
// # Guarantees
//
// The bytes the node receives are the bytes hashed: Pin hashes the blob
// while it streams it to the node, and when the content does not hash to
// the blob's name (its SHA-256, or its git blob id), or has another size,
// the request is broken off before its end, so the node never completes the
// add and pins nothing. This re-verifies the file in the same single read
// that sends it, leaving no moment between check and use in which the file
// could change unseen.
//
// A CID is recorded only after the node confirmed the pin (pin ls), and
// atomically (see hfcache.IPFSRecord): no failure, interruption or dead
// node leaves a record of something that is not pinned. A file whose
// record names a CID that the node still pins is not sent again.
//
// # Errors
//
// Errors are *hfgate.Error: the node's (EUNAVAILABLE wrapping
// hfgate.ErrNoIPFSNode when no node answers), the cache's (ENOTFOUND for a
// file not in the cache), EINTEGRITY for a file that no longer matches its
// name, and EINVALID for bad arguments. Messages are neutral: front ends add
// what to do next, such as how to start a node.
//
// # Concurrency
//
// A Pinner is safe for concurrent use. Pins of different blobs write
// different record files; two Pins of the same blob at once both add it
// (the node stores it once) and the last record written stays.
package ipfs
