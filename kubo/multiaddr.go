package kubo

import (
	"net"
	"net/netip"
	"net/url"
	"strconv"
	"strings"

	"github.com/hfgate/hfgate"
)

// parseMultiaddr turns the multiaddrs a Kubo RPC API listens on into a URL:
// a host part (/ip4/A, /ip6/A, /dns/H, /dns4/H, /dns6/H), /tcp/PORT, and
// optionally /http, /https or /tls/http, as the multiaddr spec and Kubo's
// own client read them. Only the text form is read; nothing is resolved.
func parseMultiaddr(s string) (*url.URL, error) {
	bad := func(why string) (*url.URL, error) {
		return nil, hfgate.Errorf(hfgate.EINVALID, "%q is not an IPFS API address: %s", s, why)
	}
	parts := strings.Split(strings.TrimPrefix(s, "/"), "/")
	if len(parts) < 4 {
		return bad("expected a form such as /ip4/127.0.0.1/tcp/5001")
	}
	proto, host := parts[0], parts[1]
	switch proto {
	case "ip4", "ip6":
		ip, err := netip.ParseAddr(host)
		if err != nil || ip.Zone() != "" || (proto == "ip4") != ip.Is4() {
			return bad("bad " + proto + " address " + strconv.Quote(host))
		}
	case "dns", "dns4", "dns6":
		if !isHostname(host) {
			return bad("bad host name " + strconv.Quote(host))
		}
	case "unix":
		return bad("a Unix socket is not supported; give the node's TCP address")
	default:
		return bad("unsupported protocol " + strconv.Quote(proto))
	}
	if parts[2] != "tcp" {
		return bad("the RPC API is served over TCP: expected /tcp/PORT after the host")
	}
	port, err := strconv.Atoi(parts[3])
	if err != nil || port < 1 || port > 65535 || strconv.Itoa(port) != parts[3] {
		return bad("bad port " + strconv.Quote(parts[3]))
	}
	scheme := "http"
	switch strings.Join(parts[4:], "/") {
	case "", "http":
	case "https", "tls/http":
		scheme = "https"
	default:
		return bad("unsupported protocols after the port")
	}
	return &url.URL{Scheme: scheme, Host: net.JoinHostPort(host, parts[3])}, nil
}

// isHostname accepts DNS names made of letters, digits, '-' and '.', the
// only ones a multiaddr's /dns component should hold.
func isHostname(s string) bool {
	if s == "" || len(s) > 253 || strings.HasPrefix(s, ".") || strings.HasPrefix(s, "-") {
		return false
	}
	for _, r := range s {
		if !(r >= 'a' && r <= 'z' || r >= 'A' && r <= 'Z' || r >= '0' && r <= '9' || r == '-' || r == '.') {
			return false
		}
	}
	return true
}
