package storetest

import (
	"errors"
	"sync"
	"testing"
	"time"

	"github.com/hfgate/hfgate"
)

// DeviceTokenStore is a store of device authorizations and of the tokens
// they issue.
type DeviceTokenStore interface {
	hfgate.DeviceStore
	hfgate.TokenStore
}

// Devices runs the hfgate.DeviceStore conformance tests. open must return
// a fresh, empty store that reads the time from now.
func Devices(t *testing.T, open func(t *testing.T, now func() time.Time) DeviceTokenStore) {
	for _, tt := range []struct {
		name string
		fn   func(*testing.T, DeviceTokenStore, *clock)
	}{
		{"Approve", testDeviceApprove},
		{"Deny", testDeviceDeny},
		{"SlowDown", testDeviceSlowDown},
		{"Expiry", testDeviceExpiry},
		{"Invalid", testDeviceInvalid},
		{"IssueFails", testDeviceIssueFails},
		{"ConcurrentPolls", testDeviceConcurrentPolls},
	} {
		t.Run(tt.name, func(t *testing.T) {
			c := &clock{now: time.Date(2030, 5, 6, 7, 8, 9, 0, time.UTC)}
			tt.fn(t, open(t, c.Now), c)
		})
	}
}

// newDevice returns a pending authorization created now, for 10 minutes,
// polled every 5 seconds.
func newDevice(c *clock) *hfgate.DeviceAuth {
	_, _, hash := hfgate.NewTokenSecret()
	return &hfgate.DeviceAuth{
		Hash: hash, UserCode: hfgate.NewUserCode(), ClientID: "26be6b09-91c5-47da-9861-d2d2bb7a7e36",
		Scopes: []string{"openid", "profile"}, Created: c.Now(), Expires: c.Now().Add(10 * time.Minute),
		Interval: 5 * time.Second, State: hfgate.DevicePending,
	}
}

func mustCreateDevice(t *testing.T, s hfgate.DeviceStore, d *hfgate.DeviceAuth) {
	t.Helper()
	if err := s.CreateDeviceAuth(t.Context(), d); err != nil {
		t.Fatalf("CreateDeviceAuth: %v", err)
	}
}

// issueFor returns an issue function that makes an access token for the
// approver and records what it made.
func issueFor(c *clock, made *[]*hfgate.Token) func(*hfgate.DeviceAuth) ([]*hfgate.Token, error) {
	return func(d *hfgate.DeviceAuth) ([]*hfgate.Token, error) {
		tok := newToken(c, hfgate.TokenAccess, d.Subject, hfgate.NewTokenID())
		*made = append(*made, tok)
		return []*hfgate.Token{tok}, nil
	}
}

func mustPoll(t *testing.T, s hfgate.DeviceStore, d *hfgate.DeviceAuth, c *clock, issue func(*hfgate.DeviceAuth) ([]*hfgate.Token, error)) hfgate.DevicePoll {
	t.Helper()
	p, err := s.PollDeviceAuth(t.Context(), d.Hash, c.Now(), issue)
	if err != nil {
		t.Fatalf("PollDeviceAuth: %v", err)
	}
	return p
}

func testDeviceApprove(t *testing.T, s DeviceTokenStore, c *clock) {
	ctx := t.Context()
	d := newDevice(c)
	mustCreateDevice(t, s, d)
	got, err := s.DeviceAuthByUserCode(ctx, d.UserCode, c.Now())
	if err != nil || got.Hash != d.Hash || got.State != hfgate.DevicePending || got.ClientID != d.ClientID ||
		len(got.Scopes) != 2 || got.Interval != d.Interval || !got.Expires.Equal(d.Expires) {
		t.Fatalf("DeviceAuthByUserCode = %+v, %v; want %+v", got, err, d)
	}
	var made []*hfgate.Token
	if p := mustPoll(t, s, d, c, issueFor(c, &made)); p.State != hfgate.DevicePending || p.SlowDown || p.ClientID != d.ClientID {
		t.Errorf("first poll = %+v, want pending, for client %s", p, d.ClientID)
	}
	c.advance(5 * time.Second)
	if err := s.DecideDeviceAuth(ctx, d.UserCode, alice, true, c.Now()); err != nil {
		t.Fatal(err)
	}
	if got, _ := s.DeviceAuthByUserCode(ctx, d.UserCode, c.Now()); got.State != hfgate.DeviceApproved || got.Subject != alice || !got.Decided.Equal(c.Now()) {
		t.Errorf("after approval: %+v", got)
	}
	wantCode(t, "DecideDeviceAuth again", s.DecideDeviceAuth(ctx, d.UserCode, bob, false, c.Now()), hfgate.EINVALID)
	if p := mustPoll(t, s, d, c, issueFor(c, &made)); p.State != hfgate.DeviceApproved || len(made) != 1 {
		t.Fatalf("poll after approval = %+v, %d tokens issued; want approved, 1", p, len(made))
	}
	if tok := mustToken(t, s, made[0].ID); tok.Subject != alice {
		t.Errorf("issued token belongs to %q", tok.Subject)
	}
	c.advance(5 * time.Second)
	_, err = s.PollDeviceAuth(ctx, d.Hash, c.Now(), issueFor(c, &made))
	wantCode(t, "poll of a redeemed code", err, hfgate.EINVALID)
	if len(made) != 1 {
		t.Errorf("a redeemed code issued tokens again")
	}
}

func testDeviceDeny(t *testing.T, s DeviceTokenStore, c *clock) {
	d := newDevice(c)
	mustCreateDevice(t, s, d)
	if err := s.DecideDeviceAuth(t.Context(), d.UserCode, bob, false, c.Now()); err != nil {
		t.Fatal(err)
	}
	var made []*hfgate.Token
	if p := mustPoll(t, s, d, c, issueFor(c, &made)); p.State != hfgate.DeviceDenied || len(made) != 0 {
		t.Errorf("poll after denial = %+v, %d tokens", p, len(made))
	}
	wantCode(t, "approval after denial", s.DecideDeviceAuth(t.Context(), d.UserCode, bob, true, c.Now()), hfgate.EINVALID)
}

func testDeviceSlowDown(t *testing.T, s DeviceTokenStore, c *clock) {
	d := newDevice(c)
	mustCreateDevice(t, s, d)
	var made []*hfgate.Token
	mustPoll(t, s, d, c, issueFor(c, &made))
	c.advance(time.Second)
	p := mustPoll(t, s, d, c, issueFor(c, &made))
	if !p.SlowDown || p.Interval != 10*time.Second || p.State != hfgate.DevicePending {
		t.Fatalf("poll after 1 s = %+v, want slow_down and a 10 s interval", p)
	}
	// Approved, but polled too soon again: no tokens on this poll.
	if err := s.DecideDeviceAuth(t.Context(), d.UserCode, alice, true, c.Now()); err != nil {
		t.Fatal(err)
	}
	c.advance(9 * time.Second)
	p = mustPoll(t, s, d, c, issueFor(c, &made))
	if !p.SlowDown || p.Interval != 15*time.Second || p.State != hfgate.DevicePending || len(made) != 0 {
		t.Fatalf("poll 9 s later = %+v, %d tokens; want slow_down to 15 s, no tokens", p, len(made))
	}
	c.advance(15 * time.Second)
	if p := mustPoll(t, s, d, c, issueFor(c, &made)); p.State != hfgate.DeviceApproved || p.SlowDown || len(made) != 1 {
		t.Errorf("poll after the interval = %+v, %d tokens; want approved", p, len(made))
	}
}

func testDeviceExpiry(t *testing.T, s DeviceTokenStore, c *clock) {
	ctx := t.Context()
	d := newDevice(c)
	mustCreateDevice(t, s, d)
	if err := s.DecideDeviceAuth(ctx, d.UserCode, alice, true, c.Now()); err != nil {
		t.Fatal(err)
	}
	c.advance(10 * time.Minute)
	_, err := s.DeviceAuthByUserCode(ctx, d.UserCode, c.Now())
	wantCode(t, "DeviceAuthByUserCode of an expired code", err, hfgate.ENOTFOUND)
	var made []*hfgate.Token
	if p := mustPoll(t, s, d, c, issueFor(c, &made)); p.State != hfgate.DeviceExpired || len(made) != 0 {
		t.Errorf("poll of an expired approved code = %+v, %d tokens", p, len(made))
	}
	fresh := newDevice(c)
	wantCode(t, "DecideDeviceAuth of an expired code", s.DecideDeviceAuth(ctx, d.UserCode, alice, true, c.Now()), hfgate.ENOTFOUND)
	// An expired code gives up its user code.
	fresh.UserCode = d.UserCode
	mustCreateDevice(t, s, fresh)
	if got, err := s.DeviceAuthByUserCode(ctx, d.UserCode, c.Now()); err != nil || got.Hash != fresh.Hash {
		t.Errorf("the reused user code finds %+v, %v", got, err)
	}
}

func testDeviceInvalid(t *testing.T, s DeviceTokenStore, c *clock) {
	ctx := t.Context()
	taken := newDevice(c)
	mustCreateDevice(t, s, taken)
	for name, change := range map[string]func(*hfgate.DeviceAuth){
		"no hash":          func(d *hfgate.DeviceAuth) { d.Hash = "" },
		"no user code":     func(d *hfgate.DeviceAuth) { d.UserCode = "" },
		"no expiry":        func(d *hfgate.DeviceAuth) { d.Expires = time.Time{} },
		"no interval":      func(d *hfgate.DeviceAuth) { d.Interval = 0 },
		"approved already": func(d *hfgate.DeviceAuth) { d.State = hfgate.DeviceApproved },
		"a taken code":     func(d *hfgate.DeviceAuth) { d.UserCode = taken.UserCode },
		"a taken hash":     func(d *hfgate.DeviceAuth) { d.Hash = taken.Hash },
	} {
		d := newDevice(c)
		change(d)
		wantCode(t, "CreateDeviceAuth with "+name, s.CreateDeviceAuth(ctx, d), hfgate.EINVALID)
	}
	_, _, unknown := hfgate.NewTokenSecret()
	_, err := s.PollDeviceAuth(ctx, unknown, c.Now(), nil)
	wantCode(t, "poll of an unknown device code", err, hfgate.ENOTFOUND)
	wantCode(t, "decision on an unknown user code", s.DecideDeviceAuth(ctx, "BCDF-GHJK", alice, true, c.Now()), hfgate.ENOTFOUND)
	wantCode(t, "decision by nobody", s.DecideDeviceAuth(ctx, taken.UserCode, "", true, c.Now()), hfgate.EINVALID)
	if got, _ := s.DeviceAuthByUserCode(ctx, taken.UserCode, c.Now()); got.State != hfgate.DevicePending {
		t.Errorf("refused decisions changed the code: %+v", got)
	}
}

func testDeviceIssueFails(t *testing.T, s DeviceTokenStore, c *clock) {
	d := newDevice(c)
	mustCreateDevice(t, s, d)
	if err := s.DecideDeviceAuth(t.Context(), d.UserCode, alice, true, c.Now()); err != nil {
		t.Fatal(err)
	}
	boom := errors.New("no signing key")
	if _, err := s.PollDeviceAuth(t.Context(), d.Hash, c.Now(), func(*hfgate.DeviceAuth) ([]*hfgate.Token, error) { return nil, boom }); err != boom {
		t.Errorf("err = %v, want issue's error as it is", err)
	}
	var made []*hfgate.Token
	if p := mustPoll(t, s, d, c, issueFor(c, &made)); p.State != hfgate.DeviceApproved || p.SlowDown || len(made) != 1 {
		t.Errorf("poll after a failed one = %+v: the failure was not undone", p)
	}
}

// testDeviceConcurrentPolls: an approved code issues tokens once, however
// many polls arrive together.
func testDeviceConcurrentPolls(t *testing.T, s DeviceTokenStore, c *clock) {
	d := newDevice(c)
	mustCreateDevice(t, s, d)
	if err := s.DecideDeviceAuth(t.Context(), d.UserCode, alice, true, c.Now()); err != nil {
		t.Fatal(err)
	}
	var (
		mu       sync.Mutex
		approved int
		wg       sync.WaitGroup
	)
	for range 6 {
		wg.Go(func() {
			p, err := s.PollDeviceAuth(t.Context(), d.Hash, c.Now(), func(d *hfgate.DeviceAuth) ([]*hfgate.Token, error) {
				return []*hfgate.Token{newToken(c, hfgate.TokenAccess, d.Subject, hfgate.NewTokenID())}, nil
			})
			if err != nil && hfgate.ErrorCode(err) != hfgate.EINVALID {
				t.Errorf("concurrent poll: %v", err)
			}
			if err == nil && p.State == hfgate.DeviceApproved {
				mu.Lock()
				approved++
				mu.Unlock()
			}
		})
	}
	wg.Wait()
	if approved != 1 {
		t.Errorf("%d concurrent polls were approved, want 1", approved)
	}
	if list, _ := s.ListTokens(t.Context(), hfgate.TokenQuery{Subject: alice}); len(list) != 1 {
		t.Errorf("%d tokens issued, want 1", len(list))
	}
}
