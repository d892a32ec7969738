package main

import (
	"context"
	"io"
	"net/http"
	"os"
	"strings"

	"github.com/hfgate/hfgate"
	"github.com/hfgate/hfgate/ciauth"
)

// exchangeFlags are the flags of "hfgate token --exchange".
type exchangeFlags struct {
	exchange    bool
	idTokenFile string
	resource    string
	asJSON      bool
}

// maxIDToken bounds an ID token read from a file or standard input.
const maxIDToken = 64 << 10

// exchangeToken prints a gateway token exchanged for this CI job's ID
// token.
func (a *app) exchangeToken(ctx context.Context, f exchangeFlags) error {
	endpoint := a.endpoint()
	idToken, err := a.ciIDToken(ctx, f, endpoint)
	if err != nil {
		return err
	}
	got, err := ciauth.Exchange(ctx, ciClient(), endpoint, idToken, f.resource)
	if err != nil {
		return err
	}
	if f.asJSON {
		return writeJSON(a.io.Out, got)
	}
	_, err = io.WriteString(a.io.Out, got.AccessToken+"\n")
	return err
}

// ciIDToken finds the job's ID token: --id-token-file, HFGATE_ID_TOKEN,
// or GitHub Actions' token service asked for audience endpoint.
func (a *app) ciIDToken(ctx context.Context, f exchangeFlags, endpoint string) (string, error) {
	switch {
	case f.idTokenFile != "":
		var r io.Reader = a.io.In
		if f.idTokenFile != "-" {
			file, err := os.Open(f.idTokenFile)
			if err != nil {
				return "", hfgate.WrapError(hfgate.EINVALID, err, "cannot read the ID token file %s", f.idTokenFile)
			}
			defer file.Close()
			r = file
		}
		b, err := io.ReadAll(io.LimitReader(r, maxIDToken+1))
		tok := strings.TrimSpace(string(b))
		switch {
		case err != nil:
			return "", hfgate.WrapError(hfgate.EINVALID, err, "cannot read the ID token")
		case len(b) > maxIDToken || tok == "" || strings.ContainsAny(tok, " \t\r\n"):
			return "", hfgate.Errorf(hfgate.EINVALID, "%s does not hold one ID token", f.idTokenFile)
		}
		return tok, nil
	case a.env("HFGATE_ID_TOKEN") != "":
		return a.env("HFGATE_ID_TOKEN"), nil
	case a.env("ACTIONS_ID_TOKEN_REQUEST_URL") != "" && a.env("ACTIONS_ID_TOKEN_REQUEST_TOKEN") != "":
		return ciauth.GitHubIDToken(ctx, ciClient(), a.env("ACTIONS_ID_TOKEN_REQUEST_URL"), a.env("ACTIONS_ID_TOKEN_REQUEST_TOKEN"), endpoint)
	}
	return "", hfgate.Errorf(hfgate.EINVALID, "no CI ID token: give --id-token-file, set HFGATE_ID_TOKEN, or run in a GitHub Actions job "+
		`with "permissions: id-token: write" (ACTIONS_ID_TOKEN_REQUEST_URL is not set)`)
}

// ciClient is the HTTP client of token exchange: it names hfgate and its
// version as every other request of the CLI does, so that the gateway's
// audit log says which tool exchanged.
func ciClient() *http.Client {
	return &http.Client{Transport: userAgent{"hfgate/" + version(), http.DefaultTransport}}
}

// userAgent sets the User-Agent of every request it sends.
type userAgent struct {
	name string
	base http.RoundTripper
}

func (u userAgent) RoundTrip(r *http.Request) (*http.Response, error) {
	r = r.Clone(r.Context())
	r.Header.Set("User-Agent", u.name)
	return u.base.RoundTrip(r)
}
