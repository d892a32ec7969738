package policy

import (
	"path"
	"strings"
	"testing"

	"github.com/hfgate/hfgate"
)

func TestPatternMatch(t *testing.T) {
	for _, tt := range []struct {
		pattern string
		typ     hfgate.RepoType
		id      string
		want    bool
	}{
		{"*", hfgate.RepoTypeModel, "Qwen/X", true},
		{"*", hfgate.RepoTypeDataset, "acme/data", true},
		{"*", hfgate.RepoTypeSpace, "acme/app", true},
		{"*", hfgate.RepoTypeModel, "gpt2", true},
		{"Qwen/*", hfgate.RepoTypeModel, "Qwen/Qwen2.5-Coder-0.5B-Instruct-GGUF", true},
		{"Qwen/*", hfgate.RepoTypeModel, "qwen/qwen2.5", true}, // the Hub ignores case
		{"qwen/*", hfgate.RepoTypeModel, "QWEN/X", true},
		{"Qwen/*", hfgate.RepoTypeModel, "QwenX/y", false},
		{"Qwen/*", hfgate.RepoTypeDataset, "Qwen/x", false}, // models only
		{"Qwen/*", "", "Qwen/x", true},                      // "" is a model
		{"Qwen/*", "weird", "Qwen/x", false},
		{"*/*", hfgate.RepoTypeModel, "a/b", true},
		{"*/*", hfgate.RepoTypeModel, "gpt2", false}, // a bare id has no owner
		{"*/*", hfgate.RepoTypeDataset, "a/b", false},
		{"datasets/acme/*", hfgate.RepoTypeDataset, "acme/d", true},
		{"datasets/acme/*", hfgate.RepoTypeModel, "acme/d", false},
		{"datasets/acme/*", hfgate.RepoTypeSpace, "acme/d", false},
		{"spaces/acme/*", hfgate.RepoTypeSpace, "ACME/d", true},
		{"*/acme/*", hfgate.RepoTypeSpace, "acme/d", true},
		{"*/acme/*", hfgate.RepoTypeDataset, "acme/d", true},
		{"*/acme/*", hfgate.RepoTypeModel, "acme/d", false},
		{"Qwen/Qwen2.5-*-GGUF", hfgate.RepoTypeModel, "Qwen/Qwen2.5-Coder-7B-Instruct-GGUF", true},
		{"Qwen/Qwen2.5-*-GGUF", hfgate.RepoTypeModel, "Qwen/Qwen2.5-Coder-7B-Instruct", false},
		{"Qwen/Qwen?.5-*", hfgate.RepoTypeModel, "Qwen/Qwen2.5-x", true},
		{"Qwen/Qwen?.5-*", hfgate.RepoTypeModel, "Qwen/Qwen.5-x", false},
		{"meta-llama/Llama-[0-9]*", hfgate.RepoTypeModel, "meta-llama/Llama-3.2-1B", true},
		{"meta-llama/Llama-[0-9]*", hfgate.RepoTypeModel, "meta-llama/Llama-Guard", false},
		{"meta-llama/[^l]*", hfgate.RepoTypeModel, "meta-llama/Llama-3", false},
		{"meta-llama/[^l]*", hfgate.RepoTypeModel, "meta-llama/CodeLlama", true},
		{"[A-Z]*/x", hfgate.RepoTypeModel, "acme/x", true},
		{"a*b*c/x", hfgate.RepoTypeModel, "aXbYbZc/x", true},
		{"a*b*c/x", hfgate.RepoTypeModel, "aXbYbZ/x", false},
		{"acme/exact", hfgate.RepoTypeModel, "acme/exact", true},
		{"acme/exact", hfgate.RepoTypeModel, "acme/exactly", false},
		{"acme/exact", hfgate.RepoTypeModel, "acme/exac", false},
	} {
		p, err := compilePattern(tt.pattern)
		if err != nil {
			t.Fatalf("compilePattern(%q): %v", tt.pattern, err)
		}
		var buf [maxID]byte
		owner, name, _, ok := lowerID(&buf, tt.id)
		if !ok {
			t.Fatalf("lowerID(%q) refused it", tt.id)
		}
		if got := p.match(typeBit(tt.typ), owner, name); got != tt.want {
			t.Errorf("%q matches %s %q = %v, want %v", tt.pattern, tt.typ, tt.id, got, tt.want)
		}
	}
}

func TestCompilePatternErrors(t *testing.T) {
	for _, tt := range []struct{ pattern, want string }{
		{"", "empty repo pattern"},
		{"Qwen", `write "Qwen/*"`},
		{"**", `"**" is not supported`},
		{"Qwen/**", `"**" is not supported`},
		{"models/Qwen/x", "starts with datasets/ or spaces/"},
		{"a/b/c/d", "too many '/'"},
		{"Qwen/", "empty part"},
		{"/x", "empty part"},
		{"datasets//x", "empty part"},
		{"a/b[", "'[' without ']'"},
		{"a/[]", "empty [class]"},
		{"a/[^]", "empty [class]"},
		{"a/[z-a]", "bad range z-a"},
		{"a/[a-9]", "bad range a-9"},
		{"a/[a-]", `'-' cannot appear in a [class]`},
		{`a/b\*`, `'\' escapes are not supported`},
		{"a/b c", `' ' cannot appear`},
		{"a/b\x1b", `'\x1b' cannot appear`},
		{"a/é", "cannot appear"},
		{"\u212Aacme/x", "cannot appear"}, // the Kelvin sign, which strings.ToLower makes a 'k'
		{"A/B/C", "starts with datasets/ or spaces/"},
	} {
		_, err := compilePattern(tt.pattern)
		if err == nil || !strings.Contains(err.Error(), tt.want) {
			t.Errorf("compilePattern(%q) = %v, want an error with %q", tt.pattern, err, tt.want)
		}
	}
}

func TestLowerID(t *testing.T) {
	long := func(c string, n int) string { return strings.Repeat(c, n) }
	for _, tt := range []struct {
		id          string
		owner, name string
		bare, ok    bool
	}{
		{"Qwen/X", "qwen", "x", false, true},
		{"gpt2", "", "gpt2", true, true},
		{"", "", "", false, false},
		{"/x", "", "", false, false},
		{"x/", "", "", false, false},
		{"a/b/c", "", "", false, false},
		{"a/b c", "", "", false, false},
		{"a/b\n", "", "", false, false},
		{"a/b%2fc", "", "", false, false},
		{"a/é", "", "", false, false},
		{long("A", 96) + "/" + long("B", 96), long("a", 96), long("b", 96), false, true},
		{long("a", 97) + "/b", "", "", false, false},
		{"a/" + long("b", 97), "", "", false, false},
		{long("b", 96), "", long("b", 96), true, true},
		{long("b", 97), "", "", false, false},
		{long("b", 200), "", "", false, false},
	} {
		var buf [maxID]byte
		owner, name, bare, ok := lowerID(&buf, tt.id)
		if string(owner) != tt.owner || string(name) != tt.name || bare != tt.bare || ok != tt.ok || (owner == nil) != (tt.owner == "") {
			t.Errorf("lowerID(%q) = %q, %q, %v, %v; want %q, %q, %v, %v", tt.id, owner, name, bare, ok, tt.owner, tt.name, tt.bare, tt.ok)
		}
	}
}

// FuzzMatchSegment checks that matching never panics, whatever the glob
// and text, and that for every glob compilePattern accepts and every
// segment of a valid id it agrees with path.Match on lower-cased text.
func FuzzMatchSegment(f *testing.F) {
	for _, s := range [][2]string{
		{"*", "abc"}, {"a*b*c", "aXbYc"}, {"[a-z]?", "b1"}, {"[^0-9]*", "x9"}, {"q*-gguf", "Qwen-GGUF"},
		{"[", "a"}, {"[a-", "a"}, {"[^", ""}, {"a[b-]c", "a-c"}, {"**", ""}, {"?", ""},
	} {
		f.Add(s[0], s[1])
	}
	f.Fuzz(func(t *testing.T, glob, v string) {
		got := matchSegment(glob, []byte(v)) // must not panic on any glob
		var buf [maxID]byte
		if _, lv, bare, ok := lowerID(&buf, v); !ok || !bare || checkGlob(glob) != nil || glob != strings.ToLower(glob) {
			return // ids hold only ASCII; path.Match works on runes
		} else if segment := newSegment(glob); segment.match(lv) != matchSegment(glob, lv) {
			t.Fatalf("segment %q (kind %d) matches %q unlike matchSegment", glob, segment.kind, v)
		} else {
			got = matchSegment(glob, lv)
		}
		want, err := path.Match(glob, strings.ToLower(v))
		if err != nil {
			t.Fatalf("checkGlob accepted %q but path.Match says %v", glob, err)
		}
		if got != want {
			t.Fatalf("matchSegment(%q, %q) = %v, path.Match says %v", glob, v, got, want)
		}
	})
}

// FuzzPattern checks that any pattern either compiles or is refused, that
// a compiled one matches any repository id without panicking, and that it
// agrees with path.Match over the repository's full name (but for the two
// documented differences).
func FuzzPattern(f *testing.F) {
	for _, s := range [][3]string{
		{"Qwen/*", "model", "Qwen/X"}, {"datasets/*/x", "dataset", "a/x"}, {"*/acme/*", "space", "acme/b"},
		{"*", "model", "gpt2"}, {"a/[b-d]?", "model", "a/cc"}, {"a/b/c/d", "model", "a/b"},
	} {
		f.Add(s[0], s[1], s[2])
	}
	f.Fuzz(func(t *testing.T, pat, typ, id string) {
		p, err := compilePattern(pat)
		var buf [maxID]byte
		owner, name, bare, ok := lowerID(&buf, id)
		if err != nil || !ok {
			return
		}
		r := Resource{Type: hfgate.RepoType(typ), ID: hfgate.RepoID(id)}
		got := p.match(typeBit(r.Type), owner, name)
		if typeBit(r.Type) == 0 || pat == "*" || bare && typeBit(r.Type) != typeModel {
			// Where path.Match differs on purpose: "*" matches every
			// repository, and an owner/name pattern only models, where
			// path.Match would let "*/x" match "datasets/x".
			return
		}
		want, err := path.Match(strings.ToLower(pat), strings.ToLower(r.String()))
		if err != nil {
			t.Fatalf("compilePattern accepted %q but path.Match says %v", pat, err)
		}
		if got != want {
			t.Fatalf("%q matches %s %q = %v, path.Match says %v", pat, typ, id, got, want)
		}
	})
}
