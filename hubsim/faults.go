package hubsim

import (
	"encoding/json"
	"fmt"
	"math/rand/v2"
	"strings"
	"sync"
	"time"
)

// FaultRule makes matching requests misbehave, so that tests can check how
// clients cope with slow, failing and lying servers. A rule applies to a
// request when Host and PathPrefix match, Times is not used up and the
// Percent roll succeeds; each request takes at most one rule, the first
// that applies in SetFaults order. The effects of one rule combine: Latency
// first, then Status (which answers at once), else the handler's response
// shaped by IgnoreRange, Corrupt, BandwidthPerConn and CutAfterBytes.
//
// The zero value of every field means "no effect", so FaultRule{} matches
// every request and changes nothing (it still counts as faulted).
type FaultRule struct {
	// Host is "hub", "cdn" or "" for both.
	Host string `json:"host,omitempty"`
	// PathPrefix matches the start of the request's decoded URL path, e.g.
	// "/api/models" or "/hubsim/tiny-llama-GGUF/resolve/"; "" matches all.
	PathPrefix string `json:"pathPrefix,omitempty"`
	// Times applies the rule to the next Times matching requests only; 0
	// means until the rules are cleared or replaced.
	Times int `json:"times,omitempty"`
	// Percent applies the rule to this share of matching requests, drawn
	// from a PRNG seeded at SetFaults so runs repeat; 0 and 100 mean all.
	Percent int `json:"percent,omitempty"`

	// Latency delays the response (before any byte of it).
	Latency time.Duration `json:"latency,omitempty"`
	// BandwidthPerConn caps the response body to this many bytes per
	// second. A connection carries one response at a time, so this is a
	// per-connection cap; parallel connections each get it.
	BandwidthPerConn int64 `json:"bandwidthPerConn,omitempty"`
	// Status, if not 0, answers with this status (e.g. 429, 500, 503)
	// instead of calling the handler: a Hub error on the Hub host, an S3
	// XML error on the CDN.
	Status int `json:"status,omitempty"`
	// RetryAfter, if > 0, sends Retry-After with this many seconds
	// (rounded up) along with Status.
	RetryAfter time.Duration `json:"retryAfter,omitempty"`
	// CutAfterBytes, if > 0, aborts the connection after this many body
	// bytes (the headers promised more), if the body is longer.
	CutAfterBytes int64 `json:"cutAfterBytes,omitempty"`
	// Corrupt flips the byte at file offset CorruptAt (XOR 0xFF) in any
	// file body that covers it, whole or ranged; other responses are left
	// alone. A separate bool so that offset 0 can be corrupted.
	Corrupt   bool  `json:"corrupt,omitempty"`
	CorruptAt int64 `json:"corruptAt,omitempty"`
	// IgnoreRange drops the request's Range header, so the answer is 200
	// with the whole body, as a CDN that ignores ranges does.
	IgnoreRange bool `json:"ignoreRange,omitempty"`

	// The rest make a hostile or broken server.

	// Headers sets response headers, replacing the handler's (an empty
	// value removes one): an absurd X-Linked-Size, an ETag that is no hash,
	// a Link rel="next" that leads back to a page already sent.
	Headers map[string]string `json:"headers,omitempty"`
	// Stall stops sending the body after StallAfterBytes bytes (0: before
	// the first), holding the connection open until the client gives up. A
	// trickle is BandwidthPerConn of a few bytes per second.
	Stall           bool  `json:"stall,omitempty"`
	StallAfterBytes int64 `json:"stallAfterBytes,omitempty"`
	// Body, if set, is answered (200, JSON unless Headers say otherwise)
	// instead of calling the handler: a crafted listing with a malformed
	// entry, or a huge answer, streamed without being held in memory.
	Body *FaultBody `json:"body,omitempty"`
}

// FaultBody is the answer of a FaultRule: Head, then Repeat Count times,
// then Tail.
type FaultBody struct {
	Head   string `json:"head,omitempty"`
	Repeat string `json:"repeat,omitempty"`
	Count  int64  `json:"count,omitempty"`
	Tail   string `json:"tail,omitempty"`
}

func (f FaultRule) validate() error {
	switch {
	case f.Host != "" && f.Host != "hub" && f.Host != "cdn":
		return fmt.Errorf(`host must be "hub", "cdn" or "", not %q`, f.Host)
	case f.Times < 0, f.Latency < 0, f.BandwidthPerConn < 0, f.RetryAfter < 0, f.CutAfterBytes < 0:
		return fmt.Errorf("times, latency, bandwidthPerConn, retryAfter and cutAfterBytes must not be negative")
	case f.Percent < 0 || f.Percent > 100:
		return fmt.Errorf("percent must be within 0..100, not %d", f.Percent)
	case f.Status != 0 && (f.Status < 100 || f.Status > 599):
		return fmt.Errorf("status %d is not an HTTP status", f.Status)
	case f.Corrupt && f.CorruptAt < 0:
		return fmt.Errorf("corruptAt must not be negative")
	case f.StallAfterBytes < 0 || f.Body != nil && f.Body.Count < 0:
		return fmt.Errorf("stallAfterBytes and body.count must not be negative")
	}
	return nil
}

// UnmarshalJSON accepts durations as Go duration strings ("250ms", "2s")
// or as integer nanoseconds (what MarshalJSON of a time.Duration gives).
func (f *FaultRule) UnmarshalJSON(b []byte) error {
	type plain FaultRule
	var aux struct {
		plain
		Latency    json.RawMessage `json:"latency,omitempty"`
		RetryAfter json.RawMessage `json:"retryAfter,omitempty"`
	}
	dec := json.NewDecoder(strings.NewReader(string(b)))
	dec.DisallowUnknownFields()
	if err := dec.Decode(&aux); err != nil {
		return err
	}
	*f = FaultRule(aux.plain)
	var err error
	if f.Latency, err = parseJSONDuration(aux.Latency); err != nil {
		return fmt.Errorf("latency: %w", err)
	}
	if f.RetryAfter, err = parseJSONDuration(aux.RetryAfter); err != nil {
		return fmt.Errorf("retryAfter: %w", err)
	}
	return nil
}

func parseJSONDuration(raw json.RawMessage) (time.Duration, error) {
	if len(raw) == 0 {
		return 0, nil
	}
	var s string
	if json.Unmarshal(raw, &s) == nil {
		return time.ParseDuration(s)
	}
	var n int64
	if err := json.Unmarshal(raw, &n); err != nil {
		return 0, fmt.Errorf("want a duration such as \"250ms\" or integer nanoseconds")
	}
	return time.Duration(n), nil
}

// faultState holds the fault rules and the counters of a Server.
type faultState struct {
	mu       sync.Mutex
	rules    []FaultRule
	left     []int // remaining uses of rules[i]; -1 for unlimited
	rng      *rand.Rand
	counters Counters
}

// faultSeed seeds the Percent PRNG, so that a test run repeats exactly.
const faultSeed = 20250114

func newFaultState() *faultState {
	fs := &faultState{rng: rand.New(rand.NewPCG(faultSeed, faultSeed))}
	fs.resetCounters()
	return fs
}

// SetFaults replaces the fault rules with rules (none: no faults) and
// reseeds the Percent PRNG. It returns an error, and changes nothing, if a
// rule is invalid. Safe for concurrent use; requests already running keep
// the rule they got.
func (s *Server) SetFaults(rules ...FaultRule) error {
	for i, r := range rules {
		if err := r.validate(); err != nil {
			return fmt.Errorf("hubsim: fault rule %d: %w", i, err)
		}
	}
	fs := s.hub.faults
	fs.mu.Lock()
	defer fs.mu.Unlock()
	fs.rules = append([]FaultRule(nil), rules...)
	fs.left = make([]int, len(rules))
	for i, r := range rules {
		fs.left[i] = r.Times
		if r.Times == 0 {
			fs.left[i] = -1
		}
	}
	fs.rng = rand.New(rand.NewPCG(faultSeed, faultSeed))
	return nil
}

// ClearFaults removes every fault rule.
func (s *Server) ClearFaults() { s.SetFaults() }

// Faults returns the current rules with Times set to the uses left (0 for
// unlimited rules; used-up rules are left out).
func (s *Server) Faults() []FaultRule {
	fs := s.hub.faults
	fs.mu.Lock()
	defer fs.mu.Unlock()
	var out []FaultRule
	for i, r := range fs.rules {
		if fs.left[i] == 0 {
			continue
		}
		r.Times = max(fs.left[i], 0)
		out = append(out, r)
	}
	return out
}

// pick returns the rule that applies to a request, using one of its Times,
// or nil.
func (fs *faultState) pick(host, path string) *FaultRule {
	fs.mu.Lock()
	defer fs.mu.Unlock()
	for i := range fs.rules {
		r := &fs.rules[i]
		if fs.left[i] == 0 || r.Host != "" && r.Host != host || !strings.HasPrefix(path, r.PathPrefix) {
			continue
		}
		if r.Percent > 0 && r.Percent < 100 && fs.rng.IntN(100) >= r.Percent {
			continue
		}
		if fs.left[i] > 0 {
			fs.left[i]--
		}
		rule := *r
		return &rule
	}
	return nil
}
