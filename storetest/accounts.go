package storetest

import (
	"reflect"
	"sync"
	"testing"
	"time"

	"github.com/hfgate/hfgate"
)

// Accounts runs the hfgate.AccountStore conformance tests. open must
// return a fresh, empty store that reads the time from now.
func Accounts(t *testing.T, open func(t *testing.T, now func() time.Time) hfgate.AccountStore) {
	for _, tt := range []struct {
		name string
		fn   func(*testing.T, hfgate.AccountStore, *clock)
	}{
		{"FirstSignIn", testFirstSignIn},
		{"SignInAgain", testSignInAgain},
		{"ProvidersApart", testProvidersApart},
		{"ConcurrentFirstSignIns", testConcurrentFirstSignIns},
		{"Update", testUpdateAccount},
		{"Missing", testAccountMissing},
		{"Copies", testAccountCopies},
	} {
		t.Run(tt.name, func(t *testing.T) {
			c := &clock{now: time.Date(2030, 5, 6, 7, 8, 9, 0, time.UTC)}
			tt.fn(t, open(t, c.Now), c)
		})
	}
}

var hfAlice = hfgate.Identity{Provider: "huggingface", Sub: "6523a1f0"}

// profile returns a profile with every field set.
func profile(username string) *hfgate.Account {
	return &hfgate.Account{
		Provider: "huggingface", Username: username, Name: "Name " + username,
		Email: username + "@example.com", AvatarURL: "https://example.com/" + username + ".png",
		Orgs:   []hfgate.Org{{ID: "o1", Name: "acme", FullName: "Acme", Role: "write"}, {Name: "other", Role: "read"}},
		Groups: []string{"engineers", "ü group"},
		Claims: map[string]string{"sub": username, "email_verified": "true"},
	}
}

func mustSignIn(t *testing.T, s hfgate.AccountStore, id hfgate.Identity, p *hfgate.Account, at time.Time) *hfgate.Account {
	t.Helper()
	a, err := s.SignIn(t.Context(), id, p, at)
	if err != nil {
		t.Fatalf("SignIn(%v): %v", id, err)
	}
	return a
}

// sameAccount fails unless got has the profile of want, and the given
// ID, Created and ProfileUpdated.
func sameAccount(t *testing.T, got, want *hfgate.Account) {
	t.Helper()
	if !got.Created.Equal(want.Created) || !got.ProfileUpdated.Equal(want.ProfileUpdated) {
		t.Errorf("Created, ProfileUpdated = %v, %v; want %v, %v", got.Created, got.ProfileUpdated, want.Created, want.ProfileUpdated)
	}
	g, w := *got, *want
	g.Created, g.ProfileUpdated, w.Created, w.ProfileUpdated = time.Time{}, time.Time{}, time.Time{}, time.Time{}
	if !reflect.DeepEqual(g, w) {
		t.Errorf("account = %+v\nwant %+v", g, w)
	}
}

func testFirstSignIn(t *testing.T, s hfgate.AccountStore, c *clock) {
	p := profile("alice")
	got := mustSignIn(t, s, hfAlice, p, c.Now())
	want := p.Clone()
	want.ID, want.Created, want.ProfileUpdated = "huggingface:6523a1f0", c.Now(), c.Now()
	sameAccount(t, got, want)
	loaded, err := s.LoadAccount(t.Context(), want.ID)
	if err != nil {
		t.Fatal(err)
	}
	sameAccount(t, loaded, want)

	// The least a provider may say.
	bare := mustSignIn(t, s, hfgate.Identity{Provider: "okta", Sub: "00u1"}, &hfgate.Account{Provider: "okta"}, c.Now())
	if bare.ID != "okta:00u1" || bare.Provider != "okta" || bare.Username != "" || len(bare.Orgs) != 0 {
		t.Errorf("bare sign-in = %+v", bare)
	}
}

func testSignInAgain(t *testing.T, s hfgate.AccountStore, c *clock) {
	first := mustSignIn(t, s, hfAlice, profile("alice"), c.Now())
	created := c.Now()
	c.advance(time.Hour)
	renamed := profile("alice2") // renamed herself, left "other"
	renamed.Orgs = renamed.Orgs[:1]
	got := mustSignIn(t, s, hfAlice, renamed, c.Now())
	want := renamed.Clone()
	want.ID, want.Created, want.ProfileUpdated = first.ID, created, c.Now()
	sameAccount(t, got, want)
	if list, err := s.ListAccounts(t.Context()); err != nil || len(list) != 1 {
		t.Errorf("ListAccounts = %d accounts, %v; want 1", len(list), err)
	}
}

func testProvidersApart(t *testing.T, s hfgate.AccountStore, c *clock) {
	ids := []hfgate.Identity{
		{Provider: "okta", Sub: "6523a1f0"}, // same sub, other provider
		hfAlice,
		{Provider: "huggingface", Sub: "77b0c2d1"},
		{Provider: "local", Sub: "ci-bot"},
	}
	for _, id := range ids {
		p := profile(id.Sub)
		p.Provider = id.Provider
		mustSignIn(t, s, id, p, c.Now())
	}
	list, err := s.ListAccounts(t.Context())
	if err != nil {
		t.Fatal(err)
	}
	var got []string
	for _, a := range list {
		got = append(got, a.ID)
	}
	want := []string{"huggingface:6523a1f0", "huggingface:77b0c2d1", "local:ci-bot", "okta:6523a1f0"}
	if !reflect.DeepEqual(got, want) {
		t.Errorf("ListAccounts = %v, want %v (by ID)", got, want)
	}
}

func testConcurrentFirstSignIns(t *testing.T, s hfgate.AccountStore, c *clock) {
	var wg sync.WaitGroup
	ids := make([]string, 8)
	for i := range ids {
		wg.Go(func() {
			a, err := s.SignIn(t.Context(), hfAlice, profile("alice"), c.Now())
			if err != nil {
				t.Errorf("SignIn #%d: %v", i, err)
				return
			}
			ids[i] = a.ID
		})
	}
	wg.Wait()
	for _, id := range ids {
		if id != ids[0] {
			t.Fatalf("concurrent first sign-ins made accounts %v", ids)
		}
	}
	if list, err := s.ListAccounts(t.Context()); err != nil || len(list) != 1 {
		t.Errorf("ListAccounts = %d accounts, %v; want 1", len(list), err)
	}
}

func testUpdateAccount(t *testing.T, s hfgate.AccountStore, c *clock) {
	ctx := t.Context()
	a := mustSignIn(t, s, hfAlice, profile("alice"), c.Now())
	c.advance(5 * time.Minute)
	a.Orgs = []hfgate.Org{{Name: "acme", Role: "admin"}}
	a.Disabled, a.ProfileUpdated = true, c.Now()
	created := a.Created
	a.Created = time.Time{} // ignored: Created stays
	if err := s.UpdateAccount(ctx, a); err != nil {
		t.Fatal(err)
	}
	got, err := s.LoadAccount(ctx, a.ID)
	if err != nil {
		t.Fatal(err)
	}
	a.Created = created
	sameAccount(t, got, a)

	missing := a.Clone()
	missing.ID = "huggingface:nobody"
	wantCode(t, "UpdateAccount of nobody", s.UpdateAccount(ctx, missing), hfgate.ENOTFOUND)
	wantCode(t, "UpdateAccount without an ID", s.UpdateAccount(ctx, &hfgate.Account{Provider: "x"}), hfgate.EINVALID)
	wantCode(t, "UpdateAccount of nil", s.UpdateAccount(ctx, nil), hfgate.EINVALID)
}

func testAccountMissing(t *testing.T, s hfgate.AccountStore, c *clock) {
	_, err := s.LoadAccount(t.Context(), "huggingface:nobody")
	wantCode(t, "LoadAccount of nobody", err, hfgate.ENOTFOUND)
	if list, err := s.ListAccounts(t.Context()); err != nil || len(list) != 0 {
		t.Errorf("ListAccounts of an empty store = %v, %v", list, err)
	}
	for _, id := range []hfgate.Identity{{Provider: "huggingface"}, {Sub: "x"}} {
		_, err := s.SignIn(t.Context(), id, profile("x"), c.Now())
		wantCode(t, "SignIn with a partial identity", err, hfgate.EINVALID)
	}
}

func testAccountCopies(t *testing.T, s hfgate.AccountStore, c *clock) {
	p := profile("alice")
	a := mustSignIn(t, s, hfAlice, p, c.Now())
	want := a.Clone()
	p.Orgs[0].Role, p.Claims["sub"] = "changed", "changed"
	a.Groups[0], a.Orgs[0].Name = "changed", "changed"
	got, err := s.LoadAccount(t.Context(), want.ID)
	if err != nil {
		t.Fatal(err)
	}
	sameAccount(t, got, want)
}
