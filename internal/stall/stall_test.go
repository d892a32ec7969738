package stall_test

import (
	"context"
	"errors"
	"testing"
	"time"

	"github.com/hfgate/hfgate/internal/stall"
)

func TestWatch(t *testing.T) {
	for _, tt := range []struct {
		name    string
		perTick int // bytes added every 5 ms; the window is 100 ms
		stalled bool
	}{
		{"flowing", 4 * stall.MinBytes, false},
		{"trickle", 1, true},
		{"silent", 0, true},
	} {
		t.Run(tt.name, func(t *testing.T) {
			ctx, w := stall.Start(context.Background(), 100*time.Millisecond)
			defer w.Stop()
			deadline := time.After(500 * time.Millisecond)
		loop:
			for {
				select {
				case <-ctx.Done():
					break loop
				case <-deadline:
					break loop
				case <-time.After(5 * time.Millisecond):
					w.Add(tt.perTick)
				}
			}
			err := stall.Cause(ctx)
			if (err != nil) != tt.stalled || (err != nil && !errors.Is(err, stall.ErrStalled)) {
				t.Fatalf("Cause = %v, want stalled=%v", err, tt.stalled)
			}
		})
	}
}

func TestWatchStopAndDisabled(t *testing.T) {
	ctx, w := stall.Start(context.Background(), 0)
	time.Sleep(20 * time.Millisecond)
	if ctx.Err() != nil {
		t.Fatal("a watch with no window canceled")
	}
	w.Stop()
	w.Stop()
	if ctx.Err() == nil || stall.Cause(ctx) != nil {
		t.Fatalf("after Stop: err %v, cause %v; want canceled, not stalled", ctx.Err(), stall.Cause(ctx))
	}
}
