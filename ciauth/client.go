package ciauth

import (
	"bytes"
	"context"
	"encoding/json"
	"fmt"
	"io"
	"net/http"
	"net/url"
	"strings"
	"time"

	"github.com/hfgate/hfgate"
)

// The client side of CI token exchange, for tools that are not
// huggingface_hub (which speaks it by itself): get the job's ID token,
// trade it for a gateway token.

// Names of RFC 8693 (sections 2.1 and 3).
const (
	GrantTokenExchange = "urn:ietf:params:oauth:grant-type:token-exchange"
	TokenTypeIDToken   = "urn:ietf:params:oauth:token-type:id_token"
	TokenTypeJWT       = "urn:ietf:params:oauth:token-type:jwt"
	TokenTypeAccess    = "urn:ietf:params:oauth:token-type:access_token"
)

// clientTimeout bounds each request of GitHubIDToken and Exchange.
const clientTimeout = 30 * time.Second

// GitHubIDToken returns the ID token of the running GitHub Actions job for
// audience, fetched as GitHub's toolkit does: GET requestURL (the job's
// ACTIONS_ID_TOKEN_REQUEST_URL) with "&audience=" appended, the request
// token (ACTIONS_ID_TOKEN_REQUEST_TOKEN) as bearer, no redirect followed.
// A nil client means http.DefaultClient's transport.
func GitHubIDToken(ctx context.Context, client *http.Client, requestURL, requestToken, audience string) (string, error) {
	sep := "&"
	if !strings.Contains(requestURL, "?") {
		sep = "?"
	}
	req, err := http.NewRequest(http.MethodGet, requestURL+sep+"audience="+url.QueryEscape(audience), nil)
	if err != nil {
		return "", hfgate.WrapError(hfgate.EINVALID, err, "the CI provider's ID token request URL is not a URL")
	}
	req.Header.Set("Authorization", "Bearer "+requestToken)
	req.Header.Set("Accept", "application/json")
	var out struct {
		Value string `json:"value"`
	}
	status, err := do(ctx, client, req, &out)
	switch {
	case err != nil:
		return "", hfgate.WrapError(hfgate.EUNAVAILABLE, err, "the CI provider's ID token cannot be fetched")
	case status == http.StatusUnauthorized || status == http.StatusForbidden:
		return "", hfgate.Errorf(hfgate.EUNAUTHORIZED, "the CI provider refused to issue an ID token (%d): the job needs the permission to request one", status)
	case status != http.StatusOK || out.Value == "":
		return "", hfgate.Errorf(hfgate.EUNAVAILABLE, "the CI provider answered %d without an ID token", status)
	}
	return out.Value, nil
}

// Exchanged is a gateway's answer to a token exchange.
type Exchanged struct {
	AccessToken     string `json:"access_token"`
	IssuedTokenType string `json:"issued_token_type"`
	TokenType       string `json:"token_type"`
	ExpiresIn       int    `json:"expires_in"`
}

// Exchange trades idToken for a gateway token at endpoint/oauth/token
// (RFC 8693, a JSON body as huggingface_hub sends), narrowed to resource
// (a repository) unless it is "". A refusal is an *hfgate.Error with the
// gateway's description: EUNAUTHORIZED for a token it does not accept
// (invalid_request), EFORBIDDEN when no trust rule takes the job or the
// resource is not allowed (invalid_grant, invalid_target), EINVALID when
// the endpoint offers no token exchange, EUNAVAILABLE when it cannot
// answer now.
func Exchange(ctx context.Context, client *http.Client, endpoint, idToken, resource string) (*Exchanged, error) {
	body := map[string]string{"grant_type": GrantTokenExchange, "subject_token": idToken,
		"subject_token_type": TokenTypeIDToken, "requested_token_type": TokenTypeAccess}
	if resource != "" {
		body["resource"] = resource
	}
	b, _ := json.Marshal(body)
	req, err := http.NewRequest(http.MethodPost, strings.TrimRight(endpoint, "/")+"/oauth/token", bytes.NewReader(b))
	if err != nil {
		return nil, hfgate.WrapError(hfgate.EINVALID, err, "the endpoint %q is not a URL", endpoint)
	}
	req.Header.Set("Content-Type", "application/json")
	req.Header.Set("Accept", "application/json")
	var out struct {
		Exchanged
		Error       string `json:"error"`
		Description string `json:"error_description"`
	}
	status, err := do(ctx, client, req, &out)
	if err != nil {
		return nil, hfgate.WrapError(hfgate.EUNAVAILABLE, err, "the gateway's token endpoint cannot be reached")
	}
	if status == http.StatusOK && out.AccessToken != "" {
		return &out.Exchanged, nil
	}
	why := printable(out.Description)
	if why == "" {
		why = fmt.Sprintf("HTTP %d", status)
	}
	switch out.Error {
	case "invalid_request", "invalid_client":
		return nil, hfgate.Errorf(hfgate.EUNAUTHORIZED, "the gateway refused the CI ID token: %s", why)
	case "invalid_grant", "invalid_target", "access_denied":
		return nil, hfgate.Errorf(hfgate.EFORBIDDEN, "the gateway does not trust this job for that: %s", why)
	case "unsupported_grant_type":
		return nil, hfgate.Errorf(hfgate.EINVALID, "%s offers no token exchange for CI (is it an hfgate gateway with CI trust rules?)", endpoint)
	}
	return nil, hfgate.Errorf(hfgate.EUNAVAILABLE, "the gateway's token endpoint answered %s", why)
}

// do sends req bounded in time, follows no redirect (a credential never
// goes where it was not sent), and decodes at most 1 MiB of JSON into v.
// Any answer is no error: its status is returned.
func do(ctx context.Context, client *http.Client, req *http.Request, v any) (int, error) {
	c := http.Client{CheckRedirect: func(*http.Request, []*http.Request) error { return http.ErrUseLastResponse }}
	if client != nil {
		c.Transport = client.Transport
	}
	ctx, cancel := context.WithTimeout(ctx, clientTimeout)
	defer cancel()
	resp, err := c.Do(req.WithContext(ctx))
	if err != nil {
		return 0, err
	}
	defer resp.Body.Close()
	_ = json.NewDecoder(io.LimitReader(resp.Body, 1<<20)).Decode(v) // an answer without JSON says what its status says
	return resp.StatusCode, nil
}

// printable keeps printable ASCII of a server's text, one line, at most
// 300 bytes.
func printable(s string) string {
	b := make([]byte, 0, min(len(s), 300))
	for i := 0; i < len(s) && len(b) < 300; i++ {
		if c := s[i]; c >= 0x20 && c < 0x7f {
			b = append(b, c)
		}
	}
	return string(b)
}
