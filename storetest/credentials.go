package storetest

import (
	"fmt"
	"reflect"
	"testing"
	"time"

	"github.com/hfgate/hfgate"
)

// Endpoints and subjects the credential tests use.
const (
	hubA = "http://127.0.0.1:8080"
	hubB = "https://huggingface.co"

	alice = "huggingface:6523a1f0"
	bob   = "huggingface:77b0c2d1"
	ci    = "github:repo:acme/app:ref:refs/heads/main" // colons, slashes
	odd   = "oidc:ü#1 two"                             // non-ASCII, '#', a space
)

// Credentials runs the hfgate.CredentialStore conformance tests. open must
// return a fresh, empty store for each call; it may register cleanups on
// the t it gets.
func Credentials(t *testing.T, open func(t *testing.T) hfgate.CredentialStore) {
	for _, tt := range []struct {
		name string
		fn   func(*testing.T, hfgate.CredentialStore)
	}{
		{"Missing", testMissing},
		{"RoundTrip", testRoundTrip},
		{"NormalisedEndpoint", testNormalisedEndpoint},
		{"SubjectsApart", testSubjectsApart},
		{"Replace", testReplace},
		{"Delete", testDelete},
		{"Invalid", testInvalid},
		{"Copies", testCopies},
		{"ConcurrentSaves", testConcurrentSaves},
		{"LockExcludes", testLockExcludes},
		{"LockKeysApart", testLockKeysApart},
		{"LockCanceled", testLockCanceled},
	} {
		t.Run(tt.name, func(t *testing.T) { tt.fn(t, open(t)) })
	}
}

// cred returns a full OAuth credential of subject for endpoint.
func cred(endpoint, subject, access string) *hfgate.Credential {
	return &hfgate.Credential{
		Endpoint:     endpoint,
		Subject:      subject,
		Issuer:       endpoint,
		ClientID:     "client-" + subject,
		AccessToken:  access,
		RefreshToken: "refresh-" + access,
		Expiry:       time.Date(2030, 1, 2, 3, 4, 5, 0, time.UTC),
		Scopes:       []string{"openid", "profile", "read-repos"},
		Username:     "user-" + subject,
	}
}

func mustSave(t *testing.T, s hfgate.CredentialStore, c *hfgate.Credential) {
	t.Helper()
	if err := s.SaveCredential(t.Context(), c); err != nil {
		t.Fatalf("SaveCredential(%s, %s): %v", c.Endpoint, c.Subject, err)
	}
}

func mustLoad(t *testing.T, s hfgate.CredentialStore, endpoint, subject string) *hfgate.Credential {
	t.Helper()
	c, err := s.LoadCredential(t.Context(), endpoint, subject)
	if err != nil {
		t.Fatalf("LoadCredential(%s, %s): %v", endpoint, subject, err)
	}
	return c
}

// sameCred fails unless got equals want, times compared with Equal.
func sameCred(t *testing.T, got, want *hfgate.Credential) {
	t.Helper()
	g, w := *got, *want
	if !g.Expiry.Equal(w.Expiry) {
		t.Errorf("Expiry = %v, want %v", g.Expiry, w.Expiry)
	}
	g.Expiry, w.Expiry = time.Time{}, time.Time{}
	if !reflect.DeepEqual(g, w) {
		t.Errorf("credential = %+v\nwant %+v", g, w)
	}
}

// wantCode fails unless err has the code want.
func wantCode(t *testing.T, what string, err error, want string) {
	t.Helper()
	if got := hfgate.ErrorCode(err); got != want {
		t.Errorf("%s: err = %v (code %q), want code %q", what, err, got, want)
	}
}

func testMissing(t *testing.T, s hfgate.CredentialStore) {
	_, err := s.LoadCredential(t.Context(), hubA, alice)
	wantCode(t, "LoadCredential of nothing", err, hfgate.ENOTFOUND)
}

func testRoundTrip(t *testing.T, s hfgate.CredentialStore) {
	for _, subject := range []string{alice, hfgate.LocalSubject, ci, odd} {
		want := cred(hubA, subject, "hf_oauth_"+fmt.Sprint(len(subject)))
		mustSave(t, s, want)
		sameCred(t, mustLoad(t, s, hubA, subject), want)
	}
	// A pasted classic token: no refresh token, no expiry, no scopes.
	classic := &hfgate.Credential{Endpoint: hubB, Subject: bob, AccessToken: "hf_classic"}
	mustSave(t, s, classic)
	sameCred(t, mustLoad(t, s, hubB, bob), classic)
}

func testNormalisedEndpoint(t *testing.T, s hfgate.CredentialStore) {
	for _, tt := range []struct{ saved, loaded, want string }{
		{"HTTP://127.0.0.1:8080/", "http://127.0.0.1:8080", hubA},
		{hubB, "HTTPS://HuggingFace.co:443/", hubB},
	} {
		mustSave(t, s, cred(tt.saved, alice, "hf_a"))
		if got := mustLoad(t, s, tt.loaded, alice); got.Endpoint != tt.want {
			t.Errorf("saved at %s, loaded at %s: Endpoint = %q, want %q", tt.saved, tt.loaded, got.Endpoint, tt.want)
		}
	}
}
