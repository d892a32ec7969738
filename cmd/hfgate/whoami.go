package main

import (
	"context"
	"fmt"
	"strings"
	"time"

	"github.com/spf13/cobra"

	"github.com/hfgate/hfgate"
)

// whoamiOutput is the --json output of "hfgate whoami".
type whoamiOutput struct {
	Endpoint string      `json:"endpoint"`
	Username string      `json:"username"`
	FullName string      `json:"fullname,omitempty"`
	Email    string      `json:"email,omitempty"`
	IsPro    bool        `json:"is_pro"`
	Orgs     []whoamiOrg `json:"orgs"`
	Token    whoamiToken `json:"token"`
	Profile  string      `json:"profile_source"` // "whoami-v2" or "userinfo"
}

type whoamiOrg struct {
	Name string `json:"name"`
	Role string `json:"role,omitempty"` // "" when the org was not granted to this token
}

type whoamiToken struct {
	Kind      string     `json:"kind"`             // "oauth" or "classic"
	Source    string     `json:"source"`           // keyring, file, env, hf-token-file
	Role      string     `json:"role,omitempty"`   // classic tokens: read, write, fineGrained
	Scopes    []string   `json:"scopes,omitempty"` // OAuth tokens
	ExpiresAt *time.Time `json:"expires_at,omitempty"`
}

func (a *app) whoamiCmd() *cobra.Command {
	var asJSON bool
	cmd := &cobra.Command{
		Use:   "whoami",
		Short: "Show who you are signed in as",
		Long: `Show the account the stored credentials belong to: username, full name, email
(with the email scope), organizations with your role in each, the kind of token
(oauth or classic), its scopes and when it expires. The token is renewed first
if it expires soon. Against an OpenID Connect issuer that is not a Hub, the
profile comes from its userinfo endpoint.`,
		Example: `  hfgate whoami
  hfgate whoami --json`,
		Args: cobra.NoArgs,
		RunE: func(cmd *cobra.Command, _ []string) error {
			out, err := a.whoami(cmd.Context())
			if err != nil {
				return err
			}
			if asJSON {
				return writeJSON(a.io.Out, out)
			}
			return out.print(a)
		},
	}
	cmd.Flags().BoolVar(&asJSON, "json", false, "print JSON")
	return cmd
}

func (a *app) whoami(ctx context.Context) (*whoamiOutput, error) {
	acct, err := a.tokens().Account(ctx, a.hubClient())
	if err != nil {
		if hfgate.ErrorCode(err) == hfgate.EUNAUTHORIZED {
			return nil, err
		}
		return nil, fmt.Errorf("look up account: %w", err)
	}
	cred, u := acct.Credential, acct.User
	out := &whoamiOutput{Endpoint: cred.Endpoint, Orgs: []whoamiOrg{}, Profile: "whoami-v2"}
	if acct.FromUserInfo {
		out.Profile = "userinfo"
	}
	out.Token = whoamiToken{Kind: "classic", Source: string(a.store.lastSource())}
	if cred.IsOAuth() {
		out.Token.Kind, out.Token.Scopes = "oauth", cred.Scopes
	}
	out.Username, out.FullName, out.Email, out.IsPro = u.Username, u.FullName, u.Email, u.IsPro
	if out.Username == "" {
		out.Username = cred.Username
	}
	for _, o := range u.Orgs {
		out.Orgs = append(out.Orgs, whoamiOrg{Name: o.Name, Role: o.Role})
	}
	out.Token.Role = u.Auth.Role
	if u.Auth.Type == "app_token_as_user" || u.Auth.Type == "oauth" {
		out.Token.Kind = "oauth"
	}
	exp := cred.Expiry
	if exp.IsZero() {
		exp = u.Auth.ExpiresAt
	}
	if !exp.IsZero() {
		exp = exp.UTC()
		out.Token.ExpiresAt = &exp
	}
	return out, nil
}

func (o *whoamiOutput) print(a *app) error {
	t := newTable(a.io.Out)
	name := o.Username
	if o.FullName != "" {
		name += " (" + o.FullName + ")"
	}
	t.Row("user:", name)
	if o.Email != "" {
		t.Row("email:", o.Email)
	}
	var orgs []string
	for _, org := range o.Orgs {
		role := org.Role
		if role == "" {
			role = "not granted to this token"
		}
		orgs = append(orgs, org.Name+" ("+role+")")
	}
	if len(orgs) > 0 {
		t.Row("orgs:", strings.Join(orgs, ", "))
	}
	t.Row("endpoint:", o.Endpoint)
	kind := o.Token.Kind
	if o.Token.Role != "" {
		kind += ", role " + o.Token.Role
	}
	t.Row("token:", kind+", from "+o.Token.Source)
	if len(o.Token.Scopes) > 0 {
		t.Row("scopes:", strings.Join(o.Token.Scopes, " "))
	}
	expires := "never"
	if e := o.Token.ExpiresAt; e != nil {
		expires = e.Local().Format("2006-01-02 15:04 MST")
		if d := time.Until(*e).Round(time.Minute); d > 0 {
			expires += " (in " + humanDuration(d) + ")"
		} else {
			expires += " (expired)"
		}
	}
	t.Row("expires:", expires)
	return t.Flush()
}

// humanDuration formats a time to expiry: "3 days", "7h59m", "12m".
func humanDuration(d time.Duration) string {
	switch {
	case d >= 48*time.Hour:
		return fmt.Sprintf("%d days", d/(24*time.Hour))
	case d >= time.Hour:
		return fmt.Sprintf("%dh%02dm", d/time.Hour, d%time.Hour/time.Minute)
	default:
		return fmt.Sprintf("%dm", d/time.Minute)
	}
}
