package hfgate_test

import (
	"go/ast"
	"go/parser"
	"go/token"
	"io/fs"
	"path/filepath"
	"regexp"
	"strconv"
	"strings"
	"testing"
)

// frontEnds are the packages that word advice for a user themselves: the
// command line (every package main), the local web app, and the gateway
// (its pages and its answers to HF clients). Every other
// package says what happened and sets an hfgate Action; it never tells the
// user to run a command or pass a flag, which only one front end has.
// Packages for tests (storetest, hubsimtest, kubotest) talk to no user and
// are not scanned: they pass flags to the programs they run.
var frontEnds = map[string]bool{"web": true, "gateway": true}

// cliAdvice matches advice that belongs to one front end: an hfgate
// subcommand, the official CLI's commands, or a command-line flag.
var cliAdvice = regexp.MustCompile(
	`\bhfgate (login|logout|whoami|token|search|info|files|download|recommend|cache|ui|demo|hubsim|serve|admin|policy|version)\b` +
		`|\bhf (auth|download|upload|cache)\b|\bhuggingface-cli\b` +
		"|(^|[\\s(\"'`=])--[a-z][a-z0-9-]+")

// TestNoCommandAdviceInLibraries fails for a string literal in a library
// package that names a command or a flag, as advice to the user.
func TestNoCommandAdviceInLibraries(t *testing.T) {
	fset := token.NewFileSet()
	scanned := 0
	err := filepath.WalkDir(".", func(path string, d fs.DirEntry, err error) error {
		if err != nil {
			return err
		}
		name := d.Name()
		if d.IsDir() {
			if path != "." && (name == "testdata" || name == "node_modules" || name == "cmd" || strings.HasSuffix(name, "test") ||
				strings.HasPrefix(name, ".") || strings.HasPrefix(name, "_") || frontEnds[filepath.ToSlash(path)]) {
				return filepath.SkipDir
			}
			return nil
		}
		if !strings.HasSuffix(name, ".go") || strings.HasSuffix(name, "_test.go") {
			return nil
		}
		f, err := parser.ParseFile(fset, path, nil, parser.SkipObjectResolution)
		if err != nil {
			return err
		}
		if f.Name.Name == "main" {
			return nil // a command is a front end
		}
		scanned++
		ast.Inspect(f, func(n ast.Node) bool {
			lit, ok := n.(*ast.BasicLit)
			if !ok || lit.Kind != token.STRING {
				return true
			}
			s, err := strconv.Unquote(lit.Value)
			if err != nil {
				s = lit.Value
			}
			if m := cliAdvice.FindString(s); m != "" {
				t.Errorf("%s: %q names %q: say what happened, set an hfgate Action, and let each front end word the advice",
					fset.Position(lit.Pos()), s, strings.TrimSpace(m))
			}
			return true
		})
		return nil
	})
	if err != nil {
		t.Fatal(err)
	}
	if scanned < 50 {
		t.Fatalf("scanned %d files; is the test running in the module root?", scanned)
	}
}

// TestCommandAdviceMatches keeps the pattern honest: it catches what it is
// for and lets the library's plain facts through.
func TestCommandAdviceMatches(t *testing.T) {
	for s, want := range map[string]bool{
		"not signed in to x: run hfgate login":                      true,
		`check the name ("hfgate files o/r" lists the files)`:       true,
		"state it with --memory, e.g. --memory 16GiB":               true,
		"run `hf auth logout` to remove it":                         true,
		"not signed in to x":                                        false,
		"another hfgate process holds the lock":                     false,
		"the ID token is signed with HS256, which hfgate does not ": false,
		"a flag-like --- separator, or x--y":                        false,
		"HF_HUB_OFFLINE is set: the Hub is not asked":               false,
	} {
		if got := cliAdvice.MatchString(s); got != want {
			t.Errorf("cliAdvice.MatchString(%q) = %v, want %v", s, got, want)
		}
	}
}
