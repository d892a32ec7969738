// Package credstore keeps hfgate's sign-in credentials on this machine, one
// per Hub endpoint and subject (hfgate.CredentialStore), so that every
// command and the local web app find a valid token after a single sign-in.
//
// Secrets rest only in the OS keyring (KeyringStore) or, where there is none
// (servers, containers, CI), in a 0600 file in hfgate's config directory
// (FileStore), with a one-line notice saying so. Store layers them as the
// command line needs: it also honours HF_TOKEN and the token file written by
// the official Hugging Face CLI for the local subject, in the same order as
// the official tools, but never writes or deletes either of them.
//
// Nothing in this package logs, prints or puts a token into an error.
// Refreshing is the caller's business (oidcauth.TokenSource); the stores'
// LockCredential makes it safe across processes.
package credstore
