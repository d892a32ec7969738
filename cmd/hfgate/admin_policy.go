package main

import (
	"fmt"
	"slices"
	"strings"

	"github.com/spf13/cobra"

	"github.com/hfgate/hfgate"
	"github.com/hfgate/hfgate/policy"
)

func (a *app) adminPolicyCmd() *cobra.Command {
	cmd := &cobra.Command{
		Use:   "policy",
		Short: "Explain the gateway's access policy",
		Long: `Work with the [[policy.rule]] tables of the gateway's config file: who may
search, read the metadata of, and download which repositories.`,
		Example: `  hfgate admin policy explain --config gateway.toml --user bob --repo Qwen/Qwen2.5-Coder-0.5B-Instruct-GGUF --action download`,
		Args:    cobra.NoArgs,
		RunE:    func(cmd *cobra.Command, _ []string) error { return cmd.Help() },
	}
	cmd.AddCommand(a.adminPolicyExplainCmd())
	return cmd
}

// explainFlags are the flags of "admin policy explain": who is asking and
// for what. With --from-database the user is the gateway's account of that
// name, orgs, groups and claims as it last signed in.
type explainFlags struct {
	fromDatabase   bool
	user, subject  string
	orgs, groups   []string
	claims         []string
	ci, anonymous  bool
	repo, action   string
	gated, private bool
	asJSON         bool
}

func (a *app) adminPolicyExplainCmd() *cobra.Command {
	var f explainFlags
	cmd := &cobra.Command{
		Use:   "explain --config FILE (--user NAME | --ci | --anonymous) --repo REPO --action ACTION",
		Short: "Say whether the policy lets a caller do an action on a repo, and why",
		Long: `Decide one request with the policy of the gateway's config file, as the gateway
would, and print the decision, the rule that made it, the reason a denied client
is sent (X-Error-Message), every rule that matches and why the winner won, and
the rules for this action and repo that leave the caller out.

The caller is described by flags: a user (--user, with --org, --group and
--claim as the identity provider would send them), a CI job (--ci with the
--claim values of its ID token) or an anonymous caller (--anonymous). REPO is
owner/name for a model, datasets/owner/name or spaces/owner/name. ACTION is
search, read (metadata) or download.

Exit status: 0 when the policy allows, 5 when it denies, 2 for a bad command
line or config file. Nothing is sent anywhere: the config file is all it reads.`,
		Example: `  hfgate admin policy explain --config gateway.toml --user alice --org acme:write \
      --repo Qwen/Qwen2.5-Coder-0.5B-Instruct-GGUF --action download
  hfgate admin policy explain --config gateway.toml --anonymous --repo hubsim/tiny-llama-GGUF --action download --json
  hfgate admin policy explain --config gateway.toml --ci --claim repository_id=42 --claim ref=refs/heads/main \
      --repo meta-llama/Llama-3.2-1B-Instruct --gated --action download`,
		Args: cobra.NoArgs,
		RunE: func(cmd *cobra.Command, _ []string) error {
			if a.gatewayConfigFlag == "" {
				return hfgate.Errorf(hfgate.EINVALID, "--config is required: the gateway's config file with its [[policy.rule]] tables")
			}
			who, err := f.caller()
			if err != nil {
				return err
			}
			if f.fromDatabase {
				if who, err = a.explainAccount(cmd.Context(), &f); err != nil {
					return err
				}
			}
			res, action, err := f.request()
			if err != nil {
				return err
			}
			cfg, err := loadGatewayConfig(a.gatewayConfigFlag)
			if err != nil {
				return err
			}
			p, err := policy.New(cfg.policy())
			if err != nil {
				return err
			}
			if len(cfg.Policy.Rules) == 0 && !f.asJSON {
				fmt.Fprintf(a.io.Err, "note: %s has no [[policy.rule]] tables, so the gateway denies everything\n", a.gatewayConfigFlag)
			}
			e := p.Explain(who, action, res)
			out := newExplainOutput(who, action, res, e)
			if f.asJSON {
				err = writeJSON(a.io.Out, out)
			} else {
				err = printExplain(a, &out)
			}
			if err == nil && !e.Decision.Allow {
				err = hfgate.Errorf(hfgate.EFORBIDDEN, "%s", e.Decision.Reason)
			}
			return err
		},
	}
	fl := cmd.Flags()
	fl.StringVar(&f.user, "user", "", "the caller is this signed-in user (Hugging Face username)")
	fl.StringVar(&f.subject, "subject", "", "the user's stable subject, e.g. huggingface:65a1... (for rules that name it)")
	fl.BoolVar(&f.fromDatabase, "from-database", false, "take the --user's subject, orgs, groups and claims from the gateway's database (--database), as they last signed in")
	fl.StringArrayVar(&f.orgs, "org", nil, "the user is a member of this org, as ORG or ORG:ROLE (read, contributor, write, admin); repeatable")
	fl.StringArrayVar(&f.groups, "group", nil, "the caller is in this OIDC group; repeatable")
	fl.StringArrayVar(&f.claims, "claim", nil, "the caller's token has this claim, as NAME=VALUE; repeatable")
	fl.BoolVar(&f.ci, "ci", false, "the caller is a CI job, described by its --claim values")
	fl.BoolVar(&f.anonymous, "anonymous", false, "the caller has no session and no token")
	fl.StringVar(&f.repo, "repo", "", "the repository: owner/name (a model), datasets/owner/name or spaces/owner/name")
	fl.StringVar(&f.action, "action", "", "search, read or download")
	fl.BoolVar(&f.gated, "gated", false, "the repository is gated")
	fl.BoolVar(&f.private, "private", false, "the repository is private")
	fl.BoolVar(&f.asJSON, "json", false, "print JSON")
	return cmd
}

// caller builds the Principal the flags describe.
func (f *explainFlags) caller() (*hfgate.Principal, error) {
	kinds := 0
	for _, set := range []bool{f.user != "" || f.subject != "", f.ci, f.anonymous} {
		if set {
			kinds++
		}
	}
	switch {
	case kinds == 0:
		return nil, hfgate.Errorf(hfgate.EINVALID, "say who the caller is: --user NAME, --ci with --claim NAME=VALUE, or --anonymous")
	case kinds > 1:
		return nil, hfgate.Errorf(hfgate.EINVALID, "--user, --ci and --anonymous describe different callers: use one")
	case f.anonymous && (len(f.orgs) > 0 || len(f.groups) > 0 || len(f.claims) > 0):
		return nil, hfgate.Errorf(hfgate.EINVALID, "an --anonymous caller has no --org, --group or --claim")
	case f.ci && (len(f.orgs) > 0 || len(f.groups) > 0):
		return nil, hfgate.Errorf(hfgate.EINVALID, "a --ci caller is described by --claim only")
	case f.anonymous:
		return hfgate.Anonymous, nil
	}
	p := &hfgate.Principal{Kind: hfgate.PrincipalUser, Provider: hfgate.ProviderHuggingFace, Username: f.user, Subject: f.subject, Groups: f.groups}
	if f.ci {
		p.Kind = hfgate.PrincipalCI
	}
	for _, o := range f.orgs {
		name, role, _ := strings.Cut(o, ":")
		if name == "" || role != "" && !slices.Contains([]string{"read", "contributor", "write", "admin"}, role) {
			return nil, hfgate.Errorf(hfgate.EINVALID, "--org %q: use ORG or ORG:ROLE, with ROLE one of read, contributor, write and admin", o)
		}
		p.Orgs = append(p.Orgs, hfgate.Org{Name: name, Role: role})
	}
	for _, c := range f.claims {
		k, v, ok := strings.Cut(c, "=")
		if !ok || k == "" {
			return nil, hfgate.Errorf(hfgate.EINVALID, "--claim %q: use NAME=VALUE, e.g. repository_id=42", c)
		}
		if p.Claims == nil {
			p.Claims = map[string]string{}
		}
		p.Claims[k] = v
	}
	return p, nil
}

// request parses --repo and --action.
func (f *explainFlags) request() (policy.Resource, hfgate.RepoAction, error) {
	action := hfgate.RepoAction(f.action)
	if !action.Valid() {
		return policy.Resource{}, "", hfgate.Errorf(hfgate.EINVALID, "--action %q: use search, read or download", f.action)
	}
	if f.repo == "" {
		return policy.Resource{}, "", hfgate.Errorf(hfgate.EINVALID, "--repo is required: owner/name, datasets/owner/name or spaces/owner/name")
	}
	res, err := policy.ParseResource(f.repo)
	if err != nil {
		return policy.Resource{}, "", err
	}
	res.Gated, res.Private = f.gated, f.private
	return res, action, nil
}
