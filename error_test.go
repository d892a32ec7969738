package hfgate_test

import (
	"fmt"
	"testing"

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
