package hfgate

import (
	"net/netip"
	"net/url"
	"strings"
)

// IsLoopbackHost reports whether host (a URL's or address's host, without
// port or brackets) is this machine's loopback: an address in 127.0.0.0/8
// or ::1 (also IPv4-mapped), or the name localhost (RFC 6761). It is the one
// test of where plain http and listening without TLS are allowed.
func IsLoopbackHost(host string) bool {
	if strings.EqualFold(host, "localhost") {
		return true
	}
	ip, err := netip.ParseAddr(host)
	return err == nil && ip.Unmap().IsLoopback()
}

// NormalizeEndpoint returns the canonical form of a Hub base URL, the key of
// stored credentials: lower-case scheme and host, no default port, no
// trailing slash. "HTTPS://HuggingFace.co:443/" becomes
// "https://huggingface.co". Anything but an http(s) URL without user info,
// query or fragment is an EINVALID error, which never quotes the input (it
// might hold a password).
func NormalizeEndpoint(endpoint string) (string, error) {
	u, err := url.Parse(strings.TrimSpace(endpoint))
	if err != nil || (u.Scheme != "http" && u.Scheme != "https") || u.Host == "" || u.Opaque != "" ||
		u.User != nil || u.RawQuery != "" || u.ForceQuery || u.Fragment != "" {
		return "", Errorf(EINVALID,
			"invalid Hub endpoint: want an http(s) URL without user name, query or fragment, such as https://huggingface.co").
			WithAction(ActionSetEndpoint)
	}
	host := strings.ToLower(u.Host)
	if u.Scheme == "https" {
		host = strings.TrimSuffix(host, ":443")
	} else {
		host = strings.TrimSuffix(host, ":80")
	}
	norm := url.URL{Scheme: u.Scheme, Host: host, Path: strings.TrimRight(u.Path, "/")}
	return norm.String(), nil
}
