package hfgate_test

import (
	"testing"

	"github.com/hfgate/hfgate"
)

func TestAccountPrincipal(t *testing.T) {
	id := hfgate.Identity{Provider: "huggingface", Sub: "6523a1"}
	a := &hfgate.Account{
		ID: id.Subject(), Provider: "huggingface", Username: "alice",
		Orgs:   []hfgate.Org{{Name: "acme", Role: "write"}},
		Groups: []string{"eng"}, Claims: map[string]string{"sub": "6523a1"},
	}
	if a.ID != "huggingface:6523a1" {
		t.Fatalf("Identity.Subject = %q", a.ID)
	}
	p := a.Principal()
	if p.Kind != hfgate.PrincipalUser || p.Subject != a.ID || p.Username != "alice" || p.OrgRole("acme") != "write" {
		t.Fatalf("Principal = %+v", p)
	}
	p.Orgs[0].Role, p.Groups[0], p.Claims["sub"] = "x", "x", "x"
	c := a.Clone()
	c.Orgs[0].Role, c.Groups[0], c.Claims["sub"] = "y", "y", "y"
	if a.Orgs[0].Role != "write" || a.Groups[0] != "eng" || a.Claims["sub"] != "6523a1" {
		t.Errorf("changing a Principal or a Clone changed the account: %+v", a)
	}
	if (hfgate.Identity{Provider: "huggingface"}).Validate() == nil || id.Validate() != nil {
		t.Error("Identity.Validate wrong")
	}
}
