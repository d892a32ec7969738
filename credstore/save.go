package credstore

import (
	"context"
	"errors"
	"fmt"

	"github.com/hfgate/hfgate"
)

// Save stores cred under its normalised Endpoint and its Subject, replacing
// what was stored there, and returns where it went: SourceKeyring, or
// SourceFile when the keyring is unavailable (no D-Bus, locked, no answer
// within its timeout). Falling back emits one notice naming the reason and
// the file. After a save to the keyring, a stale fallback-file entry for the
// same key is removed. If HF_TOKEN (or HUGGING_FACE_HUB_TOKEN) is set, Save
// of the local subject's credential still saves but emits a notice that the
// variable takes precedence.
//
// The stored record is the JSON of cred. Credential has no ID-token field by
// design, so none is ever stored.
//
// Errors: EINVALID for a nil credential, one without an access token or a
// subject, a bad endpoint, or a record over MaxRecordSize; ECANCELED or
// EUNAVAILABLE when ctx ends first; EINTERNAL or EINVALID when the fallback
// file cannot be written or read. No error text contains a token. cred is
// not modified.
func (s *Store) Save(ctx context.Context, cred *hfgate.Credential) (Source, error) {
	if err := s.check(); err != nil {
		return "", err
	}
	rec, data, err := encodeRecord(cred)
	if err != nil {
		return "", err
	}
	src, err := s.put(ctx, rec, data)
	if err != nil {
		return "", err
	}
	if _, name := s.envToken(); name != "" && rec.Subject == hfgate.LocalSubject {
		s.notice(fmt.Sprintf("%s is set in your environment and takes precedence over the credentials saved for %s; unset it to use them", name, rec.Endpoint))
	}
	return src, nil
}

// put stores the record data of rec in the keyring or, failing that, in the
// fallback file.
func (s *Store) put(ctx context.Context, rec *hfgate.Credential, data []byte) (Source, error) {
	kerr := s.keys().put(ctx, rec, data)
	if kerr == nil {
		if _, err := s.file().remove(ctx, rec.Endpoint, rec.Subject); err != nil {
			// The save itself succeeded, and the keyring shadows the file
			// entry, so tell the user instead of failing the sign-in.
			s.notice(fmt.Sprintf("saved to the OS keyring, but could not remove the old entry for %s: %s",
				whose(rec.Endpoint, rec.Subject), hfgate.ErrorMessage(err)))
		}
		return SourceKeyring, nil
	}
	var ue *UnavailableError
	if !errors.As(kerr, &ue) {
		return "", kerr // canceled
	}
	if err := s.file().put(ctx, rec); err != nil {
		return "", err
	}
	s.notice(fmt.Sprintf("no OS keyring available (%s); stored credentials in %s (mode 0600)", ue.Reason, s.filePath()))
	return SourceFile, nil
}

// Removal reports what Delete did. Removed and Remaining hold short
// sentences meant to be shown to the user as they are.
type Removal struct {
	// Removed lists what was removed, e.g. "OS keyring entry for
	// https://huggingface.co".
	Removed []string
	// Remaining lists credentials for the endpoint that Delete does not or
	// could not remove and that still apply, e.g. "HF_TOKEN is still set in
	// your environment".
	Remaining []string
	// OfficialTokenFile is the path of the token file of the official
	// Hugging Face CLI when it still signs the local user in to
	// huggingface.co: Delete never touches it, and only that CLI's own
	// logout removes it.
	OfficialTokenFile string
}

// Delete removes the keyring entry and the fallback-file entry of subject
// for endpoint and reports what it removed. It never touches HF_TOKEN or the
// token file of the official CLI, but, for the local subject, reports them
// when they still apply, as it does an entry it could not check because the
// keyring was unavailable. Deleting what is not there is no error.
//
// Errors: EINVALID for a bad endpoint or an empty subject; ECANCELED or
// EUNAVAILABLE when ctx ends first; file errors as for Save. The Removal is
// valid even then.
func (s *Store) Delete(ctx context.Context, endpoint, subject string) (Removal, error) {
	var r Removal
	if err := s.check(); err != nil {
		return r, err
	}
	ep, err := hfgate.CredentialKey(endpoint, subject)
	if err != nil {
		return r, err
	}

	removed, kerr := s.keys().remove(ctx, ep, subject)
	var ue *UnavailableError
	switch {
	case removed:
		r.Removed = append(r.Removed, "OS keyring entry for "+whose(ep, subject))
	case errors.As(kerr, &ue):
		r.Remaining = append(r.Remaining, fmt.Sprintf(
			"the OS keyring could not be checked (%s): an entry for %s there, if any, is still stored", ue.Reason, whose(ep, subject)))
	case kerr != nil:
		return r, kerr // canceled
	}

	removed, err = s.file().remove(ctx, ep, subject)
	if err != nil {
		return r, err
	}
	if removed {
		r.Removed = append(r.Removed, s.filePath()+" entry for "+whose(ep, subject))
	}

	if subject != hfgate.LocalSubject {
		return r, nil
	}
	if _, name := s.envToken(); name != "" {
		r.Remaining = append(r.Remaining, name+" is still set in your environment")
	}
	if ep == HuggingFaceEndpoint {
		if tok, err := s.readHFToken(); tok != "" || err != nil {
			r.OfficialTokenFile = s.HFTokenPath()
		}
	}
	return r, nil
}
