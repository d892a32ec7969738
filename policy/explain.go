package policy

import (
	"fmt"
	"strings"

	"github.com/hfgate/hfgate"
)

// Explanation is a Decision with its grounds, for admins: the command
// "hfgate admin policy explain" and the admin console print it.
type Explanation struct {
	Decision Decision

	// Verdict says in one line why the deciding rule won.
	Verdict string

	// Matched lists every rule that matches the request, in the Config's
	// order.
	Matched []Match

	// Missed lists the rules that cover the action and the repository but
	// not this caller: whom they are for, or which exception left it out.
	Missed []Match
}

// Match is one rule of an Explanation and why it does or does not apply.
type Match struct {
	Rule   string
	Effect Effect
	Why    string
}

// Explain decides like Decide and says why. Unlike Decide's reasons, its
// text names the caller and everything the rules hold: show it to admins,
// not to the caller.
func (p *Policy) Explain(who *hfgate.Principal, action hfgate.RepoAction, r Resource) Explanation {
	e := Explanation{Decision: p.Decide(who, action, r)}
	var buf [maxID]byte
	q, ok := newRequest(&buf, action, r)
	if ok && narrowedAway(who, r) {
		e.Verdict = "the caller's token is narrowed to the repo " + printable(who.Resource) + ", so no rule is read"
		return e
	}
	if !ok || p == nil {
		e.Verdict = e.Decision.Reason
		return e
	}
	var denies, allows []string
	for _, rl := range p.rules {
		if rl.actions&(1<<q.action) == 0 || !rl.coversRepo(&q) {
			continue
		}
		repo := rl.explainRepo(&q)
		s, x := rl.matchSubject(who), rl.excepts(who)
		switch {
		case s >= 0 && x < 0:
			e.Matched = append(e.Matched, Match{rl.name, rl.effect, repo + "; caller matches " + explainSubject(&rl.subjects[s], who)})
			if rl.effect == Deny {
				denies = append(denies, rl.name)
			} else {
				allows = append(allows, rl.name)
			}
		case s >= 0:
			e.Missed = append(e.Missed, Match{rl.name, rl.effect, repo + "; caller matches " + explainSubject(&rl.subjects[s], who) +
				" but also the exception " + explainSubject(&rl.except[x], who)})
		default:
			var whom []string
			for i := range rl.subjects {
				whom = append(whom, rl.subjects[i].describe)
			}
			e.Missed = append(e.Missed, Match{rl.name, rl.effect, repo + "; the rule is for " + strings.Join(whom, " or ")})
		}
	}
	e.Verdict = verdict(e.Decision, denies, allows)
	return e
}

// explainRepo says how the repository matched rl: `repo matches "Qwen/*"
// and is gated`.
func (rl *rule) explainRepo(q *request) string {
	var conds []string
	for i := range rl.patterns {
		if rl.patterns[i].match(q.typ, q.owner, q.name) {
			conds = append(conds, fmt.Sprintf("matches %q", rl.patterns[i].text))
			break
		}
	}
	if rl.gated {
		conds = append(conds, "is gated")
	}
	if rl.private {
		conds = append(conds, "is private")
	}
	return "repo " + strings.Join(conds, " and ")
}

// explainSubject says how who matches s: "org acme with role write or
// higher (role write)".
func explainSubject(s *subject, who *hfgate.Principal) string {
	if s.kind != subjectOrg {
		return s.describe
	}
	for _, o := range who.Orgs {
		if strings.EqualFold(o.Name, s.value) && roleRank(o.Role) >= s.minRank {
			role := o.Role
			if role == "" {
				role = "not disclosed, counted as read"
			}
			return s.describe + " (role " + printable(role) + ")"
		}
	}
	return s.describe
}

func verdict(d Decision, denies, allows []string) string {
	var b strings.Builder
	switch {
	case !d.Allow && len(denies) > 0:
		fmt.Fprintf(&b, "rule %s denies", d.Rule)
		if len(allows) > 0 {
			fmt.Fprintf(&b, ", and a deny wins over the allow of %s", strings.Join(allows, ", "))
		}
		if len(denies) > 1 {
			fmt.Fprintf(&b, "; it is the first of %d deny rules that match", len(denies))
		}
	case d.Allow:
		fmt.Fprintf(&b, "rule %s allows and no deny rule matches", d.Rule)
		if len(allows) > 1 {
			fmt.Fprintf(&b, "; it is the first of %d allow rules that match", len(allows))
		}
	default:
		b.WriteString("no rule matches, so the default denies")
	}
	return b.String()
}
