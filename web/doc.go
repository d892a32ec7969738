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
//   - only the person who started it may use it (owner.go): the launch
//     secret in the URL the command prints and opens is exchanged for an
//     owner cookie named for the launch and a key the page's script keeps;
//     pages need the cookie, the API and every state-changing request the
//     key too, so that another local user, or a program on another port
//     that received the cookie, gets nothing;
//   - a sign-in is the command line's sign-in too: its tokens go to the
//     credential store the CLI reads, under hfgate.LocalSubject, signing out
//     here removes them, and a session counts only while that store holds a
//     credential for the same account (a "hfgate logout" in a terminal
//     signs the browser out); a sign-in never replaces another account's
//     credential, and a bare token (HF_TOKEN) is named by the Hub's whoami
//     and serves only its own account (account.go);
//   - the Hub is called for the caller in each request's context: the
//     signed-in session's principal, whose credential cmd/hfgate's token
//     source sends, or hfgate.Anonymous, which sends none;
//   - downloads belong to whoever started them (Downloads) and run with
//     their credential; the list is bounded, returns a download asked for
//     twice, and is rebuilt from the cache when the app starts (Restore);
//   - the model page lists a repository's files at once and streams each
//     GGUF header's estimate as it is read (/api/fit), renders the model
//     card safely (card.go), and shows what is in the cache, with Verify
//     and Pin to IPFS (IPFS);
//   - errors are worded for the page: "sign in with Connect Hugging Face",
//     not command lines.
package web
