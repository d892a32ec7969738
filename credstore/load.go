package credstore

import (
	"context"
	"encoding/json"
	"errors"
	"io/fs"
	"os"
	"path/filepath"
	"strings"

	"github.com/hfgate/hfgate"
)

// Load returns the credential for endpoint and where it was found, trying in
// order:
//
//  1. HF_TOKEN, then the legacy HUGGING_FACE_HUB_TOKEN (SourceEnv): it wins,
//     as with the official tools, and yields an access token only.
//  2. The OS keyring entry KeyringService / normalised endpoint (SourceKeyring).
//  3. The fallback file <ConfigDir>/credentials.json (SourceFile).
//  4. For HuggingFaceEndpoint only, the token file of `hf auth login`
//     (SourceHFTokenFile): an access token only.
//
// An unreachable keyring is skipped. The returned Credential is the caller's
// own; its Endpoint is the normalised endpoint.
//
// Errors: EUNAUTHORIZED "not signed in to <endpoint>: run hfgate login" when
// nothing is found, or when a stored record is damaged; EINVALID for a bad
// endpoint, a fallback file that others may read (with the chmod to run) or
// a damaged fallback file; ECANCELED or EUNAVAILABLE when ctx ends first.
// No error text contains a token.
func (s *Store) Load(ctx context.Context, endpoint string) (*hfgate.Credential, Source, error) {
	if err := s.check(); err != nil {
		return nil, "", err
	}
	ep, err := NormalizeEndpoint(endpoint)
	if err != nil {
		return nil, "", err
	}

	// HF_TOKEN goes to whichever endpoint is configured, as with the official
	// tools (CI sets it together with HF_ENDPOINT for a mirror): setting it is
	// an explicit choice for this process, unlike a file left on disk.
	if tok, _ := s.envToken(); tok != "" {
		return &hfgate.Credential{Endpoint: ep, AccessToken: tok}, SourceEnv, nil
	}

	secret, kerr := s.keyring().Get(ctx, KeyringService, ep)
	if err := canceled(ctx); err != nil {
		return nil, "", err
	}
	var unavailable *UnavailableError
	switch {
	case kerr == nil:
		cred, err := decodeRecord(secret, ep)
		if err != nil {
			return nil, "", hfgate.WrapError(hfgate.EUNAUTHORIZED, err,
				"the credential for %s in the OS keyring is damaged: run hfgate login", ep)
		}
		return cred, SourceKeyring, nil
	case !errors.Is(kerr, ErrNotFound):
		unavailable = safeKeyringError("get", kerr)
	}

	entries, err := readFile(s.filePath(), true)
	if err != nil {
		return nil, "", err
	}
	if cred := entries[ep]; cred != nil && cred.AccessToken != "" {
		cred.Endpoint = ep
		return cred, SourceFile, nil
	}

	// The official token file records no host, and `hf auth login` is almost
	// always run against huggingface.co. Sending it anywhere else (hubsim, a
	// mirror, a gateway, a mistyped --endpoint) would hand a real Hugging Face
	// token to a host that could replay it, so it is used for huggingface.co
	// only.
	if ep == HuggingFaceEndpoint {
		tok, err := s.readHFToken()
		if err != nil {
			return nil, "", err
		}
		if tok != "" {
			return &hfgate.Credential{Endpoint: ep, AccessToken: tok}, SourceHFTokenFile, nil
		}
	}

	if unavailable != nil {
		return nil, "", hfgate.Errorf(hfgate.EUNAUTHORIZED,
			"not signed in to %s: run hfgate login (OS keyring unavailable: %s)", ep, unavailable.Reason)
	}
	return nil, "", hfgate.Errorf(hfgate.EUNAUTHORIZED, "not signed in to %s: run hfgate login", ep)
}

// decodeRecord parses a keyring record, the JSON of a Credential.
func decodeRecord(secret, endpoint string) (*hfgate.Credential, error) {
	var cred hfgate.Credential
	if err := json.Unmarshal([]byte(secret), &cred); err != nil {
		return nil, safeJSONError(err)
	}
	if cred.AccessToken == "" {
		return nil, errors.New("no access token")
	}
	cred.Endpoint = endpoint
	return &cred, nil
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
			"cannot read the Hugging Face token file %s: check its permissions, or run hfgate login", path)
	}
	return strings.TrimSpace(string(data)), nil
}
