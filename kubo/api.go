package kubo

import (
	"errors"
	"fmt"
	"io"
	"io/fs"
	"net"
	"net/netip"
	"net/url"
	"os"
	"path/filepath"
	"strconv"
	"strings"

	"github.com/hfgate/hfgate"
)

// Environment variables FindAPI reads.
const (
	// EnvAPI names the node's RPC API address, as a multiaddr
	// (/ip4/127.0.0.1/tcp/5001) or a URL (http://127.0.0.1:5001). Kubo's
	// CLI takes it only as --api; IPFS tools commonly read this variable.
	EnvAPI = "IPFS_API"
	// EnvPath is the node's repository, where a running daemon writes its
	// API address to the file "api". Default ~/.ipfs, as in Kubo.
	EnvPath = "IPFS_PATH"
)

// Source says where an API address came from.
type Source int

// Sources of an API address, in the order FindAPI tries them.
const (
	FromArgument Source = iota // given by the caller: a flag
	FromEnv                    // the IPFS_API environment variable
	FromFile                   // the api file of the node's repository
)

// API is the address of a node's RPC API.
type API struct {
	// URL is the base URL calls go to, such as http://127.0.0.1:5001.
	URL *url.URL
	// From says where the address came from.
	From Source
	// File is the api file read (FromFile), or looked for when FindAPI
	// found no node.
	File string
}

// FindAPI finds the RPC API of the node to use, as Kubo's tools find it:
// explicit if not empty (a flag), else $IPFS_API, else the api file that a
// running daemon writes into its repository, $IPFS_PATH/api (default
// ~/.ipfs/api). getenv reads the environment; nil means os.Getenv.
//
// An address from the api file must be on this machine's loopback (an
// unspecified address, 0.0.0.0 or ::, counts as loopback, as Kubo itself
// writes it): any other is refused with EINVALID, because the file is not
// the user's explicit choice. Explicit and IPFS_API addresses may be
// remote. When there is no api file, no daemon runs on that repository and
// FindAPI fails with EUNAVAILABLE wrapping hfgate.ErrNoIPFSNode; API.File
// then says where it looked.
func FindAPI(explicit string, getenv func(string) string) (API, error) {
	if getenv == nil {
		getenv = os.Getenv
	}
	if explicit = strings.TrimSpace(explicit); explicit != "" {
		u, err := ParseAPI(explicit)
		return API{URL: u, From: FromArgument}, err
	}
	if v := strings.TrimSpace(getenv(EnvAPI)); v != "" {
		u, err := ParseAPI(v)
		if err != nil {
			err = hfgate.WrapError(hfgate.EINVALID, err, "%s: %s", EnvAPI, hfgate.ErrorMessage(err))
		}
		return API{URL: u, From: FromEnv}, err
	}
	file := filepath.Join(repoDir(getenv), "api")
	api := API{From: FromFile, File: file}
	addr, err := readAPIFile(file)
	if errors.Is(err, fs.ErrNotExist) {
		return api, hfgate.WrapError(hfgate.EUNAVAILABLE, fmt.Errorf("%w: %w", hfgate.ErrNoIPFSNode, err),
			"no IPFS node is running (no API address file at %s)", file)
	}
	if err != nil {
		return api, hfgate.WrapError(hfgate.EUNAVAILABLE, err, "cannot read the IPFS node's API address file %s", file)
	}
	u, err := ParseAPI(addr)
	if err != nil {
		return api, hfgate.WrapError(hfgate.EINVALID, err, "the IPFS node's API address file %s: %s", file, hfgate.ErrorMessage(err))
	}
	if !IsLoopback(u) {
		return api, hfgate.Errorf(hfgate.EINVALID,
			"the IPFS node's API address file %s names %s, which is not on this machine's loopback; such an address is used only when given explicitly", file, u.Host)
	}
	api.URL = u
	return api, nil
}

// repoDir is $IPFS_PATH, with a leading ~ expanded as Kubo expands it, or
// ~/.ipfs.
func repoDir(getenv func(string) string) string {
	home := getenv("HOME")
	if home == "" {
		home, _ = os.UserHomeDir()
	}
	dir := strings.TrimSpace(getenv(EnvPath))
	switch {
	case dir == "":
		return filepath.Join(home, ".ipfs")
	case dir == "~" || strings.HasPrefix(dir, "~/"):
		return filepath.Join(home, dir[1:])
	}
	return dir
}

// maxAPIFile is the largest api file read, as in Kubo: it holds one address.
const maxAPIFile = 2048

func readAPIFile(name string) (string, error) {
	f, err := os.Open(name)
	if err != nil {
		return "", err
	}
	defer f.Close()
	b, err := io.ReadAll(io.LimitReader(f, maxAPIFile+1))
	if err != nil {
		return "", err
	}
	if len(b) > maxAPIFile {
		return "", fmt.Errorf("larger than %d bytes", maxAPIFile)
	}
	return strings.TrimSpace(string(b)), nil
}

// ParseAPI turns an RPC API address into the base URL to call. It accepts
// Kubo's multiaddr form (/ip4/127.0.0.1/tcp/5001, /ip6/::1/tcp/5001,
// /dns/localhost/tcp/5001, optionally ending in /http, /https or
// /tls/http), an http or https URL with no path (http://127.0.0.1:5001),
// and host:port. An unspecified address (0.0.0.0, ::) means this machine's
// loopback. It fails with EINVALID for anything else, including a Unix
// socket and a URL carrying a user name or password (which would end up in
// messages and logs).
func ParseAPI(addr string) (*url.URL, error) {
	addr = strings.TrimSpace(addr)
	var u *url.URL
	var err error
	switch {
	case addr == "":
		return nil, hfgate.Errorf(hfgate.EINVALID, "empty IPFS API address")
	case strings.HasPrefix(addr, "/"):
		u, err = parseMultiaddr(addr)
	case strings.Contains(addr, "://"):
		u, err = parseURL(addr)
	default:
		u, err = parseURL("http://" + addr)
	}
	if err != nil {
		return nil, err
	}
	if ip, err := netip.ParseAddr(u.Hostname()); err == nil && ip.IsUnspecified() {
		loop := "127.0.0.1"
		if ip.Is6() {
			loop = "::1"
		}
		u.Host = net.JoinHostPort(loop, u.Port())
	}
	return u, nil
}

// IsLoopback reports whether u's host is this machine's loopback: an
// address in 127.0.0.0/8 or ::1, or the name localhost (RFC 6761).
func IsLoopback(u *url.URL) bool { return hfgate.IsLoopbackHost(u.Hostname()) }

func parseURL(s string) (*url.URL, error) {
	u, err := url.Parse(s)
	switch {
	case err != nil && strings.Contains(s, "@"):
		return nil, hfgate.Errorf(hfgate.EINVALID, "the IPFS API address is not a valid URL")
	case err != nil:
		return nil, hfgate.Errorf(hfgate.EINVALID, "%q is not a valid IPFS API address", s)
	case u.User != nil:
		return nil, hfgate.Errorf(hfgate.EINVALID, "an IPFS API address must not carry a user name or password")
	case u.Scheme != "http" && u.Scheme != "https":
		return nil, hfgate.Errorf(hfgate.EINVALID, "%q is not an IPFS API address: use http or https", s)
	case u.Hostname() == "" || (u.Path != "" && u.Path != "/") || u.RawQuery != "" || u.Fragment != "":
		return nil, hfgate.Errorf(hfgate.EINVALID, "%q is not an IPFS API address: give only a host and port, such as http://127.0.0.1:5001", s)
	}
	if p := u.Port(); p != "" {
		if n, err := strconv.Atoi(p); err != nil || n < 1 || n > 65535 {
			return nil, hfgate.Errorf(hfgate.EINVALID, "%q is not an IPFS API address: bad port", s)
		}
	}
	return &url.URL{Scheme: u.Scheme, Host: u.Host}, nil
}
