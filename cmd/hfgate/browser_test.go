package main

import (
	"slices"
	"testing"
)

func TestBrowserEnv(t *testing.T) {
	env := []string{"HOME=/home/u", "PATH=/usr/bin", "DISPLAY=:0", "DBUS_SESSION_BUS_ADDRESS=unix:path=/run/bus",
		"HF_TOKEN=hf_x", "HUGGING_FACE_HUB_TOKEN=hf_y", "HUGGINGFACE_CLIENT_SECRET=s", "GITHUB_TOKEN=g",
		"AWS_SECRET_ACCESS_KEY=a", "OPENAI_API_KEY=o", "PGPASSWORD=p", "GOOGLE_APPLICATION_CREDENTIALS=/k.json"}
	want := []string{"HOME=/home/u", "PATH=/usr/bin", "DISPLAY=:0", "DBUS_SESSION_BUS_ADDRESS=unix:path=/run/bus"}
	if got := browserEnv(env); !slices.Equal(got, want) {
		t.Fatalf("browserEnv = %q, want %q", got, want)
	}
}

func TestOpenBrowserOnlyHTTP(t *testing.T) {
	for _, u := range []string{"file:///etc/passwd", "javascript:alert(1)", "ssh://host", "http:///nohost", "not a url\x00"} {
		if err := openBrowser(u); err == nil {
			t.Errorf("openBrowser(%q) started a browser", u)
		}
	}
}
