package policy

import (
	"slices"
	"strings"

	"github.com/hfgate/hfgate"
)

// actions lists the actions in the order of their index in Policy.
var actions = [...]hfgate.RepoAction{hfgate.RepoSearch, hfgate.RepoRead, hfgate.RepoDownload}

func actionIndex(a hfgate.RepoAction) int {
	for i, b := range actions {
		if a == b {
			return i
		}
	}
	return -1
}

// Policy is a Config compiled for deciding. It is immutable and safe for
// concurrent use; a nil *Policy denies everything.
type Policy struct {
	cfg   Config // as given to New, for Config
	rules []*rule
	// deny and allow index, per action, the rules that cover the action.
	deny, allow [len(actions)]index
}

// rule is a compiled Rule.
type rule struct {
	order          int // position in the Config
	name           string
	effect         Effect
	actions        uint8 // bit per action index
	patterns       []pattern
	gated, private bool
	subjects       []subject
	except         []subject
	allowReasons   []string // per subject, made once
	exceptNeeds    string   // what Except asks, e.g. "membership of org acme"
	adjective      string   // the conditions, for reasons: "gated", "private", "gated private"
}

// New validates c (see Config.Validate) and compiles it.
func New(c Config) (*Policy, error) {
	if err := c.Validate(); err != nil {
		return nil, err
	}
	p := &Policy{cfg: c.clone()}
	for i, r := range c.Rules {
		rl := &rule{order: i, name: r.Name, effect: r.Effect}
		for _, a := range r.Actions {
			if a == AnyAction {
				rl.actions = 1<<len(actions) - 1
			} else {
				rl.actions |= 1 << actionIndex(a)
			}
		}
		for _, s := range r.Repos {
			switch w, _ := condition(s); w {
			case Gated:
				rl.gated = true
			case Private:
				rl.private = true
			default:
				pat, _ := compilePattern(s) // valid: checked above
				rl.patterns = append(rl.patterns, pat)
			}
		}
		switch {
		case rl.gated && rl.private:
			rl.adjective = "gated private"
		case rl.gated:
			rl.adjective = Gated
		case rl.private:
			rl.adjective = Private
		}
		for _, s := range r.Subjects {
			cs := compileSubject(s, r.Name)
			rl.subjects = append(rl.subjects, cs)
			rl.allowReasons = append(rl.allowReasons, "allowed by rule "+r.Name+" ("+cs.who+")")
		}
		var needs []string
		for _, s := range r.Except {
			cs := compileSubject(s, r.Name)
			rl.except = append(rl.except, cs)
			needs = append(needs, cs.needs)
		}
		rl.exceptNeeds = strings.Join(needs, " or ")
		p.rules = append(p.rules, rl)
		for a := range actions {
			if rl.actions&(1<<a) == 0 {
				continue
			}
			if rl.effect == Deny {
				p.deny[a].add(rl)
			} else {
				p.allow[a].add(rl)
			}
		}
	}
	return p, nil
}

// request is what Decide matches rules against, parsed once.
type request struct {
	action         int
	typ            uint8
	owner, name    []byte // in lower case, in the caller's buffer; owner nil for a bare id
	gated, private bool
}

func newRequest(buf *[maxID]byte, action hfgate.RepoAction, r Resource) (request, bool) {
	q := request{action: actionIndex(action), typ: typeBit(r.Type), gated: r.Gated, private: r.Private}
	var ok bool
	q.owner, q.name, _, ok = lowerID(buf, string(r.ID))
	return q, ok && q.action >= 0 && q.typ != 0
}

// Decide says whether who may do action on r. A caller whose token is
// narrowed to another repository (hfgate.Principal.Resource) is denied by
// TokenResource before any rule is read. A deny rule that matches wins
// over any allow rule; among rules of one effect the first in the
// Config decides; when none matches the answer is a deny by DefaultDeny.
// An unknown action, type or malformed repository id is denied too. A nil
// who, or one whose Kind is neither hfgate.PrincipalUser nor
// hfgate.PrincipalCI (the zero Principal included), is anonymous, whatever
// else it holds. Deciding an allow allocates nothing.
func (p *Policy) Decide(who *hfgate.Principal, action hfgate.RepoAction, r Resource) Decision {
	var buf [maxID]byte
	q, ok := newRequest(&buf, action, r)
	if !ok {
		return invalid(q)
	}
	if narrowedAway(who, r) {
		return narrowedDecision(who)
	}
	if p == nil {
		return Decision{Rule: DefaultDeny, Reason: deniedBy(DefaultDeny, "no rule allows "+q.what(r, ""))}
	}
	if rl, s := p.deny[q.action].first(who, &q); rl != nil {
		return Decision{Rule: rl.name, Reason: rl.denyReason(&q, r, s)}
	}
	if rl, s := p.allow[q.action].first(who, &q); rl != nil {
		return Decision{Allow: true, Rule: rl.name, Reason: rl.allowReasons[s]}
	}
	return p.defaultDeny(who, &q, r)
}

func invalid(q request) Decision {
	why := "not a valid repository name"
	switch {
	case q.action < 0:
		why = "not a known action"
	case q.typ == 0:
		why = "not a known repository type"
	}
	return Decision{Rule: DefaultDeny, Reason: deniedBy(DefaultDeny, why)}
}

func deniedBy(rule, why string) string { return "denied by rule " + rule + ": " + why }

// coversRepo reports whether the repository of q matches rl's Repos.
func (rl *rule) coversRepo(q *request) bool {
	if rl.gated && !q.gated || rl.private && !q.private {
		return false
	}
	for i := range rl.patterns {
		if rl.patterns[i].match(q.typ, q.owner, q.name) {
			return true
		}
	}
	return len(rl.patterns) == 0
}

// subjectOf returns the index of the first of rl's subjects who matches
// when rl applies to who and q, else -1.
func (rl *rule) subjectOf(who *hfgate.Principal, q *request) int {
	if !rl.coversRepo(q) {
		return -1
	}
	s := rl.matchSubject(who)
	if s >= 0 && rl.excepts(who) >= 0 {
		return -1
	}
	return s
}

func (rl *rule) matchSubject(who *hfgate.Principal) int {
	for i := range rl.subjects {
		if rl.subjects[i].match(who) {
			return i
		}
	}
	return -1
}

// excepts returns the index of the first of rl's Except who matches, or -1.
func (rl *rule) excepts(who *hfgate.Principal) int {
	for i := range rl.except {
		if rl.except[i].match(who) {
			return i
		}
	}
	return -1
}

// what names the request for a reason: "download of Qwen/X", or with an
// adjective "download of gated repo Qwen/X".
func (q *request) what(r Resource, adjective string) string {
	if adjective != "" {
		return string(actions[q.action]) + " of " + adjective + " repo " + r.String()
	}
	return string(actions[q.action]) + " of " + r.String()
}

func (rl *rule) denyReason(q *request, r Resource, s int) string {
	if rl.exceptNeeds != "" {
		return deniedBy(rl.name, q.what(r, rl.adjective)+" needs "+rl.exceptNeeds)
	}
	return deniedBy(rl.name, q.what(r, rl.adjective)+" is denied to "+rl.subjects[s].who)
}

// defaultDeny words a deny by no rule: what the allow rules for this
// action and repository ask that the caller lacks, when there are some.
func (p *Policy) defaultDeny(who *hfgate.Principal, q *request, r Resource) Decision {
	var needs []string
	for rl := range p.allow[q.action].rules(q.owner) {
		if !rl.coversRepo(q) || rl.matchSubject(who) >= 0 {
			continue // about another repo, or who is excepted from it
		}
		for _, s := range rl.subjects {
			if len(needs) < 3 && !slices.Contains(needs, s.needs) {
				needs = append(needs, s.needs)
			}
		}
	}
	why := "no rule allows " + q.what(r, "")
	if len(needs) > 0 {
		why = q.what(r, "") + " needs " + strings.Join(needs, " or ")
	}
	return Decision{Rule: DefaultDeny, Reason: deniedBy(DefaultDeny, why)}
}
