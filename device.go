package hfgate

import (
	"context"
	"crypto/rand"
	"slices"
	"strings"
	"time"
)

// DeviceState is where a device authorization (RFC 8628) stands.
type DeviceState string

// Device authorization states.
const (
	DevicePending  DeviceState = "pending"  // waiting for the user to enter the code
	DeviceApproved DeviceState = "approved" // approved; the next poll redeems it
	DeviceDenied   DeviceState = "denied"   // the user said no
	DeviceRedeemed DeviceState = "redeemed" // tokens were issued; it cannot be used again
	DeviceExpired  DeviceState = "expired"  // never stored: what a poll of an expired code answers
)

// DeviceAuth is one device authorization request: a device (hfgate login
// --device, hf auth login) shows UserCode to its user, who approves it in a
// browser, while the device polls the token endpoint with the device code.
type DeviceAuth struct {
	// Hash is TokenHash of the device code, the secret the device polls
	// with; the store keeps only the hash.
	Hash string

	// UserCode is what the user types: "XXXX-XXXX" (NewUserCode).
	UserCode string

	ClientID string
	Scopes   []string

	Created  time.Time
	Expires  time.Time
	Interval time.Duration // the least time between two polls
	LastPoll time.Time     // zero before the first poll

	State   DeviceState
	Subject string    // who approved or denied it
	Decided time.Time // when
}

// Clone returns a deep copy of d.
func (d *DeviceAuth) Clone() *DeviceAuth {
	if d == nil {
		return nil
	}
	c := *d
	c.Scopes = slices.Clone(d.Scopes)
	return &c
}

// Validate reports what makes d unfit for DeviceStore.CreateDeviceAuth, as
// an EINVALID error.
func (d *DeviceAuth) Validate() error {
	switch {
	case d == nil || d.Hash == "" || d.UserCode == "":
		return Errorf(EINVALID, "a device authorization needs a device code and a user code")
	case d.Expires.IsZero() || d.Interval <= 0:
		return Errorf(EINVALID, "a device authorization needs an expiry and a polling interval")
	case d.State != DevicePending:
		return Errorf(EINVALID, "a new device authorization is pending")
	}
	return nil
}

// DevicePoll is the outcome of one poll of a device code.
type DevicePoll struct {
	// State is DevicePending, DeviceDenied, DeviceExpired, or
	// DeviceApproved when this poll redeemed the authorization.
	State DeviceState

	// SlowDown is set when the device polled sooner than Interval after
	// its last poll; Interval then grows by 5 seconds (RFC 8628 section
	// 3.5) and the authorization is not redeemed by this poll.
	SlowDown bool
	Interval time.Duration

	// ClientID is the client the authorization was made for, so that a
	// poll by another client can be refused.
	ClientID string
}

// DeviceStore keeps device authorizations while they are pending.
//
// Errors are *Error values by code: ENOTFOUND when there is no such
// authorization (or it expired, where the method says so), EINVALID for
// bad arguments or a step its state does not allow, EUNAVAILABLE when the
// store cannot be reached, ECANCELED when ctx is canceled.
//
// Implementations are safe for concurrent use, across processes that share
// the store. storetest.Devices checks all of this.
type DeviceStore interface {
	// CreateDeviceAuth stores a new pending authorization. A taken hash or
	// user code is EINVALID: make a new code and try again.
	CreateDeviceAuth(ctx context.Context, d *DeviceAuth) error

	// DeviceAuthByUserCode returns the unexpired authorization of
	// userCode (as NormalizeUserCode gives it), whatever its state.
	DeviceAuthByUserCode(ctx context.Context, userCode string, at time.Time) (*DeviceAuth, error)

	// DecideDeviceAuth approves or denies the pending, unexpired
	// authorization of userCode on behalf of subject. Deciding one that
	// is decided already is EINVALID.
	DecideDeviceAuth(ctx context.Context, userCode, subject string, approve bool, at time.Time) error

	// PollDeviceAuth records a poll at the time at of the authorization
	// whose Hash is hash. When it is approved (and not slowed down), it
	// is redeemed and the tokens issue returns for it are stored, in one
	// transaction, so that it issues tokens once; issue must not do I/O,
	// and its error undoes the poll and is returned as it is. An unknown
	// hash is ENOTFOUND; a redeemed authorization is EINVALID.
	PollDeviceAuth(ctx context.Context, hash string, at time.Time, issue func(*DeviceAuth) ([]*Token, error)) (DevicePoll, error)
}

// userCodeAlphabet has no vowels (so that no code spells a word) and no
// letters that read like digits (RFC 8628 section 6.1).
const userCodeAlphabet = "BCDFGHJKLMNPQRSTVWXZ"

// NewUserCode returns a new user code, "XXXX-XXXX" over 20 letters: about
// 34 bits, enough against guessing when attempts are rate limited and
// codes expire in minutes.
func NewUserCode() string {
	var b [8]byte
	out := make([]byte, 0, 9)
	for len(out) < 9 {
		rand.Read(b[:]) // never fails (crypto/rand)
		for _, c := range b {
			if c < 240 && len(out) < 9 { // 240 = 12 * 20: no letter likelier
				if len(out) == 4 {
					out = append(out, '-')
				}
				out = append(out, userCodeAlphabet[c%20])
			}
		}
	}
	return string(out)
}

// NormalizeUserCode returns the user code s as stored ("XXXX-XXXX"),
// whatever its case, spaces and dashes, or "" when s cannot be one.
func NormalizeUserCode(s string) string {
	var b strings.Builder
	for _, r := range strings.ToUpper(s) {
		switch {
		case r == '-' || r == ' ':
		case strings.ContainsRune(userCodeAlphabet, r):
			if b.Len() == 4 {
				b.WriteByte('-')
			}
			if b.Len() == 9 {
				return ""
			}
			b.WriteRune(r)
		default:
			return ""
		}
	}
	if b.Len() != 9 {
		return ""
	}
	return b.String()
}
