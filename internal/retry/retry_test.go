package retry

import (
	"context"
	"errors"
	"fmt"
	"io"
	"net/http"
	"testing"
	"time"

	"github.com/hfgate/hfgate"
)

func TestDelayBackoffIsCappedAndJittered(t *testing.T) {
	p := Policy{Base: 100 * time.Millisecond, Max: time.Second, Rand: func() float64 { return 0.999999 }}
	for _, tt := range []struct {
		n    int
		want time.Duration // the ceiling, since Rand is ~1
	}{
		{1, 100 * time.Millisecond},
		{2, 200 * time.Millisecond},
		{3, 400 * time.Millisecond},
		{4, 800 * time.Millisecond},
		{5, time.Second},
		{64, time.Second},
	} {
		got := p.Delay(tt.n, 0)
		if got > tt.want || got < tt.want*99/100 {
			t.Errorf("Delay(%d)=%v, want just under %v", tt.n, got, tt.want)
		}
	}
	p.Rand = func() float64 { return 0 }
	if got := p.Delay(3, 0); got != 0 {
		t.Errorf("Delay with zero jitter = %v, want 0", got)
	}
}

func TestDelayHonoursRetryAfter(t *testing.T) {
	p := Policy{Rand: func() float64 { return 0.5 }}
	if got := p.Delay(1, 3*time.Second); got != 3*time.Second {
		t.Errorf("Delay with Retry-After 3s = %v", got)
	}
	if got := p.Delay(1, time.Hour); got != DefaultMaxRetryAfter {
		t.Errorf("Delay with Retry-After 1h = %v, want the cap %v", got, DefaultMaxRetryAfter)
	}
}

func TestRetries(t *testing.T) {
	p := Policy{Attempts: 3}
	if !p.Retries(1) || !p.Retries(2) || p.Retries(3) {
		t.Error("Attempts=3: want retries after tries 1 and 2 only")
	}
	if !(Policy{}).Retries(DefaultAttempts-1) || (Policy{}).Retries(DefaultAttempts) {
		t.Error("zero Policy does not use DefaultAttempts")
	}
}

func TestRetryAfter(t *testing.T) {
	now := time.Date(2026, 11, 22, 12, 0, 0, 0, time.UTC)
	for _, tt := range []struct {
		v    string
		want time.Duration
	}{
		{"", 0},
		{"7", 7 * time.Second},
		{"-1", 0},
		{"soon", 0},
		{now.Add(90 * time.Second).Format(http.TimeFormat), 90 * time.Second},
		{now.Add(-time.Minute).Format(http.TimeFormat), 0},
	} {
		h := http.Header{}
		if tt.v != "" {
			h.Set("Retry-After", tt.v)
		}
		if got := RetryAfter(h, now); got != tt.want {
			t.Errorf("RetryAfter(%q)=%v, want %v", tt.v, got, tt.want)
		}
	}
}

func TestRetryableStatus(t *testing.T) {
	for code, want := range map[int]bool{200: false, 206: false, 401: false, 403: false, 404: false, 416: false,
		429: true, 500: true, 502: true, 503: true, 504: true, 501: false} {
		if got := RetryableStatus(code); got != want {
			t.Errorf("RetryableStatus(%d)=%v, want %v", code, got, want)
		}
	}
}

func TestSleepCanceled(t *testing.T) {
	ctx, cancel := context.WithCancel(context.Background())
	cancel()
	if err := Sleep(ctx, time.Hour); err != context.Canceled {
		t.Fatalf("Sleep on a canceled context = %v, want context.Canceled", err)
	}
	if err := Sleep(context.Background(), time.Millisecond); err != nil {
		t.Fatalf("Sleep = %v", err)
	}
}

func TestTransient(t *testing.T) {
	for _, tt := range []struct {
		err  error
		want bool
	}{
		{io.ErrUnexpectedEOF, true},
		{hfgate.Errorf(hfgate.EUNAVAILABLE, "server error"), true},
		{fmt.Errorf("wrapped: %w", hfgate.Errorf(hfgate.EUNAVAILABLE, "cut")), true},
		{hfgate.Errorf(hfgate.EFORBIDDEN, "no"), false},
		{hfgate.Errorf(hfgate.EINTEGRITY, "corrupt"), false},
		{context.Canceled, false},
		{fmt.Errorf("get: %w", context.DeadlineExceeded), false},
	} {
		if got := Transient(tt.err); got != tt.want {
			t.Errorf("Transient(%v) = %v, want %v", tt.err, got, tt.want)
		}
	}
}

type withRetryAfter struct{ d time.Duration }

func (e withRetryAfter) Error() string             { return "rate limited" }
func (e withRetryAfter) RetryAfter() time.Duration { return e.d }

func TestAfterOf(t *testing.T) {
	if got := AfterOf(fmt.Errorf("x: %w", withRetryAfter{7 * time.Second})); got != 7*time.Second {
		t.Errorf("AfterOf(a wrapped Retry-After of 7s) = %v", got)
	}
	if got := AfterOf(errors.New("plain")); got != 0 {
		t.Errorf("AfterOf(plain) = %v, want 0", got)
	}
}
