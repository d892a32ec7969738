package storetest

import (
	"fmt"
	"sync"
	"testing"

	"github.com/hfgate/hfgate"
)

// testSubjectsApart: two subjects on one endpoint, and one subject on two
// endpoints, never overwrite each other.
func testSubjectsApart(t *testing.T, s hfgate.CredentialStore) {
	records := []*hfgate.Credential{
		cred(hubA, alice, "hf_alice_a"),
		cred(hubA, bob, "hf_bob_a"),
		cred(hubA, hfgate.LocalSubject, "hf_local_a"),
		cred(hubB, alice, "hf_alice_b"),
	}
	for _, c := range records {
		mustSave(t, s, c)
	}
	for _, c := range records {
		sameCred(t, mustLoad(t, s, c.Endpoint, c.Subject), c)
	}
}

func testReplace(t *testing.T, s hfgate.CredentialStore) {
	mustSave(t, s, cred(hubA, alice, "hf_old"))
	mustSave(t, s, cred(hubA, bob, "hf_bob"))
	rotated := cred(hubA, alice, "hf_new")
	mustSave(t, s, rotated)
	sameCred(t, mustLoad(t, s, hubA, alice), rotated)
	sameCred(t, mustLoad(t, s, hubA, bob), cred(hubA, bob, "hf_bob"))
}

func testDelete(t *testing.T, s hfgate.CredentialStore) {
	ctx := t.Context()
	mustSave(t, s, cred(hubA, alice, "hf_alice"))
	mustSave(t, s, cred(hubA, bob, "hf_bob"))
	mustSave(t, s, cred(hubB, alice, "hf_alice_b"))
	if err := s.DeleteCredential(ctx, hubA+"/", alice); err != nil {
		t.Fatalf("DeleteCredential: %v", err)
	}
	_, err := s.LoadCredential(ctx, hubA, alice)
	wantCode(t, "LoadCredential after DeleteCredential", err, hfgate.ENOTFOUND)
	mustLoad(t, s, hubA, bob)
	mustLoad(t, s, hubB, alice)
	if err := s.DeleteCredential(ctx, hubA, alice); err != nil {
		t.Errorf("DeleteCredential of nothing: %v, want no error", err)
	}
}

func testInvalid(t *testing.T, s hfgate.CredentialStore) {
	ctx := t.Context()
	for _, tt := range []struct{ endpoint, subject string }{
		{hubA, ""},
		{"", alice},
		{"ftp://127.0.0.1", alice},
		{"https://user:pass@huggingface.co", alice},
		{"https://huggingface.co?x=1", alice},
	} {
		what := fmt.Sprintf("(%q, %q)", tt.endpoint, tt.subject)
		_, err := s.LoadCredential(ctx, tt.endpoint, tt.subject)
		wantCode(t, "LoadCredential"+what, err, hfgate.EINVALID)
		wantCode(t, "SaveCredential"+what, s.SaveCredential(ctx, cred(tt.endpoint, tt.subject, "hf_x")), hfgate.EINVALID)
		wantCode(t, "DeleteCredential"+what, s.DeleteCredential(ctx, tt.endpoint, tt.subject), hfgate.EINVALID)
		unlock, err := s.LockCredential(ctx, tt.endpoint, tt.subject)
		wantCode(t, "LockCredential"+what, err, hfgate.EINVALID)
		if unlock != nil {
			unlock()
		}
	}
	wantCode(t, "SaveCredential(nil)", s.SaveCredential(ctx, nil), hfgate.EINVALID)
	noToken := cred(hubA, alice, "")
	wantCode(t, "SaveCredential without an access token", s.SaveCredential(ctx, noToken), hfgate.EINVALID)
	_, err := s.LoadCredential(ctx, hubA, alice)
	wantCode(t, "LoadCredential after refused saves", err, hfgate.ENOTFOUND)
}

// testCopies: neither the value saved nor the one loaded is the store's own.
func testCopies(t *testing.T, s hfgate.CredentialStore) {
	c := cred(hubA, alice, "hf_a")
	mustSave(t, s, c)
	c.AccessToken, c.Scopes[0] = "changed", "changed"
	got := mustLoad(t, s, hubA, alice)
	sameCred(t, got, cred(hubA, alice, "hf_a"))
	got.AccessToken, got.Scopes[0] = "changed", "changed"
	sameCred(t, mustLoad(t, s, hubA, alice), cred(hubA, alice, "hf_a"))
}

// testConcurrentSaves: saves of different subjects at once lose nothing,
// even where the store rewrites one shared record (a file).
func testConcurrentSaves(t *testing.T, s hfgate.CredentialStore) {
	const n = 8
	var wg sync.WaitGroup
	for i := range n {
		wg.Go(func() {
			if err := s.SaveCredential(t.Context(), cred(hubA, fmt.Sprintf("p:%d", i), fmt.Sprintf("hf_%d", i))); err != nil {
				t.Errorf("SaveCredential #%d: %v", i, err)
			}
		})
	}
	wg.Wait()
	for i := range n {
		if got := mustLoad(t, s, hubA, fmt.Sprintf("p:%d", i)); got.AccessToken != fmt.Sprintf("hf_%d", i) {
			t.Errorf("subject p:%d has token %q", i, got.AccessToken)
		}
	}
}
