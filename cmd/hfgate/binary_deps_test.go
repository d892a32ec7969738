package main

import (
	"os/exec"
	"path"
	"strings"
	"testing"
)

// TestBinaryLinksNoTestCode checks that the shipped binary links neither
// package testing nor any test-helper package (hubsimtest, httptest, a
// storetest...): test helpers live in their own packages so that "hfgate
// hubsim" and "hfgate demo" can run hubsim without them.
func TestBinaryLinksNoTestCode(t *testing.T) {
	if testing.Short() {
		t.Skip("runs go list")
	}
	out, err := exec.Command("go", "list", "-deps", ".").CombinedOutput()
	if err != nil {
		t.Fatalf("go list -deps: %v\n%s", err, out)
	}
	deps := strings.Fields(string(out))
	if len(deps) < 50 {
		t.Fatalf("go list -deps listed %d packages; is this cmd/hfgate?", len(deps))
	}
	for _, dep := range deps {
		if testOnly(dep) {
			t.Errorf("cmd/hfgate depends on %s, a package for tests", dep)
		}
	}
}

// testOnly reports whether a package exists only for tests: testing and
// its subpackages, and helpers named like httptest. The standard
// library's internal packages (internal/testlog) are part of the runtime.
func testOnly(pkg string) bool {
	if pkg == "testing" || strings.HasPrefix(pkg, "testing/") {
		return true
	}
	return strings.HasSuffix(path.Base(pkg), "test") && !strings.HasPrefix(pkg, "internal/")
}
