package policy

import (
	"maps"
	"slices"

	"github.com/hfgate/hfgate"
)

// Config is a policy as data: the rules in the order the configuration file
// lists them. The zero Config is valid and denies everything.
type Config struct {
	Rules []Rule
}

// Effect is what a rule does to the requests it matches.
type Effect string

// Effects.
const (
	Allow Effect = "allow"
	Deny  Effect = "deny"
)

// AnyAction in Rule.Actions stands for every action.
const AnyAction hfgate.RepoAction = "*"

// Repository conditions: words Rule.Repos may hold beside globs.
const (
	Gated   = "gated"   // the repository is gated (access must be requested)
	Private = "private" // the repository is private
)

// DefaultDeny is the Rule of a Decision when no rule matched.
const DefaultDeny = "default-deny"

// Rule allows or denies some actions on some repositories to some callers.
// It matches a request when all three match: the action is in Actions, the
// repository matches Repos, and the caller matches Subjects but not Except.
type Rule struct {
	// Name identifies the rule in decisions, audit events and error messages
	// sent to clients: letters, digits, '.', '_' and '-', at most 64
	// characters, unique within a Config, and not "default-deny".
	Name string

	// Effect is Allow or Deny.
	Effect Effect

	// Actions are hfgate.RepoSearch, hfgate.RepoRead, hfgate.RepoDownload,
	// or AnyAction for all three.
	Actions []hfgate.RepoAction

	// Repos are glob patterns over repository names and the conditions
	// Gated and Private; it must not be empty. A repository matches when it
	// matches any one of the patterns (or there are none) and every
	// condition listed.
	//
	// Names are "owner/name" for models, "datasets/owner/name" for datasets
	// and "spaces/owner/name" for spaces. In patterns '*' matches any run of
	// characters other than '/', '?' one character other than '/', and
	// [abc], [a-z] or [^a-z] one character of (or not of) a set, as in
	// path.Match but without '\' escapes; matching ignores ASCII case, as
	// the Hub does. The pattern "*" alone matches every repository of every
	// type. So "Qwen/*" matches every model of Qwen but no dataset,
	// "datasets/acme/*" every dataset of acme, "*/*" every model, and
	// []string{"acme/*", "gated"} the gated models of acme. A pattern names
	// an owner: "Qwen" alone is refused, and a legacy id with no owner
	// ("gpt2", which the Hub redirects) matches only "*".
	Repos []string

	// Subjects are the callers the rule is about; a caller matches when it
	// matches any one of them.
	Subjects []Subject

	// Except are callers the rule is not about, even when they match
	// Subjects: a deny rule for anyone except the members of an org
	// reserves repositories to that org.
	Except []Subject
}

// Subject describes callers. Set exactly one of User, Org, Group, Claim, CI,
// Authenticated and Anyone (MinRole goes with Org).
type Subject struct {
	// User matches a signed-in user by Hugging Face username (ignoring
	// case, as the Hub does; only for users the Hub vouched for, see
	// hfgate.Principal.HubUsername) or by hfgate.Principal.Subject (exactly).
	User string

	// Org matches members of the Hugging Face organization with this name
	// (ignoring case) whose role is at least MinRole. Roles rank read < contributor < write
	// < admin; an empty MinRole means read, which every member has, even one
	// whose role the identity provider did not disclose.
	Org     string
	MinRole string

	// Group matches callers whose OIDC groups include it, exactly.
	Group string

	// Claim matches callers of any kind that carry every one of these
	// claims with exactly this value.
	Claim map[string]string

	// CI matches CI jobs (hfgate.PrincipalCI) that carry every one of these
	// claims with exactly this value. Prefer immutable ids such as
	// repository_id and repository_owner_id over names, which can be
	// re-registered by someone else.
	CI map[string]string

	// Authenticated matches every caller that is not anonymous.
	Authenticated bool

	// Anyone matches every caller, anonymous ones included.
	Anyone bool
}

// Resource is the repository a request is about.
type Resource struct {
	Type hfgate.RepoType // "" means hfgate.RepoTypeModel
	ID   hfgate.RepoID

	// Gated and Private are the repository's attributes, for the rules
	// that name the conditions Gated and Private. The caller MUST fill them
	// from the repository's metadata before deciding when any rule uses
	// them: a deny rule for gated repositories cannot fire on a Resource
	// that says it is not gated.
	Gated, Private bool
}

// String returns the repository's name as patterns see it: "owner/name",
// "datasets/owner/name" or "spaces/owner/name".
func (r Resource) String() string {
	switch r.Type {
	case hfgate.RepoTypeDataset:
		return "datasets/" + string(r.ID)
	case hfgate.RepoTypeSpace:
		return "spaces/" + string(r.ID)
	}
	return string(r.ID)
}

// Decision is the answer to one request.
type Decision struct {
	Allow bool

	// Rule names the rule that decided, or DefaultDeny.
	Rule string

	// Reason is one line for the caller and the log, such as "denied by
	// rule acme-only: download of Qwen/X needs membership of org acme". It
	// holds no control characters, so that it fits an X-Error-Message
	// header, and names no caller.
	Reason string
}

// Config returns a copy of the Config p was made from, for showing the
// rules as configured (the admin console). A nil *Policy has none.
func (p *Policy) Config() Config {
	if p == nil {
		return Config{}
	}
	return p.cfg.clone()
}

// clone returns a deep copy of c.
func (c Config) clone() Config {
	out := Config{Rules: make([]Rule, len(c.Rules))}
	for i, r := range c.Rules {
		r.Actions = slices.Clone(r.Actions)
		r.Repos = slices.Clone(r.Repos)
		r.Subjects = cloneSubjects(r.Subjects)
		r.Except = cloneSubjects(r.Except)
		out.Rules[i] = r
	}
	return out
}

func cloneSubjects(in []Subject) []Subject {
	if in == nil {
		return nil
	}
	out := make([]Subject, len(in))
	for i, s := range in {
		s.Claim, s.CI = maps.Clone(s.Claim), maps.Clone(s.CI)
		out[i] = s
	}
	return out
}
