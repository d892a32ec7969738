package kubo

import (
	"errors"
	"os"
	"path/filepath"
	"strings"
	"testing"

	"github.com/hfgate/hfgate"
)

func TestParseAPI(t *testing.T) {
	tests := []struct {
		in, want string // want "" means EINVALID
	}{
		{"/ip4/127.0.0.1/tcp/5001", "http://127.0.0.1:5001"},
		{" /ip4/127.0.0.1/tcp/5001\n", "http://127.0.0.1:5001"},
		{"/ip4/127.0.0.1/tcp/5001/http", "http://127.0.0.1:5001"},
		{"/ip4/10.0.0.7/tcp/443/https", "https://10.0.0.7:443"},
		{"/ip4/10.0.0.7/tcp/443/tls/http", "https://10.0.0.7:443"},
		{"/ip6/::1/tcp/5001", "http://[::1]:5001"},
		{"/ip4/0.0.0.0/tcp/5001", "http://127.0.0.1:5001"},
		{"/ip6/::/tcp/5001", "http://[::1]:5001"},
		{"/dns/localhost/tcp/5001", "http://localhost:5001"},
		{"/dns4/ipfs.example.org/tcp/5001", "http://ipfs.example.org:5001"},
		{"http://127.0.0.1:5001", "http://127.0.0.1:5001"},
		{"http://127.0.0.1:5001/", "http://127.0.0.1:5001"},
		{"https://node.example.org", "https://node.example.org"},
		{"127.0.0.1:5001", "http://127.0.0.1:5001"},
		{"localhost:5001", "http://localhost:5001"},
		{"", ""},
		{"/ip4/127.0.0.1", ""},
		{"/ip4/127.0.0.1/udp/5001", ""},
		{"/ip4/::1/tcp/5001", ""},
		{"/ip6/127.0.0.1/tcp/5001", ""},
		{"/ip4/127.0.0.1/tcp/0", ""},
		{"/ip4/127.0.0.1/tcp/65536", ""},
		{"/ip4/127.0.0.1/tcp/05001", ""},
		{"/ip4/127.0.0.1/tcp/5001/ws", ""},
		{"/unix/run/ipfs.sock", ""},
		{"/dns/bad_host/tcp/5001", ""},
		{"/p2p/12D3KooW/tcp/5001", ""},
		{"ftp://127.0.0.1:5001", ""},
		{"http://127.0.0.1:5001/api/v0", ""},
		{"http://127.0.0.1:5001?x=1", ""},
		{"http://127.0.0.1:99999", ""},
		{"http://user:secret@127.0.0.1:5001", ""},
	}
	for _, tt := range tests {
		t.Run(tt.in, func(t *testing.T) {
			u, err := ParseAPI(tt.in)
			if tt.want == "" {
				if got := hfgate.ErrorCode(err); got != hfgate.EINVALID {
					t.Fatalf("ParseAPI(%q) = %v, %v; want EINVALID", tt.in, u, err)
				}
				if strings.Contains(err.Error(), "secret") {
					t.Errorf("error %q shows the password", err)
				}
				return
			}
			if err != nil || u.String() != tt.want {
				t.Fatalf("ParseAPI(%q) = %v, %v; want %s", tt.in, u, err, tt.want)
			}
		})
	}
}

func TestFindAPI(t *testing.T) {
	home := t.TempDir()
	repo := t.TempDir()
	writeAPI := func(dir, content string) {
		t.Helper()
		if err := os.MkdirAll(dir, 0o700); err != nil {
			t.Fatal(err)
		}
		if err := os.WriteFile(filepath.Join(dir, "api"), []byte(content), 0o600); err != nil {
			t.Fatal(err)
		}
	}
	writeAPI(filepath.Join(home, ".ipfs"), "/ip4/127.0.0.1/tcp/5001")
	writeAPI(repo, "/ip4/127.0.0.1/tcp/45001\n")
	remote := t.TempDir()
	writeAPI(remote, "/ip4/192.0.2.10/tcp/5001")
	big := t.TempDir()
	writeAPI(big, "/ip4/127.0.0.1/tcp/5001"+strings.Repeat(" ", maxAPIFile))

	tests := []struct {
		name     string
		explicit string
		env      map[string]string
		want     string // URL, or "" for an error
		from     Source
		code     string // the error's code
		noNode   bool   // the error wraps hfgate.ErrNoIPFSNode
	}{
		{name: "explicit wins", explicit: "/ip4/192.0.2.1/tcp/5001", env: map[string]string{EnvAPI: "127.0.0.1:1", "HOME": home},
			want: "http://192.0.2.1:5001", from: FromArgument},
		{name: "IPFS_API next", env: map[string]string{EnvAPI: "http://192.0.2.2:5001", EnvPath: repo, "HOME": home},
			want: "http://192.0.2.2:5001", from: FromEnv},
		{name: "IPFS_PATH api file", env: map[string]string{EnvPath: repo, "HOME": home},
			want: "http://127.0.0.1:45001", from: FromFile},
		{name: "IPFS_PATH with tilde", env: map[string]string{EnvPath: "~/.ipfs", "HOME": home},
			want: "http://127.0.0.1:5001", from: FromFile},
		{name: "default ~/.ipfs", env: map[string]string{"HOME": home},
			want: "http://127.0.0.1:5001", from: FromFile},
		{name: "no api file: no node", env: map[string]string{EnvPath: t.TempDir(), "HOME": home},
			code: hfgate.EUNAVAILABLE, noNode: true},
		{name: "remote address in the file is refused", env: map[string]string{EnvPath: remote},
			code: hfgate.EINVALID},
		{name: "oversized api file", env: map[string]string{EnvPath: big},
			code: hfgate.EUNAVAILABLE},
		{name: "bad IPFS_API", env: map[string]string{EnvAPI: "/unix/x"},
			code: hfgate.EINVALID},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			api, err := FindAPI(tt.explicit, func(k string) string { return tt.env[k] })
			if tt.want == "" {
				if got := hfgate.ErrorCode(err); got != tt.code {
					t.Fatalf("FindAPI = %+v, %v; want code %s", api, err, tt.code)
				}
				if got := errors.Is(err, hfgate.ErrNoIPFSNode); got != tt.noNode {
					t.Fatalf("errors.Is(%v, ErrNoIPFSNode) = %v, want %v", err, got, tt.noNode)
				}
				return
			}
			if err != nil || api.URL.String() != tt.want || api.From != tt.from {
				t.Fatalf("FindAPI = %v from %d, %v; want %s from %d", api.URL, api.From, err, tt.want, tt.from)
			}
		})
	}
}
