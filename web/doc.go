// Package web is hfgate's local web app (`hfgate ui`, `hfgate demo`): the
// pages, a JSON API over the Hub, the model browser with memory estimates,
// and a downloads manager, with the embedded UI (html/template, a little
// plain JavaScript and CSS, served from go:embed; no JS build step).
//
// What the gateway shares with it lives in package webauth: the sign-in
// routes (/auth/oauth/authorize/huggingface, /auth/oauth/callback/huggingface,
// /auth/logout, /auth/session), sessions, cross-origin protection, security
// headers, the Host check and error rendering. This package adds what is the
// local app's own:
//
//   - a sign-in is the command line's sign-in too: its tokens go to the
//     credential store the CLI reads, under hfgate.LocalSubject, signing out
//     here removes them, and a session counts only while that store holds a
//     credential for the same account (a "hfgate logout" in a terminal
//     signs the browser out);
//   - the Hub is called for the caller in each request's context: the
//     signed-in session's principal, whose credential cmd/hfgate's token
//     source sends, or hfgate.Anonymous, which sends none, so another
//     program or local user reaching the port gets anonymous access, not
//     the account;
//   - downloads belong to whoever started them (Downloads) and run with
//     their credential;
//   - errors are worded for the page: "sign in with Connect Hugging Face",
//     not command lines.
package web
