package hfgate_test

import (
	"regexp"
	"strings"
	"testing"
	"time"

	"github.com/hfgate/hfgate"
)

// llamaCppToken is the form of a token llama.cpp forwards to the endpoint.
var llamaCppToken = regexp.MustCompile(`^hf_[A-Za-z0-9]{34,}$`)

func TestTokenSecret(t *testing.T) {
	seen := map[string]bool{}
	counts := map[rune]int{}
	for range 200 {
		secret, id, hash := hfgate.NewTokenSecret()
		if !llamaCppToken.MatchString(secret) || len(secret) != 43 || !hfgate.IsTokenSecret(secret) {
			t.Fatalf("secret %q: want hf_ and 40 letters and digits", secret)
		}
		if !regexp.MustCompile(`^tok_[A-Za-z0-9]{16}$`).MatchString(id) {
			t.Fatalf("id %q: want tok_ and 16 letters and digits", id)
		}
		if hash != hfgate.TokenHash(secret) || len(hash) != 64 || strings.Contains(hash, secret[3:]) {
			t.Fatalf("hash %q is not the SHA-256 of the secret", hash)
		}
		if seen[secret] || seen[id] {
			t.Fatal("a secret or id came twice")
		}
		seen[secret], seen[id] = true, true
		for _, c := range secret[3:] {
			counts[c]++
		}
	}
	if len(counts) != 62 {
		t.Errorf("8000 random characters used %d of the 62 letters and digits", len(counts))
	}
	for _, s := range []string{
		"", "hf_", "hf_abc",
		"hf_" + strings.Repeat("a", 34), // a Hugging Face token
		"hf_" + strings.Repeat("a", 39) + "-",
		"xx_" + strings.Repeat("a", 40),
		"hf_" + strings.Repeat("a", 41),
	} {
		if hfgate.IsTokenSecret(s) {
			t.Errorf("IsTokenSecret(%q) = true", s)
		}
	}
}

func TestTokenValidate(t *testing.T) {
	now := time.Date(2030, 1, 1, 0, 0, 0, 0, time.UTC)
	valid := func() *hfgate.Token {
		return &hfgate.Token{ID: "tok_1", Hash: "h", Kind: hfgate.TokenAccess, Subject: "huggingface:1", FamilyID: "fam", Created: now, Expires: now.Add(time.Hour)}
	}
	if err := valid().Validate(); err != nil {
		t.Fatalf("valid token: %v", err)
	}
	ci := &hfgate.Principal{Kind: hfgate.PrincipalCI, Subject: "repo:acme/app"}
	for name, change := range map[string]func(*hfgate.Token){
		"no id":                func(x *hfgate.Token) { x.ID = "" },
		"no hash":              func(x *hfgate.Token) { x.Hash = "" },
		"no subject":           func(x *hfgate.Token) { x.Subject = "" },
		"no expiry":            func(x *hfgate.Token) { x.Expires = time.Time{} },
		"refresh, no family":   func(x *hfgate.Token) { x.Kind, x.FamilyID = hfgate.TokenRefresh, "" },
		"unknown kind":         func(x *hfgate.Token) { x.Kind = "master" },
		"ci without principal": func(x *hfgate.Token) { x.Kind = hfgate.TokenCI },
		"ci, other subject":    func(x *hfgate.Token) { x.Kind, x.Principal = hfgate.TokenCI, ci },
	} {
		tok := valid()
		change(tok)
		if hfgate.ErrorCode(tok.Validate()) != hfgate.EINVALID {
			t.Errorf("%s: Validate = %v, want EINVALID", name, tok.Validate())
		}
	}

	tok := valid()
	if !tok.Live(now) || tok.Live(tok.Expires) || !tok.Bearer() {
		t.Error("Live or Bearer wrong for a fresh access token")
	}
	tok.Kind, tok.Spent = hfgate.TokenRefresh, now
	if tok.Live(now) || tok.Bearer() {
		t.Error("a spent refresh token is live, or a bearer token")
	}
	tok.Spent, tok.Revoked = time.Time{}, now
	if tok.Live(now) {
		t.Error("a revoked token is live")
	}
}

func TestTokenRevocationValidate(t *testing.T) {
	at := time.Now()
	for _, tt := range []struct {
		r  hfgate.TokenRevocation
		ok bool
	}{
		{hfgate.TokenRevocation{ID: "tok_1", At: at}, true},
		{hfgate.TokenRevocation{FamilyID: "f", At: at}, true},
		{hfgate.TokenRevocation{Subject: "s", At: at}, true},
		{hfgate.TokenRevocation{At: at}, false},
		{hfgate.TokenRevocation{ID: "tok_1", Subject: "s", At: at}, false},
		{hfgate.TokenRevocation{ID: "tok_1"}, false},
	} {
		if err := tt.r.Validate(); (err == nil) != tt.ok {
			t.Errorf("Validate(%+v) = %v, want ok=%v", tt.r, err, tt.ok)
		}
	}
}

func TestRevocationMatches(t *testing.T) {
	for _, tt := range []struct {
		r    hfgate.Revocation
		want bool
	}{
		{hfgate.Revocation{TokenID: "tok_1"}, true},
		{hfgate.Revocation{TokenID: "tok_2"}, false},
		{hfgate.Revocation{FamilyID: "fam"}, true},
		{hfgate.Revocation{Subject: "alice"}, true},
		{hfgate.Revocation{Subject: "bob"}, false},
		{hfgate.Revocation{SessionID: "s1"}, false},
		{hfgate.Revocation{All: true}, true},
		{hfgate.Revocation{}, false},
	} {
		if got := tt.r.Matches("tok_1", "fam", "", "alice"); got != tt.want {
			t.Errorf("%+v.Matches = %v, want %v", tt.r, got, tt.want)
		}
	}
	if (hfgate.Revocation{SessionID: ""}).Matches("", "", "", "") {
		t.Error("empty names match an empty revocation")
	}
}
