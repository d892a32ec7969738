package hfgate_test

import (
	"encoding/json"
	"errors"
	"io"
	"os/exec"
	"slices"
	"strings"
	"testing"
)

const module = "github.com/hfgate/hfgate"

// imports is ARCHITECTURE.md's tables: for each library package of the
// module (path relative to the module), the other packages of the module it
// may import besides the root, and the third-party modules it may import.
// A package missing here, or an import not listed, fails TestDependencies:
// write the new edge down in ARCHITECTURE.md and here, with its reason.
var imports = map[string]struct{ pkgs, modules []string }{
	"internal/retry":    {},
	"internal/stall":    {},
	"internal/safefile": {modules: []string{"golang.org/x/sys"}},
	"hfhub":             {pkgs: []string{"internal/retry", "internal/stall"}},
	"hfcache":           {pkgs: []string{"internal/safefile"}},
	"download": {pkgs: []string{"hfcache", "internal/retry", "internal/stall", "internal/safefile"},
		modules: []string{"github.com/gofrs/flock", "golang.org/x/sync", "golang.org/x/sys"}},
	"gguf":      {},
	"fit":       {pkgs: []string{"gguf"}, modules: []string{"golang.org/x/sync"}},
	"oidcauth":  {modules: []string{"golang.org/x/oauth2", "github.com/coreos/go-oidc/v3"}},
	"credstore": {modules: []string{"github.com/zalando/go-keyring", "github.com/gofrs/flock"}},
	"memstore":  {},
	"webauth":   {pkgs: []string{"oidcauth"}},
	"hubroute":  {},
	"policy":    {},
	"kubo":      {},
	"ipfs":      {pkgs: []string{"hfcache"}},
	"blobcache": {pkgs: []string{"internal/retry", "internal/safefile"}, modules: []string{"github.com/gofrs/flock", "golang.org/x/sync"}},
	"hubsim":    {pkgs: []string{"hubroute"}, modules: []string{"github.com/go-jose/go-jose/v4"}},
	"web": {pkgs: []string{"webauth", "oidcauth", "download", "fit", "hfcache"},
		modules: []string{"github.com/yuin/goldmark"}},
	"keyset":   {},
	"sqlstore": {},
	"sqlite":   {pkgs: []string{"sqlstore"}, modules: []string{"modernc.org/sqlite"}},
	"postgres": {pkgs: []string{"sqlstore"}, modules: []string{"github.com/jackc/pgx/v5", "github.com/jackc/pgxlisten"}},
	"identity": {},
	"gateway": {pkgs: []string{"webauth", "oidcauth", "identity", "proxy", "hubroute", "ciauth", "policy", "audit", "blobcache"},
		modules: []string{"github.com/prometheus/client_golang", "golang.org/x/time", "golang.org/x/sync"}},
	"audit": {},
	"proxy": {pkgs: []string{"hubroute", "policy", "blobcache", "internal/retry"},
		modules: []string{"github.com/prometheus/client_golang", "golang.org/x/sync"}},
	"ciauth":                {modules: []string{"github.com/go-jose/go-jose/v4"}},
	"bench/internal/report": {},

	"storetest":         {},
	"hubsim/hubsimtest": {pkgs: []string{"hubsim"}},
	"kubo/kubotest":     {pkgs: []string{"kubo"}},

	"postgres/postgrestest": {modules: []string{"github.com/jackc/pgx/v5"}},
	"audit/audittest":       {pkgs: []string{"audit"}},
}

// testOnly are packages for tests: no code but tests may import them.
var testOnly = []string{"storetest", "hubsim/hubsimtest", "kubo/kubotest", "postgres/postgrestest", "audit/audittest"}

// listed is a package as go list -json describes it.
type listed struct {
	ImportPath string
	Name       string
	Standard   bool
	DepOnly    bool
	Imports    []string
	Deps       []string
	Module     *struct{ Path string }
}

// goList runs go list -deps -json on the module's packages, without tests.
func goList(t *testing.T) map[string]*listed {
	t.Helper()
	if testing.Short() {
		t.Skip("runs go list")
	}
	cmd := exec.Command("go", "list", "-deps", "-json", "./...")
	out, err := cmd.Output()
	if err != nil {
		var ee *exec.ExitError
		if errors.As(err, &ee) {
			t.Fatalf("go list: %v\n%s", err, ee.Stderr)
		}
		t.Fatalf("go list: %v", err)
	}
	pkgs := map[string]*listed{}
	dec := json.NewDecoder(strings.NewReader(string(out)))
	for {
		var p listed
		if err := dec.Decode(&p); err == io.EOF {
			break
		} else if err != nil {
			t.Fatal(err)
		}
		pkgs[p.ImportPath] = &p
	}
	return pkgs
}

// TestDependencies checks ARCHITECTURE.md's rule over go list -deps: the
// root imports only the standard library (through anything); a library
// imports the root, the packages and the third-party modules written down
// for it, and never a command; test-only packages are imported by no code.
func TestDependencies(t *testing.T) {
	pkgs := goList(t)
	root := pkgs[module]
	if root == nil {
		t.Fatal("go list did not list the root package")
	}
	for _, dep := range root.Deps {
		if p := pkgs[dep]; p == nil || !p.Standard {
			t.Errorf("the root package depends on %s; it may use the standard library only", dep)
		}
	}

	seen := 0
	for _, p := range pkgs {
		if p.DepOnly || p.Module == nil || p.Module.Path != module || p.ImportPath == module {
			continue
		}
		seen++
		rel := strings.TrimPrefix(p.ImportPath, module+"/")
		for _, imp := range p.Imports {
			if slices.Contains(testOnly, strings.TrimPrefix(imp, module+"/")) {
				t.Errorf("%s imports %s, which is for tests only", rel, imp)
			}
		}
		if p.Name == "main" {
			continue // a command wires whatever it needs
		}
		rule, ok := imports[rel]
		if !ok {
			t.Errorf("package %s is not in ARCHITECTURE.md: add it, and its allowed imports here", rel)
			continue
		}
		for _, imp := range p.Imports {
			switch dep := pkgs[imp]; {
			case dep != nil && dep.Standard, imp == module:
			case strings.HasPrefix(imp, module+"/"):
				to := strings.TrimPrefix(imp, module+"/")
				if strings.HasPrefix(to, "cmd/") || !slices.Contains(rule.pkgs, to) {
					t.Errorf("%s imports %s, which ARCHITECTURE.md does not allow", rel, to)
				}
			case !slices.ContainsFunc(rule.modules, func(m string) bool { return imp == m || strings.HasPrefix(imp, m+"/") }):
				t.Errorf("%s imports the third-party %s, which ARCHITECTURE.md does not list for it", rel, imp)
			}
		}
	}
	if seen < len(imports) {
		t.Errorf("go list found %d packages of the module, fewer than the %d written down: remove the ones that are gone", seen, len(imports))
	}
}
