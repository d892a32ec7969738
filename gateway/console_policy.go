package gateway

import (
	"fmt"
	"net/http"
	"net/url"
	"slices"
	"strings"

	"github.com/hfgate/hfgate"
	"github.com/hfgate/hfgate/policy"
)

// policy is the policy the gateway's proxy decides with, for the console
// to show and explain; nil when none is configured or it is not a
// *policy.Policy (a nil *policy.Policy has no rules and denies all).
func (s *Server) policy() *policy.Policy {
	p, _ := s.cfg.Proxy.Policy.(*policy.Policy)
	return p
}

// ruleLine is one policy rule as configured, in words.
type ruleLine struct {
	Name     string   `json:"name"`
	Effect   string   `json:"effect"`
	Actions  []string `json:"actions"`
	Repos    []string `json:"repos"`
	Subjects []string `json:"subjects"`
	Except   []string `json:"except,omitempty"`
}

func ruleLines(c policy.Config) []ruleLine {
	out := []ruleLine{}
	for _, r := range c.Rules {
		l := ruleLine{Name: r.Name, Effect: string(r.Effect), Repos: r.Repos, Subjects: subjectWords(r.Subjects), Except: subjectWords(r.Except)}
		for _, a := range r.Actions {
			l.Actions = append(l.Actions, string(a))
		}
		out = append(out, l)
	}
	return out
}

// subjectWords writes subjects as the config file does.
func subjectWords(subjects []policy.Subject) []string {
	var out []string
	for _, s := range subjects {
		var w string
		switch {
		case s.User != "":
			w = "user = " + s.User
		case s.Org != "" && s.MinRole != "":
			w = "org = " + s.Org + ", min_role = " + s.MinRole
		case s.Org != "":
			w = "org = " + s.Org
		case s.Group != "":
			w = "group = " + s.Group
		case len(s.Claim) > 0:
			w = "claim = " + claimWords(s.Claim)
		case len(s.CI) > 0:
			w = "ci = " + claimWords(s.CI)
		case s.Authenticated:
			w = "authenticated"
		case s.Anyone:
			w = "anyone"
		}
		out = append(out, w)
	}
	return out
}

func claimWords(m map[string]string) string {
	var kv []string
	for k, v := range m {
		kv = append(kv, k+" = "+v)
	}
	slices.Sort(kv)
	return "{ " + strings.Join(kv, ", ") + " }"
}

// explainView is the explain form and its answer.
type explainView struct {
	Query       url.Values
	Who         string
	Explanation *policy.Explanation
	Problem     string
}

// policyView is the policy page.
type policyView struct {
	Rules   []ruleLine
	Actions []string
	Explain explainView
	None    bool // no policy: the proxy is not configured
}

func (s *Server) consolePolicy(w http.ResponseWriter, r *http.Request) error {
	v := policyView{Rules: ruleLines(s.policy().Config()), None: s.policy() == nil, Explain: explainView{Query: r.URL.Query()},
		Actions: []string{string(hfgate.RepoDownload), string(hfgate.RepoRead), string(hfgate.RepoSearch)}}
	if r.URL.Query().Get("repo") != "" {
		who, e, err := s.explain(r)
		switch {
		case hfgate.ErrorCode(err) == hfgate.EINVALID || hfgate.ErrorCode(err) == hfgate.ENOTFOUND:
			v.Explain.Problem = hfgate.ErrorMessage(err)
		case err != nil:
			return err
		default:
			v.Explain.Who, v.Explain.Explanation = who, e
		}
	}
	return s.renderConsole(w, r, "admin-policy", "Policy", v)
}

func (s *Server) apiPolicy(w http.ResponseWriter, r *http.Request) error {
	return writeJSON(w, map[string]any{"rules": ruleLines(s.policy().Config())})
}

func (s *Server) apiExplain(w http.ResponseWriter, r *http.Request) error {
	who, e, err := s.explain(r)
	if err != nil {
		return err
	}
	return writeJSON(w, map[string]any{"caller": who, "allow": e.Decision.Allow, "rule": e.Decision.Rule,
		"reason": e.Decision.Reason, "verdict": e.Verdict, "matched": e.Matched, "missed": e.Missed})
}

// explain decides the request the query describes: who (user = a user
// the gateway knows, by username or subject; or anonymous=1; or ci=1 with
// claim=k=v lines), repo, action, gated, private.
func (s *Server) explain(r *http.Request) (string, *policy.Explanation, error) {
	q := r.URL.Query()
	res, err := policy.ParseResource(q.Get("repo"))
	if err != nil {
		return "", nil, err
	}
	res.Gated, res.Private = q.Get("gated") == "1", q.Get("private") == "1"
	action := hfgate.RepoAction(q.Get("action"))
	if !action.Valid() {
		return "", nil, hfgate.Errorf(hfgate.EINVALID, "the action must be search, read or download")
	}
	var who *hfgate.Principal
	var desc string
	switch q.Get("as") {
	case "anonymous":
		who, desc = hfgate.Anonymous, "an anonymous caller"
	case "ci":
		claims := map[string]string{}
		for _, line := range strings.Split(q.Get("claims"), "\n") {
			if k, v, ok := strings.Cut(strings.TrimSpace(line), "="); ok && strings.TrimSpace(k) != "" {
				claims[strings.TrimSpace(k)] = strings.TrimSpace(v)
			}
		}
		if len(claims) == 0 {
			return "", nil, hfgate.Errorf(hfgate.EINVALID, "describe the CI job by its claims, one name=value a line")
		}
		who = &hfgate.Principal{Kind: hfgate.PrincipalCI, Subject: "ci", Claims: claims}
		desc = "a CI job with " + claimWords(claims)
	default:
		a, err := FindAccount(r.Context(), s.store, q.Get("user"))
		if err != nil {
			return "", nil, err
		}
		who = a.Principal()
		desc = fmt.Sprintf("user %s (%s) as they last signed in", clean(a.Username, 100), clean(a.ID, 200))
	}
	e := s.policy().Explain(who, action, res)
	return desc, &e, nil
}
