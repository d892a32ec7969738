// Package kubo is a client of the RPC API of Kubo, the reference IPFS node
// (https://docs.ipfs.tech/reference/kubo/rpc/). Client implements
// hfgate.IPFSNode: it adds a file (streamed as multipart/form-data to
// /api/v0/add with cid-version=1, raw-leaves=true and pin=true), asks
// whether a CID is pinned (/api/v0/pin/ls), unpins (/api/v0/pin/rm) and asks
// the node's version (/api/v0/version). FindAPI finds the node's address as
// Kubo's own tools do.
//
// # Why not Kubo's own Go client
//
// github.com/ipfs/kubo/client/rpc speaks the whole API, but it lives in the
// Kubo module: importing it puts Kubo's go.mod, 261 requirements at v0.43.1
// (boxo, go-libp2p, multiaddr, go-cid, OpenTelemetry, Prometheus...), into
// this module's build graph, and Kubo pins go-libp2p with a replace
// directive that a dependent module does not inherit, so hfgate would build
// against versions Kubo itself was never tested with. The four calls hfgate
// makes take a few hundred lines of net/http here (multiaddr parsing
// included), which also let this package bound every answer, stream the
// upload under a stall timer, and break an add off before its end when the
// file turns out not to be the one verified.
//
// # Zero values and defaults
//
// A Client needs only API. A nil HTTPClient means a client of this package's
// own that never uses a proxy (the API is this machine's, and a proxy must
// not see the files); zero timeouts mean DefaultTimeout and
// DefaultStallTimeout.
//
// # Errors
//
// Errors are *hfgate.Error with neutral, user-safe messages (the front ends
// add advice): EUNAVAILABLE wrapping hfgate.ErrNoIPFSNode when nothing
// answers at the address (or FindAPI found no running node); EUNAVAILABLE
// when the node fails a call, stops answering, or sends a malformed or
// oversized answer; EFORBIDDEN when it refuses one (an RPC API that needs
// credentials); ECANCELED when ctx ends; EINVALID for a bad address or CID.
// The node's own error text is included, cut to a few hundred bytes; callers
// that show it on a terminal or a page must sanitize it as any server text.
//
// # Security
//
// The RPC API is an administrative interface of the node: whoever reaches it
// can add, remove and read anything. FindAPI therefore accepts an address
// that is not on this machine's loopback only when it is given explicitly
// (a flag or IPFS_API), never from the api file. Every response is read up
// to a fixed limit, every call but Add has a deadline, and an Add whose node
// neither reads nor answers for StallTimeout is abandoned.
//
// # Concurrency
//
// A Client is safe for concurrent use once its fields are set.
package kubo
