// Command hfgate signs in with Hugging Face, finds and downloads models into
// the standard Hugging Face cache, and serves a local web app for both.
//
// Run "hfgate --help" for the commands and "hfgate demo" to try everything
// against the built-in simulated Hub, with no account.
package main
