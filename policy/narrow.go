package policy

import (
	"strings"

	"github.com/hfgate/hfgate"
)

// TokenResource is the Rule of a Decision that refuses a repository to a
// caller whose token is narrowed to another one (hfgate.Principal.Resource,
// RFC 8707): such a token reaches its one repository, and only as far as
// the rules allow. No rule may take this name.
const TokenResource = "token-resource"

// typePrefixes are the prefixes of repository names that say their type.
var typePrefixes = [...]struct {
	prefix string
	typ    hfgate.RepoType
}{{"datasets/", hfgate.RepoTypeDataset}, {"spaces/", hfgate.RepoTypeSpace}, {"models/", hfgate.RepoTypeModel}}

// splitType splits a repository name into its type and id: "datasets/a/b"
// is dataset a/b, "a/b" model a/b. A prefix counts only when an id with an
// owner follows, so that "datasets/x" stays the model of user datasets.
func splitType(s string) (hfgate.RepoType, string) {
	for _, tp := range typePrefixes {
		if rest, ok := strings.CutPrefix(s, tp.prefix); ok && strings.Contains(rest, "/") {
			return tp.typ, rest
		}
	}
	return hfgate.RepoTypeModel, s
}

// ParseResource parses a repository named as rules and
// hfgate.Principal.Resource name it: "owner/name" (a model, also
// "models/owner/name"), "datasets/owner/name" or "spaces/owner/name". An
// id that the Hub would refuse is an EINVALID error.
func ParseResource(s string) (Resource, error) {
	typ, id := splitType(strings.TrimSpace(s))
	repo, err := hfgate.ParseRepoID(id)
	if err != nil {
		return Resource{}, err
	}
	return Resource{Type: typ, ID: repo}, nil
}

// narrowedAway reports whether who's token is narrowed to a repository
// other than r. Repository names ignore case, as the Hub's do. It
// allocates nothing.
func narrowedAway(who *hfgate.Principal, r Resource) bool {
	if who == nil || who.Resource == "" {
		return false
	}
	typ, id := splitType(who.Resource)
	rt := r.Type
	if rt == "" {
		rt = hfgate.RepoTypeModel
	}
	return typ != rt || !strings.EqualFold(id, string(r.ID))
}

func narrowedDecision(who *hfgate.Principal) Decision {
	return Decision{Rule: TokenResource, Reason: deniedBy(TokenResource, "this token is narrowed to the repo "+printable(who.Resource))}
}
