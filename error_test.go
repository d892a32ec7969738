package hfgate_test

import (
	"context"
	"errors"
	"fmt"
	"testing"
	"time"

	"github.com/hfgate/hfgate"
)

func TestErrorAction(t *testing.T) {
	inner := hfgate.Errorf(hfgate.EUNAUTHORIZED, "not signed in").WithAction(hfgate.ActionSignIn)
	for _, tt := range []struct {
		name string
		err  error
		want string
	}{
		{"nil", nil, ""},
		{"plain error", errPlain{}, ""},
		{"set", inner, hfgate.ActionSignIn},
		{"through a plain wrapper", fmt.Errorf("look up account: %w", inner), hfgate.ActionSignIn},
		{"not from the cause of another message", hfgate.WrapError(hfgate.EUNAUTHORIZED, inner, "look up account"), ""},
		{"the outer wins", hfgate.WrapError(hfgate.EGATED, inner, "gated").WithAction(hfgate.ActionRequestAccess), hfgate.ActionRequestAccess},
		{"none", hfgate.Errorf(hfgate.EINVALID, "bad"), ""},
	} {
		if got := hfgate.ErrorAction(tt.err); got != tt.want {
			t.Errorf("%s: ErrorAction = %q, want %q", tt.name, got, tt.want)
		}
	}
}

type errPlain struct{}

func (errPlain) Error() string { return "plain" }

func TestContextError(t *testing.T) {
	live := context.Background()
	canceled, cancel := context.WithCancel(live)
	cancel()
	expired, cancel2 := context.WithDeadline(live, time.Unix(0, 0))
	defer cancel2()
	for _, tt := range []struct {
		name string
		ctx  context.Context
		code string
		msg  string
	}{
		{"live", live, "", ""},
		{"canceled", canceled, hfgate.ECANCELED, "canceled while reading"},
		{"deadline", expired, hfgate.EUNAVAILABLE, "timed out while reading"},
	} {
		err := hfgate.ContextError(tt.ctx, "reading")
		if hfgate.ErrorCode(err) != tt.code || hfgate.ErrorMessage(err) != tt.msg {
			t.Errorf("%s: ContextError = %v (code %q), want code %q, message %q", tt.name, err, hfgate.ErrorCode(err), tt.code, tt.msg)
		}
		if err != nil && !errors.Is(err, tt.ctx.Err()) {
			t.Errorf("%s: ContextError does not wrap %v", tt.name, tt.ctx.Err())
		}
	}
}
