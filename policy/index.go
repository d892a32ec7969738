package policy

import (
	"iter"

	"github.com/hfgate/hfgate"
)

// maxPart is the longest owner or name the Hub allows (huggingface_hub's
// validate_repo_id): longer ids are refused before matching.
const maxPart = 96

// index holds the rules of one effect for one action so that a request is
// matched only against the rules that can match it: most rules name their
// repositories' owner ("acme/*", "datasets/acme/*"), so they are listed
// under that owner in lower case; the others are tried for every request.
type index struct {
	byOwner map[string][]*rule
	rest    []*rule
}

func (ix *index) add(rl *rule) {
	owners := rl.literalOwners()
	if owners == nil {
		ix.rest = append(ix.rest, rl)
		return
	}
	if ix.byOwner == nil {
		ix.byOwner = map[string][]*rule{}
	}
	for _, o := range owners {
		if l := ix.byOwner[o]; len(l) == 0 || l[len(l)-1] != rl {
			ix.byOwner[o] = append(l, rl)
		}
	}
}

// literalOwners returns the owners of rl's patterns when every pattern
// names one literally, else nil: such a rule can match only repositories
// of those owners.
func (rl *rule) literalOwners() []string {
	var owners []string
	for i := range rl.patterns {
		p := &rl.patterns[i]
		if p.any || p.owner.kind != segmentLiteral {
			return nil
		}
		owners = append(owners, p.owner.glob)
	}
	return owners
}

// rules yields the rules of ix that can match a repository of this owner
// (in lower case), in the Config's order.
func (ix *index) rules(owner []byte) iter.Seq[*rule] {
	return func(yield func(*rule) bool) {
		a, b := ix.byOwner[string(owner)], ix.rest // the conversion does not allocate
		for len(a) > 0 || len(b) > 0 {
			var rl *rule
			if len(b) == 0 || len(a) > 0 && a[0].order < b[0].order {
				rl, a = a[0], a[1:]
			} else {
				rl, b = b[0], b[1:]
			}
			if !yield(rl) {
				return
			}
		}
	}
}

// first returns the first rule of ix, in the Config's order, that applies
// to who and q, with the index of the subject who matched; nil if none.
func (ix *index) first(who *hfgate.Principal, q *request) (*rule, int) {
	for rl := range ix.rules(q.owner) {
		if s := rl.subjectOf(who, q); s >= 0 {
			return rl, s
		}
	}
	return nil, -1
}
