package credstore

import (
	"context"
	"fmt"
	"strings"
	"testing"

	"github.com/hfgate/hfgate"
)

// TestNoSecretInMessages drives Save, Load and Delete through their success
// and failure paths, with a keyring backend that even echoes the secrets in
// its errors, and checks that no notice, error or report contains a token.
func TestNoSecretInMessages(t *testing.T) {
	const (
		access  = "hf_oauth_SECRETaccessVALUE1234"
		refresh = "hf_oauth_SECRETrefreshVALUE5678"
	)
	ctx := context.Background()
	var texts []string
	var errs int
	collect := func(err error) {
		if err != nil {
			errs++
			texts = append(texts, err.Error(), hfgate.ErrorMessage(err), fmt.Sprintf("%+v", err))
		}
	}
	echoing := func(tb testing.TB) *fakeKeyring {
		leak := fmt.Errorf("backend rejected %s / %s", access, refresh)
		return &fakeKeyring{
			tb:       tb,
			GetFn:    func(string, string) (string, error) { return "", leak },
			SetFn:    func(string, string, string) error { return leak },
			DeleteFn: func(string, string) error { return leak },
		}
	}
	cred := oauthCred(hubsim, access, refresh)

	// Fallback to the file through an echoing keyring, read back, delete.
	s, notes := newStore(t, echoing(t), map[string]string{"HF_TOKEN": access})
	_, err := s.Save(ctx, cred)
	collect(err)
	_, _, err = s.Load(ctx, hubsim, local)
	collect(err)
	r, err := s.Delete(ctx, hubsim, local)
	collect(err)
	texts = append(texts, r.Removed...)
	texts = append(texts, r.Remaining...)

	// Nothing stored, echoing keyring: "not signed in".
	s2, notes2 := newStore(t, echoing(t), nil)
	_, _, err = s2.Load(ctx, hubsim, local)
	collect(err)

	// A record over the size limit.
	big := *cred
	big.AccessToken = access + strings.Repeat("x", MaxRecordSize)
	_, err = s2.Save(ctx, &big)
	collect(err)

	// Damaged records, with the token right where the JSON breaks.
	mem := newMemKeyring(t)
	mem.entries[KeyringService+"/"+hubsim] = `{"access_token":` + access
	s3, notes3 := newStore(t, mem, nil)
	_, _, err = s3.Load(ctx, hubsim, local)
	collect(err)
	writeFileMode(t, s3.filePath(), 0o600, []byte(`{"`+hubsim+`":{"access_token":`+access+`}}`))
	_, _, err = s3.Load(ctx, HuggingFaceEndpoint, local)
	collect(err)
	_, err = s3.Save(ctx, oauthCred(HuggingFaceEndpoint, access, refresh)) // keyring works; stale-entry cleanup fails
	collect(err)

	// A file others may read.
	s4, notes4 := newStore(t, newMemKeyring(t), nil)
	writeFallback(t, s4, 0o644, map[string]*hfgate.Credential{hubsim: cred})
	_, _, err = s4.Load(ctx, hubsim, local)
	collect(err)

	for _, n := range []*notices{notes, notes2, notes3, notes4} {
		texts = append(texts, n.all()...)
	}
	if errs != 5 || len(notes.all()) != 2 || len(notes3.all()) != 1 {
		t.Fatalf("only %d errors and notices %q %q: the failure paths were not exercised", errs, notes.all(), notes3.all())
	}
	for _, text := range texts {
		if strings.Contains(text, "SECRET") {
			t.Errorf("a token leaked into: %q", text)
		}
	}
}
