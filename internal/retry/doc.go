// Package retry computes how long to wait before retrying a failed HTTP
// request: exponential backoff with full jitter, capped, and overridden by a
// server's Retry-After. It only decides and waits; what to retry and where to
// resume from (a Range offset, say) stays with the caller, because generic
// retrying clients know nothing about resume offsets.
package retry
