package policy

import (
	"fmt"
	"maps"
	"slices"
	"strconv"
	"strings"

	"github.com/hfgate/hfgate"
)

// Problem is one thing wrong with one rule of a Config.
type Problem struct {
	Index   int    // the rule's position in Config.Rules, from 0
	Rule    string // the rule's name, "" when it has none
	Field   string // the field at fault, in lower case ("name", "effect", "actions", "repos", "subjects", "except")
	Message string // what is wrong, e.g. `unknown action "downlaod" (use search, read, download or *)`
}

// String returns the problem with the rule it is about: its name, else its
// position from 1.
func (p Problem) String() string {
	if p.Rule != "" {
		return fmt.Sprintf("rule %q: %s", printable(p.Rule), p.Message)
	}
	return fmt.Sprintf("rule %d: %s", p.Index+1, p.Message)
}

// Validate checks every rule of c and reports all problems at once, in one
// EINVALID error; nil when c is valid. It is pure and does no I/O.
func (c Config) Validate() error {
	ps := c.Problems()
	if len(ps) == 0 {
		return nil
	}
	msgs := make([]string, len(ps))
	for i, p := range ps {
		msgs[i] = p.String()
	}
	return hfgate.Errorf(hfgate.EINVALID, "invalid policy: %s", strings.Join(msgs, "; "))
}

// Problems returns every problem of c, in the order of its rules; none
// when c is valid. Front ends that know where each rule was written (a
// line of a file) use it to say so.
func (c Config) Problems() []Problem {
	var ps []Problem
	seen := map[string]int{}
	for i, r := range c.Rules {
		add := func(field, format string, args ...any) {
			ps = append(ps, Problem{Index: i, Rule: r.Name, Field: field, Message: printable(fmt.Sprintf(format, args...))})
		}
		switch first, dup := seen[r.Name]; {
		case r.Name == "":
			add("name", "has no name")
		case dup:
			add("name", "rule %d has the same name", first+1)
		case len(r.Name) > 64 || strings.ContainsFunc(r.Name, func(c rune) bool { return c > 0x7f || !nameChar(lower(byte(c))) }):
			add("name", "the name may hold only letters, digits, '.', '_' and '-', at most 64")
		case r.Name == DefaultDeny:
			add("name", "the name %s is reserved for the decision no rule makes", DefaultDeny)
		case r.Name == TokenResource:
			add("name", "the name %s is reserved for the decision on a token narrowed to another repo", TokenResource)
		}
		if _, dup := seen[r.Name]; !dup {
			seen[r.Name] = i
		}
		switch r.Effect {
		case Allow, Deny:
		case "":
			add("effect", "has no effect (allow or deny)")
		default:
			add("effect", "effect %q is neither allow nor deny", r.Effect)
		}
		if len(r.Actions) == 0 {
			add("actions", "has no actions (search, read, download or *)")
		}
		for _, a := range r.Actions {
			if a != AnyAction && !a.Valid() {
				add("actions", "unknown action %q (use search, read, download or *)", a)
			}
		}
		if len(r.Repos) == 0 {
			add("repos", `has no repos (use "*" for every repository)`)
		}
		for _, p := range r.Repos {
			if _, isWord := condition(p); !isWord {
				if _, err := compilePattern(p); err != nil {
					add("repos", "%v", err)
				}
			}
		}
		if len(r.Subjects) == 0 {
			add("subjects", "has no subjects (say who, e.g. anyone, authenticated or an org)")
		}
		for j, s := range r.Subjects {
			if msg := subjectProblem(s); msg != "" {
				add("subjects", "subject %d: %s", j+1, msg)
			}
		}
		for j, s := range r.Except {
			if msg := subjectProblem(s); msg != "" {
				add("except", "except %d: %s", j+1, msg)
			} else if s.Anyone {
				add("except", "except %d: anyone: the rule would never apply", j+1)
			}
		}
	}
	return ps
}

// condition tells whether a Repos entry is the word Gated or Private.
func condition(p string) (word string, ok bool) {
	switch w := lowerASCII(p); w {
	case Gated, Private:
		return w, true
	}
	return "", false
}

// subjectProblem says what is wrong with s, or "".
func subjectProblem(s Subject) string {
	var set []string
	for _, f := range []struct {
		name string
		set  bool
	}{
		{"user", s.User != ""}, {"org", s.Org != ""}, {"group", s.Group != ""}, {"claim", len(s.Claim) > 0},
		{"ci", len(s.CI) > 0}, {"authenticated", s.Authenticated}, {"anyone", s.Anyone},
	} {
		if f.set {
			set = append(set, f.name)
		}
	}
	switch {
	case len(set) == 0 && s.MinRole != "":
		return "min_role needs an org"
	case len(set) == 0:
		return "empty (set one of user, org, group, claim, ci, authenticated and anyone)"
	case len(set) > 1:
		return "sets " + strings.Join(set, " and ") + ": a subject is one of them; list several subjects for either"
	case s.MinRole != "" && s.Org == "":
		return "min_role needs an org"
	case s.MinRole != "" && roles[s.MinRole] == 0:
		return fmt.Sprintf("min_role %q is not one of read, contributor, write and admin", s.MinRole)
	}
	for _, claims := range []map[string]string{s.Claim, s.CI} {
		for _, k := range slices.Sorted(maps.Keys(claims)) {
			switch v := claims[k]; {
			case k == "":
				return "a claim has no name"
			case v == "":
				return "claim " + strconv.Quote(k) + " has an empty value; claims match exactly"
			}
		}
	}
	return ""
}
