package web

import (
	"testing"

	"github.com/hfgate/hfgate"
)

// TestUserMessageSpeaksToTheBrowser: the advice of an error's action points
// at the page, and no message a library wrote names a command.
func TestUserMessageSpeaksToTheBrowser(t *testing.T) {
	for _, tt := range []struct {
		err  error
		want string
	}{
		{hfgate.Errorf(hfgate.EUNAUTHORIZED, "not signed in to h").WithAction(hfgate.ActionSignIn),
			"not signed in to h; sign in with Connect Hugging Face"},
		{hfgate.Errorf(hfgate.ENOTFOUND, "a.gguf is not in o/r at revision main").WithAction(hfgate.ActionListFiles),
			"a.gguf is not in o/r at revision main; the model page lists the files"},
		{hfgate.Errorf(hfgate.EGATED, "you have not been granted access to x: request access at https://h/x").WithAction(hfgate.ActionRequestAccess),
			"you have not been granted access to x: request access at https://h/x"},
	} {
		if got := userMessage(tt.err); got != tt.want {
			t.Errorf("userMessage(%v)\n got %q\nwant %q", tt.err, got, tt.want)
		}
	}
}
