package main

import (
	"context"
	"errors"

	"github.com/hfgate/hfgate"
)

// Exit statuses, documented in the root command's help. Scripts rely on them:
// keep them stable.
const (
	exitOK          = 0
	exitError       = 1 // anything not listed below
	exitUsage       = 2 // bad command line or input
	exitAuth        = 3 // not signed in, or the token was rejected
	exitNotFound    = 4 // repo, revision or file not found
	exitGated       = 5 // gated repo, missing permission, or denied by a policy
	exitUnavailable = 6 // network failure, rate limit or server error after retries
	exitIntegrity   = 7 // downloaded bytes failed verification
	exitNoSpace     = 8 // not enough disk space
	exitNoNode      = 9 // no IPFS node is running (or answers at its address)
	exitCanceled    = 130
)

const exitCodesHelp = `Exit status:
  0  success
  1  unexpected error
  2  usage error (bad flag, argument or input)
  3  not signed in, or the token was rejected
  4  repo, revision or file not found
  5  gated repo not granted, the token lacks permission, or a policy denies it
  6  network failure, rate limit or server error after retries
  7  downloaded data (or, for admin audit verify, the audit log) failed verification
  8  not enough disk space
  9  no IPFS node is running (ipfs and download --ipfs)
  130 interrupted`

// exitCode maps an error to the process exit status.
func exitCode(err error) int {
	if err == nil {
		return exitOK
	}
	if errors.Is(err, context.Canceled) {
		return exitCanceled
	}
	if errors.Is(err, hfgate.ErrNoIPFSNode) {
		return exitNoNode
	}
	switch hfgate.ErrorCode(err) {
	case hfgate.EINVALID:
		return exitUsage
	case hfgate.EUNAUTHORIZED:
		return exitAuth
	case hfgate.ENOTFOUND:
		return exitNotFound
	case hfgate.EGATED, hfgate.EFORBIDDEN:
		return exitGated
	case hfgate.EUNAVAILABLE:
		return exitUnavailable
	case hfgate.EINTEGRITY:
		return exitIntegrity
	case hfgate.ENOSPACE:
		return exitNoSpace
	case hfgate.ECANCELED:
		return exitCanceled
	default:
		return exitError
	}
}

// advice is how the command line words the advice of each hfgate Action;
// the libraries only say which it is. An action without words here needs
// none beyond its message (request_access and retry messages carry theirs).
var advice = map[string]string{
	hfgate.ActionSignIn:          "run hfgate login",
	hfgate.ActionListFiles:       `"hfgate files" lists a repo's files`,
	hfgate.ActionListCache:       `"hfgate cache ls" lists what is cached`,
	hfgate.ActionResume:          "run the same command again to resume",
	hfgate.ActionFreeSpace:       `free some space (for example with "hfgate cache rm") or choose another cache with HF_HUB_CACHE, then run the command again: finished bytes are kept`,
	hfgate.ActionChooseFolder:    "use a folder you can write to (HF_HUB_CACHE, HF_HOME or --local-dir)",
	hfgate.ActionSetMemory:       "state it with --memory, e.g. --memory 16GiB",
	hfgate.ActionSetEndpoint:     "set it with --endpoint or HF_ENDPOINT",
	hfgate.ActionAllowUnverified: "to download it anyway, checking only its size, add --unverified",
}

// cliMessage is the message of err for the command line: its user-safe
// message with the advice of its action.
func cliMessage(err error) string {
	msg := hfgate.ErrorMessage(err)
	if words := advice[hfgate.ErrorAction(err)]; words != "" {
		msg += "; " + words
	}
	return msg
}

// errorText is cliMessage, and for a rejected token whether HF_TOKEN is the
// one to fix, and how to start an IPFS node when none answered.
func (a *app) errorText(err error) string {
	msg := cliMessage(err)
	if hfgate.ErrorCode(err) == hfgate.EUNAUTHORIZED && a.envToken() != "" {
		// Signing in again would not help: the variable wins.
		msg += "; but " + a.envToken() + " is set, and wins over hfgate login: fix or unset it"
	}
	if errors.Is(err, hfgate.ErrNoIPFSNode) {
		msg += "; " + noNodeAdvice
	}
	return msg
}
