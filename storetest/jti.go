package storetest

import (
	"errors"
	"strings"
	"sync"
	"testing"
	"time"

	"github.com/hfgate/hfgate"
)

// JTIs runs the hfgate.JTIStore conformance tests. open must return a
// fresh, empty store.
func JTIs(t *testing.T, open func(t *testing.T) hfgate.JTIStore) {
	for _, tt := range []struct {
		name string
		fn   func(*testing.T, hfgate.JTIStore)
	}{
		{"Once", testJTIOnce},
		{"ExpiredTakesOver", testJTIExpired},
		{"Invalid", testJTIInvalid},
		{"Concurrent", testJTIConcurrent},
	} {
		t.Run(tt.name, func(t *testing.T) { tt.fn(t, open(t)) })
	}
}

var jtiNow = time.Date(2030, 5, 6, 7, 8, 9, 0, time.UTC)

// testJTIOnce: a jti is spent once per issuer; the same jti of another
// issuer is another token.
func testJTIOnce(t *testing.T, s hfgate.JTIStore) {
	ctx, exp := t.Context(), jtiNow.Add(6*time.Minute)
	if err := s.UseJTI(ctx, "https://ci.example", "j1", exp, jtiNow); err != nil {
		t.Fatalf("first use: %v", err)
	}
	if err := s.UseJTI(ctx, "https://ci.example", "j1", exp, jtiNow.Add(time.Minute)); !errors.Is(err, hfgate.ErrJTIUsed) {
		t.Errorf("second use: %v, want ErrJTIUsed", err)
	}
	if err := s.UseJTI(ctx, "https://other.example", "j1", exp, jtiNow); err != nil {
		t.Errorf("the same jti of another issuer: %v", err)
	}
	if err := s.UseJTI(ctx, "https://ci.example", "J1", exp, jtiNow); err != nil {
		t.Errorf("a jti differing in case only: %v (jti are compared exactly)", err)
	}
}

// testJTIExpired: once the expiry a jti was kept until has passed, the
// row no longer stands in the way (the ID token itself is refused as
// expired by then; this only keeps the table from growing without Purge).
func testJTIExpired(t *testing.T, s hfgate.JTIStore) {
	ctx, exp := t.Context(), jtiNow.Add(time.Minute)
	if err := s.UseJTI(ctx, "iss", "j", exp, jtiNow); err != nil {
		t.Fatal(err)
	}
	if err := s.UseJTI(ctx, "iss", "j", exp.Add(time.Hour), exp.Add(-time.Microsecond)); !errors.Is(err, hfgate.ErrJTIUsed) {
		t.Errorf("just before its expiry: %v, want ErrJTIUsed", err)
	}
	if err := s.UseJTI(ctx, "iss", "j", exp.Add(time.Hour), exp); err != nil {
		t.Errorf("at its expiry: %v, want it taken over", err)
	}
	if err := s.UseJTI(ctx, "iss", "j", exp.Add(time.Hour), exp.Add(time.Minute)); !errors.Is(err, hfgate.ErrJTIUsed) {
		t.Errorf("after the takeover: %v, want ErrJTIUsed until the new expiry", err)
	}
}

func testJTIInvalid(t *testing.T, s hfgate.JTIStore) {
	long := strings.Repeat("x", 513)
	for _, tt := range []struct{ issuer, jti string }{{"", "j"}, {"iss", ""}, {long, "j"}, {"iss", long}} {
		if err := s.UseJTI(t.Context(), tt.issuer, tt.jti, jtiNow.Add(time.Minute), jtiNow); hfgate.ErrorCode(err) != hfgate.EINVALID {
			t.Errorf("UseJTI(%.10q, %.10q): %v, want EINVALID", tt.issuer, tt.jti, err)
		}
	}
}

// testJTIConcurrent: of several uses of one jti at once, exactly one
// succeeds.
func testJTIConcurrent(t *testing.T, s hfgate.JTIStore) {
	const n = 8
	errs := make([]error, n)
	var wg sync.WaitGroup
	for i := range n {
		wg.Go(func() { errs[i] = s.UseJTI(t.Context(), "iss", "raced", jtiNow.Add(time.Minute), jtiNow) })
	}
	wg.Wait()
	ok := 0
	for _, err := range errs {
		switch {
		case err == nil:
			ok++
		case !errors.Is(err, hfgate.ErrJTIUsed):
			t.Errorf("a concurrent use: %v", err)
		}
	}
	if ok != 1 {
		t.Errorf("%d of %d concurrent uses succeeded, want 1", ok, n)
	}
}
