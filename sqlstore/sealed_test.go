package sqlstore_test

import (
	"strings"
	"testing"
	"time"

	"github.com/hfgate/hfgate"
	"github.com/hfgate/hfgate/keyset"
	"github.com/hfgate/hfgate/sqlstore"
)

func upstream(subject, access string) *hfgate.Credential {
	return &hfgate.Credential{
		Endpoint: "https://huggingface.co", Subject: subject, Issuer: "https://huggingface.co",
		ClientID: "gateway-app", AccessToken: access, RefreshToken: "hf_oauth_refresh_" + access,
		Expiry: time.Date(2030, 1, 1, 0, 0, 0, 0, time.UTC), Scopes: []string{"openid", "read-repos"}, Username: "u-" + subject,
	}
}

// TestSealedAtRest: no token is stored in the clear, and a sealed value
// changed or moved to another row does not open.
func TestSealedAtRest(t *testing.T) {
	forEach(t, func(t *testing.T, b backend) {
		ctx := t.Context()
		s := b.open(t, sqlstore.Options{Sealer: keys(t, "k1")})
		alice, bob := upstream("huggingface:alice", "hf_oauth_ALICESECRET"), upstream("huggingface:bob", "hf_oauth_BOBSECRET")
		for _, c := range []*hfgate.Credential{alice, bob} {
			if err := s.SaveCredential(ctx, c); err != nil {
				t.Fatal(err)
			}
		}
		var everything string
		rows, err := s.DB().QueryContext(ctx, `SELECT endpoint, subject, issuer, client_id, scopes, username, key_id, sealed FROM upstream_credentials`)
		if err != nil {
			t.Fatal(err)
		}
		for rows.Next() {
			var cols [8]string
			if err := rows.Scan(&cols[0], &cols[1], &cols[2], &cols[3], &cols[4], &cols[5], &cols[6], &cols[7]); err != nil {
				t.Fatal(err)
			}
			everything += strings.Join(cols[:], "|") + "\n"
		}
		rows.Close()
		for _, secret := range []string{"ALICESECRET", "BOBSECRET"} {
			if strings.Contains(everything, secret) {
				t.Errorf("a token is stored in the clear:\n%s", everything)
			}
		}

		// Swap the sealed values of alice and bob: neither opens.
		swap := `UPDATE upstream_credentials SET sealed = (SELECT sealed FROM upstream_credentials WHERE subject = 'huggingface:bob')
			WHERE subject = 'huggingface:alice'`
		if _, err := s.DB().ExecContext(ctx, swap); err != nil {
			t.Fatal(err)
		}
		_, err = s.LoadCredential(ctx, alice.Endpoint, alice.Subject)
		if hfgate.ErrorCode(err) != hfgate.EINVALID || strings.Contains(err.Error(), "BOBSECRET") {
			t.Errorf("a sealed value moved to another row: %v, want EINVALID", err)
		}
		// Change one character of bob's.
		var sealed string
		if err := s.DB().QueryRowContext(ctx, `SELECT sealed FROM upstream_credentials WHERE subject = 'huggingface:bob'`).Scan(&sealed); err != nil {
			t.Fatal(err)
		}
		last := "A"
		if strings.HasSuffix(sealed, "A") {
			last = "B"
		}
		changed := sealed[:len(sealed)-1] + last // base64url and an ID: safe inside quotes
		if _, err := s.DB().ExecContext(ctx, `UPDATE upstream_credentials SET sealed = '`+changed+`' WHERE subject = 'huggingface:bob'`); err != nil {
			t.Fatal(err)
		}
		if _, err := s.LoadCredential(ctx, bob.Endpoint, bob.Subject); hfgate.ErrorCode(err) != hfgate.EINVALID {
			t.Errorf("a changed sealed value: %v, want EINVALID", err)
		}

		// Without keys, credentials are refused, everything else works.
		nokeys := b.open(t, sqlstore.Options{})
		if err := nokeys.SaveCredential(ctx, alice); hfgate.ErrorCode(err) != hfgate.EINVALID {
			t.Errorf("SaveCredential without keys: %v", err)
		}
		if _, err := nokeys.ListAccounts(ctx); err != nil {
			t.Errorf("ListAccounts without keys: %v", err)
		}
	})
}

// TestRotateKeys: after a rotation every credential is sealed with the new
// key and opens without the old one; before it, the old key is needed.
func TestRotateKeys(t *testing.T) {
	forEach(t, func(t *testing.T, b backend) {
		ctx := t.Context()
		lines := map[string]string{}
		for _, id := range []string{"2025", "2026"} {
			lines[id], _ = keyset.Generate(id)
		}
		old := b.open(t, sqlstore.Options{Sealer: reorder(t, lines, "2025")})
		var creds []*hfgate.Credential
		for _, who := range []string{"huggingface:a", "huggingface:b", hfgate.ServiceSubject} {
			c := upstream(who, "hf_oauth_"+strings.ToUpper(who[len(who)-1:]))
			creds = append(creds, c)
			if err := old.SaveCredential(ctx, c); err != nil {
				t.Fatal(err)
			}
		}

		both := b.open(t, sqlstore.Options{Sealer: reorder(t, lines, "2026", "2025")})
		if use, err := both.KeyUse(ctx); err != nil || use["2025"] != 3 || len(use) != 1 {
			t.Fatalf("KeyUse before rotation = %v, %v", use, err)
		}
		for _, c := range creds { // readable with the old key listed second
			if got, err := both.LoadCredential(ctx, c.Endpoint, c.Subject); err != nil || got.AccessToken != c.AccessToken {
				t.Fatalf("LoadCredential before rotation: %+v, %v", got, err)
			}
		}
		newOnly := b.open(t, sqlstore.Options{Sealer: reorder(t, lines, "2026")})
		if _, err := newOnly.LoadCredential(ctx, creds[0].Endpoint, creds[0].Subject); err == nil || !strings.Contains(err.Error(), `"2025"`) {
			t.Errorf("LoadCredential without the old key before rotation: %v, want an error naming key 2025", err)
		}

		if n, err := both.RotateKeys(ctx); n != 3 || err != nil {
			t.Fatalf("RotateKeys = %d, %v; want 3", n, err)
		}
		if n, err := both.RotateKeys(ctx); n != 0 || err != nil {
			t.Errorf("RotateKeys again = %d, %v; want 0", n, err)
		}
		if use, _ := both.KeyUse(ctx); use["2026"] != 3 || len(use) != 1 {
			t.Errorf("KeyUse after rotation = %v", use)
		}
		if list, err := both.ListCredentials(ctx); err != nil || len(list) != 3 || list[0].KeyID != "2026" || list[0].Username == "" {
			t.Errorf("ListCredentials = %+v, %v", list, err)
		}
		for _, c := range creds {
			got, err := newOnly.LoadCredential(ctx, c.Endpoint, c.Subject)
			if err != nil || got.AccessToken != c.AccessToken || got.RefreshToken != c.RefreshToken || got.Username != c.Username {
				t.Errorf("after rotation, with the new key only: %+v, %v", got, err)
			}
		}
		if _, err := old.LoadCredential(ctx, creds[0].Endpoint, creds[0].Subject); hfgate.ErrorCode(err) != hfgate.EINVALID {
			t.Errorf("the old key alone after rotation: %v, want EINVALID", err)
		}
		// A rotation missing a key stops, and says which.
		if _, err := b.open(t, sqlstore.Options{Sealer: keys(t, "2027")}).RotateKeys(ctx); err == nil || !strings.Contains(err.Error(), "does not open") {
			t.Errorf("RotateKeys without the key in use: %v", err)
		}
	})
}
