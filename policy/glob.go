package policy

import (
	"fmt"
	"strings"

	"github.com/hfgate/hfgate"
)

// Repository types as bits, so that a pattern says at once which types it
// can match.
const (
	typeModel uint8 = 1 << iota
	typeDataset
	typeSpace
	typeAll = typeModel | typeDataset | typeSpace
)

// typeBit returns the bit of a resource's type, or 0 for an unknown type.
func typeBit(t hfgate.RepoType) uint8 {
	switch t {
	case "", hfgate.RepoTypeModel:
		return typeModel
	case hfgate.RepoTypeDataset:
		return typeDataset
	case hfgate.RepoTypeSpace:
		return typeSpace
	}
	return 0
}

// pattern is a compiled repository glob: the types it can match and a glob
// for each of the id's two segments, in lower case.
type pattern struct {
	text        string // as written, for explanations
	types       uint8
	any         bool // "*": every repository, whatever its id
	owner, name segment
}

// segment is the glob of one segment. Most globs are a literal, "*", or a
// literal prefix and suffix around one '*': those compare as strings.
type segment struct {
	glob     string
	kind     segmentKind
	pre, suf string // of an affix glob
}

type segmentKind uint8

const (
	segmentGlob    segmentKind = iota // anything else: matchSegment
	segmentLiteral                    // no metacharacter
	segmentStar                       // "*"
	segmentAffix                      // pre*suf
)

func newSegment(glob string) segment {
	s := segment{glob: glob}
	switch star := strings.IndexByte(glob, '*'); {
	case glob == "*":
		s.kind = segmentStar
	case !strings.ContainsAny(glob, "*?["):
		s.kind = segmentLiteral
	case !strings.ContainsAny(glob, "?[") && strings.Count(glob, "*") == 1:
		s.kind, s.pre, s.suf = segmentAffix, glob[:star], glob[star+1:]
	}
	return s
}

// compilePattern checks a glob of Rule.Repos and compiles it; the error
// says what is wrong with it, for a Problem.
func compilePattern(s string) (pattern, error) {
	if s == "*" {
		return pattern{text: s, types: typeAll, any: true}, nil
	}
	if s == "" {
		return pattern{}, fmt.Errorf("empty repo pattern")
	}
	if strings.Contains(s, "**") {
		return pattern{}, fmt.Errorf(`repo pattern %q: "**" is not supported: '*' stays within one part; use "*" for every repository or "*/*" for every model`, s)
	}
	parts := strings.Split(lowerASCII(s), "/")
	for _, p := range parts {
		if err := checkGlob(p); err != nil {
			return pattern{}, fmt.Errorf("repo pattern %q: %w", s, err)
		}
	}
	pat := pattern{text: s, types: typeModel}
	switch len(parts) {
	case 1:
		return pattern{}, fmt.Errorf(`repo pattern %q names no owner: write "%s/*" for every model of %s, or a full owner/name`, s, s, s)
	case 2:
	case 3:
		pat.types = 0
		if matchSegment(parts[0], []byte("datasets")) {
			pat.types |= typeDataset
		}
		if matchSegment(parts[0], []byte("spaces")) {
			pat.types |= typeSpace
		}
		if pat.types == 0 {
			return pattern{}, fmt.Errorf(`repo pattern %q: a name in three parts starts with datasets/ or spaces/ (models have no prefix)`, s)
		}
		parts = parts[1:]
	default:
		return pattern{}, fmt.Errorf("repo pattern %q has too many '/': names are owner/name, datasets/owner/name or spaces/owner/name", s)
	}
	pat.owner, pat.name = newSegment(parts[0]), newSegment(parts[1])
	return pat, nil
}

// checkGlob checks one lower-case segment of a pattern: characters of repo
// names and the metacharacters '*', '?' and well-formed [classes].
func checkGlob(g string) error {
	if g == "" {
		return fmt.Errorf("empty part (a '/' at the start, at the end or twice)")
	}
	for i := 0; i < len(g); i++ {
		switch c := g[i]; {
		case c == '*' || c == '?':
		case c == '[':
			n, err := checkClass(g[i:])
			if err != nil {
				return err
			}
			i += n - 1
		case c == '\\':
			return fmt.Errorf(`'\' escapes are not supported (repo names need none)`)
		case c >= 0x80:
			return fmt.Errorf("non-ASCII characters cannot appear in a repo name")
		case !nameChar(c):
			return fmt.Errorf("%q cannot appear in a repo name", rune(c))
		}
	}
	return nil
}

// checkClass checks the class at the start of g ("[abc]", "[a-z0-9]",
// "[^.]") and returns its length.
func checkClass(g string) (int, error) {
	i := 1
	if i < len(g) && g[i] == '^' {
		i++
	}
	items := 0
	for ; i < len(g) && g[i] != ']'; i++ {
		lo := g[i]
		if lo >= 0x80 {
			return 0, fmt.Errorf("non-ASCII characters cannot appear in a [class]")
		}
		if !nameChar(lo) || lo == '-' {
			return 0, fmt.Errorf("%q cannot appear in a [class]", rune(lo))
		}
		if i+2 < len(g) && g[i+1] == '-' && g[i+2] != ']' {
			hi := g[i+2]
			if !sameKind(lo, hi) || lo > hi {
				return 0, fmt.Errorf("bad range %c-%c in a [class]: use a-z or 0-9", lo, hi)
			}
			i += 2
		}
		items++
	}
	if i == len(g) {
		return 0, fmt.Errorf("'[' without ']'")
	}
	if items == 0 {
		return 0, fmt.Errorf("empty [class]")
	}
	return i + 1, nil
}

// nameChar reports whether c may appear in a repo name (lower case).
func nameChar(c byte) bool {
	return 'a' <= c && c <= 'z' || '0' <= c && c <= '9' || c == '_' || c == '.' || c == '-'
}

func sameKind(a, b byte) bool {
	return 'a' <= a && a <= 'z' && 'a' <= b && b <= 'z' || '0' <= a && a <= '9' && '0' <= b && b <= '9'
}

// match reports whether the repository of type bit t and id owner/name,
// in lower case, matches the pattern; owner is nil for a bare id.
func (p *pattern) match(t uint8, owner, name []byte) bool {
	if p.types&t == 0 {
		return false
	}
	if p.any {
		return true
	}
	return owner != nil && p.owner.match(owner) && p.name.match(name)
}

func (s *segment) match(v []byte) bool {
	switch s.kind {
	case segmentStar:
		return true
	case segmentLiteral:
		return string(v) == s.glob
	case segmentAffix:
		return len(v) >= len(s.pre)+len(s.suf) && string(v[:len(s.pre)]) == s.pre && string(v[len(v)-len(s.suf):]) == s.suf
	}
	return matchSegment(s.glob, v)
}
