package hfgate_test

import (
	"testing"
	"time"

	"github.com/hfgate/hfgate"
)

func TestSessionExpiresAt(t *testing.T) {
	t0 := time.Date(2030, 1, 1, 0, 0, 0, 0, time.UTC)
	for _, tt := range []struct {
		name string
		s    hfgate.Session
		want time.Time
	}{
		{"no idle limit", hfgate.Session{Created: t0, Expires: t0.Add(24 * time.Hour)}, t0.Add(24 * time.Hour)},
		{"idle since created", hfgate.Session{Created: t0, IdleTimeout: time.Hour, Expires: t0.Add(24 * time.Hour)}, t0.Add(time.Hour)},
		{"idle since last seen", hfgate.Session{Created: t0, LastSeen: t0.Add(5 * time.Hour), IdleTimeout: time.Hour, Expires: t0.Add(24 * time.Hour)}, t0.Add(6 * time.Hour)},
		{"absolute first", hfgate.Session{Created: t0, LastSeen: t0.Add(23*time.Hour + 30*time.Minute), IdleTimeout: time.Hour, Expires: t0.Add(24 * time.Hour)}, t0.Add(24 * time.Hour)},
	} {
		t.Run(tt.name, func(t *testing.T) {
			if got := tt.s.ExpiresAt(); !got.Equal(tt.want) {
				t.Errorf("ExpiresAt = %v, want %v", got, tt.want)
			}
			if !tt.s.Live(tt.want.Add(-time.Second)) || tt.s.Live(tt.want) {
				t.Errorf("Live is not true just before %v and false at it", tt.want)
			}
		})
	}
}

func TestSessionSecret(t *testing.T) {
	secret, id := hfgate.NewSessionSecret()
	other, _ := hfgate.NewSessionSecret()
	if len(secret) < 26 || secret == other {
		t.Fatalf("secrets %q and %q: want long and random", secret, other)
	}
	if id != hfgate.SessionID(secret) || len(id) != 64 || id == secret {
		t.Errorf("id %q: want the hex SHA-256 of the secret", id)
	}
}
