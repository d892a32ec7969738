package hfgate

import (
	"context"
	"errors"
	"io"
	"strings"
)

// IPFSNode is an IPFS node that stores files and keeps them pinned, so that
// they can be fetched peer to peer by their CID. kubo.Client implements it
// over the RPC API of Kubo, the reference node. Implementations must be safe
// for concurrent use.
//
// Errors are *Error values: EUNAVAILABLE wrapping ErrNoIPFSNode when no node
// answers at all (none is running, or nothing listens at its address);
// EUNAVAILABLE for a node that fails or stops answering during a call;
// EFORBIDDEN when the node refuses the call; ECANCELED when ctx ends;
// EINVALID for bad arguments, such as a malformed CID.
type IPFSNode interface {
	// Add stores size bytes read from r as one file, with CIDv1 and raw
	// leaves, pins it and returns its CID. name labels the pin; its last
	// element names the file. The bytes are streamed, never held in
	// memory; progress, if not nil, is called with the bytes sent so far.
	//
	// If reading r fails, or r holds other than size bytes, the add is
	// broken off before its end, so that the node pins nothing, and Add
	// returns an error that wraps r's error.
	Add(ctx context.Context, name string, r io.Reader, size int64, progress func(sent int64)) (cid string, err error)

	// Pinned reports whether cid is pinned recursively, as Add pins it.
	Pinned(ctx context.Context, cid string) (bool, error)

	// Unpin removes the recursive pin of cid. It reports whether there was
	// one: a cid that is not pinned is not an error.
	Unpin(ctx context.Context, cid string) (removed bool, err error)

	// Version returns the node's version, such as "0.43.1": the cheapest
	// call, to tell whether a node is running.
	Version(ctx context.Context) (string, error)
}

// ErrNoIPFSNode is wrapped by the errors of an IPFSNode, or of finding one,
// when no node answers: none is running, or nothing listens at the address
// it was looked for at. Front ends say how to start one.
var ErrNoIPFSNode = errors.New("no IPFS node")

// IsCID reports whether s is written as the CIDs hfgate records and sends
// are: a CIDv1 in base32 ("b" and lowercase a-z, 2-7), which is how Kubo
// prints CIDv1, or a CIDv0 ("Qm" and 44 base58 characters). It checks the
// form only, enough to keep anything else out of files, URLs and terminals.
func IsCID(s string) bool {
	switch {
	case strings.HasPrefix(s, "Qm") && len(s) == 46:
		return strings.Trim(s, base58) == ""
	case strings.HasPrefix(s, "b") && len(s) >= 10 && len(s) <= 120:
		return strings.Trim(s[1:], "abcdefghijklmnopqrstuvwxyz234567") == ""
	}
	return false
}

const base58 = "123456789ABCDEFGHJKLMNPQRSTUVWXYZabcdefghijkmnopqrstuvwxyz"
