package identity_test

import (
	"context"
	"path/filepath"
	"slices"
	"testing"
	"time"

	"github.com/hfgate/hfgate"
	"github.com/hfgate/hfgate/identity"
	"github.com/hfgate/hfgate/postgres"
	"github.com/hfgate/hfgate/postgres/postgrestest"
	"github.com/hfgate/hfgate/sqlite"
	"github.com/hfgate/hfgate/sqlstore"
)

// reportQuantiles reports the p50 and p99 of samples, in microseconds.
func reportQuantiles(b *testing.B, samples []time.Duration, unit string) {
	slices.Sort(samples)
	q := func(f float64) float64 {
		return float64(samples[int(f*float64(len(samples)-1))]) / float64(time.Microsecond)
	}
	b.ReportMetric(q(0.50), "p50-"+unit)
	b.ReportMetric(q(0.99), "p99-"+unit)
}

// benchStore opens a SQLite store with a user and a personal token, and
// returns the token's secret.
func benchStore(b *testing.B, path string) (*sqlstore.Store, string) {
	b.Helper()
	s, err := sqlite.Open(context.Background(), path, sqlstore.Options{})
	if err != nil {
		b.Fatal(err)
	}
	b.Cleanup(func() { s.Close() })
	return s, newUserToken(b, s)
}

func newUserToken(b *testing.B, s *sqlstore.Store) string {
	b.Helper()
	ctx := context.Background()
	a, err := s.SignIn(ctx, hfgate.Identity{Provider: "huggingface", Sub: "1"}, &hfgate.Account{Username: "alice",
		Orgs: []hfgate.Org{{Name: "acme", Role: "write"}}}, time.Now())
	if err != nil {
		b.Fatal(err)
	}
	secret, id, hash := hfgate.NewTokenSecret()
	tok := &hfgate.Token{ID: id, Hash: hash, Kind: hfgate.TokenPersonal, Subject: a.ID, Created: time.Now(), Expires: time.Now().Add(24 * time.Hour)}
	if err := s.CreateTokens(ctx, tok); err != nil {
		b.Fatal(err)
	}
	return secret
}

// BenchmarkTokenCheck is the cost of checking a gateway token in process,
// as every request through the gateway pays it: a cache hit (the token was
// checked less than the TTL ago).
//
//	go test -run '^$' -bench TokenCheck ./identity
func BenchmarkTokenCheck(b *testing.B) {
	s, secret := benchStore(b, filepath.Join(b.TempDir(), "hfgate.db"))
	c := &identity.Checker{Tokens: s, Sessions: s, Accounts: s}
	defer c.Close()
	defer c.Watch(s)()
	ctx := context.Background()
	if _, err := c.Token(ctx, secret); err != nil {
		b.Fatal(err)
	}
	samples := make([]time.Duration, 0, b.N)
	b.ResetTimer()
	for b.Loop() {
		t0 := time.Now()
		if _, err := c.Token(ctx, secret); err != nil {
			b.Fatal(err)
		}
		samples = append(samples, time.Since(t0))
	}
	b.StopTimer()
	reportQuantiles(b, samples, "us")
}

// BenchmarkTokenCheckParallel is BenchmarkTokenCheck from every core at
// once: the cache's lock under contention.
func BenchmarkTokenCheckParallel(b *testing.B) {
	s, secret := benchStore(b, filepath.Join(b.TempDir(), "hfgate.db"))
	c := &identity.Checker{Tokens: s, Sessions: s, Accounts: s}
	defer c.Close()
	ctx := context.Background()
	if _, err := c.Token(ctx, secret); err != nil {
		b.Fatal(err)
	}
	b.RunParallel(func(pb *testing.PB) {
		for pb.Next() {
			if _, err := c.Token(ctx, secret); err != nil {
				b.Error(err)
				return
			}
		}
	})
}

// BenchmarkTokenCheckMiss is a check the cache cannot answer: a token
// lookup and an account lookup in SQLite.
func BenchmarkTokenCheckMiss(b *testing.B) {
	s, secret := benchStore(b, filepath.Join(b.TempDir(), "hfgate.db"))
	c := &identity.Checker{Tokens: s, Sessions: s, Accounts: s}
	defer c.Close()
	ctx := context.Background()
	samples := make([]time.Duration, 0, b.N)
	for b.Loop() {
		c.Forget(hfgate.Revocation{All: true})
		t0 := time.Now()
		if _, err := c.Token(ctx, secret); err != nil {
			b.Fatal(err)
		}
		samples = append(samples, time.Since(t0))
	}
	reportQuantiles(b, samples, "us")
}

// revocations is how many revocations one run of a delay benchmark times.
const revocations = 100

// BenchmarkRevocationDelay is how long a token revoked through one replica
// stays usable at another: two Stores on one database, each with its
// Checker; replica B has the token cached when replica A revokes it, and
// the delay runs from the start of A's revocation to B's first refusal.
// One run times 100 revocations and reports their p50 and p99.
//
//	scripts/with-postgres go test -run '^$' -bench RevocationDelay -benchtime 1x ./identity
func BenchmarkRevocationDelay(b *testing.B) {
	b.Run("postgres", func(b *testing.B) {
		url := postgrestest.URL(b)
		open := func() *sqlstore.Store {
			s, err := postgres.Open(context.Background(), url, sqlstore.Options{})
			if err != nil {
				b.Fatal(err)
			}
			b.Cleanup(func() { s.Close() })
			return s
		}
		revocationDelay(b, open(), open())
	})
	b.Run("sqlite", func(b *testing.B) {
		path := filepath.Join(b.TempDir(), "hfgate.db")
		a, _ := benchStore(b, path)
		s, err := sqlite.Open(context.Background(), path, sqlstore.Options{})
		if err != nil {
			b.Fatal(err)
		}
		b.Cleanup(func() { s.Close() })
		revocationDelay(b, a, s)
	})
}

func revocationDelay(b *testing.B, a, other *sqlstore.Store) {
	ctx := context.Background()
	checker := &identity.Checker{Tokens: other, Sessions: other, Accounts: other, TTL: time.Hour}
	defer checker.Close()
	defer checker.Watch(other)()
	account, err := a.SignIn(ctx, hfgate.Identity{Provider: "huggingface", Sub: "bench"}, &hfgate.Account{Username: "bench"}, time.Now())
	if err != nil {
		b.Fatal(err)
	}
	var samples []time.Duration
	for b.Loop() {
		for range revocations {
			secret, id, hash := hfgate.NewTokenSecret()
			tok := &hfgate.Token{ID: id, Hash: hash, Kind: hfgate.TokenPersonal, Subject: account.ID, Created: time.Now(), Expires: time.Now().Add(time.Hour)}
			if err := a.CreateTokens(ctx, tok); err != nil {
				b.Fatal(err)
			}
			if _, err := checker.Token(ctx, secret); err != nil { // cached at B
				b.Fatal(err)
			}
			t0 := time.Now()
			if _, err := a.RevokeTokens(ctx, hfgate.TokenRevocation{ID: id, At: time.Now()}); err != nil {
				b.Fatal(err)
			}
			for {
				if _, err := checker.Token(ctx, secret); err != nil {
					break
				}
				if time.Since(t0) > time.Minute {
					b.Fatal("a revoked token was still accepted at the other replica after a minute")
				}
				time.Sleep(50 * time.Microsecond)
			}
			samples = append(samples, time.Since(t0))
		}
	}
	reportQuantiles(b, samples, "us")
}

// newCIToken stores a CI token as a token exchange makes one (a job of
// GitHub Actions with its claims) and returns its secret.
func newCIToken(b *testing.B, s *sqlstore.Store) string {
	b.Helper()
	claims := map[string]string{"iss": "https://token.actions.githubusercontent.com", "sub": "repo:acme/app:ref:refs/heads/main",
		"repository": "acme/app", "repository_id": "42", "repository_owner": "acme", "repository_owner_id": "7",
		"ref": "refs/heads/main", "ref_type": "branch", "workflow": "ci", "event_name": "push", "actor": "alice",
		"job_workflow_ref": "acme/app/.github/workflows/ci.yml@refs/heads/main", "runner_environment": "github-hosted"}
	p := &hfgate.Principal{Kind: hfgate.PrincipalCI, Subject: "github:repo:acme/app:ref:refs/heads/main", Provider: "github",
		Name: "acme-app-main", Claims: claims}
	secret, id, hash := hfgate.NewTokenSecret()
	tok := &hfgate.Token{ID: id, Hash: hash, Kind: hfgate.TokenCI, Subject: p.Subject, Principal: p, Name: "acme-app-main",
		Created: time.Now(), Expires: time.Now().Add(15 * time.Minute)}
	if err := s.CreateTokens(context.Background(), tok); err != nil {
		b.Fatal(err)
	}
	return secret
}

// BenchmarkCITokenCheck is what a CI token adds to each request through
// the gateway: a check answered by the cache (hit), and one that reads
// the token (its principal is stored with it: no account is read) from
// SQLite (miss).
//
//	go test -run '^$' -bench CITokenCheck ./identity
func BenchmarkCITokenCheck(b *testing.B) {
	s, _ := benchStore(b, filepath.Join(b.TempDir(), "hfgate.db"))
	secret := newCIToken(b, s)
	ctx := context.Background()
	for _, tt := range []struct {
		name string
		miss bool
	}{{"hit", false}, {"miss", true}} {
		b.Run(tt.name, func(b *testing.B) {
			c := &identity.Checker{Tokens: s, Sessions: s, Accounts: s}
			defer c.Close()
			samples := make([]time.Duration, 0, 1024)
			for b.Loop() {
				if tt.miss {
					c.Forget(hfgate.Revocation{All: true})
				}
				t0 := time.Now()
				if _, err := c.Token(ctx, secret); err != nil {
					b.Fatal(err)
				}
				samples = append(samples, time.Since(t0))
			}
			reportQuantiles(b, samples, "us")
		})
	}
}
