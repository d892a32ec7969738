package main

import (
	"bufio"
	"context"
	"fmt"
	"io"
	"os"
	"strings"

	"golang.org/x/term"

	"github.com/hfgate/hfgate"
)

// maxTokenInput bounds what --with-token reads: real tokens are well under
// 200 bytes.
const maxTokenInput = 4096

// readTokenLogin reads an access token from standard input (without echo on
// a terminal), checks it with whoami-v2 and returns the credential to store.
func (a *app) readTokenLogin(ctx context.Context, endpoint string) (*hfgate.Credential, error) {
	tok, err := a.readToken()
	if err != nil {
		return nil, err
	}
	u, err := hubClientWith(endpoint, tok).WhoAmI(ctx)
	if hfgate.ErrorCode(err) == hfgate.EUNAUTHORIZED {
		return nil, hfgate.WrapError(hfgate.EUNAUTHORIZED, err,
			"%s rejected this token: check that you copied all of it and that it was not revoked, or create one at %s/settings/tokens",
			endpoint, endpoint)
	}
	if err != nil {
		return nil, fmt.Errorf("check token: %w", err)
	}
	return &hfgate.Credential{
		Endpoint:    endpoint,
		Subject:     hfgate.LocalSubject,
		AccessToken: tok,
		Expiry:      u.Auth.ExpiresAt,
		Username:    u.Username,
	}, nil
}

// readToken returns the first line of standard input, trimmed. On a
// terminal it prompts and does not echo.
func (a *app) readToken() (string, error) {
	var line string
	if f, ok := a.io.In.(*os.File); ok && term.IsTerminal(int(f.Fd())) {
		fmt.Fprint(a.io.Err, "Paste your access token (input is hidden): ")
		b, err := term.ReadPassword(int(f.Fd()))
		fmt.Fprintln(a.io.Err)
		if err != nil {
			return "", hfgate.WrapError(hfgate.EINVALID, err, "cannot read the token from the terminal")
		}
		line = string(b)
	} else {
		r := bufio.NewReader(io.LimitReader(a.io.In, maxTokenInput))
		s, err := r.ReadString('\n')
		if err != nil && err != io.EOF {
			return "", hfgate.WrapError(hfgate.EINVALID, err, "cannot read the token from standard input")
		}
		line = s
	}
	tok := strings.TrimSpace(line)
	switch {
	case tok == "":
		return "", hfgate.Errorf(hfgate.EINVALID,
			"no token on standard input: pipe one in, e.g. hfgate login --with-token < token.txt")
	case strings.ContainsAny(tok, " \t\r\n") || len(tok) >= maxTokenInput-1:
		// Never quote the input: it is a secret, even when malformed.
		return "", hfgate.Errorf(hfgate.EINVALID, "the input is not an access token: give one token on one line")
	}
	return tok, nil
}
