package credstore

import (
	"context"
	"encoding/json"
	"errors"
	"fmt"
	"io/fs"
	"os"

	"github.com/hfgate/hfgate"
)

// Save stores cred under its normalised Endpoint, replacing what was stored
// for that endpoint, and returns where it went: SourceKeyring, or SourceFile
// when the keyring is unavailable (no D-Bus, locked, no answer within its
// timeout). Falling back emits one notice naming the reason and the file.
// After a save to the keyring, a stale fallback-file entry for the endpoint
// is removed. If HF_TOKEN (or HUGGING_FACE_HUB_TOKEN) is set, Save still
// saves but emits a notice that the variable takes precedence.
//
// The stored record is the JSON of cred. Credential has no ID-token field by
// design, so none is ever stored.
//
// Errors: EINVALID for a nil credential, one without an access token, a bad
// endpoint, or a record over MaxRecordSize; ECANCELED or EUNAVAILABLE when
// ctx ends first; EINTERNAL or EINVALID when the fallback file cannot be
// written or read. No error text contains a token. cred is not modified.
func (s *Store) Save(ctx context.Context, cred *hfgate.Credential) (Source, error) {
	if err := s.check(); err != nil {
		return "", err
	}
	if cred == nil || cred.AccessToken == "" {
		return "", hfgate.Errorf(hfgate.EINVALID, "nothing to save: the credential has no access token")
	}
	ep, err := NormalizeEndpoint(cred.Endpoint)
	if err != nil {
		return "", err
	}
	rec := *cred
	rec.Endpoint = ep
	data, err := json.Marshal(&rec)
	if err != nil {
		return "", hfgate.WrapError(hfgate.EINTERNAL, err, "encode credential")
	}
	if len(data) > MaxRecordSize {
		return "", hfgate.Errorf(hfgate.EINVALID,
			"cannot save the credential for %s: it is %d bytes, over the %d-byte limit of OS keyrings (Windows); please report this",
			ep, len(data), MaxRecordSize)
	}
	src, err := s.put(ctx, ep, &rec, data)
	if err != nil {
		return "", err
	}
	if _, name := s.envToken(); name != "" {
		s.notice(fmt.Sprintf("%s is set in your environment and takes precedence over the credentials saved for %s; unset it to use them", name, ep))
	}
	return src, nil
}

// put stores the record data of rec in the keyring or, failing that, in the
// fallback file.
func (s *Store) put(ctx context.Context, ep string, rec *hfgate.Credential, data []byte) (Source, error) {
	kerr := s.keyring().Set(ctx, KeyringService, ep, string(data))
	if kerr == nil {
		if _, err := s.removeFileEntry(ctx, ep); err != nil {
			// The save itself succeeded, and the keyring shadows the file
			// entry, so tell the user instead of failing the sign-in.
			s.notice(fmt.Sprintf("saved to the OS keyring, but could not remove the old entry for %s: %s",
				ep, hfgate.ErrorMessage(err)))
		}
		return SourceKeyring, nil
	}
	if err := canceled(ctx); err != nil {
		return "", err
	}
	reason := safeKeyringError("set", kerr).Reason
	if err := s.updateFile(ctx, func(entries map[string]*hfgate.Credential) bool {
		entries[ep] = rec
		return true
	}); err != nil {
		return "", err
	}
	s.notice(fmt.Sprintf("no OS keyring available (%s); stored credentials in %s (mode 0600)", reason, s.filePath()))
	return SourceFile, nil
}

// Removal reports what Delete did. Both lists hold short sentences meant to
// be shown to the user as they are.
type Removal struct {
	// Removed lists what was removed, e.g. "OS keyring entry for
	// https://huggingface.co".
	Removed []string
	// Remaining lists credentials for the endpoint that Delete does not or
	// could not remove and that still apply, e.g. "HF_TOKEN is still set in
	// your environment".
	Remaining []string
}

// Delete removes the keyring entry and the fallback-file entry for endpoint
// and reports what it removed. It never touches HF_TOKEN or the token file of
// `hf auth login` (owned by the official CLI), but lists them in Remaining
// when they still apply, as it does an entry it could not check because the
// keyring was unavailable. Deleting what is not there is no error.
//
// Errors: EINVALID for a bad endpoint; ECANCELED or EUNAVAILABLE when ctx
// ends first; file errors as for Save. The Removal is valid even then.
func (s *Store) Delete(ctx context.Context, endpoint string) (Removal, error) {
	var r Removal
	if err := s.check(); err != nil {
		return r, err
	}
	ep, err := NormalizeEndpoint(endpoint)
	if err != nil {
		return r, err
	}

	kerr := s.keyring().Delete(ctx, KeyringService, ep)
	switch {
	case kerr == nil:
		r.Removed = append(r.Removed, "OS keyring entry for "+ep)
	case errors.Is(kerr, ErrNotFound):
	default:
		if err := canceled(ctx); err != nil {
			return r, err
		}
		r.Remaining = append(r.Remaining, fmt.Sprintf(
			"the OS keyring could not be checked (%s): an entry for %s there, if any, is still stored",
			safeKeyringError("delete", kerr).Reason, ep))
	}

	removed, err := s.removeFileEntry(ctx, ep)
	if err != nil {
		return r, err
	}
	if removed {
		r.Removed = append(r.Removed, s.filePath()+" entry for "+ep)
	}

	if _, name := s.envToken(); name != "" {
		r.Remaining = append(r.Remaining, name+" is still set in your environment")
	}
	if ep == HuggingFaceEndpoint {
		if tok, err := s.readHFToken(); tok != "" || err != nil {
			r.Remaining = append(r.Remaining, fmt.Sprintf(
				"%s (written by `hf auth login`) still signs you in to %s; run `hf auth logout` to remove it",
				s.HFTokenPath(), ep))
		}
	}
	return r, nil
}

// removeFileEntry removes endpoint's entry from the fallback file, if there
// is one, and reports whether it did.
func (s *Store) removeFileEntry(ctx context.Context, ep string) (bool, error) {
	if _, err := os.Stat(s.filePath()); errors.Is(err, fs.ErrNotExist) {
		return false, nil // the common case with a keyring: touch nothing
	}
	removed := false
	err := s.updateFile(ctx, func(entries map[string]*hfgate.Credential) bool {
		_, removed = entries[ep]
		delete(entries, ep)
		return removed
	})
	return removed, err
}
