// Package credstore keeps hfgate's sign-in credentials, one per Hub endpoint,
// so that every command and the local web app find a valid token after a
// single sign-in.
//
// Secrets rest only in the OS keyring or, where there is none (servers,
// containers, CI), in a 0600 file in hfgate's config directory, with a
// one-line notice saying so. Load also honours HF_TOKEN and the token file
// written by the official `hf auth login`, in the same order as the official
// tools, but never writes or deletes either of them.
//
// Nothing in this package logs, prints or puts a token into an error.
// Refreshing is the caller's business; Lock makes it safe across processes.
package credstore
