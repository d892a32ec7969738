package gateway

import (
	"net/http"
	"net/netip"
	"sync"
	"time"

	"golang.org/x/time/rate"
)

// Rate limits per client address, per replica (they are not shared
// through the database: a replica's limit bounds what one address can try
// against it, and N replicas allow N times as much).
var limitRates = map[string]struct {
	every time.Duration
	burst int
}{
	"token":     {100 * time.Millisecond, 30}, // token endpoint: 10/s, bursts of 30
	"device":    {time.Second, 10},            // new device codes: 1/s, bursts of 10
	"user_code": {6 * time.Second, 10},        // user codes typed in: 10/min, bursts of 10
}

// maxLimited bounds the addresses remembered per limit; idle ones are
// forgotten first.
const maxLimited = 10000

// limits are the rate limiters of the gateway, by limit and address.
type limits struct {
	now func() time.Time
	mu  sync.Mutex
	m   map[string]map[netip.Addr]*limiter
}

type limiter struct {
	*rate.Limiter
	last time.Time
}

func newLimits(now func() time.Time) *limits {
	return &limits{now: now, m: map[string]map[netip.Addr]*limiter{}}
}

// allow reports whether addr may make one more request under limit, and
// if not, how long to wait.
func (l *limits) allow(limit string, addr netip.Addr) (bool, time.Duration) {
	now := l.now()
	l.mu.Lock()
	defer l.mu.Unlock()
	byAddr := l.m[limit]
	if byAddr == nil {
		byAddr = map[netip.Addr]*limiter{}
		l.m[limit] = byAddr
	}
	lim := byAddr[addr]
	if lim == nil {
		if len(byAddr) >= maxLimited {
			l.forget(byAddr, now)
		}
		r := limitRates[limit]
		lim = &limiter{Limiter: rate.NewLimiter(rate.Every(r.every), r.burst)}
		byAddr[addr] = lim
	}
	lim.last = now
	res := lim.ReserveN(now, 1)
	if d := res.DelayFrom(now); d > 0 {
		res.CancelAt(now)
		return false, d
	}
	return true, 0
}

// forget drops the limiters of addresses idle longest: those whose bucket
// is full again first.
func (l *limits) forget(byAddr map[netip.Addr]*limiter, now time.Time) {
	for a, lim := range byAddr {
		if lim.TokensAt(now) >= float64(lim.Burst()) {
			delete(byAddr, a)
		}
	}
	for a := range byAddr {
		if len(byAddr) < maxLimited*9/10 {
			break
		}
		delete(byAddr, a)
	}
}

// wrap limits next by client address; a request over the limit gets 429
// with Retry-After, as an OAuth error (slow_down, which device clients
// already obey).
func (l *limits) wrap(limit string, addr func(*http.Request) netip.Addr, next http.Handler) http.Handler {
	return http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		if ok, wait := l.allow(limit, addr(r)); !ok {
			writeOAuthError(w, r, &OAuthError{Code: "slow_down", Description: "too many requests from this address; wait and try again",
				Status: http.StatusTooManyRequests, RetryAfter: int(wait.Seconds()) + 1})
			return
		}
		next.ServeHTTP(w, r)
	})
}
