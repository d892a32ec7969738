// Package hfgate holds the domain types, interfaces and error vocabulary of
// hfgate, a tool for safe and fast Hugging Face access: signing in with
// OAuth 2.0 + OpenID Connect, finding models, and downloading them into the
// standard Hugging Face cache.
//
// This package imports only the standard library. Each adapter package
// (hfhub, hfcache, download, gguf, oidcauth, credstore, web, hubsim)
// implements or uses these types; only cmd/hfgate wires them together.
package hfgate
