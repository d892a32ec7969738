package web

import (
	"testing"

	"github.com/hfgate/hfgate"
)

func TestUserMessageSpeaksToTheBrowser(t *testing.T) {
	for _, tt := range []struct{ in, want string }{
		{"x is gated: sign in with `hfgate login`, then request access at https://h/x", "x is gated: sign in with Connect Hugging Face, then request access at https://h/x"},
		{"not signed in to h: run `hfgate login`", "not signed in to h: sign in with Connect Hugging Face"},
		{`a.gguf is not in o/r at revision main: check the name ("hfgate files o/r" lists the files)`, "a.gguf is not in o/r at revision main: check the name (the model page lists them)"},
	} {
		if got := userMessage(hfgate.Errorf(hfgate.EGATED, "%s", tt.in)); got != tt.want {
			t.Errorf("userMessage(%q)\n got %q\nwant %q", tt.in, got, tt.want)
		}
	}
}
