package hfgate_test

import (
	"context"
	"testing"

	"github.com/hfgate/hfgate"
)

func TestPrincipalFromContext(t *testing.T) {
	if p := hfgate.PrincipalFrom(context.Background()); !p.IsAnonymous() {
		t.Fatalf("PrincipalFrom(empty ctx) = %+v, want anonymous", p)
	}
	alice := &hfgate.Principal{
		Kind: hfgate.PrincipalUser, Subject: "huggingface:1", Username: "alice",
		Orgs: []hfgate.Org{{Name: "acme", Role: "write"}},
	}
	ctx := hfgate.WithPrincipal(context.Background(), alice)
	if got := hfgate.PrincipalFrom(ctx); got != alice {
		t.Fatalf("PrincipalFrom = %+v, want alice", got)
	}
	if got, want := alice.OrgRole("acme"), "write"; got != want {
		t.Errorf("OrgRole(acme) = %q, want %q", got, want)
	}
	if got := alice.OrgRole("other"); got != "" {
		t.Errorf("OrgRole(other) = %q, want empty", got)
	}
}

func TestPrincipalClone(t *testing.T) {
	p := &hfgate.Principal{
		Kind: hfgate.PrincipalCI, Subject: "repo:acme/app:ref:refs/heads/main",
		Orgs: []hfgate.Org{{Name: "acme"}}, Groups: []string{"g"},
		Claims: map[string]string{"repository_id": "42"},
	}
	c := p.Clone()
	c.Orgs[0].Name, c.Groups[0], c.Claims["repository_id"] = "x", "x", "x"
	if p.Orgs[0].Name != "acme" || p.Groups[0] != "g" || p.Claims["repository_id"] != "42" {
		t.Fatalf("changing the clone changed the original: %+v", p)
	}
	var nilP *hfgate.Principal
	if nilP.Clone() != nil || !nilP.IsAnonymous() {
		t.Fatal("a nil principal must clone to nil and be anonymous")
	}
}

func TestValidProviderName(t *testing.T) {
	for name, want := range map[string]bool{
		"huggingface": true, "okta-2": true, "a": true, "abcdefghijklmnopqrstuvwxyz012345": true,
		"": false, "Okta": false, "git lab": false, "a:b": false, "abcdefghijklmnopqrstuvwxyz0123456": false, "é": false,
	} {
		if got := hfgate.ValidProviderName(name); got != want {
			t.Errorf("ValidProviderName(%q) = %v, want %v", name, got, want)
		}
	}
}
