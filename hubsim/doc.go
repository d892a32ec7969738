// Package hubsim is a simulated Hugging Face Hub: an OAuth 2.0 / OpenID
// Connect provider, the Hub HTTP API, file serving with a separate signed
// "CDN", and fault injection with counters for tests.
//
// It behaves like huggingface.co as documented in the project's reference
// notes (paths, field names, headers, status codes and X-Error-Code values),
// because the same client code must work against the real Hub unchanged and
// because third-party Hugging Face clients are pointed at it. Where the real
// behaviour is not documented, a comment marked UNVERIFIED says what was
// chosen and why.
//
// Start one in a test with StartTest, or with New and Start; "hfgate hubsim"
// and "hfgate demo" run it as a process. Everything lives in memory: the
// built-in catalog's multi-gigabyte files are generated deterministically as
// they are read, so they cost no disk.
package hubsim
