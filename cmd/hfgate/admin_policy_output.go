package main

import (
	"fmt"
	"maps"
	"slices"
	"strings"

	"github.com/hfgate/hfgate"
	"github.com/hfgate/hfgate/policy"
)

// explainOutput is the --json output of "hfgate admin policy explain".
type explainOutput struct {
	Decision string            `json:"decision"` // "allow" or "deny"
	Rule     string            `json:"rule"`     // the deciding rule, or "default-deny"
	Reason   string            `json:"reason"`   // what a denied client is told (X-Error-Message)
	Verdict  string            `json:"verdict"`  // why the deciding rule won
	Caller   callerOutput      `json:"caller"`
	Action   hfgate.RepoAction `json:"action"`
	Repo     repoOutput        `json:"repo"`
	Matched  []matchOutput     `json:"matched"` // every rule that matches, in the config's order
	Missed   []matchOutput     `json:"missed"`  // rules for this action and repo that leave the caller out
}

type callerOutput struct {
	Kind     hfgate.PrincipalKind `json:"kind"` // user, ci or anonymous
	Username string               `json:"username,omitempty"`
	Subject  string               `json:"subject,omitempty"`
	Orgs     []orgOutput          `json:"orgs"`
	Groups   []string             `json:"groups"`
	Claims   map[string]string    `json:"claims"`
}

type orgOutput struct {
	Name string `json:"name"`
	Role string `json:"role,omitempty"`
}

type repoOutput struct {
	Type    hfgate.RepoType `json:"type"`
	ID      hfgate.RepoID   `json:"id"`
	Gated   bool            `json:"gated"`
	Private bool            `json:"private"`
}

type matchOutput struct {
	Rule   string        `json:"rule"`
	Effect policy.Effect `json:"effect"`
	Why    string        `json:"why"`
}

func newExplainOutput(who *hfgate.Principal, action hfgate.RepoAction, res policy.Resource, e policy.Explanation) explainOutput {
	out := explainOutput{Decision: "deny", Rule: e.Decision.Rule, Reason: e.Decision.Reason, Verdict: e.Verdict,
		Caller: callerOutput{Kind: who.Kind, Username: who.Username, Subject: who.Subject, Orgs: []orgOutput{},
			Groups: orEmpty(who.Groups), Claims: map[string]string{}},
		Action: action, Repo: repoOutput{Type: res.Type, ID: res.ID, Gated: res.Gated, Private: res.Private},
		Matched: matches(e.Matched), Missed: matches(e.Missed)}
	if e.Decision.Allow {
		out.Decision = "allow"
	}
	for _, o := range who.Orgs {
		out.Caller.Orgs = append(out.Caller.Orgs, orgOutput{Name: o.Name, Role: o.Role})
	}
	maps.Copy(out.Caller.Claims, who.Claims)
	return out
}

func matches(ms []policy.Match) []matchOutput {
	out := []matchOutput{}
	for _, m := range ms {
		out = append(out, matchOutput(m))
	}
	return out
}

// printExplain writes the explanation for a terminal: the decision first,
// then the rules, in tables.
func printExplain(a *app, o *explainOutput) error {
	w := a.io.Out
	fmt.Fprintf(w, "%s: %s of %s by %s\n", strings.ToUpper(o.Decision), o.Action, repoName(o.Repo), callerName(o.Caller))
	fmt.Fprintf(w, "rule:    %s\n", printable(o.Rule))
	fmt.Fprintf(w, "reason:  %s\n", printable(o.Reason))
	fmt.Fprintf(w, "verdict: %s\n", printable(o.Verdict))
	for _, section := range []struct {
		title string
		rules []matchOutput
	}{
		{"Rules that match", o.Matched},
		{"Rules for this action and repo that leave the caller out", o.Missed},
	} {
		fmt.Fprintf(w, "\n%s:\n", section.title)
		if len(section.rules) == 0 {
			fmt.Fprintln(w, "  none")
			continue
		}
		t := newTable(w, "  EFFECT", "RULE", "WHY")
		for _, m := range section.rules {
			t.Row("  "+string(m.Effect), m.Rule, m.Why)
		}
		if err := t.Flush(); err != nil {
			return err
		}
	}
	return nil
}

// repoName is the repo as a pattern sees it, with its attributes.
func repoName(r repoOutput) string {
	name := policy.Resource{Type: r.Type, ID: r.ID}.String()
	for _, attr := range []struct {
		set  bool
		word string
	}{{r.Gated, "gated"}, {r.Private, "private"}} {
		if attr.set {
			name += " (" + attr.word + ")"
		}
	}
	return printable(name)
}

// callerName describes the caller on one line: "user alice (org acme:write,
// group ml)", "CI job (repository_id=42)", "an anonymous caller".
func callerName(c callerOutput) string {
	var name string
	switch c.Kind {
	case hfgate.PrincipalAnonymous:
		return "an anonymous caller"
	case hfgate.PrincipalCI:
		name = "CI job"
	default:
		name = "user " + c.Username
		if c.Username == "" {
			name = "user " + c.Subject
		}
	}
	var attrs []string
	for _, o := range c.Orgs {
		attrs = append(attrs, "org "+strings.TrimSuffix(o.Name+":"+o.Role, ":"))
	}
	for _, g := range c.Groups {
		attrs = append(attrs, "group "+g)
	}
	for _, k := range slices.Sorted(maps.Keys(c.Claims)) {
		attrs = append(attrs, k+"="+c.Claims[k])
	}
	if len(attrs) > 0 {
		name += " (" + strings.Join(attrs, ", ") + ")"
	}
	return printable(name)
}
