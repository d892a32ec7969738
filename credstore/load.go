package credstore

import (
	"context"
	"errors"
	"io/fs"
	"os"
	"path/filepath"
	"strings"

	"github.com/hfgate/hfgate"
)

// Load returns the credential of subject for endpoint and where it was
// found, trying in order:
//
//  1. For hfgate.LocalSubject only, HF_TOKEN, then the legacy
//     HUGGING_FACE_HUB_TOKEN (SourceEnv): it wins, as with the official
//     tools, and yields an access token only.
//  2. The OS keyring (SourceKeyring), as KeyringStore keeps it.
//  3. The fallback file <ConfigDir>/credentials.json (SourceFile), as
//     FileStore keeps it.
//  4. For hfgate.LocalSubject and HuggingFaceEndpoint only, the token file
//     of `hf auth login` (SourceHFTokenFile): an access token only.
//
// An unreachable keyring is skipped. The returned Credential is the caller's
// own; its Endpoint is the normalised endpoint and its Subject is subject.
//
// Errors: ENOTFOUND with ActionSignIn, "not signed in to <endpoint>", when
// nothing is found (saying so when the keyring was unavailable);
// EUNAUTHORIZED with ActionSignIn when the keyring record is damaged;
// EINVALID for a bad endpoint or empty subject, a fallback file that others
// may read (with the chmod to run) or a damaged fallback file; ECANCELED or
// EUNAVAILABLE when ctx ends first. No error text contains a token.
func (s *Store) Load(ctx context.Context, endpoint, subject string) (*hfgate.Credential, Source, error) {
	if err := s.check(); err != nil {
		return nil, "", err
	}
	ep, err := hfgate.CredentialKey(endpoint, subject)
	if err != nil {
		return nil, "", err
	}
	local := subject == hfgate.LocalSubject

	// HF_TOKEN goes to whichever endpoint is configured, as with the official
	// tools (CI sets it together with HF_ENDPOINT for a mirror): setting it is
	// an explicit choice for this process, unlike a file left on disk. It is
	// the local user's: it never stands in for anyone else's credential.
	if tok, _ := s.envToken(); tok != "" && local {
		return &hfgate.Credential{Endpoint: ep, Subject: subject, AccessToken: tok}, SourceEnv, nil
	}

	cred, err := s.keys().get(ctx, ep, subject)
	var ue *UnavailableError
	switch {
	case err == nil:
		return cred, SourceKeyring, nil
	case hfgate.ErrorCode(err) == hfgate.ENOTFOUND:
	case hfgate.ErrorCode(err) == hfgate.EUNAVAILABLE && errors.As(err, &ue):
	default:
		return nil, "", err
	}

	cred, err = s.file().get(ep, subject)
	switch {
	case err == nil:
		return cred, SourceFile, nil
	case hfgate.ErrorCode(err) != hfgate.ENOTFOUND:
		return nil, "", err
	}

	// The official token file records no host, and `hf auth login` is almost
	// always run against huggingface.co. Sending it anywhere else (hubsim, a
	// mirror, a gateway, a mistyped --endpoint) would hand a real Hugging Face
	// token to a host that could replay it, so it is used for huggingface.co
	// only.
	if local && ep == HuggingFaceEndpoint {
		tok, err := s.readHFToken()
		if err != nil {
			return nil, "", err
		}
		if tok != "" {
			return &hfgate.Credential{Endpoint: ep, Subject: subject, AccessToken: tok}, SourceHFTokenFile, nil
		}
	}

	if ue != nil {
		return nil, "", hfgate.Errorf(hfgate.ENOTFOUND,
			"not signed in to %s (OS keyring unavailable: %s)", whose(ep, subject), ue.Reason).WithAction(hfgate.ActionSignIn)
	}
	return nil, "", hfgate.Errorf(hfgate.ENOTFOUND, "not signed in to %s", whose(ep, subject)).WithAction(hfgate.ActionSignIn)
}

// HFTokenPath returns the path of the official token file: $HF_TOKEN_PATH,
// else <HFHome>/token with HFHome defaulted as documented on Store. It is ""
// only when no home directory can be found.
func (s *Store) HFTokenPath() string {
	if p := s.getenv("HF_TOKEN_PATH"); p != "" {
		return p
	}
	home := s.HFHome
	if home == "" {
		home = s.getenv("HF_HOME")
	}
	if home == "" {
		cache := s.getenv("XDG_CACHE_HOME")
		if cache == "" {
			userHome := s.getenv("HOME")
			if userHome == "" {
				userHome, _ = os.UserHomeDir()
			}
			if userHome == "" {
				return ""
			}
			cache = filepath.Join(userHome, ".cache")
		}
		home = filepath.Join(cache, "huggingface")
	}
	return filepath.Join(home, "token")
}

// readHFToken returns the active token of `hf auth login`, whitespace
// stripped, or "" if there is none. Only the "token" file is read: the
// "stored_tokens" file beside it lists every named token the user saved,
// and the official tools use only the one copied into "token".
func (s *Store) readHFToken() (string, error) {
	path := s.HFTokenPath()
	if path == "" {
		return "", nil
	}
	data, err := os.ReadFile(path)
	if errors.Is(err, fs.ErrNotExist) {
		return "", nil
	}
	if err != nil {
		return "", hfgate.WrapError(hfgate.EUNAUTHORIZED, err,
			"cannot read the Hugging Face token file %s (check its permissions)", path).WithAction(hfgate.ActionSignIn)
	}
	return strings.TrimSpace(string(data)), nil
}
