package hfgate_test

import (
	"strings"
	"testing"

	"github.com/hfgate/hfgate"
)

func TestNormalizeEndpoint(t *testing.T) {
	for _, tt := range []struct{ in, want string }{
		{"https://huggingface.co", "https://huggingface.co"},
		{"HTTPS://HuggingFace.CO:443/", "https://huggingface.co"},
		{" https://huggingface.co// ", "https://huggingface.co"},
		{"http://127.0.0.1:8080/", "http://127.0.0.1:8080"},
		{"http://example.com:80", "http://example.com"},
		{"https://example.com:80", "https://example.com:80"},
		{"https://gw.example/hub/", "https://gw.example/hub"},
	} {
		if got, err := hfgate.NormalizeEndpoint(tt.in); err != nil || got != tt.want {
			t.Errorf("NormalizeEndpoint(%q) = %q, %v; want %q", tt.in, got, err, tt.want)
		}
	}
	for _, in := range []string{"", "huggingface.co", "ftp://huggingface.co", "https://", "https://u:hf_secretpw@huggingface.co",
		"https://huggingface.co/?x=1", "https://huggingface.co/#f", "https://huggingface.co?", "mailto:a@b", "http://[::1"} {
		_, err := hfgate.NormalizeEndpoint(in)
		if hfgate.ErrorCode(err) != hfgate.EINVALID {
			t.Errorf("NormalizeEndpoint(%q): err = %v, want invalid", in, err)
		}
		if strings.Contains(err.Error(), "hf_secretpw") {
			t.Errorf("error quotes the password: %v", err)
		}
	}
}

func TestIsLoopbackHost(t *testing.T) {
	for host, want := range map[string]bool{
		"localhost": true, "LocalHost": true, "127.0.0.1": true, "127.9.8.7": true, "::1": true, "::ffff:127.0.0.1": true,
		"": false, "0.0.0.0": false, "10.0.0.1": false, "localhost.example.com": false, "[::1]": false, "127.0.0.1:80": false,
	} {
		if got := hfgate.IsLoopbackHost(host); got != want {
			t.Errorf("IsLoopbackHost(%q) = %v, want %v", host, got, want)
		}
	}
}
