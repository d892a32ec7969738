// Package hfgate holds the domain types, interfaces and error vocabulary of
// hfgate, a tool for safe and fast Hugging Face access: signing in with
// OAuth 2.0 + OpenID Connect, finding models, and downloading them into the
// standard Hugging Face cache, for one person (the CLI and the local web
// app) or a team (the gateway).
//
// Who is calling is a Principal carried in the request context
// (WithPrincipal, PrincipalFrom). Credentials and browser sessions are kept
// by a CredentialStore and a SessionStore, keyed by their owner's subject;
// the command line's own sign-in is the LocalSubject's. Errors are *Error
// values with a Code, a Message every front end can show, and an Action
// each front end words as its own advice.
//
// Dependencies point one way (ARCHITECTURE.md, checked by deps_test.go):
// this package imports only the standard library; each adapter package
// (hfhub, hfcache, download, gguf, fit, oidcauth, credstore, memstore,
// webauth, hubroute, policy, kubo, ipfs, hubsim) imports it and only the
// adapters the document allows; apps (web) compose adapters; only commands
// (cmd/hfgate) wire them all.
package hfgate
