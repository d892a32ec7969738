package hfhub

import (
	"context"
	"net/http"
	"reflect"
	"testing"
	"time"

	"github.com/hfgate/hfgate"
)

func TestWhoAmI(t *testing.T) {
	for _, tt := range []struct {
		name, body string
		want       func(base string) *hfgate.User
	}{
		{
			name: "classic token",
			body: `{"type":"user","id":"62f264b9f3c90f4b6514a269","name":"hub.js","fullname":"CI bot","email":"ci@example.com",
				"emailVerified":true,"canPay":false,"isPro":false,"periodEnd":null,"avatarUrl":"/avatars/934b.svg","billingMode":"postpaid",
				"orgs":[{"type":"org","id":"5e67bd5b1009063689407478","name":"acme","fullname":"Acme Corp","email":null,
				"avatarUrl":"https://cdn.example/acme.png","roleInOrg":"write"}],
				"auth":{"type":"access_token","accessToken":{"displayName":"ci-hub.js","role":"write","createdAt":"2024-01-01T00:00:00.000Z"}}}`,
			want: func(base string) *hfgate.User {
				return &hfgate.User{ID: "62f264b9f3c90f4b6514a269", Username: "hub.js", FullName: "CI bot", Email: "ci@example.com",
					AvatarURL: base + "/avatars/934b.svg",
					Orgs: []hfgate.Org{{ID: "5e67bd5b1009063689407478", Name: "acme", FullName: "Acme Corp",
						AvatarURL: "https://cdn.example/acme.png", Role: "write"}},
					Auth: hfgate.TokenInfo{Type: "access_token", Role: "write", DisplayName: "ci-hub.js"}}
			},
		},
		{
			name: "OAuth token",
			body: `{"type":"user","id":"u1","name":"alice","fullname":"Alice","isPro":true,"avatarUrl":"",
				"orgs":[],"auth":{"type":"app_token_as_user","expiresAt":"2026-11-22T20:00:00.000Z"}}`,
			want: func(string) *hfgate.User {
				return &hfgate.User{ID: "u1", Username: "alice", FullName: "Alice", IsPro: true,
					Auth: hfgate.TokenInfo{Type: "app_token_as_user", ExpiresAt: time.Date(2026, 11, 22, 20, 0, 0, 0, time.UTC)}}
			},
		},
	} {
		t.Run(tt.name, func(t *testing.T) {
			hub := newFake(t, serveJSON(tt.body))
			u, err := newClient(hub.URL, testToken).WhoAmI(context.Background())
			if err != nil {
				t.Fatalf("WhoAmI: %v", err)
			}
			if want := tt.want(hub.URL); !reflect.DeepEqual(u, want) {
				t.Errorf("user\n got %+v\nwant %+v", u, want)
			}
			if r := hub.requests()[0]; r.Path != "/api/whoami-v2" || r.Auth != "Bearer "+testToken {
				t.Errorf("request %s with Authorization %q", r.Path, r.Auth)
			}
		})
	}
}

func TestWhoAmIErrors(t *testing.T) {
	hub := newFake(t, func(w http.ResponseWriter, r *http.Request) {
		hubError(w, r, http.StatusUnauthorized, "", msgBadCredentials)
	})
	_, err := newClient(hub.URL, "").WhoAmI(context.Background())
	wantCode(t, err, hfgate.EUNAUTHORIZED, "not signed in")
	if hfgate.ErrorAction(err) != hfgate.ActionSignIn {
		t.Errorf("action = %q, want sign_in", hfgate.ErrorAction(err))
	}
	if n := len(hub.requests()); n != 0 {
		t.Errorf("anonymous WhoAmI made %d requests", n)
	}
	_, err = newClient(hub.URL, testToken).WhoAmI(context.Background())
	wantCode(t, err, hfgate.EUNAUTHORIZED, "token was rejected")
}
